package audit

import "strings"

// jedecDRAM maps the JEP106 manufacturer codes that firmware (Dell, Lenovo)
// prints instead of a name, as "00AD063200AD" or "80CE", to the DRAM maker.
// Keys are the bank-count byte and the ID byte without the parity bit.
var jedecDRAM = map[string]string{
	"002C": "Micron",
	"00CE": "Samsung",
	"00AD": "SK Hynix",
	"000B": "Nanya",
	"0198": "Kingston",
	"0194": "Smart Modular",
	"0145": "Virtium",
	"014F": "Transcend",
	"029E": "Corsair",
	"04CB": "A-DATA",
	"0443": "Ramaxel",
	"0351": "Qimonda",
	"0325": "Kingmax",
	"020D": "Elpida", // shown as 00FE by some firmware, see below
	"00FE": "Elpida",
}

// decodeJEDEC returns the maker's name for a hex JEDEC code, or "".
func decodeJEDEC(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) < 4 || len(s)%2 != 0 {
		return ""
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789ABCDEF", r) {
			return ""
		}
	}
	// Bank byte may carry a parity bit (80CE); the ID byte always does in
	// JEP106 but firmware prints it with or without.
	bank, id := s[0:2], s[2:4]
	if bank == "80" {
		bank = "00"
	}
	for _, b := range []string{bank, strings.TrimPrefix(bank, "8")} {
		if len(b) == 1 {
			b = "0" + b
		}
		for _, i := range []string{id, clearParity(id)} {
			if n, ok := jedecDRAM[b+i]; ok {
				return n
			}
		}
	}
	return ""
}

func clearParity(hex2 string) string {
	const digits = "0123456789ABCDEF"
	hi := strings.IndexByte(digits, hex2[0])
	if hi < 0 {
		return hex2
	}
	return string(digits[hi&7]) + hex2[1:]
}
