// Package jep106 names the maker behind a JEDEC JEP106 manufacturer code, in every form
// firmware and dmidecode print one for a memory module (SMBIOS type 17 "Manufacturer" and
// "Module Manufacturer ID"):
//
//	Samsung                  a name: not a code, passed through
//	80CE, 00CE, 802C         two bytes, bank first: the number of continuation codes
//	                         (parity bit 7 optional), then the ID byte
//	0x2C00, 0x0198           the same two bytes in either order (the word printed
//	                         little- or big-endian); the order that makes a valid
//	                         code wins, bank-first when both do
//	00AD063200AD             Dell/Lenovo 6-byte form: the module maker's two bytes,
//	                         two more, and the DRAM maker's two bytes; the first pair
//	                         names the module maker
//	CE00000000000000         SPD's 8-byte field: N continuation codes 0x7F, the ID,
//	7F7F9E0000000000         then padding (00 or FF); bank N+1
//	Bank 5, Hex 0x9B         dmidecode's decoding of SMBIOS 3.2+ IDs (bank is 1-based)
//
// The table is the whole JEP106 list, generated from a machine-readable copy (see
// source/README.md; `go generate` rewrites table.go). A code is valid when its ID byte,
// bit 7 aside, is 1-126, has odd parity where bit 7 is printed, and names an assigned
// maker; firmware often drops the parity bit, so an ID without bit 7 is also accepted.
package jep106

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

//go:generate go run gen.go

// Banks is the number of banks in the table.
const Banks = len(names)

// Code is one JEP106 manufacturer code.
type Code struct {
	Bank int  // 1-based: the number of continuation codes (0x7F) before the ID, plus one
	ID   byte // the ID byte with its odd-parity bit, as JEP106 lists it (0xCE)
}

// String gives the code the way dmidecode prints it: "Bank 1, Hex 0xCE".
func (c Code) String() string { return fmt.Sprintf("Bank %d, Hex 0x%02X", c.Bank, c.ID) }

// Name returns the maker's name, or "" when the code is not assigned.
func (c Code) Name() string {
	if c.Bank < 1 || c.Bank > Banks {
		return ""
	}
	return names[c.Bank-1][withParity(c.ID&0x7F)]
}

// Lookup returns the maker's name for a bank (1-based) and ID byte (with or without its
// parity bit), and whether the code is assigned. An ID whose printed parity bit is wrong
// is not a code.
func Lookup(bank int, id byte) (string, bool) {
	c, ok := code(bank, id)
	if !ok {
		return "", false
	}
	return c.Name(), true
}

// code checks bank and id and returns the canonical Code.
func code(bank int, id byte) (Code, bool) {
	if bank < 1 || bank > Banks {
		return Code{}, false
	}
	low := id & 0x7F
	if low == 0 || low == 0x7F {
		return Code{}, false
	}
	if id&0x80 != 0 && withParity(low) != id {
		return Code{}, false // bit 7 printed but not the parity bit: not a JEP106 ID
	}
	c := Code{Bank: bank, ID: withParity(low)}
	if c.Name() == "" {
		return Code{}, false
	}
	return c, true
}

// withParity sets bit 7 of a 7-bit id so that the byte has odd parity.
func withParity(low byte) byte {
	ones := 0
	for v := low; v != 0; v >>= 1 {
		ones += int(v & 1)
	}
	if ones%2 == 0 {
		return low | 0x80
	}
	return low
}

// bankByte reads a continuation-count byte as printed before an ID (0x00, 0x80 for no
// continuation code; 0x01, 0x82 … with or without parity): the 1-based bank.
func bankByte(b byte) (int, bool) {
	n := b & 0x7F
	if b&0x80 != 0 && withParity(n) != b {
		return 0, false
	}
	if int(n) >= Banks {
		return 0, false
	}
	return int(n) + 1, true
}

// Manufacturer is the result of Decode.
type Manufacturer struct {
	Raw  string `json:"raw"`            // as printed, trimmed
	Name string `json:"name"`           // the JEP106 name when Raw is a code, else Raw
	Code *Code  `json:"code,omitempty"` // nil when Raw is not a code
}

var bankHex = regexp.MustCompile(`(?i)^bank\s*(\d{1,3})\s*,\s*hex\s*(?:0x)?([0-9a-f]{2})$`)

// Decode reads s, a manufacturer as firmware prints it. A code is replaced by the maker's
// name (Code set); anything else, a name or an unknown code, is returned as it is with
// Code nil.
func Decode(s string) Manufacturer {
	raw := strings.TrimSpace(s)
	m := Manufacturer{Raw: raw, Name: raw}
	if c, ok := Parse(raw); ok {
		m.Name, m.Code = c.Name(), &c
	}
	return m
}

// Parse reads s as a JEP106 code in one of the forms in the package comment and returns
// it when it names an assigned maker.
func Parse(s string) (Code, bool) {
	s = strings.TrimSpace(s)
	if m := bankHex.FindStringSubmatch(s); m != nil {
		bank, _ := strconv.Atoi(m[1])
		id, _ := strconv.ParseUint(m[2], 16, 8)
		return code(bank, byte(id))
	}
	prefixed := len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X")
	if prefixed {
		s = s[2:]
	}
	b, ok := hexBytes(s)
	if !ok {
		return Code{}, false
	}
	switch {
	case len(b) == 2:
		if c, ok := bankFirst(b[0], b[1]); ok {
			return c, true
		}
		return bankFirst(b[1], b[0])
	case len(b) == 6 && !prefixed && b[0] != 0x7F:
		if c, ok := bankFirst(b[0], b[1]); ok {
			return c, true
		}
		return continuation(b)
	case len(b) >= 3:
		return continuation(b)
	}
	return Code{}, false
}

func bankFirst(bank, id byte) (Code, bool) {
	n, ok := bankByte(bank)
	if !ok {
		return Code{}, false
	}
	return code(n, id)
}

// continuation reads SPD's form: 0x7F per continuation code, the ID, then padding.
func continuation(b []byte) (Code, bool) {
	i := 0
	for i < len(b) && b[i] == 0x7F {
		i++
	}
	if i == len(b) {
		return Code{}, false
	}
	for _, p := range b[i+1:] {
		if p != 0x00 && p != 0xFF {
			return Code{}, false
		}
	}
	return code(i+1, b[i])
}

func hexBytes(s string) ([]byte, bool) {
	if len(s) < 4 || len(s)%2 != 0 {
		return nil, false
	}
	out := make([]byte, len(s)/2)
	for i := range out {
		v, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			return nil, false
		}
		out[i] = byte(v)
	}
	return out, true
}
