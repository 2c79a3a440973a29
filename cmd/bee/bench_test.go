package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Tool latencies measured or typical on real servers (docs/benchmarks.md).
func realisticLatency(argv []string) time.Duration {
	switch {
	case argv[0] == "smartctl":
		return 500 * time.Millisecond
	case argv[0] == "nvme":
		return 200 * time.Millisecond
	case argv[0] == "nvidia-smi":
		return 2 * time.Second
	case argv[0] == "ipmitool" && argv[1] == "sdr":
		return 3 * time.Second
	case argv[0] == "ipmitool":
		return 1500 * time.Millisecond
	case argv[0] == "dmidecode":
		return 300 * time.Millisecond
	case argv[0] == "lspci":
		return 150 * time.Millisecond
	}
	return 50 * time.Millisecond
}

// largeGPUServer is a 2-socket, 32-slot GPU server with 12 disks and 8 GPUs.
// The tool outputs are real captures; the lsblk listing of 12 disks and the
// 8-GPU nvidia-smi report are assembled from real captures (two 4×K80
// reports, bus ids renumbered) because no single capture has that many.
func largeGPUServer(b testing.TB) machine {
	dir := b.TempDir()
	dmi := fixture("dmidecode", "inspur-nf5280m6_2cpu_32slots_16empty.txt")

	var disks []string
	smartFiles := []string{
		"sata-hdd_hgst-hus728t8tale6l4_supermicro-x11dph-t_a.json", "sata-ssd_micron-5200_supermicro-x11dph-t_a.json",
		"sas-hdd_seagate-st1200mm0088_a.json", "sata-ssd_intel-s4510_redacted.json",
	}
	var cmds []fakeCmd
	for i := 0; i < 8; i++ {
		name := fmt.Sprintf("sd%c", 'a'+i)
		disks = append(disks, fmt.Sprintf(`{"name":%q,"path":"/dev/%s","type":"disk","tran":"sas","size":8001563222016,"rota":true}`, name, name))
		cmds = append(cmds, smart(b, "/dev/"+name, smartFiles[i%len(smartFiles)]))
	}
	for i := 0; i < 4; i++ {
		name := fmt.Sprintf("nvme%dn1", i)
		ctrl := fmt.Sprintf("/dev/nvme%d", i)
		disks = append(disks, fmt.Sprintf(`{"name":%q,"path":"/dev/%s","type":"disk","tran":"nvme","size":3840755982336,"rota":false}`, name, name))
		cmds = append(cmds, smart(b, ctrl, "nvme_micron-7450_redacted.json"),
			fakeCmd{argv: []string{"nvme", "id-ctrl", ctrl, "-o", "json"}, stdout: fixture("nvme", "id-ctrl_samsung-pm983-mz1lb960hajq.json")},
			fakeCmd{argv: []string{"nvme", "smart-log", ctrl, "-o", "json"}, stdout: fixture("nvme", "smart-log_nvme-cli-2.3.json")})
	}
	lsblkPath := filepath.Join(dir, "lsblk.json")
	os.WriteFile(lsblkPath, []byte(`{"blockdevices":[`+strings.Join(disks, ",")+`]}`), 0o644)

	k80, err := os.ReadFile(fixture("nvidiasmi", "4x-tesla-k80_q-x_v10.xml"))
	if err != nil {
		b.Fatal(err)
	}
	x := string(k80)
	gpuRe := regexp.MustCompile(`(?s)<gpu id=.*?</gpu>`)
	gpus := gpuRe.FindAllString(x, -1)
	var eight []string
	files := baseFiles("gpu-big", "527000000")
	files["/dev/ipmi0"] = ""
	links := map[string]string{}
	for i := 0; i < 8; i++ {
		addr := fmt.Sprintf("0000:%02x:00.0", 0x18+i*0x10)
		g := regexp.MustCompile(`<pci_bus_id>[^<]*</pci_bus_id>`).ReplaceAllString(gpus[i%4], "<pci_bus_id>0000"+strings.ToUpper(addr)+"</pci_bus_id>")
		eight = append(eight, g)
		pciFn{addr: addr, vendor: "10de", device: "2330", class: "030200", driver: "nvidia", curSpeed: "32.0 GT/s PCIe", maxSpeed: "32.0 GT/s PCIe", curWidth: "16", maxWidth: "16"}.add(files, links)
	}
	big := gpuRe.ReplaceAllLiteralString(x, "\x00")
	big = strings.Replace(big, "\x00", strings.Join(eight, "\n"), 1)
	big = strings.ReplaceAll(big, "\x00", "")
	big = strings.Replace(big, "<attached_gpus>4</attached_gpus>", "<attached_gpus>8</attached_gpus>", 1)
	smiPath := filepath.Join(dir, "nvidia-smi.xml")
	os.WriteFile(smiPath, []byte(big), 0o644)

	cmds = append(cmds,
		fakeCmd{argv: []string{"dmidecode", "-t", "0,1,2"}, stdout: dmi},
		fakeCmd{argv: []string{"dmidecode", "-t", "4"}, stdout: dmi},
		fakeCmd{argv: []string{"dmidecode", "-t", "17"}, stdout: dmi},
		fakeCmd{argv: []string{"dmidecode", "-t", "16"}, stdout: dmi},
		fakeCmd{argv: lsblkArgv, stdout: lsblkPath},
		fakeCmd{argv: []string{"lspci", "-vmm", "-D"}, stdout: fixture("lspci", "qemu_lspci-vmm-D.txt")},
		fakeCmd{argv: []string{"ipmitool", "fru"}, stdout: fixture("ipmitool", "intel-s7200ap_fru_psu.txt")},
		fakeCmd{argv: []string{"ipmitool", "sdr", "elist"}, stdout: fixture("ipmitool", "supermicro-sys-4029gp-trt2_sdr-elist_psu-ok.txt")},
		fakeCmd{argv: []string{"nvidia-smi", "-q", "-x"}, stdout: smiPath},
	)
	return machine{name: "large-gpu-server", cmds: cmds, files: files, links: links}.withLatency(realisticLatency)
}

// BenchmarkAuditLargeGPUServer measures a whole `bee audit` (the real binary)
// of a large GPU server whose fake tools answer with realistic latencies.
// Reported: wall time per audit, the sum of all tool latencies, the longest
// chain (the bound a perfectly concurrent audit can reach) and wall/chain.
//
//	go test -run '^$' -bench AuditLargeGPUServer -benchtime 5x ./cmd/bee/
func BenchmarkAuditLargeGPUServer(b *testing.B) {
	m := largeGPUServer(b)
	e := m.setup(b)
	var sum time.Duration
	lat := map[string]time.Duration{}
	for _, c := range m.cmds {
		sum += c.sleep
		lat[strings.Join(c.argv, " ")] = c.sleep
	}
	// Longest dependency chain: lsblk, then one disk's smartctl → nvme id-ctrl
	// → nvme smart-log; every other collector is one command (ipmitool's two run
	// side by side) but memory's two (dmidecode -t 17, then -t 16).
	storage := lat[strings.Join(lsblkArgv, " ")] +
		lat["smartctl -j -x /dev/nvme0"] + lat["nvme id-ctrl /dev/nvme0 -o json"] + lat["nvme smart-log /dev/nvme0 -o json"]
	chain := max(storage, lat["ipmitool sdr elist"], lat["ipmitool fru"], lat["nvidia-smi -q -x"], lat["lspci -vmm -D"], lat["dmidecode -t 17"]+lat["dmidecode -t 16"])
	out := filepath.Join(e.out, "a.json")
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, stderr, code := e.run("audit", "--root", e.root, "--output", out, "--quiet"); code != 0 {
			b.Fatalf("exit %d: %s", code, stderr)
		}
	}
	wall := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(wall.Seconds(), "wall-s/op")
	b.ReportMetric(sum.Seconds(), "tool-latency-sum-s")
	b.ReportMetric(chain.Seconds(), "longest-chain-s")
	b.ReportMetric(float64(wall)/float64(chain), "wall/chain")
}

// The benchmark machine must be a valid, complete audit (otherwise the timing
// measures an audit that skipped work).
func TestLargeGPUServerMachineIsComplete(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: injected latencies")
	}
	e := largeGPUServer(t).setup(t)
	a, _ := auditOn(t, e)
	for _, c := range a.Collectors {
		if c.Status != "ok" {
			t.Errorf("collector %s = %s: %s", c.Name, c.Status, s(c.Error))
		}
	}
	if len(a.Hardware.GPUs) != 8 || len(a.Hardware.Storage) != 12 || num(a.Hardware.Memory.SlotsTotal) != "32" || len(a.Hardware.CPUs) != 2 {
		t.Errorf("gpus %d disks %d slots %s cpus %d", len(a.Hardware.GPUs), len(a.Hardware.Storage), num(a.Hardware.Memory.SlotsTotal), len(a.Hardware.CPUs))
	}
}
