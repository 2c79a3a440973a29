package nvidiasmi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The seeds include fixtures of 50-210 KB; minimizing a new interesting input that size
// takes the fuzzer minutes, so add -fuzzminimizetime=1s for a useful short run:
//
//	go test -run='^$' -fuzz=FuzzParseXML -fuzztime=20s -fuzzminimizetime=1s ./internal/parse/nvidiasmi/
func addSeeds(f *testing.F) {
	files, err := filepath.Glob("testdata/*")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if st, err := os.Stat(name); err == nil && st.IsDir() {
			continue // testdata/nvlink, topo, fabric: other commands' captures
		}
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzParseXML(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseXML(data)
		if (l == nil) == (err == nil) {
			t.Fatalf("exactly one of Log and error must be set: %v, %v", l, err)
		}
		if l == nil {
			return
		}
		for i, g := range l.GPUs {
			if g.Index != i {
				t.Fatalf("GPU %d has Index %d", i, g.Index)
			}
			if g.PCIBusID != strings.ToLower(g.PCIBusID) {
				t.Fatalf("bus id %q not lower case", g.PCIBusID)
			}
			if g.MemoryTotalBytes != nil && *g.MemoryTotalBytes < 0 {
				t.Fatalf("negative memory %d", *g.MemoryTotalBytes)
			}
		}
	})
}

func FuzzParseQText(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ParseQText(data)
		if (len(g) == 0) == (err == nil) {
			t.Fatalf("want GPUs or an error: %v, %v", g, err)
		}
	})
}

func FuzzParseError(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = ParseError(data)
	})
}
