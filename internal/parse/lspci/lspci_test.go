package lspci

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func intp(n int) *int { return &n }

func byAddr(t *testing.T, devs []Device, addr string) Device {
	t.Helper()
	for _, d := range devs {
		if d.Address == addr {
			return d
		}
	}
	t.Fatalf("no device %s", addr)
	return Device{}
}

// qemu_lspci-vmm-D.txt: pciutils 3.9.0 `lspci -vmm -D` (no -k, so no Driver).
func TestParseQEMU(t *testing.T) {
	devs, err := Parse(readFixture(t, "qemu_lspci-vmm-D.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Device{
		{Address: "0000:00:00.0", Class: "Host bridge", Vendor: "Intel Corporation",
			Device: "82G33/G31/P35/P31 Express DRAM Controller", SVendor: "Red Hat, Inc.",
			SDevice: "QEMU Virtual Machine", ProgIf: "00"}, // revision 0: no Rev line
		{Address: "0000:00:01.0", Class: "VGA compatible controller", Vendor: "Vendor 1234",
			Device: "Device 1111", SVendor: "Red Hat, Inc.", SDevice: "Device 1100", Rev: "02", ProgIf: "00"},
		{Address: "0000:00:02.0", Class: "Non-Volatile memory controller", Vendor: "Red Hat, Inc.",
			Device: "QEMU NVM Express Controller", SVendor: "Red Hat, Inc.",
			SDevice: "QEMU NVM Express Controller", Rev: "02", ProgIf: "02"},
		// "[AHCI mode]" is part of the name, not an -nn ID.
		{Address: "0000:00:03.0", Class: "SATA controller", Vendor: "Intel Corporation",
			Device:  "82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode]",
			SVendor: "Red Hat, Inc.", SDevice: "QEMU Virtual Machine", Rev: "02", ProgIf: "01"},
		{Address: "0000:00:04.0", Class: "Ethernet controller", Vendor: "Red Hat, Inc.",
			Device: "Virtio network device", SVendor: "Red Hat, Inc.", SDevice: "Virtio network device", ProgIf: "00"},
		{Address: "0000:00:1f.0", Class: "ISA bridge", Vendor: "Intel Corporation",
			Device: "82801IB (ICH9) LPC Interface Controller", SVendor: "Red Hat, Inc.",
			SDevice: "QEMU Virtual Machine", Rev: "02", ProgIf: "00"},
		{Address: "0000:00:1f.2", Class: "SATA controller", Vendor: "Intel Corporation",
			Device:  "82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode]",
			SVendor: "Red Hat, Inc.", SDevice: "QEMU Virtual Machine", Rev: "02", ProgIf: "01"},
		{Address: "0000:00:1f.3", Class: "SMBus", Vendor: "Intel Corporation",
			Device: "82801I (ICH9 Family) SMBus Controller", SVendor: "Red Hat, Inc.",
			SDevice: "QEMU Virtual Machine", Rev: "02", ProgIf: "00"},
	}
	if diff := cmp.Diff(want, devs); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
}

// vmware-vm_vmm.txt: `lspci -vmm` without -D: "00:00.0" slots get "0000:".
func TestParseVMwareNoDomain(t *testing.T) {
	devs, err := Parse(readFixture(t, "vmware-vm_vmm.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 46 {
		t.Errorf("got %d devices, want 46", len(devs))
	}
	if devs[0].Address != "0000:00:00.0" || devs[len(devs)-1].Address != "0000:02:05.0" {
		t.Errorf("first/last = %s/%s", devs[0].Address, devs[len(devs)-1].Address)
	}
	// A bridge without subsystem IDs: no SVendor/SDevice lines.
	want := Device{Address: "0000:00:01.0", Class: "PCI bridge", Vendor: "Intel Corporation",
		Device: "440BX/ZX/DX - 82443BX/ZX/DX AGP bridge", Rev: "01"}
	if diff := cmp.Diff(want, byAddr(t, devs, "0000:00:01.0")); diff != "" {
		t.Errorf("00:01.0 (-want +got):\n%s", diff)
	}
	want = Device{Address: "0000:02:05.0", Class: "SATA controller", Vendor: "VMware",
		Device: "SATA AHCI controller", SVendor: "VMware", SDevice: "SATA AHCI controller",
		PhySlot: "37", ProgIf: "01"}
	if diff := cmp.Diff(want, byAddr(t, devs, "0000:02:05.0")); diff != "" {
		t.Errorf("02:05.0 (-want +got):\n%s", diff)
	}
	for _, d := range devs {
		if d.ClassID != "" || d.VendorID != "" {
			t.Errorf("%s: IDs set without -nn: %q %q", d.Address, d.ClassID, d.VendorID)
		}
	}
}

// vmware-vm_nvmm.txt: `lspci -nnvmm`. The file also holds a record jc's authors
// appear to have added by hand ("Slot:   ff:02:05.0", spaces instead of tabs,
// a 2-digit domain lspci never prints); it is still parsed, domain padded.
func TestParseVMwareNN(t *testing.T) {
	devs, err := Parse(readFixture(t, "vmware-vm_nvmm.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 47 {
		t.Errorf("got %d devices, want 47", len(devs))
	}
	want := Device{Address: "0000:00:10.0", Class: "SCSI storage controller", Vendor: "Broadcom / LSI",
		Device: "53c1030 PCI-X Fusion-MPT Dual Ultra320 SCSI", SVendor: "VMware",
		SDevice: "LSI Logic Parallel SCSI Controller", Rev: "01",
		ClassID: "0100", VendorID: "1000", DeviceID: "0030", SVendorID: "15ad", SDeviceID: "1976"}
	if diff := cmp.Diff(want, byAddr(t, devs, "0000:00:10.0")); diff != "" {
		t.Errorf("00:10.0 (-want +got):\n%s", diff)
	}
	// Only the trailing 4-digit ID is cut; "[Sound Blaster PCI]" stays in the name.
	audio := byAddr(t, devs, "0000:02:02.0")
	if audio.SDevice != "Audio PCI 64V/128/5200 / Creative CT4810/CT5803/CT5806 [Sound Blaster PCI]" || audio.SDeviceID != "1371" {
		t.Errorf("02:02.0 SDevice = %q [%s]", audio.SDevice, audio.SDeviceID)
	}
	want = Device{Address: "00ff:02:05.0", Class: "SATA controller", Vendor: "VMware",
		Device: "SATA AHCI controller", SVendor: "VMware", SDevice: "SATA AHCI controller",
		PhySlot: "37", ProgIf: "01",
		ClassID: "0106", VendorID: "15ad", DeviceID: "07e0", SVendorID: "15ad", SDeviceID: "07e0"}
	if diff := cmp.Diff(want, devs[len(devs)-1]); diff != "" {
		t.Errorf("last (-want +got):\n%s", diff)
	}
}

func TestParseVariants(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Device
	}{
		{
			name: "vmmk with driver, several modules, NUMA and IOMMU group",
			in: "Slot:\t0000:41:00.0\nClass:\tVGA compatible controller\nVendor:\tNVIDIA Corporation\n" +
				"Device:\tGA102GL [RTX A6000]\nSVendor:\tNVIDIA Corporation\nSDevice:\tDevice 1459\n" +
				"PhySlot:\t0-4\nRev:\ta1\nProgIf:\t00\nDriver:\tnvidia\nModule:\tnvidiafb\nModule:\tnouveau\n" +
				"NUMANode:\t1\nIOMMUGroup:\t21\n",
			want: []Device{{Address: "0000:41:00.0", Class: "VGA compatible controller",
				Vendor: "NVIDIA Corporation", Device: "GA102GL [RTX A6000]", SVendor: "NVIDIA Corporation",
				SDevice: "Device 1459", PhySlot: "0-4", Rev: "a1", ProgIf: "00", Driver: "nvidia",
				Module: "nvidiafb", Modules: []string{"nvidiafb", "nouveau"},
				NUMANode: intp(1), IOMMUGroup: intp(21)}},
		},
		{
			name: "numeric -vmmn: IDs, no names; NUMANode -1 is unknown",
			in:   "Slot:\t0000:00:1F.6\nClass:\t0200\nVendor:\t8086\nDevice:\t15BB\nSVendor:\t17aa\nSDevice:\t2292\nRev:\t10\nNUMANode:\t-1\n",
			want: []Device{{Address: "0000:00:1f.6", Rev: "10",
				ClassID: "0200", VendorID: "8086", DeviceID: "15bb", SVendorID: "17aa", SDeviceID: "2292"}},
		},
		{
			name: "obsolete -vm: first Device line is the slot; CRLF; 5-digit VMD domain sorts last",
			in: "Device:\t10000:01:00.0\r\nClass:\tNon-Volatile memory controller\r\nVendor:\tSamsung\r\nDevice:\tPM9A3\r\n\r\n" +
				"Device:\tffff:00:00.0\r\nClass:\tHost bridge\r\nVendor:\tIntel\r\nDevice:\tX\r\n",
			want: []Device{
				{Address: "ffff:00:00.0", Class: "Host bridge", Vendor: "Intel", Device: "X"},
				{Address: "10000:01:00.0", Class: "Non-Volatile memory controller", Vendor: "Samsung", Device: "PM9A3"},
			},
		},
		{
			name: "-nn unknown vendor keeps lspci's placeholder name",
			in:   "Slot:\t0000:00:01.0\nClass:\tVGA compatible controller [0300]\nVendor:\tVendor [1234]\nDevice:\tDevice [1111]\n",
			want: []Device{{Address: "0000:00:01.0", Class: "VGA compatible controller", Vendor: "Vendor",
				Device: "Device", ClassID: "0300", VendorID: "1234", DeviceID: "1111"}},
		},
		{name: "empty", in: "", want: nil},
		{name: "blank lines only", in: "\n \n\t\n", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in, wantErr string }{
		{"html", "<html><body>502 Bad Gateway</body></html>", `no "Slot:" line`},
		{"verbose format", "0000:00:00.0 Host bridge: Intel Corporation Device 1234\n\tSubsystem: X\n", `no "Slot:" line`},
		{"second record lacks slot", "Slot:\t00:00.0\nClass:\tX\n\nClass:\tY\n", "record 2"},
		{"bridge path from -P", "Slot:\t00:01.0/00.0\nClass:\tX\n", "malformed PCI address"},
		{"binary", "\x00\x01\x02\xff\xfe", `no "Slot:" line`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "lspci: ") {
				t.Errorf("error %q lacks the lspci: prefix", err)
			}
			if got != nil {
				t.Errorf("got %v with error", got)
			}
		})
	}
}

func TestNormalizeAddress(t *testing.T) {
	for in, want := range map[string]string{
		"00:1f.2":       "0000:00:1f.2",
		"0000:3B:00.1":  "0000:3b:00.1",
		"10000:e1:00.0": "10000:e1:00.0",
		" 01:00.0\n":    "0000:01:00.0",
	} {
		got, err := NormalizeAddress(in)
		if err != nil || got != want {
			t.Errorf("NormalizeAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "00:1f", "00:1f.8", "0000:00:1f.2.3", "zz:00.0"} {
		if got, err := NormalizeAddress(in); err == nil {
			t.Errorf("NormalizeAddress(%q) = %q, want error", in, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range fixtureNames(f) {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte("Slot:\t00:00.0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		devs, err := Parse(data)
		if err != nil {
			if devs != nil {
				t.Fatalf("result with error: %v", err)
			}
			return
		}
		for i, d := range devs {
			if _, err := NormalizeAddress(d.Address); err != nil || !strings.Contains(d.Address, ":") || len(d.Address) < 12 {
				t.Fatalf("bad address %q", d.Address)
			}
			if i > 0 && addrLess(d.Address, devs[i-1].Address) {
				t.Fatalf("not sorted: %s before %s", devs[i-1].Address, d.Address)
			}
			if d.NUMANode != nil && *d.NUMANode < 0 {
				t.Fatalf("negative NUMA node")
			}
		}
	})
}

func fixtureNames(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".txt") {
			names = append(names, e.Name())
		}
	}
	return names
}
