package gpustress

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/beeaudit/bee/internal/gpureport"
)

// peerRun measures the GPU-to-GPU (peer) copy bandwidth after every GPU's own
// tests: for every ordered pair of GPUs that passed them, whether the driver
// allows peer access (cuDeviceCanAccessPeer); where it does, access is enabled
// (cuCtxEnablePeerAccess, from the source's context to the destination's) and
// tun.copyReps synchronous copies from the source's memory to the
// destination's (cuMemcpyPeer) are each timed between two CUDA events on the
// source's default stream. The size is tun.copyBytes or an eighth of the
// smallest free memory if that is less.
//
// Every GPU's buffer holds the copy pattern (copy.go); the destination's is
// cleared before a pair's copies and read back after them, so a copy that did
// not happen or arrived changed is COPY_MISMATCH for that pair. A pair that
// fails (a driver error, a mismatch) is recorded with its error and the other
// pairs are still measured. Pairs without peer access are recorded as such:
// not a failure (PCIe systems often have none).
//
// All GPUs are held on one locked OS thread, their contexts made current in
// turn. run reads the result through snapshot, also while the test is stuck
// in a driver call.
type peerRun struct {
	drv driver
	tun tuning
	log *logger

	mu      sync.Mutex
	started bool
	done    bool
	step    string
	res     gpureport.PeerResult
}

// peerGPU is one GPU as the peer test holds it.
type peerGPU struct {
	ordinal  int
	busID    string
	skip     string // why its pairs are not measured (no fault of the peer test)
	err      error  // opening it for the peer test failed
	g        gpu
	buf      devPtr
	ev0, ev1 handle
}

func (p *peerRun) printf(format string, args ...any) {
	p.log.printf("peer copies: "+format, args...)
}

func (p *peerRun) setStep(s string) {
	p.mu.Lock()
	p.step = s
	p.mu.Unlock()
}

func (p *peerRun) addPair(pr gpureport.PeerPair) {
	p.mu.Lock()
	p.res.Pairs = append(p.res.Pairs, pr)
	p.mu.Unlock()
}

// snapshot is the result so far: nil when the test never started; a test
// still running is reported as hung (TIMEOUT, naming what it was doing).
func (p *peerRun) snapshot() *gpureport.PeerResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.started {
		return nil
	}
	r := p.res
	r.Pairs = append([]gpureport.PeerPair{}, p.res.Pairs...)
	if !p.done && r.Error == nil {
		r.Error = &gpureport.Error{Code: gpureport.CodeTimeout, Message: "no answer from the driver; the peer test was in: " + p.step}
	}
	return &r
}

// run tests the pairs among gpus (the GPUs' results after their own tests).
func (p *peerRun) run(ctx context.Context, gpus []gpureport.GPU) {
	p.mu.Lock()
	p.started = true
	p.res = gpureport.PeerResult{Repetitions: p.tun.copyReps, Pairs: []gpureport.PeerPair{}}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.done = true
		p.mu.Unlock()
	}()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	hs := make([]*peerGPU, len(gpus))
	for i, r := range gpus {
		h := &peerGPU{ordinal: r.Index, busID: r.PCIBusID}
		if len(r.Problems()) > 0 {
			h.skip = fmt.Sprintf("GPU %d did not pass its own tests", r.Index)
		}
		hs[i] = h
	}
	size := p.open(hs)
	defer p.close(hs)
	p.mu.Lock()
	p.res.Bytes = int64(size)
	p.mu.Unlock()
	var host []byte
	if size > 0 {
		host = make([]byte, size)
		p.setup(hs, host)
	}

	for _, src := range hs {
		for _, dst := range hs {
			if src == dst {
				continue
			}
			if err := ctx.Err(); err != nil {
				p.mu.Lock()
				p.res.Error = &gpureport.Error{Code: "INTERRUPTED", Message: "interrupted before every pair was measured"}
				p.mu.Unlock()
				return
			}
			p.addPair(p.pair(ctx, src, dst, host))
		}
	}
}

// open retains every GPU that passed, and returns the copy size (0 when no two
// GPUs could be opened).
func (p *peerRun) open(hs []*peerGPU) uint64 {
	size := p.tun.copyBytes
	opened := 0
	for _, h := range hs {
		if h.skip != "" {
			continue
		}
		p.setStep(fmt.Sprintf("opening GPU %d (cuDevicePrimaryCtxRetain)", h.ordinal))
		g, err := p.drv.Open(h.ordinal)
		if err != nil {
			h.err = err
			p.printf("GPU %d: %v", h.ordinal, err)
			continue
		}
		h.g = g
		free, _, err := g.MemInfo()
		if err != nil {
			h.err = err
			continue
		}
		size = min(size, free/8/p.tun.memAlign*p.tun.memAlign)
		opened++
	}
	if opened < 2 {
		return 0
	}
	return size
}

// setup gives every opened GPU a buffer holding the copy pattern and two events.
func (p *peerRun) setup(hs []*peerGPU, host []byte) {
	fillCopyPattern(host)
	for _, h := range hs {
		if h.g == nil || h.err != nil {
			continue
		}
		p.setStep(fmt.Sprintf("GPU %d: buffer and events", h.ordinal))
		err := h.g.MakeCurrent()
		if err == nil {
			h.buf, err = h.g.Alloc(uint64(len(host)))
		}
		if err == nil {
			err = h.g.CopyHtoD(h.buf, host)
		}
		if err == nil {
			h.ev0, err = h.g.NewEvent()
		}
		if err == nil {
			h.ev1, err = h.g.NewEvent()
		}
		if err != nil {
			h.err = err
			p.printf("GPU %d: %v", h.ordinal, err)
		}
	}
}

// close frees the buffers and releases the contexts.
func (p *peerRun) close(hs []*peerGPU) {
	for _, h := range hs {
		if h.g == nil {
			continue
		}
		if err := h.g.MakeCurrent(); err != nil {
			p.printf("GPU %d: %v", h.ordinal, err)
		}
		if h.buf != 0 {
			if err := h.g.Free(h.buf); err != nil {
				p.printf("GPU %d: freeing memory: %v", h.ordinal, err)
			}
		}
		if err := h.g.Close(); err != nil {
			p.printf("GPU %d: releasing the context: %v", h.ordinal, err)
		}
	}
}

// pair measures copies from src's memory to dst's.
func (p *peerRun) pair(ctx context.Context, src, dst *peerGPU, host []byte) gpureport.PeerPair {
	pr := gpureport.PeerPair{Src: src.ordinal, Dst: dst.ordinal, SrcBusID: src.busID, DstBusID: dst.busID}
	name := fmt.Sprintf("GPU %d to GPU %d", src.ordinal, dst.ordinal)
	for _, h := range []*peerGPU{src, dst} {
		if h.skip != "" {
			pr.NotMeasured = h.skip
			return pr
		}
	}
	for _, h := range []*peerGPU{src, dst} {
		if h.err != nil {
			pr.Error = reportError(fmt.Errorf("GPU %d could not be set up for the peer copies: %w", h.ordinal, h.err))
			return pr
		}
	}
	if len(host) == 0 {
		pr.Error = reportError(&cudaError{Call: "cuMemGetInfo_v2", Code: cudaErrorOutOfMemory, Name: cuResultName(cudaErrorOutOfMemory),
			Desc: "too little free memory for a peer copy"})
		return pr
	}
	p.setStep(name + ": cuDeviceCanAccessPeer")
	can, err := p.drv.CanAccessPeer(src.ordinal, dst.ordinal)
	if err != nil {
		pr.Error = reportError(err)
		return pr
	}
	pr.PeerAccess = can
	if !can {
		pr.NotMeasured = "no peer access"
		p.printf("%s: no peer access", name)
		return pr
	}
	fail := func(err error) gpureport.PeerPair {
		pr.Error = reportError(err)
		p.printf("%s: %s", name, pr.Error)
		return pr
	}
	// Clear the destination, so that copies that do not arrive show.
	p.setStep(name + ": clearing the destination")
	if err := dst.g.MakeCurrent(); err != nil {
		return fail(err)
	}
	if err := dst.g.MemsetD32(dst.buf, 0, uint64(len(host))/4); err != nil {
		return fail(err)
	}
	if err := src.g.MakeCurrent(); err != nil {
		return fail(err)
	}
	p.setStep(name + ": cuCtxEnablePeerAccess")
	if err := src.g.EnablePeer(dst.g); err != nil {
		return fail(err)
	}
	defer func() {
		if err := src.g.MakeCurrent(); err == nil {
			err = src.g.DisablePeer(dst.g)
			if err != nil {
				p.printf("%s: %v", name, err)
			}
		}
	}()
	rates := make([]float64, 0, p.tun.copyReps)
	for i := 0; i < p.tun.copyReps; i++ {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		p.setStep(fmt.Sprintf("%s: copy %d of %d", name, i+1, p.tun.copyReps))
		g := src.g
		if err := g.Record(src.ev0); err != nil {
			return fail(err)
		}
		if err := g.CopyPeer(dst.g, dst.buf, src.buf, uint64(len(host))); err != nil {
			return fail(err)
		}
		if err := g.Record(src.ev1); err != nil {
			return fail(err)
		}
		if err := g.Synchronize(); err != nil {
			return fail(err)
		}
		ms, err := g.ElapsedMS(src.ev0, src.ev1)
		if err != nil {
			return fail(err)
		}
		rates = append(rates, rate(float64(len(host)), float64(ms)))
	}
	pr.Rate = copyRate(rates)
	p.printf("%s: %d bytes x%d, best %.1f GB/s (median %.1f)", name, len(host), p.tun.copyReps, pr.Rate.BestGBps, pr.Rate.MedianGBps)
	// Read the destination back: it must hold the pattern again.
	p.setStep(name + ": checking the data")
	if err := dst.g.MakeCurrent(); err != nil {
		return fail(err)
	}
	if err := dst.g.CopyDtoH(host, dst.buf); err != nil {
		return fail(err)
	}
	if off, ok := checkCopyPattern(host); !ok {
		pr.Error = &gpureport.Error{Code: "COPY_MISMATCH", Message: fmt.Sprintf(
			"peer copies %s: the data differs first at byte offset 0x%x of %d", name, off, len(host))}
		p.printf("%s", pr.Error)
		// Restore the pattern: this buffer is the source of later pairs.
		fillCopyPattern(host)
		if err := dst.g.CopyHtoD(dst.buf, host); err != nil {
			dst.err = err
			p.printf("GPU %d: restoring its buffer: %v", dst.ordinal, err)
		}
	}
	if err := src.g.MakeCurrent(); err != nil && pr.Error == nil {
		return fail(err)
	}
	return pr
}
