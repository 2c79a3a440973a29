package sat

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/outpath"
)

// archiveName is "<kind>-<serial>-<UTC timestamp>" plus "-interrupted" for a run that was
// stopped, so an interrupted run can never be mistaken for a complete one by its name.
func archiveName(kind string, serial *string, t time.Time, interrupted bool) string {
	sn := "unknown-serial"
	if serial != nil {
		if s := strings.Trim(unsafeName.ReplaceAllString(*serial, "_"), "_."); s != "" {
			if len(s) > 64 {
				s = s[:64]
			}
			sn = s
		}
	}
	name := fmt.Sprintf("%s-%s-%s", kind, sn, t.UTC().Format("20060102T150405Z"))
	if interrupted {
		name += "-interrupted"
	}
	return name
}

// partialPrefix starts the temporary name an archive has while it is written. A file
// with this prefix is never a finished archive.
const partialPrefix = ".partial-"

// writeArchive writes files into dir/base.tar.gz (each under base/) through a temporary
// file in the same directory that is fsync'd, then renamed; the directory is fsync'd after
// the rename. On any error the temporary file is removed and nothing appears under the
// final name. A name already taken gets a numeric suffix rather than being overwritten.
func writeArchive(dir, base string, files []archiveFile, mtime time.Time) (string, error) {
	final := filepath.Join(dir, base+".tar.gz")
	for i := 2; ; i++ {
		if _, err := os.Lstat(final); os.IsNotExist(err) {
			break
		}
		final = filepath.Join(dir, fmt.Sprintf("%s.%d.tar.gz", base, i))
	}
	f, err := outpath.CreateAtomic(final, partialPrefix+base+".tar.gz-*")
	if err != nil {
		return "", fmt.Errorf("write archive: %w", err)
	}
	defer f.Abort()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	top := strings.TrimSuffix(filepath.Base(final), ".tar.gz")
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: top + "/", Mode: 0o755, ModTime: mtime, Format: tar.FormatPAX}); err != nil {
		return "", fmt.Errorf("write archive: %w", err)
	}
	dirs := map[string]bool{}
	for _, af := range files {
		if d := filepath.Dir(af.name); d != "." && !dirs[d] {
			dirs[d] = true
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: top + "/" + d + "/", Mode: 0o755, ModTime: mtime, Format: tar.FormatPAX}); err != nil {
				return "", fmt.Errorf("write archive: %w", err)
			}
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: top + "/" + af.name, Mode: 0o644, Size: int64(len(af.data)), ModTime: mtime, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return "", fmt.Errorf("write archive: %w", err)
		}
		if _, err := tw.Write(af.data); err != nil {
			return "", fmt.Errorf("write archive: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return "", fmt.Errorf("write archive: %w", err)
	}
	if err := gz.Close(); err != nil {
		return "", fmt.Errorf("write archive: %w", err)
	}
	if err := f.Commit(0o644); err != nil {
		return "", fmt.Errorf("write archive: %w", err)
	}
	return final, nil
}

// checkOutputDir makes sure the archive can be written before a long test starts. A
// missing folder is created, but not its parents (docs/cli.md: the same rule as
// bee audit --output), so a mistyped path is an error rather than a new tree.
func checkOutputDir(dir string) error {
	if _, err := outpath.EnsureDir(dir); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	if err := outpath.CheckWritable(dir, partialPrefix+"probe-*"); err != nil {
		return fmt.Errorf("output directory %s is not writable: %w", dir, err)
	}
	return nil
}
