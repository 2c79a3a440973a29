package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/termsafe"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// Rendering is pure: every screen is a function from data to a string of
// exactly h lines none wider than w. Colour is only ever a second channel: every
// state is also spelled out in words and every selection has a ">" marker, so a
// monochrome serial console loses nothing. Only the 16 ANSI colours are used.

// Colours: the 8 basic ANSI colours, which the Linux text console has.
var (
	colRed    = lipgloss.Color("1")
	colGreen  = lipgloss.Color("2")
	colYellow = lipgloss.Color("3")
	colCyan   = lipgloss.Color("6")
)

type styles struct {
	title, label, key, sel, dim lipgloss.Style
	pass, warn, fail, info      lipgloss.Style
}

// st returns the styles for the terminal (UseTerminal): bold, reverse and
// faint where it has attributes, the colours only where it has colours.
// Tests set lipgloss's Ascii profile, which renders plain text.
func st() styles {
	n := lipgloss.NewStyle
	fg := func(s lipgloss.Style, c lipgloss.Color) lipgloss.Style {
		if !useColor {
			return s
		}
		return s.Foreground(c)
	}
	return styles{
		title: n().Reverse(true).Bold(true),
		label: n().Bold(true),
		key:   fg(n().Bold(true), colCyan),
		sel:   n().Reverse(true),
		dim:   n().Faint(true),
		pass:  fg(n().Bold(true), colGreen),
		warn:  fg(n().Bold(true), colYellow),
		fail:  fg(n().Bold(true), colRed),
		info:  fg(n(), colCyan),
	}
}

// frame fits lines into a w×h screen: each line made terminal-safe and cut to w
// with termsafe.Ellipsis, the list cut or padded to exactly h lines. Values from
// the machine are escaped where they enter the model (termsafe.Strings on the
// audit and the network state, termsafe.Line on messages); termsafe.Styled here
// is the last guard: only bee's own colour sequences reach the terminal.
func frame(lines []string, w, h int) string {
	if h <= 0 {
		return ""
	}
	out := make([]string, h)
	for i := 0; i < h && i < len(lines); i++ {
		out[i] = fitLine(lines[i], w)
	}
	return strings.Join(out, "\n")
}

func fitLine(s string, w int) string {
	return termsafe.Fit(termsafe.Styled(s), w)
}

// layout places a header block at the top and a footer block at the bottom of
// an h-line screen; the body gets the lines between (cut when too long).
func layout(header, body, footer []string, w, h int) string {
	room := h - len(header) - len(footer)
	if room < 0 {
		room = 0
	}
	if len(body) > room {
		body = body[:room]
	}
	lines := make([]string, 0, h)
	lines = append(lines, header...)
	lines = append(lines, body...)
	for len(lines) < h-len(footer) {
		lines = append(lines, "")
	}
	lines = append(lines, footer...)
	// A terminal smaller than the footer: keep the top, which says what this is.
	return frame(lines, w, h)
}

// titleBar is a full-width reverse-video line: left text, right text.
func titleBar(left, right string, w int) string {
	gap := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		gap = 1
	}
	line := fitLine(left+strings.Repeat(" ", gap)+right, w)
	if pad := w - ansi.StringWidth(line); pad > 0 {
		line += strings.Repeat(" ", pad)
	}
	return st().title.Render(line)
}

// keyHint renders "k label" pairs for the footer: "Esc back  Enter open".
func keyHint(pairs ...string) string {
	s := st()
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		parts = append(parts, s.key.Render(pairs[i])+" "+pairs[i+1])
	}
	return " " + strings.Join(parts, "   ")
}

// column of a text table.
type column struct {
	title string
	min   int  // narrowest the column may be squeezed to
	max   int  // widest it grows to (0: no limit)
	flex  bool // squeezed first when the table is too wide
	right bool // right-aligned (numbers)
}

// table lays rows out under headers in width w. Columns get their natural
// width (capped at max); when the whole is wider than w, flex columns shrink
// toward their min. Cells too long for their column end in "~" (one column:
// a narrow column keeps more of the value than with "...").
func table(cols []column, rows [][]string, w int) (header string, lines []string) {
	const gap = 2
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = ansi.StringWidth(c.title)
		for _, r := range rows {
			if i < len(r) {
				widths[i] = max(widths[i], ansi.StringWidth(r[i]))
			}
		}
		if c.max > 0 && widths[i] > c.max {
			widths[i] = c.max
		}
	}
	total := func() int {
		t := 1 // left margin
		for _, x := range widths {
			t += x
		}
		return t + gap*(len(widths)-1)
	}
	// Squeeze the widest flex column one step at a time, so the squeeze is
	// shared and no column is cut to its minimum while another keeps slack.
	for over := total() - w; over > 0; over-- {
		best := -1
		for i, c := range cols {
			if c.flex && widths[i] > c.min && (best < 0 || widths[i] > widths[best]) {
				best = i
			}
		}
		if best < 0 {
			break // nothing left to squeeze: the line is cut at the screen edge
		}
		widths[best]--
	}
	row := func(cells []string) string {
		var b strings.Builder
		b.WriteString(" ")
		for i, c := range cols {
			cell := ""
			if i < len(cells) {
				cell = cells[i]
			}
			if ansi.StringWidth(cell) > widths[i] {
				cell = termsafe.Cut(cell, widths[i], "~")
			}
			pad := strings.Repeat(" ", widths[i]-ansi.StringWidth(cell))
			if c.right {
				cell = pad + cell
			} else if i < len(cols)-1 {
				cell += pad
			}
			b.WriteString(cell)
			if i < len(cols)-1 {
				b.WriteString(strings.Repeat(" ", gap))
			}
		}
		return strings.TrimRight(b.String(), " ")
	}
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	header = row(titles)
	for _, r := range rows {
		lines = append(lines, row(r))
	}
	return header, lines
}

// wrap breaks text into lines of at most w columns, each prefixed by indent.
func wrap(text string, w int, indent string) []string {
	room := w - ansi.StringWidth(indent)
	if room < 10 {
		room = 10
	}
	var out []string
	for _, l := range strings.Split(ansi.Wrap(text, room, ""), "\n") {
		out = append(out, indent+l)
	}
	return out
}

// scrollWindow returns the first visible index so that cursor is visible in a
// window of n rows, given the previous offset.
func scrollWindow(cursor, offset, n, total int) int {
	if n <= 0 {
		return 0
	}
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+n {
		offset = cursor - n + 1
	}
	if offset > total-n {
		offset = total - n
	}
	if offset < 0 {
		offset = 0
	}
	return offset
}

// scrollInfo is the "lines 10-30 of 120" note for a scrolled list.
func scrollInfo(offset, shown, total int) string {
	if total <= shown {
		return ""
	}
	return fmt.Sprintf("%d-%d of %d", offset+1, min(offset+shown, total), total)
}

// scrolled renders a title, a scrollable body and a footer of key hints.
// It returns the screen and the offset actually used (clamped).
func scrolled(title, right string, top []string, body []string, offset int, hints []string, w, h int) (string, int) {
	header := append([]string{titleBar(" "+title, right, w)}, top...)
	footer := []string{"", keyHint(hints...)}
	room := max(0, h-len(header)-len(footer))
	if offset > len(body)-room {
		offset = len(body) - room
	}
	if offset < 0 {
		offset = 0
	}
	end := min(len(body), offset+room)
	if info := scrollInfo(offset, room, len(body)); info != "" {
		footer[0] = " " + st().dim.Render("lines "+info)
	}
	return layout(header, body[offset:end], footer, w, h), offset
}

// scrolledBody is scrolled with a prepared header and footer.
func scrolledBody(header, body []string, offset int, footer []string, w, h int) (string, int) {
	room := max(0, h-len(header)-len(footer))
	offset = max(0, min(offset, len(body)-room))
	end := min(len(body), offset+room)
	return layout(header, body[offset:end], footer, w, h), offset
}

func clock(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
}
