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
