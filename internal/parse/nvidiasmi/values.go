package nvidiasmi

import (
	"math"
	"strconv"
	"strings"
)

// firstField returns the first whitespace-separated token of s.
func firstField(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// parseInt64 reads the leading integer of values such as "7", "33 C", "30 %" or "16x";
// nil for "N/A", "[Not Supported]" and any other non-number.
func parseInt64(s string) *int64 {
	tok := strings.TrimSuffix(firstField(s), "x")
	if tok == "" {
		return nil
	}
	v, err := strconv.ParseInt(tok, 10, 64)
	if err != nil {
		return nil
	}
	return &v
}

func parseInt(s string) *int {
	v := parseInt64(s)
	if v == nil || *v > math.MaxInt32 || *v < math.MinInt32 {
		return nil
	}
	i := int(*v)
	return &i
}

// parseFloat reads the leading number of values such as "50.60 W".
func parseFloat(s string) *float64 {
	tok := firstField(s)
	if tok == "" {
		return nil
	}
	v, err := strconv.ParseFloat(tok, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// parseBytes reads a memory size such as "81559 MiB" (nvidia-smi always prints MiB; other
// binary and decimal units are accepted, a bare number is taken as MiB).
func parseBytes(s string) *int64 {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 2 {
		return nil
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || n < 0 {
		return nil
	}
	unit := "MiB"
	if len(f) == 2 {
		unit = f[1]
	}
	var mult int64
	switch strings.ToLower(unit) {
	case "b", "bytes":
		mult = 1
	case "kib", "kb":
		mult = 1 << 10
	case "mib", "mb":
		mult = 1 << 20
	case "gib", "gb":
		mult = 1 << 30
	case "tib", "tb":
		mult = 1 << 40
	default:
		return nil
	}
	if n > math.MaxInt64/mult {
		return nil
	}
	v := n * mult
	return &v
}

// parseYesNo maps "Yes"/"No" to true/false, anything else to nil.
func parseYesNo(s string) *bool {
	var b bool
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes":
		b = true
	case "no":
		b = false
	default:
		return nil
	}
	return &b
}

// normalizeBusID turns nvidia-smi's "00000000:17:00.0" into lspci's "0000:17:00.0":
// lower case, the domain cut to 4 hex digits unless it needs more ("00001580" ->
// "1580", "00010000" -> "10000"). An id without a domain ("17:00.0") gets "0000".
// Anything that is not a bus id is returned trimmed and lower-cased.
func normalizeBusID(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	parts := strings.Split(s, ":")
	if len(parts) == 2 {
		parts = append([]string{"0000"}, parts...)
	}
	if len(parts) != 3 {
		return s
	}
	devfn := strings.Split(parts[2], ".")
	if len(devfn) != 2 || !isHex(parts[0]) || !isHex(parts[1]) || !isHex(devfn[0]) || !isHex(devfn[1]) {
		return s
	}
	domain := strings.TrimLeft(parts[0], "0")
	if len(domain) < 4 {
		domain = strings.Repeat("0", 4-len(domain)) + domain
	}
	bus := parts[1]
	if len(bus) == 1 {
		bus = "0" + bus
	}
	dev := devfn[0]
	if len(dev) == 1 {
		dev = "0" + dev
	}
	return domain + ":" + bus + ":" + dev + "." + devfn[1]
}

func isHex(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
