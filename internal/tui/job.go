package tui

import (
	"context"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/host"
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

// auditCollectors are bee audit's collectors in the audit's order.
var auditCollectors = []string{"board", "cpu", "memory", "storage", "pcie", "psu", "nvidia"}

// auditProgressRe matches bee audit's progress lines on stderr:
// "bee audit: storage  ok".
var auditProgressRe = regexp.MustCompile(`^bee audit: (\S+)\s+(ok|skipped|error)\s*$`)

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
	for _, l := range j.lines {
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
		if m := auditProgressRe.FindStringSubmatch(l); m != nil && j.kind == jobAudit {
			for i := range j.progress {
				if j.progress[i].Name == m[1] {
					j.progress[i].Status = m[2]
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
