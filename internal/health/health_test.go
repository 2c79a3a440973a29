package health

import (
	"os"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func p[T any](v T) *T { return &v }

func TestDiskIssues(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    Disk
		want []Issue
	}{
		{"nothing reported", Disk{}, nil},
		{"healthy", Disk{Passed: p(true), ReallocatedSectors: p[int64](0), PendingSectors: p[int64](0),
			OfflineUncorrectable: p[int64](0), GrownDefects: p[int64](0), MediaErrors: p[int64](0),
			CriticalWarning: p(0), AvailableSpare: p(100), AvailableSpareThreshold: p(10), PercentageUsed: p(89), TemperatureC: p(69)}, nil},
		{"SMART failed", Disk{Passed: p(false)}, []Issue{{Failure, CodeSMARTFailed, "SMART overall-health self-assessment FAILED"}}},
		{"reallocated below threshold", Disk{ReallocatedSectors: p[int64](99)}, []Issue{{Warning, CodeReallocatedSectors, "99 reallocated sectors"}}},
		{"reallocated at threshold", Disk{ReallocatedSectors: p[int64](100)}, []Issue{{Failure, CodeReallocatedSectors, "100 reallocated sectors"}}},
		{"one pending sector fails", Disk{PendingSectors: p[int64](1)}, []Issue{{Failure, CodePendingSectors, "1 sectors pending reallocation (unreadable)"}}},
		{"offline uncorrectable", Disk{OfflineUncorrectable: p[int64](3)}, []Issue{{Failure, CodeUncorrectableSectors, "3 offline uncorrectable sectors"}}},
		{"grown defects below threshold", Disk{GrownDefects: p[int64](1)}, []Issue{{Warning, CodeGrownDefects, "1 entries in the grown defect list"}}},
		{"grown defects at threshold", Disk{GrownDefects: p[int64](100)}, []Issue{{Failure, CodeGrownDefects, "100 entries in the grown defect list"}}},
		{"one media error fails", Disk{MediaErrors: p[int64](1)}, []Issue{{Failure, CodeNVMeMediaErrors, "1 NVMe media and data integrity errors"}}},
		{"critical warning", Disk{CriticalWarning: p(0x05)}, []Issue{{Failure, CodeNVMeCriticalWarning, "NVMe critical warning 0x05: available spare below threshold, reliability degraded"}}},
		{"critical warning, reserved bit", Disk{CriticalWarning: p(0x80)}, []Issue{{Failure, CodeNVMeCriticalWarning, "NVMe critical warning 0x80: unknown bits"}}},
		{"spare at threshold", Disk{AvailableSpare: p(10), AvailableSpareThreshold: p(10)}, nil},
		{"spare below threshold", Disk{AvailableSpare: p(9), AvailableSpareThreshold: p(10)}, []Issue{{Failure, CodeNVMeSpareLow, "available spare 9% is below the threshold 10%"}}},
		{"spare threshold 0 is no threshold", Disk{AvailableSpare: p(0), AvailableSpareThreshold: p(0)}, nil},
		{"spare without threshold", Disk{AvailableSpare: p(0)}, nil},
		{"wear at warning", Disk{PercentageUsed: p(90)}, []Issue{{Warning, CodeWear, "90% of rated endurance used"}}},
		{"wear just below failure", Disk{PercentageUsed: p(99)}, []Issue{{Warning, CodeWear, "99% of rated endurance used"}}},
		{"wear at failure", Disk{PercentageUsed: p(100)}, []Issue{{Failure, CodeWear, "100% of rated endurance used"}}},
		{"wear past rating", Disk{PercentageUsed: p(255)}, []Issue{{Failure, CodeWear, "255% of rated endurance used"}}},
		{"hot", Disk{TemperatureC: p(70)}, []Issue{{Warning, CodeDiskTemperature, "temperature 70 °C"}}},
		{"prefail by exit bit", Disk{PrefailNow: true}, []Issue{{Failure, CodePrefailAttribute, "a pre-failure SMART attribute is at or below its threshold now"}}},
		{"prefail named", Disk{PrefailNow: true, PrefailAttributes: []string{"Reallocated_Sector_Ct", "Spin_Retry_Count"}},
			[]Issue{{Failure, CodePrefailAttribute, "pre-failure SMART attribute at or below its threshold now: Reallocated_Sector_Ct, Spin_Retry_Count"}}},
		{"failed self-test in the log", Disk{SelfTestLogFailed: true}, []Issue{{Warning, CodeSelfTestFailed, "the self-test log records a failed self-test"}}},
		{"everything, in order", Disk{Passed: p(false), ReallocatedSectors: p[int64](1975), PendingSectors: p[int64](8),
			OfflineUncorrectable: p[int64](8), GrownDefects: p[int64](2), MediaErrors: p[int64](7), CriticalWarning: p(0x04),
			AvailableSpare: p(5), AvailableSpareThreshold: p(10), PercentageUsed: p(91), TemperatureC: p(75),
			PrefailNow: true, SelfTestLogFailed: true}, []Issue{
			{Failure, CodeSMARTFailed, "SMART overall-health self-assessment FAILED"},
			{Failure, CodeReallocatedSectors, "1975 reallocated sectors"},
			{Failure, CodePendingSectors, "8 sectors pending reallocation (unreadable)"},
			{Failure, CodeUncorrectableSectors, "8 offline uncorrectable sectors"},
			{Warning, CodeGrownDefects, "2 entries in the grown defect list"},
			{Failure, CodeNVMeMediaErrors, "7 NVMe media and data integrity errors"},
			{Failure, CodeNVMeCriticalWarning, "NVMe critical warning 0x04: reliability degraded"},
			{Failure, CodeNVMeSpareLow, "available spare 5% is below the threshold 10%"},
			{Warning, CodeWear, "91% of rated endurance used"},
			{Warning, CodeDiskTemperature, "temperature 75 °C"},
			{Failure, CodePrefailAttribute, "a pre-failure SMART attribute is at or below its threshold now"},
			{Warning, CodeSelfTestFailed, "the self-test log records a failed self-test"},
		}},
	} {
		if d := cmp.Diff(tc.want, DiskIssues(tc.d)); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, d)
		}
	}
}

func TestGPUIssues(t *testing.T) {
	for _, tc := range []struct {
		name string
		g    GPU
		want []Issue
	}{
		{"nothing reported", GPU{}, nil},
		{"healthy", GPU{ECCVolatileUncorrected: p[int64](0), ECCAggregateUncorrected: p[int64](0), RetiredPagesSBE: p[int64](3),
			RetiredPagesDBE: p[int64](0), RetiredPagesPending: p(false), RemappedRowsPending: p(false), RemappedRowsFailure: p(false),
			ActiveClockEventReasons: []string{"gpu_idle", "sw_power_cap", "sw_thermal_slowdown"}}, nil},
		{"uncorrectable since the driver loaded fails", GPU{ECCVolatileUncorrected: p[int64](1), ECCAggregateUncorrected: p[int64](7627)},
			[]Issue{{Failure, CodeGPUECCUncorrectable, "1 uncorrectable ECC errors since the driver loaded"}}},
		{"lifetime uncorrectable only warns", GPU{ECCVolatileUncorrected: p[int64](0), ECCAggregateUncorrected: p[int64](4)},
			[]Issue{{Warning, CodeGPUECCUncorrectable, "4 uncorrectable ECC errors over the GPU's lifetime (none since the driver loaded)"}}},
		{"DBE-retired pages warn", GPU{RetiredPagesSBE: p[int64](0), RetiredPagesDBE: p[int64](2)},
			[]Issue{{Warning, CodeGPURetiredPages, "2 retired memory pages (2 from double-bit errors)"}}},
		{"SBE-retired pages alone below the threshold", GPU{RetiredPagesSBE: p[int64](59), RetiredPagesDBE: p[int64](0)}, nil},
		{"retired pages at the threshold", GPU{RetiredPagesSBE: p[int64](58), RetiredPagesDBE: p[int64](2)},
			[]Issue{{Failure, CodeGPURetiredPages, "60 retired memory pages (2 from double-bit errors)"}}},
		{"SBE-retired pages at the threshold", GPU{RetiredPagesSBE: p[int64](60)},
			[]Issue{{Failure, CodeGPURetiredPages, "60 retired memory pages (0 from double-bit errors)"}}},
		{"flags and slowdowns, in order", GPU{RetiredPagesPending: p(true), RemappedRowsPending: p(true), RemappedRowsFailure: p(true),
			ActiveClockEventReasons: []string{"hw_power_brake_slowdown", "hw_slowdown", "sw_power_cap"}}, []Issue{
			{Warning, CodeGPURetirePending, "page retirement pending: reset or reboot the GPU"},
			{Failure, CodeGPURowRemapFailed, "row remapping failed: the GPU is out of spare rows"},
			{Warning, CodeGPURowRemapPending, "row remapping pending: reset the GPU"},
			{Warning, CodeGPUHWSlowdown, "hardware slowdown active: hw_power_brake_slowdown"},
			{Warning, CodeGPUHWSlowdown, "hardware slowdown active: hw_slowdown"},
		}},
	} {
		if d := cmp.Diff(tc.want, GPUIssues(tc.g)); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, d)
		}
	}
}

// TestCodesDocumented: every code these rules can raise is explained in
// docs/findings.md, with the severity the rules give it.
func TestCodesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/findings.md")
	if err != nil {
		t.Fatal(err)
	}
	for code, sev := range map[string]string{
		CodeSMARTFailed: "failure", CodeReallocatedSectors: "warning (>0) / failure (>=100)", CodePendingSectors: "failure",
		CodeUncorrectableSectors: "failure", CodeGrownDefects: "warning (>0) / failure (>=100)", CodeNVMeMediaErrors: "failure",
		CodeNVMeCriticalWarning: "failure", CodeNVMeSpareLow: "failure", CodeWear: "warning >= 90 %, failure >= 100 %",
		CodeDiskTemperature: "warning: >= 70 °C", CodeGPUECCUncorrectable: "failure", CodeGPURetiredPages: "warning (>0 DBE), failure (>= 60 retired pages)",
		CodeGPURetirePending: "warning", CodeGPURowRemapPending: "warning", CodeGPURowRemapFailed: "failure", CodeGPUHWSlowdown: "warning",
		CodePrefailAttribute: "failure", CodeSelfTestFailed: "warning",
	} {
		row := regexp.MustCompile("(?m)^\\| `" + code + "` \\| " + regexp.QuoteMeta(sev))
		if !row.Match(doc) {
			t.Errorf("docs/findings.md has no row for %s starting %q", code, sev)
		}
	}
}
