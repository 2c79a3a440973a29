package main

// Whole-command tests of `bee sat`: the real bee binary, fake tools replaying real
// captures (see harness_test.go).

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/audit"
)

// satManifest is the part of an archive's manifest.json these tests read.
type satManifest struct {
	Verdict string `json:"verdict"`
	Reasons []struct {
		Severity  string `json:"severity"`
		Component string `json:"component"`
		Step      string `json:"step"`
		Message   string `json:"message"`
	} `json:"reasons"`
	Steps []struct {
		Name     string   `json:"name"`
		Argv     []string `json:"argv"`
		Status   string   `json:"status"`
		ExitCode *int     `json:"exit_code"`
		Message  string   `json:"message"`
	} `json:"steps"`
	Counters struct {
		Increases []struct {
			Key string `json:"key"`
		} `json:"increases"`
		Unmatched []string `json:"unmatched"`
	} `json:"counters"`
	Results json.RawMessage `json:"results"`
}

// runSat runs `bee sat <args>` on the machine, with its output directory, root and an
// audit file for the identity (as bee audit leaves at boot), and reads the archive it
// names on its last line.
func runSat(t *testing.T, e *env, args ...string) (*satManifest, int, string) {
	t.Helper()
	auditPath := filepath.Join(e.out, "bee-audit.json")
	sn := "SATSN0001"
	a := &audit.Audit{SchemaVersion: audit.SchemaVersion, StartedAt: "2026-12-06T14:00:00Z"}
	a.Hardware.System = &audit.System{SerialNumber: &sn}
	a.Hardware.Summary.Verdict = audit.VerdictPass
	if _, err := audit.WriteFile(auditPath, a); err != nil {
		t.Fatal(err)
	}
	full := append([]string{"sat", args[0], "--output-dir", filepath.Join(e.out, "sat"), "--root", e.root,
		"--audit", auditPath}, args[1:]...)
	stdout, stderr, code := e.run(full...)
	t.Logf("bee %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(full, " "), code, stdout, stderr)
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "archive: ") {
		t.Fatalf("last line of stdout %q, want archive: <path>", last)
	}
	f, err := os.Open(strings.TrimPrefix(last, "archive: "))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("no manifest.json in the archive: %v", err)
		}
		if strings.HasSuffix(h.Name, "/manifest.json") {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			var m satManifest
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			return &m, code, stdout
		}
	}
}

func (m *satManifest) reasons() string {
	var b strings.Builder
	for _, r := range m.Reasons {
		b.WriteString(r.Severity + " " + r.Component + ": " + r.Message + "\n")
	}
	return b.String()
}

// Issue 8: bee sat nvidia runs bee-gpu-stress as this very binary (`bee gpu-stress`), so
// it no longer needs a bee-gpu-stress link on PATH (the ISO has none: the run used to
// fail "bee-gpu-stress not found on PATH"). Here the machine has nvidia-smi (real
// captures of a 2x RTX A5000) but no libcuda, so the real gpu-stress reports that.
func TestSatNvidiaRunsItsOwnGPUStress(t *testing.T) {
	xml := fixture("nvidiasmi", "2x-rtx-a5000_q-x_v13.xml")
	m := machine{name: "gpu-no-libcuda", cmds: []fakeCmd{
		{argv: []string{"nvidia-smi", "-q"}, stdout: fixture("nvidiasmi", "lambda-vector_2x-rtx-a6000_q.txt")},
		{argv: []string{"nvidia-smi", "-q", "-x"}, stdout: xml},
		{argv: []string{"nvidia-smi", "--query-gpu=index,pci.bus_id,temperature.gpu,power.draw,clocks_event_reasons.active," +
			"pcie.link.gen.current,pcie.link.width.current", "--format=csv,noheader,nounits", "-lms", "1000"}},
		// The kernel log and the NVLink counters, before and after the stress: nothing new,
		// no NVLink.
		{argv: []string{"journalctl", "-k", "-o", "short-monotonic", "--no-pager"}, stdout: fixture("kmsg", "h100-node_dmesg-decode-iso_clean-boot.txt")},
		{argv: []string{"nvidia-smi", "nvlink", "-e"}, stdout: fixture("nvidiasmi", "nvlink/a10_nvlink-status_empty-output.txt")},
	}, files: baseFiles("gpu-no-libcuda", "3026712")}
	e := m.setup(t)
	man, code, _ := runSat(t, e, "nvidia", "--duration", "1s", "--bug-report=false")
	if code != 1 || man.Verdict != "fail" {
		t.Errorf("exit %d verdict %s, want 1 fail", code, man.Verdict)
	}
	var stress bool
	for _, st := range man.Steps {
		if st.Name != "bee-gpu-stress" {
			continue
		}
		stress = true
		if len(st.Argv) < 2 || st.Argv[0] != beeBin || st.Argv[1] != "gpu-stress" || st.ExitCode == nil {
			t.Errorf("bee-gpu-stress step: argv %q exit %v, want %s gpu-stress ... run to its end", st.Argv, st.ExitCode, beeBin)
		}
	}
	if !stress {
		t.Error("no bee-gpu-stress step")
	}
	r := man.reasons()
	if strings.Contains(r, "not found on PATH") || !strings.Contains(r, "no GPU tested: ") {
		t.Errorf("reasons:\n%s", r)
	}
	if n := strings.Count(r, "no GPU tested"); n != 1 {
		t.Errorf("the cause is listed %d times:\n%s", n, r)
	}
}

// vmStorage is the emulated machine of the ISO's VM test as `bee sat storage` saw it
// (testdata/vm-sat-storage, real captures: see its PROVENANCE.md): an AHCI SATA disk sda
// that never ran a self-test, and a QEMU NVMe controller that cannot self-test. poll and
// after are sda's self-test poll answer and its smartctl -x after the test.
func vmStorage(poll, after string, pollExit, afterExit int) machine {
	d := func(name string) string {
		_, file, _, _ := runtime.Caller(0)
		return filepath.Join(filepath.Dir(file), "testdata", "vm-sat-storage", name)
	}
	return machine{name: "vm-test-bios", cmds: []fakeCmd{
		{argv: lsblkArgv, stdout: d("02-lsblk.stdout")},
		// Same argv before and after the test: answered in this order.
		{argv: []string{"smartctl", "-j", "-x", "/dev/sda"}, stdout: d("03-smartctl-before-sda.stdout"), exit: 4},
		{argv: []string{"smartctl", "-j", "-x", "/dev/sda"}, stdout: d(after), exit: afterExit},
		{argv: []string{"smartctl", "-j", "-x", "/dev/nvme0"}, stdout: d("04-smartctl-before-nvme0n1.stdout")},
		{argv: []string{"smartctl", "-j", "-x", "/dev/nvme0"}, stdout: d("13-smartctl-after-nvme0n1.stdout")},
		// The run's smart-log and error-log answers were the same bytes before and after
		// the test, and its smart-log the same bytes as the parser's QEMU capture: each is
		// stored once (see the PROVENANCE.md).
		{argv: []string{"nvme", "smart-log", "/dev/nvme0", "-o", "json"}, stdout: fixture("nvme", "qemu/nvme-smart-log.json")},
		{argv: []string{"nvme", "error-log", "/dev/nvme0", "-o", "json"}, stdout: d("06-nvme-error-log-nvme0n1.stdout")},
		{argv: []string{"nvme", "id-ctrl", "/dev/nvme0", "-o", "json"}, stdout: d("07-nvme-id-ctrl-nvme0n1.stdout")},
		{argv: []string{"smartctl", "-t", "short", "/dev/sda"}, stdout: d("10-selftest-start-sda.stdout")},
		{argv: []string{"smartctl", "-j", "-a", "/dev/sda"}, stdout: d(poll), exit: pollExit},
		// bee's own sticks: not in the recorded run (bee did not look for them then);
		// answered "no device with the label" (blkid's exit 2, no output).
		{argv: []string{"blkid", "-o", "export", "-t", "LABEL=BEE"}, exit: 2},
		{argv: []string{"blkid", "-o", "export", "-t", "LABEL=BEE-RESULTS"}, exit: 2},
	}, files: baseFiles("bee", "1992532")}
}

// Issue 17: the exact run of the ISO's VM test, replayed. sda's self-test log is empty
// before the test ("count": 0, no error_count_total) and holds bee's passed short test
// after: 0 errors both times. The run used to end WARNING ("disk/sda/self_test_error_count
// (not read before the test)"); two healthy disks must pass. The NVMe that cannot
// self-test is a note in the results, not a reason.
func TestSatStorageVMTestHealthyDisksPass(t *testing.T) {
	e := vmStorage("11-selftest-poll-sda.stdout", "14-smartctl-after-sda.stdout", 0, 4).setup(t)
	man, code, stdout := runSat(t, e, "storage", "--poll-interval", "10ms", "--selftest-timeout", "4m")
	if code != 0 || man.Verdict != "pass" || len(man.Reasons) != 0 || len(man.Counters.Unmatched) != 0 {
		t.Errorf("exit %d verdict %s unmatched %q reasons:\n%s", code, man.Verdict, man.Counters.Unmatched, man.reasons())
	}
	for _, want := range []string{"self-test passed: Completed without error", "self-test not_supported: the controller does not support the device self-test"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
}

// The same run where the short self-test fails (constructed from the real captures): the
// log gains a failed entry, and the run fails for it.
func TestSatStorageVMTestSelfTestFails(t *testing.T) {
	e := vmStorage("constructed/11-selftest-poll-sda_read-failure.json", "constructed/14-smartctl-after-sda_read-failure.json", 128, 132).setup(t)
	man, code, _ := runSat(t, e, "storage", "--poll-interval", "10ms", "--selftest-timeout", "4m")
	r := man.reasons()
	if code != 1 || man.Verdict != "fail" || !strings.Contains(r, "failure disk sda: short self-test failed: Completed: read failure") ||
		!strings.Contains(r, "failure disk sda: disk/sda/self_test_error_count rose from 0 to 1 during the test") || len(man.Counters.Unmatched) != 0 {
		t.Errorf("exit %d verdict %s unmatched %q reasons:\n%s", code, man.Verdict, man.Counters.Unmatched, r)
	}
}
