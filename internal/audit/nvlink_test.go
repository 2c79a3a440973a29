package audit

import (
	"os"
	"testing"
)

func nvFx(dir, name string) string { return fx("nvidiasmi", dir+"/"+name) }

// TestNVLinkOnRealCaptures: an 8× A100 SXM4 node's `nvlink -s` and `topo -m`
// (NV12 between every pair: nothing to judge), with a GB300's `nvlink -e` as
// the error counters (no A100 counters capture is kept; the two merge by GPU
// index, so GPU 0 gets the GB300's counters).
func TestNVLinkOnRealCaptures(t *testing.T) {
	a := runAudit(t, map[string]fakeOut{
		"nvidia-smi nvlink -s": {file: nvFx("nvlink", "a100-sxm4-80gb-8x_nvlink-status.txt")},
		"nvidia-smi nvlink -e": {file: nvFx("nvlink", "gb300_nvlink-errors_no-uuid.txt")},
		"nvidia-smi topo -m":   {file: nvFx("topo", "a100-8x_topo-m_nv12_17-nics_bond.txt")},
	}, nil)
	nv := a.Hardware.NVLink
	if nv == nil || len(nv.GPUs) != 8 || len(nv.GPUs[0].Links) != 12 || str(nv.GPUs[0].Links[0].State) != "up" {
		t.Fatalf("nvlink = %+v", nv)
	}
	if _, ok := nv.GPUs[0].Links[0].Counters["CRC Errors"]; !ok {
		t.Errorf("GPU 0 link 0 counters = %v, want the -e counters merged", nv.GPUs[0].Links[0].Counters)
	}
	if nv.Topology == nil || len(nv.Topology.Devices) < 8 || nv.Topology.Matrix[0][1] != "NV12" {
		t.Errorf("topology = %+v", nv.Topology)
	}
	for _, f := range a.Hardware.Summary.Findings {
		if f.Code == CodeNVLinkDown || f.Code == CodeNVLinkTopology {
			t.Errorf("healthy NVLink mesh judged: %+v", f)
		}
	}
}

// TestNVLinkNone: a GPU without NVLink prints nothing (real A10 capture): an
// empty list, and neither -e nor topo is asked; no nvidia-smi → skipped.
func TestNVLinkNone(t *testing.T) {
	a := runAudit(t, map[string]fakeOut{"nvidia-smi nvlink -s": {file: nvFx("nvlink", "a10_nvlink-status_empty-output.txt")}}, nil)
	if nv := a.Hardware.NVLink; nv == nil || len(nv.GPUs) != 0 || nv.Topology != nil {
		t.Errorf("nvlink = %+v, want no GPUs and no topology", nv)
	}
	for _, c := range a.Collectors {
		if c.Name == "nvlink" && (c.Status != StatusOK || len(c.Commands) != 1) {
			t.Errorf("nvlink collector = %+v", c)
		}
	}
	a = runAudit(t, map[string]fakeOut{}, nil)
	if a.Hardware.NVLink != nil {
		t.Errorf("no nvidia-smi: nvlink = %+v, want null", a.Hardware.NVLink)
	}
}

// TestFabricFromQX: an A100's `nvidia-smi -q -x` (schema v12) has a Fabric
// section; the GPU gets it and a fabric of "N/A" is not judged.
func TestFabricFromQX(t *testing.T) {
	b, err := os.ReadFile(fx("nvidiasmi", "a100-sxm4-80gb_q-x_v12.xml"))
	if err != nil {
		t.Fatal(err)
	}
	a := runAudit(t, map[string]fakeOut{"nvidia-smi -q -x": {file: fx("nvidiasmi", "a100-sxm4-80gb_q-x_v12.xml")}}, nil)
	if len(a.Hardware.GPUs) == 0 || a.Hardware.GPUs[0].Fabric == nil {
		t.Fatalf("gpus = %+v, want a fabric section", a.Hardware.GPUs)
	}
	gpus := []GPU{{Index: 0, PCIAddress: a.Hardware.GPUs[0].PCIAddress}}
	_ = fabricOf(b, gpus)
	if gpus[0].Fabric == nil {
		t.Error("fabricOf did not attach the fabric to the GPU by its PCI address")
	}
}
