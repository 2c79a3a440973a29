#!/bin/sh
# build.sh — build the bee live ISO. Run as root on a Debian 12 builder
# (iso/builder/setup-builder.sh) or through iso/builder/build-in-container.sh.
#   ./build.sh [--authorized-keys FILE] [--signing-key KEY.pem --signing-cert CERT.pem]
#              [--upload-config FILE]   (object store for results, docs/results.md)
#              [--profiles DIR]
#   --profiles DIR  bake DIR/*.yaml (hardware profiles, docs/profiles.md) into the image
#                   at /etc/bee/profiles/; each is checked with `bee profile check` first,
#                   and a broken one stops the build naming the file and line.
# Output: dist/bee-<version>-amd64.iso (dist/bee.iso links to it), log in dist/build.log.
# Caches in dist/ (kept between runs): bee (rebuilt only when a .go file is newer),
# nvidia-<version>-<kver>/ (NVIDIA build), lb-cache/ (live-build bootstrap + packages),
# apt/ (private APT lists). Delete dist/ for a clean build.
set -eu

# The whole script is one function, parsed before it runs: editing build.sh while a build
# is running (git checkout, pull) cannot derail the running shell.
main() {
repo=$(cd "$(dirname "$0")" && pwd)
dist="$repo/dist"
builder="$repo/iso/builder"

die() { echo "E: $*" >&2; exit 1; }
log() { echo "I: $(date +%H:%M:%S) $*"; }

usage() {
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
	exit "${1:-0}"
}

keys='' sign_key='' sign_cert='' upload_cfg='' profiles=''
while [ $# -gt 0 ]; do
	case $1 in
	--authorized-keys) [ $# -ge 2 ] || die "--authorized-keys needs a FILE"; keys=$2; shift 2 ;;
	--signing-key) [ $# -ge 2 ] || die "--signing-key needs a FILE"; sign_key=$2; shift 2 ;;
	--signing-cert) [ $# -ge 2 ] || die "--signing-cert needs a FILE"; sign_cert=$2; shift 2 ;;
	--upload-config) [ $# -ge 2 ] || die "--upload-config needs a FILE"; upload_cfg=$2; shift 2 ;;
	--profiles) [ $# -ge 2 ] || die "--profiles needs a DIR"; profiles=$2; shift 2 ;;
	-h | --help) usage 0 ;;
	*) echo "E: unknown argument: $1" >&2; usage 2 ;;
	esac
done

case $repo in *[[:space:]]*) die "the repository path must not contain spaces: $repo" ;; esac
mkdir -p "$dist"
# A go.mod marks dist/ as another module, so `go test ./...` never walks the
# live-build chroot (and its mounted /proc) in here.
[ -f "$dist/go.mod" ] || printf 'module ignored/dist\n' >"$dist/go.mod"

# Everything below goes to the terminal and to dist/build.log.
if [ -z "${BEE_BUILD_LOGGING:-}" ]; then
	set +e
	{
		BEE_BUILD_LOGGING=1 "$0" ${keys:+--authorized-keys "$keys"} \
			${sign_key:+--signing-key "$sign_key"} ${sign_cert:+--signing-cert "$sign_cert"} \
			${upload_cfg:+--upload-config "$upload_cfg"} ${profiles:+--profiles "$profiles"}
		echo $? >"$dist/.build-rc"
	} 2>&1 | tee "$dist/build.log"
	rc=$(cat "$dist/.build-rc" 2>/dev/null || echo 1)
	rm -f "$dist/.build-rc"
	exit "$rc"
fi

start=$(date +%s)
# shellcheck source-path=SCRIPTDIR source=iso/builder/VERSIONS
. "$builder/VERSIONS"
kver="${DEBIAN_KERNEL_ABI}-${DEBIAN_KERNEL_FLAVOUR}"

# --- preflight: fail in the first minute, with what to change --------------------------
[ "$(id -u)" -eq 0 ] || die "build.sh must run as root (live-build chroots and mounts); or use iso/builder/build-in-container.sh"
for t in lb debootstrap apt-get dpkg-deb openssl make; do
	command -v "$t" >/dev/null || die "$t not found: run iso/builder/setup-builder.sh first"
done
[ -f "/usr/src/linux-headers-$kver/Makefile" ] ||
	die "linux-headers-$kver not installed: run iso/builder/setup-builder.sh (it also checks the pin)"
if [ -n "$keys" ]; then
	[ -s "$keys" ] || die "--authorized-keys $keys: no such file or empty"
	ssh-keygen -l -f "$keys" >/dev/null 2>&1 || die "--authorized-keys $keys: not an OpenSSH public key file"
fi
if [ -n "$upload_cfg" ]; then
	{ [ -s "$upload_cfg" ] && [ -r "$upload_cfg" ]; } || die "--upload-config $upload_cfg: no such file or empty"
	grep -Eq '^url:[[:space:]]*s3://' "$upload_cfg" || die "--upload-config $upload_cfg: no 'url: s3://bucket/prefix' line (docs/results.md)"
fi
if [ -n "$profiles" ]; then
	[ -d "$profiles" ] || die "--profiles $profiles: not a folder"
	profiles=$(cd "$profiles" && pwd)
	set -- "$profiles"/*.yaml
	[ -f "$1" ] || die "--profiles $profiles: no *.yaml file in it"
fi
# iso/builder/local/live-build replaces an internal function of exactly this live-build.
lbver=$(lb --version 2>/dev/null | head -n1 || true)
[ "$lbver" = "$LIVE_BUILD_VERSION" ] ||
	die "live-build ${lbver:-?} is installed, iso/builder/local/live-build/scripts/build.sh was written against $LIVE_BUILD_VERSION (LIVE_BUILD_VERSION in iso/builder/VERSIONS): install live-build $LIVE_BUILD_VERSION, or check that file's Install_packages against the new version and change the pin"
if [ -n "$sign_key$sign_cert" ]; then
	if [ ! -r "$sign_key" ] || [ ! -r "$sign_cert" ]; then
		die "--signing-key and --signing-cert must both name readable files"
	fi
fi

# The pinned kernel ABI must be on the mirror the ISO is built from (a private APT state
# under dist/apt: the host's own sources are not used or changed).
apt_dir="$dist/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
aptkey=/usr/share/keyrings/debian-archive-keyring.gpg
areas="main contrib non-free non-free-firmware"
{
	echo "deb [signed-by=$aptkey] $DEBIAN_MIRROR $DEBIAN_SUITE $areas"
	echo "deb [signed-by=$aptkey] $DEBIAN_MIRROR $DEBIAN_SUITE-updates $areas"
	echo "deb [signed-by=$aptkey] $DEBIAN_SECURITY_MIRROR $DEBIAN_SUITE-security $areas"
} >"$apt_dir/sources.list"
apt_opts="-o Dir::State=$apt_dir -o Dir::State::status=/var/lib/dpkg/status -o Dir::Cache=$apt_dir -o Dir::Etc::SourceList=$apt_dir/sources.list -o Dir::Etc::SourceParts=/nonexistent"
# shellcheck disable=SC2086 # apt_opts is a list of options without spaces in them
apt-get $apt_opts -qq update || die "cannot read the Debian mirror $DEBIAN_MIRROR (apt-get update failed)"
# shellcheck disable=SC2086
if ! apt-cache $apt_opts show "linux-image-$kver" >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	have=$(apt-cache $apt_opts pkgnames linux-image-6 | grep -E "^linux-image-[0-9.]+-[0-9]+-${DEBIAN_KERNEL_FLAVOUR}\$" | sort -V | tail -n1)
	die "linux-image-$kver is no longer on $DEBIAN_MIRROR: set DEBIAN_KERNEL_ABI in iso/builder/VERSIONS (the mirror now has ${have:-no amd64 kernel?}), then rerun setup-builder.sh"
fi
log "preflight ok: kernel $kver on the mirror, NVIDIA $NVIDIA_DRIVER_VERSION ($NVIDIA_SOURCE, $NVIDIA_FLAVOUR)"

# --- 1. compile bee (skipped when no .go file is newer than the binary) -----------------
cd "$repo"
bee_ver=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
bee_commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
PATH="$PATH:/usr/local/go/bin"
if [ ! -x "$dist/bee" ] || [ -n "$(find . -path ./dist -prune -o \( -name '*.go' -o -name go.mod -o -name go.sum \) -newer "$dist/bee" -print | head -n1)" ]; then
	command -v go >/dev/null || die "Go is needed to (re)build bee and is not installed (go.dev/dl → /usr/local/go)"
	log "1. compiling bee $bee_ver ($bee_commit)"
	CGO_ENABLED=0 go build -trimpath \
		-ldflags "-X github.com/beeaudit/bee/internal/version.Version=$bee_ver -X github.com/beeaudit/bee/internal/version.Commit=$bee_commit" \
		-o "$dist/bee.tmp" ./cmd/bee || die "go build ./cmd/bee failed"
	mv "$dist/bee.tmp" "$dist/bee"
	printf '%s %s\n' "$bee_ver" "$bee_commit" >"$dist/bee.version"
else
	log "1. bee is up to date (no .go file newer than dist/bee)"
fi
read -r bee_ver bee_commit <"$dist/bee.version" || die "dist/bee.version missing: delete dist/bee and rebuild"
# Profiles to bake in, checked by the bee that goes into the image (file and line on error).
if [ -n "$profiles" ]; then
	"$dist/bee" profile check "$profiles"/*.yaml || die "--profiles $profiles: a profile is broken (above); fix it, or leave it out"
fi

# --- 2. staged overlay (iso/overlay/ stays untouched) -----------------------------------
staged="$dist/overlay-staged"
log "2. staging iso/overlay → $staged"
rm -rf "$staged"
mkdir -p "$staged"
cp -a "$repo/iso/overlay/." "$staged/"

# --- 2b. Go-only fast path (BEE_GO_ONLY=1 ./build.sh; docs/iso.md "Go-only rebuild") -----
# When only Go code changed since the last full build, dist/bee goes into a small top layer
# of that build's ISO (dist/bee-base.iso) with `bee image customize`: seconds, no live-build.
if [ "${BEE_GO_ONLY:-}" = 1 ]; then
	base="$dist/bee-base.iso"
	[ -e "$base" ] || die "BEE_GO_ONLY=1: no dist/bee-base.iso (no full build yet): run build.sh without it"
	# iso/test/ (the VM tests) is not part of the image, so editing it keeps the fast path.
	newer=$(find "$repo/iso" "$repo/build.sh" -path "$repo/iso/test" -prune -o -newer "$base" -type f -print | head -n1)
	[ -z "$newer" ] || die "BEE_GO_ONLY=1: $newer changed since the last full build: run build.sh without it"
	out="$dist/bee-${bee_ver}-dev-amd64.iso"
	log "2b. Go-only: dist/bee → /live/zz-site.squashfs on $(readlink "$base" || echo "$base")"
	"$dist/bee" image customize --iso "$base" --out "$out" --bee "$dist/bee" \
		${keys:+--authorized-keys "$keys"} ${profiles:+--profiles "$profiles"} \
		${upload_cfg:+--upload-config "$upload_cfg"} || die "bee image customize failed"
	ln -sf "$(basename "$out")" "$dist/bee.iso"
	log "done: $out ($(du -m "$out" | cut -f1) MiB) in $(($(date +%s) - start)) s"
	return 0
fi

# --- 3. SSH access -----------------------------------------------------------------------
if [ -n "$keys" ]; then
	log "3. injecting $(grep -c '^[^#]' "$keys") authorized key(s) for root"
	install -d -m 0700 "$staged/root/.ssh"
	install -m 0600 "$keys" "$staged/root/.ssh/authorized_keys"
else
	pw=$(openssl rand -base64 12 | tr -d '/+=')
	install -d -m 0755 "$staged/etc/bee"
	openssl passwd -6 "$pw" >"$staged/etc/bee/ssh-password-fallback"
	chmod 0600 "$staged/etc/bee/ssh-password-fallback"
	(umask 077 && echo "$pw" >"$dist/root-password.txt")
	echo "W: no --authorized-keys: the ISO allows root password login over SSH;" >&2
	echo "W: the root password is in dist/root-password.txt" >&2
fi

# --- 3b. object store for results (credentials: root-only in the image) -----------------
if [ -n "$upload_cfg" ]; then
	log "3b. upload config → /etc/bee/upload.yaml (mode 0600)"
	install -D -m 0600 "$upload_cfg" "$staged/etc/bee/upload.yaml"
fi

# --- 4. bee --------------------------------------------------------------------------------
install -D -m 0755 "$dist/bee" "$staged/usr/local/bin/bee"

# --- 4b. hardware profiles → /etc/bee/profiles/ (docs/profiles.md) -------------------------
if [ -n "$profiles" ]; then
	install -d -m 0755 "$staged/etc/bee/profiles"
	for f in "$profiles"/*.yaml; do
		install -m 0644 "$f" "$staged/etc/bee/profiles/"
	done
	log "4b. $(find "$staged/etc/bee/profiles" -name '*.yaml' | wc -l) hardware profile(s) → /etc/bee/profiles/"
fi

# --- 5. optional vendor tools -------------------------------------------------------------
for v in storcli64 sas2ircu sas3ircu arcconf ssacli; do
	if [ -f "$repo/iso/vendor/$v" ]; then
		log "5. vendor tool $v"
		install -m 0755 "$repo/iso/vendor/$v" "$staged/usr/local/bin/$v"
	fi
done

# --- 6. NVIDIA (cached in dist/nvidia-<version>-<kver>/) -------------------------------
log "6. NVIDIA driver $NVIDIA_DRIVER_VERSION for $kver"
nv=$("$builder/build-nvidia-module.sh" "$dist" | tail -n1)
[ -f "$nv/STAMP" ] || die "build-nvidia-module.sh did not produce a cache"

# --- 7. modules (+ GSP firmware) → /usr/local/lib/nvidia/, never /lib/modules -------------
nvdst="$staged/usr/local/lib/nvidia"
install -d "$nvdst" "$nvdst/firmware/nvidia/$NVIDIA_DRIVER_VERSION"
cp "$nv"/modules/*.ko "$nvdst/"
signed=no
if [ -n "$sign_key" ]; then
	signfile="/usr/src/linux-headers-$kver/scripts/sign-file"
	[ -x "$signfile" ] || signfile=/usr/lib/linux-kbuild-6.1/scripts/sign-file
	[ -x "$signfile" ] || die "sign-file not found (linux-headers-$kver)"
	for ko in "$nvdst"/*.ko; do
		"$signfile" sha256 "$sign_key" "$sign_cert" "$ko" || die "signing $ko failed"
	done
	signed=yes
	log "7. modules signed with $sign_cert"
fi
cp "$nv/firmware/nvidia/$NVIDIA_DRIVER_VERSION"/* "$nvdst/firmware/nvidia/$NVIDIA_DRIVER_VERSION/"
# The kernel's firmware loader looks in /lib/firmware: point it at the staged copy.
install -d "$staged/usr/lib/firmware/nvidia"
ln -s "/usr/local/lib/nvidia/firmware/nvidia/$NVIDIA_DRIVER_VERSION" "$staged/usr/lib/firmware/nvidia/$NVIDIA_DRIVER_VERSION"

# --- 8. nvidia-smi (+ nvidia-bug-report.sh for bee sat nvidia) --------------------------
install -m 0755 "$nv/bin/nvidia-smi" "$nv/bin/nvidia-bug-report.sh" "$staged/usr/local/bin/"

# --- 9. libnvidia-ml + libcuda (+ the PTX JIT libcuda loads) → /usr/lib/ -------------------
cp -a "$nv"/lib/* "$staged/usr/lib/"

# --- 10. /etc/bee-release ------------------------------------------------------------------
build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cat >"$staged/etc/bee-release" <<REL
BEE_VERSION=$bee_ver
BEE_COMMIT=$bee_commit
BUILD_DATE=$build_date
DEBIAN_SUITE=$DEBIAN_SUITE
DEBIAN_KERNEL_ABI=$DEBIAN_KERNEL_ABI
DEBIAN_KERNEL_FLAVOUR=$DEBIAN_KERNEL_FLAVOUR
NVIDIA_DRIVER_VERSION=$NVIDIA_DRIVER_VERSION
NVIDIA_SOURCE=$NVIDIA_SOURCE
NVIDIA_FLAVOUR=$NVIDIA_FLAVOUR
NVIDIA_MODULES_SIGNED=$signed
SSH_AUTH=$([ -n "$keys" ] && echo keys || echo password-fallback)
REL

# --- 11. motd with build metadata ------------------------------------------------------------
sed -i -e "s|@BEE_VERSION@|$bee_ver|" -e "s|@BEE_COMMIT@|$bee_commit|" \
	-e "s|@BEE_BUILD_DATE@|$build_date|" -e "s|@DEBIAN_SUITE@|$DEBIAN_SUITE|" \
	-e "s|@KERNEL@|$kver|" -e "s|@NVIDIA@|$NVIDIA_DRIVER_VERSION ($NVIDIA_FLAVOUR)|" "$staged/etc/motd"
[ -f "$repo/docs/iso.md" ] && install -D -m 0644 "$repo/docs/iso.md" "$staged/usr/share/doc/bee/iso.md"
[ -f "$repo/docs/results.md" ] && install -D -m 0644 "$repo/docs/results.md" "$staged/usr/share/doc/bee/results.md"
[ -f "$repo/docs/netboot.md" ] && install -D -m 0644 "$repo/docs/netboot.md" "$staged/usr/share/doc/bee/netboot.md"

# --- 12. disposable live-build workdir (iso/builder/ stays clean) -------------------------
work="$dist/live-build"
if grep -q " $work/" /proc/mounts; then
	log "12. unmounting leftovers of an interrupted build"
	grep " $work/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m" || true; done
fi
grep -q " $work/" /proc/mounts && die "$work still has mounts; unmount them before rebuilding"
rm -rf "$work"
mkdir -p "$work" "$dist/lb-cache"
cp -a "$builder/." "$work/"
# local/live-build is read by live-build as a local copy of itself: the installed
# tree, linked, plus our scripts/build.sh (it keeps binary-stage tools in the
# package cache; see that file).
for l in scripts/build:/usr/lib/live/build share:/usr/share/live/build data:/usr/share/live/build/data; do
	[ -d "${l#*:}" ] || die "live-build's ${l#*:} is missing: install live-build (iso/builder/setup-builder.sh)"
	ln -s "${l#*:}" "$work/local/live-build/${l%%:*}"
done
# live-build's package and bootstrap cache survives the disposable workdir.
ln -s ../lb-cache "$work/cache"

# --- 13. staged overlay → config/includes.chroot/ ------------------------------------------
mkdir -p "$work/config/includes.chroot"
cp -a "$staged/." "$work/config/includes.chroot/"

# --- 14. lb config && lb build ---------------------------------------------------------------
log "14. lb config && lb build in $work"
cd "$work"
lb config || die "lb config failed"
lb build || die "lb build failed (see dist/build.log)"
iso=$(find "$work" -maxdepth 1 -name '*.iso' | head -n1)
[ -n "$iso" ] || die "lb build produced no ISO"
out="$dist/bee-${bee_ver}-amd64.iso"
mv "$iso" "$out"
ln -sf "$(basename "$out")" "$dist/bee.iso"
ln -sf "$(basename "$out")" "$dist/bee-base.iso" # the base of BEE_GO_ONLY=1 rebuilds (2b)
# The same bits for netboot (docs/netboot.md): kernel, initrd, root layers, iPXE/GRUB configs.
rm -rf "$dist/netboot"
"$dist/bee" image netboot --iso "$out" --out "$dist/netboot" || die "bee image netboot failed"
cp "$work/chroot.packages.live" "$dist/bee-${bee_ver}-amd64.packages" 2>/dev/null || true
# What this build fetched from the mirror: APT prints "Need to get 0 B/<size>" when
# every package came from a cache. A rebuild after a Go-only change fetches none.
fetched=$(grep '^Need to get ' "$dist/build.log" | grep -vc '^Need to get 0 B/' || true)
if [ "$fetched" -eq 0 ]; then
	log "packages: none downloaded (all from dist/lb-cache and dist/apt)"
else
	log "packages: $fetched APT run(s) downloaded packages (grep '^Need to get' dist/build.log)"
fi
end=$(date +%s)
log "done: $out ($(du -m "$out" | cut -f1) MiB) in $((end - start)) s"
}

main "$@"
exit 0
