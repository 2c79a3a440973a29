package gpustress

// The bee_mem kernel's pattern names and seeds (kernels.ptx); the Go mirror of its
// patterns, memPattern, is test code (mirror_test.go).

// memModes names the patterns by mode number; pass n uses mode n % len(memModes).
var memModes = []string{"addr^seed", "~(addr^seed)", "walking-1", "walking-0", "random"}

// splitmix64 is the finaliser of Vigna's SplitMix64 generator applied to x.
func splitmix64(x uint64) uint64 {
	z := x + 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// passSeed is the seed of memory pass n: distinct per pass, the same every run.
func passSeed(n int) uint64 { return splitmix64(0xBEE0_0000_0000_0000 + uint64(n)) }
