package profile

import (
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/audit"
)

// gpuLinks: every NVIDIA GPU function .0 of the audit at the given link, as
// bee sat nvidia's sampler would report it (nvidia-smi spells the address
// 00000000:B1:00.0).
func gpuLinks(a *audit.Audit, width, gen int) []LoadedLink {
	var out []LoadedLink
	for _, d := range a.Hardware.PCIe {
		if isGPULink(d) && strings.HasSuffix(d.Address, ".0") {
			out = append(out, LoadedLink{Address: "0000" + strings.ToUpper(d.Address), Width: width, Gen: gen, Samples: 5})
		}
	}
	return out
}

func TestJudgeUnderLoad(t *testing.T) {
	a := sample(t, "gpu-server-failing") // 5 NVIDIA GPUs on the bus, all at x16 8 GT/s (Gen3)
	p := generated(t, a, "gpu-server")
	good := gpuLinks(a, 16, 3)
	if len(good) != 5 {
		t.Fatalf("the sample has %d GPU links, want 5", len(good))
	}
	if got := JudgeUnderLoad(p, a, good); len(got) != 0 {
		t.Fatalf("the golden machine under load gave findings: %v", got)
	}
	// A higher generation than expected is not a defect.
	if got := JudgeUnderLoad(p, a, gpuLinks(a, 16, 4)); len(got) != 0 {
		t.Fatalf("a faster link gave findings: %v", got)
	}

	for _, tc := range []struct {
		name       string
		width, gen int
		want       string
	}{
		{"trained at Gen1", 16, 1, "expected x16 8 GT/s under load, ran at best x16 2.5 GT/s (Gen1) in 5 samples"},
		{"at x8", 8, 3, "expected x16 8 GT/s under load, ran at best x8 8 GT/s (Gen3) in 5 samples"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			links := gpuLinks(a, 16, 3)
			links[2].Width, links[2].Gen = tc.width, tc.gen
			got := JudgeUnderLoad(p, a, links)
			if len(got) != 1 {
				t.Fatalf("got %d findings, want 1: %v", len(got), got)
			}
			f := got[0]
			if f.Code != CodePCIeLinkUnderLoad || f.Severity != audit.SeverityFailure ||
				f.Component != "pcie:"+normAddr(links[2].Address) || !strings.Contains(f.Message, tc.want) {
				t.Fatalf("finding = %+v, want %s on pcie:%s containing %q", f, CodePCIeLinkUnderLoad, normAddr(links[2].Address), tc.want)
			}
		})
	}

	t.Run("a GPU not sampled", func(t *testing.T) {
		links := gpuLinks(a, 16, 3)[1:]
		got := JudgeUnderLoad(p, a, links)
		if len(got) != 1 || got[0].Code != CodeNotVerified || !strings.Contains(got[0].Message, "link under load not read") {
			t.Fatalf("got %v, want one %s", got, CodeNotVerified)
		}
	})

	t.Run("warning severity kept", func(t *testing.T) {
		pw := generated(t, a, "gpu-server")
		for i := range pw.PCIe {
			pw.PCIe[i].Severity = SeverityWarning
		}
		links := gpuLinks(a, 16, 3)
		links[0].Gen = 2
		got := JudgeUnderLoad(pw, a, links)
		if len(got) != 1 || got[0].Severity != audit.SeverityWarning {
			t.Fatalf("got %v, want one warning", got)
		}
	})

	if got := JudgeUnderLoad(nil, a, good); got != nil {
		t.Fatalf("no profile gave %v", got)
	}
}

func TestNormAddr(t *testing.T) {
	for in, want := range map[string]string{
		"00000000:1B:00.0": "0000:1b:00.0",
		"0000:1b:00.0":     "0000:1b:00.0",
		" 0001:C3:00.0 ":   "0001:c3:00.0",
	} {
		if got := normAddr(in); got != want {
			t.Errorf("normAddr(%q) = %q, want %q", in, got, want)
		}
	}
}
