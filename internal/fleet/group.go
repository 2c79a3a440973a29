package fleet

import (
	"fmt"
	"sort"
	"strings"

	"github.com/beeaudit/bee/internal/audit"
)

// Group is the servers of one model.
type Group struct {
	Model   string
	Servers []*Server
	// Counts by verdict ("pass", "warning", "fail", "no audit").
	Counts map[string]int
	// Diffs are the properties whose value is not the same on every server of
	// the model that has an audit: a fleet should be uniform.
	Diffs []Diff
}

// Diff is one property and the values the model's servers have.
type Diff struct {
	Property string
	Values   []DiffValue // the most common first
}

// DiffValue is one value of a property and the servers that have it.
type DiffValue struct {
	Value   string
	Serials []string
}

// Summary is the group's line: "30 × SYS-821GE-TNHR: 28 pass, 2 fail
// (S1: CONFIG_DIMM_MISSING dimm:P1-DIMMC1; S2: ...)".
func (g *Group) Summary() string {
	var counts []string
	for _, v := range []string{audit.VerdictPass, audit.VerdictWarning, audit.VerdictFail, "no audit"} {
		if n := g.Counts[v]; n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, v))
		}
	}
	line := fmt.Sprintf("%d × %s: %s", len(g.Servers), g.Model, strings.Join(counts, ", "))
	var why []string
	for _, s := range g.Servers {
		if s.Verdict == audit.VerdictFail || s.Verdict == audit.VerdictWarning {
			why = append(why, s.SerialOrUnknown()+": "+s.FirstFinding())
		}
	}
	const shown = 5
	if len(why) > shown {
		why = append(why[:shown], fmt.Sprintf("and %d more", len(why)-shown))
	}
	if len(why) > 0 {
		line += " (" + strings.Join(why, "; ") + ")"
	}
	return line
}

// String is "Property: value ×n (serials), value ×m (serials)".
func (d Diff) String() string {
	var parts []string
	for _, v := range d.Values {
		p := fmt.Sprintf("%s ×%d", v.Value, len(v.Serials))
		if len(v.Serials) <= 3 {
			p += " (" + strings.Join(v.Serials, ", ") + ")"
		}
		parts = append(parts, p)
	}
	return d.Property + ": " + strings.Join(parts, "; ")
}

func groupServers(ss []*Server) []*Group {
	byModel := map[string]*Group{}
	var out []*Group
	for _, s := range ss {
		g := byModel[s.Model()]
		if g == nil {
			g = &Group{Model: s.Model(), Counts: map[string]int{}}
			byModel[s.Model()] = g
			out = append(out, g)
		}
		g.Servers = append(g.Servers, s)
		g.Counts[s.VerdictOrNone()]++
	}
	for _, g := range out {
		g.Diffs = diffs(g.Servers)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Model < out[j].Model })
	return out
}

// properties are what must be the same on every server of one model.
var properties = []struct {
	name string
	of   func(h *audit.Hardware) string
}{
	{"profile", func(h *audit.Hardware) string {
		if h.Profile == nil {
			return "none"
		}
		return h.Profile.Name
	}},
	{"BIOS version", func(h *audit.Hardware) string {
		if h.BIOS == nil {
			return ""
		}
		return str(h.BIOS.Version)
	}},
	{"board", func(h *audit.Hardware) string {
		if h.Board == nil {
			return ""
		}
		return strings.TrimSpace(str(h.Board.ProductName) + " " + str(h.Board.Version))
	}},
	{"CPUs", func(h *audit.Hardware) string {
		var m []string
		for _, c := range h.CPUs {
			if c.Populated {
				m = append(m, str(c.Model))
			}
		}
		return counted(m)
	}},
	{"DIMMs", func(h *audit.Hardware) string {
		if h.Memory == nil || h.Memory.DIMMs == nil {
			return ""
		}
		var m []string
		for _, d := range h.Memory.DIMMs {
			if d.Populated {
				m = append(m, sizeText(d.SizeBytes))
			}
		}
		return counted(m)
	}},
	{"DIMM part numbers", func(h *audit.Hardware) string {
		if h.Memory == nil || h.Memory.DIMMs == nil {
			return ""
		}
		var m []string
		for _, d := range h.Memory.DIMMs {
			if d.Populated {
				m = append(m, str(d.PartNumber))
			}
		}
		return distinct(m)
	}},
	{"disks", func(h *audit.Hardware) string {
		if h.Storage == nil {
			return ""
		}
		var m []string
		for _, d := range h.Storage {
			m = append(m, str(d.Model))
		}
		return counted(m)
	}},
	{"disk firmware", func(h *audit.Hardware) string {
		if h.Storage == nil {
			return ""
		}
		var m []string
		for _, d := range h.Storage {
			m = append(m, str(d.Model)+" "+str(d.Firmware))
		}
		return distinct(m)
	}},
	{"GPUs", func(h *audit.Hardware) string {
		if h.GPUs == nil {
			return ""
		}
		var m []string
		for _, g := range h.GPUs {
			m = append(m, str(g.Name))
		}
		return counted(m)
	}},
	{"GPU VBIOS", func(h *audit.Hardware) string {
		if h.GPUs == nil {
			return ""
		}
		var m []string
		for _, g := range h.GPUs {
			m = append(m, str(g.VBIOSVersion))
		}
		return distinct(m)
	}},
	{"GPU driver", func(h *audit.Hardware) string {
		if h.GPUs == nil {
			return ""
		}
		var m []string
		for _, g := range h.GPUs {
			m = append(m, str(g.DriverVersion))
		}
		return distinct(m)
	}},
	{"PSUs", func(h *audit.Hardware) string {
		if h.PSUs == nil {
			return ""
		}
		var m []string
		for _, p := range h.PSUs {
			m = append(m, str(p.Model))
		}
		return counted(m)
	}},
}

// counted is "2 × A, 1 × B" (sorted by value), "none" for an empty list.
func counted(vals []string) string {
	if len(vals) == 0 {
		return "none"
	}
	n := map[string]int{}
	for _, v := range vals {
		if v == "" {
			v = "unknown"
		}
		n[v]++
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d × %s", n[k], k)
	}
	return strings.Join(parts, ", ")
}

// distinct is the sorted distinct values, comma separated.
func distinct(vals []string) string {
	if len(vals) == 0 {
		return "none"
	}
	n := map[string]bool{}
	for _, v := range vals {
		if v == "" {
			v = "unknown"
		}
		n[v] = true
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func sizeText(b *int64) string {
	if b == nil {
		return "unknown size"
	}
	const gib = 1 << 30
	if *b%gib == 0 {
		return fmt.Sprintf("%d GiB", *b/gib)
	}
	return fmt.Sprintf("%.1f GiB", float64(*b)/gib)
}

func diffs(ss []*Server) []Diff {
	var out []Diff
	for _, p := range properties {
		vals := map[string][]string{}
		for _, s := range ss {
			if s.Audit == nil {
				continue
			}
			v := p.of(&s.Audit.Hardware)
			if v == "" {
				v = "unknown"
			}
			vals[v] = append(vals[v], s.SerialOrUnknown())
		}
		if len(vals) < 2 {
			continue
		}
		d := Diff{Property: p.name}
		for v, serials := range vals {
			d.Values = append(d.Values, DiffValue{Value: v, Serials: serials})
		}
		sort.Slice(d.Values, func(i, j int) bool {
			a, b := d.Values[i], d.Values[j]
			if len(a.Serials) != len(b.Serials) {
				return len(a.Serials) > len(b.Serials)
			}
			return a.Value < b.Value
		})
		out = append(out, d)
	}
	return out
}
