package audit

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/kmsg"
	"github.com/beeaudit/bee/internal/probe"
)

// collectKernelLog reads the kernel log since boot once (/dev/kmsg, without
// waiting for new records; `journalctl -k` when /dev/kmsg cannot be read) and
// counts its hardware events (internal/parse/kmsg). Skipped with both reasons
// when neither can be read.
func collectKernelLog(c *cctx, p *parts) error {
	kl := probe.ReadKernelLog(c.env.FS, func(argv []string) host.Result { return c.run(c.env.Timeouts.Journal, argv...) })
	if kl.KmsgErr != nil {
		res := kl.Res
		switch {
		case errors.Is(res.Err, host.ErrNotFound):
			return skip("kernel log not readable: %v; journalctl not found on PATH", kl.KmsgErr)
		case res.Err != nil || res.ExitCode != 0:
			return skip("kernel log not readable: %v; %s", kl.KmsgErr, firstLines(res.Describe(), 1))
		}
	}
	s, err := kmsg.Parse(kl.Data)
	if err != nil {
		return fmt.Errorf("%s: %w", kl.Source, err)
	}
	out := &KernelLog{Source: kl.Source, Lines: s.Lines, Events: []KernelEvent{}, Xids: []KernelXid{}}
	for kind, k := range s.Kinds {
		out.Events = append(out.Events, KernelEvent{
			Kind: kind, Severity: clean(k.Severity), Count: k.Count, Errors: k.Errors,
			Devices: k.Devices, First: k.First, Last: clean(k.Last),
		})
	}
	sort.Slice(out.Events, func(i, j int) bool { return out.Events[i].Kind < out.Events[j].Kind })
	for _, x := range s.Xids {
		out.Xids = append(out.Xids, KernelXid{
			Xid: x.Xid, Count: x.Count, Meaning: clean(x.Meaning), Severity: clean(x.Severity),
			Devices: x.Devices, First: x.First,
		})
	}
	sort.Slice(out.Xids, func(i, j int) bool { return out.Xids[i].Xid < out.Xids[j].Xid })
	p.kernelLog = out
	return nil
}

// kernelLogFindings: one finding per kind of hardware event and per Xid
// number, with the count and the first line; a kind or Xid whose severity
// hint is "failure" (Xid 48, 64, 79, 95; uncorrected machine checks, fatal
// AER, EDAC UE, ...) is a failure, any other a warning. The Xid lines are
// judged per Xid number, not as one kind.
func kernelLogFindings(l *findingList, h *Hardware) {
	k := h.KernelLog
	if k == nil {
		return
	}
	for _, e := range k.Events {
		if e.Kind == kmsg.KindXid {
			continue
		}
		sev := SeverityWarning
		if str(e.Severity) == kmsg.SevFailure {
			sev = SeverityFailure
		}
		l.add(sev, "kernel_log", "KERNEL_"+strings.ToUpper(e.Kind), "%d %s since boot, first: %s",
			e.Count, plural(e.Count, "line", "lines"), trimLine(e.First))
	}
	for _, x := range k.Xids {
		sev := SeverityWarning
		if str(x.Severity) == kmsg.SevFailure {
			sev = SeverityFailure
		}
		what := "Xid " + strconv.Itoa(x.Xid)
		if x.Meaning != nil {
			what += " (" + *x.Meaning + ")"
		}
		on := ""
		if len(x.Devices) > 0 {
			on = " on " + strings.Join(x.Devices, ", ")
		}
		l.add(sev, "kernel_log", "GPU_XID_"+strconv.Itoa(x.Xid), "%s%s: %d %s since boot, first: %s",
			what, on, x.Count, plural(x.Count, "time", "times"), trimLine(x.First))
	}
}

// trimLine keeps a finding's message to one readable line.
func trimLine(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
