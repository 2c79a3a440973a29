#!/bin/sh
# shellcheck disable=SC2016,SC2015 # remote snippets single-quoted on purpose; ok/bad always return 0, so A && ok || bad is safe
# vm-results.sh — boot the bee ISO under QEMU and prove that results leave the machine
# (issue 12, docs/results.md): a USB stick labelled BEE-RESULTS present at boot and one
# hot-plugged later get /bee/<serial>/ with the audit and index.json; the object store
# (versitygw on the host, reached by the guest as 10.0.2.2) is down at boot and started
# later, and the spool drains into it.
#
# NOT YET RUN: written with issue 12 and never executed (the helper that wrote it does not
# own QEMU). Expect to fix details on its first run; it changes nothing outside dist/.
#
# Run as root on the builder after `iso/builder/setup-builder.sh --with-vm-test`, with
# dosfstools, mtools and versitygw (.ci/install-versitygw.sh):
#   iso/test/vm-results.sh [--build]
#     --build   build dist/bee.iso with a throwaway key and --upload-config for this test
# Logs and images: dist/vm-results/.
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
out="$repo/dist/vm-results"
iso="$repo/dist/bee.iso"
s3port=${BEE_VM_S3_PORT:-17070}
build=0
case ${1:-} in --build) build=1 ;; "") ;; *) echo "E: unknown argument: $1" >&2; exit 2 ;; esac

die() { echo "E: $*" >&2; exit 1; }
log() { echo "I: $(date +%H:%M:%S) $*"; }
fails=0
ok() { echo "PASS $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

for t in qemu-system-x86_64 ssh ssh-keygen mkfs.vfat mdir mcopy python3; do
	command -v "$t" >/dev/null || die "$t missing"
done
vgw=$(bash "$repo/.ci/install-versitygw.sh" | tail -n1)
mkdir -p "$out"
key="$out/id_ed25519"
[ -f "$key" ] || ssh-keygen -q -t ed25519 -N '' -C bee-vm-results -f "$key"

if [ "$build" -eq 1 ]; then
	# The guest reaches the host's 127.0.0.1:$s3port as 10.0.2.2 (QEMU user networking).
	(umask 077 && printf 'url: s3://bee-vm/fleet\nendpoint: http://10.0.2.2:%s\naccess_key: vmtest\nsecret_key: vmtest-secret\n' "$s3port" >"$out/upload.yaml")
	"$repo/build.sh" --authorized-keys "$key.pub" --upload-config "$out/upload.yaml" || die "build.sh failed"
fi
[ -f "$iso" ] || die "no ISO at $iso: run with --build"

qemu_pid='' vgw_pid=''
cleanup() {
	[ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
	[ -z "$vgw_pid" ] || kill "$vgw_pid" 2>/dev/null || true
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# Two sticks: one present at boot, one hot-plugged after the audit.
for s in boot hot; do
	rm -f "$out/stick-$s.img"
	truncate -s 64M "$out/stick-$s.img"
	mkfs.vfat -n BEE-RESULTS "$out/stick-$s.img" >/dev/null
done
# A stick with another label must stay byte for byte the same.
truncate -s 16M "$out/stick-other.img" && mkfs.vfat -n OTHER "$out/stick-other.img" >/dev/null
other_sum=$(sha256sum <"$out/stick-other.img")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log "booting (store down, stick present)"
qemu-system-x86_64 -machine q35 -accel "${BEE_VM_ACCEL:-tcg}" -m 2048 -smp 2 \
	-smbios "type=1,manufacturer=BeeSys,product=BeeServer,serial=VMRES-0001" \
	-drive "file=$iso,if=none,id=cd0,media=cdrom,readonly=on,format=raw" -device "ide-cd,drive=cd0,bootindex=0" \
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
		[ "$(date +%s)" -lt "$t_end" ] || { echo "E: timeout waiting for $what" >&2; return 1; }
		sleep 5
	done
}
wait_for 1500 SSH ssh_vm true || die "no SSH"
wait_for 900 "USB copy at boot" grep -q 'results copied to USB: [1-9]' "$out/serial.log" && ok "stick present at boot: copied" || bad "stick present at boot: copied"
ssh_vm 'bee upload --status' >"$out/status-down.txt" || true
grep -q '[1-9][0-9]* pending' "$out/status-down.txt" && ok "store down: results pending" || bad "store down: results pending"
grep -q 'vmtest-secret' "$out/status-down.txt" "$out/serial.log" && bad "secret printed" || ok "secret not printed"

log "starting the store"
mkdir -p "$out/store/bee-vm"
"$vgw" --access vmtest --secret vmtest-secret --port "127.0.0.1:$s3port" posix "$out/store" >"$out/versitygw.log" 2>&1 &
vgw_pid=$!
wait_for 900 "spool drained" ssh_vm 'bee upload --status | grep -q " 0 pending"' && ok "store up: spool drained" || bad "store up: spool drained"
find "$out/store/bee-vm/fleet/VMRES-0001" -name bee-audit.json | grep -q . && ok "audit object in the store" || bad "audit object in the store"

log "hot-plugging the second stick"
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
wait_for 300 "hot-plug copy" sh -c "[ \$(grep -c 'results copied to USB' '$out/serial.log') -ge 2 ]" && ok "hot-plugged stick: copied" || bad "hot-plugged stick: copied"
ssh_vm 'systemctl poweroff' || true
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=''

for s in boot hot; do
	mcopy -o -i "$out/stick-$s.img" ::/bee/VMRES-0001/index.json "$out/index-$s.json" 2>/dev/null &&
		grep -q '"bee-audit.json"' "$out/index-$s.json" && ok "stick $s: /bee/VMRES-0001/index.json lists the audit" ||
		bad "stick $s: /bee/VMRES-0001/index.json lists the audit"
done
[ "$(sha256sum <"$out/stick-other.img")" = "$other_sum" ] && ok "stick labelled OTHER untouched" || bad "stick labelled OTHER untouched"

echo "vm-results: $fails failure(s)"
[ "$fails" -eq 0 ]
