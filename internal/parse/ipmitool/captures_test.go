package ipmitool

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
	"github.com/google/go-cmp/cmp"
)

// fruCapture and sdrCapture tell the captures of `ipmitool fru` and `ipmitool
// sdr [elist]` by the command in their name; TestCaptures reads only those.
var (
	fruCapture = regexp.MustCompile(`(^|[_-])fru([_.-]|$)`)
	sdrCapture = regexp.MustCompile(`(^|[_-])sdr([_.-]|$)`)
)

// captureResult is what bee derives from one capture: the parsed records and
// the power supplies found in them alone.
type captureResult struct {
	FRUs    []FRU    `json:",omitempty"`
	Sensors []Sensor `json:",omitempty"`
	PSUs    []PSU
}

// TestCaptures parses every `ipmitool fru` and `ipmitool sdr` capture in
// testdata, derives its power supplies, and compares the result with its
// <capture>.golden.json (go test -update rewrites them; review the diff).
// TestCaptureFacts keeps only what each capture was added to prove.
func TestCaptures(t *testing.T) {
	keep := func(p string) bool {
		b := filepath.Base(p)
		return fruCapture.MatchString(b) || sdrCapture.MatchString(b)
	}
	for _, path := range golden.Captures(t, "testdata", keep) {
		name, _ := filepath.Rel("testdata", path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var got captureResult
			if fruCapture.MatchString(filepath.Base(name)) {
				if got.FRUs, err = ParseFRU(data); err != nil {
					t.Fatal(err)
				}
			} else if got.Sensors, err = ParseSDR(data); err != nil {
				t.Fatal(err)
			}
			got.PSUs = PSUs(got.FRUs, got.Sensors)
			golden.JSON(t, path, got)
		})
	}
}

// psuSummary is "PSU1=ok PSU2=ac_lost": the supplies' names and statuses.
func psuSummary(psus []PSU) string {
	var out []string
	for _, p := range psus {
		out = append(out, p.Name+"="+p.Status)
	}
	return strings.Join(out, " ")
}

// What each capture was added to prove (testdata/PROVENANCE.md); the rest of
// its parse is in its golden file.
func TestCaptureFacts(t *testing.T) {
	fru := func(t *testing.T, name string) ([]FRU, []PSU) {
		frus := mustFRU(t, name)
		return frus, PSUs(frus, nil)
	}
	sdr := func(t *testing.T, name string) ([]Sensor, []PSU) {
		sensors := mustSDR(t, name)
		return sensors, PSUs(nil, sensors)
	}
	tests := []struct {
		file  string
		check func(t *testing.T, file string)
	}{
		// Dell PSU FRUs carry only Board fields; an unreadable record is kept with
		// its message; a record with no field at all is still present.
		{"dell-r640_fru.txt", func(t *testing.T, file string) {
			frus, psus := fru(t, file)
			if psus[0].Model != "PWR SPLY,750W,RDNT,DELTA" || psus[0].SerialNumber != "CNDED0003G0NQA" || psus[0].PartNumber != "05RHVVA03" {
				t.Errorf("PSU1 = %+v", psus[0])
			}
			if bp0 := frus[3]; bp0.Present || bp0.Message != "Device not present (Timeout)" {
				t.Errorf("BP0 = %+v", bp0)
			}
			if oem := frus[7]; !oem.Present || len(oem.Fields) != 0 {
				t.Errorf("OEM fru = %+v", oem)
			}
		}},
		// Fields printed with an empty value are kept as "".
		{"hp-dl360-g7_fru_empty-fields.txt", func(t *testing.T, file string) {
			frus, _ := fru(t, file)
			if v, ok := frus[0].Fields["Product Serial"]; !ok || v != "" {
				t.Errorf("Product Serial = %q, %v; want \"\", true", v, ok)
			}
		}},
		// A repeated "Board Extra", DIMM SPD records with their own field names,
		// padded serials trimmed, a "Device not present" record.
		{"hp-dl360p-gen8_fru.txt", func(t *testing.T, file string) {
			frus, _ := fru(t, file)
			if diff := cmp.Diff([]string{"d23041", "d5629133b001"}, frus[13].Repeated["Board Extra"]); diff != "" {
				t.Errorf("Board Extra (-want +got):\n%s", diff)
			}
			if frus[0].Fields["Chassis Serial"] != "USE2236835" || frus[5].Fields["Serial Number"] != "e08f54c1" {
				t.Errorf("Chassis Serial %q, DIMM Serial Number %q", frus[0].Fields["Chassis Serial"], frus[5].Fields["Serial Number"])
			}
		}},
		// A repeated "Product Extra"; a value with colons (a MAC address) kept whole.
		{"sun-fire-x2200-m2_fru.txt", func(t *testing.T, file string) {
			frus, _ := fru(t, file)
			nic := frus[2]
			if diff := cmp.Diff([]string{"02", "00:1B:24:5D:60:01", "00:1B:24:5D:60:02"}, nic.Repeated["Product Extra"]); diff != "" {
				t.Errorf("Product Extra (-want +got):\n%s", diff)
			}
			if nic.Fields["Product Serial"] != "00:1B:24:5D:60:01" {
				t.Errorf("Product Serial = %q", nic.Fields["Product Serial"])
			}
		}},
		// Intel "Pwr Supply n FRU" records with Product fields and a hardware
		// revision in Product Version.
		{"intel-s7200ap_fru_psu.txt", func(t *testing.T, file string) {
			_, psus := fru(t, file)
			if psuSummary(psus) != "PSU1=unknown PSU2=unknown" || psus[1].SerialNumber != "CNS2221A4SG7Q0944" || psus[1].Version != "01A" {
				t.Errorf("PSUs = %+v", psus)
			}
		}},
		// The BMC simulator's builtin FRU is empty (ipmitool exits 1).
		{"qemu_ipmitool-fru.txt", func(t *testing.T, file string) {
			frus, psus := fru(t, file)
			if len(frus) != 1 || !frus[0].Present || len(frus[0].Fields) != 0 || psus != nil {
				t.Errorf("FRUs %+v, PSUs %+v", frus, psus)
			}
		}},
		// PS2's FRU reads "Device not present (Timeout)": absent; a value keeps its colons.
		{"dell-r630_fru_ps2-not-present.txt", func(t *testing.T, file string) {
			frus, psus := fru(t, file)
			if psuSummary(psus) != "PSU1=unknown PSU2=absent" {
				t.Errorf("PSUs = %s", psuSummary(psus))
			}
			if got := frus[6].Fields["Board Mfg Date"]; got != "Wed Oct  5 14:00:00 2016" {
				t.Errorf("PERC1 Board Mfg Date = %q", got)
			}
		}},
		// "FRU Device Description : iDRAC7          ": no "(ID n)", trailing blanks.
		{"dell-r720xd_fru_idrac7-no-id.txt", func(t *testing.T, file string) {
			frus, _ := fru(t, file)
			if f := frus[1]; f.Description != "iDRAC7" || f.ID != nil || f.Name != "iDRAC7" {
				t.Errorf("iDRAC7 record = %+v", f)
			}
		}},
		// Output that starts with the PSU records (no builtin FRU).
		{"dell_fru_two-psu-only.txt", func(t *testing.T, file string) {
			if _, psus := fru(t, file); psuSummary(psus) != "PSU1=unknown PSU2=unknown" {
				t.Errorf("PSUs = %s", psuSummary(psus))
			}
		}},
		// A record named by the BMC chip ("AST2300-1") is not a supply.
		{"ast2300-bmc_fru_no-psu.txt", func(t *testing.T, file string) {
			if frus, psus := fru(t, file); len(frus) != 2 || psus != nil {
				t.Errorf("%d FRUs, PSUs %+v", len(frus), psus)
			}
		}},
		// PS2 and PS3 "Presence detected, Failure detected, Power Supply AC lost":
		// AC lost wins; entity instances 92..89 for PS1..PS4; no redundancy sensor.
		{"supermicro-sys-4029gp-trt2_sdr-elist_psu-failure.txt", func(t *testing.T, file string) {
			if _, psus := sdr(t, file); psuSummary(psus) != "PSU1=ok PSU2=ac_lost PSU3=ac_lost PSU4=ok" {
				t.Errorf("PSUs = %s", psuSummary(psus))
			}
		}},
		{"supermicro-sys-4029gp-trt2_sdr-elist_psu-ok.txt", func(t *testing.T, file string) {
			if _, psus := sdr(t, file); psuSummary(psus) != "PSU1=ok PSU2=ok PSU3=ok PSU4=ok" {
				t.Errorf("PSUs = %s", psuSummary(psus))
			}
		}},
		// "Power Supply 1 | 0 Watts, Presence detected, Failure detected"; "Power
		// Supplies" (10.3) is the redundancy sensor and "Temp 12"/"Temp 13" (10.4,
		// 10.5) are temperatures: neither becomes a supply. A discrete sensor with
		// no state asserted reads "" (the editor stripped the trailing blank).
		{"hp-proliant_sdr-elist-full_psu-failure.txt", func(t *testing.T, file string) {
			sensors, psus := sdr(t, file)
			if psuSummary(psus) != "PSU1=failed PSU2=ok" {
				t.Errorf("PSUs = %s", psuSummary(psus))
			}
			if s := sensors[2]; s.Name != "UID Light" || s.Reading != "" || s.Status != "ok" {
				t.Errorf("UID Light = %+v", s)
			}
		}},
		// Huawei iBMC: "PS1 Status" empty on a healthy supply, presence on "PS1
		// Presence"; entity instances up to three digits ("32.100").
		{"huawei-rh2288-v3_sdr-elist_empty-ps-status.txt", func(t *testing.T, file string) {
			sensors, psus := sdr(t, file)
			if psuSummary(psus) != "PSU1=ok PSU2=ok" {
				t.Errorf("PSUs = %s", psuSummary(psus))
			}
			if s := sensors[53]; s.Name != "DIMM011" || s.Entity != "32.100" {
				t.Errorf("sensor 53 = %+v", s)
			}
		}},
		// Dell iDRAC 9: supply sensors named just "Presence" and "Status" on entity
		// 10.1/10.2, joined with "PSn PG FAIL"; the file ends without a newline.
		{"dell-r740_sdr-elist_datakit.txt", func(t *testing.T, file string) {
			sensors, psus := sdr(t, file)
			if psuSummary(psus) != "PSU1=ok PSU2=ok" {
				t.Errorf("PSUs = %s", psuSummary(psus))
			}
			if diff := cmp.Diff([]string{"PS2 PG FAIL", "Presence", "Current 2", "Voltage 2", "Status"}, psus[1].Sensors); diff != "" {
				t.Errorf("PSU2 sensors (-want +got):\n%s", diff)
			}
			if last := sensors[len(sensors)-1]; last.Name != "CPU Internal Err" || last.Reading != "No Reading" {
				t.Errorf("last sensor = %+v", last)
			}
		}},
		// Three-column `ipmitool sdr`: Dell prints "0x00" for every discrete
		// sensor, so the supplies are known by name but not their state.
		{"dell-r740_sdr-list_3col_datakit.txt", func(t *testing.T, file string) {
			sensors, psus := sdr(t, file)
			if psuSummary(psus) != "PSU1=unknown PSU2=unknown" {
				t.Errorf("PSUs = %s", psuSummary(psus))
			}
			if diff := cmp.Diff(Sensor{Name: "DIMM PG", Status: "ok", Reading: "0x00"}, sensors[3]); diff != "" {
				t.Errorf("sensor 3 (-want +got):\n%s", diff)
			}
		}},
		// The BMC simulator: only a watchdog sensor, no supply.
		{"qemu_ipmitool-sdr.txt", func(t *testing.T, file string) {
			if sensors, psus := sdr(t, file); len(sensors) != 1 || sensors[0].Name != "Watchdog" || psus != nil {
				t.Errorf("sensors %+v, PSUs %+v", sensors, psus)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) { tt.check(t, tt.file) })
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

// FuzzParse runs both parsers and PSUs on the same input, seeded from the
// captures.
func FuzzParse(f *testing.F) {
	for _, path := range golden.Captures(f, "testdata", nil) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		frus, err := ParseFRU(data)
		if err != nil && frus != nil {
			t.Fatal("FRU result with error")
		}
		for _, fr := range frus {
			if fr.Fields == nil {
				t.Fatal("nil Fields")
			}
			for k, vs := range fr.Repeated {
				if len(vs) < 2 || fr.Fields[k] != vs[0] {
					t.Fatalf("Repeated[%q] = %q, Fields = %q", k, vs, fr.Fields[k])
				}
			}
		}
		sensors, err := ParseSDR(data)
		if err != nil && sensors != nil {
			t.Fatal("SDR result with error")
		}
		for _, s := range sensors {
			if _, _, ok := s.entity(); !ok && (s.Entity != "" || s.ID != "") {
				t.Fatalf("bad entity %q", s.Entity)
			}
		}
		for _, p := range PSUs(frus, sensors) {
			if rank[p.Status] < rank[PSUUnknown] {
				t.Fatalf("bad status %q", p.Status)
			}
		}
	})
}
