package audit

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadRefusesWhatIsNotAnAudit: a device that never ends, a FIFO nobody
// writes, a file larger than any audit and a directory are refused at once,
// with an error that says the file is not a bee audit; nothing is read whole.
func TestLoadRefusesWhatIsNotAnAudit(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: takes no disk, reads as zeros.
	if err := f.Truncate(MaxFileBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for name, c := range map[string]struct{ path, want string }{
		"/dev/zero": {"/dev/zero", "character device"},
		"fifo":      {fifo, "FIFO"},
		"too large": {big, "MiB"},
		"directory": {dir, "directory"},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, _, err := Load(ctx, c.path)
			if !errors.Is(err, ErrNotAudit) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "not a bee audit") {
				t.Errorf("Load(%s) = %v, want a %q error saying it is not a bee audit", c.path, err, c.want)
			}
		})
	}
}

// TestLoadRealAudit: a real audit loads, with its bytes.
func TestLoadRealAudit(t *testing.T) {
	p := filepath.Join("testdata", "audits", "qemu-vm.json")
	a, raw, err := Load(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(p)
	if string(raw) != string(want) || a.Hardware.System == nil {
		t.Errorf("Load(%s): %d bytes (want %d), system %v", p, len(raw), len(want), a.Hardware.System)
	}
}

// TestLoadCanceled: a canceled context (SIGTERM) ends the load.
func TestLoadCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := Load(ctx, filepath.Join("testdata", "audits", "none.json"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a canceled context = %v", err)
	}
}

func TestLoadMissing(t *testing.T) {
	_, _, err := Load(context.Background(), filepath.Join(t.TempDir(), "absent.json"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file = %v, want fs.ErrNotExist", err)
	}
}
