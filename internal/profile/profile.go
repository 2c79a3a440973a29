// Package profile holds hardware profiles: what a server of one model must
// contain (docs/profiles.md). A profile is YAML, generated from the audit of a
// known-good machine (Generate), edited by hand, checked (Load, against
// profile.schema.json), and applied to an audit (Judge), which returns CONFIG_*
// findings (docs/findings.md). Choosing which profile applies is Select.
package profile

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"
)

// FormatVersion is the value of bee_profile in the files this bee reads.
const FormatVersion = 1

// Severities a rule may carry; failure when not stated.
const (
	SeverityFailure = "failure"
	SeverityWarning = "warning"
)

// Profile is one hardware profile. Every rule is optional: what is not stated
// is not checked.
type Profile struct {
	Format      int          `yaml:"bee_profile"`
	Name        string       `yaml:"name"`
	Description string       `yaml:"description"`
	Match       *Match       `yaml:"match"`
	CPU         *CPURule     `yaml:"cpu"`
	Memory      *MemoryRule  `yaml:"memory"`
	Storage     []DiskRule   `yaml:"storage"`
	GPU         *GPURule     `yaml:"gpu"`
	PCIe        []PCIeRule   `yaml:"pcie"`
	PSU         *PSURule     `yaml:"psu"`
	Network     []NICRule    `yaml:"network"`
	InfiniBand  *IBRule      `yaml:"infiniband"`
	Firmware    *FirmwareSet `yaml:"firmware"`
}

// NICRule: physical network ports of one kind (by kernel driver, e.g.
// "mlx5_core", "ice"; patterns as for models), how many, and the link rate
// each must run at.
type NICRule struct {
	Severity  string  `yaml:"severity"`
	Driver    *string `yaml:"driver"`
	Count     *int    `yaml:"count"`
	SpeedMbps *int    `yaml:"speed_mbps"`
}

// IBRule: InfiniBand ports (link layer InfiniBand in /sys/class/infiniband),
// how many, and the rate each active port must run at.
type IBRule struct {
	Severity string   `yaml:"severity"`
	Ports    *int     `yaml:"ports"`
	RateGbps *float64 `yaml:"rate_gbps"`
}

// Match says which machines the profile is for (SMBIOS system and board).
type Match struct {
	Manufacturer string  `yaml:"manufacturer"`
	ProductName  string  `yaml:"product_name"`
	SKU          *string `yaml:"sku"`
	Board        *string `yaml:"board"`
}

// CPURule: populated sockets, their model, cores per socket.
type CPURule struct {
	Severity string  `yaml:"severity"`
	Count    *int    `yaml:"count"`
	Model    *string `yaml:"model"`
	Cores    *int    `yaml:"cores"`
}

// MemoryRule: total, DIMM count, the population map by slot locator, what each
// populated DIMM must be.
type MemoryRule struct {
	Severity         string   `yaml:"severity"`
	Total            *Size    `yaml:"total"`
	TolerancePercent *float64 `yaml:"tolerance_percent"`
	DIMMCount        *int     `yaml:"dimm_count"`
	Populated        []string `yaml:"populated"`
	Empty            []string `yaml:"empty"`
	DIMM             *DIMM    `yaml:"dimm"`
	PartNumbers      []string `yaml:"part_numbers"`
}

// DIMM is what every populated DIMM must be.
type DIMM struct {
	Size               *Size   `yaml:"size"`
	Type               *string `yaml:"type"`
	SpeedMTs           *int    `yaml:"speed_mts"`
	ConfiguredSpeedMTs *int    `yaml:"configured_speed_mts"`
}

// DiskRule: at least Count drives of a class (and model, and size).
type DiskRule struct {
	Severity string  `yaml:"severity"`
	Class    string  `yaml:"class"`
	Model    *string `yaml:"model"`
	Count    int     `yaml:"count"`
	MinSize  *Size   `yaml:"min_size"`
}

// GPURule: NVIDIA GPUs.
type GPURule struct {
	Severity     string   `yaml:"severity"`
	Count        *int     `yaml:"count"`
	Model        *string  `yaml:"model"`
	Memory       *Size    `yaml:"memory"`
	VBIOS        []string `yaml:"vbios"`
	DriverLoaded *bool    `yaml:"driver_loaded"`
}

// PCIeRule: PCI functions of one kind (vendor:device id, or device name when
// only lspci names it), how many, and their link.
type PCIeRule struct {
	Severity string   `yaml:"severity"`
	ID       *string  `yaml:"id"`
	Name     *string  `yaml:"name"`
	Address  *string  `yaml:"address"`
	Count    *int     `yaml:"count"`
	Width    *int     `yaml:"width"`
	SpeedGTs *float64 `yaml:"speed_gts"`
}

// PSURule: power supplies present (as the BMC reports them).
type PSURule struct {
	Severity string  `yaml:"severity"`
	Count    *int    `yaml:"count"`
	Model    *string `yaml:"model"`
}

// FirmwareSet: firmware versions.
type FirmwareSet struct {
	Severity string         `yaml:"severity"`
	BIOS     *VersionRule   `yaml:"bios"`
	BMC      *VersionRule   `yaml:"bmc"`
	Disks    []DiskFirmware `yaml:"disks"`
}

// VersionRule is an exact or a minimum version.
type VersionRule struct {
	Version    *string `yaml:"version"`
	MinVersion *string `yaml:"min_version"`
}

// DiskFirmware is the firmware rule of drives of one model.
type DiskFirmware struct {
	Model       string `yaml:"model"`
	VersionRule `yaml:",inline"`
}

// SchemaJSON is the JSON Schema of the profile format (draft 2020-12).
//
//go:embed profile.schema.json
var SchemaJSON []byte

var (
	schemaOnce sync.Once
	schemaC    *jsonschema.Schema
	schemaErr  error
)

func compiledSchema() (*jsonschema.Schema, error) {
	schemaOnce.Do(func() {
		s, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaJSON))
		if err != nil {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("profile.schema.json", s); err != nil {
			schemaErr = err
			return
		}
		schemaC, schemaErr = c.Compile("profile.schema.json")
	})
	return schemaC, schemaErr
}

// Problem is one thing wrong in a profile file, at a line (0: the whole file).
type Problem struct {
	Line    int
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s", p.Line, p.Message)
	}
	return p.Message
}

// Error lists every problem of a profile file.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("\n")
		}
		if e.File != "" {
			b.WriteString(e.File + ": ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// First is the first problem, for one-line messages.
func (e *Error) First() string {
	s := e.Problems[0].String()
	if n := len(e.Problems) - 1; n > 0 {
		s += fmt.Sprintf(" (and %d more)", n)
	}
	return s
}

// Parse reads and checks a profile: YAML syntax, then the schema (unknown keys
// are errors, so a typo cannot silently disable a check), then the values.
// Errors carry line numbers; file names them in messages.
func Parse(file string, data []byte) (*Profile, error) {
	fail := func(ps ...Problem) (*Profile, error) { return nil, &Error{File: file, Problems: ps} }
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return fail(yamlProblem(err))
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return fail(Problem{0, "empty file, not a profile"})
	}
	doc := root.Content[0]
	generic, err := toJSONValue(doc)
	if err != nil {
		return fail(Problem{0, err.Error()})
	}
	s, err := compiledSchema()
	if err != nil {
		return nil, fmt.Errorf("profile schema: %w", err)
	}
	if err := s.Validate(generic); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return fail(Problem{0, err.Error()})
		}
		return fail(schemaProblems(ve, doc)...)
	}
	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return fail(yamlProblem(err))
	}
	if ps := p.check(doc); len(ps) > 0 {
		return fail(ps...)
	}
	return &p, nil
}

// yamlProblem turns "yaml: line 3: …" into a Problem with a line.
func yamlProblem(err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	if strings.HasPrefix(msg, "line ") {
		rest := msg[len("line "):]
		if i := strings.Index(rest, ":"); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				return Problem{n, strings.TrimSpace(rest[i+1:])}
			}
		}
	}
	return Problem{0, msg}
}

// toJSONValue turns a YAML node into the values encoding/json would give, for
// the schema validator.
func toJSONValue(n *yaml.Node) (any, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("not a profile: %v (keys must be names)", err)
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

// schemaProblems flattens a validation error into problems at the lines of the
// YAML nodes they concern: one per failing keyword, in file order.
func schemaProblems(ve *jsonschema.ValidationError, doc *yaml.Node) []Problem {
	printer := message.NewPrinter(language.English)
	var out []Problem
	seen := map[string]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		for _, c := range e.Causes {
			walk(c)
		}
		if len(e.Causes) > 0 {
			return
		}
		loc := "/" + strings.Join(e.InstanceLocation, "/")
		where := strings.Join(e.InstanceLocation, ".")
		msg := e.ErrorKind.LocalizedString(printer)
		if where != "" {
			msg = where + ": " + msg
		}
		line := nodeAt(doc, loc).Line
		if hint := schemaHint(e); hint != "" {
			msg = hint
			if where != "" {
				msg = where + ": " + hint
			}
		}
		if ap, ok := e.ErrorKind.(*kind.AdditionalProperties); ok && len(ap.Properties) > 0 {
			msg = fmt.Sprintf("unknown key %q", ap.Properties[0])
			if where != "" {
				msg += " in " + where
			}
			msg += " (a typo would silently disable a check; see docs/profiles.md)"
			line = keyLine(nodeAt(doc, loc), ap.Properties[0], line)
		}
		if !seen[msg] {
			seen[msg] = true
			out = append(out, Problem{line, msg})
		}
	}
	walk(ve)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

// schemaHint says in words what some schema rules mean, where the
// validator's own message would quote a regular expression.
func schemaHint(e *jsonschema.ValidationError) string {
	u := e.SchemaURL + "/" + strings.Join(e.ErrorKind.KeywordPath(), "/")
	_, isType := e.ErrorKind.(*kind.Type)
	_, isNot := e.ErrorKind.(*kind.Not)
	switch {
	case strings.Contains(u, "/$defs/size/"):
		return "not a size (examples: 64 GiB, 960 GB, 1.92 TB, or bytes)"
	case isNot: // the schema's only 'not' is in version rules
		return "give version (exact) or min_version, not both"
	case strings.HasSuffix(u, "/properties/name/pattern"):
		return "use letters, digits, '.', '_' and '-' (the name is also a file name)"
	case strings.HasSuffix(u, "/properties/id/pattern"):
		return "a PCI vendor:device id is 4 hex digits, ':', 4 hex digits (\"10de:2330\")"
	case strings.HasSuffix(u, "/properties/address/pattern"):
		return "a PCI address is domain:bus:device.function (\"0000:1b:00.0\")"
	case isType && strings.Contains(e.ErrorKind.LocalizedString(message.NewPrinter(language.English)), "want string"):
		return e.ErrorKind.LocalizedString(message.NewPrinter(language.English)) + " (quote it: \"2.10\" unquoted is the number 2.1)"
	}
	return ""
}

// nodeAt follows a JSON pointer ("/memory/dimm_count") through YAML nodes, as
// deep as it goes.
func nodeAt(n *yaml.Node, pointer string) *yaml.Node {
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		next := (*yaml.Node)(nil)
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == tok {
					next = n.Content[i+1]
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(tok); err == nil && i < len(n.Content) {
				next = n.Content[i]
			}
		}
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

func keyLine(n *yaml.Node, key string, def int) int {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i].Line
			}
		}
	}
	return def
}

// check applies what the schema cannot say.
func (p *Profile) check(doc *yaml.Node) []Problem {
	var ps []Problem
	at := func(ptr, format string, a ...any) {
		ps = append(ps, Problem{nodeAt(doc, ptr).Line, fmt.Sprintf(format, a...)})
	}
	if m := p.Memory; m != nil {
		slots := map[string]string{}
		for i, s := range m.Populated {
			if slots[s] != "" {
				at(fmt.Sprintf("/memory/populated/%d", i), "memory.populated: slot %q listed twice", s)
			}
			slots[s] = "populated"
		}
		for i, s := range m.Empty {
			if slots[s] != "" {
				at(fmt.Sprintf("/memory/empty/%d", i), "memory.empty: slot %q is also listed as %s", s, slots[s])
			}
			slots[s] = "empty"
		}
		if m.DIMMCount != nil && len(m.Populated) > 0 && *m.DIMMCount != len(m.Populated) {
			at("/memory/dimm_count", "memory.dimm_count is %d but memory.populated lists %d slots", *m.DIMMCount, len(m.Populated))
		}
	}
	for i, r := range p.PCIe {
		if r.ID == nil && r.Name == nil && r.Address == nil {
			at(fmt.Sprintf("/pcie/%d", i), "pcie[%d]: give id, name or address", i)
		}
	}
	return ps
}
