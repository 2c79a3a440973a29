package tui

import (
	"slices"
	"testing"

	"github.com/beeaudit/bee/internal/audit"
)

// TestAuditProgressJSON: the lines of `bee audit --progress json` (docs/cli.md) and
// lines that are not an event.
func TestAuditProgressJSON(t *testing.T) {
	for _, c := range []struct {
		line, collector, status, show string
		ok                            bool
	}{
		{`{"event":"collector","name":"board","status":"ok","index":1,"total":7,"duration_ms":12}`, "board", "ok", "bee audit: board    ok", true},
		{`{"event":"collector","name":"nvidia","status":"skipped","index":7,"total":7,"duration_ms":0,"new":1}`, "nvidia", "skipped", "bee audit: nvidia   skipped", true},
		{`{"event":"profile","message":"judged against profile x (/etc/bee/profiles/x.yaml, by match)"}`, "", "", "bee audit: profile: judged against profile x (/etc/bee/profiles/x.yaml, by match)", true},
		{`{"event":"done","verdict":"warning","output":"/var/log/bee-audit.json"}`, "", "", "bee audit: done, verdict warning, written to /var/log/bee-audit.json", true},
		{`{"event":"collector","name":"psu"}`, "", "", "", false},
		{`{"event":"later"}`, "", "", "", false},
		{`{"event":"collector","name":"board","sta`, "", "", "", false}, // a line still being written
		{"bee audit: board    ok", "", "", "", false},
		{"bee audit: cannot write /var/log/bee-audit.json: read-only file system", "", "", "", false},
		{"", "", "", "", false},
	} {
		name, status, show, ok := auditProgress(c.line)
		if name != c.collector || status != c.status || show != c.show || ok != c.ok {
			t.Errorf("auditProgress(%q) = %q, %q, %q, %v; want %q, %q, %q, %v", c.line, name, status, show, ok, c.collector, c.status, c.show, c.ok)
		}
	}
	if !slices.Equal(auditCollectors, audit.CollectorNames()) {
		t.Errorf("collectors %q", auditCollectors)
	}
}
