// Package meminfo parses /proc/meminfo (proc(5)): one "Name:   value [kB]" line per
// counter. bee reads MemTotal for the audit's memory.kernel_bytes and MemAvailable
// for the size of `bee sat memory`'s test (docs/sat.md).
package meminfo

import (
	"strconv"
	"strings"
)

// Value returns the counter named key in bytes: the number times 1024 when its unit is
// "kB" (every size counter of Linux), the bare number otherwise (HugePages_Total is a
// count). nil when the line is absent or its value is not a non-negative integer.
func Value(data []byte, key string) *int64 {
	for _, line := range strings.Split(string(data), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || name != key {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return nil
		}
		v, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || v < 0 {
			return nil
		}
		if len(f) > 1 && f[1] == "kB" {
			if v > (1<<63-1)/1024 {
				return nil
			}
			v *= 1024
		}
		return &v
	}
	return nil
}
