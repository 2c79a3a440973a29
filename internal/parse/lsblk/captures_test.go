package lsblk

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Tests on the captures added with testdata/PROVENANCE.md's "More captures"
// section. Every expected value was read by hand from the raw file.

func TestParseLocalVMBeeColumns(t *testing.T) {
	// util-linux 2.38.1, the column set bee's storage collector asks for:
	// booleans and byte sizes as JSON values, a zram device typed "disk", a
	// virtio disk whose VENDOR is the PCI vendor ID and TRAN is null.
	got := parseFile(t, "local-vm_util-linux-2.38.1_bee-columns_zram-virtio.json")
	want := []Device{
		{Name: "zram0", Path: "/dev/zram0", Type: "disk", SizeBytes: pi64(0),
			Rotational: pb(false), Removable: pb(false), Hotplug: pb(false)},
		{Name: "vda", Path: "/dev/vda", Type: "disk", Vendor: "0x1af4", SizeBytes: pi64(274877906944),
			Rotational: pb(true), Removable: pb(false), Hotplug: pb(false)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// zram is RAM, not a disk, although lsblk types it "disk".
	if diff := cmp.Diff([]string{"vda"}, names(Disks(got))); diff != "" {
		t.Errorf("Disks (-want +got):\n%s", diff)
	}
}

func TestParseLocalVMAllColumns(t *testing.T) {
	// `lsblk -J -a -b -O`: every column (arrays for fsroots/mountpoints,
	// "fsuse%": "9%", "maj:min"), eight empty loop devices of size 0.
	got := parseFile(t, "local-vm_util-linux-2.38.1_all-columns-O_with-loops.json")
	wantNames := []string{"loop0", "loop1", "loop2", "loop3", "loop4", "loop5", "loop6", "loop7", "zram0", "vda"}
	if diff := cmp.Diff(wantNames, names(got)); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	wantLoop := Device{Name: "loop3", Path: "/dev/loop3", Type: "loop", SizeBytes: pi64(0),
		Rotational: pb(false), Removable: pb(false), Hotplug: pb(false)}
	if diff := cmp.Diff(wantLoop, got[3]); diff != "" {
		t.Errorf("loop3 (-want +got):\n%s", diff)
	}
	wantVda := Device{Name: "vda", Path: "/dev/vda", Type: "disk", Vendor: "0x1af4", SizeBytes: pi64(274877906944),
		Rotational: pb(true), Removable: pb(false), Hotplug: pb(false)}
	if diff := cmp.Diff(wantVda, got[9]); diff != "" {
		t.Errorf("vda (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"vda"}, names(Disks(got))); diff != "" {
		t.Errorf("Disks (-want +got):\n%s", diff)
	}
}

func TestParseLocalVMPathsAsNames(t *testing.T) {
	// `lsblk -J -p`: NAME is the full device path; sizes are human-readable
	// ("0B", "256G") without -b.
	got := parseFile(t, "local-vm_util-linux-2.38.1_paths-p_human-sizes.json")
	want := []Device{
		{Name: "zram0", Path: "/dev/zram0", Type: "disk", Rotational: pb(false), Removable: pb(false)},
		{Name: "vda", Path: "/dev/vda", Type: "disk", Rotational: pb(true), Removable: pb(false)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"vda"}, names(Disks(got))); diff != "" {
		t.Errorf("Disks (-want +got):\n%s", diff)
	}
}

func TestParseCompactLinesUtilLinux236(t *testing.T) {
	// Fedora CoreOS 34 (util-linux 2.36): one object per line, booleans as
	// JSON bools, sizes human-readable, singular "mountpoint", no PATH.
	got := parseFile(t, "fedora-coreos-34_util-linux-2.36_compact-lines_human-sizes.json")
	part := func(n string) Device {
		return Device{Name: n, Path: "/dev/" + n, Type: "part", Removable: pb(false)}
	}
	want := []Device{
		{Name: "sr0", Path: "/dev/sr0", Type: "rom", Removable: pb(true)},
		{Name: "vda", Path: "/dev/vda", Type: "disk", Removable: pb(false),
			Children: []Device{part("vda1"), part("vda2"), part("vda3"), part("vda4")}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"vda"}, names(Disks(got))); diff != "" {
		t.Errorf("Disks (-want +got):\n%s", diff)
	}
}

func TestParseMultipathCrypt(t *testing.T) {
	// `lsblk -o NAME,KNAME,TYPE,SIZE,MOUNTPOINT --json`: a multipath map named
	// by its WWID (kname dm-0) holding a LUKS mapping; snap loop devices; a
	// CD-ROM. No PATH column: device-mapper nodes live under /dev/mapper.
	got := parseFile(t, "netapp-trident_mpath-crypt_kname_human-sizes.json")
	want := []Device{
		{Name: "loop0", Path: "/dev/loop0", Type: "loop"},
		{Name: "loop1", Path: "/dev/loop1", Type: "loop"},
		{Name: "sda", Path: "/dev/sda", Type: "disk", Children: []Device{
			{Name: "sda1", Path: "/dev/sda1", Type: "part"},
			{Name: "sda2", Path: "/dev/sda2", Type: "part"},
		}},
		{Name: "sr0", Path: "/dev/sr0", Type: "rom"},
		{Name: "3600a0980796f6377432b577333523168", Path: "/dev/mapper/3600a0980796f6377432b577333523168",
			Type: "mpath", Children: []Device{{
				Name: "luks-trident_pvc_43c2e279_9964_4af5_a0ef_5ec2c8815b16",
				Path: "/dev/mapper/luks-trident_pvc_43c2e279_9964_4af5_a0ef_5ec2c8815b16",
				Type: "crypt",
			}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// The multipath map is not a whole disk; its paths would be.
	if diff := cmp.Diff([]string{"sda"}, names(Disks(got))); diff != "" {
		t.Errorf("Disks (-want +got):\n%s", diff)
	}
}

func TestParsePathNamesNested(t *testing.T) {
	// `lsblk -p` nests full paths at every level, /dev/mapper ones included.
	in := `{"blockdevices": [{"name": "/dev/nvme0n1", "type": "disk", "size": 7681501126656, "rota": false,
	  "children": [{"name": "/dev/mapper/vg_nvme-lv_nvme", "type": "lvm", "size": 7681498677248}]},
	  {"name": "/dev/zram0", "type": "disk", "size": 0}, {"name": "/dev/nbd0", "type": "disk", "size": 0}]}`
	got, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Device{
		{Name: "nvme0n1", Path: "/dev/nvme0n1", Type: "disk", SizeBytes: pi64(7681501126656), Rotational: pb(false),
			Children: []Device{{Name: "vg_nvme-lv_nvme", Path: "/dev/mapper/vg_nvme-lv_nvme", Type: "lvm", SizeBytes: pi64(7681498677248)}}},
		{Name: "zram0", Path: "/dev/zram0", Type: "disk", SizeBytes: pi64(0)},
		{Name: "nbd0", Path: "/dev/nbd0", Type: "disk", SizeBytes: pi64(0)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"nvme0n1"}, names(Disks(got))); diff != "" {
		t.Errorf("Disks (-want +got):\n%s", diff)
	}
}
