#!/bin/sh
# shellcheck disable=SC2015,SC2317 # ok/bad always return 0, so A && ok || bad is safe; trap-called functions look unreachable as main ends in exit
# vm-netboot.sh — two machines boot bee over the network at the same time, each runs the
# audit and `bee sat memory` on its own, uploads the results and powers itself off
# (issue 14, docs/netboot.md):
#   1. `dist/bee image customize` puts an upload config (versitygw on the host, reached
#      by the guests as 10.0.2.2) and a throwaway SSH key on the base ISO (seconds);
#   2. `bee image netboot --base-url http://10.0.2.2:PORT/ --cmdline 'bee.sat=memory
#      bee.done=poweroff'` writes the netboot folder, served by `python3 -m http.server`
#      on 127.0.0.1 (the guests' 10.0.2.2);
#   3. two QEMU VMs with different identities (SMBIOS serial and UUID, MAC) start
#      together; QEMU's iPXE ROM (Debian's ipxe-qemu) runs boot.ipxe from the user
#      network's TFTP (tftp=DIR,bootfile=boot.ipxe), loads vmlinuz and initrd.img over
#      HTTP, live-boot's fetch= loads the ISO with its site layer;
#   4. bee-unattended runs `bee sat memory`, waits for the store to confirm every
#      result, and powers off: each QEMU must exit by itself;
#   5. the bucket must then hold each machine's audit (<prefix>/<serial>/<time>/
#      bee-audit.json, with that machine's serial, UUID and MAC inside) and its memory
#      archive (<prefix>/<serial>/<time>/memory-<serial>-<time>.tar.gz); it is listed.
# Run as root on the builder after `iso/builder/setup-builder.sh --with-vm-test` (qemu,
# ipxe-qemu, python3, jq) with versitygw (.ci/install-versitygw.sh), after a build:
#   iso/test/vm-netboot.sh [--base ISO]
#     --base ISO  the ISO to customize (default dist/bee-base.iso); dist/bee goes on top
#   BEE_VM_ACCEL=kvm uses KVM where it works (default: tcg, minutes per boot).
#   BEE_VM_NETBOOT_MEM: MiB per VM (default 1840). bee sat memory tests MemAvailable less
#     1 GiB (at least 16 MiB, or it does not run); the fetched ISO (~440 MB) stays in RAM.
#     Measured: 1920 MiB gave MemAvailable 1.1 GiB and a 138 MiB memtester run of about
#     10 min under TCG; 1840 leaves about 60 MiB to test.
#   BEE_VM_HTTP_PORT, BEE_VM_S3_PORT: host ports (default 17080, 17071).
# Logs, the netboot folder and the store: dist/vm-netboot/.
set -eu

main() {
repo=$(cd "$(dirname "$0")/../.." && pwd)
out="$repo/dist/vm-netboot"
base="$repo/dist/bee-base.iso"
bee="$repo/dist/bee"
hport=${BEE_VM_HTTP_PORT:-17080}
s3port=${BEE_VM_S3_PORT:-17071}
mem=${BEE_VM_NETBOOT_MEM:-1840}
accel=${BEE_VM_ACCEL:-tcg}
cmdline='bee.sat=memory bee.done=poweroff'
while [ $# -gt 0 ]; do
	case $1 in
	--base) [ $# -ge 2 ] || { echo "E: --base needs an ISO" >&2; exit 2; }; base=$2; shift 2 ;;
	-h | --help) awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0"; exit 0 ;;
	*) echo "E: unknown argument: $1" >&2; exit 2 ;;
	esac
done

die() { echo "E: $*" >&2; exit 1; }
log() { echo "I: $(date +%H:%M:%S) $*"; }
fails=0 passes=0
ok() { echo "PASS $*"; passes=$((passes + 1)); }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

PATH="$PATH:/usr/sbin:/sbin"
for t in qemu-system-x86_64 python3 jq ssh-keygen; do
	command -v "$t" >/dev/null || die "$t missing"
done
[ -f "$base" ] || die "no ISO at $base: build first (./build.sh)"
[ -x "$bee" ] || die "no $bee: build first"
vgw=$(bash "$repo/.ci/install-versitygw.sh" | tail -n1)
rm -rf "$out"
mkdir -p "$out"

# 1. the site ISO: upload config + key + this dist/bee on top of the base.
ssh-keygen -q -t ed25519 -N '' -C bee-vm-netboot -f "$out/id_ed25519"
(umask 077 && printf 'url: s3://bee-nb/rack1\nendpoint: http://10.0.2.2:%s\naccess_key: nbtest\nsecret_key: nbtest-secret\n' "$s3port" >"$out/upload.yaml")
log "bee image customize --iso $base --bee $bee --authorized-keys … --upload-config $out/upload.yaml"
"$bee" image customize --iso "$base" --out "$out/site.iso" --bee "$bee" --authorized-keys "$out/id_ed25519.pub" \
	--upload-config "$out/upload.yaml" >"$out/customize.log" 2>&1 || { cat "$out/customize.log"; die "bee image customize failed"; }
echo "I: bee: $("$bee" version | tr '\n' ' ')"

# 2. the netboot folder, served over HTTP; the store.
nb="$out/nb"
log "bee image netboot --iso site.iso --out $nb --base-url http://10.0.2.2:$hport/ --cmdline '$cmdline'"
"$bee" image netboot --iso "$out/site.iso" --out "$nb" --base-url "http://10.0.2.2:$hport/" --cmdline "$cmdline" \
	>"$out/netboot.log" 2>&1 || { cat "$out/netboot.log"; die "bee image netboot failed"; }
sed 's/^/    /' "$nb/boot.ipxe"

http_pid='' vgw_pid='' pids=''
cleanup() {
	for p in $pids $http_pid $vgw_pid; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
python3 -m http.server "$hport" --bind 127.0.0.1 --directory "$nb" >"$out/http.log" 2>&1 &
http_pid=$!
mkdir -p "$out/store/bee-nb"
"$vgw" --access nbtest --secret nbtest-secret --port "127.0.0.1:$s3port" posix "$out/store" >"$out/versitygw.log" 2>&1 &
vgw_pid=$!
sleep 2
kill -0 "$http_pid" 2>/dev/null || die "the HTTP server did not start ($out/http.log)"
kill -0 "$vgw_pid" 2>/dev/null || die "versitygw did not start ($out/versitygw.log)"

# 3. two machines, different identities, started together.
tag=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
t0=$(date +%s)
for m in a b; do
	case $m in a) n=01 ;; b) n=02 ;; esac
	serial="NB-$tag-$m" uuid="${tag}$n-0000-4000-8000-0000${n}${tag}" mac="52:54:00:$(echo "$tag" | cut -c1-2):$(echo "$tag" | cut -c3-4):$n"
	echo "$serial $uuid $mac" >"$out/$m.identity"
	log "machine $m: serial $serial, uuid $uuid, mac $mac, ${mem} MiB, netboot (serial console: $out/$m.serial.log)"
	qemu-system-x86_64 -name "bee-nb-$m" -machine q35 -accel "$accel" -m "$mem" -smp 2 -display none \
		-smbios "type=1,manufacturer=BeeNet Corp,product=BeeNode $tag,serial=$serial,uuid=$uuid" \
		-serial "file:$out/$m.serial.log" -boot n \
		-netdev "user,id=n0,tftp=$nb,bootfile=boot.ipxe" -device "virtio-net-pci,netdev=n0,mac=$mac" \
		>"$out/$m.qemu.log" 2>&1 &
	eval "pid_$m=\$!"
	pids="$pids $!"
done

# 4. each must power itself off once its results are confirmed (bee.done=poweroff).
limit=${BEE_VM_NETBOOT_LIMIT:-2700}
for m in a b; do
	eval "p=\$pid_$m"
	while kill -0 "$p" 2>/dev/null && [ $(($(date +%s) - t0)) -lt "$limit" ]; do sleep 10; done
	if kill -0 "$p" 2>/dev/null; then
		bad "machine $m powered itself off (still running after $limit s)"
		kill "$p" 2>/dev/null || true
		tail -n 30 "$out/$m.serial.log" | tr -d '\r' | sed 's/^/    /'
	else
		ok "machine $m powered itself off ($(($(date +%s) - t0)) s after both started)"
	fi
	wait "$p" 2>/dev/null || true
done
pids=''

for m in a b; do
	read -r serial uuid mac <"$out/$m.identity"
	s="$out/$m.serial.log"
	grep -aq 'acceptance test 1 of 1: bee sat memory' "$s" && ok "machine $m: the console shows the unattended bee sat memory" ||
		bad "machine $m: the console shows the unattended bee sat memory"
	# QEMU has no EDAC: bee sat memory ends in a warning (exit 3), which is not a failure.
	if grep -aq 'FAILED or not run: memory' "$s"; then
		bad "machine $m: bee unattended reports bee sat memory as FAILED (a warning is not a failure)"
	elif grep -aq 'bee sat memory: done' "$s"; then
		ok "machine $m: bee unattended reports bee sat memory as done ($(tr -d '\r' <"$s" | grep -ao 'bee sat memory: done[^(]*' | head -n1))"
	else
		bad "machine $m: bee unattended reports bee sat memory as done"
	fi
	tr -d '\r' <"$s" | grep -a 'bee unattended\|acceptance test\|bee sat memory\|bee upload\|uploaded\|power' | sed 's/^/    /' | tail -n 12
done
# QEMU's iPXE and live-boot fetched their files from the HTTP server.
for f in vmlinuz initrd.img "$(grep -o 'fetch=[^ ]*' "$nb/boot.ipxe" | head -n1 | sed 's|.*/||')"; do
	c=$(grep -c "\"GET /$f HTTP" "$out/http.log" || true)
	[ "$c" -ge 2 ] && ok "$f was fetched over HTTP by both machines ($c GETs)" || bad "$f was fetched over HTTP by both machines ($c GETs)"
done

# 5. the bucket.
echo "    the bucket (s3://bee-nb):"
find "$out/store/bee-nb" -type f | sed "s|^$out/store/||" | sort | sed 's/^/      /'
for m in a b; do
	read -r serial uuid mac <"$out/$m.identity"
	a=$(find "$out/store/bee-nb/rack1/$serial" -name bee-audit.json 2>/dev/null | head -n1)
	if [ -n "$a" ] && echo "${a#"$out/store/"}" | grep -Eq "^bee-nb/rack1/$serial/[0-9]{8}T[0-9]{6}Z/bee-audit\\.json\$"; then
		ok "machine $m: its audit is in the bucket (${a#"$out/store/"})"
		SERIAL=$serial UUID=$uuid MAC=$mac jq -e '.hardware.system.serial_number==$ENV.SERIAL and (.hardware.system.uuid|ascii_downcase)==$ENV.UUID and ([.hardware.network[]? | select((.mac|ascii_downcase)==$ENV.MAC)] | length == 1)' "$a" >/dev/null &&
			ok "machine $m: that audit has its serial, UUID and MAC" || bad "machine $m: that audit has its serial, UUID and MAC"
	else
		bad "machine $m: its audit is in the bucket as rack1/$serial/<time>/bee-audit.json"
	fi
	t=$(find "$out/store/bee-nb/rack1/$serial" -name "memory-$serial-*.tar.gz" 2>/dev/null | head -n1)
	if [ -n "$t" ] && echo "${t#"$out/store/"}" | grep -Eq "^bee-nb/rack1/$serial/[0-9]{8}T[0-9]{6}Z/memory-$serial-[0-9]{8}T[0-9]{6}Z\\.tar\\.gz\$"; then
		v=$(tar -xzOf "$t" --wildcards '*/manifest.json' 2>/dev/null | jq -r '"verdict \(.verdict)"' 2>/dev/null || echo '?')
		ok "machine $m: its memory archive is in the bucket (${t#"$out/store/"}, $v)"
		tar -xzOf "$t" --wildcards '*/summary.txt' 2>/dev/null | grep -a 'memtester:\|^  memory:' | sed 's/^/    /' || true
	else
		bad "machine $m: its memory archive is in the bucket as rack1/$serial/<time>/memory-$serial-<time>.tar.gz"
	fi
done

if [ "$fails" -eq 0 ]; then echo "vm-netboot: PASS ($passes checks)"; else echo "vm-netboot: $fails FAIL(s), $passes PASS"; fi
# main exits itself: the shell never reads this file again after it (an edit of the
# file during a run cannot feed it a half line).
[ "$fails" -eq 0 ] || exit 1
exit 0
}

main "$@"
