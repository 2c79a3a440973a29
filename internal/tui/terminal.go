package tui

import (
	"strings"

	"github.com/beeaudit/bee/internal/tui/termquery"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// bubbletea's init has run (this package imports it): TERM is TERM again
// (termquery says why it was not).
func init() { termquery.Restore() }

// The terminal the menu draws on is often not the Linux console: a BMC's
// serial-over-LAN carries a vt100/vt220 emulation (TERM=vt220 from the
// serial getty, or TERM unset), and a size of 0x0 (nobody ran stty rows/cols).

// Size assumed when the terminal does not say (a serial line reports 0x0, or
// no size arrives at all): the VT100's 80x24, which also fits the Linux
// console's 80x25.
const (
	defaultWidth  = 80
	defaultHeight = 24
)

// Terminal is what the menu may use to draw, decided from the environment by
// TerminalFor.
type Terminal struct {
	// Attrs: SGR bold, reverse video and faint (every VT100 descendant has
	// bold and reverse). Off only on TERM=dumb.
	Attrs bool
	// Color: the 8 basic ANSI colours. Off on monochrome terminals (vt100,
	// vt220, TERM unset), with NO_COLOR set, and on TERM=dumb.
	Color bool
}

// colourTerms are TERM values (or their prefix before "-") of terminals that
// have at least the 8 ANSI colours. Anything else — vt100, vt102, vt220, an
// unknown name, TERM unset — is drawn without colour.
var colourTerms = []string{
	"linux", "xterm", "screen", "tmux", "rxvt", "putty", "konsole", "gnome",
	"vte", "alacritty", "kitty", "foot", "wezterm", "st", "cygwin", "ansi",
	"xterm-ghostty", "contour", "rio", "iterm", "iterm2", "eterm",
}

// TerminalFor decides how to draw from TERM and NO_COLOR (getenv is os.Getenv
// outside tests). Colour is only ever a second channel (every state is also in
// words, every selection has a ">" marker), so a wrong guess towards "no colour"
// costs nothing, while colour sequences on a terminal that has none can show
// up as garbage: only known colour terminals get colour.
func TerminalFor(getenv func(string) string) Terminal {
	term := strings.ToLower(strings.TrimSpace(getenv("TERM")))
	if term == "dumb" {
		return Terminal{}
	}
	t := Terminal{Attrs: true}
	if getenv("NO_COLOR") != "" { // no-color.org: any non-empty value
		return t
	}
	if strings.Contains(term, "color") {
		t.Color = true
		return t
	}
	base, _, _ := strings.Cut(term, "-")
	for _, c := range colourTerms {
		if term == c || base == c {
			t.Color = true
		}
	}
	return t
}

// useColor says whether styles carry colours (see UseTerminal). Rendering
// reads it; it is set before the program starts (and by tests between runs).
var useColor = true

// UseTerminal sets how every screen is drawn from now on: lipgloss at the 16
// ANSI colours at most when the terminal has attributes (termenv's Ascii
// profile would drop bold and reverse video too, losing the selection's
// highlight on a monochrome serial terminal), and styles without colours when
// the terminal has none.
func UseTerminal(t Terminal) {
	if t.Attrs {
		lipgloss.SetColorProfile(termenv.ANSI)
	} else {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	useColor = t.Color
}
