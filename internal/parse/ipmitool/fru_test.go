package ipmitool

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func intp(n int) *int { return &n }

func mustFRU(t *testing.T, name string) []FRU {
	t.Helper()
	frus, err := ParseFRU(readFixture(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return frus
}

func TestParseFRUDellR640(t *testing.T) {
	frus := mustFRU(t, "dell-r640_fru.txt")
	var descs []string
	for _, f := range frus {
		descs = append(descs, f.Description)
	}
	wantDescs := []string{"Builtin FRU Device (ID 0)", "PS1 (ID 1)", "PS2 (ID 2)", "BP0 (ID 12)",
		"BP1 (ID 13)", "NDC (ID 4)", "PERC1 (ID 10)", "OEM fru (ID 17)"}
	if diff := cmp.Diff(wantDescs, descs); diff != "" {
		t.Errorf("descriptions (-want +got):\n%s", diff)
	}
	want := []FRU{
		{Description: "Builtin FRU Device (ID 0)", Name: "Builtin FRU Device", ID: intp(0), Present: true,
			Fields: map[string]string{
				"Board Mfg Date": "Mon May 18 12:39:00 2020", "Board Mfg": "DELL",
				"Board Product": "PowerEdge R640", "Board Serial": "CNIVC0005G0184",
				"Board Part Number": "06NR82A03", "Product Manufacturer": "DELL",
				"Product Name": "PowerEdge R640", "Product Version": "01",
				"Product Serial": "2RJF153", "Product Asset Tag": "",
			}},
		{Description: "PS1 (ID 1)", Name: "PS1", ID: intp(1), Present: true,
			Fields: map[string]string{
				"Board Mfg Date": "Sat Mar 28 23:17:00 2020", "Board Mfg": "DELL",
				"Board Product": "PWR SPLY,750W,RDNT,DELTA", "Board Serial": "CNDED0003G0NQA",
				"Board Part Number": "05RHVVA03",
			}},
	}
	if diff := cmp.Diff(want, frus[:2]); diff != "" {
		t.Errorf("first two (-want +got):\n%s", diff)
	}
	bp0 := FRU{Description: "BP0 (ID 12)", Name: "BP0", ID: intp(12), Present: false,
		Message: "Device not present (Timeout)", Fields: map[string]string{}}
	if diff := cmp.Diff(bp0, frus[3]); diff != "" {
		t.Errorf("BP0 (-want +got):\n%s", diff)
	}
	// A record with no fields at all is still present.
	oem := FRU{Description: "OEM fru (ID 17)", Name: "OEM fru", ID: intp(17), Present: true, Fields: map[string]string{}}
	if diff := cmp.Diff(oem, frus[7]); diff != "" {
		t.Errorf("OEM fru (-want +got):\n%s", diff)
	}
}

func TestParseFRUEmptyFields(t *testing.T) {
	frus := mustFRU(t, "hp-dl360-g7_fru_empty-fields.txt")
	want := []FRU{{Description: "Builtin FRU Device (ID 0)", Name: "Builtin FRU Device", ID: intp(0), Present: true,
		Fields: map[string]string{
			"Chassis Type": "Rack Mount Chassis", "Chassis Serial": "",
			"Board Mfg Date": "Mon Jan  1 00:00:00 1996", "Board Mfg": "HP",
			"Board Product": "ProLiant DL360 G7", "Board Serial": "", "Board Part Number": "",
			"Product Manufacturer": "HP", "Product Name": "ProLiant DL360 G7",
			"Product Part Number": "", "Product Serial": "", "Product Asset Tag": "",
		}}}
	if diff := cmp.Diff(want, frus); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseFRUHPGen8(t *testing.T) {
	frus := mustFRU(t, "hp-dl360p-gen8_fru.txt")
	if len(frus) != 17 {
		t.Errorf("got %d FRUs, want 17", len(frus))
	}
	nic := frus[13]
	want := FRU{Description: "Ethernet Adptr (ID 2)", Name: "Ethernet Adptr", ID: intp(2), Present: true,
		Fields: map[string]string{
			"Board Mfg Date": "Sun Apr 15 01:40:00 2012", "Board Mfg": "HP",
			"Board Product": "HP Ethernet 1Gb 4-port 331FLR Adapter", "Board Serial": "CN82150W2G",
			"Board Part Number": "634025-001", "Board Extra": "d23041",
			"Product Manufacturer": "HP", "Product Name": "HP Ethernet 1Gb 4-port 331FLR Adapter",
			"Product Part Number": "629135-B21", "Product Version": "00", "Product Serial": "CN82150W2G",
		},
		Repeated: map[string][]string{"Board Extra": {"d23041", "d5629133b001"}},
	}
	if diff := cmp.Diff(want, nic); diff != "" {
		t.Errorf("Ethernet Adptr (-want +got):\n%s", diff)
	}
	// Padded serials are trimmed; DIMM SPD records keep their own field names.
	if got := frus[0].Fields["Chassis Serial"]; got != "USE2236835" {
		t.Errorf("Chassis Serial = %q", got)
	}
	dimm := frus[5]
	if dimm.Name != "CPU 1 DIMM 1" || dimm.Fields["Serial Number"] != "e08f54c1" || dimm.Fields["Part Number"] != "647650-071" {
		t.Errorf("DIMM = %+v", dimm)
	}
	cpu := frus[3]
	if cpu.Fields["Product Name"] != "Intel(R) Xeon(R) CPU E5-2640 0 @ 2.50GHz" {
		t.Errorf("CPU Product Name = %q", cpu.Fields["Product Name"])
	}
	mezz := frus[16]
	if mezz.Present || mezz.Message != "Device not present (Parameter out of range)" || *mezz.ID != 5 {
		t.Errorf("Mezz Slot 2 = %+v", mezz)
	}
}

func TestParseFRUSunRepeatedExtra(t *testing.T) {
	frus := mustFRU(t, "sun-fire-x2200-m2_fru.txt")
	if len(frus) != 20 {
		t.Errorf("got %d FRUs, want 20", len(frus))
	}
	if frus[0].Present || frus[0].Message != "Device not present (Invalid data field in request)" {
		t.Errorf("builtin = %+v", frus[0])
	}
	nic := frus[2]
	if nic.Name != "Broad om NIC0" || nic.Fields["Product Extra"] != "02" {
		t.Errorf("NIC0 = %+v", nic)
	}
	wantExtra := []string{"02", "00:1B:24:5D:60:01", "00:1B:24:5D:60:02"}
	if diff := cmp.Diff(wantExtra, nic.Repeated["Product Extra"]); diff != "" {
		t.Errorf("Product Extra (-want +got):\n%s", diff)
	}
	// A value containing colons (a MAC address) is kept whole.
	if got := nic.Fields["Product Serial"]; got != "00:1B:24:5D:60:01" {
		t.Errorf("Product Serial = %q", got)
	}
}

func TestParseFRUIntel(t *testing.T) {
	frus := mustFRU(t, "intel-s7200ap_fru_psu.txt")
	if len(frus) != 6 {
		t.Fatalf("got %d FRUs, want 6", len(frus))
	}
	want := FRU{Description: "Pwr Supply 2 FRU (ID 3)", Name: "Pwr Supply 2 FRU", ID: intp(3), Present: true,
		Fields: map[string]string{
			"Product Manufacturer": "SAMSUNG ELECTRO-MECHANICS CO.,LTD", "Product Name": "PSSF222201A",
			"Product Part Number": "H66158-007", "Product Version": "01A", "Product Serial": "CNS2221A4SG7Q0944",
		}}
	if diff := cmp.Diff(want, frus[2]); diff != "" {
		t.Errorf("PSU 2 FRU (-want +got):\n%s", diff)
	}
	if got := frus[0].Repeated["Chassis Extra"]; len(got) != 2 || frus[0].Fields["Product Serial"] != "............" {
		t.Errorf("builtin: Chassis Extra %q, Product Serial %q", got, frus[0].Fields["Product Serial"])
	}
	if frus[3].Fields["Board Extra"] != "Field not present" {
		t.Errorf("HS Backplane Board Extra = %q", frus[3].Fields["Board Extra"])
	}
}

// qemu_ipmitool-fru.txt: the BMC simulator's builtin FRU is empty (exit 1).
func TestParseFRUQEMU(t *testing.T) {
	frus := mustFRU(t, "qemu_ipmitool-fru.txt")
	want := []FRU{{Description: "Builtin FRU Device (ID 0)", Name: "Builtin FRU Device", ID: intp(0),
		Present: true, Fields: map[string]string{}}}
	if diff := cmp.Diff(want, frus); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseFRUErrors(t *testing.T) {
	if got, err := ParseFRU([]byte(" \n\n")); got != nil || err != nil {
		t.Errorf("blank input: %v, %v", got, err)
	}
	for _, in := range []string{
		"<html><body>Not Found</body></html>",
		"CPU1 Temp        | 01h | ok  |  3.1 | 27 degrees C\n",
		"Could not open device at /dev/ipmi0 or /dev/ipmi/0 or /dev/ipmidev/0: No such file or directory\n",
		"\x00\xff\xfe",
	} {
		got, err := ParseFRU([]byte(in))
		if err == nil || got != nil || !strings.HasPrefix(err.Error(), "ipmitool: ") {
			t.Errorf("ParseFRU(%q) = %v, %v; want ipmitool: error", in, got, err)
		}
	}
	// A description without "(ID n)" still parses.
	frus, err := ParseFRU([]byte("FRU Device Description : Mystery\n Product Name : X\n"))
	if err != nil || len(frus) != 1 || frus[0].ID != nil || frus[0].Name != "Mystery" || frus[0].Fields["Product Name"] != "X" {
		t.Errorf("no ID: %+v, %v", frus, err)
	}
}

func FuzzParseFRU(f *testing.F) {
	for _, name := range fixtureNames(f) {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		frus, err := ParseFRU(data)
		if err != nil {
			if frus != nil {
				t.Fatal("result with error")
			}
			return
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
		PSUs(frus, nil) // must not panic
	})
}

func fixtureNames(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".txt") {
			names = append(names, e.Name())
		}
	}
	return names
}
