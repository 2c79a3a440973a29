package lspci

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
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
	for _, path := range golden.Captures(f, "testdata", nil) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
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
