#!/bin/sh
# ci-checks.sh — fast static checks of the ISO side, called from .ci/run.
# Needs only shellcheck and systemd (systemd-analyze); visudo is used when present.
#  - shellcheck on every shell script in the repository (by name or by #! line)
#  - systemd-analyze verify on every unit under iso/overlay/, in a scratch root made of
#    the host's stock units plus the overlay (so ExecStart paths resolve as on the ISO)
# Exits non-zero on any problem.
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
fail=0

for t in shellcheck systemd-analyze; do
	command -v "$t" >/dev/null || { echo "E: $t not installed" >&2; exit 1; }
done

# --- shell scripts -------------------------------------------------------------------------
scripts=$(find . \( -path ./dist -o -path ./.git -o -path ./iso/vendor \) -prune -o -type f -print |
	while read -r f; do
		case $f in
		*.sh | *.hook.chroot | *.hook.binary | */auto/config | */auto/build | */auto/clean | */.profile)
			echo "$f"
			continue
			;;
		*.go | *.md | *.json | *.txt | *.service | *.conf) continue ;;
		esac
		head -c 64 "$f" 2>/dev/null | head -n1 | grep -Eq '^#!.*/(env +)?(ba|da)?sh( |$)' && echo "$f"
	done | sort)
n=0
for f in $scripts; do
	n=$((n + 1))
	case $f in */.profile) set -- -s sh ;; *) set -- ;; esac
	if ! shellcheck -x "$@" "$f"; then
		echo "FAIL shellcheck $f"
		fail=1
	fi
done
echo "I: shellcheck: $n scripts"

# --- systemd units -------------------------------------------------------------------------
units=$(find iso/overlay -type f \( -name '*.service' -o -name '*.socket' -o -name '*.timer' \
	-o -name '*.target' -o -name '*.mount' -o -name '*.path' \) | sort)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT INT TERM
mkdir -p "$root/usr/lib/systemd"
for d in /usr/lib/systemd/system /lib/systemd/system; do
	[ -d "$d" ] && { cp -a "$d" "$root/usr/lib/systemd/"; break; }
done
cp -a iso/overlay/. "$root/"
# build.sh stages the bee binary into the ISO; a stand-in keeps ExecStart checkable.
[ -e "$root/usr/local/bin/bee" ] || install -D -m 0755 /dev/null "$root/usr/local/bin/bee"
n=0
for u in $units; do
	n=$((n + 1))
	rel=${u#iso/overlay}
	# --man=no: the man pages in Documentation= are on the ISO, not necessarily on CI.
	if ! out=$(systemd-analyze verify --man=no --root="$root" "$rel" 2>&1) || [ -n "$out" ]; then
		printf '%s\n' "$out"
		echo "FAIL systemd-analyze verify $u"
		fail=1
	fi
	grep -q '^Description=' "$u" || { echo "FAIL $u: no Description="; fail=1; }
	grep -q '^Documentation=' "$u" || { echo "FAIL $u: no Documentation="; fail=1; }
done
echo "I: systemd-analyze verify: $n units"

# --- sudoers -------------------------------------------------------------------------------
if command -v visudo >/dev/null; then
	for s in iso/overlay/etc/sudoers.d/*; do
		visudo -c -q -f "$s" || { echo "FAIL visudo $s"; fail=1; }
	done
fi

[ "$fail" -eq 0 ] && echo "I: ci-checks: all passed"
exit "$fail"
