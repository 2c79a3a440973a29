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
			state := c.Backup.State
			if state == "" {
				state = "failed or to be replaced (no state printed)"
			}
			add(SeverityFailure, strings.TrimSpace("controller "+c.ID), "%s: %s", strings.TrimSpace(c.Backup.Kind+" "+c.Backup.Model), state)
		}
	}
	for _, v := range r.VirtualDrives {
		comp := component("vd", v.ID, v.Controller)
		switch v.Status {
		case VDDegraded, VDOffline:
			add(SeverityFailure, comp, "%s is %s (%s)", strings.TrimSpace(v.RAIDLevel+" "+v.Name), v.Status, v.State)
		case VDRebuilding:
			add(SeverityWarning, comp, "%s is rebuilding (%s)", strings.TrimSpace(v.RAIDLevel+" "+v.Name), v.State)
		}
	}
	for _, p := range r.PhysicalDrives {
		comp := component("pd", p.Location, p.Controller)
		name := strings.TrimSpace(p.Model + " " + p.Serial)
		if name == "" {
			name = "drive"
		}
		if p.Status == PDFailed {
			add(SeverityFailure, comp, "%s failed (%s)", name, p.State)
		}
		if p.PredictiveFailure != nil && *p.PredictiveFailure {
			add(SeverityFailure, comp, "%s: predictive failure", name)
		}
		if p.MediaErrors != nil && *p.MediaErrors > 0 {
			add(SeverityWarning, comp, "%s: %d media errors", name, *p.MediaErrors)
		}
	}
	return out
}

// component names a drive: "pd 252:0 on controller 0"; without the controller part
// when the tool's output does not name it (arcconf).
func component(kind, id, controller string) string {
	if controller == "" {
		return kind + " " + id
	}
	return fmt.Sprintf("%s %s on controller %s", kind, id, controller)
}
