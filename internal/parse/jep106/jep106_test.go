package jep106

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/parse/dmidecode"
)

func TestTable(t *testing.T) {
	// Spot checks against the JEP106 list (bank, code with parity → name).
	for _, tc := range []struct {
		bank int
		id   byte
		want string
	}{
		{1, 0x01, "AMD"},
		{1, 0x2C, "Micron Technology"},
		{1, 0xAD, "SK Hynix"},
		{1, 0xCE, "Samsung"},
		{1, 0xC1, "Infineon (Siemens)"},
		{2, 0x98, "Kingston"},
		{3, 0x9E, "Corsair"},
		{3, 0xFE, "Elpida"},
		{4, 0x0B, "Nanya Technology"},
		{10, 0x83, "Hewlett Packard Enterprise"},
		{15, 0x01, "Kalray SA"},
		{16, 0x01, "Changxin Memory Technology (Shanghai)"},
		{17, 0x01, "Shenzhen JIEQING Technology Co Ltd"},
	} {
		got, ok := Lookup(tc.bank, tc.id)
		if !ok || got != tc.want {
			t.Errorf("Lookup(%d, 0x%02X) = %q, %v; want %q", tc.bank, tc.id, got, ok, tc.want)
		}
	}
	n := 0
	for _, bank := range names {
		for id, name := range bank {
			if name == "" {
				continue
			}
			n++
			if withParity(byte(id)&0x7F) != byte(id) {
				t.Errorf("%q stored at 0x%02X, which lacks odd parity", name, id)
			}
		}
	}
	if n != assigned || n < 2000 {
		t.Errorf("table holds %d names, generator counted %d (want the whole list, >2000)", n, assigned)
	}
	if Banks != 17 {
		t.Errorf("Banks = %d, want 17 (JEP106BL)", Banks)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" = not a code
		code Code
	}{
		{"80CE", "Samsung", Code{1, 0xCE}},
		{"00CE", "Samsung", Code{1, 0xCE}},
		{"802C", "Micron Technology", Code{1, 0x2C}},
		{"80AD", "SK Hynix", Code{1, 0xAD}},
		{"004E", "Samsung", Code{1, 0xCE}}, // parity bit dropped
		{"0x2C00", "Micron Technology", Code{1, 0x2C}},
		{"0x0198", "Kingston", Code{2, 0x98}},
		{"0x9801", "Kingston", Code{2, 0x98}},
		{"8198", "", Code{}}, // bank byte 0x81: bit 7 set with even parity
		{"0x80CE", "Samsung", Code{1, 0xCE}},
		{"00AD063200AD", "SK Hynix", Code{1, 0xAD}},
		{"00CE00B300CE", "Samsung", Code{1, 0xCE}},
		{"CE00000000000000", "Samsung", Code{1, 0xCE}},
		{"C100000000000000", "Infineon (Siemens)", Code{1, 0xC1}},
		{"7F7F9E0000000000", "Corsair", Code{3, 0x9E}},
		{"7F7F9EFFFFFFFFFF", "Corsair", Code{3, 0x9E}},
		{"7F7F9E", "Corsair", Code{3, 0x9E}},
		{"7F7F9E000000", "Corsair", Code{3, 0x9E}},
		{"7F7F7F7F7F7F7F7F7F83", "Hewlett Packard Enterprise", Code{10, 0x83}},
		{"Bank 1, Hex 0xCE", "Samsung", Code{1, 0xCE}},
		{"Bank 10, Hex 0x83", "Hewlett Packard Enterprise", Code{10, 0x83}},
		{"bank 2,hex 98", "Kingston", Code{2, 0x98}},
		{" 80CE ", "Samsung", Code{1, 0xCE}},
		// Not codes.
		{"Samsung", "", Code{}},
		{"HPE", "", Code{}},
		{"00FF", "", Code{}},
		{"ZZZZ", "", Code{}},
		{"000000000000", "", Code{}},
		{"0000000000000000", "", Code{}},
		{"CE0000000000AB00", "", Code{}}, // not padding after the ID
		{"7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F7F01", "", Code{}},
		{"Bank 18, Hex 0x01", "", Code{}},
		{"Bank 0, Hex 0x01", "", Code{}},
		{"Bank 1, Hex 0x00", "", Code{}},
		{"Bank 1, Hex 0xCF", "", Code{}},                        // bit 7 set, even parity
		{"Bank 1, Hex 0x4F", "I3 Design System", Code{1, 0x4F}}, // odd parity without bit 7
		{"1234", "", Code{}},
		{"80C", "", Code{}},
		{"", "", Code{}},
	} {
		c, ok := Parse(tc.in)
		if tc.want == "" || tc.code == (Code{}) {
			if ok {
				t.Errorf("Parse(%q) = %v (%s), want not a code", tc.in, c, c.Name())
			}
			continue
		}
		if !ok || c != tc.code || c.Name() != tc.want {
			t.Errorf("Parse(%q) = %v %v (%q), want %v (%q)", tc.in, c, ok, c.Name(), tc.code, tc.want)
		}
	}
}

func TestDecode(t *testing.T) {
	m := Decode(" 00AD063200AD ")
	if m.Raw != "00AD063200AD" || m.Name != "SK Hynix" || m.Code == nil || *m.Code != (Code{1, 0xAD}) {
		t.Errorf("Decode = %+v", m)
	}
	if m.Code.String() != "Bank 1, Hex 0xAD" {
		t.Errorf("String = %q", m.Code.String())
	}
	m = Decode("Samsung ")
	if m.Raw != "Samsung" || m.Name != "Samsung" || m.Code != nil {
		t.Errorf("Decode(name) = %+v", m)
	}
}

// TestDmidecodeCaptures decodes every type 17 Manufacturer and Module Manufacturer ID in
// the dmidecode package's real captures. Where a capture prints both a name and an ID,
// they must name the same maker.
func TestDmidecodeCaptures(t *testing.T) {
	files, err := filepath.Glob("../dmidecode/testdata/*.txt")
	if err != nil || len(files) < 10 {
		t.Fatalf("dmidecode captures: %v (%d)", err, len(files))
	}
	// Codes each capture holds in its Manufacturer field, read from the files.
	wantCodes := map[string]string{
		"dell-latitude-d610_dmidecode-2.8_smbios-2.3.txt":   "C100000000000000=Infineon (Siemens)",
		"dell-poweredge-r450_2sockets_1cpu_populated.txt":   "00AD069D00AD=SK Hynix,00CE063200CE=Samsung,00CE069D00CE=Samsung",
		"dell-poweredge-r640_glpi_2cpu_24slots_16empty.txt": "00CE00B300CE=Samsung",
		"dell-poweredge-r740_2cpu_24slots_12empty.txt":      "00AD063200AD=SK Hynix",
		"intel-s3420gpv_system-sku-number.txt":              "0x0198=Kingston",
	}
	// The short names firmware prints, as they appear in the JEP106 name.
	agrees := func(printed, jedec string) bool {
		if c, ok := Parse(printed); ok {
			return c.Name() == jedec
		}
		p := strings.ToLower(strings.Fields(printed)[0])
		return strings.Contains(strings.ToLower(jedec), p) || (p == "hpe" && jedec == "Hewlett Packard Enterprise")
	}
	ids := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := dmidecode.Parse(data)
		if err != nil {
			continue // captures without type 17 records
		}
		got := map[string]bool{}
		for _, r := range recs {
			if r.Type != 17 {
				continue
			}
			man := strings.TrimSpace(r.Fields["Manufacturer"])
			if c, ok := Parse(man); ok {
				got[man+"="+c.Name()] = true
			}
			id := r.Fields["Module Manufacturer ID"]
			if id == "" || id == "Unknown" {
				continue
			}
			ids++
			c, ok := Parse(id)
			if !ok {
				t.Errorf("%s: Module Manufacturer ID %q not decoded", filepath.Base(f), id)
				continue
			}
			if man != "" && !agrees(man, c.Name()) {
				t.Errorf("%s: Manufacturer %q but ID %q decodes to %q", filepath.Base(f), man, id, c.Name())
			}
		}
		var list []string
		for k := range got {
			list = append(list, k)
		}
		sortStrings(list)
		if want := wantCodes[filepath.Base(f)]; strings.Join(list, ",") != want {
			t.Errorf("%s: codes decoded %q, want %q", filepath.Base(f), strings.Join(list, ","), want)
		}
	}
	if ids < 50 {
		t.Errorf("only %d Module Manufacturer IDs seen in the captures", ids)
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"80CE", "0x2C00", "00AD063200AD", "CE00000000000000", "7F7F9E", "Bank 5, Hex 0x9B", "Samsung"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := Parse(s)
		if ok != (c.Name() != "") {
			t.Fatalf("Parse(%q) = %v, %v with name %q", s, c, ok, c.Name())
		}
		if ok {
			if c2, ok2 := Parse(c.String()); !ok2 || c2 != c {
				t.Fatalf("Parse(%q) = %v does not round-trip: %v %v", s, c, c2, ok2)
			}
		}
		m := Decode(s)
		if (m.Code != nil) != ok {
			t.Fatalf("Decode and Parse disagree on %q", s)
		}
	})
}

// TestTableMatchesSource checks that table.go was generated from source/codes.json as it
// is now (run `go generate` after replacing the source).
func TestTableMatchesSource(t *testing.T) {
	data, err := os.ReadFile("source/codes.json")
	if err != nil {
		t.Fatal(err)
	}
	var src struct {
		Manufacturers []*string `json:"manufacturers"`
	}
	if err := json.Unmarshal(data, &src); err != nil {
		t.Fatal(err)
	}
	if len(src.Manufacturers) != Banks*256 {
		t.Fatalf("source has %d entries, table %d banks", len(src.Manufacturers), Banks)
	}
	for i, n := range src.Manufacturers {
		bank, id := i/256+1, byte(i%256)
		want := ""
		if n != nil {
			want = *n
		}
		got := ""
		if id != 0 && id < 0x7F {
			got = Code{Bank: bank, ID: withParity(id)}.Name()
		}
		if got != want {
			t.Errorf("bank %d id 0x%02X: table %q, source %q", bank, id, got, want)
		}
	}
}
