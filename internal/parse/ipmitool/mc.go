package ipmitool

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// MCInfo is `ipmitool mc info` (also printed by `ipmitool bmc info`): the
// BMC's answer to the IPMI Get Device ID command.
//
//	Device ID                 : 32
//	Firmware Revision         : 1.53
//	Manufacturer ID           : 10876
//	Manufacturer Name         : Supermicro
//	Product ID                : 2327 (0x0917)
//	Additional Device Support :
//	    Sensor Device
type MCInfo struct {
	DeviceID       string `json:"device_id"`
	DeviceRevision string `json:"device_revision"`
	// FirmwareRevision is the BMC firmware version as ipmitool decodes it
	// from the two revision bytes ("1.53"); "0.00" is a real value some
	// BMCs report (OpenBMC), not an absence.
	FirmwareRevision string `json:"firmware_revision"`
	IPMIVersion      string `json:"ipmi_version"`
	// ManufacturerID is the IANA enterprise number (10876 = Supermicro).
	ManufacturerID *int `json:"manufacturer_id"`
	// ManufacturerName is the line as printed; Manufacturer is the same
	// name, or "" when ipmitool does not know the number and prints
	// "Unknown (0xA741)".
	ManufacturerName string `json:"manufacturer_name"`
	Manufacturer     string `json:"manufacturer"`
	// ProductID is the decimal of "2327 (0x0917)".
	ProductID *int `json:"product_id"`
	// ProductName is as printed; ipmitool knows few products and mostly
	// prints "Unknown (0x917)".
	ProductName             string   `json:"product_name"`
	DeviceAvailable         *bool    `json:"device_available"`
	ProvidesDeviceSDRs      *bool    `json:"provides_device_sdrs"`
	AdditionalDeviceSupport []string `json:"additional_device_support,omitempty"`
	// AuxFirmwareRevInfo holds the four auxiliary firmware bytes as printed
	// ("0x01"); vendors put build numbers there. nil when absent.
	AuxFirmwareRevInfo []string `json:"aux_firmware_rev_info,omitempty"`
	// Fields holds every key as printed.
	Fields map[string]string `json:"fields"`
}

var (
	unknownNameRe = regexp.MustCompile(`^Unknown \(0x[0-9A-Fa-f]+\)$`)
	kvIntRe       = regexp.MustCompile(`^(\d+)\b`)
)

// ParseMCInfo parses the stdout of `ipmitool mc info` / `ipmitool bmc info`.
// Input with neither a "Firmware Revision" nor a "Manufacturer ID" line is
// an error.
func ParseMCInfo(data []byte) (MCInfo, error) {
	lines := parseKV(data)
	f := fieldMap(lines)
	_, hasFW := f["Firmware Revision"]
	_, hasMfr := f["Manufacturer ID"]
	if !hasFW && !hasMfr {
		return MCInfo{}, fmt.Errorf("ipmitool: no \"Firmware Revision\" or \"Manufacturer ID\" line (not `ipmitool mc info` output?)")
	}
	mc := MCInfo{
		DeviceID:           f["Device ID"],
		DeviceRevision:     f["Device Revision"],
		FirmwareRevision:   f["Firmware Revision"],
		IPMIVersion:        f["IPMI Version"],
		ManufacturerID:     kvInt(f["Manufacturer ID"]),
		ManufacturerName:   f["Manufacturer Name"],
		ProductID:          kvInt(f["Product ID"]),
		ProductName:        f["Product Name"],
		DeviceAvailable:    kvBool(f["Device Available"]),
		ProvidesDeviceSDRs: kvBool(f["Provides Device SDRs"]),
		Fields:             f,
	}
	if !unknownNameRe.MatchString(mc.ManufacturerName) {
		mc.Manufacturer = mc.ManufacturerName
	}
	for _, l := range lines {
		switch l.Key {
		case "Additional Device Support":
			mc.AdditionalDeviceSupport = l.More
		case "Aux Firmware Rev Info":
			mc.AuxFirmwareRevInfo = l.More
		}
	}
	return mc, nil
}

func kvInt(s string) *int {
	m := kvIntRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return nil
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return nil
	}
	return &n
}

func kvBool(s string) *bool {
	var b bool
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "true":
		b = true
	case "no", "false":
	default:
		return nil
	}
	return &b
}
