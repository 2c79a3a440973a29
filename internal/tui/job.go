package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/termsafe"
	tea "github.com/charmbracelet/bubbletea"
)

// Outer bounds of the child processes the menu starts. Each is far above what
// the child needs (bee audit bounds every tool, bee sat bounds every step); they
// only make sure nothing can hold the menu forever.
const (
	auditTimeout = 30 * time.Minute
	satTimeout   = 12 * time.Hour
)

type jobKind int

const (
	jobAudit jobKind = iota
	jobSAT
)

// job is a child process (bee audit, bee sat) whose output streams onto the
// screen. The runner runs in its own goroutine; the menu learns of new output
// and of the end through messages, so the screen never waits on the child.
type job struct {
	id        int
	kind      jobKind
	title     string
	argv      []string
	started   time.Time
	ended     time.Time
	cancel    context.CancelFunc
	out       *lineStream
	done      chan host.Result
	res       *host.Result
	canceling bool // cancel requested, waiting for the process to go
	confirm   bool // "cancel it?" asked
	auto      bool // started by the menu itself (no audit yet): go home on success
	lines     []string
	progress  []collectorProgress
	archive   string
	result    string
	verdict   string    // bee sat's "bee sat KIND: VERDICT" word, "" until printed
	reasons   []string  // bee sat's "Reasons:" lines
	scroll    int       // lines scrolled back from the end of the output
	watched   *lockInfo // a test another menu runs: this is its output, read from its log
}

// jobOutputMsg says a job wrote something.
type jobOutputMsg struct{ id int }

// jobDoneMsg says a job's process ended.
type jobDoneMsg struct {
	id  int
	res host.Result
}

func startJob(ctx context.Context, r host.Runner, id int, kind jobKind, title string, argv []string, timeout time.Duration, now time.Time, copyTo io.Writer) *job {
	jctx, cancel := context.WithCancel(ctx)
	j := &job{id: id, kind: kind, title: title, argv: argv, started: now, cancel: cancel,
		out: newLineStream(), done: make(chan host.Result, 1)}
	if kind == jobAudit {
		for _, n := range auditCollectors {
			j.progress = append(j.progress, collectorProgress{Name: n})
		}
	}
	var stream io.Writer = j.out
	if copyTo != nil {
		stream = io.MultiWriter(j.out, copyTo) // neither ever fails
	}
	go func() {
		res := r.Run(jctx, host.Cmd{Argv: argv, Timeout: timeout, Stream: stream})
		cancel()
		j.done <- res
	}()
	return j
}

// wait is the command that delivers the job's next event.
func (j *job) wait() tea.Cmd {
	return func() tea.Msg {
		select {
		case <-j.out.changed:
			return jobOutputMsg{j.id}
		case res := <-j.done:
			return jobDoneMsg{j.id, res}
		}
	}
}

func (j *job) running() bool { return j != nil && j.res == nil }

// scrollKey scrolls the output back (up, PgUp, Home) or forward.
func (j *job) scrollKey(s string, h int) {
	page := max(1, h-10)
	switch s {
	case "up":
		j.scroll++
	case "down":
		j.scroll--
	case "pgup":
		j.scroll += page
	case "pgdown":
		j.scroll -= page
	case "home":
		j.scroll = len(j.lines)
	case "end":
		j.scroll = 0
	}
	j.scroll = max(0, min(j.scroll, len(j.lines)))
}

// archiveRe matches the last line of bee sat: "archive: /var/log/bee-sat/....tar.gz".
var archiveRe = regexp.MustCompile(`^archive:\s+(\S+)\s*$`)

// satVerdictRe matches bee sat's first summary line: "bee sat memory: FAIL".
var satVerdictRe = regexp.MustCompile(`^bee sat \S+: ([A-Z]+)\b`)

// update refreshes what the job shows from its output.
func (j *job) update() { j.parse(j.out.Snapshot()) }

// parse takes the job's output lines and what they say: bee sat's verdict,
// reasons and archive, bee audit's progress.
func (j *job) parse(lines []string) {
	j.lines = lines
	inReasons := false
	for n, l := range j.lines {
		if m := satVerdictRe.FindStringSubmatch(l); m != nil && j.kind == jobSAT {
			j.verdict, j.reasons = m[1], nil
		}
		switch t := strings.TrimSpace(l); {
		case j.kind == jobSAT && l == "Reasons:":
			inReasons = true
			continue
		case inReasons && t != "" && strings.HasPrefix(l, " "):
			j.reasons = append(j.reasons, t)
		default:
			inReasons = false
		}
		if name, status, show, ok := auditProgress(l); ok && j.kind == jobAudit {
			j.lines[n] = show
			for i := range j.progress {
				if name != "" && j.progress[i].Name == name {
					j.progress[i].Status = status
				}
			}
		}
		if m := archiveRe.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			j.archive = m[1]
		}
	}
}

func (j *job) view(now time.Time) jobView {
	end := now
	if j.res != nil {
		end = j.ended
	}
	v := jobView{Title: j.title, Argv: j.argv, Lines: j.lines, Collectors: j.progress,
		Elapsed: end.Sub(j.started), Canceling: j.canceling, ConfirmCancel: j.confirm,
		Archive: j.archive, Result: j.result, SAT: j.kind == jobSAT, Verdict: j.verdict,
		Reasons: j.reasons, Scroll: j.scroll}
	if j.watched != nil {
		v.Elsewhere = j.watched.where()
	}
	if v.Elapsed < 0 {
		v.Elapsed = 0
	}
	if j.res != nil {
		v.Done = true
		v.ExitCode = j.res.ExitCode
		if j.res.Err != nil {
			v.Err = j.res.Err.Error()
		}
	}
	return v
}

func (m *Model) startAudit(auto bool) tea.Cmd {
	argv := []string{m.opt.Bee, "audit", "--output", m.opt.AuditPath, "--runtime", m.opt.Runtime, "--no-qr", "--progress", "json"}
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
		m.other = lockHolder(m.opt.RuntimeDir) // not our own test any more
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

func (m *Model) drawJob() string { return renderJob(m.job.view(m.opt.Now()), m.w, m.h) }

// jobView is a running or finished child process (audit or acceptance test).
type jobView struct {
	Title         string
	Argv          []string
	Lines         []string // output so far
	Collectors    []collectorProgress
	Elapsed       time.Duration
	Done          bool
	ExitCode      int
	Err           string // runner error (not found, timeout, canceled)
	Canceling     bool
	ConfirmCancel bool
	Archive       string   // "archive: ..." line of bee sat
	Result        string   // one-line outcome
	SAT           bool     // an acceptance test: its verdict heads the screen
	Verdict       string   // bee sat's verdict word ("PASS", "FAIL", "WARNING"), "" when not printed
	Reasons       []string // bee sat's reasons for it
	Scroll        int      // output lines scrolled back from the end
	Elsewhere     string   // the terminal of another menu that runs this test ("" for our own)
}

// satVerdict is the outcome of a finished bee sat in words, from the verdict
// it printed or else its exit status (docs/sat.md: 0 pass, 1 fail, 3 warning,
// 130 interrupted).
func satVerdict(v jobView) string {
	word := v.Verdict
	if word == "" && v.Elsewhere != "" {
		return "ENDED (no verdict in its output here)" // its exit status is the other menu's
	}
	if word == "" {
		switch v.ExitCode {
		case 0:
			word = "PASS"
		case 1:
			word = "FAIL"
		case 3:
			word = "WARNING"
		}
	}
	if v.ExitCode == 130 {
		word = "INTERRUPTED"
	}
	if word == "" {
		return fmt.Sprintf("NO VERDICT (bee sat exit status %d)", v.ExitCode)
	}
	return "VERDICT: " + word
}

// collectorProgress is one collector of a running audit.
type collectorProgress struct {
	Name, Status string // status "" while running
}

func renderJob(v jobView, w, h int) string {
	s := st()
	header := []string{titleBar(" "+v.Title, clock(v.Elapsed)+" ", w), ""}
	state := s.info.Render("RUNNING") + "  " + strings.Join(v.Argv, " ")
	if v.Elsewhere != "" {
		state = s.info.Render("RUNNING on "+v.Elsewhere) + "  " + strings.Join(v.Argv, " ")
	}
	switch {
	case v.Done && v.Err != "":
		state = s.fail.Render("NOT COMPLETED") + "  " + v.Err
	case v.Done && v.SAT:
		verdict := satVerdict(v)
		style := s.warn
		switch {
		case verdict == "VERDICT: PASS":
			style = s.pass
		case verdict == "VERDICT: FAIL" || strings.HasPrefix(verdict, "NO VERDICT"):
			style = s.fail
		}
		state = style.Render(verdict) + "  " + strings.Join(v.Argv, " ")
	case v.Done && v.ExitCode != 0:
		state = s.fail.Render(fmt.Sprintf("FINISHED WITH EXIT STATUS %d", v.ExitCode)) + "  " + strings.Join(v.Argv, " ")
	case v.Done:
		state = s.pass.Render("FINISHED") + "  " + strings.Join(v.Argv, " ")
	case v.Canceling:
		state = s.warn.Render("CANCELING") + "  " + strings.Join(v.Argv, " ")
	}
	header = append(header, " "+state)
	if v.Done && v.SAT {
		const maxReasons = 3
		for i, r := range v.Reasons {
			if i == maxReasons {
				header = append(header, fmt.Sprintf("   +%d more (in the output below)", len(v.Reasons)-maxReasons))
				break
			}
			header = append(header, "   "+r)
		}
	}
	if len(v.Collectors) > 0 {
		var parts []string
		for _, c := range v.Collectors {
			st := c.Status
			if st == "" {
				st = "..."
				if v.Done {
					st = "?"
				}
			}
			parts = append(parts, c.Name+" "+st)
		}
		header = append(header, wrap(strings.Join(parts, "  "), w, " ")...)
	}
	if v.Result != "" {
		header = append(header, " "+v.Result)
	}
	if v.Archive != "" {
		header = append(header, " "+s.label.Render("Archive: "+v.Archive))
	}
	header = append(header, " "+strings.Repeat("-", max(0, w-2)))

	var hint string
	switch {
	case v.Elsewhere != "" && !v.Done:
		hint = keyHint("Esc", "back (the test keeps running on "+v.Elsewhere+")", "up/down", "scroll")
	case v.ConfirmCancel:
		hint = " " + s.warn.Render("Cancel it?") + keyHint("y", "yes, cancel", "n/Esc", "no, keep running")
	case v.Done:
		hint = keyHint("Enter/Esc", "back to the menu")
	case v.Canceling:
		hint = " waiting for the process to stop..."
	default:
		hint = keyHint("Esc", "cancel (asks)", "Ctrl-C", "cancel now")
	}
	footer := []string{hint}
	room := max(0, h-len(header)-len(footer))
	// The output follows its end unless scrolled back (up, PgUp); when it is
	// longer than the room, a note says which lines show.
	lines := v.Lines
	if len(lines) > room && room > 1 {
		room--
	}
	end := len(lines) - min(max(0, v.Scroll), max(0, len(lines)-room))
	start := max(0, end-room)
	if info := scrollInfo(start, room, len(lines)); info != "" {
		footer = []string{" " + s.dim.Render("output lines "+info+"  (up/down, PgUp/PgDn)"), hint}
	}
	lines = lines[start:end]
	body := make([]string, 0, len(lines))
	for _, l := range lines {
		body = append(body, " "+termsafe.Truncate(l, max(0, w-1)))
	}
	if len(v.Lines) == 0 && !v.Done {
		body = append(body, " (waiting for output)")
	}
	return layout(header, body, footer, w, h)
}
