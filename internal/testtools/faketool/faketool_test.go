package faketool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/host"
)

func TestMain(m *testing.M) { os.Exit(RunTests(m)) }

// recorder stands in for the test the fake reports to, so that a test here can
// check that the fake fails a test, without failing itself.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }

func (r *recorder) failures() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errs, "\n")
}

// run runs a fake tool as the code under test does (internal/host), by its path
// in the fake's PATH folder.
func run(f *Fake, timeout time.Duration, argv ...string) host.Result {
	argv[0] = filepath.Join(f.PathDir(), argv[0])
	return host.Exec{Env: f.Env()}.Run(context.Background(), host.Cmd{Argv: argv, Timeout: timeout})
}

func TestReplaysCapturesInOrder(t *testing.T) {
	sda := Capture(t, "smartctl", "qemu/smartctl-sda.json")
	evo := Capture(t, "smartctl", "nvme_samsung-970evo_media-errors_x.json")
	f := New(t, Scenario{Commands: []Command{
		Cmd("smartctl", "-x", "-j", "/dev/sda").Replay(sda, 4).Replay(evo, 0).
			Answer(Response{StdoutText: "third\n", StderrText: "warn\n", Exit: 3}),
		Cmd("nvme", "list", "glob:/tmp/*.json"),
	}})
	want, err := os.ReadFile(sda)
	if err != nil {
		t.Fatal(err)
	}
	r := run(f, time.Minute, "smartctl", "-x", "-j", "/dev/sda")
	if r.ExitCode != 4 || string(r.Stdout) != string(want) {
		t.Errorf("1st call: exit %d, stdout %d bytes; want 4 and the capture byte for byte (%d bytes)", r.ExitCode, len(r.Stdout), len(want))
	}
	if want, _ := os.ReadFile(evo); string(run(f, time.Minute, "smartctl", "-x", "-j", "/dev/sda").Stdout) != string(want) {
		t.Error("2nd call does not replay the 2nd response")
	}
	for i := range 2 { // the last response repeats
		if r := run(f, time.Minute, "smartctl", "-x", "-j", "/dev/sda"); r.ExitCode != 3 || string(r.Stdout) != "third\n" || string(r.Stderr) != "warn\n" {
			t.Errorf("call %d: exit %d stdout %q stderr %q, want the last response", i+3, r.ExitCode, r.Stdout, r.Stderr)
		}
	}
	if r := run(f, time.Minute, "nvme", "list", "/tmp/x.json"); r.ExitCode != 0 || len(r.Stdout) != 0 {
		t.Errorf("glob argv: %s", r.Describe())
	}
	if n := len(f.Calls()); n != 5 {
		t.Errorf("%d calls logged, want 5: %q", n, f.Argvs())
	}
}

// An argv the scenario does not expect: exit 127 and a message naming it, and
// the test fails; so does an expected command that never ran.
func TestStrict(t *testing.T) {
	rec := &recorder{TB: t}
	f := New(rec, Scenario{Commands: []Command{
		Cmd("smartctl", "-x", "-j", "/dev/sda"),
		Cmd("nvme", "id-ctrl", "/dev/nvme0", "-o", "json"),
		Cmd("ipmitool", "fru").MayRun(),
	}, Tools: []string{"dmidecode"}})
	r := run(f, time.Minute, "smartctl", "-x", "-j", "/dev/sdb")
	if r.ExitCode != ExitUnexpected || !strings.Contains(string(r.Stderr), `["smartctl" "-x" "-j" "/dev/sdb"]`) {
		t.Errorf("unexpected argv: exit %d stderr %q, want %d naming the argv", r.ExitCode, r.Stderr, ExitUnexpected)
	}
	if r := run(f, time.Minute, "dmidecode", "-t", "4"); r.ExitCode != ExitUnexpected {
		t.Errorf("a tool with no command: exit %d, want %d", r.ExitCode, ExitUnexpected)
	}
	run(f, time.Minute, "smartctl", "-x", "-j", "/dev/sda")
	f.check()
	got := rec.failures()
	for _, want := range []string{
		`unexpected command run (answered exit 127): ["smartctl" "-x" "-j" "/dev/sdb"]`,
		`unexpected command run (answered exit 127): ["dmidecode" "-t" "4"]`,
		`expected command never ran: ["nvme" "id-ctrl" "/dev/nvme0" "-o" "json"]`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the test's failures lack %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "\n") != 2 || strings.Contains(got, "sda\"]") || strings.Contains(got, "ipmitool") {
		t.Errorf("failures, want exactly the three above:\n%s", got)
	}
}

// A capture the fake cannot read when called is the test's fault: exit 126 and
// a failure naming it.
func TestBrokenCaptureFailsTheTest(t *testing.T) {
	p := filepath.Join(t.TempDir(), "capture.txt")
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{TB: t}
	f := New(rec, Scenario{Commands: []Command{Cmd("lsblk").Replay(p, 0)}})
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if r := run(f, time.Minute, "lsblk"); r.ExitCode != ExitBroken {
		t.Errorf("exit %d, want %d", r.ExitCode, ExitBroken)
	}
	f.check()
	if got := rec.failures(); !strings.Contains(got, "could not answer") || !strings.Contains(got, p) {
		t.Errorf("failures:\n%s", got)
	}
}

// A hang lasts until the runner kills it (here its timeout); a fake left running
// is listed by Running and killed at the end of the test.
func TestHangAndFail(t *testing.T) {
	f := New(t, Scenario{Commands: []Command{
		Cmd("memtester", "24M", "1").Answer(Response{StdoutText: "partial", Hang: true}),
		Cmd("nvidia-smi", "-q").Answer(Response{StderrText: "NVIDIA-SMI has failed\n", Exit: 9}),
	}})
	r := run(f, 300*time.Millisecond, "memtester", "24M", "1")
	if !errors.Is(r.Err, host.ErrTimeout) || string(r.Stdout) != "partial" {
		t.Errorf("hang: %s, stdout %q", r.Describe(), r.Stdout)
	}
	if r := run(f, time.Minute, "nvidia-smi", "-q"); r.ExitCode != 9 || string(r.Stderr) != "NVIDIA-SMI has failed\n" {
		t.Errorf("fail on cue: %s, stderr %q", r.Describe(), r.Stderr)
	}
	if pids := f.Running(); len(pids) != 0 {
		t.Errorf("killed fake still running: %v", pids)
	}
}

func TestRunningAndMissing(t *testing.T) {
	f := New(t, Scenario{Commands: []Command{
		Cmd("memtester", "24M", "1").Answer(Response{Hang: true}),
		Cmd("smartctl", "--scan").MayRun(),
	}, Missing: []string{"smartctl"}})
	if _, err := os.Lstat(filepath.Join(f.PathDir(), "smartctl")); err == nil {
		t.Error("a missing tool is on PATH")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan host.Result)
	go func() {
		done <- host.Exec{Env: f.Env()}.Run(ctx, host.Cmd{Argv: []string{filepath.Join(f.PathDir(), "memtester"), "24M", "1"}, Timeout: time.Minute})
	}()
	deadline := time.Now().Add(30 * time.Second)
	for len(f.Running()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	pids := f.Running()
	if len(pids) != 1 {
		t.Errorf("Running = %v, want the hung fake", pids)
	}
	f.kill() // what the end of the test does
	deadline = time.Now().Add(10 * time.Second)
	for len(f.Running()) != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if pids := f.Running(); len(pids) != 0 {
		t.Errorf("after kill, Running = %v", pids)
	}
	cancel()
	<-done
}

// A call that is half-way through until the test gives its cue, then ends with
// the rest of its output and its exit status (a bee sat run the TUI shows live).
func TestWaitCueThen(t *testing.T) {
	f := New(t, Scenario{Commands: []Command{
		Cmd("bee", "sat", "memory").Answer(Response{StdoutText: "first half\n", WaitCue: "release",
			Then: &Response{StdoutText: "second half\n", Exit: 1}}),
	}})
	var stream syncBuffer
	done := make(chan host.Result, 1)
	go func() {
		done <- host.Exec{Env: f.Env()}.Run(context.Background(), host.Cmd{
			Argv: []string{filepath.Join(f.PathDir(), "bee"), "sat", "memory"}, Timeout: time.Minute, Stream: &stream})
	}()
	deadline := time.Now().Add(30 * time.Second)
	for stream.String() != "first half\n" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case r := <-done:
		t.Fatalf("the call ended before its cue: %s, stdout %q", r.Describe(), r.Stdout)
	case <-time.After(200 * time.Millisecond):
	}
	if got := stream.String(); got != "first half\n" {
		t.Errorf("before the cue the stream holds %q", got)
	}
	f.Cue("release")
	r := <-done
	if r.ExitCode != 1 || string(r.Stdout) != "first half\nsecond half\n" {
		t.Errorf("after the cue: exit %d stdout %q, want 1 and both halves", r.ExitCode, r.Stdout)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
