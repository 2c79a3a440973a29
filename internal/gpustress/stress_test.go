package gpustress

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/gpureport"
)

var testTuning = tuning{
	block:        32,
	memAlign:     8 << 10,
	memChunk:     64 << 10,
	memMinChunk:  16 << 10,
	fmaSteps:     16,
	launchTarget: 4 * time.Millisecond,
	maxReps:      8,
	cancelGrace:  2 * time.Second,
	copyBytes:    16 << 10,
	copyReps:     3,
	memPasses:    2,
	fmaLaunches:  2,
}

const testFree = 256 << 10 // each fake GPU's free memory

// syncBuffer is a log sink the workers may write to concurrently.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newFake(n int) *fakeDriver {
	d := &fakeDriver{}
	for i := 0; i < n; i++ {
		d.gpus = append(d.gpus, newFakeGPU(i, testFree))
	}
	return d
}

// runFake runs the stress test on d and checks what must hold for every
// report: it survives gpureport's strict Parse unchanged, and the exit code
// agrees with Problems.
func runFake(t *testing.T, ctx context.Context, d *fakeDriver, opts Options) (*gpureport.Report, string) {
	t.Helper()
	return runFakeTuned(t, ctx, d, opts, testTuning)
}

func runFakeTuned(t *testing.T, ctx context.Context, d *fakeDriver, opts Options, tun tuning) (*gpureport.Report, string) {
	t.Helper()
	log := &syncBuffer{}
	opts.Log = log
	if opts.MemFraction == 0 {
		opts.MemFraction = 0.9
	}
	if opts.Duration == 0 {
		opts.Duration = 200 * time.Millisecond
	}
	r := run(ctx, opts, d, tun)
	data, err := gpureport.Marshal(r)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	back, err := gpureport.Parse(data)
	if err != nil {
		t.Fatalf("the report does not parse: %v\n%s", err, data)
	}
	again, _ := gpureport.Marshal(back)
	if !bytes.Equal(data, again) {
		t.Errorf("report changed through Parse:\n%s\n%s", data, again)
	}
	code := ExitCode(r)
	anyProblem := false
	for _, g := range r.GPUs {
		anyProblem = anyProblem || len(g.Problems()) > 0
	}
	anyProblem = anyProblem || len(r.PeerCopy.Problems()) > 0
	switch {
	case r.Error != nil && code != 2, r.Error == nil && anyProblem && code != 1, r.Error == nil && !anyProblem && code != 0:
		t.Errorf("exit code %d for report error %v, problems %v", code, r.Error, anyProblem)
	}
	if t.Failed() {
		t.Logf("report:\n%s\nlog:\n%s", data, log.String())
	}
	return r, log.String()
}

func TestHealthyGPUsPass(t *testing.T) {
	d := newFake(2)
	r, log := runFake(t, context.Background(), d, Options{DriverVersion: "550.54.15"})
	if ExitCode(r) != 0 {
		t.Fatalf("exit %d, want 0; log:\n%s", ExitCode(r), log)
	}
	if r.Tool != gpureport.Tool || r.Driver == nil || *r.Driver != "550.54.15" || r.CUDAVersion == nil || *r.CUDAVersion != 12040 {
		t.Errorf("report header: %+v", r)
	}
	if len(r.GPUs) != 2 {
		t.Fatalf("%d GPUs reported, want 2", len(r.GPUs))
	}
	// 0.9 of 256 KiB, rounded down to the 8 KiB alignment.
	const wantBytes = (testFree * 9 / 10) / (8 << 10) * (8 << 10)
	for i, g := range r.GPUs {
		if g.Index != i || g.PCIBusID != []string{"0000:17:00.0", "0000:18:00.0"}[i] || g.Name != "Fake GPU" ||
			g.UUID != []string{"GPU-00000000-0000-0000-0000-000000000000", "GPU-00000000-0000-0000-0000-000000000001"}[i] {
			t.Errorf("GPU %d identity: %+v", i, g)
		}
		if g.Memory == nil || g.Memory.BytesTested != wantBytes || g.Memory.Passes != 2 || g.Memory.Errors != 0 ||
			g.Memory.FirstErrorAddr != nil || !(g.Memory.GBps > 0) {
			t.Errorf("GPU %d memory: %+v", i, g.Memory)
		}
		// 2 SMs × 2 blocks × 32 threads, 8 results each, every launch checked.
		if c := g.Compute; c == nil || c.Iterations != 2 || c.Checked != 2*128*8 || c.Errors != 0 || !(c.GFLOPS > 0) {
			t.Errorf("GPU %d compute: %+v", i, g.Compute)
		}
		if d.gpus[i].leaked() != 0 || !d.gpus[i].closed {
			t.Errorf("GPU %d: %d allocations leaked, closed %v", i, d.gpus[i].leaked(), d.gpus[i].closed)
		}
	}
	// 4 chunks (64+64+64+32 KiB), so each pass launches bee_mem 8 times.
	if n := d.gpus[0].launches["bee_mem"]; n != 8*r.GPUs[0].Memory.Passes {
		t.Errorf("bee_mem launched %d times for %d passes, want 8 per pass", n, r.GPUs[0].Memory.Passes)
	}
	for _, want := range []string{"GPU 0: Fake GPU, 0000:17:00.0", "memory test: 229376 bytes", "in 4 chunks", "memory pass 1 (addr^seed): 0 errors", "compute launch 1 (1 reps"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// TestStuckBitIsFoundAndLocated: a bit stuck at 1 in one word of GPU 1's third
// chunk is counted by the kernel and reported at its exact offset in the
// tested buffer; GPU 0 is unaffected.
func TestStuckBitIsFoundAndLocated(t *testing.T) {
	d := newFake(2)
	// The fake spaces allocations 2 MiB apart; the first holds the error
	// records, so the third chunk is the fourth allocation, at offset 128 KiB
	// of the tested buffer.
	const word = 1000
	addr := uint64(0x7f00_0000_0000 + 3*(2<<20) + word*8)
	// A bit the first pass writes as 0, so even a machine slow enough to run
	// a single pass must see it.
	bit := 9
	for memPattern(addr, passSeed(0), 0)&(1<<bit) != 0 {
		bit++
	}
	d.gpus[1].stuck = map[uint64]uint64{addr: 1 << bit}
	tun := testTuning
	tun.memPasses = len(memModes)
	r, log := runFakeTuned(t, context.Background(), d, Options{}, tun)
	if ExitCode(r) != 1 {
		t.Fatalf("exit %d, want 1", ExitCode(r))
	}
	if m := r.GPUs[0].Memory; m.Errors != 0 {
		t.Errorf("GPU 0 found %d errors", m.Errors)
	}
	m := r.GPUs[1].Memory
	if m.Errors < 1 || m.FirstErrorAddr == nil || *m.FirstErrorAddr != 128<<10+word*8 {
		t.Fatalf("GPU 1 memory %+v, want errors at offset 0x%x", m, 128<<10+word*8)
	}
	if m.Errors > int64(m.Passes) {
		t.Errorf("%d errors in %d passes from one stuck bit", m.Errors, m.Passes)
	}
	if !strings.Contains(log, fmt.Sprintf("flipped bits 0x%016x", uint64(1)<<bit)) {
		t.Errorf("log does not name the stuck bit:\n%s", log)
	}
	p := r.GPUs[1].Problems()
	if len(p) != 1 || !strings.Contains(p[0], "memory test") {
		t.Errorf("problems %v", p)
	}
}

// TestComputeFaultIsFound: one FMA result with one flipped bit, out of
// hundreds of thousands, fails the GPU.
func TestComputeFaultIsFound(t *testing.T) {
	d := newFake(1)
	// FMA number 1000 is in thread 3's chains during the first launch (one
	// repetition, 256 FMAs per thread).
	d.gpus[0].fmaFlipAt = 1000
	r, log := runFake(t, context.Background(), d, Options{})
	c := r.GPUs[0].Compute
	if c.Errors != 1 {
		t.Fatalf("compute errors %d, want 1 (one chain of one thread); log:\n%s", c.Errors, log)
	}
	if !strings.Contains(log, "compute launch 1: thread 3 chain") {
		t.Errorf("log does not locate the fault:\n%s", log)
	}
	if ExitCode(r) != 1 {
		t.Errorf("exit %d, want 1", ExitCode(r))
	}
}

// TestComputeFaultInLaterRepetition: the flip lands in a repetition after the
// first, so only the kernel's own comparison (diff) sees it.
func TestComputeFaultInLaterRepetition(t *testing.T) {
	d := newFake(1)
	// Launch 1 (1 repetition) is 32768 FMAs; launch 2 runs 4 repetitions of 256
	// FMAs per thread, thread by thread: FMA 32768+256+10 is thread 0's second
	// repetition.
	d.gpus[0].fmaFlipAt = 32768 + 256 + 10
	r, log := runFake(t, context.Background(), d, Options{})
	c := r.GPUs[0].Compute
	if c.Iterations != 2 || c.Errors != 1 {
		t.Fatalf("compute %+v, want 1 error in launch 2; log:\n%s", c, log)
	}
	if !strings.Contains(log, "compute launch 2: thread 0: repetitions disagreed") {
		t.Errorf("log:\n%s", log)
	}
}

func TestKernelThatDoesNotRunIsCaught(t *testing.T) {
	t.Run("memory verify", func(t *testing.T) {
		d := newFake(1)
		d.gpus[0].skipVerify = true
		r, _ := runFake(t, context.Background(), d, Options{})
		if e := r.GPUs[0].Error; e == nil || e.Code != "MEM_VERIFY_INCOMPLETE" {
			t.Errorf("GPU error %v, want MEM_VERIFY_INCOMPLETE", e)
		}
	})
	t.Run("fma", func(t *testing.T) {
		d := newFake(1)
		d.gpus[0].skipKernel = "bee_fma"
		r, _ := runFake(t, context.Background(), d, Options{})
		c := r.GPUs[0].Compute
		if c == nil || c.Errors != c.Checked || c.Checked == 0 {
			t.Errorf("compute %+v: every result must be wrong (poisoned buffers)", c)
		}
	})
}

// TestFragmentedMemory: allocations larger than 20 KiB fail, so the chunk size
// halves from 64 to 16 KiB and the whole target is still covered.
func TestFragmentedMemory(t *testing.T) {
	d := newFake(1)
	d.gpus[0].maxAlloc = 20 << 10
	r, log := runFake(t, context.Background(), d, Options{})
	m := r.GPUs[0].Memory
	if m == nil || m.BytesTested != 229376 || m.Errors != 0 || ExitCode(r) != 0 {
		t.Fatalf("memory %+v, exit %d; log:\n%s", m, ExitCode(r), log)
	}
	if !strings.Contains(log, "in 14 chunks") {
		t.Errorf("want 14 chunks of 16 KiB:\n%s", log)
	}
	// Below the smallest chunk nothing can be allocated: an error, not a pass.
	d = newFake(1)
	d.gpus[0].maxAlloc = 8 << 10
	r, _ = runFake(t, context.Background(), d, Options{})
	if e := r.GPUs[0].Error; e == nil || e.Code != "CUDA_ERROR_OUT_OF_MEMORY" || r.GPUs[0].Memory != nil {
		t.Errorf("GPU %+v, want CUDA_ERROR_OUT_OF_MEMORY and no memory result", r.GPUs[0])
	}
}

func TestDriverErrorsAreReportedByName(t *testing.T) {
	t.Run("ECC error during a pass", func(t *testing.T) {
		d := newFake(2)
		d.gpus[0].syncErrAt = 2
		d.gpus[0].syncErr = fakeErr("cuCtxSynchronize", 214)
		r, _ := runFake(t, context.Background(), d, Options{})
		g := r.GPUs[0]
		if g.Error == nil || g.Error.Code != "CUDA_ERROR_ECC_UNCORRECTABLE" || !strings.Contains(g.Error.Message, "cuCtxSynchronize") {
			t.Errorf("GPU 0 error %v", g.Error)
		}
		if g.Memory == nil || g.Memory.Passes != 1 || g.Compute != nil {
			t.Errorf("GPU 0 keeps pass 1 and stops: memory %+v compute %+v", g.Memory, g.Compute)
		}
		if r.GPUs[1].Error != nil || len(r.GPUs[1].Problems()) != 0 {
			t.Errorf("GPU 1 affected: %+v", r.GPUs[1])
		}
		if d.gpus[0].leaked() != 0 {
			t.Error("memory leaked after the error")
		}
	})
	t.Run("JIT failure carries the log", func(t *testing.T) {
		d := newFake(1)
		e := fakeErr("cuModuleLoadDataEx", cudaErrorInvalidPTX)
		e.Desc = "a PTX JIT compilation failed; JIT error log: ptxas application ptx input, line 42; error   : Unknown symbol"
		d.gpus[0].jitErr = e
		r, _ := runFake(t, context.Background(), d, Options{})
		g := r.GPUs[0]
		if g.Error == nil || g.Error.Code != "CUDA_ERROR_INVALID_PTX" || !strings.Contains(g.Error.Message, "line 42") {
			t.Errorf("GPU error %v", g.Error)
		}
	})
	t.Run("context creation", func(t *testing.T) {
		d := newFake(1)
		d.gpus[0].openErr = fakeErr("cuDevicePrimaryCtxRetain", 46)
		r, _ := runFake(t, context.Background(), d, Options{})
		if g := r.GPUs[0]; g.Error == nil || g.Error.Code != "CUDA_ERROR_DEVICE_UNAVAILABLE" || g.PCIBusID != "0000:17:00.0" {
			t.Errorf("GPU %+v", g)
		}
	})
	t.Run("illegal address in a kernel", func(t *testing.T) {
		// Shrink what the fake really allocates under the test's feet: the
		// interpreter faults on the first access past the end, and the error
		// comes back from the next synchronising call, as on a GPU.
		d := newFake(1)
		d.gpus[0].stuck = nil
		r := run(context.Background(), Options{Duration: 100 * time.Millisecond, MemFraction: 0.9}, &truncatingDriver{d}, testTuning)
		if g := r.GPUs[0]; g.Error == nil || g.Error.Code != "CUDA_ERROR_ILLEGAL_ADDRESS" {
			t.Errorf("GPU %+v", g)
		}
	})
}

// truncatingDriver hands out allocations 8 bytes shorter than asked.
type truncatingDriver struct{ *fakeDriver }

func (d *truncatingDriver) Open(i int) (gpu, error) {
	g, err := d.fakeDriver.Open(i)
	if err != nil {
		return nil, err
	}
	return truncatingGPU{g.(*fakeGPU)}, nil
}

type truncatingGPU struct{ *fakeGPU }

func (g truncatingGPU) Alloc(n uint64) (devPtr, error) {
	if n > 64 {
		n -= 8
	}
	return g.fakeGPU.Alloc(n)
}

func TestNothingToTest(t *testing.T) {
	cases := []struct {
		name string
		d    *fakeDriver
		opts Options
		code string
	}{
		{"driver not loaded", &fakeDriver{initErr: fakeErr("cuInit", 100)}, Options{}, "CUDA_ERROR_NO_DEVICE"},
		{"driver mismatch", &fakeDriver{initErr: fakeErr("cuInit", 803)}, Options{}, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"},
		{"zero devices", &fakeDriver{}, Options{}, "CUDA_ERROR_NO_DEVICE"},
		{"device out of range", newFake(2), Options{Devices: []int{0, 2}}, "CUDA_ERROR_INVALID_DEVICE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := runFake(t, context.Background(), c.d, c.opts)
			if r.Error == nil || r.Error.Code != c.code || len(r.GPUs) != 0 || ExitCode(r) != 2 {
				t.Errorf("report error %v, %d GPUs, exit %d; want %s, none, 2", r.Error, len(r.GPUs), ExitCode(r), c.code)
			}
		})
	}
}

func TestDeviceSelection(t *testing.T) {
	d := newFake(3)
	devs := []int{2, 0, 2}
	r, _ := runFake(t, context.Background(), d, Options{Devices: devs})
	if len(r.GPUs) != 2 || r.GPUs[0].Index != 0 || r.GPUs[1].Index != 2 || d.gpus[1].open {
		t.Errorf("GPUs %+v; GPU 1 opened: %v", r.GPUs, d.gpus[1].open)
	}
	if devs[0] != 2 || devs[2] != 2 {
		t.Errorf("the caller's Devices were reordered: %v", devs)
	}
}

// TestHungGPUIsReported: a GPU that never returns from cuCtxSynchronize is
// reported as TIMEOUT with what it was doing, once Duration + Grace is over;
// the other GPU's results stand.
func TestHungGPUIsReported(t *testing.T) {
	d := newFake(2)
	hang := make(chan struct{})
	d.gpus[0].hang = hang
	t.Cleanup(func() { close(hang) })
	start := time.Now()
	// GPU 1 has 3 s (generous, even under -race) to finish its two passes and
	// two launches; GPU 0 never returns from its first cuCtxSynchronize.
	r, _ := runFake(t, context.Background(), d, Options{Duration: 100 * time.Millisecond, Grace: 3 * time.Second})
	if el := time.Since(start); el > 30*time.Second {
		t.Errorf("took %v", el)
	}
	g := r.GPUs[0]
	if g.Error == nil || g.Error.Code != gpureport.CodeTimeout || !strings.Contains(g.Error.Message, "memory pass 1") {
		t.Errorf("GPU 0 error %v, want TIMEOUT in memory pass 1", g.Error)
	}
	if len(r.GPUs[1].Problems()) != 0 {
		t.Errorf("GPU 1: %v", r.GPUs[1].Problems())
	}
}

// TestInterrupted: cancelling (Ctrl-C in bee-gpu-stress) stops the GPUs early
// and the report says so; it never reads as a pass.
func TestInterrupted(t *testing.T) {
	d := newFake(1)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(150*time.Millisecond, cancel)
	start := time.Now()
	tun := testTuning
	tun.memPasses, tun.fmaLaunches = 0, 0 // fill the duration: only the cancel ends it
	r, _ := runFakeTuned(t, ctx, d, Options{Duration: time.Hour}, tun)
	if el := time.Since(start); el > 30*time.Second {
		t.Errorf("took %v to stop", el)
	}
	if g := r.GPUs[0]; g.Error == nil || g.Error.Code != "INTERRUPTED" || ExitCode(r) != 1 {
		t.Errorf("GPU %+v, exit %d", g, ExitCode(r))
	}
}

func TestErrorNames(t *testing.T) {
	for code, name := range map[int]string{0: "CUDA_SUCCESS", 2: "CUDA_ERROR_OUT_OF_MEMORY", 100: "CUDA_ERROR_NO_DEVICE",
		214: "CUDA_ERROR_ECC_UNCORRECTABLE", 218: "CUDA_ERROR_INVALID_PTX", 700: "CUDA_ERROR_ILLEGAL_ADDRESS",
		719: "CUDA_ERROR_LAUNCH_FAILED", 999: "CUDA_ERROR_UNKNOWN", 12345: "CUDA_ERROR_12345"} {
		if got := cuResultName(code); got != name {
			t.Errorf("cuResultName(%d) = %s, want %s", code, got, name)
		}
	}
	e := &cudaError{Call: "cuMemAlloc_v2", Code: 2, Name: "CUDA_ERROR_OUT_OF_MEMORY", Desc: "out of memory"}
	if e.Error() != "cuMemAlloc_v2: CUDA_ERROR_OUT_OF_MEMORY (out of memory)" {
		t.Errorf("Error() = %q", e.Error())
	}
	if r := reportError(e); r.Code != "CUDA_ERROR_OUT_OF_MEMORY" || r.Message != e.Error() {
		t.Errorf("reportError = %+v", r)
	}
}

func TestFormatUUID(t *testing.T) {
	u := [16]byte{0x5c, 0x6e, 0x4a, 0x3b, 0x01, 0x02, 0x03, 0x04, 0xa5, 0xa6, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xff}
	if got := formatUUID(u); got != "GPU-5c6e4a3b-0102-0304-a5a6-f0f1f2f3f4ff" {
		t.Errorf("formatUUID = %s", got)
	}
}

func TestSummary(t *testing.T) {
	off := uint64(0x50)
	r := &gpureport.Report{Tool: gpureport.Tool, GPUs: []gpureport.GPU{
		{Index: 0, PCIBusID: "0000:17:00.0", Name: "NVIDIA H100 80GB HBM3", UUID: "GPU-1", DurationMS: 60000,
			Memory:  &gpureport.MemResult{BytesTested: 76e9, Passes: 12, GBps: 2510.4},
			Compute: &gpureport.ComputeResult{Iterations: 300, Checked: 1e6, GFLOPS: 51000.2}},
		{Index: 1, PCIBusID: "0000:18:00.0", Name: "NVIDIA H100 80GB HBM3", UUID: "GPU-2", DurationMS: 60000,
			Memory: &gpureport.MemResult{BytesTested: 76e9, Passes: 12, Errors: 3, FirstErrorAddr: &off, GBps: 2510.4},
			Error:  &gpureport.Error{Code: "CUDA_ERROR_ECC_UNCORRECTABLE", Message: "cuCtxSynchronize: ..."}},
	}}
	want := `GPU 0  0000:17:00.0  NVIDIA H100 80GB HBM3  GPU-1  PASS (60 s)
  memory:  76.00 GB tested, 12 passes, 0 errors, 2510.4 GB/s
  compute: 300 launches, 0 wrong of 1000000 results checked, 51000.2 GFLOP/s (FP32)
GPU 1  0000:18:00.0  NVIDIA H100 80GB HBM3  GPU-2  FAIL (60 s)
  memory:  76.00 GB tested, 12 passes, 3 errors, 2510.4 GB/s
  FAIL: error: CUDA_ERROR_ECC_UNCORRECTABLE: cuCtxSynchronize: ...
  FAIL: memory test: 3 mismatches, first at offset 0x50
  FAIL: compute test did not run
`
	if got := Summary(r); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// A name or message from the driver is shown escaped (constructed values).
	r = &gpureport.Report{Tool: gpureport.Tool, GPUs: []gpureport.GPU{{Index: 0, PCIBusID: "0000:17:00.0", Name: "H100\033]0;x\007\u202e", UUID: "GPU-1\x9b",
		Error: &gpureport.Error{Code: "X", Message: "a\nb\033[2J"}}}}
	if got, want := Summary(r), "GPU 0  0000:17:00.0  H100\\x1b]0;x\\x07\\u202e  GPU-1\uFFFD  FAIL (0 s)\n  FAIL: error: X: a\\nb\\x1b[2J\n"; !strings.HasPrefix(got, want) {
		t.Errorf("got %q, want prefix %q", got, want)
	}
	r = &gpureport.Report{Tool: gpureport.Tool, Error: &gpureport.Error{Code: "LIBCUDA_NOT_FOUND", Message: "cannot load"}}
	if got := Summary(r); got != "bee-gpu-stress: nothing tested: LIBCUDA_NOT_FOUND: cannot load\n" {
		t.Errorf("got %q", got)
	}
}

// TestWholeFreeMemory: --mem-fraction 1 asks for every free byte; the error
// records were allocated first, so the test still runs on what it could get.
func TestWholeFreeMemory(t *testing.T) {
	d := newFake(1)
	r, log := runFake(t, context.Background(), d, Options{MemFraction: 1})
	m := r.GPUs[0].Memory
	if ExitCode(r) != 0 || m == nil || m.BytesTested < testFree*9/10 || m.BytesTested > testFree {
		t.Fatalf("exit %d, memory %+v; log:\n%s", ExitCode(r), m, log)
	}
	if !strings.Contains(log, "memory fragmented") {
		t.Errorf("log does not say the target was not reached:\n%s", log)
	}
}

// TestDurationBoundsTheRun: with the real, time-based loop both tests run at
// least once and stop by themselves.
func TestDurationBoundsTheRun(t *testing.T) {
	d := newFake(1)
	tun := testTuning
	tun.memPasses, tun.fmaLaunches = 0, 0
	start := time.Now()
	r, log := runFakeTuned(t, context.Background(), d, Options{Duration: 300 * time.Millisecond}, tun)
	if el := time.Since(start); el > 60*time.Second {
		t.Errorf("took %v", el)
	}
	if ExitCode(r) != 0 || r.GPUs[0].Memory.Passes < 1 || r.GPUs[0].Compute.Iterations < 1 {
		t.Errorf("exit %d, %+v %+v; log:\n%s", ExitCode(r), r.GPUs[0].Memory, r.GPUs[0].Compute, log)
	}
}
