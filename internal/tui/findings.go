package tui

import (
	"fmt"

	"github.com/beeaudit/bee/internal/audit"
)

// The Findings screen (f): every finding with its code, component and full
// message, then how each collector ran.

// findingsBody lists every finding with its code and full message, then how
// each collector ran.
func findingsBody(a *audit.Audit, w int) []string {
	var out []string
	if a == nil {
		return []string{" No audit loaded."}
	}
	if len(a.Hardware.Summary.Findings) == 0 {
		out = append(out, " No findings: every rule of the catalogue passed on what the audit could read.")
	}
	for _, f := range configFirst(a.Hardware.Summary.Findings) {
		out = append(out, " "+sevTag(f.Severity)+"  "+f.Code+"  "+st().label.Render(f.Component))
		out = append(out, wrap(f.Message, w, "       ")...)
	}
	out = append(out, "", " "+st().label.Render("Collectors"))
	for _, c := range a.Collectors {
		status := fmt.Sprintf("%-7s", c.Status)
		if c.Status == audit.StatusError {
			status = st().warn.Render(status)
		}
		line := fmt.Sprintf("   %-8s %s %6.1f s", c.Name, status, float64(c.DurationMS)/1000)
		out = append(out, line)
		if c.Error != nil {
			out = append(out, wrap(*c.Error, w, "            ")...)
		}
	}
	return out
}

func (m *Model) findingsKey(s string) {
	switch s {
	case "esc", "q", "left", "backspace":
		m.scr = scrHome
	default:
		m.findOff = scrollKey(s, m.findOff, m.h-6)
		_, m.findOff = renderFindings(m.audit, m.findOff, m.w, m.h)
	}
}

func (m *Model) drawFindings() string {
	s, _ := renderFindings(m.audit, m.findOff, m.w, m.h)
	return s
}

func renderFindings(a *audit.Audit, offset, w, h int) (string, int) {
	top := []string{" " + verdictLine(a), ""}
	return scrolled("Findings", "", top, findingsBody(a, w), offset,
		[]string{"up/down", "scroll", "PgUp/PgDn", "page", "Esc", "back"}, w, h)
}
