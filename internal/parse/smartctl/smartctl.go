// Package smartctl parses the JSON output of smartctl (smartmontools) for one device into a
// Report: identity, capacity, overall health, the counters a hardware engineer looks at first
// (ATA reallocated/pending/uncorrectable sectors, NVMe media errors and critical warning, SCSI
// grown defects), SSD wear, the self-test state and smartctl's exit-status bitmask.
//
// The parser is written for the format, not for particular files: smartmontools 6.7 to 7.5
// JSON for ATA (including SAT behind USB bridges and MegaRAID), SCSI/SAS and NVMe devices,
// whether the caller ran -x, -a or only -i -H -A. Every value that the output does not carry
// is nil (or "" for strings); nothing is defaulted to 0.
package smartctl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Protocol values of Report.Protocol, as smartctl spells them in device.protocol.
const (
	ProtocolATA  = "ATA"
	ProtocolSCSI = "SCSI"
	ProtocolNVMe = "NVMe"
)

// Bits of smartctl's exit status (man smartctl, "EXIT STATUS").
const (
	ExitCmdLineParse       = 1 << 0 // command line did not parse
	ExitDeviceOpenFailed   = 1 << 1 // device open failed, no IDENTIFY data, or device in a low-power mode
	ExitSMARTCommandFailed = 1 << 2 // some SMART or other command failed, or a SMART data checksum error
	ExitDiskFailing        = 1 << 3 // SMART status check returned "DISK FAILING"
	ExitPrefailAttrs       = 1 << 4 // prefail attributes found <= threshold
	ExitAttrsPastThreshold = 1 << 5 // SMART status OK, but some attributes were <= threshold in the past
	ExitErrorLog           = 1 << 6 // the device error log contains records of errors
	ExitSelfTestLog        = 1 << 7 // the device self-test log contains records of errors
)

// Message is one entry of smartctl.messages.
type Message struct {
	String   string
	Severity string // "information", "warning" or "error"
}

// Attribute is one row of the ATA SMART attribute table (ata_smart_attributes.table).
type Attribute struct {
	ID         int
	Name       string
	Value      *int
	Worst      *int
	Threshold  *int
	WhenFailed string // "", "now" or "past"
	Prefailure *bool
	RawValue   *int64
	RawString  string
}

// PrefailFailingNow names the pre-failure attributes of the ATA attribute table that are at
// or below their threshold now (flags.prefailure and when_failed "now"), in table order,
// as "Name (ID)"; nil when there are none or the table was not read.
func (r *Report) PrefailFailingNow() []string {
	var out []string
	for _, a := range r.Attributes {
		if a.WhenFailed == "now" && a.Prefailure != nil && *a.Prefailure {
			name := a.Name
			if name == "" {
				name = "attribute"
			}
			out = append(out, fmt.Sprintf("%s (%d)", name, a.ID))
		}
	}
	return out
}

// SelfTestEntry is the most recent finished self-test: the newest finished entry of the
// device's self-test log or, for ATA when no log entry is available, the self-test execution
// status in the SMART data (then Type is "" and LifetimeHours nil).
type SelfTestEntry struct {
	Type string // e.g. "Short offline", "Extended offline", "Short", "Background short"
	// Passed is false only when the device reported a failure (ATA status 3-8, NVMe result
	// 5-7, SCSI result 3-7). A test aborted by the host or interrupted by a reset is not a
	// failure; Status says which it was.
	Passed bool
	Status string // e.g. "Completed without error", "Completed: read failure"
	// LifetimeHours is the power-on hours at which the test ran. ATA logs keep only 16
	// bits of it, so on drives older than 65535 hours it has wrapped around.
	LifetimeHours *int64
}

// Report is what one smartctl -j run says about one device.
type Report struct {
	DeviceName     string // device.name, e.g. "/dev/sda", "/dev/bus/6"
	DeviceInfoName string // device.info_name, e.g. "/dev/bus/6 [megaraid_disk_14] [SAT]"
	DeviceType     string // device.type, e.g. "sat", "nvme", "scsi", "sat+megaraid,14", "usbjmicron"
	Protocol       string // "ATA", "SCSI", "NVMe", or "" when unknown

	ModelFamily  string // ATA drive-database family
	ModelName    string // ATA/NVMe model; SCSI "vendor product"
	SerialNumber string
	Firmware     string // firmware_version; SCSI revision
	Vendor       string // SCSI vendor
	Product      string // SCSI product
	// WWN is the world wide name as "0x" and 16 (or 32) lower-case hex digits: the ATA
	// wwn {naa, oui, id} or the SCSI logical_unit_id. "" when the device reports none.
	WWN string
	// NVMeEUI64 is the first namespace's IEEE EUI-64 as lsblk prints it ("eui.0025385c91b0e5a8"),
	// "" when absent.
	NVMeEUI64       string
	CapacityBytes   *int64 // user_capacity.bytes, else nvme_total_capacity
	RotationRate    *int   // rpm; 0 means a solid-state device
	FormFactor      string // e.g. "2.5 inches"
	SCSITransport   string // scsi_transport_protocol.name, e.g. "SAS (SPL-4)"
	SmartctlVersion string // smartctl.version, e.g. "7.3"
	SmartSupported  *bool  // smart_support.available (smartctl >= 7.2 only)
	SmartEnabled    *bool  // smart_support.enabled (smartctl >= 7.2 only)
	SmartPassed     *bool  // smart_status.passed: the overall health self-assessment
	// TemperatureC is temperature.current, else the SCSI Environmental Reporting page's
	// first temperature sensor (smartctl >= 7.3), else the NVMe health log's. A SCSI device
	// that reports 0 (RAID volumes, devices without a temperature log page) reads as nil.
	TemperatureC *int
	PowerOnHours *int64
	PowerCycles  *int64

	// ATA: raw values of attributes 5, 197, 198, 187 and 199.
	ReallocatedSectors   *int64
	PendingSectors       *int64
	OfflineUncorrectable *int64
	ReportedUncorrect    *int64
	CRCErrors            *int64
	Attributes           []Attribute
	ATAErrorLogCount     *int64 // ata_smart_error_log (extended, else summary) count

	// PercentageUsed is the SSD wear indicator: NVMe percentage_used, the ATA device
	// statistic "Percentage Used Endurance Indicator", or the SCSI percentage used endurance
	// indicator. It may exceed 100.
	PercentageUsed *int

	// NVMe SMART/Health Information log.
	CriticalWarning         *int
	MediaErrors             *int64
	AvailableSpare          *int
	AvailableSpareThreshold *int
	NumErrLogEntries        *int64
	UnsafeShutdowns         *int64
	DataUnitsRead           *int64 // units of 512000 bytes
	DataUnitsWritten        *int64

	// SCSI.
	GrownDefects            *int64 // scsi_grown_defect_list
	ReadUncorrectedErrors   *int64 // scsi_error_counter_log.read.total_uncorrected_errors
	WriteUncorrectedErrors  *int64
	VerifyUncorrectedErrors *int64

	// Self-test state.
	SelfTestInProgress       bool
	SelfTestRemainingPercent *int
	LastSelfTest             *SelfTestEntry
	// SelfTestErrorCount is the ATA self-test log's error_count_total; 0 for a log that is
	// present and empty (smartctl prints no total then), nil when no log was read.
	SelfTestErrorCount *int64

	ExitStatus int // smartctl.exit_status
	Messages   []Message
}

// ExitBits names the bits set in r.ExitStatus, lowest bit first: "command_line_parse_error",
// "device_open_failed", "smart_command_failed", "disk_failing",
// "prefail_attributes_below_threshold", "attributes_below_threshold_in_past",
// "error_log_has_errors", "self_test_log_has_errors". Bits above 7 are ignored. It returns
// nil when no bit is set.
func (r *Report) ExitBits() []string {
	names := [8]string{
		"command_line_parse_error",
		"device_open_failed",
		"smart_command_failed",
		"disk_failing",
		"prefail_attributes_below_threshold",
		"attributes_below_threshold_in_past",
		"error_log_has_errors",
		"self_test_log_has_errors",
	}
	var out []string
	for i, name := range names {
		if r.ExitStatus&(1<<i) != 0 {
			out = append(out, name)
		}
	}
	return out
}

// OpenFailed reports exit bit 1: smartctl could not open or identify the device, or left it
// alone because it was in a low-power mode (-n standby). Such a report carries little more
// than ExitStatus and Messages.
func (r *Report) OpenFailed() bool {
	return r.ExitStatus&ExitDeviceOpenFailed != 0
}

type rawValueString struct {
	Value  num `json:"value"`
	String str `json:"string"`
}

type rawReport struct {
	Smartctl *struct {
		Version    []num `json:"version"`
		ExitStatus num   `json:"exit_status"`
		Messages   []struct {
			String   str `json:"string"`
			Severity str `json:"severity"`
		} `json:"messages"`
	} `json:"smartctl"`
	Device *struct {
		Name     str `json:"name"`
		InfoName str `json:"info_name"`
		Type     str `json:"type"`
		Protocol str `json:"protocol"`
	} `json:"device"`

	ModelFamily     str             `json:"model_family"`
	ModelName       str             `json:"model_name"`
	SerialNumber    str             `json:"serial_number"`
	FirmwareVersion str             `json:"firmware_version"`
	Vendor          str             `json:"vendor"`
	Product         str             `json:"product"`
	Revision        str             `json:"revision"`
	SCSIVendor      str             `json:"scsi_vendor"`
	SCSIProduct     str             `json:"scsi_product"`
	SCSIModelName   str             `json:"scsi_model_name"`
	SCSIRevision    str             `json:"scsi_revision"`
	WWN             json.RawMessage `json:"wwn"`
	LogicalUnitID   str             `json:"logical_unit_id"`
	UserCapacity    struct {
		Bytes num `json:"bytes"`
	} `json:"user_capacity"`
	NVMeTotalCapacity num `json:"nvme_total_capacity"`
	NVMeNamespaces    []struct {
		EUI64 *struct {
			OUI   num `json:"oui"`
			ExtID num `json:"ext_id"`
		} `json:"eui64"`
	} `json:"nvme_namespaces"`
	RotationRate num `json:"rotation_rate"`
	FormFactor   struct {
		Name str `json:"name"`
	} `json:"form_factor"`
	SCSITransportProtocol struct {
		Name str `json:"name"`
	} `json:"scsi_transport_protocol"`
	SmartSupport struct {
		Available flag `json:"available"`
		Enabled   flag `json:"enabled"`
	} `json:"smart_support"`
	SmartStatus struct {
		Passed flag `json:"passed"`
	} `json:"smart_status"`
	Temperature struct {
		Current num `json:"current"`
	} `json:"temperature"`
	PowerOnTime struct {
		Hours num `json:"hours"`
	} `json:"power_on_time"`
	PowerCycleCount num `json:"power_cycle_count"`

	ATASmartAttributes *struct {
		Table []struct {
			ID         num `json:"id"`
			Name       str `json:"name"`
			Value      num `json:"value"`
			Worst      num `json:"worst"`
			Thresh     num `json:"thresh"`
			WhenFailed str `json:"when_failed"`
			Flags      struct {
				Prefailure flag `json:"prefailure"`
			} `json:"flags"`
			Raw rawValueString `json:"raw"`
		} `json:"table"`
	} `json:"ata_smart_attributes"`
	ATASmartData *struct {
		SelfTest struct {
			Status *rawATAStatus `json:"status"`
		} `json:"self_test"`
	} `json:"ata_smart_data"`
	ATASelfTestLog struct {
		Standard rawATASelfTestLog `json:"standard"`
		Extended rawATASelfTestLog `json:"extended"`
	} `json:"ata_smart_self_test_log"`
	ATAErrorLog struct {
		Summary struct {
			Count num `json:"count"`
		} `json:"summary"`
		Extended struct {
			Count num `json:"count"`
		} `json:"extended"`
	} `json:"ata_smart_error_log"`
	ATADeviceStatistics struct {
		Pages []struct {
			Number num `json:"number"`
			Table  []struct {
				Offset num `json:"offset"`
				Name   str `json:"name"`
				Value  num `json:"value"`
				Flags  struct {
					Valid flag `json:"valid"`
				} `json:"flags"`
			} `json:"table"`
		} `json:"pages"`
	} `json:"ata_device_statistics"`

	NVMeHealth *struct {
		CriticalWarning         num `json:"critical_warning"`
		Temperature             num `json:"temperature"`
		AvailableSpare          num `json:"available_spare"`
		AvailableSpareThreshold num `json:"available_spare_threshold"`
		PercentageUsed          num `json:"percentage_used"`
		DataUnitsRead           num `json:"data_units_read"`
		DataUnitsWritten        num `json:"data_units_written"`
		PowerCycles             num `json:"power_cycles"`
		PowerOnHours            num `json:"power_on_hours"`
		UnsafeShutdowns         num `json:"unsafe_shutdowns"`
		MediaErrors             num `json:"media_errors"`
		NumErrLogEntries        num `json:"num_err_log_entries"`
	} `json:"nvme_smart_health_information_log"`
	NVMeSelfTestLog *struct {
		CurrentOperation  num `json:"current_self_test_operation"`
		CompletionPercent num `json:"current_self_test_completion_percent"`
		Table             []struct {
			Code         rawValueString `json:"self_test_code"`
			Result       rawValueString `json:"self_test_result"`
			PowerOnHours num            `json:"power_on_hours"`
		} `json:"table"`
	} `json:"nvme_self_test_log"`

	SCSIGrownDefectList num `json:"scsi_grown_defect_list"`
	SCSIErrorCounterLog struct {
		Read   rawSCSIErrorCounter `json:"read"`
		Write  rawSCSIErrorCounter `json:"write"`
		Verify rawSCSIErrorCounter `json:"verify"`
	} `json:"scsi_error_counter_log"`
	// smartctl >= 7.3 -x / -l envrep: SCSI Environmental Reporting log page,
	// {"temperature_1": {"current": 38, "lifetime_maximum": 42, ...}, "relative_humidity_...": ...}.
	SCSIEnvironmentalReports map[string]json.RawMessage `json:"scsi_environmental_reports"`
	SCSIPercentageUsed       num                        `json:"scsi_percentage_used_endurance_indicator"`
	PercentageUsedEI         num                        `json:"percentage_used_endurance_indicator"`
	EnduranceUsed            struct {
		CurrentPercent num `json:"current_percent"`
	} `json:"endurance_used"`
	SCSISelfTest0 *struct {
		Code        rawValueString `json:"code"`
		Result      rawValueString `json:"result"`
		PowerOnTime struct {
			Hours num `json:"hours"`
		} `json:"power_on_time"`
	} `json:"scsi_self_test_0"`
}

type rawATAStatus struct {
	Value            num  `json:"value"`
	String           str  `json:"string"`
	RemainingPercent num  `json:"remaining_percent"`
	Passed           flag `json:"passed"`
}

type rawATASelfTestLog struct {
	Table []struct {
		Type          rawValueString `json:"type"`
		Status        rawATAStatus   `json:"status"`
		LifetimeHours num            `json:"lifetime_hours"`
	} `json:"table"`
	Count           num `json:"count"`
	ErrorCountTotal num `json:"error_count_total"`
}

// empty: the log was read and holds no entry ("count": 0).
func (l rawATASelfTestLog) empty() bool {
	return l.Count.OK && l.Count.V == 0 && len(l.Table) == 0
}

type rawSCSIErrorCounter struct {
	TotalUncorrectedErrors num `json:"total_uncorrected_errors"`
}

// Parse parses the output of `smartctl -j -x <dev>` (also -a, -i -H -A, with or without
// -d sat / -d nvme / -d megaraid,N) into a Report.
//
// A device that smartctl could not open still yields a Report (ExitStatus with bit 1 set,
// Messages saying why, everything else empty): see Report.OpenFailed. Parse returns an error
// only when data is not smartctl JSON: empty input, anything that is not a JSON object (text
// output, HTML, a truncated capture), or a JSON object with neither a "smartctl" nor a
// "device" section (another tool's JSON).
func Parse(data []byte) (*Report, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("smartctl: empty input")
	}
	if trimmed[0] != '{' {
		return nil, errors.New("smartctl: input is not a JSON object (expected smartctl -j output)")
	}
	var raw rawReport
	if err := decodeObject(trimmed, &raw); err != nil {
		return nil, fmt.Errorf("smartctl: invalid JSON: %w", err)
	}
	if raw.Smartctl == nil && raw.Device == nil {
		return nil, errors.New(`smartctl: JSON has neither a "smartctl" nor a "device" section`)
	}

	r := &Report{}
	if s := raw.Smartctl; s != nil {
		if p := s.ExitStatus.Int(); p != nil {
			r.ExitStatus = *p
		}
		for _, m := range s.Messages {
			r.Messages = append(r.Messages, Message{String: string(m.String), Severity: string(m.Severity)})
		}
		var parts []string
		for _, v := range s.Version {
			if !v.OK {
				parts = nil
				break
			}
			parts = append(parts, strconv.FormatInt(v.V, 10))
		}
		r.SmartctlVersion = strings.Join(parts, ".")
	}
	if d := raw.Device; d != nil {
		r.DeviceName = string(d.Name)
		r.DeviceInfoName = string(d.InfoName)
		r.DeviceType = string(d.Type)
		r.Protocol = canonicalProtocol(string(d.Protocol))
	}
	if r.Protocol == "" {
		r.Protocol = inferProtocol(&raw)
	}

	r.ModelFamily = string(raw.ModelFamily)
	r.SerialNumber = string(raw.SerialNumber)
	r.Vendor = firstNonEmpty(string(raw.SCSIVendor), string(raw.Vendor))
	r.Product = firstNonEmpty(string(raw.SCSIProduct), string(raw.Product))
	r.ModelName = firstNonEmpty(string(raw.SCSIModelName), string(raw.ModelName))
	if r.ModelName == "" {
		r.ModelName = strings.TrimSpace(r.Vendor + " " + r.Product)
	}
	r.Firmware = firstNonEmpty(string(raw.FirmwareVersion), string(raw.SCSIRevision), string(raw.Revision))
	r.WWN = wwnFromJSON(raw.WWN)
	if r.WWN == "" {
		r.WWN = NormalizeWWN(string(raw.LogicalUnitID))
	}
	if len(raw.NVMeNamespaces) > 0 {
		if e := raw.NVMeNamespaces[0].EUI64; e != nil && e.OUI.OK && e.ExtID.OK &&
			e.OUI.V >= 0 && e.OUI.V < 1<<24 && e.ExtID.V >= 0 && e.ExtID.V < 1<<40 {
			r.NVMeEUI64 = fmt.Sprintf("eui.%06x%010x", e.OUI.V, e.ExtID.V)
		}
	}
	r.CapacityBytes = positive(raw.UserCapacity.Bytes)
	if r.CapacityBytes == nil {
		r.CapacityBytes = positive(raw.NVMeTotalCapacity)
	}
	r.RotationRate = raw.RotationRate.Int()
	r.FormFactor = string(raw.FormFactor.Name)
	r.SCSITransport = string(raw.SCSITransportProtocol.Name)
	r.SmartSupported = raw.SmartSupport.Available.Ptr()
	r.SmartEnabled = raw.SmartSupport.Enabled.Ptr()
	r.SmartPassed = raw.SmartStatus.Passed.Ptr()
	r.TemperatureC = raw.Temperature.Current.Int()
	if r.Protocol == ProtocolSCSI && r.TemperatureC != nil && *r.TemperatureC == 0 {
		// SCSI devices without a usable temperature log page (RAID volumes, some
		// bridges) report 0 °C; a spinning or running drive is never at 0 °C.
		r.TemperatureC = nil
	}
	if r.TemperatureC == nil {
		r.TemperatureC = envReportTemperature(raw.SCSIEnvironmentalReports)
	}
	r.PowerOnHours = raw.PowerOnTime.Hours.I64()
	r.PowerCycles = raw.PowerCycleCount.I64()

	parseATA(&raw, r)
	parseNVMe(&raw, r)
	parseSCSI(&raw, r)
	return r, nil
}

func parseATA(raw *rawReport, r *Report) {
	if a := raw.ATASmartAttributes; a != nil {
		for _, row := range a.Table {
			id := row.ID.Int()
			if id == nil {
				continue
			}
			attr := Attribute{
				ID:         *id,
				Name:       string(row.Name),
				Value:      row.Value.Int(),
				Worst:      row.Worst.Int(),
				Threshold:  row.Thresh.Int(),
				WhenFailed: string(row.WhenFailed),
				Prefailure: row.Flags.Prefailure.Ptr(),
				RawValue:   row.Raw.Value.I64(),
				RawString:  string(row.Raw.String),
			}
			r.Attributes = append(r.Attributes, attr)
			var dst **int64
			switch attr.ID {
			case 5:
				dst = &r.ReallocatedSectors
			case 197:
				dst = &r.PendingSectors
			case 198:
				dst = &r.OfflineUncorrectable
			case 187:
				dst = &r.ReportedUncorrect
			case 199:
				dst = &r.CRCErrors
			}
			if dst != nil && *dst == nil {
				*dst = attr.RawValue
			}
		}
	}

	r.ATAErrorLogCount = raw.ATAErrorLog.Extended.Count.I64()
	if r.ATAErrorLogCount == nil {
		r.ATAErrorLogCount = raw.ATAErrorLog.Summary.Count.I64()
	}

	// Device statistics page 7 (Solid State Device Statistics), offset 8.
	for _, page := range raw.ATADeviceStatistics.Pages {
		for _, e := range page.Table {
			byName := strings.EqualFold(string(e.Name), "Percentage Used Endurance Indicator")
			byPos := page.Number.OK && page.Number.V == 7 && e.Offset.OK && e.Offset.V == 8
			if (byName || byPos) && (!e.Flags.Valid.OK || e.Flags.Valid.V) && r.PercentageUsed == nil {
				r.PercentageUsed = e.Value.Int()
			}
		}
	}

	var status *rawATAStatus
	if d := raw.ATASmartData; d != nil && d.SelfTest.Status != nil && d.SelfTest.Status.Value.OK {
		status = d.SelfTest.Status
		if status.Value.V>>4 == 0xf {
			r.SelfTestInProgress = true
			r.SelfTestRemainingPercent = status.RemainingPercent.Int()
			if r.SelfTestRemainingPercent == nil {
				p := int(status.Value.V&0xf) * 10
				r.SelfTestRemainingPercent = &p
			}
		}
	}

	// smartctl -x reads the extended (GP) log and falls back to the standard one; -a reads
	// the standard one. Prefer whichever has entries, extended first.
	log := raw.ATASelfTestLog.Extended
	if len(log.Table) == 0 {
		log = raw.ATASelfTestLog.Standard
	}
	// smartctl leaves error_count_total out when the log is empty ("count": 0): a
	// drive that never ran a self-test has a log with no errors, not an unknown count.
	r.SelfTestErrorCount = raw.ATASelfTestLog.Extended.ErrorCountTotal.I64()
	if r.SelfTestErrorCount == nil {
		r.SelfTestErrorCount = raw.ATASelfTestLog.Standard.ErrorCountTotal.I64()
	}
	if r.SelfTestErrorCount == nil && (raw.ATASelfTestLog.Extended.empty() || raw.ATASelfTestLog.Standard.empty()) {
		var zero int64
		r.SelfTestErrorCount = &zero
	}
	for _, e := range log.Table {
		if e.Status.Value.OK && e.Status.Value.V>>4 == 0xf {
			continue // the running test, not a result
		}
		passed := true
		if e.Status.Passed.OK {
			passed = e.Status.Passed.V
		} else if e.Status.Value.OK {
			s := e.Status.Value.V >> 4
			passed = s < 3 || s > 8
		}
		r.LastSelfTest = &SelfTestEntry{
			Type:          string(e.Type.String),
			Passed:        passed,
			Status:        string(e.Status.String),
			LifetimeHours: e.LifetimeHours.I64(),
		}
		break
	}
	// Without a log entry (log not read, or not readable through a bridge), the SMART data's
	// self-test execution status still tells how the previous test ended, unless it is 0:
	// "completed without error, or no self-test has ever been run".
	if r.LastSelfTest == nil && status != nil {
		if s := status.Value.V >> 4; s >= 1 && s <= 8 {
			r.LastSelfTest = &SelfTestEntry{Passed: s < 3, Status: string(status.String)}
		}
	}
}

func parseNVMe(raw *rawReport, r *Report) {
	if h := raw.NVMeHealth; h != nil {
		r.CriticalWarning = h.CriticalWarning.Int()
		r.AvailableSpare = h.AvailableSpare.Int()
		r.AvailableSpareThreshold = h.AvailableSpareThreshold.Int()
		if r.PercentageUsed == nil {
			r.PercentageUsed = h.PercentageUsed.Int()
		}
		r.DataUnitsRead = h.DataUnitsRead.I64()
		r.DataUnitsWritten = h.DataUnitsWritten.I64()
		r.UnsafeShutdowns = h.UnsafeShutdowns.I64()
		r.MediaErrors = h.MediaErrors.I64()
		r.NumErrLogEntries = h.NumErrLogEntries.I64()
		if r.TemperatureC == nil {
			r.TemperatureC = h.Temperature.Int()
		}
		if r.PowerOnHours == nil {
			r.PowerOnHours = h.PowerOnHours.I64()
		}
		if r.PowerCycles == nil {
			r.PowerCycles = h.PowerCycles.I64()
		}
	}
	if l := raw.NVMeSelfTestLog; l != nil {
		if l.CurrentOperation.OK && l.CurrentOperation.V&0xf != 0 {
			r.SelfTestInProgress = true
			if l.CompletionPercent.OK && l.CompletionPercent.V >= 0 && l.CompletionPercent.V <= 100 {
				p := 100 - int(l.CompletionPercent.V)
				r.SelfTestRemainingPercent = &p
			}
		}
		for _, e := range l.Table {
			if e.Result.Value.OK && e.Result.Value.V == 0xf {
				continue // unused entry
			}
			passed := true
			if e.Result.Value.OK {
				passed = e.Result.Value.V < 5 || e.Result.Value.V > 7
			}
			r.LastSelfTest = &SelfTestEntry{
				Type:          string(e.Code.String),
				Passed:        passed,
				Status:        string(e.Result.String),
				LifetimeHours: e.PowerOnHours.I64(),
			}
			break
		}
	}
}

func parseSCSI(raw *rawReport, r *Report) {
	r.GrownDefects = raw.SCSIGrownDefectList.I64()
	r.ReadUncorrectedErrors = raw.SCSIErrorCounterLog.Read.TotalUncorrectedErrors.I64()
	r.WriteUncorrectedErrors = raw.SCSIErrorCounterLog.Write.TotalUncorrectedErrors.I64()
	r.VerifyUncorrectedErrors = raw.SCSIErrorCounterLog.Verify.TotalUncorrectedErrors.I64()
	for _, n := range []num{raw.EnduranceUsed.CurrentPercent, raw.SCSIPercentageUsed, raw.PercentageUsedEI} {
		if r.PercentageUsed == nil {
			r.PercentageUsed = n.Int()
		}
	}
	if t := raw.SCSISelfTest0; t != nil {
		res := t.Result.Value
		if res.OK && res.V == 0xf {
			r.SelfTestInProgress = true
			return
		}
		passed := true
		if res.OK {
			passed = res.V < 3 || res.V > 7
		} else {
			s := strings.ToLower(string(t.Result.String))
			passed = !strings.Contains(s, "fail") && !strings.Contains(s, "error")
		}
		r.LastSelfTest = &SelfTestEntry{
			Type:          string(t.Code.String),
			Passed:        passed,
			Status:        string(t.Result.String),
			LifetimeHours: t.PowerOnTime.Hours.I64(),
		}
	}
}

// envReportTemperature reads the current temperature of the lowest-numbered
// "temperature_N" sensor with a reading in the SCSI Environmental Reporting log page. SAS drives
// whose Temperature log page is missing or reads 0 (temperature.current 0) still report
// here. 0 and values outside the signed byte the page holds (-128 means "no reading")
// read as nil, as for temperature.current.
func envReportTemperature(reports map[string]json.RawMessage) *int {
	best := -1
	var out *int
	for k, v := range reports {
		n, err := strconv.Atoi(strings.TrimPrefix(k, "temperature_"))
		if !strings.HasPrefix(k, "temperature_") || err != nil || n < 0 || best >= 0 && n >= best {
			continue
		}
		var sensor struct {
			Current num `json:"current"`
		}
		if decodeObject(v, &sensor) != nil || !sensor.Current.OK || sensor.Current.V <= 0 || sensor.Current.V > 127 {
			continue
		}
		best, out = n, sensor.Current.Int()
	}
	return out
}

func canonicalProtocol(p string) string {
	for _, c := range []string{ProtocolATA, ProtocolSCSI, ProtocolNVMe} {
		if strings.EqualFold(p, c) {
			return c
		}
	}
	return p
}

// inferProtocol guesses the protocol from the sections present, for outputs without
// device.protocol.
func inferProtocol(raw *rawReport) string {
	switch {
	case raw.NVMeHealth != nil || raw.NVMeSelfTestLog != nil || raw.NVMeTotalCapacity.OK:
		return ProtocolNVMe
	case raw.ATASmartAttributes != nil || raw.ATASmartData != nil:
		return ProtocolATA
	case raw.SCSIGrownDefectList.OK || raw.SCSIVendor != "" || raw.SCSIModelName != "":
		return ProtocolSCSI
	}
	return ""
}

// wwnFromJSON reads smartctl's ATA "wwn": {"naa": 5, "oui": 3152, "id": 2761332797}, or a
// string form of it.
func wwnFromJSON(b json.RawMessage) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return ""
	}
	if b[0] == '"' {
		var s string
		if json.Unmarshal(b, &s) != nil {
			return ""
		}
		return NormalizeWWN(s)
	}
	var w struct {
		NAA num `json:"naa"`
		OUI num `json:"oui"`
		ID  num `json:"id"`
	}
	if b[0] != '{' || decodeObject(b, &w) != nil {
		return ""
	}
	if !w.NAA.OK || !w.OUI.OK || !w.ID.OK ||
		w.NAA.V < 0 || w.NAA.V > 0xf || w.OUI.V < 0 || w.OUI.V >= 1<<24 || w.ID.V < 0 || w.ID.V >= 1<<36 {
		return ""
	}
	return fmt.Sprintf("0x%x%06x%09x", w.NAA.V, w.OUI.V, w.ID.V)
}

// NormalizeWWN turns the spellings of a NAA world wide name that smartctl, lsblk and udev use
// ("5 000cca 26c4b3e8b", "0x5000CCA26C4B3E8B", "naa.5000cca26c4b3e8b", "wwn-0x5000cca26c4b3e8b")
// into one form, "0x" and 16 or 32 lower-case hex digits, so that they can be compared. It
// returns "" for anything else, including NVMe "eui."/"nvme." identifiers.
func NormalizeWWN(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	for _, p := range []string{"wwn-", "naa.", "0x"} {
		s = strings.TrimPrefix(s, p)
	}
	if len(s) != 16 && len(s) != 32 {
		return ""
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return ""
		}
	}
	return "0x" + s
}

func positive(n num) *int64 {
	if !n.OK || n.V <= 0 {
		return nil
	}
	return n.I64()
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
