package sat

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/beeaudit/bee/internal/cli/satflags"
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/memtester"
	"github.com/beeaudit/bee/internal/probe"
)

// memoryKind is `bee sat memory`: memtester over a safe share of the free memory,
// bounded in time, with the EDAC and PCIe AER counters read before and after.
type memoryKind struct {
	sizeMB  int
	loops   int
	workers int
	timeout time.Duration

	res memoryResults
}

// Memory sizing: test 85% of MemAvailable, leaving at least 1 GiB to the live system.
const (
	memReserveFraction = 0.15
	memReserveMinMB    = 1024
	memMinTestMB       = 16
	maxFailuresKept    = 100
	// memWorkerMinMB: by default one memtester per CPU, but none on less than this.
	memWorkerMinMB = 4096
	memMaxWorkers  = satflags.MaxWorkers
)

// numCPU is the number of CPUs bee may use; tests replace it.
var numCPU = runtime.NumCPU

type memoryResults struct {
	MemTotalBytes     *int64 `json:"mem_total_bytes"`
	MemAvailableBytes *int64 `json:"mem_available_bytes"`
	RequestedMB       int    `json:"requested_mb"`
	SizeFrom          string `json:"size_from"` // "flag" or "auto (85% of MemAvailable, at least 1 GiB left)"
	Loops             int    `json:"loops"`
	// Workers memtester processes ran side by side, each on its share of RequestedMB.
	Workers     int    `json:"workers"`
	WorkersFrom string `json:"workers_from"` // "flag" or "auto: ..."
	memtesterOutcome
}

// memtesterOutcome is what one memtester process showed, or all of them together: sizes
// and counts add up, LoopsCompleted is the fewest any process completed, Completed and
// Locked hold for all, TimedOut for any.
type memtesterOutcome struct {
	// TestedMB is what memtester reported it got (it may get less than asked).
	TestedMB       *int  `json:"tested_mb"`
	Locked         *bool `json:"locked"`
	LoopsCompleted int   `json:"loops_completed"`
	TestsPassed    int   `json:"tests_passed"`
	TestsFailed    int   `json:"tests_failed"`
	Failures       int   `json:"failures"`
	Completed      bool  `json:"completed"`
	TimedOut       bool  `json:"timed_out"`
}

func newMemoryKind(o satflags.Memory) *memoryKind {
	return &memoryKind{sizeMB: o.SizeMB, loops: o.Loops, workers: o.Workers, timeout: o.Timeout}
}

// memMaxTestMB is the most memory bee tests: MemAvailable less the reserve the live
// system keeps (15 %, at least 1 GiB).
func memMaxTestMB(availBytes int64) int64 {
	availMB := availBytes >> 20
	return availMB - max(int64(float64(availMB)*memReserveFraction), memReserveMinMB)
}

// preflight checks --size-mb against this machine before anything runs: under bee's own
// 16 MiB minimum, or over MemAvailable less the reserve, it is a usage error (a run would
// only produce a FAIL archive that says nothing about the memory). When MemAvailable
// cannot be read, the run itself records that.
func (k *memoryKind) preflight(env *Env) error {
	if k.sizeMB == 0 {
		return nil
	}
	mi, _ := probe.ReadMeminfo(env.FS)
	avail := mi.Available
	if avail == nil {
		if k.sizeMB < memMinTestMB {
			return fmt.Errorf("--size-mb %d: at least %d MiB (or 0: 85%% of MemAvailable)", k.sizeMB, memMinTestMB)
		}
		return nil
	}
	most := memMaxTestMB(*avail)
	if most < memMinTestMB {
		return fmt.Errorf("--size-mb %d: this machine has %d MiB available and keeps at least %d MiB for the live system: less than the %d MiB minimum can be tested",
			k.sizeMB, *avail>>20, memReserveMinMB, memMinTestMB)
	}
	if int64(k.sizeMB) < memMinTestMB || int64(k.sizeMB) > most {
		return fmt.Errorf("--size-mb %d: allowed %d to %d MiB on this machine (MemAvailable %d MiB less the reserve for the live system, 15%% and at least %d MiB), or 0 for that maximum",
			k.sizeMB, memMinTestMB, most, *avail>>20, memReserveMinMB)
	}
	return nil
}

func (k *memoryKind) options() map[string]any {
	return map[string]any{"size_mb": k.sizeMB, "loops": k.loops, "workers": k.workers, "timeout": k.timeout.String()}
}

func (k *memoryKind) results() any { return k.res }

func (k *memoryKind) run(ctx context.Context, s *session) {
	s.prog.plan("error counters before", "memtester", "error counters after", "archive")
	s.prog.phase(0, "EDAC, PCIe AER")
	s.m.Counters.Before = s.kernelCounters(ctx, "counters-before")
	if b := s.m.Counters.Before; b != nil && !hasKeyPrefix(b, "edac/") {
		s.reason(SeverityWarning, "memory", "counters-before", "no EDAC memory controller counters: errors corrected by ECC during the test cannot be seen, so a marginal DIMM could pass memtester unnoticed")
	}

	st := s.read(ctx, "meminfo", func() (any, map[string][]byte, error) {
		mi, err := probe.ReadMeminfo(s.env.FS)
		if err != nil {
			return nil, nil, err
		}
		files := map[string][]byte{probe.MeminfoPath: mi.Raw}
		total, avail := mi.Total, mi.Available
		k.res.MemTotalBytes, k.res.MemAvailableBytes = total, avail
		return map[string]*int64{"mem_total_bytes": total, "mem_available_bytes": avail}, files, nil
	})
	k.res.Loops = k.loops
	switch {
	case k.sizeMB > 0:
		k.res.RequestedMB, k.res.SizeFrom = k.sizeMB, "flag"
	case k.res.MemAvailableBytes != nil:
		k.res.RequestedMB = int(memMaxTestMB(*k.res.MemAvailableBytes))
		k.res.SizeFrom = "auto: 85% of MemAvailable, leaving at least 1 GiB"
	}
	if st.Status == StatusOK && k.sizeMB == 0 && k.res.MemAvailableBytes == nil {
		st.Status, st.Message = StatusError, "no MemAvailable line in /proc/meminfo"
	}
	argv := []string{"memtester", fmt.Sprintf("%dM", k.res.RequestedMB), strconv.Itoa(k.loops)}
	switch {
	case st.Status != StatusOK && k.sizeMB == 0:
		s.prog.phase(1, "skipped")
		mt := s.skip(ctx, "memtester", argv, "the size to test could not be decided")
		if mt.Status != StatusInterrupted {
			s.fail(mt, "memory", "memtester did not run: free memory unknown (%s); memory not tested", describeErr(st))
		}
	case k.res.RequestedMB < memMinTestMB:
		s.prog.phase(1, "skipped")
		mt := s.skip(ctx, "memtester", argv, "not enough free memory")
		if mt.Status != StatusInterrupted {
			s.fail(mt, "memory", "memtester did not run: only %d MiB could be tested (MemAvailable %s, reserve for the live system %d MiB); memory not tested",
				max(k.res.RequestedMB, 0), bytesStr(k.res.MemAvailableBytes), memReserveMinMB)
		}
	default:
		k.decideWorkers()
		n := k.res.Workers
		if n == 1 {
			s.prog.phase(1, fmt.Sprintf("%d MiB, %d loop(s), at most %s", k.res.RequestedMB, k.loops, fmtDur(k.timeout)))
			k.res.memtesterOutcome = k.memtester(ctx, s, "memtester", argv, k.res.RequestedMB)
			break
		}
		s.prog.phase(1, fmt.Sprintf("%d MiB in %d memtester processes, %d loop(s), at most %s", k.res.RequestedMB, n, k.loops, fmtDur(k.timeout)))
		outs := make([]memtesterOutcome, n)
		var wg sync.WaitGroup
		for i := range n {
			// Equal shares; the remainder goes to the first process.
			size := k.res.RequestedMB / n
			if i == 0 {
				size += k.res.RequestedMB % n
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				argv := []string{"memtester", fmt.Sprintf("%dM", size), strconv.Itoa(k.loops)}
				outs[i] = k.memtester(ctx, s, fmt.Sprintf("memtester-%d", i+1), argv, size)
			}()
		}
		wg.Wait()
		k.res.memtesterOutcome = combineOutcomes(outs)
	}

	s.prog.phase(2, "EDAC, PCIe AER")
	s.m.Counters.After = s.kernelCounters(ctx, "counters-after")
	s.prog.phase(3, "")
}

// decideWorkers sets how many memtester processes share the memory: --workers, or one
// per CPU with at least memWorkerMinMB each (one memtester tests at a few GB/s: alone, it
// would need hours on a large server).
func (k *memoryKind) decideWorkers() {
	if k.workers > 0 {
		k.res.Workers, k.res.WorkersFrom = k.workers, "flag"
	} else {
		k.res.Workers = min(numCPU(), k.res.RequestedMB/memWorkerMinMB, memMaxWorkers)
		k.res.WorkersFrom = fmt.Sprintf("auto: one per CPU (%d), at least %d MiB each", numCPU(), memWorkerMinMB)
	}
	// Never a share under the minimum memtester size.
	k.res.Workers = max(min(k.res.Workers, k.res.RequestedMB/memMinTestMB), 1)
}

// combineOutcomes adds up what the memtester processes showed. A size or lock state that
// any process did not report is unknown for the whole; one process that could not lock
// its memory makes Locked false.
func combineOutcomes(outs []memtesterOutcome) memtesterOutcome {
	c := memtesterOutcome{Completed: len(outs) > 0, LoopsCompleted: math.MaxInt}
	tested, sizeKnown, lockKnown, locked := 0, true, true, true
	for _, o := range outs {
		if o.TestedMB == nil {
			sizeKnown = false
		} else {
			tested += *o.TestedMB
		}
		if o.Locked == nil {
			lockKnown = false
		} else {
			locked = locked && *o.Locked
		}
		c.LoopsCompleted = min(c.LoopsCompleted, o.LoopsCompleted)
		c.TestsPassed += o.TestsPassed
		c.TestsFailed += o.TestsFailed
		c.Failures += o.Failures
		c.Completed = c.Completed && o.Completed
		c.TimedOut = c.TimedOut || o.TimedOut
	}
	if len(outs) == 0 {
		return memtesterOutcome{}
	}
	if sizeKnown {
		c.TestedMB = &tested
	}
	if !locked || lockKnown {
		c.Locked = &locked
	}
	return c
}

// memtester runs and judges one memtester process over sizeMB. Its output is parsed
// whatever happened: a run killed by the time bound or by Ctrl-C may already have printed
// FAILURE lines.
func (k *memoryKind) memtester(ctx context.Context, s *session, name string, argv []string, sizeMB int) (o memtesterOutcome) {
	st, res := s.exec(ctx, name, argv, cmdOpts{timeout: k.timeout})
	const comp = "memory"
	o.TimedOut = errors.Is(res.Err, host.ErrTimeout)
	var r *memtester.Result
	if len(res.Stdout) > 0 {
		var err error
		r, err = memtester.Parse(res.Stdout)
		if err != nil && st.Status == "" {
			s.fail(st, comp, "memtester output could not be parsed (%v): memory not verified", err)
			return o
		}
	}
	if r != nil {
		st.Result = memtesterSummary(r)
		o.TestedMB, o.Locked, o.Completed = r.GotMB, r.LockedMemory, r.Completed
		o.Failures = len(r.Failures)
		for _, l := range r.Loops {
			complete := len(l.Tests) > 0
			for _, t := range l.Tests {
				switch {
				case t.Failed:
					o.TestsFailed++
				case t.OK:
					o.TestsPassed++
				default:
					complete = false
				}
			}
			if complete && (r.Completed || l.Number < len(r.Loops)) {
				o.LoopsCompleted++
			}
		}
		if len(r.Failures) > 0 {
			first := r.Failures[0]
			s.fail(st, comp, "memtester reported %d FAILURE(s) in %d test(s); first in loop %d, %s: %s",
				len(r.Failures), o.TestsFailed, first.Loop, orDash(first.Test), first.Line)
		}
	}
	switch st.Status {
	case StatusInterrupted:
		return o
	case StatusError, StatusFail:
		if o.Failures > 0 {
			return o // already failed on its FAILURE lines
		}
		if o.TimedOut {
			done := "no loop completed"
			if o.LoopsCompleted > 0 {
				done = fmt.Sprintf("%d of %d loop(s) completed", o.LoopsCompleted, k.loops)
			}
			st.Status = StatusWarning // judged: an incomplete run, not a tool failure
			s.warn(st, comp, "incomplete: memtester stopped by the %s time bound (%s, %d tests ok, no FAILURE seen); raise --timeout or lower --size-mb for a complete run",
				fmtDur(k.timeout), done, o.TestsPassed)
			return o
		}
		s.fail(st, comp, "memtester could not run (%s): memory not tested", describeErr(st))
		return o
	}
	// The process exited by itself.
	if r == nil {
		s.fail(st, comp, "memtester printed nothing (exit status %d): memory not verified", res.ExitCode)
		return o
	}
	if o.Failures > 0 {
		return o
	}
	// memtester's exit status: 0x01 could not allocate/lock or bad invocation, 0x02
	// stuck-address test failed, 0x04 another test failed.
	switch {
	case res.ExitCode&0x06 != 0:
		s.fail(st, comp, "memtester exit status %d says a test failed, but no FAILURE line was found in its output", res.ExitCode)
		return o
	case res.ExitCode != 0:
		s.fail(st, comp, "memtester exit status %d (could not allocate or lock memory?): %s; memory not tested", res.ExitCode, lastLine(res))
		return o
	case !r.Completed:
		s.fail(st, comp, "memtester exited 0 without its final \"Done.\": output incomplete, memory not verified")
		return o
	case o.LoopsCompleted < k.loops:
		s.warn(st, comp, "memtester completed %d of %d loop(s) with every test ok", o.LoopsCompleted, k.loops)
	}
	if o.TestsPassed == 0 {
		s.fail(st, comp, "memtester reported no test as ok: memory not verified")
		return o
	}
	if r.GotMB != nil && *r.GotMB < sizeMB {
		s.warn(st, comp, "memtester got only %d of the %d MiB asked for", *r.GotMB, sizeMB)
	}
	if r.LockedMemory != nil && !*r.LockedMemory {
		s.warn(st, comp, "memtester could not lock the memory (mlock): parts of it may have been swapped out and not tested in RAM")
	}
	if st.Status == "" {
		st.Status = StatusOK
		st.Message = fmt.Sprintf("%d tests ok over %s in %d loop(s)", o.TestsPassed, mbStr(r.GotMB), o.LoopsCompleted)
	}
	return o
}

func (k *memoryKind) summaryLines() []string {
	r := k.res
	procs := ""
	if r.Workers > 1 {
		procs = fmt.Sprintf(" in %d processes", r.Workers)
	}
	line := fmt.Sprintf("memtester: asked %d MiB (%s)%s, got %s, %d loop(s) asked, %d completed; %d tests ok, %d failed, %d FAILURE line(s)",
		r.RequestedMB, r.SizeFrom, procs, mbStr(r.TestedMB), r.Loops, r.LoopsCompleted, r.TestsPassed, r.TestsFailed, r.Failures)
	if r.TimedOut {
		line += "; stopped by the time bound"
	}
	return []string{line, fmt.Sprintf("memory: MemTotal %s, MemAvailable %s", bytesStr(r.MemTotalBytes), bytesStr(r.MemAvailableBytes))}
}

// memtesterResult is the parsed output kept in the manifest; the failures are cut to the
// first maxFailuresKept (the raw output has them all).
type memtesterResult struct {
	Version       string           `json:"version"`
	RequestedMB   *int             `json:"requested_mb"`
	GotMB         *int             `json:"got_mb"`
	Locked        *bool            `json:"locked"`
	Completed     bool             `json:"completed"`
	Loops         []memtesterLoop  `json:"loops"`
	FailureCount  int              `json:"failure_count"`
	Failures      []memFailureJSON `json:"failures"`
	FailuresShown int              `json:"failures_shown"`
}

type memtesterLoop struct {
	Number int               `json:"number"`
	Tests  map[string]string `json:"tests"` // name -> "ok", "FAILURE" or "incomplete"
}

func memtesterSummary(r *memtester.Result) memtesterResult {
	out := memtesterResult{Version: r.Version, RequestedMB: r.RequestedMB, GotMB: r.GotMB, Locked: r.LockedMemory,
		Completed: r.Completed, FailureCount: len(r.Failures), Loops: []memtesterLoop{}}
	fs := r.Failures
	if len(fs) > maxFailuresKept {
		fs = fs[:maxFailuresKept]
	}
	out.Failures = memFailuresJSON(fs)
	out.FailuresShown = len(out.Failures)
	for _, l := range r.Loops {
		ml := memtesterLoop{Number: l.Number, Tests: map[string]string{}}
		for _, t := range l.Tests {
			switch {
			case t.Failed:
				ml.Tests[t.Name] = "FAILURE"
			case t.OK:
				ml.Tests[t.Name] = "ok"
			default:
				ml.Tests[t.Name] = "incomplete"
			}
		}
		out.Loops = append(out.Loops, ml)
	}
	return out
}

// kernelCounters reads EDAC and AER as one step and returns the snapshot.
func (s *session) kernelCounters(ctx context.Context, name string) *Snapshot {
	if ctx.Err() != nil {
		s.skip(ctx, name, nil, "")
		return nil
	}
	snap := &Snapshot{TakenAt: s.now().Format(time.RFC3339), Counters: []Counter{}, Notes: []string{}}
	s.read(ctx, name, func() (any, map[string][]byte, error) {
		files := readKernelCounters(s.env.FS, snap)
		snap.sort()
		return map[string]any{"counters": len(snap.Counters), "notes": snap.Notes}, files, nil
	})
	return snap
}

func hasKeyPrefix(s *Snapshot, prefix string) bool {
	for _, c := range s.Counters {
		if strings.HasPrefix(c.Key, prefix) {
			return true
		}
	}
	return false
}

func lastLine(res host.Result) string {
	out := strings.TrimSpace(string(res.Stderr) + "\n" + string(res.Stdout))
	if i := strings.LastIndex(out, "\n"); i >= 0 {
		out = out[i+1:]
	}
	if len(out) > 200 {
		out = out[:200]
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func mbStr(p *int) string {
	if p == nil {
		return "unknown"
	}
	return fmt.Sprintf("%d MiB", *p)
}

func bytesStr(p *int64) string {
	if p == nil {
		return "unknown"
	}
	return fmt.Sprintf("%.1f GiB", float64(*p)/(1<<30))
}
