package lsblk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
	"github.com/google/go-cmp/cmp"
)

func pi64(v int64) *int64 { return &v }
func pb(v bool) *bool     { return &v }

func parseFile(t *testing.T, name string) []Device {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	devs, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return devs
}

func names(devs []Device) []string {
	var out []string
	for _, d := range devs {
		out = append(out, d.Name)
	}
	return out
}

// Format variants without a capture in testdata: minimal documents in lsblk's format.
func TestParseVariants(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Device
	}{
		{"util-linux < 2.33 with -b: everything a string",
			`{"blockdevices": [{"name": "sdb", "type": "disk", "tran": "sas", "model": "ST1200MM0088    ", "serial": "Z4028VRY",
			"rev": "N004", "vendor": "SEAGATE ", "size": "1200243695616", "rota": "1", "wwn": "0x5000c500a4962c3d", "rm": "0", "hotplug": "0"}]}`,
			[]Device{{Name: "sdb", Path: "/dev/sdb", Type: "disk", Tran: "sas", Model: "ST1200MM0088", Serial: "Z4028VRY", Rev: "N004",
				Vendor: "SEAGATE", WWN: "0x5000c500a4962c3d", SizeBytes: pi64(1200243695616), Rotational: pb(true),
				Removable: pb(false), Hotplug: pb(false)}}},
		{"nulls and missing keys",
			`{"blockdevices":[{"name":"sdc","path":null,"type":"disk","model":null,"serial":null,"size":null,"rota":null,"rm":null,"hotplug":true}]}`,
			[]Device{{Name: "sdc", Path: "/dev/sdc", Type: "disk", Hotplug: pb(true)}}},
		{"device-mapper children without PATH",
			`{"blockdevices":[{"name":"sda","type":"disk","size":480103981056,"children":[
			{"name":"sda2","type":"part","size":479000000000,"children":[{"name":"vg0-root","type":"lvm","size":100000000000},
			{"name":"md0","type":"raid1","size":470000000000}]}]}]}`,
			[]Device{{Name: "sda", Path: "/dev/sda", Type: "disk", SizeBytes: pi64(480103981056), Children: []Device{
				{Name: "sda2", Path: "/dev/sda2", Type: "part", SizeBytes: pi64(479000000000), Children: []Device{
					{Name: "vg0-root", Path: "/dev/mapper/vg0-root", Type: "lvm", SizeBytes: pi64(100000000000)},
					{Name: "md0", Path: "/dev/md0", Type: "raid1", SizeBytes: pi64(470000000000)},
				}}}}}},
		{"unreadable values", `{"blockdevices":[{"name":"sdd","type":"disk","size":-5,"rota":"maybe","rm":2,"model":{"x":1}}]}`,
			[]Device{{Name: "sdd", Path: "/dev/sdd", Type: "disk"}}},
		{"no devices", `{"blockdevices": []}`, []Device{}},
		{"null devices", `{"blockdevices": null}`, []Device{}},
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

func TestDisks(t *testing.T) {
	devs := []Device{
		{Name: "sdaa", Type: "disk"},
		{Name: "sdb", Type: "disk", Children: []Device{{Name: "sdb1", Type: "part"}}},
		{Name: "nvme10n1", Type: "disk"},
		{Name: "loop0", Type: "loop"},
		{Name: "sr0", Type: "rom"},
		{Name: "zram0", Type: "disk"},
		{Name: "ram0", Type: "disk"},
		{Name: "nbd0", Type: "disk"},
		{Name: "zd16", Type: "disk"},
		{Name: "rbd0", Type: "disk"},
		{Name: "nvme2n1", Type: "disk"},
		{Name: "sdz", Type: "DISK"},
		{Name: "md0", Type: "raid1"},
		{Name: "sda", Type: "disk"},
		{Name: "sdc", Type: ""},
	}
	got := Disks(devs)
	if diff := cmp.Diff([]string{"nvme2n1", "nvme10n1", "sda", "sdb", "sdz", "sdaa"}, names(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(got[3].Children) != 1 {
		t.Errorf("sdb children = %v, want kept", got[3].Children)
	}
	if d := Disks(nil); d == nil || len(d) != 0 {
		t.Errorf("Disks(nil) = %#v, want empty slice", d)
	}
}

func TestNaturalLess(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"sda", "sdb", true},
		{"sdz", "sdaa", true},
		{"sdaa", "sdz", false},
		{"sdab", "sdba", true},
		{"nvme2n1", "nvme10n1", true},
		{"nvme10n1", "nvme2n1", false},
		{"nvme0n1", "sda", true},
		{"vda", "xvda", true},
		{"sda", "sda", false},
		{"sd", "sda", true},
		{"nvme01n1", "nvme1n1", false},
	}
	for _, tt := range tests {
		if got := naturalLess(tt.a, tt.b); got != tt.want {
			t.Errorf("naturalLess(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty input"},
		{"text output", "NAME   MAJ:MIN RM   SIZE RO TYPE MOUNTPOINT\nsda      8:0    0 465.8G  0 disk \n", "not a JSON object"},
		{"html", "<!DOCTYPE html><html></html>", "not a JSON object"},
		{"truncated", `{"blockdevices": [{"name": "sda", "size": 1000`, "invalid JSON"},
		{"array", `[{"name":"sda"}]`, "not a JSON object"},
		{"smartctl output", `{"smartctl":{"exit_status":0},"device":{"name":"/dev/sda"}}`, `no "blockdevices"`},
		{"blockdevices not an array", `{"blockdevices": {"name": "sda"}}`, "not an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("Parse = %v, want error", got)
			}
			if !strings.HasPrefix(err.Error(), "lsblk: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want prefix \"lsblk: \" and %q", err, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, path := range golden.Captures(f, "testdata", nil) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		devs, err := Parse(data)
		if (devs == nil) == (err == nil) {
			t.Fatalf("want exactly one of result and error, got %v, %v", devs, err)
		}
		var walk func([]Device)
		walk = func(ds []Device) {
			for _, d := range ds {
				if d.SizeBytes != nil && *d.SizeBytes < 0 {
					t.Fatalf("negative size %d", *d.SizeBytes)
				}
				if d.Name != "" && d.Path == "" && !strings.Contains(d.Name, "/") {
					t.Fatalf("device %q has no path", d.Name)
				}
				walk(d.Children)
			}
		}
		walk(devs)
		disks := Disks(devs)
		for i, d := range disks {
			if !strings.EqualFold(d.Type, "disk") {
				t.Fatalf("Disks returned type %q", d.Type)
			}
			if i > 0 && naturalLess(d.Name, disks[i-1].Name) {
				t.Fatalf("Disks not sorted: %q after %q", d.Name, disks[i-1].Name)
			}
		}
	})
}
