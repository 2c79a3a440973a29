package ethtool

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
	"github.com/google/go-cmp/cmp"
)

// isInfo tells `ethtool -i` captures (named *_ethtool-i.txt) from `ethtool
// IFACE` ones.
func isInfo(path string) bool { return strings.HasSuffix(path, "_ethtool-i.txt") }

func TestGolden(t *testing.T) {
	for _, c := range golden.Captures(t, "testdata", nil) {
		t.Run(filepath.Base(c), func(t *testing.T) {
			data, err := os.ReadFile(c)
			if err != nil {
				t.Fatal(err)
			}
			if isInfo(c) {
				got, err := ParseInfo(data)
				if err != nil {
					t.Fatal(err)
				}
				golden.JSON(t, c, got)
				return
			}
			got, err := ParseSettings(data)
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, c, got)
		})
	}
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func intp(n int) *int    { return &n }
func boolp(b bool) *bool { return &b }

func TestInfoCaptures(t *testing.T) {
	// driver, version, firmware-version, bus-info as read from each file.
	tests := []struct {
		file                string
		driver, version, fw string
		pci                 string
	}{
		{"broadcom-bcm5720_tg3_ethtool-i.txt", "tg3", "4.18.0-269.el8.x86_64", "FFV21.60.16 bc 5720-v1.39", "0000:04:00.0"},
		{"broadcom-bnxt_en_ethtool-i.txt", "bnxt_en", "4.18.0-408.el8.x86_64", "220.0.57.0/pkg 22.00.07.60", "0000:ca:00.1"},
		{"intel-e810_ice_ethtool-i.txt", "ice", "5.19.4-100.fc35.x86_64", "4.22 0x80010446 1.3197.0", "0000:3b:00.0"},
		{"intel-i40e_ethtool-i.txt", "i40e", "4.18.0-448.el8.x86_64", "8.60 0x8000bd5d 1.3140.0", "0000:3b:00.1"},
		{"mellanox-connectx4-lx_mlx5_core_ethtool-i.txt", "mlx5_core", "3.0-1 (January 2015)", "14.23.1020", "0000:af:00.0"},
	}
	for _, tt := range tests {
		got, err := ParseInfo(read(t, tt.file))
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		want := [4]string{tt.driver, tt.version, tt.fw, tt.pci}
		if diff := cmp.Diff(want, [4]string{got.Driver, got.Version, got.FirmwareVersion, got.PCIAddress}); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.file, diff)
		}
		if got.ExpansionROMVersion != "" || got.BusInfo != tt.pci {
			t.Errorf("%s: rom %q bus %q", tt.file, got.ExpansionROMVersion, got.BusInfo)
		}
	}
}

func TestSettingsLinkDown(t *testing.T) {
	// tg3 with no link: "Speed: Unknown!", "Duplex: Unknown! (255)",
	// "Link detected: no" as the last line with no newline.
	s, err := ParseSettings(read(t, "broadcom-bcm5720_tg3_link-down_ethtool.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "eno8403" || s.SpeedMbps != nil || s.Speed != "Unknown!" || s.Duplex != "" {
		t.Errorf("name %q speed %q %v duplex %q", s.Name, s.Speed, s.SpeedMbps, s.Duplex)
	}
	if diff := cmp.Diff(boolp(false), s.LinkDetected); diff != "" {
		t.Errorf("LinkDetected (-want +got):\n%s", diff)
	}
	wantModes := []string{"10baseT/Half", "10baseT/Full", "100baseT/Half", "100baseT/Full", "1000baseT/Half", "1000baseT/Full"}
	if diff := cmp.Diff(wantModes, s.SupportedLinkModes); diff != "" {
		t.Errorf("supported (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantModes, s.AdvertisedLinkModes); diff != "" {
		t.Errorf("advertised (-want +got):\n%s", diff)
	}
	if s.MaxSupportedMbps != 1000 || s.SupportedFECModes != nil || s.Port != "Twisted Pair" {
		t.Errorf("max %d fec %v port %q", s.MaxSupportedMbps, s.SupportedFECModes, s.Port)
	}
	if diff := cmp.Diff([]string{"TP"}, s.SupportedPorts); diff != "" {
		t.Errorf("ports (-want +got):\n%s", diff)
	}
	// The message-level names on the next line, indented with spaces.
	if got := s.Fields["Current message level"]; got != "0x000000ff (255) drv probe link timer ifdown ifup rx_err tx_err" {
		t.Errorf("message level = %q", got)
	}
}

func TestSettingsLinkUp(t *testing.T) {
	tests := []struct {
		file       string
		name       string
		speed, max int
		autoneg    bool
		fec        []string
	}{
		// "Supported FEC modes: RS\t BASER": a tab inside the value.
		{"broadcom-bnxt_en_10g_fec-rs-baser_ethtool.txt", "eth2", 10000, 10000, true, []string{"RS", "BASER"}},
		{"intel-i40e_10gbase-sr_ethtool.txt", "eth0", 10000, 10000, false, nil},
	}
	for _, tt := range tests {
		s, err := ParseSettings(read(t, tt.file))
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if s.Name != tt.name || s.Duplex != "Full" || s.MaxSupportedMbps != tt.max || s.Port != "FIBRE" {
			t.Errorf("%s: name %q duplex %q max %d port %q", tt.file, s.Name, s.Duplex, s.MaxSupportedMbps, s.Port)
		}
		if diff := cmp.Diff(intp(tt.speed), s.SpeedMbps); diff != "" {
			t.Errorf("%s speed (-want +got):\n%s", tt.file, diff)
		}
		if diff := cmp.Diff(boolp(tt.autoneg), s.AutoNegotiation); diff != "" {
			t.Errorf("%s autoneg (-want +got):\n%s", tt.file, diff)
		}
		if diff := cmp.Diff(boolp(true), s.LinkDetected); diff != "" {
			t.Errorf("%s link (-want +got):\n%s", tt.file, diff)
		}
		if diff := cmp.Diff(tt.fec, s.SupportedFECModes); diff != "" {
			t.Errorf("%s fec (-want +got):\n%s", tt.file, diff)
		}
	}
}

func TestIssueCaptures(t *testing.T) {
	// Link modes printed with a trailing space.
	s, err := ParseSettings(read(t, "marvell-yukon-88e1011_1000baset_ethtool_trailing-spaces.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10baseT/Half", "10baseT/Full", "100baseT/Half", "100baseT/Full", "1000baseT/Full"}
	if diff := cmp.Diff(want, s.SupportedLinkModes); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if *s.SpeedMbps != 1000 || s.MaxSupportedMbps != 1000 || s.Fields["MDI-X"] != "off (auto)" || !*s.LinkDetected {
		t.Errorf("%+v", s)
	}
	// `ethtool eth4`, a netlink error, then `ethtool -i eth4` in one output:
	// both parsers read their part.
	data := read(t, "mediatek-mtk_soc_eth_10g-dac_ethtool-then-i_netlink-error.txt")
	s, err = ParseSettings(data)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "eth4" || s.SupportedPorts != nil || *s.SpeedMbps != 10000 || s.MaxSupportedMbps != 10000 ||
		s.Port != "Direct Attach Copper" || s.Fields["netlink error"] != "Operation not supported" {
		t.Errorf("%+v", s)
	}
	i, err := ParseInfo(data)
	if err != nil {
		t.Fatal(err)
	}
	if i.Driver != "mtk_soc_eth" || i.Version != "6.18.0-vyos" || i.BusInfo != "15100000.ethernet" || i.PCIAddress != "" || i.FirmwareVersion != "" {
		t.Errorf("%+v", i)
	}
}

func TestSettingsBelowCapability(t *testing.T) {
	// A 25G port linked at 10G: netlink-era output (ethtool 5.x) with
	// "Lanes:" and a link partner list.
	in := "Settings for ens1f0np0:\n" +
		"\tSupported ports: [ Backplane ]\n" +
		"\tSupported link modes:   1000baseKX/Full\n" +
		"\t                        10000baseKR/Full\n" +
		"\t                        25000baseCR/Full\n" +
		"\t                        25000baseKR/Full\n" +
		"\t                        25000baseSR/Full\n" +
		"\tLink partner advertised link modes:  10000baseKR/Full\n" +
		"\tSpeed: 10000Mb/s\n" +
		"\tLanes: 1\n" +
		"\tDuplex: Full\n" +
		"\tLink detected: yes\n"
	s, err := ParseSettings([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if *s.SpeedMbps != 10000 || s.MaxSupportedMbps != 25000 || s.Fields["Lanes"] != "1" {
		t.Errorf("speed %d max %d lanes %q", *s.SpeedMbps, s.MaxSupportedMbps, s.Fields["Lanes"])
	}
	if diff := cmp.Diff([]string{"10000baseKR/Full"}, s.PartnerLinkModes); diff != "" {
		t.Errorf("partner (-want +got):\n%s", diff)
	}
}

func TestLinkModeMbps(t *testing.T) {
	for in, want := range map[string]int{
		"10000baseSR/Full": 10000, "400000baseCR8/Full": 400000, "2500baseX/Full": 2500,
		"10baseT/Half": 10, "Not": 0, "": 0, "baseT": 0, "99999999999999999999999base": 0,
	} {
		if got := LinkModeMbps(in); got != want {
			t.Errorf("LinkModeMbps(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestParsePermanentAddress(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{"Permanent address: 00:15:17:8F:48:32\n", "00:15:17:8f:48:32", false},
		{"Permanent address: 00:00:00:00:00:00\n", "", false},
		{"Permanent address: zz\n", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		got, err := ParsePermanentAddress([]byte(tt.in))
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("%q: %q, %v", tt.in, got, err)
		}
	}
}

func TestBadInput(t *testing.T) {
	for _, in := range []string{"", "<html>hello</html>", "Cannot get device settings: No such device\n"} {
		if _, err := ParseSettings([]byte(in)); err == nil {
			t.Errorf("ParseSettings(%q): no error", in)
		}
		if _, err := ParseInfo([]byte(in)); err == nil {
			t.Errorf("ParseInfo(%q): no error", in)
		}
	}
	// virtio_net reports the virtio PCI function; an empty firmware-version.
	info, err := ParseInfo([]byte("driver: virtio_net\nversion: 1.0.0\nfirmware-version: \nbus-info: 0000:00:03.0\n"))
	if err != nil || info.PCIAddress != "0000:00:03.0" || info.FirmwareVersion != "" {
		t.Errorf("%+v %v", info, err)
	}
	info, _ = ParseInfo([]byte("driver: cdc_ether\nbus-info: usb-0000:00:14.0-4\nfirmware-version: N/A\n"))
	if info.PCIAddress != "" || info.BusInfo != "usb-0000:00:14.0-4" || info.FirmwareVersion != "" {
		t.Errorf("%+v", info)
	}
}

func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		f.Fatal("no seeds", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if s, err := ParseSettings(data); err == nil {
			if s.SpeedMbps != nil && *s.SpeedMbps <= 0 {
				t.Fatalf("speed %d", *s.SpeedMbps)
			}
			if s.MaxSupportedMbps != MaxLinkModeMbps(s.SupportedLinkModes) {
				t.Fatal("max speed inconsistent")
			}
		}
		if i, err := ParseInfo(data); err == nil && i.PCIAddress != "" && i.PCIAddress != strings.ToLower(i.BusInfo) {
			t.Fatalf("pci %q from bus %q", i.PCIAddress, i.BusInfo)
		}
		_, _ = ParsePermanentAddress(data)
	})
}
