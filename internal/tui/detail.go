package tui

import (
	"fmt"
	"strings"

	"github.com/beeaudit/bee/internal/termsafe"
)

// The detail screen (Enter on an inventory row): every field the audit has
// for that row.

func (m *Model) detailKey(s string) {
	switch s {
	case "esc", "q", "left", "backspace":
		m.scr = scrInventory
	default:
		m.detOff = scrollKey(s, m.detOff, m.h-5)
		_, m.detOff = renderDetail(m.detTitle, m.detail, m.detOff, m.w, m.h)
	}
}

func (m *Model) drawDetail() string {
	s, _ := renderDetail(m.detTitle, m.detail, m.detOff, m.w, m.h)
	return s
}

// renderDetail shows every field of one inventory item.
func renderDetail(title string, kvs []kv, offset, w, h int) (string, int) {
	kw := 0
	for _, x := range kvs {
		kw = max(kw, len(x.k))
	}
	kw = min(kw, w/2)
	var body []string
	for _, x := range kvs {
		k := x.k
		k = termsafe.Cut(k, kw, "~")
		lines := wrap(x.v, w, strings.Repeat(" ", kw+3))
		lines[0] = fmt.Sprintf(" %-*s  %s", kw, k, strings.TrimLeft(lines[0], " "))
		body = append(body, lines...)
	}
	return scrolled(title, "", []string{""}, body, offset,
		[]string{"up/down", "scroll", "Esc", "back"}, w, h)
}
