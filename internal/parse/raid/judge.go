package raid

import (
	"fmt"
	"strings"
)

// Judge applies the rules below to a report, in report order:
//   - a virtual drive degraded or offline: failure; rebuilding: warning;
//   - a physical drive failed: failure; predictive failure flagged: failure (the drive
//     itself says it will fail); media errors above zero: warning;
//   - a cache backup unit (BBU, CacheVault) failed or needing replacement: failure.
//
// Unknown states (VDOther, PDOther) are not judged: the caller sees them in the report.
func Judge(r *Report) []Finding {
	var out []Finding
	add := func(sev, comp, format string, args ...any) {
		out = append(out, Finding{Severity: sev, Component: comp, Message: fmt.Sprintf(format, args...)})
	}
	for _, c := range r.Controllers {
		if c.Backup != nil && c.Backup.Failed {
			add(SeverityFailure, "controller "+c.ID, "%s: %s", strings.TrimSpace(c.Backup.Kind+" "+c.Backup.Model), c.Backup.State)
		}
	}
	for _, v := range r.VirtualDrives {
		comp := fmt.Sprintf("vd %s on controller %s", v.ID, v.Controller)
		switch v.Status {
		case VDDegraded, VDOffline:
			add(SeverityFailure, comp, "%s %s is %s (%s)", v.RAIDLevel, v.Name, v.Status, v.State)
		case VDRebuilding:
			add(SeverityWarning, comp, "%s %s is rebuilding (%s)", v.RAIDLevel, v.Name, v.State)
		}
	}
	for _, p := range r.PhysicalDrives {
		comp := fmt.Sprintf("pd %s on controller %s", p.Location, p.Controller)
		if p.Status == PDFailed {
			add(SeverityFailure, comp, "%s %s failed (%s)", p.Model, p.Serial, p.State)
		}
		if p.PredictiveFailure != nil && *p.PredictiveFailure {
			add(SeverityFailure, comp, "%s %s: predictive failure", p.Model, p.Serial)
		}
		if p.MediaErrors != nil && *p.MediaErrors > 0 {
			add(SeverityWarning, comp, "%s %s: %d media errors", p.Model, p.Serial, *p.MediaErrors)
		}
	}
	return out
}
