package sat

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/beeaudit/bee/internal/cli/satflags"
	"github.com/beeaudit/bee/internal/gpureport"
	"github.com/beeaudit/bee/internal/health"
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/kmsg"
	"github.com/beeaudit/bee/internal/parse/nvidiasmi"
	"github.com/beeaudit/bee/internal/probe"
)

// nvidiaKind is `bee sat nvidia`: nvidia-smi reports (-q and -q -x) before, bee-gpu-stress
// on every GPU with nvidia-smi sampling temperature, power and clock event reasons while
// it runs, nvidia-smi -q -x after (GPU ECC, retired pages, remapped rows compared), and
// nvidia-bug-report.sh.
type nvidiaKind struct {
	duration      time.Duration
	stressTimeout time.Duration
	memFraction   float64
	sample        time.Duration
	bugReport     bool
	bugTimeout    time.Duration
	toolTimeout   time.Duration

	driver string
	gpus   map[string]*gpuResult // by PCI bus id
	order  []string
	// linkSampled: the sampler asked for the PCIe link fields (the driver knows them).
	linkSampled bool
	// linkJudged says whether and against what the link under load was judged.
	linkJudged string
	// xids are the Xid events logged during the test (nvidia_events.go).
	xids map[string]*kmsg.XidCount
	// peer is the GPU-to-GPU copy bandwidth (nvidia_peer.go); nil when not measured.
	peer *peerCopyResult
}

// gpuResult is one GPU in the manifest's results and summary.txt.
type gpuResult struct {
	PCIBusID string  `json:"pci_bus_id"`
	Name     string  `json:"name"`
	UUID     string  `json:"uuid"`
	Serial   *string `json:"serial_number"`
	// Tested: bee-gpu-stress reported on this GPU.
	Tested   bool                     `json:"tested"`
	Passed   bool                     `json:"passed"`
	Problems []string                 `json:"problems"`
	Memory   *gpureport.MemResult     `json:"memory"`
	Compute  *gpureport.ComputeResult `json:"compute"`
	// Sampled by nvidia-smi while the stress ran.
	Samples           int      `json:"samples"`
	MaxTemperatureC   *int     `json:"max_temperature_c"`
	MaxPowerW         *float64 `json:"max_power_w"`
	ClockEventReasons []string `json:"clock_event_reasons"`
	// PCIeLinkUnderLoad is the best link the sampler read while the stress ran; nil when
	// not read.
	PCIeLinkUnderLoad *linkUnderLoad `json:"pcie_link_under_load"`
	// HostCopy is bee-gpu-stress's host<->GPU copy bandwidth, judged against that link.
	HostCopy *hostCopyResult `json:"host_copy"`
	// Xids are the Xid numbers the kernel logged for this GPU during the test.
	Xids []int `json:"xids"`
}

func newNvidiaKind(o satflags.Nvidia) *nvidiaKind {
	return &nvidiaKind{duration: o.Duration, stressTimeout: o.StressTimeout, memFraction: o.MemFraction,
		sample: o.SampleInterval, bugReport: o.BugReport, bugTimeout: o.BugReportTimeout, toolTimeout: o.ToolTimeout}
}

func (k *nvidiaKind) options() map[string]any {
	return map[string]any{"duration": k.duration.String(), "stress_timeout": k.stressTimeout.String(),
		"mem_fraction": k.memFraction, "sample_interval": k.sample.String(), "bug_report": k.bugReport,
		"bug_report_timeout": k.bugTimeout.String(), "tool_timeout": k.toolTimeout.String()}
}

func (k *nvidiaKind) results() any {
	gpus := []*gpuResult{}
	for _, id := range k.order {
		gpus = append(gpus, k.gpus[id])
	}
	var drv *string
	if k.driver != "" {
		drv = &k.driver
	}
	return map[string]any{"driver_version": drv, "gpus": gpus, "pcie_link_under_load_judged": k.linkJudged, "peer_copy": k.peer}
}

func (k *nvidiaKind) summaryLines() []string {
	var lines []string
	for _, id := range k.order {
		g := k.gpus[id]
		verdict := "FAIL"
		if g.Passed {
			verdict = "pass"
		}
		line := fmt.Sprintf("GPU %s %s: %s", g.PCIBusID, g.Name, verdict)
		if g.Memory != nil {
			line += fmt.Sprintf("; memory %.1f GB x%d passes, %d errors, %.0f GB/s", float64(g.Memory.BytesTested)/1e9, g.Memory.Passes, g.Memory.Errors, g.Memory.GBps)
		}
		if g.Compute != nil {
			line += fmt.Sprintf("; compute %.0f GFLOP/s, %d of %d results wrong", g.Compute.GFLOPS, g.Compute.Errors, g.Compute.Checked)
		}
		if g.MaxTemperatureC != nil {
			line += fmt.Sprintf("; max %d C", *g.MaxTemperatureC)
		}
		if g.MaxPowerW != nil {
			line += fmt.Sprintf(", %.0f W", *g.MaxPowerW)
		}
		if l := g.PCIeLinkUnderLoad; l != nil && l.MaxGen != nil && l.MaxWidth != nil {
			line += fmt.Sprintf("; PCIe Gen%d x%d under load", *l.MaxGen, *l.MaxWidth)
		}
		if h := g.HostCopy; h != nil && h.HtoD != nil && h.DtoH != nil {
			line += fmt.Sprintf("; copies %.1f GB/s to the GPU, %.1f GB/s from it", h.HtoD.BestGBps, h.DtoH.BestGBps)
		}
		if len(g.ClockEventReasons) > 0 {
			line += "; clock events: " + strings.Join(g.ClockEventReasons, ",")
		}
		if len(g.Problems) > 0 {
			line += " (" + strings.Join(g.Problems, "; ") + ")"
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		lines = []string{"no GPU"}
	}
	if k.peer != nil {
		lines = append(lines, k.peerSummaryLines()...)
	}
	return lines
}

func (k *nvidiaKind) gpu(busID string) *gpuResult {
	id := normBusID(busID)
	if k.gpus == nil {
		k.gpus = map[string]*gpuResult{}
	}
	g, ok := k.gpus[id]
	if !ok {
		g = &gpuResult{PCIBusID: id, Problems: []string{}, ClockEventReasons: []string{}, Xids: []int{}}
		k.gpus[id] = g
		k.order = append(k.order, id)
		sort.Strings(k.order)
	}
	return g
}

func (k *nvidiaKind) run(ctx context.Context, s *session) {
	s.prog.plan("error counters before", "nvidia-smi reports", "bee-gpu-stress", "nvidia-smi after", "nvidia-bug-report.sh", "archive")
	s.prog.phase(0, "EDAC, PCIe AER")
	before := s.kernelCounters(ctx, "counters-before")
	s.m.Counters.Before = before

	s.prog.phase(1, "nvidia-smi -q, -q -x")
	st, res := s.exec(ctx, "nvidia-smi-q", []string{"nvidia-smi", "-q"}, cmdOpts{timeout: k.toolTimeout, quiet: true})
	if st.Status == "" {
		if err := nvidiasmi.ParseError(append(res.Stdout, res.Stderr...)); err != nil {
			st.Status, st.Message = StatusError, err.Error()
		} else if res.ExitCode != 0 {
			st.Status, st.Message = StatusError, res.Describe()
		} else {
			st.Status = StatusOK
		}
	}
	if st.Status == StatusError {
		s.reason(SeverityWarning, "gpu", st.Name, "nvidia-smi -q: %s", describeErr(st))
	}
	smiBefore := k.smiXML(ctx, s, "nvidia-smi-q-x-before", before)
	if smiBefore != nil && len(smiBefore.GPUs) == 0 {
		s.fail(s.lastStep("nvidia-smi-q-x-before"), "gpu", "nvidia-smi lists no GPU: nothing to test")
	}

	// The kernel log and the NVLink error counters, to compare after the stress.
	kernelBefore := k.readKernelLog(ctx, s, "kernel-log-before")
	nvlinkBefore, nvlinkOK := k.readNVLink(ctx, s, "nvidia-smi-nvlink-before")

	s.prog.phase(2, fmt.Sprintf("%s on every GPU (killed after %s)", fmtDur(k.duration), fmtDur(k.stressTimeout)))
	k.stress(ctx, s, smiBefore)

	s.prog.phase(3, "nvidia-smi -q -x, nvlink -e, kernel log, EDAC, PCIe AER")
	after := s.kernelCounters(ctx, "counters-after")
	s.m.Counters.After = after
	if kernelBefore != nil {
		if kernelAfter := k.readKernelLog(ctx, s, "kernel-log-after"); kernelAfter != nil {
			k.judgeXids(s, s.lastStep("kernel-log-after"), kernelBefore, kernelAfter)
		}
	}
	if nvlinkOK {
		if nvlinkAfter, ok := k.readNVLink(ctx, s, "nvidia-smi-nvlink-after"); ok {
			k.judgeNVLink(s, s.lastStep("nvidia-smi-nvlink-after"), nvlinkBefore, nvlinkAfter)
		}
	}
	smiAfter := k.smiXML(ctx, s, "nvidia-smi-q-x-after", after)
	if smiAfter != nil {
		k.judgeState(s, s.lastStep("nvidia-smi-q-x-after"), smiAfter)
	} else if smiBefore != nil {
		k.judgeState(s, s.lastStep("nvidia-smi-q-x-before"), smiBefore)
	}

	s.prog.phase(4, "")
	k.bugReportStep(ctx, s)
	s.prog.phase(5, "")
}

// smiXML runs nvidia-smi -q -x, adds the GPU error counters to snap, and returns the
// parsed report (nil when there is none).
func (k *nvidiaKind) smiXML(ctx context.Context, s *session, name string, snap *Snapshot) *nvidiasmi.Log {
	var st *Step
	smi := probe.ReadNvidiaSMI(func(argv []string) host.Result {
		var res host.Result
		st, res = s.exec(ctx, name, argv, cmdOpts{timeout: k.toolTimeout, quiet: true})
		return res
	})
	res := smi.Res
	if st.Status != "" {
		snap.notRead("gpu/", fmt.Sprintf("nvidia-smi -q -x could not run (%s)", describeErr(st)))
		if st.Status != StatusInterrupted {
			s.warn(st, "gpu", "nvidia-smi -q -x could not run (%s): GPU error counters not read", describeErr(st))
		}
		return nil
	}
	if err := smi.ParseErr; err != nil {
		snap.notRead("gpu/", fmt.Sprintf("the output of nvidia-smi -q -x could not be parsed (%v)", err))
		s.warn(st, "gpu", "nvidia-smi -q -x: %v (exit status %d): GPU error counters not read", err, res.ExitCode)
		return nil
	}
	l := smi.Log
	st.Status = StatusOK
	if err := smi.Problem; errors.Is(err, nvidiasmi.ErrGPULost) {
		s.fail(st, "gpu", "%v", err)
	} else if res.ExitCode != 0 {
		s.warn(st, "gpu", "nvidia-smi -q -x exit status %d: %s", res.ExitCode, lastLine(res))
	}
	st.Result = map[string]any{"driver_version": l.DriverVersion, "cuda_version": l.CUDAVersion, "gpus": len(l.GPUs)}
	if l.DriverVersion != "" {
		k.driver = l.DriverVersion
	}
	for _, g := range l.GPUs {
		r := k.gpu(g.PCIBusID)
		r.Name, r.UUID = g.ProductName, g.UUID
		if r.Serial == nil {
			r.Serial = cleanStr(g.SerialNumber)
		}
		p := "gpu/" + r.PCIBusID + "/"
		for _, c := range []struct {
			key, sev string
			v        *int64
		}{
			{"ecc_volatile_corrected", SeverityWarning, g.ECCVolatileCorrected},
			{"ecc_volatile_uncorrected", SeverityFailure, g.ECCVolatileUncorrected},
			{"ecc_aggregate_corrected", SeverityWarning, g.ECCAggregateCorrected},
			{"ecc_aggregate_uncorrected", SeverityFailure, g.ECCAggregateUncorrected},
			{"retired_pages_sbe", SeverityWarning, g.RetiredPagesSBE},
			{"retired_pages_dbe", SeverityFailure, g.RetiredPagesDBE},
			{"remapped_rows_correctable", SeverityWarning, g.RemappedRowsCorrectable},
			{"remapped_rows_uncorrectable", SeverityFailure, g.RemappedRowsUncorrectable},
		} {
			if c.v == nil {
				snap.notRead(p+c.key, fmt.Sprintf("nvidia-smi -q -x (step %s) reports N/A or nothing for it", name))
			}
			snap.add(p+c.key, c.v, c.sev)
		}
		for _, c := range []struct {
			key, sev string
			v        *bool
		}{
			{"retired_pages_pending", SeverityWarning, g.RetiredPagesPending},
			{"remapped_rows_pending", SeverityWarning, g.RemappedRowsPending},
			{"remapped_rows_failure", SeverityFailure, g.RemappedRowsFailure},
		} {
			if c.v == nil {
				snap.notRead(p+c.key, fmt.Sprintf("nvidia-smi -q -x (step %s) reports N/A or nothing for it", name))
			}
			snap.addBool(p+c.key, c.v, c.sev)
		}
	}
	// A GPU that is not in this report at all (fell off the bus during the test).
	snap.notRead("gpu/", fmt.Sprintf("nvidia-smi -q -x (step %s) does not list the GPU", name))
	snap.sort()
	return l
}

// judgeState reports what the GPUs' error state says on its own (whatever happened
// before the test): the history a vendor asks about. The rules are the audit's
// (internal/health), so a state the audit calls a failure fails here too.
func (k *nvidiaKind) judgeState(s *session, st *Step, l *nvidiasmi.Log) {
	for _, g := range l.GPUs {
		c := "gpu " + normBusID(g.PCIBusID)
		var active []string
		for r, on := range g.ClockEventReasons {
			if on {
				active = append(active, r)
			}
		}
		sort.Strings(active)
		judgeIssues(s, st, c, health.GPUIssues(health.GPU{
			ECCVolatileUncorrected:  g.ECCVolatileUncorrected,
			ECCAggregateUncorrected: g.ECCAggregateUncorrected,
			RetiredPagesSBE:         g.RetiredPagesSBE,
			RetiredPagesDBE:         g.RetiredPagesDBE,
			RetiredPagesPending:     g.RetiredPagesPending,
			RemappedRowsPending:     g.RemappedRowsPending,
			RemappedRowsFailure:     g.RemappedRowsFailure,
			ActiveClockEventReasons: active,
		}))
		// Beyond the audit's catalogue.
		if g.RemappedRowsUncorrectable != nil && *g.RemappedRowsUncorrectable > 0 {
			s.warn(st, c, "%d rows remapped after uncorrectable ECC errors", *g.RemappedRowsUncorrectable)
		}
		if a := g.GPURecoveryAction; a != "" && !strings.EqualFold(a, "None") && !strings.EqualFold(a, "N/A") {
			s.warn(st, c, "the driver asks for a recovery action: %s", a)
		}
	}
}

// stress runs bee-gpu-stress with the nvidia-smi sampler beside it and judges its report.
func (k *nvidiaKind) stress(ctx context.Context, s *session, smi *nvidiasmi.Log) {
	sctx, stopSampler := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		k.sampler(sctx, ctx, s)
	}()
	secs := int64(math.Ceil(k.duration.Seconds()))
	// bee-gpu-stress is this binary (`bee gpu-stress`): run it by its own path, so that
	// no link named bee-gpu-stress needs to be on PATH.
	argv := []string{s.env.Self, "gpu-stress", "--json", "--duration", fmt.Sprintf("%ds", secs), "--mem-fraction", strconv.FormatFloat(k.memFraction, 'f', -1, 64)}
	st, res := s.exec(ctx, "bee-gpu-stress", argv, cmdOpts{timeout: k.stressTimeout})
	stopSampler()
	wg.Wait()
	const c = "gpu"
	switch st.Status {
	case StatusInterrupted:
		// Keep what it reported (GPUs marked INTERRUPTED) as evidence; no verdict on it.
		if rep, err := gpureport.Parse(res.Stdout); err == nil {
			st.Result = rep
		}
		return
	case StatusError:
		if errors.Is(res.Err, host.ErrTimeout) {
			s.fail(st, c, "bee-gpu-stress did not finish within %s and was killed: a GPU or the driver hung; GPUs not verified", fmtDur(k.stressTimeout))
		} else {
			s.fail(st, c, "bee-gpu-stress could not run (%s): GPUs not tested", describeErr(st))
		}
		return
	}
	rep, err := gpureport.Parse(res.Stdout)
	if err != nil {
		tail := res.StderrTail(300)
		if tail != "" {
			tail = "; stderr: " + tail
		}
		s.fail(st, c, "the bee-gpu-stress report could not be read (%v; exit status %d%s): GPUs not verified", err, res.ExitCode, tail)
		return
	}
	st.Result = rep
	if rep.Error != nil {
		s.fail(st, c, "no GPU tested: %s", rep.Error)
		return
	}
	if len(rep.GPUs) == 0 {
		s.fail(st, c, "bee-gpu-stress tested no GPU")
		return
	}
	allPassed := true
	for _, g := range rep.GPUs {
		r := k.gpu(g.PCIBusID)
		r.Tested = true
		if r.Name == "" {
			r.Name = g.Name
		}
		if r.UUID == "" {
			r.UUID = g.UUID
		}
		r.Memory, r.Compute = g.Memory, g.Compute
		probs := g.Problems()
		r.Problems = append(r.Problems, probs...)
		r.Passed = len(probs) == 0
		if len(probs) > 0 {
			allPassed = false
			s.fail(st, "gpu "+r.PCIBusID, "%s", strings.Join(probs, "; "))
		}
	}
	if smi != nil {
		for _, g := range smi.GPUs {
			r := k.gpu(g.PCIBusID)
			if !r.Tested {
				r.Problems = append(r.Problems, "not tested")
				allPassed = false
				s.fail(st, "gpu "+r.PCIBusID, "%s is listed by nvidia-smi but bee-gpu-stress did not test it", orDash(g.ProductName))
			}
		}
	}
	a, auditErr := loadAudit(ctx, s)
	k.judgeHostCopy(s, st, rep, a)
	k.judgePeerCopy(ctx, s, st, rep, smi, a)
	k.judgeLinkUnderLoad(s, st, a, auditErr)
	allPassed = allPassed && len(rep.PeerCopy.Problems()) == 0
	if allPassed && res.ExitCode != 0 {
		s.warn(st, c, "bee-gpu-stress exited with status %d although its report shows no error", res.ExitCode)
	}
	if st.Status == "" {
		st.Status = StatusOK
		st.Message = fmt.Sprintf("%d GPU(s) passed", len(rep.GPUs))
	}
}

// Fields sampled during the stress. Drivers before 535 call the clock event reasons
// "clocks_throttle_reasons"; nvidia-smi rejects a field it does not know, so the sampler
// falls back to the old name. The PCIe link's generation and width (the link under load,
// judged against the hardware profile and used to judge the copy bandwidth:
// nvidia_link.go) are asked for too; a driver that does not know them is asked again
// without them.
var (
	samplerReasonFields = []string{"clocks_event_reasons.active", "clocks_throttle_reasons.active"}
	samplerLinkFields   = []string{"pcie.link.gen.current", "pcie.link.width.current"}
)

// invalidField is the field nvidia-smi names in `Field "x" is not a valid field to query.`
var invalidField = regexp.MustCompile(`Field "([^"]+)" is not a valid field`)

// sampler runs nvidia-smi in loop mode until sctx is canceled (the stress ended). run is
// the whole run's context: its cancellation is an interrupt, sctx's alone is the normal
// end of sampling.
func (k *nvidiaKind) sampler(sctx, run context.Context, s *session) {
	reason, link := 0, true
	for try := 0; try < 4; try++ {
		field := samplerReasonFields[reason]
		query := "index,pci.bus_id,temperature.gpu,power.draw," + field
		if link {
			query += "," + strings.Join(samplerLinkFields, ",")
		}
		argv := []string{"nvidia-smi", "--query-gpu=" + query,
			"--format=csv,noheader,nounits", "-lms", strconv.FormatInt(k.sample.Milliseconds(), 10)}
		st, res := s.exec(sctx, "nvidia-smi-sampler", argv, cmdOpts{timeout: k.stressTimeout + 30*time.Second, quiet: true, expectCancel: true, parent: run})
		if st.Status == StatusInterrupted || st.Status == StatusSkipped {
			return
		}
		out := string(res.Stdout) + string(res.Stderr)
		if m := invalidField.FindStringSubmatch(out); res.ExitCode > 0 && m != nil {
			switch {
			case m[1] == field && reason+1 < len(samplerReasonFields):
				reason++
				st.Status, st.Message = StatusSkipped, "this driver does not know "+field+"; retried with "+samplerReasonFields[reason]
				continue
			case link && contains(samplerLinkFields, m[1]):
				link = false
				st.Status, st.Message = StatusSkipped, "this driver does not know "+m[1]+"; retried without the PCIe link fields"
				continue
			}
		}
		k.linkSampled = link
		samples, bad := k.parseSamples(res.Stdout)
		st.Result = map[string]any{"samples": samples, "unparsed_lines": bad}
		switch {
		case samples == 0:
			msg := "no sample"
			if err := nvidiasmi.ParseError(res.Stdout); err != nil {
				msg = err.Error()
			} else if st.Error != "" {
				msg = st.Error
			} else if res.ExitCode > 0 {
				msg = fmt.Sprintf("exit status %d: %s", res.ExitCode, lastLine(res))
			}
			st.Status = StatusError
			s.warn(st, "gpu", "no temperature/power samples during the stress (%s)", msg)
		default:
			st.Status = StatusOK
			st.Message = fmt.Sprintf("%d samples", samples)
			if bad > 0 {
				st.Message += fmt.Sprintf(", %d lines not understood", bad)
			}
		}
		k.judgeSamples(s, st)
		return
	}
}

// parseSamples folds the sampler's lines (nvidiasmi.ParseSamples) into the per-GPU
// maxima and reason sets; it returns the lines read and those not understood.
func (k *nvidiaKind) parseSamples(out []byte) (samples, bad int) {
	all, bad := nvidiasmi.ParseSamples(out)
	for _, sm := range all {
		g := k.gpu(sm.BusID)
		g.Samples++
		if t := sm.TemperatureC; t != nil && (g.MaxTemperatureC == nil || *t > *g.MaxTemperatureC) {
			g.MaxTemperatureC = t
		}
		if p := sm.PowerW; p != nil && (g.MaxPowerW == nil || *p > *g.MaxPowerW) {
			g.MaxPowerW = p
		}
		for _, r := range sm.ClockEventReasons {
			if !contains(g.ClockEventReasons, r) {
				g.ClockEventReasons = append(g.ClockEventReasons, r)
			}
		}
		g.addLinkSample(sm.LinkGen, sm.LinkWidth)
	}
	return len(all), bad
}

// judgeSamples: a hardware or thermal slowdown under load means the GPU could not hold
// its clocks for cooling or power reasons: a warning (the GPU works, the chassis may not).
func (k *nvidiaKind) judgeSamples(s *session, st *Step) {
	for _, id := range k.order {
		g := k.gpus[id]
		var seen []string
		for _, r := range g.ClockEventReasons {
			switch r {
			case "hw_slowdown", "hw_thermal_slowdown", "hw_power_brake_slowdown", "sw_thermal_slowdown":
				seen = append(seen, r)
			}
		}
		if len(seen) > 0 {
			s.warn(st, "gpu "+id, "clocks were slowed under load (%s): check cooling and power delivery", strings.Join(seen, ", "))
		}
	}
}

// bugReportStep runs nvidia-bug-report.sh into a temporary directory and keeps the
// report in the archive. Missing or failing, it is a warning, not a failure: it says
// nothing about the hardware, but it is the first thing NVIDIA support asks for, so the
// engineer must know the archive lacks it.
func (k *nvidiaKind) bugReportStep(ctx context.Context, s *session) {
	const name = "nvidia-bug-report"
	if !k.bugReport {
		s.skip(ctx, name, []string{"nvidia-bug-report.sh"}, "not asked for (--bug-report=false)")
		return
	}
	dir, err := os.MkdirTemp("", "bee-sat-nvidia-")
	if err != nil {
		st := s.skip(ctx, name, []string{"nvidia-bug-report.sh"}, "")
		st.Status, st.Error = StatusError, err.Error()
		s.warn(st, "gpu", "nvidia-bug-report.sh not run: %v", err)
		return
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "nvidia-bug-report.log.gz")
	st, res := s.exec(ctx, name, []string{"nvidia-bug-report.sh", "--output-file", out}, cmdOpts{timeout: k.bugTimeout})
	data, rerr := os.ReadFile(out)
	if rerr == nil && len(data) > 0 {
		st.Outputs = append(st.Outputs, s.addFile(s.stepPrefix(st)+".log.gz", data))
	}
	switch {
	case st.Status == StatusInterrupted:
	case st.Status == StatusError && errors.Is(res.Err, host.ErrNotFound):
		s.warn(st, "gpu", "nvidia-bug-report.sh not found on PATH: the archive lacks the report NVIDIA support asks for")
	case st.Status == StatusError:
		s.warn(st, "gpu", "nvidia-bug-report.sh: %s", describeErr(st))
	case rerr != nil || len(data) == 0:
		s.warn(st, "gpu", "nvidia-bug-report.sh wrote no report (exit status %d)", res.ExitCode)
	default:
		st.Status = StatusOK
		st.Message = fmt.Sprintf("%d bytes", len(data))
		if res.ExitCode != 0 {
			st.Message += fmt.Sprintf(", exit status %d", res.ExitCode)
		}
	}
}

// normBusID writes a PCI address as lspci and nvidiasmi do: lower case, a 4-digit domain
// unless it needs more ("00000000:17:00.0" and "0000:17:00.0" are the same GPU).
func normBusID(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	dom, rest, ok := strings.Cut(s, ":")
	if !ok || strings.Count(rest, ":") != 1 {
		return s
	}
	d := strings.TrimLeft(dom, "0")
	for len(d) < 4 {
		d = "0" + d
	}
	return d + ":" + rest
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
