package host

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
)

// FS reads the machine's pseudo-filesystems (/sys, /proc, /dev, /etc). Names are
// absolute paths as seen on the live machine ("/sys/bus/pci/devices"); an FS
// re-roots them.
type FS interface {
	// ReadFile returns at most 1 MiB of the named file.
	ReadFile(name string) ([]byte, error)
	// ReadDir returns the sorted entry names of a directory.
	ReadDir(name string) ([]string, error)
	// Readlink returns a symlink's target.
	Readlink(name string) (string, error)
	// Exists reports whether name exists (device nodes included).
	Exists(name string) bool
}

const maxFileRead = 1 << 20

// RootFS reads the real filesystem under Root ("/" on a live machine, a fixture
// tree in tests, `bee audit --root DIR`).
type RootFS struct{ Root string }

func (r RootFS) path(name string) string {
	if !path.IsAbs(name) {
		name = "/" + name
	}
	root := r.Root
	if root == "" {
		root = "/"
	}
	return filepath.Join(root, filepath.FromSlash(path.Clean(name)))
}

// ReadFile implements FS.
func (r RootFS) ReadFile(name string) ([]byte, error) {
	f, err := os.Open(r.path(name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileRead))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}

// ReadDir implements FS.
func (r RootFS) ReadDir(name string) ([]string, error) {
	ents, err := os.ReadDir(r.path(name))
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

// Readlink implements FS.
func (r RootFS) Readlink(name string) (string, error) {
	return os.Readlink(r.path(name))
}

// Exists implements FS.
func (r RootFS) Exists(name string) bool {
	_, err := os.Lstat(r.path(name))
	return err == nil
}

// IsNotExist reports whether err means the file or directory is absent.
func IsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
