package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/termsafe"
	tea "github.com/charmbracelet/bubbletea"
)

// action is what a menu entry does.
type action int

const (
	actFindings action = iota
	actInventory
	actAudit
	actSAT
	actQR
	actNetwork
	actShell
	actExport
	actReboot
	actPowerOff
	actQuit
)

// menuItem is one entry of the home menu; key is its letter shortcut.
type menuItem struct {
	key   string
	label string
	act   action
}

// menuFor lists the home menu for a runtime: reboot and power off only exist
// on the live CD (on an installed host they are not bee's business).
func menuFor(runtime string) []menuItem {
	m := []menuItem{
		{"f", "Findings", actFindings},
		{"i", "Inventory", actInventory},
		{"a", "Re-run audit", actAudit},
		{"t", "Acceptance tests", actSAT},
		{"c", "QR code", actQR},
		{"n", "Network", actNetwork},
		{"s", "Shell", actShell},
		{"e", "Export results", actExport},
	}
	if runtime == "livecd" {
		m = append(m, menuItem{"r", "Reboot", actReboot}, menuItem{"p", "Power off", actPowerOff})
	}
	return append(m, menuItem{"q", "Quit to shell", actQuit})
}

// menuColumnWidth is the width of one column of the home menu.
const menuColumnWidth = 20

// menuGrid returns the number of rows and columns the menu takes at width w;
// entries run down the columns.
func menuGrid(n, w int) (rows, cols int) {
	cols = max(1, min(n, (w-1)/menuColumnWidth))
	rows = (n + cols - 1) / cols
	return rows, cols
}

// homeView is everything the home screen shows.
type homeView struct {
	Version, Runtime string
	Audit            *audit.Audit
	AuditPath        string
	AuditProblem     string // why there is no audit to show; "" when there is
	Net              netView
	Menu             []menuItem
	Cursor           int
	Status           string // last action's outcome, one line
	Elsewhere        string // an acceptance test another menu runs, one line; "" when none
	Uploads          string // results waiting for the object store, one line; "" when none
	Now              time.Time
}

// verdictLine is the verdict in words, coloured: "VERDICT: FAIL - 2 failures,
// 1 warning". The words carry everything; colour only repeats them.
func verdictLine(a *audit.Audit) string {
	s := st()
	if a == nil {
		return s.warn.Render("VERDICT: UNKNOWN - no audit")
	}
	sum := a.Hardware.Summary
	v := strings.ToUpper(sum.Verdict)
	style := s.warn
	switch sum.Verdict {
	case audit.VerdictPass:
		style = s.pass
	case audit.VerdictFail:
		style = s.fail
	case "":
		v = "UNKNOWN"
	}
	return style.Render(fmt.Sprintf("VERDICT: %s - %s, %s", v, plural(sum.Failures, "failure"), plural(sum.Warnings, "warning")))
}

func plural(n int, word string) string {
	switch n {
	case 0:
		return "no " + word + "s"
	case 1:
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// sevTag is a finding's severity as a 4-letter word, coloured.
func sevTag(sev string) string {
	s := st()
	if sev == audit.SeverityFailure {
		return s.fail.Render("FAIL")
	}
	return s.warn.Render("WARN")
}

// markTag renders an inventory alarm mark ("FAIL"/"WARN") or blanks.
func markTag(m string) string {
	switch m {
	case "FAIL":
		return sevTag(audit.SeverityFailure)
	case "WARN":
		return sevTag(audit.SeverityWarning)
	}
	return "    "
}

// auditAge is "finished 2024-05-01 10:22 UTC (5 min ago)".
func auditAge(a *audit.Audit, now time.Time) string {
	t, err := time.Parse(time.RFC3339, a.FinishedAt)
	if err != nil {
		return "audit " + a.FinishedAt
	}
	s := "audit " + t.UTC().Format("2006-01-02 15:04 UTC")
	if now.IsZero() {
		return s
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return s
	case d < time.Minute:
		return s + " (just now)"
	case d < time.Hour:
		return s + fmt.Sprintf(" (%d min ago)", int(d.Minutes()))
	case d < 48*time.Hour:
		return s + fmt.Sprintf(" (%d h ago)", int(d.Hours()))
	}
	return s + fmt.Sprintf(" (%d days ago)", int(d.Hours()/24))
}

const labelWidth = 10 // "MACHINE   "

func labelled(label, text string) string {
	return " " + st().label.Render(fmt.Sprintf("%-*s", labelWidth-1, label)) + text
}

func indent(text string) string { return strings.Repeat(" ", labelWidth) + text }

// machineLines answers "what is this machine".
func machineLines(a *audit.Audit) []string {
	if a == nil {
		return []string{labelled("MACHINE", "unknown until an audit has run")}
	}
	h := a.Hardware
	name := collectorNote(a, "board", "unidentified system")
	serial, uuid := unknown, unknown
	if s := h.System; s != nil {
		name = "unidentified system"
		var parts []string
		for _, p := range []*string{s.Manufacturer, s.ProductName} {
			if p != nil {
				parts = append(parts, *p)
			}
		}
		if len(parts) > 0 {
			name = strings.Join(parts, " ")
		}
		serial, uuid = str(s.SerialNumber), str(s.UUID)
	}
	lines := []string{labelled("MACHINE", st().label.Render(name))}
	second := "S/N " + serial
	if b := h.Board; b != nil && (b.ProductName != nil || b.SerialNumber != nil) {
		second += "   Board " + str(b.ProductName) + " S/N " + str(b.SerialNumber)
	}
	lines = append(lines, indent(second))
	var third []string
	if b := h.BIOS; b != nil {
		third = append(third, "BIOS "+strings.TrimSpace(str(b.Version)+" "+dateOrEmpty(b.ReleaseDate)))
	}
	if uuid != unknown {
		third = append(third, "UUID "+uuid)
	}
	if len(third) > 0 {
		lines = append(lines, indent(strings.Join(third, "   ")))
	}
	lines = append(lines, indent(inventoryOneLine(h)))
	return lines
}

func dateOrEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return "(" + *p + ")"
}

// inventoryOneLine is "2 CPUs, 40 cores | 384 GiB in 12/24 DIMMs | 4 disks | 8 GPUs | 2 PSUs".
func inventoryOneLine(h audit.Hardware) string {
	cpus, cores := 0, 0
	for _, c := range h.CPUs {
		if c.Populated {
			cpus++
			if c.Cores != nil {
				cores += *c.Cores
			}
		}
	}
	var parts []string
	if len(h.CPUs) == 0 {
		parts = append(parts, "CPUs unknown")
	} else {
		parts = append(parts, count(cpus, "CPU")+", "+count(cores, "core"))
	}
	switch m := h.Memory; {
	case m != nil && m.SlotsTotal != nil && *m.SlotsTotal > 0 && m.SlotsPopulated != nil && m.TotalBytes != nil:
		parts = append(parts, fmt.Sprintf("%s in %d/%d DIMMs", iec(*m.TotalBytes), *m.SlotsPopulated, *m.SlotsTotal))
	case m != nil && m.KernelBytes != nil:
		parts = append(parts, iec(*m.KernelBytes)+" RAM (kernel)")
	default:
		parts = append(parts, "memory unknown")
	}
	parts = append(parts, count(len(h.Storage), "disk"), count(len(h.GPUs), "GPU"), count(len(h.PSUs), "PSU"))
	return strings.Join(parts, " | ")
}

// count is "1 disk", "0 GPUs", "4 PSUs".
func count(n int, word string) string { return countAs(n, word, word+"s") }

// countAs is count for a word whose plural is not word+"s": "1 power supply".
func countAs(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// notChecked names the collectors that did not complete, so a PASS on a
// partial inventory does not read as a clean bill: "not checked: psu, nvidia
// (f: why)".
func notChecked(a *audit.Audit) string {
	if a == nil {
		return ""
	}
	var names []string
	for _, c := range a.Collectors {
		if c.Status != audit.StatusOK {
			names = append(names, c.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "not checked: " + strings.Join(names, ", ") + " (f: why)"
}

// findingLine is one finding on one line: "FAIL storage:/dev/sda: message".
// When the message already starts with the component's name ("PSU2: AC input
// lost"), only the component's kind is kept in front ("psu: PSU2: ...").
func findingLine(f audit.Finding) string {
	comp := f.Component
	if kind, name, ok := strings.Cut(comp, ":"); ok && strings.HasPrefix(f.Message, name+":") {
		comp = kind
	}
	return sevTag(f.Severity) + " " + comp + ": " + f.Message
}

// configFirst returns the findings with the CONFIG_* ones (differences from
// the hardware profile, docs/profiles.md) first, each group in audit order.
func configFirst(fs []audit.Finding) []audit.Finding {
	out := make([]audit.Finding, 0, len(fs))
	for _, f := range fs {
		if strings.HasPrefix(f.Code, "CONFIG_") {
			out = append(out, f)
		}
	}
	for _, f := range fs {
		if !strings.HasPrefix(f.Code, "CONFIG_") {
			out = append(out, f)
		}
	}
	return out
}

// profileLines says which hardware profile the audit was judged against and
// how many differences it found ("PROFILE  smc-4029gp: 2 mismatches"), and
// why a profile could not be used; nothing when no profile was involved.
func profileLines(a *audit.Audit) []string {
	if a == nil {
		return nil
	}
	var lines []string
	if p := a.Hardware.Profile; p != nil {
		n := a.Hardware.Summary.ProfileMismatches()
		what := countAs(n, "mismatch", "mismatches")
		if n == 0 {
			what = "matches"
		}
		lines = append(lines, p.Name+": "+what)
	}
	for _, f := range a.Hardware.Summary.Findings {
		if audit.IsProfileUnusable(f) {
			lines = append(lines, "profile unusable: "+f.Message)
		}
	}
	for i := range lines {
		if i == 0 {
			lines[i] = labelled("PROFILE", lines[i])
		} else {
			lines[i] = indent(lines[i])
		}
	}
	return lines
}

// networkLines answers "how do I reach it": one line per interface with an
// address, the others grouped, then SSH. maxIfaces bounds the per-interface lines.
func networkLines(n netView, maxIfaces int) []string {
	s := st()
	if !n.Loaded {
		return []string{labelled("NETWORK", "reading interfaces...")}
	}
	var with []Iface
	var without []string
	for _, i := range n.Ifaces {
		has := false
		for _, a := range i.Addrs {
			if a.Reachable() {
				has = true
			}
		}
		if has {
			with = append(with, i)
		} else {
			without = append(without, i.Name+" ("+i.Link()+")")
		}
	}
	var lines []string
	if len(with) == 0 {
		why := "no address on any interface (n: Network)"
		if len(n.Ifaces) == 0 {
			why = "no network interface found"
		}
		lines = append(lines, s.fail.Render("NO NETWORK")+" - "+why)
	}
	shown := 0
	for _, i := range with {
		if shown == maxIfaces {
			lines = append(lines, fmt.Sprintf("+%d more with an address (n: Network)", len(with)-shown))
			break
		}
		var addrs []string
		for _, a := range i.Addrs {
			if a.Reachable() {
				t := a.Prefix.String()
				if a.Dynamic {
					t += " dhcp"
				}
				addrs = append(addrs, t)
			}
		}
		line := fmt.Sprintf("%-10s %-7s %s", i.Name, i.Link(), strings.Join(addrs, ", "))
		if i.Gateway != "" {
			line += "  gw " + i.Gateway
		}
		lines = append(lines, line)
		shown++
	}
	if len(without) > 0 {
		lines = append(lines, "no address: "+strings.Join(without, ", "))
	}
	if n.Err != "" {
		lines = append(lines, s.warn.Render("WARN")+" "+n.Err)
	}
	lines = append(lines, sshLine(n))
	for i := range lines {
		if i == 0 {
			lines[i] = labelled("NETWORK", lines[i])
		} else {
			lines[i] = indent(lines[i])
		}
	}
	return lines
}

func sshLine(n netView) string {
	s := st()
	unit := n.SSH.Unit
	if unit == "" {
		unit = "unknown"
	}
	if !n.SSH.Up() {
		return s.fail.Render("SSH: DOWN") + fmt.Sprintf(" - nothing listens on port 22 (ssh.service: %s)", unit)
	}
	addrs := reachableAddrs(n.Ifaces)
	if len(addrs) == 0 {
		return s.pass.Render("SSH: up") + " on port 22, but no address to reach it yet"
	}
	target := addrs[0]
	if strings.Contains(target, ":") {
		target = "[" + target + "]"
	}
	return s.pass.Render("SSH: up") + " - ssh root@" + target
}

// menuLines lays the menu out in columns, the selected entry marked ">" (and
// reversed where the terminal has attributes).
func menuLines(menu []menuItem, cursor, w int) []string {
	s := st()
	rows, cols := menuGrid(len(menu), w)
	lines := make([]string, rows)
	for c := 0; c < cols; c++ {
		for r := 0; r < rows; r++ {
			i := c*rows + r
			if i >= len(menu) {
				continue
			}
			m := menu[i]
			label := fmt.Sprintf("%-*s", menuColumnWidth-4, m.label)
			cell := "  " + s.key.Render(m.key) + " " + label
			if i == cursor {
				cell = " >" + s.sel.Render(m.key+" "+label)
			}
			lines[r] += cell
		}
	}
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return lines
}

// renderHome draws the screen an engineer lands on: what is this machine, is it
// healthy, how do I reach it, and the menu.
func renderHome(v homeView, w, h int) string {
	right := ""
	if v.Audit != nil {
		right = auditAge(v.Audit, v.Now) + " "
	}
	host := ""
	if v.Audit != nil && v.Audit.Hostname != nil {
		host = "  " + *v.Audit.Hostname
	}
	header := []string{titleBar(fmt.Sprintf(" bee %s  %s%s", v.Version, v.Runtime, host), right, w), ""}

	menu := menuLines(v.Menu, v.Cursor, w)
	footer := []string{""}
	footer = append(footer, menu...)
	footer = append(footer, "")
	if v.Elsewhere != "" {
		footer = append(footer, " "+st().warn.Render("TEST")+" "+v.Elsewhere)
	}
	if v.Uploads != "" {
		footer = append(footer, " "+st().label.Render("UPLOADS")+" "+v.Uploads)
	}
	if v.Status != "" {
		footer = append(footer, " "+v.Status)
	}
	footer = append(footer, keyHint("arrows", "move", "Enter", "open", "letter", "shortcut", "q", "quit to shell"))

	machine := machineLines(v.Audit)
	health := []string{labelled("HEALTH", verdictLine(v.Audit))}
	if nc := notChecked(v.Audit); nc != "" {
		health = append(health, indent(nc))
	}
	health = append(health, profileLines(v.Audit)...)
	var finds []string
	if v.Audit == nil {
		finds = append(wrap(v.AuditProblem, w, indent("")), indent("a: run an audit now"))
	} else {
		for _, f := range configFirst(v.Audit.Hardware.Summary.Findings) {
			finds = append(finds, indent(findingLine(f)))
		}
	}

	room := h - len(header) - len(footer)
	// Fixed: machine, blank, verdict, blank, network >= 2 lines.
	room -= len(machine) + 1 + len(health) + 1
	// Network first (reaching the machine matters most), then findings.
	maxIfaces := max(1, room-2-min(2, len(finds)))
	netLines := networkLines(v.Net, maxIfaces)
	room -= len(netLines)
	if len(finds) > room {
		keep := max(0, room-1)
		more := len(finds) - keep
		finds = append(finds[:keep:keep], indent(fmt.Sprintf("+%d more (f: Findings)", more)))
		if room <= 0 {
			finds = nil
		}
	}

	var body []string
	body = append(body, machine...)
	body = append(body, "")
	body = append(body, health...)
	body = append(body, finds...)
	body = append(body, "")
	body = append(body, netLines...)
	return layout(header, body, footer, w, h)
}

func (m *Model) homeKey(s string) tea.Cmd {
	rows, _ := menuGrid(len(m.menu), m.w)
	switch s {
	case "up":
		m.cursor = (m.cursor - 1 + len(m.menu)) % len(m.menu)
		return nil
	case "down", "tab":
		m.cursor = (m.cursor + 1) % len(m.menu)
		return nil
	case "left":
		if m.cursor-rows >= 0 {
			m.cursor -= rows
		}
		return nil
	case "right":
		if m.cursor+rows < len(m.menu) {
			m.cursor += rows
		}
		return nil
	case "enter":
		return m.activate(m.menu[m.cursor].act)
	case "ctrl+c":
		return tea.Quit
	}
	for i, it := range m.menu {
		if it.key == s {
			m.cursor = i
			return m.activate(it.act)
		}
	}
	return nil
}

func (m *Model) activate(a action) tea.Cmd {
	m.status = ""
	switch a {
	case actFindings:
		m.scr, m.findOff = scrFindings, 0
	case actInventory:
		if m.audit == nil {
			m.status = "no audit yet: a runs one"
			return nil
		}
		m.scr = scrInventory
	case actAudit:
		return m.startAudit(false)
	case actSAT:
		if m.job.running() {
			m.scr = scrJob
			return nil
		}
		if h := lockHolder(m.opt.RuntimeDir); h != nil {
			return m.startWatch(*h)
		}
		m.scr = scrSATMenu
	case actQR:
		if m.audit == nil {
			m.status = "no audit yet: a runs one"
			return nil
		}
		if m.qr == "" && m.qrErr == "" {
			if m.opt.QR == nil {
				m.qrErr = "not built into this bee"
			} else if q, err := m.opt.QR(m.audit, m.auditRaw); err != nil {
				m.qrErr = termsafe.Line(err.Error())
			} else {
				m.qr = q
			}
		}
		m.scr, m.qrAsText = scrQR, false
	case actNetwork:
		m.scr, m.netStatus = scrNetwork, ""
		return m.refreshNet()
	case actShell:
		return tea.Exec(m.opt.Shell(), func(err error) tea.Msg { return shellDoneMsg{err} })
	case actExport:
		return m.startExport()
	case actReboot:
		m.confirm = confirmView{title: "Reboot", question: "Reboot this machine now?", argv: []string{"systemctl", "reboot"}, yes: "yes, reboot"}
		m.scr = scrConfirm
	case actPowerOff:
		m.confirm = confirmView{title: "Power off", question: "Power this machine off now?", argv: []string{"systemctl", "poweroff"}, yes: "yes, power off"}
		m.scr = scrConfirm
	case actQuit:
		return tea.Quit
	}
	return nil
}

func (m *Model) homeView() homeView {
	v := homeView{Version: m.opt.Version, Runtime: m.opt.Runtime, Audit: m.audit, AuditPath: m.opt.AuditPath,
		AuditProblem: m.auditProblem, Net: m.net.display(), Menu: m.menu, Cursor: m.cursor, Status: m.status, Now: m.opt.Now(),
		Uploads: m.uploads}
	if o := m.other; o != nil && m.lock == nil { // not the test this menu runs
		v.Elsewhere = termsafe.Line(fmt.Sprintf("acceptance test %s running on %s since %s (t: watch it)",
			o.Kind, o.where(), o.Started.UTC().Format("15:04 UTC")))
	}
	return v
}
