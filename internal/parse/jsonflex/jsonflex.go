// Package jsonflex reads JSON leaves leniently for the parsers of tools whose JSON
// changes between releases (smartctl, nvme-cli, lsblk): numbers become strings,
// 128-bit counters may not fit int64, booleans are "0"/"1" in old util-linux. A
// type surprise in one leaf must not throw away the whole report.
package jsonflex

// Each type below never fails to unmarshal: a value it cannot read is simply
// marked absent.

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
)

// Num is a whole number read from a JSON number (an integral float too), a string holding a
// decimal (also digit-grouped, "3,200,631,791,616") or 0x-hex integer (a trailing "%" is
// allowed), or an object whose "value" member is one of those. Anything else, and anything outside int64, leaves ok false.
type Num struct {
	V  int64
	OK bool
}

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (n *Num) UnmarshalJSON(b []byte) error {
	n.V, n.OK = parseNum(b, 0)
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
	if i, ok := parseGrouped(s); ok {
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

// parseGrouped reads a non-negative integer printed with the locale's thousands separator:
// nvme-cli 2.3 and 2.4 format 128-bit counters and capacities that way
// ("tnvmcap":"3,200,631,791,616" under en_US; "1 000" or "1\u202f000" under fr_FR, "1'000"
// under de_CH, "1.000.000" under de_DE). Every group after the first has exactly three
// digits and all separators are the same; a single "." ("1.000") is a decimal fraction, not
// grouping, and is left to the float path.
func parseGrouped(s string) (int64, bool) {
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
	return v, err == nil
}

// I64 returns the value as *int64, nil when absent.
func (n Num) I64() *int64 {
	if !n.OK {
		return nil
	}
	v := n.V
	return &v
}

// Int returns the value as *int, nil when absent or out of the int range.
func (n Num) Int() *int {
	if !n.OK || n.V > math.MaxInt || n.V < math.MinInt {
		return nil
	}
	v := int(n.V)
	return &v
}

// Str is a string read leniently: a JSON string (trimmed), or the literal text of a JSON
// number; anything else reads as "".
type Str string

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (s *Str) UnmarshalJSON(b []byte) error {
	var v string
	if json.Unmarshal(b, &v) == nil {
		*s = Str(strings.TrimSpace(v))
		return nil
	}
	if _, ok := parseNum(b, 1); ok {
		*s = Str(bytes.TrimSpace(b))
		return nil
	}
	*s = ""
	return nil
}

// Flag is a boolean read from a JSON bool, 0/1, or the strings "0", "1", "true", "false",
// "yes", "no" (any case). Anything else leaves ok false.
type Flag struct {
	V  bool
	OK bool
}

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (f *Flag) UnmarshalJSON(b []byte) error {
	f.V, f.OK = parseFlag(b)
	return nil
}

func parseFlag(b []byte) (bool, bool) {
	b = bytes.TrimSpace(b)
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if json.Unmarshal(b, &s) != nil {
			return false, false
		}
		s = strings.ToLower(strings.TrimSpace(s))
	}
	switch s {
	case "true", "1", "yes":
		return true, true
	case "false", "0", "no":
		return false, true
	}
	return false, false
}

// Ptr returns the value as *bool, nil when absent.
func (f Flag) Ptr() *bool {
	if !f.OK {
		return nil
	}
	v := f.V
	return &v
}

// DecodeObject unmarshals a JSON object into v. Syntax errors are returned; a value of an
// unexpected JSON type for a container field (an object where an array was expected, ...)
// only leaves that field empty, as encoding/json keeps decoding the rest.
func DecodeObject(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return nil
	}
	return err
}
