package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/profile"
)

const profileUsage = `Usage:
  bee profile new --from AUDIT --name NAME   write the profile of an audited machine (YAML, stdout)
  bee profile check FILE...                  check profiles: exit 0 valid, 1 invalid, 2 usage
  bee profile diff FILE [--audit AUDIT]      judge a saved audit against a profile, no new audit:
                                             exit 0 no difference, 1 differences, 2 usage
  bee profile schema                         print the JSON Schema of the profile format

A hardware profile says what a server of one model must contain; bee audit
judges the machine against the profile that fits it (see docs/profiles.md):
  bee audit --output golden.json                 # on a known-good machine
  bee profile new --from golden.json --name hgx-h100-8gpu > hgx-h100-8gpu.yaml
  bee audit --profile hgx-h100-8gpu.yaml         # on every machine of that model
`

func profileCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, profileUsage)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, profileUsage)
		return 0
	case "new":
		return profileNew(args[1:], stdout, stderr)
	case "check":
		return profileCheck(args[1:], stdout, stderr)
	case "diff":
		return profileDiff(args[1:], stdout, stderr)
	case "schema":
		if len(args) > 1 {
			if args[1] == "--help" || args[1] == "-h" {
				fmt.Fprintln(stdout, "Usage: bee profile schema\n\nPrint the JSON Schema (draft 2020-12) of the profile format.")
				return 0
			}
			fmt.Fprintln(stderr, "usage: bee profile schema")
			return 2
		}
		stdout.Write(profile.SchemaJSON)
		return 0
	}
	fmt.Fprintf(stderr, "bee profile: unknown subcommand %q\n\n%s", args[0], profileUsage)
	return 2
}

// parseFlags parses fs; help goes to stdout (exit 0), usage errors to stderr (exit 2).
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer, usage string) (ok bool, code int) {
	fs.SetOutput(io.Discard)
	show := func(w io.Writer) {
		fmt.Fprint(w, usage)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			show(stdout)
			return false, 0
		}
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
		show(stderr)
		return false, 2
	}
	return true, 0
}

func profileNew(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bee profile new", flag.ContinueOnError)
	from := fs.String("from", DefaultAuditPath, "the audit JSON of a known-good machine (`FILE`)")
	name := fs.String("name", "", "the profile's `NAME` (letters, digits, . _ -); name the file NAME.yaml")
	usage := "Usage: bee profile new --from AUDIT --name NAME > NAME.yaml\n\nWrite the hardware profile of an audited machine as commented YAML on stdout;\nedit it where the model may vary, then check it with bee profile check.\n\nFlags:\n"
	if ok, code := parseFlags(fs, args, stdout, stderr, usage); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bee profile new: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *name == "" {
		fmt.Fprintln(stderr, "bee profile new: --name NAME is required")
		return 2
	}
	a, err := readAudit(*from)
	if err != nil {
		fmt.Fprintf(stderr, "bee profile new: %v\n", err)
		return 1
	}
	out, err := profile.Generate(a, *name, *from)
	if err != nil {
		fmt.Fprintf(stderr, "bee profile new: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "bee profile new: %v\n", err)
		return 1
	}
	return 0
}

func profileCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bee profile check", flag.ContinueOnError)
	usage := "Usage: bee profile check FILE...\n\nCheck hardware profiles (YAML syntax, the schema, unknown keys, values), with\nline numbers. Exit 0 when every file is valid, 1 when one is not, 2 on usage errors.\n"
	if ok, code := parseFlags(fs, args, stdout, stderr, usage); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, "bee profile check: no FILE given\n\n"+usage)
		return 2
	}
	code := 0
	for _, f := range fs.Args() {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stdout, "%s: %v\n", f, err)
			code = 1
			continue
		}
		p, err := profile.Parse(f, data)
		if err != nil {
			fmt.Fprintln(stdout, err)
			code = 1
			continue
		}
		match := "no match: used only by --profile or bee.profile="
		if m := p.Match; m != nil {
			match = "matches " + m.Manufacturer + " " + m.ProductName
			if m.SKU != nil {
				match += " SKU " + *m.SKU
			}
			if m.Board != nil {
				match += " board " + *m.Board
			}
		}
		fmt.Fprintf(stdout, "%s: ok, profile %s (%s)\n", f, p.Name, match)
	}
	return code
}

func readAudit(path string) (*audit.Audit, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var a audit.Audit
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("%s is not an audit JSON: %v", path, err)
	}
	if a.SchemaVersion != audit.SchemaVersion {
		return nil, fmt.Errorf("%s is not a bee audit (schema_version %d, want %d)", path, a.SchemaVersion, audit.SchemaVersion)
	}
	return &a, nil
}

func profileDiff(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bee profile diff", flag.ContinueOnError)
	from := fs.String("audit", DefaultAuditPath, "the audit JSON to judge (`FILE`)")
	usage := "Usage: bee profile diff FILE [--audit AUDIT]\n\nJudge a saved audit against the profile FILE and print the differences, as\nbee audit --profile FILE would (try an edited profile on the golden audit).\nExit 0 when there is none, 1 when there are (or FILE is broken), 2 on usage errors.\n\nFlags:\n"
	// The profile may come before or after the flags.
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if ok, code := parseFlags(fs, args, stdout, stderr, usage); !ok {
		return code
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bee profile diff: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if file == "" || fs.NArg() > 1 {
		fmt.Fprintln(stderr, "bee profile diff: give one profile FILE (see bee profile diff --help)")
		return 2
	}
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stdout, "%s: %v\n", file, err)
		return 1
	}
	p, err := profile.Parse(file, data)
	if err != nil {
		fmt.Fprintln(stdout, err)
		return 1
	}
	a, err := readAudit(*from)
	if err != nil {
		fmt.Fprintf(stderr, "bee profile diff: %v\n", err)
		return 1
	}
	fsd := profile.Judge(p, a)
	match := "its match does not fit this machine: bee audit would not pick it by itself"
	if p.Matches(a) {
		match = "its match fits this machine"
	} else if p.Match == nil {
		match = "it has no match: used only by --profile or bee.profile="
	}
	fmt.Fprintf(stdout, "profile %s against %s (%s): %d difference(s)\n", p.Name, *from, match, len(fsd))
	for _, f := range fsd {
		fmt.Fprintf(stdout, "  %-7s %-24s %s: %s\n", strings.ToUpper(f.Severity), f.Code, f.Component, f.Message)
	}
	if len(fsd) > 0 {
		return 1
	}
	return 0
}

// profileLine is the audit summary's line about the profile.
func profileLine(a *audit.Audit) string {
	p := a.Hardware.Profile
	if p == nil {
		return ""
	}
	return fmt.Sprintf("profile: %s (%s, by %s): %d difference(s)", p.Name, p.Source, p.MatchedBy, a.Hardware.Summary.ProfileMismatches())
}
