package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/flagx"
	"github.com/beeaudit/bee/internal/fleet"
	"github.com/beeaudit/bee/internal/outpath"
	"github.com/beeaudit/bee/internal/results"
)

func reportCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bee report", flag.ContinueOnError)
	all := fs.Bool("all", false, "a row for every audit, not only the newest of each serial")
	csvOut := fs.String("csv", "", "also write the table as CSV to `FILE` (- for standard output: the terminal table is then not printed)")
	htmlOut := fs.String("html", "", "also write the offline HTML report into `DIR` (index.html and servers/)")
	quiet := fs.Bool("quiet", false, "do not print the terminal table")
	uploadConfig := fs.String("upload-config", results.DefaultConfigFile, "the object store's endpoint, credentials and CA for s3:// sources: `FILE`, as for bee upload (docs/results.md)")
	help := func(w io.Writer) {
		fmt.Fprint(w, `Usage: bee report [flags] SOURCE...

One report of many servers (docs/report.md). A SOURCE is a folder (every *.json
audit and *.tar.gz bee sat archive under it, e.g. a USB stick's /bee), an audit
file or archive, @FILE: a list of paths, one per line, or s3://bucket/prefix:
what bee upload stored there (the store's settings from --upload-config). The
newest audit of each system serial is shown (every audit with --all), with the
newest acceptance test of each kind; servers are grouped by model and the
differences between servers of one model are listed.
Exit 0 when the report was made, whatever the verdicts; 1 when nothing could be
read, the store could not be read or an output could not be written; 2 usage
error; 130 interrupted.

Flags:
`)
		flagx.PrintDefaults(fs, w)
	}
	// Flags may follow the sources (bee report /media/bee --html out): parse
	// again after each source; "--" ends the flags.
	var sources []string
	for {
		if code, done := flagx.Parse(fs, args, stdout, stderr, help); done {
			return code
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			sources = append(sources, rest...)
			break
		}
		sources = append(sources, rest[0])
		args = rest[1:]
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "bee report: "+format+"\n", a...)
		return flagx.ExitUsage
	}
	if len(sources) == 0 {
		return usageErr("give at least one SOURCE (a folder, an audit file, a bee sat archive, @LIST, or s3://bucket/prefix)")
	}
	csvToStdout := *csvOut == "-"
	if *csvOut != "" && !csvToStdout {
		p, err := outpath.File("csv", *csvOut)
		if err != nil {
			if outpath.IsUsage(err) {
				return usageErr("%v", err)
			}
			fmt.Fprintf(stderr, "bee report: cannot write %s: %v\n", *csvOut, err)
			return 1
		}
		*csvOut = p
	}
	if *htmlOut != "" {
		if err := outpath.Dir("html", *htmlOut); err != nil {
			return usageErr("%v", err)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r, err := fleet.Collect(ctx, sources, fleet.Options{All: *all, UploadConfig: *uploadConfig,
		Warn: func(msg string) { fmt.Fprintf(stderr, "bee report: warning: %s\n", msg) }})
	var se *fleet.SourceError
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "bee report: interrupted; nothing written")
		return 130
	case errors.As(err, &se):
		return usageErr("%v", err)
	case err != nil:
		fmt.Fprintf(stderr, "bee report: %v\n", err)
		return 1
	}
	if len(r.Servers) == 0 {
		fmt.Fprintf(stderr, "bee report: no audit or bee sat archive found in %v\n", sources)
		for _, p := range r.Problems {
			fmt.Fprintf(stderr, "  %s\n", p.Err)
		}
		return 1
	}

	code := 0
	if !*quiet && !csvToStdout {
		if err := fleet.WriteText(stdout, r); err != nil {
			return 1
		}
	} else if len(r.Problems) > 0 {
		fmt.Fprintf(stderr, "bee report: %d files not read (run without --quiet for the list)\n", len(r.Problems))
	}
	if *csvOut != "" {
		var b bytes.Buffer
		if err := fleet.WriteCSV(&b, r); err != nil {
			fmt.Fprintf(stderr, "bee report: csv: %v\n", err)
			return 1
		}
		if csvToStdout {
			if _, err := stdout.Write(b.Bytes()); err != nil {
				return 1
			}
		} else if err := writeInto(*csvOut, b.Bytes()); err != nil {
			fmt.Fprintf(stderr, "bee report: %v\n", err)
			code = 1
		}
	}
	if *htmlOut != "" {
		if _, err := outpath.EnsureDir(*htmlOut); err != nil {
			fmt.Fprintf(stderr, "bee report: --html %s: %v\n", *htmlOut, err)
			return 1
		}
		if err := fleet.WriteHTML(*htmlOut, r); err != nil {
			fmt.Fprintf(stderr, "bee report: --html %s: %v\n", *htmlOut, err)
			return 1
		}
		if !csvToStdout && !*quiet {
			fmt.Fprintf(stdout, "\nHTML: %s\n", filepath.Join(*htmlOut, "index.html"))
		}
	}
	return code
}

// writeInto writes a file through a temporary file and a rename (its folder
// is created when missing, not its parents: docs/cli.md).
func writeInto(path string, b []byte) error {
	if _, err := outpath.EnsureDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return audit.WriteAtomic(path, b, 0o644)
}
