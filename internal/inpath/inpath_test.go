package inpath

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

var errNotMine = errors.New("not a test file")

// A device that never ends, a FIFO nobody writes, a directory and a file over the
// limit are refused at once, with the caller's error and what the file is.
func TestRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 101), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{"/dev/zero", "is not a test file: it is a character device, not a file"},
		{fifo, "it is a FIFO"},
		{dir, "it is a directory"},
		{big, "101 bytes, more than"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err := ReadCapped(ctx, c.path, 100, errNotMine)
		cancel()
		if !errors.Is(err, errNotMine) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadCapped(%s) = %v, want %q", c.path, err, c.want)
		}
		if f, err := OpenRegular(c.path, 100, errNotMine); f != nil || !errors.Is(err, errNotMine) {
			t.Errorf("OpenRegular(%s) = %v", c.path, err)
		}
	}
	if _, err := ReadCapped(context.Background(), filepath.Join(dir, "absent"), 100, errNotMine); !errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotMine) {
		t.Errorf("absent: %v", err)
	}
	ok := filepath.Join(dir, "ok")
	if err := os.WriteFile(ok, []byte("exactly 100"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadCapped(context.Background(), ok, 11, errNotMine); err != nil || string(b) != "exactly 100" {
		t.Errorf("a file at the limit: %q, %v", b, err)
	}
}

// The limit holds while reading, not only at the stat: files of /proc say size 0
// and have content (so can a file that grows after the stat).
func TestLimitWhileReading(t *testing.T) {
	const p = "/proc/self/status" // a regular file of 1 kB or more, stat size 0
	if fi, err := os.Stat(p); err != nil || fi.Size() != 0 {
		t.Skipf("%s: %v (want a size-0 regular file)", p, err)
	}
	if _, err := ReadCapped(context.Background(), p, 1<<20, errNotMine); err != nil {
		t.Fatalf("under the limit: %v", err)
	}
	if _, err := ReadCapped(context.Background(), p, 50, errNotMine); !errors.Is(err, errNotMine) {
		t.Fatalf("over a 50-byte limit: %v", err)
	}
}

// A canceled context (SIGTERM) ends the read before it starts.
func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadCapped(ctx, "/proc/self/status", 1<<20, errNotMine); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
}
