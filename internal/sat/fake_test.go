package sat

// The fake tools: the test binary re-executes itself under the name of each tool
// (smartctl, memtester, nvidia-smi, ...; symlinks in a directory put first on PATH) and,
// with BEE_FAKE_SCENARIO set, answers from a scenario that maps exact argv to a recorded
// output. An argv that is not in the scenario is logged and answered with exit 127, and
// the test fails; a scenario command that was never run fails the test too (unless
// optional).

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const fakeEnvVar = "BEE_FAKE_SCENARIO"

// fakeTools are linked into the fake PATH unless a scenario says one is missing.
var fakeTools = []string{
	"dmidecode", "memtester", "lsblk", "smartctl", "nvme", "nvidia-smi",
	"nvidia-bug-report.sh", "bee-gpu-stress",
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

func TestMain(m *testing.M) {
	if sc := os.Getenv(fakeEnvVar); sc != "" {
		os.Exit(fakeMain(sc, filepath.Base(os.Args[0]), os.Args[1:]))
	}
	os.Exit(m.Run())
}

func fakeMain(scPath, tool string, args []string) int {
	b, err := os.ReadFile(scPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "faketool: %v\n", err)
		return 126
	}
	var sc fakeScenario
	if err := json.Unmarshal(b, &sc); err != nil {
		fmt.Fprintf(os.Stderr, "faketool: %v\n", err)
		return 126
	}
	argv := append([]string{tool}, args...)
	state := filepath.Join(filepath.Dir(scPath), "state")
	line, _ := json.Marshal(argv)
	appendLine(filepath.Join(state, "calls.log"), string(line))
	idx := -1
	for i, c := range sc.Commands {
		if argvMatch(c.Argv, argv) {
			idx = i
			break
		}
	}
	if idx < 0 {
		appendLine(filepath.Join(state, "unexpected.log"), string(line))
		fmt.Fprintf(os.Stderr, "faketool: unexpected command %q\n", argv)
		return 127
	}
	// The call number of this command: one byte appended per call.
	f, err := os.OpenFile(filepath.Join(state, fmt.Sprintf("cmd-%d.count", idx)), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fmt.Fprintf(os.Stderr, "faketool: %v\n", err)
		return 126
	}
	_, _ = f.Write([]byte{'x'})
	fi, _ := f.Stat()
	f.Close()
	c := sc.Commands[idx]
	n := int(fi.Size()) - 1
	if n >= len(c.Responses) {
		n = len(c.Responses) - 1
	}
	r := c.Responses[n]
	for p, content := range r.SetFiles {
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "faketool: %v\n", err)
			return 126
		}
	}
	if r.WriteArg != "" {
		for i, a := range args {
			if a == r.WriteArg && i+1 < len(args) {
				data, err := os.ReadFile(r.WriteFrom)
				if err == nil {
					err = os.WriteFile(args[i+1], data, 0o644)
				}
				if err != nil {
					fmt.Fprintf(os.Stderr, "faketool: %v\n", err)
					return 126
				}
			}
		}
	}
	out := func(file, text string, w *os.File) {
		if file != "" {
			data, err := os.ReadFile(file)
			if err != nil {
				fmt.Fprintf(os.Stderr, "faketool: %v\n", err)
				os.Exit(126)
			}
			_, _ = w.Write(data)
		}
		_, _ = w.WriteString(text)
	}
	out(r.Stdout, r.StdoutText, os.Stdout)
	out(r.Stderr, r.StderrText, os.Stderr)
	if r.Hang {
		time.Sleep(10 * time.Minute)
	}
	time.Sleep(time.Duration(r.SleepMS) * time.Millisecond)
	return r.Exit
}

func argvMatch(pattern, argv []string) bool {
	if len(pattern) != len(argv) {
		return false
	}
	for i, p := range pattern {
		if g, ok := strings.CutPrefix(p, "glob:"); ok {
			if m, _ := path.Match(g, argv[i]); !m {
				return false
			}
		} else if p != argv[i] {
			return false
		}
	}
	return true
}

func appendLine(p, line string) {
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.WriteString(line + "\n")
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
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	missing := map[string]bool{}
	for _, m := range sc.Missing {
		missing[m] = true
	}
	for _, tool := range fakeTools {
		if !missing[tool] {
			if err := os.Symlink(self, filepath.Join(bin, tool)); err != nil {
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
