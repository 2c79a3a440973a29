package fleet

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/inpath"
	"github.com/beeaudit/bee/internal/sat"
)

// Limits on a `bee sat` archive: bee writes manifest.json first, so only the
// first few entries are looked at, and the manifest itself is small.
const (
	maxArchiveBytes  = 4 << 30
	maxManifestBytes = 16 << 20
	maxEntriesLooked = 8
)

// ErrNotSatArchive marks a file that is not a `bee sat` archive or manifest.
var ErrNotSatArchive = errors.New("not a bee sat archive")

// ReadSatArchive reads manifest.json from a `bee sat` archive
// (<kind>-<serial>-<time>.tar.gz, docs/sat.md), and reads the rest through to
// be sure the archive is complete. The file is streamed, not held in memory
// (an archive with an nvidia-bug-report can be large); ctx is checked between
// entries.
func ReadSatArchive(ctx context.Context, p string) (*SatRun, error) {
	f, err := inpath.OpenRegular(p, maxArchiveBytes, ErrNotSatArchive)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseSatArchive(ctx, p, io.LimitReader(f, maxArchiveBytes))
}

// parseSatArchive reads the manifest of the archive r (named p in errors).
func parseSatArchive(ctx context.Context, p string, r io.Reader) (*SatRun, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%s is %w: %v", p, ErrNotSatArchive, err)
	}
	tr := tar.NewReader(zr)
	for i := 0; i < maxEntriesLooked; i++ {
		h, err := tr.Next()
		if err != nil {
			if err == io.EOF {
				break
			}
			return nil, fmt.Errorf("%s is %w: %v", p, ErrNotSatArchive, err)
		}
		if path.Base(h.Name) != "manifest.json" || h.Typeflag != tar.TypeReg {
			continue
		}
		mb, err := io.ReadAll(io.LimitReader(tr, maxManifestBytes+1))
		if err != nil {
			return nil, fmt.Errorf("%s: manifest.json: %v", p, err)
		}
		if len(mb) > maxManifestBytes {
			return nil, fmt.Errorf("%s: manifest.json is larger than %d MiB", p, maxManifestBytes>>20)
		}
		run, err := parseManifest(p, mb)
		if err != nil {
			return nil, err
		}
		// The rest is the evidence: a damaged archive (a copy cut short)
		// is reported, not shown as a valid run.
		for {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("read %s: %w", p, err)
			}
			if _, err := tr.Next(); err == io.EOF {
				break
			} else if err != nil {
				return nil, fmt.Errorf("%s is %w: damaged after manifest.json (%v)", p, ErrNotSatArchive, err)
			}
		}
		return run, nil
	}
	return nil, fmt.Errorf("%s is %w: no manifest.json among its first entries", p, ErrNotSatArchive)
}

// ReadSatManifest reads a manifest.json unpacked from an archive.
func ReadSatManifest(ctx context.Context, p string) (*SatRun, error) {
	b, err := inpath.ReadCapped(ctx, p, maxManifestBytes, ErrNotSatArchive)
	if err != nil {
		return nil, err
	}
	return parseManifest(p, b)
}

func parseManifest(p string, b []byte) (*SatRun, error) {
	var m sat.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: manifest.json is %w: %v", p, ErrNotSatArchive, err)
	}
	if m.Format != sat.ManifestFormat {
		return nil, fmt.Errorf("%s: manifest format %q, this bee reads %q", p, m.Format, sat.ManifestFormat)
	}
	run := &SatRun{
		Path:        p,
		Kind:        m.Kind,
		Verdict:     m.Verdict,
		Interrupted: m.Interrupted,
		Serial:      strings.TrimSpace(str(m.Machine.SerialNumber)),
		Product:     strings.TrimSpace(str(m.Machine.ProductName)),
		Reasons:     m.Reasons,
	}
	if t, err := time.Parse(time.RFC3339, m.StartedAt); err == nil {
		run.StartedAt = t
	}
	return run, nil
}
