package profile

import (
	"fmt"
	"strings"

	"github.com/beeaudit/bee/internal/audit"
)

// CodePCIeLinkUnderLoad: a GPU's PCIe link, read while bee sat nvidia loads it,
// is narrower or slower than the profile expects. An idle GPU lowers its link
// speed to save power, so the audit judges a GPU's width and maximum speed only;
// under load the link must run at the expected speed (docs/profiles.md).
const CodePCIeLinkUnderLoad = "CONFIG_PCIE_LINK_UNDER_LOAD"

// LoadedLink is the best link one GPU reached while the stress ran: the widest
// width and the highest generation among the samples taken under load (a link
// that reached the expected speed once is trained right; power management may
// lower it between samples).
type LoadedLink struct {
	Address string // PCI address, as the audit spells it (0000:1b:00.0)
	Width   int    // lanes; 0: never read
	Gen     int    // PCIe generation; 0: never read
	Samples int    // how many samples under load read this GPU's link
}

// GenGTs is the transfer rate of a PCIe generation in GT/s (0 when unknown).
func GenGTs(gen int) float64 {
	switch gen {
	case 1:
		return 2.5
	case 2:
		return 5
	case 3:
		return 8
	case 4:
		return 16
	case 5:
		return 32
	case 6:
		return 64
	}
	return 0
}

// JudgeUnderLoad compares the GPU links read under load with the profile's
// pcie rules that state a width or speed and select GPUs in the audit a (the
// audit that bee sat identified the machine by). It returns one finding per
// GPU whose link is below expectation, and a CONFIG_NOT_VERIFIED warning for
// a selected GPU whose link was not read under load.
func JudgeUnderLoad(p *Profile, a *audit.Audit, links []LoadedLink) []audit.Finding {
	if p == nil || a == nil {
		return nil
	}
	byAddr := map[string]LoadedLink{}
	for _, l := range links {
		byAddr[normAddr(l.Address)] = l
	}
	j := &judge{a: a}
	for _, r := range p.PCIe {
		if r.Width == nil && r.SpeedGTs == nil {
			continue
		}
		done := map[string]bool{}
		for _, d := range a.Hardware.PCIe {
			if !r.matches(d) || !isGPULink(d) {
				continue
			}
			dev := normAddr(d.Address)
			if i := strings.LastIndex(dev, "."); i > 0 {
				dev = dev[:i]
			}
			if done[dev] {
				continue
			}
			done[dev] = true
			name := pcieName(d)
			if name == "" {
				name = orStr(pcieID(d), "GPU")
			}
			l, ok := byAddr[normAddr(d.Address)]
			if !ok || l.Samples == 0 || (r.Width != nil && l.Width == 0) || (r.SpeedGTs != nil && GenGTs(l.Gen) == 0) {
				j.notVerified("pcie:"+d.Address, "(%s) link under load not read; expected %s", name, linkText(r.Width, r.SpeedGTs))
				continue
			}
			gts := GenGTs(l.Gen)
			badW := r.Width != nil && l.Width < *r.Width
			badS := r.SpeedGTs != nil && gts+0.01 < *r.SpeedGTs
			if !badW && !badS {
				continue
			}
			w := l.Width
			j.add(r.Severity, "pcie:"+d.Address, CodePCIeLinkUnderLoad,
				"(%s) expected %s under load, ran at best %s (Gen%d) in %d sample%s",
				name, linkText(r.Width, r.SpeedGTs), linkText(&w, &gts), l.Gen, l.Samples, plural(l.Samples))
		}
	}
	return j.out
}

// normAddr spells a PCI address as the audit does: lower case, a 4-digit
// domain (nvidia-smi writes 00000000:1B:00.0).
func normAddr(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.Index(s, ":"); i > 4 && strings.Count(s, ":") == 2 {
		s = s[i-4:]
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// String is for logs: "0000:1b:00.0 x16 Gen5 (12 samples)".
func (l LoadedLink) String() string {
	return fmt.Sprintf("%s x%d Gen%d (%d samples)", l.Address, l.Width, l.Gen, l.Samples)
}
