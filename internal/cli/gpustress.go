package cli

import (
	"fmt"
	"io"
)

// gpuStressCommand is `bee gpu-stress` (alias bee-gpu-stress); owned by internal/gpustress.
func gpuStressCommand(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "bee gpu-stress: not built yet")
	return 2
}
