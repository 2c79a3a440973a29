package nvidiasmi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
	"github.com/google/go-cmp/cmp"
)

// TestNVLinkTopoFabricCaptures compares each parser's result on the captures in
// testdata/{nvlink,topo,fabric} with <capture>.golden.json.
func TestNVLinkTopoFabricCaptures(t *testing.T) {
	for _, tc := range []struct {
		dir   string
		parse func([]byte) (any, error)
	}{
		{"nvlink", func(b []byte) (any, error) { return ParseNVLink(b) }},
		{"topo", func(b []byte) (any, error) { return ParseTopo(b) }},
		{"fabric", func(b []byte) (any, error) { return ParseFabricText(b) }},
	} {
		for _, c := range golden.Captures(t, filepath.Join("testdata", tc.dir), nil) {
			t.Run(tc.dir+"/"+filepath.Base(c), func(t *testing.T) {
				data, err := os.ReadFile(c)
				if err != nil {
					t.Fatal(err)
				}
				got, err := tc.parse(data)
				if err != nil {
					t.Fatal(err)
				}
				golden.JSON(t, c, got)
			})
		}
	}
}

func readSub(t *testing.T, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseNVLinkStatus(t *testing.T) {
	// 8x A100: 12 links of 25 GB/s per GPU, link lines indented with spaces.
	gpus, err := ParseNVLink(readSub(t, "nvlink", "a100-sxm4-80gb-8x_nvlink-status.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(gpus) != 8 {
		t.Fatalf("%d GPUs, want 8", len(gpus))
	}
	g := gpus[0]
	if g.Index != 0 || g.Name != "NVIDIA A100-SXM4-80GB" || g.UUID != "GPU-5269b708-678a-b1a8-60f0-c90406537486" || len(g.Links) != 12 {
		t.Errorf("GPU 0 = %+v", g)
	}
	for _, gg := range gpus {
		for _, l := range gg.Links {
			if l.State != LinkUp || l.SpeedGBs == nil || *l.SpeedGBs != 25 {
				t.Errorf("GPU %d link %d = %+v, want up at 25 GB/s", gg.Index, l.Link, l)
			}
		}
	}
	if f := JudgeNVLinkStatus(gpus); len(f) != 0 {
		t.Errorf("healthy A100 node judged: %+v", f)
	}

	// V100 with links 3 and 5 <inactive>, UUID masked by the poster.
	gpus, err = ParseNVLink(readSub(t, "nvlink", "v100-sxm2-32gb_nvlink-status_links-3-5-inactive.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{LinkUp, LinkUp, LinkUp, LinkInactive, LinkUp, LinkInactive}
	var got []string
	for _, l := range gpus[0].Links {
		got = append(got, l.State)
	}
	if gpus[0].Index != 3 || gpus[0].UUID != "..." || !cmp.Equal(got, want) || *gpus[0].Links[0].SpeedGBs != 25.781 {
		t.Errorf("V100 = %+v, states %v", gpus[0], got)
	}

	// Empty output: a GPU without NVLink (A10).
	gpus, err = ParseNVLink(readSub(t, "nvlink", "a10_nvlink-status_empty-output.txt"))
	if err != nil || len(gpus) != 0 {
		t.Errorf("empty output = %v, %v", gpus, err)
	}

	// All links inactive.
	gpus, err = ParseNVLink(readSub(t, "nvlink", "azure-a100-sxm4-80gb_nvlink-status_all-links-inactive.txt"))
	if err != nil || len(gpus) != 1 || !gpus[0].AllInactive || gpus[0].Index != 6 || len(gpus[0].Links) != 0 {
		t.Errorf("all inactive = %+v, %v", gpus, err)
	}
}

func TestParseNVLinkErrors(t *testing.T) {
	// GB300: header without "(UUID: ...)", tab + space indentation.
	gpus, err := ParseNVLink(readSub(t, "nvlink", "gb300_nvlink-errors_no-uuid.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := []NVLinkGPU{{Index: 0, Name: "NVIDIA GB300", Links: []NVLink{{Link: 0,
		Counters: map[string]int64{CounterReplay: 0, CounterRecovery: 0, CounterCRC: 0}}}}}
	if diff := cmp.Diff(want, gpus); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// The message as NVIDIA/open-gpu-kernel-modules#1150 quotes it (590 driver).
func TestParseNVLinkInActiveSpelling(t *testing.T) {
	g, err := ParseNVLink([]byte("GPU 2: NVIDIA B200 (UUID: GPU-x)\nNVML:Unable to retrieve Nvlink information as all links are inActive\n"))
	if err != nil || len(g) != 1 || !g[0].AllInactive {
		t.Errorf("= %+v, %v", g, err)
	}
}

func TestParseNVLinkBadInput(t *testing.T) {
	for _, in := range []string{
		"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n",
		"garbage\n",
	} {
		if g, err := ParseNVLink([]byte(in)); err == nil {
			t.Errorf("ParseNVLink(%q) = %+v, want an error", in, g)
		}
	}
}

// The judge on the real captures merged as one machine would print them: the all-inactive
// A100 (GPU 6) beside the healthy 8x A100 node's GPUs is a failure; so is the V100's
// inactive link 3 when another V100 has link 3 up.
func TestJudgeNVLinkStatus(t *testing.T) {
	a100, err := ParseNVLink(readSub(t, "nvlink", "a100-sxm4-80gb-8x_nvlink-status.txt"))
	if err != nil {
		t.Fatal(err)
	}
	dead, err := ParseNVLink(readSub(t, "nvlink", "azure-a100-sxm4-80gb_nvlink-status_all-links-inactive.txt"))
	if err != nil {
		t.Fatal(err)
	}
	mixed := append(append([]NVLinkGPU{}, a100[:6]...), dead[0], a100[7])
	f := JudgeNVLinkStatus(mixed)
	if len(f) != 1 || f[0].GPU != 6 || f[0].Link != -1 || f[0].Severity != SeverityFailure {
		t.Errorf("findings = %+v", f)
	}
	// Alone, an all-inactive GPU has no sibling to compare with.
	if f := JudgeNVLinkStatus(dead); len(f) != 0 {
		t.Errorf("lone GPU judged: %+v", f)
	}

	v100, err := ParseNVLink(readSub(t, "nvlink", "v100-sxm2-32gb_nvlink-status_links-3-5-inactive.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// Alone: links 3 and 5 down on the only GPU seen is not judged (no sibling has them up).
	if f := JudgeNVLinkStatus(v100); len(f) != 0 {
		t.Errorf("lone V100 judged: %+v", f)
	}
	sibling := NVLinkGPU{Index: 2, Name: v100[0].Name, Links: []NVLink{{Link: 3, State: LinkUp}, {Link: 5, State: LinkInactive}}}
	f = JudgeNVLinkStatus([]NVLinkGPU{sibling, v100[0]})
	if len(f) != 1 || f[0].GPU != 3 || f[0].Link != 3 || !strings.Contains(f[0].Message, "inactive") {
		t.Errorf("findings = %+v", f)
	}
}

func TestJudgeNVLinkCounters(t *testing.T) {
	before, err := ParseNVLink(readSub(t, "nvlink", "gb300_nvlink-errors_no-uuid.txt"))
	if err != nil {
		t.Fatal(err)
	}
	after, err := ParseNVLink([]byte(strings.Replace(string(readSub(t, "nvlink", "gb300_nvlink-errors_no-uuid.txt")), "CRC Errors: 0", "CRC Errors: 7", 1)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := JudgeNVLinkCounters(before, after)
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != 1 || f[0].Severity != SeverityWarning || f[0].Link != 0 || !strings.Contains(f[0].Message, "CRC Errors rose from 0 to 7") {
		t.Errorf("findings = %+v", f)
	}
	if f, _ := JudgeNVLinkCounters(after, before); len(f) != 0 {
		t.Errorf("a counter that fell (reset) judged: %+v", f)
	}
	if f, _ := JudgeNVLinkCounters(before, before); len(f) != 0 {
		t.Errorf("unchanged counters judged: %+v", f)
	}
	status, _ := ParseNVLink(readSub(t, "nvlink", "a100-sxm4-80gb-8x_nvlink-status.txt"))
	if _, err := JudgeNVLinkCounters(status, status); err != ErrNoCounters {
		t.Errorf("status output as counters: err = %v", err)
	}
}

func TestParseTopo(t *testing.T) {
	// H200: tab-separated, ANSI underline on the header, an empty cell before GPU NUMA ID.
	topo, err := ParseTopo(readSub(t, "topo", "h200-8x_topo-m_nv18_10-nics.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(topo.Devices) != 18 {
		t.Fatalf("%d devices, want 18", len(topo.Devices))
	}
	if d := topo.Devices[4]; d != (TopoDevice{Name: "GPU4", Kind: "gpu", CPUAffinity: "64-127,192-255", NUMAAffinity: "1"}) {
		t.Errorf("GPU4 = %+v", d)
	}
	if d := topo.Devices[17]; d != (TopoDevice{Name: "NIC9", Kind: "nic", NIC: "mlx5_9"}) {
		t.Errorf("NIC9 = %+v", d)
	}
	for _, c := range [][3]string{{"GPU0", "GPU7", "NV18"}, {"GPU3", "NIC0", "PIX"}, {"NIC0", "GPU3", "PIX"}, {"GPU0", "NIC6", "SYS"}, {"GPU5", "GPU5", "X"}, {"GPU0", "NIC0", "NODE"}} {
		if got := topo.Connection(c[0], c[1]); got != c[2] {
			t.Errorf("%s-%s = %q, want %q", c[0], c[1], got, c[2])
		}
	}
	if NVLinks(topo.Connection("GPU1", "GPU2")) != 18 || NVLinks("SYS") != 0 {
		t.Error("NVLinks")
	}

	// Workstation: tabs expanded to spaces by the terminal; PHB/NODE/SYS, no NICs.
	topo, err = ParseTopo(readSub(t, "topo", "workstation-5gpu-pcie_topo-m_sys-phb-node.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(topo.Devices) != 5 || topo.Connection("GPU1", "GPU2") != "PHB" || topo.Connection("GPU3", "GPU1") != "NODE" ||
		topo.Devices[0].CPUAffinity != "8-15,24-31" || topo.Devices[0].NUMAAffinity != "1" {
		t.Errorf("workstation = %+v", topo)
	}

	// Older driver: no GPU NUMA ID column; NUMA Affinity N/A.
	topo, err = ParseTopo(readSub(t, "topo", "2x-gtx1080ti_topo-m_phb_no-gpu-numa-id.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if topo.Devices[1] != (TopoDevice{Name: "GPU1", Kind: "gpu", CPUAffinity: "0-11"}) {
		t.Errorf("GPU1 = %+v", topo.Devices[1])
	}

	// 17 NICs, the last a bond.
	topo, err = ParseTopo(readSub(t, "topo", "a100-8x_topo-m_nv12_17-nics_bond.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(topo.Devices) != 25 || topo.Devices[24].NIC != "mlx5_bond_0" || topo.Connection("NIC16", "NIC16") != "X" || topo.Connection("GPU7", "NIC15") != "PXB" {
		t.Errorf("A100 17 NICs = %+v", topo.Devices)
	}
}

func TestParseTopoBadInput(t *testing.T) {
	full := string(readSub(t, "topo", "workstation-5gpu-pcie_topo-m_sys-phb-node.txt"))
	for name, in := range map[string]string{
		"empty":         "",
		"no GPU column": "        NIC0    CPU Affinity\nNIC0     X\n",
		"short row":     strings.Replace(full, "GPU2    SYS     PHB      X      NODE    NODE", "GPU2    SYS     PHB      X", 1),
		"header only":   "        GPU0    CPU Affinity\n",
		"driver error":  "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n",
	} {
		if tp, err := ParseTopo([]byte(in)); err == nil {
			t.Errorf("%s: ParseTopo = %+v, want an error", name, tp)
		}
	}
}

func TestParseFabric(t *testing.T) {
	// H100 8x, full -q: every GPU Completed / Success, bus ids from the GPU lines.
	fs, err := ParseFabricText(readSub(t, "fabric", "h100-80gb-hbm3-8x_nvidia-smi-q_fabric-completed_535.161.08.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 8 || !cmp.Equal(fs[0], Fabric{PCIBusID: "0000:19:00.0", State: "Completed", Status: "Success"}) || fs[1].PCIBusID != "0000:3b:00.0" {
		t.Errorf("H100 = %+v", fs)
	}
	if f := JudgeFabric(fs); len(f) != 0 {
		t.Errorf("healthy H100 fabric judged: %+v", f)
	}

	// Multi-node NVLink GPU, grep excerpt: clique 2, health Unhealthy → failure.
	fs, err = ParseFabricText(readSub(t, "fabric", "mnnvl_q-grep-fabric_unhealthy_clique-2.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := Fabric{State: "Completed", Status: "Success", CliqueID: "2", ClusterUUID: "dc6e40c4-d722-4357-9ba6-5291dd461278",
		HealthSummary: "Unhealthy", Health: map[string]string{"Bandwidth": "Full"}}
	if diff := cmp.Diff([]Fabric{want}, fs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if f := JudgeFabric(fs); len(f) != 1 || f[0].Severity != SeverityFailure || !strings.Contains(f[0].Message, "Unhealthy") {
		t.Errorf("findings = %+v", f)
	}

	// Azure: Completed with "Insufficient Resources" → failure.
	fs, err = ParseFabricText(readSub(t, "fabric", "azure_q_fabric-insufficient-resources.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if f := JudgeFabric(fs); len(f) != 1 || !strings.Contains(f[0].Message, `"Insufficient Resources"`) {
		t.Errorf("findings = %+v", f)
	}

	// No NVSwitch: State N/A is not judged (Lambda workstation).
	fs, err = ParseFabricText(readSub(t, "fabric", "lambda-vector_2x-rtx-a6000_q.txt"))
	if err != nil || len(fs) != 2 || fs[0].State != "N/A" || len(JudgeFabric(fs)) != 0 {
		t.Errorf("Lambda = %+v, %v", fs, err)
	}
	if f := JudgeFabric([]Fabric{{PCIBusID: "0000:19:00.0", State: "In Progress"}}); len(f) != 1 || f[0].Severity != SeverityFailure {
		t.Errorf("In Progress: %+v", f)
	}
	// Output without a Fabric section (nvlink -s output here) is an error.
	if _, err := ParseFabricText(readSub(t, "nvlink", "a100-sxm4-80gb-8x_nvlink-status.txt")); err == nil {
		t.Error("no Fabric section: want an error")
	}
}

func TestParseFabricXML(t *testing.T) {
	// Schema v12/v13 print <fabric> with N/A everywhere on GPUs without NVSwitch.
	// v12 has state and status only; v13 adds clique, cluster and a health block.
	for name, health := range map[string]bool{"a100-sxm4-80gb_q-x_v12.xml": false, "2x-rtx-a5000_q-x_v13.xml": true} {
		fs, err := ParseFabricXML(readSub(t, "", name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, f := range fs {
			if f.State != "N/A" || f.Status != "N/A" || f.PCIBusID == "" {
				t.Errorf("%s: %+v", name, f)
			}
			if health && (f.HealthSummary != "N/A" || f.Health["bandwidth"] != "N/A" || f.Health["incorrect_configuration"] != "N/A" || f.CliqueID != "N/A") {
				t.Errorf("%s: health %+v", name, f)
			}
		}
		if len(JudgeFabric(fs)) != 0 {
			t.Errorf("%s: N/A judged", name)
		}
	}
	// v11 has no <fabric>.
	if _, err := ParseFabricXML(readSub(t, "", "tesla-t4_q-x_v11.xml")); err == nil {
		t.Error("v11: want an error")
	}
}

// fuzzNVLinkTopoFabric runs the parsers of nvlink.go, topo.go and fabric.go and their
// judges on one input of at most 8 KB (called from FuzzParse, the package's one fuzz
// target): none may panic, and a topology that parses must be square.
func fuzzNVLinkTopoFabric(t *testing.T, data []byte) {
	if len(data) > 8<<10 {
		// The XML and full -q seeds (50-210 KB) are ParseXML's; new coverage found in
		// them here would cost the shared target minutes of minimizing. These parsers'
		// own captures are small.
		return
	}
	if g, err := ParseNVLink(data); err == nil {
		JudgeNVLinkStatus(g)
		_, _ = JudgeNVLinkCounters(g, g)
	}
	if tp, err := ParseTopo(data); err == nil {
		for _, row := range tp.Matrix {
			if len(row) != len(tp.Devices) {
				t.Fatalf("row of %d cells for %d devices", len(row), len(tp.Devices))
			}
		}
		JudgeTopo(tp)
	}
	if fs, err := ParseFabricText(data); err == nil {
		JudgeFabric(fs)
	} else if fs != nil {
		t.Fatal("fabric: result and error")
	}
	if fs, err := ParseFabricXML(data); err == nil {
		JudgeFabric(fs)
	}
}

func TestJudgeTopo(t *testing.T) {
	for _, name := range []string{"h200-8x_topo-m_nv18_10-nics.txt", "a100-8x_topo-m_nv12_17-nics_bond.txt", "workstation-5gpu-pcie_topo-m_sys-phb-node.txt", "2x-gtx1080ti_topo-m_phb_no-gpu-numa-id.txt"} {
		tp, err := ParseTopo(readSub(t, "topo", name))
		if err != nil {
			t.Fatal(err)
		}
		if f := JudgeTopo(tp); len(f) != 0 {
			t.Errorf("%s judged: %+v", name, f)
		}
	}
	// The H200 matrix with GPU2 and GPU5 on 16 links in both directions (changed in memory).
	in := string(readSub(t, "topo", "h200-8x_topo-m_nv18_10-nics.txt"))
	lines := strings.Split(in, "\n")
	for i, l := range lines {
		f := strings.Split(l, "\t")
		switch {
		case strings.HasPrefix(l, "GPU2\t"):
			f[6] = "NV16"
		case strings.HasPrefix(l, "GPU5\t"):
			f[3] = "NV16"
		}
		lines[i] = strings.Join(f, "\t")
	}
	tp, err := ParseTopo([]byte(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if tp.Connection("GPU2", "GPU5") != "NV16" {
		t.Fatalf("edit missed: %q", tp.Connection("GPU2", "GPU5"))
	}
	f := JudgeTopo(tp)
	if len(f) != 1 || f[0].A != "GPU2" || f[0].B != "GPU5" || f[0].Severity != SeverityFailure {
		t.Errorf("findings = %+v", f)
	}
}
