package tui

import (
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
)

// restoreTerminal puts the tests' drawing back (plain words, TestMain) when t ends.
func restoreTerminal(t *testing.T) {
	t.Cleanup(func() {
		lipgloss.SetColorProfile(termenv.Ascii)
		useColor = true
	})
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestTerminalFor(t *testing.T) {
	mono, colour := Terminal{Attrs: true}, Terminal{Attrs: true, Color: true}
	for _, c := range []struct {
		name string
		env  map[string]string
		want Terminal
	}{
		{"vt100", map[string]string{"TERM": "vt100"}, mono},
		{"vt102", map[string]string{"TERM": "vt102"}, mono},
		{"vt220 (systemd's serial getty)", map[string]string{"TERM": "vt220"}, mono},
		{"VT100 upper case", map[string]string{"TERM": "VT100"}, mono},
		{"unset", map[string]string{}, mono},
		{"unknown name", map[string]string{"TERM": "wy50"}, mono},
		{"dumb", map[string]string{"TERM": "dumb"}, Terminal{}},
		{"linux console", map[string]string{"TERM": "linux"}, colour},
		{"xterm", map[string]string{"TERM": "xterm"}, colour},
		{"xterm-256color", map[string]string{"TERM": "xterm-256color"}, colour},
		{"screen.xterm-256color", map[string]string{"TERM": "screen.xterm-256color"}, colour},
		{"tmux-256color", map[string]string{"TERM": "tmux-256color"}, colour},
		{"screen", map[string]string{"TERM": "screen"}, colour},
		{"vt100 claiming colour", map[string]string{"TERM": "vt100-color"}, colour},
		{"linux with NO_COLOR", map[string]string{"TERM": "linux", "NO_COLOR": "1"}, mono},
		{"xterm with empty NO_COLOR", map[string]string{"TERM": "xterm", "NO_COLOR": ""}, colour},
		{"dumb with NO_COLOR", map[string]string{"TERM": "dumb", "NO_COLOR": "1"}, Terminal{}},
	} {
		if got := TerminalFor(env(c.env)); got != c.want {
			t.Errorf("%s: TerminalFor(%v) = %+v, want %+v", c.name, c.env, got, c.want)
		}
	}
}

// sgrRe matches an SGR sequence; its parameters are checked by sgrColour.
var sgrRe = regexp.MustCompile("\x1b\\[([0-9;]*)m")

// sgrColours lists the colour parameters (30-49, 90-107) of the SGR
// sequences in s.
func sgrColours(s string) []string {
	var out []string
	for _, m := range sgrRe.FindAllStringSubmatch(s, -1) {
		for _, p := range strings.Split(m[1], ";") {
			if (len(p) == 2 && (p[0] == '3' || p[0] == '4' || p[0] == '9')) || (len(p) == 3 && p[0] == '1' && p[1] == '0') {
				out = append(out, p)
			}
		}
	}
	return out
}

// visible shows escape sequences as text (^[ for ESC, like cat -v), so the
// goldens can be read and diffed.
func visible(s string) string { return strings.ReplaceAll(s, "\x1b", "^[") }

// TestSerialTerminal draws the screens an engineer on a BMC's serial console
// sees, at 80x24, for each kind of TERM: a monochrome vt100 (and TERM unset,
// and NO_COLOR) keeps the selection in reverse video with its ">" marker, the
// verdict and the severities in bold words, and gets no colour sequence at all;
// the Linux console gets the 8 colours on top. The goldens keep the escape
// sequences (shown as ^[).
func TestSerialTerminal(t *testing.T) {
	screens := []struct {
		name string
		keys []string
		wait string
	}{
		{"home", nil, ""},
		{"findings", []string{"f", "pgdown"}, "PgUp/PgDn"}, // the second page has failures and warnings
		{"inventory-4-storage", []string{"i", "4"}, "Inventory: Storage"},
		{"sat-menu", []string{"t"}, "Acceptance tests (bee sat)"},
		{"network", []string{"n"}, "DHCP eno1"},
		{"reboot", []string{"r"}, "Reboot this machine now?"},
	}
	for _, term := range []struct {
		name string
		env  map[string]string
	}{
		{"vt100", map[string]string{"TERM": "vt100"}},
		{"unset", map[string]string{}},
		{"no-color", map[string]string{"TERM": "linux", "NO_COLOR": "1"}},
		{"linux", map[string]string{"TERM": "linux"}},
	} {
		for _, sc := range screens {
			t.Run(term.name+"/"+sc.name, func(t *testing.T) {
				restoreTerminal(t)
				opt := testOptions(t, fixturePath(t, "failing"), newFakeRunner(t), lanSystem())
				opt.Getenv = env(term.env)
				tc := TerminalFor(opt.Getenv)
				UseTerminal(tc)
				tm := startTM(t, opt, size{80, 24})
				waitFor(t, tm, "SSH: up")
				press(tm, sc.keys...)
				if sc.wait != "" {
					waitFor(t, tm, sc.wait)
				}
				_, view := finalView(t, tm)
				checkScreen(t, view, size{80, 24})
				plain := sgrRe.ReplaceAllString(view, "")
				if strings.Contains(plain, "\x1b") {
					t.Errorf("escape sequences other than SGR: %q", plain)
				}
				// The selection: a ">" marker and reverse video.
				if sc.name != "findings" && sc.name != "reboot" {
					if !strings.Contains(plain, ">") || !strings.Contains(view, "\x1b[7m") {
						t.Errorf("no selection marker or no reverse video:\n%s", visible(view))
					}
				}
				// The verdict and the severities in words, and in bold.
				if sc.name == "home" || sc.name == "findings" {
					for _, w := range []string{verdictOf(t, opt.AuditPath), "FAIL", "WARN"} {
						if !strings.Contains(plain, w) && (w != "WARN" || sc.name == "findings") { // the home screen has room for failures only
							t.Errorf("lacks %q", w)
						}
					}
					bold := "\x1b[1mVERDICT: FAIL"
					if tc.Color {
						bold = "\x1b[1;31mVERDICT: FAIL"
					}
					if !strings.Contains(view, bold) {
						t.Errorf("verdict not in %q:\n%s", bold, visible(view))
					}
				}
				colours := sgrColours(view)
				if !tc.Color && len(colours) > 0 {
					t.Errorf("colour on a terminal without colour (%v):\n%s", colours, visible(view))
				}
				if tc.Color && sc.name == "home" && len(colours) == 0 {
					t.Errorf("no colour on the Linux console:\n%s", visible(view))
				}
				golden.RequireEqual(t, []byte(visible(view)))
			})
		}
	}
}

// TestNoSize: a program that never learns its terminal's size (no size
// message at all, as on a serial line where the size ioctl fails) draws at
// 80x24, and so does one told 0x0.
func TestNoSize(t *testing.T) {
	t.Run("no-size-message", func(t *testing.T) {
		tm := teatest.NewTestModel(t, New(t.Context(), testOptions(t, fixturePath(t, "failing"), newFakeRunner(t), lanSystem())))
		waitFor(t, tm, "SSH: up")
		_, view := finalView(t, tm)
		checkScreen(t, view, size{80, 24})
		golden.RequireEqual(t, []byte(view))
	})
	t.Run("renderer-told", func(t *testing.T) {
		// bubbletea's renderer sees the size message before the model: told
		// 0x0 it must hear 80x24 again, or it never erases a line's old tail
		// (TestRealBinaryOnSerialTerminal shows it on a real terminal).
		m := New(t.Context(), testOptions(t, fixturePath(t, "failing"), newFakeRunner(t), lanSystem()))
		for _, in := range []tea.WindowSizeMsg{{Width: 0, Height: 0}, {Width: 0, Height: 50}, {Width: 132, Height: 0}} {
			_, cmd := m.Update(in)
			want := tea.WindowSizeMsg{Width: max(in.Width, 80), Height: in.Height}
			if in.Height == 0 {
				want.Height = 24
			}
			if cmd == nil {
				t.Errorf("%+v: nothing tells the renderer", in)
			} else if got := cmd(); got != want {
				t.Errorf("%+v: the renderer is told %+v, want %+v", in, got, want)
			}
		}
		if _, cmd := m.Update(tea.WindowSizeMsg{Width: 100, Height: 30}); cmd != nil {
			t.Errorf("a real size is sent again")
		}
	})
	t.Run("0x0", func(t *testing.T) {
		tm := startTM(t, testOptions(t, fixturePath(t, "failing"), newFakeRunner(t), lanSystem()), size{120, 40})
		waitFor(t, tm, "SSH: up")
		tm.Send(tea.WindowSizeMsg{Width: 0, Height: 0})
		press(tm, "i", "7")
		waitFor(t, tm, "Inventory: GPU")
		_, view := finalView(t, tm)
		checkScreen(t, view, size{80, 24})
		golden.RequireEqual(t, []byte(view))
	})
}

// TestCtrlL: Ctrl-L clears and redraws the whole screen, on every screen,
// without leaving it.
func TestCtrlL(t *testing.T) {
	want := tea.ClearScreen()
	m := New(t.Context(), testOptions(t, fixturePath(t, "failing"), newFakeRunner(t), lanSystem()))
	for scr := scrHome; scr <= scrWatch; scr++ {
		m.scr = scr
		_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlL})
		if cmd == nil {
			t.Errorf("screen %d: Ctrl-L does nothing", scr)
			continue
		}
		if got := cmd(); got != want {
			t.Errorf("screen %d: Ctrl-L gives %T, want tea.ClearScreen", scr, got)
		}
		if m.scr != scr {
			t.Errorf("screen %d: Ctrl-L moved to screen %d", scr, m.scr)
		}
	}

	// Through the program: the terminal gets an erase-screen, then the frame.
	tm := startTM(t, testOptions(t, fixturePath(t, "failing"), newFakeRunner(t), lanSystem()), size{80, 24})
	waitFor(t, tm, "SSH: up")
	press(tm, "i")
	waitFor(t, tm, "Inventory: System")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlL})
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		i := strings.Index(string(b), "\x1b[2J")
		return i >= 0 && strings.Contains(string(b[i:]), "Inventory: System")
	})
	finalView(t, tm)
}

// TestBackspaceAsCtrlH: a VT100-style terminal sends BS (Ctrl-H) for the
// Backspace key; it edits the static-address form and leaves the Findings
// screen like the DEL that xterm sends.
func TestBackspaceAsCtrlH(t *testing.T) {
	m := New(t.Context(), testOptions(t, fixturePath(t, "dell-r640"), newFakeRunner(t), lanSystem()))
	m.scr, m.form = scrStatic, staticForm{iface: "eno1"}
	for _, k := range []tea.KeyMsg{
		{Type: tea.KeyRunes, Runes: []rune("10.0.0.19")},
		{Type: tea.KeyCtrlH},
		{Type: tea.KeyCtrlH},
		{Type: tea.KeyRunes, Runes: []rune("5/8")},
	} {
		m.Update(k)
	}
	if got := m.form.fields[0]; got != "10.0.0.5/8" {
		t.Errorf("address field = %q after two Ctrl-H, want 10.0.0.5/8", got)
	}
	m.scr = scrFindings
	m.Update(tea.KeyMsg{Type: tea.KeyCtrlH})
	if m.scr != scrHome {
		t.Errorf("Ctrl-H on Findings: screen %d, want home", m.scr)
	}
}
