package mstflint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
	"github.com/google/go-cmp/cmp"
)

type result struct {
	Query        *Query `json:"query"`
	RebootNeeded bool   `json:"reboot_needed"`
	Active       string `json:"active_fw_version"`
}

func TestCaptures(t *testing.T) {
	for _, c := range golden.Captures(t, "testdata", nil) {
		t.Run(filepath.Base(c), func(t *testing.T) {
			data, err := os.ReadFile(c)
			if err != nil {
				t.Fatal(err)
			}
			q, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, c, result{Query: q, RebootNeeded: q.RebootNeeded(), Active: q.ActiveFWVersion()})
		})
	}
}

func read(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Values read from the captures by hand.
func TestValues(t *testing.T) {
	q, err := Parse(read(t, "connectx-fs4_mstflint-query_burned-not-running.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if q.FWVersion != "20.35.1012" || q.RunningFWVersion != "20.34.1002" || !q.RebootNeeded() || q.ActiveFWVersion() != "20.34.1002" ||
		q.PSID != "MT_0000000228" || q.BaseGUID != "043f720300f04c46" || q.BaseMAC != "043f72f04c46" || q.ImageType != "FS4" {
		t.Errorf("FS4 staged = %+v", q)
	}
	if diff := cmp.Diff([]string{"type=UEFI version=14.28.15 cpu=AMD64,AARCH64", "type=PXE version=3.6.804 cpu=AMD64"}, q.RomInfo); diff != "" {
		t.Errorf("Rom Info (-want +got):\n%s", diff)
	}
	q, err = Parse(read(t, "connectx-fs4_mstflint-query_psid-mt0000000228.txt"))
	if err != nil || q.RebootNeeded() || q.RunningFWVersion != "" || q.ActiveFWVersion() != "20.35.1012" {
		t.Errorf("FS4 = %+v, %v", q, err)
	}
	// FS2 (ConnectX-3): GUIDs/MACs lists, empty VSD.
	q, err = Parse(read(t, "connectx3-mcx311a_flint-query-full_fs2_burned-not-running.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !q.RebootNeeded() || q.FWVersion != "2.42.5000" || q.ActiveFWVersion() != "2.35.5100" || q.PSID != "MT_1170110023" ||
		q.DeviceID != "4099" || !cmp.Equal(q.MACs, []string{"e41d2ddd7850", "e41d2ddd7851"}) || len(q.GUIDs) != 4 ||
		q.Fields["PRS Name"] != "cx3-1_MCX311A.prs" || q.Fields["VSD"] != "" {
		t.Errorf("FS2 staged = %+v", q)
	}
}

func TestErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"-E- Cannot open Device: 0000:03:00.0. No such file or directory. MFE_UNSUPPORTED_DEVICE\n",
		"Image type:            FS4\nPSID:                  MT_0000000228\n",
		"garbage\n",
	} {
		if q, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", in, q)
		}
	}
	_, err := Parse([]byte("-E- Cannot open Device: 0000:03:00.0. No such file or directory\n"))
	if err == nil || err.Error() != "mstflint: Cannot open Device: 0000:03:00.0. No such file or directory" {
		t.Errorf("err = %v", err)
	}
	q, err := Parse([]byte("Image type: FS2\nFW Version(Running): 2.36.5000\nPSID: MT_1080120023\n"))
	if err != nil || q.FWVersion != "2.36.5000" || q.RebootNeeded() {
		t.Errorf("running only = %+v, %v", q, err)
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := Parse(data)
		if (q == nil) == (err == nil) {
			t.Fatalf("want a query or an error: %v, %v", q, err)
		}
		if q != nil && (q.FWVersion == "" || q.ActiveFWVersion() == "") {
			t.Fatalf("query without a version: %+v", q)
		}
	})
}
