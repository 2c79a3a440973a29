package ipmitool

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
	"github.com/google/go-cmp/cmp"
)

// Captures for mc.go, lan.go, sel.go and sensors.go live in testdata-bmc/
// (one folder per command; testdata-bmc/PROVENANCE.md), apart from the
// fru/sdr captures in testdata/ that another test walks.
const bmcDir = "testdata-bmc"

func bmcRead(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(bmcDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bmcParsers maps each capture folder to the parser its files are for.
var bmcParsers = map[string]func([]byte) (any, error){
	"mc":      func(b []byte) (any, error) { return ParseMCInfo(b) },
	"lan":     func(b []byte) (any, error) { return ParseLAN(b) },
	"sel":     func(b []byte) (any, error) { return ParseSEL(b) },
	"sensors": func(b []byte) (any, error) { return ParseSensors(b) },
	"selinfo": func(b []byte) (any, error) { return ParseSELInfo(b) },
}

func TestBMCGolden(t *testing.T) {
	for dir, parse := range bmcParsers {
		for _, c := range golden.Captures(t, filepath.Join(bmcDir, dir), nil) {
			t.Run(dir+"/"+filepath.Base(c), func(t *testing.T) {
				data, err := os.ReadFile(c)
				if err != nil {
					t.Fatal(err)
				}
				got, err := parse(data)
				if err != nil {
					t.Fatal(err)
				}
				if dir == "sel" {
					// The summary is part of what the capture proves.
					sel := got.(SEL)
					got = struct {
						SEL
						Summary SELSummary `json:"summary"`
					}{sel, SummarizeSEL(sel.Entries)}
				}
				golden.JSON(t, c, got)
			})
		}
	}
}

func bmcF(v float64) *float64 { return &v }

func TestMCInfoCaptures(t *testing.T) {
	tests := []struct {
		file             string
		fw, mfrName, mfr string
		mfrID, productID int
		support, aux     int
		providesSDRs     bool
	}{
		{"hp-proliant-dl360-g6g7_ilo_mc-info.txt", "1.28", "Hewlett-Packard", "Hewlett-Packard", 11, 8192, 4, 0, true},
		// OpenBMC: "Firmware Revision : 0.00", "Unknown (0xA741)", four aux bytes.
		{"openbmc-witherspoon_mc-info_fw-0.00_unknown-manufacturer.txt", "0.00", "Unknown (0xA741)", "", 42817, 16975, 4, 4, true},
		{"supermicro_bmc-info_no-aux-firmware-info.txt", "1.53", "Supermicro", "Supermicro", 10876, 2327, 7, 0, false},
	}
	for _, tt := range tests {
		mc, err := ParseMCInfo(bmcRead(t, "mc/"+tt.file))
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		got := fmt.Sprint(mc.FirmwareRevision, "|", mc.ManufacturerName, "|", mc.Manufacturer, "|", *mc.ManufacturerID, "|",
			*mc.ProductID, "|", len(mc.AdditionalDeviceSupport), "|", len(mc.AuxFirmwareRevInfo), "|", *mc.ProvidesDeviceSDRs)
		want := fmt.Sprint(tt.fw, "|", tt.mfrName, "|", tt.mfr, "|", tt.mfrID, "|", tt.productID, "|", tt.support, "|", tt.aux, "|", tt.providesSDRs)
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", tt.file, got, want)
		}
		if mc.IPMIVersion != "2.0" || !*mc.DeviceAvailable {
			t.Errorf("%s: ipmi %q available %v", tt.file, mc.IPMIVersion, *mc.DeviceAvailable)
		}
	}
	mc, _ := ParseMCInfo(bmcRead(t, "mc/openbmc-witherspoon_mc-info_fw-0.00_unknown-manufacturer.txt"))
	if diff := cmp.Diff([]string{"0x01", "0x62", "0x00", "0x00"}, mc.AuxFirmwareRevInfo); diff != "" {
		t.Errorf("aux (-want +got):\n%s", diff)
	}
}

func TestLANCapture(t *testing.T) {
	l, err := ParseLAN(bmcRead(t, "lan/intel-bmc_lan-print_bios-assigned-address.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := LAN{IPAddressSource: "BIOS Assigned Address", IPSource: "bios", IPAddress: "0.0.0.0", SubnetMask: "255.255.255.0",
		MACAddress: "00:15:17:8f:48:32", DefaultGatewayIP: "0.0.0.0", DefaultGatewayMAC: "00:00:00:00:00:00"}
	l.Fields = nil
	if diff := cmp.Diff(want, l); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	full, _ := ParseLAN(bmcRead(t, "lan/intel-bmc_lan-print_bios-assigned-address.txt"))
	// "Auth Type Enable : Callback :" and its four ": Role :" lines.
	if got := full.Fields["Auth Type Enable"]; got != "Callback :; User     :; Operator :; Admin    :; OEM      :" {
		t.Errorf("Auth Type Enable = %q", got)
	}
}

func TestLANVariants(t *testing.T) {
	in := "Set in Progress         : Set Complete\n" +
		"IP Address Source       : DHCP Address\n" +
		"IP Address              : 10.1.2.3\n" +
		"MAC Address             : 3C:EC:EF:01:02:03\n" +
		"802.1q VLAN ID          : 42\n"
	l, err := ParseLAN([]byte(in))
	if err != nil || l.IPSource != "dhcp" || !l.Configured || l.MACAddress != "3c:ec:ef:01:02:03" || l.VLANID != "42" {
		t.Errorf("%+v %v", l, err)
	}
	l, _ = ParseLAN([]byte("IP Address Source : Static Address\nIP Address : 0.0.0.0\n802.1q VLAN ID : Disabled\n"))
	if l.IPSource != "static" || l.Configured || l.VLANID != "" {
		t.Errorf("%+v", l)
	}
}

func TestBMCBadInput(t *testing.T) {
	for _, in := range []string{"", "Could not open device at /dev/ipmi0: No such file or directory\n", "<html>"} {
		if _, err := ParseMCInfo([]byte(in)); err == nil {
			t.Errorf("ParseMCInfo(%q): no error", in)
		}
		if _, err := ParseLAN([]byte(in)); err == nil {
			t.Errorf("ParseLAN(%q): no error", in)
		}
	}
	if _, err := ParseSEL([]byte("Could not open device at /dev/ipmi0 or /dev/ipmi/0 or /dev/ipmidev/0: No such file or directory\n")); err == nil {
		t.Error("ParseSEL: no error on an ipmitool error message")
	}
	sel, err := ParseSEL([]byte("SEL has no entries\n"))
	if err != nil || !sel.NoEntries || sel.Entries != nil {
		t.Errorf("empty SEL: %+v %v", sel, err)
	}
	if sel, err := ParseSEL(nil); err != nil || sel.Entries != nil {
		t.Errorf("nil: %+v %v", sel, err)
	}
}

func TestSELSupermicro(t *testing.T) {
	sel, err := ParseSEL(bmcRead(t, "sel/supermicro-sys-4029gp-trt2_sel-elist_psu-failure_chassis-intrusion.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sel.Entries) != 13 || sel.Unparsed != nil {
		t.Fatalf("%d entries, unparsed %q", len(sel.Entries), sel.Unparsed)
	}
	// "   3 | 01/29/2021 | 14:03:35 | Power Supply PS3 Status | Failure detected () | Asserted"
	want := SELEntry{ID: "3", Date: "01/29/2021", Time: "14:03:35", Timestamp: "2021-01-29T14:03:35",
		Sensor: "Power Supply PS3 Status", SensorType: "Power Supply", SensorName: "PS3 Status",
		Event: "Failure detected ()", Direction: "asserted", Class: SELPSUFailure}
	if diff := cmp.Diff(want, sel.Entries[2]); diff != "" {
		t.Errorf("entry 3 (-want +got):\n%s", diff)
	}
	// "   1 | ... | Unknown #0xff |  | Asserted": an empty event.
	if e := sel.Entries[0]; e.SensorType != "Unknown" || e.SensorName != "#0xff" || e.Event != "" || e.Class != "" {
		t.Errorf("entry 1 = %+v", e)
	}
	// "   c | 05/25/2021 | 13:38:10 | Power Supply PS2 Status | Failure detected () | Deasserted"
	if e := sel.Entries[11]; e.ID != "c" || e.Direction != "deasserted" || e.Class != "" {
		t.Errorf("entry c = %+v", e)
	}
	sum := SummarizeSEL(sel.Entries)
	// 7 asserted PSU failures (ids 3, 4, 6, 7, a, b); c and d are deassertions.
	if sum.Entries != 13 || sum.Asserted != 11 || sum.Deasserted != 2 || sum.OEM != 0 || sum.LogFull {
		t.Errorf("summary %+v", sum)
	}
	psu := sum.Classes[SELPSUFailure]
	if psu.Count != 6 || psu.First.ID != "3" || psu.Severity != SELSeverityCritical || len(sum.Classes) != 1 {
		t.Errorf("classes %+v", sum.Classes)
	}
}

func TestSELPreInitAndOEM(t *testing.T) {
	sel, err := ParseSEL(bmcRead(t, "sel/server_sel-elist_psu-ac-lost_redundancy-lost_oem-records_pre-init.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sel.Entries) != 256 || sel.Unparsed != nil {
		t.Fatalf("%d entries, unparsed %q", len(sel.Entries), sel.Unparsed)
	}
	byID := map[string]SELEntry{}
	for _, e := range sel.Entries {
		byID[e.ID] = e
	}
	// "  56 |  Pre-Init  |0000000085| System ACPI Power State ACPI_Stat | S0/G0: working | Asserted"
	want56 := SELEntry{ID: "56", Date: "Pre-Init", Time: "0000000085", PreInit: true, Sensor: "System ACPI Power State ACPI_Stat",
		SensorType: "System ACPI Power State", SensorName: "ACPI_Stat", Event: "S0/G0: working", Direction: "asserted"}
	if diff := cmp.Diff(want56, byID["56"]); diff != "" {
		t.Errorf("56 (-want +got):\n%s", diff)
	}
	// " 123 | 10/16/2020 | 10:41:22 | OEM record dc | 000137 | 00c378895f00"
	want123 := SELEntry{ID: "123", Date: "10/16/2020", Time: "10:41:22", Timestamp: "2020-10-16T10:41:22",
		Sensor: "OEM record dc", Event: "000137 | 00c378895f00", OEM: true}
	if diff := cmp.Diff(want123, byID["123"]); diff != "" {
		t.Errorf("123 (-want +got):\n%s", diff)
	}
	for id, class := range map[string]string{
		"131": SELPSUFailure, "132": SELPSUFailure, "133": SELPSURedundancyLost, "135": "",
		"127": "", "134": "", "137": SELPSUFailure,
	} {
		if byID[id].Class != class {
			t.Errorf("%s: class %q, want %q (%+v)", id, byID[id].Class, class, byID[id])
		}
	}
	sum := SummarizeSEL(sel.Entries)
	if sum.Entries != sum.Asserted+sum.Deasserted+sum.OEM || sum.Classes[SELPSUFailure].Count != 4 ||
		sum.Classes[SELPSURedundancyLost].Count != 2 || sum.Deasserted != 2 {
		t.Errorf("summary %+v", sum)
	}
}

func TestSELOtherCaptures(t *testing.T) {
	// ipmitool 1.8.19: two-digit year and a zone; a DIMM label in the event.
	sel, err := ParseSEL(bmcRead(t, "sel/quanta-quantaplex-t22hf_sel-elist_correctable-ecc-dimm-label_tz.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := SELEntry{ID: "3a", Date: "12/14/22", Time: "23:09:44 CET", Timestamp: "2022-12-14T23:09:44", Zone: "CET",
		Sensor: "Memory #0x88", SensorType: "Memory", SensorName: "#0x88", Event: "Correctable ECC (CPU0_G1)", Direction: "asserted"}
	if diff := cmp.Diff([]SELEntry{want}, sel.Entries); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// `sel list`: "Correctable ECC logging limit reached" on "Memory #0x2b", ids 0 and 1.
	sel, _ = ParseSEL(bmcRead(t, "sel/hp-proliant-dl360-g6g7_sel-list_correctable-ecc-logging-limit.txt"))
	if len(sel.Entries) != 2 || sel.Entries[0].ID != "0" || sel.Entries[1].Class != SELCorrectableECCLimit {
		t.Errorf("%+v", sel.Entries)
	}
	// An uncorrectable ECC followed by an OS critical stop (ids 54, 55).
	sel, _ = ParseSEL(bmcRead(t, "sel/hpc-node-argon-bx41-06_sel-elist-tail_uncorrectable-ecc_os-critical-stop.txt"))
	sum := SummarizeSEL(sel.Entries)
	if len(sel.Entries) != 10 || sum.Classes[SELUncorrectableECC].First.ID != "54" || sum.Classes[SELOSCriticalStop].Count != 2 {
		t.Errorf("%+v", sum)
	}
	if e := sel.Entries[5]; e.SensorType != "System Event" || e.SensorName != "#0xff" || e.Event != "Timestamp Clock Sync" {
		t.Errorf("58 = %+v", e)
	}
}

func TestSELIssueCaptures(t *testing.T) {
	// A repeated record ID (a BMC bug) is kept: four entries, four machine checks.
	sel, err := ParseSEL(bmcRead(t, "sel/fboss-openbmc_sel-list-head_uncorrectable-mce_duplicate-id.txt"))
	if err != nil {
		t.Fatal(err)
	}
	sum := SummarizeSEL(sel.Entries)
	if len(sel.Entries) != 4 || sel.Entries[1].ID != "1" || sum.Classes[SELMachineCheck].Count != 4 {
		t.Errorf("%d entries, summary %+v", len(sel.Entries), sum)
	}
	// "Temperature #0x17 |  | Asserted": no event text, no class.
	sel, _ = ParseSEL(bmcRead(t, "sel/fboss-openbmc_sel-list-tail_temperature-empty-event.txt"))
	if len(sel.Entries) != 3 || sel.Entries[2].ID != "80" || sel.Entries[2].SensorType != "Temperature" || sel.Entries[2].Event != "" {
		t.Errorf("%+v", sel.Entries)
	}
	// ipmitool before 1.8.17: "System Firmware Progress #0x05".
	sel, _ = ParseSEL(bmcRead(t, "sel/openpower-bmc_sel-list_old-type-names_system-firmware-progress.txt"))
	if e := sel.Entries[11]; len(sel.Entries) != 12 || e.ID != "c" || e.SensorType != "System Firmware Progress" ||
		e.SensorName != "#0x05" || e.Timestamp != "2000-01-01T00:31:48" || SummarizeSEL(sel.Entries).Classes != nil {
		t.Errorf("%+v", sel.Entries)
	}
	// The older type names of the rules' sensor types classify as today's.
	sel, _ = ParseSEL([]byte("  1 | 01/01/2014 | 00:00:01 | Drive Slot #0x10 | Drive Fault | Asserted\n" +
		"  2 | 01/01/2014 | 00:00:02 | OS Stop/Shutdown #0x20 | Run-time critical stop | Asserted\n"))
	if sel.Entries[0].Class != SELDriveFault || sel.Entries[1].Class != SELOSCriticalStop {
		t.Errorf("%+v", sel.Entries)
	}
}

func TestSELInfoCaptures(t *testing.T) {
	tests := []struct {
		file                   string
		entries, free, percent int
		overflow, full         bool
	}{
		{"ipmitool-issue335-host_sel-info_overflow-true.txt", 64, 0, 100, true, true},
		{"ipmitool-issue277-host_sel-info_12pct-alloc-units.txt", 490, 56682, 12, false, false},
		// OpenBMC: 2 entries, "0 bytes" free, "100%", no allocation lines:
		// not full.
		{"openbmc-wsbmc013_sel-info_100pct-with-2-entries.txt", 2, 0, 100, false, false},
	}
	for _, tt := range tests {
		in, err := ParseSELInfo(bmcRead(t, "selinfo/"+tt.file))
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		got := fmt.Sprint(*in.Entries, *in.FreeBytes, *in.PercentUsed, *in.Overflow, in.Full)
		want := fmt.Sprint(tt.entries, tt.free, tt.percent, tt.overflow, tt.full)
		if got != want || in.Version != "1.5 (v1.5, v2 compliant)" {
			t.Errorf("%s: got %s, want %s (version %q)", tt.file, got, want, in.Version)
		}
	}
	// Allocation lines and 100% with no free space: full even without the
	// overflow flag.
	in, _ := ParseSELInfo([]byte("Entries : 3639\nFree Space : 0 bytes\nPercent Used : 100%\nOverflow : false\n# of Alloc Units : 3639\n"))
	if !in.Full {
		t.Errorf("%+v", in)
	}
	if _, err := ParseSELInfo([]byte("Get SEL Info command failed: Unspecified error\n")); err == nil {
		t.Error("no error")
	}
}

func TestSELPR346Captures(t *testing.T) {
	// "1b5b | 05/27/2022 | 06:12:15 PM CST | Temperature PSU1_Inlet_Temp |
	// Upper Non-critical going high | Deasserted | Reading 52 > Threshold 53 degrees C"
	sel, err := ParseSEL(bmcRead(t, "sel/ipmitool-pr346_sel-elist_12h-clock-pm-cst_threshold-reading.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := SELEntry{ID: "1b5b", Date: "05/27/2022", Time: "06:12:15 PM CST", Timestamp: "2022-05-27T18:12:15", Zone: "CST",
		Sensor: "Temperature PSU1_Inlet_Temp", SensorType: "Temperature", SensorName: "PSU1_Inlet_Temp",
		Event: "Upper Non-critical going high", Direction: "deasserted", Extra: "Reading 52 > Threshold 53 degrees C"}
	if diff := cmp.Diff([]SELEntry{want}, sel.Entries); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Two stderr lines kept in Unparsed; "reserved #0xff" (sensor type 0).
	sel, err = ParseSEL(bmcRead(t, "sel/ipmitool-pr346_sel-list_stderr-mixed_pre-init-reserved-type.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sel.Entries) != 6 || len(sel.Unparsed) != 2 || !strings.HasPrefix(sel.Unparsed[0], "Get SEL Entry 40 command failed") {
		t.Errorf("%d entries, unparsed %q", len(sel.Entries), sel.Unparsed)
	}
	if e := sel.Entries[5]; e.SensorType != "reserved" || e.SensorName != "#0xff" || !e.PreInit || e.Time != "0000000120" {
		t.Errorf("%+v", e)
	}
	// "Battery #0x1f | Failed": not one of the classes.
	sel, _ = ParseSEL(bmcRead(t, "sel/ipmitool-issue335-host_sel-list-first5_battery-failed.txt"))
	if len(sel.Entries) != 5 || sel.Entries[4].ID != "23b" || sel.Entries[4].SensorType != "Battery" || sel.Entries[4].Class != "" {
		t.Errorf("%+v", sel.Entries)
	}
}

func TestClassifySELRules(t *testing.T) {
	// One line per rule family, in ipmitool's wording (include/ipmitool/ipmi_sel.h).
	lines := map[string]string{
		"  1 | 03/01/2024 | 10:00:00 UTC | Processor CPU1 Status | IERR | Asserted":                                                                     SELMachineCheck,
		"  2 | 03/01/2024 | 10:00:00 UTC | Processor CPU2 Status | Thermal Trip | Asserted":                                                             SELThermalTrip,
		"  3 | 03/01/2024 | 10:00:00 UTC | Drive Slot / Bay Drive 3 | Drive Fault | Asserted":                                                           SELDriveFault,
		"  4 | 03/01/2024 | 10:00:00 UTC | Critical Interrupt PCIE Err | Bus Fatal Error | Asserted":                                                    SELPCIeFatal,
		"  5 | 03/01/2024 | 10:00:00 UTC | Event Logging Disabled SEL | Log full | Asserted":                                                            SELLogFull,
		"  6 | 03/01/2024 | 10:00:00 UTC | Power Unit Pwr Unit Status | AC lost | Asserted":                                                             SELPSUFailure,
		"  7 | 03/01/2024 | 10:00:00 UTC | Temperature CPU1 Temp | Upper Non-recoverable going high | Asserted | Reading 105 > Threshold 100 degrees C": SELThermalTrip,
		"  8 | 03/01/2024 | 10:00:00 UTC | Temperature CPU1 Temp | Upper Critical going high | Asserted":                                                "",
		"  9 | 03/01/2024 | 10:00:00 UTC | Processor CPU1 Status | IERR | Deasserted":                                                                   "",
		"  a | Linux kernel panic: Fatal exce":                                                                                                          SELOSCriticalStop,
		"  b | OEM record e0 | 0102030405060708090a0b0c0d":                                                                                              "",
		"  c | 03/01/2024 | 10:00:00 UTC | Memory #0x01 | Correctable ECC | Asserted":                                                                   "",
	}
	for line, want := range lines {
		sel, err := ParseSEL([]byte(line + "\n"))
		if err != nil || len(sel.Entries) != 1 {
			t.Fatalf("%q: %+v %v", line, sel, err)
		}
		if got := sel.Entries[0].Class; got != want {
			t.Errorf("%q: class %q, want %q", line, got, want)
		}
	}
	sel, _ := ParseSEL([]byte("  7 | 03/01/2024 | 10:00:00 UTC | Temperature CPU1 Temp | Upper Non-recoverable going high | Asserted | Reading 105 > Threshold 100 degrees C\n"))
	if e := sel.Entries[0]; e.Timestamp != "2024-03-01T10:00:00Z" || e.Extra != "Reading 105 > Threshold 100 degrees C" {
		t.Errorf("%+v", e)
	}
	if s := SummarizeSEL(append(sel.Entries, SELEntry{Class: SELLogFull})); !s.LogFull {
		t.Error("log full not summarized")
	}
}

func TestSensorsCaptures(t *testing.T) {
	rs, err := ParseSensors(bmcRead(t, "sensors/hp-proliant_sdr-elist-full_psu-failure.txt"))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Reading{}
	for _, r := range rs {
		byName[r.Name] = r
	}
	// "Power Supply 1   | 06h | ok  | 10.1 | 0 Watts, Presence detected, Failure detected"
	want := Reading{Name: "Power Supply 1", ID: "06h", Entity: "10.1", Type: "power", Value: bmcF(0), Unit: "Watts",
		States: []string{"Presence detected", "Failure detected"}, Status: "ok", Severity: "ok",
		Reading: "0 Watts, Presence detected, Failure detected"}
	if diff := cmp.Diff(want, byName["Power Supply 1"]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if r := byName["Fan Block 1"]; r.Type != "percent" || *r.Value != 21.56 || r.States[0] != "Transition to Running" {
		t.Errorf("fan block = %+v", r)
	}
	rs, _ = ParseSensors(bmcRead(t, "sensors/supermicro-sys-4029gp-trt2_sdr-elist_psu-failure.txt"))
	byName = map[string]Reading{}
	for _, r := range rs {
		byName[r.Name] = r
	}
	// "FAN1             | 41h | ok  | 29.1 | 3300 RPM", "P1-DIMMA2 Temp   | B1h | ns  | 32.1 | No Reading"
	if r := byName["FAN1"]; r.Type != "fan" || *r.Value != 3300 || r.Unit != "RPM" || r.FanStopped {
		t.Errorf("FAN1 = %+v", r)
	}
	if r := byName["P1-DIMMA2 Temp"]; r.Value != nil || r.Severity != "no-reading" || r.States != nil || r.Type != "discrete" {
		t.Errorf("P1-DIMMA2 Temp = %+v", r)
	}
	if r := byName["12V"]; r.Type != "voltage" || *r.Value != 12.43 {
		t.Errorf("12V = %+v", r)
	}
}

func TestSensorsStatusAndStoppedFan(t *testing.T) {
	in := "FAN3             | 43h | cr  | 29.3 | 0 RPM\n" +
		"FAN4             | 44h | ns  | 29.4 | No Reading\n" +
		"CPU1 Temp        | 01h | unc | 3.1 | 91 degrees C\n" +
		"Inlet Temp       | 05h | nr  | 7.1 | -3 degrees C\n" +
		"PS1 Status       | C4h | ok  | 10.1 | Presence detected\n"
	rs, err := ParseSensors([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		v := "nil"
		if r.Value != nil {
			v = fmt.Sprint(*r.Value)
		}
		got = append(got, fmt.Sprintf("%s %s %s %s %v %q", r.Name, r.Type, v, r.Severity, r.FanStopped, r.States))
	}
	want := []string{
		`FAN3 fan 0 critical true []`,
		`FAN4 discrete nil no-reading false []`,
		`CPU1 Temp temperature 91 warning false []`,
		`Inlet Temp temperature -3 non-recoverable false []`,
		`PS1 Status discrete nil ok false ["Presence detected"]`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// BenchmarkParseSEL parses a 10,000-entry SEL built from the real records of
// the captures.
func BenchmarkParseSEL(b *testing.B) {
	var lines []string
	for _, f := range []string{"server_sel-elist_psu-ac-lost_redundancy-lost_oem-records_pre-init.txt",
		"supermicro-sys-4029gp-trt2_sel-elist_psu-failure_chassis-intrusion.txt"} {
		for _, l := range strings.Split(string(bmcRead(b, "sel/"+f)), "\n") {
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
	}
	var sb strings.Builder
	for i := 0; i < 10000; i++ {
		sb.WriteString(lines[i%len(lines)])
		sb.WriteByte('\n')
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sel, err := ParseSEL(data)
		if err != nil || len(sel.Entries) != 10000 {
			b.Fatalf("%d entries, %v", len(sel.Entries), err)
		}
		_ = SummarizeSEL(sel.Entries)
	}
}

// FuzzParseBMC runs the mc, lan, sel, sel info and sensor parsers on one input, seeded
// from testdata-bmc.
func FuzzParseBMC(f *testing.F) {
	for dir := range bmcParsers {
		for _, c := range golden.Captures(f, filepath.Join(bmcDir, dir), nil) {
			b, err := os.ReadFile(c)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseMCInfo(data)
		_, _ = ParseLAN(data)
		if in, err := ParseSELInfo(data); err == nil && in.Full && (in.Overflow == nil || !*in.Overflow) &&
			(in.PercentUsed == nil || *in.PercentUsed < 100) {
			t.Fatalf("full without overflow or 100%%: %+v", in)
		}
		if rs, err := ParseSensors(data); err == nil {
			for _, r := range rs {
				if r.FanStopped && (r.Value == nil || *r.Value != 0) {
					t.Fatalf("stopped fan with value %v", r.Value)
				}
			}
		}
		sel, err := ParseSEL(data)
		if err != nil {
			return
		}
		s := SummarizeSEL(sel.Entries)
		if s.Entries != s.Asserted+s.Deasserted+s.OEM {
			t.Fatalf("summary does not add up: %+v", s)
		}
		for _, e := range sel.Entries {
			if e.Class != "" && SELClassSeverity(e.Class) == "" {
				t.Fatalf("class %q has no severity", e.Class)
			}
		}
	})
}
