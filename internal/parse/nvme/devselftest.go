package nvme

import "strings"

// DeviceSelfTestStart is what `nvme device-self-test DEV -s 1` says about the test.
type DeviceSelfTestStart int

const (
	// DeviceSelfTestStartUnknown: neither started nor rejected as unsupported (an error).
	DeviceSelfTestStartUnknown DeviceSelfTestStart = iota
	// DeviceSelfTestStarted: the controller accepted the command.
	DeviceSelfTestStarted
	// DeviceSelfTestNotSupported: the controller rejected the opcode.
	DeviceSelfTestNotSupported
)

// ParseDeviceSelfTestStart reads nvme-cli's answer (stdout and stderr together) and
// exit status: "Short Device self-test started" with exit 0 is a start; the
// controller's status INVALID_OPCODE ("Invalid Command Opcode") means the
// controller has no device self-test.
func ParseDeviceSelfTestStart(out []byte, exitCode int) DeviceSelfTestStart {
	low := strings.ToLower(string(out))
	switch {
	case exitCode == 0 && strings.Contains(string(out), "self-test started"):
		return DeviceSelfTestStarted
	case strings.Contains(low, "invalid command opcode") || strings.Contains(low, "invalid_opcode"):
		return DeviceSelfTestNotSupported
	}
	return DeviceSelfTestStartUnknown
}
