package tui

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// maxStreamLines bounds what the menu keeps of a child's output; the full
// output is in the child's own log or archive.
const maxStreamLines = 2000

// maxLineRunes breaks a line that never ends (a tool printing without
// newlines) so memory stays bounded.
const maxLineRunes = 4096

// lineStream receives a child's stdout and stderr (host.Cmd.Stream) and keeps
// them as screen lines the way a terminal would show them: carriage returns and
// backspaces move the cursor (memtester draws its progress with backspaces),
// escape sequences are dropped. It never blocks the writer: each Write marks
// the stream changed on a 1-slot channel the menu waits on.
type lineStream struct {
	mu      sync.Mutex
	lines   []string
	dropped int    // lines discarded from the front to respect maxStreamLines
	cur     []rune // the line being written
	col     int    // cursor column in cur
	pending []byte // an incomplete UTF-8 sequence or escape sequence
	changed chan struct{}
}

func newLineStream() *lineStream { return &lineStream{changed: make(chan struct{}, 1)} }

// Write implements io.Writer.
func (s *lineStream) Write(p []byte) (int, error) {
	s.mu.Lock()
	b := append(s.pending, p...)
	s.pending = nil
	for len(b) > 0 {
		c := b[0]
		switch {
		case c == 0x1b: // ESC: skip the whole sequence
			n, complete := escapeLen(b)
			if !complete {
				s.pending = append([]byte(nil), b...)
				b = nil
				continue
			}
			b = b[n:]
			continue
		case c == '\n':
			s.commit()
		case c == '\r':
			s.col = 0
		case c == '\b':
			if s.col > 0 {
				s.col--
			}
		case c == '\t':
			for {
				s.put(' ')
				if s.col%8 == 0 {
					break
				}
			}
		case c < 0x20 || c == 0x7f:
			// other control characters: nothing to show
		case c < utf8.RuneSelf:
			s.put(rune(c))
		default:
			if !utf8.FullRune(b) {
				s.pending = append([]byte(nil), b...)
				b = nil
				continue
			}
			r, n := utf8.DecodeRune(b)
			if r == utf8.RuneError || !unicode.IsPrint(r) {
				r = '?'
			}
			s.put(r)
			b = b[n:]
			continue
		}
		b = b[1:]
	}
	s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

// escapeLen returns the length of the escape sequence at the start of b (which
// starts with ESC) and whether it is complete.
func escapeLen(b []byte) (int, bool) {
	if len(b) < 2 {
		return 0, false
	}
	switch b[1] {
	case '[': // CSI: parameters, then a final byte 0x40..0x7e
		for i := 2; i < len(b); i++ {
			if b[i] >= 0x40 && b[i] <= 0x7e {
				return i + 1, true
			}
		}
		return 0, false
	case ']', 'P', '_', '^': // OSC/DCS/APC/PM: up to BEL or ST (ESC \)
		for i := 2; i < len(b); i++ {
			if b[i] == 0x07 {
				return i + 1, true
			}
			if b[i] == 0x1b && i+1 < len(b) && b[i+1] == '\\' {
				return i + 2, true
			}
		}
		return 0, false
	}
	return 2, true
}

func (s *lineStream) put(r rune) {
	if s.col >= maxLineRunes {
		s.commit()
	}
	if s.col < len(s.cur) {
		s.cur[s.col] = r
	} else {
		for len(s.cur) < s.col {
			s.cur = append(s.cur, ' ')
		}
		s.cur = append(s.cur, r)
	}
	s.col++
}

func (s *lineStream) commit() {
	s.lines = append(s.lines, strings.TrimRight(string(s.cur), " "))
	s.cur, s.col = s.cur[:0], 0
	if len(s.lines) > maxStreamLines {
		n := len(s.lines) - maxStreamLines
		s.dropped += n
		s.lines = append(s.lines[:0], s.lines[n:]...)
	}
}

// Snapshot returns the finished lines and, when non-empty, the line being
// written as the last element.
func (s *lineStream) Snapshot() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.lines), len(s.lines)+1)
	copy(out, s.lines)
	if cur := strings.TrimRight(string(s.cur), " "); cur != "" {
		out = append(out, cur)
	}
	return out
}
