package results

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// smallFS mounts a tmpfs of the given size on a new folder, as root only: the disk that
// holds the spool, full. Outside CI it skips when mounting is not allowed;
// BEE_REQUIRE_LOOP=1 (CI) makes that a failure.
func smallFS(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput()
	if err != nil {
		if os.Getenv("BEE_REQUIRE_LOOP") == "1" {
			t.Fatalf("BEE_REQUIRE_LOOP=1 but cannot mount a tmpfs: %v: %s", err, out)
		}
		t.Skipf("cannot mount a tmpfs (needs root): %v: %s", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

func TestSpoolDiskFull(t *testing.T) {
	m := newMachine(t, 512<<10) // larger than the spool's disk
	sp, err := OpenSpool(filepath.Join(smallFS(t, "256k"), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(m.archive)
	now := time.Now()
	_, err = sp.Enqueue(Source{Path: m.archive, Kind: "sat"}, Identity{Serial: "S1"}, now)
	if err == nil || !strings.Contains(err.Error(), "the disk holding the spool is full") {
		t.Fatalf("enqueue on a full disk: %v", err)
	}
	// Nothing half-written is left in the spool; the result itself is untouched.
	ents, _ := os.ReadDir(filepath.Join(sp.Dir, "pending"))
	if len(ents) != 0 {
		t.Errorf("left in pending/: %v", ents)
	}
	if after, _ := os.ReadFile(m.archive); !bytes.Equal(before, after) {
		t.Error("the archive changed")
	}
	// The audit fits: the spool still works for what fits.
	if ok, err := sp.Enqueue(Source{Path: m.audit, Kind: "audit"}, Identity{Serial: "S1"}, now); !ok || err != nil {
		t.Fatalf("enqueue the audit: %v %v", ok, err)
	}
	// Once there is room (a smaller archive here), a later scan spools it.
	os.WriteFile(m.archive, before[:64<<10], 0o644)
	if ok, err := sp.Enqueue(Source{Path: m.archive, Kind: "sat"}, Identity{Serial: "S1"}, now); !ok || err != nil {
		t.Fatalf("enqueue after making room: %v %v", ok, err)
	}
	if p, _ := sp.Pending(); len(p) != 2 {
		t.Errorf("pending: %d items", len(p))
	}
}

func TestEnqueueOncePerContent(t *testing.T) {
	m := newMachine(t, 4<<10)
	sp, err := OpenSpool(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	id := Identity{Serial: "S1", Model: "M", Verdict: "pass", BeeVersion: "1.0"}
	now := time.Date(2026, 12, 6, 15, 0, 0, 0, time.UTC)
	for i, want := range []bool{true, false, false} {
		ok, err := sp.Enqueue(Source{Path: m.archive, Kind: "sat"}, id, now)
		if err != nil || ok != want {
			t.Fatalf("enqueue %d: %v %v, want %v", i, ok, err, want)
		}
		sp.seen = map[string]seenFile{} // a restarted daemon: the spool itself remembers
	}
	p, _ := sp.Pending()
	if len(p) != 1 || p[0].Key != "S1/20261206T152854Z/nvidia-S309085X0B18791-20261206T142854Z.tar.gz" || p[0].Metadata["verdict"] != "" || p[0].Metadata["model"] != "M" {
		t.Fatalf("pending: %+v", p)
	}
	spooled, _ := os.ReadFile(filepath.Join(sp.Dir, "pending", p[0].ID, "data"))
	orig, _ := os.ReadFile(m.archive)
	if !bytes.Equal(spooled, orig) {
		t.Error("spooled copy differs")
	}
	// Different content at the same path is a new item.
	os.WriteFile(m.archive, append(orig, 1), 0o644)
	if ok, err := sp.Enqueue(Source{Path: m.archive, Kind: "sat"}, id, now.Add(time.Second)); !ok || err != nil {
		t.Fatalf("changed content: %v %v", ok, err)
	}
}

func TestSourcesSkipsPartialArchives(t *testing.T) {
	m := newMachine(t, 10)
	os.WriteFile(filepath.Join(m.satDir, "notes.txt"), []byte("x"), 0o644)
	srcs, err := Sources(m.audit, m.satDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 || srcs[0].Kind != "audit" || srcs[1].Path != m.archive {
		t.Errorf("sources: %+v", srcs)
	}
	if srcs, err := Sources(filepath.Join(t.TempDir(), "none.json"), filepath.Join(t.TempDir(), "none")); err != nil || len(srcs) != 0 {
		t.Errorf("nothing there: %v %v", srcs, err)
	}
}

// A damaged entry (unreadable item.json) is skipped and reported; the others upload.
func TestDamagedEntryDoesNotBlockTheSpool(t *testing.T) {
	m := newMachine(t, 2<<10)
	st := &memStore{objects: map[string][]byte{}}
	c := &clock{t: time.Now()}
	d, _ := newDaemon(t, m, st, c)
	bad := filepath.Join(d.Spool.Dir, "pending", "20260101T000000.000000000Z-000000000000")
	os.MkdirAll(bad, 0o700)
	os.WriteFile(filepath.Join(bad, "item.json"), []byte(`{"id": "trunc`), 0o600)
	tmp := filepath.Join(d.Spool.Dir, "pending", ".tmp-123")
	os.MkdirAll(tmp, 0o700)
	if r := d.once(t); r.Uploaded != 2 {
		t.Fatalf("drain with a damaged entry: %+v", r)
	}
	var out bytes.Buffer
	if err := WriteStatus(&out, d.Spool, Config{}, ErrNotConfigured, c.now()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "damaged  "+bad) {
		t.Errorf("status:\n%s", out.String())
	}
	d.Spool.CleanTemp()
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("temp folder left: %v", err)
	}
	if _, err := os.Stat(bad); err != nil {
		t.Errorf("the damaged entry was removed: %v", err)
	}
}
