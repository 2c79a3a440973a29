package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/audit"
)

// `bee audit --progress json` (docs/cli.md): one JSON object per line on stderr, one per
// collector as it finishes, then "done" with the verdict and the output path.
func TestAuditProgressJSON(t *testing.T) {
	e := gpuServer(t).setup(t)
	out := filepath.Join(e.out, "bee-audit.json")
	stdout, stderr, code := e.run("audit", "--root", e.root, "--output", out, "--no-qr", "--progress", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var a audit.Audit
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	type event struct {
		Event, Name, Status, Verdict, Output string
		Index, Total                         int
		DurationMS                           *int64 `json:"duration_ms"`
	}
	var evs []event
	for _, l := range strings.Split(strings.TrimRight(stderr, "\n"), "\n") {
		var ev event
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("stderr line is not JSON: %q", l)
		}
		evs = append(evs, ev)
	}
	names := audit.CollectorNames()
	if len(evs) != len(names)+1 {
		t.Fatalf("%d events, want %d collectors and done:\n%s", len(evs), len(names), stderr)
	}
	var got []string
	for i, ev := range evs[:len(names)] {
		if ev.Event != "collector" || ev.Index != i+1 || ev.Total != len(names) || ev.DurationMS == nil {
			t.Errorf("event %d: %+v", i, ev)
		}
		for _, c := range a.Collectors {
			if c.Name == ev.Name && c.Status != ev.Status {
				t.Errorf("%s: progress says %s, the audit %s", ev.Name, ev.Status, c.Status)
			}
		}
		got = append(got, ev.Name)
	}
	sort.Strings(got)
	want := slices.Clone(names)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("collectors %q, want %q", got, want)
	}
	last := evs[len(evs)-1]
	if last.Event != "done" || last.Verdict != a.Hardware.Summary.Verdict || last.Output != out {
		t.Errorf("last event %+v, audit verdict %s", last, a.Hardware.Summary.Verdict)
	}
	if !strings.Contains(stdout, "VERDICT:") {
		t.Errorf("the summary still goes to stdout:\n%s", stdout)
	}
}

func TestAuditProgressBadValue(t *testing.T) {
	e := qemuVM(t).setup(t)
	if _, stderr, code := e.run("audit", "--root", e.root, "--output", filepath.Join(e.out, "a.json"), "--progress", "xml"); code != 2 || !strings.Contains(stderr, "--progress") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}
