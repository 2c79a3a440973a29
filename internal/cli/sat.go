package cli

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/beeaudit/bee/internal/cli/satflags"
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/sat"
)

// satCommand is `bee sat nvidia|memory|storage [flags]`: flags parsed by satflags, the
// run by internal/sat. Ctrl-C or
// SIGTERM cancels the run: the tools are killed with their process groups and an archive
// marked interrupted is still written. Further signals are ignored until it is, so a
// second Ctrl-C cannot leave a half-written archive.
func satCommand(args []string, stdout, stderr io.Writer) int {
	a, code, done := satflags.Parse(args, stdout, stderr)
	if done {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return sat.Run(ctx, a, stdout, stderr, sat.Env{
		Runner:   host.Exec{},
		Progress: stderr,
		Terminal: satIsTerminal(stderr),
	})
}

// satIsTerminal reports whether w is a character device (a terminal), so progress lines can
// be rewritten in place.
func satIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
