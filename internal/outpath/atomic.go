package outpath

import (
	"os"
	"path/filepath"
)

// Atomic is a file written under a temporary name in its final folder and renamed
// into place only when complete (docs/cli.md, "Output rules"): a file under the
// final name is never half-written, and a failed write leaves the previous one
// untouched. bee audit's JSON and bee sat's archive are both written this way.
type Atomic struct {
	*os.File
	final string
	done  bool
}

// CreateAtomic starts writing final through a temporary file in final's folder
// named by pattern (os.CreateTemp's: "*" is replaced by a random string). The
// prefix of pattern must never be a finished file's name.
func CreateAtomic(final, pattern string) (*Atomic, error) {
	f, err := os.CreateTemp(filepath.Dir(final), pattern)
	if err != nil {
		return nil, err
	}
	return &Atomic{File: f, final: final}, nil
}

// Commit sets the file's permissions, fsyncs it, renames it over the final name
// and fsyncs the folder (best effort: some filesystems refuse it). On any error
// the temporary file is removed and nothing appears under the final name.
func (a *Atomic) Commit(perm os.FileMode) error {
	tmp := a.Name()
	fail := func(err error) error {
		a.File.Close()
		os.Remove(tmp)
		a.done = true
		return err
	}
	if err := a.Chmod(perm); err != nil {
		return fail(err)
	}
	if err := a.Sync(); err != nil {
		return fail(err)
	}
	if err := a.File.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, a.final); err != nil {
		os.Remove(tmp)
		a.done = true
		return err
	}
	a.done = true
	if d, err := os.Open(filepath.Dir(a.final)); err == nil {
		_ = d.Sync() // make the rename durable; best effort on odd filesystems
		d.Close()
	}
	return nil
}

// Abort removes the temporary file unless Commit ran; safe to defer.
func (a *Atomic) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.File.Close()
	os.Remove(a.Name())
}

// WriteAtomic writes data to path through a temporary file and a rename.
func WriteAtomic(path string, data []byte, perm os.FileMode) error {
	a, err := CreateAtomic(path, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer a.Abort()
	if _, err := a.Write(data); err != nil {
		return err
	}
	return a.Commit(perm)
}

// CheckWritable creates and removes a file named by pattern in dir, so that an
// output folder that cannot be written fails before any work starts.
func CheckWritable(dir, pattern string) error {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
