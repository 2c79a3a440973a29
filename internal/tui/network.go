package tui

import (
	"fmt"
	"strings"

	"github.com/beeaudit/bee/internal/termsafe"
	tea "github.com/charmbracelet/bubbletea"
)

// The Network screen (n): every interface, DHCP and the static form
// (static.go); the commands are in netcfg.go.

// netView is what the home and network screens know of the network.
type netView struct {
	Loaded bool // false until the first query answered
	Ifaces []Iface
	Err    string // what could not be read, "" when all was
	SSH    SSHState
}

// display is the network state as the screens show it: names, kinds and
// scopes escaped (termsafe.Strings) in a copy, because the model keeps the
// real interface names for the commands it runs (dhclient -nw NAME).
func (n netView) display() netView {
	out := n
	out.Ifaces = make([]Iface, len(n.Ifaces))
	for i, f := range n.Ifaces {
		f.Addrs = append([]Addr(nil), f.Addrs...)
		out.Ifaces[i] = f
	}
	termsafe.Strings(&out.Ifaces)
	return out
}

func (m *Model) networkKey(s string) tea.Cmd {
	switch s {
	case "esc", "q":
		m.scr = scrHome
	case "up":
		m.netCursor = max(0, m.netCursor-1)
	case "down":
		m.netCursor = min(max(0, len(m.net.Ifaces)-1), m.netCursor+1)
	case "r":
		m.netStatus = ""
		return m.refreshNet()
	case "d", "enter":
		if m.netCursor >= len(m.net.Ifaces) {
			return nil
		}
		name := m.net.Ifaces[m.netCursor].Name
		m.netStatus = "starting DHCP on " + termsafe.Line(name) + " ..."
		return m.runCmds(strings.Join(dhcpCommand(name), " "), [][]string{dhcpCommand(name)}, netCmdTimeout, true)
	case "s":
		if m.netCursor >= len(m.net.Ifaces) {
			return nil
		}
		m.form = staticForm{iface: m.net.Ifaces[m.netCursor].Name}
		for _, i := range m.net.Ifaces {
			if i.Gateway != "" {
				m.form.routes = append(m.form.routes, "default via "+i.Gateway+" dev "+i.Name)
			}
		}
		m.scr = scrStatic
	}
	return nil
}

func (m *Model) drawNetwork() string {
	return renderNetwork(m.net.display(), m.netCursor, m.netStatus, m.w, m.h)
}

// renderNetwork lists every interface with its state and all its addresses,
// the selected one marked.
func renderNetwork(n netView, cursor int, status string, w, h int) string {
	s := st()
	header := []string{titleBar(" Network", "", w), ""}
	var body []string
	if !n.Loaded {
		body = append(body, " reading interfaces...")
	} else if len(n.Ifaces) == 0 {
		body = append(body, " No network interface found.")
	}
	for i, ifc := range n.Ifaces {
		kind := ifc.Kind
		if kind == "" {
			kind = unknown
		}
		if !ifc.Physical {
			kind += ", virtual"
		}
		head := fmt.Sprintf("%-12s %-8s %-16s %s", ifc.Name, ifc.Link(), kind, ifc.MAC)
		if ifc.Gateway != "" {
			head += "  gw " + ifc.Gateway
		}
		if i == cursor {
			body = append(body, " >"+s.sel.Render(head))
		} else {
			body = append(body, "  "+head)
		}
		var addrs []string
		for _, a := range ifc.Addrs {
			t := a.Prefix.String()
			if a.Dynamic {
				t += " (dhcp)"
			}
			if !a.Reachable() {
				t += " (link-local)"
			}
			addrs = append(addrs, t)
		}
		if len(addrs) == 0 {
			addrs = []string{"no address"}
		}
		body = append(body, wrap(strings.Join(addrs, "   "), w, "     ")...)
	}
	body = append(body, "", " "+sshLine(n))
	if n.Err != "" {
		body = append(body, wrap(s.warn.Render("WARN")+" "+n.Err, w, " ")...)
	}
	sel := ""
	if cursor >= 0 && cursor < len(n.Ifaces) {
		sel = " " + n.Ifaces[cursor].Name
	}
	footer := []string{""}
	if status != "" {
		footer = append(footer, wrap(status, w, " ")...)
	}
	footer = append(footer, keyHint("up/down", "select", "d", "DHCP"+sel, "s", "static address", "r", "refresh", "Esc", "back"))
	// Keep the selected interface on screen when there are many.
	room := h - len(header) - len(footer)
	if len(body) > room && cursor > 0 {
		start := 0
		for i, l := range body {
			if strings.HasPrefix(l, " >") {
				start = i
				break
			}
		}
		if start+room > len(body) {
			start = max(0, len(body)-room)
		}
		body = body[start:]
	}
	return layout(header, body, footer, w, h)
}
