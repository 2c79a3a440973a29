package gpureport

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const good = `{"tool":"bee-gpu-stress","version":"dev","driver_version":"550.54.15","cuda_driver_version":12040,"error":null,
 "gpus":[{"index":0,"pci_bus_id":"0000:17:00.0","name":"NVIDIA H100 80GB HBM3","uuid":"GPU-1","error":null,
   "memory":{"bytes_tested":1024,"passes":2,"errors":0,"first_error_addr":null,"gbps":100.5},
   "compute":{"iterations":10,"errors":0,"gflops":5000,"checked":640},"duration_ms":1500}]}
`

func TestParseGood(t *testing.T) {
	r, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	drv, cuda := "550.54.15", 12040
	want := &Report{Tool: Tool, Version: "dev", Driver: &drv, CUDAVersion: &cuda, GPUs: []GPU{{
		Index: 0, PCIBusID: "0000:17:00.0", Name: "NVIDIA H100 80GB HBM3", UUID: "GPU-1",
		Memory:     &MemResult{BytesTested: 1024, Passes: 2, GBps: 100.5},
		Compute:    &ComputeResult{Iterations: 10, GFLOPS: 5000, Checked: 640},
		DurationMS: 1500,
	}}}
	if d := cmp.Diff(want, r); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	if p := r.GPUs[0].Problems(); p != nil {
		t.Errorf("Problems() = %q, want none", p)
	}
	// Marshal and Parse agree (the writer side uses Marshal).
	b, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := Parse(b)
	if err != nil {
		t.Fatalf("Parse(Marshal(r)): %v", err)
	}
	if d := cmp.Diff(r, r2); d != "" {
		t.Errorf("round trip (-want +got)\n%s", d)
	}
}

func TestParseWholeRunError(t *testing.T) {
	in := `{"tool":"bee-gpu-stress","version":"dev","driver_version":null,"cuda_driver_version":null,
	  "error":{"code":"LIBCUDA_NOT_FOUND","message":"libcuda.so.1: cannot open shared object file"},"gpus":[]}`
	r, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if r.Error == nil || r.Error.Code != CodeLibCUDANotFound || len(r.GPUs) != 0 {
		t.Errorf("got %+v", r)
	}
}

func TestParseRejects(t *testing.T) {
	for name, in := range map[string]string{
		"empty":            "",
		"truncated":        good[:len(good)/2],
		"trailing text":    good + "done\n",
		"progress line":    "GPU 0: 50%\n" + good,
		"unknown field":    strings.Replace(good, `"uuid":"GPU-1"`, `"uuid":"GPU-1","temp":3`, 1),
		"wrong tool":       strings.Replace(good, `"tool":"bee-gpu-stress"`, `"tool":"gpu-burn"`, 1),
		"no tool":          strings.Replace(good, `"tool":"bee-gpu-stress",`, ``, 1),
		"no error key":     strings.Replace(good, `"error":null,`+"\n", ``, 1),
		"no memory errors": strings.Replace(good, `"passes":2,"errors":0,`, `"passes":2,`, 1),
		"null checked":     strings.Replace(good, `"checked":640`, `"checked":null`, 1),
		"no compute key":   strings.Replace(good, `"compute":{"iterations":10,"errors":0,"gflops":5000,"checked":640},`, ``, 1),
		"negative":         strings.Replace(good, `"errors":0,"gflops"`, `"errors":-1,"gflops"`, 1),
		"errors>checked":   strings.Replace(good, `"errors":0,"gflops":5000,"checked":640`, `"errors":641,"gflops":5000,"checked":640`, 1),
		"no addr":          strings.Replace(good, `"passes":2,"errors":0`, `"passes":2,"errors":3`, 1),
		"no gpus no error": `{"tool":"bee-gpu-stress","version":"dev","driver_version":null,"cuda_driver_version":null,"error":null}`,
		"error no code":    `{"tool":"bee-gpu-stress","version":"dev","error":{"code":"","message":"x"},"gpus":[]}`,
		"duplicate index":  strings.Replace(good, `}]}`, `},{"index":0,"pci_bus_id":"x","name":"","uuid":"","error":null,"memory":null,"compute":null,"duration_ms":0}]}`, 1),
		"two documents":    good + good,
		"array":            "[" + good + "]",
	} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%s: Parse accepted it", name)
		}
	}
}

func TestProblems(t *testing.T) {
	addr := uint64(0x40)
	ok := func() GPU {
		return GPU{Memory: &MemResult{BytesTested: 1, Passes: 1}, Compute: &ComputeResult{Iterations: 1, Checked: 1}}
	}
	cases := map[string]struct {
		edit func(*GPU)
		want []string
	}{
		"pass":          {func(*GPU) {}, nil},
		"gpu error":     {func(g *GPU) { g.Error = &Error{Code: "CUDA_ERROR_ECC_UNCORRECTABLE", Message: "x"} }, []string{"error: CUDA_ERROR_ECC_UNCORRECTABLE: x"}},
		"no memory":     {func(g *GPU) { g.Memory = nil }, []string{"memory test did not run"}},
		"no compute":    {func(g *GPU) { g.Compute = nil }, []string{"compute test did not run"}},
		"mem errors":    {func(g *GPU) { g.Memory.Errors = 2; g.Memory.FirstErrorAddr = &addr }, []string{"memory test: 2 mismatches, first at offset 0x40"}},
		"mem zero":      {func(g *GPU) { g.Memory.BytesTested = 0 }, []string{"memory test checked nothing (0 bytes or 0 passes)"}},
		"mem no pass":   {func(g *GPU) { g.Memory.Passes = 0 }, []string{"memory test checked nothing (0 bytes or 0 passes)"}},
		"compute wrong": {func(g *GPU) { g.Compute.Errors = 1 }, []string{"compute test: 1 of 1 results wrong"}},
		"compute zero":  {func(g *GPU) { g.Compute.Checked = 0 }, []string{"compute test checked no result"}},
	}
	for name, c := range cases {
		g := ok()
		c.edit(&g)
		if d := cmp.Diff(c.want, g.Problems()); d != "" {
			t.Errorf("%s (-want +got)\n%s", name, d)
		}
	}
}

// goodPeer is good with a peer test: one pair measured, one without peer access, one
// whose copy failed.
var goodPeer = strings.Replace(good, `"duration_ms":1500}]}`, `"duration_ms":1500}],
 "peer_copy":{"bytes":1048576,"repetitions":4,"error":null,"pairs":[
   {"src":0,"dst":1,"src_pci_bus_id":"0000:17:00.0","dst_pci_bus_id":"0000:2a:00.0","peer_access":true,
    "rate":{"best_gbps":376.6,"median_gbps":375.9},"error":null},
   {"src":1,"dst":0,"src_pci_bus_id":"0000:2a:00.0","dst_pci_bus_id":"0000:17:00.0","peer_access":false,
    "rate":null,"not_measured":"no peer access","error":null},
   {"src":0,"dst":2,"src_pci_bus_id":"0000:17:00.0","dst_pci_bus_id":"0000:3d:00.0","peer_access":true,
    "rate":null,"error":{"code":"CUDA_ERROR_ILLEGAL_ADDRESS","message":"cuMemcpyPeer: x"}}]}}`, 1)

func TestParsePeer(t *testing.T) {
	r, err := Parse([]byte(goodPeer))
	if err != nil {
		t.Fatal(err)
	}
	p := r.PeerCopy
	if p == nil || p.Bytes != 1<<20 || p.Repetitions != 4 || len(p.Pairs) != 3 {
		t.Fatalf("peer %+v", p)
	}
	if a := p.Pairs[0]; !a.PeerAccess || a.Rate == nil || a.Rate.BestGBps != 376.6 || a.DstBusID != "0000:2a:00.0" {
		t.Errorf("pair 0 %+v", a)
	}
	if b := p.Pairs[1]; b.PeerAccess || b.Rate != nil || b.NotMeasured != "no peer access" {
		t.Errorf("pair 1 %+v", b)
	}
	want := []string{"peer copies GPU 0 to GPU 2: CUDA_ERROR_ILLEGAL_ADDRESS: cuMemcpyPeer: x"}
	if d := cmp.Diff(want, p.Problems()); d != "" {
		t.Errorf("Problems (-want +got)\n%s", d)
	}
	p.Error = &Error{Code: CodeTimeout, Message: "y"}
	if got := p.Problems(); len(got) != 2 || got[0] != "peer copies: TIMEOUT: y" {
		t.Errorf("Problems %q", got)
	}
	if (*PeerResult)(nil).Problems() != nil {
		t.Error("no peer test, no problem")
	}
	b, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if r2, err := Parse(b); err != nil || cmp.Diff(r, r2) != "" {
		t.Errorf("round trip: %v %s", err, cmp.Diff(r, r2))
	}
	for name, in := range map[string]string{
		"to itself":     strings.Replace(goodPeer, `"src":0,"dst":1`, `"src":1,"dst":1`, 1),
		"median > best": strings.Replace(goodPeer, `"median_gbps":375.9`, `"median_gbps":377`, 1),
		"negative":      strings.Replace(goodPeer, `"repetitions":4`, `"repetitions":-4`, 1),
		"no why":        strings.Replace(goodPeer, `"not_measured":"no peer access",`, ``, 1),
		"code-less":     strings.Replace(goodPeer, `"code":"CUDA_ERROR_ILLEGAL_ADDRESS"`, `"code":""`, 1),
		"unknown field": strings.Replace(goodPeer, `"peer_access":false`, `"peer_access":false,"nvlink":true`, 1),
	} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%s: Parse accepted it", name)
		}
	}
}
