package dmidecode

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestQEMUMemoryArrayReal reads the real `dmidecode -t 16` of the bee ISO booted
// under QEMU 7.2 by iso/test/vm-test.sh: one System Memory array, so every
// device of it is a slot. It also pins the constructed qemu/dmidecode-t16.txt
// to the real form: the same array apart from the capacity (the VM's RAM).
func TestQEMUMemoryArrayReal(t *testing.T) {
	read := func(name string) []MemoryArray {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		return MemoryArrays(recs)
	}
	real := read("qemu-7.2-vm-test/dmidecode-t16.txt")
	two := int64(2) << 30
	want := []MemoryArray{{Handle: "0x1000", Location: "Other", Use: "System Memory",
		ErrorCorrection: "Multi-bit ECC", MaxCapacityBytes: &two, Devices: ip(1)}}
	if d := cmp.Diff(want, real); d != "" {
		t.Errorf("real QEMU type 16 (-want +got):\n%s", d)
	}
	constructed := read("qemu/dmidecode-t16.txt")
	if len(constructed) != 1 {
		t.Fatalf("constructed qemu/dmidecode-t16.txt has %d arrays, want 1", len(constructed))
	}
	constructed[0].MaxCapacityBytes = real[0].MaxCapacityBytes
	if d := cmp.Diff(real, constructed); d != "" {
		t.Errorf("the constructed QEMU type 16 differs from the real one beyond the capacity (-real +constructed):\n%s", d)
	}
	dev := MemoryDevice{ArrayHandle: "0x1000"}
	if !IsSystemMemory(dev, real) {
		t.Error("a device of QEMU's array is not a memory slot")
	}
}
