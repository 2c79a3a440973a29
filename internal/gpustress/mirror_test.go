package gpustress

// Go mirrors of the GPU kernels (kernels.ptx) that the tests check the kernels and
// fmaReference against. Test code: no program calls them (the dead-code check of
// .ci/run would report them in a non-test file).

// henonSteps runs the chain: t = fma(p, B, C); z' = fma(z, z, t); p, z = z, z'.
func henonSteps(p, z float32, steps int) float32 {
	for s := 0; s < steps; s++ {
		n := fma32(z, z, fma32(p, henonB, henonC))
		p, z = z, n
	}
	return z
}

// chainFinal is what bee_fma stores in out[8t+i].
func chainFinal(t uint32, i int, seed uint32, steps int) float32 {
	p, z := chainStart(t, i, seed)
	return henonSteps(p, z, steps)
}

// memPattern is the 64-bit word bee_mem writes at device address addr.
func memPattern(addr, seed uint64, mode uint32) uint64 {
	switch mode {
	case 0:
		return addr ^ seed
	case 1:
		return ^(addr ^ seed)
	case 2:
		return 1 << (((addr >> 3) + seed) & 63)
	case 3:
		return ^uint64(1 << (((addr >> 3) + seed) & 63))
	default:
		return splitmix64(addr ^ seed)
	}
}
