package sat

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/audit"
)

func TestPCIeLinkGBps(t *testing.T) {
	for _, c := range []struct {
		gen, width int
		want       float64
	}{
		{5, 16, 63.015}, // 32 GT/s × 16 × 128/130 / 8
		{4, 16, 31.508},
		{3, 16, 15.754},
		{3, 8, 7.877},
		{2, 16, 8},
		{1, 1, 0.25},
		{6, 16, 121},
		{7, 16, 0},
		{5, 0, 0},
	} {
		if got := PCIeLinkGBps(c.gen, c.width); math.Abs(got-c.want) > 0.001 {
			t.Errorf("Gen%d x%d: %.4f GB/s, want %.3f", c.gen, c.width, got, c.want)
		}
	}
}

// a5000Profile expects both RTX A5000s (10de:2231) at x16 16 GT/s (Gen4).
const a5000Profile = `bee_profile: 1
name: a5000-box
pcie:
  - id: 10de:2231
    width: 16
    speed_gts: 16
`

const profilePath = "/run/bee/profiles/a5000-box.yaml"

// withProfile rewrites the machine's audit as judged against a profile read from
// profilePath (written under the machine's root with content), with the two A5000s on
// its PCIe bus.
func withProfile(t *testing.T, m *machine, content string) {
	t.Helper()
	a, _, err := audit.Load(context.Background(), m.audit)
	if err != nil {
		t.Fatal(err)
	}
	s := func(v string) *string { return &v }
	i := func(v int) *int { return &v }
	for n, addr := range []string{"0000:81:00.0", "0000:c1:00.0"} {
		a.Hardware.PCIe = append(a.Hardware.PCIe, audit.PCIeDev{Address: addr, PCIAddress: addr,
			VendorID: s("10de"), DeviceID: s("2231"), ClassID: s("0300"), Vendor: s("NVIDIA Corporation"),
			GPUIndex: i(n), Link: &audit.Link{MaxSpeed: s("16.0 GT/s PCIe"), CurrentSpeed: s("2.5 GT/s PCIe"), CurrentWidth: i(16), MaxWidth: i(16)}})
	}
	sum := sha256.Sum256([]byte(content))
	a.Hardware.Profile = &audit.ProfileRef{Name: "a5000-box", Source: profilePath, SHA256: hex.EncodeToString(sum[:]), MatchedBy: "option"}
	if _, err := audit.WriteFile(m.audit, a); err != nil {
		t.Fatal(err)
	}
	m.write(profilePath, content)
}

func linkScenario(t *testing.T, stress, sampler string) fakeScenario {
	sc := a5000(t, stress, 0)
	sc.Commands[3] = samplerCmd("clocks_event_reasons.active").Answer(fakeResponse{Stdout: td(t, "constructed/"+sampler), Hang: true})
	return sc
}

func (tb *tarball) coded(code string) []Reason {
	var out []Reason
	for _, r := range tb.man.Reasons {
		if r.Code == code {
			out = append(out, r)
		}
	}
	return out
}

func gpuResults(t *testing.T, tb *tarball) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, g := range tb.raw["results"].(map[string]any)["gpus"].([]any) {
		out = append(out, g.(map[string]any))
	}
	return out
}

// TestNvidiaLinkUnderLoad: the sampler reads each GPU's PCIe link while the stress runs;
// the best generation and width are judged against the audit's profile. GPU 1 trains
// at Gen3 under load (Gen1 when idle, before the stress): a failure with the code
// CONFIG_PCIE_LINK_UNDER_LOAD. GPU 0 reaches Gen4 x16 and passes, and so does the
// machine when both do (one sample at Gen2 between Gen4 ones is power management).
func TestNvidiaLinkUnderLoad(t *testing.T) {
	m := newMachine(t)
	withProfile(t, m, a5000Profile)
	f := newFake(t, linkScenario(t, "bee-gpu-stress_2x-rtx-a5000_pass.json", "nvidia-smi_query-gpu-sampler-link_2x-rtx-a5000_gpu1-gen3.csv"))
	if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitFail {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	got := tb.coded(CodePCIeLinkUnderLoad)
	if len(got) != 1 || got[0].Severity != SeverityFailure || got[0].Component != "gpu 0000:c1:00.0" ||
		!strings.Contains(got[0].Message, "expected x16 16 GT/s under load, ran at best x16 8 GT/s (Gen3) in 4 samples") {
		t.Fatalf("%s reasons %+v; all: %s", CodePCIeLinkUnderLoad, got, tb.reasons())
	}
	g := gpuResults(t, tb)
	l1 := g[1]["pcie_link_under_load"].(map[string]any)
	if l1["max_gen"] != 3.0 || l1["max_width"] != 16.0 || l1["samples"] != 4.0 {
		t.Errorf("GPU 1 link under load %v", l1)
	}
	if l0 := g[0]["pcie_link_under_load"].(map[string]any); l0["max_gen"] != 4.0 {
		t.Errorf("GPU 0 link under load %v", l0)
	}
	if j := tb.raw["results"].(map[string]any)["pcie_link_under_load_judged"].(string); !strings.HasPrefix(j, `yes: against profile "a5000-box"`) {
		t.Errorf("judged %q", j)
	}
	if !strings.Contains(string(tb.files["summary.txt"]), "PCIe Gen3 x16 under load") {
		t.Errorf("summary:\n%s", tb.files["summary.txt"])
	}

	m = newMachine(t)
	withProfile(t, m, a5000Profile)
	f = newFake(t, linkScenario(t, "bee-gpu-stress_2x-rtx-a5000_pass.json", "nvidia-smi_query-gpu-sampler-link_2x-rtx-a5000.csv"))
	if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitPass {
		t.Errorf("exit %d", code)
	}
	if tb := readArchive(t, m.archive()); len(tb.man.Reasons) != 0 {
		t.Errorf("reasons %s", tb.reasons())
	}
}

// TestNvidiaLinkProfileUnusable: a profile file that changed since the audit, or is
// gone, is a CONFIG_NOT_VERIFIED warning: the links were not judged, and it says why.
func TestNvidiaLinkProfileUnusable(t *testing.T) {
	for _, c := range []struct {
		name  string
		after func(m *machine)
		words string
	}{
		{"changed", func(m *machine) {
			m.write(profilePath, strings.Replace(a5000Profile, "speed_gts: 16", "speed_gts: 8", 1))
		}, "has changed since the audit"},
		{"missing", func(m *machine) { m.write("/run/bee/profiles/other.yaml", "x"); removeAll(t, m.path(profilePath)) }, "cannot be read"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(t)
			withProfile(t, m, a5000Profile)
			c.after(m)
			f := newFake(t, linkScenario(t, "bee-gpu-stress_2x-rtx-a5000_pass.json", "nvidia-smi_query-gpu-sampler-link_2x-rtx-a5000_gpu1-gen3.csv"))
			if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitWarning {
				t.Errorf("exit %d", code)
			}
			tb := readArchive(t, m.archive())
			got := tb.coded(CodeNotVerified)
			if len(got) != 1 || got[0].Severity != SeverityWarning || !strings.Contains(got[0].Message, `not judged against profile "a5000-box"`) ||
				!strings.Contains(got[0].Message, c.words) || len(tb.coded(CodePCIeLinkUnderLoad)) != 0 {
				t.Errorf("reasons %+v", tb.man.Reasons)
			}
		})
	}
}

// TestNvidiaHostCopyJudged: each direction's best copy rate against the link under load
// (Gen4 x16: 31.5 GB/s). GPU 1 copies to the GPU at 14.0 GB/s (44 %: a failure) and
// from it at 24.0 GB/s (76 %: a warning); GPU 0's 26.2 and 26.6 GB/s (83 %, 84 %) pass.
func TestNvidiaHostCopyJudged(t *testing.T) {
	m := newMachine(t)
	f := newFake(t, linkScenario(t, "bee-gpu-stress_2x-rtx-a5000_host-copy-slow-gpu1.json", "nvidia-smi_query-gpu-sampler-link_2x-rtx-a5000.csv"))
	if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitFail {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	got := tb.coded(CodePCIeBandwidthLow)
	if len(got) != 2 || got[0].Severity != SeverityFailure || got[0].Component != "gpu 0000:c1:00.0" ||
		got[0].Message != "copies host to GPU reached 14.0 GB/s at best, 44 % of the 31.5 GB/s a PCIe Gen4 x16 link carries (a failure below 50 %)" ||
		got[1].Severity != SeverityWarning || !strings.Contains(got[1].Message, "copies GPU to host reached 24.0 GB/s at best, 76 %") {
		t.Fatalf("reasons %+v", tb.man.Reasons)
	}
	g := gpuResults(t, tb)
	if g[1]["passed"] != false || g[0]["passed"] != true {
		t.Errorf("passed: %v %v", g[0]["passed"], g[1]["passed"])
	}
	hc := g[0]["host_copy"].(map[string]any)
	if hc["link_gbps"] != 31.51 || hc["htod"].(map[string]any)["best_gbps"] != 26.2 || !strings.HasPrefix(hc["judged"].(string), "against Gen4 x16") {
		t.Errorf("GPU 0 host copy %v", hc)
	}
	if !strings.Contains(string(tb.files["summary.txt"]), "copies 26.2 GB/s to the GPU, 26.6 GB/s from it") {
		t.Errorf("summary:\n%s", tb.files["summary.txt"])
	}
	// No audit profile here: the link under load is not judged, and the results say so.
	if j := tb.raw["results"].(map[string]any)["pcie_link_under_load_judged"]; j != "no: the audit was not judged against a hardware profile" {
		t.Errorf("judged %v", j)
	}
}

// TestNvidiaSamplerWithoutLinkFields: a driver that does not know the PCIe link fields
// is asked again without them. The copies are then judged against the audit's link of
// each GPU (maximum speed, width) when the audit has one, else kept and not judged; a
// profile's link rules cannot be checked under load: CONFIG_NOT_VERIFIED.
func TestNvidiaSamplerWithoutLinkFields(t *testing.T) {
	for _, withAudit := range []bool{false, true} {
		m := newMachine(t)
		if withAudit {
			withProfile(t, m, a5000Profile)
		}
		c := func(name string) string { return td(t, "constructed/"+name) }
		sc := a5000(t, "bee-gpu-stress_2x-rtx-a5000_host-copy-slow-gpu1.json", 0)
		sc.Commands[3] = samplerCmd("clocks_event_reasons.active").Replay(c("nvidia-smi_query-gpu_not-a-valid-field_pcie-link.txt"), 2)
		sc.Commands = append(sc.Commands, cmd("nvidia-smi", "--query-gpu=index,pci.bus_id,temperature.gpu,power.draw,clocks_event_reasons.active",
			samplerArgs, "-lms", "1000").Answer(fakeResponse{Stdout: c("nvidia-smi_query-gpu-sampler_2x-rtx-a5000.csv"), Hang: true}))
		f := newFake(t, sc)
		code := m.run(f, "nvidia", "--duration", "1s")
		tb := readArchive(t, m.archive())
		g := gpuResults(t, tb)
		if g[1]["pcie_link_under_load"] != nil || g[1]["samples"] != 4.0 {
			t.Errorf("GPU 1 %v", g[1])
		}
		hc := g[1]["host_copy"].(map[string]any)
		if !withAudit {
			if code != ExitPass || len(tb.man.Reasons) != 0 {
				t.Errorf("exit %d: %s", code, tb.reasons())
			}
			if hc["judged"] != "not judged: the PCIe link was not read (under load or in the audit)" || hc["link_gbps"] != nil {
				t.Errorf("GPU 1 host copy %v", hc)
			}
			continue
		}
		if code != ExitFail || !strings.HasPrefix(hc["judged"].(string), "against Gen4 x16 (from the audit: maximum speed, width; 31.5 GB/s)") {
			t.Errorf("exit %d, GPU 1 host copy %v", code, hc)
		}
		if got := tb.coded(CodePCIeBandwidthLow); len(got) != 2 || got[0].Severity != SeverityFailure {
			t.Errorf("reasons %s", tb.reasons())
		}
		if got := tb.coded(CodeNotVerified); len(got) != 2 || !strings.Contains(got[0].Message, "link under load not read; expected x16 16 GT/s") {
			t.Errorf("reasons %+v", got)
		}
	}
}

func removeAll(t *testing.T, p string) {
	t.Helper()
	if err := os.RemoveAll(p); err != nil {
		t.Fatal(err)
	}
}
