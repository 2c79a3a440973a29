package sat

import (
	"fmt"
	"strings"

	"github.com/beeaudit/bee/internal/termsafe"
)

// renderSummary is summary.txt and what `bee sat` prints on stdout: verdict first, then
// the reasons, what was tested, the counters that rose, and the steps. Every value that
// comes from the machine or a tool (names, serials, argv, messages, errors) goes through
// termsafe.Line: one line each, escaped, never raw (docs/untrusted-text.md); the
// manifest and raw/ keep the exact values.
func renderSummary(m *Manifest, results []string) string {
	var b strings.Builder
	l := termsafe.Line
	verdict := strings.ToUpper(m.Verdict)
	if m.Interrupted {
		verdict += " (INTERRUPTED: the test did not finish)"
	}
	fmt.Fprintf(&b, "bee sat %s: %s\n", m.Kind, verdict)
	fmt.Fprintf(&b, "machine: %s\n", l(machineLine(m.Machine)))
	fmt.Fprintf(&b, "bee %s (commit %s); started %s, finished %s\n", m.BeeVersion, m.BeeCommit, m.StartedAt, m.FinishedAt)
	if len(m.Reasons) > 0 {
		b.WriteString("\nReasons:\n")
		for _, r := range m.Reasons {
			fmt.Fprintf(&b, "  %-7s %s: %s\n", r.Severity, l(r.Component), l(r.Message))
		}
	}
	if len(results) > 0 {
		b.WriteString("\nTested:\n")
		for _, l := range results {
			fmt.Fprintf(&b, "  %s\n", termsafe.Line(l))
		}
	}
	cr := m.Counters
	if cr.Before != nil || cr.After != nil {
		n := 0
		if cr.Before != nil {
			n = len(cr.Before.Counters)
		}
		fmt.Fprintf(&b, "\nError counters: %d read before and after; %d rose\n", n, len(cr.Increases))
		for _, inc := range cr.Increases {
			fmt.Fprintf(&b, "  %s: %d -> %d (%s)\n", l(inc.Key), inc.Before, inc.After, inc.Severity)
		}
		if cr.Before != nil {
			for _, note := range cr.Before.Notes {
				fmt.Fprintf(&b, "  note: %s\n", l(note))
			}
		}
	}
	b.WriteString("\nSteps:\n")
	for i, st := range m.Steps {
		what := st.Name
		if len(st.Argv) > 0 {
			what = strings.Join(st.Argv, " ")
		}
		exit := ""
		if st.ExitCode != nil {
			exit = fmt.Sprintf(", exit %d", *st.ExitCode)
		}
		fmt.Fprintf(&b, "  %2d %-11s %s (%s%s)\n", i+1, st.Status, l(what), fmtDur(msDur(st.DurationMS)), exit)
		if st.Error != "" {
			fmt.Fprintf(&b, "     error: %s\n", l(st.Error))
		}
		if st.Message != "" {
			fmt.Fprintf(&b, "     %s\n", l(st.Message))
		}
	}
	return b.String()
}

func machineLine(mc Machine) string {
	var parts []string
	for _, p := range []*string{mc.Manufacturer, mc.ProductName} {
		if p != nil {
			parts = append(parts, *p)
		}
	}
	sn := "unknown"
	if mc.SerialNumber != nil {
		sn = *mc.SerialNumber
	}
	parts = append(parts, "serial "+sn)
	if mc.Hostname != nil {
		parts = append(parts, "host "+*mc.Hostname)
	}
	src := "identity from " + mc.Source
	if mc.Source == "audit" && mc.AuditFile != nil {
		src += " " + *mc.AuditFile
	}
	if mc.AuditError != nil {
		src += "; audit not used: " + *mc.AuditError
	}
	return strings.Join(parts, ", ") + " (" + src + ")"
}
