package gpustress

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/gpureport"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(math.Abs(a), math.Abs(b)) }

// TestCopyBandwidth: the best and the median of the timed copies, per
// direction, from the copies' event-timed durations; the buffers are freed.
func TestCopyBandwidth(t *testing.T) {
	d := newFake(2)
	d.gpus[0].htodGBps = []float64{10, 30, 20}
	d.gpus[0].dtohGBps = []float64{5, 40, 5}
	tun := testTuning
	r, log := runFakeTuned(t, context.Background(), d, Options{}, tun)
	if ExitCode(r) != 0 {
		t.Fatalf("exit %d:\n%s", ExitCode(r), log)
	}
	h := r.GPUs[0].HostCopy
	if h == nil || h.HtoD == nil || h.DtoH == nil || h.Error != nil {
		t.Fatalf("host copy %+v", h)
	}
	if h.Bytes != int64(tun.copyBytes) || h.Repetitions != 3 {
		t.Errorf("size %d x%d, want %d x3", h.Bytes, h.Repetitions, tun.copyBytes)
	}
	if !near(h.HtoD.BestGBps, 30) || !near(h.HtoD.MedianGBps, 20) || !near(h.DtoH.BestGBps, 40) || !near(h.DtoH.MedianGBps, 5) {
		t.Errorf("HtoD %+v DtoH %+v, want best 30 median 20, best 40 median 5", *h.HtoD, *h.DtoH)
	}
	if g := r.GPUs[1].HostCopy; g == nil || g.HtoD == nil || !near(g.HtoD.BestGBps, 25) || !near(g.DtoH.MedianGBps, 25) {
		t.Errorf("GPU 1 host copy %+v", g)
	}
	if !strings.Contains(log, "HtoD best 30.0 GB/s (median 20.0)") {
		t.Errorf("log:\n%s", log)
	}
	if !strings.Contains(Summary(r), "host<->GPU copy") {
		t.Errorf("summary:\n%s", Summary(r))
	}
	// Copies of a quarter of the free memory at most: an eighth here.
	d = newFake(1)
	tun.copyBytes = 1 << 30
	r, _ = runFakeTuned(t, context.Background(), d, Options{}, tun)
	if h := r.GPUs[0].HostCopy; h == nil || h.Bytes != testFree/8 {
		t.Errorf("host copy %+v, want %d bytes", h, testFree/8)
	}
}

func TestCopyMedianEven(t *testing.T) {
	if r := copyRate([]float64{4, 1, 3, 2}); r.BestGBps != 4 || r.MedianGBps != 2.5 {
		t.Errorf("%+v", r)
	}
	if copyRate(nil) != nil {
		t.Error("no rate from no copy")
	}
}

// TestCopyFailures: pinned memory that cannot be had is noted in the result
// and the GPU still passes; a failed copy is the GPU's error; data that does
// not come back as it went is COPY_MISMATCH.
func TestCopyFailures(t *testing.T) {
	d := newFake(1)
	d.gpus[0].hostAllocErr = fakeErr("cuMemHostAlloc", cudaErrorOutOfMemory)
	r, _ := runFake(t, context.Background(), d, Options{})
	g := r.GPUs[0]
	if len(g.Problems()) != 0 || g.HostCopy == nil || g.HostCopy.Error == nil || g.HostCopy.Error.Code != "CUDA_ERROR_OUT_OF_MEMORY" || g.HostCopy.HtoD != nil {
		t.Errorf("GPU %+v host copy %+v", g, g.HostCopy)
	}

	d = newFake(1)
	d.gpus[0].copyErr = fakeErr("cuMemcpyHtoD_v2", 700)
	d.gpus[0].copyErrLen = int(testTuning.copyBytes)
	r, _ = runFake(t, context.Background(), d, Options{})
	g = r.GPUs[0]
	if g.Error == nil || g.Error.Code != "CUDA_ERROR_ILLEGAL_ADDRESS" || g.HostCopy == nil || g.HostCopy.HtoD != nil {
		t.Errorf("GPU error %v host copy %+v", g.Error, g.HostCopy)
	}
	if d.gpus[0].leaked() != 0 || len(d.gpus[0].hostMem) != 0 {
		t.Error("memory leaked after a failed copy")
	}

	d = newFake(1)
	d.gpus[0].corruptDtoH = int(testTuning.copyBytes)
	r, _ = runFake(t, context.Background(), d, Options{})
	g = r.GPUs[0]
	want := testTuning.copyBytes - 8
	if g.Error == nil || g.Error.Code != "COPY_MISMATCH" || !strings.Contains(g.Error.Message, "0x3ff8") || want != 0x3ff8 {
		t.Errorf("GPU error %v", g.Error)
	}
	if ExitCode(r) != 1 {
		t.Errorf("exit %d", ExitCode(r))
	}
	if _, err := gpureport.Parse(mustMarshal(t, r)); err != nil {
		t.Error(err)
	}
}

func mustMarshal(t *testing.T, r *gpureport.Report) []byte {
	t.Helper()
	b, err := gpureport.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
