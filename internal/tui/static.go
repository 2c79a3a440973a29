package tui

import (
	"fmt"
	"strings"

	"github.com/beeaudit/bee/internal/termsafe"
	tea "github.com/charmbracelet/bubbletea"
)

// The static-address form (s on the Network screen).

// staticForm is the "set a static address" form.
type staticForm struct {
	iface   string
	fields  [2]string // address/prefix, gateway
	focus   int
	problem string
	routes  []string // the default routes now: "default via GW dev IFACE"
	confirm bool     // Enter pressed on valid fields: asking y/n
}

func (m *Model) staticKey(k tea.KeyMsg) tea.Cmd {
	f := &m.form
	if f.confirm {
		// Applying can cut the way in (the default route an SSH session
		// uses): nothing runs without y, as for reboot.
		switch k.String() {
		case "y", "Y":
			cmds, err := staticCommands(f.iface, f.fields[0], f.fields[1])
			f.confirm = false
			if err != nil {
				f.problem = err.Error()
				return nil
			}
			m.netStatus = "setting a static address on " + f.iface + " ..."
			m.scr = scrNetwork
			return m.runCmds("static address on "+f.iface, cmds, netCmdTimeout, true)
		case "n", "N", "esc":
			f.confirm = false
		}
		return nil
	}
	switch k.String() {
	case "esc":
		m.scr = scrNetwork
		return nil
	case "up", "shift+tab":
		f.focus = (f.focus + 1) % 2
	case "down", "tab":
		f.focus = (f.focus + 1) % 2
	case "backspace":
		if r := []rune(f.fields[f.focus]); len(r) > 0 {
			f.fields[f.focus] = string(r[:len(r)-1])
		}
	case "ctrl+u":
		f.fields[f.focus] = ""
	case "enter":
		if f.focus == 0 && f.fields[1] == "" {
			f.focus = 1
			return nil
		}
		if _, err := staticCommands(f.iface, f.fields[0], f.fields[1]); err != nil {
			f.problem = err.Error()
			return nil
		}
		f.confirm, f.problem = true, ""
		return nil
	default:
		if k.Type == tea.KeyRunes {
			for _, r := range k.Runes {
				if strings.ContainsRune("0123456789abcdefABCDEF.:/", r) && len(f.fields[f.focus]) < 43 {
					f.fields[f.focus] += string(r)
				}
			}
		}
	}
	f.problem = ""
	return nil
}

func (m *Model) drawStatic() string {
	f := m.form
	f.iface = termsafe.Line(f.iface)
	return renderStatic(f, m.w, m.h)
}

// staticChanges says in words what applying the form changes, above all
// which default route it replaces (the one an SSH session may be using).
func staticChanges(f staticForm) []string {
	addr, gw := strings.TrimSpace(f.fields[0]), strings.TrimSpace(f.fields[1])
	out := []string{"Adds " + addr + " to " + f.iface + " (its other addresses stay)."}
	if gw == "" {
		return append(out, "The default route is not touched.")
	}
	var v4, v6 []string
	for _, r := range f.routes {
		if strings.Contains(r, ":") {
			v6 = append(v6, r)
		} else {
			v4 = append(v4, r)
		}
	}
	now := v4
	if strings.Contains(gw, ":") {
		now = v6
	}
	if len(now) == 0 {
		return append(out, "Sets the default route: via "+gw+" dev "+f.iface+" (there is none now).")
	}
	out = append(out, "REPLACES the default route "+strings.Join(now, ", "))
	return append(out, "  with default via "+gw+" dev "+f.iface+".",
		"An SSH session that comes through the old route may be cut.")
}

func renderStatic(f staticForm, w, h int) string {
	s := st()
	header := []string{titleBar(" Static address for "+f.iface, "", w), ""}
	labels := [2]string{"Address/prefix", "Gateway (optional)"}
	examples := [2]string{"e.g. 192.168.1.50/24", "e.g. 192.168.1.1"}
	var body []string
	for i := range f.fields {
		marker, val := " ", "["+f.fields[i]
		if i == f.focus {
			marker = ">"
			val += "_"
		}
		val += "]"
		body = append(body, fmt.Sprintf(" %s %-19s %-22s %s", marker, labels[i], val, s.dim.Render(examples[i])))
	}
	body = append(body, "")
	if f.confirm {
		for _, l := range staticChanges(f) {
			body = append(body, wrap(l, w, " ")...)
		}
		body = append(body, "", " "+s.warn.Render("Apply it?"), "")
		body = append(body, keyHint("y", "yes, apply", "n/Esc", "no, back to the form"))
		return layout(header, body, nil, w, h)
	}
	if f.problem != "" {
		body = append(body, " "+s.fail.Render("INVALID")+" "+f.problem, "")
	} else if cmds, err := staticCommands(f.iface, f.fields[0], f.fields[1]); err == nil {
		body = append(body, " Enter asks, then y runs:")
		for _, c := range cmds {
			body = append(body, "   "+strings.Join(c, " "))
		}
	}
	footer := []string{"", keyHint("up/down/Tab", "field", "Enter", "apply", "Esc", "cancel")}
	return layout(header, body, footer, w, h)
}
