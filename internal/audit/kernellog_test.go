package audit

import (
	"os"
	"strings"
	"testing"
)

func kmsgFx(name string) string { return fx("kmsg", name) }

// TestKernelLogOnRealCaptures: the kernel log of an H100 node with Xid 48
// (double-bit ECC: failure), 63 and 94, read from /dev/kmsg under the audit's
// root, then the same log from journalctl when /dev/kmsg is absent. The
// captures are dmesg output, not /dev/kmsg records; kmsg.Parse reads both.
func TestKernelLogOnRealCaptures(t *testing.T) {
	log, err := os.ReadFile(kmsgFx("h100_dmesg-iso_xid-48-dbe_xid-63-row-remap_xid-94_peermem.txt"))
	if err != nil {
		t.Fatal(err)
	}
	check := func(a *Audit, source string) {
		t.Helper()
		k := a.Hardware.KernelLog
		if k == nil || k.Source != source || k.Lines == 0 {
			t.Fatalf("kernel_log = %+v, want read from %s", k, source)
		}
		xids := map[int]bool{}
		for _, x := range k.Xids {
			xids[x.Xid] = true
		}
		if !xids[48] || !xids[63] || !xids[94] {
			t.Errorf("xids = %+v, want 48, 63, 94", k.Xids)
		}
		var f48 *Finding
		for i, f := range a.Hardware.Summary.Findings {
			if f.Code == "GPU_XID_48" {
				f48 = &a.Hardware.Summary.Findings[i]
			}
		}
		if f48 == nil || f48.Severity != SeverityFailure || !strings.Contains(f48.Message, "NVRM: Xid") {
			t.Errorf("GPU_XID_48 = %+v, want a failure quoting the first line", f48)
		}
	}
	check(runAudit(t, map[string]fakeOut{}, map[string]string{"/dev/kmsg": string(log)}), "/dev/kmsg")
	a := runAudit(t, map[string]fakeOut{
		"journalctl -k -o short-monotonic --no-pager": {file: kmsgFx("h100_dmesg-iso_xid-48-dbe_xid-63-row-remap_xid-94_peermem.txt")},
	}, nil)
	check(a, "journalctl")
}

// TestKernelLogUnreadable: no /dev/kmsg and no journalctl → skipped with both
// reasons, no finding; a clean boot log → an empty event list.
func TestKernelLogUnreadable(t *testing.T) {
	a := runAudit(t, map[string]fakeOut{}, nil)
	for _, c := range a.Collectors {
		if c.Name == "kernellog" && (c.Status != StatusSkipped || !strings.Contains(str(c.SkipReason), "journalctl")) {
			t.Errorf("kernellog = %+v, want skipped naming journalctl", c)
		}
	}
	if a.Hardware.KernelLog != nil {
		t.Errorf("kernel_log = %+v, want null", a.Hardware.KernelLog)
	}
	clean, err := os.ReadFile(kmsgFx("h100-node_dmesg-decode-iso_clean-boot.txt"))
	if err != nil {
		t.Fatal(err)
	}
	a = runAudit(t, map[string]fakeOut{}, map[string]string{"/dev/kmsg": string(clean)})
	if k := a.Hardware.KernelLog; k == nil || len(k.Events) != 0 || len(k.Xids) != 0 {
		t.Errorf("clean boot: kernel_log = %+v, want no events", k)
	}
}
