package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/flagx"
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/qrsum"
	"github.com/beeaudit/bee/internal/report"
	"github.com/beeaudit/bee/internal/tui"
	"github.com/beeaudit/bee/internal/version"
	"github.com/charmbracelet/x/term"
)

// tuiCommand is `bee tui`, the console menu (internal/tui). Leaving the menu
// exits 0 so that the wrapper script on the ISO drops to a shell.
func tuiCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bee tui", flag.ContinueOnError)
	runtime := fs.String("runtime", "", "where bee runs: livecd (adds reboot and power off) or host (default: livecd when /etc/bee-release exists)")
	auditPath := fs.String("audit", DefaultAuditPath, "the audit JSON to show; the menu runs an audit into `FILE` when there is none")
	bee := fs.String("bee", "", "the bee binary at `PATH` runs the menu's audits and acceptance tests (default: this binary)")
	help := func(w io.Writer) {
		fmt.Fprintln(w, "Usage: bee tui [flags]\n\nThe console menu: what this machine is, whether it is healthy, how to reach it,\nand the actions an engineer needs (audit, acceptance tests, export results to a USB\nstick, network, shell, reboot).\nKeyboard only; works at 80x24 on the text console and on a serial terminal.\nSee docs/tui.md.\n\nFlags:")
		flagx.PrintDefaults(fs, w)
	}
	if code, done := flagx.Parse(fs, args, stdout, stderr, help); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bee tui: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *runtime == "" {
		*runtime = "host"
		if (host.RootFS{Root: "/"}).Exists(report.ReleaseFile) {
			*runtime = "livecd"
		}
	}
	if *runtime != "livecd" && *runtime != "host" {
		fmt.Fprintf(stderr, "bee tui: --runtime must be livecd or host, not %q\n", *runtime)
		return 2
	}
	if *bee == "" {
		exe, err := os.Executable()
		if err != nil {
			fmt.Fprintf(stderr, "bee tui: cannot find this binary (%v); pass --bee PATH\n", err)
			return 2
		}
		*bee = exe
	}

	if !term.IsTerminal(os.Stdin.Fd()) {
		fmt.Fprintln(stderr, "bee tui: standard input is not a terminal: run it on a console, with ssh -t, or in tmux")
		return 1
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	runner := host.Exec{}
	opt := tui.Options{
		Runtime:   *runtime,
		AuditPath: *auditPath,
		Bee:       *bee,
		Version:   version.Version,
		Runner:    runner,
		System:    tui.HostSystem{Runner: runner, FS: host.RootFS{Root: "/"}, Bee: *bee},
		QR: func(a *audit.Audit, raw []byte) (string, error) {
			return qrsum.Render(qrsum.Text(a, raw))
		},
	}
	if err := tui.Run(ctx, opt, os.Stdin, stdout); err != nil {
		fmt.Fprintf(stderr, "bee tui: %v\n", err)
		return 1
	}
	return 0
}
