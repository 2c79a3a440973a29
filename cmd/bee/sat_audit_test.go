package main

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSatAuditDevZero: `bee sat --audit /dev/zero` neither reads without end
// (memory) nor hangs: a device is refused up front as a usage error naming the
// flag (exit 2, nothing run, no archive: docs/cli.md). The whole run is bounded by a
// timeout and a 2 GiB address-space limit, so a reader that slurps the
// device fails this test instead of the machine.
func TestSatAuditDevZero(t *testing.T) {
	e := machine{name: "empty", files: map[string]string{"/proc/sys/kernel/hostname": "bee-test\n"}}.setup(t)
	out := filepath.Join(e.out, "sat")
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", `ulimit -v 2097152; exec "$@"`, "sh",
		beeBin, "sat", "storage", "--audit", "/dev/zero", "--output-dir", out, "--root", e.root)
	cmd.Env = e.environ()
	b, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("bee sat --audit /dev/zero did not finish in 120 s:\n%s", b)
	}
	text := string(b)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(text, "--audit /dev/zero is not a regular file") {
		t.Errorf("bee sat --audit /dev/zero: want exit 2 naming the flag, got %v:\n%s", err, text)
	}
	if strings.Contains(text, "archive: ") {
		t.Errorf("bee sat wrote an archive after a usage error:\n%s", text)
	}
}
