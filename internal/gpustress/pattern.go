package gpustress

// Go mirror of the bee_mem kernel's patterns (kernels.ptx).

// memModes names the patterns by mode number; pass n uses mode n % len(memModes).
var memModes = []string{"addr^seed", "~(addr^seed)", "walking-1", "walking-0", "random"}

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

// splitmix64 is the finaliser of Vigna's SplitMix64 generator applied to x.
func splitmix64(x uint64) uint64 {
	z := x + 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// passSeed is the seed of memory pass n: distinct per pass, the same every run.
func passSeed(n int) uint64 { return splitmix64(0xBEE0_0000_0000_0000 + uint64(n)) }
