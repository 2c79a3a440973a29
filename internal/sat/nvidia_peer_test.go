package sat

import (
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/parse/nvidiasmi"
)

// peerScenario is the 2x RTX A5000 machine whose sampler reads Gen4 x16 under load, with
// a bee-gpu-stress report that has peer pairs, and the topology commands bee sat then runs.
func peerScenario(t *testing.T, stress string, stressExit int, extra ...fakeCommand) fakeScenario {
	sc := linkScenario(t, "bee-gpu-stress_2x-rtx-a5000_pass.json", "nvidia-smi_query-gpu-sampler-link_2x-rtx-a5000.csv")
	sc.Commands[2] = cmd("bee", "gpu-stress", "--json", "--duration", "1s", "--mem-fraction", "0.9").Answer(fakeResponse{Stdout: td(t, "constructed/"+stress), Exit: stressExit, SleepMS: 1500})
	sc.Commands = append(sc.Commands, extra...)
	return sc
}

func peerResults(t *testing.T, tb *tarball) (map[string]any, []map[string]any) {
	t.Helper()
	pc, ok := tb.raw["results"].(map[string]any)["peer_copy"].(map[string]any)
	if !ok {
		t.Fatalf("results.peer_copy: %v", tb.raw["results"].(map[string]any)["peer_copy"])
	}
	var pairs []map[string]any
	for _, p := range pc["pairs"].([]any) {
		pairs = append(pairs, p.(map[string]any))
	}
	return pc, pairs
}

// TestNvidiaPeerNVLink: two GPUs on an NVLink bridge (topo -m: NV4; nvlink -s: 4 links at
// 14.062 GB/s each: 56.25 GB/s). GPU 0 to 1 at 48.2 GB/s (86 %) passes; 1 to 0 at 30.0
// GB/s (53 %, under the NVLink warning threshold of 65 %) is a warning.
func TestNvidiaPeerNVLink(t *testing.T) {
	m := newMachine(t)
	f := newFake(t, peerScenario(t, "bee-gpu-stress_2x-rtx-a5000_peer-nvlink.json", 0,
		cmd("nvidia-smi", "topo", "-m").Replay(td(t, "constructed/nvidia-smi_topo-m_2x-rtx-a5000_nv4.txt"), 0),
		cmd("nvidia-smi", "nvlink", "-s").Replay(td(t, "constructed/nvidia-smi_nvlink-s_2x-rtx-a5000_bridge.txt"), 0)))
	if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitWarning {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	got := tb.coded(CodeGPUPeerBandwidthLow)
	if len(got) != 1 || got[0].Severity != SeverityWarning || got[0].Component != "gpu 0000:c1:00.0" ||
		got[0].Message != "peer copies GPU 0000:c1:00.0 to GPU 0000:81:00.0 reached 30.0 GB/s at best, 53 % of the 56.2 GB/s of NV4 (4 NVLinks × 14.062 GB/s) (a warning below 65 %)" {
		t.Fatalf("reasons %s", tb.reasons())
	}
	pc, pairs := peerResults(t, tb)
	if pc["bytes"] != 268435456.0 || pc["repetitions"] != 8.0 || len(pairs) != 2 {
		t.Fatalf("peer_copy %v", pc)
	}
	p := pairs[0]
	if p["src_pci_bus_id"] != "0000:81:00.0" || p["dst_pci_bus_id"] != "0000:c1:00.0" || p["connection"] != "NV4" || p["link_gbps"] != 56.25 ||
		p["rate"].(map[string]any)["best_gbps"] != 48.2 || !strings.HasPrefix(p["judged"].(string), "against NV4 (4 NVLinks") {
		t.Errorf("pair 0 %v", p)
	}
	for _, g := range gpuResults(t, tb) {
		if g["passed"] != true {
			t.Errorf("GPU %v passed %v: a warning does not fail it", g["pci_bus_id"], g["passed"])
		}
	}
	sum := string(tb.files["summary.txt"])
	if !strings.Contains(sum, "GPU 0000:81:00.0 -> GPU 0000:c1:00.0: 48.2 GB/s, 86 % of the link's 56.2 GB/s (NV4)") {
		t.Errorf("summary:\n%s", sum)
	}
	if st := tb.step(t, "nvidia-smi-nvlink-status"); st.Status != StatusOK {
		t.Errorf("nvlink -s step %+v", st)
	}

	// The NVLinks' speed cannot be read: the pairs are recorded, not judged, and say why;
	// no warning for it.
	m = newMachine(t)
	f = newFake(t, peerScenario(t, "bee-gpu-stress_2x-rtx-a5000_peer-nvlink.json", 0,
		cmd("nvidia-smi", "topo", "-m").Replay(td(t, "constructed/nvidia-smi_topo-m_2x-rtx-a5000_nv4.txt"), 0),
		cmd("nvidia-smi", "nvlink", "-s").Replay(capture(t, "nvidiasmi", "error_driver-not-loaded.txt"), 9)))
	if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitPass {
		t.Errorf("exit %d", code)
	}
	tb = readArchive(t, m.archive())
	if len(tb.man.Reasons) != 0 {
		t.Errorf("reasons %s", tb.reasons())
	}
	_, pairs = peerResults(t, tb)
	for _, p := range pairs {
		if j := p["judged"].(string); !strings.HasPrefix(j, "not judged: NV4; the link's speed is unknown (nvidia-smi nvlink -s (exit status 9)") || p["link_gbps"] != nil || p["connection"] != "NV4" {
			t.Errorf("pair %v", p)
		}
	}
	if !strings.Contains(string(tb.files["summary.txt"]), "48.2 GB/s (not judged: NV4;") {
		t.Errorf("summary:\n%s", tb.files["summary.txt"])
	}
}

// TestNvidiaPeerPCIe: over one PCIe switch (PIX) a pair is judged against the slower
// GPU's link under load (Gen4 x16, 31.5 GB/s): 12.0 GB/s (38 %) fails both GPUs; the
// direction without peer access is recorded, not judged. Through the CPU (PHB, a real
// topology capture) the same rate is recorded and not judged, and it says why; a
// topology that cannot be read leaves the pairs unjudged, saying why, and is no warning.
func TestNvidiaPeerPCIe(t *testing.T) {
	m := newMachine(t)
	f := newFake(t, peerScenario(t, "bee-gpu-stress_2x-rtx-a5000_peer-pcie.json", 0,
		cmd("nvidia-smi", "topo", "-m").Replay(td(t, "constructed/nvidia-smi_topo-m_2x-rtx-a5000_pix.txt"), 0)))
	if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitFail {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	got := tb.coded(CodeGPUPeerBandwidthLow)
	if len(got) != 1 || got[0].Severity != SeverityFailure || got[0].Component != "gpu 0000:81:00.0" ||
		got[0].Message != "peer copies GPU 0000:81:00.0 to GPU 0000:c1:00.0 reached 12.0 GB/s at best, 38 % of the 31.5 GB/s of PIX: PCIe Gen4 x16, the slower GPU's link (under load) (a failure below 50 %)" {
		t.Fatalf("reasons %s", tb.reasons())
	}
	for _, g := range gpuResults(t, tb) {
		probs := g["problems"].([]any)
		if g["passed"] != false || len(probs) != 1 || !strings.Contains(probs[0].(string), "under 50 % of the link") {
			t.Errorf("GPU %v: passed %v problems %v", g["pci_bus_id"], g["passed"], probs)
		}
	}
	_, pairs := peerResults(t, tb)
	if pairs[1]["peer_access"] != false || pairs[1]["judged"] != "not measured: no peer access" || pairs[1]["rate"] != nil {
		t.Errorf("pair 1 %v", pairs[1])
	}
	if !strings.Contains(string(tb.files["summary.txt"]), "GPU 0000:c1:00.0 -> GPU 0000:81:00.0: not measured: no peer access") {
		t.Errorf("summary:\n%s", tb.files["summary.txt"])
	}

	for _, c := range []struct {
		topo   fakeCommand
		judged string
	}{
		{cmd("nvidia-smi", "topo", "-m").Replay(capture(t, "nvidiasmi", "topo/2x-gtx1080ti_topo-m_phb_no-gpu-numa-id.txt"), 0),
			"not judged: PHB, the path crosses the CPU's PCIe root complex, whose peer-to-peer rate depends on the platform"},
		{cmd("nvidia-smi", "topo", "-m").Replay(capture(t, "nvidiasmi", "error_driver-not-loaded.txt"), 9),
			"not judged: nvidia-smi topo -m (exit status 9): nvidia-smi topo -m: "},
	} {
		m := newMachine(t)
		f := newFake(t, peerScenario(t, "bee-gpu-stress_2x-rtx-a5000_peer-pcie.json", 0, c.topo))
		if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitPass {
			t.Errorf("exit %d", code)
		}
		tb := readArchive(t, m.archive())
		if len(tb.man.Reasons) != 0 {
			t.Errorf("reasons %s", tb.reasons())
		}
		_, pairs := peerResults(t, tb)
		if j := pairs[0]["judged"].(string); !strings.HasPrefix(j, c.judged) || pairs[0]["link_gbps"] != nil {
			t.Errorf("judged %q, want %q...", j, c.judged)
		}
	}
}

// TestNvidiaPeerFailed: a pair whose copy failed in bee-gpu-stress fails both GPUs with
// the driver's error; no pair was measured, so no topology is read; bee-gpu-stress's exit
// status 1 is explained by it.
func TestNvidiaPeerFailed(t *testing.T) {
	m := newMachine(t)
	f := newFake(t, peerScenario(t, "bee-gpu-stress_2x-rtx-a5000_peer-failed.json", 1))
	if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitFail {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	if !tb.hasReason(SeverityFailure, "peer copies GPU 0000:81:00.0 to GPU 0000:c1:00.0: CUDA_ERROR_ILLEGAL_ADDRESS: cuMemcpyPeer") {
		t.Errorf("reasons %s", tb.reasons())
	}
	if tb.hasReason(SeverityWarning, "exited with status") {
		t.Errorf("exit status 1 not explained: %s", tb.reasons())
	}
	for _, g := range gpuResults(t, tb) {
		if g["passed"] != false {
			t.Errorf("GPU %v passed", g["pci_bus_id"])
		}
	}
}

// TestNVLinkSpeedsCaptures: the NVLink speed per GPU from real nvidia-smi nvlink -s
// captures, and the link rate of a pair from a real topo -m: every A100 link at 25 GB/s,
// and NV12 between every pair of the 8x A100 (12 × 25 = 300 GB/s per direction); a V100
// with links 3 and 5 inactive keeps the speed of its up links; a GPU whose links are all
// inactive has none (its pairs are then not judged).
func TestNVLinkSpeedsCaptures(t *testing.T) {
	parse := func(name string) []nvidiasmi.NVLinkGPU {
		gpus, err := nvidiasmi.ParseNVLink(fileBytes(t, capture(t, "nvidiasmi", name)))
		if err != nil {
			t.Fatal(err)
		}
		return gpus
	}
	sp := nvlinkSpeeds(parse("nvlink/a100-sxm4-80gb-8x_nvlink-status.txt"))
	if len(sp) != 8 || sp[0] != 25 || sp[7] != 25 {
		t.Errorf("A100 speeds %v", sp)
	}
	topo, err := nvidiasmi.ParseTopo(fileBytes(t, capture(t, "nvidiasmi", "topo/a100-8x_topo-m_nv12_17-nics_bond.txt")))
	if err != nil {
		t.Fatal(err)
	}
	if c := topo.Connection("GPU3", "GPU6"); nvidiasmi.NVLinks(c)*int(sp[3]) != 300 {
		t.Errorf("GPU3-GPU6 %q", c)
	}
	if sp := nvlinkSpeeds(parse("nvlink/v100-sxm2-32gb_nvlink-status_links-3-5-inactive.txt")); len(sp) != 1 || sp[3] != 25.781 {
		t.Errorf("V100 speeds %v", sp)
	}
	if sp := nvlinkSpeeds(parse("nvlink/azure-a100-sxm4-80gb_nvlink-status_all-links-inactive.txt")); len(sp) != 0 {
		t.Errorf("all inactive: %v", sp)
	}
}
