package ipmitool

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustSDR(t *testing.T, name string) []Sensor {
	t.Helper()
	s, err := ParseSDR(readFixture(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseSDRSupermicro(t *testing.T) {
	sensors := mustSDR(t, "supermicro-sys-4029gp-trt2_sdr-elist_psu-failure.txt")
	if len(sensors) != 78 {
		t.Errorf("got %d sensors, want 78", len(sensors))
	}
	want := []Sensor{
		{Name: "CPU1 Temp", ID: "01h", Status: "ok", Entity: "3.1", Reading: "27 degrees C"},
		{Name: "CPU2 Temp", ID: "02h", Status: "ok", Entity: "3.2", Reading: "26 degrees C"},
	}
	if diff := cmp.Diff(want, sensors[:2]); diff != "" {
		t.Errorf("first (-want +got):\n%s", diff)
	}
	want = []Sensor{
		{Name: "P1-DIMMA2 Temp", ID: "B1h", Status: "ns", Entity: "32.1", Reading: "No Reading"},
	}
	if diff := cmp.Diff(want, sensors[16:17]); diff != "" {
		t.Errorf("empty DIMM (-want +got):\n%s", diff)
	}
	want = []Sensor{
		{Name: "PS1 Status", ID: "C4h", Status: "ok", Entity: "10.92", Reading: "Presence detected"},
		{Name: "PS2 Status", ID: "C5h", Status: "ok", Entity: "10.91", Reading: "Presence detected, Failure detected, Power Supply AC lost"},
		{Name: "PS3 Status", ID: "C6h", Status: "ok", Entity: "10.90", Reading: "Presence detected, Failure detected, Power Supply AC lost"},
		{Name: "PS4 Status", ID: "C7h", Status: "ok", Entity: "10.89", Reading: "Presence detected"},
	}
	if diff := cmp.Diff(want, sensors[65:69]); diff != "" {
		t.Errorf("PSU sensors (-want +got):\n%s", diff)
	}
	last := Sensor{Name: "NVMe_SSD Temp", ID: "20h", Status: "ok", Entity: "4.48", Reading: "28 degrees C"}
	if diff := cmp.Diff(last, sensors[len(sensors)-1]); diff != "" {
		t.Errorf("last (-want +got):\n%s", diff)
	}
}

func TestParseSDRHP(t *testing.T) {
	sensors := mustSDR(t, "hp-proliant_sdr-elist-full_psu-failure.txt")
	if len(sensors) != 43 {
		t.Errorf("got %d sensors, want 43", len(sensors))
	}
	want := []Sensor{
		{Name: "VRM 1", ID: "01h", Status: "ok", Entity: "9.1", Reading: "Device Present"},
		{Name: "VRM 2", ID: "02h", Status: "ok", Entity: "9.2", Reading: "Device Present"},
		// Discrete sensor, valid reading, no state asserted; the editor also
		// stripped the trailing space after the last "|".
		{Name: "UID Light", ID: "03h", Status: "ok", Entity: "23.1", Reading: ""},
	}
	if diff := cmp.Diff(want, sensors[:3]); diff != "" {
		t.Errorf("first (-want +got):\n%s", diff)
	}
	want = []Sensor{
		{Name: "Power Supply 1", ID: "06h", Status: "ok", Entity: "10.1", Reading: "0 Watts, Presence detected, Failure detected"},
		{Name: "Power Supply 2", ID: "07h", Status: "ok", Entity: "10.2", Reading: "95 Watts, Presence detected"},
		{Name: "Power Supplies", ID: "08h", Status: "ok", Entity: "10.3", Reading: "Non-Redundant: Sufficient from Redundant"},
	}
	if diff := cmp.Diff(want, sensors[5:8]); diff != "" {
		t.Errorf("power (-want +got):\n%s", diff)
	}
	if got := sensors[16]; got.Name != "Temp 4" || got.Status != "ns" || got.Reading != "Disabled" || got.Entity != "8.1" {
		t.Errorf("Temp 4 = %+v", got)
	}
	// Three-digit instance column ("8.10") widens the column.
	if got := sensors[29]; got.Name != "Temp 17" || got.Entity != "8.10" || got.Reading != "30 degrees C" {
		t.Errorf("Temp 17 = %+v", got)
	}
}

func TestParseSDRQEMU(t *testing.T) {
	sensors := mustSDR(t, "qemu_ipmitool-sdr.txt")
	want := []Sensor{{Name: "Watchdog", ID: "00h", Status: "ok", Entity: "35.1", Reading: ""}}
	if diff := cmp.Diff(want, sensors); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseSDRVariants(t *testing.T) {
	in := "Get HPM.x Capabilities request failed, compcode = d4\n" + // ipmitool chatter
		"PS1 Status       | C4h | ok  | 10.1 | Presence detected\r\n" +
		"                 | 05h | ns  |  0.0 | Event-Only\n" + // record without ID string
		"Inlet Temp       | 09h | ucr |  7.0 | 48 degrees C\n" +
		"CPU1 Temp        | 27 degrees C      | ok\n" // three-column line among five-column ones: skipped
	got, err := ParseSDR([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Sensor{
		{Name: "PS1 Status", ID: "C4h", Status: "ok", Entity: "10.1", Reading: "Presence detected"},
		{Name: "", ID: "05h", Status: "ns", Entity: "0.0", Reading: "Event-Only"},
		{Name: "Inlet Temp", ID: "09h", Status: "ucr", Entity: "7.0", Reading: "48 degrees C"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseSDRErrors(t *testing.T) {
	if got, err := ParseSDR(nil); got != nil || err != nil {
		t.Errorf("empty: %v, %v", got, err)
	}
	for _, in := range []string{
		"CPU1 Temp        | 27 degrees C      |\n| 3300 RPM | ok\nFAN1 | | ok\nFAN2 | 1 | OK\n", // not `sdr list` lines
		"FRU Device Description : Builtin FRU Device (ID 0)\n",
		"a | b | c | d | e\n",
		"<html>|||||</html>",
	} {
		got, err := ParseSDR([]byte(in))
		if err == nil || got != nil || !strings.HasPrefix(err.Error(), "ipmitool: ") {
			t.Errorf("ParseSDR(%q) = %v, %v; want ipmitool: error", in, got, err)
		}
	}
}

func FuzzParseSDR(f *testing.F) {
	for _, name := range fixtureNames(f) {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sensors, err := ParseSDR(data)
		if err != nil {
			if sensors != nil {
				t.Fatal("result with error")
			}
			return
		}
		for _, s := range sensors {
			if _, _, ok := s.entity(); !ok && (s.Entity != "" || s.ID != "") {
				t.Fatalf("bad entity %q", s.Entity)
			}
		}
		psus := PSUs(nil, sensors)
		for _, p := range psus {
			if rank[p.Status] < rank[PSUUnknown] {
				t.Fatalf("bad status %q", p.Status)
			}
		}
		if st, ok := Redundancy(sensors); ok && redundancyRank[st] == 0 {
			t.Fatalf("bad redundancy %q", st)
		}
	})
}
