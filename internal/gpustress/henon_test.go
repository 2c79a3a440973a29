package gpustress

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// TestHenonStaysBounded: every value of every chain stays inside (-2, 2) for
// start values all over [-0.5, 0.5)² (a 129×129 grid) and for the first
// threads' real start values. (Checked once, off-line, for 310,000 threads —
// more than any current GPU runs at once — over 512 steps: max |z| = 1.7985.)
func TestHenonStaysBounded(t *testing.T) {
	check := func(p, z float32, what string) {
		for s := 0; s < defaultTuning.fmaSteps; s++ {
			n := fma32(z, z, fma32(p, henonB, henonC))
			p, z = z, n
			if !(math.Abs(float64(z)) < 1.9) {
				t.Fatalf("%s: step %d: z = %g", what, s, z)
			}
		}
	}
	const n = 128
	for i := 0; i <= n; i++ {
		for j := 0; j <= n; j++ {
			p, z := float32(i)/n-0.5, float32(j)/n-0.5
			check(p, z, fmt.Sprintf("start (%g, %g)", p, z))
		}
	}
	for th := uint32(0); th < 2000; th++ {
		for i := 0; i < fmaChains; i++ {
			p, z := chainStart(th, i, fmaSeed)
			if p < -0.5 || p >= 0.5 || z < -0.5 || z >= 0.5 {
				t.Fatalf("thread %d chain %d starts at (%g, %g), outside [-0.5, 0.5)²", th, i, p, z)
			}
			check(p, z, fmt.Sprintf("thread %d chain %d", th, i))
		}
	}
}

// TestHenonDetectsFlippedBits measures what the compute test is for: one bit
// flipped in one FMA result, anywhere in a 512-step chain, must change the
// chain's final value. The map is chaotic, so a difference that is not lost
// to rounding in the next step or two grows until it shows; what can be lost is
// a change that is tiny in absolute terms: a flip of one of the lowest mantissa
// bits (about 1 in 6 for bit 0, fewer for each higher bit), or any flip of a
// value that happens to be very close to zero (rare). The thresholds below are
// what this design guarantees (the trials are seeded, so the test is
// deterministic); the measured rates are logged.
func TestHenonDetectsFlippedBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const steps = 512
	trials := 1500
	if testing.Short() {
		trials = 300
	}
	var missed [32]int
	for bit := 0; bit < 32; bit++ {
		for n := 0; n < trials; n++ {
			p0, z0 := rng.Float32()-0.5, rng.Float32()-0.5
			at, which := rng.IntN(steps), rng.IntN(2) // step, and which of its two FMAs
			p, z := p0, z0
			for s := 0; s < steps; s++ {
				tt := fma32(p, henonB, henonC)
				if s == at && which == 0 {
					tt = math.Float32frombits(math.Float32bits(tt) ^ 1<<bit)
				}
				nz := fma32(z, z, tt)
				if s == at && which == 1 {
					nz = math.Float32frombits(math.Float32bits(nz) ^ 1<<bit)
				}
				p, z = z, nz
			}
			if math.Float32bits(z) == math.Float32bits(henonSteps(p0, z0, steps)) {
				missed[bit]++
			}
		}
	}
	total := 0
	var rates []string
	for bit, m := range missed {
		total += m
		rate := float64(m) / float64(trials)
		rates = append(rates, fmt.Sprintf("%d:%.3f", bit, rate))
		switch {
		case bit >= 12 && rate > 0.005:
			t.Errorf("a flip of bit %d went unnoticed %d times in %d", bit, m, trials)
		case bit < 12 && rate > 0.25:
			t.Errorf("a flip of bit %d went unnoticed in %.0f%% of trials", bit, 100*rate)
		}
	}
	overall := float64(total) / float64(32*trials)
	t.Logf("unnoticed single-bit flips by bit: %s; overall %.2f%%", strings.Join(rates, " "), 100*overall)
	if overall > 0.03 {
		t.Errorf("%.1f%% of single-bit flips unnoticed overall, want < 3%%", 100*overall)
	}
}

// TestFMAReferenceGolden pins the CPU reference for the first threads, so a
// change to the Go mirror (or to fma32) cannot go unnoticed; the kernel test
// ties the PTX to the same mirror.
func TestFMAReferenceGolden(t *testing.T) {
	ref, err := fmaReference(4, defaultTuning.fmaSteps, fmaSeed)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# fmaReference(threads=4, steps=%d, seed=%#x): out[8t+i] as float32 bits\n", defaultTuning.fmaSteps, fmaSeed)
	for th := 0; th < 4; th++ {
		for i := 0; i < fmaChains; i++ {
			v := ref[th*fmaChains+i]
			fmt.Fprintf(&b, "%d %d %08x %.9g\n", th, i, v, math.Float32frombits(v))
		}
	}
	golden := filepath.Join("testdata", "fma_reference.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("reference differs from %s (run with -update only if the change is intended):\n got:\n%s\nwant:\n%s", golden, got, want)
	}
}

// TestFMAReferenceParallelMatchesSerial: the multi-goroutine reference equals
// chain-by-chain evaluation, for a thread count that does not divide evenly.
func TestFMAReferenceParallelMatchesSerial(t *testing.T) {
	const threads, steps = 37, 64
	ref, err := fmaReference(threads, steps, 12345)
	if err != nil {
		t.Fatal(err)
	}
	for th := 0; th < threads; th++ {
		for i := 0; i < fmaChains; i++ {
			if want := math.Float32bits(chainFinal(uint32(th), i, 12345, steps)); ref[th*fmaChains+i] != want {
				t.Fatalf("thread %d chain %d: %08x, want %08x", th, i, ref[th*fmaChains+i], want)
			}
		}
	}
}

// TestLowbias32 pins the hash against values computed by hand from its
// definition (the PTX spells out the same operations).
func TestLowbias32(t *testing.T) {
	x := uint32(1)
	x ^= x >> 16
	x *= 0x7feb352d
	x ^= x >> 15
	x *= 0x846ca68b
	x ^= x >> 16
	if got := lowbias32(1); got != x {
		t.Errorf("lowbias32(1) = %08x, want %08x", got, x)
	}
	if lowbias32(0) != 0 {
		t.Errorf("lowbias32(0) = %08x, want 0 (xorshift-multiply keeps 0)", lowbias32(0))
	}
	// Bijective on a sample: no collisions among 1<<16 consecutive inputs.
	seen := map[uint32]bool{}
	for i := uint32(0); i < 1<<16; i++ {
		h := lowbias32(i)
		if seen[h] {
			t.Fatalf("collision at %d", i)
		}
		seen[h] = true
	}
}
