package gpustress

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// exactFMA32 is the slow, obviously correct reference: a*b+c computed exactly
// with math/big and rounded once to 24 bits, nearest-even. Valid while the
// result is a normal float32 (math/big has no subnormals), which the callers
// ensure.
func exactFMA32(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(200).SetFloat64(float64(a))
	y := new(big.Float).SetPrec(200).SetFloat64(float64(b))
	z := new(big.Float).SetPrec(200).SetFloat64(float64(c))
	x.Mul(x, y).Add(x, z) // exact at 200 bits for float32 inputs of nearby exponents
	f, _ := x.Float32()   // rounds to nearest even
	return f
}

func naiveFMA32(a, b, c float32) float32 {
	return float32(math.FMA(float64(a), float64(b), float64(c)))
}

// TestFMA32DoubleRounding pins the case the doc comment of fma32 describes:
// a = (1-2^-18)·2^-24, b = 1+2^-18, c = 1+2^-23, so a*b+c = 1 + 2^-23 + 2^-24 - 2^-60.
// That lies just below the float32 halfway point 1+3·2^-24, so the right answer
// is 1+2^-23. Rounded to float64 first it becomes exactly the halfway point, and
// the tie then goes to the even neighbour 1+2^-22: one ulp off.
func TestFMA32DoubleRounding(t *testing.T) {
	a := float32(math.Ldexp(1-math.Ldexp(1, -18), -24))
	b := float32(1 + math.Ldexp(1, -18))
	c := float32(1 + math.Ldexp(1, -23))
	want := float32(1 + math.Ldexp(1, -23))
	if got := exactFMA32(a, b, c); got != want {
		t.Fatalf("big.Float reference = %x, want %x", math.Float32bits(got), math.Float32bits(want))
	}
	if got := naiveFMA32(a, b, c); got == want {
		t.Fatalf("naive double-rounded FMA gave the right answer; the test inputs do not exercise double rounding")
	}
	if got := fma32(a, b, c); got != want {
		t.Errorf("fma32 = %x, want %x", math.Float32bits(got), math.Float32bits(want))
	}
	// The same with signs flipped (the bug is symmetric).
	if got := fma32(-a, b, -c); got != -want {
		t.Errorf("fma32(-a, b, -c) = %x, want %x", math.Float32bits(got), math.Float32bits(-want))
	}
}

// TestFMA32Random compares fma32 with the exact reference on random inputs and
// on inputs built to sit near float32 halfway points, where double rounding bites.
func TestFMA32Random(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 200000
	if testing.Short() {
		n = 20000
	}
	randF := func(minExp, maxExp int) float32 {
		m := 1 + rng.Float64()
		if rng.IntN(2) == 0 {
			m = -m
		}
		return float32(math.Ldexp(m, minExp+rng.IntN(maxExp-minExp+1)))
	}
	naiveWrong := 0
	for i := 0; i < n; i++ {
		var a, b, c float32
		if i%2 == 0 {
			a, b, c = randF(-30, 30), randF(-30, 30), randF(-60, 60)
		} else {
			// c just beside a midpoint of the product's neighbourhood: make
			// a*b tiny relative to c so the sum's low bits come from a*b.
			c = randF(-2, 2)
			a = randF(-40, -20)
			b = randF(-8, 8)
			// snap a*b so that c + a*b is close to c's float32 halfway point
			half := float32(math.Ldexp(1, math.Ilogb(float64(c))-24))
			if rng.IntN(2) == 0 {
				a = float32(float64(half) / float64(b)) // a*b ≈ half an ulp of c, not exactly
			}
		}
		want := exactFMA32(a, b, c)
		if want == 0 || math.Abs(float64(want)) < 0x1p-126 || math.IsInf(float64(want), 0) {
			continue // outside the normal range big.Float models
		}
		if got := fma32(a, b, c); got != want {
			t.Fatalf("fma32(%g, %g, %g) = %x, want %x", a, b, c, math.Float32bits(got), math.Float32bits(want))
		}
		if naiveFMA32(a, b, c) != want {
			naiveWrong++
		}
	}
	t.Logf("naive double-rounded FMA was wrong on %d of %d inputs", naiveWrong, n)
}

// TestFMA32Subnormal: results in the float32 subnormal range still round once
// (the GPU's fma.rn.f32 keeps subnormals; .ftz is not used).
func TestFMA32Subnormal(t *testing.T) {
	tiny := math.Float32frombits(1) // 2^-149
	cases := []struct{ a, b, c, want float32 }{
		{tiny, 1, 0, tiny},
		{tiny, 0.5, 0, 0},                                            // exactly half of the smallest subnormal: tie to even (0)
		{tiny, 1.5, 0, math.Float32frombits(2)},                      // 1.5 ulp → 2 (tie to even)
		{tiny, 0.75, 0, tiny},                                        // 0.75 ulp → 1
		{0x1p-75, 0x1p-75, -0x1p-150, 0},                             // 2^-150 - 2^-150 = 0
		{0x1p-70, 0x1p-70, 0x1p-149, math.Float32frombits(1 + 1<<9)}, // 2^-140 + 2^-149
	}
	for _, tc := range cases {
		if got := fma32(tc.a, tc.b, tc.c); got != tc.want {
			t.Errorf("fma32(%g, %g, %g) = %x, want %x", tc.a, tc.b, tc.c, math.Float32bits(got), math.Float32bits(tc.want))
		}
	}
}

func BenchmarkFMA32(b *testing.B) {
	x, c := float32(0.3), float32(-1.9)
	for i := 0; i < b.N; i++ {
		x = fma32(x, x, c)
	}
	sink = x
}

var sink float32
