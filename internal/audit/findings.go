package audit

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/beeaudit/bee/internal/health"
)

// Finding codes: a stable catalogue. Codes are never renamed or reused; scripts
// and vendors' tickets refer to them. docs/findings.md explains each one. The drive
// and GPU health codes, and their rules, live in internal/health, which `bee sat`
// applies too.
const (
	CodeCollectorError       = "COLLECTOR_ERROR"               // warning: a collector could not finish; the audit is incomplete
	CodeCPUDisabled          = "CPU_DISABLED"                  // warning: a populated socket is disabled (BIOS/POST error)
	CodeEDACCorrected        = "EDAC_CORRECTED"                // warning: corrected memory errors since boot
	CodeEDACUncorrected      = "EDAC_UNCORRECTED"              // failure: uncorrected memory errors since boot
	CodeMemorySizeMismatch   = "MEMORY_SIZE_MISMATCH"          // warning: DIMMs total vs kernel MemTotal disagree
	CodeNoDIMMs              = "MEMORY_NO_DIMMS"               // warning: SMBIOS lists slots but no populated DIMM
	CodeSMARTFailed          = health.CodeSMARTFailed          // failure: drive's own overall-health self-assessment failed
	CodeSMARTUnavailable     = "SMART_UNAVAILABLE"             // warning: SMART/health could not be read from a disk
	CodeReallocatedSectors   = health.CodeReallocatedSectors   // warning (>0) / failure (>=100)
	CodePendingSectors       = health.CodePendingSectors       // failure: sectors waiting for reallocation (unreadable data)
	CodeUncorrectableSectors = health.CodeUncorrectableSectors // failure: offline uncorrectable sectors
	CodeGrownDefects         = health.CodeGrownDefects         // warning (>0) / failure (>=100): SCSI grown defect list
	CodeNVMeMediaErrors      = health.CodeNVMeMediaErrors      // failure: unrecovered data integrity errors
	CodeNVMeCriticalWarning  = health.CodeNVMeCriticalWarning  // failure: controller's critical warning bits set
	CodeNVMeSpareLow         = health.CodeNVMeSpareLow         // failure: available spare below threshold
	CodeWear                 = health.CodeWear                 // warning >= 90 %, failure >= 100 % of rated endurance used
	CodeDiskTemperature      = health.CodeDiskTemperature      // warning: >= 70 °C
	CodePrefailAttribute     = health.CodePrefailAttribute     // failure: a pre-failure SMART attribute at or below its threshold now
	CodeSelfTestFailed       = health.CodeSelfTestFailed       // warning: the drive's self-test log records a failed self-test
	CodePCIeLinkDegraded     = "PCIE_LINK_DEGRADED"            // warning: link narrower than the device can do
	CodePCIeAERFatal         = "PCIE_AER_FATAL"                // failure
	CodePCIeAERNonFatal      = "PCIE_AER_NONFATAL"             // warning
	CodePCIeAERCorrectable   = "PCIE_AER_CORRECTABLE"          // warning: >= 100 corrected errors since boot
	CodePSUFailed            = "PSU_FAILED"                    // failure
	CodePSUPredictive        = "PSU_PREDICTIVE_FAILURE"        // warning
	CodePSUACLost            = "PSU_AC_LOST"                   // failure: no input power (cable/PDU), redundancy lost
	CodePSUAbsent            = "PSU_ABSENT"                    // warning: a PSU bay the BMC knows is empty
	CodeGPUNotVisible        = "GPU_NOT_VISIBLE"               // failure: on the PCI bus, not seen by nvidia-smi
	CodeGPUDriverUnavailable = "GPU_DRIVER_UNAVAILABLE"        // warning: NVIDIA GPUs present but nvidia-smi/driver unusable
	CodeGPUECCUncorrectable  = health.CodeGPUECCUncorrectable  // failure
	CodeGPURetiredPages      = health.CodeGPURetiredPages      // warning (>0 DBE), failure (>= 60 retired pages)
	CodeGPURetirePending     = health.CodeGPURetirePending     // warning: page retirement waits for a GPU reset
	CodeGPURowRemapPending   = health.CodeGPURowRemapPending   // warning: needs a GPU reset
	CodeGPURowRemapFailed    = health.CodeGPURowRemapFailed    // failure: RMA
	CodeGPUHWSlowdown        = health.CodeGPUHWSlowdown        // warning: hardware slowdown active (thermal, power brake)
)

// Thresholds of the catalogue (those of the drive and GPU rules are in internal/health).
const (
	aerCorrectableWarnAt = 100
	memTotalLowRatio     = 0.90 // MemTotal below 90 % of installed DIMMs
)

type findingList []Finding

func (l *findingList) add(sev, component, code, format string, a ...any) {
	*l = append(*l, Finding{Severity: sev, Component: component, Code: code, Message: fmt.Sprintf(format, a...)})
}

// findings applies every rule of the catalogue to an audit.
func findings(a *Audit, p *parts) []Finding {
	var l findingList
	h := &a.Hardware
	for _, c := range a.Collectors {
		if c.Status == StatusError {
			l.add(SeverityWarning, "collector:"+c.Name, CodeCollectorError, "collector %s failed, inventory incomplete: %s", c.Name, firstLines(str(c.Error), 1))
		}
	}
	cpuFindings(&l, h)
	memoryFindings(&l, h)
	for _, d := range h.Storage {
		diskFindings(&l, d)
	}
	pcieFindings(&l, h)
	psuFindings(&l, h)
	gpuFindings(&l, h, p)
	networkFindings(&l, h)
	selFindings(&l, h)
	sensorFindings(&l, h)
	kernelLogFindings(&l, h)
	l = append(l, p.nvlinkFindings...)
	l = append(l, p.fabricFindings...)
	raidFindings(&l, h)
	adapterFWFindings(&l, h)
	return sortFindings(l)
}

// sortFindings orders findings: failures first, then by component and code.
func sortFindings(l []Finding) []Finding {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Severity != l[j].Severity {
			return l[i].Severity == SeverityFailure
		}
		if l[i].Component != l[j].Component {
			return l[i].Component < l[j].Component
		}
		return l[i].Code < l[j].Code
	})
	return l
}

// summarize derives the verdict: fail on any failure, warning on any warning.
func summarize(f []Finding) Summary {
	s := Summary{Verdict: VerdictPass, Findings: f}
	for _, x := range f {
		if x.Severity == SeverityFailure {
			s.Failures++
		} else {
			s.Warnings++
		}
	}
	switch {
	case s.Failures > 0:
		s.Verdict = VerdictFail
	case s.Warnings > 0:
		s.Verdict = VerdictWarning
	}
	return s
}

func cpuFindings(l *findingList, h *Hardware) {
	for i, c := range h.CPUs {
		st := strings.ToLower(str(c.Status))
		if c.Populated && strings.Contains(st, "disabled") {
			l.add(SeverityWarning, fmt.Sprintf("cpu:%s", orIndex(c.Socket, i)), CodeCPUDisabled, "CPU in %s is populated but disabled (%s)", orIndex(c.Socket, i), str(c.Status))
		}
	}
}

func orIndex(s *string, i int) string {
	if s != nil {
		return *s
	}
	return fmt.Sprint(i)
}

func memoryFindings(l *findingList, h *Hardware) {
	m := h.Memory
	if m == nil {
		return
	}
	if e := m.EDAC; e != nil {
		// Per-DIMM counters name the module to replace; without them, the total.
		perDIMM := false
		for _, d := range e.DIMMs {
			if d.Uncorrected > 0 {
				l.add(SeverityFailure, "dimm:"+d.Label, CodeEDACUncorrected, "%d uncorrected memory errors on %s since boot", d.Uncorrected, d.Label)
				perDIMM = true
			}
			if d.Corrected > 0 {
				l.add(SeverityWarning, "dimm:"+d.Label, CodeEDACCorrected, "%d corrected memory errors on %s since boot", d.Corrected, d.Label)
				perDIMM = true
			}
		}
		if !perDIMM && e.Uncorrected > 0 {
			l.add(SeverityFailure, "memory", CodeEDACUncorrected, "%d uncorrected memory errors reported by EDAC since boot", e.Uncorrected)
		}
		if !perDIMM && e.Corrected > 0 {
			l.add(SeverityWarning, "memory", CodeEDACCorrected, "%d corrected memory errors reported by EDAC since boot", e.Corrected)
		}
	}
	if m.SlotsTotal != nil && m.SlotsPopulated != nil && *m.SlotsTotal > 0 && *m.SlotsPopulated == 0 {
		l.add(SeverityWarning, "memory", CodeNoDIMMs, "SMBIOS lists %d memory slots but none populated", *m.SlotsTotal)
	}
	if m.KernelBytes != nil && m.TotalBytes != nil && *m.TotalBytes > 0 {
		k, t := float64(*m.KernelBytes), float64(*m.TotalBytes)
		if k < t*memTotalLowRatio || k > t*1.01 {
			l.add(SeverityWarning, "memory", CodeMemorySizeMismatch, "kernel sees %s of memory, the DIMMs add up to %s", humanBytes(*m.KernelBytes), humanBytes(*m.TotalBytes))
		}
	}
}

func diskFindings(l *findingList, d Disk) {
	comp := "storage:" + d.Path
	s := d.SMART
	if s == nil {
		return
	}
	if !s.Available {
		// USB bridges often cannot pass SMART through, and smartctl cannot even
		// name the device type of virtual disks (virtio, Xen): neither is news.
		if s.Error != nil && str(d.Transport) != "usb" && !strings.Contains(*s.Error, "Unable to detect device type") {
			l.add(SeverityWarning, comp, CodeSMARTUnavailable, "SMART health could not be read: %s", *s.Error)
		}
		return
	}
	addIssues(l, comp, health.DiskIssues(health.Disk{
		Passed:                  s.Passed,
		ReallocatedSectors:      s.ReallocatedSectors,
		PendingSectors:          s.PendingSectors,
		OfflineUncorrectable:    s.OfflineUncorrectable,
		GrownDefects:            s.GrownDefects,
		MediaErrors:             s.MediaErrors,
		CriticalWarning:         s.CriticalWarning,
		AvailableSpare:          s.AvailableSpare,
		AvailableSpareThreshold: s.AvailableSpareThresh,
		PercentageUsed:          s.PercentageUsed,
		TemperatureC:            s.TemperatureC,
		PrefailNow:              slices.Contains(s.SmartctlExitBits, "prefail_attributes_below_threshold"),
		PrefailAttributes:       s.FailingAttributes,
		SelfTestLogFailed:       slices.Contains(s.SmartctlExitBits, "self_test_log_has_errors"),
	}))
}

// addIssues adds the issues found by the health rules as findings of component.
func addIssues(l *findingList, component string, is []health.Issue) {
	for _, i := range is {
		sev := SeverityWarning
		if i.Severity == health.Failure {
			sev = SeverityFailure
		}
		l.add(sev, component, i.Code, "%s", i.Message)
	}
}

func pcieFindings(l *findingList, h *Hardware) {
	for _, d := range h.PCIe {
		comp := "pcie:" + d.Address
		name := strings.TrimSpace(str(d.Vendor) + " " + str(d.Device))
		if name == "" {
			name = str(d.VendorID) + ":" + str(d.DeviceID)
		}
		// Bridges and root ports report their own capability; the endpoint
		// below shows whether the link is narrow. Function 0 speaks for the link.
		if k := d.Link; k != nil && strings.HasSuffix(d.Address, ".0") && !isBridge(d) &&
			k.CurrentWidth != nil && k.MaxWidth != nil && *k.CurrentWidth > 0 && *k.CurrentWidth < *k.MaxWidth {
			l.add(SeverityWarning, comp, CodePCIeLinkDegraded, "%s: link x%d, device capable of x%d", name, *k.CurrentWidth, *k.MaxWidth)
		}
		if a := d.AER; a != nil {
			if a.Fatal != nil && *a.Fatal > 0 {
				l.add(SeverityFailure, comp, CodePCIeAERFatal, "%s: %d fatal PCIe errors (AER) since boot", name, *a.Fatal)
			}
			if a.NonFatal != nil && *a.NonFatal > 0 {
				l.add(SeverityWarning, comp, CodePCIeAERNonFatal, "%s: %d non-fatal PCIe errors (AER) since boot", name, *a.NonFatal)
			}
			if a.Correctable != nil && *a.Correctable >= aerCorrectableWarnAt {
				l.add(SeverityWarning, comp, CodePCIeAERCorrectable, "%s: %d corrected PCIe errors (AER) since boot", name, *a.Correctable)
			}
		}
	}
}

func isBridge(d PCIeDev) bool {
	if d.ClassID != nil {
		return strings.HasPrefix(*d.ClassID, "06")
	}
	return strings.Contains(strings.ToLower(str(d.Class)), "bridge")
}

func psuFindings(l *findingList, h *Hardware) {
	for _, p := range h.PSUs {
		comp := "psu:" + p.Name
		ev := strings.Join(p.Events, "; ")
		switch p.Status {
		case "failed":
			l.add(SeverityFailure, comp, CodePSUFailed, "%s: failure reported by the BMC (%s)", p.Name, ev)
		case "predictive_failure":
			l.add(SeverityWarning, comp, CodePSUPredictive, "%s: predictive failure reported by the BMC (%s)", p.Name, ev)
		case "ac_lost":
			l.add(SeverityFailure, comp, CodePSUACLost, "%s: AC input lost (%s)", p.Name, ev)
		case "absent":
			l.add(SeverityWarning, comp, CodePSUAbsent, "%s: not present", p.Name)
		}
	}
}

func gpuFindings(l *findingList, h *Hardware, p *parts) {
	seen := map[string]bool{}
	for _, g := range h.GPUs {
		if g.PCIAddress != nil {
			seen[*g.PCIAddress] = true
		}
	}
	var missing []string
	for _, d := range h.PCIe {
		if isNvidiaGPU(d) && !seen[d.Address] {
			missing = append(missing, d.Address)
		}
	}
	if len(missing) > 0 {
		if p.nvidiaState == "ok" {
			for _, a := range missing {
				l.add(SeverityFailure, "pcie:"+a, CodeGPUNotVisible, "NVIDIA GPU on the PCI bus is not seen by nvidia-smi (fallen off the bus, or driver failed to initialise it)")
			}
		} else {
			why := map[string]string{"no_tool": "nvidia-smi is not installed", "no_driver": "the NVIDIA driver is not loaded", "error": "nvidia-smi failed"}[p.nvidiaState]
			if p.nvidiaLoad != "" {
				why += "; " + p.nvidiaLoad
			}
			l.add(SeverityWarning, "gpu", CodeGPUDriverUnavailable, "%d NVIDIA GPU(s) on the PCI bus cannot be checked: %s", len(missing), why)
		}
	}
	for _, g := range h.GPUs {
		addIssues(l, fmt.Sprintf("gpu:%d", g.Index), health.GPUIssues(health.GPU{
			ECCVolatileUncorrected:  g.ECCVolatileUncorrected,
			ECCAggregateUncorrected: g.ECCAggregateUncorrected,
			RetiredPagesSBE:         g.RetiredPagesSBE,
			RetiredPagesDBE:         g.RetiredPagesDBE,
			RetiredPagesPending:     g.RetiredPagesPending,
			RemappedRowsPending:     g.RemappedRowsPending,
			RemappedRowsFailure:     g.RemappedRowsFailure,
			ActiveClockEventReasons: g.ClockEventReasons,
		}))
	}
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
