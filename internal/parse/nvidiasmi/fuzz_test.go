package nvidiasmi

import (
	"os"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
)

// FuzzParse runs every parser of the package (ParseXML, ParseError, and ParseNVLink,
// ParseTopo, ParseFabricText, ParseFabricXML with their judges) on the same input,
// seeded from the captures. The seeds include captures of 50-210 KB; minimizing a new
// interesting input that size takes the fuzzer minutes, so add
// -fuzzminimizetime=1s for a useful short run:
//
//	go test -run='^$' -fuzz=FuzzParse -fuzztime=20s -fuzzminimizetime=1s ./internal/parse/nvidiasmi/
func FuzzParse(f *testing.F) {
	for _, path := range golden.Captures(f, "testdata", nil) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = ParseError(data)
		fuzzNVLinkTopoFabric(t, data)
		for _, sm := range samplesOf(ParseSamples(data)) {
			if (sm.LinkGen != nil && *sm.LinkGen <= 0) || (sm.LinkWidth != nil && *sm.LinkWidth <= 0) {
				t.Fatalf("sample %+v: a link generation or width that is not positive", sm)
			}
		}
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

// samplesOf drops ParseSamples' count of lines not understood.
func samplesOf(s []Sample, _ int) []Sample { return s }
