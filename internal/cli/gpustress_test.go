package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/gpureport"
)

// TestGPUStressWithoutDriver: with no driver library, --json still prints a
// report bee sat nvidia can parse, saying why nothing was tested; exit 2.
func TestGPUStressWithoutDriver(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := gpuStressCommand([]string{"--json", "--duration", "1s", "--libcuda", "/nonexistent/libcuda.so.1"}, &stdout, &stderr)
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	r, err := gpureport.Parse(stdout.Bytes())
	if err != nil {
		t.Fatalf("stdout is not a report: %v\n%s", err, stdout.String())
	}
	if r.Error == nil || r.Error.Code != gpureport.CodeLibCUDANotFound || len(r.GPUs) != 0 {
		t.Errorf("report %+v", r)
	}
	if !strings.Contains(stderr.String(), "LIBCUDA_NOT_FOUND") {
		t.Errorf("stderr: %s", stderr.String())
	}

	// Without --json: a human line, same exit status.
	stdout.Reset()
	if code := gpuStressCommand([]string{"--libcuda", "/nonexistent/libcuda.so.1"}, &stdout, &stderr); code != 2 ||
		!strings.HasPrefix(stdout.String(), "bee-gpu-stress: nothing tested: LIBCUDA_NOT_FOUND") {
		t.Errorf("exit %d, stdout %q", code, stdout.String())
	}
}

func TestGPUStressFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--mem-fraction", "0"}, {"--mem-fraction", "1.5"}, {"--duration", "0s"}, {"--devices", "0,x"},
		{"--devices", "-1"}, {"extra"}, {"--no-such-flag"}, {"--grace", "0s"},
	} {
		var stdout, stderr bytes.Buffer
		if code := gpuStressCommand(args, &stdout, &stderr); code != 2 || stdout.Len() != 0 || stderr.Len() == 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout.String(), stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := gpuStressCommand([]string{"--help"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "-mem-fraction F") || stderr.Len() != 0 {
		t.Errorf("--help: exit %d, %s", code, stderr.String())
	}
}
