// Package flagx holds the command-line rules every bee command shares
// (docs/cli.md): help that was asked for goes to stdout with exit 0, a usage
// error goes to stderr with exit 2, and a duration flag given on the command
// line must be positive.
package flagx

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"
)

// ExitUsage is the exit status of a usage error, for every command.
const ExitUsage = 2

// Parse parses args with fs. usage writes the command's full help to w. It
// returns done=true when the command must stop: code 0 after help was asked
// for (-h, -help, --help: the help went to stdout), ExitUsage after a bad flag
// (the flag package's message and a pointer to --help went to stderr).
func Parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer, usage func(w io.Writer)) (code int, done bool) {
	fs.SetOutput(stderr)
	fs.Usage = func() {} // the flag package's own call; we decide below where help goes
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		usage(stdout)
		return 0, true
	}
	fmt.Fprintf(stderr, "Run '%s --help' for its flags.\n", fs.Name())
	return ExitUsage, true
}

// PrintDefaults writes fs's flag list to w (flag.FlagSet.PrintDefaults writes
// only to the set's own output).
func PrintDefaults(fs *flag.FlagSet, w io.Writer) {
	old := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(old)
}

// CheckDurations returns an error naming the first duration flag set on the
// command line to a negative value, or to zero unless its name is in zeroOK
// (a flag whose help documents 0 as "automatic"). Defaults are not checked.
func CheckDurations(fs *flag.FlagSet, zeroOK ...string) error {
	var bad error
	fs.Visit(func(f *flag.Flag) {
		g, ok := f.Value.(flag.Getter)
		if !ok || bad != nil {
			return
		}
		d, ok := g.Get().(time.Duration)
		if !ok {
			return
		}
		if d < 0 {
			bad = fmt.Errorf("--%s must be positive, not %v", f.Name, d)
			return
		}
		if d == 0 {
			for _, z := range zeroOK {
				if z == f.Name {
					return
				}
			}
			bad = fmt.Errorf("--%s must be positive, not 0", f.Name)
		}
	})
	return bad
}
