package blkid

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
	"github.com/google/go-cmp/cmp"
)

func TestCaptures(t *testing.T) {
	for _, c := range golden.Captures(t, "testdata", nil) {
		t.Run(filepath.Base(c), func(t *testing.T) {
			b, err := os.ReadFile(c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, c, got)
		})
	}
}

func parseFile(t *testing.T, name string) []Device {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestFieldsTheStickNeeds(t *testing.T) {
	tests := []struct {
		file              string
		dev, label, fstyp string
	}{
		{"util-linux-2.38.1_p-export_vfat-fat12_bee-results.txt", "/dev/loop0", "BEE-RESULTS", "vfat"},
		{"util-linux-2.38.1_p-export_vfat-fat32_bee-results.txt", "/dev/loop1", "BEE-RESULTS", "vfat"},
		{"util-linux-2.38.1_p-export_ext4_bee-results.txt", "/dev/loop2", "BEE-RESULTS", "ext4"},
		{"util-linux-2.38.1_p-export_ext4_label-bee.txt", "/dev/loop3", "BEE", "ext4"},
		// The escaped label comes back as mkfs was given it.
		{"util-linux-2.38.1_p-export_ext4_label-escaped.txt", "/dev/loop5", `my "st$ick`, "ext4"},
	}
	for _, tt := range tests {
		d := parseFile(t, tt.file)
		if len(d) != 1 {
			t.Fatalf("%s: %d devices, want 1", tt.file, len(d))
		}
		if d[0].DevName != tt.dev || d[0].Label != tt.label || d[0].Type != tt.fstyp {
			t.Errorf("%s: got %q %q %q, want %q %q %q", tt.file, d[0].DevName, d[0].Label, d[0].Type, tt.dev, tt.label, tt.fstyp)
		}
	}
	// FAT's boot-sector label is a separate field, never taken for LABEL.
	if d := parseFile(t, "util-linux-2.38.1_p-export_vfat-fat12_bee-results.txt"); d[0].Fields["LABEL_FATBOOT"] != "BEE-RESULTS" || d[0].Usage != "filesystem" {
		t.Errorf("fat12 fields: %v", d[0].Fields)
	}
	if d := parseFile(t, "util-linux-2.38.1_p-export_unformatted_exit2.txt"); len(d) != 0 {
		t.Errorf("unformatted: %v", d)
	}
	var devs []string
	for _, d := range parseFile(t, "util-linux-2.38.1_export-t-label_three-devices.txt") {
		devs = append(devs, d.DevName+" "+d.Type)
	}
	if diff := cmp.Diff([]string{"/dev/loop0 vfat", "/dev/loop1 vfat", "/dev/loop2 ext4"}, devs); diff != "" {
		t.Errorf("three devices (-want +got):\n%s", diff)
	}
}

func TestBadInput(t *testing.T) {
	for _, in := range []string{"no equals sign\n", "=value\n", "KEY WITH SPACE=x\n"} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range golden.Captures(f, "testdata", nil) {
		b, err := os.ReadFile(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		devs, err := Parse(b)
		if err != nil {
			return
		}
		for _, d := range devs {
			if d.Fields == nil {
				t.Fatal("device without fields")
			}
		}
	})
}
