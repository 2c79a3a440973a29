package kmsg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
	"github.com/google/go-cmp/cmp"
)

func TestGolden(t *testing.T) {
	for _, c := range golden.Captures(t, "testdata", nil) {
		t.Run(filepath.Base(c), func(t *testing.T) {
			data, err := os.ReadFile(c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, c, got)
		})
	}
}

func parseFile(t *testing.T, name string) Summary {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// counts flattens Kinds to kind -> count.
func counts(s Summary) map[string]int {
	m := map[string]int{}
	for k, v := range s.Kinds {
		m[k] = v.Count
	}
	return m
}

func TestCleanBootHasNoEvents(t *testing.T) {
	// A healthy H100 node's boot log (dmesg --decode --time-format iso;
	// 2382 lines, 20 of them blank):
	// "_OSC: platform does not support [... AER DPC]", "EDAC MC0: Giving
	// out device", ACPI errors, nvme probe lines; none is a hardware event.
	s := parseFile(t, "h100-node_dmesg-decode-iso_clean-boot.txt")
	if s.Lines != 2362 || s.Kinds != nil || s.Xids != nil || s.Hints != nil {
		t.Errorf("lines %d kinds %v xids %v hints %v", s.Lines, counts(s), s.Xids, s.Hints)
	}
}

func TestXid48_63_94(t *testing.T) {
	s := parseFile(t, "h100_dmesg-iso_xid-48-dbe_xid-63-row-remap_xid-94_peermem.txt")
	got := map[string]int{}
	for k, x := range s.Xids {
		got[k] = x.Count
		if diff := cmp.Diff([]string{"0000:19:00"}, x.Devices); diff != "" {
			t.Errorf("Xid %s devices (-want +got):\n%s", k, diff)
		}
	}
	// Read from the file: one 48, one 63, the rest of the Xid lines 94.
	xidLines := strings.Count(string(mustRead(t, "h100_dmesg-iso_xid-48-dbe_xid-63-row-remap_xid-94_peermem.txt")), "NVRM: Xid")
	want := map[string]int{"48": 1, "63": 1, "94": xidLines - 2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	x48 := s.Xids["48"]
	if x48.Severity != SevFailure || !strings.HasPrefix(x48.First, "2024-11-15T12:02:03,470068+00:00 NVRM: Xid (PCI:0000:19:00): 48,") {
		t.Errorf("48 = %+v", x48)
	}
	if s.Xids["63"].Severity != SevWarning || s.Kinds[KindXid].Severity != SevFailure || len(s.Kinds) != 1 {
		t.Errorf("kinds %v", counts(s))
	}
	if len(s.Hints) != 1 || !strings.HasPrefix(s.Hints[0], "Xid 48 (double-bit ECC error") || !strings.HasSuffix(s.Hints[0], "on 0000:19:00: once") {
		t.Errorf("hints %q", s.Hints)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestXid119DmesgT(t *testing.T) {
	// Five "NVRM: Xid (PCI:0000:9b:00): 119" lines between 16:24:18 and 16:30:13.
	s := parseFile(t, "dell-xe9680-h100_dmesg-T_xid-119-gsp-rpc-timeout.txt")
	x := s.Xids["119"]
	if x == nil || x.Count != 5 || x.Severity != SevError || x.Devices[0] != "0000:9b:00" || len(s.Xids) != 1 {
		t.Fatalf("xids %+v", s.Xids)
	}
	if !strings.HasPrefix(x.First, "[Sun Feb 23 16:24:18 2025] NVRM: Xid (PCI:0000:9b:00): 119, pid=2024380") {
		t.Errorf("first %q", x.First)
	}
	if s.Hints != nil {
		t.Errorf("hints %q (119 is an error, not a failure)", s.Hints)
	}
}

func TestAERFatalDmesgH(t *testing.T) {
	s := parseFile(t, "intel-broadwell-gpu-server_dmesg-H_aer-uncorrected-fatal-cmplto.txt")
	if diff := cmp.Diff(map[string]int{KindAERFatal: 1}, counts(s)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	k := s.Kinds[KindAERFatal]
	if k.Devices[0] != "0000:00:03.0" || k.Severity != SevFailure ||
		k.First != "[  +0.000004] pcieport 0000:00:03.0: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction Layer, (Requester ID)" {
		t.Errorf("%+v", k)
	}
}

func TestMCEAndEDACSyslog(t *testing.T) {
	s := parseFile(t, "intel-sbridge-server_syslog_mce-edac-ce-scrubbing.txt")
	if diff := cmp.Diff(map[string]int{KindMachineCheck: 1, KindEDACCE: 1}, counts(s)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if d := s.Kinds[KindEDACCE].Devices; len(d) != 1 || d[0] != "CPU_SrcID#1_Ha#0_Chan#0_DIMM#0" {
		t.Errorf("EDAC devices %q", d)
	}
}

func TestATAAndSCSIDmesgT(t *testing.T) {
	s := parseFile(t, "server-sata-hdd_dmesg-T_ata-unc-medium-error.txt")
	want := map[string]int{KindATA: 1, KindSCSI: 1, KindIOError: 1}
	if diff := cmp.Diff(want, counts(s)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if d := s.Kinds[KindIOError].Devices; d[0] != "sda" {
		t.Errorf("io devices %q", d)
	}
	if d := s.Kinds[KindATA].Devices; d[0] != "ata1.00" {
		t.Errorf("ata devices %q", d)
	}
}

func TestNVMePlain(t *testing.T) {
	s := parseFile(t, "vm-guest_dmesg_nvme-timeout-reset-io-error.txt")
	// Two timeouts and one command error on nvme0/nvme0n1; "Abort status"
	// and the queue line are not errors.
	want := map[string]int{KindNVMe: 3, KindIOError: 1}
	if diff := cmp.Diff(want, counts(s)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"nvme0", "nvme0n1"}, s.Kinds[KindNVMe].Devices); diff != "" {
		t.Errorf("devices (-want +got):\n%s", diff)
	}
}

func TestSyslogCapturesFromIssues(t *testing.T) {
	// "May  7 06:45:12 errol kernel: [21584690.529877] EDAC MC0: 4 CE error on
	// CPU#0Channel#2_DIMM#0 (...)": seven lines, one DIMM; a count is of lines.
	s := parseFile(t, "osm-errol-server_syslog-host_edac-ce-repeated-dimm.txt")
	if diff := cmp.Diff(map[string]int{KindMachineCheck: 1, KindEDACCE: 7}, counts(s)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if d := s.Kinds[KindEDACCE].Devices; len(d) != 1 || d[0] != "CPU#0Channel#2_DIMM#0" {
		t.Errorf("devices %q", d)
	}
	// 4 + 2 + 6 + 1 + 1 + 1 + 1 errors.
	if n := s.Kinds[KindEDACCE].Errors; n != 16 {
		t.Errorf("errors %d, want 16", n)
	}
	// APEI GHES: "{1}[Hardware Error]: event severity: recoverable" once; an
	// error (uncorrected, recovered), not a failure hint.
	s = parseFile(t, "server-linux-dgwd_syslog-rfc3339_apei-ghes-recoverable-memory-error.txt")
	if diff := cmp.Diff(map[string]int{KindAPEIUncorrected: 1}, counts(s)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if k := s.Kinds[KindAPEIUncorrected]; !strings.HasSuffix(k.First, "event severity: recoverable") || k.Severity != SevError || s.Hints != nil {
		t.Errorf("%+v hints %q", k, s.Hints)
	}
}

func TestSplitLine(t *testing.T) {
	tests := []struct {
		in   string
		want Line
	}{
		{"6,339,5140900,-;NVRM: loading", Line{Time: "5.140900", Level: "info", Message: "NVRM: loading"}},
		{"3,1,12,-,caller=T1;msg; with semicolon", Line{Time: "0.000012", Level: "err", Message: "msg; with semicolon"}},
		{" SUBSYSTEM=pci", Line{Message: "SUBSYSTEM=pci", Continuation: true}},
		{"<4>[   12.5] mce: hi", Line{Time: "12.5", Level: "warn", Message: "mce: hi"}},
		{"kern  :err   : [ 1.000000] x", Line{Time: "1.000000", Level: "err", Message: "x"}},
		{"kern  :info  : 2025-01-17T15:36:15,345059+00:00 pci_bus 0000:d7: on NUMA node 5", Line{Time: "2025-01-17T15:36:15,345059+00:00", Level: "info", Message: "pci_bus 0000:d7: on NUMA node 5"}},
		{"[Sat Mar  2 18:07:17 2024] ata1.00: x", Line{Time: "Sat Mar  2 18:07:17 2024", Message: "ata1.00: x"}},
		{"[Feb23 16:24] x", Line{Time: "Feb23 16:24", Message: "x"}},
		{"[  +0.000844] nvidia 0000:03:00.0: AER", Line{Time: "+0.000844", Message: "nvidia 0000:03:00.0: AER"}},
		{"[drm] Initialized", Line{Message: "[drm] Initialized"}},
		{"[   12.345678 <    0.000123>] ata2: exception Emask", Line{Time: "12.345678 <    0.000123>", Message: "ata2: exception Emask"}},
		{"Feb 23 03:28:16 kernel: mce: x", Line{Time: "Feb 23 03:28:16", Message: "mce: x"}},
		{"Feb 23 03:28:16  kernel: EDAC MC1: x", Line{Time: "Feb 23 03:28:16", Message: "EDAC MC1: x"}},
		{"Nov 22 18:29:55 hostname kernel: [ 966.503025] NVRM: Xid", Line{Time: "Nov 22 18:29:55", Message: "NVRM: Xid"}},
		{"Nov 22 18:29:55 hostname sshd[42]: I/O error, dev sda, sector 1", Line{Time: "Nov 22 18:29:55", Message: "hostname sshd[42]: I/O error, dev sda, sector 1", NotKernel: true}},
		{"[    5.140900] node1 kernel: nvme nvme0: controller is down", Line{Time: "5.140900", Message: "nvme nvme0: controller is down"}},
		{"2024-01-02T03:04:05+0000 node1 kernel: ata1.00: exception Emask 0x0", Line{Time: "2024-01-02T03:04:05+0000", Message: "ata1.00: exception Emask 0x0"}},
		{"2024-01-02T03:04:05.123456+00:00 node1 kernel: EDAC MC0: 1 UE x", Line{Time: "2024-01-02T03:04:05.123456+00:00", Message: "EDAC MC0: 1 UE x"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, SplitLine(tt.in)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestClassifyRules(t *testing.T) {
	tests := []struct {
		msg  string
		want Event
		ok   bool
	}{
		{"NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, GPU has fallen off the bus.", Event{Kind: KindXid, Severity: SevFailure, Device: "0000:3b:00", Xid: 79}, true},
		{"NVRM: Xid (0000:01:00): 31, Ch 0000000b, engmask 00000120", Event{Kind: KindXid, Device: "0000:01:00", Xid: 31}, true},
		{"NVRM: Xid (PCI:0000:19:00): 95, pid='<unknown>', Uncontained: FBHUB", Event{Kind: KindXid, Severity: SevFailure, Device: "0000:19:00", Xid: 95}, true},
		{"mce: [Hardware Error]: CPU 3: Machine Check Exception: 5 Bank 4: be00000000800400", Event{Kind: KindMachineCheckFatal, Severity: SevFailure, Device: "CPU3"}, true},
		{"Kernel panic - not syncing: Fatal machine check", Event{Kind: KindMachineCheckFatal, Severity: SevFailure}, true},
		{"{1}[Hardware Error]: event severity: corrected", Event{Kind: KindAPEICorrected, Severity: SevWarning}, true},
		{"{1}[Hardware Error]: event severity: fatal", Event{Kind: KindAPEIUncorrected, Severity: SevFailure}, true},
		{"pcieport 0000:00:01.1: PCIe Bus Error: severity=Correctable, type=Physical Layer, (Receiver ID)", Event{Kind: KindAERCorrected, Severity: SevWarning, Device: "0000:00:01.1"}, true},
		{"nvme 0000:01:00.0: PCIe Bus Error: severity=Uncorrectable (Fatal), type=Transaction Layer, (Requester ID)", Event{Kind: KindAERFatal, Severity: SevFailure, Device: "0000:01:00.0"}, true},
		{"EDAC MC0: 1 UE memory read error on CPU_SrcID#0_MC#0_Chan#1_DIMM#0 (channel:1 slot:0)", Event{Kind: KindEDACUE, Severity: SevFailure, Device: "CPU_SrcID#0_MC#0_Chan#1_DIMM#0", Errors: 1}, true},
		{`EDAC MC0: CE page 0x1f2, offset 0x0, grain 8, syndrome 0x5, row 1, channel 0, label "DIMM_B1": i5000 MC0`, Event{Kind: KindEDACCE, Severity: SevWarning, Device: "DIMM_B1", Errors: 1}, true},
		{"EDAC sbridge MC1: HANDLING MCE MEMORY ERROR", Event{}, false},
		{"pcieport 0000:00:1c.5: PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver ID)", Event{Kind: KindAERCorrected, Severity: SevWarning, Device: "0000:00:1c.5"}, true},
		{"nvme 0000:5e:00.0: PCIe Bus Error: severity=Uncorrected (Non-Fatal), type=Transaction Layer, (Requester ID)", Event{Kind: KindAERUncorrected, Severity: SevError, Device: "0000:5e:00.0"}, true},
		{"pcieport 0000:00:03.0: AER: Multiple Uncorrected (Fatal) error received: 0000:00:03.0", Event{}, false},
		{"blk_update_request: I/O error, dev sdb, sector 2048 op 0x0:(READ)", Event{Kind: KindIOError, Severity: SevError, Device: "sdb"}, true},
		{"Buffer I/O error on dev sdb1, logical block 0, async page read", Event{}, false},
		{"blk_update_request: critical medium error, dev sdc, sector 4096 op 0x0:(READ) flags 0x0", Event{Kind: KindIOError, Severity: SevError, Device: "sdc"}, true},
		{"operation not supported error, dev loop0, sector 0 op 0x9:(WRITE_ZEROES)", Event{}, false},
		{"nvme nvme1: controller is down; will reset: CSTS=0xffffffff, PCI_STATUS=0xffff", Event{Kind: KindNVMe, Severity: SevError, Device: "nvme1"}, true},
		{"nvme nvme0: 3/0/0 default/read/poll queues", Event{}, false},
		{"sd 2:0:0:0: [sdc] tag#7 Sense Key : Hardware Error [current]", Event{Kind: KindSCSI, Severity: SevError, Device: "sdc"}, true},
		{"mce: CPU12: Package temperature above threshold, cpu clock throttled (total events = 7)", Event{Kind: KindThermalThrottle, Severity: SevWarning, Device: "CPU12"}, true},
		{"mce: CPU12: Package temperature/speed normal", Event{}, false},
		{"thermal thermal_zone0: critical temperature reached (105 C), shutting down", Event{Kind: KindThermalCritical, Severity: SevFailure, Device: "thermal thermal_zone0"}, true},
		{"NVRM: GPU at 0000:01:00.0 has fallen off the bus.", Event{Kind: KindGPUOffBus, Severity: SevFailure, Device: "0000:01:00.0"}, true},
		{"               NVRM: fallen off the bus and is not responding to commands.", Event{Kind: KindGPUOffBus, Severity: SevFailure}, true},
		{"acpi PNP0A08:29: _OSC: platform does not support [SHPCHotplug AER DPC]", Event{}, false},
	}
	for _, tt := range tests {
		got, ok := Classify(tt.msg)
		if ok != tt.ok {
			t.Errorf("%q: ok %v", tt.msg, ok)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.msg, diff)
		}
	}
}

func TestKmsgRecordsAndHints(t *testing.T) {
	in := "6,1,100,-;NVRM: Xid (PCI:0000:3b:00): 79, pid=1, GPU has fallen off the bus.\n" +
		" SUBSYSTEM=pci\n" +
		" DEVICE=+pci:0000:3b:00.0\n" +
		"3,2,200,-;NVRM: Xid (PCI:0000:3c:00): 79, pid=1, GPU has fallen off the bus.\n" +
		"3,3,300,-;EDAC MC2: 1 UE memory read error on DIMM_A1 (x)\n"
	s, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Xid 79 (GPU has fallen off the bus: it stopped answering on PCIe) on 0000:3b:00, 0000:3c:00: 2 times",
		"edac_ue: once on DIMM_A1",
	}
	if diff := cmp.Diff(want, s.Hints); diff != "" {
		t.Errorf("hints (-want +got):\n%s", diff)
	}
	if k := s.Kinds[KindXid]; k.Last != "3,2,200,-;NVRM: Xid (PCI:0000:3c:00): 79, pid=1, GPU has fallen off the bus." || s.Lines != 5 {
		t.Errorf("%+v lines %d", k, s.Lines)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := Parse([]byte("ELF\x00\x01")); err == nil {
		t.Error("binary input: no error")
	}
	s, err := Parse(nil)
	if err != nil || s.Lines != 0 || s.Kinds != nil {
		t.Errorf("%+v %v", s, err)
	}
}

func TestXidTable(t *testing.T) {
	for _, n := range []int{48, 63, 64, 74, 79, 92, 94, 95, 119, 120} {
		if x := Xids[n]; x.Meaning == "" || sevRank[x.Severity] == 0 {
			t.Errorf("Xid %d: %+v", n, x)
		}
	}
	for _, n := range []int{48, 79, 95} {
		if Xids[n].Severity != SevFailure {
			t.Errorf("Xid %d is not a failure", n)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range golden.Captures(f, "testdata", nil) {
		b, err := os.ReadFile(c)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 8192 {
			b = b[:8192] // keep the fuzzer fast
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			return
		}
		total := 0
		for kind, k := range s.Kinds {
			if k.Count <= 0 || k.First == "" || len(k.Devices) > maxDevices {
				t.Fatalf("%s: %+v", kind, k)
			}
			total += k.Count
		}
		if total > s.Lines {
			t.Fatalf("%d events in %d lines", total, s.Lines)
		}
		xids := 0
		for _, x := range s.Xids {
			xids += x.Count
		}
		if k := s.Kinds[KindXid]; k != nil && k.Count != xids || k == nil && xids != 0 {
			t.Fatalf("xid counts disagree: %d", xids)
		}
	})
}
