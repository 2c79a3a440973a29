package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// The wait for the boot audit: shown while bee-audit.service still runs and
// there is no audit file yet.

// onBootAuditState decides, when there is no audit, between waiting for the
// boot audit and running one.
func (m *Model) onBootAuditState(state string) tea.Cmd {
	if m.audit != nil || !m.auditMissing {
		if m.scr == scrWaitAudit {
			m.scr = scrHome
		}
		return nil
	}
	if state == "activating" || state == "reloading" {
		if m.scr != scrWaitAudit {
			m.scr, m.waitFrom = scrWaitAudit, m.opt.Now()
		}
		m.waitUnit = state
		return tea.Batch(m.tick(), tea.Tick(2*time.Second, func(time.Time) tea.Msg { return waitPollMsg{} }))
	}
	// No boot audit running: one last look for the file, then run our own.
	if r := loadAudit(m.ctx, m.opt.AuditPath, time.Time{}); r.err == nil {
		m.applyAudit(r)
		m.scr = scrHome
		return nil
	}
	if m.job.running() {
		return nil
	}
	return m.startAudit(true)
}

// waitPoll looks for the boot audit's file again, else asks systemd again.
func (m *Model) waitPoll() tea.Cmd {
	if m.scr != scrWaitAudit {
		return nil
	}
	if r := loadAudit(m.ctx, m.opt.AuditPath, time.Time{}); r.err == nil {
		m.applyAudit(r)
		m.scr = scrHome
		return nil
	}
	sys, ctx := m.opt.System, m.ctx
	return func() tea.Msg { return unitMsg{sys.UnitState(ctx, "bee-audit.service")} }
}

func (m *Model) waitAuditKey(s string) tea.Cmd {
	switch s {
	case "a":
		return m.startAudit(true)
	case "esc", "q":
		m.scr = scrHome
	}
	return nil
}

func (m *Model) drawWaitAudit() string {
	return renderWaitAudit(m.waitUnit, m.opt.Now().Sub(m.waitFrom), m.opt.AuditPath, m.w, m.h)
}

func renderWaitAudit(unitState string, elapsed time.Duration, path string, w, h int) string {
	header := []string{titleBar(" Waiting for the boot audit", clock(elapsed)+" ", w), ""}
	body := []string{
		" bee-audit.service (the boot audit) is still " + unitState + ".",
		" It writes " + path,
		" and the menu opens as soon as it is there.",
	}
	footer := []string{"", keyHint("a", "run an audit now", "Esc", "menu without audit")}
	return layout(header, body, footer, w, h)
}
