// Package golden compares a parser's output on a real capture with the
// capture's reviewed expectation, <capture>.golden.json, next to it.
//
//	go test ./internal/parse/... -update
//
// rewrites the .golden.json files from the parsers' output; the change is then
// reviewed in the diff like any other. Hand-written assertions stay only for the
// field a capture was added to prove.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Suffix is appended to a capture's file name to name its expectation.
const Suffix = ".golden.json"

func init() {
	// charmbracelet's golden package (teatest) registers the same flag; share it.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite "+Suffix+" files from the code's output")
	}
}

// Updating reports whether the test binary runs with -update.
func Updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// Captures lists the capture files in dir (recursively), sorted: every regular
// file except expectations (*.golden.json), PROVENANCE.md, README.md and the
// Go fuzz corpus (dir/fuzz, where `go test -fuzz` writes crashers). A
// directory without captures fails the test, so a moved tree cannot make the
// test pass by testing nothing.
func Captures(t testing.TB, dir string, keep func(path string) bool) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == filepath.Join(dir, "fuzz") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		base := d.Name()
		if strings.HasSuffix(base, Suffix) || base == "PROVENANCE.md" || base == "README.md" {
			return nil
		}
		if keep != nil && !keep(p) {
			return nil
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		t.Fatalf("listing captures in %s: %v", dir, err)
	}
	if len(out) == 0 {
		t.Fatalf("no captures in %s", dir)
	}
	sort.Strings(out)
	return out
}

// JSON compares got, encoded as indented JSON, with capture+Suffix; with
// -update it writes that file instead. A missing expectation is a failure
// (run with -update, then review the new file).
func JSON(t testing.TB, capture string, got any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(got); err != nil {
		t.Fatalf("encoding the result for %s: %v", capture, err)
	}
	path := capture + Suffix
	if Updating() {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatalf("writing %s: %v", path, err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it, then review it)", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("%s differs from the code's output (-golden +got); if the change is intended, run with -update and review the diff:\n%s", filepath.Base(path), diff)
	}
}
