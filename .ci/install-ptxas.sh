#!/usr/bin/env bash
# Installs NVIDIA's PTX assembler (ptxas) for the kernel assembly test in
# internal/gpustress (TestKernelsAssembleWithPtxas). ptxas runs without a GPU.
# It comes from Debian's nvidia-cuda-toolkit (non-free, ~84 MB), fetched with a
# private APT state so the host's sources stay as they are; apt verifies it
# against Debian's archive key. Only usr/bin/ptxas is kept (it needs libc only).
# Prints the path of ptxas on its last line. Idempotent.
# Usage: .ci/install-ptxas.sh [DIR]   (default /var/cache/bee-ci/ptxas)
set -eu
dir=${1:-/var/cache/bee-ci/ptxas}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
if [ -x "$dir/ptxas" ] && "$dir/ptxas" --version >/dev/null 2>&1; then
	echo "$dir/ptxas"
	exit 0
fi
key=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$key" ] || { echo "E: missing $key (apt-get install debian-archive-keyring)" >&2; exit 1; }
apt_dir="$dir/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
echo "deb [signed-by=$key] $mirror $suite non-free" >"$apt_dir/sources.list"
set -- -o "Dir::State=$apt_dir" -o "Dir::State::status=/var/lib/dpkg/status" \
	-o "Dir::Cache=$apt_dir" -o "Dir::Cache::archives=$apt_dir/archives" \
	-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=/nonexistent" \
	-o "APT::Sandbox::User=root"
timeout 300 apt-get "$@" -qq update >&2 || { echo "E: apt-get update (non-free) failed against $mirror" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && timeout 600 apt-get "$@" -qq download nvidia-cuda-toolkit >&2) ||
	{ echo "E: apt-get download nvidia-cuda-toolkit failed" >&2; exit 1; }
dpkg-deb --fsys-tarfile "$tmp"/nvidia-cuda-toolkit_*.deb | tar -x -C "$tmp" ./usr/bin/ptxas
install -m 0755 "$tmp/usr/bin/ptxas" "$dir/ptxas"
rm -rf "$apt_dir"
"$dir/ptxas" --version >&2
echo "$dir/ptxas"
