package sat

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/beeaudit/bee/internal/health"
	"github.com/beeaudit/bee/internal/host"
)

// session is one `bee sat` run in progress: it runs the steps, keeps every raw output
// for the archive, and collects the reasons behind the verdict.
type session struct {
	env  *Env
	m    *Manifest
	prog *progress

	mu      sync.Mutex
	files   []archiveFile
	names   map[string]bool
	reasons []Reason
	// explained: steps a reason was recorded for, also when it repeated an earlier one.
	explained map[string]bool
}

type archiveFile struct {
	name string // relative to the archive's top directory, e.g. "raw/03-memtester.stdout"
	data []byte
}

func newSession(env *Env, m *Manifest) *session {
	return &session{env: env, m: m, names: map[string]bool{}, explained: map[string]bool{}, prog: newProgress(env)}
}

func (s *session) now() time.Time { return s.env.Now().UTC() }

// reason records a cause of the verdict. The same cause (severity, component and
// message) is listed once: memtester missing is one reason, not one per worker; the
// steps it stands for are still marked explained.
func (s *session) reason(sev, component, step, format string, a ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := Reason{Severity: sev, Component: component, Step: step, Message: fmt.Sprintf(format, a...)}
	s.explained[step] = true
	for _, o := range s.reasons {
		if o.Severity == r.Severity && o.Component == r.Component && o.Message == r.Message {
			return
		}
	}
	s.reasons = append(s.reasons, r)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// addFile keeps data for the archive under raw/ and returns its archive path. Names are
// made unique and safe (no path separators from device names).
func (s *session) addFile(name string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addFileLocked(name, data)
}

func (s *session) addFileLocked(name string, data []byte) string {
	name = strings.Trim(unsafeName.ReplaceAllString(name, "_"), "_")
	p := "raw/" + name
	for i := 2; s.names[p]; i++ {
		p = fmt.Sprintf("raw/%s.%d", name, i)
	}
	s.names[p] = true
	s.files = append(s.files, archiveFile{name: p, data: data})
	return p
}

// newStep registers a step and numbers it; the number prefixes its raw files so the
// archive lists them in the order they ran.
func (s *session) newStep(name string, argv []string) *Step {
	st := &Step{Name: name, Argv: argv, Outputs: []string{}}
	st.started = s.now()
	st.StartedAt = st.started.Format(time.RFC3339)
	s.mu.Lock()
	s.m.Steps = append(s.m.Steps, st)
	s.mu.Unlock()
	return st
}

func (s *session) stepPrefix(st *Step) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.m.Steps {
		if x == st {
			return fmt.Sprintf("%02d-%s", i+1, st.Name)
		}
	}
	return st.Name
}

func (s *session) finish(st *Step) {
	end := s.now()
	st.FinishedAt = end.Format(time.RFC3339)
	st.DurationMS = end.Sub(st.started).Milliseconds()
}

// skip records a step that is deliberately not run.
func (s *session) skip(ctx context.Context, name string, argv []string, why string) *Step {
	st := s.newStep(name, argv)
	s.finish(st)
	st.Status, st.Message = StatusSkipped, why
	if ctx.Err() != nil {
		st.Status, st.Message = StatusInterrupted, "not started: the run was interrupted"
	}
	return st
}

// cmdOpts tune one command step.
type cmdOpts struct {
	timeout time.Duration
	// quiet: no progress line (short helper commands such as pollers).
	quiet bool
	// expectCancel: the step is stopped on purpose by canceling ctx (a sampler); the
	// cancellation is not an error unless the run itself was interrupted (parent).
	expectCancel bool
	parent       context.Context
}

// exec runs one external command as a step and keeps its stdout (always) and stderr
// (when not empty). The step's status is set from how the command ended: StatusError
// when it could not run or timed out, StatusInterrupted when the run was interrupted,
// and otherwise left empty for the caller, who must judge the output (never the exit
// code alone) and set it.
func (s *session) exec(ctx context.Context, name string, argv []string, o cmdOpts) (*Step, host.Result) {
	if ctx.Err() != nil && !o.expectCancel {
		st := s.skip(ctx, name, argv, "")
		return st, host.Result{Argv: argv, ExitCode: -1, Err: fmt.Errorf("%w: %v", host.ErrCanceled, ctx.Err())}
	}
	st := s.newStep(name, argv)
	st.TimeoutMS = o.timeout.Milliseconds()
	var stop func()
	if !o.quiet {
		stop = s.prog.command(name, st.started, o.timeout)
	}
	res := s.env.Runner.Run(ctx, host.Cmd{Argv: argv, Timeout: o.timeout})
	if stop != nil {
		stop()
	}
	s.finish(st)
	prefix := s.stepPrefix(st)
	if !errors.Is(res.Err, host.ErrNotFound) { // a tool that is not there printed nothing
		st.Outputs = append(st.Outputs, s.addFile(prefix+".stdout", res.Stdout))
	}
	if len(res.Stderr) > 0 {
		st.Outputs = append(st.Outputs, s.addFile(prefix+".stderr", res.Stderr))
	}
	if res.Err == nil || res.ExitCode >= 0 {
		code := res.ExitCode
		st.ExitCode = &code
	}
	parent := o.parent
	if parent == nil {
		parent = ctx
	}
	switch {
	case res.Err == nil:
	case errors.Is(res.Err, host.ErrCanceled) && o.expectCancel && parent.Err() == nil:
		// stopped on purpose
	case errors.Is(res.Err, host.ErrCanceled):
		st.Status, st.Error = StatusInterrupted, res.Err.Error()
	case errors.Is(res.Err, host.ErrNotFound):
		st.Status, st.Error = StatusError, fmt.Sprintf("%s not found on PATH", argv[0])
	default:
		st.Status, st.Error = StatusError, res.Err.Error()
	}
	return st, res
}

// read runs fn as a step that reads kernel files; fn returns the parsed result and the
// raw files read (absolute path -> content), which go to the archive.
func (s *session) read(ctx context.Context, name string, fn func() (any, map[string][]byte, error)) *Step {
	if ctx.Err() != nil {
		return s.skip(ctx, name, nil, "")
	}
	st := s.newStep(name, nil)
	res, files, err := fn()
	s.finish(st)
	st.Result = res
	prefix := s.stepPrefix(st)
	if len(files) > 0 {
		// One text file per step: "==> path <==" headers, like tail(1) prints them.
		var b strings.Builder
		for _, p := range sortedKeys(files) {
			fmt.Fprintf(&b, "==> %s <==\n%s", p, files[p])
			if c := files[p]; len(c) > 0 && c[len(c)-1] != '\n' {
				b.WriteByte('\n')
			}
		}
		st.Outputs = append(st.Outputs, s.addFile(prefix+".txt", []byte(b.String())))
	}
	if err != nil {
		st.Status, st.Error = StatusError, err.Error()
	} else {
		st.Status = StatusOK
	}
	return st
}

// fail, warn and ok set a step's status and message; fail and warn also record a reason.
func (s *session) fail(st *Step, component, format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	st.Status = worse(st.Status, StatusFail)
	st.Message = joinMsg(st.Message, msg)
	s.reason(SeverityFailure, component, st.Name, "%s", msg)
}

func (s *session) warn(st *Step, component, format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	st.Status = worse(st.Status, StatusWarning)
	st.Message = joinMsg(st.Message, msg)
	s.reason(SeverityWarning, component, st.Name, "%s", msg)
}

// judgeIssues turns the issues found by the health rules into reasons: a failure fails
// the step, a warning warns.
func judgeIssues(s *session, st *Step, component string, is []health.Issue) {
	for _, i := range is {
		if i.Severity == health.Failure {
			s.fail(st, component, "%s", i.Message)
		} else {
			s.warn(st, component, "%s", i.Message)
		}
	}
}

func joinMsg(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

var statusRank = map[string]int{"": 0, StatusOK: 1, StatusSkipped: 1, StatusWarning: 2, StatusError: 3, StatusFail: 4, StatusInterrupted: 5}

func worse(a, b string) string {
	if statusRank[b] > statusRank[a] {
		return b
	}
	return a
}

// describeErr is the reason text for a step that did not produce usable output.
func describeErr(st *Step) string {
	if st.Error != "" {
		return st.Error
	}
	if st.Message != "" {
		return st.Message
	}
	return "did not run"
}
