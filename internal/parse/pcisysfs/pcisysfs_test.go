package pcisysfs

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func intp(n int) *int { return &n }

func TestParseHex(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "0x10de\n", want: "10de"},
		{in: "0x8086", want: "8086"},
		{in: "0x1D0F\n", want: "1d0f"},
		{in: "0xa1\n", want: "a1"}, // revision, "0x%02x"
		{in: "  0x0000 \n", want: "0000"},
		{in: "10de", wantErr: true},
		{in: "0x", wantErr: true},
		{in: "0xzz", wantErr: true},
		{in: "", wantErr: true},
		{in: "0x10de 0x10de", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseHex(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseHex(%q) = %q, %v; want %q, err=%v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "pcisysfs: ") {
			t.Errorf("error %q lacks prefix", err)
		}
	}
}

func TestParseClass(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "0x030200\n", want: "030200"}, // 3D controller (data center GPUs)
		{in: "0x030000\n", want: "030000"},
		{in: "0x010802\n", want: "010802"}, // NVMe
		{in: "0x60400\n", want: "060400"},  // not what the kernel prints, but unambiguous
		{in: "0x1234567\n", wantErr: true},
		{in: "030200", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseClass(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseClass(%q) = %q, %v; want %q, err=%v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseLinkSpeed(t *testing.T) {
	tests := []struct {
		in, want string
		gts      float64 // 0 = nil
	}{
		// Current kernels: pci_speed_string() in drivers/pci/probe.c, whose
		// table reads "2.5 GT/s PCIe", "5.0 GT/s PCIe", "8.0 GT/s PCIe",
		// "16.0 GT/s PCIe", "32.0 GT/s PCIe", "64.0 GT/s PCIe" and which
		// returns "Unknown" past the end of the table.
		{"2.5 GT/s PCIe\n", "2.5 GT/s", 2.5},
		{"5.0 GT/s PCIe\n", "5.0 GT/s", 5},
		{"8.0 GT/s PCIe\n", "8.0 GT/s", 8},
		{"16.0 GT/s PCIe\n", "16.0 GT/s", 16},
		{"32.0 GT/s PCIe\n", "32.0 GT/s", 32},
		{"64.0 GT/s PCIe\n", "64.0 GT/s", 64},
		{"Unknown\n", "", 0},
		// Older kernels: torvalds/linux drivers/pci/pci-sysfs.c @
		// 0077a845f7e31a6eabafaefc99540903b65439d4, current_link_speed_show /
		// max_link_speed_show: speed = "8 GT/s"; "5 GT/s"; "2.5 GT/s";
		// default: speed = "Unknown speed".
		{"8 GT/s\n", "8.0 GT/s", 8},
		{"5 GT/s\n", "5.0 GT/s", 5},
		{"2.5 GT/s\n", "2.5 GT/s", 2.5},
		{"16 GT/s\n", "16.0 GT/s", 16},
		{"Unknown speed\n", "", 0},
		// Conventional PCI strings from the same pci_speed_string() table.
		{"33 MHz PCI\n", "33 MHz PCI", 0},
		{"133 MHz PCI-X 266\n", "133 MHz PCI-X 266", 0},
		{"8x AGP\n", "8x AGP", 0},
		{"", "", 0},
		{"fast", "", 0},
		{"0 GT/s", "", 0},
	}
	for _, tt := range tests {
		got, gts := ParseLinkSpeed(tt.in)
		var gv float64
		if gts != nil {
			gv = *gts
		}
		if got != tt.want || gv != tt.gts || (tt.gts == 0) != (gts == nil) {
			t.Errorf("ParseLinkSpeed(%q) = %q, %v; want %q, %v", tt.in, got, gts, tt.want, tt.gts)
		}
	}
}

func TestParseLinkWidth(t *testing.T) {
	tests := []struct {
		in   string
		want *int
	}{
		{"16\n", intp(16)},
		{"1\n", intp(1)},
		{"32\n", intp(32)},
		// Link down / not trained: the Negotiated Link Width field reads 0.
		{"0\n", intp(0)},
		// max_link_width of a device without a readable LnkCap:
		// pcie_get_width_cap() returns PCIE_LNK_WIDTH_UNKNOWN (0xff).
		{"255\n", nil},
		// All-ones config read through the 6-bit NLW field.
		{"63\n", nil},
		{"-1", nil},
		{"x16", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ParseLinkWidth(tt.in)); diff != "" {
			t.Errorf("ParseLinkWidth(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseNUMANode(t *testing.T) {
	tests := []struct {
		in   string
		want *int
	}{
		{"0\n", intp(0)},
		{"1\n", intp(1)},
		{"-1\n", nil}, // NUMA_NO_NODE
		{"", nil},
		{"node0", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ParseNUMANode(tt.in)); diff != "" {
			t.Errorf("ParseNUMANode(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// Sample output from the kernel's ABI documentation, torvalds/linux
// Documentation/ABI/testing/sysfs-bus-pci-devices-aer_stats @
// 0e7d29a39a546161ea3a49e8e282a43212d7ff68 ("cat aer_dev_correctable" on
// 0000:00:1c.0). Kernels of that era printed names with spaces.
const aerCorrectableABIDoc = `Receiver Error 2
Bad TLP 0
Bad DLLP 0
RELAY_NUM Rollover 0
Replay Timer Timeout 0
Advisory Non-Fatal 0
Corrected Internal Error 0
Header Log Overflow 0
TOTAL_ERR_COR 2
`

// Same document, "cat aer_dev_fatal".
const aerFatalABIDoc = `Undefined 0
Data Link Protocol 0
Surprise Down Error 0
Poisoned TLP 0
Flow Control Protocol 0
Completion Timeout 0
Completer Abort 0
Unexpected Completion 0
Receiver Overflow 0
Malformed TLP 0
ECRC 0
Unsupported Request 0
ACS Violation 0
Uncorrectable Internal Error 0
MC Blocked TLP 0
AtomicOp Egress Blocked 0
TLP Prefix Blocked Error 0
TOTAL_ERR_FATAL 0
`

// Current kernels: aer_stats_dev_attr() in drivers/pci/pcie/aer.c prints
// "%s %llu\n" for each named bit of aer_correctable_error_string ("RxErr",
// "BadTLP", "BadDLLP", "Rollover", "Timeout", "NonFatalErr", "CorrIntErr",
// "HeaderOF"), "dev_cor_errs_bit[%d] %llu\n" for a non-zero unnamed bit, then
// "TOTAL_%s %llu\n". The counts here are made up; the layout is the kernel's.
const aerCorrectableCurrent = "RxErr 12\nBadTLP 0\nBadDLLP 1\nRollover 0\nTimeout 0\nNonFatalErr 0\nCorrIntErr 0\nHeaderOF 0\ndev_cor_errs_bit[16] 3\nTOTAL_ERR_COR 13\n"

func TestParseAER(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]int64
	}{
		{"ABI doc correctable (names with spaces)", aerCorrectableABIDoc, map[string]int64{
			"Receiver Error": 2, "Bad TLP": 0, "Bad DLLP": 0, "RELAY_NUM Rollover": 0,
			"Replay Timer Timeout": 0, "Advisory Non-Fatal": 0, "Corrected Internal Error": 0,
			"Header Log Overflow": 0, "TOTAL_ERR_COR": 2,
		}},
		{"current correctable", aerCorrectableCurrent, map[string]int64{
			"RxErr": 12, "BadTLP": 0, "BadDLLP": 1, "Rollover": 0, "Timeout": 0, "NonFatalErr": 0,
			"CorrIntErr": 0, "HeaderOF": 0, "dev_cor_errs_bit[16]": 3, "TOTAL_ERR_COR": 13,
		}},
		{"nonfatal minimal", "Undefined 0\nTOTAL_ERR_NONFATAL 0\n", map[string]int64{"Undefined": 0, "TOTAL_ERR_NONFATAL": 0}},
		{"CRLF and blank lines", "RxErr 1\r\n\r\nTOTAL_ERR_COR 1\r\n", map[string]int64{"RxErr": 1, "TOTAL_ERR_COR": 1}},
		{"empty file", "", map[string]int64{}},
		{"u64 max int64", "TOTAL_ERR_COR 9223372036854775807\n", map[string]int64{"TOTAL_ERR_COR": 9223372036854775807}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAER([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	fatal, err := ParseAER([]byte(aerFatalABIDoc))
	if err != nil {
		t.Fatal(err)
	}
	if len(fatal) != 18 || fatal["TOTAL_ERR_FATAL"] != 0 || fatal["TLP Prefix Blocked Error"] != 0 {
		t.Errorf("fatal = %v", fatal)
	}
}

func TestParseAERErrors(t *testing.T) {
	for _, in := range []string{
		"RxErr\n",                          // no count
		"RxErr x\n",                        // not a number
		"RxErr -1\n",                       // negative
		"RxErr 18446744073709551615\n",     // > int64
		"RxErr 1\nRxErr 2\n",               // repeated
		"<html>\n",                         // not AER
		"RxErr 0\nBadTLP 0\nTOTAL_ERR_COR", // truncated read
	} {
		got, err := ParseAER([]byte(in))
		if err == nil || got != nil || !strings.HasPrefix(err.Error(), "pcisysfs: aer") {
			t.Errorf("ParseAER(%q) = %v, %v; want pcisysfs: aer error and nil map", in, got, err)
		}
	}
}

// FuzzParse runs every parser of the package on the same sysfs file content.
func FuzzParse(f *testing.F) {
	for _, s := range []string{aerCorrectableABIDoc, aerFatalABIDoc, aerCorrectableCurrent, "",
		"16.0 GT/s PCIe\n", "5 GT/s\n", "Unknown speed\n", "33 MHz PCI"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseAER(data)
		if err != nil && got != nil {
			t.Fatal("map with error")
		}
		for k, v := range got {
			if v < 0 || k == "" {
				t.Fatalf("bad entry %q=%d", k, v)
			}
		}
		s := string(data)
		norm, gts := ParseLinkSpeed(s)
		if gts != nil && (*gts <= 0 || !strings.HasSuffix(norm, " GT/s")) {
			t.Fatalf("ParseLinkSpeed(%q) = %q, %v", s, norm, *gts)
		}
		if w := ParseLinkWidth(s); w != nil && (*w < 0 || *w > 32) {
			t.Fatalf("width %d", *w)
		}
		if n := ParseNUMANode(s); n != nil && *n < 0 {
			t.Fatalf("numa %d", *n)
		}
		if h, err := ParseHex(s); err == nil && h == "" {
			t.Fatal("empty hex without error")
		}
		if c, err := ParseClass(s); err == nil && len(c) != 6 {
			t.Fatalf("class %q", c)
		}
	})
}
