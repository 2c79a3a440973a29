// Package dmidecode parses the text output of dmidecode(8): the full dump
// (`dmidecode`) and its per-type selections (`dmidecode -t 0,1,2`,
// `dmidecode -t 4`, `dmidecode -t 17`, ...).
//
// Parse turns the text into generic records, one per DMI structure; the typed
// helpers (BIOSInfo, SystemInfo, BaseBoard, Processors, MemoryArrays,
// MemoryDevices) read the fields bee reports from those records. Values are returned trimmed but
// otherwise raw: vendor placeholders such as "Not Specified" or
// "To Be Filled By O.E.M." are left for the caller to recognise. Numbers that
// dmidecode prints as "Unknown" (or that are absent) are nil pointers.
//
// The parser is pure: it never runs dmidecode or reads files.
package dmidecode

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Record is one DMI structure as printed by dmidecode.
//
// Fields holds the "Key: Value" lines of the structure with trimmed values
// ("Asset Tag: " gives Fields["Asset Tag"] == ""). Lists holds the lines
// indented below a field ("Characteristics:", "Flags:", "Header and Data:",
// "Strings:"), trimmed, in order; deeper levels of nesting (type 42 protocol
// records) are flattened into the same list. Both maps are never nil.
//
// Some structures repeat a key or carry several sections:
//   - a key seen again in the same section is stored as "Key#2", "Key#3", ...
//     (HPE type 199 repeats "CPU ID");
//   - a second heading line inside one structure (type 10 "On Board Device 2
//     Information", type 40 "Additional Information 2") starts a section whose
//     keys are prefixed with the heading and "/", e.g.
//     Fields["On Board Device 2 Information/Type"]. Title is the first heading.
//   - an indented line without a colon (e.g. "<TRUNCATED>") is stored as a
//     key with an empty value.
type Record struct {
	Handle string // as printed, e.g. "0x0011"; "" in quiet-mode output (`dmidecode -q`)
	Type   int    // DMI type number; -1 when the output did not say
	Title  string // e.g. "Memory Device", "Inactive", "End Of Table"
	Fields map[string]string
	Lists  map[string][]string
}

// NoRecordsError is returned by Parse for non-blank input that holds no DMI
// structure at all: dmidecode reporting "# No SMBIOS nor DMI entry point
// found, sorry.", a type selection that matched nothing, or input that is not
// dmidecode output. Lines holds the dmidecode header and comment lines found
// (at most a few, e.g. "# dmidecode 3.4", "SMBIOS 2.8 present."), which tell
// those cases apart.
type NoRecordsError struct {
	Lines []string
}

func (e *NoRecordsError) Error() string {
	if len(e.Lines) == 0 {
		return "dmidecode: no DMI records found (input does not look like dmidecode output)"
	}
	return "dmidecode: no DMI records found: " + strings.Join(e.Lines, "; ")
}

// TableFound reports whether dmidecode said it found an SMBIOS/DMI table
// ("SMBIOS 2.8 present."): then the output is empty because the type
// selection matched no structure, not because the table is missing.
func (e *NoRecordsError) TableFound() bool {
	for _, l := range e.Lines {
		if strings.HasSuffix(l, " present.") && !strings.HasPrefix(l, "#") {
			return true
		}
	}
	return false
}

// maxErrLines and maxErrLineLen bound what NoRecordsError carries.
const (
	maxErrLines   = 6
	maxErrLineLen = 200
)

// Parse parses the text output of `dmidecode` (whole table) or of
// `dmidecode -t TYPES` (e.g. `dmidecode -t 0,1,2`, `dmidecode -t 4`,
// `dmidecode -t 17`), including several such outputs concatenated.
//
// It accepts dmidecode 2.7 to 3.x output ("Handle 0x0000, DMI type 0, 24
// bytes", with or without a trailing period), the dmidecode 2.2-2.6 layout
// ("Handle 0x0000" / "\tDMI type 0, 20 bytes." / "\tBIOS Information" /
// "\t\tVendor: ..."), the same layout of the dmidecode that came before 2.2
// ("BIOS Information Block", "Release:", "Product:", "Processor Version:";
// the typed helpers read those names too), CRLF line ends, and indentation by
// spaces instead of tabs. Header lines ("# dmidecode 3.2", "Getting SMBIOS data from sysfs.",
// "SMBIOS 3.2.1 present.", "# SMBIOS implementations newer than ...",
// "Reading SMBIOS/DMI data from file ...", "Table at ...") are skipped.
// Records come back in output order, including OEM-specific, "Inactive"
// (type 126) and "End Of Table" (type 127) structures. Quiet-mode output
// (`dmidecode -q`, which prints no "Handle" lines and no header) is read too:
// a record starts at an unindented structure title dmidecode prints ("Memory
// Device"), its Type comes from that title and its Handle is "". A title with
// no field below it is not taken for a structure.
//
// Empty or all-blank input gives (nil, nil). Any other input without a single
// structure, including garbage, gives a *NoRecordsError whose message carries
// dmidecode's own explanation when there is one. Parse never panics; a
// truncated output yields the structures read so far.
func Parse(data []byte) ([]Record, error) {
	text := string(data)
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	var p parser
	for line := range strings.SplitSeq(text, "\n") {
		p.line(strings.TrimSuffix(line, "\r"))
	}
	p.finish()
	if len(p.recs) == 0 {
		return nil, &NoRecordsError{Lines: p.msgs}
	}
	return p.recs, nil
}

// parser is the line-by-line state of one Parse call.
type parser struct {
	recs []Record
	msgs []string // header/comment lines seen outside records

	cur          *Record
	handleIndent int
	oldStyle     bool // "Handle 0x0000" alone; type and title on the next lines
	wantType     bool
	haveTitle    bool
	titleIndent  int
	fieldIndent  int // -1 until the first field line
	section      string
	lastKey      string
	seen         map[string]int
	quiet        bool // the record was started by a title (`dmidecode -q`)
}

func (p *parser) line(raw string) {
	if raw == "" {
		p.finish()
		return
	}
	content, ind := splitIndent(raw)
	if content == "" {
		// Whitespace-only: an empty list item (e.g. an OEM string of
		// spaces) when indented below a field, otherwise nothing.
		if p.cur != nil && p.fieldIndent >= 0 && ind > p.fieldIndent && p.lastKey != "" {
			p.cur.Lists[p.lastKey] = append(p.cur.Lists[p.lastKey], "")
		}
		return
	}
	if p.cur == nil || ind <= p.handleIndent {
		if handle, typ, hasType, ok := parseHandleLine(content); ok {
			p.finish()
			p.start(handle, typ, hasType, ind)
			return
		}
	}
	if p.cur == nil {
		if typ, ok := quietTitle(content); ok && ind == 0 {
			// `dmidecode -q`: a structure title with no Handle line.
			p.start("", typ, true, ind)
			p.quiet = true
			p.haveTitle = true
			p.cur.Title = content
			return
		}
		p.message(content, ind)
		return
	}
	if p.wantType {
		p.wantType = false
		if rest, ok := strings.CutPrefix(content, "DMI type "); ok {
			p.cur.Type = leadingInt(rest)
			return
		}
	}
	if !p.haveTitle {
		p.haveTitle = true
		if p.oldStyle || ind <= p.handleIndent {
			p.cur.Title = content
			p.titleIndent = ind
			return
		}
		// A field right after the Handle line: no title.
		p.titleIndent = p.handleIndent
	}
	if ind <= p.titleIndent {
		if ind <= p.handleIndent && isPreamble(content) {
			// A header of a following dmidecode run, with no blank
			// line before it.
			p.finish()
			p.message(content, ind)
			return
		}
		p.section = content
		p.lastKey = ""
		return
	}
	if p.fieldIndent < 0 {
		p.fieldIndent = ind
	}
	if ind > p.fieldIndent && p.lastKey != "" {
		p.cur.Lists[p.lastKey] = append(p.cur.Lists[p.lastKey], content)
		return
	}
	key, val := splitField(content)
	if p.section != "" {
		key = p.section + "/" + key
	}
	p.seen[key]++
	if n := p.seen[key]; n > 1 {
		key += "#" + strconv.Itoa(n)
	}
	p.cur.Fields[key] = val
	p.lastKey = key
}

func (p *parser) start(handle string, typ int, hasType bool, ind int) {
	p.cur = &Record{
		Handle: handle,
		Type:   typ,
		Fields: map[string]string{},
		Lists:  map[string][]string{},
	}
	p.handleIndent = ind
	p.oldStyle = !hasType
	p.wantType = !hasType
	p.haveTitle = false
	p.titleIndent = ind
	p.fieldIndent = -1
	p.section = ""
	p.lastKey = ""
	p.seen = map[string]int{}
	p.quiet = false
}

func (p *parser) finish() {
	if p.cur != nil {
		// A title line without fields is no quiet-mode structure (dmidecode
		// -q prints none such): drop it rather than guess.
		if !p.quiet || len(p.cur.Fields) > 0 || len(p.cur.Lists) > 0 {
			p.recs = append(p.recs, *p.cur)
		}
		p.cur = nil
	}
}

// quietTypes maps the structure titles dmidecode prints to their DMI type,
// for quiet-mode output (`dmidecode -q`), which omits the Handle lines.
var quietTypes = map[string]int{
	"BIOS Information":                     0,
	"System Information":                   1,
	"Base Board Information":               2,
	"Chassis Information":                  3,
	"Processor Information":                4,
	"Memory Controller Information":        5,
	"Memory Module Information":            6,
	"Cache Information":                    7,
	"Port Connector Information":           8,
	"System Slot Information":              9,
	"On Board Device Information":          10,
	"OEM Strings":                          11,
	"System Configuration Options":         12,
	"BIOS Language Information":            13,
	"Group Associations":                   14,
	"System Event Log":                     15,
	"Physical Memory Array":                16,
	"Memory Device":                        17,
	"32-bit Memory Error Information":      18,
	"Memory Array Mapped Address":          19,
	"Memory Device Mapped Address":         20,
	"Built-in Pointing Device":             21,
	"Portable Battery":                     22,
	"System Reset":                         23,
	"Hardware Security":                    24,
	"System Power Controls":                25,
	"Voltage Probe":                        26,
	"Cooling Device":                       27,
	"Temperature Probe":                    28,
	"Electrical Current Probe":             29,
	"Out-of-band Remote Access":            30,
	"Boot Integrity Services Entry Point":  31,
	"System Boot Information":              32,
	"64-bit Memory Error Information":      33,
	"Management Device":                    34,
	"Management Device Component":          35,
	"Management Device Threshold Data":     36,
	"Memory Channel":                       37,
	"IPMI Device Information":              38,
	"System Power Supply":                  39,
	"Additional Information":               40,
	"Onboard Device":                       41,
	"Management Controller Host Interface": 42,
	"TPM Device":                           43,
	"Processor Additional Information":     44,
	"Firmware Inventory Information":       45,
	"String Property":                      46,
}

// quietTitle reports whether s is a structure title of dmidecode's, and its
// type. Type 10 titles are numbered ("On Board Device 1 Information") when a
// structure holds several devices, type 40 ones too ("Additional Information 1").
func quietTitle(s string) (int, bool) {
	if t, ok := quietTypes[s]; ok {
		return t, true
	}
	if rest, ok := strings.CutPrefix(s, "On Board Device "); ok && strings.HasSuffix(rest, " Information") && leadingInt(rest) > 0 {
		return 10, true
	}
	if rest, ok := strings.CutPrefix(s, "Additional Information "); ok && leadingInt(rest) > 0 {
		return 40, true
	}
	return 0, false
}

// message records a line outside any structure, keeping only dmidecode's own
// header and comment lines, for NoRecordsError.
func (p *parser) message(content string, ind int) {
	if ind > 0 || len(p.msgs) >= maxErrLines || !isPreamble(content) || !utf8.ValidString(content) {
		return
	}
	if len(content) > maxErrLineLen {
		content = strings.ToValidUTF8(content[:maxErrLineLen], "") + "..."
	}
	p.msgs = append(p.msgs, content)
}

// isPreamble reports whether a non-indented line is one dmidecode prints
// outside structures (stdout header, or a stderr message merged in).
func isPreamble(s string) bool {
	for _, prefix := range []string{
		"#",
		"SMBIOS ",
		"Getting SMBIOS",
		"Reading SMBIOS",
		"Scanning /dev/mem",
		"Table at ",
		"Legacy DMI",
		"DMI ",
		"No SMBIOS",
		"Invalid entry length",
		"Wrong DMI structures",
		"/dev/mem",
		"/sys/firmware",
	} {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return strings.Contains(s, " structures occupying ")
}

// splitIndent returns the line without its leading blanks and the width of
// those blanks, a tab advancing to the next multiple of 8.
func splitIndent(s string) (string, int) {
	w := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			w++
		case '\t':
			w = w/8*8 + 8
		default:
			return strings.TrimRight(s[i:], " \t"), w
		}
	}
	return "", w
}

// parseHandleLine parses "Handle 0x0011, DMI type 17, 40 bytes" (a trailing
// period is accepted) and the old bare "Handle 0x0011".
func parseHandleLine(s string) (handle string, typ int, hasType, ok bool) {
	rest, found := strings.CutPrefix(s, "Handle ")
	if !found {
		return "", 0, false, false
	}
	handle, rest, _ = strings.Cut(rest, ",")
	handle = strings.TrimSpace(handle)
	if len(handle) < 3 || (handle[:2] != "0x" && handle[:2] != "0X") {
		return "", 0, false, false
	}
	for _, c := range handle[2:] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return "", 0, false, false
		}
	}
	rest = strings.TrimSpace(rest)
	if t, found := strings.CutPrefix(rest, "DMI type "); found {
		return handle, leadingInt(t), true, true
	}
	return handle, -1, false, true
}

// leadingInt parses the decimal number at the start of s ("17, 40 bytes"),
// or returns -1.
func leadingInt(s string) int {
	end := 0
	for end < len(s) && end < 9 && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == 0 {
		return -1
	}
	n, err := strconv.Atoi(s[:end])
	if err != nil {
		return -1
	}
	return n
}

// splitField splits "Key: Value" at the first colon; both sides trimmed.
// A line without a colon is a key with an empty value.
func splitField(s string) (key, val string) {
	k, v, found := strings.Cut(s, ":")
	if !found {
		return strings.TrimSpace(s), ""
	}
	return strings.TrimSpace(k), strings.TrimSpace(v)
}
