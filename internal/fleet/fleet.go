// Package fleet builds `bee report`: one report of many machines (a rack, a
// delivery) from their audit files and `bee sat` archives, as a terminal table,
// a CSV file and an offline HTML page (docs/report.md).
//
// Collect reads the sources (folders, files, a list of files) into a Report:
// the newest audit of each system serial number (every audit with All), the
// newest acceptance-test run of each kind for that serial, the servers grouped
// by model, and within each model the values that should be uniform but are
// not (BIOS, DIMM part numbers, GPU VBIOS, disk firmware, ...). A file that
// cannot be read is listed in Report.Problems, never dropped silently; the
// report of the others is still made.
package fleet

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/sat"
)

// Options change what Collect keeps.
type Options struct {
	// All keeps every audit as its own row, not only the newest per serial.
	All bool
	// Now is the time ages are counted from (zero: time.Now()).
	Now time.Time
	// UploadConfig is the file with the object store's endpoint, credentials
	// and CA for s3:// sources (empty: results.DefaultConfigFile).
	UploadConfig string
	// Warn receives warnings that are not about a file (an upload config
	// readable by others); nil drops them.
	Warn func(msg string)
}

// SatRun is one `bee sat` archive's manifest.
type SatRun struct {
	Path        string
	Kind        string
	Verdict     string
	Interrupted bool
	StartedAt   time.Time
	Serial      string
	Product     string
	Reasons     []sat.Reason
}

// Server is one row of the report: a machine (or, with All, one audit of it).
type Server struct {
	// Serial is the system serial number; "" when the audit has none.
	Serial       string
	Manufacturer string
	Product      string
	Profile      string // the hardware profile the audit was judged against
	// Verdict is the audit's verdict; "" when only acceptance-test archives name
	// this serial.
	Verdict   string
	Failures  int
	Warnings  int
	Findings  []audit.Finding
	StartedAt time.Time // the audit's start (zero when unknown)
	Path      string    // the audit file
	Audit     *audit.Audit
	// Sat holds the acceptance-test runs of this serial: the newest of each kind
	// (every run with Options.All), ordered by kind.
	Sat []SatRun
	// Page is the server's page in the HTML report, relative to its index.
	Page string
}

// Model is what servers are grouped by: the product name, with the
// manufacturer when known.
func (s *Server) Model() string {
	switch {
	case s.Product == "" && s.Manufacturer == "":
		return "unknown model"
	case s.Product == "":
		return s.Manufacturer + " (unknown product)"
	}
	return s.Product
}

// SerialOrUnknown is the serial, or a stand-in naming the file.
func (s *Server) SerialOrUnknown() string {
	if s.Serial != "" {
		return s.Serial
	}
	return "(no serial: " + filepath.Base(s.Path) + ")"
}

// VerdictOrNone is the verdict, or "no audit".
func (s *Server) VerdictOrNone() string {
	if s.Verdict == "" {
		return "no audit"
	}
	return s.Verdict
}

// FirstFinding is the audit's first finding (failures come first) as
// "CODE component", or "".
func (s *Server) FirstFinding() string {
	if len(s.Findings) == 0 {
		return ""
	}
	f := s.Findings[0]
	return f.Code + " " + f.Component
}

// SatSummary is "kind verdict" for each run, comma separated.
func (s *Server) SatSummary() string {
	var parts []string
	for _, r := range s.Sat {
		v := r.Verdict
		if r.Interrupted {
			v += " (interrupted)"
		}
		parts = append(parts, r.Kind+" "+v)
	}
	return strings.Join(parts, ", ")
}

// Age is how long before now the audit (or, without one, the newest
// acceptance test) started; negative when unknown.
func (s *Server) Age(now time.Time) time.Duration {
	t := s.StartedAt
	if t.IsZero() {
		for _, r := range s.Sat {
			if r.StartedAt.After(t) {
				t = r.StartedAt
			}
		}
	}
	if t.IsZero() {
		return -1
	}
	return now.Sub(t)
}

// FormatAge writes an age as "45m", "5h", "12d"; "?" when unknown.
func FormatAge(d time.Duration) string {
	switch {
	case d < 0:
		return "?"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

// Problem is a file that was not read into the report, and why.
type Problem struct {
	Path string
	Err  string
}

// Report is everything the three outputs show.
type Report struct {
	Now      time.Time
	All      bool
	Sources  []string
	Audits   int // audit files read
	SatRuns  int // archives read
	Servers  []*Server
	Groups   []*Group
	Problems []Problem
}

// ErrS3 is returned by Files for an s3:// source: Collect reads those.
var ErrS3 = errors.New("s3:// sources are objects, not files: Collect reads them")

// SourceError is a source that does not exist or cannot be read at all: a
// usage error (exit 2), found before any file is read.
type SourceError struct{ msg string }

func (e *SourceError) Error() string { return e.msg }

// maxListBytes bounds an @FILE list of paths.
const maxListBytes = 4 << 20

// Files expands the sources into the files to read: a folder gives every
// *.json and *.tar.gz under it (names starting with "." are skipped: bee's
// temporary and partial files), a file is itself, @FILE reads paths from FILE
// (one per line, relative to FILE's folder; # starts a comment). Each file
// appears once. A subfolder that cannot be read is returned as a Problem.
func Files(ctx context.Context, sources []string) ([]string, []Problem, error) {
	var out []string
	var problems []Problem
	seen := map[string]bool{}
	add := func(p string) {
		k := filepath.Clean(p)
		if abs, err := filepath.Abs(k); err == nil {
			k = abs
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	var expand func(src string, fromList bool) error
	expand = func(src string, fromList bool) error {
		if strings.HasPrefix(src, "s3://") {
			return ErrS3
		}
		if strings.HasPrefix(src, "@") && !fromList {
			list := src[1:]
			b, err := audit.ReadCapped(ctx, list, maxListBytes)
			if err != nil {
				return &SourceError{fmt.Sprintf("list %s: %v", list, err)}
			}
			for _, line := range strings.Split(string(b), "\n") {
				line = strings.TrimSpace(line)
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				if !filepath.IsAbs(line) {
					line = filepath.Join(filepath.Dir(list), line)
				}
				if err := expand(line, true); err != nil {
					return err
				}
			}
			return nil
		}
		fi, err := os.Stat(src)
		if err != nil {
			return &SourceError{fmt.Sprintf("source %s: %v", src, err)}
		}
		if !fi.IsDir() {
			add(src)
			return nil
		}
		return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == src {
					return &SourceError{fmt.Sprintf("source %s: %v", src, err)}
				}
				// An unreadable subfolder is named in the report; the rest still counts.
				problems = append(problems, Problem{Path: p, Err: err.Error()})
				return nil
			}
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			name := d.Name()
			if p != src && strings.HasPrefix(name, ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && (strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".tar.gz")) {
				add(p)
			}
			return nil
		})
	}
	for _, s := range sources {
		if err := expand(s, false); err != nil {
			return nil, nil, err
		}
	}
	return out, problems, nil
}

// loaded is what one file gave.
type loaded struct {
	audit *audit.Audit
	sat   *SatRun
	err   error
}

// Collect reads every file of the sources and builds the report.
func Collect(ctx context.Context, sources []string, o Options) (*Report, error) {
	var local, remote []string
	for _, s := range sources {
		if isS3(s) {
			remote = append(remote, s)
		} else {
			local = append(local, s)
		}
	}
	files, problems, err := Files(ctx, local)
	if err != nil {
		return nil, err
	}
	for _, s := range remote { // a wrong URL is a usage error, found before any reading
		if err := checkS3URL(s); err != nil {
			return nil, err
		}
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	res := make([]loaded, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res[i] = loadFile(ctx, files[i])
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, s := range remote {
		names, got, err := collectS3(ctx, s, o)
		if err != nil {
			return nil, err
		}
		files = append(files, names...)
		res = append(res, got...)
	}

	r := &Report{Now: now, All: o.All, Sources: sources, Problems: problems}
	var servers []*Server
	var runs []SatRun
	for i, l := range res {
		switch {
		case l.err != nil:
			r.Problems = append(r.Problems, Problem{Path: files[i], Err: l.err.Error()})
		case l.audit != nil:
			r.Audits++
			servers = append(servers, serverOf(files[i], l.audit))
		case l.sat != nil:
			r.SatRuns++
			runs = append(runs, *l.sat)
		}
	}
	r.Servers = selectServers(servers, runs, o.All)
	sortServers(r.Servers)
	for i, s := range r.Servers {
		s.Page = fmt.Sprintf("servers/%04d-%s.html", i+1, safeName(s.Serial))
	}
	r.Groups = groupServers(r.Servers)
	return r, nil
}

func loadFile(ctx context.Context, path string) loaded {
	if strings.HasSuffix(path, ".tar.gz") || strings.HasSuffix(path, ".tgz") {
		run, err := ReadSatArchive(ctx, path)
		return loaded{sat: run, err: err}
	}
	a, _, err := audit.Load(ctx, path)
	if err == nil {
		// The commands the collectors ran are not in the report: keep memory low.
		a.Collectors = nil
		return loaded{audit: a}
	}
	// An unpacked manifest.json of a sat archive is not an audit.
	if run, merr := ReadSatManifest(ctx, path); merr == nil {
		return loaded{sat: run}
	}
	return loaded{err: err}
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func serverOf(path string, a *audit.Audit) *Server {
	h := &a.Hardware
	s := &Server{
		Verdict:  h.Summary.Verdict,
		Failures: h.Summary.Failures,
		Warnings: h.Summary.Warnings,
		Findings: h.Summary.Findings,
		Path:     path,
		Audit:    a,
	}
	if h.System != nil {
		s.Serial = strings.TrimSpace(str(h.System.SerialNumber))
		s.Manufacturer = strings.TrimSpace(str(h.System.Manufacturer))
		s.Product = strings.TrimSpace(str(h.System.ProductName))
	}
	if h.Profile != nil {
		s.Profile = h.Profile.Name
	}
	if t, err := time.Parse(time.RFC3339, a.StartedAt); err == nil {
		s.StartedAt = t
	}
	return s
}

// selectServers keeps the newest audit per serial (all with all), attaches
// the acceptance-test runs by serial and makes a row for a serial that has
// runs but no audit.
func selectServers(servers []*Server, runs []SatRun, all bool) []*Server {
	newest := map[string]*Server{}
	var out []*Server
	for _, s := range servers {
		if s.Serial == "" || all {
			out = append(out, s)
			if s.Serial != "" && (newest[s.Serial] == nil || newer(s, newest[s.Serial])) {
				newest[s.Serial] = s
			}
			continue
		}
		if old, ok := newest[s.Serial]; !ok || newer(s, old) {
			newest[s.Serial] = s
		}
	}
	if !all {
		for _, s := range newest {
			out = append(out, s)
		}
	}
	bySerial := map[string][]SatRun{}
	for _, r := range runs {
		bySerial[r.Serial] = append(bySerial[r.Serial], r)
	}
	for serial, rs := range bySerial {
		sort.Slice(rs, func(i, j int) bool {
			if rs[i].Kind != rs[j].Kind {
				return rs[i].Kind < rs[j].Kind
			}
			if !rs[i].StartedAt.Equal(rs[j].StartedAt) {
				return rs[i].StartedAt.After(rs[j].StartedAt)
			}
			return rs[i].Path < rs[j].Path
		})
		if !all {
			var keep []SatRun
			for i, r := range rs {
				if i == 0 || r.Kind != rs[i-1].Kind {
					keep = append(keep, r)
				}
			}
			rs = keep
		}
		s := newest[serial]
		if serial == "" || s == nil {
			// Runs whose machine has no audit here: a row of their own per serial.
			s = &Server{Serial: serial, Product: rs[0].Product}
			if serial == "" {
				s.Path = rs[0].Path
			}
			out = append(out, s)
		}
		s.Sat = rs
	}
	return out
}

// newer: a started after b (the path decides a tie, so the choice is stable).
func newer(a, b *Server) bool {
	if !a.StartedAt.Equal(b.StartedAt) {
		return a.StartedAt.After(b.StartedAt)
	}
	return a.Path > b.Path
}

func verdictRank(v string) int {
	switch v {
	case audit.VerdictFail:
		return 0
	case audit.VerdictWarning:
		return 1
	case audit.VerdictPass:
		return 2
	}
	return 3
}

// sortServers: by model, then the worst verdict first, then serial, then the
// newest audit first.
func sortServers(ss []*Server) {
	sort.SliceStable(ss, func(i, j int) bool {
		a, b := ss[i], ss[j]
		if a.Model() != b.Model() {
			return a.Model() < b.Model()
		}
		if ra, rb := verdictRank(a.Verdict), verdictRank(b.Verdict); ra != rb {
			return ra < rb
		}
		if a.Serial != b.Serial {
			return a.Serial < b.Serial
		}
		return newer(a, b)
	})
}

// safeName is s reduced to a file name part: letters, digits, '.', '-', '_'.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == '.' && b.Len() > 0:
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 48 {
			break
		}
	}
	if b.Len() == 0 {
		return "unknown-serial"
	}
	return b.String()
}
