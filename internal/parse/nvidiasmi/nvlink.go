package nvidiasmi

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// NVLinkGPU is one GPU's block in `nvidia-smi nvlink --status` (-s) or
// `nvidia-smi nvlink --errorcounters` (-e) output; both, concatenated, merge per GPU.
type NVLinkGPU struct {
	Index int    `json:"index"`          // "GPU 3:"
	Name  string `json:"name,omitempty"` // "NVIDIA A100-SXM4-80GB"
	UUID  string `json:"uuid,omitempty"` // as printed (may be masked, e.g. "...")
	// AllInactive is set by "NVML: Unable to retrieve NVLink information as all links are
	// inactive": the GPU has NVLink but no link is up.
	AllInactive bool     `json:"all_inactive,omitempty"`
	Links       []NVLink `json:"links"`
	// Messages are other lines under the GPU (NVML errors), as printed.
	Messages []string `json:"messages,omitempty"`
}

// NVLink is one link of a GPU.
type NVLink struct {
	Link int `json:"link"`
	// State from -s: "up" (a speed is printed), "inactive" ("<inactive>"), the printed
	// value for anything else, "" when the output had no status line for the link.
	State    string   `json:"state,omitempty"`
	SpeedGBs *float64 `json:"speed_gbs,omitempty"` // "25.781 GB/s"
	// Counters from -e by the name nvidia-smi prints ("Replay Errors", "Recovery Errors",
	// "CRC Errors", and what newer drivers add); only integer values.
	Counters map[string]int64 `json:"counters,omitempty"`
	// Other holds -e values that are not integers ("N/A", a BER), by name.
	Other map[string]string `json:"other,omitempty"`
}

// Counter names nvidia-smi prints in `nvlink -e`.
const (
	CounterReplay   = "Replay Errors"
	CounterRecovery = "Recovery Errors"
	CounterCRC      = "CRC Errors"
)

// Link states.
const (
	LinkUp       = "up"
	LinkInactive = "inactive"
)

var (
	nvlinkGPULine = regexp.MustCompile(`^GPU (\d+): (.*?)(?: \(UUID: ([^)]*)\))?$`)
	nvlinkLink    = regexp.MustCompile(`^Link (\d+): (.*)$`)
	nvlinkSpeed   = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?) GB/s$`)
)

// ParseNVLink reads `nvidia-smi nvlink -s` and/or `nvidia-smi nvlink -e` output. Empty
// output (a GPU without NVLink prints nothing) gives no GPUs and no error; output with
// no "GPU n:" block (an nvidia-smi failure message) is an error carrying its first line.
func ParseNVLink(data []byte) ([]NVLinkGPU, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	var gpus []NVLinkGPU
	byIndex := map[int]int{}
	var cur *NVLinkGPU
	var stray []string
	for _, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		if m := nvlinkGPULine.FindStringSubmatch(line); m != nil {
			idx, err := strconv.Atoi(m[1])
			if err != nil {
				return nil, fmt.Errorf("nvidia-smi nvlink: GPU index in %q: %v", line, err)
			}
			if i, ok := byIndex[idx]; ok { // -s and -e concatenated
				cur = &gpus[i]
			} else {
				gpus = append(gpus, NVLinkGPU{Index: idx, Name: m[2], UUID: m[3], Links: []NVLink{}})
				byIndex[idx] = len(gpus) - 1
				cur = &gpus[len(gpus)-1]
			}
			continue
		}
		if cur == nil {
			stray = append(stray, line)
			continue
		}
		m := nvlinkLink.FindStringSubmatch(line)
		if m == nil {
			// Drivers spell it "inactive" or "inActive".
			if strings.Contains(strings.ToLower(line), "all links are inactive") {
				cur.AllInactive = true
			}
			cur.Messages = append(cur.Messages, line)
			continue
		}
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 1024 {
			cur.Messages = append(cur.Messages, line)
			continue
		}
		link := cur.link(n)
		val := strings.TrimSpace(m[2])
		if name, v, ok := strings.Cut(val, ":"); ok && !strings.Contains(name, "/") {
			link.counter(strings.TrimSpace(name), strings.TrimSpace(v))
			continue
		}
		switch sm := nvlinkSpeed.FindStringSubmatch(val); {
		case sm != nil:
			f, _ := strconv.ParseFloat(sm[1], 64)
			link.State, link.SpeedGBs = LinkUp, &f
		case strings.EqualFold(strings.Trim(val, "<>"), "inactive"):
			link.State = LinkInactive
		default:
			link.State = val
		}
	}
	if len(gpus) == 0 {
		if len(stray) == 0 {
			return []NVLinkGPU{}, nil
		}
		return nil, fmt.Errorf("nvidia-smi nvlink: no GPU in the output: %q", stray[0])
	}
	for i := range gpus {
		sort.SliceStable(gpus[i].Links, func(a, b int) bool { return gpus[i].Links[a].Link < gpus[i].Links[b].Link })
	}
	return gpus, nil
}

func (g *NVLinkGPU) link(n int) *NVLink {
	for i := range g.Links {
		if g.Links[i].Link == n {
			return &g.Links[i]
		}
	}
	g.Links = append(g.Links, NVLink{Link: n})
	return &g.Links[len(g.Links)-1]
}

func (l *NVLink) counter(name, v string) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if l.Counters == nil {
			l.Counters = map[string]int64{}
		}
		l.Counters[name] = n
		return
	}
	if l.Other == nil {
		l.Other = map[string]string{}
	}
	l.Other[name] = v
}

// Severity of a finding from a judge in this package.
const (
	SeverityFailure = "failure"
	SeverityWarning = "warning"
)

// LinkFinding is one judgement about an NVLink.
type LinkFinding struct {
	Severity string `json:"severity"`
	GPU      int    `json:"gpu"`
	UUID     string `json:"uuid,omitempty"`
	Link     int    `json:"link"` // -1: every link of the GPU
	Message  string `json:"message"`
}

// JudgeNVLinkStatus flags, as failures, links that are down on one GPU while other GPUs
// of the same model have the same link up (a link all of them lack is how the platform is
// built, not a fault), and GPUs whose links are all inactive while a sibling has links up.
func JudgeNVLinkStatus(gpus []NVLinkGPU) []LinkFinding {
	var out []LinkFinding
	// up[model][link] = number of GPUs of that model with the link up.
	up := map[string]map[int]int{}
	for _, g := range gpus {
		if up[g.Name] == nil {
			up[g.Name] = map[int]int{}
		}
		for _, l := range g.Links {
			if l.State == LinkUp {
				up[g.Name][l.Link]++
			}
		}
	}
	for _, g := range gpus {
		siblingsUp := up[g.Name]
		if g.AllInactive {
			if len(siblingsUp) > 0 {
				out = append(out, LinkFinding{Severity: SeverityFailure, GPU: g.Index, UUID: g.UUID, Link: -1,
					Message: fmt.Sprintf("GPU %d (%s): all NVLinks inactive while other %s GPUs have links up", g.Index, g.Name, g.Name)})
			}
			continue
		}
		for _, l := range g.Links {
			if l.State == "" || l.State == LinkUp {
				continue
			}
			if siblingsUp[l.Link] > 0 {
				out = append(out, LinkFinding{Severity: SeverityFailure, GPU: g.Index, UUID: g.UUID, Link: l.Link,
					Message: fmt.Sprintf("GPU %d (%s): NVLink %d is %s while %d other GPU(s) have it up", g.Index, g.Name, l.Link, l.State, siblingsUp[l.Link])})
			}
		}
	}
	return out
}

// ErrNoCounters is returned by JudgeNVLinkCounters when neither read holds a counter.
var ErrNoCounters = errors.New("nvidia-smi nvlink: no error counters in either read")

// JudgeNVLinkCounters compares two `nvlink -e` reads of the same machine, before and
// after (a stress run): every counter that rose is a warning. GPUs are matched by UUID
// when both reads print one, else by index. A counter that fell (reset between the
// reads) or is missing from one read is not judged.
func JudgeNVLinkCounters(before, after []NVLinkGPU) ([]LinkFinding, error) {
	key := func(g NVLinkGPU) string {
		if g.UUID != "" && g.UUID != "..." {
			return "uuid:" + g.UUID
		}
		return "index:" + strconv.Itoa(g.Index)
	}
	prev := map[string]NVLinkGPU{}
	seen := false
	for _, g := range before {
		prev[key(g)] = g
		for _, l := range g.Links {
			seen = seen || len(l.Counters) > 0
		}
	}
	var out []LinkFinding
	for _, g := range after {
		p, ok := prev[key(g)]
		if !ok {
			continue
		}
		for _, l := range g.Links {
			seen = seen || len(l.Counters) > 0
			var pl *NVLink
			for i := range p.Links {
				if p.Links[i].Link == l.Link {
					pl = &p.Links[i]
				}
			}
			if pl == nil {
				continue
			}
			names := make([]string, 0, len(l.Counters))
			for name := range l.Counters {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				was, ok := pl.Counters[name]
				if now := l.Counters[name]; ok && now > was {
					out = append(out, LinkFinding{Severity: SeverityWarning, GPU: g.Index, UUID: g.UUID, Link: l.Link,
						Message: fmt.Sprintf("GPU %d NVLink %d: %s rose from %d to %d", g.Index, l.Link, name, was, now)})
				}
			}
		}
	}
	if !seen {
		return nil, ErrNoCounters
	}
	return out, nil
}
