//go:build linux

package gpustress

import (
	"context"
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
