package sat

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

const samplerArgs = "--format=csv,noheader,nounits"

func samplerCmd(field string) fakeCommand {
	return cmd("nvidia-smi", "--query-gpu=index,pci.bus_id,temperature.gpu,power.draw,"+field+",pcie.link.gen.current,pcie.link.width.current", samplerArgs, "-lms", "1000")
}

// a5000 is a healthy 2x RTX A5000 machine: the nvidia-smi captures are real (driver
// 590.44.01); the bee-gpu-stress report and the sampler's CSV are constructed (see
// testdata/PROVENANCE.md). The stress "runs" 1.5 s so the sampler, which prints at once
// and then waits to be stopped, has time to print.
func a5000(t *testing.T, stress string, stressExit int) fakeScenario {
	c := func(name string) string { return td(t, "constructed/"+name) }
	xml := capture(t, "nvidiasmi", "2x-rtx-a5000_q-x_v13.xml")
	return fakeScenario{Commands: []fakeCommand{
		cmd("nvidia-smi", "-q").Replay(capture(t, "nvidiasmi", "lambda-vector_2x-rtx-a6000_q.txt"), 0),
		cmd("nvidia-smi", "-q", "-x").Replay(xml, 0),
		cmd("bee", "gpu-stress", "--json", "--duration", "1s", "--mem-fraction", "0.9").Answer(fakeResponse{Stdout: c(stress), Exit: stressExit, SleepMS: 1500}),
		samplerCmd("clocks_event_reasons.active").Answer(fakeResponse{Stdout: c("nvidia-smi_query-gpu-sampler_2x-rtx-a5000.csv"), Hang: true}),
		cmd("nvidia-bug-report.sh", "--output-file", "glob:/*/bee-sat-nvidia-*/nvidia-bug-report.log.gz").Answer(fakeResponse{
			StdoutText: "nvidia-bug-report.sh will now collect information about your\nsystem...\n",
			WriteArg:   "--output-file", WriteFrom: c("nvidia-bug-report_placeholder.log.gz")}),
		// The kernel log before and after: nothing new (Commands[5]).
		cmd("journalctl", "-k", "-o", "short-monotonic", "--no-pager").Replay(c("dmesg-iso_h100_before-xids.txt"), 0),
		// No NVLink (an A10's empty output; Commands[6]).
		cmd("nvidia-smi", "nvlink", "-e").Replay(capture(t, "nvidiasmi", "nvlink/a10_nvlink-status_empty-output.txt"), 0),
	}}
}

func TestNvidiaPass(t *testing.T) {
	m := newMachine(t)
	f := newFake(t, a5000(t, "bee-gpu-stress_2x-rtx-a5000_pass.json", 0))
	code := m.run(f, "nvidia", "--duration", "1s")
	tb := readArchive(t, m.archive())
	if code != ExitPass || tb.man.Verdict != VerdictPass {
		t.Fatalf("exit %d verdict %s reasons %s", code, tb.man.Verdict, tb.reasons())
	}
	gpus := tb.raw["results"].(map[string]any)["gpus"].([]any)
	if len(gpus) != 2 {
		t.Fatalf("gpus %v", gpus)
	}
	for i, bus := range []string{"0000:81:00.0", "0000:c1:00.0"} {
		g := gpus[i].(map[string]any)
		if g["pci_bus_id"] != bus || g["passed"] != true || g["tested"] != true || g["name"] != "NVIDIA RTX A5000" || g["samples"] != 4.0 {
			t.Errorf("gpu %d: %v", i, g)
		}
		if reasons := g["clock_event_reasons"].([]any); len(reasons) != 1 || reasons[0] != "sw_power_cap" {
			t.Errorf("gpu %d reasons %v", i, reasons)
		}
	}
	if g := gpus[0].(map[string]any); g["max_temperature_c"] != 64.0 || g["max_power_w"] != 240.5 {
		t.Errorf("gpu 0 maxima %v", g)
	}
	// GPU counters before and after: 2 GPUs.
	n := 0
	for _, c := range tb.man.Counters.Before.Counters {
		if strings.HasPrefix(c.Key, "gpu/0000:c1:00.0/") {
			n++
		}
	}
	if n < 4 || len(tb.man.Counters.Unmatched) != 0 {
		t.Errorf("gpu counters %d, unmatched %v", n, tb.man.Counters.Unmatched)
	}
	// The bug report is in the archive, byte for byte.
	st := tb.step(t, "nvidia-bug-report")
	gz := tb.output(t, st, ".log.gz")
	if !bytes.Equal(gz, fileBytes(t, td(t, "constructed/nvidia-bug-report_placeholder.log.gz"))) {
		t.Error("bug report not kept byte for byte")
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(zr); !bytes.Contains(b, []byte("NVIDIA bug report")) {
		t.Error("bug report content")
	}
	if st := tb.step(t, "bee-gpu-stress"); st.Status != StatusOK || strings.Join(st.Argv, " ") != "bee gpu-stress --json --duration 1s --mem-fraction 0.9" {
		t.Errorf("stress step %+v", st)
	}
	if st := tb.step(t, "nvidia-smi-sampler"); st.Status != StatusOK || st.Error != "" {
		t.Errorf("sampler step %+v", st)
	}
	for _, want := range []string{"GPU 0000:81:00.0 NVIDIA RTX A5000: pass; memory 21.5 GB x12 passes, 0 errors, 702 GB/s; compute 25310 GFLOP/s, 0 of 2621440 results wrong; max 64 C, 240 W"} {
		if !strings.Contains(string(tb.files["summary.txt"]), want) {
			t.Errorf("summary lacks %q:\n%s", want, tb.files["summary.txt"])
		}
	}
}

func TestNvidiaStressFindsErrors(t *testing.T) {
	for _, c := range []struct{ report, component, words string }{
		{"bee-gpu-stress_2x-rtx-a5000_gpu1-compute-errors.json", "gpu 0000:c1:00.0", "compute test: 3 of 2621440 results wrong"},
		{"bee-gpu-stress_2x-rtx-a5000_gpu0-memory-errors.json", "gpu 0000:81:00.0", "memory test: 17 mismatches, first at offset 0x75bcd00"},
		{"bee-gpu-stress_1-of-2-gpus.json", "gpu 0000:c1:00.0", "bee-gpu-stress did not test it"},
		{"bee-gpu-stress_truncated-by-kill.json", "gpu", "could not be read"},
	} {
		// Exit status 0: the verdict must come from the report, not the exit code.
		m := newMachine(t)
		f := newFake(t, a5000(t, c.report, 0))
		if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitFail {
			t.Errorf("%s: exit %d", c.report, code)
		}
		tb := readArchive(t, m.archive())
		found := false
		for _, r := range tb.man.Reasons {
			if r.Severity == SeverityFailure && r.Component == c.component && strings.Contains(r.Message, c.words) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no failure %q on %s in %s", c.report, c.words, c.component, tb.reasons())
		}
	}
}

func TestNvidiaRetiredPages(t *testing.T) {
	// V100 with 2 pages retired after double-bit ECC errors and 1 uncorrectable ECC error
	// since the driver loaded (real capture); the stress reports that GPU clean: the
	// verdict is still not pass.
	m := newMachine(t)
	v100 := capture(t, "nvidiasmi", "v100-sxm3-32gb_retired-pages-dbe_q-x_v10.xml")
	sc := a5000(t, "bee-gpu-stress_2x-rtx-a5000_pass.json", 0)
	sc.Commands[1] = cmd("nvidia-smi", "-q", "-x").Replay(v100, 0)
	f := newFake(t, sc)
	if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitFail {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	if !tb.hasReason(SeverityWarning, "2 retired memory pages (2 from double-bit errors)") {
		t.Errorf("reasons %s", tb.reasons())
	}
	// Its volatile double-bit count is 1: uncorrectable errors since the driver loaded are
	// a failure, as in the audit (GPU_ECC_UNCORRECTABLE), not the lifetime warning.
	if !tb.hasReason(SeverityFailure, "1 uncorrectable ECC errors since the driver loaded") || tb.hasReason(SeverityWarning, "over the GPU's lifetime") {
		t.Errorf("reasons %s", tb.reasons())
	}
	// ...and the V100 nvidia-smi lists was not tested by the stress (it reported the A5000s).
	if !tb.hasReason(SeverityFailure, "Tesla V100-SXM3-32GB is listed by nvidia-smi but bee-gpu-stress did not test it") {
		t.Errorf("reasons %s", tb.reasons())
	}
}

func TestNvidiaDriverNotLoaded(t *testing.T) {
	m := newMachine(t)
	c := func(name string) string { return td(t, "constructed/"+name) }
	notLoaded := capture(t, "nvidiasmi", "error_driver-not-loaded.txt")
	f := newFake(t, fakeScenario{Commands: []fakeCommand{
		cmd("nvidia-smi", "-q").Replay(notLoaded, 9),
		cmd("nvidia-smi", "-q", "-x").Replay(notLoaded, 9),
		cmd("bee", "gpu-stress", "--json", "--duration", "1s", "--mem-fraction", "0.9").Answer(fakeResponse{Stdout: c("bee-gpu-stress_no-driver.json"), Exit: 2, SleepMS: 1500}),
		samplerCmd("clocks_event_reasons.active").Replay(notLoaded, 9),
		cmd("nvidia-bug-report.sh", "--output-file", "glob:/*/bee-sat-nvidia-*/nvidia-bug-report.log.gz").Answer(fakeResponse{
			WriteArg: "--output-file", WriteFrom: c("nvidia-bug-report_placeholder.log.gz")}),
		cmd("journalctl", "-k", "-o", "short-monotonic", "--no-pager").Replay(c("dmesg-iso_h100_before-xids.txt"), 0).MayRun(),
		cmd("nvidia-smi", "nvlink", "-e").Replay(notLoaded, 9).MayRun(),
	}})
	if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitFail {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	if !tb.hasReason(SeverityFailure, "no GPU tested: CUDA_ERROR_NO_DEVICE") ||
		!tb.hasReason(SeverityWarning, "cannot communicate with the NVIDIA driver") ||
		!tb.hasReason(SeverityWarning, "no temperature/power samples") {
		t.Errorf("reasons %s", tb.reasons())
	}
}

func TestNvidiaOldDriverSamplerFallback(t *testing.T) {
	m := newMachine(t)
	sc := a5000(t, "bee-gpu-stress_2x-rtx-a5000_pass.json", 0)
	c := func(name string) string { return td(t, "constructed/"+name) }
	sc.Commands[3] = samplerCmd("clocks_event_reasons.active").Replay(c("nvidia-smi_query-gpu_not-a-valid-field.txt"), 2)
	sc.Commands = append(sc.Commands, samplerCmd("clocks_throttle_reasons.active").Answer(fakeResponse{
		Stdout: c("nvidia-smi_query-gpu-sampler_2x-rtx-a5000_gpu1-hw-thermal-slowdown.csv"), Hang: true}))
	f := newFake(t, sc)
	if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitWarning {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	if !tb.hasReason(SeverityWarning, "clocks were slowed under load (hw_slowdown, hw_thermal_slowdown)") {
		t.Errorf("reasons %s", tb.reasons())
	}
	var samplers []*Step
	for _, st := range tb.man.Steps {
		if st.Name == "nvidia-smi-sampler" {
			samplers = append(samplers, st)
		}
	}
	if len(samplers) != 2 || samplers[0].Status != StatusSkipped || samplers[1].Status != StatusWarning {
		t.Errorf("sampler steps %+v", samplers)
	}
}

func TestNvidiaStressHangs(t *testing.T) {
	m := newMachine(t)
	sc := a5000(t, "bee-gpu-stress_2x-rtx-a5000_pass.json", 0)
	sc.Commands[2] = cmd("bee", "gpu-stress", "--json", "--duration", "1s", "--mem-fraction", "0.9").Answer(fakeResponse{Hang: true})
	f := newFake(t, sc)
	start := time.Now()
	code := m.run(f, "nvidia", "--duration", "1s", "--stress-timeout", "2s")
	if el := time.Since(start); el > 30*time.Second {
		t.Errorf("a hung stress held the run for %s", el)
	}
	tb := readArchive(t, m.archive())
	if code != ExitFail || !tb.hasReason(SeverityFailure, "did not finish within 2s") {
		t.Errorf("exit %d reasons %s", code, tb.reasons())
	}
}

func TestNvidiaNoBugReportTool(t *testing.T) {
	m := newMachine(t)
	sc := a5000(t, "bee-gpu-stress_2x-rtx-a5000_pass.json", 0)
	sc.Commands = append(sc.Commands[:4:4], sc.Commands[5:]...)
	sc.Missing = []string{"nvidia-bug-report.sh"}
	f := newFake(t, sc)
	if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitWarning {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	if !tb.hasReason(SeverityWarning, "nvidia-bug-report.sh not found") {
		t.Errorf("reasons %s", tb.reasons())
	}
}

// bee itself (run as `bee gpu-stress`) cannot be started: an unlikely case, but then no GPU
// was tested.
func TestNvidiaNoStressTool(t *testing.T) {
	m := newMachine(t)
	sc := a5000(t, "bee-gpu-stress_2x-rtx-a5000_pass.json", 0)
	sc.Commands = append(sc.Commands[:2:2], sc.Commands[4], sc.Commands[5], sc.Commands[6])
	sc.Commands = append(sc.Commands, samplerCmd("clocks_event_reasons.active").Answer(fakeResponse{Hang: true}).MayRun())
	sc.Missing = []string{"bee"}
	f := newFake(t, sc)
	if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitFail {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	if !tb.hasReason(SeverityFailure, "bee-gpu-stress could not run (bee not found on PATH)", "not tested") {
		t.Errorf("reasons %s", tb.reasons())
	}
}

func TestNvidiaInterrupted(t *testing.T) {
	m := newMachine(t)
	sc := a5000(t, "bee-gpu-stress_2x-rtx-a5000_pass.json", 0)
	sc.Commands[2] = cmd("bee", "gpu-stress", "--json", "--duration", "1s", "--mem-fraction", "0.9").Answer(fakeResponse{Hang: true})
	sc.Commands[4] = sc.Commands[4].MayRun()
	f := newFake(t, sc)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m.ctx = ctx
	go func() {
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			for _, c := range f.calls() {
				if c[0] == "bee" && c[1] == "gpu-stress" {
					time.Sleep(300 * time.Millisecond)
					cancel()
					return
				}
			}
		}
	}()
	if code := m.run(f, "nvidia", "--duration", "1s"); code != ExitInterrupted {
		t.Errorf("exit %d", code)
	}
	p := m.archive()
	tb := readArchive(t, p)
	if !tb.man.Interrupted || !strings.HasSuffix(p, "-interrupted.tar.gz") {
		t.Errorf("%s %+v", p, tb.man.Interrupted)
	}
	for _, name := range []string{"bee-gpu-stress", "nvidia-smi-sampler", "nvidia-bug-report"} {
		if st := tb.step(t, name); st.Status != StatusInterrupted {
			t.Errorf("%s: %+v", name, st)
		}
	}
	for _, c := range f.calls() {
		if c[0] == "nvidia-bug-report.sh" {
			t.Error("the bug report ran after the interrupt")
		}
	}
}

// Issue 8: --mem-fraction NaN used to pass validation, run every step and then fail to
// encode the manifest (exit 4, no archive). Every value outside (0, 0.95] is a usage error
// before anything runs.
func TestNvidiaMemFractionInvalid(t *testing.T) {
	for _, v := range []string{"NaN", "nan", "Inf", "+Inf", "-Inf", "0", "-0.5", "0.96", "1", "1.5", "1e309"} {
		m := newMachine(t)
		f := newFake(t, fakeScenario{}) // any command run fails the test
		if code := m.run(f, "nvidia", "--mem-fraction", v); code != ExitUsage {
			t.Errorf("--mem-fraction %s: exit %d, want %d", v, code, ExitUsage)
		}
		if !strings.Contains(m.stderr.String(), "mem-fraction") || fileExists(m.out) {
			t.Errorf("--mem-fraction %s: stderr %q, output dir created %v", v, m.stderr.String(), fileExists(m.out))
		}
	}
}
