package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/audit"
)

// inventoryOf loads an audit fixture as the menu does (loadAudit: schema
// checked, strings escaped) and returns its inventory sections by key.
func inventoryOf(t *testing.T, fixture string) (*audit.Audit, []section, map[string]int) {
	t.Helper()
	msg := loadAudit(context.Background(), fixturePath(t, fixture), time.Time{})
	if msg.err != nil {
		t.Fatal(msg.err)
	}
	secs := sections(msg.a)
	byKey := map[string]int{}
	for i, s := range secs {
		byKey[s.key] = i
	}
	return msg.a, secs, byKey
}

// screenLines draws section key of secs at w×h (after keys moved the cursor)
// and returns its lines with trailing blanks trimmed.
func screenLines(t *testing.T, secs []section, sec int, st0 invState, w, h int) []string {
	t.Helper()
	st0.sec = sec
	out, _ := renderInventory(secs, st0, w, h)
	lines := strings.Split(out, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d", len(lines), h)
	}
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return lines
}

// hasLine fails unless a line of the screen contains every part, in order.
func hasLine(t *testing.T, lines []string, parts ...string) {
	t.Helper()
	for _, l := range lines {
		rest, ok := l, true
		for _, p := range parts {
			i := strings.Index(rest, p)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(p):]
		}
		if ok {
			return
		}
	}
	t.Errorf("no line with %q in order:\n%s", parts, strings.Join(lines, "\n"))
}

// TestInventoryNetworkBMCSensorsRAID: the sections of the network, bmc, psu
// (sensors) and raid collectors on the real audit of the failing GPU server
// (internal/audit/testdata/audits: 2 Ethernet ports, 9 RDMA ports, a
// Supermicro BMC whose full SEL logged power supply failures, 78 sensors,
// a sas3ircu RAID1), at 80x24.
func TestInventoryNetworkBMCSensorsRAID(t *testing.T) {
	_, secs, key := inventoryOf(t, "gpu-server-failing")
	const w, h = 80, 24

	net := screenLines(t, secs, key["8"], invState{}, w, h)
	hasLine(t, net, "Inventory: Network")
	hasLine(t, net, "2 network ports, 1 up")
	hasLine(t, net, "9 RDMA ports (InfiniBand, RoCE), 9 active")
	hasLine(t, net, "eno8403", "eth", "down", "-", "1G", "tg3", "b0:7b:25:de:ad:01")
	hasLine(t, net, "eth0", "eth", "up", "10G", "10G", "i40e", "3c:fd:fe:a1:b2:c3")
	hasLine(t, net, "mlx5_0/1", "IB", "ACTIVE", "400G", "MT4129", "28.41")
	hasLine(t, net, "mlx5_bond_0/1", "RoCE", "ACTIVE", "200G")

	bmc := screenLines(t, secs, key["9"], invState{}, w, h)
	hasLine(t, bmc, "BMC: Supermicro, firmware 1.53, IPMI 2.0")
	hasLine(t, bmc, "BMC LAN: no address (bios), MAC 00:15:17:8f:48:32")
	hasLine(t, bmc, "SEL: 13 entries, 100% used (FULL), 6 hardware-trouble entries")
	hasLine(t, bmc, "FAIL 6 SEL entries")
	hasLine(t, bmc, "WARN the BMC's event log is 100% used")
	hasLine(t, bmc, "Time", "Sensor", "Event", "Class")
	hasLine(t, bmc, "> ", "2021-01-29T14:03:35", "Power Supply PS3", "Failure detected ()", "psu_failure")
	hasLine(t, bmc, "2021-03-20T12:42:44", "Power Supply PS2", "psu_failure")
	rows := 0
	for _, l := range bmc {
		if strings.Contains(l, "psu_failure") {
			rows++
		}
	}
	if rows != 6 {
		t.Errorf("%d SEL rows, want the 6 hardware-trouble entries (the deasserted and unclassified ones are only counted)", rows)
	}

	sens := screenLines(t, secs, key["0"], invState{}, w, h)
	hasLine(t, sens, "78 BMC sensors: 0 past a threshold, 16 without reading, 62 ok (worst first)")
	hasLine(t, sens, "> ", "P1-DIMMA2 Temp", "discrete", "No Reading", "no-reading (ns)")
	hasLine(t, sens, "rows 1-15 of 78")
	// 80x24 scrolls: End shows the last sensor, an ok one.
	end := screenLines(t, secs, key["0"], invState{cursor: 1 << 30}, w, h)
	hasLine(t, end, "rows 64-78 of 78")
	last := a0(t, "gpu-server-failing").Hardware.Sensors
	hasLine(t, end, "> ", last[len(last)-1].Name, "ok")

	raid := screenLines(t, secs, key["r"], invState{}, w, h)
	hasLine(t, raid, "sas3ircu: 1 controller, 1 virtual drive, 2 physical drives")
	hasLine(t, raid, "ctrl 0", "SAS3008", "16.00.11.00")
	hasLine(t, raid, "vd 286", "RAID1", "146 GB", "optimal")
	hasLine(t, raid, "pd 1:0", "HFS480G3H2X069N", "480 GB", "online", "BNA7N5994ICB47T3V", "DZ00")

	// The tab bar fits 80 columns on two lines and names every section.
	sys := screenLines(t, secs, 0, invState{}, w, h)
	hasLine(t, sys, ">1 System<", "7 GPU", "8 Network", "9 BMC")
	hasLine(t, sys, "0 Sensors", "r RAID")
	hasLine(t, sys, "left/right/1-9,0,r section")
}

func a0(t *testing.T, fixture string) *audit.Audit {
	a, _, _ := inventoryOf(t, fixture)
	return a
}

// TestInventorySensorsWorstFirst: sensors past a threshold come first, marked
// with their finding, then those without reading, then the ok ones (the real
// audit with two sensors' readings replaced in memory, and the findings bee
// audit writes for them).
func TestInventorySensorsWorstFirst(t *testing.T) {
	a, _, _ := inventoryOf(t, "gpu-server-failing")
	h := &a.Hardware
	last := len(h.Sensors) - 1
	h.Sensors[last].Severity, h.Sensors[last].Status = "critical", "cr"
	h.Sensors[last-1].Severity, h.Sensors[last-1].Status = "warning", "nc"
	h.Summary.Findings = append(h.Summary.Findings,
		audit.Finding{Severity: audit.SeverityFailure, Component: "sensor:" + h.Sensors[last].Name, Code: audit.CodeSensorCritical, Message: "past its critical threshold"})
	secs := sections(a)
	lines := screenLines(t, secs, 9, invState{}, 80, 24)
	hasLine(t, lines, "78 BMC sensors: 2 past a threshold, 16 without reading, 60 ok")
	var table []string
	for _, l := range lines {
		if strings.Contains(l, "(") && (strings.Contains(l, "critical") || strings.Contains(l, "warning") || strings.Contains(l, "no-reading")) {
			table = append(table, l)
		}
	}
	if len(table) < 3 || !strings.Contains(table[0], "FAIL "+h.Sensors[last].Name) || !strings.Contains(table[0], "critical (cr)") ||
		!strings.Contains(table[1], h.Sensors[last-1].Name) || !strings.Contains(table[1], "warning (nc)") || !strings.Contains(table[2], "no-reading") {
		t.Errorf("want the critical sensor (marked FAIL), the warning one, then those without reading:\n%s", strings.Join(lines, "\n"))
	}
}

// TestInventoryWithoutBMC: a machine without BMC says why its BMC and
// sensors sections are empty (the collectors' skip reasons), and has no RAID
// section when no RAID tool answered.
func TestInventoryWithoutBMC(t *testing.T) {
	_, secs, key := inventoryOf(t, "qemu-vm")
	bmc := screenLines(t, secs, key["9"], invState{}, 80, 24)
	hasLine(t, bmc, "No BMC (bmc collector")
	if _, ok := key["r"]; ok {
		t.Error("a RAID section on a machine without RAID tools")
	}
	hasLine(t, screenLines(t, secs, 0, invState{}, 80, 24), "left/right/1-9,0 section")
}
