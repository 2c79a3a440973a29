package image

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/parse/unsquashfs"
)

func readTD(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Fingerprints agree with what ssh-keygen -lf printed for the same files.
func TestAuthorizedKeysFingerprints(t *testing.T) {
	data := append(readTD(t, "test-ed25519.pub"), readTD(t, "test-rsa.pub")...)
	data = append([]byte("# site keys\n\n"), data...)
	data = append(data, []byte(`from="10.0.0.0/8",command="echo a b" `+string(readTD(t, "test-ed25519.pub")))...)
	keys, err := ParseAuthorizedKeys(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 {
		t.Fatalf("%d keys: %+v", len(keys), keys)
	}
	want := []Key{
		{Type: "ssh-ed25519", Fingerprint: "SHA256:yddAaQ6OehcxcR6uBsfT8oUNTKkC7933snPuZkndLpQ", Comment: "test@bee"},
		{Type: "ssh-rsa", Fingerprint: "SHA256:jLenRHf8TWxlMTlccImpG5bDAR3dqpttE+r9hfBWpx8", Comment: "rsa@bee"},
		{Type: "ssh-ed25519", Fingerprint: "SHA256:yddAaQ6OehcxcR6uBsfT8oUNTKkC7933snPuZkndLpQ", Comment: "test@bee", Options: `from="10.0.0.0/8",command="echo a b"`},
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Errorf("key %d = %+v, want %+v", i, keys[i], want[i])
		}
	}
}

func TestAuthorizedKeysRefusesGarbage(t *testing.T) {
	ed := strings.Fields(string(readTD(t, "test-ed25519.pub")))
	for name, line := range map[string]string{
		"private key":   "-----BEGIN OPENSSH PRIVATE KEY-----",
		"no base64":     "ssh-ed25519 not!base64 x",
		"type mismatch": "ssh-rsa " + ed[1] + " x",
		"no key":        `command="x"`,
		"password":      "root:$6$abc",
	} {
		if k, err := ParseAuthorizedKeys([]byte(line + "\n")); err == nil {
			t.Errorf("%s: accepted %+v", name, k)
		}
	}
}

func entriesOf(t *testing.T, listing string) []unsquashfs.Entry {
	t.Helper()
	es, err := unsquashfs.Parse([]byte(listing))
	if err != nil {
		t.Fatal(err)
	}
	return es
}

const goodLayer = `drwxr-xr-x 0/0 100 2026-12-06 15:50 squashfs-root
drwxr-xr-x 0/0 100 2026-12-06 15:50 squashfs-root/etc
drwxr-xr-x 0/0 100 2026-12-06 15:50 squashfs-root/etc/bee
drwxr-xr-x 0/0 100 2026-12-06 15:50 squashfs-root/etc/bee/profiles
-rw-r--r-- 0/0 100 2026-12-06 15:50 squashfs-root/etc/bee/profiles/a.yaml
-rw------- 0/0 100 2026-12-06 15:50 squashfs-root/etc/bee/upload.yaml
drwx------ 0/0 100 2026-12-06 15:50 squashfs-root/root
drwx------ 0/0 100 2026-12-06 15:50 squashfs-root/root/.ssh
-rw------- 0/0 100 2026-12-06 15:50 squashfs-root/root/.ssh/authorized_keys
drwxr-xr-x 0/0 100 2026-12-06 15:50 squashfs-root/usr
drwxr-xr-x 0/0 100 2026-12-06 15:50 squashfs-root/usr/local
drwxr-xr-x 0/0 100 2026-12-06 15:50 squashfs-root/usr/local/bin
-rwxr-xr-x 0/0 100 2026-12-06 15:50 squashfs-root/usr/local/bin/bee
drwxr-xr-x 0/0 100 2026-12-06 15:50 squashfs-root/usr/local/lib
drwxr-xr-x 0/0 100 2026-12-06 15:50 squashfs-root/usr/local/lib/bee
-rwxr-xr-x 0/0 100 2026-12-06 15:50 squashfs-root/usr/local/lib/bee/bee-network
`

func TestCheckAcceptsASiteLayer(t *testing.T) {
	if ps := Check(entriesOf(t, goodLayer)); len(ps) != 0 {
		t.Fatalf("refused: %v", ps)
	}
	// Hiding the password-login marker (whiteout) makes SSH key-only: accepted.
	hide := "c--------- 0/0 0,  0 2026-12-06 15:50 squashfs-root/etc/bee/ssh-password-fallback\n"
	if ps := Check(entriesOf(t, goodLayer+hide)); len(ps) != 0 {
		t.Fatalf("whiteout of the marker refused: %v", ps)
	}
}

// Each line added to the good layer must be refused, for the reason given.
func TestCheckRefusals(t *testing.T) {
	for _, c := range []struct{ line, path, reason string }{
		{"-rw-r--r-- 0/0 1 2026-12-06 15:50 squashfs-root/etc/shadow", "/etc/shadow", "outside"},
		{"-rw-r--r-- 0/0 1 2026-12-06 15:50 squashfs-root/etc/bee/ssh-password-fallback", "/etc/bee/ssh-password-fallback", "password login"},
		{"-rwxr-xr-x 0/0 1 2026-12-06 15:50 squashfs-root/usr/local/lib/bee/bee-sshsetup", "/usr/local/lib/bee/bee-sshsetup", "SSH login policy"},
		{"-rw-r--r-- 0/0 1 2026-12-06 15:50 squashfs-root/root/.ssh/rc", "/root/.ssh/rc", "outside"},
		{"-rw-r--r-- 0/0 1 2026-12-06 15:50 squashfs-root/root/.bashrc", "/root/.bashrc", "outside"},
		{"-rwxr-xr-x 0/0 1 2026-12-06 15:50 squashfs-root/usr/local/bin/sudo", "/usr/local/bin/sudo", "outside"},
		{"-rw-r--r-- 1000/1000 1 2026-12-06 15:50 squashfs-root/etc/bee/x.yaml", "/etc/bee/x.yaml", "not root"},
		{"-rw-rw-rw- 0/0 1 2026-12-06 15:50 squashfs-root/etc/bee/x.yaml", "/etc/bee/x.yaml", "writable"},
		{"-rwsr-xr-x 0/0 1 2026-12-06 15:50 squashfs-root/usr/local/lib/bee/x", "/usr/local/lib/bee/x", "setuid"},
		{"lrwxrwxrwx 0/0 1 2026-12-06 15:50 squashfs-root/etc/bee/l -> /etc/shadow", "/etc/bee/l", "symlink"},
		{"crw-r--r-- 0/0 0,  0 2026-12-06 15:50 squashfs-root/etc/bee/w", "/etc/bee/w", "whiteout"},
		{"crw-r--r-- 0/0 1,  3 2026-12-06 15:50 squashfs-root/etc/bee/ssh-password-fallback", "/etc/bee/ssh-password-fallback", "device"},
		{"prw-r--r-- 0/0 0 2026-12-06 15:50 squashfs-root/etc/bee/p", "/etc/bee/p", "fifo"},
	} {
		ps := Check(entriesOf(t, goodLayer+c.line+"\n"))
		found := false
		for _, p := range ps {
			if p.Path == c.path && strings.Contains(p.Reason, c.reason) {
				found = true
			}
		}
		if !found || len(ps) != 1 {
			t.Errorf("%s: problems %v, want one on %s about %q", c.line, ps, c.path, c.reason)
		}
	}
	// A layer directory replaces the base's mode in the merged tree.
	for _, c := range []struct{ from, to, path string }{
		{"drwx------ 0/0 100 2026-12-06 15:50 squashfs-root/root\n", "drwxr-xr-x 0/0 100 2026-12-06 15:50 squashfs-root/root\n", "/root"},
		{"drwx------ 0/0 100 2026-12-06 15:50 squashfs-root/root/.ssh\n", "drwxr-xr-x 0/0 100 2026-12-06 15:50 squashfs-root/root/.ssh\n", "/root/.ssh"},
		{"drwxr-xr-x 0/0 100 2026-12-06 15:50 squashfs-root/etc\n", "drwxrwxrwt 0/0 100 2026-12-06 15:50 squashfs-root/etc\n", "/etc"},
	} {
		ps := Check(entriesOf(t, strings.Replace(goodLayer, c.from, c.to, 1)))
		if len(ps) == 0 || ps[0].Path != c.path {
			t.Errorf("%s: problems %v", c.to, ps)
		}
	}
}

// The crafted layer of internal/parse/unsquashfs: every oddity is flagged.
func TestCheckCraftedForeignLayer(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "parse", "unsquashfs", "testdata", "crafted-foreign-layer.lln"))
	if err != nil {
		t.Fatal(err)
	}
	es, err := unsquashfs.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	flagged := map[string]bool{}
	for _, p := range Check(es) {
		flagged[p.Path] = true
	}
	for _, p := range []string{"/etc/whiteout", "/etc/fifo", "/etc/bee/link", "/usr/local/bin/bee", "/root/file-of-1000"} {
		if !flagged[p] {
			t.Errorf("%s not flagged (flagged: %v)", p, flagged)
		}
	}
	if flagged["/root/.ssh/authorized_keys"] || flagged["/etc/bee/profiles/with space.yaml"] {
		t.Errorf("acceptable entries flagged: %v", flagged)
	}
}

func TestCheckCmdline(t *testing.T) {
	for _, ok := range [][]string{{"bee.sat=memory"}, {"bee.profile=smc-4029gp", "console=ttyS1,115200n8"}, {"nomodeset"}} {
		if err := CheckCmdline(ok); err != nil {
			t.Errorf("%v refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"init=/bin/sh", "single", "systemd.unit=rescue.target", "break=premount",
		"systemd.debug_shell", "live-config.hooks=x", "module=x", "bee.x=$(reboot)", "bee.x=a;b", `bee.x="a"`, "bee.x={a}", "bee.", ""} {
		if err := CheckCmdline([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The real ISO's menus: the live entries get the settings, nothing else changes.
func TestAddCmdlineRealMenus(t *testing.T) {
	isolinux := readTD(t, "isolinux-live.cfg")
	got, n := AddCmdline(isolinux, "append", []string{"bee.sat=memory", "net.ifnames=0"})
	if n != 1 {
		t.Fatalf("isolinux: %d entries changed", n)
	}
	want := strings.Replace(string(isolinux), "net.ifnames=1 console=tty0 console=ttyS0,115200n8\n",
		"net.ifnames=0 console=tty0 console=ttyS0,115200n8 bee.sat=memory\n", 1)
	if string(got) != want {
		t.Errorf("isolinux:\n%s\nwant\n%s", got, want)
	}

	grub := readTD(t, "grub.cfg")
	got, n = AddCmdline(grub, "linux", []string{"bee.sat=memory"})
	if n != 1 {
		t.Fatalf("grub: %d entries changed", n)
	}
	want = strings.Replace(string(grub), "console=ttyS0,115200n8 findiso=${iso_path}\n\tinitrd",
		"console=ttyS0,115200n8 bee.sat=memory findiso=${iso_path}\n\tinitrd", 1)
	if string(got) != want {
		t.Errorf("grub:\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(string(got), "\tlinux\t/live/vmlinuz-6.1.0-56-amd64 boot=live") {
		t.Errorf("grub: the tab after linux was lost:\n%s", got)
	}
	// The commented example entry stays as it was.
	if !strings.Contains(string(got), "# linux /live/vmlinuz-6.1.0-56-amd64 boot=live components quiet live-config.username=bee live-config.hostname=bee live-config.noroot net.ifnames=1 console=tty0 console=ttyS0,115200n8 findiso=${iso_path} custom options here") {
		t.Error("grub: the commented example changed")
	}
	if lines := KernelLines(got, "linux"); len(lines) != 1 || !strings.HasSuffix(lines[0], "bee.sat=memory findiso=${iso_path}") {
		t.Errorf("KernelLines = %q", lines)
	}
	// The EFI image's own grub.cfg has no kernel line: nothing to extend there.
	if _, n := AddCmdline(readTD(t, "efi-img-grub.cfg"), "linux", []string{"bee.sat=memory"}); n != 0 {
		t.Errorf("efi.img grub.cfg: %d entries", n)
	}
}

func TestUpdateSums(t *testing.T) {
	old := readTD(t, "sha256sum.txt")
	layer := filepath.Join(t.TempDir(), "layer")
	if err := os.WriteFile(layer, []byte("layer"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := updateSums(old, map[string][]byte{"/live/" + LayerName: nil, "/isolinux/live.cfg": []byte("cfg")}, layer)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	oldLines := strings.Split(strings.TrimSuffix(string(old), "\n"), "\n")
	if len(lines) != len(oldLines)+1 {
		t.Fatalf("%d lines, had %d", len(lines), len(oldLines))
	}
	has := func(s string) bool { return strings.Contains(string(got), s) }
	sum := func(s string) string { return fmt.Sprintf("%x", sha256.Sum256([]byte(s))) }
	if lines[len(lines)-1] != sum("layer")+"  ./live/"+LayerName {
		t.Errorf("last line %q, want the layer's", lines[len(lines)-1])
	}
	if has("d35f1e9d1225d1ee91209c6eb9aa40ae6eb981c3b948aee0c6aa2ea6a789ad10  ./isolinux/live.cfg") || !has(sum("cfg")+"  ./isolinux/live.cfg\n") {
		t.Error("live.cfg's hash not replaced")
	}
	if !has("26f2e57c99338feaf71c46fa4babdc7e1a6c115943002d109fdb746667104f5f  ./live/vmlinuz\n") {
		t.Error("lines lost")
	}
}

// The menus of the iso branch's templates: two live entries each (console on ttyS0
// or ttyS1), two console= each. Both entries get the settings; console= is added,
// never put in place of one of the two.
func TestAddCmdlineTwoEntries(t *testing.T) {
	isolinux := "label live-amd64\n\tmenu label ^bee live system (amd64)\n\tmenu default\n\tlinux /live/vmlinuz\n\tinitrd /live/initrd.img\n" +
		"\tappend boot=live components quiet console=tty0 console=ttyS0,115200n8\n\n" +
		"label live-amd64-ttyS1\n\tmenu label bee live system, serial console on ttyS^1 (COM2)\n\tlinux /live/vmlinuz\n\tinitrd /live/initrd.img\n" +
		"\tappend boot=live components quiet console=tty0 console=ttyS1,115200n8\n"
	got, n := AddCmdline([]byte(isolinux), "append", []string{"bee.sat=memory", "console=ttyS2,9600", "quiet"})
	if n != 2 {
		t.Fatalf("%d entries changed", n)
	}
	lines := KernelLines(got, "append")
	want := []string{
		"boot=live components quiet console=tty0 console=ttyS0,115200n8 bee.sat=memory console=ttyS2,9600",
		"boot=live components quiet console=tty0 console=ttyS1,115200n8 bee.sat=memory console=ttyS2,9600",
	}
	if len(lines) != 2 || lines[0] != want[0] || lines[1] != want[1] {
		t.Errorf("got\n%q\nwant\n%q", lines, want)
	}
	grub := "menuentry \"bee live system (amd64)\" --hotkey=l {\n\tlinux\t/live/vmlinuz boot=live quiet bee.sat=none console=tty0 console=ttyS0,115200n8\n\tinitrd\t/live/initrd.img\n}\n"
	got, n = AddCmdline([]byte(grub), "linux", []string{"bee.sat=memory"})
	if n != 1 || !strings.Contains(string(got), "\tlinux\t/live/vmlinuz boot=live quiet bee.sat=memory console=tty0 console=ttyS0,115200n8\n") {
		t.Errorf("grub:\n%s", got)
	}
}
