// Package nvidiasmi parses the output of NVIDIA's nvidia-smi tool: the XML report of
// `nvidia-smi -q -x` (nv_smi_log DTD versions 10 to 13 and their renamed elements) and
// the messages nvidia-smi prints when it cannot talk to the driver.
//
// The parsers are pure: they take the captured bytes and never run the tool.
package nvidiasmi

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Log is the whole `nvidia-smi -q -x` report.
type Log struct {
	DriverVersion string // driver_version, e.g. "535.54.03" (kmd_version where it is absent)
	CUDAVersion   string // cuda_version, raw (older drivers print "Not Found"; cuda_umd_version where absent)
	AttachedGPUs  *int   // attached_gpus as reported; may differ from len(GPUs)
	GPUs          []GPU  // in file order
}

// GPU is one <gpu> element of the report. Strings are trimmed raw values ("N/A" stays
// "N/A", "" means the element is absent); numbers and flags are nil when the element is
// absent or holds no number ("N/A", "[Not Supported]", "Requested functionality has been
// deprecated", ...).
type GPU struct {
	Index int // position of the <gpu> element in the file, from 0

	PCIBusID        string // lower case, 4-digit domain: "0000:17:00.0"
	ProductName     string
	ProductBrand    string
	Architecture    string // product_architecture (v11+)
	SerialNumber    string
	UUID            string
	VBIOSVersion    string
	BoardPartNumber string // board_part_number; gpu_part_number on schemas without it
	ModuleID        string // gpu_module_id (v11/v12) or platformInfo/module_id (v13)

	MemoryTotalBytes *int64 // fb_memory_usage/total

	PersistenceMode string // "Enabled", "Disabled", "N/A"
	MIGMode         string // mig_mode/current_mig; "" before MIG existed

	TemperatureC *int
	PowerDrawW   *float64 // power_draw, else average_power_draw, else instant_power_draw
	PowerLimitW  *float64 // current_power_limit, else enforced_power_limit, else power_limit

	PCIeGenCurrent   *int
	PCIeGenMax       *int
	LinkWidthCurrent *int
	LinkWidthMax     *int

	ECCMode                 string // ecc_mode/current_ecc
	ECCVolatileCorrected    *int64
	ECCVolatileUncorrected  *int64
	ECCAggregateCorrected   *int64
	ECCAggregateUncorrected *int64

	RetiredPagesSBE     *int64 // multiple_single_bit_retirement/retired_count
	RetiredPagesDBE     *int64 // double_bit_retirement/retired_count
	RetiredPagesPending *bool  // pending_retirement or (older) pending_blacklist

	RemappedRowsCorrectable   *int64
	RemappedRowsUncorrectable *int64
	RemappedRowsPending       *bool
	RemappedRowsFailure       *bool

	// ClockEventReasons holds every clocks_event_reason_* (clocks_throttle_reason_* on
	// older drivers) with the prefix removed: "hw_slowdown" -> true when "Active", false
	// when "Not Active". Reasons with any other value ("N/A") are left out; nil when none.
	ClockEventReasons    map[string]bool
	HWSlowdown           *bool
	HWThermalSlowdown    *bool
	HWPowerBrakeSlowdown *bool
	SWThermalSlowdown    *bool

	FanSpeedPercent   *int
	GPURecoveryAction string // gpu_recovery_action (driver 550+): "None", "GPU Reset", ...
}

// node is a generic XML element: the report's schema changes between drivers, so it is
// walked by name rather than decoded into fixed structs.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []node     `xml:",any"`
}

// child returns the first descendant along path, or nil.
func (n *node) child(path ...string) *node {
	cur := n
	for _, name := range path {
		if cur == nil {
			return nil
		}
		var next *node
		for i := range cur.Nodes {
			if cur.Nodes[i].XMLName.Local == name {
				next = &cur.Nodes[i]
				break
			}
		}
		cur = next
	}
	return cur
}

// str returns the trimmed text of the descendant along path, "" when absent.
func (n *node) str(path ...string) string {
	c := n.child(path...)
	if c == nil {
		return ""
	}
	return strings.TrimSpace(c.Text)
}

func (n *node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// ParseXML parses the output of `nvidia-smi -q -x`.
//
// All nv_smi_log DTD versions seen in the field are handled (v10 to v13): renamed elements
// (clocks_throttle_reasons -> clocks_event_reasons, power_readings -> gpu_power_readings,
// power_draw -> average/instant_power_draw, gpu_module_id -> platformInfo/module_id, the
// per-location ECC counters -> sram/dram counters) are all looked for, and unknown
// elements are ignored. The DOCTYPE line is accepted.
//
// When the input is one of nvidia-smi's failure messages instead of XML, the error wraps
// the matching sentinel (ErrDriverNotLoaded, ErrNoDevices, ...; see ParseError). Any other
// input that is not a well-formed nvidia_smi_log document (empty, truncated, HTML, another
// tool's output) gives an error and a nil Log. A report without <gpu> elements gives a
// Log with no GPUs and no error. Text before the document (stderr lines such as "Unable to
// determine the device handle for GPU...", captured together with stdout) is skipped;
// run ParseError on the same bytes to see it. Bytes that XML does not allow inside an
// otherwise well-formed report (invalid UTF-8, control characters, a bare '&') are
// replaced with U+FFFD ("&amp;" for '&') rather than failing the whole report; a report
// that is broken in its structure (truncated, mismatched tags) is still an error. A note
// that newer drivers append to a version ("610.43.02 [Deprecated; ...]") is dropped.
func ParseXML(data []byte) (*Log, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("nvidia-smi: empty input")
	}
	if !bytes.Contains(data, []byte("<nvidia_smi_log")) {
		if err := ParseError(data); err != nil {
			return nil, err
		}
	}
	root, err := decodeXML(data)
	if err != nil {
		// nvidia-smi has been seen to print bytes that are not XML inside an otherwise
		// sound report (arbitrary bytes in <process_name> when run concurrently, control
		// characters, a bare '&'). Such characters are replaced and the document is
		// decoded again, still strictly: a report that is malformed in its structure
		// (truncated, mismatched tags) stays an error rather than being half-read.
		if fixed, changed := sanitizeXML(data); changed {
			if r, err2 := decodeXML(fixed); err2 == nil {
				root, err = r, nil
			}
		}
	}
	if err != nil {
		if perr := ParseError(data); perr != nil {
			return nil, perr
		}
		return nil, fmt.Errorf("nvidia-smi: invalid XML: %w", err)
	}
	if root.XMLName.Local != "nvidia_smi_log" {
		return nil, fmt.Errorf("nvidia-smi: root element is <%s>, want <nvidia_smi_log>", root.XMLName.Local)
	}
	out := &Log{
		DriverVersion: versionValue(root.str("driver_version"), root.str("kmd_version")),
		CUDAVersion:   versionValue(root.str("cuda_version"), root.str("cuda_umd_version")),
		AttachedGPUs:  parseInt(root.str("attached_gpus")),
	}
	for i := range root.Nodes {
		g := &root.Nodes[i]
		if g.XMLName.Local != "gpu" {
			continue
		}
		out.GPUs = append(out.GPUs, parseGPU(g, len(out.GPUs)))
	}
	return out, nil
}

func parseGPU(g *node, index int) GPU {
	gpu := GPU{
		Index:             index,
		ProductName:       g.str("product_name"),
		ProductBrand:      g.str("product_brand"),
		Architecture:      g.str("product_architecture"),
		SerialNumber:      g.str("serial"),
		UUID:              g.str("uuid"),
		VBIOSVersion:      g.str("vbios_version"),
		PersistenceMode:   g.str("persistence_mode"),
		MIGMode:           g.str("mig_mode", "current_mig"),
		ECCMode:           g.str("ecc_mode", "current_ecc"),
		GPURecoveryAction: g.str("gpu_recovery_action"),
		TemperatureC:      parseInt(g.str("temperature", "gpu_temp")),
		FanSpeedPercent:   parseInt(g.str("fan_speed")),
	}

	busID := g.str("pci", "pci_bus_id")
	if busID == "" {
		busID = g.attr("id")
	}
	gpu.PCIBusID = normalizeBusID(busID)

	// Before board_part_number existed (v12), gpu_part_number carried the board's
	// part number (692-..., 900-...); from v12 on it is the GPU chip's (20B2-895-A1).
	if g.child("board_part_number") != nil {
		gpu.BoardPartNumber = g.str("board_part_number")
	} else {
		gpu.BoardPartNumber = g.str("gpu_part_number")
	}
	if g.child("gpu_module_id") != nil {
		gpu.ModuleID = g.str("gpu_module_id")
	} else {
		gpu.ModuleID = g.str("platformInfo", "module_id")
	}

	mem := g.child("fb_memory_usage")
	if mem == nil {
		mem = g.child("memory_usage") // schemas before v4
	}
	if mem != nil {
		gpu.MemoryTotalBytes = parseBytes(mem.str("total"))
	}

	gpu.PowerDrawW = firstFloat(g, []string{"gpu_power_readings", "power_readings"},
		[]string{"power_draw", "average_power_draw", "instant_power_draw"})
	gpu.PowerLimitW = firstFloat(g, []string{"gpu_power_readings", "power_readings"},
		[]string{"current_power_limit", "enforced_power_limit", "power_limit"})

	link := g.child("pci", "pci_gpu_link_info")
	if link != nil {
		gpu.PCIeGenCurrent = parseInt(link.str("pcie_gen", "current_link_gen"))
		gpu.PCIeGenMax = parseInt(link.str("pcie_gen", "max_link_gen"))
		gpu.LinkWidthCurrent = parseInt(link.str("link_widths", "current_link_width"))
		gpu.LinkWidthMax = parseInt(link.str("link_widths", "max_link_width"))
	}

	if ecc := g.child("ecc_errors"); ecc != nil {
		gpu.ECCVolatileCorrected, gpu.ECCVolatileUncorrected = eccCounts(ecc.child("volatile"))
		gpu.ECCAggregateCorrected, gpu.ECCAggregateUncorrected = eccCounts(ecc.child("aggregate"))
	}

	if rp := g.child("retired_pages"); rp != nil {
		gpu.RetiredPagesSBE = retiredCount(rp.child("multiple_single_bit_retirement"))
		gpu.RetiredPagesDBE = retiredCount(rp.child("double_bit_retirement"))
		gpu.RetiredPagesPending = anyYes(rp.str("pending_retirement"), rp.str("pending_blacklist"))
	}

	if rr := g.child("remapped_rows"); rr != nil {
		gpu.RemappedRowsCorrectable = parseInt64(rr.str("remapped_row_corr"))
		gpu.RemappedRowsUncorrectable = parseInt64(rr.str("remapped_row_unc"))
		gpu.RemappedRowsPending = parseYesNo(rr.str("remapped_row_pending"))
		gpu.RemappedRowsFailure = parseYesNo(rr.str("remapped_row_failure"))
	}

	gpu.ClockEventReasons = clockReasons(g)
	if gpu.ClockEventReasons != nil {
		gpu.HWSlowdown = lookup(gpu.ClockEventReasons, "hw_slowdown")
		gpu.HWThermalSlowdown = lookup(gpu.ClockEventReasons, "hw_thermal_slowdown")
		gpu.HWPowerBrakeSlowdown = lookup(gpu.ClockEventReasons, "hw_power_brake_slowdown")
		gpu.SWThermalSlowdown = lookup(gpu.ClockEventReasons, "sw_thermal_slowdown")
	}
	return gpu
}

// firstFloat returns the first parseable number among fields, looking in each container in
// turn. A field is looked for among the container's children first and then deeper, so
// that layouts which group the limits in a sub-element (driver 610's -q report prints
// "GPU Ceiling Power Limit / Current Power Limit") are read as well.
func firstFloat(g *node, containers, fields []string) *float64 {
	for _, c := range containers {
		cn := g.child(c)
		if cn == nil {
			continue
		}
		for _, f := range fields {
			if v := parseFloat(cn.str(f)); v != nil {
				return v
			}
		}
		for _, f := range fields {
			if d := cn.descendant(f); d != nil {
				if v := parseFloat(d.Text); v != nil {
					return v
				}
			}
		}
	}
	return nil
}

// descendant returns the first element named name below n, breadth first, or nil.
func (n *node) descendant(name string) *node {
	queue := []*node{n}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for i := range cur.Nodes {
			c := &cur.Nodes[i]
			if c.XMLName.Local == name && cur != n {
				return c
			}
			queue = append(queue, c)
		}
	}
	return nil
}

// eccCounts sums one <volatile> or <aggregate> block into corrected and uncorrected
// counts. Schemas up to v10/v11 on older GPUs split it into <single_bit> (corrected) and
// <double_bit> (uncorrected), each with per-location counters and a <total>; newer ones
// list sram_correctable, sram_uncorrectable (or, in v13, sram_uncorrectable_parity and
// sram_uncorrectable_secded), dram_correctable and dram_uncorrectable. Counters that are
// not numbers ("N/A") are skipped; nil when none is a number.
func eccCounts(n *node) (corrected, uncorrected *int64) {
	if n == nil {
		return nil, nil
	}
	sb, db := n.child("single_bit"), n.child("double_bit")
	if sb != nil || db != nil {
		return bitTotal(sb), bitTotal(db)
	}
	var corr, unc []string
	for i := range n.Nodes {
		c := &n.Nodes[i]
		name := c.XMLName.Local
		switch {
		case strings.HasSuffix(name, "_uncorrectable"):
			unc = append(unc, c.Text)
		case strings.Contains(name, "_uncorrectable_"):
			// A breakdown such as sram_uncorrectable_parity: counted only when the
			// plain counter (sram_uncorrectable) is absent or not a number, so that
			// nothing is counted twice.
			base := name[:strings.Index(name, "_uncorrectable_")] + "_uncorrectable"
			if parent := n.child(base); parent == nil || parseInt64(parent.Text) == nil {
				unc = append(unc, c.Text)
			}
		case strings.HasSuffix(name, "_correctable"):
			corr = append(corr, c.Text)
		}
	}
	return sum(corr), sum(unc)
}

// bitTotal returns <total> when it is a number, else the sum of the per-location counters.
func bitTotal(n *node) *int64 {
	if n == nil {
		return nil
	}
	if t := parseInt64(n.str("total")); t != nil {
		return t
	}
	var vals []string
	for i := range n.Nodes {
		if n.Nodes[i].XMLName.Local != "total" {
			vals = append(vals, n.Nodes[i].Text)
		}
	}
	return sum(vals)
}

func sum(vals []string) *int64 {
	var total int64
	found := false
	for _, v := range vals {
		if p := parseInt64(v); p != nil {
			if *p > 0 && total > (1<<63-1)-*p {
				return nil // overflow: the data is not sane
			}
			total += *p
			found = true
		}
	}
	if !found {
		return nil
	}
	return &total
}

// retiredCount reads <retired_count>; without one, the <retired_page> entries of
// <retired_pagelist> are counted.
func retiredCount(n *node) *int64 {
	if n == nil {
		return nil
	}
	if n.child("retired_count") != nil {
		return parseInt64(n.str("retired_count"))
	}
	list := n.child("retired_pagelist")
	if list == nil {
		return nil
	}
	var count int64
	for i := range list.Nodes {
		if list.Nodes[i].XMLName.Local == "retired_page" {
			count++
		}
	}
	if count == 0 && strings.TrimSpace(list.Text) != "" {
		return nil // "N/A" instead of a list: unknown
	}
	return &count
}

// clockReasons collects the reasons of <clocks_event_reasons> and of the older
// <clocks_throttle_reasons>.
func clockReasons(g *node) map[string]bool {
	var m map[string]bool
	for i := range g.Nodes {
		c := &g.Nodes[i]
		name := c.XMLName.Local
		if name != "clocks_event_reasons" && name != "clocks_throttle_reasons" {
			continue
		}
		for j := range c.Nodes {
			key := c.Nodes[j].XMLName.Local
			key = strings.TrimPrefix(key, "clocks_event_reason_")
			key = strings.TrimPrefix(key, "clocks_throttle_reason_")
			var active bool
			switch strings.TrimSpace(c.Nodes[j].Text) {
			case "Active":
				active = true
			case "Not Active":
				active = false
			default:
				continue
			}
			if m == nil {
				m = make(map[string]bool)
			}
			m[key] = active
		}
	}
	return m
}

func lookup(m map[string]bool, key string) *bool {
	v, ok := m[key]
	if !ok {
		return nil
	}
	return &v
}

// anyYes combines flags that say the same thing under different names: true when one is
// "Yes", false when none is and one is "No", nil otherwise.
func anyYes(vals ...string) *bool {
	var res *bool
	for _, v := range vals {
		b := parseYesNo(v)
		if b == nil {
			continue
		}
		if *b {
			return b
		}
		res = b
	}
	return res
}

// charsetReader lets documents that declare a single-byte encoding through: ASCII as is,
// ISO-8859-1/Windows-1252 mapped byte for byte to Unicode.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252":
		data, err := io.ReadAll(input)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, len(data))
		for _, b := range data {
			out = utf8.AppendRune(out, rune(b))
		}
		return bytes.NewReader(out), nil
	}
	return nil, fmt.Errorf("unsupported charset %q", charset)
}

// decodeXML decodes the first element of data, strictly.
func decodeXML(data []byte) (node, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charsetReader
	var root node
	err := d.Decode(&root)
	return root, err
}

// sanitizeXML replaces what no XML document may contain with U+FFFD: bytes that are not
// UTF-8 and the control characters XML 1.0 forbids. A '&' that does not start an entity
// or character reference becomes "&amp;". changed reports whether anything was replaced.
func sanitizeXML(data []byte) (out []byte, changed bool) {
	out = make([]byte, 0, len(data)+16)
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1,
			r < 0x20 && r != '\t' && r != '\n' && r != '\r',
			r == 0xFFFE || r == 0xFFFF:
			out = utf8.AppendRune(out, utf8.RuneError)
			changed = true
		case r == '&' && !isReference(data[i:]):
			out = append(out, "&amp;"...)
			changed = true
		default:
			out = append(out, data[i:i+size]...)
		}
		i += size
	}
	return out, changed
}

// isReference reports whether s (which starts with '&') starts with an entity or a
// character reference: "&name;", "&#123;" or "&#x1F;".
func isReference(s []byte) bool {
	for j := 1; j < len(s) && j < 40; j++ {
		c := s[j]
		switch {
		case c == ';':
			return j > 1
		case c == '#' && j == 1,
			c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '_', c == '-', c == '.':
		default:
			return false
		}
	}
	return false
}

// versionValue returns a version element's value without the note newer drivers append
// ("610.43.02 [Deprecated; will be removed in CUDA 14.0. Use KMD Version instead]" ->
// "610.43.02"); when the element is absent or empty, the value of its replacement
// (kmd_version, cuda_umd_version) is used.
func versionValue(v, replacement string) string {
	if i := strings.Index(v, " ["); i > 0 && strings.HasSuffix(v, "]") {
		v = strings.TrimSpace(v[:i])
	}
	if v == "" {
		return replacement
	}
	return v
}
