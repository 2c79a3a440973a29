package gpustress

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/beeaudit/bee/internal/gpureport"
)

type memChunk struct {
	ptr    devPtr
	size   uint64
	offset uint64 // where it starts in the tested buffer as reported
}

// memTest covers MemFraction of the free memory with bee_mem patterns, pass
// after pass (a pass writes every chunk, then verifies every chunk, so the data
// sits in DRAM meanwhile) until deadline; at least one pass. Mismatches are
// counted by the kernel; the result goes into the worker's report as it
// grows. The returned error is a driver failure, not a mismatch.
func (k *kit) memTest(ctx context.Context, fn handle, grid int, deadline time.Time) error {
	g, w, tun := k.g, k.w, k.w.tun
	w.setStep("cuMemGetInfo_v2")
	free, total, err := g.MemInfo()
	if err != nil {
		return err
	}
	target := uint64(float64(free)*w.opts.MemFraction) / tun.memAlign * tun.memAlign
	if target == 0 {
		return &cudaError{Call: "cuMemGetInfo_v2", Code: cudaErrorOutOfMemory, Name: cuResultName(cudaErrorOutOfMemory),
			Desc: fmt.Sprintf("%d bytes free of %d: nothing left to test", free, total)}
	}

	// The error records first, for as many chunks as there can be, so that a
	// --mem-fraction of 1 does not leave them without room.
	w.setStep("cuMemAlloc_v2")
	maxChunks := target/tun.memMinChunk + 2
	errs, err := g.Alloc(maxChunks * memErrRecord)
	if err != nil {
		return err
	}
	defer func() {
		if err := g.Free(errs); err != nil {
			w.printf("freeing memory: %v", err)
		}
	}()

	// Allocate the target in chunks; when memory is too fragmented for a chunk,
	// halve it, down to memMinChunk, then settle for what was obtained.
	var chunks []memChunk
	defer func() {
		for _, c := range chunks {
			if err := g.Free(c.ptr); err != nil {
				w.printf("freeing memory: %v", err)
			}
		}
	}()
	var got uint64
	size := min(tun.memChunk, target)
	for got < target {
		s := min(size, target-got)
		p, err := g.Alloc(s)
		var ce *cudaError
		if errors.As(err, &ce) && ce.Code == cudaErrorOutOfMemory {
			if half := size / 2 / tun.memAlign * tun.memAlign; half >= tun.memMinChunk {
				size = half
				continue
			}
			break
		}
		if err != nil {
			return err
		}
		chunks = append(chunks, memChunk{ptr: p, size: s, offset: got})
		got += s
	}
	if len(chunks) == 0 {
		return &cudaError{Call: "cuMemAlloc_v2", Code: cudaErrorOutOfMemory, Name: cuResultName(cudaErrorOutOfMemory),
			Desc: fmt.Sprintf("not even %d bytes could be allocated (%d free)", tun.memMinChunk, free)}
	}
	if got < target {
		w.printf("memory test: allocated %d of the %d bytes wanted (memory fragmented)", got, target)
	}
	rec := make([]byte, len(chunks)*memErrRecord)

	res := &gpureport.MemResult{BytesTested: int64(got)}
	w.update(func(r *gpureport.GPU) { r.Memory = res })
	w.printf("memory test: %d bytes (%.1f%% of %d free, %d total) in %d chunks", got, 100*float64(got)/float64(free), free, total, len(chunks))

	var movedBytes, kernelMS float64
	for pass := 0; ; pass++ {
		mode := uint32(pass % len(memModes))
		seed := passSeed(pass)
		for i := range chunks {
			initErrRecord(rec[i*memErrRecord:])
		}
		w.setStep(fmt.Sprintf("memory pass %d (%s)", pass+1, memModes[mode]))
		if err := g.CopyHtoD(errs, rec); err != nil {
			return err
		}
		if err := g.Record(k.ev0); err != nil {
			return err
		}
		for verify := uint64(0); verify <= 1; verify++ {
			for i, c := range chunks {
				args := []uint64{uint64(c.ptr), c.size / 8, seed, uint64(mode), verify, uint64(errs) + uint64(i*memErrRecord)}
				if err := g.Launch(fn, kernelMem, grid, tun.block, args); err != nil {
					return err
				}
			}
		}
		if err := g.Record(k.ev1); err != nil {
			return err
		}
		if err := g.Synchronize(); err != nil {
			return err
		}
		ms, err := g.ElapsedMS(k.ev0, k.ev1)
		if err != nil {
			return err
		}
		if err := g.CopyDtoH(rec, errs); err != nil {
			return err
		}
		var passErrs uint64
		var bits uint64
		for i, c := range chunks {
			r := readErrRecord(rec[i*memErrRecord:])
			if r.verified != c.size/8 {
				return &faultError{code: "MEM_VERIFY_INCOMPLETE", msg: fmt.Sprintf(
					"memory pass %d: chunk %d: the verify kernel read %d words of %d; the GPU did not run it as launched",
					pass+1, i, r.verified, c.size/8)}
			}
			if r.count == 0 {
				continue
			}
			passErrs += r.count
			bits |= r.bits
			// The lowest failing address as an offset in the tested buffer. An
			// address outside the chunk means the error record itself was
			// corrupted; report the chunk's start then.
			off, hi := c.offset, c.offset+c.size-8
			if r.lowest >= uint64(c.ptr) && r.lowest <= r.highest && r.highest < uint64(c.ptr)+c.size {
				off += r.lowest - uint64(c.ptr)
				hi = c.offset + (r.highest - uint64(c.ptr))
			} else {
				w.printf("memory pass %d: chunk %d: inconsistent error record %+v", pass+1, i, r)
			}
			w.update(func(g *gpureport.GPU) {
				if g.Memory.FirstErrorAddr == nil || off < *g.Memory.FirstErrorAddr {
					g.Memory.FirstErrorAddr = &off
				}
			})
			w.printf("memory pass %d (%s): %d mismatched words in chunk %d, offsets 0x%x..0x%x (device 0x%x..0x%x), flipped bits 0x%016x",
				pass+1, memModes[mode], r.count, i, off, hi, r.lowest, r.highest, r.bits)
		}
		movedBytes += 2 * float64(got)
		kernelMS += float64(ms)
		w.update(func(g *gpureport.GPU) {
			g.Memory.Passes++
			g.Memory.Errors += int64(passErrs)
			g.Memory.GBps = rate(movedBytes, kernelMS)
		})
		last := ctx.Err() != nil || !time.Now().Before(deadline)
		if tun.memPasses > 0 {
			last = ctx.Err() != nil || pass+1 >= tun.memPasses
		}
		switch {
		case passErrs > 0:
			w.printf("memory pass %d (%s): %d errors (bits 0x%016x), %.1f GB/s", pass+1, memModes[mode], passErrs, bits, rate(2*float64(got), float64(ms)))
		case pass == 0 || last:
			w.printf("memory pass %d (%s): 0 errors, %.1f GB/s", pass+1, memModes[mode], rate(2*float64(got), float64(ms)))
		}
		if last {
			return nil
		}
	}
}

// errRecord is one bee_mem error record (see kernels.ptx).
type errRecord struct{ count, lowest, highest, bits, verified uint64 }

func initErrRecord(b []byte) {
	binary.LittleEndian.PutUint64(b[0:], 0)
	binary.LittleEndian.PutUint64(b[8:], math.MaxUint64)
	binary.LittleEndian.PutUint64(b[16:], 0)
	binary.LittleEndian.PutUint64(b[24:], 0)
	binary.LittleEndian.PutUint64(b[32:], 0)
}

func readErrRecord(b []byte) errRecord {
	return errRecord{
		binary.LittleEndian.Uint64(b[0:]), binary.LittleEndian.Uint64(b[8:]),
		binary.LittleEndian.Uint64(b[16:]), binary.LittleEndian.Uint64(b[24:]),
		binary.LittleEndian.Uint64(b[32:]),
	}
}

// rate is units per nanosecond, i.e. 10^9 units per second (GB/s, GFLOP/s),
// of n units done in ms milliseconds; 0 when no time was measured (JSON has no
// infinity).
func rate(n, ms float64) float64 {
	if !(ms > 0) {
		return 0
	}
	return n / ms / 1e6
}
