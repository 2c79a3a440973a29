#!/bin/sh
# shellcheck disable=SC2016,SC2015,SC2317 # remote snippets single-quoted on purpose; ok/bad always return 0, so A && ok || bad is safe; trap-called functions look unreachable as main ends in exit
# vm-results.sh — boot the bee ISO under QEMU and prove that results leave the machine
# (issue 12, docs/results.md):
#   - the object store (versitygw on the host, reached by the guest as 10.0.2.2) is down
#     at boot: the audit waits in the spool (`bee upload --status`: pending), and the
#     secret is printed nowhere;
#   - the store is started: the spool drains and the audit arrives in the bucket as
#     <prefix>/<serial>/<UTC time>/bee-audit.json; then `bee sat storage` runs over SSH and
#     its archive arrives as <prefix>/<serial>/<UTC time>/storage-<serial>-<time>.tar.gz;
#   - a second virtual disk labelled BEE-RESULTS (a USB disk) present at boot gets
#     /bee/<serial>/ with the audit and index.json; one plugged in after the sat gets the
#     audit and the archive; a disk labelled OTHER stays byte for byte the same.
# Run as root on the builder after `iso/builder/setup-builder.sh --with-vm-test`, with
# dosfstools, mtools and versitygw (.ci/install-versitygw.sh):
#   iso/test/vm-results.sh [--base ISO]
#     --base ISO  the ISO to customize (default dist/bee-base.iso, the last full build);
#                 `dist/bee image customize --bee dist/bee` adds a throwaway key and an
#                 upload config for this test in seconds (no rebuild)
#   BEE_VM_ACCEL=kvm uses KVM where it works (default: tcg, minutes per boot).
#   BEE_VM_S3_PORT: the host port versitygw listens on (default 17070).
# Logs, images and the store: dist/vm-results/.
set -eu

main() {
repo=$(cd "$(dirname "$0")/../.." && pwd)
out="$repo/dist/vm-results"
base="$repo/dist/bee-base.iso"
bee="$repo/dist/bee"
s3port=${BEE_VM_S3_PORT:-17070}
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

PATH="$PATH:/usr/sbin:/sbin:/usr/local/go/bin"
for t in qemu-system-x86_64 qemu-img ssh ssh-keygen mkfs.vfat mcopy mdir python3 jq; do
	command -v "$t" >/dev/null || die "$t missing"
done
[ -f "$base" ] || die "no ISO at $base: build first (./build.sh)"
[ -x "$bee" ] || die "no $bee: build first"
vgw=$(bash "$repo/.ci/install-versitygw.sh" | tail -n1)
rm -rf "$out"
mkdir -p "$out"
key="$out/id_ed25519"
ssh-keygen -q -t ed25519 -N '' -C bee-vm-results -f "$key"

# The guest reaches the host's 127.0.0.1:$s3port as 10.0.2.2 (QEMU user networking).
(umask 077 && printf 'url: s3://bee-vm/fleet\nendpoint: http://10.0.2.2:%s\naccess_key: vmtest\nsecret_key: vmtest-secret\n' "$s3port" >"$out/upload.yaml")
iso="$out/site.iso"
log "bee image customize --iso $base --bee $bee --authorized-keys $key.pub --upload-config $out/upload.yaml"
"$bee" image customize --iso "$base" --out "$iso" --bee "$bee" --authorized-keys "$key.pub" \
	--upload-config "$out/upload.yaml" >"$out/customize.log" 2>&1 || { cat "$out/customize.log"; die "bee image customize failed"; }
commit=$("$bee" version | tr '\n' ' ')
echo "I: ISO $iso (base $(readlink -f "$base")), bee: $commit"

qemu_pid='' vgw_pid=''
cleanup() {
	[ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
	[ -z "$vgw_pid" ] || kill "$vgw_pid" 2>/dev/null || true
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# A new serial number on every run: no object of an earlier run can pass for this one.
tag=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
serial="VMRES-$tag"
# Two BEE-RESULTS disks: one present at boot, one hot-plugged after the sat.
for s in boot hot; do
	truncate -s 64M "$out/stick-$s.img"
	mkfs.vfat -n BEE-RESULTS "$out/stick-$s.img" >/dev/null
done
# A disk with another label must stay byte for byte the same.
truncate -s 16M "$out/stick-other.img"
mkfs.vfat -n OTHER "$out/stick-other.img" >/dev/null
other_sum=$(sha256sum <"$out/stick-other.img")
# A SATA disk for bee sat storage to test.
qemu-img create -q -f qcow2 "$out/sata.qcow2" 1G

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log "booting (serial $serial; store down; BEE-RESULTS and OTHER disks present)"
boot_t0=$(date +%s)
qemu-system-x86_64 -name bee-vm-results -machine q35 -accel "${BEE_VM_ACCEL:-tcg}" -m 2048 -smp 2 \
	-smbios "type=1,manufacturer=BeeSys,product=BeeServer,serial=$serial" \
	-drive "file=$iso,if=none,id=cd0,media=cdrom,readonly=on,format=raw" -device "ide-cd,drive=cd0,bus=ide.1,bootindex=0" \
	-drive "file=$out/sata.qcow2,if=none,id=sata0,format=qcow2" -device "ide-hd,drive=sata0,bus=ide.0,model=BEE RESULTS SSD,serial=SATA-$tag" \
	-device qemu-xhci,id=xhci \
	-drive "file=$out/stick-boot.img,if=none,id=sb,format=raw" -device usb-storage,bus=xhci.0,drive=sb \
	-drive "file=$out/stick-other.img,if=none,id=so,format=raw" -device usb-storage,bus=xhci.0,drive=so \
	-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:22" -device virtio-net-pci,netdev=n0 \
	-display none -serial "file:$out/serial.log" -qmp "unix:$out/qmp,server=on,wait=off" >"$out/qemu.log" 2>&1 &
qemu_pid=$!
ssh_vm() {
	ssh -i "$key" -p "$port" -o BatchMode=yes -o IdentitiesOnly=yes -o ConnectTimeout=10 \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR root@127.0.0.1 "$@"
}
wait_for() { # wait_for SECONDS WHAT CMD...
	t_end=$(($(date +%s) + $1)) what=$2
	shift 2
	until "$@" >/dev/null 2>&1; do
		kill -0 "$qemu_pid" 2>/dev/null || { echo "E: QEMU exited while waiting for $what" >&2; return 1; }
		[ "$(date +%s)" -lt "$t_end" ] || { echo "E: timeout waiting for $what" >&2; return 1; }
		sleep 5
	done
}
wait_for 1500 SSH ssh_vm true || { tail -n 30 "$out/serial.log"; die "no SSH"; }
ok "SSH up after $(($(date +%s) - boot_t0)) s"
ssh_vm 'bee version' | sed 's/^/    bee in the VM: /'
wait_for 900 "USB copy at boot" grep -aq 'results copied to USB: [1-9]' "$out/serial.log" &&
	ok "BEE-RESULTS disk present at boot: copied ($(grep -a 'results copied to USB' "$out/serial.log" | head -n1 | tr -d '\r' | sed 's/.*bee upload: //'))" ||
	bad "BEE-RESULTS disk present at boot: copied"
wait_for 300 "the audit in the spool" ssh_vm 'bee upload --status | grep -q "[1-9][0-9]* pending"' || true
ssh_vm 'bee upload --status' >"$out/status-down.txt" 2>&1 || true
sed 's/^/    /' "$out/status-down.txt"
grep -q '[1-9][0-9]* pending' "$out/status-down.txt" && ok "store down: the audit is pending in the spool" || bad "store down: the audit is pending in the spool"

log "starting the store (versitygw on 127.0.0.1:$s3port)"
mkdir -p "$out/store/bee-vm"
"$vgw" --access vmtest --secret vmtest-secret --port "127.0.0.1:$s3port" posix "$out/store" >"$out/versitygw.log" 2>&1 &
vgw_pid=$!
objs() { find "$out/store/bee-vm" -type f | sed "s|^$out/store/||" | sort; }
audit_re="^bee-vm/fleet/$serial/[0-9]{8}T[0-9]{6}Z/bee-audit\\.json\$"
sat_re="^bee-vm/fleet/$serial/[0-9]{8}T[0-9]{6}Z/storage-$serial-[0-9]{8}T[0-9]{6}Z\\.tar\\.gz\$"
wait_for 900 "spool drained" ssh_vm 'bee upload --status | grep -q ": 0 pending"' && ok "store up: the spool drained" || bad "store up: the spool drained"
objs | grep -Eq "$audit_re" && ok "the audit is in the bucket as fleet/$serial/<time>/bee-audit.json" ||
	bad "the audit is in the bucket as fleet/$serial/<time>/bee-audit.json"

log "bee sat storage over SSH"
rc=0
ssh_vm 'bee sat storage --poll-interval 5s --selftest-timeout 4m' >"$out/sat-storage.log" 2>&1 || rc=$?
arch=$(grep -a '^archive: ' "$out/sat-storage.log" | tail -n1 | cut -d' ' -f2-)
[ -n "$arch" ] && ok "bee sat storage wrote $arch (exit $rc)" || { bad "bee sat storage wrote an archive (exit $rc)"; tail -n 20 "$out/sat-storage.log"; }
wait_for 600 "the archive in the bucket" sh -c "find '$out/store/bee-vm' -type f | sed 's|^$out/store/||' | grep -Eq '$sat_re'" || true
wait_for 300 "spool drained" ssh_vm 'bee upload --status | grep -q ": 0 pending"' || true
if objs | grep -Eq "$sat_re" && [ -n "$arch" ] && objs | grep -q "/$(basename "$arch")\$"; then
	ok "the sat archive is in the bucket as fleet/$serial/<time>/$(basename "$arch")"
	o=$(objs | grep -E "$sat_re" | head -n1)
	ssh_vm "sha256sum '$arch'" | cut -d' ' -f1 >"$out/sat.sha256" || true
	[ "$(sha256sum <"$out/store/$o" | cut -d' ' -f1)" = "$(cat "$out/sat.sha256")" ] &&
		ok "the object is the archive byte for byte (SHA-256)" || bad "the object is the archive byte for byte (SHA-256)"
else
	bad "the sat archive is in the bucket as fleet/$serial/<time>/storage-$serial-<time>.tar.gz"
fi
echo "    the bucket:"
objs | sed 's/^/      /'
ssh_vm 'bee upload --status' >"$out/status-up.txt" 2>&1 || true
sed 's/^/    /' "$out/status-up.txt"
grep -aq 'vmtest-secret' "$out/status-down.txt" "$out/status-up.txt" "$out/serial.log" && bad "the secret is printed" || ok "the secret is printed nowhere (status, console)"

log "hot-plugging the second BEE-RESULTS disk"
python3 - "$out/qmp" "$out/stick-hot.img" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(30); s.connect(sys.argv[1]); f = s.makefile("rw"); f.readline()
for c in ({"execute": "qmp_capabilities"},
          {"execute": "blockdev-add", "arguments": {"driver": "raw", "node-name": "hot", "file": {"driver": "file", "filename": sys.argv[2]}}},
          {"execute": "device_add", "arguments": {"driver": "usb-storage", "bus": "xhci.0", "drive": "hot", "id": "hotstick"}}):
    f.write(json.dumps(c) + "\n"); f.flush()
    while "event" in (r := json.loads(f.readline())): pass
    if "error" in r: sys.exit(json.dumps(r))
PY
wait_for 300 "hot-plug copy" sh -c "[ \$(grep -ac 'results copied to USB' '$out/serial.log') -ge 2 ]" && ok "hot-plugged BEE-RESULTS disk: copied" || bad "hot-plugged BEE-RESULTS disk: copied"
grep -a 'results copied to USB\|BEE-RESULTS\|bee upload' "$out/serial.log" | tr -d '\r' | sed 's/^/    /'
ssh_vm 'journalctl -b --no-pager -u "bee-results-usb@*" -u bee-upload.service' >"$out/journal.txt" 2>&1 || true
ssh_vm 'systemctl poweroff' || true
i=0
while kill -0 "$qemu_pid" 2>/dev/null && [ "$i" -lt 60 ]; do sleep 2; i=$((i + 1)); done
kill "$qemu_pid" 2>/dev/null || true
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=''

for s in boot hot; do
	mdir -/ -b -i "$out/stick-$s.img" ::/ >"$out/stick-$s.files" 2>&1 || true
	if mcopy -o -i "$out/stick-$s.img" "::/bee/$serial/index.json" "$out/index-$s.json" 2>/dev/null &&
		jq -e '[.files[].kind] | index("audit")' "$out/index-$s.json" >/dev/null; then
		ok "disk $s: /bee/$serial/index.json lists the audit ($(jq -r '[.files[].name] | join(", ")' "$out/index-$s.json"))"
	else
		bad "disk $s: /bee/$serial/index.json lists the audit"
	fi
	mcopy -o -i "$out/stick-$s.img" "::/bee/$serial/bee-audit.json" "$out/audit-$s.json" 2>/dev/null &&
		jq -e --arg s "$serial" '.hardware.system.serial_number==$s' "$out/audit-$s.json" >/dev/null &&
		ok "disk $s: /bee/$serial/bee-audit.json is this machine's audit" || bad "disk $s: /bee/$serial/bee-audit.json is this machine's audit"
done
[ -n "$arch" ] && jq -e --arg n "$(basename "$arch")" '[.files[].name] | index($n)' "$out/index-hot.json" >/dev/null 2>&1 &&
	ok "disk hot (plugged in after the sat): the archive $(basename "$arch") is on it" || bad "disk hot: the sat archive is on it"
[ "$(sha256sum <"$out/stick-other.img")" = "$other_sum" ] && ok "disk labelled OTHER untouched" || bad "disk labelled OTHER untouched"

if [ "$fails" -eq 0 ]; then echo "vm-results: PASS ($passes checks)"; else echo "vm-results: $fails FAIL(s), $passes PASS"; fi
# main exits itself: the shell never reads this file again after it (an edit of the
# file during a run cannot feed it a half line).
[ "$fails" -eq 0 ] || exit 1
exit 0
}

main "$@"
