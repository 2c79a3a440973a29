package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/termsafe"
	"github.com/charmbracelet/x/ansi"
)

// scrolled renders a title, a scrollable body and a footer of key hints.
// It returns the screen and the offset actually used (clamped).
func scrolled(title, right string, top []string, body []string, offset int, hints []string, w, h int) (string, int) {
	header := append([]string{titleBar(" "+title, right, w)}, top...)
	footer := []string{"", keyHint(hints...)}
	room := max(0, h-len(header)-len(footer))
	if offset > len(body)-room {
		offset = len(body) - room
	}
	if offset < 0 {
		offset = 0
	}
	end := min(len(body), offset+room)
	if info := scrollInfo(offset, room, len(body)); info != "" {
		footer[0] = " " + st().dim.Render("lines "+info)
	}
	return layout(header, body[offset:end], footer, w, h), offset
}

// findingsBody lists every finding with its code and full message, then how
// each collector ran.
func findingsBody(a *audit.Audit, w int) []string {
	var out []string
	if a == nil {
		return []string{" No audit loaded."}
	}
	if len(a.Hardware.Summary.Findings) == 0 {
		out = append(out, " No findings: every rule of the catalogue passed on what the audit could read.")
	}
	for _, f := range configFirst(a.Hardware.Summary.Findings) {
		out = append(out, " "+sevTag(f.Severity)+"  "+f.Code+"  "+st().label.Render(f.Component))
		out = append(out, wrap(f.Message, w, "       ")...)
	}
	out = append(out, "", " "+st().label.Render("Collectors"))
	for _, c := range a.Collectors {
		status := fmt.Sprintf("%-7s", c.Status)
		if c.Status == audit.StatusError {
			status = st().warn.Render(status)
		}
		line := fmt.Sprintf("   %-8s %s %6.1f s", c.Name, status, float64(c.DurationMS)/1000)
		out = append(out, line)
		if c.Error != nil {
			out = append(out, wrap(*c.Error, w, "            ")...)
		}
	}
	return out
}

func renderFindings(a *audit.Audit, offset, w, h int) (string, int) {
	top := []string{" " + verdictLine(a), ""}
	return scrolled("Findings", "", top, findingsBody(a, w), offset,
		[]string{"up/down", "scroll", "PgUp/PgDn", "page", "Esc", "back"}, w, h)
}

// inventoryTabs is the section bar: "1 System  2 CPU  [3 Memory]  ...".
func inventoryTabs(secs []section, active int) string {
	s := st()
	var parts []string
	for i, sec := range secs {
		if i == active {
			parts = append(parts, ">"+s.sel.Render(sec.key+" "+sec.name)+"<")
		} else {
			parts = append(parts, " "+s.key.Render(sec.key)+" "+sec.name+" ")
		}
	}
	return strings.Join(parts, "")
}

// invState is the inventory browser's position.
type invState struct {
	sec    int // active section
	cursor int // selected row
	offset int // first row shown
}

// renderInventory draws one section of the inventory: its summary, a table
// with the selected row marked, or the reason it is empty.
func renderInventory(secs []section, st0 invState, w, h int) (string, invState) {
	s := st()
	sec := secs[st0.sec]
	header := []string{titleBar(" Inventory: "+sec.name, "", w), inventoryTabs(secs, st0.sec), ""}
	for _, l := range sec.summary {
		header = append(header, " "+l)
	}
	footer := []string{"", keyHint("left/right/1-7", "section", "up/down", "select", "Enter", "details", "Esc", "back")}
	if sec.cols == nil { // key/value page
		var body []string
		kw := 0
		for _, x := range sec.kvs {
			kw = max(kw, len(x.k))
		}
		for _, x := range sec.kvs {
			body = append(body, fmt.Sprintf(" %-*s  %s", kw, x.k, x.v))
		}
		footer[1] = keyHint("left/right/1-7", "section", "up/down", "scroll", "Esc", "back")
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

// scrolledBody is scrolled with a prepared header and footer.
func scrolledBody(header, body []string, offset int, footer []string, w, h int) (string, int) {
	room := max(0, h-len(header)-len(footer))
	offset = max(0, min(offset, len(body)-room))
	end := min(len(body), offset+room)
	return layout(header, body[offset:end], footer, w, h), offset
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

// satTest is one acceptance test offered by the menu.
type satTest struct {
	key, name, what string
}

var satTests = []satTest{
	{"n", "nvidia", "GPUs: nvidia-smi -q, bug report, bee-gpu-stress per GPU"},
	{"m", "memory", "RAM: memtester on a safe share of free memory, time-bounded"},
	{"s", "storage", "Disks: SMART/NVMe logs and a short self-test per disk"},
}

func renderSATMenu(cursor int, a *audit.Audit, w, h int) string {
	s := st()
	header := []string{titleBar(" Acceptance tests (bee sat)", "", w), ""}
	var body []string
	body = append(body, " Each test runs as a child process with live output; Esc cancels it.",
		" Results are archived under /var/log/bee-sat/ (path shown at the end).", "")
	for i, t := range satTests {
		marker := " "
		name := fmt.Sprintf("%-8s", t.name)
		if i == cursor {
			marker = ">"
			name = s.sel.Render(name)
		}
		body = append(body, fmt.Sprintf(" %s %s %s  %s", marker, s.key.Render(t.key), name, t.what))
	}
	if a != nil && len(a.Hardware.GPUs) == 0 {
		body = append(body, "", " Note: the last audit saw no NVIDIA GPU; the nvidia test will say so.")
	}
	footer := []string{"", keyHint("up/down", "select", "Enter/letter", "start", "Esc", "back")}
	return layout(header, body, footer, w, h)
}

// jobView is a running or finished child process (audit or acceptance test).
type jobView struct {
	Title         string
	Argv          []string
	Lines         []string // output so far
	Collectors    []collectorProgress
	Elapsed       time.Duration
	Done          bool
	ExitCode      int
	Err           string // runner error (not found, timeout, canceled)
	Canceling     bool
	ConfirmCancel bool
	Archive       string   // "archive: ..." line of bee sat
	Result        string   // one-line outcome
	SAT           bool     // an acceptance test: its verdict heads the screen
	Verdict       string   // bee sat's verdict word ("PASS", "FAIL", "WARNING"), "" when not printed
	Reasons       []string // bee sat's reasons for it
	Scroll        int      // output lines scrolled back from the end
	Elsewhere     string   // the terminal of another menu that runs this test ("" for our own)
}

// satVerdict is the outcome of a finished bee sat in words, from the verdict
// it printed or else its exit status (docs/sat.md: 0 pass, 1 fail, 3 warning,
// 130 interrupted).
func satVerdict(v jobView) string {
	word := v.Verdict
	if word == "" && v.Elsewhere != "" {
		return "ENDED (no verdict in its output here)" // its exit status is the other menu's
	}
	if word == "" {
		switch v.ExitCode {
		case 0:
			word = "PASS"
		case 1:
			word = "FAIL"
		case 3:
			word = "WARNING"
		}
	}
	if v.ExitCode == 130 {
		word = "INTERRUPTED"
	}
	if word == "" {
		return fmt.Sprintf("NO VERDICT (bee sat exit status %d)", v.ExitCode)
	}
	return "VERDICT: " + word
}

// collectorProgress is one collector of a running audit.
type collectorProgress struct {
	Name, Status string // status "" while running
}

func clock(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
}

func renderJob(v jobView, w, h int) string {
	s := st()
	header := []string{titleBar(" "+v.Title, clock(v.Elapsed)+" ", w), ""}
	state := s.info.Render("RUNNING") + "  " + strings.Join(v.Argv, " ")
	if v.Elsewhere != "" {
		state = s.info.Render("RUNNING on "+v.Elsewhere) + "  " + strings.Join(v.Argv, " ")
	}
	switch {
	case v.Done && v.Err != "":
		state = s.fail.Render("NOT COMPLETED") + "  " + v.Err
	case v.Done && v.SAT:
		verdict := satVerdict(v)
		style := s.warn
		switch {
		case verdict == "VERDICT: PASS":
			style = s.pass
		case verdict == "VERDICT: FAIL" || strings.HasPrefix(verdict, "NO VERDICT"):
			style = s.fail
		}
		state = style.Render(verdict) + "  " + strings.Join(v.Argv, " ")
	case v.Done && v.ExitCode != 0:
		state = s.fail.Render(fmt.Sprintf("FINISHED WITH EXIT STATUS %d", v.ExitCode)) + "  " + strings.Join(v.Argv, " ")
	case v.Done:
		state = s.pass.Render("FINISHED") + "  " + strings.Join(v.Argv, " ")
	case v.Canceling:
		state = s.warn.Render("CANCELING") + "  " + strings.Join(v.Argv, " ")
	}
	header = append(header, " "+state)
	if v.Done && v.SAT {
		const maxReasons = 3
		for i, r := range v.Reasons {
			if i == maxReasons {
				header = append(header, fmt.Sprintf("   +%d more (in the output below)", len(v.Reasons)-maxReasons))
				break
			}
			header = append(header, "   "+r)
		}
	}
	if len(v.Collectors) > 0 {
		var parts []string
		for _, c := range v.Collectors {
			st := c.Status
			if st == "" {
				st = "..."
				if v.Done {
					st = "?"
				}
			}
			parts = append(parts, c.Name+" "+st)
		}
		header = append(header, wrap(strings.Join(parts, "  "), w, " ")...)
	}
	if v.Result != "" {
		header = append(header, " "+v.Result)
	}
	if v.Archive != "" {
		header = append(header, " "+s.label.Render("Archive: "+v.Archive))
	}
	header = append(header, " "+strings.Repeat("-", max(0, w-2)))

	var hint string
	switch {
	case v.Elsewhere != "" && !v.Done:
		hint = keyHint("Esc", "back (the test keeps running on "+v.Elsewhere+")", "up/down", "scroll")
	case v.ConfirmCancel:
		hint = " " + s.warn.Render("Cancel it?") + keyHint("y", "yes, cancel", "n/Esc", "no, keep running")
	case v.Done:
		hint = keyHint("Enter/Esc", "back to the menu")
	case v.Canceling:
		hint = " waiting for the process to stop..."
	default:
		hint = keyHint("Esc", "cancel (asks)", "Ctrl-C", "cancel now")
	}
	footer := []string{hint}
	room := max(0, h-len(header)-len(footer))
	// The output follows its end unless scrolled back (up, PgUp); when it is
	// longer than the room, a note says which lines show.
	lines := v.Lines
	if len(lines) > room && room > 1 {
		room--
	}
	end := len(lines) - min(max(0, v.Scroll), max(0, len(lines)-room))
	start := max(0, end-room)
	if info := scrollInfo(start, room, len(lines)); info != "" {
		footer = []string{" " + s.dim.Render("output lines "+info+"  (up/down, PgUp/PgDn)"), hint}
	}
	lines = lines[start:end]
	body := make([]string, 0, len(lines))
	for _, l := range lines {
		body = append(body, " "+termsafe.Truncate(l, max(0, w-1)))
	}
	if len(v.Lines) == 0 && !v.Done {
		body = append(body, " (waiting for output)")
	}
	return layout(header, body, footer, w, h)
}

// renderQR shows the QR code alone, centred, with the verdict under it.
func renderQR(qr, qrErr string, a *audit.Audit, w, h int) string {
	var lines []string
	if qrErr != "" {
		lines = []string{"", " QR code unavailable: " + qrErr}
	} else {
		code := strings.Split(strings.TrimRight(qr, "\n"), "\n")
		cw := 0
		for _, l := range code {
			cw = max(cw, ansi.StringWidth(l))
		}
		if cw > w || len(code)+1 > h {
			lines = []string{"", fmt.Sprintf(" The QR code needs %dx%d characters; this terminal is %dx%d.", cw, len(code)+1, w, h)}
		} else {
			pad := strings.Repeat(" ", (w-cw)/2)
			top := (h - len(code) - 1) / 2
			for i := 0; i < top; i++ {
				lines = append(lines, "")
			}
			for _, l := range code {
				lines = append(lines, pad+l)
			}
		}
	}
	v := verdictLine(a) + "   (any key: back)"
	lines = append(lines, strings.Repeat(" ", max(0, (w-ansi.StringWidth(v))/2))+v)
	return frame(lines, w, h)
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

// staticForm is the "set a static address" form.
type staticForm struct {
	iface   string
	fields  [2]string // address/prefix, gateway
	focus   int
	problem string
	routes  []string // the default routes now: "default via GW dev IFACE"
	confirm bool     // Enter pressed on valid fields: asking y/n
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

// confirmView asks before an action that cannot be undone.
type confirmView struct {
	title, question string
	argv            []string
	yes             string
}

func renderConfirm(c confirmView, w, h int) string {
	s := st()
	header := []string{titleBar(" "+c.title, "", w), ""}
	body := []string{
		" " + s.fail.Render(c.question),
		"",
		" Running tests stop; the live system keeps nothing that was not saved elsewhere.",
		" Command: " + strings.Join(c.argv, " "),
		"",
		keyHint("y", c.yes, "n/Esc", "no, back to the menu"),
	}
	return layout(header, body, nil, w, h)
}

func renderWaitAudit(unitState string, elapsed time.Duration, path string, w, h int) string {
	header := []string{titleBar(" Waiting for the boot audit", clock(elapsed)+" ", w), ""}
	body := []string{
		" bee-audit.service (the boot audit) is still " + unitState + ".",
		" It writes " + path,
		" and the menu opens as soon as it is there.",
	}
	footer := []string{"", keyHint("a", "run an audit now", "Esc", "menu without audit")}
	return layout(header, body, footer, w, h)
}
