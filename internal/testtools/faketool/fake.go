package faketool

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/build"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/host"
)

// binPkg is the fake binary's package.
const binPkg = "github.com/beeaudit/bee/internal/testtools/faketool/cmd/faketool"

var (
	// inTestMain is set by RunTests: New refuses to build a binary nobody removes.
	inTestMain bool
	buildOnce  sync.Once
	binDir     string // temporary folder of the binary, removed by RunTests
	binPath    string
	buildErr   error
)

// RunTests runs the package's tests; call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(faketool.RunTests(m)) }
//
// The fake binary is built once, by the first New, with the go command of the
// toolchain that runs the tests (a small separate binary, not a re-exec of the
// test binary, so a call starts in milliseconds even under -race), and removed
// when the tests end.
func RunTests(m *testing.M) int {
	inTestMain = true
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	return code
}

// Bin returns the path of the fake binary, building it on first use.
func Bin(tb testing.TB) string {
	tb.Helper()
	if !inTestMain {
		tb.Fatal("faketool: the package's TestMain must run its tests with faketool.RunTests")
	}
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "bee-faketool-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "faketool")
		goBin := "go"
		if root := build.Default.GOROOT; root != "" {
			if p := filepath.Join(root, "bin", "go"); fileExists(p) {
				goBin = p
			}
		}
		res := host.Exec{Env: []string{"CGO_ENABLED=0"}}.Run(context.Background(), host.Cmd{
			Argv: []string{goBin, "build", "-o", binPath, binPkg}, Timeout: 5 * time.Minute})
		if !res.OK() {
			buildErr = fmt.Errorf("building the fake tool: %s\n%s", res.Describe(), res.Stderr)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binPath
}

// Fake is a scenario installed for one test.
type Fake struct {
	tb  testing.TB
	dir string
	sc  Scenario
	bin string
}

// New installs sc in a temporary folder: the scenario, and a PATH folder with
// the fake binary linked under the name of each tool. At the end of the test it
// fails the test for every call the scenario did not expect, every error of the
// fake, and every non-optional command that never ran, and kills the fake
// processes still running (a Hang the code under test did not end).
func New(tb testing.TB, sc Scenario) *Fake {
	tb.Helper()
	bin := Bin(tb)
	f := &Fake{tb: tb, dir: tb.TempDir(), sc: sc}
	f.bin = filepath.Join(f.dir, "bin")
	for _, d := range []string{f.bin, filepath.Join(f.dir, stateDir), filepath.Join(f.dir, cueDir)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	tools := slices.Clone(sc.Tools)
	for i, c := range sc.Commands {
		if len(c.Argv) == 0 {
			tb.Fatalf("faketool: command %d has no argv", i)
		}
		tools = append(tools, c.Argv[0])
		for _, r := range c.Responses {
			for _, p := range []string{r.Stdout, r.Stderr, r.WriteFrom} {
				if p == "" {
					continue
				}
				if !filepath.IsAbs(p) {
					tb.Fatalf("faketool: %q: %s is not an absolute path", c.Argv, p)
				}
				if _, err := os.Stat(p); err != nil {
					tb.Fatalf("faketool: %q: %v", c.Argv, err)
				}
			}
		}
	}
	slices.Sort(tools)
	for _, tool := range slices.Compact(tools) {
		if tool == "" || strings.ContainsRune(tool, '/') {
			tb.Fatalf("faketool: %q is not a tool name", tool)
		}
		if slices.Contains(sc.Missing, tool) {
			continue
		}
		if err := os.Symlink(bin, filepath.Join(f.bin, tool)); err != nil {
			tb.Fatal(err)
		}
	}
	b, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.dir, scenarioFile), b, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		tb.Helper() // failures point at the test's call of New
		f.check()
		f.kill()
	})
	return f
}

// PathDir is the folder to put alone on PATH: only the fake tools, nothing of
// the machine running the tests.
func (f *Fake) PathDir() string { return f.bin }

// Env is the environment the code under test needs to run the fake tools:
// PATH (the fake tools alone) and the fake's folder.
func (f *Fake) Env() []string {
	return []string{"PATH=" + f.bin, EnvVar + "=" + f.dir}
}

// Cue lets the calls waiting on this name (Response.WaitCue) go on.
func (f *Fake) Cue(name string) {
	f.tb.Helper()
	if err := os.WriteFile(filepath.Join(f.dir, cueDir, name), nil, 0o644); err != nil {
		f.tb.Fatal(err)
	}
}

// Calls returns every call so far, in order.
func (f *Fake) Calls() []Call {
	f.tb.Helper()
	fh, err := os.Open(filepath.Join(f.dir, stateDir, callsLog))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		f.tb.Fatal(err)
	}
	defer fh.Close()
	var out []Call
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c Call
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			f.tb.Fatalf("faketool: %s: %v", callsLog, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		f.tb.Fatal(err)
	}
	return out
}

// Argvs returns the argv of every call so far, in order.
func (f *Fake) Argvs() [][]string {
	var out [][]string
	for _, c := range f.Calls() {
		out = append(out, c.Argv)
	}
	return out
}

// Running returns the process ids of this fake's calls still running.
func (f *Fake) Running() []int {
	var pids []int
	for _, c := range f.Calls() {
		if exe, err := os.Readlink("/proc/" + strconv.Itoa(c.Pid) + "/exe"); err == nil && exe == binPath {
			pids = append(pids, c.Pid)
		}
	}
	return pids
}

func (f *Fake) check() {
	tb := f.tb
	tb.Helper()
	if b, err := os.ReadFile(filepath.Join(f.dir, stateDir, brokenLog)); err == nil {
		tb.Errorf("the fake tools could not answer (a fault of the test):\n%s", b)
	}
	if b, err := os.ReadFile(filepath.Join(f.dir, stateDir, unexpectedLog)); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var argv []string
			_ = json.Unmarshal([]byte(line), &argv)
			tb.Errorf("unexpected command run (answered exit %d): %q", ExitUnexpected, argv)
		}
	}
	for i, c := range f.sc.Commands {
		if c.Optional {
			continue
		}
		if _, err := os.Stat(filepath.Join(f.dir, stateDir, fmt.Sprintf(countPrefixFmt, i))); err != nil {
			tb.Errorf("expected command never ran: %q", c.Argv)
		}
	}
}

func (f *Fake) kill() {
	for _, pid := range f.Running() {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// Capture returns the absolute path of a real capture in the repository's one
// capture tree, internal/parse/<tool>/testdata/<name> (each described in the
// PROVENANCE.md there), and fails the test when it is not there.
func Capture(tb testing.TB, tool, name string) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("faketool: no caller information")
	}
	p := filepath.Join(filepath.Dir(file), "..", "..", "parse", tool, "testdata", filepath.FromSlash(name))
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("capture %s/%s: %v", tool, name, err)
	}
	return p
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
