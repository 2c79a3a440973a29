package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/schema"
	"github.com/beeaudit/bee/internal/termsafe"
	tea "github.com/charmbracelet/bubbletea"
)

type screen int

const (
	scrHome screen = iota
	scrFindings
	scrInventory
	scrDetail
	scrSATMenu
	scrJob
	scrQR
	scrNetwork
	scrStatic
	scrConfirm
	scrWaitAudit
	scrWatch
)

// Model is the bubbletea model of the menu. It holds state only; every screen
// is drawn by a pure render function from that state.
type Model struct {
	opt Options
	ctx context.Context
	w   int
	h   int
	scr screen

	audit        *audit.Audit
	auditRaw     []byte
	auditMod     time.Time
	auditProblem string
	auditMissing bool

	net     netView
	netBusy bool

	menu   []menuItem
	cursor int
	status string

	findOff  int
	secs     []section
	inv      invState
	detail   []kv
	detTitle string
	detOff   int

	satCursor int
	job       *job
	jobSeq    int
	ticking   bool
	lock      *testLock // held while this menu's acceptance test runs
	lockLog   *lockLog  // the test's output copied for the other menus
	other     *lockInfo // a test another menu runs, as last seen
	watch     *job      // that test's output, watched (scrWatch)

	qr, qrErr string

	netCursor int
	netStatus string
	form      staticForm

	confirm  confirmView
	waitFrom time.Time
	waitUnit string
}

// Messages.
type (
	netMsg struct {
		ifaces []Iface
		err    error
		ssh    SSHState
	}
	auditLoadedMsg struct {
		a    *audit.Audit
		raw  []byte
		mod  time.Time
		err  error
		same bool // file unchanged since the last load
	}
	unitMsg       struct{ state string }
	tickMsg       struct{}
	refreshMsg    struct{}
	waitPollMsg   struct{}
	actionDoneMsg struct {
		what, err string
		refresh   bool
	}
	shellDoneMsg struct{ err error }
	// snapshotMsg asks the running program for the frame it shows (tests read
	// screens mid-run with it; the program owns the model).
	snapshotMsg struct{ frame chan<- string }
)

// New builds the menu. It reads the audit file right away (a local file), so
// the first frame already answers "what is this machine".
func New(ctx context.Context, opt Options) *Model {
	opt.defaults()
	m := &Model{opt: opt, ctx: ctx, w: defaultWidth, h: defaultHeight, menu: menuFor(opt.Runtime)}
	msg := loadAudit(ctx, opt.AuditPath, time.Time{})
	m.applyAudit(msg)
	m.other = lockHolder(opt.RuntimeDir)
	return m
}

// loadAudit reads, decodes and validates the audit file unless its
// modification time is known already. The read is audit.Load's: capped and
// given up when ctx is canceled. A file of the wrong shape (a verdict
// "bogus", negative counts) is refused rather than shown as if it were one.
func loadAudit(ctx context.Context, path string, known time.Time) auditLoadedMsg {
	fi, err := os.Stat(path)
	if err != nil {
		return auditLoadedMsg{err: err}
	}
	if !known.IsZero() && fi.ModTime().Equal(known) {
		return auditLoadedMsg{same: true}
	}
	a, raw, err := audit.Load(ctx, path)
	if err != nil {
		return auditLoadedMsg{err: err}
	}
	if err := schema.Validate(raw); err != nil {
		return auditLoadedMsg{err: fmt.Errorf("%s is not a bee audit: %s", path, schemaProblem(err))}
	}
	// Every string the screens show from the audit came from the machine:
	// escaped once here (docs/untrusted-text.md), so every screen, cell and
	// detail is safe and cut after sanitizing. raw stays exact (QR hash).
	termsafe.Strings(a)
	return auditLoadedMsg{a: a, raw: raw, mod: fi.ModTime()}
}

// schemaProblem is the first thing the schema validator found wrong, on one
// line: "at '/hardware/summary/verdict': value must be one of ... (+1 more)".
func schemaProblem(err error) string {
	var found []string
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "- at ") && !strings.HasSuffix(l, ": validation failed") {
			found = append(found, strings.TrimPrefix(l, "- "))
		}
	}
	switch len(found) {
	case 0:
		return firstLine(err.Error())
	case 1:
		return found[0]
	}
	return fmt.Sprintf("%s (+%d more)", found[0], len(found)-1)
}

func (m *Model) applyAudit(msg auditLoadedMsg) {
	switch {
	case msg.same:
		return
	case msg.err != nil:
		if m.audit != nil {
			// Keep showing the audit we have; say the file went wrong.
			m.status = "audit file: " + termsafe.Line(msg.err.Error())
			return
		}
		m.auditMissing = errors.Is(msg.err, fs.ErrNotExist)
		if m.auditMissing {
			m.auditProblem = "No audit at " + m.opt.AuditPath + "."
		} else {
			m.auditProblem = termsafe.Line(msg.err.Error())
		}
		return
	}
	m.audit, m.auditRaw, m.auditMod = msg.a, msg.raw, msg.mod
	m.auditProblem, m.auditMissing = "", false
	m.secs = sections(m.audit)
	m.qr, m.qrErr = "", ""
}

// Init starts the network query and, when there is no audit, gets one.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.refreshNet(), m.scheduleRefresh()}
	if m.audit == nil && m.auditMissing {
		// At boot the menu can come up while bee-audit.service is still
		// writing the audit: wait for it rather than run a second audit.
		sys, ctx := m.opt.System, m.ctx
		cmds = append(cmds, func() tea.Msg { return unitMsg{sys.UnitState(ctx, "bee-audit.service")} })
	}
	return tea.Batch(cmds...)
}

func (m *Model) refreshNet() tea.Cmd {
	if m.netBusy {
		return nil
	}
	m.netBusy = true
	sys, ctx := m.opt.System, m.ctx
	return func() tea.Msg {
		ifs, err := sys.Interfaces(ctx)
		return netMsg{ifaces: ifs, err: err, ssh: sys.SSH(ctx)}
	}
}

func (m *Model) scheduleRefresh() tea.Cmd {
	if m.opt.RefreshEvery <= 0 {
		return nil
	}
	return tea.Tick(m.opt.RefreshEvery, func(time.Time) tea.Msg { return refreshMsg{} })
}

func (m *Model) reloadAudit() tea.Cmd {
	ctx, path, known := m.ctx, m.opt.AuditPath, m.auditMod
	return func() tea.Msg { return loadAudit(ctx, path, known) }
}

// tick drives clocks on screens that show elapsed time; one chain at a time.
func (m *Model) tick() tea.Cmd {
	if m.ticking {
		return nil
	}
	m.ticking = true
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{} })
}

func (m *Model) startAudit(auto bool) tea.Cmd {
	argv := []string{m.opt.Bee, "audit", "--output", m.opt.AuditPath, "--runtime", m.opt.Runtime, "--no-qr"}
	return m.start(jobAudit, "Audit", argv, auditTimeout, auto, nil)
}

// start runs a job; copyTo, when set, also gets its output.
func (m *Model) start(kind jobKind, title string, argv []string, timeout time.Duration, auto bool, copyTo io.Writer) tea.Cmd {
	if m.job.running() {
		m.scr = scrJob
		return nil
	}
	m.jobSeq++
	m.job = startJob(m.ctx, m.opt.Runner, m.jobSeq, kind, title, argv, timeout, m.opt.Now(), copyTo)
	m.job.auto = auto
	m.scr = scrJob
	return tea.Batch(m.job.wait(), m.tick())
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		// A serial line often reports 0x0 (nobody ran stty rows/cols):
		// assume a VT100's 80x24 then, and tell bubbletea's renderer too
		// (it sees this message first): with a width of 0 it never erases
		// the rest of a line that got shorter, and old text stays on screen.
		m.w, m.h = msg.Width, msg.Height
		if m.w > 0 && m.h > 0 {
			return m, nil
		}
		if m.w <= 0 {
			m.w = defaultWidth
		}
		if m.h <= 0 {
			m.h = defaultHeight
		}
		size := tea.WindowSizeMsg{Width: m.w, Height: m.h}
		return m, func() tea.Msg { return size }
	case netMsg:
		m.netBusy = false
		m.net = netView{Loaded: true, Ifaces: msg.ifaces, SSH: msg.ssh}
		if msg.err != nil {
			m.net.Err = termsafe.Line(msg.err.Error())
		}
		m.netCursor = min(m.netCursor, max(0, len(m.net.Ifaces)-1))
		return m, nil
	case refreshMsg:
		m.other = lockHolder(m.opt.RuntimeDir)
		return m, tea.Batch(m.refreshNet(), m.reloadAudit(), m.scheduleRefresh())
	case auditLoadedMsg:
		m.applyAudit(msg)
		if m.scr == scrWaitAudit && m.audit != nil {
			m.scr = scrHome
		}
		return m, nil
	case unitMsg:
		return m, m.onBootAuditState(msg.state)
	case waitPollMsg:
		if m.scr != scrWaitAudit {
			return m, nil
		}
		if r := loadAudit(m.ctx, m.opt.AuditPath, time.Time{}); r.err == nil {
			m.applyAudit(r)
			m.scr = scrHome
			return m, nil
		}
		sys, ctx := m.opt.System, m.ctx
		return m, func() tea.Msg { return unitMsg{sys.UnitState(ctx, "bee-audit.service")} }
	case tickMsg:
		m.ticking = false
		if m.scr == scrWatch {
			m.updateWatch()
		}
		if m.job.running() || m.scr == scrWaitAudit || m.watch.running() {
			return m, m.tick()
		}
		return m, nil
	case jobOutputMsg:
		if m.job == nil || msg.id != m.job.id {
			return m, nil
		}
		m.job.update()
		return m, m.job.wait()
	case jobDoneMsg:
		if m.job == nil || msg.id != m.job.id {
			return m, nil
		}
		return m, m.jobDone(msg.res)
	case actionDoneMsg:
		text := termsafe.Line(msg.what) + ": done"
		if msg.err != "" {
			text = termsafe.Line(msg.what) + ": FAILED: " + termsafe.Line(msg.err) // a tool's stderr
		}
		if m.scr == scrNetwork || m.scr == scrStatic {
			m.netStatus = text
			m.scr = scrNetwork
		} else {
			m.status = text
		}
		if msg.refresh {
			return m, m.refreshNet()
		}
		return m, nil
	case shellDoneMsg:
		m.status = "back from the shell"
		if msg.err != nil {
			m.status = "shell: " + termsafe.Line(msg.err.Error())
		}
		return m, tea.Batch(m.refreshNet(), m.reloadAudit())
	case tea.KeyMsg:
		if msg.Type == tea.KeyCtrlL {
			// Ctrl-L redraws the whole screen on every screen: a serial
			// console that dropped bytes or was attached mid-session shows
			// garbage until then.
			return m, tea.ClearScreen
		}
		if msg.Alt && msg.Type == tea.KeyRunes {
			// Esc then a letter typed quickly (or merged by a slow serial
			// line) arrives as Alt+letter: it means both keys.
			first := m.key(tea.KeyMsg{Type: tea.KeyEscape})
			msg.Alt = false
			return m, tea.Batch(first, m.key(msg))
		}
		return m, m.key(msg)
	case snapshotMsg:
		msg.frame <- m.View()
	}
	return m, nil
}

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

func (m *Model) jobDone(res host.Result) tea.Cmd {
	j := m.job
	j.res = &res
	j.ended = m.opt.Now()
	j.canceling, j.confirm = false, false
	j.update()
	if j.kind == jobSAT {
		// The log first: a menu watching reads it once more when the lock goes.
		m.lockLog.Close()
		m.lock.release()
		m.lockLog, m.lock = nil, nil
	}
	switch {
	case errors.Is(res.Err, host.ErrCanceled):
		j.result = "Canceled. Nothing was archived by the menu; partial output is above."
	case res.Err != nil:
		j.result = termsafe.Line(res.Describe())
	case j.kind == jobAudit && res.ExitCode == 0:
		r := loadAudit(m.ctx, m.opt.AuditPath, time.Time{})
		if r.err != nil {
			j.result = "The audit ran but its file cannot be read: " + termsafe.Line(r.err.Error())
			break
		}
		m.applyAudit(r)
		j.result = "Audit written to " + m.opt.AuditPath + ": " + verdictLine(m.audit)
		if j.auto {
			m.scr = scrHome
			m.status = "audit written to " + m.opt.AuditPath
		}
	case j.kind == jobAudit:
		j.result = fmt.Sprintf("bee audit exited with status %d: the previous audit, if any, is unchanged.", res.ExitCode)
	case j.archive == "":
		j.result = fmt.Sprintf("bee sat exited with status %d and printed no archive path.", res.ExitCode)
	default:
		j.result = fmt.Sprintf("bee sat exited with status %d.", res.ExitCode)
	}
	return nil
}

// key handles a key press on the current screen.
func (m *Model) key(k tea.KeyMsg) tea.Cmd {
	s := k.String()
	switch m.scr {
	case scrHome:
		return m.homeKey(s)
	case scrFindings:
		switch s {
		case "esc", "q", "left", "backspace":
			m.scr = scrHome
		default:
			m.findOff = scrollKey(s, m.findOff, m.h-6)
			_, m.findOff = renderFindings(m.audit, m.findOff, m.w, m.h)
		}
	case scrInventory:
		m.inventoryKey(s)
	case scrDetail:
		switch s {
		case "esc", "q", "left", "backspace":
			m.scr = scrInventory
		default:
			m.detOff = scrollKey(s, m.detOff, m.h-5)
			_, m.detOff = renderDetail(m.detTitle, m.detail, m.detOff, m.w, m.h)
		}
	case scrSATMenu:
		return m.satMenuKey(s)
	case scrJob:
		return m.jobKey(s)
	case scrQR:
		m.scr = scrHome
	case scrNetwork:
		return m.networkKey(s)
	case scrStatic:
		return m.staticKey(k)
	case scrConfirm:
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
	case scrWaitAudit:
		switch s {
		case "a":
			return m.startAudit(true)
		case "esc", "q":
			m.scr = scrHome
		}
	case scrWatch:
		m.watchKey(s)
	}
	return nil
}

// scrollKey moves a scroll offset; the render clamps it.
func scrollKey(s string, off, page int) int {
	page = max(1, page)
	switch s {
	case "up":
		off--
	case "down":
		off++
	case "pgup":
		off -= page
	case "pgdown", " ":
		off += page
	case "home", "g":
		off = 0
	case "end", "G":
		off = 1 << 30
	}
	return max(0, off)
}

func (m *Model) homeKey(s string) tea.Cmd {
	rows, _ := menuGrid(len(m.menu), m.w)
	switch s {
	case "up":
		m.cursor = (m.cursor - 1 + len(m.menu)) % len(m.menu)
		return nil
	case "down", "tab":
		m.cursor = (m.cursor + 1) % len(m.menu)
		return nil
	case "left":
		if m.cursor-rows >= 0 {
			m.cursor -= rows
		}
		return nil
	case "right":
		if m.cursor+rows < len(m.menu) {
			m.cursor += rows
		}
		return nil
	case "enter":
		return m.activate(m.menu[m.cursor].act)
	case "ctrl+c":
		return tea.Quit
	}
	for i, it := range m.menu {
		if it.key == s {
			m.cursor = i
			return m.activate(it.act)
		}
	}
	return nil
}

func (m *Model) activate(a action) tea.Cmd {
	m.status = ""
	switch a {
	case actFindings:
		m.scr, m.findOff = scrFindings, 0
	case actInventory:
		if m.audit == nil {
			m.status = "no audit yet: a runs one"
			return nil
		}
		m.scr = scrInventory
	case actAudit:
		return m.startAudit(false)
	case actSAT:
		if m.job.running() {
			m.scr = scrJob
			return nil
		}
		if h := lockHolder(m.opt.RuntimeDir); h != nil {
			return m.startWatch(*h)
		}
		m.scr = scrSATMenu
	case actQR:
		if m.audit == nil {
			m.status = "no audit yet: a runs one"
			return nil
		}
		if m.qr == "" && m.qrErr == "" {
			if m.opt.QR == nil {
				m.qrErr = "not built into this bee"
			} else if q, err := m.opt.QR(m.audit, m.auditRaw); err != nil {
				m.qrErr = termsafe.Line(err.Error())
			} else {
				m.qr = q
			}
		}
		m.scr = scrQR
	case actNetwork:
		m.scr, m.netStatus = scrNetwork, ""
		return m.refreshNet()
	case actShell:
		return tea.Exec(m.opt.Shell(), func(err error) tea.Msg { return shellDoneMsg{err} })
	case actReboot:
		m.confirm = confirmView{title: "Reboot", question: "Reboot this machine now?", argv: []string{"systemctl", "reboot"}, yes: "yes, reboot"}
		m.scr = scrConfirm
	case actPowerOff:
		m.confirm = confirmView{title: "Power off", question: "Power this machine off now?", argv: []string{"systemctl", "poweroff"}, yes: "yes, power off"}
		m.scr = scrConfirm
	case actQuit:
		return tea.Quit
	}
	return nil
}

func (m *Model) inventoryKey(s string) {
	n := len(m.secs)
	switch s {
	case "esc", "q", "backspace":
		m.scr = scrHome
		return
	case "left", "shift+tab":
		m.inv = invState{sec: (m.inv.sec - 1 + n) % n}
	case "right", "tab":
		m.inv = invState{sec: (m.inv.sec + 1) % n}
	case "enter":
		sec := m.secs[m.inv.sec]
		if m.inv.cursor < len(sec.details) {
			m.detail = sec.details[m.inv.cursor]()
			m.detTitle = sec.name + ": " + strings.TrimSpace(sec.rows[m.inv.cursor][0])
			m.detOff = 0
			m.scr = scrDetail
		}
		return
	case "up":
		m.inv.cursor--
		if m.secs[m.inv.sec].cols == nil {
			m.inv.offset--
		}
	case "down":
		m.inv.cursor++
		if m.secs[m.inv.sec].cols == nil {
			m.inv.offset++
		}
	case "pgup":
		m.inv.cursor -= max(1, m.h-12)
		m.inv.offset -= max(1, m.h-12)
	case "pgdown":
		m.inv.cursor += max(1, m.h-12)
		m.inv.offset += max(1, m.h-12)
	case "home":
		m.inv.cursor, m.inv.offset = 0, 0
	case "end":
		m.inv.cursor, m.inv.offset = 1<<30, 1<<30
	default:
		for i, sec := range m.secs {
			if sec.key == s {
				m.inv = invState{sec: i}
			}
		}
	}
	m.inv.cursor = max(0, m.inv.cursor)
	m.inv.offset = max(0, m.inv.offset)
	_, m.inv = renderInventory(m.secs, m.inv, m.w, m.h)
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

func (m *Model) jobKey(s string) tea.Cmd {
	j := m.job
	if j == nil {
		m.scr = scrHome
		return nil
	}
	j.scrollKey(s, m.h)
	if !j.running() {
		switch s {
		case "enter", "esc", "q", " ":
			m.scr = scrHome
		}
		return nil
	}
	switch {
	case s == "ctrl+c", j.confirm && (s == "y" || s == "Y"):
		j.confirm, j.canceling = false, true
		j.cancel()
	case j.confirm && (s == "n" || s == "N" || s == "esc"):
		j.confirm = false
	case !j.confirm && !j.canceling && s == "esc":
		j.confirm = true
	}
	return nil
}

func (m *Model) networkKey(s string) tea.Cmd {
	switch s {
	case "esc", "q":
		m.scr = scrHome
	case "up":
		m.netCursor = max(0, m.netCursor-1)
	case "down":
		m.netCursor = min(max(0, len(m.net.Ifaces)-1), m.netCursor+1)
	case "r":
		m.netStatus = ""
		return m.refreshNet()
	case "d", "enter":
		if m.netCursor >= len(m.net.Ifaces) {
			return nil
		}
		name := m.net.Ifaces[m.netCursor].Name
		m.netStatus = "starting DHCP on " + termsafe.Line(name) + " ..."
		return m.runCmds(strings.Join(dhcpCommand(name), " "), [][]string{dhcpCommand(name)}, netCmdTimeout, true)
	case "s":
		if m.netCursor >= len(m.net.Ifaces) {
			return nil
		}
		m.form = staticForm{iface: m.net.Ifaces[m.netCursor].Name}
		for _, i := range m.net.Ifaces {
			if i.Gateway != "" {
				m.form.routes = append(m.form.routes, "default via "+i.Gateway+" dev "+i.Name)
			}
		}
		m.scr = scrStatic
	}
	return nil
}

func (m *Model) staticKey(k tea.KeyMsg) tea.Cmd {
	f := &m.form
	if f.confirm {
		// Applying can cut the way in (the default route an SSH session
		// uses): nothing runs without y, as for reboot.
		switch k.String() {
		case "y", "Y":
			cmds, err := staticCommands(f.iface, f.fields[0], f.fields[1])
			f.confirm = false
			if err != nil {
				f.problem = err.Error()
				return nil
			}
			m.netStatus = "setting a static address on " + f.iface + " ..."
			m.scr = scrNetwork
			return m.runCmds("static address on "+f.iface, cmds, netCmdTimeout, true)
		case "n", "N", "esc":
			f.confirm = false
		}
		return nil
	}
	switch k.String() {
	case "esc":
		m.scr = scrNetwork
		return nil
	case "up", "shift+tab":
		f.focus = (f.focus + 1) % 2
	case "down", "tab":
		f.focus = (f.focus + 1) % 2
	case "backspace":
		if r := []rune(f.fields[f.focus]); len(r) > 0 {
			f.fields[f.focus] = string(r[:len(r)-1])
		}
	case "ctrl+u":
		f.fields[f.focus] = ""
	case "enter":
		if f.focus == 0 && f.fields[1] == "" {
			f.focus = 1
			return nil
		}
		if _, err := staticCommands(f.iface, f.fields[0], f.fields[1]); err != nil {
			f.problem = err.Error()
			return nil
		}
		f.confirm, f.problem = true, ""
		return nil
	default:
		if k.Type == tea.KeyRunes {
			for _, r := range k.Runes {
				if strings.ContainsRune("0123456789abcdefABCDEF.:/", r) && len(f.fields[f.focus]) < 43 {
					f.fields[f.focus] += string(r)
				}
			}
		}
	}
	f.problem = ""
	return nil
}

// runCmds runs commands one after the other in the background and reports the
// first failure.
func (m *Model) runCmds(what string, cmds [][]string, timeout time.Duration, refresh bool) tea.Cmd {
	r, ctx := m.opt.Runner, m.ctx
	return func() tea.Msg {
		for _, c := range cmds {
			res := r.Run(ctx, host.Cmd{Argv: c, Timeout: timeout})
			if !res.OK() {
				return actionDoneMsg{what: what, err: res.Describe(), refresh: refresh}
			}
		}
		return actionDoneMsg{what: what, refresh: refresh}
	}
}

// View draws the current screen.
func (m *Model) View() string {
	w, h := m.w, m.h
	switch m.scr {
	case scrFindings:
		s, _ := renderFindings(m.audit, m.findOff, w, h)
		return s
	case scrInventory:
		s, _ := renderInventory(m.secs, m.inv, w, h)
		return s
	case scrDetail:
		s, _ := renderDetail(m.detTitle, m.detail, m.detOff, w, h)
		return s
	case scrSATMenu:
		return renderSATMenu(m.satCursor, m.audit, w, h)
	case scrJob:
		if m.job != nil {
			return renderJob(m.job.view(m.opt.Now()), w, h)
		}
	case scrQR:
		return renderQR(m.qr, m.qrErr, m.audit, w, h)
	case scrNetwork:
		return renderNetwork(m.net.display(), m.netCursor, m.netStatus, w, h)
	case scrStatic:
		f := m.form
		f.iface = termsafe.Line(f.iface)
		return renderStatic(f, w, h)
	case scrConfirm:
		return renderConfirm(m.confirm, w, h)
	case scrWaitAudit:
		return renderWaitAudit(m.waitUnit, m.opt.Now().Sub(m.waitFrom), m.opt.AuditPath, w, h)
	case scrWatch:
		if m.watch != nil {
			return renderJob(m.watch.view(m.opt.Now()), w, h)
		}
	}
	return renderHome(m.homeView(), w, h)
}

func (m *Model) homeView() homeView {
	v := homeView{Version: m.opt.Version, Runtime: m.opt.Runtime, Audit: m.audit, AuditPath: m.opt.AuditPath,
		AuditProblem: m.auditProblem, Net: m.net.display(), Menu: m.menu, Cursor: m.cursor, Status: m.status, Now: m.opt.Now()}
	if o := m.other; o != nil && !m.job.running() {
		v.Elsewhere = termsafe.Line(fmt.Sprintf("acceptance test %s running on %s since %s (t: watch it)",
			o.Kind, o.where(), o.Started.UTC().Format("15:04 UTC")))
	}
	return v
}

// display is the network state as the screens show it: names, kinds and
// scopes escaped (termsafe.Strings) in a copy, because the model keeps the
// real interface names for the commands it runs (dhclient -nw NAME).
func (n netView) display() netView {
	out := n
	out.Ifaces = make([]Iface, len(n.Ifaces))
	for i, f := range n.Ifaces {
		f.Addrs = append([]Addr(nil), f.Addrs...)
		out.Ifaces[i] = f
	}
	termsafe.Strings(&out.Ifaces)
	return out
}
