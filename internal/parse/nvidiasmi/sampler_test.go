package nvidiasmi

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The sampler CSVs of internal/sat/testdata/constructed (nvidia-smi's csv,noheader,nounits
// format; PROVENANCE.md there).
func TestParseSamples(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "sat", "testdata", "constructed", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	s, bad := ParseSamples(read("nvidia-smi_query-gpu-sampler_2x-rtx-a5000.csv"))
	if len(s) != 8 || bad != 0 {
		t.Fatalf("%d samples, %d bad", len(s), bad)
	}
	if s[0].Index != 0 || s[0].BusID != "00000000:81:00.0" || *s[0].TemperatureC != 40 || *s[0].PowerW != 120.5 ||
		!slices.Equal(s[0].ClockEventReasons, []string{"sw_power_cap"}) {
		t.Errorf("first %+v", s[0])
	}
	s, _ = ParseSamples(read("nvidia-smi_query-gpu-sampler_2x-rtx-a5000_gpu1-hw-thermal-slowdown.csv"))
	found := false
	for _, x := range s {
		found = found || slices.Contains(x.ClockEventReasons, "hw_thermal_slowdown")
	}
	if !found {
		t.Error("hw_thermal_slowdown not seen")
	}
	s, bad = ParseSamples([]byte("0, 00000000:81:00.0, [N/A], [N/A], [N/A]\nx, 00000000:81:00.0, 1, 2, 0x0\n1, 2, 3\n\n0, nobus, 1, 2, 0x0\n"))
	if len(s) != 1 || bad != 3 || s[0].TemperatureC != nil || s[0].PowerW != nil || s[0].ClockEventReasons != nil {
		t.Errorf("%+v, %d bad", s, bad)
	}
	// With the PCIe link's generation and width (7 fields).
	s, bad = ParseSamples(read("nvidia-smi_query-gpu-sampler-link_2x-rtx-a5000_gpu1-gen3.csv"))
	if len(s) != 8 || bad != 0 || *s[0].LinkGen != 1 || *s[0].LinkWidth != 16 || *s[3].LinkGen != 3 || s[3].BusID != "00000000:C1:00.0" {
		t.Errorf("link samples %+v, %d bad", s, bad)
	}
	s, bad = ParseSamples([]byte("0, 00000000:81:00.0, 40, 1.0, 0x4, [N/A], [N/A]\n0, 00000000:81:00.0, 40, 1.0, 0x4, 4\n"))
	if len(s) != 1 || bad != 1 || s[0].LinkGen != nil || s[0].LinkWidth != nil {
		t.Errorf("%+v, %d bad", s, bad)
	}
	if got := ClockEventReasonNames(0x1 | 0x40 | 0x1000); !slices.Equal(got, []string{"gpu_idle", "hw_thermal_slowdown"}) {
		t.Errorf("names %q", got)
	}
}
