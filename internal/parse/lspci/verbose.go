package lspci

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// VerboseDevice is the subset of one `lspci -vvv` record that an inventory
// needs: identity, kernel driver, NUMA/IOMMU placement and the PCIe link.
type VerboseDevice struct {
	Address string // "0000:2e:00.0"
	Class   string // "VGA compatible controller"
	ClassID string // "0300" (-nn only)

	// Name is vendor and device as lspci printed them on one line, e.g.
	// "NVIDIA Corporation GA102GL [RTX A6000]". The -vvv layout gives no
	// boundary between the two names; use Parse (-vmm) when they are needed
	// separately.
	Name     string
	VendorID string // "10de" (-nn only)
	DeviceID string // "2230" (-nn only)
	Rev      string // "a1"; "" when not printed
	ProgIf   string // "00"; "" when not printed

	Subsystem string // "NVIDIA Corporation GA102GL [RTX A6000]"
	SVendorID string // (-nn only)
	SDeviceID string // (-nn only)

	PhySlot    string // "Physical Slot:" text, e.g. "0-4"
	NUMANode   *int   // "NUMA node:"; nil when not printed
	IOMMUGroup *int   // "IOMMU group:"; nil when not printed
	Driver     string // "Kernel driver in use:"
	Modules    []string

	LinkCap    *Link // from "LnkCap:" (what the port supports); nil for non-PCIe
	LinkStatus *Link // from "LnkSta:" (what was negotiated); nil for non-PCIe
}

// Link is a PCIe link's speed and width as lspci decodes them.
type Link struct {
	Speed string   // as printed: "16GT/s", "2.5GT/s", "unknown"
	GTs   *float64 // 16, 2.5; nil when the speed is "unknown" or unparsable
	Width *int     // lanes: 16 for "x16"; nil when not printed or unparsable
	// SpeedDowngraded and WidthDowngraded are lspci's own "(downgraded)"
	// markers on LnkSta (pciutils >= 3.6 compares against LnkCap); always
	// false on LnkCap and on older lspci.
	SpeedDowngraded bool
	WidthDowngraded bool
}

var (
	headerRe  = regexp.MustCompile(`^(\S+) ([^:]*?): (.*)$`)
	progIfRe  = regexp.MustCompile(`\s*\(prog-if ([0-9a-fA-F]{2})(?: \[[^\]]*\])?\)$`)
	revRe     = regexp.MustCompile(`\s*\(rev ([0-9a-fA-F]{2})\)$`)
	pairIDRe  = regexp.MustCompile(`^(.*?)\s*\[([0-9a-fA-F]{4}):([0-9a-fA-F]{4})\]$`)
	speedRe   = regexp.MustCompile(`Speed ([^,\s]+)(?: \((ok|downgraded)\))?`)
	widthRe   = regexp.MustCompile(`Width x(\d+)(?: \((ok|downgraded)\))?`)
	gtsRe     = regexp.MustCompile(`^(\d+(?:\.\d+)?)GT/s$`)
	hexDumpRe = regexp.MustCompile(`^[0-9a-fA-F]{2,3}:( [0-9a-fA-F]{2})+\s*$`)
)

// ParseVerbose parses the stdout of `lspci -vvv -D` (also with -nn, -k and
// -x/-xxx/-xxxx hex dumps, which are skipped, and without -D, in which case
// "0000:" is prefixed to the address). A record starts at an unindented line
// "ADDRESS CLASS: NAME"; the indented lines that follow are its details.
//
// Empty or whitespace-only input yields (nil, nil). Input that is not empty but
// contains no device header line is an error.
func ParseVerbose(data []byte) ([]VerboseDevice, error) {
	if isBlank(data) {
		return nil, nil
	}
	text := strings.ReplaceAll(string(data), "\r", "")
	var devs []VerboseDevice
	var cur *VerboseDevice
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			continue
		}
		if line[0] != '\t' && line[0] != ' ' {
			if hexDumpRe.MatchString(line) {
				continue
			}
			d, ok := parseHeader(line)
			if !ok {
				cur = nil // not ours; do not attach its details to the previous device
				continue
			}
			devs = append(devs, d)
			cur = &devs[len(devs)-1]
			continue
		}
		if cur != nil {
			parseDetail(cur, line)
		}
	}
	if len(devs) == 0 {
		return nil, fmt.Errorf("lspci: no device records found (not `lspci -vvv` output?)")
	}
	sort.SliceStable(devs, func(i, j int) bool { return addrLess(devs[i].Address, devs[j].Address) })
	return devs, nil
}

func parseHeader(line string) (VerboseDevice, bool) {
	m := headerRe.FindStringSubmatch(line)
	if m == nil {
		return VerboseDevice{}, false
	}
	addr, err := NormalizeAddress(m[1])
	if err != nil {
		return VerboseDevice{}, false
	}
	d := VerboseDevice{Address: addr}
	d.Class, d.ClassID = cutID(strings.TrimSpace(m[2]))
	rest := strings.TrimSpace(m[3])
	if pm := progIfRe.FindStringSubmatchIndex(rest); pm != nil {
		d.ProgIf = strings.ToLower(rest[pm[2]:pm[3]])
		rest = rest[:pm[0]]
	}
	if rm := revRe.FindStringSubmatchIndex(rest); rm != nil {
		d.Rev = strings.ToLower(rest[rm[2]:rm[3]])
		rest = rest[:rm[0]]
	}
	d.Name, d.VendorID, d.DeviceID = cutPairID(rest)
	return d, true
}

func cutPairID(s string) (name, vendor, device string) {
	s = strings.TrimSpace(s)
	if m := pairIDRe.FindStringSubmatch(s); m != nil {
		return m[1], strings.ToLower(m[2]), strings.ToLower(m[3])
	}
	return s, "", ""
}

func parseDetail(d *VerboseDevice, line string) {
	depth := len(line) - len(strings.TrimLeft(line, "\t"))
	text := strings.TrimSpace(line)
	key, value, ok := strings.Cut(text, ":")
	if !ok {
		return
	}
	value = strings.TrimSpace(value)
	switch {
	case depth == 1 && key == "Subsystem" && d.Subsystem == "" && d.SVendorID == "":
		d.Subsystem, d.SVendorID, d.SDeviceID = cutPairID(value)
	case depth == 1 && key == "Physical Slot" && d.PhySlot == "":
		d.PhySlot = value
	case depth == 1 && key == "NUMA node" && d.NUMANode == nil:
		d.NUMANode = nonNegInt(value)
	case depth == 1 && key == "IOMMU group" && d.IOMMUGroup == nil:
		d.IOMMUGroup = nonNegInt(value)
	case depth == 1 && key == "Kernel driver in use" && d.Driver == "":
		d.Driver = value
	case depth == 1 && key == "Kernel modules" && d.Modules == nil:
		for _, mod := range strings.Split(value, ",") {
			if mod = strings.TrimSpace(mod); mod != "" {
				d.Modules = append(d.Modules, mod)
			}
		}
	case key == "LnkCap" && d.LinkCap == nil:
		d.LinkCap = parseLink(value)
	case key == "LnkSta" && d.LinkStatus == nil:
		d.LinkStatus = parseLink(value)
	}
}

func parseLink(s string) *Link {
	var l Link
	found := false
	if m := speedRe.FindStringSubmatch(s); m != nil {
		found = true
		l.Speed = m[1]
		l.SpeedDowngraded = m[2] == "downgraded"
		if g := gtsRe.FindStringSubmatch(m[1]); g != nil {
			if v, err := strconv.ParseFloat(g[1], 64); err == nil {
				l.GTs = &v
			}
		}
	}
	if m := widthRe.FindStringSubmatch(s); m != nil {
		found = true
		if w, err := strconv.Atoi(m[1]); err == nil {
			l.Width = &w
		}
		l.WidthDowngraded = m[2] == "downgraded"
	}
	if !found {
		return nil
	}
	return &l
}
