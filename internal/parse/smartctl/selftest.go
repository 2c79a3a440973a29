package smartctl

import (
	"bytes"
	"encoding/json"
	"strings"
)

// SelfTestsSupported reads ata_smart_data.capabilities.self_tests_supported from
// `smartctl -j` output: whether an ATA drive can run SMART self-tests. nil when the
// output has no ATA SMART data (SCSI, NVMe, older smartctl) or is not JSON.
func SelfTestsSupported(data []byte) *bool {
	var raw struct {
		ATA *struct {
			Capabilities struct {
				SelfTestsSupported *bool `json:"self_tests_supported"`
			} `json:"capabilities"`
		} `json:"ata_smart_data"`
	}
	if json.Unmarshal(data, &raw) != nil || raw.ATA == nil {
		return nil
	}
	return raw.ATA.Capabilities.SelfTestsSupported
}

// SelfTestStart is what `smartctl -t short DEV` (text output) says about the test.
type SelfTestStart int

const (
	// SelfTestStartUnknown: neither started nor refused as unsupported (an error).
	SelfTestStartUnknown SelfTestStart = iota
	// SelfTestStarted: the drive accepted the command and runs the test.
	SelfTestStarted
	// SelfTestNotSupported: the drive cannot run self-tests.
	SelfTestNotSupported
)

// ParseSelfTestStart reads smartctl's answer to -t: ATA prints "Testing has
// begun." and SCSI "Short Background Self Test has begun" (smartmontools'
// ataprint.cpp and scsiprint.cpp); a drive without self-tests gets "not
// supported" or "No self-test supported" wording.
func ParseSelfTestStart(stdout []byte) SelfTestStart {
	low := strings.ToLower(string(stdout))
	switch {
	case bytes.Contains(stdout, []byte("Testing has begun")) || bytes.Contains(stdout, []byte("Self Test has begun")):
		return SelfTestStarted
	case strings.Contains(low, "not supported") || strings.Contains(low, "no self-test supported"):
		return SelfTestNotSupported
	}
	return SelfTestStartUnknown
}
