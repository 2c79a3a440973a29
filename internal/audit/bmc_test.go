package audit

import (
	"path/filepath"
	"strings"
	"testing"
)

func bmcFx(dir, name string) string {
	return filepath.Join("..", "parse", "ipmitool", "testdata-bmc", dir, name)
}

// TestBMCOnRealCaptures: a Supermicro BMC (real bmc info, SEL with PSU failures
// and a chassis intrusion), an Intel BMC's lan print and a SEL info with the
// overflow flag set; the sensors come from the same machine's real SDR.
func TestBMCOnRealCaptures(t *testing.T) {
	cmds := map[string]fakeOut{
		"ipmitool mc info":   {file: bmcFx("mc", "supermicro_bmc-info_no-aux-firmware-info.txt")},
		"ipmitool lan print": {file: bmcFx("lan", "intel-bmc_lan-print_bios-assigned-address.txt")},
		"ipmitool sel info":  {file: bmcFx("selinfo", "ipmitool-issue335-host_sel-info_overflow-true.txt")},
		"ipmitool sel elist": {file: bmcFx("sel", "supermicro-sys-4029gp-trt2_sel-elist_psu-failure_chassis-intrusion.txt")},
		"ipmitool sdr elist": {file: fx("ipmitool", "supermicro-sys-4029gp-trt2_sdr-elist_psu-failure.txt")},
		"ipmitool fru":       {file: fx("ipmitool", "intel-s7200ap_fru_psu.txt")},
	}
	a := runAudit(t, cmds, map[string]string{"/dev/ipmi0": ""})
	b := a.Hardware.BMC
	if b == nil || str(b.Manufacturer) != "Supermicro" || str(b.FirmwareRevision) != "1.53" || str(b.MACAddress) != "00:15:17:8f:48:32" {
		t.Fatalf("bmc = %+v", b)
	}
	if b.SEL == nil || !b.SEL.Full || len(b.SEL.Entries) != 13 {
		t.Fatalf("sel = %+v, want full with the capture's 13 entries", b.SEL)
	}
	if len(a.Hardware.Sensors) != 78 {
		t.Errorf("%d sensors, want the SDR's 78", len(a.Hardware.Sensors))
	}
	codes := map[string]Finding{}
	for _, f := range a.Hardware.Summary.Findings {
		codes[f.Code] = f
	}
	if f, ok := codes["SEL_PSU_FAILURE"]; !ok || f.Severity != SeverityFailure || !strings.Contains(f.Message, "2021-01-29T14:03:35") {
		t.Errorf("SEL_PSU_FAILURE = %+v, want a failure naming the first entry's time", f)
	}
	if _, ok := codes[CodeSELFull]; !ok {
		t.Errorf("no %s finding", CodeSELFull)
	}
}

// TestBMCWithoutLANChannel: QEMU's simulated BMC (the VM test's, captured
// from the booted ISO) answers mc info but has no LAN channel; lan print
// exits 1 with "Invalid channel: 0". The address is unknown, the collector is
// ok and the audit gets no warning for it. Any other lan print failure stays
// a collector error.
func TestBMCWithoutLANChannel(t *testing.T) {
	const qemuLAN = "Get Channel Info command failed: Invalid command\nGet Channel Info command failed: Invalid command\nInvalid channel: 0\n"
	for _, tc := range []struct {
		stderr string
		want   string
	}{
		{qemuLAN, StatusOK},
		{"Error: Unable to establish IPMI v2 / RMCP+ session\n", StatusError},
	} {
		cmds := map[string]fakeOut{
			"ipmitool mc info":   {file: bmcFx("mc", "supermicro_bmc-info_no-aux-firmware-info.txt")},
			"ipmitool lan print": {exit: 1, stderr: tc.stderr},
			"ipmitool sel info":  {file: bmcFx("selinfo", "ipmitool-issue335-host_sel-info_overflow-true.txt")},
			"ipmitool sel elist": {file: bmcFx("sel", "supermicro-sys-4029gp-trt2_sel-elist_psu-failure_chassis-intrusion.txt")},
		}
		a := runAudit(t, cmds, map[string]string{"/dev/ipmi0": ""})
		for _, c := range a.Collectors {
			if c.Name == "bmc" && c.Status != tc.want {
				t.Errorf("lan print failing with %q: bmc collector %s (%v), want %s", tc.stderr, c.Status, c.Error, tc.want)
			}
		}
		if b := a.Hardware.BMC; b == nil || b.IPAddress != nil || str(b.FirmwareRevision) != "1.53" {
			t.Errorf("bmc = %+v, want firmware 1.53 and no address", b)
		}
	}
}

// TestBMCWithoutBMCOrEntries: no device node → skipped; an empty SEL → an
// empty list, no finding.
func TestBMCWithoutBMCOrEntries(t *testing.T) {
	a := runAudit(t, map[string]fakeOut{}, nil)
	for _, c := range a.Collectors {
		if c.Name == "bmc" && (c.Status != StatusSkipped || len(c.Commands) != 0) {
			t.Errorf("bmc without /dev/ipmi0 = %+v", c)
		}
	}
	if a.Hardware.BMC != nil {
		t.Errorf("bmc = %+v, want null", a.Hardware.BMC)
	}
}

// TestSensorFindings: no kept capture shows a crossed threshold or a stopped
// fan, so the sensors are constructed in ipmitool's `sdr elist` form.
func TestSensorFindings(t *testing.T) {
	h := &Hardware{Sensors: []Sensor{
		{Name: "CPU1 Temp", Type: "temperature", Value: ptr(96.0), Unit: ptr("degrees C"), Status: "cr", Severity: "critical", Reading: "96 degrees C"},
		{Name: "Inlet Temp", Type: "temperature", Value: ptr(41.0), Unit: ptr("degrees C"), Status: "nc", Severity: "warning", Reading: "41 degrees C"},
		{Name: "12V", Type: "voltage", Value: ptr(9.1), Unit: ptr("Volts"), Status: "nr", Severity: "non-recoverable", Reading: "9.10 Volts"},
		{Name: "FAN3", Type: "fan", Value: ptr(0.0), Unit: ptr("RPM"), Status: "ok", Severity: "ok", Reading: "0 RPM"},
		{Name: "FAN4", Type: "fan", Status: "ns", Severity: "no-reading", Reading: "No Reading"},
		{Name: "FAN1", Type: "fan", Value: ptr(5400.0), Unit: ptr("RPM"), Status: "ok", Severity: "ok", Reading: "5400 RPM"},
	}}
	var l findingList
	sensorFindings(&l, h)
	got := map[string]string{}
	for _, f := range l {
		got[f.Component] += f.Code + "/" + f.Severity + " "
	}
	want := map[string]string{
		"sensor:CPU1 Temp":  CodeSensorCritical + "/failure ",
		"sensor:Inlet Temp": CodeSensorNonCritical + "/warning ",
		"sensor:12V":        CodeSensorNonRecoverable + "/failure ",
		"sensor:FAN3":       CodeFanStopped + "/warning ",
	}
	if len(got) != len(want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	for c, w := range want {
		if got[c] != w {
			t.Errorf("%s: %q, want %q", c, got[c], w)
		}
	}
}
