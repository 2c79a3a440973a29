package dmidecode

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ip(v int) *int      { return &v }
func i64(v int64) *int64 { return &v }
func gib(n int64) *int64 { return i64(n << 30) }
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t *testing.T, name string) []Record {
	t.Helper()
	recs, err := Parse(readFixture(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return recs
}

// recordByHandle returns the record with the given handle.
func recordByHandle(t *testing.T, recs []Record, handle string) Record {
	t.Helper()
	for _, r := range recs {
		if r.Handle == handle {
			return r
		}
	}
	t.Fatalf("no record with handle %s", handle)
	return Record{}
}

// TestHeaderVariants: the first and last records of files with different
// header layouts, so that no header line is taken for a record and none is
// lost.
func TestHeaderVariants(t *testing.T) {
	tests := []struct {
		file                    string
		firstHandle, firstTitle string
		firstType               int
		lastHandle, lastTitle   string
		lastType                int
	}{
		// "# SMBIOS implementations newer than version 3.0 are not" comment.
		{"dell-poweredge-r640_glpi_2cpu_24slots_16empty.txt", "0xDA00", "OEM-specific Type", 218, "0xFEFF", "End Of Table", 127},
		// "Reading SMBIOS/DMI data from file ...".
		{"vmware-virtual-platform_from-dump.txt", "0x0000", "BIOS Information", 0, "0x026B", "End Of Table", 127},
		// dmidecode 3.6, OEM type first.
		{"hpe-proliant-dl380-gen10_2cpu_24dimms.txt", "0x0000", "HPE ProLiant Super IO Enable/Disable Indicator", 194, "0xFEFF", "End Of Table", 127},
		// Cut out of nvidia-bug-report.log.
		{"supermicro-sys-4029gp-trt2_8gpu_from-nvidia-bug-report.txt", "0x0000", "BIOS Information", 0, "0x006B", "End Of Table", 127},
		// A -t selection: no End Of Table.
		{"qemu/dmidecode-t17.txt", "0x1100", "Memory Device", 17, "0x1100", "Memory Device", 17},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			recs := mustParse(t, tc.file)
			first, last := recs[0], recs[len(recs)-1]
			if first.Handle != tc.firstHandle || first.Title != tc.firstTitle || first.Type != tc.firstType {
				t.Errorf("first = %s %q type %d, want %s %q type %d", first.Handle, first.Title, first.Type, tc.firstHandle, tc.firstTitle, tc.firstType)
			}
			if last.Handle != tc.lastHandle || last.Title != tc.lastTitle || last.Type != tc.lastType {
				t.Errorf("last = %s %q type %d, want %s %q type %d", last.Handle, last.Title, last.Type, tc.lastHandle, tc.lastTitle, tc.lastType)
			}
		})
	}
}

// TestConcatenated: the three qemu outputs, as bee collects them, glued
// together, with and without blank lines between them.
func TestConcatenated(t *testing.T) {
	parts := [][]byte{
		readFixture(t, "qemu/dmidecode-t012.txt"),
		readFixture(t, "qemu/dmidecode-t4.txt"),
		readFixture(t, "qemu/dmidecode-t17.txt"),
	}
	for _, sep := range []string{"\n", ""} {
		var all []byte
		for _, p := range parts {
			all = append(all, strings.TrimRight(string(p), "\n")...)
			all = append(all, '\n')
			all = append(all, sep...)
		}
		recs, err := Parse(all)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range recs {
			got = append(got, r.Handle+" "+r.Title)
		}
		want := []string{"0x0000 BIOS Information", "0x0100 System Information", "0x0200 Base Board Information",
			"0x0400 Processor Information", "0x1100 Memory Device"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("sep %q: records (-want +got):\n%s", sep, diff)
		}
		// The board's last field must not have swallowed the next header.
		if b := recordByHandle(t, recs, "0x0200"); len(b.Fields) != 10 {
			t.Errorf("sep %q: board has %d fields, want 10: %v", sep, len(b.Fields), b.Fields)
		}
	}
}

// TestFormatVariants covers layouts not in the fixtures: older dmidecode
// versions, CRLF, space indentation, and values seen on other vendors.
func TestFormatVariants(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Record
	}{
		{
			name: "dmidecode 2.2-2.6 layout",
			in: "# dmidecode 2.6\nSMBIOS 2.31 present.\n37 structures occupying 1196 bytes.\nTable at 0x000D8010.\n" +
				"Handle 0x0000\n\tDMI type 0, 20 bytes.\n\tBIOS Information\n\t\tVendor: Phoenix Technologies LTD\n" +
				"\t\tVersion: R01-S0T   \n\t\tCharacteristics:\n\t\t\tISA is supported\n\t\t\tPCI is supported\n" +
				"Handle 0x0001\n\tDMI type 1, 25 bytes.\n\tSystem Information\n\t\tManufacturer: Acme\n",
			want: []Record{
				{Handle: "0x0000", Type: 0, Title: "BIOS Information",
					Fields: map[string]string{"Vendor": "Phoenix Technologies LTD", "Version": "R01-S0T", "Characteristics": ""},
					Lists:  map[string][]string{"Characteristics": {"ISA is supported", "PCI is supported"}}},
				{Handle: "0x0001", Type: 1, Title: "System Information",
					Fields: map[string]string{"Manufacturer": "Acme"}, Lists: map[string][]string{}},
			},
		},
		{
			name: "dmidecode 2.7 trailing period, CRLF",
			in:   "# dmidecode 2.7\r\nSMBIOS 2.2 present.\r\n\r\nHandle 0x0000, DMI type 0, 19 bytes.\r\nBIOS Information\r\n\tVendor: Phoenix\r\n\r\n",
			want: []Record{{Handle: "0x0000", Type: 0, Title: "BIOS Information",
				Fields: map[string]string{"Vendor": "Phoenix"}, Lists: map[string][]string{}}},
		},
		{
			name: "space indentation",
			in: "Handle 0x0001, DMI type 1, 25 bytes.\nSystem Information\n        Manufacturer: VMware, Inc.\n" +
				"        Wake-up Type: Power Switch\n        Flags:\n                A\n                B\n",
			want: []Record{{Handle: "0x0001", Type: 1, Title: "System Information",
				Fields: map[string]string{"Manufacturer": "VMware, Inc.", "Wake-up Type": "Power Switch", "Flags": ""},
				Lists:  map[string][]string{"Flags": {"A", "B"}}}},
		},
		{
			name: "whole output indented",
			in:   "    # dmidecode 2.7\n    Handle 0x0015, DMI type 17, 27 bytes.\n    Memory Device\n      Size: 2048 MB\n      Locator: DIMM1\n",
			want: []Record{{Handle: "0x0015", Type: 17, Title: "Memory Device",
				Fields: map[string]string{"Size": "2048 MB", "Locator": "DIMM1"}, Lists: map[string][]string{}}},
		},
		{
			name: "empty values and lines without colon",
			in:   "Handle 0x0002, DMI type 2, 8 bytes\nBase Board Information\n\tSerial Number: \n\tAsset Tag:\n\t<TRUNCATED>\n",
			want: []Record{{Handle: "0x0002", Type: 2, Title: "Base Board Information",
				Fields: map[string]string{"Serial Number": "", "Asset Tag": "", "<TRUNCATED>": ""}, Lists: map[string][]string{}}},
		},
		{
			name: "record without title, truncated handle line",
			in:   "Handle 0x0003, DMI type 3, 22 bytes\n\tLock: Present\n\nHandle 0x00",
			want: []Record{
				{Handle: "0x0003", Type: 3, Fields: map[string]string{"Lock": "Present"}, Lists: map[string][]string{}},
				{Handle: "0x00", Type: -1, Fields: map[string]string{}, Lists: map[string][]string{}},
			},
		},
		{
			name: "stderr messages merged after the table",
			in:   "Handle 0x007F, DMI type 127, 4 bytes\nEnd Of Table\nWrong DMI structures count: 82 announced, only 80 decoded.\n",
			want: []Record{{Handle: "0x007F", Type: 127, Title: "End Of Table",
				Fields: map[string]string{}, Lists: map[string][]string{}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMemoryDeviceValues covers Size and Speed spellings from other
// dmidecode versions and vendors.
func TestMemoryDeviceValues(t *testing.T) {
	tests := []struct {
		size, speed, confName, confSpeed string
		populated                        bool
		sizeBytes                        *int64
		speedMTs, confMTs                *int
	}{
		{"16 GB", "2933 MT/s", "Configured Memory Speed", "2666 MT/s", true, gib(16), ip(2933), ip(2666)},
		{"16384 MB", "2400 MHz", "Configured Clock Speed", "2133 MHz", true, gib(16), ip(2400), ip(2133)},
		{"1 TB", "4800 MT/s", "Configured Memory Speed", "Unknown", true, i64(1 << 40), ip(4800), nil},
		{"512 kB", "667 MHz (1.5 ns)", "Configured Clock Speed", "667 MHz (1.5 ns)", true, i64(512 << 10), ip(667), ip(667)},
		{"0 MB", "Unknown", "Configured Clock Speed", "Unknown", false, nil, nil, nil}, // HP empty slot
		{"No Module Installed", "Unknown", "Configured Memory Speed", "Unknown", false, nil, nil, nil},
		{"Not Installed", "Unknown", "Configured Memory Speed", "Unknown", false, nil, nil, nil},
		{"None", "0 MT/s", "Configured Memory Speed", "", false, nil, nil, nil},
		{"Unknown", "3200 GT/s", "Configured Memory Speed", "3200", true, nil, nil, nil},
		{"99999999999 EB", "x MT/s", "Configured Memory Speed", "-1 MT/s", false, nil, nil, nil}, // overflow
	}
	for _, tc := range tests {
		in := "Handle 0x1100, DMI type 17, 40 bytes\nMemory Device\n\tSize: " + tc.size +
			"\n\tSpeed: " + tc.speed + "\n\t" + tc.confName + ": " + tc.confSpeed + "\n"
		recs, err := Parse([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		got := MemoryDevices(recs)
		want := []MemoryDevice{{Populated: tc.populated, SizeBytes: tc.sizeBytes, SpeedMTs: tc.speedMTs, ConfiguredSpeedMTs: tc.confMTs}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Size %q Speed %q %s %q (-want +got):\n%s", tc.size, tc.speed, tc.confName, tc.confSpeed, diff)
		}
	}
	// A missing Size line: nothing claimed.
	recs, _ := Parse([]byte("Handle 0x1100, DMI type 17, 40 bytes\nMemory Device\n\tLocator: A1\n"))
	if diff := cmp.Diff([]MemoryDevice{{Locator: "A1"}}, MemoryDevices(recs)); diff != "" {
		t.Errorf("no Size line (-want +got):\n%s", diff)
	}
}

func TestProcessorStatus(t *testing.T) {
	tests := []struct {
		status             string
		populated, enabled bool
	}{
		{"Populated, Enabled", true, true},
		{"Populated, CPU Disabled By User", true, false},
		{"Populated, Disabled By BIOS", true, false},
		{"Populated, Idle", true, false},
		{"Unpopulated", false, false},
		{"Unknown", false, false},
		{"", false, false},
	}
	for _, tc := range tests {
		recs, err := Parse([]byte("Handle 0x0400, DMI type 4, 48 bytes\nProcessor Information\n\tStatus: " + tc.status +
			"\n\tCore Count: Unknown\n\tMax Speed: Unknown\n"))
		if err != nil {
			t.Fatal(err)
		}
		want := []Processor{{Status: tc.status, Populated: tc.populated, Enabled: tc.enabled}}
		if diff := cmp.Diff(want, Processors(recs)); diff != "" {
			t.Errorf("Status %q (-want +got):\n%s", tc.status, diff)
		}
	}
}

func TestAbsentTypes(t *testing.T) {
	recs := mustParse(t, "qemu/dmidecode-t4.txt")
	if _, ok := BIOSInfo(recs); ok {
		t.Error("BIOSInfo ok on -t 4 output")
	}
	if _, ok := SystemInfo(recs); ok {
		t.Error("SystemInfo ok on -t 4 output")
	}
	if _, ok := BaseBoard(recs); ok {
		t.Error("BaseBoard ok on -t 4 output")
	}
	if got := MemoryDevices(recs); got != nil {
		t.Errorf("MemoryDevices on -t 4 output = %v, want nil", got)
	}
	if got := Processors(mustParse(t, "qemu/dmidecode-t17.txt")); got != nil {
		t.Errorf("Processors on -t 17 output = %v, want nil", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantMsg string // substring of the error; "" means no error expected
		table   bool   // NoRecordsError.TableFound
	}{
		{"empty", "", "", false},
		{"blank", " \n\n\t\n", "", false},
		{"no entry point", "# dmidecode 2.7\n# No SMBIOS nor DMI entry point found, sorry.\n",
			"dmidecode: no DMI records found: # dmidecode 2.7; # No SMBIOS nor DMI entry point found, sorry.", false},
		{"type selection matched nothing", "# dmidecode 3.4\nGetting SMBIOS data from sysfs.\nSMBIOS 2.8 present.\n\n",
			"dmidecode: no DMI records found: # dmidecode 3.4; Getting SMBIOS data from sysfs.; SMBIOS 2.8 present.", true},
		{"html", "<!DOCTYPE html>\n<html><body>Handle me</body></html>\n",
			"dmidecode: no DMI records found (input does not look like dmidecode output)", false},
		{"other tool", "00:00.0 Host bridge: Intel Corporation 440FX\n\tSubsystem: Red Hat\n", "input does not look like dmidecode output", false},
		{"quiet-mode title without fields", "BIOS Information\n\nMemory Device\n", "no DMI records found", false},
		{"binary", "\x00\xff\xfe\x01Handle\x00\n\t\x80", "no DMI records found", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := Parse([]byte(tc.in))
			if tc.wantMsg == "" {
				if err != nil || recs != nil {
					t.Fatalf("Parse = %v, %v; want nil, nil", recs, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse = %d records, nil error; want error", len(recs))
			}
			if recs != nil {
				t.Errorf("records = %v, want nil", recs)
			}
			var nre *NoRecordsError
			if !errors.As(err, &nre) {
				t.Fatalf("error %T is not *NoRecordsError", err)
			}
			if nre.TableFound() != tc.table {
				t.Errorf("TableFound() = %v, want %v", nre.TableFound(), tc.table)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tc.wantMsg)
			}
		})
	}
}

// TestTruncated cuts a real capture at every line boundary in its first
// records: no panic, and each prefix yields the records started so far.
func TestTruncated(t *testing.T) {
	data := readFixture(t, "qemu/dmidecode-t012.txt")
	lines := strings.SplitAfter(string(data), "\n")
	handles := 0
	for i := range lines {
		prefix := strings.Join(lines[:i], "")
		if strings.HasPrefix(lines[max(i-1, 0)], "Handle ") && i > 0 {
			handles++
		}
		recs, err := Parse([]byte(prefix))
		switch {
		case handles == 0 && strings.TrimSpace(prefix) == "":
			if err != nil || recs != nil {
				t.Errorf("%d lines: got %v, %v", i, recs, err)
			}
		case handles == 0:
			if err == nil {
				t.Errorf("%d lines: no error without records", i)
			}
		default:
			if err != nil || len(recs) != handles {
				t.Errorf("%d lines: %d records, err %v; want %d", i, len(recs), err, handles)
			}
		}
	}
}
