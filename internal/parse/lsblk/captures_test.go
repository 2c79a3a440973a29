package lsblk

import (
	"path/filepath"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
	"github.com/google/go-cmp/cmp"
)

// TestCaptures parses every capture in testdata and compares the devices, and
// the whole disks Disks picks from them, with its <capture>.golden.json (go
// test -update rewrites them; review the diff). TestCaptureFacts keeps only
// what each capture was added to prove.
func TestCaptures(t *testing.T) {
	for _, path := range golden.Captures(t, "testdata", nil) {
		name, _ := filepath.Rel("testdata", path)
		t.Run(name, func(t *testing.T) {
			devs := parseFile(t, name)
			golden.JSON(t, path, struct {
				Devices []Device
				Disks   []string
			}{devs, names(Disks(devs))})
		})
	}
}

// What each capture was added to prove (testdata/PROVENANCE.md), read by hand
// from the raw files; the rest is in the golden files.
func TestCaptureFacts(t *testing.T) {
	tests := []struct {
		file  string
		disks []string // names(Disks(...))
		check func(t *testing.T, devs []Device)
	}{
		// The columns bee asks for, on the QEMU VM: a WWN, an optical drive, a loop
		// device; NVMe sorts before sda.
		{"qemu/lsblk.json", []string{"nvme0n1", "sda"}, func(t *testing.T, devs []Device) {
			if d := devs[1]; d.Tran != "sata" || d.Serial != "SATASN55" || *d.SizeBytes != 1073741824 || !*d.Rotational {
				t.Errorf("sda = %+v", d)
			}
		}},
		// Old util-linux: booleans as "0"/"1" strings; human-readable sizes
		// ("100G") without -b are not byte sizes.
		{"server_old-util-linux_string-bools_ocp-autoval.json", []string{"nvme0n1", "sda"}, func(t *testing.T, devs []Device) {
			if d := devs[0]; d.Removable == nil || *d.Removable || d.SizeBytes != nil {
				t.Errorf("loop0 = %+v", d)
			}
		}},
		// No TYPE column: nothing can be called a whole disk; the LUKS mapping
		// under sdb keeps the PATH printed.
		{"desktop_fstype-path-uuid-fsver-state_luks-nvme-usb.json", nil, func(t *testing.T, devs []Device) {
			if p := devs[9].Children[0].Path; p != "/dev/mapper/e2838de1-018a-44a9-bcc2-121a04251a31" {
				t.Errorf("sdb's child path = %q", p)
			}
		}},
		// PATH only: NAME is taken from it.
		{"pve_path-parttype-fstype_zfs.json", nil, func(t *testing.T, devs []Device) {
			if diff := cmp.Diff([]string{"sdm", "sdm1", "sdm9", "sdn"}, names(devs)); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
		}},
		// zram is RAM although lsblk types it "disk"; a virtio disk's VENDOR is
		// the PCI vendor ID.
		{"local-vm_util-linux-2.38.1_bee-columns_zram-virtio.json", []string{"vda"}, func(t *testing.T, devs []Device) {
			if d := devs[1]; d.Vendor != "0x1af4" || *d.SizeBytes != 274877906944 {
				t.Errorf("vda = %+v", d)
			}
		}},
		// `lsblk -J -a -b -O`: every column (arrays, "fsuse%", "maj:min") and
		// eight empty loop devices of size 0.
		{"local-vm_util-linux-2.38.1_all-columns-O_with-loops.json", []string{"vda"}, func(t *testing.T, devs []Device) {
			if len(devs) != 10 || devs[3].Type != "loop" || devs[3].SizeBytes == nil || *devs[3].SizeBytes != 0 {
				t.Errorf("%d devices, loop3 = %+v", len(devs), devs[3])
			}
		}},
		// `lsblk -J -p`: NAME is the full path; "256G" is not a byte size.
		{"local-vm_util-linux-2.38.1_paths-p_human-sizes.json", []string{"vda"}, func(t *testing.T, devs []Device) {
			if d := devs[1]; d.Name != "vda" || d.Path != "/dev/vda" || d.SizeBytes != nil {
				t.Errorf("vda = %+v", d)
			}
		}},
		// util-linux 2.36: one object per line, no PATH column.
		{"fedora-coreos-34_util-linux-2.36_compact-lines_human-sizes.json", []string{"vda"}, func(t *testing.T, devs []Device) {
			if d := devs[1]; len(d.Children) != 4 || d.Children[3].Path != "/dev/vda4" {
				t.Errorf("vda = %+v", d)
			}
		}},
		// A multipath map named by its WWID holding a LUKS mapping: device-mapper
		// nodes live under /dev/mapper; the map is not a whole disk.
		{"netapp-trident_mpath-crypt_kname_human-sizes.json", []string{"sda"}, func(t *testing.T, devs []Device) {
			m := devs[4]
			if m.Type != "mpath" || m.Path != "/dev/mapper/3600a0980796f6377432b577333523168" || m.Children[0].Type != "crypt" {
				t.Errorf("mpath = %+v", m)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			devs := parseFile(t, tt.file)
			if diff := cmp.Diff(tt.disks, names(Disks(devs))); diff != "" {
				t.Errorf("Disks (-want +got):\n%s", diff)
			}
			tt.check(t, devs)
		})
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
