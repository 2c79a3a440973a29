package ipmitool

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// SEL is the parsed stdout of `ipmitool sel elist` or `ipmitool sel list`.
type SEL struct {
	Entries []SELEntry `json:"entries"`
	// NoEntries is true when ipmitool said "SEL has no entries".
	NoEntries bool `json:"no_entries,omitempty"`
	// Unparsed keeps the non-empty lines that are not entries, trimmed, so
	// nothing the BMC logged is silently dropped.
	Unparsed []string `json:"unparsed,omitempty"`
}

// SELEntry is one System Event Log record as ipmitool prints it:
//
//	131 | 10/19/2020 | 14:45:09 | Power Supply Power Supply 2 | Failure detected | Asserted
//	 3a | 12/14/22 | 23:09:44 CET | Memory #0x88 | Correctable ECC (CPU0_G1) | Asserted
//	 56 |  Pre-Init  |0000000085| System ACPI Power State ACPI_Stat | S0/G0: working | Asserted
//	123 | 10/16/2020 | 10:41:22 | OEM record dc | 000137 | 00c378895f00
type SELEntry struct {
	// ID is the record ID as printed (hexadecimal, "131").
	ID string `json:"id"`
	// Date and Time are as printed: "10/19/2020" (ipmitool up to 1.8.18)
	// or the C locale's "12/14/22" (1.8.19), and "14:45:09",
	// "23:09:44 CET" or, in a 12-hour locale, "06:12:15 PM CST". Records logged before the BMC clock was set read
	// Date "Pre-Init" and Time the seconds since BMC start
	// ("0000000085"); "Unspecified" is a timestamp of all ones.
	Date string `json:"date,omitempty"`
	Time string `json:"time,omitempty"`
	// Timestamp is Date and Time as "2006-01-02T15:04:05", with "Z"
	// appended when ipmitool printed the zone UTC or GMT; other zones are
	// kept in Zone and the time is left as the BMC's wall clock. "" when
	// the date is not a calendar date (Pre-Init, Unspecified).
	Timestamp string `json:"timestamp,omitempty"`
	Zone      string `json:"zone,omitempty"`
	PreInit   bool   `json:"pre_init,omitempty"`
	// Sensor is the sensor column as printed: the sensor type followed by
	// the sensor name (`sel elist`) or number (`sel list`, or no SDR):
	// "Power Supply PS3 Status", "Memory #0x2b", "System Event".
	Sensor string `json:"sensor,omitempty"`
	// SensorType is the IPMI sensor type the column starts with ("Power
	// Supply"), "" when it is none ipmitool knows; SensorName the rest
	// ("PS3 Status", "#0x2b", or "").
	SensorType string `json:"sensor_type,omitempty"`
	SensorName string `json:"sensor_name,omitempty"`
	// Event is the event description ("Failure detected", "Uncorrectable
	// ECC", "Correctable ECC (CPU0_G1)"); for OEM records the
	// manufacturer ID and data bytes ("000137 | 00c378895f00").
	Event string `json:"event"`
	// Direction is "asserted", "deasserted", or "" (OEM records).
	Direction string `json:"direction,omitempty"`
	// Extra is what follows the direction (threshold events: "Reading 95 >
	// Threshold 90 degrees C"; memory: a DIMM).
	Extra string `json:"extra,omitempty"`
	// OEM is true for OEM records (record types C0h-FFh), which have no
	// sensor, event type or direction, and for "Linux kernel panic" records.
	OEM bool `json:"oem,omitempty"`
	// Class is the hardware-trouble class ClassifySEL gives the entry, ""
	// for none.
	Class string `json:"class,omitempty"`
}

// sensorTypes are the names ipmitool prints for the IPMI sensor types
// (lib/ipmi_strings.c ipmi_generic_sensor_type_vals with "reserved" for
// type 0, plus "Unknown" for OEM types, plus the names older releases
// printed), longest first so
// "Drive Slot / Bay" wins over "Drive Slot".
var sensorTypes = func() []string {
	t := []string{
		"Temperature", "Voltage", "Current", "Fan",
		"Physical Security", "Platform Security", "Processor",
		"Power Supply", "Power Unit", "Cooling Device", "Other",
		"Memory", "Drive Slot / Bay", "POST Memory Resize",
		"System Firmwares", "Event Logging Disabled", "Watchdog1",
		"System Event", "Critical Interrupt", "Button",
		"Module / Board", "Microcontroller", "Add-in Card",
		"Chassis", "Chip Set", "Other FRU", "Cable / Interconnect",
		"Terminator", "System Boot Initiated", "Boot Error",
		"OS Boot", "OS Critical Stop", "Slot / Connector",
		"System ACPI Power State", "Watchdog2", "Platform Alert",
		"Entity Presence", "Monitor ASIC", "LAN",
		"Management Subsys Health", "Battery", "Session Audit",
		"Version Change", "FRU State", "Unknown", "reserved",
		// ipmitool before 1.8.17 printed the names of its event table.
		"Drive Slot", "OS Stop/Shutdown", "System Firmware Progress", "System Firmware Error",
		"System Firmware Hang", "Cable/Interconnect", "Module/Board", "Slot/Connector",
		"Watchdog 1", "Watchdog 2", "Management Subsystem Health", "Monitor ASIC/IC",
		"Microcontroller/Coprocessor", "ACPI Device Power State", "FRU Hot Swap", "Module Hot Swap",
		"IPMB-0 Status", "Other Units-based Sensor",
	}
	sort.SliceStable(t, func(i, j int) bool { return len(t[i]) > len(t[j]) })
	return t
}()

// ParseSEL parses the stdout of `ipmitool sel elist` or `ipmitool sel list`
// (the two differ only in the sensor column: names or numbers). Each line
// "ID | date | time | sensor | event | direction [| extra]" is an entry, as
// are OEM records ("ID | date | time | OEM record XX | manufacturer | data",
// or without the timestamp for record types E0h-FFh) and "ID | Linux kernel
// panic: ..." records. Every entry gets its ClassifySEL class.
//
// Empty input gives an empty SEL and no error, as does ipmitool's "SEL has
// no entries". Other non-empty input without a single entry is an error.
func ParseSEL(data []byte) (SEL, error) {
	var sel SEL
	text := string(data)
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		e, ok := parseSELLine(line)
		if !ok {
			if line == "SEL has no entries" {
				sel.NoEntries = true
				continue
			}
			sel.Unparsed = append(sel.Unparsed, line)
			continue
		}
		e.Class = ClassifySEL(e)
		sel.Entries = append(sel.Entries, e)
	}
	if len(sel.Entries) == 0 && len(sel.Unparsed) > 0 {
		return SEL{}, fmt.Errorf("ipmitool: no SEL entry lines found (not `ipmitool sel elist` output?): %q", selTrunc(sel.Unparsed[0], 80))
	}
	return sel, nil
}

func selTrunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func isHexID(s string) bool {
	if s == "" || len(s) > 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func parseSELLine(line string) (SELEntry, bool) {
	cols := strings.Split(line, "|")
	for i := range cols {
		cols[i] = strings.TrimSpace(cols[i])
	}
	if len(cols) < 2 || !isHexID(cols[0]) {
		return SELEntry{}, false
	}
	e := SELEntry{ID: cols[0]}
	rest := cols[1:]
	switch {
	case strings.HasPrefix(rest[0], "Linux kernel panic"):
		e.OEM = true
		e.Event = strings.Join(rest, " | ")
		return e, true
	case strings.HasPrefix(rest[0], "OEM record "):
		// E0h-FFh: no timestamp.
		e.OEM = true
		e.Sensor = rest[0]
		e.Event = strings.Join(rest[1:], " | ")
		return e, true
	}
	if len(rest) < 4 {
		return SELEntry{}, false
	}
	e.Date, e.Time = rest[0], rest[1]
	e.PreInit = e.Date == "Pre-Init"
	e.Timestamp, e.Zone = selTimestamp(e.Date, e.Time)
	if strings.HasPrefix(rest[2], "OEM record ") {
		e.OEM = true
		e.Sensor = rest[2]
		e.Event = strings.Join(rest[3:], " | ")
		return e, true
	}
	if len(rest) < 5 {
		return SELEntry{}, false
	}
	e.Sensor, e.Event = rest[2], rest[3]
	switch rest[4] {
	case "Asserted":
		e.Direction = "asserted"
	case "Deasserted":
		e.Direction = "deasserted"
	default:
		return SELEntry{}, false
	}
	e.Extra = strings.Join(rest[5:], " | ")
	e.SensorType, e.SensorName = splitSensor(e.Sensor)
	return e, true
}

func splitSensor(s string) (typ, name string) {
	for _, t := range sensorTypes {
		if s == t {
			return t, ""
		}
		if len(s) > len(t) && s[len(t)] == ' ' && s[:len(t)] == t {
			return t, strings.TrimSpace(s[len(t)+1:])
		}
	}
	return "", s
}

// selTimestamp turns ipmitool's date and time columns into
// "2006-01-02T15:04:05" (+"Z" for UTC/GMT) and the zone name.
func selTimestamp(date, clock string) (ts, zone string) {
	clock, zone, _ = strings.Cut(clock, " ")
	zone = strings.TrimSpace(zone)
	// A 12-hour locale's %X: "06:12:15 PM CST".
	layout := "15:04:05"
	if ampm, rest, _ := strings.Cut(zone, " "); ampm == "AM" || ampm == "PM" {
		clock, layout, zone = clock+" "+ampm, "03:04:05 PM", strings.TrimSpace(rest)
	}
	var t time.Time
	var err error
	switch len(date) {
	case len("01/02/2006"):
		t, err = time.Parse("01/02/2006 "+layout, date+" "+clock)
	case len("01/02/06"):
		t, err = time.Parse("01/02/06 "+layout, date+" "+clock)
	default:
		return "", zone
	}
	if err != nil {
		return "", zone
	}
	ts = t.Format("2006-01-02T15:04:05")
	if zone == "UTC" || zone == "GMT" {
		ts += "Z"
	}
	return ts, zone
}
