package meminfo

import (
	"os"
	"path/filepath"
	"testing"
)

func TestValueOnRealCapture(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "meminfo_debian12-vm-24g.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key  string
		want int64
	}{
		{"MemTotal", 24684084 * 1024},
		{"MemAvailable", 23376508 * 1024},
		{"HugePages_Total", 0}, // a count: no kB
	} {
		got := Value(b, c.key)
		if got == nil || *got != c.want {
			t.Errorf("%s = %v, want %d", c.key, got, c.want)
		}
	}
	if got := Value(b, "Mem"); got != nil {
		t.Errorf("a prefix of a name matched: %d", *got)
	}
}

func TestValueBadInput(t *testing.T) {
	for _, in := range []string{
		"", "MemTotal:", "MemTotal: abc kB", "MemTotal: -5 kB", "MemTotal 5 kB",
		"MemTotal: 99999999999999999999 kB", "MemTotal: 9223372036854775807 kB",
	} {
		if got := Value([]byte(in), "MemTotal"); got != nil {
			t.Errorf("%q: got %d, want nil", in, *got)
		}
	}
}

func FuzzValue(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "meminfo_debian12-vm-24g.txt")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if v := Value(b, "MemTotal"); v != nil && *v < 0 {
			t.Fatalf("negative: %d", *v)
		}
	})
}
