package unsquashfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCaptures parses every capture and compares it with <capture>.golden.json
// (go test -update rewrites them; review the diff).
func TestCaptures(t *testing.T) {
	for _, path := range golden.Captures(t, "testdata", nil) {
		name, _ := filepath.Rel("testdata", path)
		t.Run(name, func(t *testing.T) {
			got, err := Parse(read(t, name))
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, path, got)
		})
	}
}

func byPath(es []Entry) map[string]Entry {
	m := map[string]Entry{}
	for _, e := range es {
		m[e.Path] = e
	}
	return m
}

// The real ISO's base layer: root's directories 0700, symlinks with targets,
// character devices with "major,  minor" in the size column.
func TestBaseLayer(t *testing.T) {
	es, err := Parse(read(t, "bee-3ae21be-base-head520.lln"))
	if err != nil {
		t.Fatal(err)
	}
	m := byPath(es)
	if len(es) != 520 || es[0].Path != "/" || es[0].Type != "dir" || es[0].Mode != 0o755 {
		t.Fatalf("%d entries, first %+v", len(es), es[0])
	}
	if e := m["/root/.ssh/authorized_keys"]; e.Type != "file" || e.Mode != 0o600 || e.UID != 0 || e.GID != 0 || e.Size != 93 {
		t.Errorf("authorized_keys = %+v", e)
	}
	if e := m["/root"]; e.Type != "dir" || e.Mode != 0o700 {
		t.Errorf("/root = %+v", e)
	}
	if e := m["/bin"]; e.Type != "symlink" || e.Target != "usr/bin" || e.Mode != 0o777 {
		t.Errorf("/bin = %+v", e)
	}
	if e := m["/dev/console"]; e.Type != "char" || e.Major != 5 || e.Minor != 1 || e.Mode != 0o666 {
		t.Errorf("/dev/console = %+v", e)
	}
	if e := m["/root/.ssh"]; e.MTime.Format("2006-01-02 15:04") != "2026-12-06 15:50" {
		t.Errorf("/root/.ssh mtime %v", e.MTime)
	}
}

// A layer made to hold everything a site layer must not: a whiteout (char 0,0),
// a fifo, a symlink out of the allowed set, a setuid file, a file of uid 1000,
// a name with a space.
func TestCraftedForeignLayer(t *testing.T) {
	es, err := Parse(read(t, "crafted-foreign-layer.lln"))
	if err != nil {
		t.Fatal(err)
	}
	m := byPath(es)
	checks := []struct {
		path string
		ok   func(Entry) bool
	}{
		{"/etc/whiteout", func(e Entry) bool { return e.Type == "char" && e.Major == 0 && e.Minor == 0 }},
		{"/etc/fifo", func(e Entry) bool { return e.Type == "fifo" }},
		{"/etc/bee/link", func(e Entry) bool { return e.Type == "symlink" && e.Target == "/etc/shadow" }},
		{"/usr/local/bin/bee", func(e Entry) bool { return e.Type == "file" && e.Mode == 0o4755 }},
		{"/root/file-of-1000", func(e Entry) bool { return e.UID == 1000 && e.GID == 1000 && e.Size == 3 }},
		{"/etc/bee/profiles/with space.yaml", func(e Entry) bool { return e.Type == "file" && e.Mode == 0o644 }},
	}
	for _, c := range checks {
		if e, ok := m[c.path]; !ok || !c.ok(e) {
			t.Errorf("%s = %+v (present %v)", c.path, e, ok)
		}
	}
}

func TestParsePerm(t *testing.T) {
	for in, want := range map[string]uint32{
		"rwxr-xr-x": 0o755, "rw-------": 0o600, "rwsr-xr-x": 0o4755, "rwxr-sr-x": 0o2755,
		"rwxrwxrwt": 0o1777, "rwSr--r--": 0o4644, "rw-r--r-T": 0o1644, "---------": 0,
	} {
		if got, err := parsePerm(in); err != nil || got != want {
			t.Errorf("parsePerm(%q) = %o, %v; want %o", in, got, err, want)
		}
	}
}

func TestBadInput(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "",
		"banner only":    "Parallel unsquashfs: Using 2 processors\n",
		"symbolic owner": "drwxr-xr-x root/root 3 2023-11-14 22:13 squashfs-root\n",
		"file first":     "-rw-r--r-- 0/0 3 2023-11-14 22:13 squashfs-root\n",
		"outside root":   "drwxr-xr-x 0/0 3 2023-11-14 22:13 squashfs-root\n-rw-r--r-- 0/0 3 2023-11-14 22:13 other/x\n",
		"dotdot":         "drwxr-xr-x 0/0 3 2023-11-14 22:13 squashfs-root\n-rw-r--r-- 0/0 3 2023-11-14 22:13 squashfs-root/../x\n",
		"no path":        "drwxr-xr-x 0/0 3 2023-11-14 22:13\n",
		"bad time":       "drwxr-xr-x 0/0 3 2023-11-14 2213 squashfs-root\n",
		"bad device":     "drwxr-xr-x 0/0 3 2023-11-14 22:13 squashfs-root\ncrw-r--r-- 0/0 0 0 2023-11-14 22:13 squashfs-root/x\n",
		"negative size":  "drwxr-xr-x 0/0 -3 2023-11-14 22:13 squashfs-root\n",
		"symlink alone":  "drwxr-xr-x 0/0 3 2023-11-14 22:13 squashfs-root\nlrwxrwxrwx 0/0 3 2023-11-14 22:13 squashfs-root/x\n",
	} {
		if es, err := Parse([]byte(in)); err == nil {
			t.Errorf("%s: no error, got %+v", name, es)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, path := range golden.Captures(f, "testdata", nil) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := Parse(data)
		if (es == nil) == (err == nil) {
			t.Fatalf("want exactly one of result and error, got %d entries, %v", len(es), err)
		}
		for i, e := range es {
			if !strings.HasPrefix(e.Path, "/") || (i > 0 && e.Path == "/") || strings.Contains(e.Path, "/../") {
				t.Fatalf("bad path %q", e.Path)
			}
		}
	})
}
