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

// reasons builds the nine-reason map every fixture GPU reports, all "Not Active" except
// those named.
func reasons(active ...string) map[string]bool {
	m := map[string]bool{
		"gpu_idle": false, "applications_clocks_setting": false, "sw_power_cap": false,
		"hw_slowdown": false, "hw_thermal_slowdown": false, "hw_power_brake_slowdown": false,
		"sync_boost": false, "sw_thermal_slowdown": false, "display_clocks_setting": false,
	}
	for _, a := range active {
		m[a] = true
	}
	return m
}

// V100 with two double-bit retired pages and a pending retirement (schema v10, driver 410).
func TestParseXMLV100RetiredPages(t *testing.T) {
	got := parseFixture(t, "v100-sxm3-32gb_retired-pages-dbe_q-x_v10.xml")
	want := &Log{
		DriverVersion: "410.104",
		CUDAVersion:   "10.0",
		AttachedGPUs:  ptr(16), // the file holds one of the machine's 16 GPUs
		GPUs: []GPU{{
			Index:                   0,
			PCIBusID:                "0000:34:00.0",
			ProductName:             "Tesla V100-SXM3-32GB",
			ProductBrand:            "Tesla",
			SerialNumber:            "0323218034307",
			UUID:                    "GPU-ef23ffa6-c9fd-93d5-aeb8-612c087255ff",
			VBIOSVersion:            "88.00.6B.00.01",
			BoardPartNumber:         "692-2G504-0200-000", // gpu_part_number: no board_part_number in v10
			MemoryTotalBytes:        ptr(32480 * mib),
			PersistenceMode:         "Enabled",
			TemperatureC:            ptr(33),
			PowerDrawW:              ptr(50.60),
			PowerLimitW:             ptr(350.0),
			PCIeGenCurrent:          ptr(3),
			PCIeGenMax:              ptr(3),
			LinkWidthCurrent:        ptr(16),
			LinkWidthMax:            ptr(16),
			ECCMode:                 "Enabled",
			ECCVolatileCorrected:    ptr(int64(1)),
			ECCVolatileUncorrected:  ptr(int64(1)),
			ECCAggregateCorrected:   ptr(int64(291)),
			ECCAggregateUncorrected: ptr(int64(7627)),
			RetiredPagesSBE:         ptr(int64(0)),
			RetiredPagesDBE:         ptr(int64(2)),
			RetiredPagesPending:     ptr(true),
			ClockEventReasons:       reasons("gpu_idle"),
			HWSlowdown:              ptr(false),
			HWThermalSlowdown:       ptr(false),
			HWPowerBrakeSlowdown:    ptr(false),
			SWThermalSlowdown:       ptr(false),
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseXML mismatch (-want +got):\n%s", diff)
	}
}

// A100 80GB, schema v12 (driver 535): clocks_event_reasons, gpu_power_readings,
// board_part_number, sram/dram ECC counters, remapped_rows "N/A" under MIG.
func TestParseXMLA100V12(t *testing.T) {
	got := parseFixture(t, "a100-sxm4-80gb_q-x_v12.xml")
	want := &Log{
		DriverVersion: "535.54.03",
		CUDAVersion:   "12.2",
		AttachedGPUs:  ptr(4),
		GPUs: []GPU{{
			PCIBusID:                "0000:01:00.0",
			ProductName:             "NVIDIA A100-SXM4-80GB",
			ProductBrand:            "NVIDIA",
			Architecture:            "Ampere",
			SerialNumber:            "1650522003820",
			UUID:                    "GPU-513536b6-7d19-9063-b049-1e69664bb298",
			VBIOSVersion:            "92.00.36.00.02",
			BoardPartNumber:         "692-2G506-0212-002",
			ModuleID:                "4",
			MemoryTotalBytes:        ptr(81920 * mib),
			PersistenceMode:         "Disabled",
			MIGMode:                 "Enabled",
			TemperatureC:            ptr(27),
			PowerDrawW:              ptr(67.03),
			PowerLimitW:             ptr(500.0),
			PCIeGenCurrent:          ptr(4),
			PCIeGenMax:              ptr(4),
			LinkWidthCurrent:        ptr(16),
			LinkWidthMax:            ptr(16),
			ECCMode:                 "Enabled",
			ECCVolatileCorrected:    ptr(int64(0)),
			ECCVolatileUncorrected:  ptr(int64(0)),
			ECCAggregateCorrected:   ptr(int64(0)),
			ECCAggregateUncorrected: ptr(int64(0)),
			// retired_pages all "N/A", remapped_rows "N/A": unknown, not zero.
			ClockEventReasons:    reasons(),
			HWSlowdown:           ptr(false),
			HWThermalSlowdown:    ptr(false),
			HWPowerBrakeSlowdown: ptr(false),
			SWThermalSlowdown:    ptr(false),
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseXML mismatch (-want +got):\n%s", diff)
	}
}

// RTX A5000 pair, schema v13 (driver 590): average/instant power draw, platformInfo
// module id, sram_uncorrectable_parity/secded, remapped rows with values,
// gpu_recovery_action.
func TestParseXMLA5000V13(t *testing.T) {
	got := parseFixture(t, "2x-rtx-a5000_q-x_v13.xml")
	gpu0 := GPU{
		Index:                     0,
		PCIBusID:                  "0000:81:00.0",
		ProductName:               "NVIDIA RTX A5000",
		ProductBrand:              "NVIDIA RTX",
		Architecture:              "Ampere",
		SerialNumber:              "0123456789012",
		UUID:                      "GPU-12345678-aaaa-bbbb-cccc-0123456789ab",
		VBIOSVersion:              "94.02.6D.00.0D",
		BoardPartNumber:           "900-5G132-1700-000",
		ModuleID:                  "1",
		MemoryTotalBytes:          ptr(24564 * mib),
		PersistenceMode:           "Enabled",
		MIGMode:                   "N/A",
		TemperatureC:              ptr(13),
		PowerDrawW:                ptr(6.41), // average_power_draw
		PowerLimitW:               ptr(230.0),
		PCIeGenCurrent:            ptr(1),
		PCIeGenMax:                ptr(4),
		LinkWidthCurrent:          ptr(16),
		LinkWidthMax:              ptr(16),
		ECCMode:                   "Disabled",
		RemappedRowsCorrectable:   ptr(int64(0)),
		RemappedRowsUncorrectable: ptr(int64(0)),
		RemappedRowsPending:       ptr(false),
		RemappedRowsFailure:       ptr(false),
		ClockEventReasons:         reasons("gpu_idle"),
		HWSlowdown:                ptr(false),
		HWThermalSlowdown:         ptr(false),
		HWPowerBrakeSlowdown:      ptr(false),
		SWThermalSlowdown:         ptr(false),
		FanSpeedPercent:           ptr(30),
		GPURecoveryAction:         "None",
	}
	if got.DriverVersion != "590.44.01" || got.CUDAVersion != "13.1" || got.AttachedGPUs == nil || *got.AttachedGPUs != 2 {
		t.Errorf("header = %q %q %v", got.DriverVersion, got.CUDAVersion, got.AttachedGPUs)
	}
	if len(got.GPUs) != 2 {
		t.Fatalf("got %d GPUs, want 2", len(got.GPUs))
	}
	if diff := cmp.Diff(gpu0, got.GPUs[0]); diff != "" {
		t.Errorf("GPU 0 mismatch (-want +got):\n%s", diff)
	}
	gpu1 := gpu0
	gpu1.Index = 1
	gpu1.PCIBusID = "0000:c1:00.0"
	gpu1.SerialNumber = "1234567890123"
	gpu1.UUID = "GPU-12345678-aaaa-bbbb-cccc-0123456789cd"
	gpu1.TemperatureC = ptr(15)
	gpu1.PowerDrawW = ptr(13.60)
	if diff := cmp.Diff(gpu1, got.GPUs[1]); diff != "" {
		t.Errorf("GPU 1 mismatch (-want +got):\n%s", diff)
	}
}

// GeForce RTX 2080 Ti: no ECC (every counter "N/A" must stay unknown), serial "N/A",
// SW power cap active on the second card.
func TestParseXML2080TiECCNotAvailable(t *testing.T) {
	got := parseFixture(t, "2x-rtx2080ti_ecc-na_q-x_v10.xml")
	want := GPU{
		Index:                1,
		PCIBusID:             "0000:03:00.0",
		ProductName:          "GeForce RTX 2080 Ti",
		ProductBrand:         "GeForce",
		SerialNumber:         "N/A",
		UUID:                 "GPU-ef1d0068-5bfd-f1e4-7e79-ff35d71d44b8",
		VBIOSVersion:         "90.02.17.00.AD",
		BoardPartNumber:      "N/A",
		MemoryTotalBytes:     ptr(10989 * mib),
		PersistenceMode:      "Disabled",
		TemperatureC:         ptr(24),
		PowerDrawW:           ptr(19.11),
		PowerLimitW:          ptr(250.0),
		PCIeGenCurrent:       ptr(1),
		PCIeGenMax:           ptr(3),
		LinkWidthCurrent:     ptr(16),
		LinkWidthMax:         ptr(16),
		ECCMode:              "N/A",
		ClockEventReasons:    reasons("sw_power_cap"),
		HWSlowdown:           ptr(false),
		HWThermalSlowdown:    ptr(false),
		HWPowerBrakeSlowdown: ptr(false),
		SWThermalSlowdown:    ptr(false),
		FanSpeedPercent:      ptr(22),
	}
	if len(got.GPUs) != 2 {
		t.Fatalf("got %d GPUs, want 2", len(got.GPUs))
	}
	if diff := cmp.Diff(want, got.GPUs[1]); diff != "" {
		t.Errorf("GPU 1 mismatch (-want +got):\n%s", diff)
	}
	g0 := got.GPUs[0]
	if g0.PCIBusID != "0000:02:00.0" || g0.ECCAggregateUncorrected != nil || g0.RetiredPagesDBE != nil || g0.ClockEventReasons["sw_power_cap"] {
		t.Errorf("GPU 0 = %+v", g0)
	}
}

// Four Tesla K80 GPUs in a Hyper-V VM: PCI domains other than 0000, file order not PCI
// order, two GPUs per board sharing a serial, retired pages with only pending_blacklist,
// throttle reasons "N/A" left out of the map.
func TestParseXMLK80(t *testing.T) {
	got := parseFixture(t, "4x-tesla-k80_q-x_v10.xml")
	type row struct {
		bus, serial, uuid, vbios string
		aggCorr, aggUnc, sbe     int64
		temp                     int
		power                    float64
		appClocksActive          bool
	}
	want := []row{
		{"1580:00:00.0", "0322416026235", "GPU-c3b26f7a-8dcb-619c-fa1b-8029265a4db0", "80.21.1F.00.05", 7, 7, 1, 64, 135.72, true},
		{"2df7:00:00.0", "0322116081614", "GPU-b01b80eb-0f18-1df0-cf88-0725bd90f1e1", "80.21.1F.00.05", 34, 4, 1, 69, 139.71, true},
		{"4968:00:00.0", "0322116081614", "GPU-30bc2701-3bc2-5f35-0ebd-9867a077e138", "80.21.1F.00.06", 0, 0, 0, 28, 32.27, false},
		{"f8d6:00:00.0", "0322416026235", "GPU-3341aba2-f01d-2c1f-7dd4-e389779faec2", "80.21.1F.00.06", 0, 0, 0, 26, 34.44, false},
	}
	if got.CUDAVersion != "Not Found" || got.DriverVersion != "430.26" {
		t.Errorf("header = %q %q", got.DriverVersion, got.CUDAVersion)
	}
	if len(got.GPUs) != len(want) {
		t.Fatalf("got %d GPUs, want %d", len(got.GPUs), len(want))
	}
	for i, w := range want {
		g := got.GPUs[i]
		gotRow := row{
			bus: g.PCIBusID, serial: g.SerialNumber, uuid: g.UUID, vbios: g.VBIOSVersion,
			aggCorr: deref(g.ECCAggregateCorrected), aggUnc: deref(g.ECCAggregateUncorrected),
			sbe: deref(g.RetiredPagesSBE), temp: derefInt(g.TemperatureC), power: derefFloat(g.PowerDrawW),
			appClocksActive: g.ClockEventReasons["applications_clocks_setting"],
		}
		if diff := cmp.Diff(w, gotRow, cmp.AllowUnexported(row{})); diff != "" {
			t.Errorf("GPU %d mismatch (-want +got):\n%s", i, diff)
		}
		if g.Index != i || g.RetiredPagesDBE == nil || *g.RetiredPagesDBE != w.sbe {
			t.Errorf("GPU %d: index %d, DBE %v", i, g.Index, g.RetiredPagesDBE)
		}
		if g.RetiredPagesPending == nil || *g.RetiredPagesPending {
			t.Errorf("GPU %d: pending = %v, want false (pending_blacklist No)", i, g.RetiredPagesPending)
		}
		if g.HWThermalSlowdown != nil || g.HWPowerBrakeSlowdown != nil {
			t.Errorf("GPU %d: N/A reasons must be nil, got %v %v", i, g.HWThermalSlowdown, g.HWPowerBrakeSlowdown)
		}
		if _, ok := g.ClockEventReasons["hw_thermal_slowdown"]; ok || len(g.ClockEventReasons) != 7 {
			t.Errorf("GPU %d: reasons = %v", i, g.ClockEventReasons)
		}
		if g.ECCVolatileCorrected == nil || *g.ECCVolatileCorrected != 0 || g.FanSpeedPercent != nil {
			t.Errorf("GPU %d: volatile %v fan %v", i, g.ECCVolatileCorrected, g.FanSpeedPercent)
		}
	}
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

// Every XML fixture: identity and memory values read from the files.
func TestParseXMLFixtures(t *testing.T) {
	type gpuWant struct {
		bus, serial, uuid string
		memMiB            int64
		moduleID, mig     string
		retiredPending    *bool
		eccAggCorr        *int64
	}
	tests := []struct {
		file     string
		driver   string
		attached int
		gpus     []gpuWant
	}{
		{"tesla-p100_q-x_v11.xml", "510.47.03", 1, []gpuWant{
			{"0000:00:04.0", "0324217145110", "GPU-d3da8716-eaab-75db-efc1-60e88e1cd55e", 16384, "0", "N/A", ptr(false), ptr(int64(3))},
		}},
		{"tesla-t4_q-x_v11.xml", "515.105.01", 1, []gpuWant{
			{"0000:00:1e.0", "0000000000000", "GPU-d37e67a5-91dd-3774-a5cb-99096249601a", 15360, "0", "N/A", ptr(false), ptr(int64(0))},
		}},
		{"a100-sxm4-40gb_mig-enabled_q-x_v11.xml", "510.47.03", 1, []gpuWant{
			{"0000:00:04.0", "1324321002473", "GPU-27b94a00-ed54-5c24-b1fd-1054085de32a", 40960, "3", "Enabled", nil, ptr(int64(0))},
		}},
		{"a100-sxm4-80gb_q-x_v12.xml", "535.54.03", 4, []gpuWant{
			{"0000:01:00.0", "1650522003820", "GPU-513536b6-7d19-9063-b049-1e69664bb298", 81920, "4", "Enabled", nil, ptr(int64(0))},
		}},
		{"2x-rtx-a5000_q-x_v13.xml", "590.44.01", 2, []gpuWant{
			{"0000:81:00.0", "0123456789012", "GPU-12345678-aaaa-bbbb-cccc-0123456789ab", 24564, "1", "N/A", nil, nil},
			{"0000:c1:00.0", "1234567890123", "GPU-12345678-aaaa-bbbb-cccc-0123456789cd", 24564, "1", "N/A", nil, nil},
		}},
		{"2x-rtx2080ti_ecc-na_q-x_v10.xml", "410.73", 2, []gpuWant{
			{"0000:02:00.0", "N/A", "GPU-57567e11-0be2-381b-5132-2ad95c262e58", 10989, "", "", nil, nil},
			{"0000:03:00.0", "N/A", "GPU-ef1d0068-5bfd-f1e4-7e79-ff35d71d44b8", 10989, "", "", nil, nil},
		}},
		{"4x-tesla-k80_q-x_v10.xml", "430.26", 4, []gpuWant{
			{"1580:00:00.0", "0322416026235", "GPU-c3b26f7a-8dcb-619c-fa1b-8029265a4db0", 11441, "", "", ptr(false), ptr(int64(7))},
			{"2df7:00:00.0", "0322116081614", "GPU-b01b80eb-0f18-1df0-cf88-0725bd90f1e1", 11441, "", "", ptr(false), ptr(int64(34))},
			{"4968:00:00.0", "0322116081614", "GPU-30bc2701-3bc2-5f35-0ebd-9867a077e138", 11441, "", "", ptr(false), ptr(int64(0))},
			{"f8d6:00:00.0", "0322416026235", "GPU-3341aba2-f01d-2c1f-7dd4-e389779faec2", 11441, "", "", ptr(false), ptr(int64(0))},
		}},
		{"v100-sxm3-32gb_retired-pages-dbe_q-x_v10.xml", "410.104", 16, []gpuWant{
			{"0000:34:00.0", "0323218034307", "GPU-ef23ffa6-c9fd-93d5-aeb8-612c087255ff", 32480, "", "", ptr(true), ptr(int64(291))},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			l := parseFixture(t, tt.file)
			if l.DriverVersion != tt.driver {
				t.Errorf("DriverVersion = %q, want %q", l.DriverVersion, tt.driver)
			}
			if l.AttachedGPUs == nil || *l.AttachedGPUs != tt.attached {
				t.Errorf("AttachedGPUs = %v, want %d", l.AttachedGPUs, tt.attached)
			}
			var got []gpuWant
			for i, g := range l.GPUs {
				if g.Index != i {
					t.Errorf("GPU %d has Index %d", i, g.Index)
				}
				var mem int64 = -1
				if g.MemoryTotalBytes != nil {
					mem = *g.MemoryTotalBytes / mib
				}
				got = append(got, gpuWant{g.PCIBusID, g.SerialNumber, g.UUID, mem, g.ModuleID, g.MIGMode, g.RetiredPagesPending, g.ECCAggregateCorrected})
			}
			if diff := cmp.Diff(tt.gpus, got, cmp.AllowUnexported(gpuWant{})); diff != "" {
				t.Errorf("GPUs mismatch (-want +got):\n%s", diff)
			}
		})
	}
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
