package nvidiasmi

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ptr[T any](v T) *T { return &v }

const mib = int64(1) << 20

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func parseFixture(t *testing.T, name string) *Log {
	t.Helper()
	l, err := ParseXML(readFixture(t, name))
	if err != nil {
		t.Fatalf("ParseXML(%s): %v", name, err)
	}
	return l
}

func deref(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

func derefInt(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

func derefFloat(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

// Schema variants not covered by the fixtures, written after the DTDs and the samples
// published with telegraf's and netdata's nvidia-smi collectors.
func TestParseXMLVariants(t *testing.T) {
	const head = `<?xml version="1.0" ?>
<!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v12.dtd">
<nvidia_smi_log><driver_version>570.86.15</driver_version><attached_gpus>1</attached_gpus>
<gpu id="00000000:1B:00.0">`
	const tail = `</gpu></nvidia_smi_log>`
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, g GPU)
	}{
		{
			name: "H100 remapped rows pending, uncorrectable ECC, HW slowdown, recovery action",
			body: `<product_name>NVIDIA H100 80GB HBM3</product_name>
<gpu_recovery_action>GPU Reset</gpu_recovery_action>
<clocks_event_reasons><clocks_event_reason_hw_slowdown>Active</clocks_event_reason_hw_slowdown>
<clocks_event_reason_hw_thermal_slowdown>Active</clocks_event_reason_hw_thermal_slowdown>
<clocks_event_reason_sw_thermal_slowdown>Not Active</clocks_event_reason_sw_thermal_slowdown></clocks_event_reasons>
<clocks_event_reasons_counters><clocks_event_reasons_counters_sw_power_cap>5 us</clocks_event_reasons_counters_sw_power_cap></clocks_event_reasons_counters>
<fb_memory_usage><total>81559 MiB</total></fb_memory_usage>
<ecc_errors><volatile><sram_correctable>2</sram_correctable><sram_uncorrectable>1</sram_uncorrectable>
<dram_correctable>10</dram_correctable><dram_uncorrectable>3</dram_uncorrectable></volatile>
<aggregate><sram_correctable>N/A</sram_correctable><sram_uncorrectable>N/A</sram_uncorrectable>
<dram_correctable>5</dram_correctable><dram_uncorrectable>N/A</dram_uncorrectable>
<sram_threshold_exceeded>No</sram_threshold_exceeded></aggregate></ecc_errors>
<remapped_rows><remapped_row_corr>1</remapped_row_corr><remapped_row_unc>2</remapped_row_unc>
<remapped_row_pending>Yes</remapped_row_pending><remapped_row_failure>No</remapped_row_failure></remapped_rows>`,
			check: func(t *testing.T, g GPU) {
				want := GPU{
					PCIBusID:                  "0000:1b:00.0",
					ProductName:               "NVIDIA H100 80GB HBM3",
					GPURecoveryAction:         "GPU Reset",
					MemoryTotalBytes:          ptr(81559 * mib),
					ECCVolatileCorrected:      ptr(int64(12)),
					ECCVolatileUncorrected:    ptr(int64(4)),
					ECCAggregateCorrected:     ptr(int64(5)),
					RemappedRowsCorrectable:   ptr(int64(1)),
					RemappedRowsUncorrectable: ptr(int64(2)),
					RemappedRowsPending:       ptr(true),
					RemappedRowsFailure:       ptr(false),
					ClockEventReasons:         map[string]bool{"hw_slowdown": true, "hw_thermal_slowdown": true, "sw_thermal_slowdown": false},
					HWSlowdown:                ptr(true),
					HWThermalSlowdown:         ptr(true),
					SWThermalSlowdown:         ptr(false),
				}
				if diff := cmp.Diff(want, g); diff != "" {
					t.Errorf("mismatch (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "v13 parity/secded breakdown summed",
			body: `<ecc_errors><volatile><sram_correctable>1</sram_correctable><sram_uncorrectable_parity>2</sram_uncorrectable_parity>
<sram_uncorrectable_secded>3</sram_uncorrectable_secded><dram_correctable>4</dram_correctable><dram_uncorrectable>5</dram_uncorrectable></volatile></ecc_errors>`,
			check: func(t *testing.T, g GPU) {
				if deref(g.ECCVolatileCorrected) != 5 || deref(g.ECCVolatileUncorrected) != 10 {
					t.Errorf("volatile = %d/%d, want 5/10", deref(g.ECCVolatileCorrected), deref(g.ECCVolatileUncorrected))
				}
				if g.ECCAggregateCorrected != nil || g.ECCAggregateUncorrected != nil {
					t.Errorf("aggregate must be nil without an <aggregate> block")
				}
			},
		},
		{
			name: "breakdown not counted twice when the plain counter is present",
			body: `<ecc_errors><aggregate><sram_uncorrectable>5</sram_uncorrectable><sram_uncorrectable_parity>2</sram_uncorrectable_parity>
<sram_uncorrectable_secded>3</sram_uncorrectable_secded><dram_uncorrectable>1</dram_uncorrectable></aggregate></ecc_errors>`,
			check: func(t *testing.T, g GPU) {
				if deref(g.ECCAggregateUncorrected) != 6 || g.ECCAggregateCorrected != nil {
					t.Errorf("aggregate = %v/%d, want nil/6", g.ECCAggregateCorrected, deref(g.ECCAggregateUncorrected))
				}
			},
		},
		{
			name: "per-location counters without <total> are summed, N/A skipped",
			body: `<ecc_errors><volatile><single_bit><device_memory>4</device_memory><register_file>1</register_file>
<texture_memory>N/A</texture_memory></single_bit><double_bit><device_memory>N/A</device_memory></double_bit></volatile></ecc_errors>`,
			check: func(t *testing.T, g GPU) {
				if deref(g.ECCVolatileCorrected) != 5 || g.ECCVolatileUncorrected != nil {
					t.Errorf("volatile = %d/%v, want 5/nil", deref(g.ECCVolatileCorrected), g.ECCVolatileUncorrected)
				}
			},
		},
		{
			name: "retired pages: list without count, pending_retirement Yes beats pending_blacklist No",
			body: `<retired_pages><multiple_single_bit_retirement><retired_pagelist>
<retired_page><retired_page_address>0x1</retired_page_address></retired_page>
<retired_page><retired_page_address>0x2</retired_page_address></retired_page>
<retired_page><retired_page_address>0x3</retired_page_address></retired_page></retired_pagelist></multiple_single_bit_retirement>
<double_bit_retirement><retired_pagelist>
</retired_pagelist></double_bit_retirement>
<pending_blacklist>No</pending_blacklist><pending_retirement>Yes</pending_retirement></retired_pages>`,
			check: func(t *testing.T, g GPU) {
				if deref(g.RetiredPagesSBE) != 3 || deref(g.RetiredPagesDBE) != 0 || g.RetiredPagesPending == nil || !*g.RetiredPagesPending {
					t.Errorf("retired = %d/%d pending %v", deref(g.RetiredPagesSBE), deref(g.RetiredPagesDBE), g.RetiredPagesPending)
				}
			},
		},
		{
			name: "unsupported values stay unknown",
			body: `<fan_speed>[Not Supported]</fan_speed><temperature><gpu_temp>[Unknown Error]</gpu_temp></temperature>
<gpu_power_readings><power_draw>Requested functionality has been deprecated</power_draw><instant_power_draw>701.25 W</instant_power_draw>
<current_power_limit>N/A</current_power_limit></gpu_power_readings>
<power_readings><enforced_power_limit>700.00 W</enforced_power_limit></power_readings>
<fb_memory_usage><total>N/A</total></fb_memory_usage>
<pci><pci_gpu_link_info><pcie_gen><max_link_gen>5</max_link_gen><current_link_gen>N/A</current_link_gen></pcie_gen></pci_gpu_link_info></pci>`,
			check: func(t *testing.T, g GPU) {
				if g.FanSpeedPercent != nil || g.TemperatureC != nil || g.MemoryTotalBytes != nil || g.PCIeGenCurrent != nil {
					t.Errorf("non-numbers must be nil: %+v", g)
				}
				if derefFloat(g.PowerDrawW) != 701.25 || derefFloat(g.PowerLimitW) != 700 || derefInt(g.PCIeGenMax) != 5 {
					t.Errorf("power %v limit %v gen %v", g.PowerDrawW, g.PowerLimitW, g.PCIeGenMax)
				}
				// pci without pci_bus_id: the gpu id attribute is used.
				if g.PCIBusID != "0000:1b:00.0" {
					t.Errorf("PCIBusID = %q", g.PCIBusID)
				}
			},
		},
		{
			name: "entities, CDATA and unknown elements",
			body: `<product_name>A &amp; B &lt;x&gt; &nbsp;</product_name><future_thing><deep><deeper>1</deeper></deep></future_thing>
<serial><![CDATA[1650522003820]]></serial>`,
			check: func(t *testing.T, g GPU) {
				if g.ProductName != "A & B <x>" {
					t.Errorf("ProductName = %q", g.ProductName)
				}
				if g.SerialNumber != "1650522003820" {
					t.Errorf("SerialNumber = %q", g.SerialNumber)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseXML([]byte(head + tt.body + tail))
			if err != nil {
				t.Fatal(err)
			}
			if len(l.GPUs) != 1 {
				t.Fatalf("got %d GPUs", len(l.GPUs))
			}
			tt.check(t, l.GPUs[0])
		})
	}
}

func TestParseXMLBadInput(t *testing.T) {
	v12 := readFixture(t, "a100-sxm4-80gb_q-x_v12.xml")
	tests := []struct {
		name    string
		data    string
		wantErr error // nil: any error
	}{
		{"empty", "", nil},
		{"blank", " \n\t\n", nil},
		{"truncated", string(v12[:len(v12)/2]), nil},
		{"html", "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", nil},
		{"other xml", `<?xml version="1.0"?><smartctl><x>1</x></smartctl>`, nil},
		{"random bytes", "\x00\x01\xff\xfe<<<>>>&&&", nil},
		{"lspci text", "0000:00:00.0 Host bridge: Intel Corporation Device 09a2 (rev 04)\n", nil},
		{"driver not loaded", string(readFixture(t, "error_driver-not-loaded.txt")), ErrDriverNotLoaded},
		{"no devices", "No devices were found\n", ErrNoDevices},
		{"mismatch", "Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 550.54\n", ErrVersionMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseXML([]byte(tt.data))
			if err == nil {
				t.Fatalf("ParseXML = %+v, want an error", l)
			}
			if l != nil {
				t.Errorf("Log must be nil with an error, got %+v", l)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "nvidia-smi: ") {
				t.Errorf("err %q lacks the nvidia-smi prefix", err)
			}
		})
	}
}

func TestParseXMLNoGPUs(t *testing.T) {
	l, err := ParseXML([]byte(`<?xml version="1.0" ?><!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v12.dtd"><nvidia_smi_log><driver_version>535.54.03</driver_version><attached_gpus>0</attached_gpus></nvidia_smi_log>`))
	if err != nil {
		t.Fatal(err)
	}
	want := &Log{DriverVersion: "535.54.03", AttachedGPUs: ptr(0)}
	if diff := cmp.Diff(want, l); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

// A lost GPU's message on stderr captured together with the XML for the others.
func TestParseXMLWithStderrLines(t *testing.T) {
	data := "Unable to determine the device handle for GPU0000:3B:00.0: Unknown Error\n" +
		string(readFixture(t, "tesla-t4_q-x_v11.xml"))
	l, err := ParseXML([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.GPUs) != 1 || l.GPUs[0].UUID != "GPU-d37e67a5-91dd-3774-a5cb-99096249601a" {
		t.Errorf("GPUs = %+v", l.GPUs)
	}
	if err := ParseError([]byte(data)); !errors.Is(err, ErrGPULost) {
		t.Errorf("ParseError = %v, want ErrGPULost", err)
	}
}

func TestParseXMLLatin1(t *testing.T) {
	data := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><nvidia_smi_log><gpu><product_name>Caf\xe9</product_name></gpu></nvidia_smi_log>")
	l, err := ParseXML(data)
	if err != nil {
		t.Fatal(err)
	}
	if l.GPUs[0].ProductName != "Café" {
		t.Errorf("ProductName = %q", l.GPUs[0].ProductName)
	}
}

func TestNormalizeBusID(t *testing.T) {
	tests := map[string]string{
		"00000000:17:00.0":  "0000:17:00.0",
		"00001580:00:00.0":  "1580:00:00.0",
		"00002DF7:00:00.0":  "2df7:00:00.0",
		"00010000:C1:00.1":  "10000:c1:00.1",
		"0000:17:00.0":      "0000:17:00.0",
		"17:00.0":           "0000:17:00.0",
		" 00000000:1A:0.0 ": "0000:1a:00.0",
		"N/A":               "n/a",
		"":                  "",
		"0000:zz:00.0":      "0000:zz:00.0",
	}
	for in, want := range tests {
		if got := normalizeBusID(in); got != want {
			t.Errorf("normalizeBusID(%q) = %q, want %q", in, got, want)
		}
	}
}
