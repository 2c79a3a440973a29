package sat

import (
	"bytes"
	"strings"
	"testing"
)

// TestNvidiaXidsDuringTheTest: the kernel log read before the stress holds the first 10
// lines of a real H100 dmesg; read after, the whole capture: the Xids 48 (double-bit
// ECC: a failure), 63 (row remapping: a warning) and 94 (contained ECC error, 9 lines: a
// warning) were logged during the test. Lines already there before are not counted.
func TestNvidiaXidsDuringTheTest(t *testing.T) {
	m := newMachine(t)
	c := func(name string) string { return td(t, "constructed/"+name) }
	sc := a5000(t, "bee-gpu-stress_2x-rtx-a5000_pass.json", 0)
	sc.Commands[5] = cmd("journalctl", "-k", "-o", "short-monotonic", "--no-pager").Replay(c("dmesg-iso_h100_before-xids.txt"), 0).
		Replay(capture(t, "kmsg", "h100_dmesg-iso_xid-48-dbe_xid-63-row-remap_xid-94_peermem.txt"), 0)
	f := newFake(t, sc)
	if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitFail {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	got := tb.coded(CodeGPUXid)
	if len(got) != 3 {
		t.Fatalf("Xid reasons %+v", got)
	}
	want := []struct {
		sev, words string
	}{
		{SeverityFailure, "Xid 48 during the test (double-bit ECC error"},
		{SeverityWarning, "Xid 63 during the test (ECC page retirement or row remapping recorded"},
		{SeverityWarning, "Xid 94 during the test (contained ECC error"},
	}
	for _, w := range want {
		found := false
		for _, r := range got {
			found = found || (r.Severity == w.sev && r.Component == "gpu 0000:19:00.0" && strings.Contains(r.Message, w.words))
		}
		if !found {
			t.Errorf("no %s %q in %+v", w.sev, w.words, got)
		}
	}
	for _, r := range got {
		if strings.Contains(r.Message, "Xid 94") && !strings.Contains(r.Message, "logged 9 times; first: 2024-11-15T12:02:03,506595+00:00 NVRM: Xid (PCI:0000:19:00): 94") {
			t.Errorf("Xid 94 reason %q", r.Message)
		}
	}
	if st := tb.step(t, "kernel-log-after"); st.Status != StatusFail {
		t.Errorf("step %+v", st)
	}
}

func TestNewLines(t *testing.T) {
	before := []byte("a\nb\nb\nc\n")
	after := []byte("b\nb\nb\nc\nd\n\n")
	if got := strings.Join(newLines(before, after), ","); got != "b,d" {
		t.Errorf("new lines %q, want b,d", got)
	}
	if got := newLines(nil, []byte("x\r\n")); len(got) != 1 || got[0] != "x" {
		t.Errorf("%q", got)
	}
}

// TestNvidiaNVLinkCountersRose: the NVLink CRC error counter of a GB300's link 0 (a
// real nvlink -e capture, all 0 before) reads 12 after the stress: a warning.
func TestNvidiaNVLinkCountersRose(t *testing.T) {
	m := newMachine(t)
	sc := a5000(t, "bee-gpu-stress_2x-rtx-a5000_pass.json", 0)
	sc.Commands[6] = cmd("nvidia-smi", "nvlink", "-e").Replay(capture(t, "nvidiasmi", "nvlink/gb300_nvlink-errors_no-uuid.txt"), 0).
		Replay(td(t, "constructed/nvidia-smi_nvlink-e_gb300_crc-errors-12.txt"), 0)
	f := newFake(t, sc)
	if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitWarning {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	got := tb.coded(CodeNVLinkErrorRose)
	if len(got) != 1 || got[0].Severity != SeverityWarning || got[0].Component != "gpu 0" ||
		got[0].Message != "GPU 0 NVLink 0: CRC Errors rose from 0 to 12 during the test" {
		t.Errorf("reasons %+v", tb.man.Reasons)
	}
	if st := tb.step(t, "nvidia-smi-nvlink-before"); st.Status != StatusOK || st.Message != "1 GPU(s), 1 link(s)" {
		t.Errorf("step %+v", st)
	}
}

// TestNvidiaKernelLogFromKmsg: where /dev/kmsg can be read, sat reads the kernel log
// there, as the audit does (probe.ReadKernelLog), and journalctl is not run (the fake
// would fail the test). The read is a step of its own with the records in the archive.
func TestNvidiaKernelLogFromKmsg(t *testing.T) {
	m := newMachine(t)
	log := fileBytes(t, capture(t, "kmsg", "h100-node_dmesg-decode-iso_clean-boot.txt"))
	m.write("/dev/kmsg", string(log))
	sc := a5000(t, "bee-gpu-stress_2x-rtx-a5000_pass.json", 0)
	sc.Commands = append(sc.Commands[:5], sc.Commands[6:]...)
	f := newFake(t, sc)
	if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitPass {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	for _, name := range []string{"kernel-log-before", "kernel-log-after"} {
		st := tb.step(t, name)
		if st.Status != StatusOK || len(st.Argv) != 0 {
			t.Errorf("%s: %+v", name, st)
		}
		if got := tb.output(t, st, ".txt"); !bytes.HasPrefix(got, []byte("==> /dev/kmsg <==\n")) || !bytes.Contains(got, log) {
			t.Errorf("%s: archived %d bytes, not /dev/kmsg's", name, len(got))
		}
	}
	if st := tb.step(t, "kernel-log-after"); st.Result == nil {
		t.Errorf("kernel-log-after: no result")
	}
}
