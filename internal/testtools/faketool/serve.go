// Package faketool is the one test fake for the external tools bee runs
// (dmidecode, smartctl, nvme, memtester, nvidia-smi, ...), shared by the tests of
// cmd/bee, internal/sat and internal/tui.
//
// A test describes the machine as a Scenario: the exact argv each tool is
// expected to be run with, and the answer of each call (a real capture replayed
// byte for byte from its path in the repository's one capture tree, see
// Capture; or literal text; an exit status; a delay or a hang). New writes the
// scenario to a temporary folder and links the fake binary (./cmd/faketool)
// there under each tool's name; the code under test finds the tools on that
// folder as PATH and runs them as real processes, with the environment that
// Env returns.
//
// The fake is strict. A call whose argv is not in the scenario is answered with
// exit status 127 and a message naming the argv on stderr, and fails the test
// at its end; so does a scenario command that never ran (unless Optional), and
// any error of the fake itself (a capture it cannot read). A command asked
// several times gets its Responses in order, one per call; the last repeats.
package faketool

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// EnvVar names the fake's folder (scenario.json and state/) in the environment
// of the processes the binary runs as.
const EnvVar = "BEE_FAKE_DIR"

// ExitUnexpected is the exit status of a call whose argv is not in the scenario.
const ExitUnexpected = 127

// ExitBroken is the exit status of a call the fake could not answer (scenario
// unreadable, a capture file missing): a fault of the test, reported as one.
const ExitBroken = 126

// hangFor bounds a Hang: the runner under test is expected to kill the process
// long before; if it does not, the test's cleanup does.
const hangFor = 10 * time.Minute

// Scenario is one fake machine: the commands its tools answer.
type Scenario struct {
	Commands []Command `json:"commands"`
	// Tools are linked on PATH besides those the commands name, so that a call
	// the scenario does not expect is answered (and reported) by the fake
	// instead of being "not found".
	Tools []string `json:"tools,omitempty"`
	// Missing tools get no link on PATH even when a command names them: the
	// code under test sees them as not installed.
	Missing []string `json:"missing,omitempty"`
}

// Command is one argv the fake answers.
type Command struct {
	// Argv[0] is the tool's name; an element "glob:PATTERN" matches with
	// path.Match (a path the code under test makes up, such as a temporary file).
	Argv []string `json:"argv"`
	// Responses are given in order, one per call; the last repeats. None
	// answers exit 0 with no output.
	Responses []Response `json:"responses,omitempty"`
	// Optional commands may run any number of times, or never.
	Optional bool `json:"optional,omitempty"`
}

// Cmd is a command for argv with no response yet (exit 0, no output).
func Cmd(argv ...string) Command { return Command{Argv: argv} }

// Replay adds a response that replays file on stdout and exits with exit.
func (c Command) Replay(file string, exit int) Command {
	return c.Answer(Response{Stdout: file, Exit: exit})
}

// Answer adds a response.
func (c Command) Answer(r Response) Command {
	c.Responses = append(slices.Clone(c.Responses), r)
	return c
}

// MayRun marks the command optional: it may run any number of times, or never.
func (c Command) MayRun() Command {
	c.Optional = true
	return c
}

// Response is the answer to one call.
type Response struct {
	Stdout     string `json:"stdout,omitempty"`      // file replayed byte for byte (absolute path)
	StdoutText string `json:"stdout_text,omitempty"` // valid UTF-8 only (JSON): arbitrary bytes go in a file
	Stderr     string `json:"stderr,omitempty"`      // file replayed byte for byte (absolute path)
	StderrText string `json:"stderr_text,omitempty"`
	Exit       int    `json:"exit"`
	// SleepMS delays the exit after the output is written (a tool's latency).
	SleepMS int `json:"sleep_ms,omitempty"`
	// Hang: after the output, wait until killed (a hung tool).
	Hang bool `json:"hang,omitempty"`
	// WriteArg: write the file named by the value of this flag (such as
	// "--output-file") with the content of the file WriteFrom.
	WriteArg  string `json:"write_arg,omitempty"`
	WriteFrom string `json:"write_from,omitempty"`
	// SetFiles writes files (absolute path → content) when the call runs:
	// kernel counters that change during a test.
	SetFiles map[string]string `json:"set_files,omitempty"`
	// WaitCue: after the output, wait until the test calls Fake.Cue with this
	// name (or the process is killed): a tool that is half-way through while the
	// test looks at what the code under test shows.
	WaitCue string `json:"wait_cue,omitempty"`
	// Then is played after this response (its output, cue, ...); the call
	// exits with the exit status of the last response played.
	Then *Response `json:"then,omitempty"`
}

// Call is one run of a fake tool, as logged in state/calls.log.
type Call struct {
	Argv []string `json:"argv"`
	Pid  int      `json:"pid"`
}

// Files in the fake's folder.
const (
	scenarioFile   = "scenario.json"
	stateDir       = "state"
	callsLog       = "calls.log"
	unexpectedLog  = "unexpected.log"
	brokenLog      = "broken.log"
	lockFile       = "lock"
	cueDir         = "cues"
	countPrefixFmt = "cmd-%d.count"
)

// Serve answers one call of the fake binary: tool is the name it was run as
// (filepath.Base of argv[0]), args the rest of its argv, dir the fake's folder
// ($BEE_FAKE_DIR). It returns the exit status.
func Serve(dir, tool string, args []string, stdout, stderr io.Writer) int {
	argv := append([]string{tool}, args...)
	if dir == "" {
		fmt.Fprintf(stderr, "faketool: %q: %s is not set\n", argv, EnvVar)
		return ExitBroken
	}
	state := filepath.Join(dir, stateDir)
	broken := func(err error) int {
		line := fmt.Sprintf("faketool: %q: %v", argv, err)
		appendLine(filepath.Join(state, brokenLog), line)
		fmt.Fprintln(stderr, line)
		return ExitBroken
	}
	b, err := os.ReadFile(filepath.Join(dir, scenarioFile))
	if err != nil {
		return broken(err)
	}
	var sc Scenario
	if err := json.Unmarshal(b, &sc); err != nil {
		return broken(fmt.Errorf("%s: %w", scenarioFile, err))
	}
	idx := -1
	for i, c := range sc.Commands {
		if match(c.Argv, argv) {
			idx = i
			break
		}
	}
	// The call number of this command and the log, under a lock: calls of the
	// same argv may run at once (a sampler and a poll), and each must get its own.
	n, err := record(state, argv, idx)
	if err != nil {
		return broken(err)
	}
	if idx < 0 {
		line, _ := json.Marshal(argv)
		appendLine(filepath.Join(state, unexpectedLog), string(line))
		fmt.Fprintf(stderr, "faketool: unexpected command %q: not in the test's scenario\n", argv)
		return ExitUnexpected
	}
	c := sc.Commands[idx]
	if len(c.Responses) == 0 {
		return 0
	}
	exit, err := answer(dir, c.Responses[min(n, len(c.Responses)-1)], args, stdout, stderr)
	if err != nil {
		return broken(err)
	}
	return exit
}

// answer plays one response, then its Then, and returns the last exit status.
func answer(dir string, r Response, args []string, stdout, stderr io.Writer) (int, error) {
	for p, content := range r.SetFiles {
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return 0, err
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
					return 0, err
				}
			}
		}
	}
	for _, o := range []struct {
		file, text string
		w          io.Writer
	}{{r.Stdout, r.StdoutText, stdout}, {r.Stderr, r.StderrText, stderr}} {
		if o.file != "" {
			data, err := os.ReadFile(o.file)
			if err != nil {
				return 0, err
			}
			_, _ = o.w.Write(data)
		}
		_, _ = io.WriteString(o.w, o.text)
	}
	if r.Hang {
		time.Sleep(hangFor) // until the runner (or the test's cleanup) kills the process
	}
	if r.WaitCue != "" {
		p := filepath.Join(dir, cueDir, r.WaitCue)
		for deadline := time.Now().Add(hangFor); ; time.Sleep(5 * time.Millisecond) {
			if _, err := os.Stat(p); err == nil {
				break
			}
			if time.Now().After(deadline) {
				return 0, fmt.Errorf("cue %q never given", r.WaitCue)
			}
		}
	}
	time.Sleep(time.Duration(r.SleepMS) * time.Millisecond)
	if r.Then != nil {
		return answer(dir, *r.Then, args, stdout, stderr)
	}
	return r.Exit, nil
}

// record logs the call and returns how many times command idx ran before this
// call (0 the first time); idx < 0 (unexpected) only logs.
func record(state string, argv []string, idx int) (int, error) {
	lf, err := os.OpenFile(filepath.Join(state, lockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return 0, err
	}
	defer lf.Close()
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		return 0, err
	}
	defer syscall.Flock(int(lf.Fd()), syscall.LOCK_UN) //nolint:errcheck // released on close anyway
	line, err := json.Marshal(Call{Argv: argv, Pid: os.Getpid()})
	if err != nil {
		return 0, err
	}
	if err := appendFile(filepath.Join(state, callsLog), string(line)+"\n"); err != nil {
		return 0, err
	}
	if idx < 0 {
		return 0, nil
	}
	p := filepath.Join(state, fmt.Sprintf(countPrefixFmt, idx))
	st, err := os.Stat(p)
	n := 0
	switch {
	case err == nil:
		n = int(st.Size())
	case !errors.Is(err, os.ErrNotExist):
		return 0, err
	}
	return n, appendFile(p, ".")
}

// match compares argv with a command's pattern: exactly, except that a pattern
// element "glob:P" matches with path.Match.
func match(pattern, argv []string) bool {
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

func appendFile(p, s string) error {
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(s)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func appendLine(p, line string) { _ = appendFile(p, line+"\n") }
