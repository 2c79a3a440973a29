package sat

// The short self-tests of `bee sat storage` (docs/sat.md): started on every disk that
// can run one, polled together until they end or --selftest-timeout, then judged from
// the drive's own self-test log.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/nvme"
	"github.com/beeaudit/bee/internal/parse/smartctl"
	"github.com/beeaudit/bee/internal/probe"
)

// selfTests starts a short self-test on every disk that can run one, then polls them
// together until all have ended, the bound passes, or the run is interrupted.
func (k *storageKind) selfTests(ctx context.Context, s *session) {
	var running []*diskRun
	for _, d := range k.disks {
		if k.startSelfTest(ctx, s, d) {
			running = append(running, d)
		}
	}
	if len(running) == 0 {
		return
	}
	deadline := s.env.Now().Add(k.stTimeout)
	sawRunning := map[*diskRun]bool{}
	failedPolls := map[*diskRun]int{}
	stopTick := s.prog.command(fmt.Sprintf("short self-test on %d disk(s)", len(running)), s.env.Now(), k.stTimeout)
	defer stopTick()
	for len(running) > 0 {
		wait := k.pollInterval
		if left := deadline.Sub(s.env.Now()); left < wait {
			wait = max(left, 0)
		}
		select {
		case <-ctx.Done():
			for _, d := range running {
				d.SelfTest.Outcome, d.SelfTest.Detail = stIncomplete, "the run was interrupted while the self-test ran"
			}
			return
		case <-time.After(wait):
		}
		last := !s.env.Now().Before(deadline)
		var still []*diskRun
		for _, d := range running {
			d.SelfTest.Polls++
			done, inProgress := k.poll(ctx, s, d, sawRunning[d])
			if inProgress {
				sawRunning[d] = true
			}
			if done == pollError {
				failedPolls[d]++
				if failedPolls[d] < 3 && !last {
					still = append(still, d)
					continue
				}
				d.SelfTest.Outcome, d.SelfTest.Detail = stError, "its progress could not be read"
				s.warn(s.lastStep("selftest-poll-"+d.Name), d.component, "self-test: its progress could not be read (3 failed polls)")
				continue
			}
			if done == pollRunning {
				still = append(still, d)
			}
		}
		running = still
		if last {
			break
		}
	}
	for _, d := range running {
		rem := ""
		if d.SelfTest.RemainingPercent != nil {
			rem = fmt.Sprintf(", %d%% remaining", *d.SelfTest.RemainingPercent)
		}
		d.SelfTest.Outcome = stIncomplete
		d.SelfTest.Detail = fmt.Sprintf("still running after %s%s", fmtDur(k.stTimeout), rem)
		s.warn(s.lastStep("selftest-poll-"+d.Name), d.component, "incomplete: the short self-test was still running at the %s bound%s (raise --selftest-timeout)", fmtDur(k.stTimeout), rem)
	}
}

// startSelfTest starts the short self-test; false when none runs (not supported, SMART
// not readable, could not start).
func (k *storageKind) startSelfTest(ctx context.Context, s *session, d *diskRun) bool {
	c := d.component
	if d.Controller != "" {
		argv := []string{"nvme", "device-self-test", d.Controller, "-s", "1"}
		switch {
		case d.selfTestCap == nil:
			d.SelfTest = selfTestResult{Outcome: stNotRun, Detail: "self-test support unknown (nvme id-ctrl not read)"}
			s.skip(ctx, "selftest-start-"+d.Name, argv, d.SelfTest.Detail)
			return false
		case !*d.selfTestCap:
			d.SelfTest = selfTestResult{Outcome: stNotSupported, Detail: "the controller does not support the device self-test"}
			s.skip(ctx, "selftest-start-"+d.Name, argv, d.SelfTest.Detail)
			return false
		case d.beforeNVMe != nil && d.beforeNVMe.InProgress:
			return k.alreadyRunning(ctx, s, d, argv)
		}
		st, res, ok := k.execStart(ctx, s, d, argv)
		if !ok {
			return false
		}
		switch nvme.ParseDeviceSelfTestStart(append(append([]byte{}, res.Stdout...), res.Stderr...), res.ExitCode) {
		case nvme.DeviceSelfTestStarted:
			st.Status, st.Message = StatusOK, "short device self-test started"
			d.SelfTest = selfTestResult{Outcome: stUnknown, Type: "short"}
			return true
		case nvme.DeviceSelfTestNotSupported:
			st.Status, st.Message = StatusSkipped, "the controller rejected the self-test command (not supported)"
			d.SelfTest = selfTestResult{Outcome: stNotSupported, Detail: st.Message}
			return false
		}
		d.SelfTest = selfTestResult{Outcome: stError, Detail: "could not start: " + lastLine(res)}
		s.warn(st, c, "self-test could not be started (exit status %d: %s)", res.ExitCode, lastLine(res))
		return false
	}
	argv := []string{"smartctl", "-t", "short", d.Path}
	switch {
	case d.before == nil:
		d.SelfTest = selfTestResult{Outcome: stNotRun, Detail: "SMART not readable, so no self-test"}
		s.skip(ctx, "selftest-start-"+d.Name, argv, d.SelfTest.Detail)
		return false
	case d.selfTestCap != nil && !*d.selfTestCap:
		d.SelfTest = selfTestResult{Outcome: stNotSupported, Detail: "the drive does not support self-tests (SMART capabilities)"}
		s.skip(ctx, "selftest-start-"+d.Name, argv, d.SelfTest.Detail)
		return false
	case d.before.SelfTestInProgress:
		return k.alreadyRunning(ctx, s, d, argv)
	}
	st, res, ok := k.execStart(ctx, s, d, argv)
	if !ok {
		return false
	}
	switch smartctl.ParseSelfTestStart(res.Stdout) {
	case smartctl.SelfTestStarted:
		st.Status, st.Message = StatusOK, "short self-test started"
		d.SelfTest = selfTestResult{Outcome: stUnknown, Type: "short"}
		return true
	case smartctl.SelfTestNotSupported:
		st.Status, st.Message = StatusSkipped, "the drive does not support self-tests"
		d.SelfTest = selfTestResult{Outcome: stNotSupported, Detail: st.Message}
		return false
	}
	d.SelfTest = selfTestResult{Outcome: stError, Detail: "could not start: " + lastLine(res)}
	s.warn(st, c, "self-test could not be started (smartctl exit status %d: %s)", res.ExitCode, lastLine(res))
	return false
}

// alreadyRunning records that a self-test was running before bee's: it is not
// interrupted, and not counted as bee's result. It returns false (none started).
func (k *storageKind) alreadyRunning(ctx context.Context, s *session, d *diskRun, argv []string) bool {
	d.SelfTest = selfTestResult{Outcome: stNotRun, Detail: "a self-test was already running; not interrupted"}
	st := s.skip(ctx, "selftest-start-"+d.Name, argv, d.SelfTest.Detail)
	if st.Status != StatusInterrupted {
		s.warn(st, d.component, "a self-test was already running before bee started one: not checked")
	}
	return false
}

// execStart runs the command that starts a self-test; ok is false (and the reason
// recorded) when the command itself could not run.
func (k *storageKind) execStart(ctx context.Context, s *session, d *diskRun, argv []string) (*Step, host.Result, bool) {
	st, res := s.exec(ctx, "selftest-start-"+d.Name, argv, cmdOpts{timeout: k.toolTimeout, quiet: true})
	if st.Status != "" {
		d.SelfTest = selfTestResult{Outcome: stError, Detail: describeErr(st)}
		if st.Status != StatusInterrupted {
			s.warn(st, d.component, "self-test could not be started: %s", describeErr(st))
		}
		return st, res, false
	}
	return st, res, true
}

type pollState int

const (
	pollRunning pollState = iota
	pollDone
	pollError
)

// poll asks one disk how its self-test is doing; when it has ended, the result is
// judged. sawRunning: an earlier poll saw the test running, so the newest log entry is
// ours even if it looks like the one before the test.
func (k *storageKind) poll(ctx context.Context, s *session, d *diskRun, sawRunning bool) (state pollState, inProgress bool) {
	c := d.component
	if d.Controller != "" {
		st, l := k.nvmeSelfTestLog(ctx, s, d, "selftest-poll-"+d.Name)
		if l == nil {
			return pollError, false
		}
		if l.InProgress {
			st.Message = "running"
			if l.CurrentCompletion != nil {
				rem := 100 - *l.CurrentCompletion
				d.SelfTest.RemainingPercent = &rem
				st.Message = fmt.Sprintf("running, %d%% done", *l.CurrentCompletion)
			}
			return pollRunning, true
		}
		var newest *nvme.SelfTestResult
		if len(l.Results) > 0 {
			newest = &l.Results[0]
		}
		var old *nvme.SelfTestResult
		if d.beforeNVMe != nil && len(d.beforeNVMe.Results) > 0 {
			old = &d.beforeNVMe.Results[0]
		}
		ours := newest != nil && (sawRunning || old == nil || len(l.Results) > len(d.beforeNVMe.Results) || !sameNVMeResult(*newest, *old))
		if !ours {
			d.SelfTest.Outcome, d.SelfTest.Detail = stUnknown, "no new entry in the self-test log"
			s.warn(st, c, "self-test: started, but no new result appeared in the self-test log")
			return pollDone, false
		}
		res := derefInt(newest.Result, -1)
		d.SelfTest.Detail = nvmeResultText(res)
		switch {
		case res == 0:
			d.SelfTest.Outcome = stPassed
			st.Message = "short self-test completed without error"
		case res >= 5 && res <= 7:
			d.SelfTest.Outcome = stFailed
			s.fail(st, c, "short self-test failed: %s", nvmeResultText(res))
		default:
			d.SelfTest.Outcome = stAborted
			s.warn(st, c, "short self-test did not complete: %s", nvmeResultText(res))
		}
		return pollDone, false
	}
	var st *Step
	smart := probe.ReadSMARTStatus(k.probeRun(ctx, s, "selftest-poll-"+d.Name, &st), d.Path)
	if st.Status != "" {
		return pollError, false
	}
	r, err, res := smart.V, smart.ParseErr, smart.Res
	if err != nil || res.ExitCode&(smartctl.ExitCmdLineParse|smartctl.ExitDeviceOpenFailed) != 0 {
		st.Status, st.Message = StatusError, errOrExit(err, res)
		return pollError, false
	}
	st.Status = StatusOK
	st.Result = map[string]any{"self_test_in_progress": r.SelfTestInProgress, "remaining_percent": r.SelfTestRemainingPercent, "last_self_test": ataEntryJSON(r.LastSelfTest)}
	if r.SelfTestInProgress {
		d.SelfTest.RemainingPercent = r.SelfTestRemainingPercent
		st.Message = "running"
		return pollRunning, true
	}
	newest := r.LastSelfTest
	var old *smartctl.SelfTestEntry
	if d.before != nil {
		old = d.before.LastSelfTest
	}
	ours := newest != nil && (sawRunning || old == nil || !sameATAEntry(*newest, *old))
	if !ours {
		d.SelfTest.Outcome, d.SelfTest.Detail = stUnknown, "no new entry in the self-test log"
		s.warn(st, c, "self-test: started, but no new result appeared in the self-test log")
		return pollDone, false
	}
	d.SelfTest.Detail = newest.Status
	low := strings.ToLower(newest.Status)
	switch {
	case !newest.Passed:
		d.SelfTest.Outcome = stFailed
		s.fail(st, c, "short self-test failed: %s", newest.Status)
	case strings.Contains(low, "abort") || strings.Contains(low, "interrupt"):
		d.SelfTest.Outcome = stAborted
		s.warn(st, c, "short self-test did not complete: %s", newest.Status)
	default:
		d.SelfTest.Outcome = stPassed
		st.Message = "short self-test: " + newest.Status
	}
	return pollDone, false
}

func sameATAEntry(a, b smartctl.SelfTestEntry) bool {
	return a.Type == b.Type && a.Passed == b.Passed && a.Status == b.Status && sameHours(a.LifetimeHours, b.LifetimeHours)
}

func sameHours(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func sameNVMeResult(a, b nvme.SelfTestResult) bool {
	eq := func(x, y *int) bool { return (x == nil && y == nil) || (x != nil && y != nil && *x == *y) }
	return eq(a.Result, b.Result) && eq(a.Code, b.Code) && sameHours(a.PowerOnHours, b.PowerOnHours)
}

func nvmeResultText(r int) string {
	texts := map[int]string{
		0: "completed without error", 1: "aborted by a Device Self-test command", 2: "aborted by a controller reset",
		3: "aborted by a namespace removal", 4: "aborted by a Format NVM command", 5: "fatal or unknown test error",
		6: "completed with a failed segment (unknown which)", 7: "completed with one or more failed segments",
		8: "aborted for an unknown reason", 9: "aborted by a sanitize operation",
	}
	if t, ok := texts[r]; ok {
		return fmt.Sprintf("%s (result %d)", t, r)
	}
	return fmt.Sprintf("result %d", r)
}
