package audit

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// auditDMI audits a machine whose every dmidecode call answers with one full
// real dump (the dump holds all types); nothing else is installed.
func auditDMI(t *testing.T, file string, files map[string]string) *Audit {
	t.Helper()
	f := fx("dmidecode", file)
	return runAudit(t, map[string]fakeOut{
		"dmidecode -t 0,1,2": {file: f},
		"dmidecode -t 4":     {file: f},
		"dmidecode -t 17":    {file: f},
		"dmidecode -t 16":    {file: f},
	}, files)
}

func collectorOf(a *Audit, name string) Collector {
	for _, c := range a.Collectors {
		if c.Name == name {
			return c
		}
	}
	return Collector{}
}

func i64p(p *int64) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

func ipS(p *int) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

// Issue 16: a BIOS flash chip described as a "Flash Memory" array (type 16)
// with one type 17 device under it is no DIMM: not in dimms, in no count and
// no total. Real Supermicro X8DTL and Sun Fire X4270 M2 dumps (linuxhw/DMI).
func TestMemoryFlashArrayIsNoDIMM(t *testing.T) {
	for _, tc := range []struct {
		file                     string
		slots, populated         string
		total                    string
		flashLocator, flashMaker string
	}{
		// 3 x 4 GB + 3 x 8 GB; bee used to say 7/7 and 36 GiB + 4 MiB.
		{"supermicro-x8dtl_flash-array_manufacturer00.txt", "6", "6", fmt.Sprint(36 << 30), "BIOS", "ATMEL"},
		// 3 x 16 GB in 18 slots; bee used to say 4/19 and 48 GiB + 4 MiB.
		{"sun-fire-x4270-m2_flash-array.txt", "18", "3", fmt.Sprint(48 << 30), "null", "null"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			// MemTotal a little under the DIMMs, as a kernel reports it.
			total := map[string]int64{"6": 36 << 30, "18": 48 << 30}[tc.slots]
			a := auditDMI(t, tc.file, map[string]string{
				"/proc/meminfo": fmt.Sprintf("MemTotal: %d kB\n", total/1024*97/100),
			})
			if c := collectorOf(a, "memory"); c.Status != StatusOK {
				t.Fatalf("memory collector %s: %s", c.Status, str(c.Error))
			}
			m := a.Hardware.Memory
			if ipS(m.SlotsTotal) != tc.slots || ipS(m.SlotsPopulated) != tc.populated || i64p(m.TotalBytes) != tc.total {
				t.Errorf("slots %s/%s total %s, want %s/%s %s", ipS(m.SlotsPopulated), ipS(m.SlotsTotal), i64p(m.TotalBytes),
					tc.populated, tc.slots, tc.total)
			}
			if fmt.Sprint(len(m.DIMMs)) != tc.slots {
				t.Errorf("%d dimms, want %s", len(m.DIMMs), tc.slots)
			}
			for _, d := range m.DIMMs {
				if str(d.Type) == "Flash" || str(d.Locator) == "BIOS" {
					t.Errorf("flash device listed as a DIMM: %+v", d)
				}
			}
			if len(m.OtherDevices) != 1 {
				t.Fatalf("other_devices = %+v, want the flash chip", m.OtherDevices)
			}
			o := m.OtherDevices[0]
			loc, maker := "null", "null"
			if o.Locator != nil {
				loc = *o.Locator
			}
			if o.Manufacturer != nil {
				maker = *o.Manufacturer
			}
			if str(o.ArrayUse) != "Flash Memory" || str(o.Type) != "Flash" || i64p(o.SizeBytes) != fmt.Sprint(4<<20) ||
				loc != tc.flashLocator || maker != tc.flashMaker {
				t.Errorf("flash device = use %s type %s size %s locator %s maker %s", str(o.ArrayUse), str(o.Type),
					i64p(o.SizeBytes), loc, maker)
			}
			for _, f := range a.Hardware.Summary.Findings {
				if f.Code == CodeMemorySizeMismatch {
					t.Errorf("unexpected %s: %s", f.Code, f.Message)
				}
			}
		})
	}
}

// Without type 16 (dmidecode -t 16 failing), nothing says a device is not a
// DIMM: every device counts, as before, and the collector says why.
func TestMemoryArraysUnreadable(t *testing.T) {
	f := fx("dmidecode", "supermicro-x8dtl_flash-array_manufacturer00.txt")
	a := runAudit(t, map[string]fakeOut{
		"dmidecode -t 17": {file: f},
		"dmidecode -t 16": {file: fx("dmidecode", "qemu/dmidecode-t4.txt"), exit: 1},
	}, nil)
	c := collectorOf(a, "memory")
	if c.Status != StatusError || !strings.Contains(str(c.Error), "memory arrays unknown") {
		t.Errorf("memory collector %s: %s", c.Status, str(c.Error))
	}
	m := a.Hardware.Memory
	if ipS(m.SlotsTotal) != "7" || m.OtherDevices != nil {
		t.Errorf("slots %s, other_devices %+v: want 7 and null", ipS(m.SlotsTotal), m.OtherDevices)
	}
}

// Issue 8: when dmidecode fails, memory totals, slots, DIMMs and CPUs are
// unknown (null), not 0 or [] ("none"); what the kernel says stays.
func TestDmidecodeFailsGivesNull(t *testing.T) {
	fail := fakeOut{file: fx("dmidecode", "qemu/dmidecode-t4.txt"), exit: 1}
	a := runAudit(t, map[string]fakeOut{
		"dmidecode -t 0,1,2": fail, "dmidecode -t 4": fail, "dmidecode -t 17": fail, "dmidecode -t 16": fail,
	}, map[string]string{"/proc/meminfo": "MemTotal: 3000000 kB\n"})
	b, err := Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Hardware struct {
			CPUs   json.RawMessage            `json:"cpus"`
			Memory map[string]json.RawMessage `json:"memory"`
		} `json:"hardware"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if string(doc.Hardware.CPUs) != "null" {
		t.Errorf("cpus = %s, want null", doc.Hardware.CPUs)
	}
	for _, k := range []string{"total_bytes", "slots_total", "slots_populated", "dimms", "other_devices"} {
		if string(doc.Hardware.Memory[k]) != "null" {
			t.Errorf("memory.%s = %s, want null", k, doc.Hardware.Memory[k])
		}
	}
	if string(doc.Hardware.Memory["kernel_bytes"]) != "3072000000" {
		t.Errorf("memory.kernel_bytes = %s", doc.Hardware.Memory["kernel_bytes"])
	}
	// A collector that ran and found nothing still says [] ("none").
	ok := auditDMI(t, "qemu/dmidecode-t012.txt", nil)
	if ok.Hardware.CPUs == nil || len(ok.Hardware.CPUs) != 0 || ok.Hardware.Memory.DIMMs == nil || ipS(ok.Hardware.Memory.SlotsTotal) != "0" {
		t.Errorf("a table without types 4 and 17: cpus %v, dimms %v, slots %s; want [], [], 0",
			ok.Hardware.CPUs, ok.Hardware.Memory.DIMMs, ipS(ok.Hardware.Memory.SlotsTotal))
	}
}

// Issue 16: firmware template strings are null in every SMBIOS string field
// bee reports, one real capture per family (linuxhw/DMI dumps unless said),
// and the real values beside them are kept.
func TestPlaceholderFamiliesOnRealCaptures(t *testing.T) {
	type field struct {
		name string
		get  func(h *Hardware) *string
		raw  string // as in the capture; "" when the value must be kept
		want string // kept value
	}
	sys := func(f func(s *System) *string) func(h *Hardware) *string {
		return func(h *Hardware) *string { return f(h.System) }
	}
	board := func(f func(b *Board) *string) func(h *Hardware) *string {
		return func(h *Hardware) *string { return f(h.Board) }
	}
	populated := func(f func(d DIMM) *string) func(h *Hardware) *string {
		return func(h *Hardware) *string {
			for _, d := range h.Memory.DIMMs {
				if d.Populated {
					return f(d)
				}
			}
			return ptr("no populated DIMM")
		}
	}
	allPopulated := func(f func(d DIMM) *string) func(h *Hardware) *string {
		return func(h *Hardware) *string {
			for _, d := range h.Memory.DIMMs {
				if d.Populated && f(d) != nil {
					return f(d)
				}
			}
			return nil
		}
	}
	for _, tc := range []struct {
		file   string
		fields []field
	}{
		{"insyde-purley_type1-type2-templates_tbd-by-oem.txt", []field{
			{"system.version", sys(func(s *System) *string { return s.Version }), "TBD by OEM", ""},
			{"system.sku", sys(func(s *System) *string { return s.SKU }), "Type1Sku0", ""},
			{"system.family", sys(func(s *System) *string { return s.Family }), "Type1Family", ""},
			{"board.manufacturer", board(func(b *Board) *string { return b.Manufacturer }), "Type2 - Board Vendor Name1", ""},
			{"board.product_name", board(func(b *Board) *string { return b.ProductName }), "Type2 - Board Product Name1", ""},
			{"board.version", board(func(b *Board) *string { return b.Version }), "Type2 - Board Version", ""},
			{"system.manufacturer", sys(func(s *System) *string { return s.Manufacturer }), "", "Insyde"},
			{"system.product_name", sys(func(s *System) *string { return s.ProductName }), "", "Purley"},
		}},
		{"ztsystems-z801_tbd.txt", []field{
			{"system.family", sys(func(s *System) *string { return s.Family }), "TBD", ""},
			{"board.version", board(func(b *Board) *string { return b.Version }), "TBD", ""},
			{"system.version", sys(func(s *System) *string { return s.Version }), "", "SVR000942"},
			{"system.sku", sys(func(s *System) *string { return s.SKU }), "", "SS-YH000942A"},
		}},
		{"phytium-ft2000-4_not-set.txt", []field{
			{"system.version", sys(func(s *System) *string { return s.Version }), "Not Set", ""},
			{"system.sku", sys(func(s *System) *string { return s.SKU }), "Not Set", ""},
			{"dimm.part_number", allPopulated(func(d DIMM) *string { return d.PartNumber }), "Not Set", ""},
			{"dimm.manufacturer", populated(func(d DIMM) *string { return d.Manufacturer }), "", "Micron"},
		}},
		{"quanta-qssc-98j_not-support.txt", []field{
			{"dimm.manufacturer", allPopulated(func(d DIMM) *string { return d.Manufacturer }), "NOT SUPPORT", ""},
			{"dimm.part_number", allPopulated(func(d DIMM) *string { return d.PartNumber }), "NOT SUPPORT", ""},
			{"system.product_name", sys(func(s *System) *string { return s.ProductName }), "", "QSSC-98J_C2"},
		}},
		{"sun-fire-x2200-m2_partnum-manufacturer-templates.txt", []field{
			{"dimm.manufacturer", allPopulated(func(d DIMM) *string { return d.Manufacturer }), "Manufacturer0", ""},
			{"dimm.part_number", allPopulated(func(d DIMM) *string { return d.PartNumber }), "PartNum0", ""},
			{"system.product_name", sys(func(s *System) *string { return s.ProductName }), "", "Sun Fire X2200 M2"},
		}},
		{"supermicro-x8dtl_flash-array_manufacturer00.txt", []field{
			// Manufacturer00..02 on three DIMMs, Samsung on the others.
			{"dimm.manufacturer (Manufacturer01)", func(h *Hardware) *string { return h.Memory.DIMMs[1].Manufacturer }, "Manufacturer01", ""},
			{"system.version", sys(func(s *System) *string { return s.Version }), "1234567890", ""},
			{"dimm.manufacturer (Samsung)", func(h *Hardware) *string { return h.Memory.DIMMs[3].Manufacturer }, "", "Samsung"},
		}},
		{"quanta-d54q-2u_dashes-version.txt", []field{
			{"system.version", sys(func(s *System) *string { return s.Version }), "---", ""},
		}},
		{"huaxun-sharq-u628v2_system-family.txt", []field{
			{"system.family", sys(func(s *System) *string { return s.Family }), "SYSTEM_FAMILY", ""},
		}},
		{"intel-s3420gpv_system-sku-number.txt", []field{
			{"system.sku", sys(func(s *System) *string { return s.SKU }), "System SKU Number", ""},
		}},
		{"gigabyte-mz71-ce0_amd-epyc_2cpu_to-be-filled-by-oem.txt", []field{
			{"system.sku", sys(func(s *System) *string { return s.SKU }), "01234567890123456789AB", ""},
		}},
		{"supermicro-x9dbl_thomas-krenn_ddr3_from-dump.txt", []field{
			{"board.version", board(func(b *Board) *string { return b.Version }), "0123456789", ""},
			// Digits, but no run: a real serial.
			{"system.serial_number", sys(func(s *System) *string { return s.SerialNumber }), "", "9000116105"},
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(fx("dmidecode", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			raw := string(b)
			a := auditDMI(t, tc.file, nil)
			for _, f := range tc.fields {
				got := f.get(&a.Hardware)
				switch {
				case f.raw != "" && !strings.Contains(raw, ": "+f.raw):
					t.Errorf("%s: %q is not in the capture", f.name, f.raw)
				case f.raw != "" && got != nil:
					t.Errorf("%s = %q, want null (firmware wrote %q)", f.name, *got, f.raw)
				case f.raw == "" && str(got) != f.want:
					t.Errorf("%s = %q, want %q kept", f.name, str(got), f.want)
				}
			}
		})
	}
}

// Each family on strings no capture in testdata shows in a field bee
// reports, and real values (from the captures) that look close but must stay.
func TestPlaceholderPatterns(t *testing.T) {
	for _, tc := range []struct {
		s      string
		smbios bool // IsSMBIOSPlaceholder
		plain  bool // IsPlaceholder
	}{
		// Templates.
		{"123456789012345678", true, false}, // a DIMM part number in linuxhw dumps
		{"01234567", true, false},           // chassis versions in linuxhw dumps
		{"12345", true, false},
		{"0123456789ABCDEF", true, true},
		{"tbd", true, false},
		{"TBD BY OEM", true, false},
		{"not set", true, false},
		{"Not Supported", true, false},
		{"SerNum0", true, false},
		{"SerNum12", true, false},
		{"PartNum", true, true},
		{"ModulePartNumber07", true, false},
		{"Dimm7_PartNum_____", true, false},
		{"ChannelA_Dimm2_Manufacturer", true, false},
		{"Dimm3_Manufacturer_Name_String", true, false},
		{"DimmA1_SerialNumber", true, false},
		{"Type1ProductConfigId", true, true},
		{"Type3 - Chassis Version", true, false},
		{"Chassis Manufacturer", true, false},
		{"System_Family", true, false},
		{"Base Board Version", true, false},
		{"aaaa", true, false},
		{"111", true, false},
		{"---", true, false},
		{"....", true, true},
		{"FFFFFFFF", true, true},
		{"<BAD INDEX>", true, true},
		{"<OUT OF SPEC>", true, true},
		{"To Be Filled By O.E.M.", true, true},
		{"Fill By OEM", true, true},
		// Real values that must stay.
		{"9000116105", false, false}, // Thomas-Krenn X9DBL system serial
		{"USE2236835", false, false}, // HP DL360p Gen8 serial
		{"System X", false, false},   // IBM System x product line
		{"Purley", false, false},
		{"CPU1", false, false},
		{"P0_Node0_Channel0_Dimm0", false, false},
		{"M393A4K40CB2-CTD", false, false},
		{"00CE00B300CE", false, false}, // JEDEC manufacturer code
		{"01010101", false, false},
		{"1234", false, false},
		{"012345689", false, false},
		{"2345678", false, false},
		{"11", false, false},
		{"00", false, false},
		{"A00", false, false},
		{"TBD2000", false, false},
		{"Typewriter", false, false},
		{"Type 2 chassis", false, false},
		{"Not Settled", false, false},
		{"Family 6", false, false},
		{"Samsung", false, false},
		{"Part Number Co", false, false},
	} {
		if got := IsSMBIOSPlaceholder(tc.s); got != tc.smbios {
			t.Errorf("IsSMBIOSPlaceholder(%q) = %v (%s), want %v", tc.s, got, matchPlaceholder(tc.s, true), tc.smbios)
		}
		if got := IsPlaceholder(tc.s); got != tc.plain {
			t.Errorf("IsPlaceholder(%q) = %v (%s), want %v", tc.s, got, matchPlaceholder(tc.s, false), tc.plain)
		}
	}
}

func TestISODate(t *testing.T) {
	for in, want := range map[string]string{
		"08/13/2020": "2020-08-13",
		"11/16/2012": "2012-11-16",
		"1/2/2020":   "null",
		"02/30/2020": "null",
		"13/01/2020": "null",
		"04/01/14":   "null", // two-digit year (SMBIOS before 2.3)
		"2020-08-13": "null",
		"":           "null",
	} {
		got := isoDate(in)
		s := "null"
		if got != nil {
			s = *got
		}
		if s != want {
			t.Errorf("isoDate(%q) = %s, want %s", in, s, want)
		}
	}
	a := auditDMI(t, "supermicro-x8dtl_flash-array_manufacturer00.txt", nil)
	if b := a.Hardware.BIOS; str(b.ReleaseDate) != "11/16/2012" || str(b.ReleaseDateISO) != "2012-11-16" {
		t.Errorf("bios release_date %s, release_date_iso %s", str(b.ReleaseDate), str(b.ReleaseDateISO))
	}
}
