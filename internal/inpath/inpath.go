// Package inpath opens the files bee is told to read (an audit, a `bee sat`
// archive or manifest, a list of audits): regular files only, of a bounded size.
// A device such as /dev/zero never ends, a FIFO blocks on open until a writer
// comes, and a wrong path to a disk image would exhaust memory; each is refused
// at once with an error that says what the file is. internal/outpath is its
// sibling for the files bee writes (docs/cli.md, "Output rules").
package inpath

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/beeaudit/bee/internal/outpath"
)

// OpenRegular opens the regular file at path for reading, refusing anything else
// and a file larger than limit bytes: the refusal wraps notOK (the caller's
// "not a ..." error, for errors.Is). The file may grow after the check: a reader
// bounds its reads too (io.LimitReader, ReadCapped). A file that does not exist
// gives an error that matches fs.ErrNotExist.
func OpenRegular(path string, limit int64, notOK error) (*os.File, error) {
	// Stat first: opening a FIFO blocks until a writer comes.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %w: it is %s, not a file", path, notOK, outpath.Kind(fi.Mode()))
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s is %w: %d bytes, more than the %d MiB bee reads", path, notOK, fi.Size(), limit>>20)
	}
	return os.Open(path)
}

// ReadCapped reads the regular file at path (OpenRegular), at most limit bytes:
// one that grows past it while read is refused too (files of /proc say size 0).
// It gives up when ctx is canceled; a read stuck in the kernel (a hung network
// filesystem) is then left to finish in the background.
func ReadCapped(ctx context.Context, path string, limit int64, notOK error) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := readCapped(ctx, path, limit, notOK)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("read %s: %w", path, ctx.Err())
	}
}

func readCapped(ctx context.Context, path string, limit int64, notOK error) ([]byte, error) {
	f, err := OpenRegular(path, limit, notOK)
	if err != nil {
		return nil, err
	}
	defer f.Close()
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
			return nil, fmt.Errorf("%s is %w: more than the %d MiB bee reads", path, notOK, limit>>20)
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
	}
}
