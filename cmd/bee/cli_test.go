package main

// Whole-command tests of the command-line rules in docs/cli.md: output paths,
// Ctrl-C, replay completeness, help/usage streams and exit codes.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/schema"
)

// Device nodes, symlinks to them and FIFOs are refused up front and left as they are;
// --output - writes the JSON to stdout; a symlink to a regular file gets its target replaced.
func TestAuditOutputMustBeRegularFile(t *testing.T) {
	e := machine{name: "bare", files: baseFiles("bare", "1000000")}.setup(t)
	// The test's own nodes, never the machine's /dev/null: a buggy bee would replace them.
	fifo := filepath.Join(e.out, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	outs := []string{fifo, e.out, ""}
	if dev := devNull(t, e.out); dev != "" {
		link := filepath.Join(e.out, "null-link")
		os.Symlink(dev, link)
		outs = append(outs, dev, link)
	}
	for _, out := range outs {
		before, _ := os.Lstat(out)
		_, stderr, code := e.run("audit", "--root", e.root, "--output", out, "--no-qr")
		if code != 2 || !strings.Contains(stderr, "--output") {
			t.Errorf("--output %q: exit %d, stderr %q; want 2 naming --output", out, code, stderr)
		}
		if after, _ := os.Lstat(out); before != nil && (after == nil || after.Mode() != before.Mode()) {
			t.Errorf("--output %q: changed from %v to %v", out, before.Mode(), after)
		}
	}
	stdout, stderr, code := e.run("audit", "--root", e.root, "--output", "-")
	if code != 0 {
		t.Fatalf("--output -: exit %d: %s", code, stderr)
	}
	if err := schema.Validate([]byte(stdout)); err != nil {
		t.Errorf("--output -: stdout is not the audit JSON alone: %v\n%s", err, stdout)
	}
	if _, err := os.Stat(filepath.Join(e.out, "-")); err == nil {
		t.Error("--output - created a file named -")
	}
	target := filepath.Join(e.out, "real.json")
	os.WriteFile(target, []byte("old"), 0o644)
	ln := filepath.Join(e.out, "link.json")
	os.Symlink("real.json", ln)
	if _, stderr, code := e.run("audit", "--root", e.root, "--output", ln, "--no-qr"); code != 0 {
		t.Fatalf("symlink to a file: exit %d: %s", code, stderr)
	}
	if fi, err := os.Lstat(ln); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink itself was replaced")
	}
	if b, _ := os.ReadFile(target); schema.Validate(b) != nil {
		t.Errorf("symlink target not replaced by the audit: %.40q", b)
	}
}

// One rule for audit --output and sat --output-dir: the last folder is created, a
// missing parent is a usage error.
func TestOutputFolderRule(t *testing.T) {
	e := machine{name: "bare", files: baseFiles("bare", "1000000")}.setup(t)
	if _, stderr, code := e.run("audit", "--root", e.root, "--output", filepath.Join(e.out, "new", "a.json"), "--no-qr"); code != 0 {
		t.Errorf("audit into a missing last folder: exit %d: %s", code, stderr)
	}
	if _, stderr, code := e.run("audit", "--root", e.root, "--output", filepath.Join(e.out, "x", "y", "a.json")); code != 2 {
		t.Errorf("audit into a missing parent folder: exit %d (want 2): %s", code, stderr)
	}
	if _, stderr, code := e.run("sat", "storage", "--root", e.root, "--output-dir", filepath.Join(e.out, "p", "q")); code != 2 || !strings.Contains(stderr, "--output-dir") {
		t.Errorf("sat into a missing parent folder: exit %d (want 2): %s", code, stderr)
	}
	if _, stderr, code := e.run("sat", "storage", "--root", e.root, "--output-dir", "/dev/null"); code != 2 {
		t.Errorf("sat --output-dir /dev/null: exit %d (want 2): %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(e.out, "x")); err == nil {
		t.Error("a refused path left a folder behind")
	}
}

func TestUsageErrorsUpFront(t *testing.T) {
	e := machine{name: "bare", files: baseFiles("bare", "1000000")}.setup(t)
	out := filepath.Join(e.out, "a.json")
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"audit", "--root", "/nonexistent-bee-root", "--output", out}, "--root"},
		{[]string{"audit", "--root", e.root, "--output", out, "--runtime", "bogus"}, "--runtime"},
		{[]string{"audit", "--root", e.root, "--output", out, "--tool-timeout", "-5s"}, "--tool-timeout"},
		{[]string{"audit", "--root", e.root, "--output", out, "--tool-timeout", "0s"}, "--tool-timeout"},
		{[]string{"sat", "storage", "--root", e.root, "--output-dir", e.out, "--poll-interval", "-1s"}, "--poll-interval"},
		{[]string{"sat", "memory", "--root", e.root, "--output-dir", e.out, "--timeout", "0s"}, "--timeout"},
		{[]string{"sat", "nvidia", "--root", e.root, "--output-dir", e.out, "--bug-report-timeout", "-1m"}, "--bug-report-timeout"},
		{[]string{"sat", "memory", "--root", "/nonexistent-bee-root", "--output-dir", e.out}, "--root"},
		{[]string{"gpu-stress", "--grace", "-1s"}, "--grace"},
		// Found by TestCLIFuzz: reading the identity from a FIFO blocked forever.
		{[]string{"sat", "storage", "--root", e.root, "--output-dir", e.out, "--audit", fifo}, "--audit"},
	} {
		_, stderr, code := e.run(c.args...)
		if code != 2 || !strings.Contains(stderr, c.flag) {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming %s", c.args, code, stderr, c.flag)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a usage error wrote an audit")
	}
}

func TestHelpStreams(t *testing.T) {
	e := machine{name: "bare"}.setup(t)
	for _, args := range [][]string{{"--help"}, {"help"}, {"help", "audit"}, {"help", "sat"}, {"audit", "--help"},
		{"sat", "--help"}, {"sat", "memory", "--help"}, {"sat", "storage", "-h"}, {"sat", "nvidia", "--help"},
		{"tui", "--help"}, {"gpu-stress", "--help"}, {"image", "--help"}, {"help", "image"}, {"image", "inspect", "--help"},
		{"version", "--help"}} {
		stdout, stderr, code := e.run(args...)
		if code != 0 || !strings.Contains(stdout, "Usage") || stderr != "" {
			t.Errorf("%v: exit %d, stdout %.60q, stderr %q; want help on stdout, exit 0", args, code, stdout, stderr)
		}
		if strings.Contains(stdout, "SPEC") {
			t.Errorf("%v: help cites a SPEC that does not ship", args)
		}
	}
	// bee --help lists every subcommand.
	stdout, _, _ := e.run("--help")
	for _, sub := range []string{"audit", "profile", "tui", "sat", "image", "gpu-stress", "version"} {
		if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(sub) + `\s`).MatchString(stdout) {
			t.Errorf("bee --help does not list bee %s:\n%s", sub, stdout)
		}
	}
	for _, args := range [][]string{{}, {"help", "frob"}, {"frob"}, {"audit", "--frob"}, {"sat"}, {"sat", "frob"},
		{"sat", "memory", "--frob"}, {"tui", "--frob"}, {"gpu-stress", "--frob"}, {"image"}, {"image", "frob"},
		{"image", "inspect", "--frob"}, {"version", "x"}} {
		stdout, stderr, code := e.run(args...)
		if code != 2 || stdout != "" || stderr == "" {
			t.Errorf("%v: exit %d, stdout %.60q, stderr %.60q; want a usage error on stderr, exit 2", args, code, stdout, stderr)
		}
	}
}

// Ctrl-C during bee audit: exit 130, the previous audit intact, no temp file.
func TestAuditInterruptedKeepsPrevious(t *testing.T) {
	m := qemuVM(t).withCmd(fakeCmd{argv: []string{"ipmitool", "sdr", "elist"}, stdout: fixture("ipmitool", "qemu_ipmitool-sdr.txt"), sleep: time.Hour})
	e := m.setup(t)
	out := filepath.Join(e.out, "bee-audit.json")
	prev := []byte(`{"previous":true}` + "\n")
	os.WriteFile(out, prev, 0o644)
	cmd := exec.Command(beeBin, "audit", "--root", e.root, "--output", out)
	cmd.Env = e.environ()
	pr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the board collector is done: the audit is under way, ipmitool hangs.
	sc := bufio.NewScanner(pr)
	var seen []string
	for sc.Scan() {
		seen = append(seen, sc.Text())
		if strings.Contains(sc.Text(), "board") {
			break
		}
	}
	cmd.Process.Signal(os.Interrupt)
	for sc.Scan() {
		seen = append(seen, sc.Text())
	}
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d (%v), want 130; stderr:\n%s", code, err, strings.Join(seen, "\n"))
	}
	if b, _ := os.ReadFile(out); string(b) != string(prev) {
		t.Errorf("previous audit replaced by %.80q", b)
	}
	ents, _ := os.ReadDir(e.out)
	for _, en := range ents {
		if en.Name() != "bee-audit.json" {
			t.Errorf("left behind %s", en.Name())
		}
	}
}

// A capture that lacks files/ replays with the collectors that read them in error,
// naming a missing file; --capture into a non-empty folder is refused.
func TestReplayIncompleteCapture(t *testing.T) {
	e := gpuServer(t).setup(t)
	capDir := filepath.Join(e.out, "capture")
	auditOn(t, e, "--capture", capDir)
	os.RemoveAll(filepath.Join(capDir, "files"))
	out := filepath.Join(e.out, "replayed.json")
	if _, stderr, code := e.run("audit", "--replay", capDir, "--output", out, "--no-qr"); code != 0 {
		t.Fatalf("replay exit %d: %s", code, stderr)
	}
	b, _ := os.ReadFile(out)
	var a struct {
		Collectors []struct {
			Name   string  `json:"name"`
			Status string  `json:"status"`
			Error  *string `json:"error"`
		} `json:"collectors"`
	}
	json.Unmarshal(b, &a)
	for _, c := range a.Collectors {
		if c.Name == "memory" || c.Name == "pcie" {
			if c.Status != "error" || c.Error == nil || !strings.Contains(*c.Error, "not in the capture") {
				t.Errorf("collector %s = %s (%s), want error naming the file missing from the capture", c.Name, c.Status, s(c.Error))
			}
		}
	}
	_, stderr, code := e.run("audit", "--root", e.root, "--capture", capDir, "--output", out)
	if code != 2 || !strings.Contains(stderr, "not empty") {
		t.Errorf("--capture into a non-empty folder: exit %d, %s", code, stderr)
	}
}

// The console summary gives a reason for each collector that did not run cleanly.
func TestSummaryGivesReasons(t *testing.T) {
	e := dellR640(t).setup(t)
	_, stdout := auditOn(t, e, "--no-qr")
	if !strings.Contains(stdout, "psu skipped: ") || !strings.Contains(stdout, "nvidia skipped: ") {
		t.Errorf("summary lacks the reasons of skipped collectors:\n%s", stdout)
	}
}

// bee-audit.service must fail when the audit was not written (exit 1).
func TestISOUnitFailsWhenAuditNotWritten(t *testing.T) {
	b, err := os.ReadFile("../../iso/overlay/etc/systemd/system/bee-audit.service")
	if err != nil {
		t.Fatal(err)
	}
	success := map[int]bool{0: true}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "SuccessExitStatus="); ok {
			for _, f := range strings.Fields(v) {
				var n int
				if _, err := fmtSscan(f, &n); err == nil {
					success[n] = true
				}
			}
		}
	}
	e := qemuVM(t).setup(t)
	// /proc takes no new files, even for root: the audit cannot be written.
	_, stderr, code := e.run("audit", "--root", e.root, "--output", "/proc/bee-audit.json")
	if code == 0 || success[code] {
		t.Errorf("audit not written: exit %d (%s) counts as success for bee-audit.service (SuccessExitStatus)", code, stderr)
	}
}

func fmtSscan(s string, n *int) (int, error) { return fmt.Sscan(s, n) }

// devNull makes a character device like /dev/null (1,3) in dir; "" when mknod is not
// allowed (not root).
func devNull(t *testing.T, dir string) string {
	p := filepath.Join(dir, "null")
	if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Logf("no device node case: %v", err)
		return ""
	}
	return p
}
