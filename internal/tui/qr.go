package tui

import (
	"fmt"
	"strings"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/qrsum"
	"github.com/charmbracelet/x/ansi"
)

// The QR code screen (c): the audit's summary as a QR code, or as the text
// the code holds (t). The text is what a serial terminal without Unicode, or
// a copy and paste from an SOL session, can use.

// qrKey: t switches between the code and its text; any other key leaves.
func (m *Model) qrKey(s string) {
	if s == "t" {
		m.qrAsText = !m.qrAsText
		return
	}
	m.scr = scrHome
}

func (m *Model) drawQR() string {
	text := ""
	if m.audit != nil {
		text = qrsum.Text(m.audit, m.auditRaw)
	}
	return renderQR(m.qr, m.qrErr, text, m.qrAsText, m.audit, m.w, m.h)
}

// renderQR shows the QR code alone, centred, with the verdict under it; or,
// asked for (asText) or when the code cannot be shown, the text it holds.
func renderQR(qr, qrErr, text string, asText bool, a *audit.Audit, w, h int) string {
	var lines []string
	code := strings.Split(strings.TrimRight(qr, "\n"), "\n")
	cw := 0
	for _, l := range code {
		cw = max(cw, ansi.StringWidth(l))
	}
	switch {
	case qrErr != "":
		lines, asText = []string{"", " QR code unavailable: " + qrErr}, true
	case cw > w || len(code)+1 > h:
		lines = []string{"", fmt.Sprintf(" The QR code needs %dx%d characters; this terminal is %dx%d.", cw, len(code)+1, w, h)}
		asText = true
	case !asText:
		pad := strings.Repeat(" ", (w-cw)/2)
		top := (h - len(code) - 1) / 2
		for i := 0; i < top; i++ {
			lines = append(lines, "")
		}
		for _, l := range code {
			lines = append(lines, pad+l)
		}
	}
	hint := "   (t: as text, other keys: back)"
	if asText {
		lines = append(lines, "", " The text of the QR code (serial, product, verdict, warnings, failures,",
			" the start of the audit's SHA-256; README: internal/qrsum):", "")
		lines = append(lines, wrap(text, w-1, "  ")...)
		for len(lines) < h-1 {
			lines = append(lines, "")
		}
		hint = "   (t: QR code, other keys: back)"
	}
	v := verdictLine(a) + hint
	lines = append(lines, strings.Repeat(" ", max(0, (w-ansi.StringWidth(v))/2))+v)
	return frame(lines, w, h)
}
