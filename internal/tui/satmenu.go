package tui

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/termsafe"
	tea "github.com/charmbracelet/bubbletea"
)

// The acceptance-test menu (t): which bee sat test to run.

// satTest is one acceptance test offered by the menu.
type satTest struct {
	key, name, what string
}

var satTests = []satTest{
	{"n", "nvidia", "GPUs: nvidia-smi -q, bug report, bee-gpu-stress per GPU"},
	{"m", "memory", "RAM: memtester on a safe share of free memory, time-bounded"},
	{"s", "storage", "Disks: SMART/NVMe logs and a short self-test per disk"},
}

func (m *Model) satMenuKey(s string) tea.Cmd {
	switch s {
	case "esc", "q":
		m.scr = scrHome
	case "up":
		m.satCursor = (m.satCursor - 1 + len(satTests)) % len(satTests)
	case "down", "tab":
		m.satCursor = (m.satCursor + 1) % len(satTests)
	case "enter":
		return m.startSAT(satTests[m.satCursor])
	default:
		for i, t := range satTests {
			if t.key == s {
				m.satCursor = i
				return m.startSAT(t)
			}
		}
	}
	return nil
}

// startSAT runs `bee sat NAME --audit FILE`: the test takes the machine's
// identity (serial number, model) from the audit this menu shows, not from
// bee sat's default file, so the archive names the machine on the screen.
//
// Only one test runs on the machine at a time: the menu takes the test lock
// first; when another menu (another terminal) holds it, this one shows that
// test's progress instead and starts nothing.
func (m *Model) startSAT(t satTest) tea.Cmd {
	argv := []string{m.opt.Bee, "sat", t.name, "--audit", m.opt.AuditPath}
	if m.job.running() {
		m.scr = scrJob
		return nil
	}
	info := lockInfo{PID: os.Getpid(), TTY: m.opt.TTY, Kind: t.name, Argv: argv,
		Started: m.opt.Now().UTC(), Log: filepath.Join(m.opt.RuntimeDir, lockLogName)}
	l, holder, err := acquireTestLock(m.opt.RuntimeDir, info)
	switch {
	case holder != nil:
		cmd := m.startWatch(*holder)
		m.status = "a test is running on " + termsafe.Line(holder.where()) + ": not starting a second one"
		return cmd
	case err != nil:
		// No runtime directory (bee tui on an installed host, not root):
		// run unlocked, as one menu alone would.
		m.status = "test lock: " + termsafe.Line(err.Error()) + " (other terminals will not see this test)"
	}
	m.lock = l
	var copyTo io.Writer
	if l != nil {
		if lg, err := createLockLog(info.Log); err == nil {
			m.lockLog, copyTo = lg, lg
		}
	}
	return m.start(jobSAT, "Acceptance test: "+t.name, argv, satTimeout, false, copyTo)
}

func (m *Model) drawSATMenu() string { return renderSATMenu(m.satCursor, m.audit, m.w, m.h) }

func renderSATMenu(cursor int, a *audit.Audit, w, h int) string {
	s := st()
	header := []string{titleBar(" Acceptance tests (bee sat)", "", w), ""}
	var body []string
	body = append(body, " Each test runs as a child process with live output; Esc cancels it.",
		" Results are archived under /var/log/bee-sat/ (path shown at the end).", "")
	for i, t := range satTests {
		marker := " "
		name := fmt.Sprintf("%-8s", t.name)
		if i == cursor {
			marker = ">"
			name = s.sel.Render(name)
		}
		body = append(body, fmt.Sprintf(" %s %s %s  %s", marker, s.key.Render(t.key), name, t.what))
	}
	if a != nil && len(a.Hardware.GPUs) == 0 {
		body = append(body, "", " Note: the last audit saw no NVIDIA GPU; the nvidia test will say so.")
	}
	footer := []string{"", keyHint("up/down", "select", "Enter/letter", "start", "Esc", "back")}
	return layout(header, body, footer, w, h)
}
