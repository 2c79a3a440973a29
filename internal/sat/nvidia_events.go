package sat

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/kmsg"
	"github.com/beeaudit/bee/internal/parse/nvidiasmi"
	"github.com/beeaudit/bee/internal/probe"
)

// Reason codes of the kernel log and NVLink judgements (docs/sat.md).
const (
	CodeGPUXid          = "GPU_XID"            // an NVIDIA Xid was logged during the test
	CodeNVLinkErrorRose = "NVLINK_ERRORS_ROSE" // an NVLink error counter rose during the test
)

// nvlinkArgv reads the NVLink error counters of every GPU.
var nvlinkArgv = []string{"nvidia-smi", "nvlink", "-e"}

// readKernelLog reads the kernel log with the audit's reader (probe.ReadKernelLog:
// /dev/kmsg, or `journalctl -k` when /dev/kmsg cannot be read); nil when neither
// could be read (the step says why, with a warning: Xids during the test are then
// not checked). /dev/kmsg is recorded as a read step, journalctl as a command step.
func (k *nvidiaKind) readKernelLog(ctx context.Context, s *session, name string) []byte {
	if ctx.Err() != nil {
		s.skip(ctx, name, nil, "")
		return nil
	}
	var st *Step
	kl := probe.ReadKernelLog(s.env.FS, func(argv []string) host.Result {
		var res host.Result
		st, res = s.exec(ctx, name, argv, cmdOpts{timeout: k.toolTimeout, quiet: true})
		return res
	})
	if kl.KmsgErr == nil {
		s.read(ctx, name, func() (any, map[string][]byte, error) {
			return map[string]any{"source": kl.Source, "bytes": len(kl.Data)}, map[string][]byte{kl.Source: kl.Data}, nil
		})
		return kl.Data
	}
	st.Message = fmt.Sprintf("%s not readable (%v): read from the journal", probe.KmsgPath, kl.KmsgErr)
	if st.Status != "" {
		if st.Status != StatusInterrupted {
			s.warn(st, "gpu", "the kernel log could not be read (%v; %s): Xid errors during the test not checked", kl.KmsgErr, describeErr(st))
		}
		return nil
	}
	if kl.Res.ExitCode != 0 {
		st.Status = StatusError
		s.warn(st, "gpu", "the kernel log could not be read (%v; %s): Xid errors during the test not checked", kl.KmsgErr, kl.Res.Describe())
		return nil
	}
	st.Status = StatusOK
	return kl.Data
}

// newLines are the lines of after that before does not hold (each line as often as
// after has it more than before). Each record's sequence number (/dev/kmsg) or time
// (the journal) makes every line unique, so these are the lines logged in between,
// wherever the ring buffer started.
func newLines(before, after []byte) []string {
	seen := map[string]int{}
	for _, l := range strings.Split(string(before), "\n") {
		seen[strings.TrimRight(l, "\r")]++
	}
	var out []string
	for _, l := range strings.Split(string(after), "\n") {
		l = strings.TrimRight(l, "\r")
		if strings.TrimSpace(l) == "" {
			continue
		}
		if seen[l] > 0 {
			seen[l]--
			continue
		}
		out = append(out, l)
	}
	return out
}

// judgeXids reports the NVIDIA Xid events logged between the two reads of the kernel
// log: one reason per Xid number and GPU, a failure when kmsg.Xids calls the Xid a
// failure or an error (the GPU needs a reset or is faulty: not acceptable in an
// acceptance test), else a warning (unknown Xid numbers too).
func (k *nvidiaKind) judgeXids(s *session, st *Step, before, after []byte) {
	lines := newLines(before, after)
	sum, err := kmsg.Parse([]byte(strings.Join(lines, "\n")))
	if err != nil {
		s.warn(st, "gpu", "the kernel log could not be read: %v; Xid errors during the test not checked", err)
		return
	}
	k.xids = sum.Xids
	st.Result = map[string]any{"new_lines": len(lines), "xids": sum.Xids}
	keys := make([]string, 0, len(sum.Xids))
	for key := range sum.Xids {
		keys = append(keys, key)
	}
	sort.Slice(keys, func(i, j int) bool { return sum.Xids[keys[i]].Xid < sum.Xids[keys[j]].Xid })
	for _, key := range keys {
		x := sum.Xids[key]
		sev := SeverityWarning
		if x.Severity == kmsg.SevFailure || x.Severity == kmsg.SevError {
			sev = SeverityFailure
		}
		meaning := x.Meaning
		if meaning == "" {
			meaning = "no description in bee's table"
		}
		devs := x.Devices
		if len(devs) == 0 {
			devs = []string{""}
		}
		for _, d := range devs {
			comp := "gpu"
			if d != "" {
				comp = "gpu " + xidBusID(d)
				if g, ok := k.gpus[xidBusID(d)]; ok {
					g.Xids = append(g.Xids, x.Xid)
				}
			}
			s.codedReason(st, sev, CodeGPUXid, comp, fmt.Sprintf("Xid %d during the test (%s), logged %s; first: %s",
				x.Xid, meaning, timesText(x.Count), x.First))
		}
	}
}

// xidBusID spells the address of an Xid line ("0000:19:00", the function left out)
// as the GPU results do ("0000:19:00.0").
func xidBusID(d string) string {
	d = normBusID(d)
	if strings.Count(d, ":") == 2 && !strings.Contains(d, ".") {
		d += ".0"
	}
	return d
}

func timesText(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

// readNVLink runs nvidia-smi nvlink -e. ok is false when there is nothing to compare:
// the command failed (a warning), or printed no GPU (no NVLink: nothing to judge).
func (k *nvidiaKind) readNVLink(ctx context.Context, s *session, name string) ([]nvidiasmi.NVLinkGPU, bool) {
	st, res := s.exec(ctx, name, nvlinkArgv, cmdOpts{timeout: k.toolTimeout, quiet: true})
	if st.Status != "" {
		if st.Status != StatusInterrupted {
			s.warn(st, "gpu", "nvidia-smi nvlink -e could not run (%s): NVLink error counters not compared", describeErr(st))
		}
		return nil, false
	}
	gpus, err := nvidiasmi.ParseNVLink(res.Stdout)
	switch {
	case err != nil:
		s.warn(st, "gpu", "nvidia-smi nvlink -e (exit status %d): %v: NVLink error counters not compared", res.ExitCode, err)
		return nil, false
	case res.ExitCode != 0:
		s.warn(st, "gpu", "%s: NVLink error counters not compared", res.Describe())
		return nil, false
	}
	st.Status = StatusOK
	st.Result = gpus
	links := 0
	for _, g := range gpus {
		links += len(g.Links)
	}
	st.Message = fmt.Sprintf("%d GPU(s), %d link(s)", len(gpus), links)
	return gpus, true
}

// judgeNVLink compares the NVLink error counters before and after the stress
// (nvidiasmi.JudgeNVLinkCounters): every counter that rose is a warning. A machine
// without NVLink counters has nothing to judge.
func (k *nvidiaKind) judgeNVLink(s *session, st *Step, before, after []nvidiasmi.NVLinkGPU) {
	fs, err := nvidiasmi.JudgeNVLinkCounters(before, after)
	if errors.Is(err, nvidiasmi.ErrNoCounters) {
		st.Message = joinMsg(st.Message, "no NVLink error counters: nothing to compare")
		return
	}
	for _, f := range fs {
		comp := "gpu"
		for _, g := range after {
			if g.Index == f.GPU {
				comp = k.busOfIndex(g)
			}
		}
		sev := SeverityWarning
		if f.Severity == nvidiasmi.SeverityFailure {
			sev = SeverityFailure
		}
		s.codedReason(st, sev, CodeNVLinkErrorRose, comp, f.Message+" during the test")
	}
}

// busOfIndex names the GPU of an nvlink block by its UUID when the GPU results know
// it, else by nvidia-smi's index.
func (k *nvidiaKind) busOfIndex(g nvidiasmi.NVLinkGPU) string {
	for _, id := range k.order {
		if r := k.gpus[id]; g.UUID != "" && strings.EqualFold(r.UUID, g.UUID) {
			return "gpu " + id
		}
	}
	return fmt.Sprintf("gpu %d", g.Index)
}
