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
