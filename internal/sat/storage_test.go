package sat

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/audit"
)

// qemuStorage is the emulated machine of the ISO's VM test (real captures, see
// testdata/PROVENANCE.md): an AHCI SATA disk sda that can self-test and a QEMU NVMe
// controller nvme0 that cannot (OACS bit 4 clear). sdaPolls are the answers to the
// self-test polls of sda, in order.
func qemuStorage(t *testing.T, sdaPolls ...string) fakeScenario {
	c := func(name string) string { return td(t, "constructed/"+name) }
	poll := cmd("smartctl", "-j", "-a", "/dev/sda")
	for _, p := range sdaPolls {
		poll = poll.Replay(c(p), 4)
	}
	return fakeScenario{Commands: []fakeCommand{
		cmd("lsblk", "-J", "-b", "-o", audit.LsblkColumns).Replay(capture(t, "lsblk", "qemu/lsblk.json"), 0),
		cmd("smartctl", "-j", "-x", "/dev/sda").Replay(capture(t, "smartctl", "qemu/smartctl-sda.json"), 4),
		cmd("smartctl", "-j", "-x", "/dev/nvme0").Replay(capture(t, "smartctl", "qemu/smartctl-nvme0.json"), 0),
		cmd("nvme", "smart-log", "/dev/nvme0", "-o", "json").Replay(capture(t, "nvme", "qemu/nvme-smart-log.json"), 0),
		cmd("nvme", "error-log", "/dev/nvme0", "-o", "json").Replay(c("nvme-cli-2.3_error-log_no-errors.json"), 0),
		cmd("nvme", "id-ctrl", "/dev/nvme0", "-o", "json").Replay(capture(t, "nvme", "qemu/nvme-id-ctrl.json"), 0),
		cmd("smartctl", "-t", "short", "/dev/sda").Replay(c("smartctl-7.3_t-short_ata_begun.txt"), 0),
		poll,
	}}
}

// newStorageFake is newFake for bee sat storage: blkid finds none of bee's own sticks
// (no device with the label: exit 2, no output), whenever asked.
func newStorageFake(t *testing.T, sc fakeScenario) *fake {
	t.Helper()
	sc.Commands = append(slices.Clone(sc.Commands),
		cmd("blkid", "-o", "export", "-t", "LABEL=BEE").Answer(fakeResponse{Exit: 2}).MayRun(),
		cmd("blkid", "-o", "export", "-t", "LABEL=BEE-RESULTS").Answer(fakeResponse{Exit: 2}).MayRun())
	return newFake(t, sc)
}

func TestStorageQEMUPass(t *testing.T) {
	m := newMachine(t)
	f := newStorageFake(t, qemuStorage(t, "smartctl-7.3_j-a_sda_selftest-in-progress.json", "smartctl-7.3_j-a_sda_selftest-passed.json"))
	code := m.run(f, "storage", "--poll-interval", "10ms")
	tb := readArchive(t, m.archive())
	if code != ExitPass || tb.man.Verdict != VerdictPass {
		t.Fatalf("exit %d verdict %s reasons %s", code, tb.man.Verdict, tb.reasons())
	}
	res := tb.raw["results"].(map[string]any)["disks"].([]any)
	if len(res) != 2 {
		t.Fatalf("disks %v (loop0 and sr0 must be left out)", res)
	}
	// lsblk.Disks orders them: nvme0n1, sda.
	nv, sda := res[0].(map[string]any), res[1].(map[string]any)
	if sda["name"] != "sda" || sda["self_test"].(map[string]any)["outcome"] != stPassed || sda["self_test"].(map[string]any)["polls"] != 2.0 {
		t.Errorf("sda %v", sda)
	}
	if nv["name"] != "nvme0n1" || nv["self_test"].(map[string]any)["outcome"] != stNotSupported || nv["nvme_controller"] != "/dev/nvme0" {
		t.Errorf("nvme0n1 %v", nv)
	}
	// The unsupported self-test is recorded as skipped, with the reason.
	if st := tb.step(t, "selftest-start-nvme0n1"); st.Status != StatusSkipped || !strings.Contains(st.Message, "OACS") && !strings.Contains(st.Message, "does not support") {
		t.Errorf("nvme self-test step %+v", st)
	}
	if st := tb.step(t, "nvme-self-test-log-before-nvme0n1"); st.Status != StatusSkipped {
		t.Errorf("self-test-log of a controller without self-test: %+v", st)
	}
	// Raw outputs byte for byte.
	st := tb.step(t, "smartctl-before-sda")
	if !bytes.Equal(tb.output(t, st, ".stdout"), fileBytes(t, capture(t, "smartctl", "qemu/smartctl-sda.json"))) || *st.ExitCode != 4 || st.Status != StatusOK {
		t.Errorf("smartctl-before-sda %+v", st)
	}
	// SMART counters were compared (sda's ATA attributes, nvme0's health log).
	keys := map[string]bool{}
	for _, c := range tb.man.Counters.Before.Counters {
		keys[c.Key] = true
	}
	for _, k := range []string{"disk/sda/reallocated_sectors", "disk/nvme0n1/media_errors", "disk/nvme0n1/nvme_media_errors", "pcie/0000:00:1c.0/aer_fatal"} {
		if !keys[k] {
			t.Errorf("counter %s not read (have %v)", k, keys)
		}
	}
	if len(tb.man.Counters.Unmatched) != 0 || len(tb.man.Counters.Increases) != 0 {
		t.Errorf("counters %+v", tb.man.Counters)
	}
	// Never a write command: the only smartctl/nvme commands are reads and the self-test.
	for _, argv := range f.calls() {
		line := strings.Join(argv, " ")
		for _, bad := range []string{"dd ", "badblocks", "format", "sanitize", "write", "-X"} {
			if strings.Contains(line, bad) {
				t.Errorf("command %q", line)
			}
		}
	}
}

// Issue 17: a new SATA drive that never ran a self-test has an empty self-test log
// before the test (smartctl prints "count": 0 and no error_count_total) and one entry
// with error_count_total 0 after. That is 0 errors both times, not a counter "not read
// before the test" (which made every new drive a warning).
func TestStorageEmptySelfTestLogBeforeIsZero(t *testing.T) {
	m := newMachine(t)
	sc := qemuStorage(t, "smartctl-7.3_j-a_sda_selftest-in-progress.json", "smartctl-7.3_j-a_sda_selftest-passed.json")
	// Before: the real capture (empty log). After: the log with bee's passed short test.
	sc.Commands[1] = sc.Commands[1].Replay(td(t, "constructed/smartctl-7.3_x_sda_after-short-passed.json"), 4)
	f := newStorageFake(t, sc)
	code := m.run(f, "storage", "--poll-interval", "10ms")
	tb := readArchive(t, m.archive())
	if code != ExitPass || len(tb.man.Counters.Unmatched) != 0 {
		t.Fatalf("exit %d unmatched %v reasons %s", code, tb.man.Counters.Unmatched, tb.reasons())
	}
	n := 0
	for _, snap := range []*Snapshot{tb.man.Counters.Before, tb.man.Counters.After} {
		for _, c := range snap.Counters {
			if c.Key == "disk/sda/self_test_error_count" && c.Value == 0 {
				n++
			}
		}
	}
	if n != 2 {
		t.Errorf("disk/sda/self_test_error_count 0 in %d of the 2 snapshots", n)
	}
}

// The same drive whose short self-test fails: its log gains a failed entry, the error
// count rises from 0 to 1, and the run fails.
func TestStorageEmptySelfTestLogGainsFailure(t *testing.T) {
	m := newMachine(t)
	failed := "smartctl-7.3_j-a_sda_selftest-read-failure.json"
	sc := qemuStorage(t, failed)
	sc.Commands[1] = sc.Commands[1].Replay(td(t, "constructed/smartctl-7.3_x_sda_after-short-read-failure.json"), 132)
	f := newStorageFake(t, sc)
	if code := m.run(f, "storage", "--poll-interval", "10ms"); code != ExitFail {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	if !tb.hasReason(SeverityFailure, "short self-test failed", "read failure") ||
		!tb.hasReason(SeverityFailure, "disk/sda/self_test_error_count rose from 0 to 1") || len(tb.man.Counters.Unmatched) != 0 {
		t.Errorf("reasons %s unmatched %v", tb.reasons(), tb.man.Counters.Unmatched)
	}
}

func TestStorageSelfTestFails(t *testing.T) {
	m := newMachine(t)
	f := newStorageFake(t, qemuStorage(t, "smartctl-7.3_j-a_sda_selftest-read-failure.json"))
	if code := m.run(f, "storage", "--poll-interval", "10ms"); code != ExitFail {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	if !tb.hasReason(SeverityFailure, "short self-test failed", "read failure") {
		t.Errorf("reasons %s", tb.reasons())
	}
}

func TestStorageSelfTestBound(t *testing.T) {
	m := newMachine(t)
	f := newStorageFake(t, qemuStorage(t, "smartctl-7.3_j-a_sda_selftest-in-progress.json"))
	start := time.Now()
	code := m.run(f, "storage", "--poll-interval", "100ms", "--selftest-timeout", "700ms")
	if el := time.Since(start); el > 30*time.Second {
		t.Errorf("took %s", el)
	}
	tb := readArchive(t, m.archive())
	if code != ExitWarning || !tb.hasReason(SeverityWarning, "incomplete", "90% remaining") {
		t.Errorf("exit %d reasons %s", code, tb.reasons())
	}
}

func TestStorageNoNewSelfTestEntry(t *testing.T) {
	// The drive says the test began, but the log shows nothing newer than before: not a
	// pass (the samsung-840 -x capture as both the before state and the poll answer).
	m := newMachine(t)
	sc := qemuStorage(t)
	x840 := capture(t, "smartctl", "sata-ssd_samsung-840_x.json")
	sc.Commands[1] = cmd("smartctl", "-j", "-x", "/dev/sda").Replay(x840, 0)
	sc.Commands[7] = cmd("smartctl", "-j", "-a", "/dev/sda").Replay(x840, 0)
	f := newStorageFake(t, sc)
	m.run(f, "storage", "--poll-interval", "10ms")
	tb := readArchive(t, m.archive())
	if tb.man.Verdict == VerdictPass || !tb.hasReason(SeverityWarning, "no new result") {
		t.Errorf("verdict %s reasons %s", tb.man.Verdict, tb.reasons())
	}
}

func TestStorageFailingSMART(t *testing.T) {
	m := newMachine(t)
	sc := qemuStorage(t)
	failed := capture(t, "smartctl", "usb-jmicron_hitachi-hds721050dle630_FAILED_a.json")
	sc.Commands[1] = cmd("smartctl", "-j", "-x", "/dev/sda").Replay(failed, 216)
	sc.Commands = sc.Commands[:6] // --selftest none
	f := newStorageFake(t, sc)
	if code := m.run(f, "storage", "--selftest", "none"); code != ExitFail {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	if !tb.hasReason(SeverityFailure, "SMART overall-health self-assessment FAILED") || !tb.hasReason(SeverityFailure, "pre-failure") {
		t.Errorf("reasons %s", tb.reasons())
	}
	// The drive's history is judged as the audit judges it (internal/health): pending
	// sectors and 100 or more reallocated sectors are failures, not warnings.
	if !tb.hasReason(SeverityFailure, "8 sectors pending reallocation") || !tb.hasReason(SeverityFailure, "1975 reallocated sectors") {
		t.Errorf("reasons %s", tb.reasons())
	}
	for _, r := range tb.man.Reasons {
		if r.Component != "disk sda" {
			t.Errorf("reason about %s: %+v", r.Component, r)
		}
	}
}

func TestStorageNVMeMediaErrors(t *testing.T) {
	m := newMachine(t)
	sc := qemuStorage(t)
	evo := capture(t, "smartctl", "nvme_samsung-970evo_media-errors_x.json")
	sc.Commands[2] = cmd("smartctl", "-j", "-x", "/dev/nvme0").Replay(evo, 0)
	sc.Commands = sc.Commands[:6]
	f := newStorageFake(t, sc)
	code := m.run(f, "storage", "--selftest", "none")
	tb := readArchive(t, m.archive())
	// Media errors are unrecovered data: a failure, as in the audit (NVME_MEDIA_ERRORS).
	if code != ExitFail || tb.man.Verdict != VerdictFail || !tb.hasReason(SeverityFailure, "7 NVMe media and data integrity errors") {
		t.Errorf("exit %d verdict %s reasons %s", code, tb.man.Verdict, tb.reasons())
	}
}

func TestStorageNVMeSelfTest(t *testing.T) {
	c := func(name string) string { return td(t, "constructed/"+name) }
	for _, tc := range []struct {
		final, verdict, reason string
	}{
		{"nvme-cli-2.3_self-test-log_short-passed.json", VerdictPass, ""},
		{"nvme-cli-2.3_self-test-log_short-failed-segment.json", VerdictFail, "failed segments"},
	} {
		m := newMachine(t)
		sc := qemuStorage(t, "smartctl-7.3_j-a_sda_selftest-passed.json")
		sc.Commands = append([]fakeCommand{sc.Commands[0], sc.Commands[1], sc.Commands[2], sc.Commands[3], sc.Commands[4], sc.Commands[6], sc.Commands[7]},
			cmd("nvme", "id-ctrl", "/dev/nvme0", "-o", "json").Replay(capture(t, "nvme", "id-ctrl_samsung-980pro.json"), 0),
			cmd("nvme", "self-test-log", "/dev/nvme0", "-o", "json").
				Replay(c("nvme-cli-2.3_self-test-log_empty.json"), 0).
				Replay(c("nvme-cli-2.3_self-test-log_short-running-40pct.json"), 0).
				Replay(c(tc.final), 0),
			cmd("nvme", "device-self-test", "/dev/nvme0", "-s", "1").Replay(c("nvme-cli-2.3_device-self-test_short-started.txt"), 0),
		)
		f := newStorageFake(t, sc)
		m.run(f, "storage", "--poll-interval", "10ms")
		tb := readArchive(t, m.archive())
		if tb.man.Verdict != tc.verdict || (tc.reason != "" && !tb.hasReason(SeverityFailure, tc.reason)) {
			t.Errorf("%s: verdict %s reasons %s", tc.final, tb.man.Verdict, tb.reasons())
		}
	}
}

func TestStorageHungSmartctl(t *testing.T) {
	m := newMachine(t)
	sc := qemuStorage(t)
	sc.Commands[1] = cmd("smartctl", "-j", "-x", "/dev/sda").Answer(fakeResponse{Hang: true})
	sc.Commands = sc.Commands[:6]
	f := newStorageFake(t, sc)
	start := time.Now()
	code := m.run(f, "storage", "--tool-timeout", "5s")
	if el := time.Since(start); el > 30*time.Second {
		t.Errorf("a hung smartctl held the run for %s", el)
	}
	tb := readArchive(t, m.archive())
	if code == ExitPass || !tb.hasReason(SeverityWarning, "SMART could not be read before the test", "timed out") {
		t.Errorf("exit %d reasons %s", code, tb.reasons())
	}
	if disks := tb.raw["results"].(map[string]any)["disks"].([]any); len(disks) != 2 {
		t.Errorf("disks %v", disks)
	} else if d := disks[1].(map[string]any); d["name"] != "sda" || d["self_test"].(map[string]any)["outcome"] != stNotRun {
		t.Errorf("sda %v", d)
	}
}

func TestStorageNoSmartctl(t *testing.T) {
	m := newMachine(t)
	sc := qemuStorage(t)
	sc.Commands = sc.Commands[:1]
	sc.Missing = []string{"smartctl", "nvme"}
	f := newStorageFake(t, sc)
	if code := m.run(f, "storage"); code != ExitFail {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	if !tb.hasReason(SeverityFailure, "none of the 2 disk(s)") {
		t.Errorf("reasons %s", tb.reasons())
	}
}

func TestStorageNoDisks(t *testing.T) {
	m := newMachine(t)
	f := newStorageFake(t, fakeScenario{Commands: []fakeCommand{
		cmd("lsblk", "-J", "-b", "-o", audit.LsblkColumns).Replay(td(t, "constructed/lsblk_no-disks.json"), 0),
	}})
	if code := m.run(f, "storage"); code != ExitWarning {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	if !tb.hasReason(SeverityWarning, "no disk found") {
		t.Errorf("reasons %s", tb.reasons())
	}
}

func TestStorageInterruptedDuringSelfTest(t *testing.T) {
	m := newMachine(t)
	f := newStorageFake(t, qemuStorage(t, "smartctl-7.3_j-a_sda_selftest-in-progress.json"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m.ctx = ctx
	go func() {
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			for _, c := range f.calls() {
				if strings.Join(c, " ") == "smartctl -j -a /dev/sda" {
					cancel()
					return
				}
			}
		}
	}()
	if code := m.run(f, "storage", "--poll-interval", "50ms"); code != ExitInterrupted {
		t.Errorf("exit %d", code)
	}
	p := m.archive()
	tb := readArchive(t, p)
	if !strings.HasSuffix(p, "-interrupted.tar.gz") || !tb.man.Interrupted || tb.man.Verdict != VerdictFail {
		t.Errorf("%s interrupted %v verdict %s", p, tb.man.Interrupted, tb.man.Verdict)
	}
	for _, st := range tb.man.Steps {
		if strings.HasPrefix(st.Name, "smartctl-after") && st.Status != StatusInterrupted {
			t.Errorf("after the interrupt %s ran: %+v", st.Name, st)
		}
	}
}

func TestStorageSMARTUnreadable(t *testing.T) {
	// A virtio disk (real capture): smartctl cannot identify it. Not a pass, not a fault
	// of the disk: a warning, and no self-test.
	m := newMachine(t)
	sc := qemuStorage(t)
	sc.Commands[1] = cmd("smartctl", "-j", "-x", "/dev/sda").Replay(td(t, "smartctl/virtio-vda_unable-to-detect-device-type_x.json"), 1)
	sc.Commands = sc.Commands[:6]
	f := newStorageFake(t, sc)
	if code := m.run(f, "storage"); code != ExitWarning {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	if !tb.hasReason(SeverityWarning, "SMART not readable before the test", "Unable to detect device type") {
		t.Errorf("reasons %s", tb.reasons())
	}
	if st := tb.step(t, "selftest-start-sda"); st.Status != StatusSkipped {
		t.Errorf("self-test step %+v", st)
	}
}

// A controller whose self-test support cannot be read (id-ctrl without OACS) runs no
// self-test: that is a warning (the disk was not checked as asked), not a silent pass.
func TestStorageNVMeSelfTestSupportUnknown(t *testing.T) {
	m := newMachine(t)
	sc := qemuStorage(t, "smartctl-7.3_j-a_sda_selftest-passed.json")
	sc.Commands[5] = cmd("nvme", "id-ctrl", "/dev/nvme0", "-o", "json").Replay(td(t, "constructed/nvme-id-ctrl_qemu_no-oacs.json"), 0)
	sc.Commands = append(sc.Commands, cmd("nvme", "self-test-log", "/dev/nvme0", "-o", "json").Replay(td(t, "constructed/nvme-cli-2.3_self-test-log_empty.json"), 0))
	f := newStorageFake(t, sc)
	if code := m.run(f, "storage", "--poll-interval", "10ms"); code != ExitWarning {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	if !tb.hasReason(SeverityWarning, "whether the controller can self-test is unknown") {
		t.Errorf("reasons %s", tb.reasons())
	}
}

// bee's own USB stick is not tested: the ISO's VM test machine with its SATA disk
// sda holding a filesystem labelled BEE-RESULTS (the results stick) is left alone,
// with the reason in the manifest (a skipped step and results.not_tested); the NVMe
// drive is tested as before. blkid's answer is built from its real capture of three
// BEE-RESULTS devices, the first device renamed /dev/sda
// (testdata/constructed/blkid_export-t-label-bee-results_sda.txt).
func TestStorageSkipsBeeSticks(t *testing.T) {
	m := newMachine(t)
	sc := qemuStorage(t)
	sc.Commands = append(slices.Clone(sc.Commands[2:6]), sc.Commands[0],
		cmd("blkid", "-o", "export", "-t", "LABEL=BEE").Answer(fakeResponse{Exit: 2}),
		cmd("blkid", "-o", "export", "-t", "LABEL=BEE-RESULTS").Replay(td(t, "constructed/blkid_export-t-label-bee-results_sda.txt"), 0))
	f := newFake(t, sc) // strict: any command on sda fails the test
	if code := m.run(f, "storage", "--poll-interval", "10ms"); code != ExitPass {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	st := tb.step(t, "disk-sda")
	if st.Status != StatusSkipped || !strings.Contains(st.Message, "bee's own USB stick (a filesystem labelled BEE-RESULTS): not tested") {
		t.Errorf("step %+v", st)
	}
	res := tb.raw["results"].(map[string]any)
	disks, skipped := res["disks"].([]any), res["not_tested"].([]any)
	if len(disks) != 1 || disks[0].(map[string]any)["name"] != "nvme0n1" || len(skipped) != 1 ||
		skipped[0].(map[string]any)["name"] != "sda" || skipped[0].(map[string]any)["label"] != "BEE-RESULTS" {
		t.Errorf("disks %v, not tested %v", disks, skipped)
	}
	if st := tb.step(t, "blkid-BEE-RESULTS"); st.Status != StatusOK {
		t.Errorf("blkid step %+v", st)
	}
}
