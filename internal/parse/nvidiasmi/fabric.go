package nvidiasmi

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
)

// Fabric is a GPU's "Fabric" section of `nvidia-smi -q` (text) or <fabric> of
// `nvidia-smi -q -x`: the GPU's registration with the NVLink fabric (fabric manager on
// NVSwitch systems, the NVLink domain on multi-node NVLink). Values as printed; "N/A"
// (no NVSwitch fabric) is kept as "N/A" in State so that the judge can tell it apart.
type Fabric struct {
	// PCIBusID of the GPU the section belongs to ("0000:19:00.0"); "" when the input
	// is a fragment without the GPU line.
	PCIBusID    string `json:"pci_bus_id,omitempty"`
	State       string `json:"state"`                  // "Completed", "In Progress", "Not Started", "Not Supported", "N/A"
	Status      string `json:"status,omitempty"`       // "Success", "Insufficient Resources", …
	CliqueID    string `json:"clique_id,omitempty"`    // "CliqueId"
	ClusterUUID string `json:"cluster_uuid,omitempty"` // "ClusterUUID"
	// HealthSummary is "Health/Summary" ("Healthy", "Unhealthy", "Not Supported").
	HealthSummary string `json:"health_summary,omitempty"`
	// Health holds the other "Health" entries by name ("Bandwidth": "Full").
	Health map[string]string `json:"health,omitempty"`
}

var qGPULine = regexp.MustCompile(`^GPU ([0-9A-Fa-f]+:[0-9A-Fa-f]+:[0-9A-Fa-f]+\.[0-9A-Fa-f]+)\s*$`)

// ParseFabricText reads every Fabric section of `nvidia-smi -q` text output (or of an
// excerpt such as `nvidia-smi -q | grep -A8 Fabric`). Sub-entries are the lines indented
// deeper than the "Fabric" line; "Health" has its own deeper block. Input without a
// Fabric section is an error (older drivers print none).
func ParseFabricText(data []byte) ([]Fabric, error) {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	var out []Fabric
	bus := ""
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " \t")
		trimmed := strings.TrimSpace(line)
		if m := qGPULine.FindStringSubmatch(trimmed); m != nil && indentOf(line) == 0 {
			bus = normalizeBusID(m[1])
			continue
		}
		if trimmed != "Fabric" {
			continue
		}
		base := indentOf(line)
		f := Fabric{PCIBusID: bus}
		section := "" // "Health" while inside that block
		sectionIndent := -1
		for i+1 < len(lines) {
			next := strings.TrimRight(lines[i+1], " \t")
			if strings.TrimSpace(next) == "" || indentOf(next) <= base {
				break
			}
			i++
			ind := indentOf(next)
			key, val, hasColon := strings.Cut(strings.TrimSpace(next), ":")
			key, val = strings.TrimSpace(key), strings.TrimSpace(val)
			if section != "" && ind <= sectionIndent {
				section = ""
			}
			if !hasColon {
				section, sectionIndent = key, ind
				continue
			}
			if section == "Health" {
				if key == "Summary" {
					f.HealthSummary = val
				} else {
					if f.Health == nil {
						f.Health = map[string]string{}
					}
					f.Health[key] = val
				}
				continue
			}
			switch key {
			case "State":
				f.State = val
			case "Status":
				f.Status = val
			case "CliqueId", "Clique ID":
				f.CliqueID = val
			case "ClusterUUID", "Cluster UUID":
				f.ClusterUUID = val
			}
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("nvidia-smi -q: no Fabric section")
	}
	return out, nil
}

func indentOf(s string) int {
	n := 0
	for _, r := range s {
		switch r {
		case ' ':
			n++
		case '\t':
			n += 8
		default:
			return n
		}
	}
	return n
}

// ParseFabricXML reads the <fabric> element of every <gpu> in `nvidia-smi -q -x`. GPUs
// without one (schema before v12) are left out; a log without any is an error.
func ParseFabricXML(data []byte) ([]Fabric, error) {
	var log struct {
		GPUs []struct {
			ID     string `xml:"id,attr"`
			Fabric *struct {
				State       string `xml:"state"`
				Status      string `xml:"status"`
				CliqueID    string `xml:"cliqueId"`
				ClusterUUID string `xml:"clusterUuid"`
				Health      *struct {
					Summary string `xml:"summary"`
					Rest    []struct {
						XMLName xml.Name
						Value   string `xml:",chardata"`
					} `xml:",any"`
				} `xml:"health"`
			} `xml:"fabric"`
		} `xml:"gpu"`
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = charsetReader
	dec.Strict = false
	if err := dec.Decode(&log); err != nil {
		return nil, fmt.Errorf("nvidia-smi -q -x: %v", err)
	}
	var out []Fabric
	for _, g := range log.GPUs {
		if g.Fabric == nil {
			continue
		}
		f := Fabric{PCIBusID: normalizeBusID(g.ID), State: strings.TrimSpace(g.Fabric.State),
			Status: strings.TrimSpace(g.Fabric.Status), CliqueID: strings.TrimSpace(g.Fabric.CliqueID),
			ClusterUUID: strings.TrimSpace(g.Fabric.ClusterUUID)}
		if h := g.Fabric.Health; h != nil {
			f.HealthSummary = strings.TrimSpace(h.Summary)
			for _, r := range h.Rest {
				if r.XMLName.Local == "summary" {
					continue
				}
				if f.Health == nil {
					f.Health = map[string]string{}
				}
				f.Health[r.XMLName.Local] = strings.TrimSpace(r.Value)
			}
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("nvidia-smi -q -x: no <fabric> element")
	}
	return out, nil
}

// FabricFinding is one judgement about a GPU's fabric state.
type FabricFinding struct {
	Severity string `json:"severity"`
	PCIBusID string `json:"pci_bus_id,omitempty"`
	Message  string `json:"message"`
}

// JudgeFabric flags GPUs whose fabric registration is not usable. Rules, in order:
//   - State "N/A", "Not Supported" or empty: no NVLink fabric on this GPU, nothing judged;
//   - State other than "Completed" ("Not Started", "In Progress"): failure, the GPU is
//     not part of the fabric (fabric manager not running or stuck);
//   - State "Completed" and Status not "Success": failure (e.g. "Insufficient Resources");
//   - Health Summary "Unhealthy": failure; any other Health entry that reads "Degraded"
//     (bandwidth) or "True" (a recovery in progress): warning.
func JudgeFabric(fs []Fabric) []FabricFinding {
	var out []FabricFinding
	for _, f := range fs {
		who := f.PCIBusID
		if who == "" {
			who = "GPU"
		}
		switch f.State {
		case "", "N/A", "Not Supported":
			continue
		case "Completed":
		default:
			out = append(out, FabricFinding{Severity: SeverityFailure, PCIBusID: f.PCIBusID,
				Message: fmt.Sprintf("%s: NVLink fabric state %q, not Completed", who, f.State)})
			continue
		}
		if f.Status != "Success" {
			out = append(out, FabricFinding{Severity: SeverityFailure, PCIBusID: f.PCIBusID,
				Message: fmt.Sprintf("%s: NVLink fabric registration completed with status %q", who, f.Status)})
		}
		if strings.EqualFold(f.HealthSummary, "Unhealthy") {
			out = append(out, FabricFinding{Severity: SeverityFailure, PCIBusID: f.PCIBusID,
				Message: fmt.Sprintf("%s: NVLink fabric health summary Unhealthy", who)})
		}
		for _, k := range sortedKeys(f.Health) {
			v := f.Health[k]
			if strings.EqualFold(v, "Degraded") || strings.EqualFold(v, "True") {
				out = append(out, FabricFinding{Severity: SeverityWarning, PCIBusID: f.PCIBusID,
					Message: fmt.Sprintf("%s: NVLink fabric health %s: %s", who, k, v)})
			}
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
