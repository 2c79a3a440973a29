package lspci

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
)

// TestCaptures parses every capture in testdata and compares the result with
// its <capture>.golden.json (go test -update rewrites them; review the diff).
// The tests below keep only what a capture was added to prove.
func TestCaptures(t *testing.T) {
	for _, path := range golden.Captures(t, "testdata", nil) {
		name, _ := filepath.Rel("testdata", path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			devs, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, path, devs)
		})
	}
}

func mustParse(t *testing.T, name string) []Device {
	t.Helper()
	devs, err := Parse(readFixture(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return devs
}

// qemu_lspci-vmm-D.txt: pciutils 3.9.0 `lspci -vmm -D`: revision 0 prints no
// Rev line, no -k so no Driver, and "[AHCI mode]" is part of a name, not an ID.
func TestParseQEMU(t *testing.T) {
	devs := mustParse(t, "qemu_lspci-vmm-D.txt")
	if d := byAddr(t, devs, "0000:00:00.0"); d.Rev != "" || d.ProgIf != "00" {
		t.Errorf("00:00.0 Rev, ProgIf = %q, %q; want \"\", 00", d.Rev, d.ProgIf)
	}
	sata := byAddr(t, devs, "0000:00:1f.2")
	if sata.Device != "82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode]" || sata.DeviceID != "" {
		t.Errorf("00:1f.2 Device = %q [%s]", sata.Device, sata.DeviceID)
	}
	for _, d := range devs {
		if d.Driver != "" {
			t.Errorf("%s: Driver %q without -k", d.Address, d.Driver)
		}
	}
}

// vmware-vm_vmm.txt: `lspci -vmm` without -D: "00:00.0" slots get "0000:", and
// no IDs are invented without -nn.
func TestParseVMwareNoDomain(t *testing.T) {
	devs := mustParse(t, "vmware-vm_vmm.txt")
	if devs[0].Address != "0000:00:00.0" || devs[len(devs)-1].Address != "0000:02:05.0" {
		t.Errorf("first/last = %s/%s", devs[0].Address, devs[len(devs)-1].Address)
	}
	for _, d := range devs {
		if d.ClassID != "" || d.VendorID != "" {
			t.Errorf("%s: IDs set without -nn: %q %q", d.Address, d.ClassID, d.VendorID)
		}
	}
}

// vmware-vm_nvmm.txt: `lspci -nnvmm`. Only the trailing 4-digit ID is cut
// ("[Sound Blaster PCI]" stays in the name). The file also holds a record jc's
// authors appear to have added by hand ("Slot:   ff:02:05.0", spaces instead of
// tabs, a 2-digit domain lspci never prints); it is still parsed, domain padded.
func TestParseVMwareNN(t *testing.T) {
	devs := mustParse(t, "vmware-vm_nvmm.txt")
	audio := byAddr(t, devs, "0000:02:02.0")
	if audio.SDevice != "Audio PCI 64V/128/5200 / Creative CT4810/CT5803/CT5806 [Sound Blaster PCI]" || audio.SDeviceID != "1371" {
		t.Errorf("02:02.0 SDevice = %q [%s]", audio.SDevice, audio.SDeviceID)
	}
	if last := devs[len(devs)-1]; last.Address != "00ff:02:05.0" || last.ClassID != "0106" {
		t.Errorf("last = %s class %s, want 00ff:02:05.0 class 0106", last.Address, last.ClassID)
	}
}

// ubicloud-host_rtx4000-ada-sff_vnmm-d10de.txt: `lspci -vnmm -d 10de::`: numbers
// only (no names), no -D, NUMANode printed on the GPU only, an IOMMU group on both.
func TestParseNumericGPUHost(t *testing.T) {
	devs := mustParse(t, "ubicloud-host_rtx4000-ada-sff_vnmm-d10de.txt")
	if len(devs) != 2 {
		t.Fatalf("got %d devices, want 2", len(devs))
	}
	gpu, audio := devs[0], devs[1]
	if gpu.Vendor != "" || gpu.VendorID != "10de" || gpu.DeviceID != "27b0" || gpu.NUMANode == nil || *gpu.NUMANode != 1 {
		t.Errorf("GPU = %+v", gpu)
	}
	if audio.NUMANode != nil || audio.IOMMUGroup == nil || *audio.IOMMUGroup != 13 {
		t.Errorf("audio = %+v", audio)
	}
}
