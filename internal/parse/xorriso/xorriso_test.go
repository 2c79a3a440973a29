package xorriso

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCaptures compares every capture's parse with <capture>.golden.json
// (go test -update rewrites them; review the diff).
func TestCaptures(t *testing.T) {
	for _, path := range golden.Captures(t, "testdata", nil) {
		name, _ := filepath.Rel("testdata", path)
		t.Run(name, func(t *testing.T) {
			var got any
			var err error
			if isLBA(path) {
				got, err = ParseLBA(read(t, name))
			} else {
				got, err = Parse(read(t, name))
			}
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, path, got)
		})
	}
}

func isLBA(path string) bool { return strings.HasSuffix(path, ".lba.txt") }

// The real ISO and the same after customize: offsets of the layers in the ISO.
func TestLBA(t *testing.T) {
	es, err := ParseLBA(read(t, "bee-3ae21be-amd64-customized.lba.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].Path != "/live/filesystem.squashfs" || es[0].StartLBA != 9393 || es[0].Blocks != 181238 || es[0].Size != 371175424 {
		t.Fatalf("extents %+v", es)
	}
	if off, err := Contiguous(es, "/live/zz-site.squashfs"); err != nil || off != 214800*2048 {
		t.Errorf("offset %d, %v", off, err)
	}
	if _, err := Contiguous(es, "/live/nope.squashfs"); err == nil {
		t.Error("missing file: no error")
	}
	if _, err := Contiguous(append(es, Extent{Path: "/live/zz-site.squashfs", Index: 1}), "/live/zz-site.squashfs"); err == nil {
		t.Error("two extents: no error")
	}
	for _, bad := range []string{"File data lba:  0 , x , 1 , 2 , '/a'\n", "File data lba:  0 , 1 , 1 , 2\n", "File data lba:  0 , 1 , 1 , 2 , '/a\n"} {
		if es, err := ParseLBA([]byte(bad)); err == nil {
			t.Errorf("%q: no error, %+v", bad, es)
		}
	}
}

// The real ISO: volume BEE from live-build, BIOS isolinux + UEFI efi.img, isohybrid
// MBR/GPT/APM, and the base layer in /live.
func TestRealISO(t *testing.T) {
	r, err := Parse(read(t, "bee-3ae21be-amd64.report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if r.VolumeID != "BEE" || r.Publisher != "BEE HARDWARE AUDIT" || r.AppID != "BEE" ||
		r.Preparer != "LIVE-BUILD 20230502; HTTPS://SALSA.DEBIAN.ORG/LIVE-TEAM/LIVE-BUILD" {
		t.Errorf("PVD = %q %q %q %q", r.VolumeID, r.Publisher, r.AppID, r.Preparer)
	}
	if r.Catalog != "/isolinux/boot.cat" || r.SystemArea != "MBR isohybrid cyl-align-on GPT APM" || len(r.Boot) != 2 {
		t.Fatalf("catalog %q, system area %q, %d boot images", r.Catalog, r.SystemArea, len(r.Boot))
	}
	bios, uefi := r.Boot[0], r.Boot[1]
	if bios.Platform != "BIOS" || bios.Path != "/isolinux/isolinux.bin" || bios.LoadSize != 4 || bios.LBA != 2777 ||
		len(bios.Options) != 2 || bios.Options[0] != "boot-info-table" {
		t.Errorf("BIOS image = %+v", bios)
	}
	if uefi.Platform != "UEFI" || uefi.Path != "/boot/grub/efi.img" || uefi.LoadSize != 10368 || !uefi.Bootable || uefi.Emul != "none" {
		t.Errorf("UEFI image = %+v", uefi)
	}
	var sq *File
	for i := range r.Files {
		if r.Files[i].Name == "filesystem.squashfs" {
			sq = &r.Files[i]
		}
	}
	if len(r.Files) != 6 || sq == nil || sq.Size != 371175424 || sq.Mode != "-r--r--r--" {
		t.Errorf("files = %+v", r.Files)
	}
}

// The tiny ISO the image tests build, after bee image customize: the new layer is listed.
func TestCustomizedTinyISO(t *testing.T) {
	r, err := Parse(read(t, "tiny-test-iso-customized.report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.Files); n != 4 || r.Files[3].Name != "zz-site.squashfs" || r.Files[3].Size != 4096 {
		t.Errorf("files = %+v", r.Files)
	}
}

func TestUnquote(t *testing.T) {
	for in, want := range map[string]string{`'a'`: "a", `'it'"'"'s'`: "it's", `'a b'`: "a b"} {
		if got, err := unquote(in); err != nil || got != want {
			t.Errorf("unquote(%s) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{`'a`, `''`, `x'a'`, `'a'"`} {
		if got, err := unquote(in); err == nil {
			t.Errorf("unquote(%s) = %q, want an error", in, got)
		}
	}
}

func TestBadInput(t *testing.T) {
	for name, in := range map[string]string{
		"empty":       "",
		"no volume":   "PVD address  : 16s\n",
		"no pvd":      "Volume Id    : BEE\n",
		"short img":   "PVD address  : 16s\nVolume Id    : BEE\nEl Torito boot img :   1  BIOS  y\n",
		"orphan path": "PVD address  : 16s\nVolume Id    : BEE\nEl Torito img path :   3  /x\n",
		"bad lsl":     "PVD address  : 16s\nVolume Id    : BEE\n-r--r--r--    1 0  0  x Dec  6 15:50 'a'\n",
	} {
		if r, err := Parse([]byte(in)); err == nil {
			t.Errorf("%s: no error, got %+v", name, r)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, path := range golden.Captures(f, "testdata", nil) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if es, err := ParseLBA(data); (es == nil) == (err == nil) {
			t.Fatalf("ParseLBA: want exactly one of result and error, got %v, %v", es, err)
		}
		r, err := Parse(data)
		if (r == nil) == (err == nil) {
			t.Fatalf("want exactly one of result and error, got %v, %v", r, err)
		}
		if r != nil {
			for _, fl := range r.Files {
				if fl.Name == "" || fl.Size < 0 {
					t.Fatalf("bad file %+v", fl)
				}
			}
		}
	})
}
