package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/beeaudit/bee/internal/outpath"
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

// WriteAtomic writes data to path through a temporary file and a rename
// (outpath.WriteAtomic).
func WriteAtomic(path string, data []byte, perm os.FileMode) error {
	if err := outpath.WriteAtomic(path, data, perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
