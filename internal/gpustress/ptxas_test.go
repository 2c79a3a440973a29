package gpustress

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// ptxasTargets are the architectures bee-gpu-stress claims to run on: every
// compute capability from Maxwell (sm_52) to Hopper (sm_90) that the CUDA 11.8
// assembler in Debian 12's nvidia-cuda-toolkit knows.
var ptxasTargets = []string{
	"sm_52", "sm_53", "sm_60", "sm_61", "sm_62", "sm_70", "sm_72", "sm_75",
	"sm_80", "sm_86", "sm_87", "sm_89", "sm_90",
}

// findPtxas returns NVIDIA's PTX assembler: $BEE_PTXAS, else ptxas on PATH.
// Without one the test is skipped, except where BEE_REQUIRE_PTXAS=1 (.ci/run
// sets it after .ci/install-ptxas.sh), so CI can never skip it silently.
func findPtxas(t *testing.T) string {
	t.Helper()
	p := os.Getenv("BEE_PTXAS")
	if p == "" {
		p, _ = exec.LookPath("ptxas")
	}
	if p == "" {
		if os.Getenv("BEE_REQUIRE_PTXAS") == "1" {
			t.Fatal("BEE_REQUIRE_PTXAS=1 but no ptxas: set BEE_PTXAS (see .ci/install-ptxas.sh)")
		}
		t.Skip("no ptxas: run .ci/install-ptxas.sh and set BEE_PTXAS to the path it prints")
	}
	return p
}

// assemble runs ptxas -v on src for one architecture and returns the cubin and
// ptxas's report.
func assemble(t *testing.T, ptxas, src, sm string) (cubin []byte, report string, err error) {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "kernels.ptx")
	out := filepath.Join(dir, "kernels."+sm+".cubin")
	if err := os.WriteFile(in, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var buf bytes.Buffer
	cmd := exec.CommandContext(ctx, ptxas, "--gpu-name", sm, "-v", "-o", out, in)
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err = cmd.Run()
	cubin, _ = os.ReadFile(out)
	return cubin, buf.String(), err
}

var ptxasEntryRE = regexp.MustCompile(`Compiling entry function '([A-Za-z0-9_]+)' for '(sm_[0-9]+)'`)

// TestKernelsAssembleWithPtxas assembles the embedded kernels.ptx, exactly as the
// driver will JIT it, with NVIDIA's assembler for every target architecture:
// the interpreter in ptxsim_test.go proves what the kernels compute, this proves
// that NVIDIA's toolchain accepts them for each GPU generation.
func TestKernelsAssembleWithPtxas(t *testing.T) {
	ptxas := findPtxas(t)
	var entries []string
	for name := range mustParseKernels(t).entries {
		entries = append(entries, name)
	}
	if len(entries) == 0 {
		t.Fatal("kernels.ptx declares no entry")
	}
	for _, sm := range ptxasTargets {
		t.Run(sm, func(t *testing.T) {
			cubin, report, err := assemble(t, ptxas, kernelsPTX, sm)
			if err != nil {
				t.Fatalf("ptxas --gpu-name %s: %v\n%s", sm, err, report)
			}
			if !bytes.HasPrefix(cubin, []byte("\x7fELF")) {
				t.Fatalf("ptxas --gpu-name %s wrote no ELF cubin (%d bytes)\n%s", sm, len(cubin), report)
			}
			compiled := map[string]bool{}
			for _, m := range ptxasEntryRE.FindAllStringSubmatch(report, -1) {
				if m[2] == sm {
					compiled[m[1]] = true
				}
			}
			for _, e := range entries {
				if !compiled[e] {
					t.Errorf("ptxas did not report compiling entry %s for %s:\n%s", e, sm, report)
				}
			}
			if strings.Contains(report, "warning") {
				t.Errorf("ptxas warned for %s:\n%s", sm, report)
			}
		})
	}
}

// TestPtxasRejectsBrokenKernel is the control: the same harness must fail on a
// kernel that NVIDIA's assembler rejects (an undeclared register), or the test
// above could not fail.
func TestPtxasRejectsBrokenKernel(t *testing.T) {
	ptxas := findPtxas(t)
	broken := strings.Replace(kernelsPTX, "ret;", "add.u32 %undeclared, %undeclared, 1;\n\tret;", 1)
	if broken == kernelsPTX {
		t.Fatal("kernels.ptx has no ret; to break")
	}
	if _, report, err := assemble(t, ptxas, broken, "sm_90"); err == nil {
		t.Fatalf("ptxas accepted a kernel with an undeclared register:\n%s", report)
	}
}
