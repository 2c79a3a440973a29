// Package cli is bee's command line: it parses flags and hands off to the
// packages that do the work. Each subcommand lives in its own file.
package cli

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/beeaudit/bee/internal/flagx"
	"github.com/beeaudit/bee/internal/version"
)

type command struct {
	name  string
	usage string
	run   func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"audit", "inventory every component and judge its health; writes the audit JSON", auditCommand},
		{"profile", "hardware profiles: bee profile new|check|schema (docs/profiles.md)", profileCommand},
		{"tui", "the console menu (tty1 on the live ISO)", tuiCommand},
		{"sat", "acceptance tests: bee sat nvidia|memory|storage", satCommand},
		{"upload", "take results off the machine: object store (spooled) or USB stick (docs/results.md)", uploadCommand},
		{"unattended", "the run the kernel command line asks for: bee.sat=, bee.done= (docs/netboot.md)", unattendedCommand},
		{"image", "a site's ISO from a released one: bee image customize|inspect|netboot (docs/iso.md)", imageCommand},
		{"report", "one report of many servers' audits and sat archives: terminal, CSV, offline HTML", reportCommand},
		{"gpu-stress", "GPU memory and compute stress with result checking (also run as bee-gpu-stress)", gpuStressCommand},
		{"version", "print version and git commit", versionCommand},
		{"help", "show this help", nil},
	}
}

// Main runs bee with the full argv (argv[0] included) and returns the exit status.
func Main(argv []string, stdout, stderr io.Writer) int {
	if len(argv) > 0 && filepath.Base(argv[0]) == "bee-gpu-stress" {
		return gpuStressCommand(argv[1:], stdout, stderr)
	}
	args := argv
	if len(args) > 0 {
		args = args[1:]
	}
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		switch {
		case len(args) > 2:
			fmt.Fprintf(stderr, "bee %s: unexpected argument %q\n", name, args[2])
			return 2
		case len(args) == 1 || args[1] == "help":
			usage(stdout)
			return 0
		}
		for _, c := range commands() {
			if c.name == args[1] && c.run != nil {
				return c.run([]string{"--help"}, stdout, stderr)
			}
		}
		fmt.Fprintf(stderr, "bee help: unknown command %q\n\n", args[1])
		usage(stderr)
		return 2
	case "--version", "-version":
		return versionCommand(nil, stdout, stderr)
	}
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "bee: unknown command %q\n\n", name)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("bee — offline hardware audit and acceptance tests for servers\n\nUsage:\n  bee <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-11s %s\n", c.name, c.usage)
	}
	b.WriteString("\nRun 'bee <command> --help' for a command's flags. Exit codes and output rules:\ndocs/cli.md (README.md has a summary).\n")
	fmt.Fprint(w, b.String())
}

func versionCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bee version", flag.ContinueOnError)
	help := func(w io.Writer) { fmt.Fprintln(w, "Usage: bee version\n\nPrint bee's version and git commit.") }
	if code, done := flagx.Parse(fs, args, stdout, stderr, help); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bee version: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	fmt.Fprintf(stdout, "bee %s (commit %s)\n", version.Version, version.CommitOrUnknown())
	return 0
}
