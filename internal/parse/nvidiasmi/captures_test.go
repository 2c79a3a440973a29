package nvidiasmi

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// AWS A10G (g5 instance, passed through): schema v11, driver 515, throttle reasons under
// their old name, power under <power_readings> with power_limit, an upper-case bus id,
// remapped rows 0 while retired pages are N/A. Values read from the file by hand.
func TestParseXMLA10G(t *testing.T) {
	got := parseFixture(t, "a10g_q-x_v11_515.xml")
	want := &Log{
		DriverVersion: "515.105.01",
		CUDAVersion:   "11.7",
		AttachedGPUs:  ptr(1),
		GPUs: []GPU{{
			PCIBusID:        "0000:00:1e.0", // "00000000:00:1E.0"
			ProductName:     "NVIDIA A10G",
			ProductBrand:    "NVIDIA",
			Architecture:    "Ampere",
			SerialNumber:    "0000000000000", // as printed; the audit decides it is a placeholder
			UUID:            "GPU-9a9a6c50-2a47-2f51-a902-b82c3b127e94",
			VBIOSVersion:    "94.02.75.00.01",
			BoardPartNumber: "000-00000-0000-000", // gpu_part_number: no board_part_number in v11
			ModuleID:        "0",
			// 23028 MiB
			MemoryTotalBytes:        ptr(23028 * mib),
			PersistenceMode:         "Disabled",
			MIGMode:                 "N/A",
			TemperatureC:            ptr(17),
			PowerDrawW:              ptr(25.58),
			PowerLimitW:             ptr(300.0), // enforced_power_limit
			PCIeGenCurrent:          ptr(1),
			PCIeGenMax:              ptr(4),
			LinkWidthCurrent:        ptr(8),
			LinkWidthMax:            ptr(16),
			ECCMode:                 "Enabled",
			ECCVolatileCorrected:    ptr(int64(0)),
			ECCVolatileUncorrected:  ptr(int64(0)),
			ECCAggregateCorrected:   ptr(int64(0)),
			ECCAggregateUncorrected: ptr(int64(0)),
			// retired_pages all N/A: unknown, not zero.
			RemappedRowsCorrectable:   ptr(int64(0)),
			RemappedRowsUncorrectable: ptr(int64(0)),
			RemappedRowsPending:       ptr(false),
			RemappedRowsFailure:       ptr(false),
			ClockEventReasons:         reasons("gpu_idle"),
			HWSlowdown:                ptr(false),
			HWThermalSlowdown:         ptr(false),
			HWPowerBrakeSlowdown:      ptr(false),
			SWThermalSlowdown:         ptr(false),
			FanSpeedPercent:           ptr(0),
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseXML mismatch (-want +got):\n%s", diff)
	}
}

// H200, driver 610.43.02 `nvidia-smi -q`: the newest text layout (KMD Version, "Driver
// Version : ... [Deprecated; ...]", GPU Ceiling Power Limit, SRAM parity/SEC-DED, inactive
// remapped rows, key longer than the padding). Identifiers were masked by the capturing
// tool (zeros).
func TestParseQTextH200Driver610(t *testing.T) {
	got, err := ParseQText(readFixture(t, "h200_q_610.43.02.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := []TextGPU{{
		PCIBusID:                  "0000:83:00.0",
		ProductName:               "NVIDIA H200",
		SerialNumber:              "0000000000000",
		UUID:                      "GPU-00000000-0000-0000-0000-000000000000",
		VBIOSVersion:              "96.00.A5.00.03",
		BoardPartNumber:           "695-2G520-0280-001",
		MemoryTotalBytes:          ptr(143771 * mib),
		ECCMode:                   "Enabled",
		RemappedRowsCorrectable:   ptr(int64(0)),
		RemappedRowsUncorrectable: ptr(int64(0)),
		RemappedRowsPending:       ptr(false),
		RemappedRowsFailure:       ptr(false),
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseQText mismatch (-want +got):\n%s", diff)
	}
	// The text report is not XML and not an error message.
	if err := ParseError(readFixture(t, "h200_q_610.43.02.txt")); err != nil {
		t.Errorf("ParseError = %v", err)
	}
	if _, err := ParseXML(readFixture(t, "h200_q_610.43.02.txt")); err == nil {
		t.Error("ParseXML accepted the -q text report")
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
	// The lost GPU's line ahead of a -q text report: the other GPUs are still read.
	data := "Unable to determine the device handle for GPU1: 0000:34:00.0: Unknown Error\n" +
		string(readFixture(t, "h200_q_610.43.02.txt"))
	gpus, err := ParseQText([]byte(data))
	if err != nil || len(gpus) != 1 || gpus[0].PCIBusID != "0000:83:00.0" {
		t.Errorf("ParseQText = %+v, %v", gpus, err)
	}
	if err := ParseError([]byte(data)); !errors.Is(err, ErrGPULost) {
		t.Errorf("ParseError = %v, want ErrGPULost", err)
	}
}
