// Package ipmitool parses the text output of ipmitool: `ipmitool fru`
// (FRU inventory) and `ipmitool sdr elist` (sensor list), and derives power
// supply inventory and health from the two. The functions are pure: they
// run nothing and read no files.
package ipmitool

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// FRU is one "FRU Device Description" record of `ipmitool fru`.
type FRU struct {
	// Description is the text after "FRU Device Description :", e.g.
	// "Builtin FRU Device (ID 0)", "PS1 (ID 1)".
	Description string
	// Name is Description without the trailing " (ID n)": "PS1".
	Name string
	// ID is the n of "(ID n)"; nil when absent.
	ID *int
	// Present is false when ipmitool printed "Device not present (...)"
	// for this FRU (the BMC could not read it: empty bay, timeout, ...).
	Present bool
	// Message holds the record's lines that are not "key : value" fields,
	// trimmed and joined with "; ", e.g. "Device not present (Timeout)".
	Message string
	// Fields maps each field name ("Product Serial", "Board Mfg") to its
	// trimmed value. A field printed with an empty value is kept as "".
	// For a repeated field ("Board Extra", "Product Extra") the first value
	// is kept here and all values are in Repeated.
	Fields map[string]string
	// Repeated lists, in order, every value of each field that appears more
	// than once in the record. nil when no field repeats.
	Repeated map[string][]string
}

var (
	fruHeaderRe = regexp.MustCompile(`^FRU Device Description\s*:\s*(.*)$`)
	fruIDRe     = regexp.MustCompile(`\s*\(ID (\d+)\)\s*$`)
)

// ParseFRU parses the stdout of `ipmitool fru` (same as `ipmitool fru print`).
//
// Records start at a "FRU Device Description : NAME (ID n)" line; the lines
// up to the next such line are its fields (" Board Serial : X"). Lines before
// the first record are ignored. The records are returned in output order.
//
// Empty or whitespace-only input yields (nil, nil). Non-empty input without a
// single "FRU Device Description" line is an error.
func ParseFRU(data []byte) ([]FRU, error) {
	text := strings.ReplaceAll(string(data), "\r", "")
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	var frus []FRU
	var cur *FRU
	var msgs []string
	flush := func() {
		if cur != nil {
			cur.Message = strings.Join(msgs, "; ")
		}
		msgs = nil
	}
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if m := fruHeaderRe.FindStringSubmatch(trimmed); m != nil {
			flush()
			frus = append(frus, newFRU(strings.TrimSpace(m[1])))
			cur = &frus[len(frus)-1]
			continue
		}
		if cur == nil || trimmed == "" {
			continue
		}
		key, value, ok := strings.Cut(trimmed, ":")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			msgs = append(msgs, trimmed)
			if strings.HasPrefix(trimmed, "Device not present") {
				cur.Present = false
			}
			continue
		}
		value = strings.TrimSpace(value)
		if first, dup := cur.Fields[key]; dup {
			if cur.Repeated == nil {
				cur.Repeated = map[string][]string{}
			}
			if len(cur.Repeated[key]) == 0 {
				cur.Repeated[key] = []string{first}
			}
			cur.Repeated[key] = append(cur.Repeated[key], value)
			continue
		}
		cur.Fields[key] = value
	}
	flush()
	if len(frus) == 0 {
		return nil, fmt.Errorf("ipmitool: no \"FRU Device Description\" records found (not `ipmitool fru` output?)")
	}
	return frus, nil
}

func newFRU(desc string) FRU {
	f := FRU{Description: desc, Name: desc, Present: true, Fields: map[string]string{}}
	if loc := fruIDRe.FindStringSubmatchIndex(desc); loc != nil {
		if n, err := strconv.Atoi(desc[loc[2]:loc[3]]); err == nil {
			f.ID = &n
		}
		f.Name = strings.TrimSpace(desc[:loc[0]])
	}
	return f
}

// first returns the first non-empty value among the given fields.
func (f FRU) first(keys ...string) string {
	for _, k := range keys {
		if v := f.Fields[k]; v != "" {
			return v
		}
	}
	return ""
}
