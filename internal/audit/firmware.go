package audit

import "fmt"

// FirmwareEntry is one firmware version the audit learned, in the firmware
// view (hardware.firmware).
type FirmwareEntry struct {
	// Component names the part as findings do ("bios", "bmc", "net:eth0",
	// "ib:mlx5_0", "storage:/dev/sda", "gpu:0", "pcie:0000:18:00.0").
	Component string `json:"component"`
	// Kind is "bios", "bmc", "nic", "rdma", "adapter_flash", "disk", "gpu_vbios",
	// "raid_controller" or "raid_disk".
	Kind string `json:"kind"`
	// Model is the part's model where known.
	Model   *string `json:"model"`
	Version string  `json:"version"`
}

// firmwareView gathers every firmware version of the inventory into one list,
// in a fixed order (BIOS, BMC, NICs, RDMA devices, adapter flash, disks, GPUs,
// RAID), each part once. PSUs: the BMC's FRU data carries no firmware version.
func firmwareView(h *Hardware) []FirmwareEntry {
	out := []FirmwareEntry{}
	add := func(comp, kind string, model, version *string) {
		if version == nil || *version == "" {
			return
		}
		out = append(out, FirmwareEntry{Component: comp, Kind: kind, Model: model, Version: *version})
	}
	if h.BIOS != nil {
		add("bios", "bios", h.BIOS.Vendor, h.BIOS.Version)
	}
	if h.BMC != nil {
		add("bmc", "bmc", h.BMC.Manufacturer, h.BMC.FirmwareRevision)
	}
	for _, n := range h.Network {
		add("net:"+n.Name, "nic", n.Driver, n.FirmwareVersion)
	}
	seen := map[string]bool{}
	for _, p := range h.InfiniBand {
		if seen[p.Device] {
			continue
		}
		seen[p.Device] = true
		add("ib:"+p.Device, "rdma", p.HCAType, p.FirmwareVersion)
	}
	for _, f := range h.AdapterFirmware {
		add("pcie:"+f.PCIAddress, "adapter_flash", f.PSID, f.RunningFWVersion)
	}
	for _, d := range h.Storage {
		add("storage:"+d.Path, "disk", d.Model, d.Firmware)
	}
	for _, g := range h.GPUs {
		add(fmt.Sprintf("gpu:%d", g.Index), "gpu_vbios", g.Name, g.VBIOSVersion)
	}
	for _, r := range h.RAID {
		for _, c := range r.Controllers {
			add(fmt.Sprintf("raid:%s controller %s", r.Tool, c.ID), "raid_controller", clean(c.Model), clean(c.Firmware))
		}
		for _, d := range r.PhysicalDrives {
			add(fmt.Sprintf("raid:%s pd %s on controller %s", r.Tool, d.Location, d.Controller), "raid_disk", clean(d.Model), clean(d.Firmware))
		}
	}
	return out
}
