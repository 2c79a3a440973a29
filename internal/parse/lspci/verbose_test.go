package lspci

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func f64p(v float64) *float64 { return &v }

func vbyAddr(t *testing.T, devs []VerboseDevice, addr string) VerboseDevice {
	t.Helper()
	for _, d := range devs {
		if d.Address == addr {
			return d
		}
	}
	t.Fatalf("no device %s", addr)
	return VerboseDevice{}
}

// lambda-vector-wrx80_2x-rtx-a6000_nnDvvvxxx.txt: `lspci -nnDvvvxxx`, 96 functions.
func TestParseVerboseLambda(t *testing.T) {
	devs, err := ParseVerbose(readFixture(t, "lambda-vector-wrx80_2x-rtx-a6000_nnDvvvxxx.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 96 {
		t.Errorf("got %d devices, want 96", len(devs))
	}
	want := VerboseDevice{
		Address: "0000:2e:00.0", Class: "VGA compatible controller", ClassID: "0300",
		Name: "NVIDIA Corporation GA102GL [RTX A6000]", VendorID: "10de", DeviceID: "2230",
		Rev: "a1", ProgIf: "00",
		Subsystem: "NVIDIA Corporation GA102GL [RTX A6000]", SVendorID: "10de", SDeviceID: "1459",
		IOMMUGroup: intp(53), Driver: "nvidia",
		Modules:    []string{"nvidiafb", "nouveau", "nvidia_drm", "nvidia"},
		LinkCap:    &Link{Speed: "16GT/s", GTs: f64p(16), Width: intp(16)},
		LinkStatus: &Link{Speed: "16GT/s", GTs: f64p(16), Width: intp(16)},
	}
	if diff := cmp.Diff(want, vbyAddr(t, devs, "0000:2e:00.0")); diff != "" {
		t.Errorf("2e:00.0 (-want +got):\n%s", diff)
	}
	// A root port trained below its capability: lspci flags the speed.
	want = VerboseDevice{
		Address: "0000:22:01.0", Class: "PCI bridge", ClassID: "0604",
		Name:     "Advanced Micro Devices, Inc. [AMD] Matisse PCIe GPP Bridge",
		VendorID: "1022", DeviceID: "57a3", ProgIf: "00", IOMMUGroup: intp(37),
		Driver:     "pcieport",
		LinkCap:    &Link{Speed: "16GT/s", GTs: f64p(16), Width: intp(4)},
		LinkStatus: &Link{Speed: "8GT/s", GTs: f64p(8), Width: intp(4), SpeedDowngraded: true},
	}
	got := vbyAddr(t, devs, "0000:22:01.0")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("22:01.0 (-want +got):\n%s", diff)
	}
	// The host bridge has no Express capability: no link at all.
	host := devs[0]
	if host.Address != "0000:00:00.0" || host.LinkCap != nil || host.LinkStatus != nil || host.Rev != "" {
		t.Errorf("host bridge = %+v", host)
	}
	if host.Name != "Advanced Micro Devices, Inc. [AMD] Starship/Matisse Root Complex" || host.VendorID != "1022" || host.DeviceID != "1480" {
		t.Errorf("host bridge name = %q %s:%s", host.Name, host.VendorID, host.DeviceID)
	}
}

// kvm-q35-vm_gpu-passthrough_nnDvvvxxxx.txt: 4 KB hex dumps ("100: ..." lines).
func TestParseVerboseKVM(t *testing.T) {
	devs, err := ParseVerbose(readFixture(t, "kvm-q35-vm_gpu-passthrough_nnDvvvxxxx.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 36 {
		t.Errorf("got %d devices, want 36", len(devs))
	}
	// Passed-through GPU with candidate modules but no driver bound.
	want := VerboseDevice{
		Address: "0000:01:00.0", Class: "VGA compatible controller", ClassID: "0300",
		Name: "NVIDIA Corporation GA102GL [RTX A6000]", VendorID: "10de", DeviceID: "2230",
		Rev: "a1", ProgIf: "00",
		Subsystem: "NVIDIA Corporation GA102GL [RTX A6000]", SVendorID: "10de", SDeviceID: "1459",
		PhySlot:    "0",
		Modules:    []string{"nvidiafb", "nouveau", "nvidia_drm", "nvidia"},
		LinkCap:    &Link{Speed: "16GT/s", GTs: f64p(16), Width: intp(16)},
		LinkStatus: &Link{Speed: "16GT/s", GTs: f64p(16), Width: intp(16)},
	}
	if diff := cmp.Diff(want, vbyAddr(t, devs, "0000:01:00.0")); diff != "" {
		t.Errorf("01:00.0 (-want +got):\n%s", diff)
	}
	// QEMU root port: x32 capable, x16 negotiated, flagged downgraded. The
	// "Capabilities: [40] Subsystem: ..." line must not be taken as Subsystem.
	port := vbyAddr(t, devs, "0000:00:1c.0")
	wantLink := &Link{Speed: "16GT/s", GTs: f64p(16), Width: intp(16), WidthDowngraded: true}
	if diff := cmp.Diff(wantLink, port.LinkStatus); diff != "" {
		t.Errorf("00:1c.0 LnkSta (-want +got):\n%s", diff)
	}
	if port.LinkCap == nil || port.LinkCap.Width == nil || *port.LinkCap.Width != 32 {
		t.Errorf("00:1c.0 LnkCap = %+v", port.LinkCap)
	}
	if port.Subsystem != "" || port.Driver != "pcieport" {
		t.Errorf("00:1c.0 Subsystem/Driver = %q/%q", port.Subsystem, port.Driver)
	}
	sata := vbyAddr(t, devs, "0000:00:1f.2")
	if sata.Name != "Intel Corporation 82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode]" ||
		sata.DeviceID != "2922" || sata.Rev != "02" || sata.ProgIf != "01" {
		t.Errorf("00:1f.2 = %+v", sata)
	}
}

// qemu_lspci-vvv-D.txt: pciutils 3.9.0 `lspci -vvv -D` without -nn.
func TestParseVerboseQEMU(t *testing.T) {
	devs, err := ParseVerbose(readFixture(t, "qemu_lspci-vvv-D.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 8 {
		t.Errorf("got %d devices, want 8", len(devs))
	}
	want := VerboseDevice{
		Address: "0000:00:01.0", Class: "VGA compatible controller",
		Name: "Device 1234:1111", Rev: "02", ProgIf: "00",
		Subsystem: "Red Hat, Inc. Device 1100", Driver: "bochs-drm", Modules: []string{"bochs"},
	}
	if diff := cmp.Diff(want, vbyAddr(t, devs, "0000:00:01.0")); diff != "" {
		t.Errorf("00:01.0 (-want +got):\n%s", diff)
	}
	nvme := vbyAddr(t, devs, "0000:00:02.0")
	if nvme.Name != "Red Hat, Inc. QEMU NVM Express Controller" || nvme.Driver != "nvme" || nvme.LinkStatus != nil {
		t.Errorf("00:02.0 = %+v", nvme)
	}
}

func TestParseVerboseVariants(t *testing.T) {
	in := "01:00.0 Ethernet controller: Intel Corporation I350 Gigabit Network Connection (rev 01)\n" +
		"\tSubsystem: Intel Corporation Ethernet Server Adapter I350-T4\n" +
		"\tPhysical Slot: 2\n" +
		"\tNUMA node: 1\n" +
		"\t\tLnkCap:\tPort #0, Speed 5GT/s, Width x4, ASPM L0s L1, Exit Latency L0s <4us, L1 <8us\n" +
		"\t\tLnkSta:\tSpeed 2.5GT/s, Width x1, TrErr- Train- SlotClk+ DLActive- BWMgmt- ABWMgmt-\n" +
		"\t\tLnkCap2: Supported Link Speeds: 2.5-5GT/s, Crosslink- Retimer- 2Retimers- DRS-\n" +
		"\tKernel driver in use: igb\n" +
		"\n" +
		"00:1f.3 Audio device: Intel Corporation Device a348 (rev 10)\n" +
		"\t\tLnkSta:\tSpeed unknown, Width x0\n"
	devs, err := ParseVerbose([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []VerboseDevice{
		{Address: "0000:00:1f.3", Class: "Audio device", Name: "Intel Corporation Device a348", Rev: "10",
			LinkStatus: &Link{Speed: "unknown", Width: intp(0)}},
		{Address: "0000:01:00.0", Class: "Ethernet controller", Name: "Intel Corporation I350 Gigabit Network Connection",
			Rev: "01", Subsystem: "Intel Corporation Ethernet Server Adapter I350-T4", PhySlot: "2",
			NUMANode: intp(1), Driver: "igb",
			LinkCap:    &Link{Speed: "5GT/s", GTs: f64p(5), Width: intp(4)},
			LinkStatus: &Link{Speed: "2.5GT/s", GTs: f64p(2.5), Width: intp(1)}},
	}
	if diff := cmp.Diff(want, devs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseVerboseErrors(t *testing.T) {
	if got, err := ParseVerbose(nil); err != nil || got != nil {
		t.Errorf("empty: %v, %v", got, err)
	}
	for _, in := range []string{
		"Slot:\t0000:00:00.0\nClass:\tHost bridge\n", // -vmm, not -vvv
		"<html>oops</html>",
		"00: 86 80 53 09 06 04 10 00 01 02 08 01 10 00 00 00\n",
	} {
		got, err := ParseVerbose([]byte(in))
		if err == nil || !strings.HasPrefix(err.Error(), "lspci: ") || got != nil {
			t.Errorf("ParseVerbose(%q) = %v, %v; want lspci: error", in, got, err)
		}
	}
}

func FuzzParseVerbose(f *testing.F) {
	for _, name := range fixtureNames(f) {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		devs, err := ParseVerbose(data)
		if err != nil {
			return
		}
		for _, d := range devs {
			if _, err := NormalizeAddress(d.Address); err != nil {
				t.Fatalf("bad address %q", d.Address)
			}
			for _, l := range []*Link{d.LinkCap, d.LinkStatus} {
				if l != nil && l.Width != nil && *l.Width < 0 {
					t.Fatalf("negative width")
				}
			}
		}
	})
}
