package ipmitool

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Dell-style SDR: status sensors are named just "Status" on entity 10.1/10.2,
// joined with the PS1/PS2 FRUs by entity instance.
func TestPSUsDellFRUAndSDR(t *testing.T) {
	sdr := "PS Redundancy    | 77h | ok  |  7.1 | Fully Redundant\n" +
		"Status           | 85h | ok  | 10.1 | Presence detected\n" +
		"Status           | 86h | ok  | 10.2 | Presence detected, Power Supply AC lost\n" +
		"Current 1        | 6Ah | ok  | 10.1 | 0.60 Amps\n" +
		"Voltage 2        | 6Dh | ok  | 10.2 | 0 Volts\n"
	sensors, err := ParseSDR([]byte(sdr))
	if err != nil {
		t.Fatal(err)
	}
	got := PSUs(mustFRU(t, "dell-r640_fru.txt"), sensors)
	want := []PSU{
		{Name: "PSU1", Slot: intp(1), Manufacturer: "DELL", Model: "PWR SPLY,750W,RDNT,DELTA",
			SerialNumber: "CNDED0003G0NQA", PartNumber: "05RHVVA03", FRU: "PS1 (ID 1)", Status: PSUOK,
			Events: []string{"Status: Presence detected"}, Sensors: []string{"Status", "Current 1"}},
		{Name: "PSU2", Slot: intp(2), Manufacturer: "DELL", Model: "PWR SPLY,750W,RDNT,DELTA",
			SerialNumber: "CNDED0003G0O0P", PartNumber: "05RHVVA03", FRU: "PS2 (ID 2)", Status: PSUACLost,
			Events:  []string{"Status: Presence detected, Power Supply AC lost"},
			Sensors: []string{"Status", "Voltage 2"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// FRU files with no power-supply record must not produce supplies, whatever
// their other records are (empty fields, DIMM SPD, NICs, "not present").
func TestPSUsNoJunk(t *testing.T) {
	for _, name := range []string{
		"hp-dl360-g7_fru_empty-fields.txt", "hp-dl360p-gen8_fru.txt",
		"sun-fire-x2200-m2_fru.txt", "qemu_ipmitool-fru.txt",
	} {
		if got := PSUs(mustFRU(t, name), nil); got != nil {
			t.Errorf("%s: PSUs = %+v, want none", name, got)
		}
	}
	if got := PSUs(nil, mustSDR(t, "qemu_ipmitool-sdr.txt")); got != nil {
		t.Errorf("qemu sdr: PSUs = %+v, want none", got)
	}
	if got := PSUs(nil, nil); got != nil {
		t.Errorf("nil inputs: %+v", got)
	}
}

func TestPSUsAbsentAndEdgeCases(t *testing.T) {
	notPresentFRU := "FRU Device Description : PS1 (ID 1)\n Board Mfg : DELL\n Board Serial : CNDED0003G0NQA\n\n" +
		"FRU Device Description : PS2 (ID 2)\n Device not present (Timeout)\n"
	frus, err := ParseFRU([]byte(notPresentFRU))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		frus []FRU
		sdr  string
		want []PSU
	}{
		{
			name: "ns status, no FRU: the empty bay of a redundant pair",
			sdr: "PS1 Status       | C4h | ok  | 10.1 | Presence detected\n" +
				"PS2 Status       | C5h | ns  | 10.2 | No Reading\n",
			want: []PSU{
				{Name: "PSU1", Slot: intp(1), Status: PSUOK, Events: []string{"PS1 Status: Presence detected"}, Sensors: []string{"PS1 Status"}},
				{Name: "PSU2", Slot: intp(2), Status: PSUAbsent, Events: []string{"PS2 Status: No Reading"}, Sensors: []string{"PS2 Status"}},
			},
		},
		{
			name: "ns status but the FRU reads a serial: unknown, not absent",
			frus: frus,
			sdr:  "PS1 Status       | C4h | ns  | 10.1 | Disabled\n",
			want: []PSU{
				{Name: "PSU1", Slot: intp(1), Manufacturer: "DELL", SerialNumber: "CNDED0003G0NQA", FRU: "PS1 (ID 1)",
					Status: PSUUnknown, Events: []string{"PS1 Status: Disabled"}, Sensors: []string{"PS1 Status"}},
				{Name: "PSU2", Slot: intp(2), FRU: "PS2 (ID 2)", Status: PSUAbsent,
					Events: []string{"FRU PS2 (ID 2): Device not present (Timeout)"}},
			},
		},
		{
			name: "status sensor with no state asserted: presence not detected",
			sdr:  "PSU2 Status      | 71h | ok  | 10.2 |\nPSU2 Temp        | 72h | ok  | 10.2 | 31 degrees C\n",
			want: []PSU{{Name: "PSU2", Slot: intp(2), Status: PSUAbsent,
				Events: []string{"PSU2 Status: (no state asserted)"}, Sensors: []string{"PSU2 Status", "PSU2 Temp"}}},
		},
		{
			name: "predictive failure and config error; analog-only supply is unknown",
			sdr: "PS1 Status       | 01h | ok  | 10.1 | Presence detected, Predictive failure\n" +
				"PS2 Status       | 02h | ok  | 10.2 | Presence detected, Config Error\n" +
				"PS3 Input Power  | 03h | ok  | 10.3 | 240 Watts\n" +
				"PS3 Temp         | 04h | cr  | 10.3 | 95 degrees C\n",
			want: []PSU{
				{Name: "PSU1", Slot: intp(1), Status: PSUPredictiveFailure,
					Events: []string{"PS1 Status: Presence detected, Predictive failure"}, Sensors: []string{"PS1 Status"}},
				{Name: "PSU2", Slot: intp(2), Status: PSUFailed,
					Events: []string{"PS2 Status: Presence detected, Config Error"}, Sensors: []string{"PS2 Status"}},
				{Name: "PSU3", Slot: intp(3), Status: PSUUnknown, Sensors: []string{"PS3 Input Power", "PS3 Temp"}},
			},
		},
		{
			name: "AC out-of-range, but present; event-only record ignored",
			sdr: "PS1 Status       | 01h | ok  | 10.1 | Presence detected, AC out-of-range, but present\n" +
				"PS1 Event        | 02h | ns  | 10.1 | Event-Only\n",
			want: []PSU{{Name: "PSU1", Slot: intp(1), Status: PSUACLost,
				Events:  []string{"PS1 Status: Presence detected, AC out-of-range, but present"},
				Sensors: []string{"PS1 Status", "PS1 Event"}}},
		},
		{
			name: "unnamed entity-10 sensors starting at instance 0",
			sdr: "Status           | 60h | ok  | 10.0 | Presence detected\n" +
				"Status           | 61h | ok  | 10.1 | Failure detected, Presence detected\n",
			want: []PSU{
				{Name: "PSU1", Slot: intp(1), Status: PSUOK, Events: []string{"Status: Presence detected"}, Sensors: []string{"Status"}},
				{Name: "PSU2", Slot: intp(2), Status: PSUFailed, Events: []string{"Status: Failure detected, Presence detected"}, Sensors: []string{"Status"}},
			},
		},
		{
			name: "generic asserted/deasserted and severity sensors",
			sdr: "PS1 Status       | 01h | ok  | 10.1 | Presence detected\n" +
				"PS1 Fan Fail     | 02h | ok  | 10.1 | State Deasserted\n" +
				"PS2 Status       | 03h | ok  | 10.2 | Presence detected\n" +
				"PS2 Fan Fail     | 04h | ok  | 10.2 | State Asserted\n" +
				"PS3 Health       | 05h | ok  | 10.3 | Transition to Critical from less severe\n",
			want: []PSU{
				{Name: "PSU1", Slot: intp(1), Status: PSUOK,
					Events: []string{"PS1 Status: Presence detected"}, Sensors: []string{"PS1 Status", "PS1 Fan Fail"}},
				{Name: "PSU2", Slot: intp(2), Status: PSUFailed,
					Events:  []string{"PS2 Status: Presence detected", "PS2 Fan Fail: State Asserted"},
					Sensors: []string{"PS2 Status", "PS2 Fan Fail"}},
				{Name: "PSU3", Slot: intp(3), Status: PSUFailed,
					Events: []string{"PS3 Health: Transition to Critical from less severe"}, Sensors: []string{"PS3 Health"}},
			},
		},
		{
			name: "names that are not supplies",
			sdr: "CPU1 Temp        | 01h | ok  |  3.1 | 40 degrees C\n" +
				"PSB Temp         | 02h | ok  |  7.1 | 40 degrees C\n" +
				"GPS Status       | 03h | ok  |  7.2 | Device Present\n" +
				"Fan Redundancy   | 04h | ok  |  7.3 | Fully Redundant\n" +
				"Power Meter      | 05h | ok  |  7.4 | 100 Watts\n",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sensors, err := ParseSDR([]byte(tt.sdr))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, PSUs(tt.frus, sensors)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestPSUNumber(t *testing.T) {
	tests := []struct {
		name  string
		named bool
		num   string
	}{
		{"PS1 Status", true, "1"},
		{"PSU2", true, "2"},
		{"PS_3 Temp", true, "3"},
		{"Power Supply 1", true, "1"},
		{"Pwr Supply 2 FRU", true, "2"},
		{"PWS 01", true, "1"},
		{"PS Redundancy", true, ""},
		{"Power Supplies", false, ""},
		{"PSB Temp", false, ""},
		{"CPU1 Temp", false, ""},
		{"GPS", false, ""},
		{"P1-DIMMA1 Temp", false, ""},
		{"PERC1", false, ""},
	}
	for _, tt := range tests {
		named, num := psuNumber(tt.name)
		if named != tt.named || num != tt.num {
			t.Errorf("psuNumber(%q) = %v, %q; want %v, %q", tt.name, named, num, tt.named, tt.num)
		}
	}
}
