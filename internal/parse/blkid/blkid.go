// Package blkid parses `blkid -o export` (and `blkid -p -o export`): one KEY=value per
// line, one block per device, blocks separated by a blank line. blkid escapes every
// character of a value that a shell would treat specially with a backslash.
package blkid

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// Device is one block of the output.
type Device struct {
	DevName string            `json:"devname"` // DEVNAME
	Label   string            `json:"label"`   // LABEL, unescaped ("" when none)
	Type    string            `json:"type"`    // TYPE: vfat, ext4, …
	UUID    string            `json:"uuid"`
	Usage   string            `json:"usage"` // USAGE (only with -p): filesystem, raid, …
	Fields  map[string]string `json:"fields"`
}

// Parse reads the export format. An empty input (blkid's exit 2: nothing found) is no
// devices and no error; a line that is not KEY=value is an error.
func Parse(b []byte) ([]Device, error) {
	var out []Device
	var cur *Device
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(s) == "" {
			cur = nil
			continue
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("blkid line %d: not KEY=value: %q", line, trunc(s))
		}
		if cur == nil {
			out = append(out, Device{Fields: map[string]string{}})
			cur = &out[len(out)-1]
		}
		v = unescape(v)
		cur.Fields[k] = v
		switch k {
		case "DEVNAME":
			cur.DevName = v
		case "LABEL":
			cur.Label = v
		case "TYPE":
			cur.Type = v
		case "UUID":
			cur.UUID = v
		case "USAGE":
			cur.Usage = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("blkid: %w", err)
	}
	return out, nil
}

// unescape drops the backslash blkid puts before special characters.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func trunc(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
