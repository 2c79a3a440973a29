package ipmitool

import (
	"fmt"
	"strings"
)

// SELInfo is `ipmitool sel info`:
//
//	SEL Information
//	Version          : 1.5 (v1.5, v2 compliant)
//	Entries          : 64
//	Free Space       : 0 bytes
//	Percent Used     : 100%
//	Last Add Time    : 01/01/1970 00:01:37
//	Overflow         : true
type SELInfo struct {
	Version string `json:"version"`
	Entries *int   `json:"entries"`
	// FreeBytes is "Free Space" in bytes; PercentUsed "Percent Used" (nil
	// when ipmitool prints "unknown" or nothing).
	FreeBytes   *int `json:"free_bytes"`
	PercentUsed *int `json:"percent_used"`
	// LastAddTime and LastDelTime are as printed ("Not Available" when
	// the BMC never did).
	LastAddTime string `json:"last_add_time,omitempty"`
	LastDelTime string `json:"last_del_time,omitempty"`
	// Overflow is the BMC's overflow flag: events were dropped because the
	// log was full. nil when the line is missing.
	Overflow *bool `json:"overflow"`
	// Full is Overflow, or 100% used with no free space on a BMC that also
	// reports allocation units (which makes the figures trustworthy:
	// OpenBMC prints "Free Space : 0 bytes", "Percent Used : 100%" for any
	// log, even one with two entries).
	Full bool `json:"full"`
	// Fields holds every key as printed.
	Fields map[string]string `json:"fields"`
}

// ParseSELInfo parses the stdout of `ipmitool sel info`. Input with neither
// an "Entries" nor an "Overflow" line is an error.
func ParseSELInfo(data []byte) (SELInfo, error) {
	f := fieldMap(parseKV(data))
	_, hasEntries := f["Entries"]
	_, hasOverflow := f["Overflow"]
	if !hasEntries && !hasOverflow {
		return SELInfo{}, fmt.Errorf("ipmitool: no \"Entries\" or \"Overflow\" line (not `ipmitool sel info` output?)")
	}
	in := SELInfo{
		Version:     f["Version"],
		Entries:     kvInt(f["Entries"]),
		FreeBytes:   kvInt(f["Free Space"]),
		PercentUsed: kvInt(strings.TrimSuffix(f["Percent Used"], "%")),
		LastAddTime: f["Last Add Time"],
		LastDelTime: f["Last Del Time"],
		Overflow:    kvBool(f["Overflow"]),
		Fields:      f,
	}
	in.Full = in.Overflow != nil && *in.Overflow
	if _, allocInfo := f["# of Alloc Units"]; allocInfo && in.PercentUsed != nil && *in.PercentUsed >= 100 &&
		in.FreeBytes != nil && *in.FreeBytes == 0 {
		in.Full = true
	}
	return in, nil
}
