package gpustress

import (
	"fmt"
	"strings"

	"github.com/beeaudit/bee/internal/gpureport"
	"github.com/beeaudit/bee/internal/termsafe"
)

// Summary renders r for a person: a verdict line per GPU with its numbers and,
// for a GPU that did not pass, the reasons. Names and messages come from the
// driver: they are shown through termsafe.Line (docs/untrusted-text.md).
func Summary(r *gpureport.Report) string {
	var b strings.Builder
	if r.Error != nil {
		fmt.Fprintf(&b, "bee-gpu-stress: nothing tested: %s\n", termsafe.Line(r.Error.String()))
		return b.String()
	}
	for _, g := range r.GPUs {
		verdict := "PASS"
		problems := g.Problems()
		if len(problems) > 0 {
			verdict = "FAIL"
		}
		fmt.Fprintf(&b, "GPU %d  %s  %s  %s  %s (%.0f s)\n", g.Index, termsafe.Line(g.PCIBusID), termsafe.Line(g.Name), termsafe.Line(g.UUID), verdict, float64(g.DurationMS)/1000)
		if m := g.Memory; m != nil {
			fmt.Fprintf(&b, "  memory:  %.2f GB tested, %d passes, %d errors, %.1f GB/s\n",
				float64(m.BytesTested)/1e9, m.Passes, m.Errors, m.GBps)
		}
		if c := g.Compute; c != nil {
			fmt.Fprintf(&b, "  compute: %d launches, %d wrong of %d results checked, %.1f GFLOP/s (FP32)\n",
				c.Iterations, c.Errors, c.Checked, c.GFLOPS)
		}
		if h := g.HostCopy; h != nil {
			switch {
			case h.HtoD != nil && h.DtoH != nil:
				fmt.Fprintf(&b, "  host<->GPU copy: %.1f GB/s to the GPU, %.1f GB/s from it (best of %d copies of %d MB)\n",
					h.HtoD.BestGBps, h.DtoH.BestGBps, h.Repetitions, h.Bytes/1e6)
			case h.Error != nil:
				fmt.Fprintf(&b, "  host<->GPU copy: not measured: %s\n", termsafe.Line(h.Error.String()))
			}
		}
		for _, p := range problems {
			fmt.Fprintf(&b, "  FAIL: %s\n", termsafe.Line(p))
		}
	}
	if p := r.PeerCopy; p != nil {
		fmt.Fprintf(&b, "GPU-to-GPU copies (best of %d copies of %d MB):\n", p.Repetitions, p.Bytes/1e6)
		for _, pr := range p.Pairs {
			fmt.Fprintf(&b, "  GPU %d -> GPU %d: ", pr.Src, pr.Dst)
			switch {
			case pr.Error != nil:
				fmt.Fprintf(&b, "FAIL: %s\n", termsafe.Line(pr.Error.String()))
			case pr.Rate != nil:
				fmt.Fprintf(&b, "%.1f GB/s\n", pr.Rate.BestGBps)
			default:
				fmt.Fprintf(&b, "not measured: %s\n", termsafe.Line(pr.NotMeasured))
			}
		}
		if p.Error != nil {
			fmt.Fprintf(&b, "  FAIL: %s\n", termsafe.Line(p.Error.String()))
		}
	}
	return b.String()
}
