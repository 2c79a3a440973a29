// Package report owns bee's report vocabulary: the words the audit JSON
// (docs/json.md), the sat manifest (docs/sat.md) and the health rules
// (docs/findings.md) share for verdicts, severities and statuses, and the
// well-known paths on the live ISO (docs/architecture.md). Each word is
// defined here once; internal/audit, internal/sat and internal/health re-export
// the ones they use under their own names.
//
// The constants are untyped strings: the JSON fields that hold them are plain
// strings, and must stay byte-identical.
package report

// Verdicts: hardware.summary.verdict of the audit and verdict of a sat manifest.
const (
	VerdictPass    = "pass"
	VerdictWarning = "warning"
	VerdictFail    = "fail"
)

// Severities of an audit finding, a sat reason and a health issue.
const (
	SeverityWarning = "warning"
	SeverityFailure = "failure"
)

// Statuses of an audit collector and of a sat step. An audit collector is only
// ever ok, skipped or error; a sat step may be any of them.
const (
	StatusOK          = "ok"          // ran, output understood, nothing wrong found
	StatusWarning     = "warning"     // ran, found something to look at (sat)
	StatusFail        = "fail"        // ran, found a hardware fault (sat)
	StatusError       = "error"       // could not run, timed out, or its output could not be parsed
	StatusSkipped     = "skipped"     // did not apply, or deliberately not run
	StatusInterrupted = "interrupted" // stopped by Ctrl-C / SIGTERM, or not started because of it (sat)
)

// Well-known paths on the live ISO (docs/architecture.md).
const (
	// AuditPath is where `bee audit` writes the audit JSON, and where `bee sat`,
	// `bee tui` and `bee profile` read it.
	AuditPath = "/var/log/bee-audit.json"
	// SATDir is the folder `bee sat` writes its archives to.
	SATDir = "/var/log/bee-sat"
	// ReleaseFile exists only on the live ISO: its presence makes the runtime "livecd".
	ReleaseFile = "/etc/bee-release"
	// NvidiaStatusFile is bee-nvidia.service's account of the NVIDIA driver load.
	NvidiaStatusFile = "/run/bee/nvidia.status"
	// ProfilesISODir and ProfilesStickDir hold the hardware profiles
	// (docs/profiles.md): on the ISO, and on a USB stick.
	ProfilesISODir   = "/etc/bee/profiles"
	ProfilesStickDir = "/run/bee/stick/profiles"
)
