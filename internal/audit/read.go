package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/beeaudit/bee/internal/outpath"
)

// MaxFileBytes is the most Load reads of an audit file. The audit of the
// largest machine is a few MB; a bigger file is not an audit (a wrong path, a
// disk image), and reading it whole would only exhaust memory.
const MaxFileBytes = 32 << 20

// ErrNotAudit marks a file that is not a bee audit: not a regular file, too
// large, not JSON, or another schema_version.
var ErrNotAudit = errors.New("not a bee audit")

// Load reads an audit JSON file and decodes it; it returns the file's bytes
// too. It is the one reader of audit files (bee tui, bee sat): it reads only
// regular files (a device such as /dev/zero never ends, a FIFO blocks), at
// most MaxFileBytes, and returns as soon as ctx is canceled (a signal), even
// when the read itself hangs on a stuck filesystem. A file that does not exist
// gives an error that matches fs.ErrNotExist.
func Load(ctx context.Context, path string) (*Audit, []byte, error) {
	b, err := ReadCapped(ctx, path, MaxFileBytes)
	if err != nil {
		return nil, nil, err
	}
	var a Audit
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, nil, fmt.Errorf("%s is %w: not JSON of the audit's shape (%v)", path, ErrNotAudit, err)
	}
	if a.SchemaVersion != SchemaVersion {
		return nil, nil, fmt.Errorf("%s: schema_version %d, this bee reads %d", path, a.SchemaVersion, SchemaVersion)
	}
	return &a, b, nil
}

// ReadCapped reads the regular file at path, refusing one larger than limit
// bytes. It gives up when ctx is canceled; a read stuck in the kernel is then
// left to finish in the background.
func ReadCapped(ctx context.Context, path string, limit int64) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := readCapped(ctx, path, limit)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("read %s: %w", path, ctx.Err())
	}
}

func readCapped(ctx context.Context, path string, limit int64) ([]byte, error) {
	// Stat first: opening a FIFO blocks until a writer comes.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %w: it is %s, not a file", path, ErrNotAudit, outpath.Kind(fi.Mode()))
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s is %w: %d bytes, more than the %d MiB an audit can be", path, ErrNotAudit, fi.Size(), limit>>20)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The file may grow after the stat: the limit holds while reading too.
	var b []byte
	buf := make([]byte, 256<<10)
	r := io.LimitReader(f, limit+1)
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		n, err := r.Read(buf)
		b = append(b, buf[:n]...)
		if int64(len(b)) > limit {
			return nil, fmt.Errorf("%s is %w: more than the %d MiB an audit can be", path, ErrNotAudit, limit>>20)
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
	}
}
