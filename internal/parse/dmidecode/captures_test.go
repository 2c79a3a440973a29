package dmidecode

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
	"github.com/google/go-cmp/cmp"
)

// captureView is what bee reads from one capture: an outline of every record
// (handle, type, title, number of fields) and the typed structures.
type captureView struct {
	Records       []string
	BIOS          *BIOS
	System        *System
	Board         *Board
	Processors    []Processor
	MemoryArrays  []MemoryArray
	MemoryDevices []MemoryDevice
	MemorySlots   int // MemoryDevices that IsSystemMemory counts as slots
}

func viewOf(recs []Record) captureView {
	var v captureView
	for _, r := range recs {
		v.Records = append(v.Records, fmt.Sprintf("%s type %d %s: %d fields, %d lists", r.Handle, r.Type, r.Title, len(r.Fields), len(r.Lists)))
	}
	if b, ok := BIOSInfo(recs); ok {
		v.BIOS = &b
	}
	if s, ok := SystemInfo(recs); ok {
		v.System = &s
	}
	if b, ok := BaseBoard(recs); ok {
		v.Board = &b
	}
	v.Processors = Processors(recs)
	v.MemoryArrays = MemoryArrays(recs)
	v.MemoryDevices = MemoryDevices(recs)
	for _, d := range v.MemoryDevices {
		if IsSystemMemory(d, v.MemoryArrays) {
			v.MemorySlots++
		}
	}
	return v
}

// TestCaptures parses every capture in testdata and compares what bee reads
// from it with its <capture>.golden.json (go test -update rewrites them;
// review the diff). The tests below keep only what a capture was added to
// prove.
func TestCaptures(t *testing.T) {
	for _, path := range golden.Captures(t, "testdata", nil) {
		name, _ := filepath.Rel("testdata", path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, path, viewOf(recs))
		})
	}
}

// counts is "records; CPUs total/populated/enabled; DIMMs total/populated, bytes".
func counts(recs []Record) string {
	var cpuPop, cpuEn, dimmPop int
	var bytes int64
	procs, dimms := Processors(recs), MemoryDevices(recs)
	for _, p := range procs {
		if p.Populated {
			cpuPop++
		}
		if p.Enabled {
			cpuEn++
		}
	}
	for _, d := range dimms {
		if d.Populated {
			dimmPop++
			if d.SizeBytes != nil {
				bytes += *d.SizeBytes
			}
		}
	}
	return fmt.Sprintf("%d records; CPUs %d/%d/%d; DIMMs %d/%d, %d GiB", len(recs), len(procs), cpuPop, cpuEn, len(dimms), dimmPop, bytes>>30)
}

// TestCaptureCounts: the socket and slot counts the captures were chosen for
// (see their names), counted by hand in the raw files.
func TestCaptureCounts(t *testing.T) {
	for file, want := range map[string]string{
		"dell-poweredge-r450_2sockets_1cpu_populated.txt":            "60 records; CPUs 2/1/1; DIMMs 16/8, 256 GiB",
		"dell-poweredge-r640_glpi_2cpu_24slots_16empty.txt":          "82 records; CPUs 2/2/2; DIMMs 24/8, 256 GiB",
		"dell-poweredge-r740_2cpu_24slots_12empty.txt":               "79 records; CPUs 2/2/2; DIMMs 24/12, 384 GiB",
		"gigabyte-g291-281_gpu-server_2cpu_24slots.txt":              "148 records; CPUs 2/2/2; DIMMs 24/12, 192 GiB",
		"gigabyte-mz71-ce0_amd-epyc_2cpu_to-be-filled-by-oem.txt":    "137 records; CPUs 2/2/2; DIMMs 16/16, 128 GiB",
		"hp-proliant-dl360p-gen8_glpi_2cpu_24slots.txt":              "180 records; CPUs 2/2/1; DIMMs 24/8, 64 GiB",
		"hpe-proliant-dl380-gen10_2cpu_24dimms.txt":                  "266 records; CPUs 2/2/2; DIMMs 24/24, 768 GiB",
		"huawei-2288h-v5_2cpu_24slots_22empty.txt":                   "92 records; CPUs 2/2/2; DIMMs 24/2, 64 GiB",
		"inspur-nf5280m6_2cpu_32slots_16empty.txt":                   "96 records; CPUs 2/2/2; DIMMs 32/16, 512 GiB",
		"lenovo-thinksystem-sr650_2cpu_24slots_16empty.txt":          "96 records; CPUs 2/2/2; DIMMs 24/8, 512 GiB",
		"lenovo-thinksystem-sr950-v3_8cpu_128slots_120empty.txt":     "272 records; CPUs 8/8/8; DIMMs 128/8, 512 GiB",
		"supermicro-sys-4029gp-trt2_8gpu_from-nvidia-bug-report.txt": "100 records; CPUs 2/2/2; DIMMs 24/8, 256 GiB",
		"supermicro-x11dpi-n_2cpu_16slots_4empty.txt":                "82 records; CPUs 2/2/2; DIMMs 16/12, 192 GiB",
		"vmware-virtual-platform_from-dump.txt":                      "620 records; CPUs 128/128/2; DIMMs 128/1, 1 GiB",
		"ibm-8480_rhel-2.1_old-dmidecode_info-block-layout.txt":      "40 records; CPUs 1/1/0; DIMMs 2/0, 0 GiB",
		"vmware-esx-2.5-vm_old-dmidecode_8-sockets-zero-strings.txt": "98 records; CPUs 8/1/0; DIMMs 15/0, 0 GiB",
		"dell-latitude-d610_dmidecode-2.8_smbios-2.3.txt":            "60 records; CPUs 1/1/1; DIMMs 2/2, 2 GiB",
		"supermicro-x9dbl_thomas-krenn_ddr3_from-dump.txt":           "115 records; CPUs 2/2/2; DIMMs 6/6, 48 GiB",
		"qemu/dmidecode-t012.txt":                                    "3 records; CPUs 0/0/0; DIMMs 0/0, 0 GiB",
		"qemu/dmidecode-t4.txt":                                      "1 records; CPUs 1/1/1; DIMMs 0/0, 0 GiB",
		"qemu/dmidecode-t17.txt":                                     "1 records; CPUs 0/0/0; DIMMs 1/1, 3 GiB",
	} {
		if got := counts(mustParse(t, file)); got != want {
			t.Errorf("%s: %s, want %s", file, got, want)
		}
	}
}

// What a capture was added to prove, beyond its counts; read by hand from the
// raw files.
func TestCaptureFacts(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, recs []Record)
	}{
		// CPU2 is "Unpopulated"; type 2 without an Asset Tag line.
		{"dell-poweredge-r450_2sockets_1cpu_populated.txt", func(t *testing.T, recs []Record) {
			if p := Processors(recs)[1]; p.Populated || p.Status != "Unpopulated" || p.Cores != nil {
				t.Errorf("CPU2 = %+v", p)
			}
			if b, _ := BaseBoard(recs); b.AssetTag != "" || b.ProductName != "0K7CVF" {
				t.Errorf("board = %+v", b)
			}
		}},
		// dmidecode 3.0: "Speed: 2933 MHz" and "Configured Clock Speed".
		{"dell-poweredge-r640_glpi_2cpu_24slots_16empty.txt", func(t *testing.T, recs []Record) {
			if d := MemoryDevices(recs)[0]; d.SpeedMTs == nil || *d.SpeedMTs != 2933 || d.ConfiguredSpeedMTs == nil || *d.ConfiguredSpeedMTs != 2933 {
				t.Errorf("A1 = %+v", d)
			}
		}},
		// No type 2 record; Proc 2 "Populated, Idle" is not enabled; serial and SKU
		// padded with trailing blanks in the file.
		{"hp-proliant-dl360p-gen8_glpi_2cpu_24slots.txt", func(t *testing.T, recs []Record) {
			if _, ok := BaseBoard(recs); ok {
				t.Error("BaseBoard found")
			}
			if p := Processors(recs)[1]; p.Status != "Populated, Idle" || p.Enabled || !p.Populated {
				t.Errorf("Proc 2 = %+v", p)
			}
			if s, _ := SystemInfo(recs); s.SerialNumber != "USE2236835" || s.SKU != "654081-B21" {
				t.Errorf("system = %+v", s)
			}
		}},
		// Four identical type 2 records: the first is returned; empty slots stop
		// after "Type Detail" (no speed, manufacturer, serial).
		{"lenovo-thinksystem-sr950-v3_8cpu_128slots_120empty.txt", func(t *testing.T, recs []Record) {
			if b, _ := BaseBoard(recs); b.ProductName != "STA7B38870" {
				t.Errorf("board = %+v", b)
			}
			want := MemoryDevice{Locator: "DIMM T2", BankLocator: "Primary CPU Board/CPU 7", Type: "Unknown",
				TypeDetail: "Unknown", FormFactor: "DIMM", ErrorHandle: "Not Provided"}
			got := MemoryDevices(recs)[127]
			got.ArrayHandle = ""
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("DIMM T2 (-want +got):\n%s", diff)
			}
		}},
		// 126 sockets "Populated, Disabled By BIOS"; no "Thread Count" line.
		{"vmware-virtual-platform_from-dump.txt", func(t *testing.T, recs []Record) {
			if p := Processors(recs)[2]; p.Status != "Populated, Disabled By BIOS" || p.Enabled || p.Threads != nil || p.Cores == nil {
				t.Errorf("CPU #002 = %+v", p)
			}
		}},
		// dmidecode before 2.2: "BIOS Information Block" with "Release:",
		// "Processor Manufacturer:"/"Processor Version:", no Status line (populated
		// by its strings, not enabled), memory devices without any field.
		{"ibm-8480_rhel-2.1_old-dmidecode_info-block-layout.txt", func(t *testing.T, recs []Record) {
			if b, ok := BIOSInfo(recs); !ok || b != (BIOS{Vendor: "IBM", Version: "-[JPE130AUS-1.30]-", ReleaseDate: "12/11/2002"}) {
				t.Errorf("BIOSInfo = %+v, %v", b, ok)
			}
			want := Processor{Socket: "CPU1", Manufacturer: "Intel", Version: "Pentium 4", Populated: true}
			if diff := cmp.Diff(want, Processors(recs)[0]); diff != "" {
				t.Errorf("CPU1 (-want +got):\n%s", diff)
			}
		}},
		// The old layout with "Processor Manufacturer: 000000000000": not populated.
		{"vmware-esx-2.5-vm_old-dmidecode_8-sockets-zero-strings.txt", func(t *testing.T, recs []Record) {
			if p := Processors(recs)[7]; p.Populated || p.Manufacturer != "000000000000" {
				t.Errorf("socket #7 = %+v", p)
			}
		}},
		// dmidecode 2.8: "Speed: 533 MHz (1.9 ns)"; a board "Version:" of blanks only.
		{"dell-latitude-d610_dmidecode-2.8_smbios-2.3.txt", func(t *testing.T, recs []Record) {
			if d := MemoryDevices(recs)[1]; d.SpeedMTs == nil || *d.SpeedMTs != 533 || d.ConfiguredSpeedMTs != nil || d.Rank != "" {
				t.Errorf("DIMM_B = %+v", d)
			}
			if b, _ := BaseBoard(recs); b.Version != "" || b.SerialNumber != ".D8XD62J.CN4864363E7491." {
				t.Errorf("board = %+v", b)
			}
		}},
		// "Manufacturer: Undefined" kept as printed; padded part numbers trimmed.
		{"supermicro-x9dbl_thomas-krenn_ddr3_from-dump.txt", func(t *testing.T, recs []Record) {
			if d := MemoryDevices(recs)[0]; d.Manufacturer != "Undefined" || d.PartNumber != "AL12P72A8BLK0M" {
				t.Errorf("P1-DIMM1A = %+v", d)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) { tt.check(t, mustParse(t, tt.file)) })
	}
}

// TestMemoryArrays: two real boards describe their BIOS SPI flash as a "Flash
// Memory" array with one device under it (linuxhw/DMI dumps; see
// testdata/PROVENANCE.md): that device is not a memory slot, unless type 16
// was not read. Values read by hand from the files.
func TestMemoryArrays(t *testing.T) {
	tests := []struct {
		file             string
		slots, populated int
		totalBytes       int64
		flashLocator     string
	}{
		// Two system arrays of 3 slots (3 x 4 GB + 3 x 8 GB) and "Locator: BIOS",
		// "Type: Flash", "Size: 4096 kB" under the flash array.
		{"supermicro-x8dtl_flash-array_manufacturer00.txt", 6, 6, 36 << 30, "BIOS"},
		// Two system arrays of 9 slots, 3 x 16 GB; a flash device with blank locators.
		{"sun-fire-x4270-m2_flash-array.txt", 18, 3, 48 << 30, ""},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			recs := mustParse(t, tc.file)
			arrays := MemoryArrays(recs)
			var slots, populated int
			var total int64
			var others []MemoryDevice
			for _, d := range MemoryDevices(recs) {
				if !IsSystemMemory(d, arrays) {
					others = append(others, d)
					continue
				}
				slots++
				if d.Populated {
					populated++
					total += *d.SizeBytes
				}
			}
			if slots != tc.slots || populated != tc.populated || total != tc.totalBytes {
				t.Errorf("memory slots/populated/bytes = %d/%d/%d, want %d/%d/%d",
					slots, populated, total, tc.slots, tc.populated, tc.totalBytes)
			}
			if len(others) != 1 || others[0].Type != "Flash" || others[0].Locator != tc.flashLocator || *others[0].SizeBytes != 4<<20 {
				t.Fatalf("non-memory devices = %+v, want the 4 MiB flash chip alone", others)
			}
			if !IsSystemMemory(others[0], nil) {
				t.Error("a device of an array not read must count as a slot")
			}
		})
	}
}

// TestFixtureRecords checks whole generic records that show a layout feature
// (lists, nested sections, colons in values, old key names), read by hand from
// the files; the golden files keep only an outline of each record.
func TestFixtureRecords(t *testing.T) {
	tests := []struct {
		file, handle string
		want         Record
	}{
		{
			file: "qemu/dmidecode-t012.txt", handle: "0x0000",
			want: Record{Handle: "0x0000", Type: 0, Title: "BIOS Information",
				Fields: map[string]string{
					"Vendor": "SeaBIOS", "Version": "1.16.2-debian-1.16.2-1", "Release Date": "04/01/2014",
					"Address": "0xE8000", "Runtime Size": "96 kB", "ROM Size": "64 kB",
					"Characteristics": "", "BIOS Revision": "0.0",
				},
				Lists: map[string][]string{"Characteristics": {
					"BIOS characteristics not supported",
					"Targeted content distribution is supported",
				}},
			},
		},
		{
			// Trailing blanks in a list, and blank-only strings.
			file: "hp-proliant-dl360p-gen8_glpi_2cpu_24slots.txt", handle: "0xC101",
			want: Record{Handle: "0xC101", Type: 193, Title: "OEM-specific Type",
				Fields: map[string]string{"Header and Data": "", "Strings": ""},
				Lists: map[string][]string{
					"Header and Data": {"C1 09 01 C1 01 01 02 03 04"},
					"Strings":         {"12/20/2013", "08/30/2011", "", ""},
				},
			},
		},
		{
			// A value with a colon, trailing blanks trimmed.
			file: "hp-proliant-dl360p-gen8_glpi_2cpu_24slots.txt", handle: "0x0B00",
			want: Record{Handle: "0x0B00", Type: 11, Title: "OEM Strings",
				Fields: map[string]string{"String 1": "PSF:", "String 2": "Product ID: 654081-B21"},
				Lists:  map[string][]string{},
			},
		},
		{
			// Repeated key with nested lines.
			file: "hpe-proliant-dl380-gen10_2cpu_24dimms.txt", handle: "0x0001",
			want: Record{Handle: "0x0001", Type: 199, Title: "HPE ProLiant CPU Microcode Patch Support Info",
				Fields: map[string]string{
					"CPU ID":   "Type 0, Family 6, Model 85, Stepping 4",
					"CPU ID#2": "Type 0, Family 6, Model 85, Stepping 5",
					"CPU ID#3": "Type 0, Family 6, Model 85, Stepping 6",
					"CPU ID#4": "Type 0, Family 6, Model 85, Stepping 7",
				},
				Lists: map[string][]string{
					"CPU ID":   {"Date: 2023-03-06", "Patch: 0x2007006"},
					"CPU ID#2": {"Date: 2018-11-16", "Patch: 0x3000010"},
					"CPU ID#3": {"Date: 2024-03-01", "Patch: 0x4003707"},
					"CPU ID#4": {"Date: 2024-03-01", "Patch: 0x5003707"},
				},
			},
		},
		{
			// Several headed sections in one structure.
			file: "gigabyte-g291-281_gpu-server_2cpu_24slots.txt", handle: "0x0017",
			want: Record{Handle: "0x0017", Type: 10, Title: "On Board Device 1 Information",
				Fields: map[string]string{
					"Type": "Video", "Status": "Enabled", "Description": "AST2500",
					"On Board Device 2 Information/Type":        "Ethernet",
					"On Board Device 2 Information/Status":      "Enabled",
					"On Board Device 2 Information/Description": "Intel X550",
					"On Board Device 3 Information/Type":        "Ethernet",
					"On Board Device 3 Information/Status":      "Enabled",
					"On Board Device 3 Information/Description": "Intel X550",
				},
				Lists: map[string][]string{},
			},
		},
		{
			// Two levels of nesting, flattened; an empty nested value.
			file: "gigabyte-mz71-ce0_amd-epyc_2cpu_to-be-filled-by-oem.txt", handle: "0x0075",
			want: Record{Handle: "0x0075", Type: 42, Title: "Management Controller Host Interface",
				Fields: map[string]string{"Host Interface Type": "Network", "Device Type": "USB"},
				Lists: map[string][]string{"Device Type": {
					"idVendor: 0x046b",
					"idProduct: 0xffb0",
					"Protocol ID: 04 (Redfish over IP)",
					"Service UUID: --",
					"Host IP Assignment Type: Static",
					"Host IP Address Format: IPv4",
					"IPv4 Address: 169.254.0.18",
					"IPv4 Mask: 255.255.0.0",
					"Redfish Service IP Discovery Type: Static",
					"Redfish Service IP Address Format: IPv4",
					"IPv4 Redfish Service Address: 169.254.0.17",
					"IPv4 Redfish Service Mask: 255.255.0.0",
					"Redfish Service Port: 443",
					"Redfish Service Vlan: 0",
					"Redfish Service Hostname:",
				}},
			},
		},
		{
			file: "inspur-nf5280m6_2cpu_32slots_16empty.txt", handle: "0x0054",
			want: Record{Handle: "0x0054", Type: 44, Title: "Unknown Type",
				Fields: map[string]string{"Header and Data": ""},
				Lists:  map[string][]string{"Header and Data": {"2C 09 54 00 FF FF 01 01 00"}},
			},
		},
		{
			file: "vmware-virtual-platform_from-dump.txt", handle: "0x026A",
			want: Record{Handle: "0x026A", Type: 126, Title: "Inactive",
				Fields: map[string]string{}, Lists: map[string][]string{}},
		},
		{
			file: "vmware-virtual-platform_from-dump.txt", handle: "0x026B",
			want: Record{Handle: "0x026B", Type: 127, Title: "End Of Table",
				Fields: map[string]string{}, Lists: map[string][]string{}},
		},
		{
			file: "ibm-8480_rhel-2.1_old-dmidecode_info-block-layout.txt", handle: "0x0000",
			want: Record{Handle: "0x0000", Type: 0, Title: "BIOS Information Block",
				Fields: map[string]string{"Vendor": "IBM", "Version": "-[JPE130AUS-1.30]-", "Release": "12/11/2002",
					"BIOS base": "0xF0000", "ROM size": "448K", "Capabilities": ""},
				Lists: map[string][]string{"Capabilities": {"Flags: 0x000000007FFBDE90"}}},
		},
		{
			// A structure with no field: type and title only.
			file: "ibm-8480_rhel-2.1_old-dmidecode_info-block-layout.txt", handle: "0x1101",
			want: Record{Handle: "0x1101", Type: 17, Title: "Memory Device", Fields: map[string]string{}, Lists: map[string][]string{}},
		},
		{
			file: "ibm-8480_rhel-2.1_old-dmidecode_info-block-layout.txt", handle: "0x7F00",
			want: Record{Handle: "0x7F00", Type: 127, Title: "End-of-Table", Fields: map[string]string{}, Lists: map[string][]string{}},
		},
		{
			file: "dell-latitude-d610_dmidecode-2.8_smbios-2.3.txt", handle: "0x0301",
			want: Record{Handle: "0x0301", Type: 126, Title: "Inactive", Fields: map[string]string{}, Lists: map[string][]string{}},
		},
		{
			// "Minimum Value 0.0 deg C" lacks its colon: a key with no value.
			file: "dell-latitude-d610_dmidecode-2.8_smbios-2.3.txt", handle: "0x1C00",
			want: Record{Handle: "0x1C00", Type: 28, Title: "Temperature Probe",
				Fields: map[string]string{"Description": "CPU Internal Temperature", "Location": "Processor", "Status": "OK",
					"Maximum Value": "127.0 deg C", "Minimum Value 0.0 deg C": "", "Resolution": "1.000 deg C",
					"Tolerance": "0.5 deg C", "Accuracy": "Unknown", "OEM-specific Information": "0x0000DC00"},
				Lists: map[string][]string{}},
		},
		{
			// Three on-board devices in one type 10 structure.
			file: "supermicro-x9dbl_thomas-krenn_ddr3_from-dump.txt", handle: "0x002A",
			want: Record{Handle: "0x002A", Type: 10, Title: "On Board Device 1 Information",
				Fields: map[string]string{"Type": "Video", "Status": "Enabled", "Description": "Matrox VGA",
					"On Board Device 2 Information/Type": "Ethernet", "On Board Device 2 Information/Status": "Enabled",
					"On Board Device 2 Information/Description": "Intel 82574L Ethernet 1",
					"On Board Device 3 Information/Type":        "Ethernet", "On Board Device 3 Information/Status": "Enabled",
					"On Board Device 3 Information/Description": "Intel 82574L Ethernet 2"},
				Lists: map[string][]string{}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file+"/"+tc.handle, func(t *testing.T) {
			got := recordByHandle(t, mustParse(t, tc.file), tc.handle)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
		})
	}
}

// TestQuietMode covers `dmidecode -q` output: no header, no Handle lines, a
// blank line after each structure. Lines as dmidecode 3.x prints them.
func TestQuietMode(t *testing.T) {
	in := "BIOS Information\n\tVendor: Dell Inc.\n\tVersion: 2.9.4\n\tRelease Date: 11/06/2020\n\tCharacteristics:\n" +
		"\t\tPCI is supported\n\tBIOS Revision: 2.9\n\n" +
		"Processor Information\n\tSocket Designation: CPU1\n\tManufacturer: Intel\n\tStatus: Populated, Enabled\n" +
		"\tCore Count: 20\n\n" +
		"Memory Device\n\tTotal Width: 72 bits\n\tSize: 32 GB\n\tLocator: A1\n\tSpeed: 2933 MT/s\n\n" +
		"Memory Device\n\tSize: No Module Installed\n\tLocator: A2\n\n" +
		"On Board Device 1 Information\n\tType: Video\n\tStatus: Enabled\nOn Board Device 2 Information\n\tType: Ethernet\n\n"
	recs, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var types []int
	for _, r := range recs {
		if r.Handle != "" {
			t.Errorf("handle %q in quiet mode", r.Handle)
		}
		types = append(types, r.Type)
	}
	if diff := cmp.Diff([]int{0, 4, 17, 17, 10}, types); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}
	if b, ok := BIOSInfo(recs); !ok || b != (BIOS{Vendor: "Dell Inc.", Version: "2.9.4", ReleaseDate: "11/06/2020"}) {
		t.Errorf("BIOSInfo = %+v, %v", b, ok)
	}
	if diff := cmp.Diff([]string{"PCI is supported"}, recs[0].Lists["Characteristics"]); diff != "" {
		t.Errorf("Characteristics (-want +got):\n%s", diff)
	}
	cpus := Processors(recs)
	if len(cpus) != 1 || !cpus[0].Enabled || cpus[0].Cores == nil || *cpus[0].Cores != 20 {
		t.Errorf("Processors = %+v", cpus)
	}
	want := []MemoryDevice{
		{Locator: "A1", Populated: true, SizeBytes: gib(32), SpeedMTs: ip(2933)},
		{Locator: "A2"},
	}
	if diff := cmp.Diff(want, MemoryDevices(recs)); diff != "" {
		t.Errorf("MemoryDevices (-want +got):\n%s", diff)
	}
	if got := recs[4].Fields["On Board Device 2 Information/Type"]; got != "Ethernet" {
		t.Errorf("second on-board device type = %q", got)
	}
}

// TestIsSystemMemory covers the arrays dmidecode can describe.
func TestIsSystemMemory(t *testing.T) {
	arrays := []MemoryArray{
		{Handle: "0x0010", Use: "System Memory"},
		{Handle: "0x0011", Use: "Flash Memory"},
		{Handle: "0x0012", Use: "Video Memory"},
		{Use: "Flash Memory"}, // quiet mode: no handle, matches nothing
	}
	for _, tc := range []struct {
		handle string
		want   bool
	}{
		{"0x0010", true}, {"0X0010", true}, {"0x0011", false}, {"0x0012", false},
		{"", true}, {"0x0099", true}, {"Not Provided", true},
	} {
		if got := IsSystemMemory(MemoryDevice{ArrayHandle: tc.handle}, arrays); got != tc.want {
			t.Errorf("IsSystemMemory(array %q) = %v, want %v", tc.handle, got, tc.want)
		}
	}
}
