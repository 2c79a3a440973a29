package host

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A FIFO with a writer that stays open blocks a plain read at its end, as
// /dev/kmsg does: ReadStream must return what is there and stop.
func TestReadStreamDoesNotBlock(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "dev"), 0o755)
	fifo := filepath.Join(root, "dev", "kmsg")
	if err := mkfifo(fifo); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	// Open read side first (non-blocking) so the writer's open does not wait.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.WriteString("6,1,100,-;hello\n")
	b, err := RootFS{Root: root}.ReadStream("/dev/kmsg")
	if err != nil || string(b) != "6,1,100,-;hello\n" {
		t.Fatalf("ReadStream = %q, %v", b, err)
	}
	if _, err := ReadStream(struct{ FS }{RootFS{Root: root}}, "/dev/kmsg"); !errors.Is(err, ErrNoStream) {
		t.Errorf("an FS without ReadStream: %v, want ErrNoStream", err)
	}
}
