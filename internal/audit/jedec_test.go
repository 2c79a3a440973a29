package audit

import "testing"

// The audit replaces a DIMM manufacturer printed as a JEDEC code with the JEP106 name
// and keeps the code in manufacturer_id; names stay as printed. Real dumps, one per form.
func TestJEDECManufacturersOnRealCaptures(t *testing.T) {
	for _, tc := range []struct {
		file, name, id string
	}{
		{"dell-poweredge-r740_2cpu_24slots_12empty.txt", "SK Hynix", "00AD063200AD"},                  // Dell 6-byte form
		{"dell-poweredge-r640_glpi_2cpu_24slots_16empty.txt", "Samsung", "00CE00B300CE"},              // Dell 6-byte form
		{"intel-s3420gpv_system-sku-number.txt", "Kingston", "0x0198"},                                // 0x word, bank 2
		{"dell-latitude-d610_dmidecode-2.8_smbios-2.3.txt", "Infineon (Siemens)", "C100000000000000"}, // SPD 8-byte field
		{"gigabyte-mz71-ce0_amd-epyc_2cpu_to-be-filled-by-oem.txt", "Kingston", ""},                   // a name: kept
	} {
		a := auditDMI(t, tc.file, nil)
		found := false
		for _, d := range a.Hardware.Memory.DIMMs {
			if !d.Populated || d.Manufacturer == nil {
				continue
			}
			found = true
			id := ""
			if d.ManufacturerID != nil {
				id = *d.ManufacturerID
			}
			if *d.Manufacturer != tc.name || id != tc.id {
				t.Errorf("%s: %s manufacturer %q id %q, want %q %q", tc.file, strOr(d.Locator), *d.Manufacturer, id, tc.name, tc.id)
			}
			break
		}
		if !found {
			t.Errorf("%s: no populated DIMM with a manufacturer", tc.file)
		}
	}
}

func strOr(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}
