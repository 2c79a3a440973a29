package probe

import (
	"testing"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/lsblk"
)

// bee's own sticks are recognised by their filesystem's label, on a partition (the
// profiles stick, sdb1) or on the whole disk (the ISO written to a stick, sdc);
// devices that are not among the disks (the real capture's loop devices) are not.
func TestBeeSticks(t *testing.T) {
	disks := []lsblk.Device{
		{Name: "sda", Path: "/dev/sda", Type: "disk", Children: []lsblk.Device{{Name: "sda1", Path: "/dev/sda1", Type: "part"}}},
		{Name: "sdb", Type: "disk", Children: []lsblk.Device{{Name: "sdb1", Type: "part"}}}, // util-linux < 2.33: no PATH
		{Name: "sdc", Path: "/dev/sdc", Type: "disk"},
		{Name: "nvme0n1", Path: "/dev/nvme0n1", Type: "disk"},
	}
	answers := map[string]host.Result{
		// Constructed in blkid's export format (internal/parse/blkid's captures).
		"LABEL=BEE": {Stdout: []byte("DEVNAME=/dev/sdb1\nLABEL=BEE\nTYPE=vfat\n\nDEVNAME=/dev/sdc\nLABEL=BEE\nTYPE=iso9660\n")},
		// Real: three loop devices labelled BEE-RESULTS, none of them a disk here.
		"LABEL=BEE-RESULTS": {Stdout: capture(t, "blkid/testdata/util-linux-2.38.1_export-t-label_three-devices.txt")},
	}
	sticks, searches := BeeSticks(func(argv []string) host.Result {
		r, ok := answers[argv[len(argv)-1]]
		if !ok || len(argv) != 5 || argv[0] != "blkid" {
			t.Errorf("argv %q", argv)
		}
		r.Argv = argv
		return r
	}, disks)
	if len(sticks) != 2 || sticks["sdb"] != "BEE" || sticks["sdc"] != "BEE" {
		t.Errorf("sticks %v", sticks)
	}
	if len(searches) != 2 || !searches[0].OK || !searches[1].OK || len(searches[1].Devices) != 3 {
		t.Errorf("searches %+v", searches)
	}

	// None labelled (blkid exit 2, no output): an answer. blkid missing or failing,
	// or an answer that is not blkid's: no answer, no stick.
	for _, c := range []struct {
		res host.Result
		ok  bool
	}{
		{host.Result{ExitCode: 2}, true},
		{host.Result{ExitCode: -1, Err: host.ErrNotFound}, false},
		{host.Result{ExitCode: 4, Stderr: []byte("blkid: error\n")}, false},
		{host.Result{Stdout: []byte("not export format\n")}, false},
	} {
		sticks, searches := BeeSticks(func(argv []string) host.Result { return c.res }, disks)
		if len(sticks) != 0 || len(searches) != 2 || searches[0].OK != c.ok || searches[1].OK != c.ok {
			t.Errorf("%+v: sticks %v, searches %+v", c.res, sticks, searches)
		}
	}
}
