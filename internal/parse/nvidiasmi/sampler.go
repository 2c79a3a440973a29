package nvidiasmi

import (
	"math"
	"strconv"
	"strings"
)

// Sample is one line of the CSV `bee sat nvidia` samples during the stress test
// (docs/sat.md): nvidia-smi --query-gpu=index,pci.bus_id,temperature.gpu,power.draw,
// clocks_event_reasons.active (clocks_throttle_reasons.active on older drivers)
// --format=csv,noheader,nounits, optionally followed by pcie.link.gen.current,
// pcie.link.width.current (7 fields).
type Sample struct {
	Index        int
	BusID        string   // as printed ("00000000:81:00.0")
	TemperatureC *int     // nil when not a number ("[N/A]")
	PowerW       *float64 // nil when not a number
	// ClockEventReasons are the names of the active bits (ClockEventReasonNames);
	// nil when the field is not a hexadecimal number.
	ClockEventReasons []string
	// LinkGen and LinkWidth are the PCIe link's current generation and width
	// (nil when not sampled or not a number).
	LinkGen, LinkWidth *int
}

// clockReasonBits are the bits of clocks_event_reasons.active (NVML's
// nvmlClocksEventReason*), named as nvidia-smi -q -x names them.
var clockReasonBits = []struct {
	bit  uint64
	name string
}{
	{0x1, "gpu_idle"}, {0x2, "applications_clocks_setting"}, {0x4, "sw_power_cap"},
	{0x8, "hw_slowdown"}, {0x10, "sync_boost"}, {0x20, "sw_thermal_slowdown"},
	{0x40, "hw_thermal_slowdown"}, {0x80, "hw_power_brake_slowdown"}, {0x100, "display_clock_setting"},
}

// ClockEventReasonNames names the bits set in a clocks_event_reasons.active mask,
// in bit order; unknown bits are left out.
func ClockEventReasonNames(mask uint64) []string {
	names := []string{}
	for _, b := range clockReasonBits {
		if mask&b.bit != 0 {
			names = append(names, b.name)
		}
	}
	return names
}

// ParseSamples reads the sampler's lines ("index, pci.bus_id, temperature, power,
// reasons[, link gen, link width]"); bad counts the non-empty lines not understood
// (not five or seven fields, an index that is not a number, a bus id without ':'),
// which are left out.
func ParseSamples(out []byte) (samples []Sample, bad int) {
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Split(line, ",")
		if len(f) != 5 && len(f) != 7 {
			bad++
			continue
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		idx, err := strconv.Atoi(f[0])
		if err != nil || !strings.Contains(f[1], ":") {
			bad++
			continue
		}
		s := Sample{Index: idx, BusID: f[1]}
		if t, err := strconv.Atoi(f[2]); err == nil {
			s.TemperatureC = &t
		}
		if p, err := strconv.ParseFloat(f[3], 64); err == nil && !math.IsNaN(p) {
			s.PowerW = &p
		}
		if v, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(f[4]), "0x"), 16, 64); err == nil {
			s.ClockEventReasons = ClockEventReasonNames(v)
		}
		if len(f) == 7 {
			if g, err := strconv.Atoi(f[5]); err == nil && g > 0 {
				s.LinkGen = &g
			}
			if w, err := strconv.Atoi(f[6]); err == nil && w > 0 {
				s.LinkWidth = &w
			}
		}
		samples = append(samples, s)
	}
	return samples, bad
}
