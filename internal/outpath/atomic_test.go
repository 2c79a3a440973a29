package outpath

import (
	"os"
	"path/filepath"
	"testing"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range ents {
		n = append(n, e.Name())
	}
	return n
}

func TestWriteAtomicReplacesAndLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.json")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(p, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(b) != "new" || fi.Mode().Perm() != 0o644 {
		t.Errorf("content %q mode %v", b, fi.Mode())
	}
	if n := names(t, dir); len(n) != 1 {
		t.Errorf("files left: %q", n)
	}
}

// A rename that fails (the final name is a folder) leaves the folder and no
// temporary file; so does an aborted write.
func TestAtomicFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	final := filepath.Join(dir, "x")
	if err := os.Mkdir(final, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(final, "keep"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(final, []byte("data"), 0o644); err == nil {
		t.Fatal("renamed over a non-empty folder")
	}
	if n := names(t, dir); len(n) != 1 || n[0] != "x" {
		t.Errorf("left %q", n)
	}
	a, err := CreateAtomic(filepath.Join(dir, "y"), ".partial-y-*")
	if err != nil {
		t.Fatal(err)
	}
	a.Write([]byte("half"))
	a.Abort()
	a.Abort()
	if n := names(t, dir); len(n) != 1 {
		t.Errorf("abort left %q", n)
	}
	if err := WriteAtomic(filepath.Join(dir, "missing", "z"), nil, 0o644); err == nil {
		t.Error("wrote into a missing folder")
	}
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	if err := CheckWritable(dir, ".probe-*"); err != nil {
		t.Fatal(err)
	}
	if n := names(t, dir); len(n) != 0 {
		t.Errorf("left %q", n)
	}
	if err := CheckWritable(filepath.Join(dir, "missing"), ".probe-*"); err == nil {
		t.Error("a missing folder is writable")
	}
}
