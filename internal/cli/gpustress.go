package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/beeaudit/bee/internal/flagx"
	"github.com/beeaudit/bee/internal/gpureport"
	"github.com/beeaudit/bee/internal/gpustress"
	"github.com/beeaudit/bee/internal/host"
)

// gpuStressCommand is `bee gpu-stress`, also run as bee-gpu-stress (argv[0]).
func gpuStressCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bee gpu-stress", flag.ContinueOnError)
	jsonOut := fs.Bool("json", false, "print the report as JSON on stdout (what bee sat nvidia reads); progress goes to stderr")
	duration := fs.Duration("duration", 60*time.Second, "test `DURATION` per GPU: the first half memory, the second half compute")
	memFraction := fs.Float64("mem-fraction", 0.9, "share `F` of each GPU's free memory the memory test covers (0 < F ≤ 1)")
	devices := fs.String("devices", "", "comma-separated CUDA device `ORDINALS` to test (default: all)")
	libcuda := fs.String("libcuda", "libcuda.so.1", "the CUDA driver `LIBRARY` to load")
	grace := fs.Duration("grace", gpustress.DefaultGrace, "how long past --duration a GPU may take before it is reported as hung")
	help := func(w io.Writer) {
		fmt.Fprint(w, `Usage: bee gpu-stress [flags]   (also: bee-gpu-stress [flags])

Test every NVIDIA GPU in parallel: a device-memory pattern test over most of the
free memory, then an FP32 FMA burn whose every result is checked against the CPU.
Needs the NVIDIA driver (libcuda.so.1); no CUDA toolkit. See docs/gpu-stress.md.
Exit 0 when every GPU passed, 1 when any GPU failed or found an error, 2 when
nothing could be tested (no driver library, no device, bad flags).

Flags:
`)
		flagx.PrintDefaults(fs, w)
	}
	if code, done := flagx.Parse(fs, args, stdout, stderr, help); done {
		return code
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "bee gpu-stress: "+format+"\n", a...)
		return 2
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	if err := flagx.CheckDurations(fs); err != nil {
		return usageErr("%v", err)
	}
	if *duration <= 0 {
		return usageErr("--duration must be positive, not %v", *duration)
	}
	if !(*memFraction > 0 && *memFraction <= 1) {
		return usageErr("--mem-fraction must be in (0, 1], not %v", *memFraction)
	}
	if *grace <= 0 {
		return usageErr("--grace must be positive, not %v", *grace)
	}
	var devs []int
	if *devices != "" {
		for _, f := range strings.Split(*devices, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 0 {
				return usageErr("--devices: %q is not a device ordinal", f)
			}
			devs = append(devs, n)
		}
	}

	opts := gpustress.Options{
		Duration: *duration, MemFraction: *memFraction, Devices: devs, LibCUDA: *libcuda,
		Grace: *grace, Log: stderr,
	}
	if data, err := (host.RootFS{Root: "/"}).ReadFile(gpustress.DriverVersionFile); err == nil {
		opts.DriverVersion = gpustress.ParseDriverVersion(data)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := gpustress.Run(ctx, opts)
	if *jsonOut {
		data, err := gpureport.Marshal(r)
		if err != nil {
			fmt.Fprintf(stderr, "bee gpu-stress: %v\n", err)
			return 2
		}
		stdout.Write(data)
	} else {
		fmt.Fprint(stdout, gpustress.Summary(r))
	}
	return gpustress.ExitCode(r)
}
