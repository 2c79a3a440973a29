package tui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
			tm := startTM(t, testOptions(t, path, r, lanSystem()), size{80, 25})
			waitFor(t, tm, "SSH: up")
			_, view := finalView(t, tm)
			checkScreen(t, view, size{80, 25})
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
