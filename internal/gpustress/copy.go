package gpustress

import (
	"context"
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/beeaudit/bee/internal/gpureport"
)

// copyTest measures the host<->GPU copy bandwidth: synchronous copies between
// page-locked host memory (cuMemHostAlloc) and one device buffer, tun.copyReps
// times host to device, then as many times device to host, each copy between
// two CUDA events on the default stream (cuMemcpyHtoD/DtoH from pinned memory
// return when the copy is done, and the events bracket exactly it). The size
// is tun.copyBytes (256 MiB: a copy of that size runs for milliseconds, long
// enough that the start-up cost of a DMA is lost in it) or an eighth of the
// free memory if that is less.
//
// The data is checked too: the host buffer holds a pattern that depends on
// each word's offset, is cleared between the two directions, and must come
// back unchanged (COPY_MISMATCH otherwise).
//
// Pinned memory that cannot be had (the host is short of memory, or a limit
// on locked memory) is not the GPU's fault: the result then carries the error
// and the GPU goes on to the other tests. A copy that fails is a driver error
// of the GPU.
func (k *kit) copyTest(ctx context.Context) error {
	g, w, tun := k.g, k.w, k.w.tun
	w.setStep("host<->GPU copy: cuMemGetInfo_v2")
	free, _, err := g.MemInfo()
	if err != nil {
		return err
	}
	size := min(tun.copyBytes, free/8/tun.memAlign*tun.memAlign)
	res := &gpureport.CopyResult{Bytes: int64(size), Repetitions: tun.copyReps}
	w.update(func(r *gpureport.GPU) { r.HostCopy = res })
	skip := func(err error) error {
		w.update(func(r *gpureport.GPU) { r.HostCopy.Error = reportError(err) })
		w.printf("host<->GPU copy not measured: %v", err)
		return nil
	}
	if size == 0 {
		return skip(&cudaError{Call: "cuMemGetInfo_v2", Code: cudaErrorOutOfMemory, Name: cuResultName(cudaErrorOutOfMemory),
			Desc: fmt.Sprintf("%d bytes free: too little for a copy", free)})
	}
	w.setStep("host<->GPU copy: cuMemHostAlloc")
	host, err := g.HostAlloc(size)
	if err != nil {
		return skip(err)
	}
	defer func() {
		if err := g.FreeHost(host); err != nil {
			w.printf("freeing pinned host memory: %v", err)
		}
	}()
	w.setStep("host<->GPU copy: cuMemAlloc_v2")
	dev, err := g.Alloc(size)
	if err != nil {
		return err
	}
	defer func() {
		if err := g.Free(dev); err != nil {
			w.printf("freeing memory: %v", err)
		}
	}()
	fillCopyPattern(host)

	timed := func(dir string, copy func() error) (*gpureport.CopyRate, error) {
		rates := make([]float64, 0, tun.copyReps)
		for i := 0; i < tun.copyReps; i++ {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			w.setStep(fmt.Sprintf("host<->GPU copy: %s %d of %d", dir, i+1, tun.copyReps))
			if err := g.Record(k.ev0); err != nil {
				return nil, err
			}
			if err := copy(); err != nil {
				return nil, err
			}
			if err := g.Record(k.ev1); err != nil {
				return nil, err
			}
			if err := g.Synchronize(); err != nil {
				return nil, err
			}
			ms, err := g.ElapsedMS(k.ev0, k.ev1)
			if err != nil {
				return nil, err
			}
			rates = append(rates, rate(float64(size), float64(ms)))
		}
		return copyRate(rates), nil
	}
	htod, err := timed("HtoD", func() error { return g.CopyHtoD(dev, host) })
	if err != nil {
		return err
	}
	w.update(func(r *gpureport.GPU) { r.HostCopy.HtoD = htod })
	clear(host)
	dtoh, err := timed("DtoH", func() error { return g.CopyDtoH(host, dev) })
	if err != nil {
		return err
	}
	w.update(func(r *gpureport.GPU) { r.HostCopy.DtoH = dtoh })
	w.printf("host<->GPU copy of %d bytes x%d: HtoD best %.1f GB/s (median %.1f), DtoH best %.1f GB/s (median %.1f)",
		size, tun.copyReps, htod.BestGBps, htod.MedianGBps, dtoh.BestGBps, dtoh.MedianGBps)
	if off, ok := checkCopyPattern(host); !ok {
		return &faultError{code: "COPY_MISMATCH", msg: fmt.Sprintf(
			"host<->GPU copy: the data copied to the GPU and back differs first at byte offset 0x%x of %d", off, size)}
	}
	return nil
}

// copyRate is the best and the median of the rates (the mean of the middle two
// for an even count). Rates of 0 (no time measured) count as measured.
func copyRate(rates []float64) *gpureport.CopyRate {
	if len(rates) == 0 {
		return nil
	}
	s := append([]float64(nil), rates...)
	sort.Float64s(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return &gpureport.CopyRate{BestGBps: s[n-1], MedianGBps: med}
}

// The copy pattern: each 8-byte word holds its offset mixed by SplitMix64's
// finaliser, so a word copied to the wrong place shows as well as a flipped bit.
func copyWord(off uint64) uint64 { return splitmix64(off ^ 0xb5ad4eceda1ce2a9) }

func fillCopyPattern(b []byte) {
	for off := 0; off+8 <= len(b); off += 8 {
		binary.LittleEndian.PutUint64(b[off:], copyWord(uint64(off)))
	}
}

func checkCopyPattern(b []byte) (uint64, bool) {
	for off := 0; off+8 <= len(b); off += 8 {
		if binary.LittleEndian.Uint64(b[off:]) != copyWord(uint64(off)) {
			return uint64(off), false
		}
	}
	return 0, true
}
