package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/schema"
)

// auditOn runs `bee audit` on a prepared machine and returns the parsed,
// schema-validated audit.
func auditOn(t *testing.T, e *env, extra ...string) (*audit.Audit, string) {
	t.Helper()
	out := filepath.Join(e.out, "bee-audit.json")
	args := append([]string{"audit", "--root", e.root, "--output", out}, extra...)
	stdout, stderr, code := e.run(args...)
	if code != 0 {
		t.Fatalf("bee audit exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(b); err != nil {
		t.Fatalf("audit does not match schema/audit.schema.json: %v", err)
	}
	var a audit.Audit
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	return &a, stdout
}

func collectorStatus(a *audit.Audit) map[string]string {
	m := map[string]string{}
	for _, c := range a.Collectors {
		m[c.Name] = c.Status
	}
	return m
}

func codes(a *audit.Audit) map[string][]string {
	m := map[string][]string{}
	for _, f := range a.Hardware.Summary.Findings {
		m[f.Code] = append(m[f.Code], f.Component+"/"+f.Severity)
	}
	for _, v := range m {
		sort.Strings(v)
	}
	return m
}

func s(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

// num is a nullable number as text, "<nil>" for null.
func num[T int | int64](p *T) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprint(*p)
}

func TestAuditGPUServer(t *testing.T) {
	e := gpuServer(t).setup(t)
	a, stdout := auditOn(t, e)

	want := map[string]string{"board": "ok", "cpu": "ok", "memory": "ok", "storage": "ok", "pcie": "ok", "psu": "ok", "nvidia": "ok"}
	if got := collectorStatus(a); !mapsEqual(got, want) {
		t.Errorf("collectors = %v, want %v", got, want)
	}
	h := a.Hardware
	if s(h.System.Manufacturer) != "Supermicro" || s(h.System.ProductName) != "SYS-4029GP-TRT2" ||
		s(h.System.SerialNumber) != "S309085X0B18791" || s(h.System.UUID) != "68ae0800-8056-11ea-8000-3cecef3d7a3c" {
		t.Errorf("system = %+v", *h.System)
	}
	if h.System.Version != nil {
		t.Errorf("system version %q is a placeholder (123456789), want null", *h.System.Version)
	}
	if s(h.Board.ProductName) != "X11DPG-OT-CPU" || s(h.Board.SerialNumber) != "UM204S004286" {
		t.Errorf("board = %+v", *h.Board)
	}
	if num(h.Memory.SlotsTotal) != "24" || num(h.Memory.SlotsPopulated) != "8" || num(h.Memory.TotalBytes) != fmt.Sprint(256<<30) {
		t.Errorf("memory slots %s/%s total %s", num(h.Memory.SlotsPopulated), num(h.Memory.SlotsTotal), num(h.Memory.TotalBytes))
	}
	for _, d := range h.Memory.DIMMs {
		if !d.Populated && (d.SerialNumber != nil || d.SizeBytes != nil) {
			t.Errorf("empty slot %s has data: serial %s", s(d.Locator), s(d.SerialNumber))
		}
	}
	if len(h.GPUs) != 4 {
		t.Fatalf("%d GPUs, want 4", len(h.GPUs))
	}
	if s(h.GPUs[0].SerialNumber) != "0322416026235" || s(h.GPUs[0].UUID) != "GPU-c3b26f7a-8dcb-619c-fa1b-8029265a4db0" || s(h.GPUs[0].PCIAddress) != "1580:00:00.0" {
		t.Errorf("gpu 0 = serial %s uuid %s bus %s", s(h.GPUs[0].SerialNumber), s(h.GPUs[0].UUID), s(h.GPUs[0].PCIAddress))
	}
	// Issue 8, additive: the address under the GPUs' name, the link speeds as numbers.
	for _, d := range h.PCIe {
		if d.PCIAddress != d.Address {
			t.Errorf("pcie %s: pci_address %q", d.Address, d.PCIAddress)
		}
		if d.Address == "1580:00:00.0" && (d.Link == nil || d.Link.CurrentGTs == nil || *d.Link.CurrentGTs != 2.5 ||
			d.Link.MaxGTs == nil || *d.Link.MaxGTs != 8.0 || s(d.Link.CurrentSpeed) != "2.5 GT/s") {
			t.Errorf("pcie 1580:00:00.0 link = %+v", d.Link)
		}
	}
	// nvidia enriches the PCIe entries.
	for _, d := range h.PCIe {
		if d.Address == "1580:00:00.0" && (d.GPUIndex == nil || *d.GPUIndex != 0 || s(d.SerialNumber) != "0322416026235") {
			t.Errorf("pcie 1580:00:00.0 not linked to GPU 0: %+v", d)
		}
	}
	if len(h.Storage) != 2 || h.Storage[1].Name != "sda" || s(h.Storage[1].SerialNumber) != "MSK423Y20S3HBC" {
		t.Errorf("disks = %+v, want sda (serial from smartctl) and nvme0n1", h.Storage)
	}

	got := codes(a)
	for code, comps := range map[string][]string{
		audit.CodeGPUNotVisible:    {"pcie:0000:b1:00.0/failure"},
		audit.CodePCIeLinkDegraded: {"pcie:0000:18:00.0/warning"},
		audit.CodePCIeAERNonFatal:  {"pcie:0000:18:00.0/warning"},
		audit.CodeEDACCorrected:    {"memory/warning"},
		audit.CodeNVMeMediaErrors:  {"storage:/dev/nvme0n1/failure"},
		audit.CodeSMARTFailed:      {"storage:/dev/sda/failure"},
		audit.CodePSUACLost:        {"psu:PSU2/failure", "psu:PSU3/failure"},
	} {
		if strings.Join(got[code], ",") != strings.Join(comps, ",") {
			t.Errorf("finding %s on %v, want %v", code, got[code], comps)
		}
	}
	for _, never := range []string{audit.CodeCollectorError} {
		if len(got[never]) > 0 {
			t.Errorf("unexpected %s: %v", never, got[never])
		}
	}
	if h.Summary.Verdict != "fail" || h.Summary.Failures == 0 {
		t.Errorf("summary = %s %d/%d", h.Summary.Verdict, h.Summary.Failures, h.Summary.Warnings)
	}
	if !strings.Contains(stdout, "VERDICT: FAIL") || !strings.Contains(stdout, "S/N S309085X0B18791") {
		t.Errorf("stdout summary missing verdict or serial:\n%s", stdout)
	}
}

func TestAuditQEMU(t *testing.T) {
	e := qemuVM(t).setup(t)
	a, _ := auditOn(t, e)
	h := a.Hardware
	if a.Runtime != "livecd" || s(a.Hostname) != "bee-qemu" || s(a.Kernel) != "6.1.0-56-amd64" {
		t.Errorf("runtime %q hostname %s kernel %s", a.Runtime, s(a.Hostname), s(a.Kernel))
	}
	if s(h.System.SerialNumber) != "SYSSN12345" || s(h.System.Manufacturer) != "TestVendor" || s(h.Board.SerialNumber) != "BRDSN777" {
		t.Errorf("system %+v board %+v", *h.System, *h.Board)
	}
	if len(h.Memory.DIMMs) == 0 || s(h.Memory.DIMMs[0].SerialNumber) != "DIMMSN42" || num(h.Memory.TotalBytes) != fmt.Sprint(3<<30) {
		t.Errorf("memory = %+v", *h.Memory)
	}
	if len(h.CPUs) == 0 || !strings.Contains(s(h.CPUs[0].Model), "Test CPU X1") {
		t.Errorf("cpus = %+v", h.CPUs)
	}
	serials := map[string]string{}
	for _, d := range h.Storage {
		serials[d.Name] = s(d.SerialNumber)
	}
	if serials["sda"] != "SATASN55" || serials["nvme0n1"] != "NVMESN99" || len(serials) != 2 {
		t.Errorf("disks = %v, want sda=SATASN55 nvme0n1=NVMESN99 (no loop, no sr0)", serials)
	}
	st := collectorStatus(a)
	if st["psu"] == "skipped" || st["nvidia"] != "skipped" || st["pcie"] != "ok" {
		t.Errorf("collectors = %v (psu must run with /dev/ipmi0, nvidia skipped)", st)
	}
	if len(h.PCIe) == 0 || len(h.GPUs) != 0 {
		t.Errorf("%d pcie, %d gpus", len(h.PCIe), len(h.GPUs))
	}
}

func TestAuditDellNoBMCNoGPU(t *testing.T) {
	e := dellR640(t).setup(t)
	a, _ := auditOn(t, e)
	h := a.Hardware
	if s(h.System.SerialNumber) != "2RJF153" || s(h.System.ProductName) != "PowerEdge R640" {
		t.Errorf("system = %+v", *h.System)
	}
	if num(h.Memory.SlotsTotal) != "24" || num(h.Memory.SlotsPopulated) != "8" {
		t.Errorf("memory slots %s/%s", num(h.Memory.SlotsPopulated), num(h.Memory.SlotsTotal))
	}
	var first audit.DIMM
	for _, d := range h.Memory.DIMMs {
		if d.Populated {
			first = d
			break
		}
	}
	if s(first.Manufacturer) != "Samsung" || s(first.ManufacturerID) != "00CE00B300CE" || s(first.SerialNumber) != "3780385B" {
		t.Errorf("first DIMM maker %s (id %s), want the JEDEC code decoded", s(first.Manufacturer), s(first.ManufacturerID))
	}
	st := collectorStatus(a)
	if st["psu"] != "skipped" || st["nvidia"] != "skipped" {
		t.Errorf("collectors = %v", st)
	}
	for _, c := range a.Collectors {
		if c.Status == "skipped" && (c.Error == nil || *c.Error == "") {
			t.Errorf("collector %s skipped without a reason", c.Name)
		}
	}
	if a.Runtime != "host" {
		t.Errorf("runtime %q, want host (no /etc/bee-release)", a.Runtime)
	}
}

// replayGivesSameHardware replays capDir with no tools on PATH and no root
// and checks that the audit's hardware section is a1's.
func replayGivesSameHardware(t *testing.T, capDir string, a1 *audit.Audit) {
	t.Helper()
	e2 := machine{name: "empty"}.setup(t)
	out := filepath.Join(e2.out, "replayed.json")
	if _, stderr, code := e2.run("audit", "--replay", capDir, "--output", out); code != 0 {
		t.Fatalf("replay exit %d: %s", code, stderr)
	}
	b, _ := os.ReadFile(out)
	var a2 audit.Audit
	if err := json.Unmarshal(b, &a2); err != nil {
		t.Fatal(err)
	}
	j1, _ := json.Marshal(a1.Hardware)
	j2, _ := json.Marshal(a2.Hardware)
	if string(j1) != string(j2) {
		t.Errorf("replayed hardware differs from captured:\n%s\n%s", j1, j2)
	}
}

// Replaying a capture of an audit gives the same hardware section.
func TestCaptureReplay(t *testing.T) {
	e := gpuServer(t).setup(t)
	capDir := filepath.Join(e.out, "capture")
	a1, _ := auditOn(t, e, "--capture", capDir)
	// Replay with no tools on PATH and no root: everything comes from the capture.
	replayGivesSameHardware(t, capDir, a1)
	if _, err := os.Stat(filepath.Join(capDir, "files", "sys", "bus", "pci", "devices", "0000:18:00.0", "max_link_width")); err != nil {
		t.Errorf("capture lacks a sysfs file read: %v", err)
	}
}

func TestAuditEveryToolMissing(t *testing.T) {
	e := machine{name: "bare", files: baseFiles("bare", "1000000")}.setup(t)
	a, stdout := auditOn(t, e)
	for _, c := range a.Collectors {
		if c.Status != "skipped" || c.Error == nil || !strings.Contains(*c.Error, "not found") && !strings.Contains(*c.Error, "no /dev/ipmi0") {
			t.Errorf("collector %s = %s (%s), want skipped with the reason", c.Name, c.Status, s(c.Error))
		}
	}
	for _, c := range a.Collectors {
		if s(c.SkipReason) != s(c.Error) {
			t.Errorf("collector %s: skip_reason %s, error %s", c.Name, s(c.SkipReason), s(c.Error))
		}
	}
	// Nothing ran: every list is unknown (null), not "none".
	if h := a.Hardware; h.CPUs != nil || h.Storage != nil || h.PCIe != nil || h.PSUs != nil || h.GPUs != nil {
		t.Errorf("lists of skipped collectors: cpus %v storage %v pcie %v psus %v gpus %v, want null",
			h.CPUs, h.Storage, h.PCIe, h.PSUs, h.GPUs)
	}
	if a.Hardware.Summary.Verdict != "pass" {
		t.Errorf("verdict %s: skipped collectors are not findings", a.Hardware.Summary.Verdict)
	}
	if !strings.Contains(stdout, "audit written to") {
		t.Errorf("stdout = %s", stdout)
	}
}

func TestAuditToolExitsNonZero(t *testing.T) {
	m := qemuVM(t).withCmd(fakeCmd{argv: []string{"dmidecode", "-t", "4"}, stderr: "/dev/mem: Permission denied\n", exit: 1})
	e := m.setup(t)
	a, _ := auditOn(t, e)
	var cpu audit.Collector
	for _, c := range a.Collectors {
		if c.Name == "cpu" {
			cpu = c
		}
	}
	if cpu.Status != "error" || !strings.Contains(s(cpu.Error), "exit status 1") || !strings.Contains(s(cpu.Error), "Permission denied") {
		t.Errorf("cpu collector = %s: %s", cpu.Status, s(cpu.Error))
	}
	if len(cpu.Commands) != 1 || cpu.Commands[0].ExitCode == nil || *cpu.Commands[0].ExitCode != 1 {
		t.Errorf("cpu command record = %+v", cpu.Commands)
	}
	if a.Hardware.Summary.Verdict != "warning" || len(codes(a)[audit.CodeCollectorError]) != 1 {
		t.Errorf("verdict %s, findings %v", a.Hardware.Summary.Verdict, codes(a))
	}
	if a.Hardware.System == nil || s(a.Hardware.System.SerialNumber) != "SYSSN12345" {
		t.Error("the other collectors must still report")
	}
}

// Issue 8: dmidecode exiting 1 (no root, broken table) leaves what SMBIOS
// says unknown: null, not 0 slots, 0 bytes and no CPUs.
func TestAuditDmidecodeFails(t *testing.T) {
	m := qemuVM(t)
	for _, types := range []string{"0,1,2", "4", "17", "16"} {
		m = m.withCmd(fakeCmd{argv: []string{"dmidecode", "-t", types}, stderr: "/dev/mem: Permission denied\n", exit: 1})
	}
	e := m.setup(t)
	a, _ := auditOn(t, e)
	st := collectorStatus(a)
	for _, name := range []string{"board", "cpu", "memory"} {
		if st[name] != "error" {
			t.Errorf("collector %s = %s, want error", name, st[name])
		}
	}
	b, err := os.ReadFile(filepath.Join(e.out, "bee-audit.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Hardware map[string]json.RawMessage `json:"hardware"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var mem map[string]json.RawMessage
	if err := json.Unmarshal(doc.Hardware["memory"], &mem); err != nil {
		t.Fatalf("memory = %s: %v", doc.Hardware["memory"], err)
	}
	for _, k := range []string{"total_bytes", "slots_total", "slots_populated", "dimms"} {
		if string(mem[k]) != "null" {
			t.Errorf("memory.%s = %s, want null", k, mem[k])
		}
	}
	if string(doc.Hardware["cpus"]) != "null" {
		t.Errorf("cpus = %s, want null", doc.Hardware["cpus"])
	}
	if len(codes(a)[audit.CodeCollectorError]) != 3 || len(codes(a)[audit.CodeNoDIMMs]) != 0 {
		t.Errorf("findings %v", codes(a))
	}
}

func TestAuditToolHangs(t *testing.T) {
	m := qemuVM(t).withCmd(fakeCmd{argv: []string{"ipmitool", "sdr", "elist"}, stdout: fixture("ipmitool", "qemu_ipmitool-sdr.txt"), sleep: time.Hour})
	e := m.setup(t)
	start := time.Now()
	a, _ := auditOn(t, e, "--tool-timeout", "2s")
	if el := time.Since(start); el > 30*time.Second {
		t.Errorf("audit took %s with a 2s tool timeout", el)
	}
	var psu audit.Collector
	for _, c := range a.Collectors {
		if c.Name == "psu" {
			psu = c
		}
	}
	timedOut := false
	for _, c := range psu.Commands {
		timedOut = timedOut || c.TimedOut
	}
	if psu.Status != "error" || !timedOut || !strings.Contains(s(psu.Error), "timed out") {
		t.Errorf("psu = %s %s %+v", psu.Status, s(psu.Error), psu.Commands)
	}
	// The killed fake must not be left running.
	if pids := e.fake.Running(); len(pids) > 0 {
		t.Errorf("fake tool still running after timeout: pids %v", pids)
	}
}

func TestAuditGarbageOutput(t *testing.T) {
	garbage := filepath.Join(t.TempDir(), "garbage")
	os.WriteFile(garbage, []byte("<html><body>502 Bad Gateway</body></html>\n\x00\xff\xfe"), 0o644)
	m := qemuVM(t).
		withCmd(fakeCmd{argv: lsblkArgv, stdout: garbage}).
		withCmd(fakeCmd{argv: []string{"dmidecode", "-t", "17"}, stdout: garbage}).
		withCmd(fakeCmd{argv: []string{"lspci", "-vmm", "-D"}, stdout: garbage}).
		withCmd(fakeCmd{argv: []string{"ipmitool", "sdr", "elist"}, stdout: garbage}).
		withCmd(fakeCmd{argv: []string{"nvidia-smi", "-q", "-x"}, stdout: garbage})
	e := m.setup(t)
	a, _ := auditOn(t, e)
	st := collectorStatus(a)
	for _, name := range []string{"storage", "memory", "psu", "nvidia"} {
		if st[name] != "error" {
			t.Errorf("collector %s = %s on garbage, want error", name, st[name])
		}
	}
	if st["board"] != "ok" {
		t.Errorf("board = %s", st["board"])
	}
}

func TestAuditOutputUnwritable(t *testing.T) {
	e := qemuVM(t).setup(t)
	// Parent is a regular file: nothing can be created there, even as root.
	blocker := filepath.Join(e.out, "file")
	os.WriteFile(blocker, []byte("x"), 0o644)
	_, stderr, code := e.run("audit", "--root", e.root, "--output", filepath.Join(blocker, "bee-audit.json"))
	if code == 0 || !strings.Contains(stderr, "cannot write") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// A full disk mid-write must leave the previous audit intact and no temp file.
func TestAuditDiskFullKeepsPrevious(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tiny tmpfs")
	}
	dir := filepath.Join(t.TempDir(), "tiny")
	os.MkdirAll(dir, 0o755)
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=64k"); err != nil {
		t.Skipf("cannot mount tmpfs: %v", err)
	}
	defer syscall.Unmount(dir, 0)
	prev := []byte(`{"schema_version":1,"previous":true}` + "\n")
	out := filepath.Join(dir, "bee-audit.json")
	os.WriteFile(out, prev, 0o644)
	// Fill the rest: the audit (tens of KB) cannot fit.
	f, _ := os.Create(filepath.Join(dir, "filler"))
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	f.Close()
	e := gpuServer(t).setup(t)
	_, stderr, code := e.run("audit", "--root", e.root, "--output", out)
	if code == 0 {
		t.Fatalf("exit 0 on a full disk; stderr %s", stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != string(prev) {
		t.Errorf("previous audit changed: %q", b)
	}
	ents, _ := os.ReadDir(dir)
	for _, en := range ents {
		if strings.Contains(en.Name(), ".tmp") || strings.HasPrefix(en.Name(), ".bee") {
			t.Errorf("left behind %s", en.Name())
		}
	}
}

func TestFailOn(t *testing.T) {
	e := gpuServer(t).setup(t)
	out := filepath.Join(e.out, "a.json")
	if _, _, code := e.run("audit", "--root", e.root, "--output", out, "--fail-on", "fail"); code != 3 {
		t.Errorf("--fail-on fail on a failing machine: exit %d, want 3", code)
	}
	e2 := machine{name: "bare", files: baseFiles("bare", "1000000")}.setup(t)
	if _, _, code := e2.run("audit", "--root", e2.root, "--output", out, "--fail-on", "warning"); code != 0 {
		t.Errorf("--fail-on warning on a passing machine: exit %d, want 0", code)
	}
}

func TestVersionAndHelp(t *testing.T) {
	e := machine{name: "bare"}.setup(t)
	if out, _, code := e.run("version"); code != 0 || !strings.HasPrefix(out, "bee ") || !strings.Contains(out, "commit") {
		t.Errorf("version: %d %q", code, out)
	}
	if out, _, code := e.run("help"); code != 0 || !strings.Contains(out, "audit") {
		t.Errorf("help: %d %q", code, out)
	}
	if errOut, _, code := e.run("audit", "--help"); code != 0 || !strings.Contains(errOut, "-output FILE") {
		t.Errorf("audit --help: %d %q", code, errOut)
	}
	if _, _, code := e.run("frobnicate"); code != 2 {
		t.Errorf("unknown command exit %d, want 2", code)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
