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

// BMC is what bee reads of the BMC for the power supplies: the FRU inventory and
// the sensor records.
type BMC struct {
	FRU host.Result // ipmitool fru
	SDR host.Result // ipmitool sdr elist
}

// ReadBMC runs `ipmitool fru` and `ipmitool sdr elist` through run, concurrently:
// a slow BMC costs one timeout, not two. run must be safe for concurrent use.
func ReadBMC(run RunFunc) BMC {
	r := runAll(run, []string{"ipmitool", "fru"}, []string{"ipmitool", "sdr", "elist"})
	return BMC{FRU: r[0], SDR: r[1]}
}

// BMCInfo is what bee reads of the BMC itself: its identity and firmware, its
// network address and its System Event Log.
type BMCInfo struct {
	MC      host.Result // ipmitool mc info
	LAN     host.Result // ipmitool lan print
	SELInfo host.Result // ipmitool sel info: how full the SEL is
	SEL     host.Result // ipmitool sel elist: every entry
}

// ReadBMCInfo runs `ipmitool mc info`, `lan print`, `sel info` and `sel elist`
// through run, concurrently: a slow BMC costs one timeout, not four. run must be
// safe for concurrent use.
func ReadBMCInfo(run RunFunc) BMCInfo {
	r := runAll(run,
		[]string{"ipmitool", "mc", "info"},
		[]string{"ipmitool", "lan", "print"},
		[]string{"ipmitool", "sel", "info"},
		[]string{"ipmitool", "sel", "elist"})
	return BMCInfo{MC: r[0], LAN: r[1], SELInfo: r[2], SEL: r[3]}
}

// runAll runs every argv through run at once and returns their results in order.
func runAll(run RunFunc, argvs ...[]string) []host.Result {
	res := make([]host.Result, len(argvs))
	var wg sync.WaitGroup
	for i, argv := range argvs {
		wg.Add(1)
		go func() { defer wg.Done(); res[i] = run(argv) }()
	}
	wg.Wait()
	return res
}
