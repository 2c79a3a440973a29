package sat

// The fake tools: testdata/faketool, linked under the name of each tool (smartctl,
// memtester, nvidia-smi, ...) into a directory put alone on PATH, answers from a
// scenario (BEE_FAKE_SCENARIO) that maps exact argv to a recorded output. An argv that is not in the scenario is logged and answered with exit 127, and
// the test fails; a scenario command that was never run fails the test too (unless
// optional).

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"go/build"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/host"
)

const fakeEnvVar = "BEE_FAKE_SCENARIO"

// fakeTools are linked into the fake PATH unless a scenario says one is missing.
var fakeTools = []string{
	"dmidecode", "memtester", "lsblk", "smartctl", "nvme", "nvidia-smi",
	"nvidia-bug-report.sh", "bee",
}

type fakeScenario struct {
	Commands []fakeCommand `json:"commands"`
	// Missing tools get no link on PATH (host.ErrNotFound).
	Missing []string `json:"missing,omitempty"`
}

type fakeCommand struct {
	// Argv[0] is the tool's name; an element "glob:PATTERN" matches with path.Match.
	Argv []string `json:"argv"`
	// Responses are given in order, one per call; the last repeats.
	Responses []fakeResponse `json:"responses"`
	Optional  bool           `json:"optional,omitempty"`
}

type fakeResponse struct {
	Stdout     string `json:"stdout,omitempty"` // file to replay, byte for byte
	StdoutText string `json:"stdout_text,omitempty"`
	Stderr     string `json:"stderr,omitempty"`
	StderrText string `json:"stderr_text,omitempty"`
	Exit       int    `json:"exit"`
	SleepMS    int    `json:"sleep_ms,omitempty"` // after printing, before exiting
	Hang       bool   `json:"hang,omitempty"`     // after printing, sleep until killed
	// WriteArg: write the file named by the value of this flag (e.g. "--output-file")
	// with the content of WriteFrom.
	WriteArg  string `json:"write_arg,omitempty"`
	WriteFrom string `json:"write_from,omitempty"`
	// SetFiles writes files (path -> content) when the command runs: kernel counters that
	// change during a test.
	SetFiles map[string]string `json:"set_files,omitempty"`
}

// fakeBin is the faketool binary (testdata/faketool), built once by TestMain with
// the go command that runs the tests. A separate small binary, not a re-exec of the test
// binary, so that each fake call starts in milliseconds even under -race.
var fakeBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bee-sat-faketool-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fakeBin = filepath.Join(dir, "faketool")
	goBin := "go"
	if root := build.Default.GOROOT; root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			goBin = p
		}
	}
	res := host.Exec{Env: []string{"CGO_ENABLED=0"}}.Run(context.Background(), host.Cmd{
		Argv: []string{goBin, "build", "-o", fakeBin, "./testdata/faketool"}, Timeout: 5 * time.Minute})
	if !res.OK() {
		fmt.Fprintf(os.Stderr, "building the fake tool: %s\n%s", res.Describe(), res.Stderr)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// fake is one scenario installed for a test.
type fake struct {
	t    *testing.T
	dir  string
	sc   fakeScenario
	path string
}

// newFake writes the scenario, puts the fake tools first (and alone) on PATH, and checks
// at the end of the test that no unexpected command ran and every expected one did.
func newFake(t *testing.T, sc fakeScenario) *fake {
	t.Helper()
	dir := t.TempDir()
	f := &fake{t: t, dir: dir, sc: sc, path: filepath.Join(dir, "scenario.json")}
	b, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "state"), 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := map[string]bool{}
	for _, m := range sc.Missing {
		missing[m] = true
	}
	for _, tool := range fakeTools {
		if !missing[tool] {
			if err := os.Symlink(fakeBin, filepath.Join(bin, tool)); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Setenv("PATH", bin)
	t.Cleanup(f.check)
	return f
}

func (f *fake) env() []string { return []string{fakeEnvVar + "=" + f.path} }

// calls returns the argv of every command run so far, in order.
func (f *fake) calls() [][]string {
	return readLog(f.t, filepath.Join(f.dir, "state", "calls.log"))
}

func readLog(t *testing.T, p string) [][]string {
	fh, err := os.Open(p)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out [][]string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		var argv []string
		if err := json.Unmarshal(sc.Bytes(), &argv); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, argv)
	}
	return out
}

func (f *fake) check() {
	t := f.t
	for _, argv := range readLog(t, filepath.Join(f.dir, "state", "unexpected.log")) {
		t.Errorf("unexpected command run: %q", argv)
	}
	for i, c := range f.sc.Commands {
		if c.Optional {
			continue
		}
		if _, err := os.Stat(filepath.Join(f.dir, "state", fmt.Sprintf("cmd-%d.count", i))); err != nil {
			t.Errorf("expected command never ran: %q", c.Argv)
		}
	}
}

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

func cmd(argv ...string) fakeCommand { return fakeCommand{Argv: argv} }

func (c fakeCommand) out(file string, exit int) fakeCommand {
	c.Responses = append(c.Responses, fakeResponse{Stdout: file, Exit: exit})
	return c
}

func (c fakeCommand) resp(r fakeResponse) fakeCommand {
	c.Responses = append(c.Responses, r)
	return c
}

func (c fakeCommand) optional() fakeCommand {
	c.Optional = true
	return c
}
