#!/bin/sh
# smoketest.sh — post-boot smoke test of the bee live ISO (docs/iso.md). Run as root:
#   ssh root@HOST 'sh -s' < iso/builder/smoketest.sh
# Prints one "PASS|FAIL|SKIP <check>[: detail]" line per check; exits 0 only without FAIL.
# POSIX sh; uses only what the ISO ships.

fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
skip() { echo "SKIP $*"; }
check() { # check NAME CMD... : PASS when CMD succeeds
	name=$1
	shift
	if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name"; fi
}

unit_ok() { # unit ran and succeeded (oneshot: active/exited with Result=success)
	[ "$(systemctl show -p ActiveState --value "$1")" = active ] &&
		[ "$(systemctl show -p Result --value "$1")" = success ]
}

# --- NVIDIA -----------------------------------------------------------------------------
gpus=0
for d in /sys/bus/pci/devices/*; do
	[ -r "$d/vendor" ] || continue
	[ "$(cat "$d/vendor")" = 0x10de ] || continue
	case $(cat "$d/class") in 0x03*) gpus=$((gpus + 1)) ;; esac
done
check "bee-nvidia.service succeeded" unit_ok bee-nvidia.service
if [ "$gpus" -eq 0 ]; then
	skip "nvidia modules loaded: no NVIDIA GPU on the PCI bus"
	skip "nvidia-smi sees every GPU: no NVIDIA GPU on the PCI bus"
else
	if grep -q '^nvidia ' /proc/modules && grep -q '^nvidia_uvm ' /proc/modules; then
		pass "nvidia modules loaded (nvidia, nvidia_uvm)"
	else
		fail "nvidia modules loaded: $(tr '\n' ' ' </run/bee/nvidia.status 2>/dev/null)"
	fi
	seen=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ')
	if [ "$seen" -eq "$gpus" ]; then pass "nvidia-smi sees every GPU ($seen)"; else fail "nvidia-smi sees every GPU: $seen of $gpus"; fi
	check "/dev/nvidiactl exists" test -c /dev/nvidiactl
fi
for l in libnvidia-ml.so.1 libcuda.so.1; do
	check "lib symlink /usr/lib/$l resolves" test -e "/usr/lib/$l"
done
if find /lib/modules \( -name 'nvidia.ko*' -o -name 'nvidia-uvm.ko*' -o -name 'nvidia-current*.ko*' \) 2>/dev/null | grep -q .; then
	fail "NVIDIA modules only in /usr/local/lib/nvidia (found some under /lib/modules)"
else
	pass "NVIDIA modules only in /usr/local/lib/nvidia"
fi

# --- services (docs/iso.md) ------------------------------------------------------------
check "bee-sshsetup.service succeeded" unit_ok bee-sshsetup.service
t_setup=$(systemctl show -p ExecMainExitTimestampMonotonic --value bee-sshsetup.service)
t_ssh=$(systemctl show -p ExecMainStartTimestampMonotonic --value ssh.service)
if [ "${t_setup:-0}" -gt 0 ] && [ "${t_ssh:-0}" -ge "$t_setup" ]; then
	pass "bee-sshsetup finished before ssh started"
else
	fail "bee-sshsetup finished before ssh started (sshsetup exit $t_setup, ssh start $t_ssh)"
fi
check "bee-network.service succeeded" unit_ok bee-network.service
nics=0
for p in /sys/class/net/*; do [ -e "$p/device" ] && nics=$((nics + 1)); done
if [ "$nics" -eq 0 ]; then
	skip "dhclient running: no physical NIC"
else
	check "dhclient running on physical NICs ($nics)" pgrep -x dhclient
fi
check "bee-audit.service succeeded" unit_ok bee-audit.service
if systemctl show -p After -p Wants -p Requires --value bee-audit.service | grep -q network-online; then
	fail "bee-audit does not wait for network-online.target"
else
	pass "bee-audit does not wait for network-online.target"
fi
failed=$(systemctl list-units --state=failed --no-legend --plain 2>/dev/null | awk '{print $1}' | tr '\n' ' ')
if [ -z "$failed" ]; then pass "no failed systemd units"; else fail "no failed systemd units: $failed"; fi
if grep -q '^ipmi_devintf ' /proc/modules || [ -d /sys/module/ipmi_devintf ]; then
	pass "ipmi_devintf loaded"
else
	fail "ipmi_devintf loaded"
fi
if [ -c /dev/ipmi0 ]; then pass "/dev/ipmi0 present"; else skip "/dev/ipmi0 present: no BMC found by ipmi_si"; fi

# --- audit (docs/json.md) -------------------------------------------------------------------
a=/var/log/bee-audit.json
if [ -s "$a" ] && jq -e '.hardware.summary.verdict and (.hardware.summary.warnings|type=="number") and (.hardware.summary.failures|type=="number")' "$a" >/dev/null 2>&1; then
	pass "audit completed with summary (verdict $(jq -r .hardware.summary.verdict "$a"))"
else
	fail "audit completed with summary ($a missing, not JSON, or no hardware.summary)"
fi
if [ "$gpus" -eq 0 ]; then
	skip "audit has NVIDIA enrichment: no NVIDIA GPU"
else
	n=$(jq '[.hardware.gpus[]?] | length' "$a" 2>/dev/null || echo 0)
	if [ "$n" -eq "$gpus" ]; then pass "audit has NVIDIA enrichment ($n GPUs)"; else fail "audit has NVIDIA enrichment: $n of $gpus GPUs"; fi
fi

# --- SSH and console ---------------------------------------------------------------------
check "ssh.service active" systemctl is-active --quiet ssh.service
if ss -ltnH 2>/dev/null | awk '{print $4}' | grep -Eq '(^|:)22$'; then pass "sshd listening on port 22"; else fail "sshd listening on port 22"; fi
if [ -s /root/.ssh/authorized_keys ] && [ ! -s /etc/bee/ssh-password-fallback ]; then
	if sshd -T 2>/dev/null | grep -qx 'passwordauthentication no'; then
		pass "password login disabled (keys injected)"
	else
		fail "password login disabled (keys injected)"
	fi
fi
if who 2>/dev/null | grep -Eq '^bee +tty1 '; then pass "tty1: user bee logged in"; else fail "tty1: user bee logged in"; fi

# --- LAN -------------------------------------------------------------------------------------
gw=$(ip -4 route show default 2>/dev/null | awk '/^default/ {print $3; exit}')
if [ -z "$gw" ]; then
	skip "default gateway reachable: no default route (no DHCP lease)"
elif ping -c 2 -W 2 "$gw" >/dev/null 2>&1; then
	pass "default gateway $gw reachable"
else
	fail "default gateway $gw reachable"
fi

echo "smoketest: $fails failure(s)"
[ "$fails" -eq 0 ]
