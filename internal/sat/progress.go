package sat

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/beeaudit/bee/internal/termsafe"
)

// progress prints what the run is doing to a terminal (or a log): one line per phase
// with what comes after it, and, while a long command runs, its elapsed time and the
// most it may still take. On a terminal the ticking line is rewritten in place; elsewhere
// it is printed every 30 seconds.
type progress struct {
	w      io.Writer
	tty    bool
	now    func() time.Time
	start  time.Time
	tick   time.Duration
	mu     sync.Mutex
	phases []string
	cur    int
	live   bool // a rewritten line is on screen
}

func newProgress(env *Env) *progress {
	p := &progress{w: env.Progress, tty: env.Terminal, now: env.Now, start: env.Now()}
	p.tick = 30 * time.Second
	if p.tty {
		p.tick = time.Second
	}
	if env.progressTick > 0 {
		p.tick = env.progressTick
	}
	return p
}

func (p *progress) enabled() bool { return p != nil && p.w != nil }

// plan sets the phases shown as "what remains".
func (p *progress) plan(phases ...string) {
	if !p.enabled() {
		return
	}
	p.mu.Lock()
	p.phases = phases
	p.cur = 0
	p.mu.Unlock()
}

// phase announces the start of phase i (0-based) of the plan, with detail (e.g. the size
// and time bound).
func (p *progress) phase(i int, detail string) {
	if !p.enabled() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
	p.cur = i
	name := ""
	if i < len(p.phases) {
		name = p.phases[i]
	}
	line := fmt.Sprintf("[%d/%d] %s", i+1, len(p.phases), name)
	if detail != "" {
		line += ": " + detail
	}
	if i+1 < len(p.phases) {
		line += " — then: " + strings.Join(p.phases[i+1:], ", ")
	}
	fmt.Fprintf(p.w, "%s (%s elapsed)\n", termsafe.Line(line), fmtDur(p.now().Sub(p.start)))
}

// command shows a running command's elapsed time against its bound until the returned
// stop function is called.
func (p *progress) command(name string, started time.Time, bound time.Duration) (stop func()) {
	if !p.enabled() {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(p.tick)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p.show(name, started, bound)
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		p.mu.Lock()
		p.clearLocked()
		p.mu.Unlock()
	}
}

func (p *progress) show(name string, started time.Time, bound time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	el := p.now().Sub(started)
	line := fmt.Sprintf("      %s: %s elapsed", name, fmtDur(el))
	if bound > 0 {
		left := bound - el
		if left < 0 {
			left = 0
		}
		line += fmt.Sprintf(", at most %s left", fmtDur(left))
	}
	if p.cur+1 < len(p.phases) {
		line += "; then " + strings.Join(p.phases[p.cur+1:], ", ")
	}
	line = termsafe.Line(line) // names come from the machine: shown escaped, never raw
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.live = true
	} else {
		fmt.Fprintln(p.w, line)
	}
}

func (p *progress) clearLocked() {
	if p.live {
		fmt.Fprint(p.w, "\r\033[K")
		p.live = false
	}
}

// fmtDur prints a duration rounded to the second: "1h02m03s", "4m05s", "7s".
func fmtDur(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

func msDur(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }
