// Package memtester parses the captured output of memtester
// (https://pyropus.ca/software/memtester/), the userspace RAM tester.
//
// The parser is pure: it takes the captured bytes and never runs the tool.
package memtester

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"strings"
)

// Result is one memtester run.
type Result struct {
	Version      string // "4.6.0" from "memtester version 4.6.0 (64-bit)"
	RequestedMB  *int   // from "want 100MB (104857600 bytes)"
	GotMB        *int   // from the last "got  100MB (104857600 bytes)..." line
	LockedMemory *bool  // true: "...locked."; false: mlock failed or was not tried; nil: unknown
	Loops        []Loop
	Failures     []Failure // every FAILURE message, in output order
	Completed    bool      // the final "Done." was seen; false for a truncated or killed run
}

// Loop is one "Loop N/M:" (or "Loop N:" for an endless run) block. Test lines met before
// any loop header (a fragment of a log) are put in a Loop with Number 0.
type Loop struct {
	Number int
	Total  *int // M of "Loop N/M:"; nil for "Loop N:"
	Tests  []TestResult
}

// TestResult is one test line of a loop.
type TestResult struct {
	Name   string // "Stuck Address", "Random Value", "Compare XOR", ...
	OK     bool   // the test printed "ok"
	Failed bool   // the test printed at least one FAILURE
	// Raw is the test's line with the progress spinners resolved, trimmed, e.g.
	// "Bit Flip            : testing 135FAILURE: 0x... != 0x... at offset 0x....".
	// A test whose line holds neither "ok" nor a FAILURE (interrupted, or garbled
	// output) has OK and Failed both false.
	Raw string
}

// Failure is one "FAILURE: ..." message.
type Failure struct {
	Loop   int    // the loop it happened in (0 before any loop header)
	Test   string // the test it happened in ("" before any test line)
	Line   string // from "FAILURE" to the end of the line, e.g. "FAILURE: 0xfffffffd != 0xfffffffe at offset 0x0003a5c8."
	Offset string // "0x0003a5c8"; "" when the message has no offset
}

// testNames are the tests of memtester 4.x, in the order it runs them.
var testNames = []string{
	"Stuck Address", "Random Value", "Compare XOR", "Compare SUB", "Compare MUL",
	"Compare DIV", "Compare OR", "Compare AND", "Sequential Increment", "Solid Bits",
	"Block Sequential", "Checkerboard", "Bit Spread", "Bit Flip", "Walking Ones",
	"Walking Zeroes", "8-bit Writes", "16-bit Writes",
}

var (
	knownTestRE = regexp.MustCompile(`^\s*(` + namesAlternation() + `)\s*:(.*)$`)
	// Any other indented "  Name   : ..." line is taken as a test too, for versions
	// with tests this list does not know.
	otherTestRE = regexp.MustCompile(`^\s+([A-Za-z0-9][A-Za-z0-9 ./-]{0,39}?)\s*:(.*)$`)
	loopRE      = regexp.MustCompile(`^(?:\[\d+\])?\s*Loop (\d+)(?:/(\d+))?:`)
	versionRE   = regexp.MustCompile(`^memtester version (\S+)`)
	wantRE      = regexp.MustCompile(`^want (\d+)MB`)
	gotRE       = regexp.MustCompile(`^got\s+(\d+)MB`)
	offsetRE    = regexp.MustCompile(`at offset (0x[0-9A-Fa-f]+)`)
)

func namesAlternation() string {
	quoted := make([]string, len(testNames))
	for i, n := range testNames {
		quoted[i] = regexp.QuoteMeta(n)
	}
	return strings.Join(quoted, "|")
}

// Parse parses the raw captured stdout+stderr of `memtester <size>[B|K|M|G] [loops]`,
// progress spinners included: on every line the backspaces ("\b") and carriage returns
// are first applied as a terminal would (cursor left / to column 0, later characters
// overwriting earlier ones), so the "setting/testing N" counters and "-\|/" spinners
// vanish and what remains is what a terminal showed.
//
// Loop headers "Loop 1/3:" and "Loop 92:" (endless runs) are recognised, every line
// holding "FAILURE" is reported in Failures, and a run without the final "Done." has
// Completed false. Fragments of a log (no banner, starting mid-run) are accepted.
//
// It returns an error for empty input and for input in which no memtester line (banner,
// want/got, loop header, test line, FAILURE, Done.) is found; it never panics.
func Parse(data []byte) (*Result, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("memtester: empty input")
	}
	p := &parser{res: &Result{}}
	for _, raw := range bytes.Split(data, []byte("\n")) {
		p.line(resolve(raw))
	}
	if !p.seen {
		return nil, errors.New("memtester: no memtester output found")
	}
	return p.res, nil
}

type parser struct {
	res  *Result
	loop *Loop       // current loop, nil before the first header or test line
	test *TestResult // current test, nil before the first test line of a loop
	seen bool        // a memtester line was recognised
}

func (p *parser) line(line string) {
	line = strings.TrimRight(line, " \t")
	trimmed := strings.TrimSpace(line)
	if trimmed == "" {
		return
	}
	if m := loopRE.FindStringSubmatch(trimmed); m != nil {
		n, err := strconv.Atoi(m[1])
		if err == nil {
			l := Loop{Number: n}
			if m[2] != "" {
				if total, err := strconv.Atoi(m[2]); err == nil {
					l.Total = &total
				}
			}
			p.res.Loops = append(p.res.Loops, l)
			p.loop = &p.res.Loops[len(p.res.Loops)-1]
			p.test = nil
			p.seen = true
			return
		}
	}
	if p.testLine(line) {
		p.seen = true
		return
	}
	if strings.Contains(trimmed, "FAILURE") {
		p.failures(trimmed)
		p.seen = true
		return
	}
	p.header(trimmed)
}

// header handles the banner and the memory-allocation lines.
func (p *parser) header(line string) {
	switch {
	case versionRE.MatchString(line):
		p.res.Version = versionRE.FindStringSubmatch(line)[1]
	case wantRE.MatchString(line):
		p.res.RequestedMB = atoi(wantRE.FindStringSubmatch(line)[1])
	case gotRE.MatchString(line):
		p.res.GotMB = atoi(gotRE.FindStringSubmatch(line)[1])
		switch {
		case !strings.Contains(line, "trying mlock"):
			// Printed this way once mlock is given up (after "insufficient permission").
			p.res.LockedMemory = boolPtr(false)
		case strings.HasSuffix(line, "locked."):
			p.res.LockedMemory = boolPtr(true)
		case strings.Contains(line, "reducing"):
			p.res.LockedMemory = nil // another "got" line follows
		default: // "insufficient permission.", "failed for unknown reason."
			p.res.LockedMemory = boolPtr(false)
		}
	case strings.HasPrefix(line, "Continuing with unlocked memory"),
		strings.HasPrefix(line, "failed to mlock mmap'ed space"):
		p.res.LockedMemory = boolPtr(false)
	case strings.HasPrefix(line, "Done."):
		p.res.Completed = true
	default:
		return
	}
	p.seen = true
}

// testLine handles "  Name   : result" lines; a line may hold a second test when the
// output was garbled ("  Compare AND         :   Sequential Increment: ok").
func (p *parser) testLine(line string) bool {
	name, rest, ok := splitTest(line, true)
	if !ok {
		return false
	}
	if p.loop == nil {
		p.res.Loops = append(p.res.Loops, Loop{})
		p.loop = &p.res.Loops[len(p.res.Loops)-1]
	}
	raw := strings.TrimSpace(line)
	for {
		p.loop.Tests = append(p.loop.Tests, TestResult{Name: name})
		p.test = &p.loop.Tests[len(p.loop.Tests)-1]
		nextName, nextRest, embedded := splitTest(rest, false)
		if embedded {
			p.test.Raw = strings.TrimSpace(strings.TrimSuffix(raw, strings.TrimSpace(rest)))
			name, rest, raw = nextName, nextRest, strings.TrimSpace(rest)
			continue
		}
		p.test.Raw = raw
		break
	}
	result := strings.TrimSpace(rest)
	if i := strings.Index(result, "FAILURE"); i >= 0 {
		p.failures(result[i:])
		return true
	}
	if result == "ok" || strings.HasPrefix(result, "ok ") || strings.HasSuffix(result, " ok") {
		p.test.OK = true
	}
	return true
}

// splitTest splits a test line into name and result. Unknown names are accepted only when
// allowOther is set and the line is indented, as memtester indents its test lines.
func splitTest(s string, allowOther bool) (name, rest string, ok bool) {
	if m := knownTestRE.FindStringSubmatch(s); m != nil {
		return m[1], m[2], true
	}
	if !allowOther {
		return "", "", false
	}
	m := otherTestRE.FindStringSubmatch(s)
	if m == nil || strings.HasPrefix(m[1], "FAILURE") || strings.HasPrefix(m[1], "Loop") {
		return "", "", false
	}
	return m[1], m[2], true
}

// failures records every "FAILURE..." message of a line (a garbled line may hold more
// than one) against the current loop and test.
func (p *parser) failures(s string) {
	parts := strings.Split(s, "FAILURE")
	for _, part := range parts[1:] {
		msg := strings.TrimSpace("FAILURE" + part)
		f := Failure{Line: msg}
		if m := offsetRE.FindStringSubmatch(msg); m != nil {
			f.Offset = m[1]
		}
		if p.loop != nil {
			f.Loop = p.loop.Number
		}
		if p.test != nil {
			f.Test = p.test.Name
			p.test.Failed = true
		}
		p.res.Failures = append(p.res.Failures, f)
	}
}

// resolve applies backspaces and carriage returns the way a terminal does: "\b" moves
// the cursor one column left (not past column 0), "\r" to column 0, and every other byte
// is written at the cursor, overwriting what was there.
func resolve(raw []byte) string {
	if bytes.IndexByte(raw, '\b') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		return string(raw)
	}
	buf := make([]byte, 0, len(raw))
	pos := 0
	for _, c := range raw {
		switch c {
		case '\b':
			if pos > 0 {
				pos--
			}
		case '\r':
			pos = 0
		default:
			if pos < len(buf) {
				buf[pos] = c
			} else {
				buf = append(buf, c)
			}
			pos++
		}
	}
	return string(buf)
}

func atoi(s string) *int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil
	}
	return &n
}

func boolPtr(b bool) *bool { return &b }
