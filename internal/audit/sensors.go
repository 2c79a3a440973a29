package audit

import (
	"fmt"
	"strings"

	"github.com/beeaudit/bee/internal/parse/ipmitool"
)

// sensorsFrom turns the sensor records of `ipmitool sdr elist` into the
// audit's sensor list. The psu collector reads `sdr elist` once and keeps both
// the PSUs and every sensor from it.
func sensorsFrom(sdr []ipmitool.Sensor) []Sensor {
	out := make([]Sensor, 0, len(sdr))
	for _, s := range sdr {
		r := ipmitool.SensorReading(s)
		out = append(out, Sensor{
			Name: r.Name, Type: r.Type, Value: r.Value, Unit: clean(r.Unit), States: r.States,
			Status: r.Status, Severity: r.Severity, Reading: r.Reading,
		})
	}
	return out
}

// Finding codes of the sensors (docs/findings.md).
const (
	CodeSensorNonRecoverable = "SENSOR_NON_RECOVERABLE" // failure: a sensor past its non-recoverable threshold
	CodeSensorCritical       = "SENSOR_CRITICAL"        // failure: a sensor past its critical threshold
	CodeSensorNonCritical    = "SENSOR_NON_CRITICAL"    // warning: a sensor past its non-critical threshold
	CodeFanStopped           = "FAN_STOPPED"            // warning: a fan the BMC reads at 0 RPM
)

func sensorFindings(l *findingList, h *Hardware) {
	for _, s := range h.Sensors {
		comp := "sensor:" + s.Name
		reading := s.Reading
		if reading == "" {
			reading = "no reading"
		}
		switch s.Severity {
		case "non-recoverable":
			l.add(SeverityFailure, comp, CodeSensorNonRecoverable, "%s (status %s): past its non-recoverable threshold", reading, s.Status)
		case "critical":
			l.add(SeverityFailure, comp, CodeSensorCritical, "%s (status %s): past its critical threshold", reading, s.Status)
		case "warning":
			l.add(SeverityWarning, comp, CodeSensorNonCritical, "%s (status %s): past its non-critical threshold", reading, s.Status)
		}
		if s.Type == "fan" && s.Value != nil && *s.Value == 0 && s.Severity != "no-reading" {
			l.add(SeverityWarning, comp, CodeFanStopped, "fan present but reads %s", strings.TrimSpace(fmt.Sprintf("0 %s", str(s.Unit))))
		}
	}
}
