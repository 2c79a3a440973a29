package profile

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/audit"
)

// sample reads an audit that the real bee binary produced on a fake machine
// replaying real captures (internal/audit/testdata/audits, see cmd/bee).
func sample(t testing.TB, name string) *audit.Audit {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "audit", "testdata", "audits", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var a audit.Audit
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	return &a
}

var samples = []string{"gpu-server-failing", "qemu-vm", "dell-r640-no-bmc-no-gpu"}

func generated(t testing.TB, a *audit.Audit, name string) *Profile {
	t.Helper()
	y, err := Generate(a, name, "test")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(name+".yaml", y)
	if err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	return p
}

func TestGenerateThenJudgeSameMachine(t *testing.T) {
	for _, s := range samples {
		t.Run(s, func(t *testing.T) {
			a := sample(t, s)
			y, err := Generate(a, s, "test")
			if err != nil {
				t.Fatal(err)
			}
			if testing.Verbose() {
				t.Logf("\n%s", y)
			}
			p := generated(t, a, s)
			if fs := Judge(p, a); len(fs) != 0 {
				t.Errorf("profile generated from the machine finds differences on it: %+v", fs)
			}
		})
	}
}

func codesOf(fs []audit.Finding) string {
	var l []string
	for _, f := range fs {
		l = append(l, f.Code+" "+f.Component)
	}
	return strings.Join(l, "\n")
}
