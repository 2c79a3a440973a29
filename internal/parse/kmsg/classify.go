package kmsg

import (
	"regexp"
	"strconv"
	"strings"
)

// Event kinds.
const (
	KindXid               = "nvidia_xid"
	KindMachineCheck      = "machine_check"       // corrected machine checks logged
	KindMachineCheckFatal = "machine_check_fatal" // uncorrected machine check
	KindEDACCE            = "edac_ce"             // EDAC corrected memory error
	KindEDACUE            = "edac_ue"             // EDAC uncorrected memory error
	KindAERCorrected      = "pcie_aer_corrected"
	KindAERUncorrected    = "pcie_aer_uncorrected" // non-fatal
	KindAERFatal          = "pcie_aer_fatal"
	KindIOError           = "io_error"   // block layer "I/O error, dev X"
	KindNVMe              = "nvme_error" // NVMe timeouts, aborts, resets, command errors
	KindSCSI              = "scsi_error" // sense key Medium Error / Hardware Error
	KindATA               = "ata_error"  // libata exception
	KindThermalThrottle   = "thermal_throttle"
	KindThermalCritical   = "thermal_critical"
	KindGPUOffBus         = "gpu_fallen_off_bus" // NVIDIA driver's own message, with or without an Xid 79
	KindAPEICorrected     = "apei_corrected"     // firmware-first (APEI GHES) report, corrected
	KindAPEIUncorrected   = "apei_uncorrected"   // firmware-first report, recoverable or fatal
)

// Severity hints.
const (
	SevFailure = "failure" // hardware likely faulty
	SevError   = "error"   // an error that needs attention or a reset
	SevWarning = "warning" // corrected or recovered; worth watching
)

// Event is one hardware event found in a kernel log line.
type Event struct {
	Kind     string `json:"kind"`
	Severity string `json:"severity,omitempty"`
	// Device is what the event is about, as the line names it: a PCI
	// address ("0000:9b:00" for Xid lines, "0000:00:03.0" for AER), a
	// block device ("sda", "nvme0n1"), an NVMe controller ("nvme0"), an ATA
	// link ("ata1.00"), a DIMM label, a CPU ("CPU3"); "" when none.
	Device string `json:"device,omitempty"`
	// Xid is the Xid number for KindXid.
	Xid int `json:"xid,omitempty"`
	// Errors is the number of errors an EDAC line reports ("EDAC MC0: 4 CE
	// ..." is 4; a line without a number is 1); 0 for other kinds.
	Errors int `json:"errors,omitempty"`
}

var (
	xidRe      = regexp.MustCompile(`NVRM: Xid \((?:PCI:)?([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}(?:\.[0-7])?)\): ([0-9]+)\b`)
	edacRe     = regexp.MustCompile(`\bEDAC\b[^:]*:\s+(?:([0-9]+)\s+)?(CE|UE)\b`)
	edacOnRe   = regexp.MustCompile(` on (\S+)`)
	edacLblRe  = regexp.MustCompile(`label "([^"]*)"`)
	aerSevRe   = regexp.MustCompile(`PCIe Bus Error: severity=(Corrected|Correctable|Uncorrected \(Non-Fatal\)|Uncorrected \(Fatal\)|Uncorrectable \(Non-Fatal\)|Uncorrectable \(Fatal\))`)
	pciAddrRe  = regexp.MustCompile(`\b([0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\b`)
	ioErrRe    = regexp.MustCompile(`\b(?:I/O|critical medium|critical target|critical nexus|timeout|protection|recoverable transport) error, dev ([^\s,]+),`)
	nvmeCtrlRe = regexp.MustCompile(`^nvme (nvme[0-9]+): (?:I/O (?:tag )?[0-9]+ .*timeout|controller is down|Device not ready|Removing after probe failure)`)
	nvmeNSRe   = regexp.MustCompile(`^(nvme[0-9]+n[0-9]+): .*I/O Error`)
	scsiRe     = regexp.MustCompile(`\[(sd[a-z]+|sr[0-9]+|st[0-9]+)\].*Sense Key : (Medium Error|Hardware Error)`)
	ataRe      = regexp.MustCompile(`^(ata[0-9]+(?:\.[0-9]+)?): exception Emask`)
	throttleRe = regexp.MustCompile(`\b(CPU[0-9]+): (?:Core|Package) temperature above threshold`)
)

// Classify returns the hardware event a kernel message (the message only:
// SplitLine's Message) reports, if any. The rules, one per kind:
//
//   - KindXid: "NVRM: Xid (PCI:dddd:bb:dd): N, ..." (also without "PCI:");
//     severity from Xids, "" for an Xid not described there.
//   - KindGPUOffBus: the NVIDIA driver's "fallen off the bus" line ("NVRM:
//     GPU at 0000:01:00.0 has fallen off the bus.", or the last line of
//     the three-line "NVRM: The NVIDIA GPU ... has / fallen off the bus"
//     report, which names no address); counted apart from Xid 79, which
//     newer drivers log as well.
//   - KindMachineCheck: "Machine check events logged".
//   - KindMachineCheckFatal: "Machine Check Exception", "Fatal machine
//     check", "Uncorrected hardware memory error".
//   - KindAPEICorrected / KindAPEIUncorrected: a firmware-first report's
//     "[Hardware Error]: event severity: corrected | recoverable | fatal"
//     line (memory or PCIe errors the platform firmware reports through
//     APEI GHES; the section lines after it are not counted).
//   - KindEDACCE / KindEDACUE: an EDAC line reporting "[n] CE ..." or "[n]
//     UE ..." (the driver's decoding lines around it are not counted); n is
//     the event's Errors.
//   - KindAERCorrected / KindAERUncorrected / KindAERFatal: "PCIe Bus Error:
//     severity=Corrected | Uncorrected (Non-Fatal) | Uncorrected (Fatal)"
//     (Linux 6.8 and later: "Correctable", "Uncorrectable (...)"),
//     one per error the AER driver reports; the "AER: ... error received"
//     line before it and the detail lines after it are not counted again.
//   - KindIOError: the block layer's "<status> error, dev X, sector N"
//     for the statuses that point at the device or its path: "I/O",
//     "critical medium", "critical target", "critical nexus", "timeout",
//     "protection", "recoverable transport" (with "blk_update_request:",
//     "print_req_error:" or no prefix, by kernel version).
//   - KindNVMe: "nvme nvmeN: I/O ... timeout", "controller is down",
//     "Device not ready", "Removing after probe failure",
//     and "nvmeNnM: ... I/O Error" command errors.
//   - KindSCSI: "[sdX] ... Sense Key : Medium Error | Hardware Error".
//   - KindATA: "ataN.M: exception Emask ...".
//   - KindThermalThrottle: "CPUn: Core|Package temperature above threshold,
//     cpu clock throttled" (the "temperature/speed normal" line that ends it
//     is not counted).
//   - KindThermalCritical: "critical temperature reached".
func Classify(msg string) (Event, bool) {
	switch {
	case strings.Contains(msg, "NVRM: Xid"):
		m := xidRe.FindStringSubmatch(msg)
		if m == nil {
			return Event{}, false
		}
		n, err := strconv.Atoi(m[2])
		if err != nil {
			return Event{}, false
		}
		return Event{Kind: KindXid, Severity: Xids[n].Severity, Device: strings.ToLower(m[1]), Xid: n}, true
	case strings.Contains(msg, "fallen off the bus"):
		e := Event{Kind: KindGPUOffBus, Severity: SevFailure}
		if a := pciAddrRe.FindStringSubmatch(msg); a != nil {
			e.Device = strings.ToLower(a[1])
		}
		return e, true
	case strings.Contains(msg, "Machine check events logged"):
		return Event{Kind: KindMachineCheck, Severity: SevWarning}, true
	case strings.Contains(msg, "Machine Check Exception"), strings.Contains(msg, "Fatal machine check"),
		strings.Contains(msg, "Uncorrected hardware memory error"):
		return Event{Kind: KindMachineCheckFatal, Severity: SevFailure, Device: cpuOf(msg)}, true
	case strings.Contains(msg, "[Hardware Error]: event severity: "):
		_, sev, _ := strings.Cut(msg, "event severity: ")
		switch strings.TrimSpace(sev) {
		case "corrected":
			return Event{Kind: KindAPEICorrected, Severity: SevWarning}, true
		case "recoverable":
			return Event{Kind: KindAPEIUncorrected, Severity: SevError}, true
		case "fatal":
			return Event{Kind: KindAPEIUncorrected, Severity: SevFailure}, true
		}
		return Event{}, false
	case strings.Contains(msg, "EDAC"):
		m := edacRe.FindStringSubmatch(msg)
		if m == nil {
			return Event{}, false
		}
		e := Event{Kind: KindEDACCE, Severity: SevWarning, Errors: 1}
		if m[2] == "UE" {
			e = Event{Kind: KindEDACUE, Severity: SevFailure, Errors: 1}
		}
		if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
			e.Errors = n
		}
		if l := edacLblRe.FindStringSubmatch(msg); l != nil {
			e.Device = l[1]
		} else if o := edacOnRe.FindStringSubmatch(msg); o != nil {
			e.Device = o[1]
		}
		return e, true
	case strings.Contains(msg, "PCIe Bus Error: severity="):
		m := aerSevRe.FindStringSubmatch(msg)
		if m == nil {
			return Event{}, false
		}
		e := Event{Kind: KindAERCorrected, Severity: SevWarning}
		switch {
		case strings.HasSuffix(m[1], "(Fatal)"):
			e = Event{Kind: KindAERFatal, Severity: SevFailure}
		case strings.HasSuffix(m[1], "(Non-Fatal)"):
			e = Event{Kind: KindAERUncorrected, Severity: SevError}
		}
		if a := pciAddrRe.FindStringSubmatch(msg); a != nil {
			e.Device = strings.ToLower(a[1])
		}
		return e, true
	case strings.Contains(msg, " error, dev "):
		if m := ioErrRe.FindStringSubmatch(msg); m != nil {
			return Event{Kind: KindIOError, Severity: SevError, Device: m[1]}, true
		}
	case strings.HasPrefix(msg, "nvme"):
		if m := nvmeCtrlRe.FindStringSubmatch(msg); m != nil {
			return Event{Kind: KindNVMe, Severity: SevError, Device: m[1]}, true
		}
		if m := nvmeNSRe.FindStringSubmatch(msg); m != nil {
			return Event{Kind: KindNVMe, Severity: SevError, Device: m[1]}, true
		}
	case strings.Contains(msg, "Sense Key : "):
		if m := scsiRe.FindStringSubmatch(msg); m != nil {
			return Event{Kind: KindSCSI, Severity: SevError, Device: m[1]}, true
		}
	case strings.HasPrefix(msg, "ata"):
		if m := ataRe.FindStringSubmatch(msg); m != nil {
			return Event{Kind: KindATA, Severity: SevWarning, Device: m[1]}, true
		}
	case strings.Contains(msg, "temperature above threshold"):
		if m := throttleRe.FindStringSubmatch(msg); m != nil {
			return Event{Kind: KindThermalThrottle, Severity: SevWarning, Device: m[1]}, true
		}
	case strings.Contains(msg, "critical temperature reached"):
		dev, _, _ := strings.Cut(msg, ":")
		return Event{Kind: KindThermalCritical, Severity: SevFailure, Device: strings.TrimSpace(dev)}, true
	}
	return Event{}, false
}

var cpuRe = regexp.MustCompile(`\bCPU ?([0-9]+)\b`)

func cpuOf(msg string) string {
	if m := cpuRe.FindStringSubmatch(msg); m != nil {
		return "CPU" + m[1]
	}
	return ""
}
