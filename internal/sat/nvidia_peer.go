package sat

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/gpureport"
	"github.com/beeaudit/bee/internal/parse/nvidiasmi"
)

// CodeGPUPeerBandwidthLow: copies between two GPUs are well below what the link
// between them carries (docs/sat.md).
const CodeGPUPeerBandwidthLow = "GPU_PEER_BANDWIDTH_LOW"

// Peer copy thresholds, as shares of the link's theoretical unidirectional rate. Over
// NVLink a healthy pair delivers less of the line rate than PCIe does to large copies
// (published p2pBandwidthLatencyTest runs: about 77 % on HGX A100, 79 % on HGX H100), so
// the NVLink thresholds are lower; over PCIe they are the host copies' (nvidia_link.go).
const (
	nvlinkWarnShare = 0.65
	nvlinkFailShare = 0.40
)

// The commands that say what connects the GPUs: the topology matrix (NV<n>, PIX, ...)
// and each NVLink's speed. Run only when bee-gpu-stress measured a peer pair.
var (
	topoArgv         = []string{"nvidia-smi", "topo", "-m"}
	nvlinkStatusArgv = []string{"nvidia-smi", "nvlink", "-s"}
)

// peerCopyResult is bee-gpu-stress's GPU-to-GPU copy bandwidth with each pair judged
// against the link between the two GPUs.
type peerCopyResult struct {
	Bytes       int64            `json:"bytes"`
	Repetitions int              `json:"repetitions"`
	Error       *gpureport.Error `json:"error"`
	Pairs       []peerPairResult `json:"pairs"`
}

// peerPairResult is one direction between two GPUs.
type peerPairResult struct {
	gpureport.PeerPair
	// Connection is nvidia-smi topo -m's cell for the two GPUs ("NV18", "PIX", "SYS");
	// "" when not read.
	Connection string `json:"connection"`
	// LinkGBps is the theoretical unidirectional rate of the link judged against; nil
	// when the pair was not judged. Judged says how it was judged, or why not.
	LinkGBps *float64 `json:"link_gbps"`
	Judged   string   `json:"judged"`
}

// peerLinks is what the topology and NVLink status say about the GPUs.
type peerLinks struct {
	topo    *nvidiasmi.Topology
	topoErr string
	// index is nvidia-smi's index of each GPU by bus id.
	index map[string]int
	// speed is each GPU's lowest up NVLink speed (GB/s) by nvidia-smi index.
	speed    map[int]float64
	speedErr string
}

// judgePeerCopy records bee-gpu-stress's peer pairs and judges each measured pair
// against the link between the two GPUs: NVLink (n bonded links × the links' speed,
// from nvidia-smi topo -m and nvlink -s) or, when the path is PCIe through switches only
// (PIX, PXB), the slower of the two GPUs' PCIe links (gpuLink). A path through the CPU
// (PHB, NODE, SYS) is recorded and not judged: peer-to-peer forwarding through a root
// complex runs at whatever the platform allows. A pair the driver failed (an error, data
// that arrived changed) fails both GPUs; no peer access is no failure.
func (k *nvidiaKind) judgePeerCopy(ctx context.Context, s *session, st *Step, rep *gpureport.Report, smi *nvidiasmi.Log, a *audit.Audit) {
	pc := rep.PeerCopy
	if pc == nil {
		return
	}
	res := &peerCopyResult{Bytes: pc.Bytes, Repetitions: pc.Repetitions, Error: pc.Error, Pairs: []peerPairResult{}}
	k.peer = res
	if pc.Error != nil {
		s.fail(st, "gpu", "peer copies between the GPUs: %s", pc.Error)
	}
	measured := false
	for _, p := range pc.Pairs {
		measured = measured || p.Rate != nil
	}
	var links *peerLinks
	if measured {
		links = k.readPeerLinks(ctx, s, smi)
	}
	for _, p := range pc.Pairs {
		r := peerPairResult{PeerPair: p}
		r.SrcBusID, r.DstBusID = normBusID(p.SrcBusID), normBusID(p.DstBusID)
		name := fmt.Sprintf("GPU %s to GPU %s", r.SrcBusID, r.DstBusID)
		switch {
		case p.Error != nil:
			r.Judged = "failed: " + p.Error.String()
			msg := fmt.Sprintf("peer copies %s: %s", name, p.Error)
			s.fail(st, "gpu "+r.SrcBusID, "%s", msg)
			k.peerProblem(r.SrcBusID, msg)
			k.peerProblem(r.DstBusID, msg)
		case p.Rate == nil:
			r.Judged = "not measured: " + p.NotMeasured
		default:
			k.judgePeerPair(s, st, &r, links, a)
		}
		res.Pairs = append(res.Pairs, r)
	}
}

func (k *nvidiaKind) peerProblem(busID, msg string) {
	g := k.gpu(busID)
	g.Passed = false
	g.Problems = append(g.Problems, msg)
}

// judgePeerPair judges one measured pair.
func (k *nvidiaKind) judgePeerPair(s *session, st *Step, r *peerPairResult, links *peerLinks, a *audit.Audit) {
	if links.topo == nil {
		r.Judged = "not judged: " + links.topoErr
		return
	}
	si, sok := links.index[r.SrcBusID]
	di, dok := links.index[r.DstBusID]
	if !sok || !dok {
		r.Judged = "not judged: nvidia-smi does not list both GPUs, so their place in nvidia-smi topo -m is unknown"
		return
	}
	r.Connection = links.topo.Connection(fmt.Sprintf("GPU%d", si), fmt.Sprintf("GPU%d", di))
	var link, warn, fail float64
	var what string
	switch conn := r.Connection; {
	case conn == "":
		r.Judged = fmt.Sprintf("not judged: nvidia-smi topo -m has no GPU%d and GPU%d", si, di)
		return
	case nvidiasmi.NVLinks(conn) > 0:
		n := nvidiasmi.NVLinks(conn)
		sp, ok1 := links.speed[si]
		dp, ok2 := links.speed[di]
		if !ok1 || !ok2 {
			why := links.speedErr
			if why == "" {
				why = "nvidia-smi nvlink -s gives no speed for an up link of both GPUs"
			}
			r.Judged = fmt.Sprintf("not judged: %s; the link's speed is unknown (%s)", conn, why)
			return
		}
		speed := math.Min(sp, dp)
		link, warn, fail = float64(n)*speed, nvlinkWarnShare, nvlinkFailShare
		what = fmt.Sprintf("%s (%d NVLinks × %g GB/s)", conn, n, speed)
	case conn == nvidiasmi.ConnPIX || conn == nvidiasmi.ConnPXB:
		sg, sw, sfrom := gpuLink(k.gpu(r.SrcBusID), a)
		dg, dw, dfrom := gpuLink(k.gpu(r.DstBusID), a)
		sr, dr := PCIeLinkGBps(sg, sw), PCIeLinkGBps(dg, dw)
		if sr == 0 || dr == 0 {
			r.Judged = fmt.Sprintf("not judged: %s (PCIe), and the PCIe link of a GPU was not read (under load or in the audit)", conn)
			return
		}
		gen, width, from := sg, sw, sfrom
		if dr < sr {
			gen, width, from = dg, dw, dfrom
		}
		link, warn, fail = math.Min(sr, dr), copyWarnShare, copyFailShare
		what = fmt.Sprintf("%s: PCIe Gen%d x%d, the slower GPU's link (%s)", conn, gen, width, from)
	default:
		r.Judged = fmt.Sprintf("not judged: %s, the path crosses the CPU's PCIe root complex, whose peer-to-peer rate depends on the platform", conn)
		return
	}
	link = math.Round(link*100) / 100
	r.LinkGBps = &link
	r.Judged = fmt.Sprintf("against %s, %.1f GB/s: warning below %.0f %%, failure below %.0f %%", what, link, 100*warn, 100*fail)
	share := r.Rate.BestGBps / link
	sev, limit := "", 0.0
	switch {
	case share < fail:
		sev, limit = SeverityFailure, fail
	case share < warn:
		sev, limit = SeverityWarning, warn
	default:
		return
	}
	name := fmt.Sprintf("GPU %s to GPU %s", r.SrcBusID, r.DstBusID)
	if sev == SeverityFailure {
		msg := fmt.Sprintf("peer copies %s at %.1f GB/s, under %.0f %% of the link", name, r.Rate.BestGBps, 100*fail)
		k.peerProblem(r.SrcBusID, msg)
		k.peerProblem(r.DstBusID, msg)
	}
	s.codedReason(st, sev, CodeGPUPeerBandwidthLow, "gpu "+r.SrcBusID,
		fmt.Sprintf("peer copies %s reached %.1f GB/s at best, %.0f %% of the %.1f GB/s of %s (%s below %.0f %%)",
			name, r.Rate.BestGBps, 100*share, link, what, sevWord(sev), 100*limit))
}

// readPeerLinks runs nvidia-smi topo -m and, when a GPU pair is NVLink-connected,
// nvidia-smi nvlink -s. Neither failing is a warning: the pairs are then recorded and
// not judged, and say why.
func (k *nvidiaKind) readPeerLinks(ctx context.Context, s *session, smi *nvidiasmi.Log) *peerLinks {
	l := &peerLinks{index: map[string]int{}, speed: map[int]float64{}}
	// nvidia-smi numbers the GPUs in the order nvidia-smi -q -x lists them.
	if smi != nil {
		for i, g := range smi.GPUs {
			l.index[normBusID(g.PCIBusID)] = i
		}
	}
	topo, why := advisoryRead(ctx, s, k, "nvidia-smi-topo", topoArgv, "nvidia-smi topo -m", nvidiasmi.ParseTopo)
	if why != "" {
		l.topoErr = why
		return l
	}
	l.topo = topo
	nv := false
	for _, row := range topo.Matrix {
		for _, c := range row {
			nv = nv || nvidiasmi.NVLinks(c) > 0
		}
	}
	if !nv {
		return l
	}
	gpus, why := advisoryRead(ctx, s, k, "nvidia-smi-nvlink-status", nvlinkStatusArgv, "nvidia-smi nvlink -s", nvidiasmi.ParseNVLink)
	if why != "" {
		l.speedErr = why
		return l
	}
	for _, g := range gpus {
		// Where nvlink -s names the GPU by a UUID bee knows, its index there wins.
		for id, r := range k.gpus {
			if g.UUID != "" && strings.EqualFold(r.UUID, g.UUID) {
				l.index[id] = g.Index
			}
		}
	}
	l.speed = nvlinkSpeeds(gpus)
	return l
}

// nvlinkSpeeds is each GPU's lowest speed among its up NVLinks (GB/s per direction), by
// nvidia-smi index; GPUs without an up link with a speed are left out.
func nvlinkSpeeds(gpus []nvidiasmi.NVLinkGPU) map[int]float64 {
	out := map[int]float64{}
	for _, g := range gpus {
		for _, ln := range g.Links {
			if ln.State != nvidiasmi.LinkUp || ln.SpeedGBs == nil || *ln.SpeedGBs <= 0 {
				continue
			}
			if v, ok := out[g.Index]; !ok || *ln.SpeedGBs < v {
				out[g.Index] = *ln.SpeedGBs
			}
		}
	}
	return out
}

// peerSummaryLines are summary.txt's lines for the peer copies: one per pair.
func (k *nvidiaKind) peerSummaryLines() []string {
	p := k.peer
	lines := []string{fmt.Sprintf("GPU-to-GPU copies (best of %d copies of %d MB per pair):", p.Repetitions, p.Bytes/1e6)}
	for _, r := range p.Pairs {
		line := fmt.Sprintf("  GPU %s -> GPU %s: ", r.SrcBusID, r.DstBusID)
		switch {
		case r.Rate != nil:
			line += fmt.Sprintf("%.1f GB/s", r.Rate.BestGBps)
			if r.LinkGBps != nil {
				line += fmt.Sprintf(", %.0f %% of the link's %.1f GB/s (%s)", 100*r.Rate.BestGBps / *r.LinkGBps, *r.LinkGBps, r.Connection)
			} else {
				line += " (" + r.Judged + ")"
			}
		default:
			line += r.Judged
		}
		lines = append(lines, line)
	}
	if p.Error != nil {
		lines = append(lines, "  stopped early: "+p.Error.String())
	}
	return lines
}

// advisoryRead runs one advisory nvidia-smi read as a step of its own and parses
// its output with parse. why is empty on success; otherwise it says what went
// wrong (the command could not run, exited non-zero, or printed what parse
// refuses) and is also the step's message. what names the command in why.
func advisoryRead[T any](ctx context.Context, s *session, k *nvidiaKind, name string, argv []string, what string, parse func([]byte) (T, error)) (v T, why string) {
	st, res := s.exec(ctx, name, argv, cmdOpts{timeout: k.toolTimeout, quiet: true})
	st.advisory = true
	if st.Status != "" {
		return v, fmt.Sprintf("%s could not run (%s)", what, describeErr(st))
	}
	parsed, err := parse(res.Stdout)
	switch {
	case err != nil:
		why = fmt.Sprintf("%s (exit status %d): %v", what, res.ExitCode, err)
	case res.ExitCode != 0:
		why = what + ": " + res.Describe()
	default:
		st.Status = StatusOK
		st.Result = parsed
		return parsed, ""
	}
	st.Status = StatusError
	st.Message = why
	return v, why
}
