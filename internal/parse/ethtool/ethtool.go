// Package ethtool parses the text that ethtool(8) prints for one network
// interface. The caller runs the command; these functions only interpret its
// stdout, so they are pure and safe on any input.
//
// Formats accepted:
//
//   - `ethtool -i IFACE` (driver information): "key: value" lines — driver,
//     version, firmware-version, expansion-rom-version, bus-info and the
//     supports-* flags. ParseInfo.
//   - `ethtool IFACE` (link settings): a "Settings for IFACE:" header, then
//     tab-indented "Key: value" lines; a value that does not fit one line
//     (link mode lists, the message-level names) continues on following lines
//     that have no colon. Both the ioctl-era (ethtool 4.x) and netlink-era
//     (5.x, 6.x: "Lanes:", "master-slave cfg:" ...) outputs are read; unknown
//     keys are kept in Settings.Fields. ParseSettings.
//   - `ethtool -P IFACE`: "Permanent address: 00:11:22:33:44:55".
//     ParsePermanentAddress.
//
// Lines ethtool writes to stderr when it lacks privileges ("Cannot get
// wake-on-lan settings: Operation not permitted", "netlink error: ...") may be
// mixed in; they are kept in Fields like any other key and change nothing
// else.
package ethtool

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Info is `ethtool -i IFACE`.
type Info struct {
	Driver string `json:"driver"`
	// Version is the driver version; in-tree drivers print the kernel release
	// ("4.18.0-448.el8.x86_64").
	Version string `json:"version"`
	// FirmwareVersion is free text as the driver reports it
	// ("8.60 0x8000bd5d 1.3140.0", "FFV21.60.16 bc 5720-v1.39"); "" when the
	// driver reports none (ethtool prints "N/A" or nothing).
	FirmwareVersion     string `json:"firmware_version"`
	ExpansionROMVersion string `json:"expansion_rom_version,omitempty"`
	// BusInfo is the bus address as printed: "0000:3b:00.1" for PCI,
	// something else (or "") for virtual and USB devices.
	BusInfo string `json:"bus_info"`
	// PCIAddress is BusInfo when it is a PCI address
	// (domain:bus:device.function, lowercase), else "".
	PCIAddress string `json:"pci_address"`
	// Fields holds every "key: value" line as printed (supports-statistics,
	// supports-test, ...).
	Fields map[string]string `json:"fields"`
}

var pciAddrRe = regexp.MustCompile(`^[0-9a-fA-F]{4,8}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$`)

// ParseInfo parses the stdout of `ethtool -i IFACE`. Input without a
// "driver:" line is an error.
func ParseInfo(data []byte) (Info, error) {
	var info Info
	fields := map[string]string{}
	for _, line := range strings.Split(strings.ReplaceAll(string(data), "\r", ""), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if k == "" || strings.ContainsAny(k, " \t") {
			continue // not an `ethtool -i` key (they are single words)
		}
		v = strings.TrimSpace(v)
		fields[k] = v
	}
	drv, ok := fields["driver"]
	if !ok {
		return Info{}, fmt.Errorf("ethtool: no \"driver:\" line (not `ethtool -i` output?)")
	}
	info.Driver = drv
	info.Version = fields["version"]
	info.FirmwareVersion = noneToEmpty(fields["firmware-version"])
	info.ExpansionROMVersion = noneToEmpty(fields["expansion-rom-version"])
	info.BusInfo = noneToEmpty(fields["bus-info"])
	if pciAddrRe.MatchString(info.BusInfo) {
		info.PCIAddress = strings.ToLower(info.BusInfo)
	}
	info.Fields = fields
	return info, nil
}

func noneToEmpty(s string) string {
	if s == "N/A" || s == "n/a" {
		return ""
	}
	return s
}

// Settings is `ethtool IFACE`.
type Settings struct {
	// Name is the interface from the "Settings for NAME:" header ("" if the
	// header is missing).
	Name string `json:"name"`
	// SupportedPorts lists the "Supported ports: [ TP MII ]" names.
	SupportedPorts []string `json:"supported_ports,omitempty"`
	// SupportedLinkModes and AdvertisedLinkModes are the link modes as
	// printed ("10000baseSR/Full"); nil when ethtool says "Not reported".
	SupportedLinkModes  []string `json:"supported_link_modes,omitempty"`
	AdvertisedLinkModes []string `json:"advertised_link_modes,omitempty"`
	// PartnerLinkModes is "Link partner advertised link modes".
	PartnerLinkModes []string `json:"partner_link_modes,omitempty"`
	// SupportedFECModes and AdvertisedFECModes: "RS", "BASER", "None", ...;
	// nil for "Not reported".
	SupportedFECModes  []string `json:"supported_fec_modes,omitempty"`
	AdvertisedFECModes []string `json:"advertised_fec_modes,omitempty"`
	// Speed is the "Speed:" value as printed ("10000Mb/s", "Unknown!").
	Speed string `json:"speed"`
	// SpeedMbps is the speed in Mb/s, nil when unknown (no link).
	SpeedMbps *int `json:"speed_mbps"`
	// Duplex is "Full", "Half", or "" when ethtool prints "Unknown! (255)".
	Duplex string `json:"duplex"`
	// AutoNegotiation is the "Auto-negotiation: on|off" state; nil when absent.
	AutoNegotiation *bool `json:"auto_negotiation"`
	// Port is the connector ("Twisted Pair", "FIBRE", "Direct Attach Copper").
	Port string `json:"port"`
	// LinkDetected is "Link detected: yes|no"; nil when the line is missing
	// (ethtool prints it only when it could read the link state).
	LinkDetected *bool `json:"link_detected"`
	// MaxSupportedMbps is the fastest supported link mode in Mb/s, 0 when
	// no supported mode names a speed. Compare it with SpeedMbps to see a link
	// running below what the port can do (the link partner, cable or
	// transceiver may be the limit).
	MaxSupportedMbps int `json:"max_supported_mbps"`
	// Fields holds every "Key: value" line, continuation lines joined with
	// single spaces, keyed as printed ("Supported pause frame use").
	Fields map[string]string `json:"fields"`
}

// ParseSettings parses the stdout of `ethtool IFACE`. Input with neither a
// "Settings for" header nor a "Link detected:" or "Speed:" line is an
// error.
func ParseSettings(data []byte) (Settings, error) {
	var s Settings
	fields := map[string]string{}
	lists := map[string][]string{}
	var key string
	for _, line := range strings.Split(strings.ReplaceAll(string(data), "\r", ""), "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			continue
		}
		if name, ok := strings.CutPrefix(trimmed, "Settings for "); ok && strings.HasSuffix(name, ":") {
			s.Name = strings.TrimSuffix(name, ":")
			key = ""
			continue
		}
		k, v, ok := strings.Cut(trimmed, ":")
		if !ok {
			// A continuation of the previous key's value.
			if key != "" {
				lists[key] = append(lists[key], strings.Fields(trimmed)...)
				fields[key] = strings.TrimSpace(fields[key] + " " + strings.Join(strings.Fields(trimmed), " "))
			}
			continue
		}
		key = strings.TrimSpace(k)
		words := strings.Fields(v)
		fields[key] = strings.Join(words, " ")
		lists[key] = words
	}
	_, hasLink := fields["Link detected"]
	_, hasSpeed := fields["Speed"]
	if s.Name == "" && !hasLink && !hasSpeed {
		return Settings{}, fmt.Errorf("ethtool: no \"Settings for\" header, \"Speed:\" or \"Link detected:\" line (not `ethtool IFACE` output?)")
	}
	s.Fields = fields
	s.SupportedPorts = ports(fields["Supported ports"])
	s.SupportedLinkModes = modes(lists["Supported link modes"])
	s.AdvertisedLinkModes = modes(lists["Advertised link modes"])
	s.PartnerLinkModes = modes(lists["Link partner advertised link modes"])
	s.SupportedFECModes = modes(lists["Supported FEC modes"])
	s.AdvertisedFECModes = modes(lists["Advertised FEC modes"])
	s.Speed = fields["Speed"]
	s.SpeedMbps = ParseSpeed(s.Speed)
	switch d := fields["Duplex"]; d {
	case "Full", "Half":
		s.Duplex = d
	}
	s.AutoNegotiation = onOff(fields["Auto-negotiation"])
	s.Port = fields["Port"]
	s.LinkDetected = onOff(fields["Link detected"])
	s.MaxSupportedMbps = MaxLinkModeMbps(s.SupportedLinkModes)
	return s, nil
}

func ports(v string) []string {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "["), "]"))
	if v == "" {
		return nil
	}
	return strings.Fields(v)
}

// modes drops ethtool's "Not reported" placeholder.
func modes(words []string) []string {
	if len(words) == 0 || strings.Join(words, " ") == "Not reported" {
		return nil
	}
	return append([]string(nil), words...)
}

func onOff(v string) *bool {
	var b bool
	switch v {
	case "yes", "on":
		b = true
	case "no", "off":
		b = false
	default:
		return nil
	}
	return &b
}

var speedRe = regexp.MustCompile(`^(\d+)\s*Mb/s$`)

// ParseSpeed converts ethtool's "Speed:" value ("10000Mb/s") to Mb/s; nil for
// "Unknown!", "Unknown! (65535)" or anything else.
func ParseSpeed(v string) *int {
	m := speedRe.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return nil
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n <= 0 {
		return nil
	}
	return &n
}

var linkModeRe = regexp.MustCompile(`^(\d+)base`)

// LinkModeMbps returns the speed a link mode name starts with, in Mb/s:
// "10000baseSR/Full" -> 10000, "400000baseCR8/Full" -> 400000,
// "2500baseX/Full" -> 2500; 0 for anything else.
func LinkModeMbps(mode string) int {
	m := linkModeRe.FindStringSubmatch(mode)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// MaxLinkModeMbps is the largest LinkModeMbps of modes (0 if none).
func MaxLinkModeMbps(modes []string) int {
	best := 0
	for _, m := range modes {
		if v := LinkModeMbps(m); v > best {
			best = v
		}
	}
	return best
}

var macRe = regexp.MustCompile(`^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5,19}$`)

// ParsePermanentAddress parses `ethtool -P IFACE` ("Permanent address:
// 00:15:17:8f:48:32") and returns the address in lowercase. An all-zero
// address (drivers without a permanent address print 00:00:00:00:00:00) is
// returned as "" with no error; anything else is an error.
func ParsePermanentAddress(data []byte) (string, error) {
	for _, line := range strings.Split(string(data), "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "Permanent address:")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if !macRe.MatchString(v) {
			return "", fmt.Errorf("ethtool: permanent address %q is not a hardware address", v)
		}
		if strings.Trim(v, "0:") == "" {
			return "", nil
		}
		return strings.ToLower(v), nil
	}
	return "", fmt.Errorf("ethtool: no \"Permanent address:\" line (not `ethtool -P` output?)")
}
