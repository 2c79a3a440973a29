package nvidiasmi

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Topology is `nvidia-smi topo -m` (--matrix): the devices (GPUs, NICs) and, for every
// pair, how they are connected.
type Topology struct {
	Devices []TopoDevice `json:"devices"`
	// Matrix[i][j] is the connection between Devices[i] and Devices[j] as printed:
	// "X" (self), "SYS", "NODE", "PHB", "PXB", "PIX", "NV<n>" (n bonded NVLinks), or older
	// names ("SOC").
	Matrix [][]string `json:"matrix"`
}

// TopoDevice is one row (and column) of the matrix.
type TopoDevice struct {
	Name string `json:"name"` // "GPU0", "NIC3", or the device name older drivers print ("mlx5_0")
	Kind string `json:"kind"` // "gpu", "nic", "other"
	// NIC is the NIC Legend's name for a "NICn" column ("mlx5_0"); "" when none.
	NIC string `json:"nic,omitempty"`
	// The affinity columns, as printed; "" when the column is absent, blank for the
	// row, or "N/A".
	CPUAffinity  string `json:"cpu_affinity,omitempty"`  // "0-63,128-191"
	NUMAAffinity string `json:"numa_affinity,omitempty"` // "0"
	GPUNUMAID    string `json:"gpu_numa_id,omitempty"`
}

// Connection kinds.
const (
	ConnSelf = "X"
	ConnSYS  = "SYS"
	ConnNODE = "NODE"
	ConnPHB  = "PHB"
	ConnPXB  = "PXB"
	ConnPIX  = "PIX"
)

var (
	ansiEscape  = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")
	topoGPU     = regexp.MustCompile(`^GPU\d+$`)
	topoNIC     = regexp.MustCompile(`^NIC\d+$`)
	topoNV      = regexp.MustCompile(`^NV(\d+)$`)
	topoLegend  = regexp.MustCompile(`^(NIC\d+): (\S+)$`)
	topoCell    = regexp.MustCompile(`^[A-Z][A-Z0-9]*$`)
	topoAttrSet = [][]string{{"CPU", "Affinity"}, {"NUMA", "Affinity"}, {"GPU", "NUMA", "ID"}}
)

// ParseTopo reads `nvidia-smi topo -m`. Cells are split on runs of whitespace (tabs as
// printed, or spaces where a terminal expanded them); the header's trailing attribute
// columns are "CPU Affinity", "NUMA Affinity" and "GPU NUMA ID" (older drivers print
// fewer). NIC rows carry no attribute values.
func ParseTopo(data []byte) (*Topology, error) {
	text := ansiEscape.ReplaceAllString(strings.ReplaceAll(string(data), "\r\n", "\n"), "")
	lines := strings.Split(text, "\n")
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i == len(lines) {
		return nil, fmt.Errorf("nvidia-smi topo -m: empty output")
	}
	cols, attrs, err := topoHeader(strings.Fields(lines[i]))
	if err != nil {
		return nil, err
	}
	t := &Topology{Devices: make([]TopoDevice, 0, len(cols))}
	index := map[string]int{}
	for i++; i < len(lines); i++ {
		f := strings.Fields(lines[i])
		if len(f) == 0 || strings.HasPrefix(f[0], "Legend") {
			break
		}
		if len(f) < 1+len(cols) {
			return nil, fmt.Errorf("nvidia-smi topo -m: row %q has %d cells, want %d", f[0], len(f)-1, len(cols))
		}
		if _, dup := index[f[0]]; dup {
			return nil, fmt.Errorf("nvidia-smi topo -m: row %q twice", f[0])
		}
		for _, c := range f[1 : 1+len(cols)] {
			if !topoCell.MatchString(c) {
				return nil, fmt.Errorf("nvidia-smi topo -m: row %q: %q is not a connection (a cell missing?)", f[0], c)
			}
		}
		d := TopoDevice{Name: f[0], Kind: topoKind(f[0])}
		extra := f[1+len(cols):]
		if len(extra) > len(attrs) {
			return nil, fmt.Errorf("nvidia-smi topo -m: row %q has %d values after the matrix, the header names %d", f[0], len(extra), len(attrs))
		}
		for k, v := range extra {
			if v == "N/A" {
				v = ""
			}
			switch attrs[k] {
			case "CPU Affinity":
				d.CPUAffinity = v
			case "NUMA Affinity":
				d.NUMAAffinity = v
			case "GPU NUMA ID":
				d.GPUNUMAID = v
			}
		}
		index[f[0]] = len(t.Devices)
		t.Devices = append(t.Devices, d)
		t.Matrix = append(t.Matrix, append([]string(nil), f[1:1+len(cols)]...))
	}
	if len(t.Devices) == 0 {
		return nil, fmt.Errorf("nvidia-smi topo -m: header but no rows")
	}
	// The matrix is square over the same devices, in the same order.
	if len(t.Devices) != len(cols) {
		return nil, fmt.Errorf("nvidia-smi topo -m: %d rows for %d columns", len(t.Devices), len(cols))
	}
	for k, c := range cols {
		if t.Devices[k].Name != c {
			return nil, fmt.Errorf("nvidia-smi topo -m: row %d is %q, column %d is %q", k, t.Devices[k].Name, k, c)
		}
	}
	for ; i < len(lines); i++ {
		if m := topoLegend.FindStringSubmatch(strings.TrimSpace(lines[i])); m != nil {
			if k, ok := index[m[1]]; ok {
				t.Devices[k].NIC = m[2]
			}
		}
	}
	return t, nil
}

// topoHeader splits the header into device columns and attribute column names.
func topoHeader(f []string) (cols, attrs []string, err error) {
	k := 0
	for k < len(f) && topoAttrAt(f, k) == nil {
		k++
	}
	cols = f[:k]
	for k < len(f) {
		a := topoAttrAt(f, k)
		if a == nil {
			return nil, nil, fmt.Errorf("nvidia-smi topo -m: unknown header column %q", f[k])
		}
		attrs = append(attrs, strings.Join(a, " "))
		k += len(a)
	}
	if len(cols) == 0 {
		return nil, nil, fmt.Errorf("nvidia-smi topo -m: no device columns in the header %q", strings.Join(f, " "))
	}
	for _, c := range cols {
		if topoKind(c) == "gpu" {
			return cols, attrs, nil
		}
	}
	return nil, nil, fmt.Errorf("nvidia-smi topo -m: no GPU column in the header %q", strings.Join(f, " "))
}

func topoAttrAt(f []string, k int) []string {
	for _, a := range topoAttrSet {
		if k+len(a) <= len(f) && strings.Join(f[k:k+len(a)], " ") == strings.Join(a, " ") {
			return a
		}
	}
	return nil
}

func topoKind(name string) string {
	switch {
	case topoGPU.MatchString(name):
		return "gpu"
	case topoNIC.MatchString(name), strings.HasPrefix(name, "mlx"):
		return "nic"
	}
	return "other"
}

// Connection returns the connection printed between devices a and b ("NV18", "SYS"),
// or "" when either is not in the matrix.
func (t *Topology) Connection(a, b string) string {
	ia, ib := -1, -1
	for k, d := range t.Devices {
		if d.Name == a {
			ia = k
		}
		if d.Name == b {
			ib = k
		}
	}
	if ia < 0 || ib < 0 {
		return ""
	}
	return t.Matrix[ia][ib]
}

// NVLinks returns the number of bonded NVLinks of a connection ("NV12" → 12), 0 for any
// other connection.
func NVLinks(conn string) int {
	if m := topoNV.FindStringSubmatch(conn); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// TopoFinding is one judgement about the GPU-to-GPU connections of a topology.
type TopoFinding struct {
	Severity string `json:"severity"`
	A        string `json:"a"` // "GPU3"
	B        string `json:"b"`
	Message  string `json:"message"`
}

// JudgeTopo applies one rule: where every pair of GPUs is NVLink-connected (NVSwitch
// systems, fully meshed boards), every pair should have as many bonded links as most
// pairs do; a pair with fewer ("NV16" among "NV18") has links down, a failure naming both
// GPUs. Topologies where some GPU pairs go over PCIe are not judged: there the NVLink
// counts are a design choice (bridged pairs), not a fault.
func JudgeTopo(t *Topology) []TopoFinding {
	var gpus []int
	for i, d := range t.Devices {
		if d.Kind == "gpu" {
			gpus = append(gpus, i)
		}
	}
	counts := map[int]int{}
	for x, i := range gpus {
		for _, j := range gpus[x+1:] {
			n := NVLinks(t.Matrix[i][j])
			if n == 0 {
				return nil
			}
			counts[n]++
		}
	}
	mode, best := 0, 0
	for n, c := range counts {
		if c > best || (c == best && n > mode) {
			mode, best = n, c
		}
	}
	var out []TopoFinding
	for x, i := range gpus {
		for _, j := range gpus[x+1:] {
			if n := NVLinks(t.Matrix[i][j]); n < mode {
				a, b := t.Devices[i].Name, t.Devices[j].Name
				out = append(out, TopoFinding{Severity: SeverityFailure, A: a, B: b,
					Message: fmt.Sprintf("%s-%s: %d NVLinks (%s) where the other GPU pairs have %d", a, b, n, t.Matrix[i][j], mode)})
			}
		}
	}
	return out
}
