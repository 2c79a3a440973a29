// Package probe reads the machine: typed readers of the kernel's files and of the
// tools bee runs, built on host.Runner and host.FS so that a live machine, a fixture
// tree with fake tools and a recorded capture read the same way. `bee audit`'s
// collectors (internal/audit) use them for the inventory and `bee sat`
// (internal/sat) for its before/after counters, so both read a component by the
// same paths, commands and fallbacks. Parsing stays in internal/parse; judging in
// internal/health and the audit's findings (docs/architecture.md).
//
// A reader returns what it read and why anything could not be read; it never
// decides what a missing file means. The caller records that in its own report.
package probe

import (
	"strconv"
	"strings"

	"github.com/beeaudit/bee/internal/host"
)

// RunFunc runs one command. Callers pass their own, which records the command in
// their report (an audit collector's commands, a sat step) and applies its timeout.
type RunFunc func(argv []string) host.Result

// Counter is one kernel counter file: a decimal integer, surrounding space allowed.
type Counter struct {
	Path string
	// Raw is the file's content; Err says why it could not be read (Raw is then nil).
	Raw []byte
	Err error
	// Value is the number in Raw; OK reports that Raw holds one.
	Value int64
	OK    bool
}

func readCounter(fs host.FS, path string) Counter {
	c := Counter{Path: path}
	c.Raw, c.Err = fs.ReadFile(path)
	if c.Err != nil {
		c.Raw = nil
		return c
	}
	if v, err := strconv.ParseInt(strings.TrimSpace(string(c.Raw)), 10, 64); err == nil {
		c.Value, c.OK = v, true
	}
	return c
}
