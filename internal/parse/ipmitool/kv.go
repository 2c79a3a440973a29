package ipmitool

import "strings"

// kvLine is one "Key : value" line of ipmitool's report-style output (`mc
// info`, `lan print`, `sel info`), with the indented lines that follow it.
type kvLine struct {
	Key, Value string
	// More holds the trimmed continuation lines: indented lines without a
	// key ("    Sensor Device" in `mc info`) or starting with ":" ("
	// : User :" in `lan print`), the leading ":" removed.
	More []string
}

// parseKV splits report-style output into its key lines. A line that starts
// at column 0 and contains ":" opens a key (the key ends at the first ":");
// an indented line continues the previous key; other lines are ignored.
func parseKV(data []byte) []kvLine {
	var out []kvLine
	for _, line := range strings.Split(strings.ReplaceAll(string(data), "\r", ""), "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(out) == 0 {
				continue
			}
			if rest, ok := strings.CutPrefix(trimmed, ":"); ok {
				trimmed = strings.TrimSpace(rest)
			}
			last := &out[len(out)-1]
			last.More = append(last.More, trimmed)
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(k) == "" {
			continue
		}
		out = append(out, kvLine{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
	}
	return out
}

// fieldMap maps each key to its value; continuation lines are appended,
// joined with "; ". The first of repeated keys wins.
func fieldMap(lines []kvLine) map[string]string {
	m := make(map[string]string, len(lines))
	for _, l := range lines {
		if _, dup := m[l.Key]; dup {
			continue
		}
		parts := append([]string{l.Value}, l.More...)
		var kept []string
		for _, p := range parts {
			if p != "" {
				kept = append(kept, p)
			}
		}
		m[l.Key] = strings.Join(kept, "; ")
	}
	return m
}
