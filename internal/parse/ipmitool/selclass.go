package ipmitool

import "strings"

// SEL hardware-trouble classes (SELEntry.Class), defined by the rules of
// SELRules, and their severities.
const (
	SELUncorrectableECC    = "memory_uncorrectable_ecc"
	SELCorrectableECCLimit = "memory_correctable_ecc_limit"
	SELMachineCheck        = "cpu_machine_check"
	SELThermalTrip         = "thermal_trip"
	SELPSUFailure          = "psu_failure"
	SELPSURedundancyLost   = "psu_redundancy_lost"
	SELDriveFault          = "drive_fault"
	SELPCIeFatal           = "pcie_fatal"
	SELLogFull             = "log_full"
	SELOSCriticalStop      = "os_critical_stop"
	SELSeverityCritical    = "critical"
	SELSeverityWarning     = "warning"
)

// SELRule is one classification rule: an asserted entry whose SensorType is
// SensorType and whose Event contains one of Events (case-insensitive) gets
// Class. Event descriptions are ipmitool's (include/ipmitool/ipmi_sel.h,
// sensor-specific offsets); BMCs may add a suffix ("Failure detected ()",
// "Correctable ECC (CPU0_G1)"), hence "contains".
type SELRule struct {
	Class      string
	Severity   string
	SensorType string
	Events     []string
}

// selTypeAliases maps the sensor type names of ipmitool before 1.8.17 to
// today's.
var selTypeAliases = map[string]string{
	"Drive Slot":       "Drive Slot / Bay",
	"OS Stop/Shutdown": "OS Critical Stop",
}

// SELRules is the documented rule list, checked in order; the first match
// wins; older ipmitool type names ("Drive Slot", "OS Stop/Shutdown") count
// as today's. Deasserted entries (the condition went away) and OEM records are
// never classified.
var SELRules = []SELRule{
	{SELUncorrectableECC, SELSeverityCritical, "Memory", []string{"Uncorrectable ECC", "Parity"}},
	{SELCorrectableECCLimit, SELSeverityWarning, "Memory", []string{"Correctable ECC logging limit reached"}},
	{SELThermalTrip, SELSeverityCritical, "Memory", []string{"Critical Overtemperature"}},
	{SELMachineCheck, SELSeverityCritical, "Processor", []string{"IERR", "Uncorrectable machine check exception",
		"SM BIOS Uncorrectable CPU-complex Error", "FRB1/BIST failure", "FRB2/Hang in POST failure",
		"FRB3/Processor startup/init failure"}},
	{SELThermalTrip, SELSeverityCritical, "Processor", []string{"Thermal Trip"}},
	{SELThermalTrip, SELSeverityCritical, "Temperature", []string{"Upper Non-recoverable going high"}},
	{SELMachineCheck, SELSeverityCritical, "Critical Interrupt", []string{"Fatal NMI"}},
	{SELPCIeFatal, SELSeverityCritical, "Critical Interrupt", []string{"PCI PERR", "PCI SERR",
		"Bus Uncorrectable error", "Bus Fatal Error"}},
	{SELPSUFailure, SELSeverityCritical, "Power Supply", []string{"Failure detected", "Predictive failure",
		"Power Supply AC lost", "AC lost or out-of-range", "AC out-of-range", "Config Error", "Power Supply Inactive"}},
	{SELPSURedundancyLost, SELSeverityWarning, "Power Supply", []string{"Redundancy Lost", "Insufficient Resources"}},
	{SELPSUFailure, SELSeverityCritical, "Power Unit", []string{"AC lost", "Failure detected",
		"Soft-power control failure", "Predictive failure"}},
	{SELPSURedundancyLost, SELSeverityWarning, "Power Unit", []string{"Redundancy Lost", "Insufficient Resources"}},
	{SELDriveFault, SELSeverityCritical, "Drive Slot / Bay", []string{"Drive Fault", "Predictive Failure",
		"In Failed Array", "In Critical Array", "Rebuild Aborted"}},
	{SELLogFull, SELSeverityWarning, "Event Logging Disabled", []string{"Log full", "Log almost full"}},
	{SELOSCriticalStop, SELSeverityCritical, "OS Critical Stop", []string{"Run-time critical stop", "Error during system startup"}},
}

// ClassifySEL returns the class of the first SELRules rule that matches e,
// or "" when none does. A "Linux kernel panic" OEM record is
// SELOSCriticalStop.
func ClassifySEL(e SELEntry) string {
	if e.OEM {
		if strings.HasPrefix(e.Event, "Linux kernel panic") {
			return SELOSCriticalStop
		}
		return ""
	}
	if e.Direction == "deasserted" {
		return ""
	}
	typ := e.SensorType
	if c, ok := selTypeAliases[typ]; ok {
		typ = c
	}
	ev := strings.ToLower(e.Event)
	for _, r := range SELRules {
		if r.SensorType != typ {
			continue
		}
		for _, want := range r.Events {
			if strings.Contains(ev, strings.ToLower(want)) {
				return r.Class
			}
		}
	}
	return ""
}

// SELClassSeverity returns the severity of a class ("critical",
// "warning"), "" for an unknown class.
func SELClassSeverity(class string) string {
	for _, r := range SELRules {
		if r.Class == class {
			return r.Severity
		}
	}
	return ""
}

// SELSummary counts a SEL.
type SELSummary struct {
	// Entries is every entry; Asserted + Deasserted + OEM == Entries.
	Entries    int `json:"entries"`
	Asserted   int `json:"asserted"`
	Deasserted int `json:"deasserted"`
	OEM        int `json:"oem"`
	// Classes counts the classified entries per class, with the first
	// entry of each.
	Classes map[string]SELClassCount `json:"classes,omitempty"`
	// LogFull is true when an entry says the log is full or almost full
	// (newer events may be missing).
	LogFull bool `json:"log_full"`
}

// SELClassCount is one class of SELSummary.
type SELClassCount struct {
	Count    int      `json:"count"`
	Severity string   `json:"severity"`
	First    SELEntry `json:"first"`
}

// SummarizeSEL counts the entries of a SEL:
//
//   - an event is an entry whose direction is "Asserted": the condition
//     started (Asserted);
//   - a deassertion ("Deasserted") says a condition ended; it is counted in
//     Deasserted and never as trouble, so a failure followed by its recovery
//     counts once;
//   - OEM records (no sensor and no direction) are counted in OEM only;
//   - each asserted entry with a class counts once in Classes[class]; a
//     repeated identical event counts every time it was logged.
func SummarizeSEL(entries []SELEntry) SELSummary {
	s := SELSummary{Entries: len(entries)}
	for _, e := range entries {
		switch {
		case e.OEM:
			s.OEM++
		case e.Direction == "deasserted":
			s.Deasserted++
		default:
			s.Asserted++
		}
		class := e.Class
		if class == "" {
			continue
		}
		if class == SELLogFull {
			s.LogFull = true
		}
		if s.Classes == nil {
			s.Classes = map[string]SELClassCount{}
		}
		c, seen := s.Classes[class]
		if !seen {
			c.First = e
			c.Severity = SELClassSeverity(class)
		}
		c.Count++
		s.Classes[class] = c
	}
	return s
}
