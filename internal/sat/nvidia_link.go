package sat

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/gpureport"
	"github.com/beeaudit/bee/internal/profile"
)

// Reason codes of bee sat nvidia's PCIe judgements (docs/sat.md).
const (
	// CodePCIeBandwidthLow: a GPU's host<->GPU copy bandwidth is well below what its
	// link carries.
	CodePCIeBandwidthLow = "PCIE_BANDWIDTH_LOW"
	// CodePCIeLinkUnderLoad is profile.CodePCIeLinkUnderLoad: the link under load is
	// narrower or slower than the hardware profile expects.
	CodePCIeLinkUnderLoad = profile.CodePCIeLinkUnderLoad
	// CodeNotVerified: something the profile states could not be checked.
	CodeNotVerified = profile.CodeNotVerified
)

// Copy bandwidth thresholds, as shares of the link's theoretical unidirectional rate.
const (
	copyWarnShare = 0.80
	copyFailShare = 0.50
)

// linkUnderLoad is the best PCIe link the sampler read for a GPU during the stress:
// the highest generation and the widest width (a GPU lowers its link between bursts to
// save power; a link that reached its speed once is trained right).
type linkUnderLoad struct {
	MaxGen   *int `json:"max_gen"`
	MaxWidth *int `json:"max_width"`
	Samples  int  `json:"samples"` // samples that read the link
}

// hostCopyResult is bee-gpu-stress's copy bandwidth with what it was judged against.
type hostCopyResult struct {
	gpureport.CopyResult
	// LinkGBps is the theoretical unidirectional rate of the link under load (GB/s);
	// nil when the link was not read. Judged says how the copy was judged.
	LinkGBps *float64 `json:"link_gbps"`
	Judged   string   `json:"judged"`
}

func (g *gpuResult) addLinkSample(gen, width *int) {
	if gen == nil && width == nil {
		return
	}
	if g.PCIeLinkUnderLoad == nil {
		g.PCIeLinkUnderLoad = &linkUnderLoad{}
	}
	l := g.PCIeLinkUnderLoad
	l.Samples++
	if gen != nil && (l.MaxGen == nil || *gen > *l.MaxGen) {
		l.MaxGen = gen
	}
	if width != nil && (l.MaxWidth == nil || *width > *l.MaxWidth) {
		l.MaxWidth = width
	}
}

// PCIeLinkGBps is the theoretical unidirectional data rate of a PCIe GenN xW link in
// GB/s (10^9 bytes per second), after line encoding: the transfer rate per lane
// (2.5, 5, 8, 16, 32, 64 GT/s for Gen1..6) times the lanes, times the encoding's
// efficiency (8b/10b for Gen1-2, 128b/130b for Gen3-5, and for Gen6's FLIT mode
// 242/256: 236 data bytes plus 6 of DLP in a 256-byte flit, the rest CRC and FEC),
// over 8 bits. Gen5 x16: 32 × 16 × 128/130 / 8 = 63.0 GB/s. Packet headers and flow
// control are not counted: a good link delivers 80-90 % of this to copies. 0 for an
// unknown generation or width.
func PCIeLinkGBps(gen, width int) float64 {
	gts := profile.GenGTs(gen)
	if gts == 0 || width <= 0 {
		return 0
	}
	eff := 128.0 / 130
	switch {
	case gen <= 2:
		eff = 0.8
	case gen >= 6:
		eff = 242.0 / 256
	}
	return gts * float64(width) * eff / 8
}

// judgeHostCopy judges each GPU's copy bandwidth (the better of the best rates is not
// enough: each direction on its own) against the link it ran on: below copyFailShare
// of the link's rate is a failure, below copyWarnShare a warning. Without the link
// under load, the audit's link of the GPU (a the audit, nil when none) is used; without
// either the rates are kept and not judged.
func (k *nvidiaKind) judgeHostCopy(s *session, st *Step, rep *gpureport.Report, a *audit.Audit) {
	for _, rg := range rep.GPUs {
		if rg.HostCopy == nil {
			continue
		}
		g := k.gpu(rg.PCIBusID)
		hc := &hostCopyResult{CopyResult: *rg.HostCopy}
		g.HostCopy = hc
		if rg.HostCopy.Error != nil {
			hc.Judged = "not measured: " + rg.HostCopy.Error.String()
			continue
		}
		gen, width, from := gpuLink(g, a)
		if PCIeLinkGBps(gen, width) == 0 {
			hc.Judged = "not judged: the PCIe link was not read (under load or in the audit)"
			continue
		}
		link := PCIeLinkGBps(gen, width)
		link = math.Round(link*100) / 100
		hc.LinkGBps = &link
		hc.Judged = fmt.Sprintf("against Gen%d x%d (%s; %.1f GB/s): warning below %.0f %%, failure below %.0f %%",
			gen, width, from, link, 100*copyWarnShare, 100*copyFailShare)
		for _, d := range []struct {
			name string
			r    *gpureport.CopyRate
		}{{"host to GPU", rg.HostCopy.HtoD}, {"GPU to host", rg.HostCopy.DtoH}} {
			if d.r == nil {
				continue
			}
			share := d.r.BestGBps / link
			sev := ""
			switch {
			case share < copyFailShare:
				sev = SeverityFailure
			case share < copyWarnShare:
				sev = SeverityWarning
			default:
				continue
			}
			if sev == SeverityFailure {
				g.Passed = false
				g.Problems = append(g.Problems, fmt.Sprintf("copies %s at %.1f GB/s, under %.0f %% of the link", d.name, d.r.BestGBps, 100*copyFailShare))
			}
			s.codedReason(st, sev, CodePCIeBandwidthLow, "gpu "+g.PCIBusID,
				fmt.Sprintf("copies %s reached %.1f GB/s at best, %.0f %% of the %.1f GB/s a PCIe Gen%d x%d link carries (%s below %.0f %%)",
					d.name, d.r.BestGBps, 100*share, link, gen, width, sevWord(sev), 100*thresholdOf(sev)))
		}
	}
}

// gpuLink is the PCIe link a GPU's copies are judged against: the best link under load,
// or when that was not read (an old driver) the audit's link of the GPU, its maximum
// speed and its width (what the link should train to); 0, 0 when neither is known. from
// says which.
func gpuLink(g *gpuResult, a *audit.Audit) (gen, width int, from string) {
	if l := g.PCIeLinkUnderLoad; l != nil && l.MaxGen != nil && l.MaxWidth != nil {
		return *l.MaxGen, *l.MaxWidth, "under load"
	}
	if ag, aw := auditLink(a, g.PCIBusID); PCIeLinkGBps(ag, aw) > 0 {
		return ag, aw, "from the audit: maximum speed, width"
	}
	return 0, 0, ""
}

func sevWord(sev string) string {
	if sev == SeverityFailure {
		return "a failure"
	}
	return "a warning"
}

func thresholdOf(sev string) float64 {
	if sev == SeverityFailure {
		return copyFailShare
	}
	return copyWarnShare
}

// judgeLinkUnderLoad judges the GPUs' links under load against the hardware profile
// the audit was judged against (hardware.profile in the --audit file): the profile file
// is read again from where the audit read it and must be the same file (its sha256);
// profile.JudgeUnderLoad does the comparison. No audit, or an audit without a profile:
// nothing to judge against (noted in the results). A profile that cannot be read, has
// changed, or does not parse: a CONFIG_NOT_VERIFIED warning, never a silent skip.
func (k *nvidiaKind) judgeLinkUnderLoad(s *session, st *Step, a *audit.Audit, auditErr error) {
	m := s.m.Machine
	if m.Source != "audit" || m.AuditFile == nil {
		k.linkJudged = "no: no audit (--audit) to take the hardware profile from"
		return
	}
	if auditErr != nil {
		k.linkJudged = "no: the audit could not be read again: " + auditErr.Error()
		s.codedReason(st, SeverityWarning, CodeNotVerified, "gpu",
			fmt.Sprintf("the PCIe links under load were not judged: the audit %s could not be read again (%v)", *m.AuditFile, auditErr))
		return
	}
	ref := a.Hardware.Profile
	if ref == nil {
		k.linkJudged = "no: the audit was not judged against a hardware profile"
		return
	}
	notJudged := func(why string) {
		k.linkJudged = "no: " + why
		s.codedReason(st, SeverityWarning, CodeNotVerified, "gpu",
			fmt.Sprintf("the PCIe links under load were not judged against profile %q: %s", ref.Name, why))
	}
	data, err := s.env.FS.ReadFile(ref.Source)
	if err != nil {
		notJudged(fmt.Sprintf("its file %s cannot be read (%v)", ref.Source, err))
		return
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); !strings.EqualFold(got, ref.SHA256) {
		notJudged(fmt.Sprintf("its file %s has changed since the audit (sha256 %s, the audit read %s)", ref.Source, got, ref.SHA256))
		return
	}
	p, err := profile.Parse(ref.Source, data)
	if err != nil {
		notJudged(fmt.Sprintf("its file %s does not parse (%v)", ref.Source, err))
		return
	}
	var links []profile.LoadedLink
	for _, id := range k.order {
		g := k.gpus[id]
		l := profile.LoadedLink{Address: id}
		if u := g.PCIeLinkUnderLoad; u != nil {
			l.Samples = u.Samples
			if u.MaxGen != nil {
				l.Gen = *u.MaxGen
			}
			if u.MaxWidth != nil {
				l.Width = *u.MaxWidth
			}
		}
		links = append(links, l)
	}
	k.linkJudged = fmt.Sprintf("yes: against profile %q (%s)", ref.Name, ref.Source)
	if !k.linkSampled {
		k.linkJudged += "; this driver's nvidia-smi does not report the link under load"
	}
	for _, f := range profile.JudgeUnderLoad(p, a, links) {
		comp := "gpu"
		if addr, ok := strings.CutPrefix(f.Component, "pcie:"); ok {
			comp = "gpu " + normBusID(addr)
		}
		s.codedReason(st, f.Severity, f.Code, comp, f.Message)
	}
}

// loadAudit reads the --audit file again (identify read it for the machine's identity
// only); nil, nil without one.
func loadAudit(ctx context.Context, s *session) (*audit.Audit, error) {
	m := s.m.Machine
	if m.Source != "audit" || m.AuditFile == nil {
		return nil, nil
	}
	a, _, err := audit.Load(ctx, *m.AuditFile)
	return a, err
}

// auditLink is the generation of the maximum speed and the current width of the GPU
// at busID in the audit's PCIe inventory (0, 0 when not there or not read).
func auditLink(a *audit.Audit, busID string) (gen, width int) {
	if a == nil {
		return 0, 0
	}
	for _, d := range a.Hardware.PCIe {
		if normBusID(d.Address) != busID || d.Link == nil || d.Link.MaxSpeed == nil || d.Link.CurrentWidth == nil {
			continue
		}
		f := strings.Fields(*d.Link.MaxSpeed)
		if len(f) == 0 {
			return 0, 0
		}
		gts, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			return 0, 0
		}
		for g := 1; g <= 6; g++ {
			if math.Abs(profile.GenGTs(g)-gts) < 0.01 {
				return g, *d.Link.CurrentWidth
			}
		}
	}
	return 0, 0
}

// codedReason is fail or warn (by sev) with the reason's code set.
func (s *session) codedReason(st *Step, sev, code, component, msg string) {
	status := StatusWarning
	if sev == SeverityFailure {
		status = StatusFail
	}
	st.Status = worse(st.Status, status)
	st.Message = joinMsg(st.Message, msg)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.explained[st.Name] = true
	for _, o := range s.reasons {
		if o.Severity == sev && o.Component == component && o.Message == msg {
			return
		}
	}
	s.reasons = append(s.reasons, Reason{Severity: sev, Component: component, Step: st.Name, Code: code, Message: msg})
}
