package tui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/schema"
	"github.com/beeaudit/bee/internal/termsafe"
	tea "github.com/charmbracelet/bubbletea"
)

// screen is what the menu shows; each has its file (keys and drawing).
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

	exporting   bool   // bee upload --usb runs
	uploads     string // the uploads line (System.Uploads)
	uploadsBusy bool

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
	qrAsText  bool // the QR screen shows the code's text

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
	cmds := []tea.Cmd{m.refreshNet(), m.refreshUploads(), m.scheduleRefresh()}
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
		return m, tea.Batch(m.refreshNet(), m.reloadAudit(), m.refreshUploads(), m.scheduleRefresh())
	case auditLoadedMsg:
		m.applyAudit(msg)
		if m.scr == scrWaitAudit && m.audit != nil {
			m.scr = scrHome
		}
		return m, nil
	case unitMsg:
		return m, m.onBootAuditState(msg.state)
	case waitPollMsg:
		return m, m.waitPoll()
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
	case uploadsMsg:
		m.uploadsBusy, m.uploads = false, msg.line
		return m, nil
	case exportDoneMsg:
		m.exporting, m.status = false, msg.text
		return m, m.refreshUploads()
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
		if msg.Type == tea.KeyCtrlH {
			// VT100-style terminals (and many serial consoles) send BS
			// (Ctrl-H) for the Backspace key, where xterm and the Linux
			// console send DEL: both are Backspace.
			msg.Type = tea.KeyBackspace
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

// key handles a key press on the current screen.
func (m *Model) key(k tea.KeyMsg) tea.Cmd {
	s := k.String()
	switch m.scr {
	case scrHome:
		return m.homeKey(s)
	case scrFindings:
		m.findingsKey(s)
	case scrInventory:
		m.inventoryKey(s)
	case scrDetail:
		m.detailKey(s)
	case scrSATMenu:
		return m.satMenuKey(s)
	case scrJob:
		return m.jobKey(s)
	case scrQR:
		m.qrKey(s)
	case scrNetwork:
		return m.networkKey(s)
	case scrStatic:
		return m.staticKey(k)
	case scrConfirm:
		return m.confirmKey(s)
	case scrWaitAudit:
		return m.waitAuditKey(s)
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
	switch m.scr {
	case scrFindings:
		return m.drawFindings()
	case scrInventory:
		return m.drawInventory()
	case scrDetail:
		return m.drawDetail()
	case scrSATMenu:
		return m.drawSATMenu()
	case scrJob:
		if m.job != nil {
			return m.drawJob()
		}
	case scrQR:
		return m.drawQR()
	case scrNetwork:
		return m.drawNetwork()
	case scrStatic:
		return m.drawStatic()
	case scrConfirm:
		return m.drawConfirm()
	case scrWaitAudit:
		return m.drawWaitAudit()
	case scrWatch:
		if m.watch != nil {
			return m.drawWatch()
		}
	}
	return renderHome(m.homeView(), m.w, m.h)
}
