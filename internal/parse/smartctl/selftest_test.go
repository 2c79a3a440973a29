package smartctl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every real capture here: the ATA drives (direct, behind a USB-SAT bridge or a
// MegaRAID in SAT mode) say whether they can self-test; SCSI, NVMe, RAID volumes and
// open failures have no ATA SMART data.
func TestSelfTestsSupportedOnCaptures(t *testing.T) {
	supported := map[string]bool{
		"megaraid_sat-st6000nm0115_all.json":                       true,
		"megaraid_sat-wd4000fyyx_a.json":                           true,
		"sata-hdd_hgst-hus728t8tale6l4_supermicro-x11dph-t_a.json": true,
		"sata-ssd_micron-5200_supermicro-x11dph-t_a.json":          true,
		"sata-ssd_samsung-840_x.json":                              true,
		"usb-jmicron_hitachi-hds721050dle630_FAILED_a.json":        true,
		"usb-sat_sandisk-pssd_a.json":                              true,
		"qemu/smartctl-sda.json":                                   true,
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join("testdata", "qemu", "*.json"))
	files = append(files, more...)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".golden.json") {
			continue
		}
		n++
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.ToSlash(strings.TrimPrefix(f, "testdata"+string(filepath.Separator)))
		got := SelfTestsSupported(b)
		if want, ata := supported[name]; ata {
			if got == nil || *got != want {
				t.Errorf("%s: %v, want %v", name, got, want)
			}
		} else if got != nil {
			t.Errorf("%s: %v, want nil (no ATA SMART data)", name, *got)
		}
	}
	if n < 20 {
		t.Fatalf("only %d captures", n)
	}
	if SelfTestsSupported([]byte("not json")) != nil || SelfTestsSupported(nil) != nil {
		t.Error("garbage gave a value")
	}
	if got := SelfTestsSupported([]byte(`{"ata_smart_data":{"capabilities":{"self_tests_supported":false}}}`)); got == nil || *got {
		t.Errorf("false: %v", got)
	}
}

func TestParseSelfTestStart(t *testing.T) {
	// internal/sat/testdata/constructed: smartmontools 7.3's wording (PROVENANCE.md there).
	begun, err := os.ReadFile(filepath.Join("..", "..", "sat", "testdata", "constructed", "smartctl-7.3_t-short_ata_begun.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in   string
		want SelfTestStart
	}{
		{string(begun), SelfTestStarted},
		{"=== START OF OFFLINE IMMEDIATE AND SELF-TEST SECTION ===\nShort Background Self Test has begun\n", SelfTestStarted},
		{"Warning: device does not support Self-Test functions.\n\nSelf-test not supported\n", SelfTestNotSupported},
		{"No self-test supported\n", SelfTestNotSupported},
		{"Smartctl open device: /dev/sdz failed: No such device\n", SelfTestStartUnknown},
		{"", SelfTestStartUnknown},
	} {
		if got := ParseSelfTestStart([]byte(c.in)); got != c.want {
			t.Errorf("%q: %v, want %v", c.in, got, c.want)
		}
	}
}
