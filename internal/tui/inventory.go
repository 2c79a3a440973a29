package tui

import (
	"fmt"
	"strings"
)

// The Inventory screen (i): one section of the audit at a time (sections.go
// builds them), a table with a selected row or key/value lines.

// invState is the inventory browser's position.
type invState struct {
	sec    int // active section
	cursor int // selected row
	offset int // first row shown
}

func (m *Model) inventoryKey(s string) {
	n := len(m.secs)
	switch s {
	case "esc", "q", "backspace":
		m.scr = scrHome
		return
	case "left", "shift+tab":
		m.inv = invState{sec: (m.inv.sec - 1 + n) % n}
	case "right", "tab":
		m.inv = invState{sec: (m.inv.sec + 1) % n}
	case "enter":
		sec := m.secs[m.inv.sec]
		if m.inv.cursor < len(sec.details) {
			m.detail = sec.details[m.inv.cursor]()
			m.detTitle = sec.name + ": " + strings.TrimSpace(sec.rows[m.inv.cursor][0])
			m.detOff = 0
			m.scr = scrDetail
		}
		return
	case "up":
		m.inv.cursor--
		if m.secs[m.inv.sec].cols == nil {
			m.inv.offset--
		}
	case "down":
		m.inv.cursor++
		if m.secs[m.inv.sec].cols == nil {
			m.inv.offset++
		}
	case "pgup":
		m.inv.cursor -= max(1, m.h-12)
		m.inv.offset -= max(1, m.h-12)
	case "pgdown":
		m.inv.cursor += max(1, m.h-12)
		m.inv.offset += max(1, m.h-12)
	case "home":
		m.inv.cursor, m.inv.offset = 0, 0
	case "end":
		m.inv.cursor, m.inv.offset = 1<<30, 1<<30
	default:
		for i, sec := range m.secs {
			if sec.key == s {
				m.inv = invState{sec: i}
			}
		}
	}
	m.inv.cursor = max(0, m.inv.cursor)
	m.inv.offset = max(0, m.inv.offset)
	_, m.inv = renderInventory(m.secs, m.inv, m.w, m.h)
}

func (m *Model) drawInventory() string {
	s, _ := renderInventory(m.secs, m.inv, m.w, m.h)
	return s
}

// inventoryTabs is the section bar: " 1 System  2 CPU >3 Memory< ...", on
// as many lines of width w as it needs (broken between sections).
func inventoryTabs(secs []section, active, w int) []string {
	s := st()
	var lines []string
	line, width := "", 0
	for i, sec := range secs {
		var part string
		if i == active {
			part = ">" + s.sel.Render(sec.key+" "+sec.name) + "<"
		} else {
			part = " " + s.key.Render(sec.key) + " " + sec.name + " "
		}
		n := len(sec.key) + len(sec.name) + 3
		if width > 0 && width+n > w {
			lines = append(lines, line)
			line, width = "", 0
		}
		line += part
		width += n
	}
	return append(lines, line)
}

// sectionKeys is the footer's list of section keys: "1-9,0,r".
func sectionKeys(secs []section) string {
	var digits, others []string
	for _, sec := range secs {
		if len(sec.key) == 1 && sec.key[0] >= '1' && sec.key[0] <= '9' {
			digits = append(digits, sec.key)
		} else {
			others = append(others, sec.key)
		}
	}
	out := ""
	if len(digits) > 0 {
		out = digits[0]
		if len(digits) > 1 {
			out += "-" + digits[len(digits)-1]
		}
	}
	for _, k := range others {
		if out != "" {
			out += ","
		}
		out += k
	}
	return out
}

// renderInventory draws one section of the inventory: its summary, a table
// with the selected row marked, or the reason it is empty.
func renderInventory(secs []section, st0 invState, w, h int) (string, invState) {
	s := st()
	sec := secs[st0.sec]
	header := append([]string{titleBar(" Inventory: "+sec.name, "", w)}, inventoryTabs(secs, st0.sec, w)...)
	header = append(header, "")
	keys := "left/right/" + sectionKeys(secs)
	for _, l := range sec.summary {
		header = append(header, " "+l)
	}
	footer := []string{"", keyHint(keys, "section", "up/down", "select", "Enter", "details", "Esc", "back")}
	if sec.cols == nil { // key/value page
		var body []string
		kw := 0
		for _, x := range sec.kvs {
			kw = max(kw, len(x.k))
		}
		for _, x := range sec.kvs {
			body = append(body, fmt.Sprintf(" %-*s  %s", kw, x.k, x.v))
		}
		footer[1] = keyHint(keys, "section", "up/down", "scroll", "Esc", "back")
		room := max(0, h-len(header)-len(footer))
		if info := scrollInfo(min(st0.offset, max(0, len(body)-room)), room, len(body)); info != "" {
			footer[0] = " " + s.dim.Render("lines "+info)
		}
		out, off := scrolledBody(header, body, st0.offset, footer, w, h)
		st0.offset = off
		return out, st0
	}
	if len(sec.rows) == 0 {
		header = append(header, "")
		header = append(header, wrap(sec.empty, w, " ")...)
		return layout(header, nil, footer, w, h), st0
	}
	th, rows := table(sec.cols, sec.rows, w-6)
	header = append(header, "", "      "+s.label.Render(strings.TrimPrefix(th, " ")))
	room := max(1, h-len(header)-len(footer))
	st0.cursor = max(0, min(st0.cursor, len(rows)-1))
	st0.offset = scrollWindow(st0.cursor, st0.offset, room, len(rows))
	var body []string
	for i := st0.offset; i < len(rows) && i < st0.offset+room; i++ {
		line := strings.TrimPrefix(rows[i], " ")
		mark := markTag(sec.marks[i])
		if i == st0.cursor {
			body = append(body, ">"+mark+" "+s.sel.Render(line))
		} else {
			body = append(body, " "+mark+" "+line)
		}
	}
	if info := scrollInfo(st0.offset, room, len(rows)); info != "" {
		footer[0] = " " + s.dim.Render("rows "+info)
	}
	return layout(header, body, footer, w, h), st0
}
