package gpustress

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/beeaudit/bee/internal/gpureport"
)

// poison fills the output buffers before each launch (a NaN pattern no chain
// can end on and a nonzero diff), so a launch that did not write its results
// cannot pass on the previous launch's.
const poison = 0xFFFFFFFF

// maxLogged bounds the mismatch lines logged per launch.
const maxLogged = 8

// computeTest launches bee_fma over grid×block threads until deadline (at least
// once) and compares every thread's 8 results with ref, the CPU's values. The
// first launch runs one repetition; later ones as many as fit launchTarget.
// One "result" in the report is one chain's final value of one launch; a
// thread whose repetitions disagreed (diff != 0) but whose values matched
// counts as one wrong result.
func (k *kit) computeTest(ctx context.Context, fn handle, grid int, ref []uint32, deadline time.Time) error {
	g, w, tun := k.g, k.w, k.w.tun
	threads := grid * tun.block
	if tun.fmaSteps <= 0 || tun.fmaSteps%4 != 0 {
		return fmt.Errorf("compute test: %d steps per repetition; bee_fma needs a positive multiple of 4", tun.fmaSteps)
	}
	w.setStep("cuMemAlloc_v2 (compute buffers)")
	var bufs []devPtr
	defer func() {
		for _, p := range bufs {
			if err := g.Free(p); err != nil {
				w.printf("freeing memory: %v", err)
			}
		}
	}()
	alloc := func(n uint64) (devPtr, error) {
		p, err := g.Alloc(n)
		if err == nil {
			bufs = append(bufs, p)
		}
		return p, err
	}
	out, err := alloc(uint64(threads) * fmaChains * 4)
	if err != nil {
		return err
	}
	diff, err := alloc(uint64(threads) * 4)
	if err != nil {
		return err
	}
	seedBuf, err := alloc(4)
	if err != nil {
		return err
	}
	if err := g.CopyHtoD(seedBuf, binary.LittleEndian.AppendUint32(nil, fmaSeed)); err != nil {
		return err
	}
	hostOut := make([]byte, threads*fmaChains*4)
	hostDiff := make([]byte, threads*4)

	res := &gpureport.ComputeResult{}
	w.update(func(r *gpureport.GPU) { r.Compute = res })
	w.printf("compute test: %d threads × %d chains, %d FMA steps per repetition", threads, fmaChains, tun.fmaSteps)

	launch := func(reps int) error {
		w.setStep("bee_fma launch")
		if err := g.MemsetD32(out, poison, uint64(threads)*fmaChains); err != nil {
			return err
		}
		if err := g.MemsetD32(diff, poison, uint64(threads)); err != nil {
			return err
		}
		if err := g.Record(k.ev0); err != nil {
			return err
		}
		if err := g.Launch(fn, kernelFMA, grid, tun.block, []uint64{uint64(out), uint64(diff), uint64(seedBuf), uint64(tun.fmaSteps), uint64(reps)}); err != nil {
			return err
		}
		return g.Record(k.ev1)
	}
	reps := 1
	if err := launch(reps); err != nil {
		return err
	}
	var flops, kernelMS float64
	for n := 1; ; n++ {
		// The copy waits for the launch; the next launch then runs on the GPU
		// while the CPU checks this one's results.
		w.setStep("cuMemcpyDtoH_v2 (bee_fma results)")
		if err := g.CopyDtoH(hostOut, out); err != nil {
			return err
		}
		if err := g.CopyDtoH(hostDiff, diff); err != nil {
			return err
		}
		ms, err := g.ElapsedMS(k.ev0, k.ev1)
		if err != nil {
			return err
		}
		done := reps
		flops += float64(threads) * fmaChains * float64(tun.fmaSteps) * 2 * 2 * float64(done)
		kernelMS += float64(ms)
		// Size the next launches from the first few (clocks ramp up).
		if n <= 3 && ms > 0 {
			perRep := float64(ms) / float64(reps)
			reps = int(float64(tun.launchTarget.Milliseconds()) / perRep)
			reps = max(1, min(reps, tun.maxReps))
		}
		more := ctx.Err() == nil && time.Now().Before(deadline)
		if tun.fmaLaunches > 0 {
			more = ctx.Err() == nil && n < tun.fmaLaunches
		}
		if more {
			if err := launch(reps); err != nil {
				return err
			}
		}
		bad := k.checkFMA(n, hostOut, hostDiff, ref)
		w.update(func(r *gpureport.GPU) {
			r.Compute.Iterations++
			r.Compute.Checked += int64(threads) * fmaChains
			r.Compute.Errors += bad
			r.Compute.GFLOPS = rate(flops, kernelMS)
		})
		if bad > 0 || n == 1 || !more {
			w.printf("compute launch %d (%d reps, %.0f ms): %d wrong results, %.0f GFLOP/s so far",
				n, done, ms, bad, rate(flops, kernelMS))
		}
		if !more {
			return nil
		}
	}
}

// checkFMA compares one launch's results with the CPU's and returns the number
// of wrong results; it logs the first few.
func (k *kit) checkFMA(launch int, out, diff []byte, ref []uint32) int64 {
	var bad int64
	logged := 0
	for t := 0; t < len(diff)/4; t++ {
		wrong := 0
		for i := 0; i < fmaChains; i++ {
			got := binary.LittleEndian.Uint32(out[(t*fmaChains+i)*4:])
			want := ref[t*fmaChains+i]
			if got == want {
				continue
			}
			wrong++
			if logged < maxLogged {
				logged++
				k.w.printf("compute launch %d: thread %d chain %d: GPU %08x (%g), CPU %08x (%g), bits 0x%08x differ",
					launch, t, i, got, math.Float32frombits(got), want, math.Float32frombits(want), got^want)
			}
		}
		d := binary.LittleEndian.Uint32(diff[t*4:])
		if d != 0 {
			if wrong == 0 {
				wrong = 1
			}
			if logged < maxLogged {
				logged++
				k.w.printf("compute launch %d: thread %d: repetitions disagreed (bits 0x%08x)", launch, t, d)
			}
		}
		bad += int64(wrong)
	}
	return bad
}
