package ipmitool

import (
	"fmt"
	"strings"
)

// LAN is `ipmitool lan print [CHANNEL]`: the BMC's network configuration.
//
//	IP Address Source       : DHCP Address
//	IP Address              : 10.0.0.12
//	MAC Address             : 3c:ec:ef:01:02:03
type LAN struct {
	// IPAddressSource is the line as printed: "Static Address", "DHCP
	// Address", "BIOS Assigned Address", "Other".
	IPAddressSource string `json:"ip_address_source"`
	// IPSource is IPAddressSource as one word: "static", "dhcp", "bios",
	// "other", or "" when absent or not one of those.
	IPSource   string `json:"ip_source"`
	IPAddress  string `json:"ip_address"`
	SubnetMask string `json:"subnet_mask"`
	// MACAddress is lowercase.
	MACAddress        string `json:"mac_address"`
	DefaultGatewayIP  string `json:"default_gateway_ip"`
	DefaultGatewayMAC string `json:"default_gateway_mac"`
	// VLANID is "" when ipmitool prints "Disabled" or no line.
	VLANID string `json:"vlan_id,omitempty"`
	// Configured is false when the address is 0.0.0.0 or absent (a BMC
	// without a network address; DHCP that got no lease).
	Configured bool `json:"configured"`
	// Fields holds every key as printed; continuation lines (": User :")
	// are appended with "; ".
	Fields map[string]string `json:"fields"`
}

// ParseLAN parses the stdout of `ipmitool lan print`. Input with neither
// an "IP Address" nor a "MAC Address" line is an error.
func ParseLAN(data []byte) (LAN, error) {
	f := fieldMap(parseKV(data))
	ip, hasIP := f["IP Address"]
	mac, hasMAC := f["MAC Address"]
	if !hasIP && !hasMAC {
		return LAN{}, fmt.Errorf("ipmitool: no \"IP Address\" or \"MAC Address\" line (not `ipmitool lan print` output?)")
	}
	l := LAN{
		IPAddressSource:   f["IP Address Source"],
		IPAddress:         ip,
		SubnetMask:        f["Subnet Mask"],
		MACAddress:        strings.ToLower(mac),
		DefaultGatewayIP:  f["Default Gateway IP"],
		DefaultGatewayMAC: strings.ToLower(f["Default Gateway MAC"]),
		Fields:            f,
	}
	switch strings.ToLower(l.IPAddressSource) {
	case "static address", "static":
		l.IPSource = "static"
	case "dhcp address", "dhcp":
		l.IPSource = "dhcp"
	case "bios assigned address":
		l.IPSource = "bios"
	case "other":
		l.IPSource = "other"
	}
	if v := f["802.1q VLAN ID"]; v != "" && !strings.EqualFold(v, "Disabled") {
		l.VLANID = v
	}
	l.Configured = ip != "" && ip != "0.0.0.0"
	return l, nil
}

// NoLANChannel reports whether the output (stdout and stderr) of a failed
// `ipmitool lan print` says that the BMC has no LAN channel where ipmitool
// looked ("Invalid channel: 0" after "Get Channel Info command failed", as
// QEMU's simulated BMC answers): a property of the BMC, not a failed read.
func NoLANChannel(out []byte) bool {
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "Invalid channel") {
			return true
		}
	}
	return false
}
