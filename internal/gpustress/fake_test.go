package gpustress

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"sync"
)

// fakeDriver is the driver interface over simulated GPUs: memory is Go slices,
// kernels are kernels.ptx run by the interpreter in ptxsim_test.go, time is a
// clock that each kernel launch advances. Faults are injected per GPU. Every
// call is checked (a call on a closed GPU, a launch with the wrong arguments,
// an unknown handle, an access outside an allocation are errors), so the
// orchestration is held to what the real driver would accept.
type fakeDriver struct {
	initErr  error
	countErr error
	gpus     []*fakeGPU

	// Peer copies: peer[[2]int{src, dst}] allows src to reach dst's memory;
	// peerGBps is the rate of such a copy (50 GB/s when not set);
	// peerErr[pair] fails that pair's peerErrAt-th copy (1-based; 0: the first).
	peer       map[[2]int]bool
	peerGBps   map[[2]int]float64
	peerErr    map[[2]int]error
	peerErrAt  int
	peerCopies map[[2]int]int
	canPeerErr error
	peerHang   chan struct{} // cuMemcpyPeer blocks until it is closed
	// current is the GPU whose context the peer test made current last.
	curMu   sync.Mutex
	current *fakeGPU
}

func (d *fakeDriver) CanAccessPeer(dev, peer int) (bool, error) {
	if dev < 0 || dev >= len(d.gpus) || peer < 0 || peer >= len(d.gpus) {
		return false, fakeErr("cuDeviceGet", 101)
	}
	if d.canPeerErr != nil {
		return false, d.canPeerErr
	}
	return d.peer[[2]int{dev, peer}], nil
}

func (d *fakeDriver) setCurrent(g *fakeGPU) {
	d.curMu.Lock()
	d.current = g
	d.curMu.Unlock()
}

func (d *fakeDriver) isCurrent(g *fakeGPU) bool {
	d.curMu.Lock()
	defer d.curMu.Unlock()
	return d.current == g
}

func (d *fakeDriver) Init() error { return d.initErr }

func (d *fakeDriver) Version() (int, error) { return 12040, nil }

func (d *fakeDriver) DeviceCount() (int, error) { return len(d.gpus), d.countErr }

func (d *fakeDriver) Device(i int) (deviceInfo, error) {
	if i < 0 || i >= len(d.gpus) {
		return deviceInfo{}, fakeErr("cuDeviceGet", 101)
	}
	return d.gpus[i].info, nil
}

func (d *fakeDriver) Open(i int) (gpu, error) {
	if i < 0 || i >= len(d.gpus) {
		return nil, fakeErr("cuDeviceGet", 101)
	}
	g := d.gpus[i]
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.openErr != nil {
		return nil, g.openErr
	}
	if g.open && !g.closed {
		return nil, fmt.Errorf("fake: GPU %d opened twice", i)
	}
	g.open, g.closed = true, false
	g.drv, g.ordinal = d, i
	g.opens++
	d.setCurrent(g)
	return g, nil
}

func fakeErr(call string, code int) *cudaError {
	return &cudaError{Call: call, Code: code, Name: cuResultName(code), Desc: "fake"}
}

type fakeGPU struct {
	info        deviceInfo
	free, total uint64
	maxAlloc    uint64 // larger allocations fail with OUT_OF_MEMORY (fragmentation)
	blocks      int    // MaxActiveBlocks answer

	// faults
	openErr    error
	jitErr     error
	stuck      map[uint64]uint64 // device address → bits stuck at 1
	fmaFlipAt  int               // 1-based index of the FMA (over the GPU's lifetime) whose result gets bit 20 flipped; 0: none
	syncErrAt  int               // the n-th Synchronize (1-based) fails with syncErr
	syncErr    error
	hang       chan struct{} // Synchronize blocks until it is closed
	skipKernel string        // launches of this kernel do nothing
	skipVerify bool          // bee_mem verify launches do nothing
	// host<->GPU copies: each copy advances the clock by its size at the rate
	// htodGBps[i % len] (the i-th host-to-device copy), likewise dtoh; nil: 25 GB/s.
	htodGBps, dtohGBps []float64
	hostAllocErr       error // cuMemHostAlloc fails with it
	copyErr            error // host-to-device copies of copyErrLen bytes fail with it
	copyErrLen         int
	corruptDtoH        int // device-to-host copies of this many bytes flip a bit of their last byte

	mu       sync.Mutex
	drv      *fakeDriver
	ordinal  int
	opens    int
	peersOn  map[*fakeGPU]bool // cuCtxEnablePeerAccess done, not undone
	open     bool
	closed   bool
	allocs   map[devPtr][]byte
	next     devPtr
	module   *ptxModule
	funcs    map[handle]*ptxEntry
	events   map[handle]float64
	clockMS  float64
	pending  error // asynchronous launch error, returned by the next synchronising call
	fmaCount int
	syncs    int
	launches map[string]int
	hostMem  map[*byte]int // live cuMemHostAlloc buffers
	htodN    int
	dtohN    int
}

func (g *fakeGPU) copyTime(n int, rates []float64, i int) {
	r := 25.0
	if len(rates) > 0 {
		r = rates[i%len(rates)]
	}
	g.clockMS += float64(n) / (r * 1e6)
}

func (g *fakeGPU) HostAlloc(n uint64) ([]byte, error) {
	if err := g.lock(); err != nil {
		return nil, err
	}
	defer g.mu.Unlock()
	if g.hostAllocErr != nil {
		return nil, g.hostAllocErr
	}
	if n == 0 {
		return nil, fakeErr("cuMemHostAlloc", 1)
	}
	b := make([]byte, n)
	if g.hostMem == nil {
		g.hostMem = map[*byte]int{}
	}
	g.hostMem[&b[0]] = len(b)
	return b, nil
}

func (g *fakeGPU) FreeHost(b []byte) error {
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	if len(b) == 0 || g.hostMem[&b[0]] != len(b) {
		return fakeErr("cuMemFreeHost", 1)
	}
	delete(g.hostMem, &b[0])
	return nil
}

func newFakeGPU(ordinal int, free uint64) *fakeGPU {
	return &fakeGPU{
		info: deviceInfo{Name: "Fake GPU", UUID: fmt.Sprintf("GPU-00000000-0000-0000-0000-%012x", ordinal),
			PCIDomain: 0, PCIBus: 0x17 + ordinal, PCIDevice: 0, SMs: 2, CCMajor: 9, CCMinor: 0, MaxThreadsPerSM: 2048},
		free: free, total: free + free/8, maxAlloc: math.MaxUint64, blocks: 2,
		allocs: map[devPtr][]byte{}, next: 0x7f00_0000_0000, funcs: map[handle]*ptxEntry{},
		events: map[handle]float64{}, launches: map[string]int{},
	}
}

func (g *fakeGPU) lock() error {
	g.mu.Lock()
	if !g.open || g.closed {
		g.mu.Unlock()
		return fmt.Errorf("fake: call on a GPU that is not open")
	}
	return nil
}

func (g *fakeGPU) MemInfo() (uint64, uint64, error) {
	if err := g.lock(); err != nil {
		return 0, 0, err
	}
	defer g.mu.Unlock()
	return g.free, g.total, nil
}

func (g *fakeGPU) Alloc(n uint64) (devPtr, error) {
	if err := g.lock(); err != nil {
		return 0, err
	}
	defer g.mu.Unlock()
	if n == 0 || n > g.free || n > g.maxAlloc {
		return 0, fakeErr("cuMemAlloc_v2", cudaErrorOutOfMemory)
	}
	p := g.next
	g.allocs[p] = make([]byte, n)
	g.next += devPtr((n + 0x1fffff) &^ 0x1fffff) // 2 MiB apart, like the real allocator's granularity
	g.free -= n
	return p, nil
}

func (g *fakeGPU) Free(p devPtr) error {
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	b, ok := g.allocs[p]
	if !ok {
		return fakeErr("cuMemFree_v2", 1)
	}
	g.free += uint64(len(b))
	delete(g.allocs, p)
	return nil
}

// at finds the bytes behind [addr, addr+n).
func (g *fakeGPU) at(addr uint64, n uint64) ([]byte, error) {
	for base, b := range g.allocs {
		if addr >= uint64(base) && addr+n <= uint64(base)+uint64(len(b)) {
			off := addr - uint64(base)
			return b[off : off+n], nil
		}
	}
	return nil, fakeErr("access", 700) // CUDA_ERROR_ILLEGAL_ADDRESS
}

func (g *fakeGPU) MemsetD32(p devPtr, v uint32, n uint64) error {
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	b, err := g.at(uint64(p), n*4)
	if err != nil {
		return err
	}
	for i := uint64(0); i < n; i++ {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return nil
}

func (g *fakeGPU) CopyHtoD(dst devPtr, src []byte) error {
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	b, err := g.at(uint64(dst), uint64(len(src)))
	if err != nil {
		return err
	}
	if g.copyErr != nil && len(src) == g.copyErrLen {
		return g.copyErr
	}
	copy(b, src)
	g.copyTime(len(src), g.htodGBps, g.htodN)
	g.htodN++
	return nil
}

func (g *fakeGPU) CopyDtoH(dst []byte, src devPtr) error {
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	if err := g.takePending(); err != nil {
		return err
	}
	b, err := g.at(uint64(src), uint64(len(dst)))
	if err != nil {
		return err
	}
	copy(dst, b)
	if g.corruptDtoH == len(dst) && len(dst) > 0 {
		dst[len(dst)-1] ^= 0x10
	}
	g.copyTime(len(dst), g.dtohGBps, g.dtohN)
	g.dtohN++
	return nil
}

func (g *fakeGPU) takePending() error {
	err := g.pending
	return err // sticky, like the real driver's launch failures
}

func (g *fakeGPU) LoadModule(ptx string) (handle, error) {
	if err := g.lock(); err != nil {
		return 0, err
	}
	defer g.mu.Unlock()
	if g.jitErr != nil {
		return 0, g.jitErr
	}
	m, err := parsePTX(ptx)
	if err != nil {
		e := fakeErr("cuModuleLoadDataEx", cudaErrorInvalidPTX)
		e.Desc += "; JIT error log: " + err.Error()
		return 0, e
	}
	g.module = m
	return 1, nil
}

func (g *fakeGPU) Function(mod handle, name string) (handle, error) {
	if err := g.lock(); err != nil {
		return 0, err
	}
	defer g.mu.Unlock()
	if mod != 1 || g.module == nil {
		return 0, fakeErr("cuModuleGetFunction", 400)
	}
	e := g.module.entries[name]
	if e == nil {
		return 0, fakeErr("cuModuleGetFunction", 500)
	}
	h := handle(100 + len(g.funcs))
	g.funcs[h] = e
	return h, nil
}

func (g *fakeGPU) MaxActiveBlocks(fn handle, block int) (int, error) {
	if err := g.lock(); err != nil {
		return 0, err
	}
	defer g.mu.Unlock()
	if g.funcs[fn] == nil || block <= 0 {
		return 0, fakeErr("cuOccupancyMaxActiveBlocksPerMultiprocessor", 1)
	}
	return g.blocks, nil
}

// fakeMem is the interpreter's view of the GPU's memory, with stuck bits.
type fakeMem struct{ g *fakeGPU }

func (m fakeMem) load(addr uint64, size int) (uint64, error) {
	b, err := m.g.at(addr, uint64(size))
	if err != nil {
		return 0, err
	}
	if size == 4 {
		return uint64(binary.LittleEndian.Uint32(b)), nil
	}
	return binary.LittleEndian.Uint64(b), nil
}

func (m fakeMem) store(addr uint64, size int, v uint64) error {
	b, err := m.g.at(addr, uint64(size))
	if err != nil {
		return err
	}
	v |= m.g.stuck[addr]
	if size == 4 {
		binary.LittleEndian.PutUint32(b, uint32(v))
	} else {
		binary.LittleEndian.PutUint64(b, v)
	}
	return nil
}

func (g *fakeGPU) Launch(fn handle, k kernel, grid, block int, args []uint64) error {
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	if err := k.checkArgs(args); err != nil {
		return err
	}
	e := g.funcs[fn]
	if e == nil || e.name != k.name {
		return fakeErr("cuLaunchKernel", 400)
	}
	if grid <= 0 || block <= 0 || block > 1024 {
		return fakeErr("cuLaunchKernel", 1)
	}
	g.launches[k.name]++
	if g.pending != nil {
		return g.pending
	}
	if k.name == g.skipKernel || (g.skipVerify && k.name == kernelMem.name && args[4] != 0) {
		return nil
	}
	fma := func(a, b, c float32) float32 {
		g.fmaCount++
		r := fma32(a, b, c)
		if g.fmaCount == g.fmaFlipAt {
			r = math.Float32frombits(math.Float32bits(r) ^ 1<<20)
		}
		return r
	}
	if err := e.launch(uint32(grid), uint32(block), args, fakeMem{g}, fma); err != nil {
		g.pending = fakeErr("cuCtxSynchronize", 700) // the kernel faulted: reported asynchronously
		g.pending.(*cudaError).Desc = err.Error()
	}
	if k.name == kernelFMA.name {
		g.clockMS += float64(args[4]) // one millisecond per repetition
	} else {
		g.clockMS += 1
	}
	return nil
}

func (g *fakeGPU) Synchronize() error {
	if err := g.lock(); err != nil {
		return err
	}
	g.syncs++
	hang, n := g.hang, g.syncs
	g.mu.Unlock()
	if hang != nil {
		<-hang
		return fakeErr("cuCtxSynchronize", 999)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if n == g.syncErrAt {
		g.pending = g.syncErr
	}
	return g.takePending()
}

func (g *fakeGPU) NewEvent() (handle, error) {
	if err := g.lock(); err != nil {
		return 0, err
	}
	defer g.mu.Unlock()
	h := handle(1000 + len(g.events))
	g.events[h] = -1
	return h, nil
}

func (g *fakeGPU) Record(ev handle) error {
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	if _, ok := g.events[ev]; !ok {
		return fakeErr("cuEventRecord", 400)
	}
	g.events[ev] = g.clockMS
	return nil
}

func (g *fakeGPU) ElapsedMS(a, b handle) (float32, error) {
	if err := g.lock(); err != nil {
		return 0, err
	}
	defer g.mu.Unlock()
	ta, oka := g.events[a]
	tb, okb := g.events[b]
	if !oka || !okb || ta < 0 || tb < 0 {
		return 0, fakeErr("cuEventElapsedTime", 400)
	}
	return float32(tb - ta), nil
}

func (g *fakeGPU) Close() error {
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	g.closed = true
	if len(g.hostMem) != 0 {
		return fmt.Errorf("fake: closed with %d pinned host buffers still live", len(g.hostMem))
	}
	if len(g.allocs) != 0 {
		var ptrs []string
		for p, b := range g.allocs {
			ptrs = append(ptrs, fmt.Sprintf("0x%x (%d bytes)", uint64(p), len(b)))
		}
		sort.Strings(ptrs)
		return fmt.Errorf("fake: closed with allocations still live: %v", ptrs)
	}
	return nil
}

func (g *fakeGPU) MakeCurrent() error {
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	g.drv.setCurrent(g)
	return nil
}

// peerCall checks a peer call: both GPUs open, g current.
func (g *fakeGPU) peerCall(call string, peer gpu) (*fakeGPU, error) {
	p, ok := peer.(*fakeGPU)
	if !ok || p == g {
		return nil, fakeErr(call, 1)
	}
	if !g.drv.isCurrent(g) {
		return nil, fmt.Errorf("fake: %s on GPU %d while another context is current", call, g.ordinal)
	}
	if !g.drv.peer[[2]int{g.ordinal, p.ordinal}] {
		return nil, fakeErr(call, 217) // CUDA_ERROR_PEER_ACCESS_UNSUPPORTED
	}
	return p, nil
}

func (g *fakeGPU) EnablePeer(peer gpu) error {
	p, err := g.peerCall("cuCtxEnablePeerAccess", peer)
	if err != nil {
		return err
	}
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	if g.peersOn == nil {
		g.peersOn = map[*fakeGPU]bool{}
	}
	g.peersOn[p] = true
	return nil
}

func (g *fakeGPU) DisablePeer(peer gpu) error {
	p, err := g.peerCall("cuCtxDisablePeerAccess", peer)
	if err != nil {
		return err
	}
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	if !g.peersOn[p] {
		return fakeErr("cuCtxDisablePeerAccess", 705) // CUDA_ERROR_PEER_ACCESS_NOT_ENABLED
	}
	delete(g.peersOn, p)
	return nil
}

func (g *fakeGPU) CopyPeer(peer gpu, dst, src devPtr, n uint64) error {
	p, err := g.peerCall("cuMemcpyPeer", peer)
	if err != nil {
		return err
	}
	pair := [2]int{g.ordinal, p.ordinal}
	d := g.drv
	if d.peerHang != nil {
		<-d.peerHang
		return fakeErr("cuMemcpyPeer", 999)
	}
	if d.peerCopies == nil {
		d.peerCopies = map[[2]int]int{}
	}
	d.peerCopies[pair]++
	if e := d.peerErr[pair]; e != nil && d.peerCopies[pair] >= max(d.peerErrAt, 1) {
		return e
	}
	if err := g.lock(); err != nil {
		return err
	}
	if !g.peersOn[p] {
		g.mu.Unlock()
		return fmt.Errorf("fake: cuMemcpyPeer from GPU %d to GPU %d without peer access enabled", g.ordinal, p.ordinal)
	}
	from, err := g.at(uint64(src), n)
	if err != nil {
		g.mu.Unlock()
		return err
	}
	data := append([]byte(nil), from...)
	r := d.peerGBps[pair]
	if r == 0 {
		r = 50
	}
	g.clockMS += float64(n) / (r * 1e6)
	g.mu.Unlock()
	if err := p.lock(); err != nil {
		return err
	}
	defer p.mu.Unlock()
	to, err := p.at(uint64(dst), n)
	if err != nil {
		return err
	}
	copy(to, data)
	return nil
}

// leaked reports allocations left after the run (the worker must free all).
func (g *fakeGPU) leaked() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.allocs)
}
