package nvme

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/beeaudit/bee/internal/parse/jsonflex"
)

// Lenient JSON leaves, shared with the other JSON parsers.
type str = jsonflex.Str

var decodeObject = jsonflex.DecodeObject

// num is jsonflex.Num that also reads the digit-grouped decimal strings of nvme-cli 2.3 and
// 2.4, which format 128-bit counters and capacities with the locale's thousands separator
// ("tnvmcap":"3,200,631,791,616" under en_US; "1 000" or "1\u202f000" under fr_FR,
// "1'000" under de_CH, "1.000.000" under de_DE). A string is read this way only when every
// group after the first has exactly three digits and all separators are the same; one
// "." with three digits after it ("1.000") is a decimal fraction to jsonflex, not grouping,
// and is left to it.
type num struct{ jsonflex.Num }

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (n *num) UnmarshalJSON(b []byte) error {
	if v, ok := groupedInt(b); ok {
		n.V, n.OK = v, true
		return nil
	}
	return n.Num.UnmarshalJSON(b)
}

// groupedInt reads a JSON string holding a digit-grouped non-negative integer.
func groupedInt(b []byte) (int64, bool) {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '"' {
		return 0, false
	}
	var s string
	if json.Unmarshal(b, &s) != nil {
		return 0, false
	}
	s = strings.TrimSpace(s)
	var sep rune
	var digits strings.Builder
	groups, run := 0, 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits.WriteRune(c)
			run++
			continue
		case strings.ContainsRune(",.' \u00a0\u202f\u2019", c):
			if sep == 0 {
				sep = c
			}
			if c != sep || run == 0 || run > 3 || groups > 0 && run != 3 {
				return 0, false
			}
			groups++
			run = 0
		default:
			return 0, false
		}
	}
	if groups == 0 || run != 3 || sep == '.' && groups < 2 {
		return 0, false
	}
	v, err := strconv.ParseInt(digits.String(), 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}
