// Package lspci parses the text output of pciutils' lspci.
//
// Parse reads the machine-readable `lspci -vmm -D` format (with or without
// -D, -k and -nn). It is a pure function of the command's stdout: it runs
// nothing and reads no files.
package lspci

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Device is one PCI function from `lspci -vmm -D`.
//
// Name fields (Class, Vendor, Device, SVendor, SDevice) are the trimmed text
// lspci printed, with the " [xxxx]" numeric suffix of -nn removed. The *ID
// fields are set only when the numbers were printed (-nn, or -n alone), as
// lowercase hex without "0x". Under -n alone lspci prints numbers instead of
// names, so the name fields are then "". Unknown IDs keep lspci's own
// placeholder text ("Vendor 1234", "Device 1111").
type Device struct {
	Address string // "0000:00:1f.2": domain always present, lowercase
	Class   string // "SATA controller"
	Vendor  string // "Intel Corporation"
	Device  string // "82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode]"
	SVendor string // subsystem vendor; "" when lspci printed none
	SDevice string // subsystem device; "" when lspci printed none
	Rev     string // "02"; "" when lspci omitted it (revision 0)
	ProgIf  string // "01"; "" when omitted
	Driver  string // kernel driver in use (lspci -k); ""
	Module  string // first "Module:" line (lspci -k); ""
	PhySlot string // physical slot label, e.g. "37", "0-4"

	// Modules lists every "Module:" line in order (a device may have several
	// candidate kernel modules, e.g. nouveau, nvidia). Module is Modules[0].
	Modules []string

	ClassID   string // "0106"
	VendorID  string // "8086"
	DeviceID  string // "2922"
	SVendorID string // "1af4"
	SDeviceID string // "1100"

	NUMANode   *int // nil when lspci printed none (it omits -1)
	IOMMUGroup *int // nil when lspci printed none
}

// Parse parses the stdout of `lspci -vmm -D` (also `-vmmk`, `-vmmnn`, `-vmmn`,
// `-vmm` without -D, and the obsolete `-vm` layout whose first "Device:" line
// is the slot). Records are separated by blank lines and consist of
// "Key:<tab>Value" lines; any whitespace after the colon is accepted.
//
// Addresses without a PCI domain ("00:1f.2") get "0000:"; a short domain is
// zero-padded to 4 hex digits. The result is sorted by domain, bus, device and
// function.
//
// Empty or whitespace-only input yields (nil, nil): lspci prints nothing on a
// machine without PCI devices. A record without a "Slot:" line (for example
// `lspci -vvv` output, HTML, or another tool's output) or with an address lspci
// could not have printed is an error; no partial result is returned then.
func Parse(data []byte) ([]Device, error) {
	records := splitRecords(data)
	if len(records) == 0 {
		return nil, nil
	}
	devs := make([]Device, 0, len(records))
	for i, rec := range records {
		d, err := parseRecord(rec)
		if err != nil {
			return nil, fmt.Errorf("lspci: record %d: %w", i+1, err)
		}
		devs = append(devs, d)
	}
	sort.SliceStable(devs, func(i, j int) bool { return addrLess(devs[i].Address, devs[j].Address) })
	return devs, nil
}

type kv struct{ key, value string }

// splitRecords splits the text into blank-line separated groups of non-blank
// lines. Carriage returns are dropped so CRLF captures parse the same.
func splitRecords(data []byte) [][]string {
	text := strings.ReplaceAll(string(data), "\r", "")
	var records [][]string
	var cur []string
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			if len(cur) > 0 {
				records = append(records, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, line)
	}
	if len(cur) > 0 {
		records = append(records, cur)
	}
	return records
}

func parseRecord(lines []string) (Device, error) {
	var pairs []kv
	for _, line := range lines {
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.TrimSpace(key)
		if key == "" || strings.ContainsAny(key, " \t") {
			continue
		}
		pairs = append(pairs, kv{key, strings.TrimSpace(value)})
	}

	var d Device
	slot := ""
	haveSlot := false
	seen := map[string]bool{}
	for i, p := range pairs {
		if p.key == "Slot" && !haveSlot {
			slot, haveSlot = p.value, true
			continue
		}
		// Obsolete `lspci -vm`: the first line is "Device:\t00:1f.2".
		if i == 0 && p.key == "Device" && !haveSlot && slotRe.MatchString(p.value) {
			slot, haveSlot = p.value, true
			continue
		}
		if p.key == "Module" {
			d.Modules = append(d.Modules, p.value)
			continue
		}
		if seen[p.key] {
			continue // first value wins
		}
		seen[p.key] = true
		switch p.key {
		case "Class":
			d.Class = p.value
		case "Vendor":
			d.Vendor = p.value
		case "Device":
			d.Device = p.value
		case "SVendor":
			d.SVendor = p.value
		case "SDevice":
			d.SDevice = p.value
		case "Rev":
			d.Rev = p.value
		case "ProgIf":
			d.ProgIf = p.value
		case "Driver":
			d.Driver = p.value
		case "PhySlot":
			d.PhySlot = p.value
		case "NUMANode":
			d.NUMANode = nonNegInt(p.value)
		case "IOMMUGroup":
			d.IOMMUGroup = nonNegInt(p.value)
		}
	}
	if !haveSlot {
		return Device{}, fmt.Errorf("no \"Slot:\" line (not `lspci -vmm` output?)")
	}
	addr, err := NormalizeAddress(slot)
	if err != nil {
		return Device{}, err
	}
	d.Address = addr
	if len(d.Modules) > 0 {
		d.Module = d.Modules[0]
	}
	splitIDs(&d)
	return d, nil
}

var (
	// slotRe matches what lspci prints for a slot: [domain:]bus:dev.fn.
	slotRe = regexp.MustCompile(`^(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$`)
	// nnRe matches a name followed by lspci -nn's " [xxxx]" ID suffix.
	nnRe  = regexp.MustCompile(`^(.*?)\s*\[([0-9a-fA-F]{4})\]$`)
	hexRe = regexp.MustCompile(`^[0-9a-fA-F]{4}$`)
)

// NormalizeAddress turns an lspci slot ("00:1f.2", "0000:00:1F.2",
// "10000:00:00.0") into the sysfs form "0000:00:1f.2": lowercase, with a
// domain of at least 4 hex digits. It rejects anything else (for example the
// bridge paths of `lspci -P`).
func NormalizeAddress(slot string) (string, error) {
	m := slotRe.FindStringSubmatch(strings.TrimSpace(slot))
	if m == nil {
		return "", fmt.Errorf("malformed PCI address %q", slot)
	}
	domain := strings.ToLower(m[1])
	for len(domain) < 4 {
		domain = "0" + domain
	}
	return domain + ":" + strings.ToLower(m[2]) + ":" + strings.ToLower(m[3]) + "." + m[4], nil
}

// splitIDs fills the *ID fields. -nn is recognised only when Class, Vendor and
// Device all end in a 4-digit " [xxxx]" (lspci -nn always prints all three),
// so a name that merely ends in brackets ("[AHCI mode]", "[Sound Blaster PCI]")
// is never mistaken for an ID. -n alone prints bare 4-digit hex everywhere.
func splitIDs(d *Device) {
	switch {
	case nnRe.MatchString(d.Class) && nnRe.MatchString(d.Vendor) && nnRe.MatchString(d.Device):
		d.Class, d.ClassID = cutID(d.Class)
		d.Vendor, d.VendorID = cutID(d.Vendor)
		d.Device, d.DeviceID = cutID(d.Device)
		d.SVendor, d.SVendorID = cutID(d.SVendor)
		d.SDevice, d.SDeviceID = cutID(d.SDevice)
	case hexRe.MatchString(d.Class) && hexRe.MatchString(d.Vendor) && hexRe.MatchString(d.Device):
		d.ClassID, d.Class = strings.ToLower(d.Class), ""
		d.VendorID, d.Vendor = strings.ToLower(d.Vendor), ""
		d.DeviceID, d.Device = strings.ToLower(d.Device), ""
		if hexRe.MatchString(d.SVendor) && hexRe.MatchString(d.SDevice) {
			d.SVendorID, d.SVendor = strings.ToLower(d.SVendor), ""
			d.SDeviceID, d.SDevice = strings.ToLower(d.SDevice), ""
		}
	}
}

func cutID(s string) (name, id string) {
	m := nnRe.FindStringSubmatch(s)
	if m == nil {
		return s, ""
	}
	return m[1], strings.ToLower(m[2])
}

func nonNegInt(s string) *int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return nil
	}
	return &n
}

// addrLess orders normalized addresses numerically (domain, bus, dev, fn), so
// that a 5-digit domain such as Intel VMD's "10000" sorts after "ffff".
func addrLess(a, b string) bool {
	ka, kb := addrKey(a), addrKey(b)
	for i := range ka {
		if ka[i] != kb[i] {
			return ka[i] < kb[i]
		}
	}
	return a < b
}

func addrKey(a string) [4]uint64 {
	var k [4]uint64
	m := slotRe.FindStringSubmatch(a)
	if m == nil {
		return k
	}
	for i := 0; i < 4; i++ {
		v, _ := strconv.ParseUint(m[i+1], 16, 64)
		k[i] = v
	}
	return k
}
