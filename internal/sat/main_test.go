package sat

import (
	"context"
	"io"

	"github.com/beeaudit/bee/internal/cli/satflags"
)

// Main is `bee sat <kind> [flags]` as bee runs it (internal/cli parses the command
// line with satflags, then calls Run), for sat's tests: they go through the real
// flag parser. ctx is canceled on SIGINT/SIGTERM by the caller.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, env Env) int {
	a, code, done := satflags.Parse(args, stdout, stderr)
	if done {
		return code
	}
	return Run(ctx, a, stdout, stderr, env)
}
