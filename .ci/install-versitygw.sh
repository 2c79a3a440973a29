#!/usr/bin/env bash
# Installs versitygw v1.8.0 (Apache-2.0), an S3 gateway over a plain folder, for the
# object-store tests in internal/results (docs/results.md). Built from source with the Go
# module proxy (~100 s on 2 cores) and cached: a second run reuses the binary.
# Prints the path of versitygw on its last line. Idempotent.
# Usage: .ci/install-versitygw.sh [DIR]   (default /var/cache/bee-ci/versitygw-v1.8.0)
set -eu
version=v1.8.0
dir=${1:-/var/cache/bee-ci/versitygw-$version}
bin="$dir/versitygw"
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
	echo "$bin"
	exit 0
fi
command -v go >/dev/null || { echo "E: go not on PATH (.ci/install-go.sh)" >&2; exit 1; }
mkdir -p "$dir"
# Outside the repository (its go.mod is not ours) and without the repo's GOFLAGS.
(cd / && GOFLAGS='' GOBIN="$dir" timeout 900 go install "github.com/versity/versitygw/cmd/versitygw@$version" >&2) ||
	{ echo "E: go install versitygw@$version failed" >&2; exit 1; }
"$bin" --version >&2
echo "$bin"
