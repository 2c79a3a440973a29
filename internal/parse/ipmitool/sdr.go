package ipmitool

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Sensor is one line of `ipmitool sdr elist`:
//
//	PS2 Status       | C5h | ok  | 10.91 | Presence detected, Failure detected
//
// or of the three-column `ipmitool sdr` (`sdr list`), which has no sensor
// number and no entity (ID and Entity are ""):
//
//	PS2 Status       | 0x0b              | ok
type Sensor struct {
	Name string // "PS2 Status"; may be "" for records without an ID string
	ID   string // sensor number as printed, "C5h"; "" in `sdr list` output
	// Status is ipmitool's status column: "ok"; "ns" (no reading: reading
	// unavailable, scanning disabled, or an event-only record); "nc", "cr",
	// "nr" or, on newer ipmitool, "lnc", "unc", "lcr", "ucr", "lnr", "unr"
	// for a threshold crossed.
	Status string
	// Entity is the entity ID and instance, "10.91" (10 = power supply);
	// "" in `sdr list` output.
	Entity string
	// Reading is the value or the asserted discrete states, trimmed:
	// "27 degrees C", "Presence detected, Failure detected", "No Reading",
	// "Disabled", "Event-Only". It is "" for a discrete sensor with a valid
	// reading and no state asserted. In `sdr list` output a discrete sensor
	// reads as a hex byte ("0x01"), and a missing reading as "no reading",
	// "Not Readable" or "disabled".
	Reading string
}

var (
	sdrIDRe     = regexp.MustCompile(`^[0-9A-Fa-f]{2}h$`)
	sdrStatusRe = regexp.MustCompile(`^[a-z]{2,3}$`)
	sdrEntityRe = regexp.MustCompile(`^\d{1,3}\.\d{1,3}$`)
)

// ParseSDR parses the stdout of `ipmitool sdr elist` (also `sdr elist full`,
// `sdr elist all` and `sdr type ...`, which print the same five columns:
// name | number | status | entity | reading). It also reads the three columns
// of plain `ipmitool sdr` / `sdr list` (name | reading | status); those
// sensors have no ID and no Entity, and when the output has five-column lines
// its three-column lines are skipped. Lines that have neither shape (five
// columns need a sensor number like "C5h", a lowercase status and an entity
// like "10.91"; three columns a name, a reading and a lowercase status) are
// skipped, so stray messages mixed into stdout are ignored.
//
// Empty or whitespace-only input yields (nil, nil). Non-empty input without a
// single sensor line (HTML, another tool's output) is an error.
func ParseSDR(data []byte) ([]Sensor, error) {
	text := strings.ReplaceAll(string(data), "\r", "")
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	var out, list []Sensor // five-column and three-column lines
	for _, line := range strings.Split(text, "\n") {
		cols := strings.Split(line, "|")
		if len(cols) == 3 {
			// `sdr list`: name | reading | status.
			s := Sensor{
				Name:    strings.TrimSpace(cols[0]),
				Reading: strings.TrimSpace(cols[1]),
				Status:  strings.TrimSpace(cols[2]),
			}
			if s.Name != "" && s.Reading != "" && sdrStatusRe.MatchString(s.Status) {
				list = append(list, s)
			}
			continue
		}
		if len(cols) < 5 {
			continue
		}
		s := Sensor{
			Name:    strings.TrimSpace(cols[0]),
			ID:      strings.TrimSpace(cols[1]),
			Status:  strings.TrimSpace(cols[2]),
			Entity:  strings.TrimSpace(cols[3]),
			Reading: strings.TrimSpace(strings.Join(cols[4:], "|")),
		}
		if !sdrIDRe.MatchString(s.ID) || !sdrStatusRe.MatchString(s.Status) || !sdrEntityRe.MatchString(s.Entity) {
			continue
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		out = list
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("ipmitool: no sensor lines found (not `ipmitool sdr elist` or `ipmitool sdr` output?)")
	}
	return out, nil
}

// entity splits "10.91" into (10, 91). ok is false for anything else.
func (s Sensor) entity() (id, instance int, ok bool) {
	a, b, found := strings.Cut(s.Entity, ".")
	if !found {
		return 0, 0, false
	}
	id, err1 := strconv.Atoi(a)
	instance, err2 := strconv.Atoi(b)
	return id, instance, err1 == nil && err2 == nil
}
