package sat

import (
	"github.com/beeaudit/bee/internal/parse/lsblk"
	"github.com/beeaudit/bee/internal/parse/memtester"
	"github.com/beeaudit/bee/internal/parse/nvme"
	"github.com/beeaudit/bee/internal/parse/smartctl"
)

// The parsers' types have no JSON tags; the manifest's parsed results are written with
// the snake_case names used everywhere else in it.

type diskJSON struct {
	Name       string `json:"name"`
	Path       string `json:"path"`
	Transport  string `json:"transport"`
	Model      string `json:"model"`
	Serial     string `json:"serial_number"`
	SizeBytes  *int64 `json:"size_bytes"`
	Rotational *bool  `json:"rotational"`
	WWN        string `json:"wwn"`
	Firmware   string `json:"firmware"`
	Removable  *bool  `json:"removable"`
	Hotplug    *bool  `json:"hotplug"`
	Vendor     string `json:"vendor"`
}

func disksJSON(ds []lsblk.Device) []diskJSON {
	out := []diskJSON{}
	for _, d := range ds {
		out = append(out, diskJSON{Name: d.Name, Path: d.Path, Transport: d.Tran, Model: d.Model, Serial: d.Serial,
			SizeBytes: d.SizeBytes, Rotational: d.Rotational, WWN: d.WWN, Firmware: d.Rev, Removable: d.Removable,
			Hotplug: d.Hotplug, Vendor: d.Vendor})
	}
	return out
}

type selfTestEntryJSON struct {
	Type          string `json:"type"`
	Passed        bool   `json:"passed"`
	Status        string `json:"status"`
	LifetimeHours *int64 `json:"lifetime_hours"`
}

func ataEntryJSON(e *smartctl.SelfTestEntry) *selfTestEntryJSON {
	if e == nil {
		return nil
	}
	return &selfTestEntryJSON{Type: e.Type, Passed: e.Passed, Status: e.Status, LifetimeHours: e.LifetimeHours}
}

func smartLogJSON(l *nvme.SmartLog) map[string]any {
	return map[string]any{
		"critical_warning": l.CriticalWarning, "temperature_c": l.TemperatureC, "available_spare": l.AvailableSpare,
		"spare_threshold": l.SpareThreshold, "percentage_used": l.PercentageUsed, "power_on_hours": l.PowerOnHours,
		"unsafe_shutdowns": l.UnsafeShutdowns, "media_errors": l.MediaErrors, "error_log_entries": l.NumErrLogEntries,
		"warning_temp_minutes": l.WarningTempTime, "critical_temp_minutes": l.CriticalCompTime,
	}
}

type nvmeSelfTestJSON struct {
	Result        *int   `json:"result"`
	Code          *int   `json:"code"`
	SegmentNumber *int   `json:"segment_number"`
	PowerOnHours  *int64 `json:"power_on_hours"`
	NSID          *int64 `json:"nsid"`
	FailingLBA    *int64 `json:"failing_lba"`
}

func selfTestLogJSON(l *nvme.SelfTestLog) map[string]any {
	res := []nvmeSelfTestJSON{}
	for _, r := range l.Results {
		res = append(res, nvmeSelfTestJSON{Result: r.Result, Code: r.Code, SegmentNumber: r.SegmentNumber,
			PowerOnHours: r.PowerOnHours, NSID: r.NSID, FailingLBA: r.FailingLBA})
	}
	return map[string]any{"current_operation": l.CurrentOperation, "current_completion_percent": l.CurrentCompletion,
		"in_progress": l.InProgress, "results": res}
}

type memFailureJSON struct {
	Loop   int    `json:"loop"`
	Test   string `json:"test"`
	Line   string `json:"line"`
	Offset string `json:"offset"`
}

func memFailuresJSON(fs []memtester.Failure) []memFailureJSON {
	out := []memFailureJSON{}
	for _, f := range fs {
		out = append(out, memFailureJSON{Loop: f.Loop, Test: f.Test, Line: f.Line, Offset: f.Offset})
	}
	return out
}
