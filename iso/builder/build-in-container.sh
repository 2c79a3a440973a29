#!/bin/sh
# build-in-container.sh — run build.sh inside a privileged Debian container, for hosts
# that are not Debian 12. Uses podman, or docker when podman is absent (BEE_ENGINE=docker
# forces it). The image is bootstrapped locally with debootstrap from the Debian mirror
# (no container registry needed) and tagged bee-builder:<suite>.
#   iso/builder/build-in-container.sh [build.sh arguments...]
# --privileged is required: live-build mounts /proc, /sys and /dev in its chroots.
# The repository (and so dist/ with all caches) is bind-mounted at /src.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=VERSIONS
. "$here/VERSIONS"

die() { echo "E: $*" >&2; exit 1; }
log() { echo "I: $*"; }

engine=${BEE_ENGINE:-}
if [ -z "$engine" ]; then
	for e in podman docker; do
		if command -v "$e" >/dev/null && "$e" info >/dev/null 2>&1; then engine=$e; break; fi
	done
fi
[ -n "$engine" ] || die "no working podman or docker engine (apt-get install podman)"
"$engine" info >/dev/null 2>&1 || die "$engine is installed but its engine does not run"
[ "$(id -u)" -eq 0 ] || [ "$engine" = docker ] || die "run as root: rootless podman cannot run --privileged live-build"

# The image carries the builder packages (setup-builder.sh) for this kernel ABI pin.
image="bee-builder:$DEBIAN_SUITE-$DEBIAN_KERNEL_ABI"

# Engine quirks seen on the tested host (Debian 12, podman 4.3.1, a sandbox without
# CAP_SYS_RESOURCE and with hybrid cgroups): crun refuses hybrid cgroups -> podman uses runc
# when installed; raising RLIMIT_NOFILE/NPROC is refused -> ask for modest limits.
# Override with BEE_ENGINE_OPTS (before `run`) and BEE_RUN_OPTS (after `run`).
if [ -z "${BEE_ENGINE_OPTS+set}" ]; then
	BEE_ENGINE_OPTS=''
	if [ "$engine" = podman ] && command -v runc >/dev/null; then BEE_ENGINE_OPTS="--runtime runc"; fi
fi
BEE_RUN_OPTS=${BEE_RUN_OPTS-"--ulimit nofile=1024:4096 --ulimit nproc=4096:4096"}
engine_run() {
	# shellcheck disable=SC2086 # the option variables are lists of words
	"$engine" $BEE_ENGINE_OPTS run $BEE_RUN_OPTS "$@"
}
base="bee-builder-base:$DEBIAN_SUITE"
if ! "$engine" image inspect "$base" >/dev/null 2>&1; then
	command -v debootstrap >/dev/null || die "debootstrap is needed once to create $image (apt-get install debootstrap)"
	rootfs=$(mktemp -d)
	trap 'rm -rf "$rootfs"' EXIT INT TERM
	log "bootstrapping $image from $DEBIAN_MIRROR"
	debootstrap --variant=minbase "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" >/dev/null ||
		die "debootstrap $DEBIAN_SUITE failed"
	cat >"$rootfs/etc/apt/sources.list" <<SRC
deb $DEBIAN_MIRROR $DEBIAN_SUITE main
deb $DEBIAN_MIRROR $DEBIAN_SUITE-updates main
deb $DEBIAN_SECURITY_MIRROR $DEBIAN_SUITE-security main
SRC
	rm -rf "$rootfs/var/cache/apt/archives/"*.deb
	tar -C "$rootfs" -c . | "$engine" import - "$base" >/dev/null || die "$engine import failed"
	rm -rf "$rootfs"
	trap - EXIT INT TERM
fi
if ! "$engine" image inspect "$image" >/dev/null 2>&1; then
	log "installing the builder packages into $image"
	"$engine" rm -f bee-builder-setup >/dev/null 2>&1 || true
	engine_run --name bee-builder-setup --network host -v "$here:/builder:ro" "$base" \
		/builder/setup-builder.sh || die "setup-builder.sh failed in the container"
	"$engine" commit bee-builder-setup "$image" >/dev/null || die "$engine commit failed"
	"$engine" rm bee-builder-setup >/dev/null
fi

# Go from the host (bee is compiled in the container only when a .go file changed).
gomount=''
if [ -x /usr/local/go/bin/go ]; then
	modcache=$(/usr/local/go/bin/go env GOMODCACHE 2>/dev/null || true)
	gomount="-v /usr/local/go:/usr/local/go:ro"
	[ -d "$modcache" ] && gomount="$gomount -v $modcache:/root/go/pkg/mod:ro"
fi

log "building in $engine ($image)"
# shellcheck disable=SC2086 # gomount is a list of -v options without spaces
engine_run --rm --privileged --network host \
	-v "$repo:/src" -w /src $gomount \
	-e GOPROXY=off -e GOMODCACHE=/root/go/pkg/mod -e GOCACHE=/src/dist/go-build-cache \
	-e DEBIAN_MIRROR="$DEBIAN_MIRROR" -e DEBIAN_SECURITY_MIRROR="$DEBIAN_SECURITY_MIRROR" \
	"$image" sh -c 'iso/builder/setup-builder.sh && ./build.sh "$@"' build-in-container "$@"
