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

// fixtureWant holds values read by hand from each raw capture.
type fixtureWant struct {
	file    string
	records int // number of "Handle 0x" lines in the file

	bios     BIOS
	biosOK   bool
	system   System
	systemOK bool
	board    Board
	boardOK  bool

	cpus, cpusPopulated, cpusEnabled int
	slots, slotsPopulated            int
	totalBytes                       int64

	dimms map[int]MemoryDevice // index in MemoryDevices → exact record
	procs map[int]Processor    // index in Processors → exact record
}

func TestFixtures(t *testing.T) {
	tests := []fixtureWant{
		{
			file:    "dell-poweredge-r450_2sockets_1cpu_populated.txt",
			records: 60,
			bios:    BIOS{Vendor: "Dell Inc.", Version: "1.4.4", ReleaseDate: "10/07/2021"}, biosOK: true,
			system: System{Manufacturer: "Dell Inc.", ProductName: "PowerEdge R450", SerialNumber: "--", UUID: "--",
				SKU: "SKU=NotProvided;ModelName=PowerEdge R450", Family: "PowerEdge", Version: "Not Specified"}, systemOK: true,
			// No Asset Tag line in this type 2 record.
			board:   Board{Manufacturer: "Dell Inc.", ProductName: "0K7CVF", SerialNumber: "--", Version: "A03"},
			boardOK: true,
			cpus:    2, cpusPopulated: 1, cpusEnabled: 1,
			slots: 16, slotsPopulated: 8, totalBytes: 8 * 32 << 30,
			dimms: map[int]MemoryDevice{
				0: {Locator: "A1", BankLocator: "Not Specified", Populated: true, SizeBytes: gib(32),
					Type: "DDR4", TypeDetail: "Synchronous Registered (Buffered)", FormFactor: "DIMM",
					SpeedMTs: ip(3200), ConfiguredSpeedMTs: ip(2666), Manufacturer: "00AD069D00AD",
					SerialNumber: "--", PartNumber: "HMAA4GR7CJR8N-XN", AssetTag: "--", Rank: "2",
					ErrorHandle: "Not Provided"},
				8: {Locator: "B1", BankLocator: "Not Specified", Populated: false, SizeBytes: nil,
					Type: "Unknown", TypeDetail: "None", FormFactor: "Unknown",
					Manufacturer: "Not Specified", SerialNumber: "--", PartNumber: "Not Specified",
					AssetTag: "--", Rank: "Unknown", ErrorHandle: "Not Provided"},
			},
			procs: map[int]Processor{
				0: {Socket: "CPU1", Manufacturer: "Intel", Version: "Intel(R) Xeon(R) Silver 4316 CPU @ 2.30GHz",
					Family: "Xeon", Populated: true, Status: "Populated, Enabled", Enabled: true,
					Cores: ip(20), EnabledCores: ip(20), Threads: ip(40), MaxSpeedMHz: ip(4000), CurrentSpeedMHz: ip(2300),
					SerialNumber: "--", PartNumber: "Not Specified", ID: "A6 06 06 00 FF FB EB BF"},
				1: {Socket: "CPU2", Manufacturer: "Not Specified", Version: "Not Specified", Family: "Unknown",
					Populated: false, Status: "Unpopulated", Enabled: false, MaxSpeedMHz: ip(4000),
					SerialNumber: "--", PartNumber: "Not Specified", ID: "00 00 00 00 00 00 00 00"},
			},
		},
		{
			file:    "dell-poweredge-r640_glpi_2cpu_24slots_16empty.txt",
			records: 82,
			bios:    BIOS{Vendor: "Dell Inc.", Version: "2.6.4", ReleaseDate: "04/09/2020"}, biosOK: true,
			system: System{Manufacturer: "Dell Inc.", ProductName: "PowerEdge R640", SerialNumber: "2RJF153",
				UUID: "4C4C4544-0052-4A10-8046-B2C04F313533", SKU: "SKU=NotProvided;ModelName=PowerEdge R640",
				Family: "PowerEdge", Version: "Not Specified"}, systemOK: true,
			board:   Board{Manufacturer: "Dell Inc.", ProductName: "06NR82", SerialNumber: ".2RJF153.CNIVC0005G0184.", Version: "A03"},
			boardOK: true,
			cpus:    2, cpusPopulated: 2, cpusEnabled: 2,
			slots: 24, slotsPopulated: 8, totalBytes: 8 * 32 << 30,
			dimms: map[int]MemoryDevice{
				// dmidecode 3.0: "Speed: 2933 MHz", "Configured Clock Speed".
				0: {Locator: "A1", BankLocator: "Not Specified", Populated: true, SizeBytes: gib(32),
					Type: "DDR4", TypeDetail: "Synchronous Registered (Buffered)", FormFactor: "DIMM",
					SpeedMTs: ip(2933), ConfiguredSpeedMTs: ip(2933), Manufacturer: "00CE00B300CE",
					SerialNumber: "3780385B", PartNumber: "M393A4K40CB2-CVF", AssetTag: "02202261", Rank: "2",
					ErrorHandle: "Not Provided"},
				2: {Locator: "A3", BankLocator: "Not Specified", Populated: false,
					Type: "Unknown", TypeDetail: "None", FormFactor: "Unknown",
					Manufacturer: "Not Specified", SerialNumber: "Not Specified", PartNumber: "Not Specified",
					AssetTag: "Not Specified", Rank: "Unknown", ErrorHandle: "Not Provided"},
				12: {Locator: "B1", BankLocator: "Not Specified", Populated: true, SizeBytes: gib(32),
					Type: "DDR4", TypeDetail: "Synchronous Registered (Buffered)", FormFactor: "DIMM",
					SpeedMTs: ip(2933), ConfiguredSpeedMTs: ip(2933), Manufacturer: "00CE00B300CE",
					SerialNumber: "378037F2", PartNumber: "M393A4K40CB2-CVF", AssetTag: "02202261", Rank: "2",
					ErrorHandle: "Not Provided"},
			},
		},
		{
			file:    "dell-poweredge-r740_2cpu_24slots_12empty.txt",
			records: 79,
			bios:    BIOS{Vendor: "Dell Inc.", Version: "2.9.4", ReleaseDate: "11/06/2020"}, biosOK: true,
			system: System{Manufacturer: "Dell Inc.", ProductName: "PowerEdge R740", SerialNumber: "--", UUID: "--",
				SKU: "SKU=0715;ModelName=PowerEdge R740", Family: "PowerEdge", Version: "Not Specified"}, systemOK: true,
			board:   Board{Manufacturer: "Dell Inc.", ProductName: "06WXJT", SerialNumber: "--", Version: "A01"},
			boardOK: true,
			cpus:    2, cpusPopulated: 2, cpusEnabled: 2,
			slots: 24, slotsPopulated: 12, totalBytes: 12 * 32 << 30,
			dimms: map[int]MemoryDevice{
				0: {Locator: "A1", BankLocator: "Not Specified", Populated: true, SizeBytes: gib(32),
					Type: "DDR4", TypeDetail: "Synchronous Registered (Buffered)", FormFactor: "DIMM",
					SpeedMTs: ip(3200), ConfiguredSpeedMTs: ip(2933), Manufacturer: "00AD063200AD",
					SerialNumber: "--", PartNumber: "HMA84GR7DJR4N-XN", AssetTag: "--", Rank: "2",
					ErrorHandle: "Not Provided"},
			},
		},
		{
			file:    "gigabyte-g291-281_gpu-server_2cpu_24slots.txt",
			records: 148,
			bios:    BIOS{Vendor: "GIGABYTE", Version: "R20", ReleaseDate: "06/05/2023"}, biosOK: true,
			system: System{Manufacturer: "GIGABYTE", ProductName: "G291-281-00", SerialNumber: "--", UUID: "--",
				SKU: "01234567890123456789AB", Family: "Server", Version: "0100"}, systemOK: true,
			board:   Board{Manufacturer: "GIGABYTE", ProductName: "MG51-G21-00", SerialNumber: "--", Version: "01010101", AssetTag: "--"},
			boardOK: true,
			cpus:    2, cpusPopulated: 2, cpusEnabled: 2,
			slots: 24, slotsPopulated: 12, totalBytes: 12 * 16 << 30,
			dimms: map[int]MemoryDevice{
				0: {Locator: "DIMM_P0_A0", BankLocator: "P0_Node0_Channel0_Dimm0", Populated: true, SizeBytes: gib(16),
					Type: "DDR4", TypeDetail: "Synchronous", FormFactor: "DIMM",
					SpeedMTs: ip(2933), ConfiguredSpeedMTs: ip(2666), Manufacturer: "Samsung",
					SerialNumber: "--", PartNumber: "M393A2K40CB2-CVF", AssetTag: "--", Rank: "1",
					ErrorHandle: "Not Provided"},
			},
		},
		{
			file:    "gigabyte-mz71-ce0_amd-epyc_2cpu_to-be-filled-by-oem.txt",
			records: 137,
			bios:    BIOS{Vendor: "GIGABYTE", Version: "R03", ReleaseDate: "12/18/2020"}, biosOK: true,
			system: System{Manufacturer: "GIGABYTE", ProductName: "MZ71-CE0-00", SerialNumber: "--", UUID: "--",
				SKU: "01234567890123456789AB", Family: "Server", Version: "0100"}, systemOK: true,
			board:   Board{Manufacturer: "GIGABYTE", ProductName: "MZ71-CE0-00", SerialNumber: "--", Version: "01000100", AssetTag: "--"},
			boardOK: true,
			cpus:    2, cpusPopulated: 2, cpusEnabled: 2,
			slots: 16, slotsPopulated: 16, totalBytes: 16 * 8 << 30,
			dimms: map[int]MemoryDevice{
				15: {Locator: "DIMM_P1_P0", BankLocator: "BANK 0", Populated: true, SizeBytes: gib(8),
					Type: "DDR4", TypeDetail: "Synchronous Registered (Buffered)", FormFactor: "DIMM",
					SpeedMTs: ip(3200), ConfiguredSpeedMTs: ip(3200), Manufacturer: "Kingston",
					SerialNumber: "--", PartNumber: "9965690-051.A00G", AssetTag: "--", Rank: "1",
					ErrorHandle: "0x0072"},
			},
			procs: map[int]Processor{
				1: {Socket: "P1", Manufacturer: "Advanced Micro Devices, Inc.", Version: "AMD EPYC 7302 16-Core Processor",
					Family: "Zen", Populated: true, Status: "Populated, Enabled", Enabled: true,
					Cores: ip(16), EnabledCores: ip(16), Threads: ip(32), MaxSpeedMHz: ip(3300), CurrentSpeedMHz: ip(3000),
					SerialNumber: "--", PartNumber: "Unknown", ID: "10 0F 83 00 FF FB 8B 17"},
			},
		},
		{
			file:    "hp-proliant-dl360p-gen8_glpi_2cpu_24slots.txt",
			records: 180,
			bios:    BIOS{Vendor: "HP", Version: "P71", ReleaseDate: "07/01/2015"}, biosOK: true,
			// Serial and SKU are padded with trailing spaces in the file.
			system: System{Manufacturer: "HP", ProductName: "ProLiant DL360p Gen8", SerialNumber: "USE2236835",
				UUID: "30343536-3138-5355-4532-323336383335", SKU: "654081-B21", Family: "ProLiant",
				Version: "Not Specified"}, systemOK: true,
			boardOK: false, // no type 2 record at all
			// Proc 2 is "Populated, Idle".
			cpus: 2, cpusPopulated: 2, cpusEnabled: 1,
			slots: 24, slotsPopulated: 8, totalBytes: 8 * 8192 << 20,
			dimms: map[int]MemoryDevice{
				0: {Locator: "PROC  1 DIMM  1", BankLocator: "Not Specified", Populated: true, SizeBytes: gib(8),
					Type: "DDR3", TypeDetail: "Synchronous Registered (Buffered)", FormFactor: "DIMM",
					SpeedMTs: ip(1333), ConfiguredSpeedMTs: ip(1333), Manufacturer: "HP",
					SerialNumber: "Not Specified", PartNumber: "647650-071", AssetTag: "Not Specified", Rank: "2",
					ErrorHandle: "Not Provided"},
				1: {Locator: "PROC  1 DIMM  2", BankLocator: "Not Specified", Populated: false,
					Type: "DDR3", TypeDetail: "Synchronous", FormFactor: "DIMM",
					Manufacturer: "UNKNOWN", SerialNumber: "Not Specified", PartNumber: "NOT AVAILABLE",
					AssetTag: "Not Specified", Rank: "Unknown", ErrorHandle: "Not Provided"},
				23: {Locator: "PROC  2 DIMM 12", BankLocator: "Not Specified", Populated: true, SizeBytes: gib(8),
					Type: "DDR3", TypeDetail: "Synchronous Registered (Buffered)", FormFactor: "DIMM",
					SpeedMTs: ip(1333), ConfiguredSpeedMTs: ip(1333), Manufacturer: "HP",
					SerialNumber: "Not Specified", PartNumber: "647650-071", AssetTag: "Not Specified", Rank: "2",
					ErrorHandle: "Not Provided"},
			},
			procs: map[int]Processor{
				1: {Socket: "Proc 2", Manufacturer: "Intel", Version: "Intel(R) Xeon(R) CPU E5-2640 0 @ 2.50GHz",
					Family: "Xeon", Populated: true, Status: "Populated, Idle", Enabled: false,
					Cores: ip(6), EnabledCores: ip(6), Threads: ip(12), MaxSpeedMHz: ip(4800), CurrentSpeedMHz: ip(2500),
					SerialNumber: "Not Specified", PartNumber: "Not Specified", ID: "D7 06 02 00 FF FB EB BF"},
			},
		},
		{
			file:    "hpe-proliant-dl380-gen10_2cpu_24dimms.txt",
			records: 266,
			bios:    BIOS{Vendor: "HPE", Version: "U30", ReleaseDate: "08/29/2024"}, biosOK: true,
			system: System{Manufacturer: "HPE", ProductName: "ProLiant DL380 Gen10", SerialNumber: "--", UUID: "--",
				SKU: "P19719-B21", Family: "ProLiant", Version: "Not Specified"}, systemOK: true,
			board:   Board{Manufacturer: "HPE", ProductName: "ProLiant DL380 Gen10", SerialNumber: "--", Version: "Not Specified", AssetTag: "--"},
			boardOK: true,
			cpus:    2, cpusPopulated: 2, cpusEnabled: 2,
			slots: 24, slotsPopulated: 24, totalBytes: 24 * 32 << 30,
			dimms: map[int]MemoryDevice{
				0: {Locator: "PROC 1 DIMM 1", BankLocator: "Not Specified", Populated: true, SizeBytes: gib(32),
					Type: "DDR4", TypeDetail: "Synchronous Registered (Buffered)", FormFactor: "DIMM",
					SpeedMTs: ip(2400), ConfiguredSpeedMTs: ip(2400), Manufacturer: "HPE",
					SerialNumber: "--", PartNumber: "809083-091", AssetTag: "--", Rank: "2",
					ErrorHandle: "Not Provided"},
				23: {Locator: "PROC 2 DIMM 12", BankLocator: "Not Specified", Populated: true, SizeBytes: gib(32),
					Type: "DDR4", TypeDetail: "Synchronous Registered (Buffered)", FormFactor: "DIMM",
					SpeedMTs: ip(2400), ConfiguredSpeedMTs: ip(2400), Manufacturer: "HPE",
					SerialNumber: "--", PartNumber: "809083-091", AssetTag: "--", Rank: "2",
					ErrorHandle: "Not Provided"},
			},
		},
		{
			file:    "huawei-2288h-v5_2cpu_24slots_22empty.txt",
			records: 92,
			bios:    BIOS{Vendor: "INSYDE Corp.", Version: "7.93", ReleaseDate: "01/14/2021"}, biosOK: true,
			system: System{Manufacturer: "Huawei", ProductName: "2288H V5", SerialNumber: "--", UUID: "--",
				SKU: "Purley", Family: "Purley", Version: "Purley"}, systemOK: true,
			board:   Board{Manufacturer: "Huawei", ProductName: "BC11SPSCB0", SerialNumber: "--", Version: "V100R005", AssetTag: "--"},
			boardOK: true,
			cpus:    2, cpusPopulated: 2, cpusEnabled: 2,
			slots: 24, slotsPopulated: 2, totalBytes: 2 * 32 << 30,
			dimms: map[int]MemoryDevice{
				12: {Locator: "DIMM100 J34", BankLocator: "_Node1_Channel0_Dimm0", Populated: true, SizeBytes: gib(32),
					Type: "DDR4", TypeDetail: "Synchronous Registered (Buffered)", FormFactor: "DIMM",
					SpeedMTs: ip(2933), ConfiguredSpeedMTs: ip(2400), Manufacturer: "Samsung",
					SerialNumber: "--", PartNumber: "M393A4K40DB2-CVF", AssetTag: "--", Rank: "2",
					ErrorHandle: "Not Provided"},
				23: {Locator: "DIMM151 J45", BankLocator: "_Node1_Channel5_Dimm1", Populated: false,
					Type: "Unknown", TypeDetail: "Unknown Synchronous", FormFactor: "DIMM",
					Manufacturer: "NO DIMM", SerialNumber: "--", PartNumber: "NO DIMM", AssetTag: "--",
					Rank: "Unknown", ErrorHandle: "Not Provided"},
			},
		},
		{
			file:    "inspur-nf5280m6_2cpu_32slots_16empty.txt",
			records: 96,
			bios:    BIOS{Vendor: "American Megatrends Inc.", Version: "06.01.00", ReleaseDate: "09/29/2022"}, biosOK: true,
			system: System{Manufacturer: "Inspur", ProductName: "NF5280M6", SerialNumber: "--", UUID: "--",
				SKU: "Default string", Family: "Not specified", Version: "0"}, systemOK: true,
			board:   Board{Manufacturer: "Inspur", ProductName: "NF5280M6", SerialNumber: "--", Version: "YZMB-01642-103", AssetTag: "--"},
			boardOK: true,
			cpus:    2, cpusPopulated: 2, cpusEnabled: 2,
			slots: 32, slotsPopulated: 16, totalBytes: 16 * 32 << 30,
			dimms: map[int]MemoryDevice{
				0: {Locator: "CPU0_C0D0", BankLocator: "NODE 0", Populated: true, SizeBytes: gib(32),
					Type: "DDR4", TypeDetail: "Synchronous Registered (Buffered)", FormFactor: "DIMM",
					SpeedMTs: ip(3200), ConfiguredSpeedMTs: ip(3200), Manufacturer: "Hynix",
					SerialNumber: "--", PartNumber: "HMA84GR7CJR4N-XN", AssetTag: "--", Rank: "2",
					ErrorHandle: "Not Provided"},
				31: {Locator: "CPU1_C7D1", BankLocator: "NODE 7", Populated: false,
					Type: "Unknown", TypeDetail: "Unknown", FormFactor: "DIMM",
					Manufacturer: "NO DIMM", SerialNumber: "--", PartNumber: "NO DIMM", AssetTag: "--",
					Rank: "Unknown", ErrorHandle: "Not Provided"},
			},
		},
		{
			file:    "lenovo-thinksystem-sr650_2cpu_24slots_16empty.txt",
			records: 96,
			bios:    BIOS{Vendor: "Lenovo", Version: "-[IVE164L-2.80]-", ReleaseDate: "10/23/2020"}, biosOK: true,
			system: System{Manufacturer: "Lenovo", ProductName: "ThinkSystem SR650 -[7X06CTO1WW]-", SerialNumber: "--",
				UUID: "--", SKU: "7X06CTO1WW", Family: "ThinkSystem", Version: "07"}, systemOK: true,
			board:   Board{Manufacturer: "Lenovo", ProductName: "-[7X06CTO1WW]-", SerialNumber: "--", Version: "none", AssetTag: "--"},
			boardOK: true,
			cpus:    2, cpusPopulated: 2, cpusEnabled: 2,
			slots: 24, slotsPopulated: 8, totalBytes: 8 * 64 << 30,
			procs: map[int]Processor{
				0: {Socket: "CPU 1", Manufacturer: "Intel(R) Corporation", Version: "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz",
					Family: "Xeon", Populated: true, Status: "Populated, Enabled", Enabled: true,
					Cores: ip(20), EnabledCores: ip(20), Threads: ip(40), MaxSpeedMHz: ip(3900), CurrentSpeedMHz: ip(2500),
					SerialNumber: "--", PartNumber: "Not Specified", ID: "57 06 05 00 FF FB EB BF"},
			},
		},
		{
			file:    "lenovo-thinksystem-sr950-v3_8cpu_128slots_120empty.txt",
			records: 272,
			bios:    BIOS{Vendor: "Lenovo", Version: "EBE101Y-1.10", ReleaseDate: "06/16/2023"}, biosOK: true,
			system: System{Manufacturer: "Lenovo", ProductName: "ThinkSystem SR950 V3", SerialNumber: "--", UUID: "--",
				SKU: "7DC5CTO1WW", Family: "ThinkSystem", Version: "02"}, systemOK: true,
			// Four identical type 2 records; the first one is returned.
			board:   Board{Manufacturer: "Lenovo", ProductName: "STA7B38870", SerialNumber: "--", Version: "02", AssetTag: "--"},
			boardOK: true,
			cpus:    8, cpusPopulated: 8, cpusEnabled: 8,
			slots: 128, slotsPopulated: 8, totalBytes: 8 * 64 << 30,
			dimms: map[int]MemoryDevice{
				0: {Locator: "DIMM A1", BankLocator: "Primary Main Board/CPU 0", Populated: true, SizeBytes: gib(64),
					Type: "DDR5", TypeDetail: "Synchronous Registered (Buffered)", FormFactor: "DIMM",
					SpeedMTs: ip(4800), ConfiguredSpeedMTs: ip(4800), Manufacturer: "SK Hynix",
					SerialNumber: "--", PartNumber: "HMCG94MEBRA121N", AssetTag: "--", Rank: "2",
					ErrorHandle: "Not Provided"},
				112: {Locator: "DIMM J1", BankLocator: "Primary CPU Board/CPU 7", Populated: true, SizeBytes: gib(64),
					Type: "DDR5", TypeDetail: "Synchronous Registered (Buffered)", FormFactor: "DIMM",
					SpeedMTs: ip(4800), ConfiguredSpeedMTs: ip(4800), Manufacturer: "SK Hynix",
					SerialNumber: "--", PartNumber: "HMCG94MEBRA123N", AssetTag: "--", Rank: "2",
					ErrorHandle: "Not Provided"},
				// Empty slots stop after "Type Detail": no speed, manufacturer, serial...
				127: {Locator: "DIMM T2", BankLocator: "Primary CPU Board/CPU 7", Populated: false,
					Type: "Unknown", TypeDetail: "Unknown", FormFactor: "DIMM", ErrorHandle: "Not Provided"},
			},
		},
		{
			file:    "supermicro-sys-4029gp-trt2_8gpu_from-nvidia-bug-report.txt",
			records: 100,
			bios:    BIOS{Vendor: "American Megatrends Inc.", Version: "3.3a", ReleaseDate: "08/13/2020"}, biosOK: true,
			system: System{Manufacturer: "Supermicro", ProductName: "SYS-4029GP-TRT2", SerialNumber: "S309085X0B18791",
				UUID: "68ae0800-8056-11ea-8000-3cecef3d7a3c", SKU: "1A0615D9", Family: "SMC X11", Version: "123456789"}, systemOK: true,
			board:   Board{Manufacturer: "Supermicro", ProductName: "X11DPG-OT-CPU", SerialNumber: "UM204S004286", Version: "1.01", AssetTag: "Default string"},
			boardOK: true,
			cpus:    2, cpusPopulated: 2, cpusEnabled: 2,
			slots: 24, slotsPopulated: 8, totalBytes: 8 * 32 << 30,
			dimms: map[int]MemoryDevice{
				0: {Locator: "P1-DIMMA1", BankLocator: "P0_Node0_Channel0_Dimm0", Populated: true, SizeBytes: gib(32),
					Type: "DDR4", TypeDetail: "Synchronous", FormFactor: "DIMM",
					SpeedMTs: ip(3200), ConfiguredSpeedMTs: ip(2400), Manufacturer: "Samsung",
					SerialNumber: "436C8AA9", PartNumber: "M393A4K40DB3-CWE", AssetTag: "P1-DIMMA1_AssetTag (Date:20/22)",
					Rank: "2", ErrorHandle: "Not Provided"},
				1: {Locator: "P1-DIMMA2", BankLocator: "NO DIMM", Populated: false,
					Type: "Unknown", TypeDetail: "Unknown", FormFactor: "Unknown",
					Manufacturer: "NO DIMM", SerialNumber: "NO DIMM", PartNumber: "NO DIMM", AssetTag: "NO DIMM",
					Rank: "Unknown", ErrorHandle: "Not Provided"},
				20: {Locator: "P2-DIMME1", BankLocator: "P1_Node1_Channel1_Dimm0", Populated: true, SizeBytes: gib(32),
					Type: "DDR4", TypeDetail: "Synchronous", FormFactor: "DIMM",
					SpeedMTs: ip(3200), ConfiguredSpeedMTs: ip(2400), Manufacturer: "Samsung",
					SerialNumber: "436C87F9", PartNumber: "M393A4K40DB3-CWE", AssetTag: "P2-DIMME1_AssetTag (Date:20/22)",
					Rank: "2", ErrorHandle: "Not Provided"},
			},
		},
		{
			file:    "supermicro-x11dpi-n_2cpu_16slots_4empty.txt",
			records: 82,
			bios:    BIOS{Vendor: "American Megatrends Inc.", Version: "3.1", ReleaseDate: "04/26/2019"}, biosOK: true,
			system: System{Manufacturer: "Supermicro", ProductName: "X11DPi-N(T)", SerialNumber: "--", UUID: "--",
				SKU: "091715D9", Family: "SMC X11", Version: "123456789"}, systemOK: true,
			board:   Board{Manufacturer: "Supermicro", ProductName: "X11DPi-NT", SerialNumber: "--", Version: "2.00", AssetTag: "--"},
			boardOK: true,
			cpus:    2, cpusPopulated: 2, cpusEnabled: 2,
			slots: 16, slotsPopulated: 12, totalBytes: 12 * 16 << 30,
			dimms: map[int]MemoryDevice{
				0: {Locator: "P1-DIMMA1", BankLocator: "P0_Node0_Channel0_Dimm0", Populated: true, SizeBytes: gib(16),
					Type: "DDR4", TypeDetail: "Synchronous", FormFactor: "DIMM",
					SpeedMTs: ip(2933), ConfiguredSpeedMTs: ip(2666), Manufacturer: "Micron",
					SerialNumber: "--", PartNumber: "18ASF2G72PZ-2G9E1", AssetTag: "--", Rank: "1",
					ErrorHandle: "Not Provided"},
			},
		},
		{
			file:    "vmware-virtual-platform_from-dump.txt",
			records: 620,
			bios:    BIOS{Vendor: "Phoenix Technologies LTD", Version: "6.00", ReleaseDate: "05/19/2017"}, biosOK: true,
			system: System{Manufacturer: "VMware, Inc.", ProductName: "VMware Virtual Platform",
				SerialNumber: "VMware-56 4d e2 c3 c3 c0 e1 e2-46 22 55 4d c5 eb 6b a1",
				UUID:         "c3e24d56-c0c3-e2e1-4622-554dc5eb6ba1", SKU: "Not Specified", Family: "Not Specified",
				Version: "None"}, systemOK: true,
			board:   Board{Manufacturer: "Intel Corporation", ProductName: "440BX Desktop Reference Platform", SerialNumber: "None", Version: "None", AssetTag: "Not Specified"},
			boardOK: true,
			// 128 sockets, 2 "Populated, Enabled", 126 "Populated, Disabled By BIOS".
			cpus: 128, cpusPopulated: 128, cpusEnabled: 2,
			slots: 128, slotsPopulated: 1, totalBytes: 1 << 30,
			dimms: map[int]MemoryDevice{
				0: {Locator: "RAM slot #0", BankLocator: "RAM slot #0", Populated: true, SizeBytes: gib(1),
					Type: "DRAM", TypeDetail: "EDO", FormFactor: "DIMM",
					Manufacturer: "Not Specified", SerialNumber: "Not Specified", PartNumber: "Not Specified",
					AssetTag: "Not Specified", Rank: "Unknown", ErrorHandle: "No Error"},
				127: {Locator: "NVD #63", BankLocator: "NVD #63", Populated: false,
					Type: "Other", TypeDetail: "Unknown", FormFactor: "DIMM",
					Manufacturer: "Not Specified", SerialNumber: "Not Specified", PartNumber: "Not Specified",
					AssetTag: "Not Specified", Rank: "Unknown", ErrorHandle: "No Error"},
			},
			procs: map[int]Processor{
				// No "Thread Count" line in this dump.
				2: {Socket: "CPU #002", Manufacturer: "GenuineIntel", Version: "Intel(R) Core(TM) i7-5500U CPU @ 2.40GHz",
					Family: "Unknown", Populated: true, Status: "Populated, Disabled By BIOS", Enabled: false,
					Cores: ip(1), EnabledCores: ip(1), MaxSpeedMHz: ip(30000), CurrentSpeedMHz: ip(2400),
					SerialNumber: "Not Specified", PartNumber: "Not Specified", ID: "D4 06 00 00 FF FB 8B 0F"},
			},
		},
		{
			file:    "qemu/dmidecode-t012.txt",
			records: 3,
			bios:    BIOS{Vendor: "SeaBIOS", Version: "1.16.2-debian-1.16.2-1", ReleaseDate: "04/01/2014"}, biosOK: true,
			system: System{Manufacturer: "TestVendor", ProductName: "TestProduct", SerialNumber: "SYSSN12345",
				UUID: "6f1c2a3b-1111-2222-3333-444455556666", SKU: "Not Specified", Family: "Not Specified",
				Version: "pc-q35-7.2"}, systemOK: true,
			board:   Board{Manufacturer: "TestVendor", ProductName: "TB1", SerialNumber: "BRDSN777", Version: "pc-q35-7.2", AssetTag: "Not Specified"},
			boardOK: true,
		},
		{
			file:    "qemu/dmidecode-t4.txt",
			records: 1,
			cpus:    1, cpusPopulated: 1, cpusEnabled: 1,
			procs: map[int]Processor{
				0: {Socket: "CPU 0", Manufacturer: "TestSemi", Version: "Test CPU X1 @ 2.40GHz", Family: "Other",
					Populated: true, Status: "Populated, Enabled", Enabled: true,
					Cores: ip(2), EnabledCores: ip(2), Threads: ip(2), MaxSpeedMHz: ip(2400), CurrentSpeedMHz: ip(2400),
					SerialNumber: "Not Specified", PartNumber: "Not Specified", ID: "B1 0F 06 00 FD FB 8B 07"},
			},
		},
		{
			file:    "qemu/dmidecode-t17.txt",
			records: 1,
			slots:   1, slotsPopulated: 1, totalBytes: 3 << 30,
			dimms: map[int]MemoryDevice{
				0: {Locator: "DIMM 0", BankLocator: "Not Specified", Populated: true, SizeBytes: gib(3),
					Type: "RAM", TypeDetail: "Other", FormFactor: "DIMM",
					SpeedMTs: ip(3200), ConfiguredSpeedMTs: ip(3200), Manufacturer: "TestMem",
					SerialNumber: "DIMMSN42", PartNumber: "PN1", AssetTag: "Not Specified", Rank: "Unknown",
					ErrorHandle: "Not Provided"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) { checkFixture(t, tc) })
	}
}

// checkFixture parses tc.file and compares every helper's result with tc.
func checkFixture(t *testing.T, tc fixtureWant) {
	t.Helper()
	recs := mustParse(t, tc.file)
	if len(recs) != tc.records {
		t.Errorf("len(records) = %d, want %d", len(recs), tc.records)
	}

	bios, ok := BIOSInfo(recs)
	if ok != tc.biosOK {
		t.Errorf("BIOSInfo ok = %v, want %v", ok, tc.biosOK)
	}
	if diff := cmp.Diff(tc.bios, bios); diff != "" {
		t.Errorf("BIOSInfo (-want +got):\n%s", diff)
	}
	sys, ok := SystemInfo(recs)
	if ok != tc.systemOK {
		t.Errorf("SystemInfo ok = %v, want %v", ok, tc.systemOK)
	}
	if diff := cmp.Diff(tc.system, sys); diff != "" {
		t.Errorf("SystemInfo (-want +got):\n%s", diff)
	}
	board, ok := BaseBoard(recs)
	if ok != tc.boardOK {
		t.Errorf("BaseBoard ok = %v, want %v", ok, tc.boardOK)
	}
	if diff := cmp.Diff(tc.board, board); diff != "" {
		t.Errorf("BaseBoard (-want +got):\n%s", diff)
	}

	procs := Processors(recs)
	var populated, enabled int
	for _, p := range procs {
		if p.Populated {
			populated++
		}
		if p.Enabled {
			enabled++
		}
	}
	if len(procs) != tc.cpus || populated != tc.cpusPopulated || enabled != tc.cpusEnabled {
		t.Errorf("CPUs total/populated/enabled = %d/%d/%d, want %d/%d/%d",
			len(procs), populated, enabled, tc.cpus, tc.cpusPopulated, tc.cpusEnabled)
	}
	for i, want := range tc.procs {
		if i >= len(procs) {
			t.Errorf("Processors()[%d] missing", i)
			continue
		}
		if diff := cmp.Diff(want, procs[i]); diff != "" {
			t.Errorf("Processors()[%d] (-want +got):\n%s", i, diff)
		}
	}

	dimms := MemoryDevices(recs)
	var slotsPopulated int
	var total int64
	for _, d := range dimms {
		if d.Populated {
			slotsPopulated++
			if d.SizeBytes == nil {
				t.Errorf("%s: populated with unknown size", d.Locator)
			} else {
				total += *d.SizeBytes
			}
		} else if d.SizeBytes != nil {
			t.Errorf("%s: not populated but SizeBytes = %d", d.Locator, *d.SizeBytes)
		}
	}
	if len(dimms) != tc.slots || slotsPopulated != tc.slotsPopulated || total != tc.totalBytes {
		t.Errorf("DIMM slots total/populated/bytes = %d/%d/%d, want %d/%d/%d",
			len(dimms), slotsPopulated, total, tc.slots, tc.slotsPopulated, tc.totalBytes)
	}
	for i, want := range tc.dimms {
		if i >= len(dimms) {
			t.Errorf("MemoryDevices()[%d] missing", i)
			continue
		}
		got := dimms[i]
		if want.ArrayHandle == "" {
			got.ArrayHandle = "" // checked by TestMemoryArrays
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("MemoryDevices()[%d] (-want +got):\n%s", i, diff)
		}
	}
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

// TestFixtureRecords checks whole generic records, read by hand from the files.
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
