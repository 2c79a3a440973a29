package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImageNetbootUsage(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"image", "netboot", "--help"}, 0, "-base-url URL"},
		{[]string{"image", "--help"}, 0, "bee image netboot --iso"},
		{[]string{"image", "netboot"}, 2, "--iso and --out are required"},
		{[]string{"image", "netboot", "--iso", "x.iso", "--out", notDir}, 2, "is not a directory"},
		{[]string{"image", "netboot", "--iso", "x.iso", "--out", dir, "--base-url", "tftp://h/"}, 2, "give an http:// URL"},
		{[]string{"image", "netboot", "--iso", "x.iso", "--out", dir, "--cmdline", "fetch=http://h/x.squashfs"}, 2, "refused"},
		{[]string{"image", "netboot", "--iso", "x.iso", "--out", dir, "extra"}, 2, "unexpected argument"},
	} {
		var stdout, stderr bytes.Buffer
		code := Main(append([]string{"bee"}, c.args...), &stdout, &stderr)
		got := stderr.String()
		if c.code == 0 {
			got = stdout.String()
		}
		if code != c.code || !strings.Contains(got, c.out) {
			t.Errorf("bee %v: exit %d, want %d; output %q lacks %q", c.args, code, c.code, got, c.out)
		}
	}
}

// bee unattended on a fake root: a bad value exits 2 with the message on stdout (the
// console), nothing asked exits 0 silently. No command can run: PATH is empty.
func TestUnattendedCommand(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, c := range []struct {
		cmdline string
		code    int
		out     string
	}{
		{"boot=live bee.sat=memory,gpu bee.done=poweroff", 2, `"gpu" is not one of memory, storage, nvidia — nothing run, no power action`},
		{"boot=live bee.done=sleep", 2, "bee.done=sleep: not one of poweroff, reboot, stay"},
		{"boot=live quiet", 0, ""},
	} {
		root := t.TempDir()
		if err := os.MkdirAll(filepath.Join(root, "proc"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "proc/cmdline"), []byte(c.cmdline+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		code := Main([]string{"bee", "unattended", "--root", root, "--config", filepath.Join(root, "upload.yaml"),
			"--spool", filepath.Join(root, "spool"), "--audit", filepath.Join(root, "a.json"), "--sat-dir", filepath.Join(root, "sat")}, &stdout, &stderr)
		if code != c.code || !strings.Contains(stdout.String(), c.out) || (c.out == "" && stdout.Len() > 0) {
			t.Errorf("%s: exit %d, want %d; stdout %q, want %q; stderr %q", c.cmdline, code, c.code, stdout.String(), c.out, stderr.String())
		}
	}
}
