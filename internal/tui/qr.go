package tui

import (
	"fmt"
	"strings"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/charmbracelet/x/ansi"
)

// The QR code screen (c).

// qrKey: any key leaves the QR code.
func (m *Model) qrKey() { m.scr = scrHome }

func (m *Model) drawQR() string { return renderQR(m.qr, m.qrErr, m.audit, m.w, m.h) }

// renderQR shows the QR code alone, centred, with the verdict under it.
func renderQR(qr, qrErr string, a *audit.Audit, w, h int) string {
	var lines []string
	if qrErr != "" {
		lines = []string{"", " QR code unavailable: " + qrErr}
	} else {
		code := strings.Split(strings.TrimRight(qr, "\n"), "\n")
		cw := 0
		for _, l := range code {
			cw = max(cw, ansi.StringWidth(l))
		}
		if cw > w || len(code)+1 > h {
			lines = []string{"", fmt.Sprintf(" The QR code needs %dx%d characters; this terminal is %dx%d.", cw, len(code)+1, w, h)}
		} else {
			pad := strings.Repeat(" ", (w-cw)/2)
			top := (h - len(code) - 1) / 2
			for i := 0; i < top; i++ {
				lines = append(lines, "")
			}
			for _, l := range code {
				lines = append(lines, pad+l)
			}
		}
	}
	v := verdictLine(a) + "   (any key: back)"
	lines = append(lines, strings.Repeat(" ", max(0, (w-ansi.StringWidth(v))/2))+v)
	return frame(lines, w, h)
}
