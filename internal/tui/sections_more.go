package tui

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/beeaudit/bee/internal/audit"
)

// The inventory sections of the network, bmc, psu (sensors) and raid
// collectors. Like the others they read the audit alone, whose strings
// termsafe.Strings escaped when it was loaded (model.go).

// netSpeed is a link speed in Mb/s as a port is labelled: "10G", "2.5G", "100M".
func netSpeed(p *int) string {
	switch {
	case p == nil || *p <= 0:
		return unknown
	case *p >= 1000 && *p%1000 == 0:
		return strconv.Itoa(*p/1000) + "G"
	case *p >= 1000:
		return strconv.FormatFloat(float64(*p)/1000, 'f', -1, 64) + "G"
	}
	return strconv.Itoa(*p) + "M"
}

// netState is an Ethernet port's link in words: "up", "down, no carrier".
func netState(n audit.NetPort) string {
	s := str(n.OperState)
	if n.Carrier != nil && !*n.Carrier && s != "down" {
		s += ", no carrier"
	}
	return s
}

func networkSection(a *audit.Audit) section {
	h := a.Hardware
	sec := section{key: "8", name: "Network", cols: []column{
		{title: "Port", max: 16}, {title: "Type", max: 4}, {title: "State", min: 6, max: 16, flex: true},
		{title: "Speed", right: true}, {title: "Max", right: true}, {title: "Driver", min: 6, max: 10, flex: true},
		{title: "MAC / GUID", max: 19}, {title: "Firmware", min: 6, flex: true},
	}}
	sev := componentSeverity(a)
	up := 0
	for _, n := range h.Network {
		if n.OperState != nil && *n.OperState == "up" {
			up++
		}
		sec.rows = append(sec.rows, []string{n.Name, "eth", netState(n), netSpeed(n.SpeedMbps), netSpeed(n.MaxSupportedMbps),
			str(n.Driver), str(n.MAC), str(n.FirmwareVersion)})
		sec.marks = append(sec.marks, sev["net:"+n.Name])
		n := n
		sec.details = append(sec.details, func() []kv { return flatten(n) })
	}
	active := 0
	for _, p := range h.InfiniBand {
		kind := "IB"
		if p.LinkLayer != nil && *p.LinkLayer == "Ethernet" {
			kind = "RoCE"
		}
		state := str(p.State)
		if p.State != nil && *p.State == "ACTIVE" {
			active++
		}
		// The physical state only when it says more than "LinkUp": "DOWN Polling".
		if p.PhysState != nil && *p.PhysState != "LinkUp" {
			state += " " + *p.PhysState
		}
		rate := unknown
		if p.RateGbps != nil {
			rate = strconv.FormatFloat(*p.RateGbps, 'f', -1, 64) + "G"
		}
		name := fmt.Sprintf("%s/%d", p.Device, p.Port)
		sec.rows = append(sec.rows, []string{name, kind, state, rate, unknown, str(p.HCAType), str(p.PortGUID), str(p.FirmwareVersion)})
		sec.marks = append(sec.marks, sev["ib:"+name])
		p := p
		sec.details = append(sec.details, func() []kv { return flatten(p) })
	}
	line := fmt.Sprintf("%s, %d up", count(len(h.Network), "network port"), up)
	if h.Network == nil {
		line = collectorNote(a, "network", "Network ports unknown")
	}
	sec.summary = []string{line}
	if len(h.InfiniBand) > 0 {
		sec.summary = append(sec.summary, fmt.Sprintf("%s (InfiniBand, RoCE), %d active", count(len(h.InfiniBand), "RDMA port"), active))
	}
	if len(sec.rows) == 0 {
		sec.summary = nil
		sec.empty = collectorNote(a, "network", "No physical network port found")
	}
	return sec
}

// selTrouble is the SEL entries of a hardware-trouble class, in log order.
func selTrouble(sel *audit.SEL) []audit.SELEntry {
	var out []audit.SELEntry
	if sel == nil {
		return nil
	}
	for _, e := range sel.Entries {
		if e.Class != nil {
			out = append(out, e)
		}
	}
	return out
}

func bmcSection(a *audit.Audit) section {
	sec := section{key: "9", name: "BMC", cols: []column{
		{title: "Time", max: 20}, {title: "Sensor", min: 10, max: 28, flex: true},
		{title: "Event", min: 10, flex: true}, {title: "Class", min: 8, max: 18, flex: true},
	}}
	b := a.Hardware.BMC
	if b == nil {
		sec.empty = collectorNote(a, "bmc", "No BMC")
		return sec
	}
	id := "BMC: " + str(b.Manufacturer) + ", firmware " + str(b.FirmwareRevision) + ", IPMI " + str(b.IPMIVersion)
	addr := str(b.IPAddress)
	if b.IPAddress == nil {
		addr = "no address"
	}
	lan := "BMC LAN: " + addr
	if b.IPSource != nil {
		lan += " (" + *b.IPSource + ")"
	}
	lan += ", MAC " + str(b.MACAddress)
	sec.summary = []string{id, lan}
	sel := b.SEL
	trouble := selTrouble(sel)
	switch {
	case sel == nil:
		sec.summary = append(sec.summary, "SEL: not read")
	default:
		line := "SEL: " + countAs(len(sel.Entries), "entry", "entries")
		if sel.PercentUsed != nil {
			line += fmt.Sprintf(", %d%% used", *sel.PercentUsed)
		}
		if sel.Full {
			line += " (FULL)"
		}
		line += ", " + countAs(len(trouble), "hardware-trouble entry", "hardware-trouble entries")
		sec.summary = append(sec.summary, line)
	}
	for _, f := range a.Hardware.Summary.Findings {
		if strings.HasPrefix(f.Component, "bmc") {
			sec.summary = append(sec.summary, sevTag(f.Severity)+" "+f.Message)
		}
	}
	for _, e := range trouble {
		ts := str(e.Timestamp)
		if e.Timestamp == nil {
			ts = "(before clock set)"
		}
		event := e.Event
		if e.Direction != nil && *e.Direction != "asserted" {
			event += " (" + *e.Direction + ")"
		}
		sec.rows = append(sec.rows, []string{ts, str(e.Sensor), event, str(e.Class)})
		sec.marks = append(sec.marks, "")
		e := e
		sec.details = append(sec.details, func() []kv { return flatten(e) })
	}
	if sel != nil && len(trouble) == 0 {
		sec.empty = "No hardware-trouble entry in the SEL"
	} else if sel == nil {
		sec.empty = collectorNote(a, "bmc", "The SEL could not be read")
	}
	return sec
}

// sensorRank orders sensors worst first: past a threshold, then unknown,
// then without reading, then ok.
func sensorRank(severity string) int {
	switch severity {
	case "non-recoverable":
		return 0
	case "critical":
		return 1
	case "warning":
		return 2
	case "ok":
		return 5
	case "no-reading":
		return 4
	}
	return 3
}

func sensorsSection(a *audit.Audit) section {
	sec := section{key: "0", name: "Sensors", cols: []column{
		{title: "Sensor", min: 12, max: 32, flex: true}, {title: "Type", max: 11},
		{title: "Reading", min: 10, max: 30, flex: true}, {title: "Status", max: 16},
	}}
	sensors := append([]audit.Sensor(nil), a.Hardware.Sensors...)
	sort.SliceStable(sensors, func(i, j int) bool { return sensorRank(sensors[i].Severity) < sensorRank(sensors[j].Severity) })
	sev := componentSeverity(a)
	ok, noReading := 0, 0
	for _, s := range sensors {
		switch s.Severity {
		case "ok":
			ok++
		case "no-reading":
			noReading++
		}
		reading := s.Reading
		if reading == "" {
			reading = strings.Join(s.States, ", ")
		}
		if reading == "" {
			reading = unknown
		}
		status := s.Severity
		if s.Status != "" && s.Status != s.Severity {
			status += " (" + s.Status + ")"
		}
		sec.rows = append(sec.rows, []string{s.Name, s.Type, reading, status})
		sec.marks = append(sec.marks, sev["sensor:"+s.Name])
		s := s
		sec.details = append(sec.details, func() []kv { return flatten(s) })
	}
	bad := len(sensors) - ok - noReading
	sec.summary = []string{fmt.Sprintf("%s: %d past a threshold, %d without reading, %d ok (worst first)",
		count(len(sensors), "BMC sensor"), bad, noReading, ok)}
	if len(sensors) == 0 {
		sec.summary = nil
		sec.empty = collectorNote(a, "psu", "No BMC sensors")
	}
	return sec
}

// raidComponent names a RAID drive as its findings do (internal/parse/raid):
// "raid:storcli vd 0/0 on controller 0".
func raidComponent(tool, kind, id, controller string) string {
	c := kind + " " + id
	if controller != "" {
		c += " on controller " + controller
	}
	return "raid:" + tool + " " + c
}

// hasRAID: the RAID section is shown when a RAID tool answered or failed.
func hasRAID(a *audit.Audit) bool {
	if len(a.Hardware.RAID) > 0 {
		return true
	}
	for _, c := range a.Collectors {
		if c.Name == "raid" && c.Status == audit.StatusError {
			return true
		}
	}
	return false
}

func raidSection(a *audit.Audit) section {
	sec := section{key: "r", name: "RAID", cols: []column{
		{title: "Item", max: 16}, {title: "Model/level", min: 8, max: 24, flex: true},
		{title: "Size", right: true}, {title: "Status", min: 8, max: 24, flex: true},
		{title: "Serial", max: 20}, {title: "Firmware", min: 6, max: 14, flex: true},
	}}
	sev := componentSeverity(a)
	add := func(row []string, mark string, item any) {
		sec.rows = append(sec.rows, row)
		sec.marks = append(sec.marks, mark)
		sec.details = append(sec.details, func() []kv { return flatten(item) })
	}
	size := func(b *int64, printed string) string {
		if b != nil {
			return si(*b)
		}
		if printed == "" {
			return unknown
		}
		return printed
	}
	or := func(s string) string {
		if s == "" {
			return unknown
		}
		return s
	}
	// status is the normalized status, with the tool's words when they say
	// more ("other: Foreign").
	status := func(norm, printed string) string {
		if norm == "" || norm == "other" {
			return strings.TrimSpace(norm + ": " + printed)
		}
		return norm
	}
	for _, r := range a.Hardware.RAID {
		sec.summary = append(sec.summary, fmt.Sprintf("%s: %s, %s, %s", r.Tool, count(len(r.Controllers), "controller"),
			count(len(r.VirtualDrives), "virtual drive"), count(len(r.PhysicalDrives), "physical drive")))
		for _, c := range r.Controllers {
			st := c.Status
			if c.Backup != nil {
				st = strings.TrimSpace(st + ", " + c.Backup.Kind + " " + c.Backup.State)
			}
			add([]string{"ctrl " + c.ID, or(c.Model), "", or(strings.Trim(st, ", ")), or(c.Serial), or(c.Firmware)},
				sev["raid:"+r.Tool+" controller "+c.ID], c)
		}
		for _, v := range r.VirtualDrives {
			add([]string{" vd " + v.ID, or(strings.TrimSpace(v.RAIDLevel + " " + v.Name)), size(v.SizeBytes, v.Size), status(v.Status, v.State), "", ""},
				sev[raidComponent(r.Tool, "vd", v.ID, v.Controller)], v)
		}
		for _, p := range r.PhysicalDrives {
			add([]string{" pd " + p.Location, or(p.Model), size(p.SizeBytes, p.Size), status(p.Status, p.State), or(p.Serial), or(p.Firmware)},
				sev[raidComponent(r.Tool, "pd", p.Location, p.Controller)], p)
		}
	}
	if len(a.Hardware.RAID) == 0 {
		sec.summary = []string{collectorNote(a, "raid", "No RAID tool answered")}
	}
	if len(sec.rows) == 0 {
		sec.empty = collectorNote(a, "raid", "No RAID controller")
	}
	return sec
}
