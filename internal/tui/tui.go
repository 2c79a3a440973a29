// Package tui is `bee tui`, the console menu an engineer lands in on tty1 of
// the live ISO (docs/tui.md). Its home screen answers what the machine is, whether
// it is healthy and how to reach it; its menu browses the audit and runs the
// acceptance tests, network fixes, a shell, reboot and power off.
//
// One file per screen holds that screen's keys and its drawing (home.go,
// findings.go, inventory.go, detail.go, satmenu.go, job.go, watch.go, qr.go,
// network.go, static.go, confirm.go, waitaudit.go); model.go holds the state
// and dispatches messages, keys and View to the current screen. Drawing is
// pure (data → strings, render.go and each screen's render function), so
// every screen can be tested as a function as well as through the program.
// It is built for an 80×25 text
// console and an 80×24 serial terminal that may have no colour (terminal.go):
// keyboard only, 8 ANSI colours at most, every state also in words.
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/host"
	tea "github.com/charmbracelet/bubbletea"
)

// Options configures the menu.
type Options struct {
	Runtime   string // "livecd" or "host"; reboot and power off exist only on livecd
	AuditPath string // the audit JSON to show (and where a re-run writes)
	Bee       string // the bee binary that runs `bee audit`, `bee sat` and `bee upload`
	Version   string // shown in the title bar

	Runner host.Runner // runs bee audit/sat, dhclient, ip, systemctl
	System System      // network and service state

	// QR renders the QR code of an audit (qrsum.Render(qrsum.Text(a, raw))).
	QR func(a *audit.Audit, raw []byte) (string, error)
	// Shell is the interactive shell the menu hands the terminal to.
	Shell func() tea.ExecCommand
	// Now is the clock (tests pin it).
	Now func() time.Time
	// Getenv reads TERM and NO_COLOR, which decide colours and attributes
	// (TerminalFor); os.Getenv when nil.
	Getenv func(string) string
	// RuntimeDir holds the acceptance-test lock shared with the menus on the
	// machine's other terminals (/run/bee when empty).
	RuntimeDir string
	// TTY names this menu's terminal to the other menus ("/dev/ttyS0");
	// found from standard input when empty.
	TTY string
	// RefreshEvery is how often network state and the audit file are re-read;
	// 0 means every 5 seconds, negative never (tests).
	RefreshEvery time.Duration
}

func (o *Options) defaults() {
	if o.Runtime == "" {
		o.Runtime = "host"
	}
	if o.Runner == nil {
		o.Runner = host.Exec{}
	}
	if o.System == nil {
		o.System = HostSystem{Runner: o.Runner, FS: host.RootFS{Root: "/"}, Bee: o.Bee}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Shell == nil {
		o.Shell = loginShell
	}
	if o.RefreshEvery == 0 {
		o.RefreshEvery = 5 * time.Second
	}
	if o.Version == "" {
		o.Version = "dev"
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.RuntimeDir == "" {
		o.RuntimeDir = "/run/bee"
	}
	if o.TTY == "" {
		o.TTY = stdinTTY()
	}
}

// stdinTTY is the terminal on standard input ("/dev/ttyS0", "/dev/pts/2"),
// or "" when it cannot be told.
func stdinTTY() string {
	t, err := os.Readlink("/proc/self/fd/0")
	if err != nil || !strings.HasPrefix(t, "/dev/") {
		return ""
	}
	return t
}

// loginShell is the "Shell" entry: `bash -l` on the menu's terminal while the
// menu waits. It has no timeout by design: it belongs to the person at the
// keyboard. On the live CD the menu runs as root (sudo -n), so is the shell.
func loginShell() tea.ExecCommand {
	c := host.Interactive("/bin/bash", "-l") // already attached to the terminal
	return attached{run: func() error {
		fmt.Fprintln(os.Stdout, "bee: type exit (or press Ctrl-D) to return to the menu.")
		err := c.Run()
		var exit interface{ ExitCode() int }
		if errors.As(err, &exit) && exit.ExitCode() >= 0 {
			return nil // the shell's own exit status is the user's business
		}
		return err
	}}
}

// attached is a tea.ExecCommand whose process is attached to the terminal
// already, so the streams bubbletea offers are not needed.
type attached struct{ run func() error }

func (a attached) Run() error        { return a.run() }
func (attached) SetStdin(io.Reader)  {}
func (attached) SetStdout(io.Writer) {}
func (attached) SetStderr(io.Writer) {}

// Run shows the menu on the terminal behind in and out until the user leaves
// it. It returns nil when the user quit.
func Run(ctx context.Context, opt Options, in io.Reader, out io.Writer) error {
	opt.defaults()
	UseTerminal(TerminalFor(opt.Getenv))
	m := New(ctx, opt)
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out), tea.WithAltScreen())
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}
