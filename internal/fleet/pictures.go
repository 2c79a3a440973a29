package fleet

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/beeaudit/bee/internal/audit"
)

// The pictures of a server's page are data built here and drawn by the
// template as HTML/CSS: the DIMM population map, the PCIe devices by bus with
// their link widths, the GPU grid.

// Cell states, also CSS classes.
const (
	cellPopulated = "populated"
	cellEmpty     = "empty"
	cellMissing   = "missing" // a profile wanted a DIMM here (CONFIG_DIMM_MISSING)
	cellProblem   = "problem" // a finding names this slot, or EDAC counted errors on it
)

// DIMMMap is the slots of one server by socket, channel and slot.
type DIMMMap struct {
	Sockets []DIMMSocket
}

// DIMMSocket is one CPU's slots: Slots[slot index][channel index].
type DIMMSocket struct {
	Name     string
	Channels []string
	Rows     [][]*DIMMCell // one row per DIMM-per-channel position
}

// DIMMCell is one slot (nil in Rows: no such slot).
type DIMMCell struct {
	Locator string
	State   string
	Title   string // size, type, part number; or why it is marked
}

// Locator patterns: Supermicro "P1-DIMMA1", Intel/ASUS/Gigabyte "CPU0_DIMM_A1" /
// "CPU1_DIMMA0", Dell "A1"/"B12" (the letter is the CPU), "DIMM_A1"/"ChannelA-DIMM0".
var (
	locSocketChanSlot = regexp.MustCompile(`(?i)^(?:P|CPU|PROC|SOCKET)\s*(\d+)[-_ ]*(?:DIMM|CHANNEL|CH)?[-_ ]*([A-Z])[-_ ]*(\d+)$`)
	locChanSlot       = regexp.MustCompile(`(?i)^(?:DIMM|CHANNEL|CH)?[-_ ]*([A-Z])[-_ ]*(?:DIMM)?[-_ ]*(\d+)$`)
)

// dimmPlace is where a slot sits.
type dimmPlace struct {
	socket, channel string
	slot            int
}

func placeOf(loc string, dell bool) (dimmPlace, bool) {
	loc = strings.TrimSpace(loc)
	if m := locSocketChanSlot.FindStringSubmatch(loc); m != nil {
		n, _ := strconv.Atoi(m[3])
		return dimmPlace{"CPU " + m[1], strings.ToUpper(m[2]), n}, true
	}
	if m := locChanSlot.FindStringSubmatch(loc); m != nil {
		n, _ := strconv.Atoi(m[2])
		if dell {
			// Dell: the letter is the processor, the number the slot.
			return dimmPlace{"CPU " + strings.ToUpper(m[1]), "", n}, true
		}
		return dimmPlace{"", strings.ToUpper(m[1]), n}, true
	}
	return dimmPlace{}, false
}

// BuildDIMMMap lays out the server's slots. Locators it cannot place go to a
// row of their own, so no slot is ever left out of the picture.
func BuildDIMMMap(h *audit.Hardware) *DIMMMap {
	if h.Memory == nil || len(h.Memory.DIMMs) == 0 {
		return nil
	}
	dell := h.System != nil && strings.HasPrefix(str(h.System.Manufacturer), "Dell")
	marked := map[string]string{} // locator → finding
	for _, f := range h.Summary.Findings {
		if loc, ok := strings.CutPrefix(f.Component, "dimm:"); ok {
			marked[loc] = f.Code + ": " + f.Message
		}
	}
	if h.Memory.EDAC != nil {
		for _, d := range h.Memory.EDAC.DIMMs {
			if d.Corrected+d.Uncorrected > 0 {
				marked[d.Label] = fmt.Sprintf("EDAC: %d corrected, %d uncorrected errors", d.Corrected, d.Uncorrected)
			}
		}
	}
	type placed struct {
		p    dimmPlace
		cell *DIMMCell
	}
	var all []placed
	var loose []*DIMMCell
	for _, d := range h.Memory.DIMMs {
		loc := str(d.Locator)
		c := &DIMMCell{Locator: loc, State: cellEmpty, Title: loc + ": empty"}
		if d.Populated {
			c.State = cellPopulated
			c.Title = strings.TrimSpace(fmt.Sprintf("%s: %s %s %s", loc, sizeText(d.SizeBytes), str(d.Type), str(d.PartNumber)))
		}
		if why, ok := marked[loc]; ok {
			c.Title = loc + ": " + why
			if strings.HasPrefix(why, "CONFIG_DIMM_MISSING") {
				c.State = cellMissing
			} else {
				c.State = cellProblem
			}
		}
		p, ok := placeOf(loc, dell)
		if !ok {
			loose = append(loose, c)
			continue
		}
		all = append(all, placed{p, c})
	}
	bySocket := map[string][]placed{}
	var names []string
	for _, pl := range all {
		if _, ok := bySocket[pl.p.socket]; !ok {
			names = append(names, pl.p.socket)
		}
		bySocket[pl.p.socket] = append(bySocket[pl.p.socket], pl)
	}
	sort.Strings(names)
	m := &DIMMMap{}
	for _, name := range names {
		ps := bySocket[name]
		sock := DIMMSocket{Name: name}
		if sock.Name == "" {
			sock.Name = "slots"
		}
		chIdx := map[string]int{}
		slots := map[int]bool{}
		for _, pl := range ps {
			if _, ok := chIdx[pl.p.channel]; !ok {
				chIdx[pl.p.channel] = 0
				sock.Channels = append(sock.Channels, pl.p.channel)
			}
			slots[pl.p.slot] = true
		}
		sort.Strings(sock.Channels)
		for i, c := range sock.Channels {
			chIdx[c] = i
		}
		var slotNums []int
		for n := range slots {
			slotNums = append(slotNums, n)
		}
		sort.Ints(slotNums)
		if len(sock.Channels) == 1 && sock.Channels[0] == "" {
			// No channel in the name (Dell): one row of slots by number.
			sock.Channels = nil
			row := make([]*DIMMCell, len(slotNums))
			pos := map[int]int{}
			for i, n := range slotNums {
				pos[n] = i
				sock.Channels = append(sock.Channels, strconv.Itoa(n))
			}
			for _, pl := range ps {
				row[pos[pl.p.slot]] = pl.cell
			}
			sock.Rows = [][]*DIMMCell{row}
			m.Sockets = append(m.Sockets, sock)
			continue
		}
		rowIdx := map[int]int{}
		for i, n := range slotNums {
			rowIdx[n] = i
			sock.Rows = append(sock.Rows, make([]*DIMMCell, len(sock.Channels)))
		}
		for _, pl := range ps {
			sock.Rows[rowIdx[pl.p.slot]][chIdx[pl.p.channel]] = pl.cell
		}
		m.Sockets = append(m.Sockets, sock)
	}
	if len(loose) > 0 {
		sock := DIMMSocket{Name: "other slots"}
		for range loose {
			sock.Channels = append(sock.Channels, "")
		}
		sock.Rows = [][]*DIMMCell{loose}
		m.Sockets = append(m.Sockets, sock)
	}
	return m
}

// PCIeBus is the functions on one bus ("0000:18"), as the audit has no
// bridge parentage: devices are grouped under the bus they sit on.
type PCIeBus struct {
	Bus     string
	Devices []PCIeItem
}

// PCIeItem is one function and its link.
type PCIeItem struct {
	Address  string
	Name     string
	Width    string // "x8 of x16", "" when the link is unknown
	Percent  int    // current width as a percentage of the maximum (bar length)
	Degraded bool
	Problem  string // the findings that name it
}

// BuildPCIeTree groups the functions by bus; functions without a link
// (host bridges, chipset devices) are left out unless a finding names them.
func BuildPCIeTree(h *audit.Hardware) []PCIeBus {
	findings := map[string][]string{}
	for _, f := range h.Summary.Findings {
		if a, ok := strings.CutPrefix(f.Component, "pcie:"); ok {
			findings[a] = append(findings[a], f.Code)
		}
	}
	byBus := map[string]*PCIeBus{}
	var buses []string
	for _, d := range h.PCIe {
		prob := strings.Join(findings[d.Address], ", ")
		if d.Link == nil && prob == "" {
			continue
		}
		bus := d.Address
		if i := strings.LastIndexByte(bus, ':'); i > 0 {
			bus = bus[:i]
		}
		b := byBus[bus]
		if b == nil {
			b = &PCIeBus{Bus: bus}
			byBus[bus] = b
			buses = append(buses, bus)
		}
		name := strings.TrimSpace(str(d.Vendor) + " " + str(d.Device))
		if name == "" {
			name = strings.TrimSpace(str(d.Class) + " " + str(d.VendorID) + ":" + str(d.DeviceID))
		}
		if d.GPUIndex != nil {
			name = fmt.Sprintf("GPU %d: %s", *d.GPUIndex, name)
		}
		it := PCIeItem{Address: d.Address, Name: name, Problem: prob}
		if l := d.Link; l != nil && l.CurrentWidth != nil {
			it.Width = fmt.Sprintf("x%d", *l.CurrentWidth)
			it.Percent = 100
			if l.MaxWidth != nil && *l.MaxWidth > 0 {
				it.Width += fmt.Sprintf(" of x%d", *l.MaxWidth)
				it.Percent = 100 * *l.CurrentWidth / *l.MaxWidth
				it.Degraded = *l.CurrentWidth < *l.MaxWidth
			}
			if l.CurrentSpeed != nil {
				it.Width += ", " + *l.CurrentSpeed
			}
		}
		b.Devices = append(b.Devices, it)
	}
	sort.Strings(buses)
	out := make([]PCIeBus, 0, len(buses))
	for _, bus := range buses {
		out = append(out, *byBus[bus])
	}
	return out
}

// GPUCard is one GPU of the grid.
type GPUCard struct {
	Index    string
	Name     string
	Address  string
	Link     string
	Degraded bool
	Memory   string
	VBIOS    string
	Problems []string // findings that name it
	Missing  bool     // on the PCI bus but not seen by nvidia-smi
}

// BuildGPUGrid is one card per GPU nvidia-smi saw, plus one per NVIDIA device
// on the bus a finding says nvidia-smi did not see.
func BuildGPUGrid(h *audit.Hardware) []GPUCard {
	findings := map[string][]string{}
	for _, f := range h.Summary.Findings {
		findings[f.Component] = append(findings[f.Component], f.Code+": "+f.Message)
	}
	links := map[string]*audit.Link{}
	for i := range h.PCIe {
		links[h.PCIe[i].Address] = h.PCIe[i].Link
	}
	var out []GPUCard
	for _, g := range h.GPUs {
		c := GPUCard{Index: strconv.Itoa(g.Index), Name: str(g.Name), Address: str(g.PCIAddress), VBIOS: str(g.VBIOSVersion)}
		if g.MemoryTotalBytes != nil {
			c.Memory = sizeText(g.MemoryTotalBytes)
		}
		if l := links[c.Address]; l != nil && l.CurrentWidth != nil {
			c.Link = fmt.Sprintf("x%d", *l.CurrentWidth)
			if l.MaxWidth != nil {
				c.Link += fmt.Sprintf(" of x%d", *l.MaxWidth)
				c.Degraded = *l.CurrentWidth < *l.MaxWidth
			}
		}
		c.Problems = append(findings["gpu:"+c.Index], findings["pcie:"+c.Address]...)
		out = append(out, c)
	}
	for _, f := range h.Summary.Findings {
		if f.Code != "GPU_NOT_VISIBLE" {
			continue
		}
		addr := strings.TrimPrefix(f.Component, "pcie:")
		c := GPUCard{Index: "?", Name: "not seen by nvidia-smi", Address: addr, Missing: true, Problems: []string{f.Code + ": " + f.Message}}
		if l := links[addr]; l != nil && l.CurrentWidth != nil {
			c.Link = fmt.Sprintf("x%d", *l.CurrentWidth)
		}
		out = append(out, c)
	}
	return out
}

// Topology cell classes (CSS): the GPU itself, bonded NVLinks, a path through
// PCIe switches or one host bridge, a path across the CPU's fabric (NUMA node
// or the socket interconnect), and NVLinks fewer than the other pairs have.
const (
	topoSelf   = "self"
	topoNV     = "nv"
	topoPCIe   = "pcie"
	topoSystem = "sys"
	topoDown   = "down"
)

// NVLinkGrid is the NVLink picture of a server: the GPU×GPU matrix of
// `nvidia-smi topo -m` (each GPU's path to the NICs apart) and each GPU's
// links from `nvidia-smi nvlink -s`/`-e`.
type NVLinkGrid struct {
	GPUs    []TopoHeader // the matrix's rows and columns
	Rows    [][]TopoCell // Rows[i][j]: GPUs[i] to GPUs[j]
	NICs    []string     // NIC columns of NICRows
	NICRows [][]TopoCell // NICRows[i][k]: GPUs[i] to NICs[k]
	Links   []NVLinkCard
	Down    int // links not up, over every GPU
	Total   int // links, over every GPU
}

// TopoHeader is a GPU of the matrix; Down when some of its links are not up.
type TopoHeader struct {
	Name  string
	Down  bool
	Title string
}

// TopoCell is one pair of the matrix: as nvidia-smi prints it ("NV12",
// "PIX", "SYS", "X"), its class, and the finding that names the pair.
type TopoCell struct {
	Text, Class, Title string
}

// NVLinkCard is one GPU's links.
type NVLinkCard struct {
	Index    int
	Name     string
	Up       int
	NotUp    []string // the links not up ("3", "5"; "all" when nvidia-smi listed none)
	Links    []NVLinkState
	Counters []string // non-zero error counters, summed over the links: "CRC Errors 3"
	Problems []string // findings that name the GPU's links
}

// NVLinkState is one link of a GPU: up or not, with its speed.
type NVLinkState struct {
	Link  int
	Up    bool
	Title string
}

// topoClass is the class of a `nvidia-smi topo -m` connection.
func topoClass(c string) string {
	switch {
	case c == "X":
		return topoSelf
	case strings.HasPrefix(c, "NV"):
		return topoNV
	case c == "PIX" || c == "PXB" || c == "PHB":
		return topoPCIe
	}
	return topoSystem // NODE, SYS and anything newer
}

// gpuDevice reports whether a topology device is a GPU ("GPU0"), not a NIC.
func gpuDevice(name string) bool {
	rest, ok := strings.CutPrefix(name, "GPU")
	if !ok || rest == "" {
		return false
	}
	_, err := strconv.Atoi(rest)
	return err == nil
}

// BuildNVLinkGrid draws the nvlink collector's part of the audit; nil when
// it has neither NVLinks nor a topology (no NVIDIA GPU with NVLink, or the
// collector did not run). A pair that NVLINK_TOPOLOGY names (fewer bonded
// links than the other pairs) is "down"; a GPU with a link not up is marked
// in the headers and its card.
func BuildNVLinkGrid(h *audit.Hardware) *NVLinkGrid {
	nv := h.NVLink
	if nv == nil || (len(nv.GPUs) == 0 && nv.Topology == nil) {
		return nil
	}
	g := &NVLinkGrid{}
	findings := map[string][]string{}
	for _, f := range h.Summary.Findings {
		if f.Code == audit.CodeNVLinkDown || f.Code == audit.CodeNVLinkTopology {
			findings[f.Component] = append(findings[f.Component], f.Code+": "+f.Message)
		}
	}
	down := map[string][]string{} // "GPU3" → its links not up
	for _, gpu := range nv.GPUs {
		c := NVLinkCard{Index: gpu.Index, Name: str(gpu.Name), Problems: findings[fmt.Sprintf("gpu:%d", gpu.Index)]}
		sums := map[string]int64{}
		for _, l := range gpu.Links {
			up := l.State != nil && *l.State == "up"
			title := fmt.Sprintf("link %d: %s", l.Link, str(l.State))
			if l.SpeedGBs != nil {
				title += fmt.Sprintf(", %g GB/s", *l.SpeedGBs)
			}
			if up {
				c.Up++
			} else {
				c.NotUp = append(c.NotUp, strconv.Itoa(l.Link))
			}
			for k, v := range l.Counters {
				sums[k] += v
			}
			c.Links = append(c.Links, NVLinkState{Link: l.Link, Up: up, Title: title})
		}
		if gpu.AllInactive && len(gpu.Links) == 0 {
			c.NotUp = []string{"all"}
		}
		down[fmt.Sprintf("GPU%d", gpu.Index)] = c.NotUp
		names := make([]string, 0, len(sums))
		for k, v := range sums {
			if v != 0 {
				names = append(names, k)
			}
		}
		sort.Strings(names)
		for _, k := range names {
			c.Counters = append(c.Counters, fmt.Sprintf("%s %d", k, sums[k]))
		}
		g.Total += len(gpu.Links)
		g.Down += len(gpu.Links) - c.Up
		g.Links = append(g.Links, c)
	}
	t := nv.Topology
	if t == nil {
		return g
	}
	var gpus, nics []int
	for i, d := range t.Devices {
		if gpuDevice(d) {
			gpus = append(gpus, i)
		} else {
			nics = append(nics, i)
		}
	}
	cell := func(i, j int) TopoCell {
		if i >= len(t.Matrix) || j >= len(t.Matrix[i]) {
			return TopoCell{Text: "?", Class: topoSystem}
		}
		c := TopoCell{Text: t.Matrix[i][j], Class: topoClass(t.Matrix[i][j])}
		a, b := t.Devices[i], t.Devices[j]
		for _, comp := range []string{"gpu:" + a + "-" + b, "gpu:" + b + "-" + a} {
			if fs := findings[comp]; len(fs) > 0 {
				c.Class, c.Title = topoDown, strings.Join(fs, "; ")
			}
		}
		if c.Title == "" {
			c.Title = a + " - " + b + ": " + c.Text
		}
		return c
	}
	for _, i := range gpus {
		name := t.Devices[i]
		hd := TopoHeader{Name: name, Title: name}
		if l := down[name]; len(l) > 0 {
			hd.Down, hd.Title = true, name+": links not up: "+strings.Join(l, ", ")
		}
		g.GPUs = append(g.GPUs, hd)
		row := make([]TopoCell, 0, len(gpus))
		for _, j := range gpus {
			row = append(row, cell(i, j))
		}
		g.Rows = append(g.Rows, row)
		nrow := make([]TopoCell, 0, len(nics))
		for _, k := range nics {
			nrow = append(nrow, cell(i, k))
		}
		g.NICRows = append(g.NICRows, nrow)
	}
	for _, k := range nics {
		g.NICs = append(g.NICs, t.Devices[k])
	}
	return g
}

// NVLinkSummary is the NVLinks of a server in a few words (CSV): "8 GPUs,
// 96 of 96 NVLinks up", "GPU3: links 3, 5 not up"; "none" when no GPU has
// NVLinks; "" when unknown.
func NVLinkSummary(h *audit.Hardware) string {
	g := BuildNVLinkGrid(h)
	if g == nil {
		if h.NVLink != nil {
			return "none"
		}
		return ""
	}
	s := fmt.Sprintf("%d GPUs, %d of %d NVLinks up", len(g.Links), g.Total-g.Down, g.Total)
	if len(g.Links) == 1 {
		s = strings.Replace(s, "GPUs", "GPU", 1)
	}
	for _, c := range g.Links {
		if len(c.NotUp) > 0 {
			s += fmt.Sprintf("; GPU%d: links not up: %s", c.Index, strings.Join(c.NotUp, ", "))
		}
	}
	for _, row := range g.Rows {
		for _, c := range row {
			if c.Class == topoDown && !strings.Contains(s, c.Title) {
				s += "; " + c.Title
			}
		}
	}
	return s
}

// Up is the number of links up, over every GPU.
func (g *NVLinkGrid) Up() int { return g.Total - g.Down }

// Bad reports whether a GPU has a link not up or a pair has fewer NVLinks
// than the others.
func (g *NVLinkGrid) Bad() bool {
	for _, c := range g.Links {
		if len(c.NotUp) > 0 {
			return true
		}
	}
	for _, row := range g.Rows {
		for _, c := range row {
			if c.Class == topoDown {
				return true
			}
		}
	}
	return false
}
