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
	"strings"
	"syscall"
	"time"

	"github.com/beeaudit/bee/internal/flagx"
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/results"
	"github.com/beeaudit/bee/internal/termsafe"
	"github.com/beeaudit/bee/internal/usbstick"
)

// DefaultUSBStatusFile holds the last stick copy's one-line outcome, for the menu.
const DefaultUSBStatusFile = "/run/bee/usb-results.status"

const uploadUsage = `Usage:
  bee upload --status            what is waiting in the spool, the last error, the store
  bee upload --daemon            spool every result and upload it to the object store,
                                 retrying forever (the bee-upload unit on the live ISO)
  bee upload --once              one pass of the daemon: exit 0 when nothing is left
                                 pending, 1 when something is
  bee upload --usb [--device D]  copy every result to the USB stick labelled BEE-RESULTS
                                 (/bee/<serial>/ on it), then sync and unmount it

Results are /var/log/bee-audit.json and every finished archive in /var/log/bee-sat/.
The store is named in /etc/bee/upload.yaml (build.sh --upload-config FILE) or by
bee.upload=s3://bucket/prefix and bee.upload.endpoint=URL on the kernel command line;
credentials only ever come from the file. Nothing on this machine is deleted because it
was uploaded. See docs/results.md.

Flags:
`

func uploadCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bee upload", flag.ContinueOnError)
	status := fs.Bool("status", false, "print what is pending and the last error")
	daemon := fs.Bool("daemon", false, "spool and upload forever (until SIGTERM)")
	once := fs.Bool("once", false, "one scan and one upload pass")
	usb := fs.Bool("usb", false, "copy the results to the USB stick labelled "+usbstick.Label)
	device := fs.String("device", "", "with --usb: the block device (default: the one blkid finds labelled "+usbstick.Label+"); its label is checked either way")
	configFile := fs.String("config", results.DefaultConfigFile, "the object store's settings and credentials (YAML, mode 0600)")
	cmdlineFile := fs.String("cmdline", "/proc/cmdline", "kernel command line to read bee.upload= and bee.upload.endpoint= from")
	spoolDir := fs.String("spool", results.DefaultSpoolDir, "where results wait until the store confirms them")
	auditFile := fs.String("audit", results.DefaultAuditFile, "the audit file to take off the machine")
	satDir := fs.String("sat-dir", results.DefaultSatDir, "the folder of sat archives to take off the machine")
	mountDir := fs.String("mount-dir", usbstick.DefaultMountDir, "with --usb: where the stick is mounted while written")
	usbStatus := fs.String("usb-status-file", DefaultUSBStatusFile, "where --usb writes its outcome line for the menu, and --status reads it (empty: nowhere)")
	interval := fs.Duration("interval", 5*time.Second, "with --daemon: time between scans for new results")
	help := func(w io.Writer) {
		fmt.Fprint(w, uploadUsage)
		flagx.PrintDefaults(fs, w)
	}
	if code, done := flagx.Parse(fs, args, stdout, stderr, help); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bee upload: unexpected argument %q\n", fs.Arg(0))
		return flagx.ExitUsage
	}
	if err := flagx.CheckDurations(fs); err != nil {
		fmt.Fprintf(stderr, "bee upload: %v\n", err)
		return flagx.ExitUsage
	}
	modes := 0
	for _, m := range []bool{*status, *daemon, *once, *usb} {
		if m {
			modes++
		}
	}
	if modes != 1 {
		fmt.Fprintln(stderr, "bee upload: give exactly one of --status, --daemon, --once, --usb")
		return flagx.ExitUsage
	}
	if *device != "" && !*usb {
		fmt.Fprintln(stderr, "bee upload: --device goes with --usb")
		return flagx.ExitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *usb {
		return uploadUSB(ctx, *device, *mountDir, *auditFile, *satDir, *usbStatus, stdout, stderr)
	}

	var cmdline []byte
	if *cmdlineFile != "" {
		cmdline, _ = os.ReadFile(*cmdlineFile)
	}
	cfg, cfgErr := loadUploadConfig("bee upload", *configFile, cmdline, stderr)
	if *status {
		// Read only: --status never creates the spool.
		if err := results.WriteStatus(stdout, &results.Spool{Dir: *spoolDir}, cfg, cfgErr, time.Now()); err != nil {
			fmt.Fprintf(stderr, "bee upload: %v\n", err)
			return 1
		}
		if *usbStatus != "" {
			if b, err := os.ReadFile(*usbStatus); err == nil && len(b) > 0 {
				fmt.Fprintf(stdout, "USB stick:   %s\n", termsafe.Line(strings.TrimSpace(string(b))))
			}
		}
		return 0
	}
	if cfgErr != nil {
		if errors.Is(cfgErr, results.ErrNotConfigured) && *daemon {
			// The live ISO starts the unit on every boot; without a store there is nothing to do.
			fmt.Fprintf(stdout, "bee upload: %v; nothing to upload to\n", cfgErr)
			return 0
		}
		fmt.Fprintf(stderr, "bee upload: %v\n", cfgErr)
		return 1
	}
	sp, err := results.OpenSpool(*spoolDir)
	if err != nil {
		fmt.Fprintf(stderr, "bee upload: %v\n", err)
		return 1
	}
	unlock, err := lockSpool(*spoolDir)
	if err != nil {
		fmt.Fprintf(stderr, "bee upload: %v\n", err)
		return 1
	}
	defer unlock()
	sp.CleanTemp()
	d := &results.Daemon{
		Spool: sp, Store: results.NewS3Store(cfg), AuditFile: *auditFile, SatDir: *satDir, Interval: *interval,
		// Messages carry the store's own words: made safe for the console.
		Log: func(format string, a ...any) {
			fmt.Fprintf(stdout, "bee upload: %s\n", termsafe.Line(fmt.Sprintf(format, a...)))
		},
	}
	if *daemon {
		fmt.Fprintf(stdout, "bee upload: uploading results to %s, spool %s\n", cfg, *spoolDir)
		_ = d.Run(ctx)
		return 0
	}
	d.Once(ctx, d.Log, func(_, msg string) {
		if msg != "" {
			fmt.Fprintf(stderr, "bee upload: %s\n", termsafe.Line(msg))
		}
	})
	pending, err := sp.Pending()
	if err != nil {
		fmt.Fprintf(stderr, "bee upload: %v\n", err)
		return 1
	}
	// The same one line the menu shows: "uploads: 2 pending, last error: …".
	if line := results.StatusLine(sp); line != "" {
		fmt.Fprintf(stdout, "bee upload: %s\n", line)
	}
	if len(pending) > 0 {
		return 1
	}
	return 0
}

// lockSpool keeps a second daemon (or --once beside the unit) off the same spool.
func lockSpool(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("spool lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("spool %s is in use by another bee upload (the bee-upload unit?)", dir)
	}
	return func() { f.Close() }, nil
}

func uploadUSB(ctx context.Context, device, mountDir, auditFile, satDir, statusFile string, stdout, stderr io.Writer) int {
	say := func(code int, msg string) int {
		w := stdout
		if code != 0 {
			w = stderr
		}
		msg = termsafe.Line(msg)
		fmt.Fprintf(w, "bee upload: %s\n", msg)
		if statusFile != "" {
			stamp := time.Now().UTC().Format(time.RFC3339)
			_ = os.MkdirAll(filepath.Dir(statusFile), 0o755)
			_ = os.WriteFile(statusFile, []byte(stamp+" "+msg+"\n"), 0o644) // for the menu; never fatal
		}
		return code
	}
	r := host.Exec{}
	devs := []string{device}
	if device == "" {
		var err error
		devs, err = usbstick.Find(ctx, r)
		if err != nil {
			return say(1, err.Error())
		}
	}
	srcs, err := results.Sources(auditFile, satDir)
	if err != nil {
		return say(1, "list results: "+err.Error())
	}
	if len(srcs) == 0 {
		return say(1, "no results to copy yet ("+auditFile+", "+satDir+")")
	}
	id := results.IdentityFromAudit(ctx, auditFile)
	code := 0
	var msgs []string
	for _, dev := range devs {
		rep, err := usbstick.Copier{Runner: r, MountDir: mountDir}.Copy(ctx, dev, id.Serial, srcs)
		if err != nil {
			code = 1
			msgs = append(msgs, err.Error())
			continue
		}
		msgs = append(msgs, rep.Message())
	}
	return say(code, strings.Join(msgs, "; "))
}

// loadUploadConfig reads the object store's settings as `bee upload` and `bee
// unattended` both do: configFile, then bee.upload= and bee.upload.endpoint= of the
// kernel command line (results.LoadConfig; cmdline is /proc/cmdline's content, nil
// when unreadable). Each warning is printed to w as "<cmd>: warning: ...".
func loadUploadConfig(cmd, configFile string, cmdline []byte, w io.Writer) (results.Config, error) {
	cfg, warnings, err := results.LoadConfig(configFile, string(cmdline))
	for _, m := range warnings {
		fmt.Fprintf(w, "%s: warning: %s\n", cmd, m)
	}
	return cfg, err
}
