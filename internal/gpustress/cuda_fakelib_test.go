//go:build linux

package gpustress

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/gpureport"
	"github.com/ebitengine/purego"
)

// The purego path (cuda_linux.go) against a fake libcuda: testdata/fakecuda/fakecuda.c,
// compiled here with gcc into a shared library that exports the cu* functions
// bee loads (memcpy-backed device memory, a virtual clock the copies advance at a
// set rate, knobs to make calls fail). Without gcc the tests skip, except where
// BEE_REQUIRE_GCC=1 (.ci/run sets it, so CI cannot skip them).

var fakeLib struct {
	once  sync.Once
	path  string
	err   string
	knobs struct {
		set    func(key string, v float64) int32
		fail   func(call string, code int32)
		corr   func(on int32)
		live   func() int64
		pinned func() int64
		peer   func(src, dst, can int32, gbps float64) int32
		fpeer  func(src, dst, code, after int32) int32
		peers  func(direct int32) int64
	}
}

// TestMain removes the fake library's folder (it must stay until the process
// ends: the library stays loaded).
func TestMain(m *testing.M) {
	code := m.Run()
	if fakeLib.path != "" {
		os.RemoveAll(filepath.Dir(fakeLib.path))
	}
	os.Exit(code)
}

// fakeCUDA builds (once) and loads the fake library, resets its knobs, and
// returns its path.
func fakeCUDA(t *testing.T) string {
	t.Helper()
	fakeLib.once.Do(func() {
		gcc, err := exec.LookPath("gcc")
		if err != nil {
			fakeLib.err = "no gcc to build the fake libcuda: " + err.Error()
			return
		}
		dir, err := os.MkdirTemp("", "bee-fakecuda-")
		if err != nil {
			fakeLib.err = err.Error()
			return
		}
		out := filepath.Join(dir, "libcuda-fake.so")
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, gcc, "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-O1", "-o", out, "testdata/fakecuda/fakecuda.c", "-lpthread")
		if b, err := cmd.CombinedOutput(); err != nil {
			fakeLib.err = "gcc: " + err.Error() + ": " + string(b)
			fakeLib.path = out // removed by TestMain
			return
		}
		lib, err := purego.Dlopen(out, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err != nil {
			fakeLib.err = "dlopen: " + err.Error()
			return
		}
		k := &fakeLib.knobs
		purego.RegisterLibFunc(&k.set, lib, "bee_fake_set")
		purego.RegisterLibFunc(&k.fail, lib, "bee_fake_fail")
		purego.RegisterLibFunc(&k.corr, lib, "bee_fake_corrupt")
		purego.RegisterLibFunc(&k.live, lib, "bee_fake_live")
		purego.RegisterLibFunc(&k.pinned, lib, "bee_fake_pinned_copies")
		purego.RegisterLibFunc(&k.peer, lib, "bee_fake_peer")
		purego.RegisterLibFunc(&k.fpeer, lib, "bee_fake_fail_peer")
		purego.RegisterLibFunc(&k.peers, lib, "bee_fake_peer_copies")
		fakeLib.path = out
	})
	if fakeLib.err != "" {
		if os.Getenv("BEE_REQUIRE_GCC") == "1" {
			t.Fatalf("BEE_REQUIRE_GCC=1: %s", fakeLib.err)
		}
		t.Skip(fakeLib.err)
	}
	k := &fakeLib.knobs
	k.set("htod_gbps", 25)
	k.set("dtoh_gbps", 25)
	k.set("free_mb", 64)
	k.set("devices", 1)
	k.fail("", 0)
	k.corr(0)
	return fakeLib.path
}

// fakeLibCopyTest opens the fake library's GPU through purego and runs the copy
// test on it, the way a worker does, with the knobs as they are (fakeCUDA first).
func fakeLibCopyTest(t *testing.T, tun tuning) (*gpureport.GPU, error) {
	t.Helper()
	drv, rerr := openLibCUDA(fakeLib.path)
	if rerr != nil {
		t.Fatalf("openLibCUDA: %v", rerr)
	}
	if err := drv.Init(); err != nil {
		t.Fatal(err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	g, err := drv.Open(0)
	if err != nil {
		t.Fatal(err)
	}
	w := &worker{ordinal: 0, drv: drv, tun: tun, log: newLogger(nil)}
	ev0, err := g.NewEvent()
	if err != nil {
		t.Fatal(err)
	}
	ev1, err := g.NewEvent()
	if err != nil {
		t.Fatal(err)
	}
	before := fakeLib.knobs.pinned()
	cerr := (&kit{g: g, w: w, ev0: ev0, ev1: ev1}).copyTest(context.Background())
	if err := g.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if n := fakeLib.knobs.live(); n != 0 {
		t.Errorf("%d allocations or events still live in the driver", n)
	}
	res := w.res
	if h := res.HostCopy; h != nil && h.HtoD != nil && h.DtoH != nil {
		if got, want := fakeLib.knobs.pinned()-before, int64(2*tun.copyReps); got != want {
			t.Errorf("%d copies from or to pinned memory, want %d", got, want)
		}
	}
	return &res, cerr
}

func TestFakeLibCopyBandwidth(t *testing.T) {
	fakeCUDA(t)
	fakeLib.knobs.set("htod_gbps", 12.5)
	fakeLib.knobs.set("dtoh_gbps", 51.2)
	tun := defaultTuning
	tun.copyBytes = 4 << 20
	tun.copyReps = 5
	g, err := fakeLibCopyTest(t, tun)
	if err != nil {
		t.Fatal(err)
	}
	h := g.HostCopy
	if h == nil || h.Error != nil || h.HtoD == nil || h.DtoH == nil || h.Bytes != 4<<20 || h.Repetitions != 5 {
		t.Fatalf("host copy %+v", h)
	}
	if !near(h.HtoD.BestGBps, 12.5) || !near(h.HtoD.MedianGBps, 12.5) || !near(h.DtoH.BestGBps, 51.2) || !near(h.DtoH.MedianGBps, 51.2) {
		t.Errorf("HtoD %+v DtoH %+v, want 12.5 and 51.2 GB/s", *h.HtoD, *h.DtoH)
	}
	// The default size is capped at an eighth of the free memory (64 MiB here).
	g, err = fakeLibCopyTest(t, defaultTuning)
	if err != nil || g.HostCopy == nil || g.HostCopy.Bytes != 8<<20 {
		t.Errorf("err %v host copy %+v, want 8 MiB copies", err, g.HostCopy)
	}
}

func TestFakeLibCopyErrors(t *testing.T) {
	tun := defaultTuning
	tun.copyBytes = 1 << 20
	tun.copyReps = 3

	// A failing copy: the driver's name and description for the code, through
	// cuGetErrorName / cuGetErrorString.
	fakeCUDA(t)
	fakeLib.knobs.fail("cuMemcpyDtoH_v2", 700)
	g, err := fakeLibCopyTest(t, tun)
	if err == nil {
		t.Fatal("a failed copy went unnoticed")
	}
	if re := reportError(err); re.Code != "CUDA_ERROR_ILLEGAL_ADDRESS" || !strings.Contains(re.Message, "cuMemcpyDtoH_v2: CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory access was encountered)") {
		t.Errorf("error %v", re)
	}
	if g.HostCopy == nil || g.HostCopy.HtoD == nil || g.HostCopy.DtoH != nil {
		t.Errorf("host copy %+v: HtoD measured, DtoH not", g.HostCopy)
	}

	// A code the driver has no name for falls back to bee's table.
	fakeCUDA(t)
	fakeLib.knobs.fail("cuMemcpyHtoD_v2", 214)
	if _, err = fakeLibCopyTest(t, tun); err == nil {
		t.Fatal("a failed copy went unnoticed")
	}
	if re := reportError(err); re.Code != "CUDA_ERROR_ECC_UNCORRECTABLE" {
		t.Errorf("error %v", re)
	}

	// No pinned memory: noted, not the GPU's error.
	fakeCUDA(t)
	fakeLib.knobs.fail("cuMemHostAlloc", 2)
	g, err = fakeLibCopyTest(t, tun)
	if err != nil || g.HostCopy == nil || g.HostCopy.Error == nil || g.HostCopy.Error.Code != "CUDA_ERROR_OUT_OF_MEMORY" {
		t.Errorf("err %v host copy %+v", err, g.HostCopy)
	}

	// Data that comes back changed.
	fakeCUDA(t)
	fakeLib.knobs.corr(1)
	if _, err = fakeLibCopyTest(t, tun); err == nil {
		t.Fatal("corrupted data went unnoticed")
	}
	if re := reportError(err); re.Code != "COPY_MISMATCH" || !strings.Contains(re.Message, "0x80000") {
		t.Errorf("error %v", re)
	}
}

// TestFakeLibRun: the whole of Run over the fake library. Its kernels do
// nothing, so the memory test must stop with MEM_VERIFY_INCOMPLETE; the GPU's
// identity comes through cuDeviceGetName / GetUuid_v2 / GetAttribute.
func TestFakeLibRun(t *testing.T) {
	lib := fakeCUDA(t)
	r := Run(context.Background(), Options{LibCUDA: lib, Duration: time.Second, MemFraction: 0.5})
	if r.Error != nil || len(r.GPUs) != 1 {
		t.Fatalf("report %+v", r)
	}
	g := r.GPUs[0]
	if g.Name != "Fake CUDA Library GPU" || g.UUID != "GPU-a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf" || g.PCIBusID != "0000:1b:00.0" {
		t.Errorf("identity %q %q %q", g.Name, g.UUID, g.PCIBusID)
	}
	if g.Error == nil || g.Error.Code != "MEM_VERIFY_INCOMPLETE" || ExitCode(r) != 1 {
		t.Errorf("error %v exit %d", g.Error, ExitCode(r))
	}
	if n := fakeLib.knobs.live(); n != 0 {
		t.Errorf("%d allocations or events still live", n)
	}
	if _, err := gpureport.Parse(mustMarshal(t, r)); err != nil {
		t.Error(err)
	}

	// The JIT's error log reaches the report through the option buffers.
	fakeCUDA(t)
	fakeLib.knobs.fail("cuModuleLoadDataEx", 218)
	r = Run(context.Background(), Options{LibCUDA: lib, Duration: time.Second, MemFraction: 0.5})
	if e := r.GPUs[0].Error; e == nil || e.Code != "CUDA_ERROR_INVALID_PTX" || !strings.Contains(e.Message, "JIT error log: ptxas application ptx input, line 1; fatal   : fake JIT failure") {
		t.Errorf("error %v", e)
	}
}

// passedGPU is a GPU's result after its own tests passed.
func passedGPU(i int) gpureport.GPU {
	return gpureport.GPU{Index: i, PCIBusID: fmt.Sprintf("0000:%02x:00.0", 0x1b+i),
		Memory: &gpureport.MemResult{BytesTested: 1, Passes: 1}, Compute: &gpureport.ComputeResult{Iterations: 1, Checked: 1}}
}

// fakeLibPeer runs the peer test over the fake library's GPUs (the knobs as set)
// and checks that everything it took was given back.
func fakeLibPeer(t *testing.T, tun tuning, gpus []gpureport.GPU) (*gpureport.PeerResult, string) {
	t.Helper()
	drv, rerr := openLibCUDA(fakeLib.path)
	if rerr != nil {
		t.Fatalf("openLibCUDA: %v", rerr)
	}
	if err := drv.Init(); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	p := &peerRun{drv: drv, tun: tun, log: newLogger(&log)}
	p.run(context.Background(), gpus)
	if n := fakeLib.knobs.live(); n != 0 {
		t.Errorf("%d allocations, events, peer accesses or contexts still live in the driver", n)
	}
	r := p.snapshot()
	if r == nil {
		t.Fatal("no peer result")
	}
	return r, log.String()
}

// TestFakeLibPeer: three GPUs, through the real purego calls: pairs with and
// without peer access, each at its own rate (the GB/s come out exact), a copy
// that fails after two (the pair has the driver's error, the other pairs are
// still measured), every copy made with peer access enabled.
func TestFakeLibPeer(t *testing.T) {
	fakeCUDA(t)
	k := &fakeLib.knobs
	k.set("devices", 3)
	k.peer(0, 1, 1, 100)
	k.peer(1, 0, 1, 40)
	k.peer(0, 2, 1, 50)
	k.fpeer(0, 2, 700, 2)
	k.peer(1, 2, 1, 0) // the fake's default, 50 GB/s
	k.peer(2, 1, 1, 12.5)
	tun := defaultTuning
	tun.copyBytes = 2 << 20
	tun.copyReps = 4
	r, log := fakeLibPeer(t, tun, []gpureport.GPU{passedGPU(0), passedGPU(1), passedGPU(2)})
	if r.Bytes != 2<<20 || r.Repetitions != 4 || r.Error != nil || len(r.Pairs) != 6 {
		t.Fatalf("peer result %+v", r)
	}
	want := []struct {
		src, dst int
		gbps     float64 // 0: not measured
		access   bool
	}{{0, 1, 100, true}, {0, 2, 0, true}, {1, 0, 40, true}, {1, 2, 50, true}, {2, 0, 0, false}, {2, 1, 12.5, true}}
	for i, w := range want {
		p := r.Pairs[i]
		if p.Src != w.src || p.Dst != w.dst || p.PeerAccess != w.access || p.SrcBusID != fmt.Sprintf("0000:%02x:00.0", 0x1b+w.src) {
			t.Errorf("pair %d: %+v, want %d to %d access %v", i, p, w.src, w.dst, w.access)
			continue
		}
		switch {
		case w.gbps > 0 && (p.Rate == nil || p.Error != nil || !near(p.Rate.BestGBps, w.gbps) || !near(p.Rate.MedianGBps, w.gbps)):
			t.Errorf("pair %d to %d: rate %+v error %v, want %.1f GB/s", w.src, w.dst, p.Rate, p.Error, w.gbps)
		case w.gbps == 0 && p.Rate != nil:
			t.Errorf("pair %d to %d measured: %+v", w.src, w.dst, p.Rate)
		}
	}
	if e := r.Pairs[1].Error; e == nil || e.Code != "CUDA_ERROR_ILLEGAL_ADDRESS" || !strings.Contains(e.Message, "cuMemcpyPeer: CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory access was encountered)") {
		t.Errorf("failed pair's error %v", e)
	}
	if p := r.Pairs[4]; p.NotMeasured != "no peer access" || p.Error != nil {
		t.Errorf("pair without access %+v", p)
	}
	if all, direct := k.peers(0), k.peers(1); all != 4*4+2 || direct != all {
		t.Errorf("%d peer copies, %d with peer access enabled; want 18, all", all, direct)
	}
	if got := r.Problems(); len(got) != 1 || !strings.Contains(got[0], "GPU 0 to GPU 2") {
		t.Errorf("problems %q", got)
	}
	if !strings.Contains(log, "peer copies: GPU 0 to GPU 1: 2097152 bytes x4, best 100.0 GB/s (median 100.0)") {
		t.Errorf("log:\n%s", log)
	}
}

// TestFakeLibPeerChecks: data that arrives changed is COPY_MISMATCH for the pair
// (the destination's buffer is restored for the pairs after it); a GPU that did
// not pass its own tests is left out; the whole of Run runs the peer test after
// the GPUs' own tests.
func TestFakeLibPeerChecks(t *testing.T) {
	fakeCUDA(t)
	k := &fakeLib.knobs
	k.set("devices", 2)
	k.peer(0, 1, 1, 0)
	k.peer(1, 0, 1, 0)
	k.corr(2)
	tun := defaultTuning
	tun.copyBytes = 1 << 20
	tun.copyReps = 2
	r, _ := fakeLibPeer(t, tun, []gpureport.GPU{passedGPU(0), passedGPU(1)})
	for _, p := range r.Pairs {
		if p.Error == nil || p.Error.Code != "COPY_MISMATCH" || !strings.Contains(p.Error.Message, "byte offset 0xffff8 of 1048576") {
			t.Errorf("pair %+v error %v", p, p.Error)
		}
	}

	fakeCUDA(t)
	k.set("devices", 2)
	k.peer(0, 1, 1, 0)
	failed := passedGPU(1)
	failed.Error = &gpureport.Error{Code: "CUDA_ERROR_ECC_UNCORRECTABLE", Message: "x"}
	r, _ = fakeLibPeer(t, tun, []gpureport.GPU{passedGPU(0), failed})
	if len(r.Pairs) != 2 || r.Pairs[0].NotMeasured != "GPU 1 did not pass its own tests" || r.Pairs[0].Rate != nil || len(r.Problems()) != 0 {
		t.Errorf("pairs %+v", r.Pairs)
	}

	// Run: the fake's kernels do nothing, so no GPU passes and no pair is measured.
	lib := fakeCUDA(t)
	k.set("devices", 2)
	k.peer(0, 1, 1, 0)
	rep := Run(context.Background(), Options{LibCUDA: lib, Duration: time.Second, MemFraction: 0.5})
	if len(rep.GPUs) != 2 || rep.PeerCopy == nil || len(rep.PeerCopy.Pairs) != 2 || rep.PeerCopy.Pairs[0].NotMeasured != "GPU 0 did not pass its own tests" {
		t.Errorf("report %+v peer %+v", rep, rep.PeerCopy)
	}
	if rep.GPUs[1].UUID != "GPU-a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeb0" || rep.GPUs[1].PCIBusID != "0000:1c:00.0" {
		t.Errorf("GPU 1 identity %q %q", rep.GPUs[1].UUID, rep.GPUs[1].PCIBusID)
	}
	if n := k.live(); n != 0 {
		t.Errorf("%d still live after Run", n)
	}
	if _, err := gpureport.Parse(mustMarshal(t, rep)); err != nil {
		t.Error(err)
	}
}
