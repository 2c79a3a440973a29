package tui

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/charmbracelet/x/exp/golden"
)

// profileAudit writes, to a temporary file, the real audit named fixture with
// hardware.profile set (when name is not "") and findings appended
// (constructed; testdata/PROVENANCE.md), the summary's counts kept consistent.
func profileAudit(t *testing.T, fixture, name string, add ...audit.Finding) string {
	t.Helper()
	a, _, err := audit.Load(t.Context(), fixturePath(t, fixture))
	if err != nil {
		t.Fatal(err)
	}
	if name != "" {
		a.Hardware.Profile = &audit.ProfileRef{Name: name, Source: "/etc/bee/profiles/" + name + ".yaml",
			SHA256: strings.Repeat("ab", 32), MatchedBy: "match"}
	}
	s := &a.Hardware.Summary
	for _, f := range add {
		s.Findings = append(s.Findings, f)
		if f.Severity == audit.SeverityFailure {
			s.Failures++
			s.Verdict = audit.VerdictFail
		} else {
			s.Warnings++
			if s.Verdict == audit.VerdictPass {
				s.Verdict = audit.VerdictWarning
			}
		}
	}
	p := filepath.Join(t.TempDir(), "bee-audit.json")
	if _, err := audit.WriteFile(p, a); err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	dimmMissing = audit.Finding{Severity: audit.SeverityWarning, Component: "dimm:P1-DIMMD1", Code: "CONFIG_DIMM_MISSING",
		Message: "expected 32 GiB DDR4 3200 MT/s, slot empty"}
	gpuCount = audit.Finding{Severity: audit.SeverityFailure, Component: "gpu", Code: "CONFIG_GPU_COUNT",
		Message: "3 GPUs, the profile wants 4"}
	unusable = audit.Finding{Severity: audit.SeverityWarning, Component: "profile", Code: "CONFIG_PROFILE_UNUSABLE",
		Message: "two profiles fit this machine: /etc/bee/profiles/a.yaml and /etc/bee/profiles/b.yaml; none applies"}
)

// TestProfileScreens: with a hardware profile the home screen says its name and
// how many differences it found, under the verdict, and the CONFIG_* findings
// come first there and on the Findings screen (goldens at 80x24).
func TestProfileScreens(t *testing.T) {
	cases := []struct {
		name, fixture, profile string
		add                    []audit.Finding
		want                   string
		first                  string // the first finding line of the home screen
	}{
		{"mismatches", "gpu-server-failing", "smc-4029gp", []audit.Finding{dimmMissing, gpuCount},
			" PROFILE  smc-4029gp: 2 mismatches", "WARN dimm:P1-DIMMD1: expected 32 GiB"},
		{"unusable", "gpu-server-failing", "", []audit.Finding{unusable},
			" PROFILE  profile unusable: two profiles fit this machine", "WARN profile: two profiles"},
	}
	for _, c := range cases {
		path := profileAudit(t, c.fixture, c.profile, c.add...)
		for _, sc := range []struct {
			name string
			keys []string
			wait string
		}{{"home", nil, ""}, {"findings", []string{"f"}, "PgUp/PgDn"}} {
			t.Run(c.name+"/"+sc.name, func(t *testing.T) {
				sz := size{80, 24}
				tm := startTM(t, testOptions(t, path, newFakeRunner(t), lanSystem()), sz)
				waitFor(t, tm, "SSH: up")
				press(tm, sc.keys...)
				if sc.wait != "" {
					waitFor(t, tm, sc.wait)
				}
				_, view := finalView(t, tm)
				checkScreen(t, view, sz)
				if sc.name == "home" {
					lines := strings.Split(view, "\n")
					i := 0
					for i < len(lines) && !strings.Contains(lines[i], "VERDICT:") {
						i++
					}
					if i+2 >= len(lines) || !strings.HasPrefix(lines[i+1], c.want) || !strings.Contains(lines[i+2], c.first) {
						t.Errorf("want %q under the verdict, then %q:\n%s", c.want, c.first, view)
					}
				} else if !strings.Contains(view, " WARN  "+c.add[0].Code) {
					t.Errorf("findings screen lacks %s:\n%s", c.add[0].Code, view)
				}
				golden.RequireEqual(t, []byte(view))
			})
		}
	}
}

// TestProfileLines: the count's words, and nothing without a profile
// (constructed audits).
func TestProfileLines(t *testing.T) {
	a := &audit.Audit{}
	if got := profileLines(a); got != nil {
		t.Errorf("no profile: %q, want nothing", got)
	}
	a.Hardware.Profile = &audit.ProfileRef{Name: "p"}
	for _, c := range []struct {
		fs   []audit.Finding
		want string
	}{
		{nil, "p: matches"},
		{[]audit.Finding{dimmMissing, unusable}, "p: 1 mismatch"},
		{[]audit.Finding{dimmMissing, gpuCount, {Code: "GPU_MISSING"}}, "p: 2 mismatches"},
	} {
		a.Hardware.Summary.Findings = c.fs
		got := profileLines(a)
		if len(got) == 0 || !strings.HasSuffix(got[0], c.want) {
			t.Errorf("%v: %q, want %q", c.fs, got, c.want)
		}
	}
}

// TestConfigFirst: CONFIG_* first, each group in audit order.
func TestConfigFirst(t *testing.T) {
	fs := []audit.Finding{{Code: "A"}, {Code: "CONFIG_X"}, {Code: "B"}, {Code: "CONFIG_Y"}}
	var got []string
	for _, f := range configFirst(fs) {
		got = append(got, f.Code)
	}
	if strings.Join(got, " ") != "CONFIG_X CONFIG_Y A B" {
		t.Fatalf("order %v", got)
	}
}
