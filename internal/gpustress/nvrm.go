package gpustress

import (
	"regexp"
	"strings"
)

// DriverVersionFile is where the loaded NVIDIA kernel module states its version.
const DriverVersionFile = "/proc/driver/nvidia/version"

var reDriverVersion = regexp.MustCompile(`^\d+\.\d+(\.\d+)?$`)

// ParseDriverVersion returns the driver version from the contents of
// /proc/driver/nvidia/version, whose first line is, for the proprietary and the
// open kernel modules,
//
//	NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024
//	NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  535.113.01  Release Build  (dvs-builder@U16-T02-35-3)  ...
//
// It is the first dotted number after "Kernel Module"; "" when there is none.
func ParseDriverVersion(data []byte) string {
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "NVRM version:") {
			continue
		}
		_, rest, ok := strings.Cut(line, "Kernel Module")
		if !ok {
			return ""
		}
		for _, f := range strings.Fields(rest) {
			if reDriverVersion.MatchString(f) {
				return f
			}
		}
		return ""
	}
	return ""
}
