package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSatAuditDevZero: `bee sat --audit /dev/zero` neither reads without end
// (memory) nor hangs: the file is refused as no bee audit, the test goes on
// without it and says why in its summary. The whole run is bounded by a
// timeout and a 2 GiB address-space limit, so a reader that slurps the
// device fails this test instead of the machine.
func TestSatAuditDevZero(t *testing.T) {
	e := machine{name: "empty", files: map[string]string{"/proc/sys/kernel/hostname": "bee-test\n"}}.setup(t)
	out := filepath.Join(e.out, "sat")
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", `ulimit -v 2097152; exec "$@"`, "sh",
		beeBin, "sat", "storage", "--audit", "/dev/zero", "--output-dir", out, "--root", e.root)
	cmd.Env = []string{"PATH=" + e.pathDir, "BEE_FAKE_DIR=" + e.fakeDir, "HOME=" + e.out}
	b, _ := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("bee sat --audit /dev/zero did not finish in 120 s:\n%s", b)
	}
	text := string(b)
	if !strings.Contains(text, "audit not used: /dev/zero is not a bee audit") || !strings.Contains(text, "archive: ") {
		t.Errorf("bee sat does not say the audit was not used, or wrote no archive:\n%s", text)
	}
}
