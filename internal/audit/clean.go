package audit

import (
	"regexp"
	"strings"
	"unicode"
)

// placeholders are strings vendors leave in SMBIOS/FRU fields instead of data.
// Compared case-insensitively after trimming.
var placeholders = map[string]bool{
	"":                         true,
	"to be filled by o.e.m.":   true,
	"to be filled by oem":      true,
	"not specified":            true,
	"not specifed":             true,
	"not available":            true,
	"not applicable":           true,
	"not present":              true,
	"not provided":             true,
	"default string":           true,
	"default":                  true,
	"system serial number":     true,
	"system product name":      true,
	"system manufacturer":      true,
	"system version":           true,
	"base board serial number": true,
	"base board product name":  true,
	"chassis serial number":    true,
	"type1productconfigid":     true,
	"sku":                      true,
	"o.e.m.":                   true,
	"oem":                      true,
	"none":                     true,
	"null":                     true,
	"n/a":                      true,
	"na":                       true,
	"unknown":                  true,
	"undefined":                true,
	"no dimm":                  true,
	"no module installed":      true,
	"empty":                    true,
	"<bad index>":              true,
	"<out of spec>":            true,
	"--":                       true,
	"-":                        true,
	"0":                        true,
	"0x0":                      true,
	"0000000000":               true,
	"00000000":                 true,
	"ffffffff":                 true,
	"xxxxxxxxxx":               true,
	"serial number":            true,
	"serialnum":                true,
	"part number":              true,
	"partnum":                  true,
	"asset tag":                true,
	"manufacturer":             true,
	"unknown manufacturer":     true,
	"manufacturer00":           true,
	"module manufacturer":      true,
	"dimm_manufacturer":        true,
}

// placeholderRule is one family of strings that carry no information.
type placeholderRule struct {
	name string
	// smbios: the rule applies to SMBIOS strings only (cleanDMI), where
	// firmware templates ship unfilled; other sources (hostname, disks, PCI
	// names, FRU) are checked with the rules that are not smbios-only.
	smbios bool
	// match gets the string trimmed and lower-cased.
	match func(t string) bool
}

// placeholderRules is the one table of placeholder families. Every family
// names a real capture that shows it (internal/parse/dmidecode/testdata,
// mostly linuxhw/DMI dumps); docs/findings.md lists them for users.
var placeholderRules = []placeholderRule{
	// "Not Specified", "To Be Filled By O.E.M.", "Default string", "<BAD INDEX>", ...
	{"known string", false, func(t string) bool { return placeholders[t] }},
	// "To be filled by O.E.M" variants with odd spacing or punctuation;
	// "Fill By OEM" (Dell PowerEdge C5220, Gigabyte GA-6 DIMM part numbers).
	{"to be filled", false, func(t string) bool {
		return strings.HasPrefix(t, "to be filled") || strings.HasPrefix(t, "fill by oem")
	}},
	// The digit strings of the rule before issue 16, kept for non-SMBIOS
	// strings (SMBIOS ones get "ascending digits" below).
	{"0123456789", false, func(t string) bool {
		return t == "123456789" || t == "1234567890" || strings.HasPrefix(t, "0123456789")
	}},
	// Zeros in a separated layout: NVIDIA's "000-00000-0000-000" part number, the
	// "0000000000000" serial of boards never programmed, an all-zero UUID.
	{"zeros", false, func(t string) bool {
		return strings.Count(t, "0") >= 4 && strings.Trim(t, "0-. :_") == ""
	}},
	// "TBD", "TBD by OEM" (Insyde Purley, ZT Systems Z801).
	{"TBD", true, regexp.MustCompile(`^tbd\b`).MatchString},
	// "Not Set" (Phytium FT2000/4), "NOT SUPPORT" (Quanta QSSC-98J DIMMs).
	{"not set / not support", true, regexp.MustCompile(`^not (set|support|supported)$`).MatchString},
	// SMBIOS template names with the structure number: "Type2 - Board Vendor
	// Name1", "Type2 - Board Version", "Type1Sku0", "Type1Family" (Insyde
	// Purley), "Type1ProductConfigId".
	{"TypeN template", true, regexp.MustCompile(`^type\d+(\s*-\s*|_)?[a-z]`).MatchString},
	// The field's own name: "System SKU Number" (Intel S3420GPV),
	// "SYSTEM_FAMILY" (HuaXun SHARQ U628V2), "Chassis Version", "SKU Number",
	// "Family" (Insyde Purley, Intel S2600WFT boards).
	{"field name", true, regexp.MustCompile(`^((system|chassis|base ?board|board)[ _])?(manufacturer|product[ _]name|version|serial[ _]number|sku([ _]number)?|family|asset[ _]tag)$`).MatchString},
	// Per-slot templates of memory modules: "PartNum0".."PartNum5" and
	// "Manufacturer0".. (Sun Fire X2200 M2), "Manufacturer00".. (Supermicro
	// X8DTL), "Dimm1_PartNum_____" / "Dimm1_Manufacturer" (ZT Systems Z801),
	// "ModulePartNumber01", "SerNum0", "DimmA1_SerialNumber".
	{"PartNum/SerNum template", true, regexp.MustCompile(`^([a-z0-9]+_)*(module)?(part_?num(ber)?|ser(ial)?_?num(ber)?|manufacturer(_name_string)?|asset_?tag)\d*_*$`).MatchString},
	// A run of ascending digits from 0 or 1, at least 5 long, possibly going
	// on in hex: "0123456789" (Supermicro X9DBL), "1234567890" (Supermicro
	// X8DTL), "01234567890123456789AB" (Gigabyte MZ71-CE0), "123456789012345678".
	{"ascending digits", true, ascendingRun},
	// One character repeated, at least 3 long: "---" (QuantaGrid D54Q-2U),
	// "....................", "FFFF", "XxXxXxX" read case-insensitively.
	{"repeated character", true, repeated},
	// The same with the characters firmware uses for "unset", from 4 on
	// (the rule before issue 16, kept for non-SMBIOS strings).
	{"repeated unset character", false, func(t string) bool {
		return len(t) >= 4 && repeated(t) && strings.ContainsRune("0fx.-*", rune(t[0]))
	}},
}

// ascendingRun reports whether t is 0123456789..., or 123456789..., at least
// 5 long, where 9 is followed by 0 or, in hex, by a.
func ascendingRun(t string) bool {
	const hex = "0123456789abcdef"
	if len(t) < 5 || (t[0] != '0' && t[0] != '1') {
		return false
	}
	for i := 1; i < len(t); i++ {
		prev, cur := strings.IndexByte(hex, t[i-1]), strings.IndexByte(hex, t[i])
		if prev < 0 || cur < 0 || (cur != prev+1 && !(prev == 9 && cur == 0)) {
			return false
		}
	}
	return true
}

// repeated reports whether t is one byte repeated, at least 3 long.
func repeated(t string) bool {
	if len(t) < 3 {
		return false
	}
	return strings.Count(t, t[:1]) == len(t)
}

// matchPlaceholder returns the name of the first rule s matches, or "".
func matchPlaceholder(s string, smbios bool) string {
	t := strings.ToLower(strings.TrimSpace(s))
	for _, r := range placeholderRules {
		if (smbios || !r.smbios) && r.match(t) {
			return r.name
		}
	}
	return ""
}

// IsPlaceholder reports whether a vendor string carries no information.
func IsPlaceholder(s string) bool { return matchPlaceholder(s, false) != "" }

// IsSMBIOSPlaceholder reports whether an SMBIOS string (system, board, BIOS,
// CPU, DIMM) carries no information: IsPlaceholder plus the firmware template
// families (TypeN..., PartNum0, ascending digits, TBD, ...).
func IsSMBIOSPlaceholder(s string) bool { return matchPlaceholder(s, true) != "" }

// cleanDMI is clean for SMBIOS strings: it also drops the template families
// of IsSMBIOSPlaceholder.
func cleanDMI(s string) *string {
	c := clean(s)
	if c == nil || IsSMBIOSPlaceholder(*c) {
		return nil
	}
	return c
}

// clean trims a vendor string and returns nil for placeholders and strings
// without a single printable character.
func clean(s string) *string {
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == 0 })
	if IsPlaceholder(s) {
		return nil
	}
	printable := false
	for _, r := range s {
		if unicode.IsPrint(r) && !unicode.IsSpace(r) {
			printable = true
			break
		}
	}
	if !printable {
		return nil
	}
	return &s
}

// str returns the value of s, or "" for nil.
func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
