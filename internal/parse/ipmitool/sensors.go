package ipmitool

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Reading is one sensor of `ipmitool sdr elist` (or `ipmitool sdr`) with its
// reading split into value, unit and asserted states. ParseSensors builds
// them from ParseSDR's lines, so one capture of `sdr elist` serves both the
// power supply inventory and the sensor list.
type Reading struct {
	Name string `json:"name"`
	// ID and Entity are as in Sensor ("C5h", "10.91"); "" for `sdr list`.
	ID     string `json:"id,omitempty"`
	Entity string `json:"entity,omitempty"`
	// Type is derived from the unit, since `sdr elist` prints no sensor
	// type: "temperature" (degrees C/F), "voltage" (Volts), "current"
	// (Amps), "power" (Watts), "fan" (RPM), "percent", "other" (another
	// unit) or "discrete" (no numeric reading: states only, or none).
	Type string `json:"type"`
	// Value is the numeric reading, nil for discrete sensors and sensors
	// without a reading.
	Value *float64 `json:"value"`
	// Unit is the unit as ipmitool prints it ("degrees C", "RPM", "Volts").
	Unit string `json:"unit,omitempty"`
	// States are the asserted discrete states ("Presence detected",
	// "Failure detected"); a numeric reading may be followed by states
	// ("0 Watts, Presence detected, Failure detected" on HP iLO).
	States []string `json:"states,omitempty"`
	// Status is ipmitool's status column as printed: "ok", "ns", "nc",
	// "cr", "nr", or on newer ipmitool "lnc", "unc", "lcr", "ucr", "lnr",
	// "unr".
	Status string `json:"status"`
	// Severity is Status as one word: "ok", "warning" (nc, lnc, unc),
	// "critical" (cr, lcr, ucr), "non-recoverable" (nr, lnr, unr),
	// "no-reading" (ns), or "unknown" for anything else.
	Severity string `json:"severity"`
	// FanStopped is true for a fan that reads 0 RPM with a valid reading:
	// the fan is there (the BMC reads its tachometer) but does not turn.
	// Absent fans read "ns" / "No Reading" instead.
	FanStopped bool `json:"fan_stopped,omitempty"`
	// Reading is the reading column as printed.
	Reading string `json:"reading"`
}

var numReadingRe = regexp.MustCompile(`^(-?\d+(?:\.\d+)?)\s+(\S.*)$`)

// noReading lists readings that mean "no value" in `sdr elist` and `sdr
// list` output.
var noReading = map[string]bool{
	"no reading": true, "not readable": true, "disabled": true, "event-only": true, "na": true, "n/a": true,
}

// ParseSensors parses `ipmitool sdr elist` (or the three-column `ipmitool
// sdr`) with ParseSDR and returns every sensor with its value, unit and
// status. Errors are ParseSDR's.
func ParseSensors(data []byte) ([]Reading, error) {
	sensors, err := ParseSDR(data)
	if err != nil || sensors == nil {
		return nil, err
	}
	out := make([]Reading, 0, len(sensors))
	for _, s := range sensors {
		out = append(out, SensorReading(s))
	}
	return out, nil
}

// SensorReading splits one Sensor's reading.
func SensorReading(s Sensor) Reading {
	r := Reading{Name: s.Name, ID: s.ID, Entity: s.Entity, Status: s.Status, Reading: s.Reading,
		Severity: statusSeverity(s.Status), Type: "discrete"}
	parts := strings.Split(s.Reading, ",")
	first := strings.TrimSpace(parts[0])
	if m := numReadingRe.FindStringSubmatch(first); m != nil {
		if v, err := strconv.ParseFloat(m[1], 64); err == nil && !math.IsInf(v, 0) {
			r.Value = &v
			r.Unit = m[2]
			r.Type = unitType(r.Unit)
			parts = parts[1:]
		}
	}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" || noReading[strings.ToLower(p)] || strings.HasPrefix(p, "0x") && len(p) <= 4 {
			continue
		}
		r.States = append(r.States, p)
	}
	r.FanStopped = r.Type == "fan" && r.Value != nil && *r.Value == 0 && r.Severity != "no-reading"
	return r
}

func unitType(unit string) string {
	switch strings.ToLower(unit) {
	case "degrees c", "degrees f", "degrees k":
		return "temperature"
	case "volts":
		return "voltage"
	case "amps":
		return "current"
	case "watts":
		return "power"
	case "rpm":
		return "fan"
	case "percent":
		return "percent"
	}
	return "other"
}

func statusSeverity(st string) string {
	switch st {
	case "ok":
		return "ok"
	case "ns":
		return "no-reading"
	case "nc", "lnc", "unc":
		return "warning"
	case "cr", "lcr", "ucr":
		return "critical"
	case "nr", "lnr", "unr":
		return "non-recoverable"
	}
	return "unknown"
}
