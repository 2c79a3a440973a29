package dmidecode

import "strings"

// ParseKeyword reads the answer of `dmidecode -s KEYWORD` (e.g.
// system-serial-number): the value on the first line, space trimmed. Some versions
// print "# SMBIOS ..." comment lines first; they are skipped. "" when there is no
// value line.
func ParseKeyword(out []byte) string {
	for _, line := range strings.Split(string(out), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			return line
		}
	}
	return ""
}
