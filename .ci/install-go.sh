#!/usr/bin/env bash
# Installs the Go toolchain bee needs into /usr/local/go when go is missing or
# older than go.mod asks. The toolchain comes from the Go module proxy
# (golang.org/toolchain), the same place `go` itself fetches toolchains from.
set -eu
want=$(awk '/^go /{print $2; exit}' "$(dirname "$0")/../go.mod")
export PATH="/usr/local/go/bin:$PATH"
have=""
if command -v go >/dev/null 2>&1; then
	have=$(go env GOVERSION 2>/dev/null | sed 's/^go//')
fi
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }
if [ -n "$have" ] && version_ge "$have" "$want"; then
	echo "go $have is new enough (go.mod: $want)"
	exit 0
fi
command -v curl >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq curl ca-certificates unzip >/dev/null; }
command -v unzip >/dev/null 2>&1 || apt-get install -y -qq unzip >/dev/null
proxy=$(go env GOPROXY 2>/dev/null | cut -d, -f1 || true)
case "$proxy" in ""|direct|off) proxy="https://proxy.golang.org" ;; esac
ver="1.24.0"
version_ge "$want" "$ver" && ver="$want"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "installing go $ver from $proxy"
curl -fsSL -o "$tmp/go.zip" "$proxy/golang.org/toolchain/@v/v0.0.1-go$ver.linux-amd64.zip"
unzip -q "$tmp/go.zip" -d "$tmp/x"
rm -rf /usr/local/go
mv "$tmp/x/golang.org/toolchain@v0.0.1-go$ver.linux-amd64" /usr/local/go
/usr/local/go/bin/go version
