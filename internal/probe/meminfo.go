package probe

import (
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/meminfo"
)

// MeminfoPath is the kernel's memory accounting (proc(5)).
const MeminfoPath = "/proc/meminfo"

// Meminfo is what bee reads of /proc/meminfo, in bytes; nil when the line is absent
// or not understood.
type Meminfo struct {
	Raw       []byte
	Total     *int64 // MemTotal
	Available *int64 // MemAvailable
}

// ReadMeminfo reads /proc/meminfo; err when it could not be read.
func ReadMeminfo(fs host.FS) (Meminfo, error) {
	b, err := fs.ReadFile(MeminfoPath)
	if err != nil {
		return Meminfo{}, err
	}
	return Meminfo{Raw: b, Total: meminfo.Value(b, "MemTotal"), Available: meminfo.Value(b, "MemAvailable")}, nil
}
