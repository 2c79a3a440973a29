package cli

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func runBee(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(append([]string{"bee"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestUploadUsage(t *testing.T) {
	for _, args := range [][]string{
		{"upload"},
		{"upload", "--status", "--once"},
		{"upload", "--once", "--device", "/dev/sdz1"},
		{"upload", "--status", "extra"},
	} {
		if code, _, _ := runBee(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, out, _ := runBee(t, "upload", "--help"); code != 0 || !strings.Contains(out, "docs/results.md") {
		t.Errorf("--help: %d %q", code, out)
	}
}

// The whole command with the store unreachable (a closed port on 127.0.0.1): --once
// spools both results and exits 1; --status shows them with the error; the secret from
// the config file is printed nowhere.
func TestUploadOnceStoreDownThenStatus(t *testing.T) {
	d := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg := filepath.Join(d, "upload.yaml")
	os.WriteFile(cfg, []byte("url: s3://bucket/fleet\nendpoint: http://"+addr+"\naccess_key: AK\nsecret_key: SECRET-xyz\n"), 0o600)
	cmdline := filepath.Join(d, "cmdline")
	os.WriteFile(cmdline, []byte("boot=live bee.upload.secret_key=CMDLINE-SECRET\n"), 0o644)
	audit, err := os.ReadFile("../results/testdata/bee-audit.json")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(d, "bee-audit.json"), audit, 0o644)
	os.Mkdir(filepath.Join(d, "sat"), 0o755)
	os.WriteFile(filepath.Join(d, "sat", "memory-S1-20261206T142854Z.tar.gz"), []byte("archive"), 0o644)
	common := []string{"--config", cfg, "--cmdline", cmdline, "--spool", filepath.Join(d, "spool"),
		"--audit", filepath.Join(d, "bee-audit.json"), "--sat-dir", filepath.Join(d, "sat")}

	code, out, errOut := runBee(t, append([]string{"upload", "--once"}, common...)...)
	if code != 1 || !strings.Contains(out, "bee upload: uploads: 2 pending, last error: ") || !strings.Contains(errOut, "not reachable") {
		t.Fatalf("--once: %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "bee.upload.secret_key= ignored") {
		t.Errorf("no warning about the command-line credential:\n%s", errOut)
	}
	code, status, _ := runBee(t, append([]string{"upload", "--status"}, common[:6]...)...)
	if code != 0 || !strings.Contains(status, "2 pending, 0 uploaded") || !strings.Contains(status, "bee-audit.json") ||
		!strings.Contains(status, "s3://bucket/fleet at http://"+addr) || !strings.Contains(status, "last error") {
		t.Fatalf("--status: %d\n%s", code, status)
	}
	for _, s := range []string{out, errOut, status} {
		if strings.Contains(s, "SECRET-xyz") || strings.Contains(s, "CMDLINE-SECRET") {
			t.Errorf("a secret was printed:\n%s", s)
		}
	}
	// Nothing configured: the daemon has nothing to do and says so, exit 0 (the unit
	// runs on every boot).
	code, out, _ = runBee(t, "upload", "--daemon", "--config", filepath.Join(d, "none.yaml"), "--cmdline", filepath.Join(d, "none"), "--spool", filepath.Join(d, "spool2"))
	if code != 0 || !strings.Contains(out, "no object store configured") {
		t.Errorf("--daemon unconfigured: %d %q", code, out)
	}
}

// bee upload --usb on a loop device labelled BEE-RESULTS (root + loop devices; skipped
// without them outside CI, BEE_REQUIRE_LOOP=1 fails instead): the console line, the
// status file for the menu, the files under /bee/<serial from the audit>/.
func TestUploadUSBOnLoopDevice(t *testing.T) {
	why := ""
	if os.Geteuid() != 0 {
		why = "not root"
	} else if _, err := os.Stat("/dev/loop-control"); err != nil {
		why = "no loop devices"
	}
	if why != "" {
		if os.Getenv("BEE_REQUIRE_LOOP") == "1" {
			t.Fatalf("BEE_REQUIRE_LOOP=1 but %s", why)
		}
		t.Skip(why)
	}
	d := t.TempDir()
	img := filepath.Join(d, "stick.img")
	os.WriteFile(img, nil, 0o600)
	os.Truncate(img, 16<<20)
	if out, err := exec.Command("mkfs.ext4", "-q", "-F", "-L", "BEE-RESULTS", img).CombinedOutput(); err != nil {
		t.Fatalf("mkfs: %v %s", err, out)
	}
	out, err := exec.Command("losetup", "--find", "--show", img).Output()
	if err != nil {
		t.Fatalf("losetup: %v", err)
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() { exec.Command("losetup", "-d", dev).Run() })

	audit, _ := os.ReadFile("../results/testdata/bee-audit.json")
	os.WriteFile(filepath.Join(d, "bee-audit.json"), audit, 0o644)
	os.Mkdir(filepath.Join(d, "sat"), 0o755)
	os.WriteFile(filepath.Join(d, "sat", "memory-S1-20261206T142854Z.tar.gz"), []byte("archive"), 0o644)
	status := filepath.Join(d, "run", "usb-results.status")
	mnt := filepath.Join(d, "mnt")
	code, stdout, stderr := runBee(t, "upload", "--usb", "--device", dev, "--audit", filepath.Join(d, "bee-audit.json"),
		"--sat-dir", filepath.Join(d, "sat"), "--mount-dir", mnt, "--usb-status-file", status)
	if code != 0 || stdout != "bee upload: results copied to USB: 2 files, safe to remove\n" {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	if b, _ := os.ReadFile(status); !strings.HasSuffix(string(b), " results copied to USB: 2 files, safe to remove\n") {
		t.Errorf("status file %q", b)
	}
	check := filepath.Join(d, "check")
	os.Mkdir(check, 0o755)
	if out, err := exec.Command("mount", "-o", "ro", dev, check).CombinedOutput(); err != nil {
		t.Fatalf("mount to check: %v %s", err, out)
	}
	defer exec.Command("umount", check).Run()
	for _, f := range []string{"bee-audit.json", "memory-S1-20261206T142854Z.tar.gz", "index.json"} {
		if _, err := os.Stat(filepath.Join(check, "bee", "S309085X0B18791", f)); err != nil {
			t.Errorf("on the stick: %v", err)
		}
	}
}

// bee upload and bee unattended read the store's settings the same way: the file,
// then bee.upload= of the kernel command line; a world-readable credentials file is
// a warning named after the command that read it.
func TestLoadUploadConfig(t *testing.T) {
	f := filepath.Join(t.TempDir(), "upload.yaml")
	if err := os.WriteFile(f, []byte("url: s3://from-file/p\nendpoint: http://127.0.0.1:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var w bytes.Buffer
	cfg, err := loadUploadConfig("bee unattended", f, []byte("quiet bee.upload=s3://from-cmdline/x\n"), &w)
	if err != nil || !cfg.Configured() || cfg.Bucket != "from-cmdline" {
		t.Errorf("config %+v, %v", cfg, err)
	}
	if !strings.HasPrefix(w.String(), "bee unattended: warning: "+f+" is readable by others") {
		t.Errorf("warnings %q", w.String())
	}
	if _, err := loadUploadConfig("bee upload", "", nil, &w); err == nil {
		t.Error("no file, no command line: configured")
	}
}
