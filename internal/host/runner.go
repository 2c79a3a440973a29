// Package host is bee's only door to the machine: it alone runs external commands
// (os/exec) and reads the filesystem roots (/sys, /proc, /dev). Everything it
// returns can be recorded (Capture) and played back (Replay), so a whole audit can
// be re-run against a recorded machine with nothing executed.
package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrNotFound means the tool is not on PATH (or was not on PATH when a capture
// was recorded). Collectors turn it into status "skipped".
var ErrNotFound = errors.New("not found on PATH")

// ErrTimeout means the command ran past its timeout and was killed together with
// its process group.
var ErrTimeout = errors.New("timed out")

// ErrCanceled means the caller canceled the command (e.g. Ctrl-C).
var ErrCanceled = errors.New("canceled")

// DefaultTimeout applies to a Cmd that names none.
const DefaultTimeout = 30 * time.Second

// CancelGrace is how long a command canceled by its caller (not timed out)
// has between SIGTERM and SIGKILL.
const CancelGrace = 5 * time.Second

// maxOutput bounds what is kept of one stream; a runaway tool cannot eat memory.
const maxOutput = 64 << 20

// Cmd is one external command.
type Cmd struct {
	Argv    []string
	Timeout time.Duration // 0 means DefaultTimeout
	// Stream, when set, also receives stdout and stderr as they are produced
	// (for live progress of long acceptance tests).
	Stream io.Writer
}

// Result is what one command did. Err is nil whenever the process ran and
// exited, whatever its exit code: interpreting exit codes is the caller's job
// (smartctl's is a bitmask, not a failure flag).
type Result struct {
	Argv     []string
	Path     string
	Stdout   []byte
	Stderr   []byte
	ExitCode int // -1 when the process did not exit normally
	Started  time.Time
	Duration time.Duration
	Err      error
}

// OK reports whether the command ran and exited 0.
func (r Result) OK() bool { return r.Err == nil && r.ExitCode == 0 }

// StderrTail returns the last n bytes of stderr, trimmed.
func (r Result) StderrTail(n int) string { return tail(r.Stderr, n) }

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(bytes.ToValidUTF8(b, []byte("?"))))
}

// Describe is a one-line account of a failed command, for logs and the audit.
func (r Result) Describe() string {
	argv := strings.Join(r.Argv, " ")
	switch {
	case r.Err != nil:
		return fmt.Sprintf("%s: %v", argv, r.Err)
	case r.ExitCode != 0:
		msg := fmt.Sprintf("%s: exit status %d", argv, r.ExitCode)
		if t := r.StderrTail(200); t != "" {
			msg += ": " + t
		}
		return msg
	}
	return argv + ": ok"
}

// Runner runs external commands.
type Runner interface {
	Run(ctx context.Context, c Cmd) Result
}

// Exec runs commands for real, found on PATH.
type Exec struct {
	// Env is added to the inherited environment (LC_ALL=C is always set so
	// tools print in the format the parsers expect). A PATH in Env is also
	// where commands are looked up: a test that points PATH at its fake tools
	// never reaches the machine's real ones (systemctl poweroff, mount…).
	Env []string
}

// envPath is the last PATH= of env, and whether there is one.
func envPath(env []string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], "PATH="); ok {
			return v, true
		}
	}
	return "", false
}

// lookPath finds name as exec.LookPath does, on the PATH of env when env has
// one, else on the process's PATH.
func lookPath(name string, env []string) (string, error) {
	list, ok := envPath(env)
	if !ok || strings.Contains(name, "/") {
		return exec.LookPath(name)
	}
	for _, dir := range filepath.SplitList(list) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue // like exec.LookPath, never the current directory
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

// Run executes c.Argv with a timeout. On expiry (or when ctx is canceled) the
// whole process group is killed, and WaitDelay stops a grandchild that holds
// stdout open from blocking the audit.
func (e Exec) Run(ctx context.Context, c Cmd) Result {
	res := Result{Argv: c.Argv, ExitCode: -1, Started: time.Now()}
	if len(c.Argv) == 0 {
		res.Err = errors.New("empty command")
		return res
	}
	path, err := lookPath(c.Argv[0], e.Env)
	if err != nil {
		res.Err = fmt.Errorf("%s: %w", c.Argv[0], ErrNotFound)
		return res
	}
	res.Path = path
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	cmd := exec.CommandContext(tctx, path, c.Argv[1:]...)
	cmd.Env = append(append(os.Environ(), e.Env...), "LC_ALL=C")
	cmd.Stdin = nil
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// Negative pid: the whole process group the child leads.
		pgid := -cmd.Process.Pid
		if ctx.Err() != nil {
			// Canceled by the caller (Ctrl-C, a menu's cancel): let the tool
			// clean up (bee sat writes its "interrupted" archive), then kill.
			time.AfterFunc(CancelGrace, func() { _ = syscall.Kill(pgid, syscall.SIGKILL) })
			return syscall.Kill(pgid, syscall.SIGTERM)
		}
		return syscall.Kill(pgid, syscall.SIGKILL) // its own timeout: a hung tool gets no grace
	}
	cmd.WaitDelay = CancelGrace + 2*time.Second
	var stdout, stderr limitedBuffer
	stdout.max, stderr.max = maxOutput, maxOutput
	if c.Stream != nil {
		sw := &syncWriter{w: c.Stream}
		cmd.Stdout = io.MultiWriter(&stdout, sw)
		cmd.Stderr = io.MultiWriter(&stderr, sw)
	} else {
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
	}
	err = cmd.Run()
	res.Duration = time.Since(res.Started)
	res.Stdout, res.Stderr = stdout.buf.Bytes(), stderr.buf.Bytes()
	if cmd.ProcessState != nil && cmd.ProcessState.Exited() {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	switch {
	case errors.Is(tctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil:
		res.Err = fmt.Errorf("%w after %s", ErrTimeout, timeout)
		res.ExitCode = -1
	case ctx.Err() != nil:
		res.Err = fmt.Errorf("%w: %v", ErrCanceled, ctx.Err())
		res.ExitCode = -1
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) && res.ExitCode >= 0 {
			break // ran and exited non-zero: not a runner error
		}
		if errors.Is(err, exec.ErrWaitDelay) && res.ExitCode >= 0 {
			break // exited; a leftover grandchild held the pipes
		}
		res.Err = err
	}
	return res
}

type limitedBuffer struct {
	buf       bytes.Buffer
	max       int
	truncated bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	room := b.max - b.buf.Len()
	if room <= 0 {
		b.truncated = true
		return len(p), nil
	}
	if len(p) > room {
		b.truncated = true
		b.buf.Write(p[:room])
		return len(p), nil
	}
	return b.buf.Write(p)
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = s.w.Write(p) // progress display only: never fail the command for it
	return len(p), nil
}
