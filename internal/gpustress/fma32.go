package gpustress

import "math"

// fma32 returns a*b+c rounded once to the nearest float32 (ties to even): the
// IEEE 754 fused multiply-add that PTX fma.rn.f32 computes on the GPU.
//
// The obvious float32(math.FMA(float64(a), float64(b), float64(c))) is wrong
// for some inputs because it rounds twice: the product of two float32 values is
// exact in float64 (24+24 = 48 significant bits ≤ 53), but the sum with c can
// need many more bits, so math.FMA rounds to 53 bits and the conversion then
// rounds to 24. When the first rounding lands exactly on a float32 halfway
// point, the second one breaks the tie to even and can go the wrong way
// (TestFMA32DoubleRounding shows such inputs).
//
// The fix is round-to-odd (Boldo & Melquiond, "Emulation of FMA and correctly
// rounded sums: proved algorithms using rounding to odd", IEEE TC 2008): if the
// intermediate sum is rounded to odd at precision p' ≥ p+2 (here 53 ≥ 24+2),
// rounding that to p bits gives the correctly rounded result. Go has no
// round-to-odd mode, so it is built by hand: s = RN64(p+c); the TwoSum error
// term e = (p+c) - s is exact; when e != 0 (s is inexact) and s's last bit is
// even, s is replaced by its neighbour towards the exact value, which is the
// odd one of the two float64 values around p+c.
//
// The float64 range covers every float32 product and sum without overflow or
// subnormals, so the only non-finite cases are non-finite inputs, which are
// returned as the plain conversion gives them. The stress kernels never see
// them: their values stay in [-2, 2] (see chainParams).
func fma32(a, b, c float32) float32 {
	p := float64(a) * float64(b) // exact: 48 significant bits at most
	cc := float64(c)
	s := float64(p + cc) // explicit conversion: no fusion with the product
	if math.IsInf(s, 0) || math.IsNaN(s) {
		return float32(s)
	}
	// TwoSum (Knuth): p + cc == s + e exactly.
	bb := float64(s - p)
	e := float64(float64(p-float64(s-bb)) + float64(cc-bb))
	if bits := math.Float64bits(s); e != 0 && bits&1 == 0 {
		// s != 0 here (a zero sum is exact), so stepping the bit pattern
		// moves one ulp: up in magnitude when e has s's sign, else down.
		if (e > 0) == (s > 0) {
			bits++
		} else {
			bits--
		}
		s = math.Float64frombits(bits)
	}
	return float32(s)
}
