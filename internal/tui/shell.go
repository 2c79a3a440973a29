package tui

import (
	"fmt"
	"io"
	"os"
)

// loginShell is the interactive shell of the "Shell" entry, run on the
// menu's own terminal while the menu waits (tea.Exec). It is not a host.Runner
// command: it has no timeout and no captured output by nature, it belongs to
// the person at the keyboard. It uses os.StartProcess so that package host
// stays the only importer of os/exec.
type loginShell struct {
	path           string
	stdin          io.Reader
	stdout, stderr io.Writer
}

func (s *loginShell) SetStdin(r io.Reader)  { s.stdin = r }
func (s *loginShell) SetStdout(w io.Writer) { s.stdout = w }
func (s *loginShell) SetStderr(w io.Writer) { s.stderr = w }

// fileOr returns v when it is an open file (the terminal), else def: a shell
// needs the terminal itself, not a pipe, for job control and line editing.
func fileOr(v any, def *os.File) *os.File {
	if f, ok := v.(*os.File); ok && f != nil {
		return f
	}
	return def
}

// Run starts `bash -l` and waits for it.
func (s *loginShell) Run() error {
	in := fileOr(s.stdin, os.Stdin)
	out := fileOr(s.stdout, os.Stdout)
	errf := fileOr(s.stderr, os.Stderr)
	fmt.Fprintln(out, "bee: type exit (or Ctrl-D) to return to the menu.")
	p, err := os.StartProcess(s.path, []string{s.path, "-l"}, &os.ProcAttr{
		Env:   os.Environ(),
		Files: []*os.File{in, out, errf},
	})
	if err != nil {
		return fmt.Errorf("start %s: %w", s.path, err)
	}
	st, err := p.Wait()
	if err != nil {
		return err
	}
	if !st.Success() && st.ExitCode() < 0 {
		return fmt.Errorf("%s: %s", s.path, st)
	}
	return nil // the shell's own exit status is the user's business
}
