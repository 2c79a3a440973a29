// Package satflags is the command line of `bee sat nvidia|memory|storage`: its usage,
// help and flags, parsed into Args. It lives with the other commands' flags under
// internal/cli and imports nothing of internal/sat, which takes Args and runs the test
// (docs/sat.md; exit codes and output rules: docs/cli.md).
package satflags

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/beeaudit/bee/internal/flagx"
	"github.com/beeaudit/bee/internal/report"
)

// Kinds of acceptance test.
const (
	KindNvidia  = "nvidia"
	KindMemory  = "memory"
	KindStorage = "storage"
)

// Exit statuses of `bee sat` that parsing gives: help (pass) and a usage error.
const (
	ExitPass  = 0
	ExitUsage = 2
)

// MaxWorkers bounds `bee sat memory --workers`.
const MaxWorkers = 256

// Args is a parsed `bee sat` command line; only the Kind's own options are set.
type Args struct {
	Kind string
	// Common to every kind.
	OutputDir string
	Root      string
	AuditFile string

	Nvidia  Nvidia
	Memory  Memory
	Storage Storage
}

// Nvidia are `bee sat nvidia`'s options.
type Nvidia struct {
	Duration         time.Duration
	StressTimeout    time.Duration // after Parse: never 0 (0 means --duration plus 3 minutes)
	MemFraction      float64
	SampleInterval   time.Duration
	BugReport        bool
	BugReportTimeout time.Duration
	ToolTimeout      time.Duration
}

// Memory are `bee sat memory`'s options.
type Memory struct {
	SizeMB  int // 0: sized from MemAvailable
	Loops   int
	Workers int // 0: one per CPU
	Timeout time.Duration
}

// Storage are `bee sat storage`'s options.
type Storage struct {
	SelfTest        string // short or none
	SelfTestTimeout time.Duration
	PollInterval    time.Duration
	ToolTimeout     time.Duration
}

// kind is one kind's help text, flags and checks.
type kind struct {
	about    string
	flags    func(fs *flag.FlagSet, a *Args)
	validate func(a *Args) error
}

var kinds = map[string]kind{
	KindNvidia: {
		about: "Saves nvidia-smi -q and -q -x, runs bee-gpu-stress on every GPU (a device-memory\n" +
			"pattern test, an FP32 compute burn whose results are checked on the CPU, and host<->GPU\n" +
			"copy bandwidth judged against the PCIe link) while nvidia-smi samples temperature,\n" +
			"power, clock event reasons and the PCIe link under load (judged against the audit's\n" +
			"hardware profile), compares the GPU error counters (ECC, retired pages, remapped rows)\n" +
			"and NVLink error counters before and after, reports the Xid lines the kernel logged\n" +
			"during the test, and saves the output of nvidia-bug-report.sh. No GPU, no driver or no\n" +
			"libcuda: the verdict is fail.",
		flags: func(fs *flag.FlagSet, a *Args) {
			k := &a.Nvidia
			fs.DurationVar(&k.Duration, "duration", 2*time.Minute, "how long bee-gpu-stress runs")
			fs.DurationVar(&k.StressTimeout, "stress-timeout", 0, "kill bee-gpu-stress after this long (0: --duration plus 3 minutes)")
			fs.Float64Var(&k.MemFraction, "mem-fraction", 0.9, "share of each GPU's free memory the memory test covers")
			fs.DurationVar(&k.SampleInterval, "sample-interval", time.Second, "how often nvidia-smi samples temperature, power and clock event reasons")
			fs.BoolVar(&k.BugReport, "bug-report", true, "run nvidia-bug-report.sh and keep its output")
			fs.DurationVar(&k.BugReportTimeout, "bug-report-timeout", 5*time.Minute, "kill nvidia-bug-report.sh after this long")
			fs.DurationVar(&k.ToolTimeout, "tool-timeout", 2*time.Minute, "timeout of each nvidia-smi report")
		},
		validate: func(a *Args) error {
			k := &a.Nvidia
			if k.StressTimeout == 0 {
				k.StressTimeout = k.Duration + 3*time.Minute
			}
			switch {
			case k.Duration < time.Second:
				return errors.New("--duration must be at least 1s")
			case !(k.MemFraction > 0 && k.MemFraction <= 0.95): // also NaN
				return fmt.Errorf("--mem-fraction %v: want a number greater than 0 and at most 0.95", k.MemFraction)
			case k.SampleInterval < 100*time.Millisecond:
				return errors.New("--sample-interval must be at least 100ms")
			case k.StressTimeout < k.Duration || k.BugReportTimeout <= 0 || k.ToolTimeout <= 0:
				return errors.New("timeouts must be positive, and --stress-timeout at least --duration")
			}
			return nil
		},
	},
	KindMemory: {
		about: "Runs memtester over a safe share of free memory (default: 85% of MemAvailable, leaving\n" +
			"at least 1 GiB to the live system), one memtester per CPU (at least 4 GiB each) side by\n" +
			"side, bounded by --timeout. Any FAILURE fails the test; a\n" +
			"run cut by the time bound with no failure is a warning (incomplete), never a pass.\n" +
			"EDAC (ECC) and PCIe AER counters are read before and after.",
		flags: func(fs *flag.FlagSet, a *Args) {
			k := &a.Memory
			fs.IntVar(&k.SizeMB, "size-mb", 0, "MiB of memory to test (0: 85% of MemAvailable, leaving at least 1 GiB)")
			fs.IntVar(&k.Loops, "loops", 1, "memtester loops (passes over the memory)")
			fs.IntVar(&k.Workers, "workers", 0, "memtester processes side by side, each on its share (0: one per CPU, at least 4 GiB each)")
			fs.DurationVar(&k.Timeout, "timeout", time.Hour, "stop memtester after this long (the result is then incomplete: a warning)")
		},
		validate: func(a *Args) error {
			k := a.Memory
			switch {
			case k.SizeMB < 0:
				return errors.New("--size-mb must not be negative")
			case k.Loops < 1:
				return errors.New("--loops must be at least 1")
			case k.Workers < 0 || k.Workers > MaxWorkers:
				return fmt.Errorf("--workers must be between 0 (auto) and %d", MaxWorkers)
			case k.Timeout <= 0:
				return errors.New("--timeout must be positive")
			}
			return nil
		},
	},
	KindStorage: {
		about: "Reads SMART (smartctl -j -x) of every disk and, for NVMe, the smart-log, error-log and\n" +
			"self-test log (nvme-cli, JSON); starts a short self-test on every disk that supports one\n" +
			"and polls it until it ends or --selftest-timeout; reads SMART again and reports every\n" +
			"error counter that rose. A disk that cannot self-test is recorded as such, not failed.\n" +
			"Never writes to a disk's data area.",
		flags: func(fs *flag.FlagSet, a *Args) {
			k := &a.Storage
			fs.StringVar(&k.SelfTest, "selftest", "short", "self-test to run: short, or none")
			fs.DurationVar(&k.SelfTestTimeout, "selftest-timeout", 3*time.Minute, "how long to wait for the self-tests to finish")
			fs.DurationVar(&k.PollInterval, "poll-interval", 15*time.Second, "how often to ask a disk whether its self-test is done")
			fs.DurationVar(&k.ToolTimeout, "tool-timeout", time.Minute, "timeout of each smartctl / nvme command (a dying disk can hang them)")
		},
		validate: func(a *Args) error {
			k := a.Storage
			switch {
			case k.SelfTest != "short" && k.SelfTest != "none":
				return fmt.Errorf("--selftest %q: want short or none", k.SelfTest)
			case k.SelfTestTimeout <= 0 || k.PollInterval <= 0 || k.ToolTimeout <= 0:
				return errors.New("durations must be positive")
			}
			return nil
		},
	},
}

// Parse reads `bee sat` arguments (after "sat"). done is true when the command is
// over: help was printed (code ExitPass) or the arguments are wrong (code ExitUsage,
// the reason on stderr).
func Parse(args []string, stdout, stderr io.Writer) (a Args, code int, done bool) {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := stderr
		code := ExitUsage
		if len(args) > 0 {
			w, code = stdout, ExitPass
		}
		fmt.Fprint(w, mainUsage)
		return a, code, true
	}
	a.Kind = args[0]
	k, ok := kinds[a.Kind]
	if !ok {
		fmt.Fprintf(stderr, "bee sat: unknown test %q (want nvidia, memory or storage)\n\n%s", a.Kind, mainUsage)
		return a, ExitUsage, true
	}
	fs := flag.NewFlagSet("bee sat "+a.Kind, flag.ContinueOnError)
	fs.StringVar(&a.OutputDir, "output-dir", report.SATDir, "directory the archive is written to (created if missing; its parent must exist)")
	fs.StringVar(&a.Root, "root", "/", "read /sys and /proc under this directory instead of / (tests, replays)")
	fs.StringVar(&a.AuditFile, "audit", report.AuditPath, "audit JSON to take the machine identity from (bee audit writes it at boot)")
	k.flags(fs, &a)
	help := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: bee sat %s [flags]\n\n%s\n\nFlags:\n", a.Kind, k.about)
		flagx.PrintDefaults(fs, w)
		fmt.Fprint(w, exitHelp)
	}
	if code, done := flagx.Parse(fs, args[1:], stdout, stderr, help); done {
		return a, code, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bee sat %s: unexpected argument %q\n", a.Kind, fs.Arg(0))
		return a, ExitUsage, true
	}
	// --stress-timeout 0 is documented as "automatic".
	if err := flagx.CheckDurations(fs, "stress-timeout"); err != nil {
		fmt.Fprintf(stderr, "bee sat %s: %v\n", a.Kind, err)
		return a, ExitUsage, true
	}
	if err := k.validate(&a); err != nil {
		fmt.Fprintf(stderr, "bee sat %s: %v\n", a.Kind, err)
		return a, ExitUsage, true
	}
	return a, 0, false
}

const mainUsage = `Usage: bee sat nvidia|memory|storage [flags]

Acceptance tests. Each writes an evidence archive (manifest.json, summary.txt, every raw
tool output) to /var/log/bee-sat/ and prints "archive: <path>" last. See docs/sat.md;
exit codes and output rules for every command: docs/cli.md.

  nvidia   nvidia-smi reports, bee-gpu-stress on every GPU (memory pattern test, checked
           FP32 compute, host<->GPU bandwidth), the PCIe link under load, GPU and NVLink
           error counters and Xid lines before/after, nvidia-bug-report.sh
  memory   memtester over a safe share of free memory, EDAC counters before/after
  storage  SMART/NVMe logs of every disk and a short self-test where supported

Run 'bee sat <test> --help' for its flags.
` + exitHelp

const exitHelp = `
Exit status: 0 pass, 1 fail, 3 warning, 130 interrupted (archive written, marked
interrupted), 2 usage error, 4 the archive could not be written.
`
