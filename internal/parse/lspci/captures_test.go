package lspci

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ubicloud-host_rtx4000-ada-sff_vnmm-d10de.txt: `lspci -vnmm -d 10de::` on a GPU host
// (NVIDIA RTX 4000 SFF Ada, 10de:27b0, and its HDMI audio function 10de:22bc): numbers
// only, no -D, NUMANode only on the GPU, an IOMMU group on both. Values read from the file.
func TestParseNumericGPUHost(t *testing.T) {
	devs, err := Parse(readFixture(t, "ubicloud-host_rtx4000-ada-sff_vnmm-d10de.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Device{
		{Address: "0000:01:00.0", Rev: "a1", ClassID: "0300", VendorID: "10de", DeviceID: "27b0",
			SVendorID: "10de", SDeviceID: "16fa", NUMANode: intp(1), IOMMUGroup: intp(13)},
		{Address: "0000:01:00.1", Rev: "a1", ClassID: "0403", VendorID: "10de", DeviceID: "22bc",
			SVendorID: "10de", SDeviceID: "16fa", IOMMUGroup: intp(13)},
	}
	if diff := cmp.Diff(want, devs); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
}

// Layout rules of pciutils' show_machine() (lspci.c) that no capture here exercises;
// the records are written from that source, they are not captures.
func TestParseFormatRules(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Device
	}{
		{
			// Device-tree systems print "DTNode:"; newer pciutils may add keys. Unknown
			// keys are skipped, the record still counts.
			name: "unknown keys such as DTNode are ignored",
			in: "Slot:\t0000:00:00.0\nClass:\tPCI bridge\nVendor:\tRockchip Electronics Co., Ltd\nDevice:\tRK3588\n" +
				"Rev:\t01\nProgIf:\t00\nDriver:\tpcieport\nDTNode:\t/sys/firmware/devicetree/base/pcie@fe150000\n",
			want: []Device{{Address: "0000:00:00.0", Class: "PCI bridge", Vendor: "Rockchip Electronics Co., Ltd",
				Device: "RK3588", Rev: "01", ProgIf: "00", Driver: "pcieport"}},
		},
		{
			// Intel VMD puts the NVMe drives behind it in domain 10000 and up; -nn with an
			// ID unknown to pci.ids ("Device [2330]").
			name: "-vmmnnk with a VMD domain, a GPU with an unknown name, a physical slot label",
			in: "Slot:\t10000:01:00.0\nClass:\tNon-Volatile memory controller [0108]\nVendor:\tSamsung Electronics Co Ltd [144d]\n" +
				"Device:\tNVMe SSD Controller PM9A1/PM9A3/980PRO [a80a]\nSVendor:\tSamsung Electronics Co Ltd [144d]\n" +
				"SDevice:\tDevice [a813]\nProgIf:\t02\nDriver:\tnvme\nModule:\tnvme\nNUMANode:\t0\n\n" +
				"Slot:\t0000:19:00.0\nClass:\t3D controller [0302]\nVendor:\tNVIDIA Corporation [10de]\nDevice:\tDevice [2330]\n" +
				"SVendor:\tNVIDIA Corporation [10de]\nSDevice:\tDevice [16c1]\nPhySlot:\tGPU1\nRev:\ta1\nProgIf:\t00\n" +
				"Driver:\tnvidia\nModule:\tnvidiafb\nModule:\tnouveau\nModule:\tnvidia_drm\nModule:\tnvidia\nNUMANode:\t0\nIOMMUGroup:\t45\n",
			want: []Device{
				{Address: "0000:19:00.0", Class: "3D controller", Vendor: "NVIDIA Corporation", Device: "Device",
					SVendor: "NVIDIA Corporation", SDevice: "Device", Rev: "a1", ProgIf: "00", PhySlot: "GPU1",
					Driver: "nvidia", Module: "nvidiafb", Modules: []string{"nvidiafb", "nouveau", "nvidia_drm", "nvidia"},
					ClassID: "0302", VendorID: "10de", DeviceID: "2330", SVendorID: "10de", SDeviceID: "16c1",
					NUMANode: intp(0), IOMMUGroup: intp(45)},
				{Address: "10000:01:00.0", Class: "Non-Volatile memory controller", Vendor: "Samsung Electronics Co Ltd",
					Device: "NVMe SSD Controller PM9A1/PM9A3/980PRO", SVendor: "Samsung Electronics Co Ltd", SDevice: "Device",
					ProgIf: "02", Driver: "nvme", Module: "nvme", Modules: []string{"nvme"},
					ClassID: "0108", VendorID: "144d", DeviceID: "a80a", SVendorID: "144d", SDeviceID: "a813", NUMANode: intp(0)},
			},
		},
		{
			name: "records separated by whitespace-only lines, trailing blanks",
			in:   "Slot:\t0000:17:00.0\nClass:\tEthernet controller\nVendor:\tMellanox Technologies\nDevice:\tMT2910 Family [ConnectX-7]\n  \t\nSlot:\t0000:17:00.1\nClass:\tEthernet controller\nVendor:\tMellanox Technologies\nDevice:\tMT2910 Family [ConnectX-7]\n\n\n",
			want: []Device{
				{Address: "0000:17:00.0", Class: "Ethernet controller", Vendor: "Mellanox Technologies", Device: "MT2910 Family [ConnectX-7]"},
				{Address: "0000:17:00.1", Class: "Ethernet controller", Vendor: "Mellanox Technologies", Device: "MT2910 Family [ConnectX-7]"},
			},
		},
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
