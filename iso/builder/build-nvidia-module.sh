#!/bin/sh
# build-nvidia-module.sh — build the NVIDIA kernel modules for the pinned Debian kernel
# and stage what the driver needs at run time, cached in dist/nvidia-<version>-<kver>/.
# Called by build.sh (docs/iso.md); usable alone:
#   iso/builder/build-nvidia-module.sh DIST_DIR
# Prints the cache directory on its last stdout line. Pins come from VERSIONS:
# NVIDIA_DRIVER_VERSION, NVIDIA_SOURCE (debian|run), NVIDIA_FLAVOUR (proprietary|open),
# NVIDIA_RUN_SHA256, DEBIAN_KERNEL_ABI. Patches in patches/<flavour>/*.patch are applied
# (patch -p1, in name order) to the kernel module tree before building.
# Cache layout: modules/*.ko  firmware/nvidia/<ver>/gsp_*.bin  bin/nvidia-smi
#   bin/nvidia-bug-report.sh  lib/lib{nvidia-ml,cuda,nvidia-ptxjitcompiler}.so.*  STAMP
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=VERSIONS
. "$here/VERSIONS"

die() { echo "E: $*" >&2; exit 1; }
log() { echo "I: $*" >&2; }

[ $# -eq 1 ] || die "usage: $0 DIST_DIR"
mkdir -p "$1"
dist=$(cd "$1" && pwd)
ver=$NVIDIA_DRIVER_VERSION
kver="${DEBIAN_KERNEL_ABI}-${DEBIAN_KERNEL_FLAVOUR}"
cache="$dist/nvidia-${ver}-${kver}"

case $NVIDIA_SOURCE in debian | run) ;; *) die "NVIDIA_SOURCE must be debian or run (VERSIONS)" ;; esac
case $NVIDIA_FLAVOUR in proprietary | open) ;; *) die "NVIDIA_FLAVOUR must be proprietary or open (VERSIONS)" ;; esac

# The stamp says what the cache was built from; any change rebuilds.
patchsum=$(cat "$here/patches/$NVIDIA_FLAVOUR"/*.patch 2>/dev/null | sha256sum | cut -c1-16)
stamp="source=$NVIDIA_SOURCE flavour=$NVIDIA_FLAVOUR version=$ver kernel=$kver patches=$patchsum"
if [ -f "$cache/STAMP" ] && [ "$(cat "$cache/STAMP")" = "$stamp" ]; then
	log "NVIDIA $ver for $kver: cached in $cache"
	echo "$cache"
	exit 0
fi

# a. Debian kernel headers for the target kernel (named explicitly: in a chroot or
#    container `uname -r` is the host's kernel, not the ISO's).
hdr_amd64="/usr/src/linux-headers-${kver}"
hdr_common="/usr/src/linux-headers-${DEBIAN_KERNEL_ABI}-common"
if [ ! -f "$hdr_amd64/Makefile" ]; then
	log "installing linux-headers-${kver}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "linux-headers-${kver}" >&2 ||
		die "linux-headers-${kver} is not installable: bump DEBIAN_KERNEL_ABI in iso/builder/VERSIONS"
fi
[ -f "$hdr_common/Makefile" ] || die "missing $hdr_common (linux-headers-${DEBIAN_KERNEL_ABI}-common)"

work="$dist/nvidia-work"
rm -rf "$work" "$cache.tmp"
mkdir -p "$work" "$cache.tmp/modules" "$cache.tmp/bin" "$cache.tmp/lib" "$cache.tmp/firmware/nvidia/$ver"

# b+c. Get and extract the driver.
if [ "$NVIDIA_SOURCE" = debian ]; then
	# A private APT state under dist/ with non-free enabled: the host's sources stay as they
	# are, and apt verifies every package against Debian's archive key.
	apt_dir="$dist/apt" # shared with build.sh
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
	key=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -r "$key" ] || die "missing $key (apt-get install debian-archive-keyring)"
	areas="main contrib non-free non-free-firmware"
	{
		echo "deb [signed-by=$key] $DEBIAN_MIRROR $DEBIAN_SUITE $areas"
		echo "deb [signed-by=$key] $DEBIAN_MIRROR $DEBIAN_SUITE-updates $areas"
		echo "deb [signed-by=$key] $DEBIAN_SECURITY_MIRROR $DEBIAN_SUITE-security $areas"
	} >"$apt_dir/sources.list"
	set -- -o "Dir::State=$apt_dir" -o "Dir::State::status=/var/lib/dpkg/status" \
		-o "Dir::Cache=$apt_dir" -o "Dir::Cache::archives=$apt_dir/archives" \
		-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=/nonexistent" \
		-o "APT::Sandbox::User=root"
	apt-get "$@" -qq update >&2 || die "apt-get update (non-free) failed against $DEBIAN_MIRROR"
	if [ "$NVIDIA_FLAVOUR" = open ]; then srcpkg=nvidia-open-kernel-source; else srcpkg=nvidia-kernel-source; fi
	debver=$(apt-cache "$@" madison "$srcpkg" | awk -v v="$ver" '$3 ~ "^"v"-" {print $3; exit}')
	[ -n "$debver" ] || die "$srcpkg $ver is not on the mirror (have: $(apt-cache "$@" madison "$srcpkg" | awk '{print $3}' | tr '\n' ' ')); fix NVIDIA_DRIVER_VERSION in VERSIONS"
	log "downloading $srcpkg and user space $debver from Debian non-free"
	pkgs="$srcpkg nvidia-smi libnvidia-ml1 libcuda1 libnvidia-ptxjitcompiler1 firmware-nvidia-gsp nvidia-driver-bin"
	mkdir -p "$work/debs" "$work/root"
	for p in $pkgs; do
		# Userspace of the open flavour comes from the same (proprietary) version when present.
		if ! (cd "$work/debs" && apt-get "$@" -qq download "$p=$debver" >&2); then
			die "apt-get download $p=$debver failed"
		fi
	done
	for d in "$work"/debs/*.deb; do dpkg-deb -x "$d" "$work/root"; done
	tar -C "$work" -xJf "$work/root/usr/src/"nvidia*kernel*.tar.xz
	ksrc=$(find "$work/modules" -mindepth 1 -maxdepth 1 -type d | head -n1)
	libdir="$work/root/usr/lib/x86_64-linux-gnu/nvidia/current"
	bindir="$work/root/usr/lib/nvidia/current"
	fwdir="$work/root/lib/firmware/nvidia/$ver"
else
	run="$dist/NVIDIA-Linux-x86_64-${ver}.run"
	[ -n "$NVIDIA_RUN_SHA256" ] || die "NVIDIA_SOURCE=run needs NVIDIA_RUN_SHA256 in VERSIONS"
	if [ ! -f "$run" ]; then
		log "downloading $NVIDIA_RUN_URL"
		command -v curl >/dev/null || die "curl is needed for NVIDIA_SOURCE=run"
		curl -fL --retry 3 -o "$run.part" "$NVIDIA_RUN_URL" ||
			die "cannot download $NVIDIA_RUN_URL (offline? use NVIDIA_SOURCE=debian)"
		mv "$run.part" "$run"
	fi
	echo "$NVIDIA_RUN_SHA256  $run" | sha256sum -c - >&2 || die "sha256 mismatch for $run: delete it or fix NVIDIA_RUN_SHA256"
	sh "$run" --extract-only --target "$work/run" >&2 || die "cannot extract $run"
	if [ "$NVIDIA_FLAVOUR" = open ]; then ksrc="$work/run/kernel-open"; else ksrc="$work/run/kernel"; fi
	libdir="$work/run"
	bindir="$work/run"
	fwdir="$work/run/firmware"
fi
[ -f "$ksrc/Makefile" ] || die "no kernel module Makefile in $ksrc"

for p in "$here/patches/$NVIDIA_FLAVOUR"/*.patch; do
	[ -f "$p" ] || continue
	log "applying $(basename "$p")"
	patch -d "$ksrc" -p1 <"$p" >&2 || die "patch $p does not apply"
done

# d. Build against the pinned Debian headers: SYSSRC is the -common tree, SYSOUT the
#    flavour's build tree (Debian splits them), the kernel version named explicitly.
log "building NVIDIA $NVIDIA_FLAVOUR $ver modules for $kver (minutes: 2.5 to 8 on 2 cores; cached afterwards)"
make -C "$ksrc" -j"$(nproc)" KERNEL_UNAME="$kver" SYSSRC="$hdr_common" SYSOUT="$hdr_amd64" modules >"$work/make.log" 2>&1 ||
	{ tail -n 40 "$work/make.log" >&2; die "NVIDIA module build failed (full log: $work/make.log); add a fix under iso/builder/patches/$NVIDIA_FLAVOUR/"; }
find "$ksrc" -maxdepth 1 -name '*.ko' -exec cp {} "$cache.tmp/modules/" \;
[ -f "$cache.tmp/modules/nvidia.ko" ] || [ -f "$cache.tmp/modules/nvidia-current.ko" ] || die "build produced no nvidia.ko"
# Debian names its modules nvidia-current*.ko; stage them under NVIDIA's names.
for m in "$cache.tmp"/modules/nvidia-current*.ko; do
	[ -f "$m" ] || continue
	b=$(basename "$m")
	mv "$m" "$cache.tmp/modules/nvidia${b#nvidia-current}"
done
strip --strip-debug "$cache.tmp"/modules/*.ko

# Run-time pieces: exactly this version's GSP firmware, NVML, CUDA driver with its PTX JIT,
# nvidia-smi and nvidia-bug-report.sh.
cp "$fwdir"/gsp_*.bin "$cache.tmp/firmware/nvidia/$ver/" || die "no GSP firmware for $ver"
cp "$bindir/nvidia-smi" "$bindir/nvidia-bug-report.sh" "$cache.tmp/bin/"
for l in libnvidia-ml libcuda libnvidia-ptxjitcompiler; do
	cp "$libdir/$l.so.$ver" "$cache.tmp/lib/" || die "missing $l.so.$ver"
	# e. the .so.1 symlinks that nvidia-smi and CUDA programs open.
	ln -sf "$l.so.$ver" "$cache.tmp/lib/$l.so.1"
done
chmod 0755 "$cache.tmp"/bin/*

# f. Commit the cache atomically; the STAMP goes last.
echo "$stamp" >"$cache.tmp/STAMP.pending"
rm -rf "$cache"
mv "$cache.tmp" "$cache"
mv "$cache/STAMP.pending" "$cache/STAMP"
rm -rf "$work"
log "NVIDIA $ver for $kver cached in $cache: $(cd "$cache/modules" && echo *.ko)"
echo "$cache"
