package gpustress

// The CUDA driver API as the stress test uses it. cuda_linux.go implements it
// over libcuda.so.1 with purego; the tests implement it over simulated memory and
// the PTX interpreter. Errors from the driver are *cudaError.

type driver interface {
	// Init is cuInit(0).
	Init() error
	// Version is cuDriverGetVersion, e.g. 12040.
	Version() (int, error)
	// DeviceCount is cuDeviceGetCount.
	DeviceCount() (int, error)
	// Device describes device ordinal i (cuDeviceGet, cuDeviceGetName,
	// cuDeviceGetUuid(_v2), cuDeviceGetAttribute).
	Device(i int) (deviceInfo, error)
	// Open retains device i's primary context and makes it current on the
	// calling OS thread (cuDevicePrimaryCtxRetain + cuCtxSetCurrent); every
	// call on the returned gpu must come from that thread.
	Open(i int) (gpu, error)
	// CanAccessPeer is cuDeviceCanAccessPeer: whether device dev can reach
	// device peer's memory directly (NVLink or PCIe peer-to-peer).
	CanAccessPeer(dev, peer int) (bool, error)
}

type deviceInfo struct {
	Name              string
	UUID              string // "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
	PCIDomain, PCIBus int
	PCIDevice         int
	SMs               int // multiprocessors
	CCMajor, CCMinor  int // compute capability
	MaxThreadsPerSM   int
}

// devPtr is a CUdeviceptr.
type devPtr uint64

// handle is an opaque CUmodule, CUfunction or CUevent.
type handle uintptr

type gpu interface {
	MemInfo() (free, total uint64, err error)     // cuMemGetInfo_v2
	Alloc(bytes uint64) (devPtr, error)           // cuMemAlloc_v2
	Free(p devPtr) error                          // cuMemFree_v2
	MemsetD32(p devPtr, v uint32, n uint64) error // cuMemsetD32_v2
	CopyHtoD(dst devPtr, src []byte) error        // cuMemcpyHtoD_v2
	CopyDtoH(dst []byte, src devPtr) error        // cuMemcpyDtoH_v2
	// HostAlloc allocates page-locked host memory the GPU can reach by DMA
	// (cuMemHostAlloc); FreeHost releases it (cuMemFreeHost). The slice is not
	// Go memory: it must not be used after FreeHost.
	HostAlloc(bytes uint64) ([]byte, error)
	FreeHost(b []byte) error
	// LoadModule JIT-compiles PTX (cuModuleLoadDataEx); a failure carries the
	// JIT's error log.
	LoadModule(ptx string) (handle, error)
	Function(mod handle, name string) (handle, error)      // cuModuleGetFunction
	MaxActiveBlocks(fn handle, blockSize int) (int, error) // cuOccupancyMaxActiveBlocksPerMultiprocessor
	// Launch is cuLaunchKernel on the default stream, 1-D grid and block, no
	// shared memory; args[i] is parameter i (size from the kernel signature).
	Launch(fn handle, k kernel, grid, block int, args []uint64) error
	Synchronize() error                           // cuCtxSynchronize
	NewEvent() (handle, error)                    // cuEventCreate
	Record(ev handle) error                       // cuEventRecord on the default stream
	ElapsedMS(start, end handle) (float32, error) // cuEventElapsedTime
	// MakeCurrent makes this GPU's context current on the calling OS thread
	// (cuCtxSetCurrent): the peer test holds several GPUs on one thread.
	MakeCurrent() error
	// EnablePeer lets this context (current) reach peer's memory
	// (cuCtxEnablePeerAccess; already enabled is no error); DisablePeer undoes it
	// (cuCtxDisablePeerAccess).
	EnablePeer(peer gpu) error
	DisablePeer(peer gpu) error
	// CopyPeer copies n bytes from src in this GPU's memory to dst in peer's
	// (cuMemcpyPeer; this context current).
	CopyPeer(peer gpu, dst, src devPtr, n uint64) error
	// Close unloads modules, destroys events and releases the primary
	// context. Allocations must have been freed.
	Close() error
}
