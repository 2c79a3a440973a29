package ipmitool

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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

func mustFRU(t *testing.T, name string) []FRU {
	t.Helper()
	frus, err := ParseFRU(readFixture(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return frus
}

func TestParseFRUErrors(t *testing.T) {
	if got, err := ParseFRU([]byte(" \n\n")); got != nil || err != nil {
		t.Errorf("blank input: %v, %v", got, err)
	}
	for _, in := range []string{
		"<html><body>Not Found</body></html>",
		"CPU1 Temp        | 01h | ok  |  3.1 | 27 degrees C\n",
		"Could not open device at /dev/ipmi0 or /dev/ipmi/0 or /dev/ipmidev/0: No such file or directory\n",
		"\x00\xff\xfe",
	} {
		got, err := ParseFRU([]byte(in))
		if err == nil || got != nil || !strings.HasPrefix(err.Error(), "ipmitool: ") {
			t.Errorf("ParseFRU(%q) = %v, %v; want ipmitool: error", in, got, err)
		}
	}
	// A description without "(ID n)" still parses.
	frus, err := ParseFRU([]byte("FRU Device Description : Mystery\n Product Name : X\n"))
	if err != nil || len(frus) != 1 || frus[0].ID != nil || frus[0].Name != "Mystery" || frus[0].Fields["Product Name"] != "X" {
		t.Errorf("no ID: %+v, %v", frus, err)
	}
}
