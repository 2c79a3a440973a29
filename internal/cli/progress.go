package cli

import (
	"encoding/json"
	"io"
	"sync"

	"github.com/beeaudit/bee/internal/audit"
)

// jsonProgress is `bee audit --progress json`: one JSON object per line on
// standard error, for programs such as the TUI (docs/cli.md). Fields are only
// ever added; a reader ignores events and fields it does not know.
type jsonProgress struct {
	w     io.Writer
	total int
	mu    sync.Mutex
	n     int
}

// progressCollector is {"event":"collector",...}: one collector has finished.
type progressCollector struct {
	Event  string `json:"event"`
	Name   string `json:"name"`
	Status string `json:"status"` // ok, skipped or error
	// Index counts the collectors finished so far, this one included: 1 to Total.
	Index      int   `json:"index"`
	Total      int   `json:"total"`
	DurationMS int64 `json:"duration_ms"`
}

// progressProfile is {"event":"profile","message":...}: the hardware profile's
// note (docs/profiles.md), the line the human progress prints as "profile: ...".
type progressProfile struct {
	Event   string `json:"event"`
	Message string `json:"message"`
}

// progressDone is {"event":"done",...}: the audit was written; Output is its path
// ("-" for standard output). It is the last line; an audit that could not be
// written or was interrupted has none.
type progressDone struct {
	Event   string `json:"event"`
	Verdict string `json:"verdict"`
	Output  string `json:"output"`
}

func (p *jsonProgress) emit(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	p.w.Write(append(b, '\n'))
}

func (p *jsonProgress) collector(c audit.Collector) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	p.emit(progressCollector{Event: "collector", Name: c.Name, Status: c.Status, Index: p.n, Total: p.total, DurationMS: c.DurationMS})
}

func (p *jsonProgress) note(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.emit(progressProfile{Event: "profile", Message: line})
}

// done writes the last line; nothing when p is nil (human progress).
func (p *jsonProgress) done(verdict, output string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.emit(progressDone{Event: "done", Verdict: verdict, Output: output})
}
