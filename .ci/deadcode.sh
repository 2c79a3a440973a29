#!/usr/bin/env bash
# Dead-code check (docs/testing.md). A function that no program of this module
# reaches (cmd/bee and the other mains, by golang.org/x/tools/cmd/deadcode's
# call graph) is dead: tested and fuzzed or not, it goes, or it is wired in, or
# .ci/deadcode-allow.txt lists it with the reason. Test infrastructure
# (internal/testtools/) is called from _test.go files only, so it is checked
# with the tests as roots instead: there, what no test reaches is dead.
#
# Usage: .ci/deadcode.sh [MODULE_DIR]   (default: this repository)
# Exits 1 and lists the dead functions that are not allowed; warns about
# allowlist lines that match nothing (delete them).
set -eu
ci=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$ci/..}
allow=$ci/deadcode-allow.txt
deadcode=golang.org/x/tools/cmd/deadcode@v0.52.0
module=github.com/beeaudit/bee
tmpl='{{range .Funcs}}{{$.Path}} {{.Name}}{{"\n"}}{{end}}'

cd "$dir"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go run "$deadcode" -f "$tmpl" ./... >"$out/prog"
go run "$deadcode" -test -filter "^$module/internal/testtools/" -f "$tmpl" ./... >"$out/tests"
{
	grep -v "^$module/internal/testtools/" "$out/prog" || true
	cat "$out/tests"
} | sed "s#^$module/##" | sort -u >"$out/dead"

# Allowlist: "<package dir> <function as deadcode names it>  # reason", or
# "<package dir> *  # reason" for a whole package; the reason is required.
bad=$(grep -nEv '^[[:space:]]*(#|$)' "$allow" | grep -Ev '^[0-9]+:[^[:space:]#]+ [^[:space:]#]+[[:space:]]+#[[:space:]]*[^[:space:]]' || true)
if [ -n "$bad" ]; then
	echo "E: $allow: each entry is '<package dir> <function>  # reason' (or '<package dir> *  # reason'):" >&2
	echo "$bad" >&2
	exit 1
fi
sed -E '/^[[:space:]]*(#|$)/d; s/[[:space:]]+#.*//' "$allow" | sort -u >"$out/allowed"
awk '$2 == "*" { print $1 }' "$out/allowed" >"$out/wild"
awk '$2 != "*"' "$out/allowed" >"$out/exact"
# Dead functions outside the packages allowed whole, not allowed one by one.
awk 'FILENAME == ARGV[1] { wild[$1] = 1; next } !($1 in wild)' "$out/wild" "$out/dead" | comm -23 - "$out/exact" >"$out/new"
{
	comm -13 "$out/dead" "$out/exact"
	awk 'FILENAME == ARGV[1] { dead[$1] = 1; next } !($1 in dead) { print $1 " *" }' "$out/dead" "$out/wild"
} >"$out/stale"
if [ -s "$out/stale" ]; then
	echo "W: $allow lists functions that are not dead (or gone); delete these lines:" >&2
	sed 's/^/  /' "$out/stale" >&2
fi
if [ -s "$out/new" ]; then
	echo "E: dead code: no program (or, under internal/testtools/, no test) calls these functions." >&2
	echo "   Delete them, wire them in, or list them in .ci/deadcode-allow.txt with the reason:" >&2
	sed 's/^/  /' "$out/new" >&2
	exit 1
fi
echo "deadcode: no unreachable function but the $(wc -l <"$out/allowed") allowed in .ci/deadcode-allow.txt"
