package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestImageCommandUsage(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		out  string // in stdout (code 0) or stderr
	}{
		{[]string{"image"}, 2, "bee image customize"},
		{[]string{"image", "--help"}, 0, "bee image inspect ISO"},
		{[]string{"help", "image"}, 0, "bee image customize"},
		{[]string{"image", "frobnicate"}, 2, "unknown subcommand"},
		{[]string{"image", "customize", "--help"}, 0, "-authorized-keys FILE"},
		{[]string{"image", "customize"}, 2, "--iso and --out are required"},
		{[]string{"image", "customize", "--iso", "x.iso", "--out", filepath.Join(dir, "o.iso")}, 2, "nothing to add"},
		{[]string{"image", "customize", "--iso", "x.iso", "--out", filepath.Join(dir, "o.iso"), "--cmdline", "init=/bin/sh"}, 2, "refused"},
		{[]string{"image", "customize", "--iso", "x.iso", "--out", filepath.Join(dir, "o.iso"), "extra"}, 2, "unexpected argument"},
		{[]string{"image", "inspect"}, 2, "Usage: bee image inspect"},
		{[]string{"image", "inspect", "a.iso", "b.iso"}, 2, "Usage: bee image inspect"},
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
