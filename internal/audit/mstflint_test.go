package audit

import (
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/host"
)

// TestMstflintOnRealCapture: a ConnectX (FS4) whose flash holds newer firmware
// than it runs (real capture): NIC_FW_REBOOT_NEEDED. Function 1 of the card
// and a non-Mellanox function are not asked.
func TestMstflintOnRealCapture(t *testing.T) {
	files := map[string]string{
		"/sys/bus/pci/devices/0000:18:00.0/vendor": "0x15b3\n",
		"/sys/bus/pci/devices/0000:18:00.1/vendor": "0x15b3\n",
		"/sys/bus/pci/devices/0000:3b:00.0/vendor": "0x8086\n",
	}
	a := runAudit(t, map[string]fakeOut{
		"mstflint -d 0000:18:00.0 query": {file: fx("mstflint", "connectx-fs4_mstflint-query_burned-not-running.txt")},
	}, files)
	fw := a.Hardware.AdapterFirmware
	if len(fw) != 1 || !fw[0].RebootNeeded || fw[0].PSID == nil {
		t.Fatalf("adapter_firmware = %+v", fw)
	}
	found := false
	for _, f := range a.Hardware.Summary.Findings {
		found = found || f.Code == CodeNICFirmwarePending && f.Component == "pcie:0000:18:00.0"
	}
	if !found {
		t.Errorf("no %s finding: %+v", CodeNICFirmwarePending, a.Hardware.Summary.Findings)
	}
	// No mstflint: skipped.
	a = runAudit(t, map[string]fakeOut{}, files)
	for _, c := range a.Collectors {
		if c.Name == "mstflint" && c.Status != StatusSkipped {
			t.Errorf("mstflint without the tool = %+v", c)
		}
	}
}

// TestFirmwareView: the firmware view lists the adapter's running firmware and
// the BIOS of the same audit, each once.
func TestFirmwareView(t *testing.T) {
	a := runAudit(t, map[string]fakeOut{
		"mstflint -d 0000:18:00.0 query": {file: fx("mstflint", "connectx-fs4_mstflint-query_burned-not-running.txt")},
		"dmidecode -t 0,1,2":             {file: fx("dmidecode", "supermicro-sys-4029gp-trt2_8gpu_from-nvidia-bug-report.txt")},
	}, map[string]string{"/sys/bus/pci/devices/0000:18:00.0/vendor": "0x15b3\n"})
	kinds := map[string]int{}
	for _, f := range a.Hardware.Firmware {
		kinds[f.Kind]++
		if f.Kind == "adapter_flash" && (f.Component != "pcie:0000:18:00.0" || f.Version != str(a.Hardware.AdapterFirmware[0].RunningFWVersion)) {
			t.Errorf("adapter entry = %+v", f)
		}
	}
	if kinds["bios"] != 1 || kinds["adapter_flash"] != 1 {
		t.Errorf("firmware = %+v, want the BIOS and the adapter once each", a.Hardware.Firmware)
	}
}

// TestMstflintHangStopsAsking: a flash query that hangs on the first adapter is
// not repeated on the next (each try costs a timeout); the problem says so.
func TestMstflintHangStopsAsking(t *testing.T) {
	a := runAudit(t, map[string]fakeOut{
		"mstflint -d 0000:18:00.0 query": {err: host.ErrTimeout},
		"mstflint -d 0000:af:00.0 query": {file: fx("mstflint", "connectx-fs4_mstflint-query_burned-not-running.txt")},
	}, map[string]string{
		"/sys/bus/pci/devices/0000:18:00.0/vendor": "0x15b3\n",
		"/sys/bus/pci/devices/0000:af:00.0/vendor": "0x15b3\n",
	})
	for _, c := range a.Collectors {
		if c.Name != "mstflint" {
			continue
		}
		if len(c.Commands) != 1 || !c.Commands[0].TimedOut {
			t.Errorf("commands = %+v, want only the hung query of 0000:18:00.0", c.Commands)
		}
		if !strings.Contains(str(c.Error), "not asked about the adapters after 0000:18:00.0") {
			t.Errorf("mstflint collector = %+v, want a problem saying it stopped", c)
		}
		return
	}
	t.Fatal("no mstflint collector")
}
