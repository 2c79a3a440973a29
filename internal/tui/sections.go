package tui

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/beeaudit/bee/internal/audit"
)

// kv is one line of a detail view.
type kv struct{ k, v string }

// section is one page of the inventory browser, built from the audit alone.
type section struct {
	key, name string
	summary   []string   // lines above the table
	cols      []column   // table columns; nil for a key/value page (System)
	rows      [][]string // table cells
	marks     []string   // per row: "" or a short alarm word shown in the first column
	details   []func() []kv
	kvs       []kv   // key/value page content
	empty     string // why the table is empty
}

// sections builds every page of the inventory browser, in menu order.
func sections(a *audit.Audit) []section {
	secs := []section{
		systemSection(a), cpuSection(a), memorySection(a), storageSection(a),
		pcieSection(a), psuSection(a), gpuSection(a),
		networkSection(a), bmcSection(a), sensorsSection(a),
	}
	if hasRAID(a) {
		secs = append(secs, raidSection(a))
	}
	return secs
}

// unknown is how a null (unknown) value reads on screen.
const unknown = "-"

func str(p *string) string {
	if p == nil || *p == "" {
		return unknown
	}
	return *p
}

func num[T int | int64](p *T) string {
	if p == nil {
		return unknown
	}
	return strconv.FormatInt(int64(*p), 10)
}

// iec formats a byte count in binary units (memory): "32 GiB".
func iec(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for x := n / unit; x >= unit; x /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %ciB", int64(v), "KMGTPE"[exp])
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[exp])
}

// si formats a byte count in decimal units, as drives are labelled: "1.92 TB".
func si(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for x := n / unit; x >= unit; x /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f %cB", v, "kMGTPE"[exp])
	case v >= 10:
		return fmt.Sprintf("%.1f %cB", v, "kMGTPE"[exp])
	}
	return fmt.Sprintf("%.2f %cB", v, "kMGTPE"[exp])
}

// collectorNote explains an empty section from its collector's record:
// "psu collector skipped: no /dev/ipmi0 ...".
func collectorNote(a *audit.Audit, name, none string) string {
	for _, c := range a.Collectors {
		if c.Name != name {
			continue
		}
		switch c.Status {
		case audit.StatusOK:
			return none
		default:
			return fmt.Sprintf("%s (%s collector %s: %s)", none, name, c.Status, firstLine(str(c.Error)))
		}
	}
	return none + " (" + name + " collector did not run)"
}

// firstLine is the first line of a message; the audit's strings are escaped on
// load, so a line break is the two characters "\n" by then.
func firstLine(s string) string {
	if i := strings.Index(s, `\n`); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func systemSection(a *audit.Audit) section {
	h := a.Hardware
	sec := section{key: "1", name: "System"}
	add := func(k string, v string) { sec.kvs = append(sec.kvs, kv{k, v}) }
	if s := h.System; s != nil {
		add("Manufacturer", str(s.Manufacturer))
		add("Product", str(s.ProductName))
		add("Serial number", str(s.SerialNumber))
		add("UUID", str(s.UUID))
		add("SKU", str(s.SKU))
		add("Family", str(s.Family))
	} else {
		add("System", collectorNote(a, "board", "no SMBIOS system record"))
	}
	if b := h.Board; b != nil {
		add("Board", strings.TrimSpace(str(b.Manufacturer)+" "+str(b.ProductName)))
		add("Board serial", str(b.SerialNumber))
		add("Board version", str(b.Version))
	}
	if b := h.BIOS; b != nil {
		add("BIOS", strings.TrimSpace(str(b.Vendor)+" "+str(b.Version)))
		add("BIOS date", str(b.ReleaseDate))
	}
	add("Hostname", str(a.Hostname))
	add("Kernel", str(a.Kernel))
	add("Runtime", a.Runtime)
	add("Audit", fmt.Sprintf("bee %s, %s .. %s", a.BeeVersion, a.StartedAt, a.FinishedAt))
	for _, c := range a.Collectors {
		v := fmt.Sprintf("%-7s %5.1f s", c.Status, float64(c.DurationMS)/1000)
		if c.Error != nil {
			v += "  " + firstLine(*c.Error)
		}
		add("Collector "+c.Name, v)
	}
	return sec
}

func cpuSection(a *audit.Audit) section {
	sec := section{key: "2", name: "CPU", cols: []column{
		{title: "Socket", max: 14}, {title: "Model", min: 16, flex: true},
		{title: "Cores", right: true}, {title: "Threads", right: true},
		{title: "Max MHz", right: true}, {title: "Status", min: 8, max: 24, flex: true},
	}}
	sev := componentSeverity(a)
	pop, cores, threads := 0, 0, 0
	for i, c := range a.Hardware.CPUs {
		model := str(c.Model)
		if !c.Populated {
			model = "(empty socket)"
		} else {
			pop++
			if c.Cores != nil {
				cores += *c.Cores
			}
			if c.Threads != nil {
				threads += *c.Threads
			}
		}
		// "Populated, Enabled": the model column already says populated.
		status := strings.TrimPrefix(str(c.Status), "Populated, ")
		sec.rows = append(sec.rows, []string{orNum(c.Socket, i), model, num(c.Cores), num(c.Threads), num(c.MaxSpeedMHz), status})
		sec.marks = append(sec.marks, sev[fmt.Sprintf("cpu:%s", orNum(c.Socket, i))])
		c := c
		sec.details = append(sec.details, func() []kv { return flatten(c) })
	}
	sec.summary = []string{fmt.Sprintf("%d of %s populated, %s, %s", pop, count(len(a.Hardware.CPUs), "socket"), count(cores, "core"), count(threads, "thread"))}
	if len(a.Hardware.CPUs) == 0 {
		sec.empty = collectorNote(a, "cpu", "No CPU records in SMBIOS")
	}
	return sec
}

func orNum(p *string, i int) string {
	if p == nil {
		return strconv.Itoa(i)
	}
	return *p
}

func memorySection(a *audit.Audit) section {
	sec := section{key: "3", name: "Memory", cols: []column{
		{title: "Slot", min: 8, max: 22, flex: true}, {title: "Size", right: true},
		{title: "Type"}, {title: "MT/s", right: true}, {title: "Conf", right: true},
		{title: "Manufacturer", min: 6, max: 16, flex: true}, {title: "Part number", min: 6, max: 20, flex: true},
		{title: "Serial", min: 6, max: 16, flex: true},
	}}
	m := a.Hardware.Memory
	if m == nil {
		sec.empty = collectorNote(a, "memory", "No memory records in SMBIOS")
		return sec
	}
	line := "DIMM slots unknown (SMBIOS not read)"
	if m.SlotsTotal != nil && m.SlotsPopulated != nil {
		size := "unknown size"
		if m.TotalBytes != nil {
			size = iec(*m.TotalBytes)
		}
		line = fmt.Sprintf("%s in %d of %s", size, *m.SlotsPopulated, count(*m.SlotsTotal, "slot"))
	}
	if m.KernelBytes != nil {
		line += fmt.Sprintf("; kernel sees %s", iec(*m.KernelBytes))
	}
	sec.summary = append(sec.summary, line)
	for _, f := range a.Hardware.Summary.Findings {
		if f.Component == "memory" {
			sec.summary = append(sec.summary, sevTag(f.Severity)+" "+f.Message)
		}
	}
	if e := m.EDAC; e != nil {
		sec.summary = append(sec.summary, fmt.Sprintf("EDAC (%s): %s, %s since boot", count(e.Controllers, "controller"), countAs(int(e.Corrected), "corrected error", "corrected errors"), countAs(int(e.Uncorrected), "uncorrected error", "uncorrected errors")))
	} else {
		sec.summary = append(sec.summary, "EDAC: no driver loaded, memory errors are not counted")
	}
	for _, d := range m.DIMMs {
		slot := str(d.Locator)
		if d.BankLocator != nil && !strings.Contains(slot, *d.BankLocator) && len(*d.BankLocator) <= 8 {
			slot += " " + *d.BankLocator
		}
		if !d.Populated {
			sec.rows = append(sec.rows, []string{slot, "empty"})
		} else {
			size := unknown
			if d.SizeBytes != nil {
				size = iec(*d.SizeBytes)
			}
			sec.rows = append(sec.rows, []string{slot, size, str(d.Type), num(d.SpeedMTs), num(d.ConfiguredSpeedMTs),
				str(d.Manufacturer), str(d.PartNumber), str(d.SerialNumber)})
		}
		sec.marks = append(sec.marks, "")
		d := d
		sec.details = append(sec.details, func() []kv { return flatten(d) })
	}
	if len(m.DIMMs) == 0 {
		sec.empty = "SMBIOS lists no memory slots"
	}
	return sec
}

// smartWord is a disk's health in one word.
func smartWord(s *audit.SMART) string {
	switch {
	case s == nil:
		return "n/a"
	case !s.Available:
		return "unavailable"
	case s.Passed == nil:
		return "unknown"
	case *s.Passed:
		return "PASSED"
	}
	return "FAILED"
}

func storageSection(a *audit.Audit) section {
	sec := section{key: "4", name: "Storage", cols: []column{
		{title: "Disk", max: 12}, {title: "Bus", max: 6}, {title: "Size", right: true},
		{title: "Model", min: 10, flex: true}, {title: "Serial", min: 8, max: 20, flex: true},
		{title: "SMART"}, {title: "Temp", right: true}, {title: "Hours", right: true}, {title: "Used", right: true},
	}}
	fail := componentSeverity(a)
	var total int64
	for _, d := range a.Hardware.Storage {
		size := unknown
		if d.SizeBytes != nil {
			size = si(*d.SizeBytes)
			total += *d.SizeBytes
		}
		temp, hours, used := unknown, unknown, unknown
		if s := d.SMART; s != nil {
			if s.TemperatureC != nil {
				temp = fmt.Sprintf("%dC", *s.TemperatureC)
			}
			hours = num(s.PowerOnHours)
			if s.PercentageUsed != nil {
				used = fmt.Sprintf("%d%%", *s.PercentageUsed)
			}
		}
		bus := str(d.Transport)
		sec.rows = append(sec.rows, []string{d.Name, bus, size, str(d.Model), str(d.SerialNumber), smartWord(d.SMART), temp, hours, used})
		sec.marks = append(sec.marks, fail["storage:"+d.Path])
		d := d
		sec.details = append(sec.details, func() []kv { return flatten(d) })
	}
	sec.summary = []string{fmt.Sprintf("%s, %s in total", count(len(a.Hardware.Storage), "disk"), si(total))}
	if len(a.Hardware.Storage) == 0 {
		sec.empty = collectorNote(a, "storage", "No disks found")
	}
	return sec
}

// componentSeverity maps a finding component ("storage:/dev/sda") to "FAIL" or
// "WARN", the worst of its findings.
func componentSeverity(a *audit.Audit) map[string]string {
	out := map[string]string{}
	for _, f := range a.Hardware.Summary.Findings {
		if f.Severity == audit.SeverityFailure {
			out[f.Component] = "FAIL"
		} else if out[f.Component] == "" {
			out[f.Component] = "WARN"
		}
	}
	return out
}

// linkText is "x16 16GT/s" (current) and its max when different.
func linkText(l *audit.Link) (cur, maxText string) {
	if l == nil {
		return unknown, unknown
	}
	f := func(w *int, s *string) string {
		if w == nil && s == nil {
			return unknown
		}
		x := "x?"
		if w != nil {
			x = "x" + strconv.Itoa(*w)
		}
		return strings.TrimSpace(x + " " + strings.ReplaceAll(str(s), " ", ""))
	}
	return f(l.CurrentWidth, l.CurrentSpeed), f(l.MaxWidth, l.MaxSpeed)
}

func pcieSection(a *audit.Audit) section {
	sec := section{key: "5", name: "PCIe", cols: []column{
		{title: "Address", max: 12}, {title: "Class", min: 8, max: 22, flex: true},
		{title: "Device", min: 14, flex: true}, {title: "Driver", min: 6, max: 12, flex: true},
		{title: "Link now", max: 12}, {title: "Link max", max: 12}, {title: "NUMA", right: true},
	}}
	sev := componentSeverity(a)
	narrow := 0
	for _, d := range a.Hardware.PCIe {
		name := strings.TrimSpace(str(d.Vendor) + " " + str(d.Device))
		if d.Vendor == nil && d.Device == nil {
			name = str(d.VendorID) + ":" + str(d.DeviceID)
		}
		cur, mx := linkText(d.Link)
		mark := sev["pcie:"+d.Address]
		if l := d.Link; l != nil && l.CurrentWidth != nil && l.MaxWidth != nil && *l.CurrentWidth > 0 && *l.CurrentWidth < *l.MaxWidth {
			cur += "!"
			narrow++
		}
		addr := shortPCI(d.Address)
		sec.rows = append(sec.rows, []string{addr, str(d.Class), name, str(d.Driver), cur, mx, num(d.NUMANode)})
		sec.marks = append(sec.marks, mark)
		d := d
		sec.details = append(sec.details, func() []kv { return flatten(d) })
	}
	line := count(len(a.Hardware.PCIe), "PCI function")
	if narrow > 0 {
		line += "; " + count(narrow, "link") + " narrower than capable (marked !)"
	}
	sec.summary = []string{line, "A link slower than max is normal when idle; narrower than max is not."}
	if len(a.Hardware.PCIe) == 0 {
		sec.empty = collectorNote(a, "pcie", "No PCI devices found")
	}
	return sec
}

// shortPCI drops PCI domain 0 from an address ("0000:1a:00.0" or nvidia-smi's
// "00000000:1A:00.0" → "1a:00.0"); other domains are kept.
func shortPCI(a string) string {
	if d, rest, ok := strings.Cut(a, ":"); ok && strings.Trim(d, "0") == "" && strings.Count(rest, ":") == 1 {
		return strings.ToLower(rest)
	}
	return a
}

func psuSection(a *audit.Audit) section {
	sec := section{key: "6", name: "PSU", cols: []column{
		{title: "Name", max: 20}, {title: "Status", max: 20}, {title: "Manufacturer", min: 6, max: 16, flex: true},
		{title: "Model", min: 8, flex: true}, {title: "Serial", min: 8, max: 20, flex: true},
	}}
	sev := componentSeverity(a)
	bad := 0
	for _, p := range a.Hardware.PSUs {
		status := p.Status
		if status == "" {
			status = unknown
		}
		if p.Status != "ok" {
			bad++
		}
		sec.rows = append(sec.rows, []string{p.Name, status, str(p.Manufacturer), str(p.Model), str(p.SerialNumber)})
		sec.marks = append(sec.marks, sev["psu:"+p.Name])
		p := p
		sec.details = append(sec.details, func() []kv { return flatten(p) })
	}
	sec.summary = []string{fmt.Sprintf("%s reported by the BMC, %d not ok", countAs(len(a.Hardware.PSUs), "power supply", "power supplies"), bad)}
	if len(a.Hardware.PSUs) == 0 {
		sec.empty = collectorNote(a, "psu", "No power supply data")
	}
	return sec
}

func gpuSection(a *audit.Audit) section {
	sec := section{key: "7", name: "GPU", cols: []column{
		{title: "#", right: true}, {title: "Name", min: 10, flex: true}, {title: "Bus", max: 12},
		{title: "Serial", min: 8, max: 16, flex: true}, {title: "Temp", right: true},
		{title: "ECC unc", right: true}, {title: "Retired", right: true}, {title: "Remap", max: 8},
	}}
	sev := componentSeverity(a)
	for _, g := range a.Hardware.GPUs {
		temp := unknown
		if g.TemperatureC != nil {
			temp = fmt.Sprintf("%dC", *g.TemperatureC)
		}
		ecc := unknown
		if g.ECCVolatileUncorrected != nil || g.ECCAggregateUncorrected != nil {
			var n int64
			for _, p := range []*int64{g.ECCVolatileUncorrected, g.ECCAggregateUncorrected} {
				if p != nil && *p > n {
					n = *p
				}
			}
			ecc = strconv.FormatInt(n, 10)
		}
		retired := unknown
		if g.RetiredPagesSBE != nil || g.RetiredPagesDBE != nil {
			var n int64
			for _, p := range []*int64{g.RetiredPagesSBE, g.RetiredPagesDBE} {
				if p != nil {
					n += *p
				}
			}
			retired = strconv.FormatInt(n, 10)
		}
		remap := unknown
		switch {
		case g.RemappedRowsFailure != nil && *g.RemappedRowsFailure:
			remap = "FAILED"
		case g.RemappedRowsPending != nil && *g.RemappedRowsPending:
			remap = "pending"
		case g.RemappedRowsFailure != nil:
			remap = "ok"
		}
		bus := shortPCI(str(g.PCIAddress))
		sec.rows = append(sec.rows, []string{strconv.Itoa(g.Index), str(g.Name), bus, str(g.SerialNumber), temp, ecc, retired, remap})
		sec.marks = append(sec.marks, sev[fmt.Sprintf("gpu:%d", g.Index)])
		g := g
		sec.details = append(sec.details, func() []kv { return flatten(g) })
	}
	var drv string
	for _, g := range a.Hardware.GPUs {
		if g.DriverVersion != nil {
			drv = ", driver " + *g.DriverVersion
			break
		}
	}
	sec.summary = []string{fmt.Sprintf("%s seen by nvidia-smi%s", count(len(a.Hardware.GPUs), "NVIDIA GPU"), drv)}
	// GPUs that nvidia-smi does not list are only in the findings: say so here.
	for _, f := range a.Hardware.Summary.Findings {
		switch f.Code {
		case audit.CodeGPUNotVisible:
			sec.summary = append(sec.summary, sevTag(f.Severity)+" "+shortPCI(strings.TrimPrefix(f.Component, "pcie:"))+": on the PCI bus, not seen by nvidia-smi")
		case audit.CodeGPUDriverUnavailable:
			sec.summary = append(sec.summary, sevTag(f.Severity)+" "+f.Message)
		}
	}
	if len(a.Hardware.GPUs) == 0 {
		sec.empty = collectorNote(a, "nvidia", "No NVIDIA GPU seen by nvidia-smi")
	}
	return sec
}

// flatten lists every field of an inventory item by its JSON name, in the
// order of the audit model, so the detail view shows everything the audit
// knows and follows the model as it grows. Null reads as "-".
func flatten(v any) []kv {
	var out []kv
	flattenValue(reflect.ValueOf(v), "", &out)
	return out
}

func flattenValue(v reflect.Value, prefix string, out *[]kv) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			*out = append(*out, kv{prefix, unknown})
			return
		}
		flattenValue(v.Elem(), prefix, out)
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fv := v.Field(i)
			if strings.Contains(opts, "omitempty") && fv.IsZero() {
				continue
			}
			key := name
			if prefix != "" {
				key = prefix + "." + name
			}
			flattenValue(fv, key, out)
		}
	case reflect.Slice, reflect.Array:
		if v.Len() == 0 {
			*out = append(*out, kv{prefix, "(none)"})
			return
		}
		if v.Type().Elem().Kind() == reflect.String {
			parts := make([]string, v.Len())
			for i := range parts {
				parts[i] = v.Index(i).String()
			}
			*out = append(*out, kv{prefix, strings.Join(parts, ", ")})
			return
		}
		for i := 0; i < v.Len(); i++ {
			flattenValue(v.Index(i), fmt.Sprintf("%s[%d]", prefix, i), out)
		}
	case reflect.String:
		s := v.String()
		if s == "" {
			s = unknown
		}
		*out = append(*out, kv{prefix, s})
	case reflect.Int, reflect.Int64:
		n := v.Int()
		s := strconv.FormatInt(n, 10)
		if strings.HasSuffix(prefix, "bytes") && n >= 1000 {
			s += " (" + si(n) + ", " + iec(n) + ")"
		}
		*out = append(*out, kv{prefix, s})
	default:
		*out = append(*out, kv{prefix, fmt.Sprint(v.Interface())})
	}
}
