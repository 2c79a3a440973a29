// Package audit collects the hardware inventory of a machine, judges its health
// and produces the audit JSON (docs/json.md). Collectors get everything from the
// machine through host.Runner and host.FS, so an audit can run against a live
// machine, a fixture tree with fake tools, or a recorded capture.
package audit

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/raid"
	"github.com/beeaudit/bee/internal/probe"
	"github.com/beeaudit/bee/internal/report"
	"github.com/beeaudit/bee/internal/version"
)

// Timeouts bounds each tool. A wedged BMC or a dying disk costs at most its
// tool's timeout; collectors run concurrently, so the whole audit is bounded by
// its longest collector (MaxDuration).
type Timeouts struct {
	Dmidecode time.Duration
	Lsblk     time.Duration
	Smartctl  time.Duration
	NVMe      time.Duration
	Lspci     time.Duration
	Ipmitool  time.Duration
	NvidiaSMI time.Duration
	Ethtool   time.Duration
	Journal   time.Duration
	RAID      time.Duration
	Mstflint  time.Duration
}

// DefaultTimeouts are sized for a healthy 2-socket server to finish well under a
// minute while tolerating slow BMCs and many GPUs.
var DefaultTimeouts = Timeouts{
	Dmidecode: 20 * time.Second,
	Lsblk:     15 * time.Second,
	Smartctl:  45 * time.Second,
	NVMe:      20 * time.Second,
	Lspci:     20 * time.Second,
	Ipmitool:  60 * time.Second,
	NvidiaSMI: 90 * time.Second,
	Ethtool:   10 * time.Second,
	Journal:   30 * time.Second,
	RAID:      60 * time.Second,
	Mstflint:  30 * time.Second,
}

// The machine MaxDuration is sized for: the collectors that ask a tool once
// per device take one timeout per device when the tool hangs on each.
const (
	boundDisks    = 2 * maxDiskJobs // storage: rounds of maxDiskJobs disks side by side
	boundNetPorts = 8               // network: ethtool -i and ethtool per port, in turn
	boundAdapters = 4               // mstflint: one query per adapter, in turn
)

// chains is each collector's longest run of tool timeouts one after the other
// (commands run side by side count once), when every tool hangs until its
// timeout, on a machine of up to boundDisks disks, boundNetPorts network
// ports and boundAdapters NVIDIA/Mellanox adapters. Every collector of
// CollectorNames has one.
func (t Timeouts) chains() map[string]time.Duration {
	raidCmds := 0
	for _, tool := range raidTools {
		raidCmds += len(tool.argvs)
	}
	diskRounds := time.Duration((boundDisks + maxDiskJobs - 1) / maxDiskJobs)
	return map[string]time.Duration{
		"board":  t.Dmidecode,
		"cpu":    t.Dmidecode,
		"memory": 2 * t.Dmidecode, // -t 17, then -t 16
		// lsblk (again without PATH when util-linux is older), then per disk
		// smartctl, nvme id-ctrl and nvme smart-log in turn.
		"storage":   2*t.Lsblk + diskRounds*(t.Smartctl+2*t.NVMe),
		"pcie":      t.Lspci,
		"psu":       t.Ipmitool, // fru and sdr elist side by side
		"nvidia":    t.NvidiaSMI,
		"network":   boundNetPorts * 2 * t.Ethtool,
		"bmc":       t.Ipmitool, // mc info, lan print, sel info and sel elist side by side
		"kernellog": t.Journal,  // /dev/kmsg is read without waiting; journalctl -k when it cannot be
		"nvlink":    3 * t.NvidiaSMI,
		"raid":      time.Duration(raidCmds) * t.RAID, // every RAID tool's commands in turn
		"mstflint":  boundAdapters * t.Mstflint,
	}
}

// MaxDuration is an upper bound of a whole audit with these timeouts: the
// longest collector's chain of tool timeouts (collectors run concurrently)
// plus slack for reading sysfs and judging. bee audit ends the audit there
// (a collector still running records its command as timed out), so units
// starting bee must wait longer.
func (t Timeouts) MaxDuration() time.Duration {
	var longest time.Duration
	for _, d := range t.chains() {
		longest = max(longest, d)
	}
	return longest + 30*time.Second
}

// Env is what an audit runs against.
type Env struct {
	Runner   host.Runner
	FS       host.FS
	Runtime  string // "livecd" or "host"; empty → detected from /etc/bee-release
	Timeouts Timeouts
	// Progress, when set, is called as each collector starts ("running") and
	// ends (its status). It may be called from several goroutines.
	Progress func(collector, status string)
	// Finished, when set, is called with each collector's record as it ends
	// (`bee audit --progress json`, docs/cli.md). It may be called from several
	// goroutines.
	Finished func(c Collector)
	// Now returns the current time; tests pin it for golden output.
	Now func() time.Time
	// Judge, when set, adds findings of its own to the inventory's (bee audit
	// uses it to apply the hardware profile, internal/profile). It may set
	// a.Hardware.Profile.
	Judge func(a *Audit) []Finding
}

// collector is one section of the inventory. Each writes only its own part of
// the parts struct, so collectors can run concurrently without locks.
type collector struct {
	name string
	run  func(c *cctx, p *parts) error
}

// parts is what the collectors produce, merged into Hardware at the end.
type parts struct {
	system *System
	bios   *BIOS
	board  *Board
	cpus   []CPU
	memory *Memory
	disks  []Disk
	pcie   []PCIeDev
	psus   []PSU
	gpus   []GPU
	// nvidiaState says why GPUs are absent: "ok", "no_tool", "no_driver", "error".
	nvidiaState string
	// nvidiaLoad is bee-nvidia.service's account of a driver that did not load.
	nvidiaLoad string
	network    []NetPort
	infiniband []IBPort
	bmc        *BMC
	sensors    []Sensor
	kernelLog  *KernelLog
	nvlink     *NVLinkInfo
	raid       []raid.Report
	adapterFW  []AdapterFirmware
	// nvlinkFindings and fabricFindings are the nvidiasmi judges' findings.
	nvlinkFindings []Finding
	fabricFindings []Finding
}

// CollectorNames are the collectors' names in their documented order (README.md:
// bee audit; docs/json.md): the order of the audit's "collectors" list. The CLI and
// the TUI take them from here.
func CollectorNames() []string {
	names := make([]string, len(collectors))
	for i, c := range collectors {
		names[i] = c.name
	}
	return names
}

// collectors in their documented order (README: bee audit); the audit lists them in this order whatever
// order they finish in.
var collectors = []collector{
	{"board", collectBoard},
	{"cpu", collectCPU},
	{"memory", collectMemory},
	{"storage", collectStorage},
	{"pcie", collectPCIe},
	{"psu", collectPSU},
	{"nvidia", collectNvidia},
	{"network", collectNetwork},
	{"bmc", collectBMC},
	{"kernellog", collectKernelLog},
	{"nvlink", collectNVLink},
	{"raid", collectRAID},
	{"mstflint", collectMstflint},
}

// errSkip marks a collector that did not apply (tool missing, no BMC).
type skipError struct{ reason string }

func (s skipError) Error() string { return s.reason }

func skip(format string, a ...any) error { return skipError{fmt.Sprintf(format, a...)} }

// cctx is a collector's handle on the machine: it records every command.
type cctx struct {
	ctx  context.Context
	env  *Env
	mu   sync.Mutex
	rec  *Collector
	errs []string // non-fatal problems; any makes the status "error"
}

// run executes one command and records it in the collector.
func (c *cctx) run(timeout time.Duration, argv ...string) host.Result {
	res := c.env.Runner.Run(c.ctx, host.Cmd{Argv: argv, Timeout: timeout})
	cmd := Command{Argv: argv, DurationMS: res.Duration.Milliseconds()}
	if res.Err == nil {
		code := res.ExitCode
		cmd.ExitCode = &code
	}
	if res.Err != nil {
		cmd.Error = ptr(res.Err.Error())
		cmd.TimedOut = errors.Is(res.Err, host.ErrTimeout)
	}
	if t := res.StderrTail(400); t != "" && (res.Err != nil || res.ExitCode != 0) {
		cmd.StderrTail = &t
	}
	c.mu.Lock()
	c.rec.Commands = append(c.rec.Commands, cmd)
	c.mu.Unlock()
	return res
}

// runFunc is c.run with this timeout, as internal/probe's readers take it.
func (c *cctx) runFunc(timeout time.Duration) probe.RunFunc {
	return func(argv []string) host.Result { return c.run(timeout, argv...) }
}

// problem records a non-fatal error: the collector goes on, its status becomes
// "error" and the audit counts it as a warning.
func (c *cctx) problem(format string, a ...any) {
	c.mu.Lock()
	c.errs = append(c.errs, fmt.Sprintf(format, a...))
	c.mu.Unlock()
}

// toolErr turns a failed run into an error for the collector, or nil when the
// command ran and exited 0. A missing tool becomes a skip.
func toolErr(res host.Result) error {
	switch {
	case errors.Is(res.Err, host.ErrNotFound):
		return skip("%s not found on PATH", res.Argv[0])
	case res.Err != nil || res.ExitCode != 0:
		return errors.New(res.Describe())
	}
	return nil
}

// Run performs a whole audit. It never fails: problems are recorded in the
// collectors and findings of the returned Audit.
func Run(ctx context.Context, env Env) *Audit {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Timeouts == (Timeouts{}) {
		env.Timeouts = DefaultTimeouts
	}
	a := &Audit{
		SchemaVersion: SchemaVersion,
		BeeVersion:    version.Version,
		BeeCommit:     version.CommitOrUnknown(),
		StartedAt:     env.Now().UTC().Format(time.RFC3339),
		Runtime:       env.Runtime,
	}
	if a.Runtime == "" {
		a.Runtime = "host"
		if env.FS.Exists(report.ReleaseFile) {
			a.Runtime = "livecd"
		}
	}
	a.Hostname = readTrim(env.FS, "/proc/sys/kernel/hostname")
	a.Kernel = readTrim(env.FS, "/proc/sys/kernel/osrelease")

	var p parts
	recs := make([]Collector, len(collectors))
	var wg sync.WaitGroup
	for i, col := range collectors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs[i] = runCollector(ctx, &env, col, &p)
		}()
	}
	wg.Wait()

	h := &a.Hardware
	h.System, h.BIOS, h.Board = p.system, p.bios, p.board
	h.CPUs, h.Memory, h.Storage, h.PCIe, h.PSUs, h.GPUs = p.cpus, p.memory, p.disks, p.pcie, p.psus, p.gpus
	h.Network, h.InfiniBand = p.network, p.infiniband
	h.BMC, h.Sensors = p.bmc, p.sensors
	h.KernelLog, h.NVLink, h.RAID, h.AdapterFirmware = p.kernelLog, p.nvlink, p.raid, p.adapterFW
	enrichPCIe(h)
	a.Collectors = recs
	emptyLists(h, recs)
	fs := findings(a, &p)
	if env.Judge != nil {
		fs = sortFindings(append(fs, env.Judge(a)...))
	}
	h.Summary = summarize(fs)
	a.FinishedAt = env.Now().UTC().Format(time.RFC3339)
	normalizeSlices(a)
	h.Firmware = firmwareView(h)
	return a
}

func runCollector(ctx context.Context, env *Env, col collector, p *parts) (rec Collector) {
	rec = Collector{Name: col.name, Status: StatusOK, Commands: []Command{}}
	if env.Progress != nil {
		env.Progress(col.name, "running")
	}
	start := time.Now()
	c := &cctx{ctx: ctx, rec: &rec}
	cenv := *env
	cenv.FS = incompleteFS{env.FS, c}
	c.env = &cenv
	var err error
	func() {
		// A parser bug on some unseen output must cost one collector, not the audit.
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("internal error (please report with a --capture): %v\n%s", r, firstLines(string(debug.Stack()), 12))
			}
		}()
		err = col.run(c, p)
	}()
	rec.DurationMS = time.Since(start).Milliseconds()
	var s skipError
	switch {
	case errors.As(err, &s):
		rec.Status = StatusSkipped
		rec.Error = ptr(s.reason)
		rec.SkipReason = ptr(s.reason)
	case err != nil:
		rec.Status = StatusError
		msg := err.Error()
		if len(c.errs) > 0 {
			msg += "; " + strings.Join(c.errs, "; ")
		}
		rec.Error = &msg
	case len(c.errs) > 0:
		rec.Status = StatusError
		rec.Error = ptr(strings.Join(c.errs, "; "))
	}
	if env.Progress != nil {
		env.Progress(col.name, rec.Status)
	}
	if env.Finished != nil {
		env.Finished(rec)
	}
	return rec
}

// incompleteFS makes a read that a replayed capture cannot answer
// (host.ErrNotCaptured) a problem of the collector that asked, naming the
// file, so an incomplete capture never replays as an absent component.
type incompleteFS struct {
	host.FS
	c *cctx
}

func (f incompleteFS) note(err error) {
	if errors.Is(err, host.ErrNotCaptured) {
		f.c.problem("%v", err)
	}
}

func (f incompleteFS) ReadFile(name string) ([]byte, error) {
	b, err := f.FS.ReadFile(name)
	f.note(err)
	return b, err
}

func (f incompleteFS) ReadDir(name string) ([]string, error) {
	n, err := f.FS.ReadDir(name)
	f.note(err)
	return n, err
}

// ReadStream passes the inner FS's host.StreamReader through (/dev/kmsg).
func (f incompleteFS) ReadStream(name string) ([]byte, error) {
	b, err := host.ReadStream(f.FS, name)
	f.note(err)
	return b, err
}

func (f incompleteFS) Readlink(name string) (string, error) {
	t, err := f.FS.Readlink(name)
	f.note(err)
	return t, err
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

func readTrim(fs host.FS, name string) *string {
	b, err := fs.ReadFile(name)
	if err != nil {
		return nil
	}
	return clean(string(b))
}

// emptyLists makes the list of each collector that finished ("ok") [] rather
// than null when it found nothing; the list of a collector that did not
// finish stays null when it found nothing: unknown, not "none".
func emptyLists(h *Hardware, recs []Collector) {
	for _, r := range recs {
		if r.Status != StatusOK {
			continue
		}
		switch r.Name {
		case "cpu":
			h.CPUs = orEmpty(h.CPUs)
		case "storage":
			h.Storage = orEmpty(h.Storage)
		case "pcie":
			h.PCIe = orEmpty(h.PCIe)
		case "psu":
			h.PSUs = orEmpty(h.PSUs)
			h.Sensors = orEmpty(h.Sensors)
		case "nvidia":
			h.GPUs = orEmpty(h.GPUs)
		case "network":
			h.Network, h.InfiniBand = orEmpty(h.Network), orEmpty(h.InfiniBand)
		}
	}
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// normalizeSlices makes the findings [] rather than null, and orders the
// lists stably.
func normalizeSlices(a *Audit) {
	h := &a.Hardware
	if h.Summary.Findings == nil {
		h.Summary.Findings = []Finding{}
	}
	sort.SliceStable(h.Storage, func(i, j int) bool { return h.Storage[i].Name < h.Storage[j].Name })
	sort.SliceStable(h.PCIe, func(i, j int) bool { return h.PCIe[i].Address < h.PCIe[j].Address })
	for i := range a.Collectors {
		cmds := a.Collectors[i].Commands
		sort.SliceStable(cmds, func(x, y int) bool {
			return strings.Join(cmds[x].Argv, " ") < strings.Join(cmds[y].Argv, " ")
		})
	}
}

func ptr[T any](v T) *T { return &v }

// MaxDurationOrDefault is MaxDuration of t, or of DefaultTimeouts when t is zero.
func (t Timeouts) MaxDurationOrDefault() time.Duration {
	if t == (Timeouts{}) {
		return DefaultTimeouts.MaxDuration()
	}
	return t.MaxDuration()
}

// Capped returns t with every timeout limited to d (d <= 0: unchanged).
func (t Timeouts) Capped(d time.Duration) Timeouts {
	if d <= 0 {
		return t
	}
	for _, p := range []*time.Duration{&t.Dmidecode, &t.Lsblk, &t.Smartctl, &t.NVMe, &t.Lspci, &t.Ipmitool, &t.NvidiaSMI, &t.Ethtool, &t.Journal, &t.RAID, &t.Mstflint} {
		*p = min(*p, d)
	}
	return t
}
