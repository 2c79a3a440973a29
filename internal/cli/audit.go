package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/profile"
	"github.com/beeaudit/bee/internal/qrsum"
	"github.com/beeaudit/bee/internal/termsafe"
)

// DefaultAuditPath is where the audit is written on the live ISO.
const DefaultAuditPath = "/var/log/bee-audit.json"

func auditCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bee audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	output := fs.String("output", DefaultAuditPath, "write the audit JSON to `FILE` (atomically: temp file + rename)")
	root := fs.String("root", "/", "read /sys, /proc, /dev and /etc under `DIR` (tests, recorded machines)")
	capture := fs.String("capture", "", "record every command and file read into `DIR` for a later --replay")
	replay := fs.String("replay", "", "re-run the parsers on a capture `DIR`; nothing is executed")
	runtime := fs.String("runtime", "", "runtime recorded in the audit: livecd|host (default: livecd when /etc/bee-release exists)")
	failOn := fs.String("fail-on", "", "exit non-zero when the verdict is at least `LEVEL` (warning|fail), for scripts")
	toolTimeout := fs.Duration("tool-timeout", 0, "limit every tool's timeout to `DURATION` (default: per-tool, 15s-90s)")
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	noQR := fs.Bool("no-qr", false, "do not print the QR code")
	profileOpt := fs.String("profile", "", "judge against the hardware profile `FILE|NAME`, or none (default: bee.profile= on the kernel command line, else the profile whose match fits; docs/profiles.md)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: bee audit [flags]\n\nInventory every component (SPEC §5), judge its health and write the audit JSON.\nExit 0 when the audit was written, whatever the verdict (see --fail-on); 1 when it could not be written.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bee audit: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	switch *failOn {
	case "", "warning", "fail":
	default:
		fmt.Fprintf(stderr, "bee audit: --fail-on must be warning or fail, not %q\n", *failOn)
		return 2
	}
	if *replay != "" && *capture != "" {
		fmt.Fprintln(stderr, "bee audit: --capture and --replay cannot be combined")
		return 2
	}

	env := audit.Env{Runner: host.Exec{}, FS: host.RootFS{Root: *root}, Runtime: *runtime,
		Timeouts: audit.DefaultTimeouts.Capped(*toolTimeout)}
	var rec *host.Recorder
	switch {
	case *replay != "":
		rp, err := host.OpenReplay(*replay)
		if err != nil {
			fmt.Fprintf(stderr, "bee audit: %v\n", err)
			return 1
		}
		env.Runner, env.FS = rp, rp.FS()
	case *capture != "":
		var err error
		rec, err = host.NewRecorder(*capture, *root)
		if err != nil {
			fmt.Fprintf(stderr, "bee audit: %v\n", err)
			return 1
		}
		env.Runner, env.FS = rec.Runner(env.Runner), rec.FS(env.FS)
	}

	// Fail before the collectors run when the output cannot be written.
	if err := checkWritableDir(*output); err != nil {
		fmt.Fprintf(stderr, "bee audit: cannot write %s: %v\n", *output, err)
		return 1
	}

	// The hardware profile (docs/profiles.md) is read through the same FS as
	// the machine, so --root, --capture and --replay see the same folders.
	chooser := profile.Chooser{FS: env.FS, Dirs: profile.DefaultDirs, ReadFile: os.ReadFile}
	env.Judge = func(a *audit.Audit) []audit.Finding { return chooser.Apply(*profileOpt, a) }

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, env.Timeouts.MaxDurationOrDefault())
	defer cancel()
	if !*quiet {
		chooser.Note = func(line string) { fmt.Fprintf(stderr, "bee audit: profile: %s\n", line) }
		env.Progress = func(name, status string) {
			if status != "running" {
				fmt.Fprintf(stderr, "bee audit: %-8s %s\n", termsafe.Line(name), termsafe.Line(status))
			}
		}
	}
	a := audit.Run(ctx, env)
	if rec != nil {
		if err := rec.Close(); err != nil {
			fmt.Fprintf(stderr, "bee audit: capture %s incomplete: %v\n", *capture, err)
		}
	}
	data, err := audit.WriteFile(*output, a)
	if err != nil {
		fmt.Fprintf(stderr, "bee audit: %v (the previous audit, if any, is untouched)\n", err)
		return 1
	}
	if !*quiet {
		printSummary(stdout, a, *output)
		if !*noQR {
			if q, err := qrsum.Render(qrsum.Text(a, data)); err == nil {
				fmt.Fprint(stdout, q)
			} else {
				fmt.Fprintf(stderr, "bee audit: QR code: %v\n", err)
			}
		}
	}
	switch {
	case *failOn == "fail" && a.Hardware.Summary.Verdict == audit.VerdictFail,
		*failOn == "warning" && a.Hardware.Summary.Verdict != audit.VerdictPass:
		return 3
	}
	return 0
}

// checkWritableDir fails early when the output directory is missing or not
// writable, so an unwritable target costs nothing but a clear message.
func checkWritableDir(output string) error {
	dir := filepath.Dir(output)
	f, err := os.CreateTemp(dir, ".bee-write-test-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// printSummary is the short human account of an audit. Every value from the
// machine goes through termsafe.Line: it reaches the terminal escaped, never
// raw (docs/untrusted-text.md); the JSON keeps it exact.
func printSummary(w io.Writer, a *audit.Audit, path string) {
	h := a.Hardware
	var who []string
	if s := h.System; s != nil {
		for _, v := range []*string{s.Manufacturer, s.ProductName} {
			if v != nil {
				who = append(who, *v)
			}
		}
		if s.SerialNumber != nil {
			who = append(who, "S/N "+*s.SerialNumber)
		}
	}
	if len(who) == 0 {
		who = append(who, "unidentified system")
	}
	fmt.Fprintf(w, "%s\n", termsafe.Line(strings.Join(who, " ")))
	s := h.Summary
	fmt.Fprintf(w, "VERDICT: %s — %d failure(s), %d warning(s)\n", strings.ToUpper(s.Verdict), s.Failures, s.Warnings)
	for i, f := range s.Findings {
		if i == 10 {
			fmt.Fprintf(w, "  ... and %d more (see the JSON)\n", len(s.Findings)-10)
			break
		}
		fmt.Fprintf(w, "  %-7s %-22s %s: %s\n", strings.ToUpper(f.Severity), termsafe.Line(f.Code), termsafe.Line(f.Component), termsafe.Line(f.Message))
	}
	if l := profileLine(a); l != "" {
		fmt.Fprintln(w, l)
	}
	var parts []string
	for _, c := range a.Collectors {
		parts = append(parts, termsafe.Line(c.Name+"="+c.Status))
	}
	fmt.Fprintf(w, "collectors: %s\n", strings.Join(parts, " "))
	fmt.Fprintf(w, "audit written to %s\n", termsafe.Line(path))
}
