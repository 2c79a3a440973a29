package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/beeaudit/bee/internal/flagx"
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/results"
	"github.com/beeaudit/bee/internal/unattended"
)

const unattendedUsage = `Usage: bee unattended [flags]

The unattended run after the boot audit (the bee-unattended unit), as the kernel command
line asks:
  bee.sat=memory,storage,nvidia   run these acceptance tests, one after the other; each
                                  archive is uploaded as it completes (bee-upload)
  bee.done=poweroff|reboot|stay   once every result is confirmed by the object store
                                  (or, with no store configured, written here)
Nothing is asked: exit 0 at once. A bad value: a message, nothing run, exit 2.
See docs/netboot.md.

Flags:
`

func unattendedCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bee unattended", flag.ContinueOnError)
	root := fs.String("root", "/", "read /proc/cmdline under this directory (tests, replays)")
	bee := fs.String("bee", "", "the bee binary that runs the sats (default: this one)")
	configFile := fs.String("config", results.DefaultConfigFile, "the object store's settings (whether an upload is configured)")
	spoolDir := fs.String("spool", results.DefaultSpoolDir, "the upload spool to wait on")
	auditFile := fs.String("audit", results.DefaultAuditFile, "the audit file to account for")
	satDir := fs.String("sat-dir", results.DefaultSatDir, "the folder of sat archives to account for")
	satTimeout := fs.Duration("sat-timeout", 6*time.Hour, "stop one bee sat after this long")
	poll := fs.Duration("poll", 10*time.Second, "time between looks at the spool")
	help := func(w io.Writer) {
		fmt.Fprint(w, unattendedUsage)
		flagx.PrintDefaults(fs, w)
	}
	if code, done := flagx.Parse(fs, args, stdout, stderr, help); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bee unattended: unexpected argument %q\n", fs.Arg(0))
		return flagx.ExitUsage
	}
	if err := flagx.CheckDurations(fs); err != nil {
		fmt.Fprintf(stderr, "bee unattended: %v\n", err)
		return flagx.ExitUsage
	}
	if *bee == "" {
		self, err := os.Executable()
		if err != nil {
			fmt.Fprintf(stderr, "bee unattended: %v\n", err)
			return 1
		}
		*bee = self
	}
	rfs := host.RootFS{Root: *root}
	cmdline, _ := rfs.ReadFile("/proc/cmdline")
	cfg, cfgErr := loadUploadConfig("bee unattended", *configFile, cmdline, stdout)
	upload := cfgErr == nil && cfg.Configured()
	if cfgErr != nil && !errors.Is(cfgErr, results.ErrNotConfigured) {
		// A store was meant but its settings are broken: wait on the spool (never power
		// off with results that were meant to leave the machine).
		fmt.Fprintf(stdout, "bee unattended: upload config error: %v — results cannot be confirmed uploaded, so no power action will be taken\n", cfgErr)
		upload = true
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := unattended.Config{
		Runner: host.Exec{}, FS: rfs, Bee: *bee, Console: stdout,
		UploadConfigured: upload, Spool: &results.Spool{Dir: filepath.Clean(*spoolDir)},
		AuditFile: *auditFile, SatDir: *satDir, SATTimeout: *satTimeout, Poll: *poll,
	}
	if _, err := unattended.Run(ctx, c); err != nil {
		if errors.Is(err, unattended.ErrBadCmdline) {
			return flagx.ExitUsage
		}
		return 1
	}
	return 0
}
