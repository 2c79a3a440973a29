// Package outpath checks, before any work starts, the paths bee is told to
// write (bee audit --output and --capture, bee sat --output-dir). The rules
// (docs/cli.md):
//
//   - an output file must be a regular file or not exist; a symlink is followed
//     and its target replaced. A directory, device, FIFO or socket is refused: bee
//     writes a temporary file and renames it over the target, which would replace
//     a device node with a plain file.
//   - an output folder must be a folder or not exist.
//   - a missing folder is created, but only the last one: its parent must exist
//     (mkdir, not mkdir -p), so a mistyped path is an error, not a new tree.
package outpath

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// UsageError is a path refused by the rules above: the command exits 2.
type UsageError struct{ msg string }

func (e *UsageError) Error() string { return e.msg }

func usage(format string, a ...any) error { return &UsageError{fmt.Sprintf(format, a...)} }

// IsUsage reports whether err is a UsageError.
func IsUsage(err error) bool {
	var u *UsageError
	return errors.As(err, &u)
}

// maxLinks bounds symlink resolution (as the kernel's ELOOP limit does).
const maxLinks = 40

// File checks the output file given to --flag and returns the path to write:
// p itself, or the final target when p is a symlink.
func File(flag, p string) (string, error) {
	if p == "" {
		return "", usage("--%s must not be empty", flag)
	}
	orig := p
resolve:
	for i := 0; ; i++ {
		if i == maxLinks {
			return "", usage("--%s %s: too many levels of symbolic links", flag, orig)
		}
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			break resolve
		}
		if err != nil {
			return "", fmt.Errorf("--%s %s: %w", flag, orig, err)
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			t, err := os.Readlink(p)
			if err != nil {
				return "", fmt.Errorf("--%s %s: %w", flag, orig, err)
			}
			if !filepath.IsAbs(t) {
				t = filepath.Join(filepath.Dir(p), t)
			}
			p = t
			continue
		}
		switch {
		case fi.Mode().IsRegular():
		case fi.IsDir():
			return "", usage("--%s %s is a directory; give a file name", flag, orig)
		default:
			return "", usage("--%s %s is not a regular file (%s): bee writes a new file and renames it into place, which would replace it; use --%s - for standard output",
				flag, orig, Kind(fi.Mode()), flag)
		}
		break resolve
	}
	if err := parentOK(flag, orig, filepath.Dir(p)); err != nil {
		return "", err
	}
	return p, nil
}

// Dir checks the output folder given to --flag.
func Dir(flag, d string) error {
	if d == "" {
		return usage("--%s must not be empty", flag)
	}
	fi, err := os.Stat(d)
	switch {
	case err == nil && fi.IsDir():
		return nil
	case err == nil:
		return usage("--%s %s is not a directory", flag, d)
	case errors.Is(err, fs.ErrNotExist):
		return parentOK(flag, d, filepath.Clean(d))
	}
	return fmt.Errorf("--%s %s: %w", flag, d, err)
}

// parentOK: dir is the folder the output goes into; it must be a folder, or be
// missing with an existing parent folder.
func parentOK(flag, orig, dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && fi.IsDir():
		return nil
	case err == nil:
		return usage("--%s %s: %s is not a directory", flag, orig, dir)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("--%s %s: %w", flag, orig, err)
	}
	parent := filepath.Dir(dir)
	if pfi, err := os.Stat(parent); err != nil || !pfi.IsDir() {
		return usage("--%s %s: folder %s does not exist (bee creates only the last folder of a path)", flag, orig, parent)
	}
	return nil
}

// EnsureDir creates dir when it is missing (not its parents). created says
// whether it did, so a run that writes nothing can remove it again.
func EnsureDir(dir string) (created bool, err error) {
	err = os.Mkdir(dir, 0o755)
	if err == nil {
		return true, nil
	}
	if fi, serr := os.Stat(dir); serr == nil && fi.IsDir() {
		return false, nil
	}
	return false, err
}

// Kind names what a path of mode m is when it is not a regular file ("a
// directory", "a FIFO", ...), for messages that refuse it.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "type " + m.Type().String()
}
