package gpustress

import (
	_ "embed"
	"fmt"
	"math"
)

// kernelsPTX is the PTX module the driver JIT-compiles (see kernels.ptx for
// what each kernel does).
//
//go:embed kernels.ptx
var kernelsPTX string

// kernel names a PTX entry and the size in bytes of each of its parameters, in
// order, as the .entry declares them (kernels_test.go checks this against the
// PTX). launch refuses arguments that do not match.
type kernel struct {
	name   string
	params []int
}

var (
	// bee_mem(base u64, nwords u64, seed u64, mode u32, verify u32, errs u64)
	kernelMem = kernel{"bee_mem", []int{8, 8, 8, 4, 4, 8}}
	// bee_fma(out u64, diff u64, seed u64, steps u32, reps u32)
	kernelFMA = kernel{"bee_fma", []int{8, 8, 8, 4, 4}}
)

// memErrRecord is the size of the bee_mem error record: count, lowest and highest
// failing address, OR of flipped bits, words verified (5 × u64).
const memErrRecord = 40

// checkArgs refuses a launch whose arguments do not fit the kernel's
// parameters: a wrong count, or a value too big for a 4-byte parameter.
func (k kernel) checkArgs(args []uint64) error {
	if len(args) != len(k.params) {
		return fmt.Errorf("launch %s: %d arguments for %d parameters", k.name, len(args), len(k.params))
	}
	for i, size := range k.params {
		if size == 4 && args[i] > math.MaxUint32 {
			return fmt.Errorf("launch %s: argument %d (%d) does not fit its 4-byte parameter", k.name, i, args[i])
		}
	}
	return nil
}
