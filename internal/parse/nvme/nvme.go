// Package nvme parses the JSON output of nvme-cli (`nvme <command> -o json`): id-ctrl,
// smart-log, self-test-log and error-log.
//
// The parsers are written for the format across nvme-cli releases, not for particular files:
// 1.x (" : " spacing, key misspellings), 2.x (128-bit counters printed as strings,
// digit-grouped by the locale in 2.3 and 2.4 — "3,200,631,791,616" —, the critical_warning
// bit-field object, capitalised keys in verbose mode). Keys are matched case-insensitively.
// Every value the output does not carry, or carries in a form that cannot be read as a whole
// number (including 128-bit counters above the int64 range), is nil; nothing is defaulted
// to 0.
package nvme

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// IDCtrl is the Identify Controller data that an audit needs.
type IDCtrl struct {
	SerialNumber string // sn, space padding trimmed
	ModelNumber  string // mn, space padding trimmed
	Firmware     string // fr, space padding trimmed

	VendorID          *int // vid: PCI vendor ID, e.g. 5197 (0x144d, Samsung)
	SubsystemVendorID *int // ssvid
	ControllerID      *int // cntlid
	IEEEOUI           *int // ieee

	// TotalCapacityBytes is tnvmcap. Controllers without namespace management may report
	// 0 (QEMU does): that is "not reported" and reads as nil.
	TotalCapacityBytes       *int64
	UnallocatedCapacityBytes *int64 // unvmcap (0 is a real value here)
	NumNamespaces            *int64 // nn: the maximum number of namespaces

	// Version is the NVMe version the controller implements, from ver: "1.4", "1.2.1".
	// "" when ver is 0 (controllers older than NVMe 1.2 do not report it).
	Version string

	WarningTempC  *int // wctemp, converted from Kelvin; nil when 0 (not reported)
	CriticalTempC *int // cctemp, converted from Kelvin; nil when 0 (not reported)

	SelfTestSupported *bool // oacs bit 4 (Device Self-test command)
	ErrorLogEntries   *int  // elpe + 1: how many entries the error log holds
	SubNQN            string
}

// SmartLog is the SMART / Health Information log page (log 02h).
type SmartLog struct {
	// CriticalWarning is the critical warning bit field: bit 0 spare below threshold,
	// 1 temperature, 2 reliability degraded, 3 read-only, 4 volatile memory backup failed,
	// 5 persistent memory region read-only.
	CriticalWarning *int
	TemperatureC    *int // composite temperature; the JSON gives Kelvin, 0 K reads as nil
	AvailableSpare  *int // percent
	SpareThreshold  *int // percent
	PercentageUsed  *int // percent of rated endurance used; may exceed 100

	DataUnitsRead      *int64 // units of 1000 * 512 bytes
	DataUnitsWritten   *int64
	HostReadCommands   *int64
	HostWriteCommands  *int64
	ControllerBusyTime *int64 // minutes
	PowerCycles        *int64
	PowerOnHours       *int64
	UnsafeShutdowns    *int64
	MediaErrors        *int64 // media and data integrity errors
	NumErrLogEntries   *int64 // error information log entries over the controller's life
	WarningTempTime    *int64 // minutes above the warning composite temperature threshold
	CriticalCompTime   *int64 // minutes above the critical composite temperature threshold
}

// SelfTestLog is the Device Self-test log page (log 06h).
type SelfTestLog struct {
	// CurrentOperation is 0 when no self-test runs, 1 short, 2 extended, 0xe vendor specific.
	CurrentOperation *int
	// CurrentCompletion is the percentage of the running self-test done (meaningful only
	// while InProgress).
	CurrentCompletion *int
	InProgress        bool
	// Results holds the logged results, newest first; unused entries (result 0xf) are
	// dropped.
	Results []SelfTestResult
}

// SelfTestResult is one Self-test Result Data Structure.
type SelfTestResult struct {
	// Result: 0 completed without error, 1 aborted by a self-test command, 2 aborted by a
	// controller reset, 3 aborted by namespace removal, 4 aborted by Format NVM, 5 fatal or
	// unknown error, 6 completed with an unknown failed segment, 7 completed with failed
	// segments, 8 aborted for an unknown reason, 9 aborted by sanitize.
	Result         *int
	Code           *int // 1 short, 2 extended, 0xe vendor specific
	SegmentNumber  *int
	PowerOnHours   *int64
	NSID           *int64
	FailingLBA     *int64
	StatusCodeType *int
	StatusCode     *int
}

// Failed reports whether the self-test found an error (results 5, 6 and 7). Aborted tests
// are not failures.
func (r SelfTestResult) Failed() bool {
	return r.Result != nil && *r.Result >= 5 && *r.Result <= 7
}

// ErrorLog is the Error Information log page (log 01h).
type ErrorLog struct {
	// Entries holds the entries with a non-zero error_count, in the order printed (newest
	// first). Entries with error_count 0 are unused slots and are dropped.
	Entries []ErrorLogEntry
	// MaxErrorCount is the highest error_count seen: the controller's error counter at
	// the newest logged error. nil when no entry is used.
	MaxErrorCount *int64
}

// ErrorLogEntry is one used Error Information log entry.
type ErrorLogEntry struct {
	ErrorCount        int64
	SQID              *int
	CmdID             *int
	StatusField       *int // as nvme-cli prints it (2.x drops the phase tag bit, 1.x keeps it)
	ParmErrorLocation *int
	LBA               *int64
	NSID              *int64
}

// ParseIDCtrl parses the output of `nvme id-ctrl <dev> -o json`.
//
// It returns an error for empty input, anything that is not a JSON object, and a JSON object
// with none of the keys sn, mn and vid (another command's output).
func ParseIDCtrl(data []byte) (*IDCtrl, error) {
	var raw struct {
		SN      str `json:"sn"`
		MN      str `json:"mn"`
		FR      str `json:"fr"`
		VID     num `json:"vid"`
		SSVID   num `json:"ssvid"`
		CntlID  num `json:"cntlid"`
		IEEE    num `json:"ieee"`
		TNVMCap num `json:"tnvmcap"`
		UNVMCap num `json:"unvmcap"`
		NN      num `json:"nn"`
		Ver     num `json:"ver"`
		WCTemp  num `json:"wctemp"`
		CCTemp  num `json:"cctemp"`
		OACS    num `json:"oacs"`
		ELPE    num `json:"elpe"`
		SubNQN  str `json:"subnqn"`
	}
	if err := decodeTop(data, "id-ctrl", &raw, "sn", "mn", "vid"); err != nil {
		return nil, err
	}
	c := &IDCtrl{
		SerialNumber:             string(raw.SN),
		ModelNumber:              string(raw.MN),
		Firmware:                 string(raw.FR),
		VendorID:                 raw.VID.Int(),
		SubsystemVendorID:        raw.SSVID.Int(),
		ControllerID:             raw.CntlID.Int(),
		IEEEOUI:                  raw.IEEE.Int(),
		TotalCapacityBytes:       positive(raw.TNVMCap),
		UnallocatedCapacityBytes: raw.UNVMCap.I64(),
		NumNamespaces:            raw.NN.I64(),
		WarningTempC:             kelvinNum(raw.WCTemp),
		CriticalTempC:            kelvinNum(raw.CCTemp),
		SubNQN:                   string(raw.SubNQN),
	}
	if raw.Ver.OK && raw.Ver.V > 0 && raw.Ver.V <= math.MaxUint32 {
		major, minor, tertiary := raw.Ver.V>>16, raw.Ver.V>>8&0xff, raw.Ver.V&0xff
		c.Version = fmt.Sprintf("%d.%d", major, minor)
		if tertiary != 0 {
			c.Version += fmt.Sprintf(".%d", tertiary)
		}
	}
	if raw.OACS.OK {
		v := raw.OACS.V&0x10 != 0
		c.SelfTestSupported = &v
	}
	if raw.ELPE.OK && raw.ELPE.V >= 0 && raw.ELPE.V < 256 {
		v := int(raw.ELPE.V) + 1
		c.ErrorLogEntries = &v
	}
	return c, nil
}

// ParseSmartLog parses the output of `nvme smart-log <dev> -o json`.
//
// It reads the key spellings of nvme-cli 1.x and 2.x: "critical_warning" as a number or as
// the 2.x bit-field object {"value": ...} (also the misspelt "critical_warrning"),
// "temperature"/"Temperature" in Kelvin (a string such as "51 °C" or "324 K" is read by its
// unit), "avail_spare"/"available_spare", "spare_thresh"/"available_spare_threshold",
// "percent_used"/"percentage_used", and counters as numbers or strings (also digit-grouped,
// "2,752,848").
//
// It returns an error for empty input, anything that is not a JSON object, and a JSON
// object with none of the smart-log keys (another command's output).
func ParseSmartLog(data []byte) (*SmartLog, error) {
	var raw struct {
		CriticalWarning   num             `json:"critical_warning"`
		CriticalWarrning  num             `json:"critical_warrning"`
		Temperature       json.RawMessage `json:"temperature"`
		AvailSpare        num             `json:"avail_spare"`
		AvailableSpare    num             `json:"available_spare"`
		SpareThresh       num             `json:"spare_thresh"`
		SpareThreshold    num             `json:"available_spare_threshold"`
		PercentUsed       num             `json:"percent_used"`
		PercentageUsed    num             `json:"percentage_used"`
		DataUnitsRead     num             `json:"data_units_read"`
		DataUnitsWritten  num             `json:"data_units_written"`
		HostReadCommands  num             `json:"host_read_commands"`
		HostReads         num             `json:"host_reads"`
		HostWriteCommands num             `json:"host_write_commands"`
		HostWrites        num             `json:"host_writes"`
		BusyTime          num             `json:"controller_busy_time"`
		PowerCycles       num             `json:"power_cycles"`
		PowerOnHours      num             `json:"power_on_hours"`
		UnsafeShutdowns   num             `json:"unsafe_shutdowns"`
		MediaErrors       num             `json:"media_errors"`
		NumErrLogEntries  num             `json:"num_err_log_entries"`
		WarningTempTime   num             `json:"warning_temp_time"`
		CriticalCompTime  num             `json:"critical_comp_time"`
	}
	if err := decodeTop(data, "smart-log", &raw, "critical_warning", "critical_warrning", "temperature",
		"avail_spare", "percent_used", "percentage_used", "media_errors", "power_on_hours"); err != nil {
		return nil, err
	}
	return &SmartLog{
		CriticalWarning:    either(raw.CriticalWarning, raw.CriticalWarrning).Int(),
		TemperatureC:       temperatureC(raw.Temperature),
		AvailableSpare:     either(raw.AvailSpare, raw.AvailableSpare).Int(),
		SpareThreshold:     either(raw.SpareThresh, raw.SpareThreshold).Int(),
		PercentageUsed:     either(raw.PercentUsed, raw.PercentageUsed).Int(),
		DataUnitsRead:      raw.DataUnitsRead.I64(),
		DataUnitsWritten:   raw.DataUnitsWritten.I64(),
		HostReadCommands:   either(raw.HostReadCommands, raw.HostReads).I64(),
		HostWriteCommands:  either(raw.HostWriteCommands, raw.HostWrites).I64(),
		ControllerBusyTime: raw.BusyTime.I64(),
		PowerCycles:        raw.PowerCycles.I64(),
		PowerOnHours:       raw.PowerOnHours.I64(),
		UnsafeShutdowns:    raw.UnsafeShutdowns.I64(),
		MediaErrors:        raw.MediaErrors.I64(),
		NumErrLogEntries:   raw.NumErrLogEntries.I64(),
		WarningTempTime:    raw.WarningTempTime.I64(),
		CriticalCompTime:   raw.CriticalCompTime.I64(),
	}, nil
}

// ParseSelfTestLog parses the output of `nvme self-test-log <dev> -o json`:
// {"Current Device Self-Test Operation": 0, "Current Device Self-Test Completion": 0,
// "List of Valid Reports": [{"Self test result": 0, "Self test code": 1, ...}]}
// (1.x spells some entry keys with a suffix, e.g. "Power on hours (POH)"; both are read).
//
// It returns an error for empty input, anything that is not a JSON object, and a JSON object
// with neither the current-operation key nor a report list.
func ParseSelfTestLog(data []byte) (*SelfTestLog, error) {
	m, err := topObject(data, "self-test-log")
	if err != nil {
		return nil, err
	}
	op, hasOp := lookup(m, "Current Device Self-Test Operation")
	comp, _ := lookup(m, "Current Device Self-Test Completion")
	var list json.RawMessage
	hasList := false
	for k, v := range m {
		if strings.HasPrefix(strings.ToLower(k), "list of valid") {
			list, hasList = v, true
		}
	}
	if !hasOp && !hasList {
		return nil, errors.New(`nvme: self-test-log: JSON has none of the keys "Current Device Self-Test Operation", ` +
			`"List of Valid Reports": not ` + "`nvme self-test-log -o json`" + ` output`)
	}
	l := &SelfTestLog{CurrentOperation: numOf(op).Int(), CurrentCompletion: numOf(comp).Int()}
	if l.CurrentOperation != nil && *l.CurrentOperation&0xf != 0 {
		l.InProgress = true
	}
	var entries []map[string]json.RawMessage
	_ = decodeObject(list, &entries)
	for _, e := range entries {
		r := SelfTestResult{
			Result:         getNum(e, "Self test result").Int(),
			Code:           getNum(e, "Self test code").Int(),
			SegmentNumber:  getNum(e, "Segment number").Int(),
			PowerOnHours:   getNum(e, "Power on hours", "Power on hours (POH)").I64(),
			NSID:           getNum(e, "Namespace Identifier", "Namespace Identifier (NSID)").I64(),
			FailingLBA:     getNum(e, "Failing LBA").I64(),
			StatusCodeType: getNum(e, "Status Code Type").Int(),
			StatusCode:     getNum(e, "Status Code").Int(),
		}
		if r.Result == nil || *r.Result == 0xf {
			continue
		}
		l.Results = append(l.Results, r)
	}
	return l, nil
}

// ParseErrorLog parses the output of `nvme error-log <dev> -o json`: {"errors": [{...}]}.
//
// It returns an error for empty input, anything that is not a JSON object, and a JSON object
// without an "errors" key.
func ParseErrorLog(data []byte) (*ErrorLog, error) {
	var raw struct {
		Errors []struct {
			ErrorCount        num `json:"error_count"`
			SQID              num `json:"sqid"`
			CmdID             num `json:"cmdid"`
			StatusField       num `json:"status_field"`
			ParmErrorLocation num `json:"parm_error_location"`
			LBA               num `json:"lba"`
			NSID              num `json:"nsid"`
		} `json:"errors"`
	}
	if err := decodeTop(data, "error-log", &raw, "errors"); err != nil {
		return nil, err
	}
	l := &ErrorLog{}
	for _, e := range raw.Errors {
		if !e.ErrorCount.OK || e.ErrorCount.V == 0 {
			continue
		}
		l.Entries = append(l.Entries, ErrorLogEntry{
			ErrorCount:        e.ErrorCount.V,
			SQID:              e.SQID.Int(),
			CmdID:             e.CmdID.Int(),
			StatusField:       e.StatusField.Int(),
			ParmErrorLocation: e.ParmErrorLocation.Int(),
			LBA:               e.LBA.I64(),
			NSID:              e.NSID.I64(),
		})
		if l.MaxErrorCount == nil || e.ErrorCount.V > *l.MaxErrorCount {
			l.MaxErrorCount = e.ErrorCount.I64()
		}
	}
	return l, nil
}

// topObject checks that data is a JSON object and returns its members.
func topObject(data []byte, cmd string) (map[string]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("nvme: %s: empty input", cmd)
	}
	if trimmed[0] != '{' {
		return nil, fmt.Errorf("nvme: %s: input is not a JSON object (expected -o json output)", cmd)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &m); err != nil {
		return nil, fmt.Errorf("nvme: %s: invalid JSON: %w", cmd, err)
	}
	return m, nil
}

// decodeTop checks that data is a JSON object holding at least one of keys (compared
// case-insensitively) and decodes it into v.
func decodeTop(data []byte, cmd string, v any, keys ...string) error {
	m, err := topObject(data, cmd)
	if err != nil {
		return err
	}
	found := false
	for _, k := range keys {
		if _, ok := lookup(m, k); ok {
			found = true
			break
		}
	}
	if !found {
		quoted := make([]string, len(keys))
		for i, k := range keys {
			quoted[i] = strconv.Quote(k)
		}
		return fmt.Errorf("nvme: %s: JSON has none of the keys %s: not `nvme %s -o json` output",
			cmd, strings.Join(quoted, ", "), cmd)
	}
	if err := decodeObject(bytes.TrimSpace(data), v); err != nil {
		return fmt.Errorf("nvme: %s: invalid JSON: %w", cmd, err)
	}
	return nil
}

// lookup finds a member by name, case-insensitively.
func lookup(m map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

func getNum(m map[string]json.RawMessage, keys ...string) num {
	for _, k := range keys {
		if v, ok := lookup(m, k); ok {
			if n := numOf(v); n.OK {
				return n
			}
		}
	}
	return num{}
}

func numOf(b json.RawMessage) num {
	var n num
	_ = n.UnmarshalJSON(b)
	return n
}

func either(a, b num) num {
	if a.OK {
		return a
	}
	return b
}

func positive(n num) *int64 {
	if !n.OK || n.V <= 0 {
		return nil
	}
	return n.I64()
}

// kelvinNum converts a temperature in Kelvin to Celsius; 0 K means "not reported".
func kelvinNum(n num) *int {
	if !n.OK || n.V <= 0 || n.V > 1000 {
		return nil
	}
	c := int(n.V) - 273
	return &c
}

// temperatureC reads the smart-log temperature: a number (or numeric string) in Kelvin, or
// a string with a unit ("324 K", "51 °C", "51°C", "124 °F").
func temperatureC(b json.RawMessage) *int {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	if b[0] != '"' {
		return kelvinNum(numOf(b))
	}
	var s string
	if json.Unmarshal(b, &s) != nil {
		return nil
	}
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '-' && end == 0 || s[end] == '.') {
		end++
	}
	f, err := strconv.ParseFloat(s[:end], 64)
	if err != nil {
		return nil
	}
	unit := strings.TrimPrefix(strings.TrimSpace(s[end:]), "°")
	var c float64
	switch {
	case unit == "" || strings.HasPrefix(unit, "K"):
		if f <= 0 {
			return nil
		}
		c = f - 273
	case strings.HasPrefix(unit, "C"):
		c = f
	case strings.HasPrefix(unit, "F"):
		c = (f - 32) * 5 / 9
	default:
		return nil
	}
	if c < -273 || c > 1000 {
		return nil
	}
	v := int(math.Round(c))
	return &v
}
