package tui

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/beeaudit/bee/internal/audit"
)

// How the menu follows a running `bee audit --progress json` (docs/cli.md):
// everything it knows of bee audit's progress stream is in this file.

// auditCollectors are bee audit's collectors in the audit's order: the audit
// screen lists them as waiting ("...") until auditProgress reports each.
var auditCollectors = audit.CollectorNames()

// auditProgress reads one line of `bee audit --progress json`: a collector
// event gives the collector that finished and how ("ok", "skipped", "error").
// Every event also gives the line shown in its place, the words of bee audit's
// human progress. ok is false for a line that is not an event.
func auditProgress(line string) (collector, status, show string, ok bool) {
	var ev struct {
		Event, Name, Status, Message, Verdict, Output string
	}
	if !strings.HasPrefix(line, "{") || json.Unmarshal([]byte(line), &ev) != nil {
		return "", "", "", false
	}
	switch ev.Event {
	case "collector":
		if ev.Name == "" || ev.Status == "" {
			return "", "", "", false
		}
		return ev.Name, ev.Status, fmt.Sprintf("bee audit: %-8s %s", ev.Name, ev.Status), true
	case "profile":
		return "", "", "bee audit: profile: " + ev.Message, true
	case "done":
		return "", "", fmt.Sprintf("bee audit: done, verdict %s, written to %s", ev.Verdict, ev.Output), true
	}
	return "", "", "", false
}
