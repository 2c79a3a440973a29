package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Marshal renders the audit as indented JSON with a trailing newline. The
// output is deterministic for a given Audit.
func Marshal(a *Audit) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(a); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteFile writes the audit atomically: a temporary file in the same
// directory, fsync'd, then renamed over path, so a previous audit is never left
// half-overwritten. It returns the bytes written.
func WriteFile(path string, a *Audit) ([]byte, error) {
	b, err := Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("encode audit: %w", err)
	}
	return b, WriteAtomic(path, b, 0o644)
}

// WriteAtomic writes data to path through a temporary file and a rename.
func WriteAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Chmod(perm); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // make the rename durable; best effort on odd filesystems
		d.Close()
	}
	return nil
}

// ReadFile loads an audit JSON written by WriteFile (Load without a context).
func ReadFile(path string) (*Audit, error) {
	a, _, err := Load(context.Background(), path)
	return a, err
}
