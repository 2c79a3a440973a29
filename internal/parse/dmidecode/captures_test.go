package dmidecode

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Tests on the captures added with testdata/PROVENANCE.md's "More captures"
// section. Every expected value was read by hand from the raw file.

func TestMoreFixtures(t *testing.T) {
	tests := []fixtureWant{
		{
			// dmidecode before 2.2 (RHEL 2.1): "Handle" alone on its line,
			// "BIOS Information Block", "Vendor:"/"Product:"/"Release:" keys,
			// "Processor Manufacturer:"/"Processor Version:", no Status line,
			// memory devices without any field, an unindented hex dump line.
			file:    "ibm-8480_rhel-2.1_old-dmidecode_info-block-layout.txt",
			records: 40,
			bios:    BIOS{Vendor: "IBM", Version: "-[JPE130AUS-1.30]-", ReleaseDate: "12/11/2002"}, biosOK: true,
			system: System{Manufacturer: "IBM", ProductName: "-[84803AX]-", SerialNumber: "KBKGW40", Version: "IBM CORPORATION"}, systemOK: true,
			board: Board{Manufacturer: "IBM", ProductName: "-[M51G]-", SerialNumber: "NA60B7Y0S3Q", Version: "-1"}, boardOK: true,
			cpus: 1, cpusPopulated: 1, cpusEnabled: 0,
			slots: 2, slotsPopulated: 0, totalBytes: 0,
			procs: map[int]Processor{
				0: {Socket: "CPU1", Manufacturer: "Intel", Version: "Pentium 4", Populated: true},
			},
			dimms: map[int]MemoryDevice{0: {}, 1: {}},
		},
		{
			// The same old layout from a VMware ESX 2.5 guest: eight CPU
			// sockets, seven of them "Processor Manufacturer: 000000000000";
			// fifteen type 17 records without fields.
			file:    "vmware-esx-2.5-vm_old-dmidecode_8-sockets-zero-strings.txt",
			records: 98,
			bios:    BIOS{Vendor: "Phoenix Technologies LTD", Version: "6.00", ReleaseDate: "12/31/2009"}, biosOK: true,
			system: System{Manufacturer: "VMware, Inc.", ProductName: "VMware Virtual Platform",
				SerialNumber: "VMware-56 4d db dd 11 e3 8d 66-84 9e 15 8e 49 23 7c 97", Version: "None"}, systemOK: true,
			board: Board{Manufacturer: "Intel Corporation", ProductName: "440BX Desktop Reference Platform",
				SerialNumber: "None", Version: "None"}, boardOK: true,
			cpus: 8, cpusPopulated: 1, cpusEnabled: 0,
			slots: 15, slotsPopulated: 0, totalBytes: 0,
			procs: map[int]Processor{
				0: {Socket: "CPU socket #0", Manufacturer: "GenuineIntel", Version: "Pentium(R) III",
					Family: "Pentium III processor", Populated: true, SerialNumber: ""},
				7: {Socket: "CPU socket #7", Manufacturer: "000000000000", Version: "00000000000000000000000000000000",
					Family: "Unknown"},
			},
		},
		{
			// dmidecode 2.8, SMBIOS 2.3: "Speed: 533 MHz (1.9 ns)", no Rank
			// nor configured speed, no core counts, "Inactive" records, an
			// OEM type 218 record first.
			file:    "dell-latitude-d610_dmidecode-2.8_smbios-2.3.txt",
			records: 60,
			bios:    BIOS{Vendor: "Dell Inc.", Version: "A06", ReleaseDate: "10/02/2005"}, biosOK: true,
			system: System{Manufacturer: "Dell Inc.", ProductName: "Latitude D610", SerialNumber: "D8XD62J",
				UUID: "44454C4C-3800-1058-8044-C4C04F36324A", Version: "Not Specified"}, systemOK: true,
			// "Version:    " is blanks only.
			board:   Board{Manufacturer: "Dell Inc.", ProductName: "0XD762", SerialNumber: ".D8XD62J.CN4864363E7491."},
			boardOK: true,
			cpus:    1, cpusPopulated: 1, cpusEnabled: 1,
			slots: 2, slotsPopulated: 2, totalBytes: 2 << 30,
			procs: map[int]Processor{
				0: {Socket: "Microprocessor", Manufacturer: "Intel", Version: "Not Specified", Family: "Pentium M",
					Populated: true, Status: "Populated, Enabled", Enabled: true,
					MaxSpeedMHz: ip(1800), CurrentSpeedMHz: ip(1733), ID: "D8 06 00 00 FF FB E9 AF"},
			},
			dimms: map[int]MemoryDevice{
				1: {Locator: "DIMM_B", BankLocator: "Not Specified", Populated: true, SizeBytes: gib(1),
					Type: "DDR", TypeDetail: "Synchronous", FormFactor: "DIMM", SpeedMTs: ip(533),
					Manufacturer: "C100000000000000", SerialNumber: "02132216", PartNumber: "Not Specified",
					AssetTag: "Not Specified", ErrorHandle: "Not Provided"},
			},
		},
		{
			// dmidecode 3.2 reading a table dump of a Supermicro X9DBL sold
			// by Thomas-Krenn: "0123456789" and "To be filled by O.E.M."
			// placeholders, "Manufacturer: Undefined" DIMMs, padded part
			// numbers, two memory arrays of three slots.
			file:    "supermicro-x9dbl_thomas-krenn_ddr3_from-dump.txt",
			records: 115,
			bios:    BIOS{Vendor: "American Megatrends Inc.", Version: "3.00", ReleaseDate: "12/06/2013"}, biosOK: true,
			system: System{Manufacturer: "Thomas-Krenn.AG", ProductName: "X9DBL-3F/X9DBL-iF", SerialNumber: "9000116105",
				UUID: "00000000-0000-0000-0000-0cc47a133878", SKU: "To be filled by O.E.M.",
				Family: "To be filled by O.E.M.", Version: "0123456789"}, systemOK: true,
			board: Board{Manufacturer: "Supermicro", ProductName: "X9DBL-3F/X9DBL-iF", SerialNumber: "VM147S018307",
				Version: "0123456789", AssetTag: "To be filled by O.E.M."}, boardOK: true,
			cpus: 2, cpusPopulated: 2, cpusEnabled: 2,
			slots: 6, slotsPopulated: 6, totalBytes: 48 << 30,
			procs: map[int]Processor{
				1: {Socket: "SOCKET 1", Manufacturer: "Intel", Version: "Intel(R) Xeon(R) CPU E5-2403 v2 @ 1.80GHz",
					Family: "Xeon", Populated: true, Status: "Populated, Enabled", Enabled: true,
					Cores: ip(4), EnabledCores: ip(4), Threads: ip(4), MaxSpeedMHz: ip(4000), CurrentSpeedMHz: ip(1800),
					SerialNumber: "Not Specified", PartNumber: "Not Specified", ID: "E4 06 03 00 FF FB EB BF"},
			},
			dimms: map[int]MemoryDevice{
				0: {Locator: "P1-DIMM1A", BankLocator: "P0_Node0_Channel0_Dimm0", Populated: true, SizeBytes: gib(4),
					Type: "DDR3", TypeDetail: "Registered (Buffered)", FormFactor: "DIMM",
					SpeedMTs: ip(1333), ConfiguredSpeedMTs: ip(1333), Manufacturer: "Undefined",
					SerialNumber: "AEEE0705", PartNumber: "AL12P72A8BLK0M", AssetTag: "Dimm0_AssetTag", Rank: "1",
					ErrorHandle: "Not Provided"},
				5: {Locator: "P2-DIMM1F", BankLocator: "P1_Node1_Channel2_Dimm0", Populated: true, SizeBytes: gib(16),
					Type: "DDR3", TypeDetail: "Registered (Buffered)", FormFactor: "DIMM",
					SpeedMTs: ip(1333), ConfiguredSpeedMTs: ip(1333), Manufacturer: "Micron",
					SerialNumber: "15C774EB", PartNumber: "36KSF2G72PZ-1G6N1", AssetTag: "Dimm2_AssetTag", Rank: "2",
					ErrorHandle: "Not Provided"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) { checkFixture(t, tc) })
	}
}

// TestMoreFixtureRecords checks whole generic records of the added captures.
func TestMoreFixtureRecords(t *testing.T) {
	tests := []struct {
		file, handle string
		want         Record
	}{
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
				t.Errorf("(-want +got):\n%s", diff)
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

// TestMemoryArrays checks type 16 and the split of type 17 devices into memory
// slots and others on two real boards that describe their BIOS SPI flash as a
// "Flash Memory" array with one device under it (linuxhw/DMI dumps; see
// testdata/PROVENANCE.md). Values read by hand from the files.
func TestMemoryArrays(t *testing.T) {
	tests := []struct {
		file                 string
		arrays               []MemoryArray
		slots, populated     int
		totalBytes           int64
		flash                MemoryDevice // the one device that is not a slot
		allDevices, populAll int
		allBytes             int64
	}{
		{
			// Supermicro X8DTL: two system arrays of 3 slots, all populated
			// (3 x 4 GB + 3 x 8 GB), and "Locator: BIOS", "Bank Locator:
			// ROM0", "Type: Flash", "Size: 4096 kB" under a flash array.
			file: "supermicro-x8dtl_flash-array_manufacturer00.txt",
			arrays: []MemoryArray{
				{Handle: "0x002D", Location: "System Board Or Motherboard", Use: "System Memory",
					ErrorCorrection: "Multi-bit ECC", MaxCapacityBytes: gib(96), Devices: ip(3)},
				{Handle: "0x0035", Location: "System Board Or Motherboard", Use: "System Memory",
					ErrorCorrection: "Multi-bit ECC", MaxCapacityBytes: gib(96), Devices: ip(3)},
				{Handle: "0x003D", Location: "System Board Or Motherboard", Use: "Flash Memory",
					ErrorCorrection: "None", MaxCapacityBytes: i64(4 << 20), Devices: ip(1)},
			},
			slots: 6, populated: 6, totalBytes: 36 << 30,
			flash: MemoryDevice{Locator: "BIOS", BankLocator: "ROM0", Populated: true, SizeBytes: i64(4 << 20),
				Type: "Flash", TypeDetail: "Non-Volatile", FormFactor: "Other", SpeedMTs: ip(33),
				Manufacturer: "ATMEL", SerialNumber: "--", PartNumber: "26DF321", Rank: "Unknown",
				ErrorHandle: "Not Provided", ArrayHandle: "0x003D"},
			allDevices: 7, populAll: 7, allBytes: 36<<30 + 4<<20,
		},
		{
			// Sun Fire X4270 M2: two system arrays of 9 slots, 3 x 16 GB
			// populated, and a flash device with blank locators.
			file: "sun-fire-x4270-m2_flash-array.txt",
			arrays: []MemoryArray{
				{Handle: "0x0033", Location: "System Board Or Motherboard", Use: "System Memory",
					ErrorCorrection: "Multi-bit ECC", MaxCapacityBytes: gib(72), Devices: ip(9)},
				{Handle: "0x0048", Location: "System Board Or Motherboard", Use: "System Memory",
					ErrorCorrection: "Multi-bit ECC", MaxCapacityBytes: gib(72), Devices: ip(9)},
				{Handle: "0x005D", Location: "System Board Or Motherboard", Use: "Flash Memory",
					ErrorCorrection: "None", MaxCapacityBytes: i64(4 << 20), Devices: ip(1)},
			},
			slots: 18, populated: 3, totalBytes: 48 << 30,
			flash: MemoryDevice{Populated: true, SizeBytes: i64(4 << 20),
				Type: "Flash", TypeDetail: "Non-Volatile", FormFactor: "Other", SpeedMTs: ip(33),
				SerialNumber: "--", Rank: "Unknown", ErrorHandle: "Not Provided", ArrayHandle: "0x005D"},
			allDevices: 19, populAll: 4, allBytes: 48<<30 + 4<<20,
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			recs := mustParse(t, tc.file)
			arrays := MemoryArrays(recs)
			if diff := cmp.Diff(tc.arrays, arrays); diff != "" {
				t.Errorf("MemoryArrays (-want +got):\n%s", diff)
			}
			var slots, populated, populAll int
			var total, allBytes int64
			var others []MemoryDevice
			devs := MemoryDevices(recs)
			for _, d := range devs {
				if d.ArrayHandle == "" {
					t.Errorf("%s: no ArrayHandle", d.Locator)
				}
				if d.Populated {
					populAll++
					allBytes += *d.SizeBytes
				}
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
			// The counts bee reported before type 16 was read.
			if len(devs) != tc.allDevices || populAll != tc.populAll || allBytes != tc.allBytes {
				t.Errorf("all devices/populated/bytes = %d/%d/%d, want %d/%d/%d",
					len(devs), populAll, allBytes, tc.allDevices, tc.populAll, tc.allBytes)
			}
			if slots != tc.slots || populated != tc.populated || total != tc.totalBytes {
				t.Errorf("memory slots/populated/bytes = %d/%d/%d, want %d/%d/%d",
					slots, populated, total, tc.slots, tc.populated, tc.totalBytes)
			}
			if len(others) != 1 {
				t.Fatalf("non-memory devices = %+v, want the flash chip alone", others)
			}
			if diff := cmp.Diff(tc.flash, others[0]); diff != "" {
				t.Errorf("flash device (-want +got):\n%s", diff)
			}
			// Without type 16 (a `dmidecode -t 17` alone), nothing says a
			// device is not memory: every one counts.
			if !IsSystemMemory(others[0], nil) {
				t.Error("a device of an array not read must count as a slot")
			}
		})
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
