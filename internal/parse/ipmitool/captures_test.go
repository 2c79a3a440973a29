package ipmitool

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Tests on the captures added with testdata/PROVENANCE.md's "More captures"
// section. Every expected value was read by hand from the raw file.

func TestCaptureFRUDellR630PS2NotPresent(t *testing.T) {
	frus := mustFRU(t, "dell-r630_fru_ps2-not-present.txt")
	if len(frus) != 8 {
		t.Fatalf("%d FRU records, want 8", len(frus))
	}
	builtin := FRU{Description: "Builtin FRU Device (ID 0)", Name: "Builtin FRU Device", ID: intp(0), Present: true,
		Fields: map[string]string{
			"Board Mfg Date": "Thu Dec 28 03:40:00 2017", "Board Mfg": "DELL",
			"Board Product": "PowerEdge R630", "Board Serial": "CNIVC007CQ1846",
			"Board Part Number": "02C2CPA07", "Product Manufacturer": "DELL",
			"Product Name": "PowerEdge R630", "Product Version": "01", "Product Serial": "2WF88P2",
		}}
	if diff := cmp.Diff(builtin, frus[0]); diff != "" {
		t.Errorf("builtin (-want +got):\n%s", diff)
	}
	// "Board Mfg Date : Wed Oct  5 14:00:00 2016": the value keeps its colons.
	if got := frus[6].Fields["Board Mfg Date"]; got != "Wed Oct  5 14:00:00 2016" {
		t.Errorf("PERC1 Board Mfg Date = %q", got)
	}
	want := []PSU{
		{Name: "PSU1", Slot: intp(1), Manufacturer: "DELL", Model: "PWR SPLY,495W,RDNT,DELTA",
			SerialNumber: "CNDED0081G03X8", PartNumber: "0GRTNKA02", FRU: "PS1 (ID 1)", Status: PSUUnknown},
		{Name: "PSU2", Slot: intp(2), FRU: "PS2 (ID 2)", Status: PSUAbsent,
			Events: []string{"FRU PS2 (ID 2): Device not present (Timeout)"}},
	}
	if diff := cmp.Diff(want, PSUs(frus, nil)); diff != "" {
		t.Errorf("PSUs (-want +got):\n%s", diff)
	}
}

func TestCaptureFRUDellR720xdDescriptionWithoutID(t *testing.T) {
	frus := mustFRU(t, "dell-r720xd_fru_idrac7-no-id.txt")
	var descs []string
	for _, f := range frus {
		descs = append(descs, f.Description)
	}
	// "FRU Device Description : iDRAC7          ": no "(ID n)", trailing blanks.
	wantDescs := []string{"Builtin FRU Device (ID 0)", "iDRAC7", "PS1 (ID 1)", "PS2 (ID 2)", "BP0 (ID 12)",
		"BP1 (ID 13)", "NDC (ID 4)", "PERC1 (ID 10)", "OEM fru (ID 17)"}
	if diff := cmp.Diff(wantDescs, descs); diff != "" {
		t.Errorf("descriptions (-want +got):\n%s", diff)
	}
	if frus[1].ID != nil || frus[1].Name != "iDRAC7" || frus[1].Fields["Product Serial"] != "7PPDY12" {
		t.Errorf("iDRAC7 record = %+v", frus[1])
	}
	if got := frus[0].Fields["Product Name"]; got != "PowerEdge R720xd" {
		t.Errorf("Product Name = %q", got)
	}
	want := []PSU{
		{Name: "PSU1", Slot: intp(1), Manufacturer: "DELL", Model: "PWR SPLY,750WP,RDNT,DELTA",
			SerialNumber: "CN1797246N1D4J", PartNumber: "09PXCVA00", FRU: "PS1 (ID 1)", Status: PSUUnknown},
		{Name: "PSU2", Slot: intp(2), Manufacturer: "DELL", Model: "PWR SPLY,750WP,RDNT,DELTA",
			SerialNumber: "CN1797246N1D04", PartNumber: "09PXCVA00", FRU: "PS2 (ID 2)", Status: PSUUnknown},
	}
	if diff := cmp.Diff(want, PSUs(frus, nil)); diff != "" {
		t.Errorf("PSUs (-want +got):\n%s", diff)
	}
}

func TestCaptureFRUPSUOnly(t *testing.T) {
	// Output that starts with the PSU records (no builtin FRU).
	got := PSUs(mustFRU(t, "dell_fru_two-psu-only.txt"), nil)
	want := []PSU{
		{Name: "PSU1", Slot: intp(1), Manufacturer: "DELL", Model: "PWR SPLY,750WP,RDNT,DELTA",
			SerialNumber: "CN1797238QA8EI", PartNumber: "05NF18A01", FRU: "PS1 (ID 1)", Status: PSUUnknown},
		{Name: "PSU2", Slot: intp(2), Manufacturer: "DELL", Model: "PWR SPLY,750WP,RDNT,DELTA",
			SerialNumber: "CN1797238QA8B4", PartNumber: "05NF18A01", FRU: "PS2 (ID 2)", Status: PSUUnknown},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCaptureFRUNoPSU(t *testing.T) {
	// An AST2300 BMC's FRU: no Board Mfg, a second record named by the BMC
	// chip ("AST2300-1       ") and no power supply; "AST2300" must not be
	// taken for a supply.
	frus := mustFRU(t, "ast2300-bmc_fru_no-psu.txt")
	want := []FRU{
		{Description: "Builtin FRU Device (ID 0)", Name: "Builtin FRU Device", ID: intp(0), Present: true,
			Fields: map[string]string{"Chassis Type": "Main Server Chassis", "Board Mfg Date": "Tue Mar 20 16:00:00 2012",
				"Board Serial": "37030-1513-00248", "Board Part Number": "B48-STI2F03G00C01A"}},
		{Description: "AST2300-1", Name: "AST2300-1", Present: true,
			Fields: map[string]string{"Chassis Type": "Main Server Chassis", "Board Mfg Date": "Tue Mar 20 16:00:00 2012",
				"Board Serial": "37030-1513-00248", "Board Part Number": "B48-STI2F03G00C01A"}},
	}
	if diff := cmp.Diff(want, frus); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := PSUs(frus, nil); got != nil {
		t.Errorf("PSUs = %+v, want none", got)
	}
}

func TestCaptureSDRHuaweiEmptyStatus(t *testing.T) {
	// Huawei iBMC (RH2288 V3): "PS1 Status" and "PS1 Fan Status" read empty
	// (no failure asserted) on healthy supplies, presence is on "PS1
	// Presence" (entity 7.96, "Device Present"); entity instances start at
	// 96; the redundancy sensor is on entity 11.102 with an empty reading.
	sensors := mustSDR(t, "huawei-rh2288-v3_sdr-elist_empty-ps-status.txt")
	if len(sensors) != 146 {
		t.Errorf("%d sensors, want 146", len(sensors))
	}
	// Line 54: a three-digit entity instance.
	wantSensor := Sensor{Name: "DIMM011", ID: "36h", Status: "ns", Entity: "32.100", Reading: "No Reading"}
	if diff := cmp.Diff(wantSensor, sensors[53]); diff != "" {
		t.Errorf("sensor 53 (-want +got):\n%s", diff)
	}
	want := []PSU{
		{Name: "PSU1", Slot: intp(1), Status: PSUOK,
			Events:  []string{"PS1 Presence: Device Present", "PS1 Status: (no state asserted)", "PS1 Fan Status: (no state asserted)"},
			Sensors: []string{"Power1", "PS1 Presence", "PS1 Status", "PS1 Fan Status"}},
		{Name: "PSU2", Slot: intp(2), Status: PSUOK,
			Events:  []string{"PS2 Presence: Device Present", "PS2 Status: (no state asserted)", "PS2 Fan Status: (no state asserted)"},
			Sensors: []string{"Power2", "PS2 Presence", "PS2 Status", "PS2 Fan Status"}},
	}
	if diff := cmp.Diff(want, PSUs(nil, sensors)); diff != "" {
		t.Errorf("PSUs (-want +got):\n%s", diff)
	}
	if st, ok := Redundancy(sensors); st != RedundancyUnknown || !ok {
		t.Errorf("Redundancy = %q, %v; want unknown, true", st, ok)
	}
}

func TestCaptureSDRDellR740Elist(t *testing.T) {
	// Dell iDRAC 9: supply sensors named just "Presence" ("Present") and
	// "Status" ("Presence detected") on entity 10.1/10.2, "PSn PG FAIL" on
	// the system board, current and voltage per supply on entity 10.
	sensors := mustSDR(t, "dell-r740_sdr-elist_datakit.txt")
	if len(sensors) != 199 {
		t.Errorf("%d sensors, want 199", len(sensors))
	}
	// The file ends without a newline.
	last := Sensor{Name: "CPU Internal Err", ID: "09h", Status: "ns", Entity: "34.1", Reading: "No Reading"}
	if diff := cmp.Diff(last, sensors[len(sensors)-1]); diff != "" {
		t.Errorf("last sensor (-want +got):\n%s", diff)
	}
	want := []PSU{
		{Name: "PSU1", Slot: intp(1), Status: PSUOK,
			Events:  []string{"Presence: Present", "Status: Presence detected"},
			Sensors: []string{"PS1 PG FAIL", "Presence", "Current 1", "Voltage 1", "Status"}},
		{Name: "PSU2", Slot: intp(2), Status: PSUOK,
			Events:  []string{"Presence: Present", "Status: Presence detected"},
			Sensors: []string{"PS2 PG FAIL", "Presence", "Current 2", "Voltage 2", "Status"}},
	}
	if diff := cmp.Diff(want, PSUs(nil, sensors)); diff != "" {
		t.Errorf("PSUs (-want +got):\n%s", diff)
	}
	if st, ok := Redundancy(sensors); st != RedundancyFull || !ok {
		t.Errorf("Redundancy = %q, %v; want full, true", st, ok)
	}
}

func TestCaptureSDRDellR740List(t *testing.T) {
	// Plain `ipmitool sdr` (three columns) on the same model: Dell prints
	// "0x00" for every discrete sensor, so the supplies are known by name
	// ("PS1 PG FAIL") but not their state.
	sensors := mustSDR(t, "dell-r740_sdr-list_3col_datakit.txt")
	if len(sensors) != 199 {
		t.Errorf("%d sensors, want 199", len(sensors))
	}
	wantFirst := []Sensor{
		{Name: "Temp", Status: "ok", Reading: "36 degrees C"},
		{Name: "Temp", Status: "ok", Reading: "45 degrees C"},
		{Name: "Inlet Temp", Status: "ok", Reading: "24 degrees C"},
		{Name: "DIMM PG", Status: "ok", Reading: "0x00"},
	}
	if diff := cmp.Diff(wantFirst, sensors[:4]); diff != "" {
		t.Errorf("first sensors (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Sensor{Name: "Power Cable", Status: "ns", Reading: "Not Readable"}, sensors[51]); diff != "" {
		t.Errorf("sensor 51 (-want +got):\n%s", diff)
	}
	want := []PSU{
		{Name: "PSU1", Slot: intp(1), Status: PSUUnknown, Sensors: []string{"PS1 PG FAIL"}},
		{Name: "PSU2", Slot: intp(2), Status: PSUUnknown, Sensors: []string{"PS2 PG FAIL"}},
	}
	if diff := cmp.Diff(want, PSUs(nil, sensors)); diff != "" {
		t.Errorf("PSUs (-want +got):\n%s", diff)
	}
	if st, ok := Redundancy(sensors); st != RedundancyUnknown || !ok {
		t.Errorf("Redundancy = %q, %v; want unknown, true", st, ok)
	}
}

func TestPSUsSDRListHexStates(t *testing.T) {
	// `ipmitool sdr` on a Supermicro BMC, which mirrors the power supply
	// state bits into the reading byte: 0x01 presence, 0x0b presence +
	// failure + AC lost (cord pulled). Lines as printed by ipmitool.
	sdr := "PS1 Status       | 0x0b             | ok\n" +
		"PS2 Status       | 0x01              | ok\n" +
		"PS3 Status       | no reading        | ns\n" +
		"PS4 Status       | 0x00              | ok\n" +
		"PS5 Status       | 0x03              | ok\n" +
		"CPU1 Temp        | 42 degrees C      | ok\n"
	sensors, err := ParseSDR([]byte(sdr))
	if err != nil {
		t.Fatal(err)
	}
	want := []PSU{
		{Name: "PSU1", Slot: intp(1), Status: PSUACLost,
			Events:  []string{"PS1 Status: 0x0b (Presence detected, Failure detected, Power Supply AC lost)"},
			Sensors: []string{"PS1 Status"}},
		{Name: "PSU2", Slot: intp(2), Status: PSUOK,
			Events: []string{"PS2 Status: 0x01 (Presence detected)"}, Sensors: []string{"PS2 Status"}},
		{Name: "PSU3", Slot: intp(3), Status: PSUAbsent,
			Events: []string{"PS3 Status: no reading"}, Sensors: []string{"PS3 Status"}},
		{Name: "PSU4", Slot: intp(4), Status: PSUUnknown,
			Events: []string{"PS4 Status: 0x00"}, Sensors: []string{"PS4 Status"}},
		{Name: "PSU5", Slot: intp(5), Status: PSUFailed,
			Events: []string{"PS5 Status: 0x03 (Presence detected, Failure detected)"}, Sensors: []string{"PS5 Status"}},
	}
	if diff := cmp.Diff(want, PSUs(nil, sensors)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPSUsEmptyStatusWithPresence(t *testing.T) {
	// An empty status reading is absent only when nothing else speaks for the
	// supply; a separate presence or failure sensor decides otherwise.
	sdr := "PS1 Presence     | 31h | ok  |  7.96 | Device Present\n" +
		"PS2 Presence     | 32h | ok  |  7.96 | Device Absent\n" +
		"PS1 Status       | 8Fh | ok  | 10.96 |\n" +
		"PS2 Status       | 91h | ok  | 10.97 |\n" +
		"PS3 Status       | 93h | ok  | 10.98 |\n" +
		"PS4 Status       | 95h | ok  | 10.99 | Failure detected\n" +
		"PS4 Presence     | 96h | ok  |  7.96 | Device Present\n"
	sensors, err := ParseSDR([]byte(sdr))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range PSUs(nil, sensors) {
		got = append(got, p.Name+"="+p.Status)
	}
	want := []string{"PSU1=ok", "PSU2=absent", "PSU3=absent", "PSU4=failed"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
