package nvidiasmi

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
	"github.com/google/go-cmp/cmp"
)

// TestCaptures reads every capture in testdata as bee does and compares the
// result with its <capture>.golden.json (go test -update rewrites them; review
// the diff): an XML report (*.xml) with ParseXML, anything else (the -q text
// report, a failure message) with ParseError. The tests below keep only what a
// capture was added to prove.
func TestCaptures(t *testing.T) {
	// testdata/nvlink, topo and fabric hold other commands' output (nvidia-smi nvlink,
	// topo -m, the -q Fabric section) with their own golden files:
	// TestNVLinkTopoFabricCaptures reads them.
	other := func(path string) bool {
		for _, dir := range []string{"nvlink", "topo", "fabric"} {
			if strings.HasPrefix(path, filepath.Join("testdata", dir)+string(filepath.Separator)) {
				return false
			}
		}
		return true
	}
	for _, path := range golden.Captures(t, "testdata", other) {
		name, _ := filepath.Rel("testdata", path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(name, ".xml") {
				l, err := ParseXML(data)
				if err != nil {
					t.Fatal(err)
				}
				golden.JSON(t, path, l)
				return
			}
			var got struct {
				Error *string `json:"error"` // ParseError's message; null: not a failure message
			}
			if err := ParseError(data); err != nil {
				msg := err.Error()
				got.Error = &msg
			}
			golden.JSON(t, path, got)
		})
	}
}

// What each XML capture was added to prove; the rest of its parse is in its
// golden file.
func TestCaptureFacts(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, l *Log)
	}{
		// AWS A10G, schema v11: throttle reasons under their old name, power under
		// <power_readings> with enforced_power_limit, an upper-case bus id, remapped
		// rows 0 while retired pages are N/A (unknown, not zero).
		{"a10g_q-x_v11_515.xml", func(t *testing.T, l *Log) {
			g := l.GPUs[0]
			if g.PCIBusID != "0000:00:1e.0" || g.ClockEventReasons["gpu_idle"] != true {
				t.Errorf("PCIBusID %q, reasons %v", g.PCIBusID, g.ClockEventReasons)
			}
			if diff := cmp.Diff([]*float64{ptr(25.58), ptr(300.0)}, []*float64{g.PowerDrawW, g.PowerLimitW}); diff != "" {
				t.Errorf("PowerDrawW, PowerLimitW (-want +got):\n%s", diff)
			}
			if g.RetiredPagesDBE != nil || g.RemappedRowsUncorrectable == nil || *g.RemappedRowsUncorrectable != 0 {
				t.Errorf("RetiredPagesDBE %v, RemappedRowsUncorrectable %v", g.RetiredPagesDBE, g.RemappedRowsUncorrectable)
			}
		}},
		// V100, schema v10: two double-bit retired pages and a pending retirement; one
		// of the machine's 16 GPUs.
		{"v100-sxm3-32gb_retired-pages-dbe_q-x_v10.xml", func(t *testing.T, l *Log) {
			g := l.GPUs[0]
			if *l.AttachedGPUs != 16 || len(l.GPUs) != 1 {
				t.Errorf("AttachedGPUs %d, GPUs %d", *l.AttachedGPUs, len(l.GPUs))
			}
			if diff := cmp.Diff([]*int64{ptr(int64(0)), ptr(int64(2)), ptr(int64(7627))}, []*int64{g.RetiredPagesSBE, g.RetiredPagesDBE, g.ECCAggregateUncorrected}); diff != "" {
				t.Errorf("RetiredPagesSBE, RetiredPagesDBE, ECCAggregateUncorrected (-want +got):\n%s", diff)
			}
			if g.RetiredPagesPending == nil || !*g.RetiredPagesPending || g.BoardPartNumber != "692-2G504-0200-000" {
				t.Errorf("RetiredPagesPending %v, BoardPartNumber %q (gpu_part_number)", g.RetiredPagesPending, g.BoardPartNumber)
			}
		}},
		// A100 80GB, schema v12: clocks_event_reasons, gpu_power_readings,
		// board_part_number; remapped_rows "N/A" under MIG stays unknown.
		{"a100-sxm4-80gb_q-x_v12.xml", func(t *testing.T, l *Log) {
			g := l.GPUs[0]
			if g.BoardPartNumber != "692-2G506-0212-002" || g.MIGMode != "Enabled" || g.RemappedRowsCorrectable != nil {
				t.Errorf("BoardPartNumber %q, MIGMode %q, RemappedRowsCorrectable %v", g.BoardPartNumber, g.MIGMode, g.RemappedRowsCorrectable)
			}
			if diff := cmp.Diff([]*float64{ptr(67.03), ptr(500.0)}, []*float64{g.PowerDrawW, g.PowerLimitW}); diff != "" {
				t.Errorf("PowerDrawW, PowerLimitW (-want +got):\n%s", diff)
			}
		}},
		// RTX A5000 pair, schema v13: average_power_draw, platformInfo module id,
		// remapped rows with values, gpu_recovery_action.
		{"2x-rtx-a5000_q-x_v13.xml", func(t *testing.T, l *Log) {
			g := l.GPUs[1]
			if g.PCIBusID != "0000:c1:00.0" || g.ModuleID != "1" || g.GPURecoveryAction != "None" || g.RemappedRowsPending == nil {
				t.Errorf("GPU 1 = %+v", g)
			}
			if diff := cmp.Diff(ptr(13.60), g.PowerDrawW); diff != "" {
				t.Errorf("PowerDrawW (-want +got):\n%s", diff)
			}
		}},
		// GeForce RTX 2080 Ti: no ECC (every counter "N/A" stays unknown), serial
		// "N/A" kept as printed, SW power cap active on the second card only.
		{"2x-rtx2080ti_ecc-na_q-x_v10.xml", func(t *testing.T, l *Log) {
			for i, g := range l.GPUs {
				if g.ECCMode != "N/A" || g.ECCAggregateUncorrected != nil || g.ECCVolatileCorrected != nil || g.RetiredPagesDBE != nil || g.SerialNumber != "N/A" {
					t.Errorf("GPU %d = %+v", i, g)
				}
				if g.ClockEventReasons["sw_power_cap"] != (i == 1) {
					t.Errorf("GPU %d sw_power_cap = %v", i, g.ClockEventReasons["sw_power_cap"])
				}
			}
		}},
		// Four Tesla K80s in a Hyper-V VM: PCI domains other than 0000, file order
		// kept, two GPUs per board sharing a serial, pending_blacklist "No" read as
		// not pending, "N/A" throttle reasons left out (nil, not false).
		{"4x-tesla-k80_q-x_v10.xml", func(t *testing.T, l *Log) {
			var buses []string
			for _, g := range l.GPUs {
				buses = append(buses, g.PCIBusID)
				if g.RetiredPagesPending == nil || *g.RetiredPagesPending || g.HWThermalSlowdown != nil {
					t.Errorf("%s: RetiredPagesPending %v, HWThermalSlowdown %v", g.PCIBusID, g.RetiredPagesPending, g.HWThermalSlowdown)
				}
				if _, ok := g.ClockEventReasons["hw_thermal_slowdown"]; ok {
					t.Errorf("%s: N/A reason in the map", g.PCIBusID)
				}
			}
			if diff := cmp.Diff([]string{"1580:00:00.0", "2df7:00:00.0", "4968:00:00.0", "f8d6:00:00.0"}, buses); diff != "" {
				t.Errorf("bus ids (-want +got):\n%s", diff)
			}
			if l.GPUs[0].SerialNumber != l.GPUs[3].SerialNumber {
				t.Errorf("serials %q %q, want shared", l.GPUs[0].SerialNumber, l.GPUs[3].SerialNumber)
			}
		}},
		// A100 40GB with MIG enabled (mig_devices list), schema v11.
		{"a100-sxm4-40gb_mig-enabled_q-x_v11.xml", func(t *testing.T, l *Log) {
			if g := l.GPUs[0]; g.MIGMode != "Enabled" || g.ModuleID != "3" {
				t.Errorf("MIGMode %q, ModuleID %q", g.MIGMode, g.ModuleID)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) { tt.check(t, parseFixture(t, tt.file)) })
	}
}

// The -q text reports are neither XML nor failure messages; the -q text of driver
// 610 (h200) is the newest layout.
func TestTextReportsAreNotErrors(t *testing.T) {
	for _, name := range []string{"h200_q_610.43.02.txt", "lambda-vector_2x-rtx-a6000_q.txt"} {
		if err := ParseError(readFixture(t, name)); err != nil {
			t.Errorf("%s: ParseError = %v", name, err)
		}
		if _, err := ParseXML(readFixture(t, name)); err == nil {
			t.Errorf("%s: ParseXML accepted the -q text report", name)
		}
	}
}

// Format rules that the captures above do not exercise, written from what nvidia-smi
// prints (see the comments); not captures.
func TestParseXMLFormatRules(t *testing.T) {
	const head = `<?xml version="1.0" ?>
<!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v13.dtd">
<nvidia_smi_log>`
	tests := []struct {
		name  string
		doc   string
		check func(t *testing.T, l *Log)
	}{
		{
			// The -q report of driver 610 prints "Driver Version : 610.43.02 [Deprecated;
			// will be removed in CUDA 14.0. Use KMD Version instead]" and a "KMD Version".
			name: "deprecation note on the versions is dropped",
			doc: head + `<driver_version>610.43.02 [Deprecated; will be removed in CUDA 14.0. Use KMD Version instead]</driver_version>
<cuda_version>13.3 [Deprecated; will be removed in CUDA 14.0. Use CUDA UMD Version instead]</cuda_version>
<kmd_version>610.43.02</kmd_version><cuda_umd_version>13.3</cuda_umd_version><attached_gpus>0</attached_gpus></nvidia_smi_log>`,
			check: func(t *testing.T, l *Log) {
				if l.DriverVersion != "610.43.02" || l.CUDAVersion != "13.3" {
					t.Errorf("versions = %q %q", l.DriverVersion, l.CUDAVersion)
				}
			},
		},
		{
			name: "driver_version gone: kmd_version is used",
			doc:  head + `<kmd_version>620.10</kmd_version><cuda_umd_version>14.0</cuda_umd_version></nvidia_smi_log>`,
			check: func(t *testing.T, l *Log) {
				if l.DriverVersion != "620.10" || l.CUDAVersion != "14.0" {
					t.Errorf("versions = %q %q", l.DriverVersion, l.CUDAVersion)
				}
			},
		},
		{
			name: "older drivers' Not Found CUDA version stays raw",
			doc:  head + `<driver_version>410.73</driver_version><cuda_version>Not Found</cuda_version></nvidia_smi_log>`,
			check: func(t *testing.T, l *Log) {
				if l.DriverVersion != "410.73" || l.CUDAVersion != "Not Found" {
					t.Errorf("versions = %q %q", l.DriverVersion, l.CUDAVersion)
				}
			},
		},
		{
			// Driver 610 groups the limits: "GPU Power Readings / GPU Ceiling Power Limit /
			// Current Power Limit : 700.00 W".
			name: "power limit inside a sub-element of gpu_power_readings",
			doc: head + `<gpu id="00000000:83:00.0"><gpu_power_readings><average_power_draw>83.32 W</average_power_draw>
<instant_power_draw>83.41 W</instant_power_draw>
<gpu_ceiling_power_limit><current_power_limit>700.00 W</current_power_limit><requested_power_limit>700.00 W</requested_power_limit></gpu_ceiling_power_limit>
<gpu_base_power><current_base_power>N/A</current_base_power></gpu_base_power>
<min_power_limit>200.00 W</min_power_limit><max_power_limit>700.00 W</max_power_limit></gpu_power_readings>
<module_power_readings><current_power_limit>1000.00 W</current_power_limit></module_power_readings></gpu></nvidia_smi_log>`,
			check: func(t *testing.T, l *Log) {
				g := l.GPUs[0]
				if derefFloat(g.PowerDrawW) != 83.32 || derefFloat(g.PowerLimitW) != 700 {
					t.Errorf("power = %v / %v", derefFloat(g.PowerDrawW), derefFloat(g.PowerLimitW))
				}
			},
		},
		{
			name: "[N/A], [Not Supported] and Unknown Error are unknown, not zero",
			doc: head + `<gpu id="00000000:3B:00.0"><fb_memory_usage><total>[N/A]</total></fb_memory_usage>
<temperature><gpu_temp>Unknown Error</gpu_temp></temperature>
<gpu_power_readings><power_draw>[Not Supported]</power_draw><current_power_limit>[N/A]</current_power_limit></gpu_power_readings>
<ecc_errors><volatile><sram_correctable>[N/A]</sram_correctable><dram_uncorrectable>Unknown Error</dram_uncorrectable></volatile></ecc_errors>
<remapped_rows><remapped_row_corr>[N/A]</remapped_row_corr><remapped_row_pending>[N/A]</remapped_row_pending></remapped_rows></gpu></nvidia_smi_log>`,
			check: func(t *testing.T, l *Log) {
				g := l.GPUs[0]
				if g.MemoryTotalBytes != nil || g.TemperatureC != nil || g.PowerDrawW != nil || g.PowerLimitW != nil ||
					g.ECCVolatileCorrected != nil || g.ECCVolatileUncorrected != nil ||
					g.RemappedRowsCorrectable != nil || g.RemappedRowsPending != nil {
					t.Errorf("got numbers from non-numbers: %+v", g)
				}
			},
		},
		{
			// `nvidia-smi -q -x --dtd` embeds the DTD as an internal subset.
			name: "embedded DTD",
			doc: `<?xml version="1.0" ?>
<!DOCTYPE nvidia_smi_log [
<!ELEMENT nvidia_smi_log (timestamp, driver_version, cuda_version, attached_gpus, gpu*) >
<!ELEMENT gpu (product_name) >
<!ATTLIST gpu id CDATA #REQUIRED>
<!ELEMENT product_name (#PCDATA)>
]>
<nvidia_smi_log><driver_version>535.54.03</driver_version><gpu id="00000000:01:00.0"><product_name>NVIDIA A100-SXM4-80GB</product_name></gpu></nvidia_smi_log>`,
			check: func(t *testing.T, l *Log) {
				if len(l.GPUs) != 1 || l.GPUs[0].ProductName != "NVIDIA A100-SXM4-80GB" || l.GPUs[0].PCIBusID != "0000:01:00.0" {
					t.Errorf("GPUs = %+v", l.GPUs)
				}
			},
		},
		{
			// common-workflow-language/cwltool PR #1910: nvidia-smi run concurrently has
			// printed <process_name>\xff...\xff</process_name>, which no XML parser takes.
			name: "bytes that are not UTF-8 inside an element",
			doc: head + `<driver_version>535.54.03</driver_version><gpu id="00000000:01:00.0"><serial>1650522003820</serial>
<processes><process_info><pid>29907</pid><process_name>` + "\xff\xfe\xff" + `</process_name></process_info></processes></gpu>
<gpu id="00000000:02:00.0"><serial>1650522003821</serial></gpu></nvidia_smi_log>`,
			check: func(t *testing.T, l *Log) {
				if len(l.GPUs) != 2 || l.GPUs[0].SerialNumber != "1650522003820" || l.GPUs[1].SerialNumber != "1650522003821" {
					t.Errorf("GPUs = %+v", l.GPUs)
				}
			},
		},
		{
			name: "control characters and a bare ampersand",
			doc: head + `<driver_version>550.54.15</driver_version><gpu id="00000000:01:00.0"><product_name>NVIDIA H100 80GB HBM3` + "\x00\x01" + `</product_name>
<processes><process_info><process_name>python train.py a&b &amp; c</process_name></process_info></processes>
<uuid>GPU-11111111-2222-3333-4444-555555555555</uuid></gpu></nvidia_smi_log>`,
			check: func(t *testing.T, l *Log) {
				if len(l.GPUs) != 1 || l.GPUs[0].UUID != "GPU-11111111-2222-3333-4444-555555555555" ||
					!strings.HasPrefix(l.GPUs[0].ProductName, "NVIDIA H100 80GB HBM3") {
					t.Errorf("GPUs = %+v", l.GPUs)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseXML([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, l)
		})
	}
}

// A document broken in its structure is not repaired: half a report must not look whole.
func TestParseXMLStructureErrorsStayErrors(t *testing.T) {
	for name, doc := range map[string]string{
		// lollipopkit/flutter_server_box issue #286 quotes a report whose
		// <supported_mem_clock> lost its <value> start tag.
		"mismatched end tag": `<nvidia_smi_log><gpu><supported_clocks><supported_mem_clock>
5001 MHz</value><supported_graphics_clock>2100 MHz</supported_graphics_clock></supported_mem_clock></supported_clocks>
<serial>1</serial></gpu><gpu><serial>2</serial></gpu></nvidia_smi_log>`,
		"truncated with bad bytes": "<nvidia_smi_log><gpu><process_name>\xff</process_name><serial>1</ser",
	} {
		t.Run(name, func(t *testing.T) {
			if l, err := ParseXML([]byte(doc)); err == nil {
				t.Fatalf("ParseXML = %+v, want an error", l)
			}
		})
	}
}

// Messages nvidia-smi prints in place of a report, as newer drivers word them.
func TestParseErrorMoreForms(t *testing.T) {
	tests := []struct {
		data string
		want error
	}{
		// Driver 610 (quoted in a public log): the GPU index before the bus id.
		{"Unable to determine the device handle for GPU1: 0000:34:00.0: Unknown Error\n", ErrGPULost},
		{"Unable to determine the device handle for GPU 0000:CB:00.0: GPU is lost.  Reboot the system to recover this GPU\n", ErrGPULost},
		{"Failed to initialize NVML: Insufficient Permissions\n", ErrNVMLInit},
		{"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running. This can also be happening if non-NVIDIA GPU is running as primary display, and NVIDIA GPU is in WDDM mode.\n", ErrDriverNotLoaded},
	}
	for _, tt := range tests {
		if err := ParseError([]byte(tt.data)); !errors.Is(err, tt.want) {
			t.Errorf("ParseError(%q) = %v, want %v", tt.data, err, tt.want)
		}
	}
	// The lost GPU's line ahead of a -q text report.
	data := "Unable to determine the device handle for GPU1: 0000:34:00.0: Unknown Error\n" +
		string(readFixture(t, "h200_q_610.43.02.txt"))
	if err := ParseError([]byte(data)); !errors.Is(err, ErrGPULost) {
		t.Errorf("ParseError = %v, want ErrGPULost", err)
	}
}
