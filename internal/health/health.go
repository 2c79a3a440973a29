// Package health holds, once, the rules that judge the health state of a drive and of a
// GPU: which counter or flag is a warning and which a failure, under which finding code,
// with which message. `bee audit` (internal/audit) and `bee sat` (internal/sat) both apply
// them, so the same drive or GPU state never gets a failure from one and a warning from
// the other. docs/findings.md explains each code.
//
// The package is pure: callers fill Disk or GPU from whatever they read (smartctl,
// nvme-cli, nvidia-smi) and map each Issue onto their own report.
package health

import (
	"fmt"
	"strings"

	"github.com/beeaudit/bee/internal/report"
)

// Severities of an Issue (internal/report).
const (
	Warning = report.SeverityWarning
	Failure = report.SeverityFailure
)

// Finding codes of the drive and GPU rules: part of the audit's stable catalogue (audit
// re-exports them as audit.CodeXxx). Codes are never renamed or reused.
const (
	CodeSMARTFailed          = "SMART_HEALTH_FAILED"        // failure: drive's own overall-health self-assessment failed
	CodeReallocatedSectors   = "DISK_REALLOCATED_SECTORS"   // warning (>0) / failure (>=100)
	CodePendingSectors       = "DISK_PENDING_SECTORS"       // failure: sectors waiting for reallocation (unreadable data)
	CodeUncorrectableSectors = "DISK_UNCORRECTABLE_SECTORS" // failure: offline uncorrectable sectors
	CodeGrownDefects         = "DISK_GROWN_DEFECTS"         // warning (>0) / failure (>=100): SCSI grown defect list
	CodeNVMeMediaErrors      = "NVME_MEDIA_ERRORS"          // failure: unrecovered data integrity errors
	CodeNVMeCriticalWarning  = "NVME_CRITICAL_WARNING"      // failure: controller's critical warning bits set
	CodeNVMeSpareLow         = "NVME_SPARE_LOW"             // failure: available spare below threshold
	CodeWear                 = "DISK_WEAR"                  // warning >= 90 %, failure >= 100 % of rated endurance used
	CodeDiskTemperature      = "DISK_TEMPERATURE_HIGH"      // warning: >= 70 °C
	CodePrefailAttribute     = "DISK_PREFAIL_ATTRIBUTE"     // failure: a pre-failure SMART attribute at or below its threshold now
	CodeSelfTestFailed       = "DISK_SELFTEST_FAILED"       // warning: the drive's self-test log records a failed self-test
	CodeGPUECCUncorrectable  = "GPU_ECC_UNCORRECTABLE"      // failure (since the driver loaded) / warning (lifetime only)
	CodeGPURetiredPages      = "GPU_RETIRED_PAGES"          // warning (>0 DBE), failure (>= 60 retired pages)
	CodeGPURetirePending     = "GPU_RETIRED_PAGES_PENDING"  // warning: page retirement waits for a GPU reset
	CodeGPURowRemapPending   = "GPU_ROW_REMAP_PENDING"      // warning: needs a GPU reset
	CodeGPURowRemapFailed    = "GPU_ROW_REMAP_FAILED"       // failure: RMA
	CodeGPUHWSlowdown        = "GPU_HW_SLOWDOWN"            // warning: hardware slowdown active (thermal, power brake)
)

// Thresholds of the rules.
const (
	// DefectsFailAt: this many reallocated sectors, or grown-defect list entries, is a
	// failure; fewer (but some) a warning.
	DefectsFailAt = 100
	// WearWarnPercent and WearFailPercent: share of the rated endurance used (NVMe
	// percentage_used).
	WearWarnPercent = 90
	WearFailPercent = 100
	// DiskTempWarnC: a drive this hot or hotter is a warning.
	DiskTempWarnC = 70
	// GPURetiredPagesFailAt: this many retired pages (single- plus double-bit) is a
	// failure.
	GPURetiredPagesFailAt = 60
)

// Issue is one rule that a state breaks.
type Issue struct {
	Severity string // Warning or Failure
	Code     string // one of the Code constants
	Message  string // one line, without the component: "8 sectors pending reallocation (unreadable)"
}

// Disk is the health state of one drive, from smartctl (ATA attributes, SCSI logs, the
// NVMe health log) or nvme-cli's smart-log. nil: not reported by the drive.
type Disk struct {
	Passed                  *bool  // SMART overall-health self-assessment
	ReallocatedSectors      *int64 // ATA attribute 5
	PendingSectors          *int64 // ATA attribute 197
	OfflineUncorrectable    *int64 // ATA attribute 198
	GrownDefects            *int64 // SCSI grown defect list
	MediaErrors             *int64 // NVMe media and data integrity errors
	CriticalWarning         *int   // NVMe critical warning bits
	AvailableSpare          *int   // NVMe available spare, %
	AvailableSpareThreshold *int   // NVMe available spare threshold, %
	PercentageUsed          *int   // NVMe percentage used (share of rated endurance)
	TemperatureC            *int
	// PrefailNow: smartctl's exit bit 4, a pre-failure attribute is at or below its
	// threshold now. PrefailAttributes names such attributes where the attribute table
	// shows them (when_failed "now"); either one breaks the rule.
	PrefailNow        bool
	PrefailAttributes []string
	// SelfTestLogFailed: smartctl's exit bit 7, the self-test log records an error.
	SelfTestLogFailed bool
}

// DiskIssues applies the drive rules to d, in a fixed order.
func DiskIssues(d Disk) []Issue {
	var l issues
	if d.Passed != nil && !*d.Passed {
		l.add(Failure, CodeSMARTFailed, "SMART overall-health self-assessment FAILED")
	}
	if v := d.ReallocatedSectors; v != nil && *v > 0 {
		l.add(atLeast(*v, DefectsFailAt), CodeReallocatedSectors, "%d reallocated sectors", *v)
	}
	if v := d.PendingSectors; v != nil && *v > 0 {
		l.add(Failure, CodePendingSectors, "%d sectors pending reallocation (unreadable)", *v)
	}
	if v := d.OfflineUncorrectable; v != nil && *v > 0 {
		l.add(Failure, CodeUncorrectableSectors, "%d offline uncorrectable sectors", *v)
	}
	if v := d.GrownDefects; v != nil && *v > 0 {
		l.add(atLeast(*v, DefectsFailAt), CodeGrownDefects, "%d entries in the grown defect list", *v)
	}
	if v := d.MediaErrors; v != nil && *v > 0 {
		l.add(Failure, CodeNVMeMediaErrors, "%d NVMe media and data integrity errors", *v)
	}
	if v := d.CriticalWarning; v != nil && *v != 0 {
		l.add(Failure, CodeNVMeCriticalWarning, "NVMe critical warning 0x%02x: %s", *v, nvmeCriticalBits(*v))
	}
	if d.AvailableSpare != nil && d.AvailableSpareThreshold != nil && *d.AvailableSpareThreshold > 0 && *d.AvailableSpare < *d.AvailableSpareThreshold {
		l.add(Failure, CodeNVMeSpareLow, "available spare %d%% is below the threshold %d%%", *d.AvailableSpare, *d.AvailableSpareThreshold)
	}
	if v := d.PercentageUsed; v != nil && *v >= WearWarnPercent {
		l.add(atLeast(int64(*v), WearFailPercent), CodeWear, "%d%% of rated endurance used", *v)
	}
	if v := d.TemperatureC; v != nil && *v >= DiskTempWarnC {
		l.add(Warning, CodeDiskTemperature, "temperature %d °C", *v)
	}
	if len(d.PrefailAttributes) > 0 {
		l.add(Failure, CodePrefailAttribute, "pre-failure SMART attribute at or below its threshold now: %s", strings.Join(d.PrefailAttributes, ", "))
	} else if d.PrefailNow {
		l.add(Failure, CodePrefailAttribute, "a pre-failure SMART attribute is at or below its threshold now")
	}
	if d.SelfTestLogFailed {
		// A past event (the drive may have been repaired since): a warning, for a look at
		// the log in the raw output.
		l.add(Warning, CodeSelfTestFailed, "the self-test log records a failed self-test")
	}
	return l
}

// nvmeCriticalBits names the bits of the NVMe critical warning byte (NVMe base
// specification, SMART / Health Information log, byte 0).
func nvmeCriticalBits(v int) string {
	names := []string{"available spare below threshold", "temperature threshold", "reliability degraded", "read-only mode", "volatile memory backup failed", "persistent memory region read-only"}
	var out []string
	for i, n := range names {
		if v&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return "unknown bits"
	}
	return strings.Join(out, ", ")
}

// GPU is the memory-error and slowdown state of one NVIDIA GPU (nvidia-smi -q -x). nil:
// not reported (N/A, or a driver or GPU without the feature).
type GPU struct {
	ECCVolatileUncorrected  *int64 // uncorrectable ECC errors since the driver loaded
	ECCAggregateUncorrected *int64 // uncorrectable ECC errors over the GPU's lifetime
	RetiredPagesSBE         *int64 // pages retired after multiple single-bit errors
	RetiredPagesDBE         *int64 // pages retired after double-bit errors
	RetiredPagesPending     *bool
	RemappedRowsPending     *bool
	RemappedRowsFailure     *bool
	// ActiveClockEventReasons are the clock event (throttle) reasons active now, named as
	// nvidia-smi -q -x names them without the clocks_event_reason_ prefix
	// ("hw_slowdown", "sw_power_cap", ...).
	ActiveClockEventReasons []string
}

// GPUIssues applies the GPU rules to g, in a fixed order.
func GPUIssues(g GPU) []Issue {
	var l issues
	if n := sum(g.ECCVolatileUncorrected); n > 0 {
		l.add(Failure, CodeGPUECCUncorrectable, "%d uncorrectable ECC errors since the driver loaded", n)
	} else if n := sum(g.ECCAggregateUncorrected); n > 0 {
		// History only (page retirement / row remapping handled them): warn.
		l.add(Warning, CodeGPUECCUncorrectable, "%d uncorrectable ECC errors over the GPU's lifetime (none since the driver loaded)", n)
	}
	retired, dbe := sum(g.RetiredPagesSBE, g.RetiredPagesDBE), sum(g.RetiredPagesDBE)
	if retired >= GPURetiredPagesFailAt {
		l.add(Failure, CodeGPURetiredPages, "%d retired memory pages (%d from double-bit errors)", retired, dbe)
	} else if dbe > 0 {
		l.add(Warning, CodeGPURetiredPages, "%d retired memory pages (%d from double-bit errors)", retired, dbe)
	}
	if isTrue(g.RetiredPagesPending) {
		l.add(Warning, CodeGPURetirePending, "page retirement pending: reset or reboot the GPU")
	}
	if isTrue(g.RemappedRowsFailure) {
		l.add(Failure, CodeGPURowRemapFailed, "row remapping failed: the GPU is out of spare rows")
	}
	if isTrue(g.RemappedRowsPending) {
		l.add(Warning, CodeGPURowRemapPending, "row remapping pending: reset the GPU")
	}
	for _, r := range g.ActiveClockEventReasons {
		if strings.HasPrefix(r, "hw_") {
			l.add(Warning, CodeGPUHWSlowdown, "hardware slowdown active: %s", r)
		}
	}
	return l
}

type issues []Issue

func (l *issues) add(sev, code, format string, a ...any) {
	*l = append(*l, Issue{Severity: sev, Code: code, Message: fmt.Sprintf(format, a...)})
}

// atLeast is Failure when v >= failAt, else Warning.
func atLeast(v, failAt int64) string {
	if v >= failAt {
		return Failure
	}
	return Warning
}

func sum(ps ...*int64) int64 {
	var s int64
	for _, p := range ps {
		if p != nil {
			s += *p
		}
	}
	return s
}

func isTrue(b *bool) bool { return b != nil && *b }
