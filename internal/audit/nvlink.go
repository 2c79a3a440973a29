package audit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/nvidiasmi"
)

// collectNVLink reads the NVLinks of the NVIDIA GPUs: `nvidia-smi nvlink -s`
// (each link's state and speed), then, when any GPU has NVLinks, `nvidia-smi
// nvlink -e` (error counters) and `nvidia-smi topo -m` (the GPU-to-GPU
// matrix). GPUs without NVLink print nothing: an empty list. Skipped when
// nvidia-smi is absent or the driver is not loaded.
func collectNVLink(c *cctx, p *parts) error {
	run := func(argv ...string) host.Result { return c.run(c.env.Timeouts.NvidiaSMI, argv...) }
	res := run("nvidia-smi", "nvlink", "-s")
	if errors.Is(res.Err, host.ErrNotFound) {
		return toolErr(res)
	}
	if res.Err == nil && res.ExitCode != 0 {
		both := append(append([]byte{}, res.Stdout...), res.Stderr...)
		switch e := nvidiasmi.ParseError(both); {
		case errors.Is(e, nvidiasmi.ErrDriverNotLoaded):
			return skip("nvidia-smi: NVIDIA driver not loaded")
		case errors.Is(e, nvidiasmi.ErrNoDevices):
			p.nvlink = &NVLinkInfo{GPUs: []NVLinkGPU{}}
			return nil
		}
	}
	if err := toolErr(res); err != nil {
		return err
	}
	gpus, err := nvidiasmi.ParseNVLink(res.Stdout)
	if err != nil {
		return fmt.Errorf("nvidia-smi nvlink -s: %w", err)
	}
	info := &NVLinkInfo{GPUs: []NVLinkGPU{}}
	p.nvlink = info
	if len(gpus) == 0 {
		return nil
	}
	// Error counters: merged into the same GPUs (ParseNVLink merges -s and -e).
	e := run("nvidia-smi", "nvlink", "-e")
	if err := toolErr(e); err != nil {
		c.problem("%v", err)
	} else if merged, err := nvidiasmi.ParseNVLink(append(append(append([]byte{}, res.Stdout...), '\n'), e.Stdout...)); err != nil {
		c.problem("nvidia-smi nvlink -e: %v", err)
	} else {
		gpus = merged
	}
	for _, g := range gpus {
		ng := NVLinkGPU{Index: g.Index, Name: clean(g.Name), UUID: clean(g.UUID), AllInactive: g.AllInactive, Links: []NVLinkPort{}}
		for _, l := range g.Links {
			ng.Links = append(ng.Links, NVLinkPort{Link: l.Link, State: clean(l.State), SpeedGBs: l.SpeedGBs, Counters: l.Counters})
		}
		info.GPUs = append(info.GPUs, ng)
	}
	for _, f := range nvidiasmi.JudgeNVLinkStatus(gpus) {
		p.nvlinkFindings = append(p.nvlinkFindings, Finding{Severity: sevOf(f.Severity), Component: fmt.Sprintf("gpu:%d", f.GPU), Code: CodeNVLinkDown, Message: f.Message})
	}

	t := run("nvidia-smi", "topo", "-m")
	if err := toolErr(t); err != nil {
		c.problem("%v", err)
		return nil
	}
	topo, err := nvidiasmi.ParseTopo(t.Stdout)
	if err != nil {
		c.problem("nvidia-smi topo -m: %v", err)
		return nil
	}
	info.Topology = &GPUTopology{Devices: []string{}, Matrix: topo.Matrix}
	for _, d := range topo.Devices {
		info.Topology.Devices = append(info.Topology.Devices, d.Name)
	}
	for _, f := range nvidiasmi.JudgeTopo(topo) {
		p.nvlinkFindings = append(p.nvlinkFindings, Finding{Severity: sevOf(f.Severity), Component: "gpu:" + f.A + "-" + f.B, Code: CodeNVLinkTopology, Message: f.Message})
	}
	return nil
}

// fabricOf reads the NVLink fabric state of each GPU from the nvidia
// collector's `nvidia-smi -q -x` (schema v12 and newer; older drivers have
// none, which is not an error).
func fabricOf(xml []byte, gpus []GPU) []Finding {
	fs, err := nvidiasmi.ParseFabricXML(xml)
	if err != nil {
		return nil
	}
	byBus := map[string]nvidiasmi.Fabric{}
	for _, f := range fs {
		byBus[f.PCIBusID] = f
	}
	for i := range gpus {
		f, ok := byBus[normBus(str(gpus[i].PCIAddress))]
		if !ok {
			continue
		}
		gpus[i].Fabric = &GPUFabric{State: clean(f.State), Status: clean(f.Status), HealthSummary: clean(f.HealthSummary)}
	}
	var out []Finding
	for _, f := range nvidiasmi.JudgeFabric(fs) {
		comp := "gpu"
		for _, g := range gpus {
			if normBus(str(g.PCIAddress)) == f.PCIBusID {
				comp = fmt.Sprintf("gpu:%d", g.Index)
			}
		}
		out = append(out, Finding{Severity: sevOf(f.Severity), Component: comp, Code: CodeGPUFabric, Message: f.Message})
	}
	return out
}

// Finding codes of NVLink and the NVLink fabric (docs/findings.md).
const (
	CodeNVLinkDown     = "NVLINK_DOWN"     // failure: a link down that the same GPU model has up elsewhere
	CodeNVLinkTopology = "NVLINK_TOPOLOGY" // failure: a GPU pair with fewer bonded NVLinks than the others
	CodeGPUFabric      = "GPU_FABRIC"      // failure/warning: the GPU's NVLink fabric registration or health
)

func sevOf(s string) string {
	if s == nvidiasmi.SeverityFailure {
		return SeverityFailure
	}
	return SeverityWarning
}

// normBus writes a PCI address as the PCIe inventory does: lowercase, a 4-digit
// domain ("00000000:19:00.0" → "0000:19:00.0").
func normBus(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if d, rest, ok := strings.Cut(s, ":"); ok && len(d) == 8 && strings.HasPrefix(d, "0000") {
		s = d[4:] + ":" + rest
	}
	return s
}
