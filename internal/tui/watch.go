package tui

import (
	"path/filepath"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/termsafe"
	tea "github.com/charmbracelet/bubbletea"
)

// The watch screen: an acceptance test another menu runs (lock.go), its
// output read from the copy its lock names.

// startWatch shows the acceptance test another menu runs: its output as it
// grows (the log its lock names), until its lock goes.
func (m *Model) startWatch(h lockInfo) tea.Cmd {
	h.TTY, h.Kind = termsafe.Line(h.TTY), termsafe.Line(h.Kind)
	argv := make([]string, len(h.Argv))
	for i, a := range h.Argv {
		argv[i] = termsafe.Line(a)
	}
	if len(argv) == 0 {
		argv = []string{"bee", "sat", h.Kind}
	}
	if filepath.Dir(filepath.Clean(h.Log)) != filepath.Clean(m.opt.RuntimeDir) {
		h.Log = "" // the menus write their copies in the runtime directory, nowhere else
	}
	m.jobSeq++
	m.watch = &job{id: m.jobSeq, kind: jobSAT, title: "Acceptance test: " + h.Kind + " (on " + h.where() + ")",
		argv: argv, started: h.Started, watched: &h, out: newLineStream()}
	m.scr = scrWatch
	m.updateWatch()
	return m.tick()
}

// updateWatch re-reads the watched test's output and whether it still runs.
func (m *Model) updateWatch() {
	j := m.watch
	if !j.running() {
		return
	}
	h := lockHolder(m.opt.RuntimeDir) // first: the log read after it is complete when the lock is gone
	if j.watched.Log != "" {
		j.parse(readLogTail(j.watched.Log))
	}
	if h == nil || h.PID != j.watched.PID || !h.Started.Equal(j.watched.Started) {
		j.res = &host.Result{}
		j.ended = m.opt.Now()
		j.result = "The test ended on " + j.watched.where() + " (its screen there has the same outcome)."
		m.other = h
	}
}

func (m *Model) watchKey(s string) {
	j := m.watch
	switch s {
	case "esc", "q", "enter", "left", "backspace", " ":
		m.scr = scrHome
		return
	}
	if j != nil {
		j.scrollKey(s, m.h)
	}
}

func (m *Model) drawWatch() string { return renderJob(m.watch.view(m.opt.Now()), m.w, m.h) }
