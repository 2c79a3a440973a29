// Package sat runs bee's acceptance tests (`bee sat nvidia|memory|storage`, docs/sat.md) and
// writes each run's evidence archive.
//
// A run is a list of steps (external commands and reads of kernel counters). Every raw
// output is kept; each output is parsed, and the verdict is built from what the outputs
// say, never from an exit code alone. A step that could not run, timed out, or whose
// output could not be parsed keeps the verdict from being pass. Error counters (EDAC,
// PCIe AER, and the kind's own: GPU ECC/retired pages/remapped rows, SMART/NVMe) are read
// before and after the test, and any rise is a reason.
//
// The archive /var/log/bee-sat/<kind>-<serial>-<UTC time>.tar.gz holds manifest.json
// (see Manifest), summary.txt and raw/ (every output). It is written to a temporary
// name, fsync'd and renamed, so a file under the final name is always complete; a run
// stopped by Ctrl-C or SIGTERM still writes one, named "...-interrupted.tar.gz", with
// "interrupted": true and verdict fail.
package sat

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/cli/satflags"
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/outpath"
	"github.com/beeaudit/bee/internal/report"
	"github.com/beeaudit/bee/internal/termsafe"
	"github.com/beeaudit/bee/internal/version"
)

// Kinds of acceptance test.
const (
	KindNvidia  = satflags.KindNvidia
	KindMemory  = satflags.KindMemory
	KindStorage = satflags.KindStorage
)

// Exit statuses of `bee sat`. A script that only checks for 0 accepts only a pass.
const (
	ExitPass        = satflags.ExitPass
	ExitFail        = 1
	ExitUsage       = satflags.ExitUsage
	ExitWarning     = 3
	ExitNoArchive   = 4 // the archive could not be written
	ExitInterrupted = 130
)

// Defaults.
const (
	DefaultOutputDir = report.SATDir
	DefaultAuditFile = report.AuditPath
)

// Env is what a run needs from the outside; the zero values of optional fields are
// filled by Main.
type Env struct {
	Runner host.Runner
	// FS reads /sys and /proc; nil means host.RootFS{Root: --root}.
	FS host.FS
	// Now is the clock (tests pin it); nil means time.Now.
	Now func() time.Time
	// Progress receives the progress lines (normally stderr); nil prints none.
	Progress io.Writer
	// Terminal: Progress is a terminal, so the ticking line is rewritten in place.
	Terminal bool
	// Self is the bee binary, run as `bee gpu-stress` by `bee sat nvidia`; "" means
	// os.Executable() (tests name a fake on PATH).
	Self string

	progressTick time.Duration // tests
}

// Common are the flags every kind has.
type Common struct {
	OutputDir string
	Root      string
	AuditFile string
}

// Run is one `bee sat` run with its command line already parsed (internal/cli/satflags):
// the checks against the machine (--root, --audit, --output-dir, the kind's own), the
// test, and the archive.
func Run(ctx context.Context, a satflags.Args, stdout, stderr io.Writer, env Env) int {
	kind := a.Kind
	var k kindRunner
	switch kind {
	case KindNvidia:
		k = newNvidiaKind(a.Nvidia)
	case KindMemory:
		k = newMemoryKind(a.Memory)
	case KindStorage:
		k = newStorageKind(a.Storage)
	default:
		fmt.Fprintf(stderr, "bee sat: unknown test %q (want nvidia, memory or storage)\n", kind)
		return ExitUsage
	}
	c := Common{OutputDir: a.OutputDir, Root: a.Root, AuditFile: a.AuditFile}
	if fi, err := os.Stat(c.Root); err != nil || !fi.IsDir() {
		fmt.Fprintf(stderr, "bee sat %s: --root %s is not a directory\n", kind, c.Root)
		return ExitUsage
	}
	// A FIFO or device as --audit would block the identity read forever.
	if fi, err := os.Stat(c.AuditFile); err == nil && !fi.Mode().IsRegular() {
		fmt.Fprintf(stderr, "bee sat %s: --audit %s is not a regular file\n", kind, c.AuditFile)
		return ExitUsage
	}
	if err := outpath.Dir("output-dir", c.OutputDir); err != nil {
		fmt.Fprintf(stderr, "bee sat %s: %v\n", kind, err)
		if outpath.IsUsage(err) {
			return ExitUsage
		}
		return ExitNoArchive
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.FS == nil {
		env.FS = host.RootFS{Root: c.Root}
	}
	if env.Runner == nil {
		env.Runner = host.Exec{}
	}
	if env.Self == "" {
		env.Self = "bee"
		if exe, err := os.Executable(); err == nil {
			env.Self = exe
		}
	}
	if p, ok := k.(preflighter); ok {
		if err := p.preflight(&env); err != nil {
			fmt.Fprintf(stderr, "bee sat %s: %v\n", kind, err)
			return ExitUsage
		}
	}
	if err := checkOutputDir(c.OutputDir); err != nil {
		fmt.Fprintf(stderr, "bee sat %s: %v\n", kind, err)
		return ExitNoArchive
	}

	res := run(ctx, kind, k, c, &env)
	fmt.Fprint(stdout, res.summary)
	if res.err != nil {
		fmt.Fprintf(stderr, "bee sat %s: %s\n", kind, termsafe.Line(res.err.Error()))
		return ExitNoArchive
	}
	fmt.Fprintf(stdout, "archive: %s\n", res.path)
	switch {
	case res.m.Interrupted:
		return ExitInterrupted
	case res.m.Verdict == VerdictPass:
		return ExitPass
	case res.m.Verdict == VerdictWarning:
		return ExitWarning
	}
	return ExitFail
}

// kindRunner is one kind of acceptance test.
type kindRunner interface {
	// options returns the settings for the manifest.
	options() map[string]any
	// run performs the test's steps. It returns when done or when ctx is canceled.
	run(ctx context.Context, s *session)
	// results is the kind's summary for the manifest and summary.txt.
	results() any
	// summaryLines renders results for summary.txt.
	summaryLines() []string
}

// preflighter is a kind whose flags are checked against the machine (under --root)
// before anything runs; an error is a usage error.
type preflighter interface {
	preflight(env *Env) error
}

type runResult struct {
	m       *Manifest
	path    string
	summary string
	err     error
}

func run(ctx context.Context, kind string, k kindRunner, c Common, env *Env) runResult {
	start := env.Now().UTC()
	m := &Manifest{
		Format:     ManifestFormat,
		Kind:       kind,
		BeeVersion: version.Version,
		BeeCommit:  version.CommitOrUnknown(),
		StartedAt:  start.Format(time.RFC3339),
		Options:    k.options(),
		Steps:      []*Step{},
	}
	m.Options["output_dir"] = c.OutputDir
	m.Options["root"] = c.Root
	m.Options["audit"] = c.AuditFile
	s := newSession(env, m)
	s.identify(ctx, c.AuditFile)
	k.run(ctx, s)

	end := env.Now().UTC()
	m.FinishedAt = end.Format(time.RFC3339)
	m.Results = k.results()
	s.conclude(ctx)
	summary := renderSummary(m, k.summaryLines())
	s.addFileAt("summary.txt", []byte(summary))
	mb, err := marshalIndent(m)
	if err != nil {
		return runResult{m: m, summary: summary, err: fmt.Errorf("encode manifest: %w", err)}
	}
	// manifest.json first in the archive, so `tar tzf | head` shows it.
	files := append([]archiveFile{{name: "manifest.json", data: mb}}, s.files...)
	base := archiveName(kind, m.Machine.SerialNumber, start, m.Interrupted)
	path, err := writeArchive(c.OutputDir, base, files, end)
	s.prog.plan()
	return runResult{m: m, path: path, summary: summary, err: err}
}

func (s *session) addFileAt(name string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files = append(s.files, archiveFile{name: name, data: data})
}

// conclude sets the verdict: the reasons the kind recorded, the counters that rose,
// and the safety net that no step which could not run, or was interrupted, leaves the
// verdict at pass.
func (s *session) conclude(ctx context.Context) {
	m := s.m
	cr := &m.Counters
	cr.Increases, cr.Unmatched = compare(cr.Before, cr.After)
	if cr.Increases == nil {
		cr.Increases = []Increase{}
	}
	if cr.Unmatched == nil {
		cr.Unmatched = []string{}
	}
	for _, inc := range cr.Increases {
		s.reason(inc.Severity, componentOfKey(inc.Key), "", "%s rose from %d to %d during the test", inc.Key, inc.Before, inc.After)
	}
	if len(cr.Unmatched) > 0 && ctx.Err() == nil {
		s.reason(SeverityWarning, "counters", "", "%d error counters could not be compared before/after: %s", len(cr.Unmatched), strings.Join(firstN(cr.Unmatched, 5), ", "))
	}
	if ctx.Err() != nil {
		m.Interrupted = true
		s.reason(SeverityFailure, "run", "", "interrupted (%v): the test did not finish", context.Cause(ctx))
	}
	// Safety net: a step in error that the kind did not already explain.
	explained := s.explained
	for _, st := range m.Steps {
		if st.Status == "" {
			// A step the kind forgot to judge: never silently ok.
			st.Status = StatusError
			st.Message = joinMsg(st.Message, "output not judged")
		}
		if st.Status == StatusError && !explained[st.Name] && !m.Interrupted && !st.advisory {
			s.reason(SeverityWarning, "run", st.Name, "step %s: %s", st.Name, describeErr(st))
		}
	}
	sortReasons(s.reasons)
	m.Reasons = s.reasons
	if m.Reasons == nil {
		m.Reasons = []Reason{}
	}
	m.Verdict = verdictOf(m.Reasons)
}

func componentOfKey(key string) string {
	parts := strings.SplitN(key, "/", 3)
	if len(parts) < 2 {
		return key
	}
	return parts[0] + " " + parts[1]
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("and %d more", len(s)-n))
	}
	return s
}
