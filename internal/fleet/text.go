package fleet

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/termsafe"
)

// column widths of the terminal table (the widest a column may grow).
var textCols = []struct {
	title string
	max   int
	of    func(s *Server, now time.Time) string
}{
	{"SERIAL", 24, func(s *Server, _ time.Time) string { return s.SerialOrUnknown() }},
	{"MODEL", 24, func(s *Server, _ time.Time) string { return s.Model() }},
	{"PROFILE", 16, func(s *Server, _ time.Time) string { return dash(s.Profile) }},
	{"VERDICT", 8, func(s *Server, _ time.Time) string { return s.VerdictOrNone() }},
	{"F/W", 7, func(s *Server, _ time.Time) string {
		if s.Audit == nil {
			return "-"
		}
		return fmt.Sprintf("%d/%d", s.Failures, s.Warnings)
	}},
	{"FIRST FINDING", 44, func(s *Server, _ time.Time) string { return dash(s.FirstFinding()) }},
	{"SAT", 32, func(s *Server, _ time.Time) string { return dash(s.SatSummary()) }},
	{"AGE", 5, func(s *Server, now time.Time) string { return FormatAge(s.Age(now)) }},
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteText writes the terminal report: one line per server, then the groups
// with their differences, then the files that could not be read. Every value
// that came from a machine goes through termsafe.
func WriteText(w io.Writer, r *Report) error {
	var b strings.Builder
	which := "newest audit per serial"
	if r.All {
		which = "every audit"
	}
	fmt.Fprintf(&b, "bee report: %d servers (%d audits, %d acceptance-test archives read; %s)\n\n",
		len(r.Servers), r.Audits, r.SatRuns, which)
	cells := make([][]string, len(r.Servers))
	widths := make([]int, len(textCols))
	for i, c := range textCols {
		widths[i] = termsafe.Width(c.title)
	}
	for i, s := range r.Servers {
		row := make([]string, len(textCols))
		for j, c := range textCols {
			row[j] = termsafe.Fit(termsafe.Line(c.of(s, r.Now)), c.max)
			if w := termsafe.Width(row[j]); w > widths[j] {
				widths[j] = w
			}
		}
		cells[i] = row
	}
	line := func(row []string) {
		var l strings.Builder
		for j, v := range row {
			if j == len(row)-1 {
				l.WriteString(v)
				break
			}
			l.WriteString(v)
			l.WriteString(strings.Repeat(" ", widths[j]-termsafe.Width(v)+2))
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	titles := make([]string, len(textCols))
	for i, c := range textCols {
		titles[i] = c.title
	}
	line(titles)
	for _, row := range cells {
		line(row)
	}
	if len(r.Groups) > 0 {
		b.WriteString("\nModels:\n")
		for _, g := range r.Groups {
			fmt.Fprintf(&b, "  %s\n", termsafe.Line(g.Summary()))
			for _, d := range g.Diffs {
				fmt.Fprintf(&b, "    differs: %s\n", termsafe.Line(d.String()))
			}
		}
	}
	var nvlink []string
	for _, s := range r.Servers {
		if s.Audit == nil {
			continue
		}
		if g := BuildNVLinkGrid(&s.Audit.Hardware); g != nil && g.Bad() {
			nvlink = append(nvlink, s.SerialOrUnknown()+": "+NVLinkSummary(&s.Audit.Hardware))
		}
	}
	if len(nvlink) > 0 {
		b.WriteString("\nNVLink not all up:\n")
		for _, l := range nvlink {
			fmt.Fprintf(&b, "  %s\n", termsafe.Line(l))
		}
	}
	if len(r.Problems) > 0 {
		fmt.Fprintf(&b, "\nNot read (%d):\n", len(r.Problems))
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "  %s\n", termsafe.Line(p.Err))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CSVHeader is the first row of the CSV report.
var CSVHeader = []string{"serial", "manufacturer", "model", "profile", "verdict", "failures", "warnings",
	"first_finding_code", "first_finding_component", "first_finding_message", "findings",
	"sat", "audit_started_at", "age_hours", "audit_file", "nvlink"}

// WriteCSV writes one row per server (RFC 4180, UTF-8). A cell that a
// spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) is
// prefixed with an apostrophe: machine strings are untrusted.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, s := range r.Servers {
		var code, comp, msg string
		if len(s.Findings) > 0 {
			code, comp, msg = s.Findings[0].Code, s.Findings[0].Component, s.Findings[0].Message
		}
		var codes []string
		for _, f := range s.Findings {
			codes = append(codes, f.Code+" "+f.Component)
		}
		var started, age, fails, warns string
		if !s.StartedAt.IsZero() {
			started = s.StartedAt.UTC().Format(time.RFC3339)
		}
		if d := s.Age(r.Now); d >= 0 {
			age = strconv.FormatFloat(d.Hours(), 'f', 1, 64)
		}
		if s.Audit != nil {
			fails, warns = strconv.Itoa(s.Failures), strconv.Itoa(s.Warnings)
		}
		var nvlink string
		if s.Audit != nil {
			nvlink = NVLinkSummary(&s.Audit.Hardware)
		}
		row := []string{s.Serial, s.Manufacturer, s.Product, s.Profile, s.VerdictOrNone(), fails, warns,
			code, comp, msg, strings.Join(codes, "; "), s.SatSummary(), started, age, s.Path, nvlink}
		for i := range row {
			row[i] = csvCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
