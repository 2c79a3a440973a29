package dmidecode

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
)

// FuzzParseDmidecode seeds with every capture in testdata/ and checks that
// Parse and the typed helpers never panic and keep their documented
// invariants.
func FuzzParseDmidecode(f *testing.F) {
	for _, path := range golden.Captures(f, "testdata", nil) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("# dmidecode 2.6\nHandle 0x0000\n\tDMI type 0, 20 bytes.\n\tBIOS Information\n\t\tVendor: X\n\t\t\tY\n"))
	f.Add([]byte("# No SMBIOS nor DMI entry point found, sorry.\n"))
	f.Add([]byte("Memory Device\n\tSize: 16 GB\n\nOn Board Device 1 Information\n\tType: Video\nOn Board Device 2 Information\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := Parse(data)
		if err != nil {
			var nre *NoRecordsError
			if !errors.As(err, &nre) {
				t.Fatalf("error %T %v is not *NoRecordsError", err, err)
			}
			if recs != nil {
				t.Fatalf("records with an error: %v", recs)
			}
			if len(nre.Lines) > maxErrLines {
				t.Fatalf("%d error lines", len(nre.Lines))
			}
			return
		}
		if strings.TrimSpace(string(data)) != "" && len(recs) == 0 {
			t.Fatal("no records and no error for non-blank input")
		}
		for _, r := range recs {
			if r.Fields == nil || r.Lists == nil {
				t.Fatalf("nil map in %+v", r)
			}
			if r.Handle != "" && !strings.HasPrefix(strings.ToLower(r.Handle), "0x") {
				t.Fatalf("handle %q", r.Handle)
			}
		}
		BIOSInfo(recs)
		SystemInfo(recs)
		BaseBoard(recs)
		for _, p := range Processors(recs) {
			if p.Enabled && !p.Populated {
				t.Fatalf("enabled but not populated: %+v", p)
			}
			for _, v := range []*int{p.Cores, p.EnabledCores, p.Threads} {
				if v != nil && *v < 0 {
					t.Fatalf("negative count: %+v", p)
				}
			}
			for _, v := range []*int{p.MaxSpeedMHz, p.CurrentSpeedMHz} {
				if v != nil && *v <= 0 {
					t.Fatalf("non-positive speed: %+v", p)
				}
			}
		}
		arrays := MemoryArrays(recs)
		for _, a := range arrays {
			if a.MaxCapacityBytes != nil && *a.MaxCapacityBytes < 0 || a.Devices != nil && *a.Devices < 0 {
				t.Fatalf("negative array size: %+v", a)
			}
		}
		for _, d := range MemoryDevices(recs) {
			IsSystemMemory(d, arrays)
			if d.SizeBytes != nil && (!d.Populated || *d.SizeBytes <= 0) {
				t.Fatalf("size %d with populated=%v", *d.SizeBytes, d.Populated)
			}
			for _, v := range []*int{d.SpeedMTs, d.ConfiguredSpeedMTs} {
				if v != nil && *v <= 0 {
					t.Fatalf("non-positive speed: %+v", d)
				}
			}
		}
	})
}
