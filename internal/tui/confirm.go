package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// The confirmation screen of reboot and power off.

// confirmView asks before an action that cannot be undone.
type confirmView struct {
	title, question string
	argv            []string
	yes             string
}

func (m *Model) confirmKey(s string) tea.Cmd {
	switch s {
	case "y", "Y":
		c := m.confirm
		m.scr = scrHome
		m.status = c.title + ": " + strings.Join(c.argv, " ") + " ..."
		return m.runCmds(c.title, [][]string{c.argv}, powerCmdTimeout, false)
	case "n", "N", "esc", "q":
		m.scr = scrHome
		m.status = m.confirm.title + " canceled"
	}
	return nil
}

func (m *Model) drawConfirm() string { return renderConfirm(m.confirm, m.w, m.h) }

func renderConfirm(c confirmView, w, h int) string {
	s := st()
	header := []string{titleBar(" "+c.title, "", w), ""}
	body := []string{
		" " + s.fail.Render(c.question),
		"",
		" Running tests stop; the live system keeps nothing that was not saved elsewhere.",
		" Command: " + strings.Join(c.argv, " "),
		"",
		keyHint("y", c.yes, "n/Esc", "no, back to the menu"),
	}
	return layout(header, body, nil, w, h)
}
