// Package gpustress is bee-gpu-stress: a device-memory pattern test and an FP32
// FMA burn with every result checked on the CPU, run on every NVIDIA GPU in
// parallel, reported as a gpureport.Report (the JSON `bee sat nvidia` reads).
//
// It talks to the CUDA driver API in libcuda.so.1, loaded at run time with
// purego (no cgo, no CUDA toolkit at build time); the kernels are PTX text
// (kernels.ptx) that the driver JIT-compiles for whatever GPU is present. See
// docs/gpu-stress.md for what is tested and how to read the results.
package gpustress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/beeaudit/bee/internal/gpureport"
	"github.com/beeaudit/bee/internal/termsafe"
	"github.com/beeaudit/bee/internal/version"
)

// Options configures Run.
type Options struct {
	// Duration is the time each GPU is tested: the first half goes to the
	// memory test, the second to the compute test. Each test runs at least one
	// full pass / launch, however short the duration.
	Duration time.Duration
	// MemFraction is the share of the GPU's free memory the memory test covers
	// (0 < f ≤ 1; the rest is left to the driver).
	MemFraction float64
	// Devices are the CUDA ordinals to test; nil means all.
	Devices []int
	// LibCUDA is the driver library to load; "" means "libcuda.so.1" found by
	// the dynamic loader.
	LibCUDA string
	// DriverVersion is the NVIDIA driver version for the report ("" = unknown;
	// see ParseDriverVersion).
	DriverVersion string
	// Log receives progress and error details, one line per event (stderr in
	// bee-gpu-stress). nil discards them.
	Log io.Writer
	// Grace is how long past Duration a GPU may take (setup, the CPU
	// reference, the last pass) before it is reported as hung with code
	// TIMEOUT. 0 means DefaultGrace.
	Grace time.Duration
}

// DefaultGrace is Options.Grace's default.
const DefaultGrace = 2 * time.Minute

// tuning holds the sizes the tests pick; the tests shrink them.
type tuning struct {
	block        int           // threads per block for both kernels
	memAlign     uint64        // the memory test's size is a multiple of this
	memChunk     uint64        // largest single allocation
	memMinChunk  uint64        // smallest allocation tried when memory is fragmented
	fmaSteps     int           // Hénon steps per chain per repetition (multiple of 4)
	launchTarget time.Duration // aimed-for duration of one bee_fma launch
	maxReps      int
	cancelGrace  time.Duration // how long to wait for workers after ctx is cancelled
	copyBytes    uint64        // size of one host<->GPU copy (at most an eighth of the free memory)
	copyReps     int           // timed copies per direction
	// Tests only: when > 0, run exactly this many memory passes / bee_fma
	// launches instead of filling the duration (CPU speed does not matter).
	memPasses, fmaLaunches int
}

var defaultTuning = tuning{
	block:        256,
	memAlign:     1 << 20,
	memChunk:     1 << 30,
	memMinChunk:  32 << 20,
	fmaSteps:     512,
	launchTarget: 100 * time.Millisecond,
	maxReps:      1 << 16,
	cancelGrace:  15 * time.Second,
	copyBytes:    256 << 20,
	copyReps:     8,
}

// Run tests the GPUs and returns the report; it never returns nil. Problems are
// in the report (Report.Error when nothing could be tested, GPU.Error and the
// error counts per GPU), never only in the log.
func Run(ctx context.Context, opts Options) *gpureport.Report {
	lib := opts.LibCUDA
	if lib == "" {
		lib = "libcuda.so.1"
	}
	drv, rerr := openLibCUDA(lib)
	if rerr != nil {
		r := newReport(opts)
		r.Error = rerr
		newLogger(opts.Log).printf("%s", rerr.String())
		return r
	}
	return run(ctx, opts, drv, defaultTuning)
}

// ExitCode is bee-gpu-stress's exit status for r: 0 when every GPU tested
// passed, 1 when any GPU failed or found an error (a failed peer copy too), 2 when nothing could be
// tested (no library, no driver, no device).
func ExitCode(r *gpureport.Report) int {
	if r.Error != nil || len(r.GPUs) == 0 {
		return 2
	}
	for _, g := range r.GPUs {
		if len(g.Problems()) > 0 {
			return 1
		}
	}
	if len(r.PeerCopy.Problems()) > 0 {
		return 1
	}
	return 0
}

func newReport(opts Options) *gpureport.Report {
	r := &gpureport.Report{Tool: gpureport.Tool, Version: version.Version, GPUs: []gpureport.GPU{}}
	if opts.DriverVersion != "" {
		v := opts.DriverVersion
		r.Driver = &v
	}
	return r
}

// reportError turns an error into the report's form: CUDA errors by the
// driver's name for the code.
func reportError(err error) *gpureport.Error {
	var ce *cudaError
	var te *timeoutError
	var fe *faultError
	switch {
	case errors.As(err, &fe):
		return &gpureport.Error{Code: fe.code, Message: err.Error()}
	case errors.As(err, &ce):
		return &gpureport.Error{Code: ce.Name, Message: err.Error()}
	case errors.As(err, &te):
		return &gpureport.Error{Code: gpureport.CodeTimeout, Message: err.Error()}
	case errors.Is(err, context.Canceled):
		return &gpureport.Error{Code: "INTERRUPTED", Message: "interrupted before the tests completed"}
	}
	return &gpureport.Error{Code: gpureport.CodeInternal, Message: err.Error()}
}

type timeoutError struct{ msg string }

// faultError is a misbehaviour of the GPU that is not a driver error code nor
// a wrong result, e.g. a kernel that did not do all its work.
type faultError struct{ code, msg string }

func (e *faultError) Error() string { return e.msg }

func (e *timeoutError) Error() string { return e.msg }

func run(ctx context.Context, opts Options, drv driver, tun tuning) *gpureport.Report {
	log := newLogger(opts.Log)
	rep := newReport(opts)
	fail := func(err error) *gpureport.Report {
		rep.Error = reportError(err)
		log.printf("%s", rep.Error.String())
		return rep
	}
	if err := drv.Init(); err != nil {
		return fail(err)
	}
	if v, err := drv.Version(); err == nil {
		rep.CUDAVersion = &v
	}
	n, err := drv.DeviceCount()
	if err != nil {
		return fail(err)
	}
	if n == 0 {
		return fail(&cudaError{Call: "cuDeviceGetCount", Code: cudaErrorNoDevice, Name: cuResultName(cudaErrorNoDevice),
			Desc: "the driver reports 0 CUDA devices"})
	}
	var devices []int
	if opts.Devices == nil {
		for i := 0; i < n; i++ {
			devices = append(devices, i)
		}
	}
	seen := map[int]bool{}
	for _, d := range opts.Devices {
		if d < 0 || d >= n {
			return fail(&cudaError{Call: "--devices", Code: 101, Name: cuResultName(101),
				Desc: fmt.Sprintf("device %d requested, the driver has %d (0..%d)", d, n, n-1)})
		}
		if !seen[d] {
			seen[d] = true
			devices = append(devices, d)
		}
	}
	sort.Ints(devices)

	refs := &refCache{m: map[[2]int]*refEntry{}}
	workers := make([]*worker, len(devices))
	var wg sync.WaitGroup
	for k, d := range devices {
		w := &worker{ordinal: d, drv: drv, opts: opts, tun: tun, refs: refs, log: log}
		w.res.Index = d
		workers[k] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run(ctx)
		}()
	}
	// After every GPU's own tests, the copies between them (peer.go), under the
	// same time limit.
	var peer *peerRun
	if len(workers) > 1 {
		peer = &peerRun{drv: drv, tun: tun, log: log}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		wg.Wait()
		if peer == nil || ctx.Err() != nil {
			return
		}
		gpus := make([]gpureport.GPU, len(workers))
		for i, w := range workers {
			gpus[i] = w.snapshot()
		}
		peer.run(ctx, gpus)
	}()

	grace := opts.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	limit := time.NewTimer(opts.Duration + grace)
	defer limit.Stop()
	select {
	case <-done:
	case <-limit.C:
		log.printf("a GPU did not finish within --duration + %v; reporting it as hung", grace)
	case <-ctx.Done():
		t := time.NewTimer(tun.cancelGrace)
		select {
		case <-done:
		case <-t.C:
			log.printf("a GPU did not stop within %v of the interrupt; reporting it as hung", tun.cancelGrace)
		}
		t.Stop()
	}
	for _, w := range workers {
		rep.GPUs = append(rep.GPUs, w.snapshot())
	}
	if peer != nil {
		rep.PeerCopy = peer.snapshot()
	}
	return rep
}

// worker tests one GPU on its own locked OS thread. Its result is read by run
// through snapshot, also while the worker is stuck in a driver call.
type worker struct {
	ordinal int
	drv     driver
	opts    Options
	tun     tuning
	refs    *refCache
	log     *logger

	mu    sync.Mutex
	res   gpureport.GPU
	step  string // what it is doing now, for a hang report
	start time.Time
	done  bool
}

func (w *worker) update(f func(g *gpureport.GPU)) {
	w.mu.Lock()
	f(&w.res)
	w.mu.Unlock()
}

func (w *worker) setStep(s string) {
	w.mu.Lock()
	w.step = s
	w.mu.Unlock()
}

func (w *worker) snapshot() gpureport.GPU {
	w.mu.Lock()
	defer w.mu.Unlock()
	g := w.res
	if g.Memory != nil {
		m := *g.Memory
		g.Memory = &m
	}
	if g.Compute != nil {
		c := *g.Compute
		g.Compute = &c
	}
	if g.HostCopy != nil {
		h := *g.HostCopy
		g.HostCopy = &h
	}
	if !w.done && g.Error == nil {
		msg := "the GPU's test never started"
		if !w.start.IsZero() {
			g.DurationMS = time.Since(w.start).Milliseconds()
			msg = fmt.Sprintf("no answer from the GPU after %v; it was in: %s", time.Since(w.start).Round(time.Second), w.step)
		}
		g.Error = &gpureport.Error{Code: gpureport.CodeTimeout, Message: msg}
	}
	return g
}

func (w *worker) printf(format string, args ...any) {
	w.log.printf("GPU %d: "+format, append([]any{w.ordinal}, args...)...)
}

func (w *worker) run(ctx context.Context) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	w.mu.Lock()
	w.start = time.Now()
	w.mu.Unlock()
	err := w.test(ctx)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil && w.res.Error == nil {
		w.res.Error = reportError(err)
	}
	w.res.DurationMS = time.Since(w.start).Milliseconds()
	w.done = true
	if err != nil {
		w.log.printf("GPU %d: %s", w.ordinal, w.res.Error.String())
	}
}

func (w *worker) test(ctx context.Context) error {
	w.setStep("cuDeviceGet*")
	info, err := w.drv.Device(w.ordinal)
	if err != nil {
		return err
	}
	busID := fmt.Sprintf("%04x:%02x:%02x.0", info.PCIDomain, info.PCIBus, info.PCIDevice)
	w.update(func(g *gpureport.GPU) {
		g.Name = info.Name
		g.UUID = info.UUID
		g.PCIBusID = busID
	})
	w.printf("%s, %s, %s, compute capability %d.%d, %d SMs", info.Name, busID, info.UUID, info.CCMajor, info.CCMinor, info.SMs)

	w.setStep("cuDevicePrimaryCtxRetain")
	g, err := w.drv.Open(w.ordinal)
	if err != nil {
		return err
	}
	defer func() {
		if err := g.Close(); err != nil {
			w.printf("releasing the context: %v", err)
		}
	}()
	w.setStep("cuModuleLoadDataEx (JIT of kernels.ptx)")
	mod, err := g.LoadModule(kernelsPTX)
	if err != nil {
		return err
	}
	fnMem, err := g.Function(mod, kernelMem.name)
	if err != nil {
		return err
	}
	fnFMA, err := g.Function(mod, kernelFMA.name)
	if err != nil {
		return err
	}
	memBlocks, err := g.MaxActiveBlocks(fnMem, w.tun.block)
	if err != nil {
		return err
	}
	fmaBlocks, err := g.MaxActiveBlocks(fnFMA, w.tun.block)
	if err != nil {
		return err
	}
	if info.SMs <= 0 || memBlocks <= 0 || fmaBlocks <= 0 {
		return fmt.Errorf("the driver reports %d SMs and %d/%d resident blocks per SM", info.SMs, memBlocks, fmaBlocks)
	}
	fmaGrid := info.SMs * fmaBlocks
	// The CPU reference runs while the memory test keeps the GPU busy.
	ref := w.refs.get(fmaGrid*w.tun.block, w.tun.fmaSteps)
	ev0, err := g.NewEvent()
	if err != nil {
		return err
	}
	ev1, err := g.NewEvent()
	if err != nil {
		return err
	}
	k := &kit{g: g, w: w, ev0: ev0, ev1: ev1}

	half := w.opts.Duration / 2
	if err := k.memTest(ctx, fnMem, info.SMs*memBlocks, time.Now().Add(half)); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	w.setStep("waiting for the CPU reference")
	select {
	case <-ref.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if ref.err != nil {
		return ref.err
	}
	if err := k.computeTest(ctx, fnFMA, fmaGrid, ref.ref, time.Now().Add(w.opts.Duration-half)); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Last, a fraction of a second: the copy bandwidth (copy.go).
	if err := k.copyTest(ctx); err != nil {
		return err
	}
	return ctx.Err()
}

// kit bundles what both tests use.
type kit struct {
	g        gpu
	w        *worker
	ev0, ev1 handle
}

// refCache computes each CPU reference once, shared by GPUs of the same size.
type refCache struct {
	mu sync.Mutex
	m  map[[2]int]*refEntry
}

type refEntry struct {
	done chan struct{}
	ref  []uint32
	err  error
}

func (c *refCache) get(threads, steps int) *refEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := [2]int{threads, steps}
	if e := c.m[key]; e != nil {
		return e
	}
	e := &refEntry{done: make(chan struct{})}
	c.m[key] = e
	go func() {
		defer close(e.done)
		e.ref, e.err = fmaReference(threads, steps, fmaSeed)
	}()
	return e
}

// logger serialises progress lines from the workers.
type logger struct {
	mu sync.Mutex
	w  io.Writer
}

func newLogger(w io.Writer) *logger { return &logger{w: w} }

func (l *logger) printf(format string, args ...any) {
	if l == nil || l.w == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// Arguments carry GPU names and driver messages: one safe line (docs/untrusted-text.md).
	fmt.Fprintf(l.w, "bee-gpu-stress: %s\n", termsafe.Line(fmt.Sprintf(format, args...)))
}
