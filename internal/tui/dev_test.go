package tui

import (
	"fmt"
	"os"
	"testing"

	"github.com/beeaudit/bee/internal/audit"
)

func p[T any](v T) *T { return &v }

func devAudit() *audit.Audit {
	a := &audit.Audit{SchemaVersion: 1, BeeVersion: "dev", StartedAt: "2025-05-30T10:00:00Z", FinishedAt: "2025-05-30T10:00:41Z", Runtime: "livecd", Hostname: p("debian"), Kernel: p("6.1.0-37-amd64")}
	h := &a.Hardware
	h.System = &audit.System{Manufacturer: p("Supermicro"), ProductName: p("SYS-4029GP-TRT2"), SerialNumber: p("A263370X9208123"), UUID: p("00000000-0000-0000-0000-ac1f6b4e2a10")}
	h.BIOS = &audit.BIOS{Vendor: p("American Megatrends Inc."), Version: p("3.1"), ReleaseDate: p("05/07/2019")}
	h.Board = &audit.Board{Manufacturer: p("Supermicro"), ProductName: p("X11DPG-OT-CPU"), SerialNumber: p("OM19AS004321")}
	h.CPUs = []audit.CPU{{Socket: p("CPU1"), Populated: true, Model: p("Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"), Cores: p(20), Threads: p(40), MaxSpeedMHz: p(4000), Status: p("Populated, Enabled")}, {Socket: p("CPU2"), Populated: true, Model: p("Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"), Cores: p(20), Threads: p(40), MaxSpeedMHz: p(4000), Status: p("Populated, Enabled")}}
	h.Memory = &audit.Memory{TotalBytes: 384 << 30, SlotsTotal: 4, SlotsPopulated: 3, KernelBytes: p(int64(377 << 30)), DIMMs: []audit.DIMM{
		{Locator: p("P1-DIMMA1"), BankLocator: p("P0_Node0_Channel0_Dimm0"), Populated: true, SizeBytes: p(int64(128 << 30)), Type: p("DDR4"), SpeedMTs: p(2933), ConfiguredSpeedMTs: p(2933), Manufacturer: p("Samsung"), PartNumber: p("M393AAG40M32-CAE"), SerialNumber: p("0123ABCD")},
		{Locator: p("P1-DIMMA2"), Populated: false},
		{Locator: p("P1-DIMMB1"), Populated: true, SizeBytes: p(int64(128 << 30)), Type: p("DDR4"), SpeedMTs: p(2933), ConfiguredSpeedMTs: p(2933), Manufacturer: p("Samsung"), PartNumber: p("M393AAG40M32-CAE"), SerialNumber: p("0123ABCE")},
		{Locator: p("P2-DIMMA1"), Populated: true, SizeBytes: p(int64(128 << 30)), Type: p("DDR4"), SpeedMTs: p(2933), ConfiguredSpeedMTs: p(2933), Manufacturer: p("Samsung"), PartNumber: p("M393AAG40M32-CAE"), SerialNumber: p("0123ABCF")},
	}}
	h.Storage = []audit.Disk{{Name: "nvme0n1", Path: "/dev/nvme0n1", Transport: p("nvme"), Model: p("SAMSUNG MZQLB1T9HAJR-00007"), SerialNumber: p("S439NA0M123456"), SizeBytes: p(int64(1920383410176)), SMART: &audit.SMART{Available: true, Passed: p(true), TemperatureC: p(35), PowerOnHours: p(int64(12034)), PercentageUsed: p(3)}},
		{Name: "sda", Path: "/dev/sda", Transport: p("sata"), Model: p("ST6000NM0115-1YZ110"), SerialNumber: p("ZAD0ABCD"), SizeBytes: p(int64(6001175126016)), SMART: &audit.SMART{Available: true, Passed: p(false), TemperatureC: p(41), PowerOnHours: p(int64(40123))}}}
	h.PCIe = []audit.PCIeDev{{Address: "0000:1a:00.0", Class: p("3D controller"), Vendor: p("NVIDIA Corporation"), Device: p("TU104GL [Quadro RTX 5000]"), Driver: p("nvidia"), NUMANode: p(0), Link: &audit.Link{CurrentSpeed: p("2.5 GT/s"), CurrentWidth: p(8), MaxSpeed: p("8 GT/s"), MaxWidth: p(16)}}}
	h.PSUs = []audit.PSU{{Name: "PS1", Status: "ok", Manufacturer: p("SUPERMICRO"), Model: p("PWS-2K20A-1R"), SerialNumber: p("P2K2ACH00A1")}, {Name: "PS2", Status: "failed", Events: []string{"Failure detected"}}}
	h.GPUs = []audit.GPU{{Index: 0, Name: p("Quadro RTX 5000"), SerialNumber: p("1321019012345"), PCIAddress: p("00000000:1A:00.0"), TemperatureC: p(31), ECCVolatileUncorrected: p(int64(0)), RetiredPagesSBE: p(int64(0)), RetiredPagesDBE: p(int64(0))}}
	h.Summary = audit.Summary{Verdict: "fail", Failures: 2, Warnings: 1, Findings: []audit.Finding{
		{Severity: "failure", Component: "psu:PS2", Code: "PSU_FAILED", Message: "PS2: failure reported by the BMC (Failure detected)"},
		{Severity: "failure", Component: "storage:/dev/sda", Code: "SMART_HEALTH_FAILED", Message: "SMART overall-health self-assessment FAILED"},
		{Severity: "warning", Component: "pcie:0000:1a:00.0", Code: "PCIE_LINK_DEGRADED", Message: "NVIDIA Corporation TU104GL [Quadro RTX 5000]: link x8, device capable of x16"}}}
	a.Collectors = []audit.Collector{{Name: "board", Status: "ok", DurationMS: 120}, {Name: "psu", Status: "skipped", Error: p("no /dev/ipmi0")}}
	return a
}

func TestDevPrint(t *testing.T) {
	if os.Getenv("TUIDEV") == "" {
		t.Skip()
	}
	a := devAudit()
	v := homeView{Version: "dev", Runtime: "livecd", Audit: a, Net: netView{Loaded: true, Ifaces: lanSystem().ifaces, SSH: lanSystem().ssh}, Menu: menuFor("livecd"), Cursor: 2}
	for _, sz := range [][2]int{{80, 25}, {120, 40}} {
		fmt.Println(box(renderHome(v, sz[0], sz[1]), sz[0]))
	}
	v.Net = netView{Loaded: true, Ifaces: isolatedSystem().ifaces, SSH: isolatedSystem().ssh}
	fmt.Println(box(renderHome(v, 80, 25), 80))
	s, _ := renderFindings(a, 0, 80, 25)
	fmt.Println(box(s, 80))
	secs := sections(a)
	for i := range secs {
		s, _ := renderInventory(secs, invState{sec: i}, 80, 25)
		fmt.Println(box(s, 80))
	}
	s, _ = renderDetail("Storage: sda", secs[3].details[1](), 0, 80, 25)
	fmt.Println(box(s, 80))
	fmt.Println(box(renderSATMenu(0, a, 80, 25), 80))
	fmt.Println(box(renderNetwork(netView{Loaded: true, Ifaces: lanSystem().ifaces, SSH: lanSystem().ssh}, 0, "", 80, 25), 80))
	fmt.Println(box(renderStatic(staticForm{iface: "eno1", fields: [2]string{"10.0.0.5/24", "10.0.0.1"}, focus: 1}, 80, 25), 80))
	fmt.Println(box(renderConfirm(confirmView{title: "Reboot", question: "Reboot this machine now?", argv: []string{"systemctl", "reboot"}, yes: "yes, reboot"}, 80, 25), 80))
}

func TestDevWriteAudits(t *testing.T) {
	if os.Getenv("TUIDEV_WRITE") == "" {
		t.Skip()
	}
	os.MkdirAll("testdata/audits", 0o755)
	a := devAudit()
	b, _ := audit.Marshal(a)
	os.WriteFile("testdata/audits/dev-failures.json", b, 0o644)
	h := devAudit()
	h.Hardware.Summary = audit.Summary{Verdict: "pass", Findings: []audit.Finding{}}
	h.Hardware.PSUs[1].Status = "ok"
	h.Hardware.Storage[1].SMART.Passed = p(true)
	b, _ = audit.Marshal(h)
	os.WriteFile("testdata/audits/dev-healthy.json", b, 0o644)
	n := devAudit()
	n.Hardware.GPUs = []audit.GPU{}
	n.Hardware.PSUs = []audit.PSU{}
	n.Hardware.PCIe = n.Hardware.PCIe[:0]
	n.Hardware.Summary = audit.Summary{Verdict: "fail", Failures: 1, Findings: n.Hardware.Summary.Findings[1:2]}
	n.Collectors = []audit.Collector{{Name: "board", Status: "ok"}, {Name: "psu", Status: "skipped", Error: p("no /dev/ipmi0: no BMC, or the ipmi_si/ipmi_devintf modules are not loaded")}, {Name: "nvidia", Status: "skipped", Error: p("nvidia-smi not found on PATH")}}
	b, _ = audit.Marshal(n)
	os.WriteFile("testdata/audits/dev-nogpu-nobmc.json", b, 0o644)
}
