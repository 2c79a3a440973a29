package golden

import (
	"os"
	"path/filepath"
	"testing"
)

type recorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Errorf(f string, a ...any) { r.failed = true; r.msg = f }
func (r *recorder) Fatalf(f string, a ...any) { r.failed = true; r.msg = f; panic(r) }
func run(r *recorder, fn func())              { defer func() { _ = recover() }(); fn() }

func TestJSONMatchesAndDiffers(t *testing.T) {
	dir := t.TempDir()
	capture := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(capture+Suffix, []byte("{\n  \"n\": 1\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := &recorder{TB: t}
	run(ok, func() { JSON(ok, capture, map[string]int{"n": 1}) })
	if ok.failed {
		t.Fatalf("equal value reported as different: %s", ok.msg)
	}
	bad := &recorder{TB: t}
	run(bad, func() { JSON(bad, capture, map[string]int{"n": 2}) })
	if !bad.failed {
		t.Fatal("a different value passed")
	}
	missing := &recorder{TB: t}
	run(missing, func() { JSON(missing, filepath.Join(dir, "none.txt"), 1) })
	if !missing.failed {
		t.Fatal("a missing expectation passed")
	}
}

func TestCapturesSkipsExpectationsAndFailsWhenEmpty(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "fuzz", "FuzzParse"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"x.txt", "x.txt" + Suffix, "PROVENANCE.md", "fuzz/FuzzParse/0123abcd"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := Captures(t, dir, nil)
	if len(got) != 1 || filepath.Base(got[0]) != "x.txt" {
		t.Fatalf("Captures = %v", got)
	}
	empty := &recorder{TB: t}
	run(empty, func() { Captures(empty, t.TempDir(), nil) })
	if !empty.failed {
		t.Fatal("an empty capture folder passed")
	}
}
