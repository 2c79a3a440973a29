package report_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/beeaudit/bee/internal/report"
	"github.com/beeaudit/bee/internal/schema"
)

// The audit's JSON Schema (the contract of docs/json.md) lists the same words
// as this package: a word renamed here, or there, fails.
func TestVocabularyMatchesSchema(t *testing.T) {
	var s struct {
		Defs map[string]struct {
			Properties map[string]struct {
				Enum []string `json:"enum"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(schema.AuditJSON, &s); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		def, prop string
		want      []string
	}{
		{"finding", "severity", []string{report.SeverityWarning, report.SeverityFailure}},
		{"summary", "verdict", []string{report.VerdictPass, report.VerdictWarning, report.VerdictFail}},
		{"collector", "status", []string{report.StatusOK, report.StatusSkipped, report.StatusError}},
	} {
		got := s.Defs[c.def].Properties[c.prop].Enum
		if !slices.Equal(got, c.want) {
			t.Errorf("schema $defs/%s/%s enum = %q, report has %q", c.def, c.prop, got, c.want)
		}
	}
}
