package profile

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/beeaudit/bee/internal/audit"
)

// CONFIG_* finding codes: a stable catalogue (docs/findings.md), never renamed
// or reused. Each finding names the component and says expected vs found.
const (
	CodeProfileUnusable = audit.CodeProfileUnusable // warning: a profile could not be read or chosen; the audit was not judged against it
	CodeNotVerified     = "CONFIG_NOT_VERIFIED"     // warning: the profile states something the audit could not read
	CodeMore            = "CONFIG_MORE"             // the differences of one kind beyond the first few, counted
	CodeCPUCount        = "CONFIG_CPU_COUNT"
	CodeCPUModel        = "CONFIG_CPU_MODEL"
	CodeCPUCores        = "CONFIG_CPU_CORES"
	CodeMemoryTotal     = "CONFIG_MEMORY_TOTAL"
	CodeDIMMCount       = "CONFIG_DIMM_COUNT"
	CodeDIMMMissing     = "CONFIG_DIMM_MISSING"
	CodeDIMMUnexpected  = "CONFIG_DIMM_UNEXPECTED"
	CodeDIMMSlotUnknown = "CONFIG_DIMM_SLOT_UNKNOWN"
	CodeDIMMMismatch    = "CONFIG_DIMM_MISMATCH"
	CodeDIMMPart        = "CONFIG_DIMM_PART"
	CodeDiskCount       = "CONFIG_DISK_COUNT"
	CodeGPUCount        = "CONFIG_GPU_COUNT"
	CodeGPUModel        = "CONFIG_GPU_MODEL"
	CodeGPUMemory       = "CONFIG_GPU_MEMORY"
	CodeGPUVBIOS        = "CONFIG_GPU_VBIOS"
	CodeGPUDriver       = "CONFIG_GPU_DRIVER"
	CodePCIeCount       = "CONFIG_PCIE_COUNT"
	CodePCIeLink        = "CONFIG_PCIE_LINK"
	CodePSUCount        = "CONFIG_PSU_COUNT"
	CodePSUModel        = "CONFIG_PSU_MODEL"
	CodeBIOSVersion     = "CONFIG_BIOS_VERSION"
	CodeDiskFirmware    = "CONFIG_DISK_FIRMWARE"
	CodeBMCFirmware     = "CONFIG_BMC_FIRMWARE"
	CodeNICCount        = "CONFIG_NIC_COUNT"
	CodeNICSpeed        = "CONFIG_NIC_SPEED"
	CodeIBCount         = "CONFIG_IB_COUNT"
	CodeIBRate          = "CONFIG_IB_RATE"
)

// MaxPerKind is how many differences of one component kind (cpu, dimm, storage,
// gpu, pcie, psu, bios) are listed before the rest are counted in one
// CONFIG_MORE finding: a profile applied to the wrong machine gives a short
// readable list, not a wall of noise.
const MaxPerKind = 6

// gpuMemoryTolerance: nvidia-smi's total differs from the marketing size and
// between driver versions by a few MiB.
const gpuMemoryTolerance = 0.02

type judge struct {
	a   *audit.Audit
	out []audit.Finding
}

func (j *judge) add(sev, component, code, format string, args ...any) {
	j.out = append(j.out, audit.Finding{Severity: severity(sev), Component: component, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (j *judge) notVerified(component, format string, args ...any) {
	j.add(SeverityWarning, component, CodeNotVerified, format, args...)
}

func severity(s string) string {
	if s == SeverityWarning {
		return audit.SeverityWarning
	}
	return audit.SeverityFailure
}

// collector returns a collector's status and reason ("" when absent).
func (j *judge) collector(name string) (status, reason string) {
	for _, c := range j.a.Collectors {
		if c.Name == name {
			if c.Error != nil {
				reason = firstLine(*c.Error)
			}
			return c.Status, reason
		}
	}
	return "", ""
}

func (j *judge) unreadable(name string) string {
	st, why := j.collector(name)
	if why == "" {
		why = "no data"
	}
	return fmt.Sprintf("%s collector %s: %s", name, orStr(st, "absent"), why)
}

// Judge applies a profile to an audit and returns the CONFIG_* findings, grouped
// per component kind, each kind capped at MaxPerKind (see CONFIG_MORE).
func Judge(p *Profile, a *audit.Audit) []audit.Finding {
	j := &judge{a: a}
	if p.CPU != nil {
		j.cpu(p.CPU)
	}
	if p.Memory != nil {
		j.memory(p.Memory)
	}
	if len(p.Storage) > 0 {
		j.storage(p.Storage)
	}
	if p.GPU != nil {
		j.gpu(p.GPU)
	}
	for _, r := range p.PCIe {
		j.pcie(r)
	}
	if p.PSU != nil {
		j.psu(p.PSU)
	}
	for _, r := range p.Network {
		j.network(r)
	}
	if p.InfiniBand != nil {
		j.infiniband(p.InfiniBand)
	}
	if p.Firmware != nil {
		j.firmware(p.Firmware)
	}
	return capPerKind(j.out, MaxPerKind)
}

func kindOf(component string) string {
	k, _, _ := strings.Cut(component, ":")
	return k
}

// mergeRepeats folds the same difference on several components of one kind
// (8 DIMMs of the wrong size, 2 CPUs of the wrong model) into one finding that
// names them all.
func mergeRepeats(fs []audit.Finding) []audit.Finding {
	type key struct{ kind, sev, code, msg string }
	var order []key
	comps := map[key][]string{}
	for _, f := range fs {
		k := key{kindOf(f.Component), f.Severity, f.Code, f.Message}
		if _, ok := comps[k]; !ok {
			order = append(order, k)
		}
		comps[k] = append(comps[k], f.Component)
	}
	var out []audit.Finding
	for _, k := range order {
		c := comps[k]
		if len(c) == 1 {
			out = append(out, audit.Finding{Severity: k.sev, Component: c[0], Code: k.code, Message: k.msg})
			continue
		}
		var names []string
		for _, x := range c {
			_, n, _ := strings.Cut(x, ":")
			names = append(names, n)
		}
		out = append(out, audit.Finding{Severity: k.sev, Component: k.kind, Code: k.code,
			Message: fmt.Sprintf("%s (%d: %s)", k.msg, len(c), shortList(names, 8))})
	}
	return out
}

func capPerKind(fs []audit.Finding, limit int) []audit.Finding {
	fs = mergeRepeats(fs)
	var order []string
	byKind := map[string][]audit.Finding{}
	for _, f := range fs {
		k := kindOf(f.Component)
		if _, ok := byKind[k]; !ok {
			order = append(order, k)
		}
		byKind[k] = append(byKind[k], f)
	}
	var out []audit.Finding
	for _, k := range order {
		l := byKind[k]
		if len(l) <= limit {
			out = append(out, l...)
			continue
		}
		out = append(out, l[:limit-1]...)
		rest := l[limit-1:]
		sev := audit.SeverityWarning
		codes := map[string]int{}
		for _, f := range rest {
			if f.Severity == audit.SeverityFailure {
				sev = audit.SeverityFailure
			}
			codes[f.Code]++
		}
		var cs []string
		for c, n := range codes {
			cs = append(cs, fmt.Sprintf("%d %s", n, c))
		}
		sort.Strings(cs)
		out = append(out, audit.Finding{Severity: sev, Component: k, Code: CodeMore,
			Message: fmt.Sprintf("and %d more %s differences from the profile (%s)", len(rest), k, strings.Join(cs, ", "))})
	}
	return out
}

// --- CPUs

func (j *judge) cpu(r *CPURule) {
	if len(j.a.Hardware.CPUs) == 0 {
		j.notVerified("cpu", "profile states the CPUs, the audit has none (%s)", j.unreadable("cpu"))
		return
	}
	var pop []audit.CPU
	var names []string
	for i, c := range j.a.Hardware.CPUs {
		if c.Populated {
			pop = append(pop, c)
			names = append(names, socketName(c, i))
		}
	}
	if r.Count != nil && len(pop) != *r.Count {
		j.add(r.Severity, "cpu", CodeCPUCount, "expected %d × %s, found %d%s", *r.Count, orStr(ptrStr(r.Model), "CPU"), len(pop), listParen(names))
	}
	for i, c := range j.a.Hardware.CPUs {
		if !c.Populated {
			continue
		}
		comp := "cpu:" + socketName(c, i)
		if r.Model != nil && c.Model != nil && !matchPattern(*r.Model, *c.Model) {
			j.add(r.Severity, comp, CodeCPUModel, "expected %s, found %s", *r.Model, *c.Model)
		}
		if r.Cores != nil && c.Cores != nil && *c.Cores != *r.Cores {
			j.add(r.Severity, comp, CodeCPUCores, "expected %d cores, found %d", *r.Cores, *c.Cores)
		}
	}
}

func socketName(c audit.CPU, i int) string {
	if c.Socket != nil {
		return *c.Socket
	}
	return fmt.Sprint(i)
}

// --- memory

func dimmDesc(r *DIMM) string {
	if r == nil {
		return "a DIMM"
	}
	var parts []string
	if r.Size != nil {
		parts = append(parts, r.Size.String())
	}
	if r.Type != nil {
		parts = append(parts, *r.Type)
	}
	if r.SpeedMTs != nil {
		parts = append(parts, fmt.Sprintf("%d MT/s", *r.SpeedMTs))
	}
	if len(parts) == 0 {
		return "a DIMM"
	}
	return strings.Join(parts, " ")
}

func foundDIMM(d audit.DIMM) string {
	var parts []string
	if d.SizeBytes != nil {
		parts = append(parts, formatSize(*d.SizeBytes))
	}
	if d.Type != nil {
		parts = append(parts, *d.Type)
	}
	if d.SpeedMTs != nil {
		parts = append(parts, fmt.Sprintf("%d MT/s", *d.SpeedMTs))
	}
	if len(parts) == 0 {
		return "a DIMM of unknown size"
	}
	return strings.Join(parts, " ")
}

// SlotNames names the DIMM slots of an audit as profiles do: the SMBIOS
// locator (the board's silkscreen), or "bank locator / locator" where boards
// repeat a locator per CPU (Lenovo SR950 V3: "DIMM A1" eight times). A slot
// without a name, or one still ambiguous, is "".
func SlotNames(m *audit.Memory) []string {
	count := map[string]int{}
	for _, d := range m.DIMMs {
		if d.Locator != nil {
			count[*d.Locator]++
		}
	}
	names := make([]string, len(m.DIMMs))
	long := map[string]int{}
	for i, d := range m.DIMMs {
		switch {
		case d.Locator == nil:
		case count[*d.Locator] == 1:
			names[i] = *d.Locator
		case d.BankLocator != nil:
			names[i] = *d.BankLocator + " / " + *d.Locator
			long[names[i]]++
		}
	}
	for i, n := range names {
		if long[n] > 1 {
			names[i] = ""
		}
	}
	return names
}

func (j *judge) memory(r *MemoryRule) {
	m := j.a.Hardware.Memory
	if m == nil || (m.DIMMs == nil && m.SlotsPopulated == nil) {
		j.notVerified("memory", "profile states the memory, the audit has none (%s)", j.unreadable("memory"))
		return
	}
	slots := map[string]audit.DIMM{}
	var locs []string
	names := SlotNames(m)
	for i, d := range m.DIMMs {
		if names[i] != "" {
			slots[names[i]] = d
			locs = append(locs, names[i])
		}
	}
	slotDiffs := 0
	var unknownSlots []string
	unknown := func(s, _ string) {
		slotDiffs++
		unknownSlots = append(unknownSlots, s)
	}
	defer func() {
		if len(unknownSlots) > 0 {
			j.add(r.Severity, "memory", CodeDIMMSlotUnknown, "expected slots %s (the profile's population map), this machine has no slot of those names; its slots: %s", shortList(unknownSlots, 6), shortList(locs, 6))
		}
	}()
	for _, s := range r.Populated {
		d, ok := slots[s]
		switch {
		case !ok:
			unknown(s, dimmDesc(r.DIMM))
		case !d.Populated:
			slotDiffs++
			j.add(r.Severity, "dimm:"+s, CodeDIMMMissing, "expected %s, slot empty", dimmDesc(r.DIMM))
		}
	}
	for _, s := range r.Empty {
		d, ok := slots[s]
		switch {
		case !ok:
			unknown(s, "an empty slot")
		case d.Populated:
			slotDiffs++
			j.add(r.Severity, "dimm:"+s, CodeDIMMUnexpected, "expected an empty slot, found %s", foundDIMM(d))
		}
	}
	dimmDiffs := 0
	for i, d := range m.DIMMs {
		if !d.Populated {
			continue
		}
		comp := "dimm:" + orStr(names[i], orStr(ptrStr(d.Locator), "?"))
		if w := r.DIMM; w != nil {
			bad := (w.Size != nil && d.SizeBytes != nil && *d.SizeBytes != int64(*w.Size)) ||
				(w.Type != nil && d.Type != nil && !strings.EqualFold(*w.Type, *d.Type)) ||
				(w.SpeedMTs != nil && d.SpeedMTs != nil && *w.SpeedMTs != *d.SpeedMTs)
			if bad {
				dimmDiffs++
				j.add(r.Severity, comp, CodeDIMMMismatch, "expected %s, found %s", dimmDesc(w), foundDIMM(d))
			} else if w.ConfiguredSpeedMTs != nil && d.ConfiguredSpeedMTs != nil && *w.ConfiguredSpeedMTs != *d.ConfiguredSpeedMTs {
				dimmDiffs++
				j.add(r.Severity, comp, CodeDIMMMismatch, "expected to run at %d MT/s, runs at %d MT/s", *w.ConfiguredSpeedMTs, *d.ConfiguredSpeedMTs)
			}
		}
		if len(r.PartNumbers) > 0 && d.PartNumber != nil && !anyEqualFold(r.PartNumbers, *d.PartNumber) {
			dimmDiffs++
			j.add(r.Severity, comp, CodeDIMMPart, "expected part number %s, found %s", strings.Join(r.PartNumbers, " or "), *d.PartNumber)
		}
	}
	// The slot map and the per-DIMM rules name the module; the count and the
	// total are judged only when nothing of that explains them.
	if slotDiffs > 0 {
		return
	}
	if r.DIMMCount != nil && m.SlotsPopulated == nil {
		j.notVerified("memory", "profile states %d DIMMs, the audit could not count them (%s)", *r.DIMMCount, j.unreadable("memory"))
	} else if r.DIMMCount != nil && *m.SlotsPopulated != *r.DIMMCount {
		j.add(r.Severity, "memory", CodeDIMMCount, "expected %d DIMMs, found %d", *r.DIMMCount, *m.SlotsPopulated)
		return
	}
	if r.Total != nil && dimmDiffs == 0 && m.TotalBytes == nil {
		j.notVerified("memory", "profile states %s of memory, the audit does not know the total (a module's size is unreadable)", r.Total)
	} else if r.Total != nil && dimmDiffs == 0 {
		tol := 0.0
		if r.TolerancePercent != nil {
			tol = *r.TolerancePercent / 100
		}
		want, got := float64(*r.Total), float64(*m.TotalBytes)
		if math.Abs(got-want) > want*tol {
			j.add(r.Severity, "memory", CodeMemoryTotal, "expected %s of memory%s, found %s", r.Total, tolText(r.TolerancePercent), formatSize(*m.TotalBytes))
		}
	}
}

func tolText(p *float64) string {
	if p == nil || *p == 0 {
		return ""
	}
	return fmt.Sprintf(" ± %s %%", trimFloat(*p))
}

// --- storage

// diskClass is nvme, sata, sas, usb, or "" when the transport is unknown.
func diskClass(d audit.Disk) string {
	t := strings.ToLower(ptrStr(d.Transport))
	switch {
	case t == "nvme" || strings.HasPrefix(d.Name, "nvme"):
		return "nvme"
	case t == "sata" || t == "ata":
		return "sata"
	case t == "sas":
		return "sas"
	case t == "usb":
		return "usb"
	}
	return ""
}

func (r DiskRule) matches(d audit.Disk) bool {
	if r.Class != "any" && diskClass(d) != r.Class {
		return false
	}
	if r.Model != nil && (d.Model == nil || !matchPattern(*r.Model, *d.Model)) {
		return false
	}
	if r.MinSize != nil && (d.SizeBytes == nil || *d.SizeBytes < int64(*r.MinSize)) {
		return false
	}
	return true
}

func (r DiskRule) desc() string {
	s := fmt.Sprintf("%d × %s", r.Count, r.Class)
	if r.Class == "any" {
		s = fmt.Sprintf("%d ×", r.Count)
	}
	if r.Model != nil {
		s += " " + *r.Model
	}
	if r.MinSize != nil {
		s += " ≥ " + r.MinSize.String()
	}
	return s
}

func (j *judge) storage(rules []DiskRule) {
	disks := j.a.Hardware.Storage
	if len(disks) == 0 {
		if st, _ := j.collector("storage"); st != audit.StatusOK {
			j.notVerified("storage", "profile states the drives, the audit has none (%s)", j.unreadable("storage"))
			return
		}
	}
	claimed := map[string]bool{}
	for _, r := range rules {
		for _, d := range disks {
			if r.matches(d) {
				claimed[d.Name] = true
			}
		}
	}
	for _, r := range rules {
		var found []string
		for _, d := range disks {
			if r.matches(d) {
				found = append(found, d.Name)
			}
		}
		if len(found) == r.Count {
			continue
		}
		// The drives of the class that no rule wants are what stands in their place.
		var others []string
		for _, d := range disks {
			if !claimed[d.Name] && (r.Class == "any" || diskClass(d) == r.Class) {
				others = append(others, fmt.Sprintf("%s %s %s", d.Name, orStr(ptrStr(d.Model), "unknown model"), sizeOrUnknown(d.SizeBytes)))
			}
		}
		msg := fmt.Sprintf("expected %s, found %d%s", r.desc(), len(found), listParen(found))
		if len(others) > 0 && len(found) < r.Count {
			msg += "; not matching: " + strings.Join(others, ", ")
		}
		j.add(r.Severity, "storage", CodeDiskCount, "%s", msg)
	}
}

func sizeOrUnknown(n *int64) string {
	if n == nil {
		return "(size unknown)"
	}
	return formatSize(*n)
}

// --- GPUs

// gpuSlot is one NVIDIA GPU seen by nvidia-smi, on the PCI bus, or both.
type gpuSlot struct {
	addr string
	smi  *audit.GPU
}

func isNvidiaGPU(d audit.PCIeDev) bool {
	nv := ptrStr(d.VendorID) == "10de" || strings.Contains(strings.ToLower(ptrStr(d.Vendor)), "nvidia")
	if !nv {
		return false
	}
	if d.ClassID != nil {
		return strings.HasPrefix(*d.ClassID, "03")
	}
	c := strings.ToLower(ptrStr(d.Class))
	return strings.Contains(c, "vga") || strings.Contains(c, "3d") || strings.Contains(c, "display")
}

// gpus is the union of nvidia-smi's GPUs and the NVIDIA GPUs on the PCI bus, so
// a GPU that fell off the bus and one the driver lost both count as missing
// only when they are missing from both.
func gpus(a *audit.Audit) []gpuSlot {
	var out []gpuSlot
	seen := map[string]bool{}
	for i := range a.Hardware.GPUs {
		g := &a.Hardware.GPUs[i]
		addr := strings.ToLower(ptrStr(g.PCIAddress))
		if addr != "" {
			seen[addr] = true
		}
		out = append(out, gpuSlot{addr: addr, smi: g})
	}
	for _, d := range a.Hardware.PCIe {
		if isNvidiaGPU(d) && !seen[strings.ToLower(d.Address)] {
			out = append(out, gpuSlot{addr: d.Address})
		}
	}
	return out
}

func (j *judge) gpu(r *GPURule) {
	all := gpus(j.a)
	st, why := j.collector("nvidia")
	if r.DriverLoaded != nil && *r.DriverLoaded && st != audit.StatusOK {
		j.add(r.Severity, "gpu", CodeGPUDriver, "expected the NVIDIA driver loaded and nvidia-smi working, found nvidia collector %s: %s", orStr(st, "absent"), orStr(why, "no reason given"))
	}
	if pst, _ := j.collector("pcie"); len(all) == 0 && st != audit.StatusOK && pst != audit.StatusOK {
		j.notVerified("gpu", "profile states the GPUs, neither nvidia-smi nor the PCI bus could be read (%s; %s)", j.unreadable("nvidia"), j.unreadable("pcie"))
		return
	}
	if r.Count != nil && len(all) != *r.Count {
		var addrs []string
		for _, g := range all {
			addrs = append(addrs, orStr(g.addr, "?"))
		}
		j.add(r.Severity, "gpu", CodeGPUCount, "expected %d × %s, found %d%s", *r.Count, orStr(ptrStr(r.Model), "GPU"), len(all), listParen(addrs))
	}
	// A GPU on the bus that nvidia-smi does not report is GPU_NOT_VISIBLE or
	// GPU_DRIVER_UNAVAILABLE already; its model is not judged again here.
	for _, g := range all {
		if g.smi == nil {
			continue
		}
		comp := fmt.Sprintf("gpu:%d", g.smi.Index)
		if r.Model != nil && g.smi.Name != nil && !matchPattern(*r.Model, *g.smi.Name) {
			j.add(r.Severity, comp, CodeGPUModel, "expected %s, found %s", *r.Model, *g.smi.Name)
		}
		if r.Memory != nil && g.smi.MemoryTotalBytes != nil {
			want := float64(*r.Memory)
			if math.Abs(float64(*g.smi.MemoryTotalBytes)-want) > want*gpuMemoryTolerance {
				j.add(r.Severity, comp, CodeGPUMemory, "expected %s of GPU memory, found %s", r.Memory, formatSize(*g.smi.MemoryTotalBytes))
			}
		}
		if len(r.VBIOS) > 0 && g.smi.VBIOSVersion != nil && !anyEqualFold(r.VBIOS, *g.smi.VBIOSVersion) {
			j.add(r.Severity, comp, CodeGPUVBIOS, "expected VBIOS %s, found %s", strings.Join(r.VBIOS, " or "), *g.smi.VBIOSVersion)
		}
	}
}

// --- PCIe

func pcieID(d audit.PCIeDev) string {
	if d.VendorID == nil || d.DeviceID == nil {
		return ""
	}
	return strings.ToLower(*d.VendorID + ":" + *d.DeviceID)
}

func pcieName(d audit.PCIeDev) string {
	return strings.TrimSpace(ptrStr(d.Vendor) + " " + ptrStr(d.Device))
}

func (r PCIeRule) matches(d audit.PCIeDev) bool {
	if r.ID != nil && !strings.EqualFold(*r.ID, pcieID(d)) {
		return false
	}
	if r.Name != nil && !matchPattern(*r.Name, ptrStr(d.Device)) && !matchPattern(*r.Name, pcieName(d)) {
		return false
	}
	if r.Address != nil && !strings.EqualFold(*r.Address, d.Address) {
		return false
	}
	return true
}

func (r PCIeRule) label() string {
	var parts []string
	if r.ID != nil {
		parts = append(parts, *r.ID)
	}
	if r.Name != nil {
		parts = append(parts, *r.Name)
	}
	if r.Address != nil {
		parts = append(parts, "at "+*r.Address)
	}
	return strings.Join(parts, " ")
}

func (r PCIeRule) component() string {
	switch {
	case r.Address != nil:
		return "pcie:" + *r.Address
	case r.ID != nil:
		return "pcie:" + *r.ID
	}
	return "pcie:" + *r.Name
}

// isGPULink: a GPU's idle link drops its speed; its capability and width are
// what an idle read can judge (docs/findings.md).
func isGPULink(d audit.PCIeDev) bool { return isNvidiaGPU(d) || d.GPUIndex != nil }

func (j *judge) pcie(r PCIeRule) {
	var sel []audit.PCIeDev
	for _, d := range j.a.Hardware.PCIe {
		if r.matches(d) {
			sel = append(sel, d)
		}
	}
	if len(j.a.Hardware.PCIe) == 0 {
		j.notVerified(r.component(), "profile expects %s, the audit has no PCIe inventory (%s)", r.label(), j.unreadable("pcie"))
		return
	}
	want := -1
	if r.Count != nil {
		want = *r.Count
	} else if r.Address != nil {
		want = 1
	}
	if want >= 0 && len(sel) != want {
		var addrs []string
		for _, d := range sel {
			addrs = append(addrs, d.Address)
		}
		name := ""
		if len(sel) > 0 && r.Name == nil {
			name = " (" + pcieName(sel[0]) + ")"
		}
		j.add(r.Severity, r.component(), CodePCIeCount, "expected %d × %s%s, found %d%s", want, r.label(), name, len(sel), listParen(addrs))
	}
	if r.Width == nil && r.SpeedGTs == nil {
		return
	}
	// One function speaks for the link of a device (the first one selected).
	done := map[string]bool{}
	unread := 0
	for _, d := range sel {
		dev := d.Address
		if i := strings.LastIndex(dev, "."); i > 0 {
			dev = dev[:i]
		}
		if done[dev] {
			continue
		}
		done[dev] = true
		k := d.Link
		gpu := isGPULink(d)
		var width *int
		var speed *string
		if k != nil {
			width, speed = k.CurrentWidth, k.CurrentSpeed
			if gpu {
				speed = k.MaxSpeed
			}
		}
		if (r.Width != nil && width == nil) || (r.SpeedGTs != nil && speed == nil) {
			unread++
			continue
		}
		gts, _ := parseGTs(ptrStr(speed))
		badW := r.Width != nil && *width != *r.Width
		badS := r.SpeedGTs != nil && math.Abs(gts-*r.SpeedGTs) > 0.01
		if !badW && !badS {
			continue
		}
		name := pcieName(d)
		if name == "" {
			name = orStr(pcieID(d), "device")
		}
		if gpu {
			j.add(r.Severity, "pcie:"+d.Address, CodePCIeLink, "(%s) expected %s (GPU: width and maximum speed; idle speed is not judged), found %s", name, linkText(r.Width, r.SpeedGTs), linkText(width, floatPtr(gts, speed != nil)))
		} else {
			j.add(r.Severity, "pcie:"+d.Address, CodePCIeLink, "(%s) expected %s, running %s", name, linkText(r.Width, r.SpeedGTs), linkText(width, floatPtr(gts, speed != nil)))
		}
	}
	if unread > 0 {
		j.notVerified(r.component(), "link of %d × %s not readable (no link in sysfs); expected %s", unread, r.label(), linkText(r.Width, r.SpeedGTs))
	}
}

func floatPtr(f float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	return &f
}

func linkText(w *int, s *float64) string {
	var parts []string
	if w != nil {
		parts = append(parts, fmt.Sprintf("x%d", *w))
	}
	if s != nil {
		parts = append(parts, trimFloat(*s)+" GT/s")
	}
	return strings.Join(parts, " ")
}

// --- network ports and InfiniBand

func (j *judge) network(r NICRule) {
	if st, _ := j.collector("network"); st != audit.StatusOK && len(j.a.Hardware.Network) == 0 {
		j.notVerified("network", "profile expects %s ports, the network ports could not be read (%s)", ptrStr(r.Driver), j.unreadable("network"))
		return
	}
	var sel []audit.NetPort
	for _, p := range j.a.Hardware.Network {
		if p.Driver != nil && r.Driver != nil && matchPattern(*r.Driver, *p.Driver) {
			sel = append(sel, p)
		}
	}
	comp := "network:" + ptrStr(r.Driver)
	if r.Count != nil && len(sel) != *r.Count {
		var names []string
		for _, p := range sel {
			names = append(names, p.Name)
		}
		j.add(r.Severity, comp, CodeNICCount, "expected %d × %s port(s), found %d%s", *r.Count, ptrStr(r.Driver), len(sel), listParen(names))
	}
	if r.SpeedMbps == nil {
		return
	}
	for _, p := range sel {
		switch {
		case p.SpeedMbps == nil || *p.SpeedMbps <= 0:
			j.add(r.Severity, "network:"+p.Name, CodeNICSpeed, "(%s) expected a link at %s, no link", ptrStr(p.Driver), mbps(*r.SpeedMbps))
		case *p.SpeedMbps < *r.SpeedMbps:
			j.add(r.Severity, "network:"+p.Name, CodeNICSpeed, "(%s) expected a link at %s, running %s", ptrStr(p.Driver), mbps(*r.SpeedMbps), mbps(*p.SpeedMbps))
		}
	}
}

// mbps writes a link rate as ethtool's users say it: 100 Gb/s, 1 Gb/s, 100 Mb/s.
func mbps(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return fmt.Sprintf("%d Gb/s", n/1000)
	}
	return fmt.Sprintf("%d Mb/s", n)
}

func (j *judge) infiniband(r *IBRule) {
	var ports []audit.IBPort
	for _, p := range j.a.Hardware.InfiniBand {
		if p.LinkLayer != nil && strings.EqualFold(*p.LinkLayer, "InfiniBand") {
			ports = append(ports, p)
		}
	}
	if len(ports) == 0 {
		if st, _ := j.collector("network"); st != audit.StatusOK {
			j.notVerified("infiniband", "profile states the InfiniBand ports, they could not be read (%s)", j.unreadable("network"))
			return
		}
	}
	if r.Ports != nil && len(ports) != *r.Ports {
		j.add(r.Severity, "infiniband", CodeIBCount, "expected %d InfiniBand port(s), found %d", *r.Ports, len(ports))
	}
	if r.RateGbps == nil {
		return
	}
	for _, p := range ports {
		comp := fmt.Sprintf("infiniband:%s/%d", p.Device, p.Port)
		switch {
		case p.State == nil || !strings.EqualFold(*p.State, "ACTIVE") || p.RateGbps == nil:
			j.add(r.Severity, comp, CodeIBRate, "expected an active port at %s Gb/s, port is %s", trimFloat(*r.RateGbps), orStr(ptrStr(p.State), "in an unknown state"))
		case *p.RateGbps+0.01 < *r.RateGbps:
			j.add(r.Severity, comp, CodeIBRate, "expected %s Gb/s, running %s Gb/s", trimFloat(*r.RateGbps), trimFloat(*p.RateGbps))
		}
	}
}

// --- PSUs

func (j *judge) psu(r *PSURule) {
	psus := j.a.Hardware.PSUs
	if len(psus) == 0 {
		if st, _ := j.collector("psu"); st != audit.StatusOK {
			j.notVerified("psu", "profile states the power supplies, the BMC could not be read (%s)", j.unreadable("psu"))
			return
		}
	}
	var present []string
	for _, p := range psus {
		if p.Status != "absent" {
			present = append(present, p.Name)
		}
	}
	if r.Count != nil && len(present) != *r.Count {
		j.add(r.Severity, "psu", CodePSUCount, "expected %d power supplies, found %d%s", *r.Count, len(present), listParen(present))
	}
	for _, p := range psus {
		if r.Model != nil && p.Status != "absent" && p.Model != nil && !matchPattern(*r.Model, *p.Model) {
			j.add(r.Severity, "psu:"+p.Name, CodePSUModel, "expected %s, found %s", *r.Model, *p.Model)
		}
	}
}

// --- firmware

func (v VersionRule) ok(found string) bool {
	if v.Version != nil {
		return CompareVersions(found, *v.Version) == 0
	}
	if v.MinVersion != nil {
		return CompareVersions(found, *v.MinVersion) >= 0
	}
	return true
}

func (v VersionRule) String() string {
	if v.Version != nil {
		return *v.Version
	}
	return ptrStr(v.MinVersion) + " or newer"
}

func (j *judge) firmware(r *FirmwareSet) {
	if b := r.BIOS; b != nil {
		switch {
		case j.a.Hardware.BIOS == nil || j.a.Hardware.BIOS.Version == nil:
			j.notVerified("bios", "expected BIOS %s, the BIOS version is unknown (%s)", b, j.unreadable("board"))
		case !b.ok(*j.a.Hardware.BIOS.Version):
			j.add(r.Severity, "bios", CodeBIOSVersion, "expected BIOS %s, found %s", b, *j.a.Hardware.BIOS.Version)
		}
	}
	if b := r.BMC; b != nil {
		var fw *string
		if j.a.Hardware.BMC != nil {
			fw = j.a.Hardware.BMC.FirmwareRevision
		}
		switch {
		case fw == nil:
			j.notVerified("bmc", "expected BMC firmware %s, the BMC firmware version is unknown (%s)", b, j.unreadable("bmc"))
		case !b.ok(*fw):
			j.add(r.Severity, "bmc", CodeBMCFirmware, "expected BMC firmware %s, found %s", b, *fw)
		}
	}
	for _, f := range r.Disks {
		for _, d := range j.a.Hardware.Storage {
			if d.Model == nil || !matchPattern(f.Model, *d.Model) {
				continue
			}
			comp := "storage:" + d.Path
			switch {
			case d.Firmware == nil:
				j.notVerified(comp, "expected firmware %s on %s, the firmware version is unknown", f.VersionRule, *d.Model)
			case !f.ok(*d.Firmware):
				j.add(r.Severity, comp, CodeDiskFirmware, "(%s) expected firmware %s, found %s", *d.Model, f.VersionRule, *d.Firmware)
			}
		}
	}
}

// --- helpers

func ptrStr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func orStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func anyEqualFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), strings.TrimSpace(s)) {
			return true
		}
	}
	return false
}

func listParen(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return " (" + shortList(l, 8) + ")"
}

func shortList(l []string, n int) string {
	if len(l) <= n {
		return strings.Join(l, ", ")
	}
	return strings.Join(l[:n], ", ") + fmt.Sprintf(", … %d more", len(l)-n)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
