#!/bin/sh
# setup-builder.sh — turn a fresh Debian 12 host (or container) into a bee ISO builder.
# One command, idempotent: re-running installs nothing new when everything is present.
# Usage: iso/builder/setup-builder.sh [--with-vm-test]
#   --with-vm-test  also install what iso/test/vm-test.sh needs (qemu, OVMF, ssh, jq)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=VERSIONS
. "$here/VERSIONS"

die() { echo "E: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "setup-builder.sh must run as root (live-build needs chroot and mounts)"
[ -r /etc/os-release ] || die "cannot read /etc/os-release"
# shellcheck disable=SC1091 # system file, not in the repo
. /etc/os-release
[ "${VERSION_CODENAME:-}" = "$DEBIAN_SUITE" ] ||
	die "builder must be Debian ${DEBIAN_SUITE} (found ${PRETTY_NAME:-unknown}); use build-in-container.sh elsewhere"

with_vm=0
for a in "$@"; do
	case $a in
	--with-vm-test) with_vm=1 ;;
	*) die "unknown argument: $a" ;;
	esac
done

kpkg="linux-headers-${DEBIAN_KERNEL_ABI}-${DEBIAN_KERNEL_FLAVOUR}"
pkgs="live-build debootstrap squashfs-tools xorriso isolinux syslinux-common
	grub-pc-bin grub-efi-amd64-bin mtools dosfstools rsync make xz-utils zstd
	ca-certificates git kmod openssl openssh-client $kpkg"
[ "$with_vm" -eq 1 ] && pkgs="$pkgs qemu-system-x86 qemu-utils ovmf openssh-client jq python3 podman"

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || die "apt-get update failed (check /etc/apt and the mirror)"

# Fail early and clearly if the pinned kernel ABI left the mirror.
if ! apt-cache show "$kpkg" >/dev/null 2>&1; then
	die "$kpkg is not on the mirror: Debian moved on. Set DEBIAN_KERNEL_ABI in iso/builder/VERSIONS to a current ABI (apt-cache search '^linux-image-6.1.0-[0-9]+-amd64\$')"
fi

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "I: installing:$missing"
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	apt-get install -y --no-install-recommends $missing || die "apt-get install failed:$missing"
else
	echo "I: builder packages already installed"
fi

if ! command -v go >/dev/null 2>&1 && [ ! -x /usr/local/go/bin/go ]; then
	echo "W: Go is not installed: build.sh can reuse an up-to-date dist/bee but cannot rebuild it." >&2
	echo "W: Install Go >= the version in go.mod (https://go.dev/dl/) into /usr/local/go." >&2
fi
echo "I: builder ready (Debian ${DEBIAN_SUITE}, headers ${kpkg})"
