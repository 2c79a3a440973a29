package image

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/unsquashfs"
	"github.com/beeaudit/bee/internal/parse/xorriso"
)

// Debian's isolinux package: a real BIOS boot image and isohybrid MBR template, so
// xorriso builds the same MBR/GPT/APM hybrid layout live-build does.
const (
	isolinuxBin = "/usr/lib/ISOLINUX/isolinux.bin"
	isohdpfxBin = "/usr/lib/ISOLINUX/isohdpfx.bin"
)

// needTools skips without xorriso, squashfs-tools and isolinux; CI sets
// BEE_REQUIRE_IMAGE_TOOLS=1 (.ci/run installs them) so these tests cannot skip there.
func needTools(t testing.TB) {
	t.Helper()
	var missing []string
	for _, tool := range []string{"xorriso", "mksquashfs", "unsquashfs"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	for _, f := range []string{isolinuxBin, isohdpfxBin} {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("missing %s (apt-get install xorriso squashfs-tools isolinux)", strings.Join(missing, ", "))
		if os.Getenv("BEE_REQUIRE_IMAGE_TOOLS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

func run(t testing.TB, argv ...string) []byte {
	t.Helper()
	res := host.Exec{}.Run(context.Background(), host.Cmd{Argv: argv})
	if !res.OK() {
		t.Fatalf("%s\n%s", res.Describe(), res.Stderr)
	}
	return res.Stdout
}

func write(t testing.TB, p string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, mode); err != nil {
		t.Fatal(err)
	}
}

// tinyISO builds a 1 MB ISO laid out as bee's (xorriso -indev bee.iso -ls; the
// options are live-build's, from the real ISO's /.disk/mkisofs): BIOS El Torito
// isolinux.bin with boot-info-table, UEFI El Torito /boot/grub/efi.img, isohybrid
// MBR + GPT + APM, volume BEE, the real menus, /live with a one-file base layer.
func tinyISO(t testing.TB, dir string) string {
	t.Helper()
	b := filepath.Join(dir, "binary")
	bin, err := os.ReadFile(isolinuxBin)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(b, "isolinux/isolinux.bin"), bin, 0o644)
	write(t, filepath.Join(b, "isolinux/isolinux.cfg"), readTD(t, "isolinux.cfg"), 0o644)
	write(t, filepath.Join(b, "isolinux/live.cfg"), readTD(t, "isolinux-live.cfg"), 0o644)
	write(t, filepath.Join(b, "boot/grub/grub.cfg"), readTD(t, "grub.cfg"), 0o644)
	write(t, filepath.Join(b, "boot/grub/config.cfg"), readTD(t, "grub-config.cfg"), 0o644)
	write(t, filepath.Join(b, "boot/grub/efi.img"), make([]byte, 64<<10), 0o644)
	write(t, filepath.Join(b, ".disk/info"), []byte("bee test\n"), 0o644)
	write(t, filepath.Join(b, "live/vmlinuz"), []byte("kernel"), 0o644)
	write(t, filepath.Join(b, "live/initrd.img"), []byte("initrd"), 0o644)
	base := filepath.Join(dir, "base")
	write(t, filepath.Join(base, "etc/hostname"), []byte("bee\n"), 0o644)
	write(t, filepath.Join(base, "root/.profile"), []byte("\n"), 0o644)
	// A release built without keys: bee-sshsetup's password-login marker.
	write(t, filepath.Join(base, "etc/bee/ssh-password-fallback"), []byte("$6$x$y\n"), 0o600)
	if err := os.Chmod(filepath.Join(base, "root"), 0o700); err != nil {
		t.Fatal(err)
	}
	run(t, "mksquashfs", base, filepath.Join(b, "live/filesystem.squashfs"), "-noappend", "-all-root", "-quiet", "-no-progress")
	var sums strings.Builder
	for _, p := range []string{"boot/grub/grub.cfg", "isolinux/live.cfg", "live/vmlinuz"} {
		data, err := os.ReadFile(filepath.Join(b, p))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&sums, "%x  ./%s\n", sha256.Sum256(data), p)
	}
	write(t, filepath.Join(b, "sha256sum.txt"), []byte(sums.String()), 0o644)
	iso := filepath.Join(dir, "bee.iso")
	run(t, "xorriso", "-as", "mkisofs", "-R", "-r", "-J", "-joliet-long", "-l", "-cache-inodes", "-iso-level", "3",
		"-isohybrid-mbr", isohdpfxBin, "-partition_offset", "16", "-A", "bee", "-publisher", "bee hardware audit", "-V", "BEE",
		"-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat", "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table",
		"-eltorito-alt-boot", "-e", "boot/grub/efi.img", "-no-emul-boot", "-isohybrid-gpt-basdat", "-isohybrid-apm-hfsplus",
		"-o", iso, b)
	return iso
}

func report(t testing.TB, iso string) *xorriso.Report {
	t.Helper()
	r, err := tools{host.Exec{}}.report(context.Background(), iso)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func extract(t testing.TB, iso, path string) []byte {
	t.Helper()
	local := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := (tools{host.Exec{}}).extract(context.Background(), iso, path, local); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(local)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// nonRootStaging runs commands for real, but first hands the tree mksquashfs is
// about to pack to uid/gid 1000 (when the test runs as root), as if an ordinary user
// had run customize: the layer must still be all root's (mksquashfs -all-root).
type nonRootStaging struct{ host.Exec }

func (r nonRootStaging) Run(ctx context.Context, c host.Cmd) host.Result {
	if len(c.Argv) > 1 && c.Argv[0] == "mksquashfs" && os.Geteuid() == 0 {
		_ = filepath.Walk(c.Argv[1], func(p string, _ os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(p, 1000, 1000)
		})
	}
	return r.Exec.Run(ctx, c)
}

func TestCustomizeTinyISO(t *testing.T) {
	needTools(t)
	dir := t.TempDir()
	iso := tinyISO(t, dir)
	before := report(t, iso)
	if len(before.Boot) != 2 || before.SystemArea != "MBR isohybrid cyl-align-on GPT APM" {
		t.Fatalf("the tiny ISO is not laid out like bee's: %+v", before)
	}
	profiles := filepath.Join(dir, "profiles")
	write(t, filepath.Join(profiles, "test-gpu-server.yaml"), readTD(t, "test-gpu-server.yaml"), 0o644)
	upload := filepath.Join(dir, "upload.yaml")
	write(t, upload, []byte("url: https://results.example/upload\n"), 0o644)
	bee, err := os.Executable() // any ELF binary will do
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "site.iso")
	res, err := Customize(context.Background(), nonRootStaging{}, Options{
		ISO: iso, Out: out, AuthorizedKeys: filepath.Join("testdata", "test-ed25519.pub"),
		ProfilesDir: profiles, UploadConfig: upload, Bee: bee,
		Cmdline: []string{"bee.sat=memory", "bee.profile=test-gpu-server"}, TempDir: dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Out != out || res.Layer.Name != LayerName || len(res.Layer.Keys) != 1 {
		t.Fatalf("result %+v", res)
	}

	// Boot records, volume id, system area: as before.
	after := report(t, out)
	if after.VolumeID != "BEE" || after.Publisher != before.Publisher || after.AppID != before.AppID || after.SystemArea != before.SystemArea || after.Catalog != before.Catalog {
		t.Errorf("PVD/system area: before %+v\nafter %+v", before, after)
	}
	if len(after.Boot) != 2 {
		t.Fatalf("boot images after: %+v", after.Boot)
	}
	for i, want := range []struct{ plat, path string }{{"BIOS", "/isolinux/isolinux.bin"}, {"UEFI", "/boot/grub/efi.img"}} {
		b := after.Boot[i]
		if b.Platform != want.plat || b.Path != want.path || !b.Bootable || b.Emul != "none" || b.LoadSize != before.Boot[i].LoadSize {
			t.Errorf("boot image %d = %+v", i+1, b)
		}
	}
	if strings.Join(after.Boot[0].Options, " ") != "boot-info-table isohybrid-suitable" {
		t.Errorf("BIOS options %q", after.Boot[0].Options)
	}
	if !isoHas(after, LayerName) || !isoHas(after, BaseLayer) {
		t.Errorf("/live: %+v", after.Files)
	}

	// Both menus carry the settings; the EFI image is the original.
	for path, want := range map[string]string{
		"/isolinux/live.cfg":  "console=ttyS0,115200n8 bee.sat=memory bee.profile=test-gpu-server\n",
		"/boot/grub/grub.cfg": "console=ttyS0,115200n8 bee.sat=memory bee.profile=test-gpu-server findiso=${iso_path}\n",
	} {
		if got := extract(t, out, path); !strings.Contains(string(got), want) {
			t.Errorf("%s lacks %q:\n%s", path, want, got)
		}
	}
	if got := extract(t, out, "/isolinux/isolinux.cfg"); string(got) != string(readTD(t, "isolinux.cfg")) {
		t.Error("isolinux.cfg changed")
	}
	sums := string(extract(t, out, "/sha256sum.txt"))
	for _, p := range []string{"/isolinux/live.cfg", "/boot/grub/grub.cfg", "/live/" + LayerName} {
		if !strings.Contains(sums, fmt.Sprintf("%x  .%s\n", sha256.Sum256(extract(t, out, p)), p)) {
			t.Errorf("sha256sum.txt has no right line for %s:\n%s", p, sums)
		}
	}

	// The layer, read back from the new ISO with unsquashfs.
	layer := filepath.Join(t.TempDir(), LayerName)
	write(t, layer, extract(t, out, "/live/"+LayerName), 0o644)
	es, err := unsquashfs.Parse(run(t, "unsquashfs", "-lln", "-UTC", layer))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range es {
		got[e.Path] = fmt.Sprintf("%s %04o %d:%d", e.Type, e.Mode, e.UID, e.GID)
		if e.Type == "char" {
			got[e.Path] += fmt.Sprintf(" %d,%d", e.Major, e.Minor)
		}
	}
	want := map[string]string{
		"/": "dir 0755 0:0", "/root": "dir 0700 0:0", "/root/.ssh": "dir 0700 0:0",
		"/root/.ssh/authorized_keys": "file 0600 0:0",
		"/etc":                       "dir 0755 0:0", "/etc/bee": "dir 0755 0:0", "/etc/bee/upload.yaml": "file 0600 0:0",
		"/etc/bee/profiles": "dir 0755 0:0", "/etc/bee/profiles/test-gpu-server.yaml": "file 0644 0:0",
		"/usr": "dir 0755 0:0", "/usr/local": "dir 0755 0:0", "/usr/local/bin": "dir 0755 0:0",
		"/usr/local/bin/bee": "file 0755 0:0",
		// --authorized-keys hides the base's password-login marker (overlayfs whiteout).
		"/etc/bee/ssh-password-fallback": "char 0000 0:0 0,0",
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: %q, want %q", p, got[p], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("layer has %d entries, want %d: %v", len(got), len(want), got)
	}
	if k := run(t, "unsquashfs", "-cat", layer, "root/.ssh/authorized_keys"); string(k) != string(readTD(t, "test-ed25519.pub")) {
		t.Errorf("authorized_keys = %q", k)
	}

	// inspect agrees, and finds the key.
	in, err := Inspect(context.Background(), host.Exec{}, out, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !in.OK() || len(in.Layers) != 2 || in.Layers[0].Name != BaseLayer || !in.Layers[0].Base || in.Layers[1].Name != LayerName {
		t.Fatalf("inspection %+v", in)
	}
	if ks := in.Layers[1].Keys; len(ks) != 1 || ks[0].Fingerprint != "SHA256:yddAaQ6OehcxcR6uBsfT8oUNTKkC7933snPuZkndLpQ" {
		t.Errorf("keys %+v", ks)
	}
	if l := in.Cmdlines["/isolinux/live.cfg"]; len(l) != 1 || !strings.HasSuffix(l[0], "bee.profile=test-gpu-server") {
		t.Errorf("cmdlines %+v", in.Cmdlines)
	}
	if s := in.SSH; s.PasswordLogin || s.PasswordFrom != LayerName || s.KeysFrom != LayerName || s.Keys != 1 {
		t.Errorf("SSH after customize: %+v", s)
	}
	// The release alone: password login on (its marker), no keys.
	in, err = Inspect(context.Background(), host.Exec{}, iso, dir)
	if err != nil {
		t.Fatal(err)
	}
	if s := in.SSH; !s.PasswordLogin || s.PasswordFrom != BaseLayer || s.KeysFrom != "" || !in.OK() {
		t.Errorf("SSH of the release: %+v (OK %v)", s, in.OK())
	}

	// One site layer per ISO: customizing the customized ISO is refused.
	_, err = Customize(context.Background(), host.Exec{}, Options{ISO: out, Out: filepath.Join(dir, "again.iso"), Cmdline: []string{"bee.x=1"}, TempDir: dir})
	if !IsUsage(err) || !strings.Contains(err.Error(), "already has a site layer") {
		t.Errorf("second customize: %v", err)
	}
}

// --bee alone (the Go-only rebuild) leaves SSH as the release has it: no whiteout.
func TestCustomizeBeeOnly(t *testing.T) {
	needTools(t)
	dir := t.TempDir()
	iso := tinyISO(t, dir)
	bee, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "dev.iso")
	res, err := Customize(context.Background(), host.Exec{}, Options{ISO: iso, Out: out, Bee: bee, TempDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range res.Layer.Entries {
		paths = append(paths, e.Path)
	}
	if strings.Join(paths, " ") != "/ /usr /usr/local /usr/local/bin /usr/local/bin/bee" {
		t.Errorf("layer: %v", paths)
	}
	in, err := Inspect(context.Background(), host.Exec{}, out, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !in.SSH.PasswordLogin || !in.OK() {
		t.Errorf("SSH %+v, OK %v", in.SSH, in.OK())
	}
}

// Inputs that must be refused before anything is written.
func TestCustomizeRefusals(t *testing.T) {
	needTools(t)
	dir := t.TempDir()
	iso := tinyISO(t, dir)
	notELF := filepath.Join(dir, "bee.sh")
	write(t, notELF, []byte("#!/bin/sh\n"), 0o755)
	garbage := filepath.Join(dir, "keys")
	write(t, garbage, []byte("root:$6$hash\n"), 0o644)
	empty := filepath.Join(dir, "empty")
	write(t, empty, []byte("# none\n"), 0o644)
	out := filepath.Join(dir, "out.iso")
	for name, o := range map[string]Options{
		"root shell cmdline": {Cmdline: []string{"init=/bin/sh"}},
		"live-config":        {Cmdline: []string{"live-config.noroot=0"}},
		"not ELF":            {Bee: notELF},
		"bad keys":           {AuthorizedKeys: garbage},
		"no keys":            {AuthorizedKeys: empty},
		"nothing":            {},
		"same file":          {Cmdline: []string{"bee.x=1"}},
	} {
		o.ISO, o.Out, o.TempDir = iso, out, dir
		if name == "same file" {
			o.Out = iso
		}
		_, err := Customize(context.Background(), host.Exec{}, o)
		if !IsUsage(err) {
			t.Errorf("%s: err %v, want a usage error", name, err)
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: %s was written", name, out)
		}
	}
}

// A layer put in /live by hand is inspected like any other: one that would
// replace /etc/shadow, or delete a file with a whiteout, is flagged.
func TestInspectFlagsForeignLayer(t *testing.T) {
	needTools(t)
	dir := t.TempDir()
	iso := tinyISO(t, dir)
	tree := filepath.Join(dir, "foreign")
	write(t, filepath.Join(tree, "etc/shadow"), []byte("root::1:0:99999:7:::\n"), 0o640)
	layer := filepath.Join(dir, "zz-foreign.squashfs")
	run(t, "mksquashfs", tree, layer, "-noappend", "-all-root", "-quiet", "-no-progress", "-p", "etc/passwd c 0644 0 0 0 0")
	out := filepath.Join(dir, "foreign.iso")
	run(t, "xorriso", "-indev", iso, "-outdev", out, "-boot_image", "any", "replay", "-map", layer, "/live/zz-foreign.squashfs",
		"-map", filepath.Join(tree, "etc"), "/live/zz-more.dir")
	in, err := Inspect(context.Background(), host.Exec{}, out, dir)
	if err != nil {
		t.Fatal(err)
	}
	if in.OK() || len(in.Layers) != 2 {
		t.Fatalf("inspection %+v", in)
	}
	flagged := map[string]string{}
	for _, p := range in.Layers[1].Problems {
		flagged[p.Path] = p.Reason
	}
	if !strings.Contains(flagged["/etc/shadow"], "outside") || !strings.Contains(flagged["/etc/passwd"], "whiteout") {
		t.Errorf("problems %+v", in.Layers[1].Problems)
	}
	if len(in.Unreadable) != 1 || in.Unreadable[0] != "/live/zz-more.dir" {
		t.Errorf("unreadable %v", in.Unreadable)
	}
}

// BenchmarkCustomizeRealISO times customize on a real bee ISO (BEE_ISO=path; skipped
// without it). Not a pass/fail test; docs/benchmarks.md has the measured time.
func BenchmarkCustomizeRealISO(b *testing.B) {
	iso := os.Getenv("BEE_ISO")
	if iso == "" {
		b.Skip("set BEE_ISO to a real bee ISO")
	}
	needTools(b)
	bee, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		out := filepath.Join(dir, "site.iso")
		_ = os.Remove(out)
		if _, err := Customize(context.Background(), host.Exec{}, Options{ISO: iso, Out: out, Bee: bee,
			AuthorizedKeys: filepath.Join("testdata", "test-ed25519.pub"), Cmdline: []string{"bee.sat=memory"}, TempDir: dir}); err != nil {
			b.Fatal(err)
		}
	}
}
