package fleet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/audit"
)

// The recorded machines: the sample audits of internal/audit and the bee sat
// archives in testdata/sat (testdata/PROVENANCE.md).
const (
	auditsDir   = "../audit/testdata/audits"
	satDir      = "testdata/sat"
	failingFile = auditsDir + "/gpu-server-failing.json"
	dellFile    = auditsDir + "/dell-r640-no-bmc-no-gpu.json"
	failingSN   = "S309085X0B18791"
	dellSN      = "2RJF153"
	qemuSN      = "SYSSN12345"
)

// now is the clock of every test: 6 hours after the sample audits.
var now = time.Date(2026, 12, 6, 20, 28, 55, 0, time.UTC)

func load(t testing.TB, path string) *audit.Audit {
	t.Helper()
	a, _, err := audit.Load(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func write(t testing.TB, path string, a *audit.Audit) {
	t.Helper()
	b, err := audit.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// withDIMMMissing is the failing GPU server judged against a profile that
// wants P1-DIMMC1 populated (constructed: the finding is what bee audit
// --profile writes for an empty slot the profile lists, docs/findings.md).
func withDIMMMissing(a *audit.Audit) {
	h := &a.Hardware
	h.Profile = &audit.ProfileRef{Name: "smc-4029gp", Source: "/run/bee/stick/profiles/smc-4029gp.yaml", SHA256: "0", MatchedBy: "match"}
	f := audit.Finding{Severity: audit.SeverityFailure, Component: "dimm:P1-DIMMC1", Code: "CONFIG_DIMM_MISSING",
		Message: "expected 32 GiB DDR4 2400 MT/s, slot empty"}
	h.Summary.Findings = append([]audit.Finding{f}, h.Summary.Findings...)
	h.Summary.Failures++
	h.Summary.Verdict = audit.VerdictFail
}

// genFleet writes n audits into dir, made from the sample audits: 9 in 10
// are copies of the Dell R640 (one in 50 of those with an older BIOS, one in
// 100 failing with a missing DIMM), 1 in 10 copies of the failing GPU server.
// Each has its own serial and start time.
func genFleet(t testing.TB, dir string, n int) {
	t.Helper()
	dellBIOS := *load(t, dellFile).Hardware.BIOS.Version
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		var a *audit.Audit
		if i%10 == 9 {
			a = load(t, failingFile)
		} else {
			a = load(t, dellFile)
			switch {
			case i%100 == 3:
				withDIMMMissing(a)
				a.Hardware.Summary.Findings[0].Component = "dimm:A3"
			case i%50 == 7:
				a.Hardware.BIOS.Version = ptr("2.5.0")
			default:
				a.Hardware.BIOS.Version = ptr(dellBIOS)
			}
		}
		a.Hardware.System.SerialNumber = ptr(fmt.Sprintf("GEN%05d", i))
		a.StartedAt = base.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
		write(t, filepath.Join(dir, fmt.Sprintf("rack%02d", i/40), fmt.Sprintf("bee-audit-%05d.json", i)), a)
	}
}
