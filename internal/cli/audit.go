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
	"github.com/beeaudit/bee/internal/flagx"
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/outpath"
	"github.com/beeaudit/bee/internal/profile"
	"github.com/beeaudit/bee/internal/qrsum"
	"github.com/beeaudit/bee/internal/report"
	"github.com/beeaudit/bee/internal/termsafe"
)

// DefaultAuditPath is where the audit is written on the live ISO (internal/report).
const DefaultAuditPath = report.AuditPath

func auditCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bee audit", flag.ContinueOnError)
	output := fs.String("output", DefaultAuditPath, "write the audit JSON to `FILE` (atomically: temp file + rename); - for standard output")
	root := fs.String("root", "/", "read /sys, /proc, /dev and /etc under `DIR` (tests, recorded machines)")
	capture := fs.String("capture", "", "record every command and file read into `DIR` (new or empty) for a later --replay")
	replay := fs.String("replay", "", "re-run the parsers on a capture `DIR`; nothing is executed")
	runtime := fs.String("runtime", "", "runtime recorded in the audit: livecd|host (default: livecd when /etc/bee-release exists)")
	failOn := fs.String("fail-on", "", "exit non-zero when the verdict is at least `LEVEL` (warning|fail), for scripts")
	toolTimeout := fs.Duration("tool-timeout", 0, "limit every tool's timeout to `DURATION` (default: per-tool, 15s-90s)")
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	progressFmt := fs.String("progress", "human", "progress on standard error: human, or json (one JSON object per line, for programs; docs/cli.md)")
	noQR := fs.Bool("no-qr", false, "do not print the QR code")
	profileOpt := fs.String("profile", "", "judge against the hardware profile `FILE|NAME`, or none (default: bee.profile= on the kernel command line, else the profile whose match fits; docs/profiles.md)")
	help := func(w io.Writer) {
		fmt.Fprint(w, `Usage: bee audit [flags]

Inventory every component, judge its health and write the audit JSON (README.md,
docs/findings.md). Output rules and exit codes: docs/cli.md.
Exit 0 when the audit was written, whatever the verdict (see --fail-on); 1 when it
could not be written (the previous file is untouched); 2 usage error; 3 --fail-on
matched; 130 interrupted (Ctrl-C, SIGTERM: nothing written).

Flags:
`)
		flagx.PrintDefaults(fs, w)
	}
	if code, done := flagx.Parse(fs, args, stdout, stderr, help); done {
		return code
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "bee audit: "+format+"\n", a...)
		return flagx.ExitUsage
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	switch *failOn {
	case "", "warning", "fail":
	default:
		return usageErr("--fail-on must be warning or fail, not %q", *failOn)
	}
	switch *progressFmt {
	case "human", "json":
	default:
		return usageErr("--progress must be human or json, not %q", *progressFmt)
	}
	switch *runtime {
	case "", "livecd", "host":
	default:
		return usageErr("--runtime must be livecd or host, not %q", *runtime)
	}
	if err := flagx.CheckDurations(fs); err != nil {
		return usageErr("%v", err)
	}
	if *replay != "" && *capture != "" {
		return usageErr("--capture and --replay cannot be combined")
	}
	if *replay == "" {
		if fi, err := os.Stat(*root); err != nil || !fi.IsDir() {
			return usageErr("--root %s is not a directory", *root)
		}
	}
	toStdout := *output == "-"
	if !toStdout {
		p, err := outpath.File("output", *output)
		if err != nil {
			if outpath.IsUsage(err) {
				return usageErr("%v", err)
			}
			fmt.Fprintf(stderr, "bee audit: cannot write %s: %v\n", *output, err)
			return 1
		}
		*output = p
	}
	if *capture != "" {
		if err := outpath.Dir("capture", *capture); err != nil {
			return usageErr("%v", err)
		}
		if ents, err := os.ReadDir(*capture); err == nil && len(ents) > 0 {
			return usageErr("--capture %s is not empty: give a new or empty folder", *capture)
		}
	}

	env := audit.Env{Runner: host.Exec{}, FS: host.RootFS{Root: *root}, Runtime: *runtime,
		Timeouts: audit.DefaultTimeouts.Capped(*toolTimeout)}
	if *replay != "" {
		rp, err := host.OpenReplay(*replay)
		if err != nil {
			fmt.Fprintf(stderr, "bee audit: %v\n", err)
			return 1
		}
		env.Runner, env.FS = rp, rp.FS()
	}

	// Fail before the collectors run when the output cannot be written.
	var createdDir string
	if !toStdout {
		dir := filepath.Dir(*output)
		created, err := outpath.EnsureDir(dir)
		if err == nil {
			err = checkWritableDir(*output)
		}
		if created {
			createdDir = dir
		}
		if err != nil {
			removeIfCreated(createdDir)
			fmt.Fprintf(stderr, "bee audit: cannot write %s: %v\n", *output, err)
			return 1
		}
	}
	var rec *host.Recorder
	if *capture != "" {
		var err error
		rec, err = host.NewRecorder(*capture, *root)
		if err != nil {
			removeIfCreated(createdDir)
			fmt.Fprintf(stderr, "bee audit: %v\n", err)
			return 1
		}
		env.Runner, env.FS = rec.Runner(env.Runner), rec.FS(env.FS)
	}

	// The hardware profile (docs/profiles.md) is read through the same FS as
	// the machine, so --root, --capture and --replay see the same folders.
	chooser := profile.Chooser{FS: env.FS, Dirs: profile.DefaultDirs, ReadFile: os.ReadFile}
	env.Judge = func(a *audit.Audit) []audit.Finding { return chooser.Apply(*profileOpt, a) }

	sigCtx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(sigCtx, env.Timeouts.MaxDurationOrDefault())
	defer cancel()
	var jp *jsonProgress
	switch {
	case *progressFmt == "json":
		jp = &jsonProgress{w: stderr, total: len(audit.CollectorNames())}
		chooser.Note = jp.note
		env.Finished = jp.collector
	case !*quiet:
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
	if sigCtx.Err() != nil {
		// Interrupted: a partial audit ("canceled" collectors) must not replace a
		// complete one. Nothing is written.
		removeIfCreated(createdDir)
		what := "the previous audit, if any, is untouched"
		if toStdout {
			what = "nothing was written"
		}
		fmt.Fprintf(stderr, "bee audit: interrupted; %s\n", what)
		return 130
	}
	var data []byte
	var err error
	if toStdout {
		if data, err = audit.Marshal(a); err == nil {
			_, err = stdout.Write(data)
		}
	} else {
		data, err = audit.WriteFile(*output, a)
	}
	if err != nil {
		removeIfCreated(createdDir)
		fmt.Fprintf(stderr, "bee audit: %v (the previous audit, if any, is untouched)\n", err)
		return 1
	}
	jp.done(a.Hardware.Summary.Verdict, *output)
	if !*quiet {
		// With --output - stdout is the JSON alone; the summary goes to stderr.
		w := stdout
		if toStdout {
			w = stderr
		}
		printSummary(w, a, *output)
		if !*noQR && !toStdout {
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

// removeIfCreated removes the output folder bee created when nothing was
// written into it (os.Remove leaves a non-empty folder alone).
func removeIfCreated(dir string) {
	if dir != "" {
		os.Remove(dir)
	}
}

// checkWritableDir fails early when the output directory is missing or not
// writable, so an unwritable target costs nothing but a clear message.
func checkWritableDir(output string) error {
	return outpath.CheckWritable(filepath.Dir(output), ".bee-write-test-*")
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
	for _, c := range a.Collectors {
		if c.Status != audit.StatusOK {
			fmt.Fprintf(w, "  %s %s: %s\n", termsafe.Line(c.Name), termsafe.Line(c.Status), shortReason(c.Error))
		}
	}
	if path == "-" {
		fmt.Fprintln(w, "audit written to standard output")
	} else {
		fmt.Fprintf(w, "audit written to %s\n", termsafe.Line(path))
	}
}

// shortReason is the first line of a collector's error, cut to fit a console
// line; the whole text is in the JSON.
func shortReason(e *string) string {
	if e == nil || *e == "" {
		return "no reason recorded"
	}
	// Escaped first (docs/untrusted-text.md), then cut, so an escape is never
	// cut in half.
	r, _, more := strings.Cut(*e, "\n")
	r = termsafe.Line(r)
	if termsafe.Width(r) > 100 {
		r, more = termsafe.Fit(r, 100), true
	}
	if more {
		r += " (more in the JSON)"
	}
	return r
}
