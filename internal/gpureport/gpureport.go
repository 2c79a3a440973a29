// Package gpureport is the contract between bee-gpu-stress (internal/gpustress), which
// writes one Report as JSON on its stdout with --json, and `bee sat nvidia`
// (internal/sat), which reads it. Both sides use these types, so the field names are
// defined once; Parse is strict because a verdict is built on what it returns.
//
// Example (one GPU, both tests ran, nothing wrong; the numbers are illustrative):
//
//	{"tool":"bee-gpu-stress","version":"1.2.0","driver_version":"550.54.15",
//	 "cuda_driver_version":12040,"error":null,
//	 "gpus":[{"index":0,"pci_bus_id":"0000:17:00.0","name":"NVIDIA H100 80GB HBM3",
//	   "uuid":"GPU-…","error":null,
//	   "memory":{"bytes_tested":76000000000,"passes":3,"errors":0,"first_error_addr":null,"gbps":2510.4},
//	   "compute":{"iterations":4096,"errors":0,"gflops":51000.2,"checked":1048576},
//	   "host_copy":{"bytes":268435456,"repetitions":8,"htod":{"best_gbps":55.1,"median_gbps":54.8},
//	     "dtoh":{"best_gbps":55.6,"median_gbps":55.3},"error":null},
//	   "duration_ms":60012}]}
//
// With two GPUs or more the report also has "peer_copy" (PeerResult) beside "gpus":
//
//	"peer_copy":{"bytes":268435456,"repetitions":8,"error":null,"pairs":[
//	  {"src":0,"dst":1,"src_pci_bus_id":"0000:17:00.0","dst_pci_bus_id":"0000:2a:00.0",
//	   "peer_access":true,"rate":{"best_gbps":376.6,"median_gbps":375.9},"error":null}, …]}
package gpureport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Tool is the value of Report.Tool.
const Tool = "bee-gpu-stress"

// Error codes that are not CUDA driver API names (those, such as "CUDA_ERROR_NO_DEVICE"
// or "CUDA_ERROR_ECC_UNCORRECTABLE", are reported as the driver names them).
const (
	CodeLibCUDANotFound = "LIBCUDA_NOT_FOUND" // libcuda.so.1 could not be loaded
	CodeSymbolNotFound  = "LIBCUDA_SYMBOL_NOT_FOUND"
	CodeTimeout         = "TIMEOUT"  // a kernel or copy did not finish in time
	CodeInternal        = "INTERNAL" // a bug in bee-gpu-stress
)

// Report is the whole output of one bee-gpu-stress --json run.
type Report struct {
	Tool    string `json:"tool"`    // always Tool
	Version string `json:"version"` // bee version that ran the test
	// Driver is the NVIDIA driver version (nil when the driver could not be asked).
	Driver *string `json:"driver_version"`
	// CUDAVersion is cuDriverGetVersion's number, e.g. 12040 (nil when unknown).
	CUDAVersion *int `json:"cuda_driver_version"`
	// Error is set when the whole run failed before any GPU could be tested (no driver,
	// library missing, no device); GPUs is then usually empty.
	Error *Error `json:"error"`
	GPUs  []GPU  `json:"gpus"`
	// PeerCopy is the GPU-to-GPU copy bandwidth between the tested GPUs, run after
	// every GPU's own tests; nil when fewer than two GPUs were tested, or in reports
	// from before it existed.
	PeerCopy *PeerResult `json:"peer_copy,omitempty"`
}

// Error is a failure with the driver's (or bee's) code and a human message.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) String() string {
	if e == nil {
		return ""
	}
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// GPU is the result for one device.
type GPU struct {
	Index    int    `json:"index"`      // CUDA device ordinal
	PCIBusID string `json:"pci_bus_id"` // as the driver reports it, e.g. "0000:17:00.0"
	Name     string `json:"name"`
	UUID     string `json:"uuid"`
	// Error is set when testing this GPU failed (context creation, an allocation, a
	// kernel launch, an ECC error raised by the driver, ...). Results gathered before
	// the failure are still reported.
	Error   *Error         `json:"error"`
	Memory  *MemResult     `json:"memory"`  // nil when the memory test did not run
	Compute *ComputeResult `json:"compute"` // nil when the compute test did not run
	// HostCopy is the host<->GPU copy bandwidth over PCIe (pinned host memory); nil when
	// it was not measured (reports from before it existed, or a failure before it ran).
	HostCopy *CopyResult `json:"host_copy,omitempty"`
	// DurationMS is the wall time spent on this GPU.
	DurationMS int64 `json:"duration_ms"`
}

// MemResult is the device-memory pattern test.
type MemResult struct {
	BytesTested    int64   `json:"bytes_tested"`     // size of the buffer tested
	Passes         int     `json:"passes"`           // full write+verify passes completed
	Errors         int64   `json:"errors"`           // mismatched words, all passes together
	FirstErrorAddr *uint64 `json:"first_error_addr"` // byte offset in the buffer; nil without errors
	GBps           float64 `json:"gbps"`             // achieved bandwidth, GB/s (10^9 bytes)
}

// ComputeResult is the FP32 FMA burn with its results checked on the CPU.
type ComputeResult struct {
	Iterations int64   `json:"iterations"` // kernel launches completed
	Errors     int64   `json:"errors"`     // results that differed from the CPU's
	GFLOPS     float64 `json:"gflops"`     // achieved FP32 rate, 10^9 FLOP/s
	Checked    int64   `json:"checked"`    // results compared with the CPU's
}

// CopyResult is the host<->GPU copy bandwidth: synchronous copies of Bytes between
// pinned (page-locked) host memory and device memory, Repetitions times each way, each
// copy timed with CUDA events.
type CopyResult struct {
	Bytes       int64 `json:"bytes"`       // size of one copy
	Repetitions int   `json:"repetitions"` // copies timed per direction
	// HtoD (host to device) and DtoH (device to host); nil when not measured.
	HtoD *CopyRate `json:"htod"`
	DtoH *CopyRate `json:"dtoh"`
	// Error says why the bandwidth was not measured when that is not the GPU's fault
	// (host memory could not be pinned); a failed copy is the GPU's Error instead.
	Error *Error `json:"error"`
}

// CopyRate is one direction's rates over the repetitions, GB/s (10^9 bytes per second).
type CopyRate struct {
	BestGBps   float64 `json:"best_gbps"`
	MedianGBps float64 `json:"median_gbps"`
}

// PeerResult is the GPU-to-GPU (peer) copy bandwidth: for every ordered pair of tested
// GPUs whose driver allows peer access, synchronous device-to-device copies of Bytes
// (cuMemcpyPeer), Repetitions times, each timed with CUDA events.
type PeerResult struct {
	Bytes       int64      `json:"bytes"`       // size of one copy
	Repetitions int        `json:"repetitions"` // copies timed per pair
	Pairs       []PeerPair `json:"pairs"`
	// Error is set when the peer test as a whole stopped early (TIMEOUT, INTERRUPTED);
	// the pairs measured before stay.
	Error *Error `json:"error"`
}

// PeerPair is one direction between two GPUs: copies from Src's memory to Dst's.
type PeerPair struct {
	Src      int    `json:"src"` // CUDA device ordinals
	Dst      int    `json:"dst"`
	SrcBusID string `json:"src_pci_bus_id"`
	DstBusID string `json:"dst_pci_bus_id"`
	// PeerAccess is cuDeviceCanAccessPeer(Src, Dst): the driver allows Src to reach
	// Dst's memory directly (NVLink, or PCIe peer-to-peer).
	PeerAccess bool `json:"peer_access"`
	// Rate is nil when the pair was not measured (NotMeasured or Error says why).
	Rate *CopyRate `json:"rate"`
	// NotMeasured says why a pair was not measured when that is no fault ("no peer
	// access", a GPU that did not pass its own tests); "" when measured.
	NotMeasured string `json:"not_measured,omitempty"`
	// Error is a failure of this pair: a driver error, or COPY_MISMATCH when the data
	// arrived changed.
	Error *Error `json:"error"`
}

// Problems lists why the peer test cannot pass: the test stopped early, or a pair
// failed. Pairs without peer access, or not measured for another GPU's failure, are
// no problem of their own.
func (p *PeerResult) Problems() []string {
	if p == nil {
		return nil
	}
	var out []string
	if p.Error != nil {
		out = append(out, "peer copies: "+p.Error.String())
	}
	for _, pr := range p.Pairs {
		if pr.Error != nil {
			out = append(out, fmt.Sprintf("peer copies GPU %d to GPU %d: %s", pr.Src, pr.Dst, pr.Error))
		}
	}
	return out
}

// Marshal renders r as the indented JSON document bee-gpu-stress prints (with a trailing
// newline).
func Marshal(r *Report) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Parse reads bee-gpu-stress's stdout. It is strict: the input must be exactly one JSON
// object (surrounding white space allowed) with only the fields defined here, "tool"
// must be Tool, every key that carries a required value must be present, and counts must
// not be negative. Anything else (empty output, a truncated document from a killed
// process, a progress line mixed into stdout, another tool's JSON) is an error, because a
// verdict built on a half-read report could pass a broken GPU.
func Parse(data []byte) (*Report, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("bee-gpu-stress report: empty output")
	}
	// First pass: presence of required keys (a missing "errors" must not read as 0).
	var raw struct {
		Tool    *string           `json:"tool"`
		Version *string           `json:"version"`
		Error   json.RawMessage   `json:"error"`
		GPUs    []json.RawMessage `json:"gpus"`
	}
	if err := decodeStrict(data, &raw, false); err != nil {
		return nil, err
	}
	var r Report
	if err := decodeStrict(data, &r, true); err != nil {
		return nil, err
	}
	switch {
	case raw.Tool == nil:
		return nil, errors.New(`bee-gpu-stress report: no "tool" key`)
	case r.Tool != Tool:
		return nil, fmt.Errorf("bee-gpu-stress report: tool is %q, want %q", r.Tool, Tool)
	case raw.Version == nil:
		return nil, errors.New(`bee-gpu-stress report: no "version" key`)
	case raw.Error == nil:
		return nil, errors.New(`bee-gpu-stress report: no "error" key (null when the run succeeded)`)
	case raw.GPUs == nil && r.Error == nil:
		return nil, errors.New(`bee-gpu-stress report: no "gpus" and no "error"`)
	}
	if r.Error != nil && r.Error.Code == "" {
		return nil, errors.New("bee-gpu-stress report: error without a code")
	}
	if err := r.PeerCopy.check(); err != nil {
		return nil, fmt.Errorf("bee-gpu-stress report: peer_copy: %w", err)
	}
	seen := map[int]bool{}
	for i, g := range raw.GPUs {
		if err := checkGPUKeys(g); err != nil {
			return nil, fmt.Errorf("bee-gpu-stress report: gpus[%d]: %w", i, err)
		}
		gpu := r.GPUs[i]
		if seen[gpu.Index] {
			return nil, fmt.Errorf("bee-gpu-stress report: gpus[%d]: index %d appears twice", i, gpu.Index)
		}
		seen[gpu.Index] = true
		if err := gpu.check(); err != nil {
			return nil, fmt.Errorf("bee-gpu-stress report: gpus[%d] (index %d): %w", i, gpu.Index, err)
		}
	}
	return &r, nil
}

func decodeStrict(data []byte, v any, disallowUnknown bool) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if disallowUnknown {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("bee-gpu-stress report: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("bee-gpu-stress report: data after the JSON document")
	}
	return nil
}

// checkGPUKeys makes sure the keys whose absence would silently read as zero are there.
func checkGPUKeys(data json.RawMessage) error {
	var g map[string]json.RawMessage
	if err := json.Unmarshal(data, &g); err != nil {
		return err
	}
	for _, k := range []string{"index", "pci_bus_id", "error", "memory", "compute"} {
		if _, ok := g[k]; !ok {
			return fmt.Errorf("no %q key", k)
		}
	}
	need := map[string][]string{
		"memory":  {"bytes_tested", "passes", "errors"},
		"compute": {"iterations", "errors", "checked"},
	}
	for part, keys := range need {
		if isNull(g[part]) {
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(g[part], &m); err != nil {
			return fmt.Errorf("%s: %w", part, err)
		}
		for _, k := range keys {
			if v, ok := m[k]; !ok || isNull(v) {
				return fmt.Errorf("%s: no %q value", part, k)
			}
		}
	}
	return nil
}

func isNull(m json.RawMessage) bool { return strings.TrimSpace(string(m)) == "null" }

func (g GPU) check() error {
	if g.Error != nil && g.Error.Code == "" {
		return errors.New("error without a code")
	}
	if m := g.Memory; m != nil {
		if m.BytesTested < 0 || m.Passes < 0 || m.Errors < 0 || m.GBps < 0 {
			return errors.New("memory: negative count")
		}
		if m.Errors > 0 && m.FirstErrorAddr == nil {
			return errors.New("memory: errors without first_error_addr")
		}
	}
	if h := g.HostCopy; h != nil {
		if h.Bytes < 0 || h.Repetitions < 0 {
			return errors.New("host_copy: negative count")
		}
		for _, r := range []*CopyRate{h.HtoD, h.DtoH} {
			if r != nil && (r.BestGBps < 0 || r.MedianGBps < 0 || r.MedianGBps > r.BestGBps) {
				return errors.New("host_copy: negative rate, or a median above the best")
			}
		}
		if h.Error != nil && h.Error.Code == "" {
			return errors.New("host_copy: error without a code")
		}
	}
	if c := g.Compute; c != nil {
		if c.Iterations < 0 || c.Errors < 0 || c.Checked < 0 || c.GFLOPS < 0 {
			return errors.New("compute: negative count")
		}
		if c.Errors > c.Checked {
			return errors.New("compute: more errors than results checked")
		}
	}
	return nil
}

func (p *PeerResult) check() error {
	if p == nil {
		return nil
	}
	if p.Bytes < 0 || p.Repetitions < 0 {
		return errors.New("negative count")
	}
	if p.Error != nil && p.Error.Code == "" {
		return errors.New("error without a code")
	}
	for i, pr := range p.Pairs {
		if pr.Src == pr.Dst {
			return fmt.Errorf("pairs[%d]: GPU %d to itself", i, pr.Src)
		}
		if r := pr.Rate; r != nil && (r.BestGBps < 0 || r.MedianGBps < 0 || r.MedianGBps > r.BestGBps) {
			return fmt.Errorf("pairs[%d]: negative rate, or a median above the best", i)
		}
		if pr.Error != nil && pr.Error.Code == "" {
			return fmt.Errorf("pairs[%d]: error without a code", i)
		}
		if pr.Rate == nil && pr.Error == nil && pr.NotMeasured == "" {
			return fmt.Errorf("pairs[%d]: neither a rate nor why there is none", i)
		}
	}
	return nil
}

// Problems lists why g cannot pass; none means it passed. A GPU passes only when both
// tests ran to the end with no error: the memory test over a non-zero size with at least
// one full pass, the compute test with at least one result checked, and no mismatch in
// either.
func (g GPU) Problems() []string {
	var p []string
	if g.Error != nil {
		p = append(p, "error: "+g.Error.String())
	}
	switch m := g.Memory; {
	case m == nil:
		p = append(p, "memory test did not run")
	case m.Errors > 0:
		msg := fmt.Sprintf("memory test: %d mismatches", m.Errors)
		if m.FirstErrorAddr != nil {
			msg += fmt.Sprintf(", first at offset 0x%x", *m.FirstErrorAddr)
		}
		p = append(p, msg)
	case m.BytesTested == 0 || m.Passes == 0:
		p = append(p, "memory test checked nothing (0 bytes or 0 passes)")
	}
	switch c := g.Compute; {
	case c == nil:
		p = append(p, "compute test did not run")
	case c.Errors > 0:
		p = append(p, fmt.Sprintf("compute test: %d of %d results wrong", c.Errors, c.Checked))
	case c.Checked == 0:
		p = append(p, "compute test checked no result")
	}
	return p
}
