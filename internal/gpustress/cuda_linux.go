//go:build linux

package gpustress

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/beeaudit/bee/internal/gpureport"
	"github.com/ebitengine/purego"
)

// The CUDA driver API over libcuda.so.1, loaded at run time with purego (no cgo).
// Signatures from cuda.h; CUresult, CUdevice and enums are C int (int32),
// CUdeviceptr and size_t are 64-bit, handles are pointers (uintptr). The
// versioned symbols are the ones cuda.h's macros select (cuMemAlloc →
// cuMemAlloc_v2 and so on).

// CUdevice_attribute values (cuda.h).
const (
	attrMaxThreadsPerSM = 39 // CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR
	attrSMCount         = 16 // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
	attrPCIBusID        = 33 // CU_DEVICE_ATTRIBUTE_PCI_BUS_ID
	attrPCIDeviceID     = 34 // CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID
	attrPCIDomainID     = 50 // CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID
	attrCCMajor         = 75 // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
	attrCCMinor         = 76 // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR
)

// CU_CTX_SCHED_BLOCKING_SYNC (CUctx_flags, cuda.h).
const ctxSchedBlockingSync = 0x04

// CUjit_option values (cuda.h).
const (
	jitInfoLogBuffer          = 3 // CU_JIT_INFO_LOG_BUFFER
	jitInfoLogBufferSizeBytes = 4 // CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES
	jitErrorLogBuffer         = 5 // CU_JIT_ERROR_LOG_BUFFER
	jitErrorLogBufferSize     = 6 // CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES
)

type cudaLib struct {
	cuInit                     func(flags uint32) int32
	cuDriverGetVersion         func(v *int32) int32
	cuDeviceGetCount           func(n *int32) int32
	cuDeviceGet                func(dev *int32, ordinal int32) int32
	cuDeviceGetName            func(name *byte, n int32, dev int32) int32
	cuDeviceGetUuid            func(uuid *[16]byte, dev int32) int32
	cuDeviceGetAttribute       func(v *int32, attr int32, dev int32) int32
	cuDevicePrimaryCtxSetFlags func(dev int32, flags uint32) int32 // optional
	cuDevicePrimaryCtxRetain   func(ctx *uintptr, dev int32) int32
	cuDevicePrimaryCtxRelease  func(dev int32) int32
	cuCtxSetCurrent            func(ctx uintptr) int32
	cuCtxSynchronize           func() int32
	cuMemGetInfo               func(free, total *uint64) int32
	cuMemAlloc                 func(p *uint64, n uint64) int32
	cuMemFree                  func(p uint64) int32
	cuMemsetD32                func(p uint64, v uint32, n uint64) int32
	cuMemcpyHtoD               func(dst uint64, src unsafe.Pointer, n uint64) int32
	cuMemcpyDtoH               func(dst unsafe.Pointer, src uint64, n uint64) int32
	cuMemHostAlloc             func(p *unsafe.Pointer, n uint64, flags uint32) int32
	cuMemFreeHost              func(p unsafe.Pointer) int32
	cuModuleLoadDataEx         func(mod *uintptr, image unsafe.Pointer, n uint32, opts unsafe.Pointer, vals unsafe.Pointer) int32
	cuModuleUnload             func(mod uintptr) int32
	cuModuleGetFunction        func(fn *uintptr, mod uintptr, name string) int32
	cuOccupancyMaxActive       func(n *int32, fn uintptr, block int32, smem uint64) int32
	cuLaunchKernel             func(f uintptr, gx, gy, gz, bx, by, bz, smem uint32, stream uintptr, params, extra unsafe.Pointer) int32
	cuEventCreate              func(ev *uintptr, flags uint32) int32
	cuEventRecord              func(ev uintptr, stream uintptr) int32
	cuEventElapsedTime         func(ms *float32, start, end uintptr) int32
	cuEventDestroy             func(ev uintptr) int32
	cuDeviceCanAccessPeer      func(can *int32, dev, peer int32) int32
	cuCtxEnablePeerAccess      func(peer uintptr, flags uint32) int32
	cuCtxDisablePeerAccess     func(peer uintptr) int32
	cuMemcpyPeer               func(dst uint64, dstCtx uintptr, src uint64, srcCtx uintptr, n uint64) int32
	cuGetErrorName             func(code int32, s **byte) int32
	cuGetErrorString           func(code int32, s **byte) int32
}

// openLibCUDA loads the driver library and every function bee uses. A missing
// library is LIBCUDA_NOT_FOUND, a missing function (a driver too old, or not
// libcuda at all) LIBCUDA_SYMBOL_NOT_FOUND.
func openLibCUDA(path string) (driver, *gpureport.Error) {
	// dlerror's message is per OS thread: stay on one between dlopen and it.
	runtime.LockOSThread()
	lib, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	runtime.UnlockOSThread()
	if err != nil {
		return nil, &gpureport.Error{Code: gpureport.CodeLibCUDANotFound,
			Message: fmt.Sprintf("cannot load %s (the NVIDIA driver's user-space library): %v", path, err)}
	}
	c := &cudaLib{}
	syms := []struct {
		fptr  any
		names []string // first found wins
	}{
		{&c.cuInit, []string{"cuInit"}},
		{&c.cuDriverGetVersion, []string{"cuDriverGetVersion"}},
		{&c.cuDeviceGetCount, []string{"cuDeviceGetCount"}},
		{&c.cuDeviceGet, []string{"cuDeviceGet"}},
		{&c.cuDeviceGetName, []string{"cuDeviceGetName"}},
		{&c.cuDeviceGetUuid, []string{"cuDeviceGetUuid_v2", "cuDeviceGetUuid"}},
		{&c.cuDeviceGetAttribute, []string{"cuDeviceGetAttribute"}},
		{&c.cuDevicePrimaryCtxRetain, []string{"cuDevicePrimaryCtxRetain"}},
		{&c.cuDevicePrimaryCtxRelease, []string{"cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease"}},
		{&c.cuCtxSetCurrent, []string{"cuCtxSetCurrent"}},
		{&c.cuCtxSynchronize, []string{"cuCtxSynchronize"}},
		{&c.cuMemGetInfo, []string{"cuMemGetInfo_v2"}},
		{&c.cuMemAlloc, []string{"cuMemAlloc_v2"}},
		{&c.cuMemFree, []string{"cuMemFree_v2"}},
		{&c.cuMemsetD32, []string{"cuMemsetD32_v2"}},
		{&c.cuMemcpyHtoD, []string{"cuMemcpyHtoD_v2"}},
		{&c.cuMemcpyDtoH, []string{"cuMemcpyDtoH_v2"}},
		{&c.cuMemHostAlloc, []string{"cuMemHostAlloc"}},
		{&c.cuMemFreeHost, []string{"cuMemFreeHost"}},
		{&c.cuModuleLoadDataEx, []string{"cuModuleLoadDataEx"}},
		{&c.cuModuleUnload, []string{"cuModuleUnload"}},
		{&c.cuModuleGetFunction, []string{"cuModuleGetFunction"}},
		{&c.cuOccupancyMaxActive, []string{"cuOccupancyMaxActiveBlocksPerMultiprocessor"}},
		{&c.cuLaunchKernel, []string{"cuLaunchKernel"}},
		{&c.cuEventCreate, []string{"cuEventCreate"}},
		{&c.cuEventRecord, []string{"cuEventRecord"}},
		{&c.cuEventElapsedTime, []string{"cuEventElapsedTime"}},
		{&c.cuEventDestroy, []string{"cuEventDestroy_v2", "cuEventDestroy"}},
		{&c.cuDeviceCanAccessPeer, []string{"cuDeviceCanAccessPeer"}},
		{&c.cuCtxEnablePeerAccess, []string{"cuCtxEnablePeerAccess"}},
		{&c.cuCtxDisablePeerAccess, []string{"cuCtxDisablePeerAccess"}},
		{&c.cuMemcpyPeer, []string{"cuMemcpyPeer"}},
		{&c.cuGetErrorName, []string{"cuGetErrorName"}},
		{&c.cuGetErrorString, []string{"cuGetErrorString"}},
	}
	// Optional: blocking synchronisation, so host threads waiting on the GPUs
	// sleep instead of spinning and leave the CPUs to the reference
	// computation and the result checks.
	if a, err := purego.Dlsym(lib, "cuDevicePrimaryCtxSetFlags_v2"); err == nil && a != 0 {
		purego.RegisterFunc(&c.cuDevicePrimaryCtxSetFlags, a)
	}
	for _, s := range syms {
		var addr uintptr
		for _, n := range s.names {
			if a, err := purego.Dlsym(lib, n); err == nil && a != 0 {
				addr = a
				break
			}
		}
		if addr == 0 {
			return nil, &gpureport.Error{Code: gpureport.CodeSymbolNotFound,
				Message: fmt.Sprintf("%s has no %s: not the CUDA driver library, or a driver too old", path, s.names[0])}
		}
		purego.RegisterFunc(s.fptr, addr)
	}
	return c, nil
}

// cString copies a NUL-terminated C string.
func cString(p *byte) string {
	if p == nil {
		return ""
	}
	var b []byte
	for i := 0; i < 4096; i++ {
		c := *(*byte)(unsafe.Add(unsafe.Pointer(p), i))
		if c == 0 {
			break
		}
		b = append(b, c)
	}
	return string(b)
}

// check turns a CUresult into nil or a *cudaError named by the driver.
func (c *cudaLib) check(call string, r int32) error {
	if r == 0 {
		return nil
	}
	e := &cudaError{Call: call, Code: int(r), Name: cuResultName(int(r))}
	var s *byte
	if c.cuGetErrorName(r, &s) == 0 && s != nil {
		e.Name = cString(s)
	}
	s = nil
	if c.cuGetErrorString(r, &s) == 0 && s != nil {
		e.Desc = cString(s)
	}
	return e
}

func (c *cudaLib) Init() error { return c.check("cuInit", c.cuInit(0)) }

func (c *cudaLib) Version() (int, error) {
	var v int32
	err := c.check("cuDriverGetVersion", c.cuDriverGetVersion(&v))
	return int(v), err
}

func (c *cudaLib) DeviceCount() (int, error) {
	var n int32
	err := c.check("cuDeviceGetCount", c.cuDeviceGetCount(&n))
	return int(n), err
}

func (c *cudaLib) device(i int) (int32, error) {
	var d int32
	return d, c.check("cuDeviceGet", c.cuDeviceGet(&d, int32(i)))
}

func (c *cudaLib) Device(i int) (deviceInfo, error) {
	var info deviceInfo
	d, err := c.device(i)
	if err != nil {
		return info, err
	}
	var name [256]byte
	if err := c.check("cuDeviceGetName", c.cuDeviceGetName(&name[0], int32(len(name)), d)); err != nil {
		return info, err
	}
	info.Name = cString(&name[0])
	var u [16]byte
	if err := c.check("cuDeviceGetUuid", c.cuDeviceGetUuid(&u, d)); err != nil {
		return info, err
	}
	info.UUID = formatUUID(u)
	for _, a := range []struct {
		attr int32
		dst  *int
	}{
		{attrSMCount, &info.SMs}, {attrPCIBusID, &info.PCIBus}, {attrPCIDeviceID, &info.PCIDevice},
		{attrPCIDomainID, &info.PCIDomain}, {attrCCMajor, &info.CCMajor}, {attrCCMinor, &info.CCMinor},
		{attrMaxThreadsPerSM, &info.MaxThreadsPerSM},
	} {
		var v int32
		if err := c.check("cuDeviceGetAttribute", c.cuDeviceGetAttribute(&v, a.attr, d)); err != nil {
			return info, err
		}
		*a.dst = int(v)
	}
	return info, nil
}

func (c *cudaLib) Open(i int) (gpu, error) {
	d, err := c.device(i)
	if err != nil {
		return nil, err
	}
	if c.cuDevicePrimaryCtxSetFlags != nil {
		c.cuDevicePrimaryCtxSetFlags(d, ctxSchedBlockingSync) // best effort: a spinning wait works too
	}
	var ctx uintptr
	if err := c.check("cuDevicePrimaryCtxRetain", c.cuDevicePrimaryCtxRetain(&ctx, d)); err != nil {
		return nil, err
	}
	if err := c.check("cuCtxSetCurrent", c.cuCtxSetCurrent(ctx)); err != nil {
		c.cuDevicePrimaryCtxRelease(d)
		return nil, err
	}
	return &cudaGPU{c: c, dev: d, ctx: ctx}, nil
}

func (c *cudaLib) CanAccessPeer(dev, peer int) (bool, error) {
	d, err := c.device(dev)
	if err != nil {
		return false, err
	}
	p, err := c.device(peer)
	if err != nil {
		return false, err
	}
	var can int32
	err = c.check("cuDeviceCanAccessPeer", c.cuDeviceCanAccessPeer(&can, d, p))
	return can != 0, err
}

type cudaGPU struct {
	c       *cudaLib
	dev     int32
	ctx     uintptr // the primary context
	modules []uintptr
	events  []uintptr
}

func (g *cudaGPU) MemInfo() (free, total uint64, err error) {
	err = g.c.check("cuMemGetInfo_v2", g.c.cuMemGetInfo(&free, &total))
	return free, total, err
}

func (g *cudaGPU) Alloc(n uint64) (devPtr, error) {
	var p uint64
	err := g.c.check("cuMemAlloc_v2", g.c.cuMemAlloc(&p, n))
	return devPtr(p), err
}

func (g *cudaGPU) Free(p devPtr) error {
	return g.c.check("cuMemFree_v2", g.c.cuMemFree(uint64(p)))
}

func (g *cudaGPU) MemsetD32(p devPtr, v uint32, n uint64) error {
	return g.c.check("cuMemsetD32_v2", g.c.cuMemsetD32(uint64(p), v, n))
}

func (g *cudaGPU) CopyHtoD(dst devPtr, src []byte) error {
	r := g.c.cuMemcpyHtoD(uint64(dst), unsafe.Pointer(&src[0]), uint64(len(src)))
	runtime.KeepAlive(src)
	return g.c.check("cuMemcpyHtoD_v2", r)
}

func (g *cudaGPU) CopyDtoH(dst []byte, src devPtr) error {
	r := g.c.cuMemcpyDtoH(unsafe.Pointer(&dst[0]), uint64(src), uint64(len(dst)))
	runtime.KeepAlive(dst)
	return g.c.check("cuMemcpyDtoH_v2", r)
}

// HostAlloc is cuMemHostAlloc with no flags: page-locked memory, portable to
// this context only, which is all a copy from this thread needs.
func (g *cudaGPU) HostAlloc(n uint64) ([]byte, error) {
	if n == 0 {
		return nil, &cudaError{Call: "cuMemHostAlloc", Code: 1, Name: cuResultName(1), Desc: "0 bytes asked for"}
	}
	var p unsafe.Pointer
	if err := g.c.check("cuMemHostAlloc", g.c.cuMemHostAlloc(&p, n, 0)); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, &cudaError{Call: "cuMemHostAlloc", Code: 999, Name: cuResultName(999), Desc: "success with a NULL pointer"}
	}
	// C memory: the garbage collector neither scans nor moves it.
	return unsafe.Slice((*byte)(p), n), nil
}

func (g *cudaGPU) FreeHost(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return g.c.check("cuMemFreeHost", g.c.cuMemFreeHost(unsafe.Pointer(&b[0])))
}

func (g *cudaGPU) LoadModule(ptx string) (handle, error) {
	image := append([]byte(ptx), 0)
	infoLog := make([]byte, 16<<10)
	errLog := make([]byte, 16<<10)
	// The option values are void*: the log buffers' addresses, and the sizes
	// as the pointer's value (the driver writes back how much it filled). The
	// buffers are only reachable through those uintptrs, so they are pinned:
	// that also keeps them off the goroutine stack, which may move.
	var pin runtime.Pinner
	defer pin.Unpin()
	pin.Pin(&infoLog[0])
	pin.Pin(&errLog[0])
	opts := []int32{jitInfoLogBuffer, jitInfoLogBufferSizeBytes, jitErrorLogBuffer, jitErrorLogBufferSize}
	vals := []uintptr{
		uintptr(unsafe.Pointer(&infoLog[0])), uintptr(len(infoLog)),
		uintptr(unsafe.Pointer(&errLog[0])), uintptr(len(errLog)),
	}
	var mod uintptr
	r := g.c.cuModuleLoadDataEx(&mod, unsafe.Pointer(&image[0]), uint32(len(opts)),
		unsafe.Pointer(&opts[0]), unsafe.Pointer(&vals[0]))
	runtime.KeepAlive(image)
	runtime.KeepAlive(opts)
	runtime.KeepAlive(vals)
	if err := g.c.check("cuModuleLoadDataEx", r); err != nil {
		ce := err.(*cudaError)
		if log := cLogString(errLog, vals[3]); log != "" {
			ce.Desc += "; JIT error log: " + log
		} else if log := cLogString(infoLog, vals[1]); log != "" {
			ce.Desc += "; JIT log: " + log
		}
		return 0, ce
	}
	g.modules = append(g.modules, mod)
	return handle(mod), nil
}

// cLogString is the text the driver wrote into a JIT log buffer (n bytes, per
// the size it wrote back; the text stops at the first NUL either way).
func cLogString(buf []byte, n uintptr) string {
	if n > uintptr(len(buf)) {
		n = uintptr(len(buf))
	}
	b := buf[:n]
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	return string(b)
}

func (g *cudaGPU) Function(mod handle, name string) (handle, error) {
	var f uintptr
	err := g.c.check("cuModuleGetFunction("+name+")", g.c.cuModuleGetFunction(&f, uintptr(mod), name))
	return handle(f), err
}

func (g *cudaGPU) MaxActiveBlocks(fn handle, block int) (int, error) {
	var n int32
	err := g.c.check("cuOccupancyMaxActiveBlocksPerMultiprocessor", g.c.cuOccupancyMaxActive(&n, uintptr(fn), int32(block), 0))
	return int(n), err
}

func (g *cudaGPU) Launch(fn handle, k kernel, grid, block int, args []uint64) error {
	if err := k.checkArgs(args); err != nil {
		return err
	}
	// kernelParams is an array of pointers to each argument's value; the driver
	// reads each parameter's size from there (little-endian, so a u32
	// parameter is the low half of its 8-byte slot) during the call. Both
	// arrays are pinned: C memory may hold pinned Go pointers, and pinning
	// keeps them off the goroutine stack.
	var pin runtime.Pinner
	defer pin.Unpin()
	vals := make([]uint64, len(args))
	copy(vals, args)
	ptrs := make([]unsafe.Pointer, len(vals))
	pin.Pin(&vals[0])
	pin.Pin(&ptrs[0])
	for i := range vals {
		ptrs[i] = unsafe.Pointer(&vals[i])
	}
	r := g.c.cuLaunchKernel(uintptr(fn), uint32(grid), 1, 1, uint32(block), 1, 1, 0, 0, unsafe.Pointer(&ptrs[0]), nil)
	return g.c.check("cuLaunchKernel("+k.name+")", r)
}

func (g *cudaGPU) MakeCurrent() error {
	return g.c.check("cuCtxSetCurrent", g.c.cuCtxSetCurrent(g.ctx))
}

func (g *cudaGPU) EnablePeer(peer gpu) error {
	p, ok := peer.(*cudaGPU)
	if !ok {
		return fmt.Errorf("EnablePeer: %T is not a GPU of this driver", peer)
	}
	r := g.c.cuCtxEnablePeerAccess(p.ctx, 0)
	if r == cudaErrorPeerAccessAlreadyEnabled {
		return nil
	}
	return g.c.check("cuCtxEnablePeerAccess", r)
}

func (g *cudaGPU) DisablePeer(peer gpu) error {
	p, ok := peer.(*cudaGPU)
	if !ok {
		return fmt.Errorf("DisablePeer: %T is not a GPU of this driver", peer)
	}
	return g.c.check("cuCtxDisablePeerAccess", g.c.cuCtxDisablePeerAccess(p.ctx))
}

func (g *cudaGPU) CopyPeer(peer gpu, dst, src devPtr, n uint64) error {
	p, ok := peer.(*cudaGPU)
	if !ok {
		return fmt.Errorf("CopyPeer: %T is not a GPU of this driver", peer)
	}
	return g.c.check("cuMemcpyPeer", g.c.cuMemcpyPeer(uint64(dst), p.ctx, uint64(src), g.ctx, n))
}

func (g *cudaGPU) Synchronize() error {
	return g.c.check("cuCtxSynchronize", g.c.cuCtxSynchronize())
}

func (g *cudaGPU) NewEvent() (handle, error) {
	var ev uintptr
	if err := g.c.check("cuEventCreate", g.c.cuEventCreate(&ev, 0)); err != nil {
		return 0, err
	}
	g.events = append(g.events, ev)
	return handle(ev), nil
}

func (g *cudaGPU) Record(ev handle) error {
	return g.c.check("cuEventRecord", g.c.cuEventRecord(uintptr(ev), 0))
}

func (g *cudaGPU) ElapsedMS(start, end handle) (float32, error) {
	var ms float32
	err := g.c.check("cuEventElapsedTime", g.c.cuEventElapsedTime(&ms, uintptr(start), uintptr(end)))
	return ms, err
}

func (g *cudaGPU) Close() error {
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	for _, ev := range g.events {
		keep(g.c.check("cuEventDestroy_v2", g.c.cuEventDestroy(ev)))
	}
	for _, m := range g.modules {
		keep(g.c.check("cuModuleUnload", g.c.cuModuleUnload(m)))
	}
	keep(g.c.check("cuDevicePrimaryCtxRelease_v2", g.c.cuDevicePrimaryCtxRelease(g.dev)))
	return first
}
