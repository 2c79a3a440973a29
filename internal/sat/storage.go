package sat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/beeaudit/bee/internal/cli/satflags"
	"github.com/beeaudit/bee/internal/health"
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/lsblk"
	"github.com/beeaudit/bee/internal/parse/nvme"
	"github.com/beeaudit/bee/internal/parse/smartctl"
	"github.com/beeaudit/bee/internal/probe"
)

// storageKind is `bee sat storage`: for every disk, SMART (smartctl -j -x, probe.ReadSMART) and for NVMe
// the smart-log, error-log and self-test log (nvme-cli JSON); then a short self-test on
// every disk that supports one, polled until it ends or a bound; then SMART again, so
// counters that rose during the test are reported. Nothing is ever written to a disk's
// data area: the only commands sent are SMART/NVMe log reads and the short self-test,
// which the drive runs internally.
type storageKind struct {
	selftest     string
	stTimeout    time.Duration
	pollInterval time.Duration
	toolTimeout  time.Duration

	disks   []*diskRun
	skipped []skippedDisk // bee's own sticks
}

// skippedDisk is a disk `bee sat storage` leaves alone: one of bee's own USB sticks.
type skippedDisk struct {
	Name   string  `json:"name"`
	Path   string  `json:"path"`
	Model  *string `json:"model"`
	Serial *string `json:"serial_number"`
	Label  string  `json:"label"`
	Reason string  `json:"reason"`
}

const maxDiskJobs = 4

// Self-test outcomes (diskResult.SelfTest.Outcome).
const (
	stPassed       = "passed"
	stFailed       = "failed"
	stAborted      = "aborted"
	stIncomplete   = "incomplete"    // still running at the bound
	stNotSupported = "not_supported" // the drive cannot run one: recorded, not a fault
	stNotRun       = "not_run"       // --selftest none, or SMART not readable
	stUnknown      = "unknown"       // started, but no result could be found
	stError        = "error"         // could not be started or followed
)

type diskRun struct {
	Name      string  `json:"name"`
	Path      string  `json:"path"`
	Transport *string `json:"transport"`
	Model     *string `json:"model"`
	Serial    *string `json:"serial_number"`
	SizeBytes *int64  `json:"size_bytes"`
	Protocol  string  `json:"protocol"`
	// Controller is the NVMe controller device the nvme-cli commands address.
	Controller    string         `json:"nvme_controller,omitempty"`
	SmartPassed   *bool          `json:"smart_passed"`
	SelfTest      selfTestResult `json:"self_test"`
	SMARTReadable bool           `json:"smart_readable"`

	before       *smartctl.Report
	beforeStdout []byte // smartctl's JSON before the test
	beforeNVMe   *nvme.SelfTestLog
	selfTestCap  *bool // ATA capabilities.self_tests_supported / NVMe OACS bit 4
	nvmeRead     bool  // nvme smart-log was read
	component    string
}

type selfTestResult struct {
	Outcome string `json:"outcome"`
	Detail  string `json:"detail"`
	Type    string `json:"type,omitempty"`
	// RemainingPercent is the last progress seen while it ran.
	RemainingPercent *int `json:"remaining_percent,omitempty"`
	Polls            int  `json:"polls"`
}

func newStorageKind(o satflags.Storage) *storageKind {
	return &storageKind{selftest: o.SelfTest, stTimeout: o.SelfTestTimeout, pollInterval: o.PollInterval, toolTimeout: o.ToolTimeout}
}

func (k *storageKind) options() map[string]any {
	return map[string]any{"selftest": k.selftest, "selftest_timeout": k.stTimeout.String(),
		"poll_interval": k.pollInterval.String(), "tool_timeout": k.toolTimeout.String()}
}

func (k *storageKind) results() any {
	out := []*diskRun{}
	out = append(out, k.disks...)
	res := map[string]any{"disks": out}
	if len(k.skipped) > 0 {
		res["not_tested"] = k.skipped
	}
	return res
}

func (k *storageKind) summaryLines() []string {
	var lines []string
	for _, d := range k.disks {
		id := strings.TrimSpace(deref(d.Model) + " " + deref(d.Serial))
		smart := "SMART unreadable"
		if d.SmartPassed != nil {
			smart = map[bool]string{true: "SMART PASSED", false: "SMART FAILED"}[*d.SmartPassed]
		} else if d.SMARTReadable {
			smart = "SMART read"
		}
		lines = append(lines, fmt.Sprintf("%s (%s): %s; self-test %s: %s", d.Name, orDash(id), smart, d.SelfTest.Outcome, d.SelfTest.Detail))
	}
	for _, d := range k.skipped {
		id := strings.TrimSpace(deref(d.Model) + " " + deref(d.Serial))
		lines = append(lines, fmt.Sprintf("%s (%s): %s", d.Name, orDash(id), d.Reason))
	}
	if len(lines) == 0 {
		lines = []string{"no disk"}
	}
	return lines
}

func (k *storageKind) run(ctx context.Context, s *session) {
	s.prog.plan("error counters before", "list disks", "SMART/NVMe logs before", "self-tests", "SMART/NVMe logs after", "archive")
	s.prog.phase(0, "EDAC, PCIe AER")
	before := s.kernelCounters(ctx, "counters-before")
	s.m.Counters.Before = before

	s.prog.phase(1, "lsblk")
	// The same listing as the audit's, with its fallback for util-linux older than 2.33.
	var st *Step
	res, listed, err := probe.ListDisks(func(argv []string) host.Result {
		if st != nil && st.Status == "" {
			st.Status, st.Message = StatusOK, "no PATH column (util-linux older than 2.33): listed again without it"
		}
		var res host.Result
		st, res = s.exec(ctx, "lsblk", argv, cmdOpts{timeout: k.toolTimeout, quiet: true})
		return res
	})
	var disks []lsblk.Device
	if st.Status == "" {
		switch {
		case err != nil:
			s.fail(st, "storage", "the disk list could not be parsed (%v): disks not tested", err)
		case res.ExitCode != 0:
			s.fail(st, "storage", "lsblk exit status %d: disks not tested", res.ExitCode)
		default:
			disks = listed
			st.Status = StatusOK
			st.Result = disksJSON(disks)
			st.Message = fmt.Sprintf("%d disk(s)", len(disks))
			if len(disks) == 0 {
				s.warn(st, "storage", "no disk found: nothing was tested")
			}
		}
	} else if st.Status != StatusInterrupted {
		s.fail(st, "storage", "could not list the disks (%s): disks not tested", describeErr(st))
	}
	sticks := k.beeSticks(ctx, s, disks)
	for _, d := range disks {
		dr := &diskRun{Name: d.Name, Path: d.Path, Transport: cleanStr(d.Tran), Model: cleanStr(d.Model),
			Serial: cleanStr(d.Serial), SizeBytes: d.SizeBytes, component: "disk " + d.Name}
		if dr.Path == "" {
			dr.Path = "/dev/" + d.Name
		}
		if label, ok := sticks[d.Name]; ok {
			// bee's own stick (the ISO it booted from, the profiles or results stick):
			// not a disk of the machine under test.
			why := fmt.Sprintf("bee's own USB stick (a filesystem labelled %s): not tested", label)
			k.skipped = append(k.skipped, skippedDisk{Name: d.Name, Path: dr.Path, Model: dr.Model, Serial: dr.Serial, Label: label, Reason: why})
			s.skip(ctx, "disk-"+d.Name, nil, why)
			continue
		}
		if ctrl := probe.NVMeController(d.Name); ctrl != "" || strings.EqualFold(d.Tran, "nvme") {
			dr.Protocol = smartctl.ProtocolNVMe
			dr.Controller = ctrl
		}
		k.disks = append(k.disks, dr)
	}

	if len(k.disks) == 0 && len(k.skipped) > 0 {
		s.reason(SeverityWarning, "storage", "", "no disk to test: only bee's own USB sticks were found")
	}

	s.prog.phase(2, fmt.Sprintf("%d disk(s)", len(k.disks)))
	k.forEach(func(d *diskRun) { k.readBefore(ctx, s, d, before) })
	before.sort()
	diagnosed := 0
	for _, d := range k.disks {
		if d.before != nil || d.nvmeRead {
			diagnosed++
		}
	}
	if len(k.disks) > 0 && diagnosed == 0 && ctx.Err() == nil {
		s.reason(SeverityFailure, "storage", "", "the health of none of the %d disk(s) could be read: disks not tested", len(k.disks))
	}

	if k.selftest == "none" {
		s.prog.phase(3, "skipped (--selftest none)")
		for _, d := range k.disks {
			d.SelfTest = selfTestResult{Outcome: stNotRun, Detail: "not asked for (--selftest none)"}
		}
	} else {
		s.prog.phase(3, fmt.Sprintf("short, at most %s", fmtDur(k.stTimeout)))
		k.selfTests(ctx, s)
	}

	s.prog.phase(4, fmt.Sprintf("%d disk(s)", len(k.disks)))
	after := s.kernelCounters(ctx, "counters-after")
	s.m.Counters.After = after
	k.forEach(func(d *diskRun) { k.readAfter(ctx, s, d, after) })
	after.sort()
	s.prog.phase(5, "")
}

// beeSticks finds bee's own USB sticks among the disks (probe.BeeSticks: blkid, one
// step per label). A search that did not answer is recorded as an error of its step,
// without a reason: the disks are still tested, a stick of bee's among them.
func (k *storageKind) beeSticks(ctx context.Context, s *session, disks []lsblk.Device) map[string]string {
	if len(disks) == 0 {
		return nil
	}
	var mu sync.Mutex
	steps := map[string]*Step{}
	sticks, searches := probe.BeeSticks(func(argv []string) host.Result {
		name := "blkid-" + strings.TrimPrefix(argv[len(argv)-1], "LABEL=")
		st, res := s.exec(ctx, name, argv, cmdOpts{timeout: k.toolTimeout, quiet: true})
		mu.Lock()
		steps[name] = st
		mu.Unlock()
		return res
	}, disks)
	for _, se := range searches {
		st := steps["blkid-"+se.Label]
		switch {
		case st == nil || st.Status == StatusInterrupted:
		case se.OK:
			st.Status, st.Message = StatusOK, fmt.Sprintf("%d device(s) labelled %s", len(se.Devices), se.Label)
		default:
			why := describeErr(st)
			if st.Status == "" {
				st.Status, why = StatusError, errOrExit(se.ParseErr, se.Res)
			}
			st.Message = fmt.Sprintf("bee's own USB sticks labelled %s not recognised (%s): one would be tested like any disk", se.Label, why)
		}
	}
	return sticks
}

// forEach runs fn for every disk, a few at a time.
func (k *storageKind) forEach(fn func(*diskRun)) {
	sem := make(chan struct{}, maxDiskJobs)
	var wg sync.WaitGroup
	for _, d := range k.disks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			fn(d)
		}()
	}
	wg.Wait()
}

// probeRun is an internal/probe reader's RunFunc: it runs the reader's command as
// the step name (recorded with its output in the archive, like every command sat
// runs) and sets *st to that step.
func (k *storageKind) probeRun(ctx context.Context, s *session, name string, st **Step) probe.RunFunc {
	return func(argv []string) host.Result {
		var res host.Result
		*st, res = s.exec(ctx, name, argv, cmdOpts{timeout: k.toolTimeout, quiet: true})
		return res
	}
}

// smartctlDevice is the device smartctl is pointed at: the NVMe controller (its health
// log is per controller) or the block device.
func (d *diskRun) smartctlDevice() string {
	if d.Controller != "" {
		return d.Controller
	}
	return d.Path
}

func (k *storageKind) smartctl(ctx context.Context, s *session, d *diskRun, phase string, snap *Snapshot) *smartctl.Report {
	var st *Step
	smart := probe.ReadSMART(k.probeRun(ctx, s, "smartctl-"+phase+"-"+d.Name, &st), d.smartctlDevice())
	res, r := smart.Res, smart.V
	if st.Status != "" {
		snap.notRead("disk/"+d.Name+"/", fmt.Sprintf("smartctl could not run (%s)", describeErr(st)))
		if st.Status != StatusInterrupted {
			s.warn(st, d.component, "SMART could not be read %s the test (%s)", phase, describeErr(st))
		}
		return nil
	}
	if err := smart.ParseErr; err != nil {
		snap.notRead("disk/"+d.Name+"/", fmt.Sprintf("the output of step %s could not be parsed", st.Name))
		s.warn(st, d.component, "smartctl output could not be parsed %s the test (%v, exit status %d)", phase, err, res.ExitCode)
		return nil
	}
	st.Result = map[string]any{"exit_status": res.ExitCode, "exit_bits": r.ExitBits(), "smart_passed": r.SmartPassed,
		"protocol": r.Protocol, "self_test_in_progress": r.SelfTestInProgress, "last_self_test": ataEntryJSON(r.LastSelfTest)}
	if res.ExitCode&(smartctl.ExitCmdLineParse|smartctl.ExitDeviceOpenFailed) != 0 {
		// The device could not be opened or identified: virtual disks, RAID volumes,
		// USB bridges without SAT pass-through.
		msg := firstMessage(r)
		snap.notRead("disk/"+d.Name+"/", "smartctl could not open the device: "+msg)
		s.warn(st, d.component, "SMART not readable %s the test (smartctl: %s): health unknown", phase, msg)
		return nil
	}
	st.Status = StatusOK
	addSmartCounters(snap, d.Name, r, st.Name)
	if phase == "before" {
		d.beforeStdout = res.Stdout
	}
	return r
}

func firstMessage(r *smartctl.Report) string {
	for _, m := range r.Messages {
		if m.Severity == "error" {
			return m.String
		}
	}
	if len(r.Messages) > 0 {
		return r.Messages[0].String
	}
	return fmt.Sprintf("exit status %d", r.ExitStatus)
}

// addSmartCounters records the error counters of a smartctl report. The severity is
// what a rise during the test means. A counter the report lacks is recorded as not read,
// with the words the comparison gives if the other snapshot has it: a source that was read
// and is empty (a new drive's self-test log) is not lacking, the parser reads it as 0.
func addSmartCounters(snap *Snapshot, name string, r *smartctl.Report, step string) {
	p := "disk/" + name + "/"
	for _, c := range []struct {
		key, sev, from string
		v              *int64
	}{
		{"reallocated_sectors", SeverityWarning, "SMART attribute 5 (Reallocated_Sector_Ct)", r.ReallocatedSectors},
		{"pending_sectors", SeverityFailure, "SMART attribute 197 (Current_Pending_Sector)", r.PendingSectors},
		{"offline_uncorrectable", SeverityFailure, "SMART attribute 198 (Offline_Uncorrectable)", r.OfflineUncorrectable},
		{"reported_uncorrectable", SeverityFailure, "SMART attribute 187 (Reported_Uncorrect)", r.ReportedUncorrect},
		{"crc_errors", SeverityWarning, "SMART attribute 199 (UDMA_CRC_Error_Count)", r.CRCErrors},
		{"ata_error_log_count", SeverityWarning, "the ATA error log", r.ATAErrorLogCount},
		{"self_test_error_count", SeverityFailure, "the self-test log", r.SelfTestErrorCount},
		{"media_errors", SeverityFailure, "the NVMe health log", r.MediaErrors},
		{"error_log_entries", SeverityWarning, "the NVMe health log", r.NumErrLogEntries},
		{"grown_defects", SeverityWarning, "the SCSI grown defect list", r.GrownDefects},
		{"read_uncorrected", SeverityFailure, "the SCSI error counter log", r.ReadUncorrectedErrors},
		{"write_uncorrected", SeverityFailure, "the SCSI error counter log", r.WriteUncorrectedErrors},
		{"verify_uncorrected", SeverityFailure, "the SCSI error counter log", r.VerifyUncorrectedErrors},
	} {
		if c.v == nil {
			snap.notRead(p+c.key, fmt.Sprintf("%s was not in smartctl's output (step %s): the drive does not report it, or smartctl could not read it", c.from, step))
		}
		snap.add(p+c.key, c.v, c.sev)
	}
}

func (k *storageKind) readBefore(ctx context.Context, s *session, d *diskRun, snap *Snapshot) {
	r := k.smartctl(ctx, s, d, "before", snap)
	d.before = r
	if r != nil {
		d.SMARTReadable = true
		if r.Protocol != "" {
			d.Protocol = r.Protocol
		}
		d.SmartPassed = r.SmartPassed
		if d.Model == nil {
			d.Model = cleanStr(r.ModelName)
		}
		if d.Serial == nil {
			d.Serial = cleanStr(r.SerialNumber)
		}
		d.selfTestCap = smartctl.SelfTestsSupported(d.beforeStdout)
		k.judgeHealth(s, d, r)
	}
	if d.Controller == "" {
		return
	}
	k.nvmeLogs(ctx, s, d, "before", snap)
}

// nvmeLogs reads the NVMe logs with nvme-cli; before the test it also asks the
// controller whether it supports the device self-test (id-ctrl OACS bit 4).
func (k *storageKind) nvmeLogs(ctx context.Context, s *session, d *diskRun, phase string, snap *Snapshot) {
	ctrl := d.Controller
	var st *Step
	sl := probe.ReadNVMeSmartLog(k.probeRun(ctx, s, "nvme-smart-log-"+phase+"-"+d.Name, &st), ctrl)
	nvmePrefix := "disk/" + d.Name + "/nvme_"
	if errors.Is(sl.Res.Err, host.ErrNotFound) {
		snap.notRead(nvmePrefix, "nvme-cli not found on PATH")
		s.warn(st, d.component, "nvme-cli not found on PATH: the NVMe logs were not read")
		return
	}
	if st.Status != "" {
		snap.notRead(nvmePrefix, fmt.Sprintf("nvme smart-log could not run (%s)", describeErr(st)))
	} else {
		if l, err, res := sl.V, sl.ParseErr, sl.Res; err != nil || res.ExitCode != 0 {
			snap.notRead(nvmePrefix, fmt.Sprintf("nvme smart-log failed (%s)", errOrExit(err, res)))
			s.warn(st, d.component, "nvme smart-log %s the test: %s", phase, errOrExit(err, res))
		} else {
			st.Status, st.Result = StatusOK, smartLogJSON(l)
			d.nvmeRead = true
			snap.add(nvmePrefix+"media_errors", l.MediaErrors, SeverityFailure)
			snap.add(nvmePrefix+"error_log_entries", l.NumErrLogEntries, SeverityWarning)
			if phase == "before" {
				k.judgeNVMe(s, d, st, l)
			}
		}
	}
	el := probe.ReadNVMeErrorLog(k.probeRun(ctx, s, "nvme-error-log-"+phase+"-"+d.Name, &st), ctrl)
	if st.Status == "" {
		if l, err, res := el.V, el.ParseErr, el.Res; err != nil || res.ExitCode != 0 {
			s.warn(st, d.component, "nvme error-log %s the test: %s", phase, errOrExit(err, res))
		} else {
			st.Status = StatusOK
			st.Result = map[string]any{"entries": len(l.Entries), "max_error_count": l.MaxErrorCount}
		}
	}
	if phase != "before" {
		return
	}
	idc := probe.ReadNVMeIDCtrl(k.probeRun(ctx, s, "nvme-id-ctrl-"+d.Name, &st), ctrl)
	if st.Status == "" {
		if id, err, res := idc.V, idc.ParseErr, idc.Res; err != nil || res.ExitCode != 0 {
			s.warn(st, d.component, "nvme id-ctrl: %s", errOrExit(err, res))
		} else {
			st.Status = StatusOK
			st.Result = map[string]any{"model": id.ModelNumber, "serial_number": id.SerialNumber, "firmware": id.Firmware, "self_test_supported": id.SelfTestSupported}
			d.selfTestCap = id.SelfTestSupported
			if id.SelfTestSupported == nil {
				s.warn(st, d.component, "nvme id-ctrl gives no OACS field: whether the controller can self-test is unknown, so none was run")
			}
			if d.Model == nil {
				d.Model = cleanStr(id.ModelNumber)
			}
			if d.Serial == nil {
				d.Serial = cleanStr(id.SerialNumber)
			}
		}
	}
	if d.selfTestCap != nil && !*d.selfTestCap {
		s.skip(ctx, "nvme-self-test-log-before-"+d.Name, probe.NVMeArgv("self-test-log", ctrl),
			"the controller does not support the device self-test (id-ctrl OACS bit 4 clear)")
		return
	}
	st, l := k.nvmeSelfTestLog(ctx, s, d, "nvme-self-test-log-before-"+d.Name)
	if st.Status == StatusError {
		s.warn(st, d.component, "nvme self-test-log before the test: %s", describeErr(st))
	}
	d.beforeNVMe = l
}

func (k *storageKind) nvmeSelfTestLog(ctx context.Context, s *session, d *diskRun, name string) (*Step, *nvme.SelfTestLog) {
	var st *Step
	stl := probe.ReadNVMeSelfTestLog(k.probeRun(ctx, s, name, &st), d.Controller)
	if st.Status != "" {
		return st, nil
	}
	l, err, res := stl.V, stl.ParseErr, stl.Res
	if err != nil || res.ExitCode != 0 {
		st.Status, st.Message = StatusError, errOrExit(err, res)
		return st, nil
	}
	st.Status, st.Result = StatusOK, selfTestLogJSON(l)
	return st, l
}

func errOrExit(err error, res host.Result) string {
	if err != nil {
		return err.Error()
	}
	return res.Describe()
}

// judgeHealth turns the SMART state before the test into reasons. These are the drive's
// history, judged by the same rules as the audit's findings (internal/health), so a state
// the audit calls a failure fails here too; what rises during the test is judged from
// the counters.
func (k *storageKind) judgeHealth(s *session, d *diskRun, r *smartctl.Report) {
	st := s.lastStep("smartctl-before-" + d.Name)
	c := d.component
	judgeIssues(s, st, c, health.DiskIssues(health.Disk{
		Passed:                  r.SmartPassed,
		ReallocatedSectors:      r.ReallocatedSectors,
		PendingSectors:          r.PendingSectors,
		OfflineUncorrectable:    r.OfflineUncorrectable,
		GrownDefects:            r.GrownDefects,
		MediaErrors:             r.MediaErrors,
		CriticalWarning:         r.CriticalWarning,
		AvailableSpare:          r.AvailableSpare,
		AvailableSpareThreshold: r.AvailableSpareThreshold,
		PercentageUsed:          r.PercentageUsed,
		TemperatureC:            r.TemperatureC,
		PrefailNow:              r.ExitStatus&smartctl.ExitPrefailAttrs != 0,
		PrefailAttributes:       r.PrefailFailingNow(),
		SelfTestLogFailed:       r.ExitStatus&smartctl.ExitSelfTestLog != 0,
	}))
	// Beyond the audit's catalogue: counters the audit does not judge.
	for _, v := range []struct {
		p    *int64
		what string
	}{
		{r.ReportedUncorrect, "reported uncorrectable errors"}, {r.ReadUncorrectedErrors, "uncorrected read errors"},
	} {
		if v.p != nil && *v.p > 0 {
			s.warn(st, c, "%d %s", *v.p, v.what)
		}
	}
}

// judgeNVMe judges what nvme-cli's smart-log says when smartctl could not be read, by
// the same rules as judgeHealth.
func (k *storageKind) judgeNVMe(s *session, d *diskRun, st *Step, l *nvme.SmartLog) {
	if d.before != nil {
		return // smartctl read the same log page and judgeHealth used it
	}
	judgeIssues(s, st, d.component, health.DiskIssues(health.Disk{
		MediaErrors:             l.MediaErrors,
		CriticalWarning:         l.CriticalWarning,
		AvailableSpare:          l.AvailableSpare,
		AvailableSpareThreshold: l.SpareThreshold,
		PercentageUsed:          l.PercentageUsed,
		TemperatureC:            l.TemperatureC,
	}))
}

// lastStep returns the most recent step with this name.
func (s *session) lastStep(name string) *Step {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.m.Steps) - 1; i >= 0; i-- {
		if s.m.Steps[i].Name == name {
			return s.m.Steps[i]
		}
	}
	return &Step{Name: name}
}

func (k *storageKind) readAfter(ctx context.Context, s *session, d *diskRun, snap *Snapshot) {
	if r := k.smartctl(ctx, s, d, "after", snap); r != nil {
		if d.before != nil && r.SerialNumber != d.before.SerialNumber {
			s.warn(s.lastStep("smartctl-after-"+d.Name), d.component, "serial number changed during the test (%q, then %q): another device answered", d.before.SerialNumber, r.SerialNumber)
		}
		if r.SmartPassed != nil && !*r.SmartPassed && (d.SmartPassed == nil || *d.SmartPassed) {
			s.fail(s.lastStep("smartctl-after-"+d.Name), d.component, "SMART overall-health self-assessment turned FAILED during the test")
		}
		if r.SmartPassed != nil {
			d.SmartPassed = r.SmartPassed
		}
	}
	if d.Controller != "" {
		k.nvmeLogs(ctx, s, d, "after", snap)
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func derefInt(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}
