package fleet

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// An archive from a USB stick may be anything: parseSatArchive returns a run
// or an error, never panics, and a run always names its archive. Seeded with
// the real archives of testdata/sat.
func FuzzSatArchive(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(satDir, "*.tar.gz"))
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		run, err := parseSatArchive(context.Background(), "x.tar.gz", bytes.NewReader(b))
		if (run == nil) == (err == nil) {
			t.Fatalf("run %v, err %v", run, err)
		}
		if run != nil && run.Path != "x.tar.gz" {
			t.Fatalf("path %q", run.Path)
		}
	})
}
