package tui

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/audit"
)

// badAudits are files that are not bee audits. The JSON ones are constructed
// at test time (see testdata/PROVENANCE.md): the first is the bare
// `{"schema_version":1}`, the second a real audit (the healthy Dell) with its
// verdict and counts made nonsense.
func badAudits(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	var a map[string]any
	b, err := os.ReadFile(fixturePath(t, "dell-r640"))
	if err == nil {
		err = json.Unmarshal(b, &a)
	}
	if err != nil {
		t.Fatal(err)
	}
	sum := a["hardware"].(map[string]any)["summary"].(map[string]any)
	sum["verdict"], sum["failures"], sum["warnings"] = "bogus", -5, -1
	bogus, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"bare":  filepath.Join(dir, "bare.json"),
		"bogus": filepath.Join(dir, "bogus.json"),
	}
	for name, content := range map[string][]byte{"bare": []byte(`{"schema_version":1}`), "bogus": bogus} {
		if err := os.WriteFile(files[name], content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files["dev-zero"] = "/dev/zero"
	return files
}

// TestNotAnAudit: a file of the wrong shape, or a device, is said to be no bee
// audit; nothing of it is shown as a verdict or counts, and the menu does not
// run an audit over it on its own.
func TestNotAnAudit(t *testing.T) {
	for name, path := range badAudits(t) {
		t.Run(name, func(t *testing.T) {
			r := newFakeRunner(t) // no command may run
			tm := startTM(t, testOptions(t, path, r, lanSystem()), size{80, 24})
			waitFor(t, tm, "SSH: up")
			_, view := finalView(t, tm)
			checkScreen(t, view, size{80, 24})
			for _, want := range []string{"is not a bee audit", "VERDICT: UNKNOWN - no audit", "a: run an audit now"} {
				if !strings.Contains(view, want) {
					t.Errorf("screen lacks %q:\n%s", want, view)
				}
			}
			for _, bad := range []string{"BOGUS", "-5 failures", "no failures"} {
				if strings.Contains(view, bad) {
					t.Errorf("screen shows %q from a file that is no audit:\n%s", bad, view)
				}
			}
		})
	}
}

// TestPlurals: one of a thing is singular everywhere the TUI counts ("1 disk",
// not "1 disks"). The audit is the real VM audit cut down to one of each
// (constructed at test time).
func TestPlurals(t *testing.T) {
	a, _, err := audit.Load(context.Background(), fixturePath(t, "qemu-vm"))
	if err != nil {
		t.Fatal(err)
	}
	h := &a.Hardware
	h.Storage = h.Storage[:1]
	h.PCIe = h.PCIe[:1]
	one := 1
	h.CPUs = h.CPUs[:1]
	h.CPUs[0].Populated, h.CPUs[0].Cores, h.CPUs[0].Threads = true, &one, &one
	var text []string
	text = append(text, inventoryOneLine(a.Hardware))
	for _, sec := range sections(a) {
		text = append(text, sec.summary...)
	}
	all := strings.Join(text, "\n")
	for _, want := range []string{"1 disk,", "1 disk |", "1 core", "1 thread", "1 PCI function", "1 of 1 socket populated"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in:\n%s", want, all)
		}
	}
	if m := regexp.MustCompile(`\b1 [A-Za-z ]*?(disks|cores|threads|functions|sockets)\b`).FindString(all); m != "" {
		t.Errorf("plural after 1: %q in:\n%s", m, all)
	}
}
