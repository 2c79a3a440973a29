package sat

import (
	"encoding/json"
	"sort"
	"time"

	"github.com/beeaudit/bee/internal/report"
)

// ManifestFormat names the layout of manifest.json; it changes when a field is renamed
// or removed (fields may be added freely).
const ManifestFormat = "bee-sat/1"

// Verdicts (internal/report: the same words as the audit's hardware.summary.verdict).
const (
	VerdictPass    = report.VerdictPass
	VerdictWarning = report.VerdictWarning
	VerdictFail    = report.VerdictFail
)

// Severities of a Reason (internal/report: the same words as the audit's findings).
const (
	SeverityWarning = report.SeverityWarning
	SeverityFailure = report.SeverityFailure
)

// Step statuses (internal/report).
const (
	StatusOK          = report.StatusOK          // ran, output understood, nothing wrong found
	StatusWarning     = report.StatusWarning     // ran, found something to look at
	StatusFail        = report.StatusFail        // ran, found a hardware fault
	StatusError       = report.StatusError       // could not run, timed out, or its output could not be parsed
	StatusSkipped     = report.StatusSkipped     // deliberately not run (see Message)
	StatusInterrupted = report.StatusInterrupted // stopped by Ctrl-C / SIGTERM, or not started because of it
)

// Manifest is manifest.json, the machine-readable account of one `bee sat` run.
type Manifest struct {
	Format      string   `json:"format"`
	Kind        string   `json:"kind"` // nvidia, memory or storage
	BeeVersion  string   `json:"bee_version"`
	BeeCommit   string   `json:"bee_commit"`
	StartedAt   string   `json:"started_at"` // RFC 3339, UTC
	FinishedAt  string   `json:"finished_at"`
	Interrupted bool     `json:"interrupted"`
	Verdict     string   `json:"verdict"` // pass, warning or fail
	Reasons     []Reason `json:"reasons"` // why the verdict is not pass (and notes that are not)
	Machine     Machine  `json:"machine"`
	// Options are the settings the run used (defaults included), e.g. the memtester size.
	Options map[string]any `json:"options"`
	Steps   []*Step        `json:"steps"`
	// Counters are the error counters read before and after the test and what rose.
	Counters CounterReport `json:"counters"`
	// Results is the kind's own summary of what was tested (GPUs, memtester tests,
	// disks), also rendered in summary.txt.
	Results any `json:"results"`
}

// Reason is one cause of the verdict.
type Reason struct {
	Severity  string `json:"severity"`  // warning or failure
	Component string `json:"component"` // e.g. "gpu 0000:17:00.0", "disk sda", "memory"
	Step      string `json:"step,omitempty"`
	// Code names the rule behind a reason where it has one, e.g.
	// CONFIG_PCIE_LINK_UNDER_LOAD (the audit's finding codes) or PCIE_BANDWIDTH_LOW;
	// absent otherwise.
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// Machine identifies the machine tested.
type Machine struct {
	// Source says where the identity came from: "audit" (the --audit file),
	// "dmidecode" (no audit file: only the serial number was read), or "none".
	Source       string  `json:"source"`
	AuditFile    *string `json:"audit_file"`
	AuditError   *string `json:"audit_error,omitempty"`
	SerialNumber *string `json:"serial_number"`
	Manufacturer *string `json:"manufacturer"`
	ProductName  *string `json:"product_name"`
	UUID         *string `json:"uuid"`
	Hostname     *string `json:"hostname"`
	// AuditStartedAt and AuditVerdict tell which audit the identity was taken from.
	AuditStartedAt *string `json:"audit_started_at,omitempty"`
	AuditVerdict   *string `json:"audit_verdict,omitempty"`
}

// Step is one thing the run did: an external command (Argv set) or a read of
// kernel counters (Argv nil, Files lists what was read).
type Step struct {
	Name       string   `json:"name"`
	Argv       []string `json:"argv,omitempty"`
	StartedAt  string   `json:"started_at"`
	FinishedAt string   `json:"finished_at"`
	DurationMS int64    `json:"duration_ms"`
	TimeoutMS  int64    `json:"timeout_ms,omitempty"`
	// ExitCode is nil when the process did not exit by itself (not found, killed on
	// timeout or interrupt) or when the step ran no command.
	ExitCode *int   `json:"exit_code"`
	Error    string `json:"error,omitempty"` // why it could not run or was stopped
	Status   string `json:"status"`
	Message  string `json:"message,omitempty"`
	// Outputs are the archive paths of this step's raw outputs (stdout, stderr, files).
	Outputs []string `json:"outputs"`
	// Result is the parsed output (its shape depends on the step).
	Result any `json:"result"`

	started time.Time
	// advisory: the step's failure does not bear on the hardware (machine identity), so
	// the verdict's safety net ignores it; the step still shows its error.
	advisory bool
}

// CounterReport is the before/after comparison of error counters.
type CounterReport struct {
	Before    *Snapshot  `json:"before"`
	After     *Snapshot  `json:"after"`
	Increases []Increase `json:"increases"`
	// Unmatched lists counters read before but not after (or the reverse): they could
	// not be compared.
	Unmatched []string `json:"unmatched"`
}

// verdictOf computes the verdict from the reasons: fail when any is a failure, else
// warning when any is a warning, else pass.
func verdictOf(reasons []Reason) string {
	v := VerdictPass
	for _, r := range reasons {
		switch r.Severity {
		case SeverityFailure:
			return VerdictFail
		case SeverityWarning:
			v = VerdictWarning
		}
	}
	return v
}

// sortReasons puts failures first, keeping the order of discovery otherwise.
func sortReasons(r []Reason) {
	sort.SliceStable(r, func(i, j int) bool {
		return r[i].Severity == SeverityFailure && r[j].Severity != SeverityFailure
	})
}

func marshalIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
