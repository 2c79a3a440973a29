package audit

import (
	"errors"
	"path"
	"sort"
	"strings"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/lspci"
	"github.com/beeaudit/bee/internal/parse/pcisysfs"
	"github.com/beeaudit/bee/internal/probe"
)

const pciDevices = probe.PCIDevicesDir

// collectPCIe merges `lspci -vmm -D` (names) with /sys/bus/pci/devices/*
// (ids, driver, NUMA node, link speed and width, AER counters). Either source
// alone still gives an inventory.
func collectPCIe(c *cctx, p *parts) error {
	byAddr := map[string]*PCIeDev{}
	get := func(addr string) *PCIeDev {
		if d, ok := byAddr[addr]; ok {
			return d
		}
		d := &PCIeDev{Address: addr, PCIAddress: addr}
		byAddr[addr] = d
		return d
	}

	res := c.run(c.env.Timeouts.Lspci, "lspci", "-vmm", "-D")
	lspciErr := toolErr(res)
	if lspciErr == nil {
		devs, err := lspci.Parse(res.Stdout)
		if err != nil {
			lspciErr = err
		}
		for _, ld := range devs {
			d := get(strings.ToLower(ld.Address))
			d.Class, d.Vendor, d.Device = clean(ld.Class), clean(ld.Vendor), clean(ld.Device)
			d.Driver = clean(ld.Driver)
			d.NUMANode = ld.NUMANode
			if ld.VendorID != "" {
				d.VendorID, d.DeviceID = clean(ld.VendorID), clean(ld.DeviceID)
				d.SubsystemVendorID, d.SubsystemDeviceID = clean(ld.SVendorID), clean(ld.SDeviceID)
			}
		}
	}

	names, sysErr := probe.PCIFunctions(c.env.FS)
	if sysErr == nil {
		for _, addr := range names {
			readSysfsPCI(c, get(strings.ToLower(addr)))
		}
	}

	for _, d := range byAddr {
		p.pcie = append(p.pcie, *d)
	}
	sort.Slice(p.pcie, func(i, j int) bool { return p.pcie[i].Address < p.pcie[j].Address })

	var skipped skipError
	switch {
	case lspciErr != nil && sysErr != nil:
		if errors.As(lspciErr, &skipped) && host.IsNotExist(sysErr) {
			return skip("%s, and no %s", skipped.reason, pciDevices)
		}
		return errors.Join(lspciErr, sysErr)
	case lspciErr != nil && !errors.As(lspciErr, &skipped):
		c.problem("%v", lspciErr)
	case sysErr != nil && !host.IsNotExist(sysErr):
		c.problem("%s: %v", pciDevices, sysErr)
	}
	return nil
}

// readSysfsPCI fills ids, driver, NUMA node, link and AER from sysfs.
func readSysfsPCI(c *cctx, d *PCIeDev) {
	dir := pciDevices + "/" + d.Address
	read := func(name string) (string, bool) {
		b, err := c.env.FS.ReadFile(dir + "/" + name)
		if err != nil {
			return "", false
		}
		return strings.TrimSpace(string(b)), true
	}
	hexID := func(name string, dst **string) {
		if s, ok := read(name); ok {
			if v, err := pcisysfs.ParseHex(s); err == nil {
				*dst = ptr(v)
			}
		}
	}
	hexID("vendor", &d.VendorID)
	hexID("device", &d.DeviceID)
	hexID("subsystem_vendor", &d.SubsystemVendorID)
	hexID("subsystem_device", &d.SubsystemDeviceID)
	if s, ok := read("class"); ok {
		if v, err := pcisysfs.ParseClass(s); err == nil {
			d.ClassID = ptr(v)
		}
	}
	if s, ok := read("numa_node"); ok {
		d.NUMANode = pcisysfs.ParseNUMANode(s)
	}
	if t, err := c.env.FS.Readlink(dir + "/driver"); err == nil {
		d.Driver = ptr(path.Base(t))
	}
	var l Link
	if s, ok := read("current_link_speed"); ok {
		if v, gts := pcisysfs.ParseLinkSpeed(s); v != "" {
			l.CurrentSpeed, l.CurrentGTs = ptr(v), gts
		}
	}
	if s, ok := read("max_link_speed"); ok {
		if v, gts := pcisysfs.ParseLinkSpeed(s); v != "" {
			l.MaxSpeed, l.MaxGTs = ptr(v), gts
		}
	}
	if s, ok := read("current_link_width"); ok {
		l.CurrentWidth = pcisysfs.ParseLinkWidth(s)
	}
	if s, ok := read("max_link_width"); ok {
		l.MaxWidth = pcisysfs.ParseLinkWidth(s)
	}
	if l != (Link{}) {
		d.Link = &l
	}
	pa := probe.ReadAER(c.env.FS, d.Address)
	a := AER{Correctable: pa.Correctable.Total, NonFatal: pa.NonFatal.Total, Fatal: pa.Fatal.Total}
	if a != (AER{}) {
		d.AER = &a
	}
}

// isNvidiaGPU reports whether a PCI function is an NVIDIA display or 3D
// controller (class 03xx, vendor 10de); NVIDIA's audio, USB and NVSwitch
// functions are not GPUs.
func isNvidiaGPU(d PCIeDev) bool {
	if str(d.VendorID) != "10de" {
		return false
	}
	if d.ClassID != nil {
		return strings.HasPrefix(*d.ClassID, "03")
	}
	cls := strings.ToLower(str(d.Class))
	return strings.Contains(cls, "vga") || strings.Contains(cls, "3d controller") || strings.Contains(cls, "display")
}

// enrichPCIe links GPUs to their PCI functions.
func enrichPCIe(h *Hardware) {
	for i := range h.PCIe {
		d := &h.PCIe[i]
		for _, g := range h.GPUs {
			if g.PCIAddress != nil && *g.PCIAddress == d.Address {
				d.GPUIndex = ptr(g.Index)
				d.SerialNumber = g.SerialNumber
			}
		}
	}
}
