package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var updateSamples = flag.Bool("update-samples", false, "rewrite internal/audit/testdata/audits/*.json from the fake machines")

// Sample audits produced by the real binary on the fake machines; the TUI's
// golden tests render them. Rewritten only with -update-samples; otherwise the
// test checks that every sample still validates and has the expected verdict.
func TestSampleAudits(t *testing.T) {
	dir := filepath.Join("..", "..", "internal", "audit", "testdata", "audits")
	for _, tc := range []struct {
		file    string
		m       func(testing.TB) machine
		verdict string
	}{
		{"gpu-server-failing.json", gpuServer, "fail"},
		{"qemu-vm.json", qemuVM, ""},
		{"dell-r640-no-bmc-no-gpu.json", dellR640, ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			e := tc.m(t).setup(t)
			a, _ := auditOn(t, e)
			if tc.verdict != "" && a.Hardware.Summary.Verdict != tc.verdict {
				t.Errorf("verdict %s, want %s", a.Hardware.Summary.Verdict, tc.verdict)
			}
			if !*updateSamples {
				if _, err := os.Stat(filepath.Join(dir, tc.file)); err != nil {
					t.Errorf("sample missing (run with -update-samples): %v", err)
				}
				return
			}
			b, err := os.ReadFile(filepath.Join(e.out, "bee-audit.json"))
			if err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(dir, 0o755)
			if err := os.WriteFile(filepath.Join(dir, tc.file), b, 0o644); err != nil {
				t.Fatal(err)
			}
		})
	}
}
