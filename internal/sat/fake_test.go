package sat

// The fake tools: internal/testtools/faketool, linked under the name of each tool
// (smartctl, memtester, nvidia-smi, ...) into a directory put alone on PATH, answers
// from a scenario that maps exact argv to a recorded output. An argv that is not in the
// scenario is answered with exit 127 and fails the test; a scenario command that was
// never run fails the test too (unless optional).

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/faketool"
)

type (
	fakeScenario = faketool.Scenario
	fakeCommand  = faketool.Command
	fakeResponse = faketool.Response
)

// fakeTools are linked into the fake PATH unless a scenario says one is missing, so
// that a call no scenario expects is answered by the fake (and fails the test).
var fakeTools = []string{
	"dmidecode", "memtester", "lsblk", "smartctl", "nvme", "nvidia-smi",
	"nvidia-bug-report.sh", "bee", "journalctl", "blkid",
}

func TestMain(m *testing.M) { os.Exit(faketool.RunTests(m)) }

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// fake is one scenario installed for a test.
type fake struct{ *faketool.Fake }

// newFake installs the scenario and puts the fake tools first (and alone) on PATH;
// the test fails at its end on an unexpected command or an expected one never run.
func newFake(t *testing.T, sc fakeScenario) *fake {
	t.Helper()
	sc.Tools = append(sc.Tools, fakeTools...)
	f := &fake{faketool.New(t, sc)}
	t.Setenv("PATH", f.PathDir())
	return f
}

func (f *fake) env() []string { return f.Env() }

// calls returns the argv of every command run so far, in order.
func (f *fake) calls() [][]string { return f.Argvs() }

// td is the absolute path of a file in testdata/.
func td(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// capture is the absolute path of a real capture in the one capture tree
// (internal/parse/<tool>/testdata, described in the PROVENANCE.md there).
func capture(t *testing.T, tool, name string) string {
	t.Helper()
	return faketool.Capture(t, tool, name)
}

func cmd(argv ...string) fakeCommand { return faketool.Cmd(argv...) }
