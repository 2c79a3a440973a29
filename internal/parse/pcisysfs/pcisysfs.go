// Package pcisysfs parses the contents of attribute files under
// /sys/bus/pci/devices/<address>/. The caller reads the files; these helpers
// only interpret the text, so they are pure and safe on any input.
//
// Formats follow the kernel's show functions: drivers/pci/pci-sysfs.c
// (vendor, device, class, current/max link speed and width), drivers/base
// (numa_node) and drivers/pci/pcie/aer.c (aer_dev_*).
package pcisysfs

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

var hexRe = regexp.MustCompile(`^0[xX]([0-9a-fA-F]+)$`)

// ParseHex parses a 0x-prefixed hex attribute such as the contents of
// /sys/bus/pci/devices/<addr>/vendor, device, subsystem_vendor,
// subsystem_device or revision (kernel format "0x%04x\n" / "0x%02x\n") and
// returns the digits in lowercase without the prefix: "0x10DE\n" -> "10de".
// Anything else, including an empty file or digits without "0x", is an error.
func ParseHex(s string) (string, error) {
	m := hexRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", fmt.Errorf("pcisysfs: not a 0x-prefixed hex value: %q", truncate(s))
	}
	return strings.ToLower(m[1]), nil
}

// ParseClass parses /sys/bus/pci/devices/<addr>/class (kernel format
// "0x%06x\n": base class, subclass, programming interface) and returns the six
// lowercase hex digits, e.g. "0x030200\n" -> "030200".
func ParseClass(s string) (string, error) {
	h, err := ParseHex(s)
	if err != nil {
		return "", fmt.Errorf("pcisysfs: class: %w", err)
	}
	if len(h) > 6 {
		return "", fmt.Errorf("pcisysfs: class %q has more than 6 hex digits", truncate(s))
	}
	return strings.Repeat("0", 6-len(h)) + h, nil
}

var speedRe = regexp.MustCompile(`^(\d+(?:\.\d+)?) ?GT/s(?: PCIe)?$`)

// ParseLinkSpeed parses /sys/bus/pci/devices/<addr>/current_link_speed or
// max_link_speed.
//
// Current kernels print pci_speed_string() (drivers/pci/probe.c): "2.5 GT/s PCIe",
// "5.0 GT/s PCIe", "8.0 GT/s PCIe", "16.0 GT/s PCIe", "32.0 GT/s PCIe",
// "64.0 GT/s PCIe", or "Unknown". Older kernels (4.x pci-sysfs.c) printed
// "2.5 GT/s", "5 GT/s", "8 GT/s", "16 GT/s" or "Unknown speed". PCIe speeds are normalized to one
// decimal and " GT/s" ("5 GT/s" -> "5.0 GT/s", 5.0). "Unknown", "Unknown
// speed" and empty input give ("", nil). Conventional-PCI strings the kernel
// may also print ("33 MHz PCI", "133 MHz PCI-X 266", "8x AGP") are returned
// trimmed with a nil GT/s value; anything else gives ("", nil).
func ParseLinkSpeed(s string) (normalized string, gts *float64) {
	s = strings.TrimSpace(s)
	if m := speedRe.FindStringSubmatch(s); m != nil {
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil || v <= 0 || math.IsInf(v, 0) {
			return "", nil
		}
		return strconv.FormatFloat(v, 'f', 1, 64) + " GT/s", &v
	}
	if strings.Contains(s, "MHz PCI") || strings.HasSuffix(s, " AGP") {
		return s, nil
	}
	return "", nil
}

// ParseLinkWidth parses /sys/bus/pci/devices/<addr>/current_link_width or
// max_link_width (kernel format "%u\n") into a lane count.
//
// What the kernel prints when the width is not known:
//   - max_link_width is "255" when the device has no readable Link
//     Capabilities register (pcie_get_width_cap returns
//     PCIE_LNK_WIDTH_UNKNOWN = 0xff); 255 gives nil.
//   - current_link_width is the Negotiated Link Width field of Link Status.
//     It reads "0" when the link is down or not trained (e.g. an empty hot-plug
//     slot's root port, or virtual/integrated devices). 0 is returned as a real
//     value, &0: "no lanes up" is what the register says, and it is exactly
//     what a degraded-link check must see.
//   - A device that fell off the bus reads all-ones config space, which the
//     6-bit field turns into 63. PCIe defines at most x32, so any value above
//     32 gives nil.
//
// Non-numeric input gives nil.
func ParseLinkWidth(s string) *int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 32 {
		return nil
	}
	return &n
}

// ParseNUMANode parses /sys/bus/pci/devices/<addr>/numa_node (kernel format
// "%d\n"). The kernel prints "-1" (NUMA_NO_NODE) when the firmware gave the
// device no node, which is unknown: nil. Non-numeric input also gives nil.
func ParseNUMANode(s string) *int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return nil
	}
	return &n
}

// ParseAER parses /sys/bus/pci/devices/<addr>/aer_dev_correctable,
// aer_dev_fatal or aer_dev_nonfatal: one "<name> <count>" line per error
// type followed by "TOTAL_ERR_COR <n>", "TOTAL_ERR_FATAL <n>" or
// "TOTAL_ERR_NONFATAL <n>".
//
// The name is everything before the last space-separated field, so both the
// current short names ("RxErr 0", "dev_cor_errs_bit[16] 3") and the names with
// spaces printed by 4.19-5.x kernels ("Receiver Error 2", "RELAY_NUM Rollover
// 0") are kept as printed. Blank lines are skipped.
//
// An empty file (or only whitespace) gives an empty map and no error. A line
// without a count, a count that is not a non-negative integer, a count above
// the int64 range, or a name that repeats is an error, and no map is
// returned: a half-read AER file must not look like a clean device.
func ParseAER(data []byte) (map[string]int64, error) {
	out := map[string]int64{}
	text := strings.ReplaceAll(string(data), "\r", "")
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		sep := strings.LastIndexAny(line, " \t")
		if sep < 0 {
			return nil, fmt.Errorf("pcisysfs: aer line %d: no count in %q", i+1, truncate(line))
		}
		name := strings.TrimSpace(line[:sep])
		count, err := strconv.ParseUint(line[sep+1:], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("pcisysfs: aer line %d: bad count in %q", i+1, truncate(line))
		}
		if count > math.MaxInt64 {
			return nil, fmt.Errorf("pcisysfs: aer line %d: count out of range in %q", i+1, truncate(line))
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("pcisysfs: aer line %d: %q repeats", i+1, truncate(name))
		}
		out[name] = int64(count)
	}
	return out, nil
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
