package raid

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
)

// parsers maps a capture's name prefix (the tool) to its parser.
var parsers = map[string]func([]byte) (*Report, error){
	"storcli_":  ParseStorcli,
	"sas3ircu_": ParseSASIrcu,
	"sas2ircu_": ParseSASIrcu,
	"arcconf_":  ParseArcconf,
	"ssacli_":   ParseSSACLI,
	"megacli_":  ParseMegaCLI,
}

func parserFor(t testing.TB, path string) func([]byte) (*Report, error) {
	base := filepath.Base(path)
	for prefix, p := range parsers {
		if strings.HasPrefix(base, prefix) {
			return p
		}
	}
	t.Fatalf("%s: no parser for this name (captures are named <tool>_...)", base)
	return nil
}

type captureResult struct {
	Report   *Report   `json:"report"`
	Findings []Finding `json:"findings"`
}

// TestCaptures compares every capture's report and the judge's findings with
// <capture>.golden.json.
func TestCaptures(t *testing.T) {
	for _, c := range golden.Captures(t, "testdata", nil) {
		t.Run(filepath.Base(c), func(t *testing.T) {
			data, err := os.ReadFile(c)
			if err != nil {
				t.Fatal(err)
			}
			r, err := parserFor(t, c)(data)
			if err != nil {
				t.Fatal(err)
			}
			f := Judge(r)
			if f == nil {
				f = []Finding{}
			}
			golden.JSON(t, c, captureResult{Report: r, Findings: f})
		})
	}
}

func read(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
