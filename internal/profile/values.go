package profile

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// Size is a number of bytes written for people: "64 GiB", "960 GB", "1.92 TB",
// or a plain integer (bytes). Binary units (KiB…TiB) are powers of 1024, decimal
// units (kB…TB) powers of 1000, as drive and DIMM vendors use them.
type Size int64

var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40, "pib": 1 << 50,
}

// ParseSize reads a Size.
func ParseSize(s string) (Size, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return !(unicode.IsDigit(r) || r == '.') })
	num, unit := t, ""
	if i >= 0 {
		num, unit = strings.TrimSpace(t[:i]), strings.ToLower(strings.TrimSpace(t[i:]))
	}
	mult, ok := sizeUnits[unit]
	f, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || f < 0 || num == "" {
		return 0, fmt.Errorf("%q is not a size (examples: 64 GiB, 960 GB, 1.92 TB, 1073741824)", s)
	}
	return Size(math.Round(f * mult)), nil
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (z *Size) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseSize(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	*z = v
	return nil
}

// String writes a Size in the unit that shows it exactly where one does:
// binary units first (DIMMs, GPU memory), then decimal (drives).
func (z Size) String() string { return formatSize(int64(z)) }

func formatSize(n int64) string {
	if n == 0 {
		return "0 B"
	}
	exact := []struct {
		name string
		v    int64
		frac int64 // the smallest step shown: 1 or 0.01 of the unit
	}{{"TiB", 1 << 40, 1 << 40}, {"GiB", 1 << 30, 1 << 30}, {"TB", 1e12, 1e10}, {"GB", 1e9, 1e7}, {"MiB", 1 << 20, 1 << 20}, {"MB", 1e6, 1e4}}
	for _, u := range exact {
		if n >= u.v && n%u.frac == 0 {
			return trimFloat(float64(n)/float64(u.v)) + " " + u.name
		}
	}
	switch {
	case n >= 1e12:
		return trimFloat(float64(n)/1e12) + " TB"
	case n >= 1e9:
		return trimFloat(float64(n)/1e9) + " GB"
	case n >= 1e6:
		return trimFloat(float64(n)/1e6) + " MB"
	}
	return fmt.Sprintf("%d B", n)
}

func trimFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// CompareVersions orders firmware versions the way people read them: runs of
// digits compare as numbers ("2.10" > "2.9", "1.16.2" > "1.9"), other runs as
// case-insensitive text, and separators (. - _ space) only split runs. A version
// that extends another is newer ("2.6.4" > "2.6"). It returns -1, 0 or +1.
func CompareVersions(a, b string) int {
	x, y := versionRuns(a), versionRuns(b)
	for i := 0; i < len(x) && i < len(y); i++ {
		if c := compareRun(x[i], y[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(x) < len(y):
		return -1
	case len(x) > len(y):
		return 1
	}
	return 0
}

func versionRuns(s string) []string {
	var runs []string
	cur := ""
	kind := 0 // 1 digit, 2 other
	flush := func() {
		if cur != "" {
			runs = append(runs, cur)
		}
		cur, kind = "", 0
	}
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch {
		case unicode.IsDigit(r):
			if kind == 2 {
				flush()
			}
			kind = 1
			cur += string(r)
		case unicode.IsLetter(r):
			if kind == 1 {
				flush()
			}
			kind = 2
			cur += string(r)
		default:
			flush()
		}
	}
	flush()
	return runs
}

func compareRun(a, b string) int {
	ad, bd := unicode.IsDigit(rune(a[0])), unicode.IsDigit(rune(b[0]))
	switch {
	case ad && bd:
		a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if len(a) != len(b) {
			if len(a) < len(b) {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	case ad: // a number is newer than a letter suffix at the same place
		return 1
	case bd:
		return -1
	}
	return strings.Compare(a, b)
}

// Pattern matches a model or name: exact, ignoring case and runs of spaces, or
// with '*' standing for any run of characters ("NVIDIA H100*"). Nothing else is
// special, so names with brackets or dots need no escaping.
func matchPattern(pattern, s string) bool {
	p, v := normSpace(strings.ToLower(pattern)), normSpace(strings.ToLower(s))
	if !strings.Contains(p, "*") {
		return p == v
	}
	parts := strings.Split(p, "*")
	if !strings.HasPrefix(v, parts[0]) {
		return false
	}
	v = v[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(v, part)
		if i < 0 {
			return false
		}
		v = v[i+len(part):]
	}
	return strings.HasSuffix(v, last)
}

func normSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// parseGTs reads the number of a PCIe speed ("8.0 GT/s PCIe", "16 GT/s").
func parseGTs(s string) (float64, bool) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(f[0], 64)
	return v, err == nil && v > 0
}
