package audit

import (
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
	"0123456789":               true,
	"123456789":                true,
	"1234567890":               true,
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

// IsPlaceholder reports whether a vendor string carries no information.
func IsPlaceholder(s string) bool {
	t := strings.ToLower(strings.TrimSpace(s))
	if placeholders[t] {
		return true
	}
	// "To Be Filled By O.E.M." variants with odd spacing/punctuation.
	if strings.HasPrefix(t, "to be filled") || strings.HasPrefix(t, "0123456789") {
		return true
	}
	// Zeros in a separated layout: NVIDIA's "000-00000-0000-000" part number and the
	// "0000000000000" serial of boards whose serial was never programmed, an all-zero UUID.
	if zeros := strings.Count(t, "0"); zeros >= 4 && strings.Trim(t, "0-. :_") == "" {
		return true
	}
	// All one repeated character: "00000000", "FFFFFFFF", "          ", "........".
	if len(t) >= 4 {
		same := true
		for i := 1; i < len(t); i++ {
			if t[i] != t[0] {
				same = false
				break
			}
		}
		if same && (t[0] == '0' || t[0] == 'f' || t[0] == 'x' || t[0] == '.' || t[0] == '-' || t[0] == '*') {
			return true
		}
	}
	return false
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
