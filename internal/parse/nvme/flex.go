package nvme

// Lenient JSON leaf types. nvme-cli changes its JSON between releases (numbers become strings,
// 128-bit counters may not fit int64, keys change case), and a type surprise in one leaf must
// not throw away the whole report. Each type below never fails to unmarshal: a value it
// cannot read is simply marked absent.

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
)

// num is a whole number read from a JSON number (an integral float too), a string holding a
// decimal or 0x-hex integer (a trailing "%" is allowed), or an object whose "value" member
// is one of those. Anything else, and anything outside int64, leaves ok false.
type num struct {
	v  int64
	ok bool
}

func (n *num) UnmarshalJSON(b []byte) error {
	n.v, n.ok = parseNum(b, 0)
	return nil
}

func parseNum(b []byte, depth int) (int64, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return 0, false
	}
	switch b[0] {
	case '"':
		var s string
		if json.Unmarshal(b, &s) != nil {
			return 0, false
		}
		return parseNumString(s)
	case '{':
		if depth > 0 {
			return 0, false
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(b, &m) != nil {
			return 0, false
		}
		for k, v := range m {
			if strings.EqualFold(k, "value") {
				return parseNum(v, depth+1)
			}
		}
		return 0, false
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return parseNumString(string(b))
	}
	return 0, false
}

func parseNumString(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	if s == "" {
		return 0, false
	}
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		u, err := strconv.ParseUint(s[2:], 16, 64)
		if err != nil || u > math.MaxInt64 {
			return 0, false
		}
		return int64(u), true
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, true
	}
	// Only plain decimal floats ("14051417.000000", "1.4e7"); never "Inf", "NaN" or hex floats.
	if strings.ContainsAny(s, "xXnNiI_") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f >= math.MaxInt64 || f <= math.MinInt64 {
		return 0, false
	}
	return int64(f), true
}

// i64 returns the value as *int64, nil when absent.
func (n num) i64() *int64 {
	if !n.ok {
		return nil
	}
	v := n.v
	return &v
}

// int returns the value as *int, nil when absent or out of the int range.
func (n num) int() *int {
	if !n.ok || n.v > math.MaxInt || n.v < math.MinInt {
		return nil
	}
	v := int(n.v)
	return &v
}

// str is a string read leniently: a JSON string (trimmed), or the literal text of a JSON
// number; anything else reads as "".
type str string

func (s *str) UnmarshalJSON(b []byte) error {
	var v string
	if json.Unmarshal(b, &v) == nil {
		*s = str(strings.TrimSpace(v))
		return nil
	}
	if _, ok := parseNum(b, 1); ok {
		*s = str(bytes.TrimSpace(b))
		return nil
	}
	*s = ""
	return nil
}

// decodeObject unmarshals a JSON object into v. Syntax errors are returned; a value of an
// unexpected JSON type for a container field (an object where an array was expected, ...)
// only leaves that field empty, as encoding/json keeps decoding the rest.
func decodeObject(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return nil
	}
	return err
}
