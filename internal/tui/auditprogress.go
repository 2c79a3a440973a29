package tui

import "regexp"

// How the menu follows a running `bee audit`: everything it knows of bee
// audit's progress output is in this file, so that a machine-readable
// progress stream can replace the text lines by changing auditProgress alone.

// auditCollectors are bee audit's collectors in the audit's order: the audit
// screen lists them as waiting ("...") until auditProgress reports each.
var auditCollectors = []string{"board", "cpu", "memory", "storage", "pcie", "psu", "nvidia"}

// auditProgressRe matches bee audit's progress lines on stderr:
// "bee audit: storage  ok".
var auditProgressRe = regexp.MustCompile(`^bee audit: (\S+)\s+(ok|skipped|error)\s*$`)

// auditProgress reads one line of bee audit's output: a collector that
// finished and how ("ok", "skipped", "error"); ok is false for any other line.
func auditProgress(line string) (collector, status string, ok bool) {
	m := auditProgressRe.FindStringSubmatch(line)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}
