package probe

import (
	"sync"

	"github.com/beeaudit/bee/internal/host"
)

// IPMIDevices are the device nodes ipmitool's open interface tries.
var IPMIDevices = []string{"/dev/ipmi0", "/dev/ipmi/0", "/dev/ipmidev/0"}

// HasBMC reports whether the machine has an IPMI device node: without one there is
// no BMC, or the ipmi_si/ipmi_devintf modules are not loaded, and ipmitool would only
// wait for its timeout.
func HasBMC(fs host.FS) bool {
	for _, d := range IPMIDevices {
		if fs.Exists(d) {
			return true
		}
	}
	return false
}

// BMC is what bee reads of the BMC: the FRU inventory and the sensor records.
type BMC struct {
	FRU host.Result // ipmitool fru
	SDR host.Result // ipmitool sdr elist
}

// ReadBMC runs `ipmitool fru` and `ipmitool sdr elist` through run, concurrently:
// a slow BMC costs one timeout, not two. run must be safe for concurrent use.
func ReadBMC(run RunFunc) BMC {
	var b BMC
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); b.FRU = run([]string{"ipmitool", "fru"}) }()
	go func() { defer wg.Done(); b.SDR = run([]string{"ipmitool", "sdr", "elist"}) }()
	wg.Wait()
	return b
}
