//go:build linux

package gpustress

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/gpureport"
)

// TestNoLibCUDA: without the driver library the run reports LIBCUDA_NOT_FOUND
// with the loader's message, as a valid report, exit 2.
func TestNoLibCUDA(t *testing.T) {
	r := Run(context.Background(), Options{LibCUDA: "/nonexistent/libcuda.so.1", Duration: time.Second, MemFraction: 0.9})
	if r.Error == nil || r.Error.Code != gpureport.CodeLibCUDANotFound || !strings.Contains(r.Error.Message, "/nonexistent/libcuda.so.1") {
		t.Fatalf("error %v", r.Error)
	}
	if _, why, _ := strings.Cut(r.Error.Message, "library): "); why == "" {
		t.Errorf("the loader's reason is missing (dlerror read on another thread?): %q", r.Error.Message)
	}
	if ExitCode(r) != 2 {
		t.Errorf("exit %d, want 2", ExitCode(r))
	}
	data, err := gpureport.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gpureport.Parse(data); err != nil {
		t.Errorf("report does not parse: %v\n%s", err, data)
	}
}

// TestNotLibCUDA: a library that loads but is not libcuda (the C library)
// is LIBCUDA_SYMBOL_NOT_FOUND, naming the first missing function.
func TestNotLibCUDA(t *testing.T) {
	_, err := openLibCUDA("libc.so.6")
	if err == nil {
		t.Fatal("libc.so.6 accepted as libcuda")
	}
	if err.Code == gpureport.CodeLibCUDANotFound {
		t.Skipf("no libc.so.6 on this system: %v", err)
	}
	if err.Code != gpureport.CodeSymbolNotFound || !strings.Contains(err.Message, "cuInit") {
		t.Errorf("error %v", err)
	}
}
