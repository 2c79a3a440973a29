package gpustress

import (
	"fmt"
	"math"
	"runtime"
	"sync"
)

// Go mirror of the bee_fma kernel (kernels.ptx). Any change here must be made
// there too; kernels_test.go runs the PTX through an interpreter and compares.

const (
	henonB = float32(0.3)  // 0x3E99999A in the PTX
	henonC = float32(-1.4) // 0xBFB33333 in the PTX

	// fmaChains is the number of independent chains per GPU thread.
	fmaChains = 8
	// fmaSeed is the value in the seed buffer. Fixed, so runs are reproducible
	// and the golden test pins the reference values.
	fmaSeed = uint32(0x5EED_BEE1)
)

// lowbias32 is Chris Wellons' 32-bit integer hash (hash-prospector), used to
// derive start values from the thread index.
func lowbias32(x uint32) uint32 {
	x ^= x >> 16
	x *= 0x7feb352d
	x ^= x >> 15
	x *= 0x846ca68b
	x ^= x >> 16
	return x
}

// startValue is start value j (0..15) of GPU thread t: a float in [-0.5, 0.5)
// from 23 hashed bits. The subtraction is exact (Sterbenz).
func startValue(t uint32, j int, seed uint32) float32 {
	h := lowbias32((t*16 + uint32(j)) ^ seed)
	return math.Float32frombits(0x3F800000|h>>9) - 1.5
}

// chainStart returns chain i's (z_{-1}, z_0).
func chainStart(t uint32, i int, seed uint32) (p, z float32) {
	return startValue(t, 2*i, seed), startValue(t, 2*i+1, seed)
}

// fmaReference computes the bits of every chain's final value for threads
// 0..threads-1, in out[8t+i] order, on all CPUs. It fails if a value is not
// finite or leaves the map's bounded region, which would mean the constants were
// changed into a regime that proves nothing (not a GPU fault).
func fmaReference(threads, steps int, seed uint32) ([]uint32, error) {
	ref := make([]uint32, threads*fmaChains)
	workers := runtime.GOMAXPROCS(0)
	per := (threads + workers - 1) / workers
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < workers; w++ {
		lo, hi := w*per, min((w+1)*per, threads)
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := lo; t < hi; t++ {
				// Run the 8 chains side by side: they are independent, and the
				// CPU overlaps them much as the GPU does.
				var p, z [fmaChains]float32
				for i := range p {
					p[i], z[i] = chainStart(uint32(t), i, seed)
				}
				for s := 0; s < steps; s++ {
					for i := range p {
						n := fma32(z[i], z[i], fma32(p[i], henonB, henonC))
						p[i], z[i] = z[i], n
					}
				}
				for i, v := range z {
					if !(math.Abs(float64(v)) < 2) { // also catches NaN
						mu.Lock()
						if firstErr == nil {
							firstErr = fmt.Errorf("fma reference: thread %d chain %d ended at %g, outside (-2, 2)", t, i, v)
						}
						mu.Unlock()
					}
					ref[t*fmaChains+i] = math.Float32bits(v)
				}
			}
		}()
	}
	wg.Wait()
	return ref, firstErr
}
