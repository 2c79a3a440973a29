package audit

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/ipmitool"
	"github.com/beeaudit/bee/internal/probe"
)

// collectBMC reads the BMC's identity and firmware (`mc info`), its network
// address (`lan print`) and its System Event Log (`sel info`, `sel elist`,
// every entry kept), all through probe.ReadBMCInfo. Skipped when the machine has no IPMI device node. Each
// part that fails is a problem of the collector; the others are still kept.
func collectBMC(c *cctx, p *parts) error {
	if !probe.HasBMC(c.env.FS) {
		return skip("no /dev/ipmi0: no BMC, or the ipmi_si/ipmi_devintf modules are not loaded")
	}
	r := probe.ReadBMCInfo(c.runFunc(c.env.Timeouts.Ipmitool))
	mc, lan, selInfo, selList := r.MC, r.LAN, r.SELInfo, r.SEL
	if errors.Is(mc.Err, host.ErrNotFound) {
		return toolErr(mc)
	}

	b := &BMC{}
	ok := false
	if err := toolErr(mc); err != nil {
		c.problem("%v", err)
	} else if info, err := ipmitool.ParseMCInfo(mc.Stdout); err != nil {
		c.problem("ipmitool mc info: %v", err)
	} else {
		ok = true
		b.Manufacturer, b.ManufacturerID, b.ProductID = clean(info.Manufacturer), info.ManufacturerID, info.ProductID
		b.FirmwareRevision, b.IPMIVersion = clean(info.FirmwareRevision), clean(info.IPMIVersion)
	}
	if err := toolErr(lan); err != nil {
		// A BMC without a LAN channel (QEMU's simulated BMC; boards whose BMC
		// LAN is on another channel number or off): ipmitool finds no channel
		// and says "Invalid channel". That is a property of the BMC, not a
		// failed read: the address stays unknown (null), the collector is ok.
		if lan.Err != nil || !ipmitool.NoLANChannel(append(append([]byte{}, lan.Stdout...), lan.Stderr...)) {
			c.problem("%v", err)
		}
	} else if l, err := ipmitool.ParseLAN(lan.Stdout); err != nil {
		c.problem("ipmitool lan print: %v", err)
	} else {
		ok = true
		if l.Configured {
			b.IPAddress = clean(l.IPAddress)
		}
		b.IPSource, b.MACAddress = clean(l.IPSource), clean(l.MACAddress)
	}

	sel := &SEL{}
	selOK := false
	if err := toolErr(selInfo); err != nil {
		c.problem("%v", err)
	} else if si, err := ipmitool.ParseSELInfo(selInfo.Stdout); err != nil {
		c.problem("ipmitool sel info: %v", err)
	} else {
		selOK = true
		sel.PercentUsed, sel.Full = si.PercentUsed, si.Full
	}
	if err := toolErr(selList); err != nil {
		c.problem("%v", err)
	} else if l, err := ipmitool.ParseSEL(selList.Stdout); err != nil {
		c.problem("ipmitool sel elist: %v", err)
	} else {
		selOK = true
		sel.Entries = make([]SELEntry, 0, len(l.Entries))
		for _, e := range l.Entries {
			sel.Entries = append(sel.Entries, SELEntry{
				ID: e.ID, Timestamp: clean(e.Timestamp), Date: clean(e.Date), Time: clean(e.Time),
				Sensor: clean(e.Sensor), Event: e.Event, Direction: clean(e.Direction), Extra: clean(e.Extra),
				Class: clean(e.Class),
			})
		}
	}
	if selOK {
		b.SEL = sel
		ok = true
	}
	if ok {
		p.bmc = b
	}
	return nil
}

// Finding codes of the bmc collector (docs/findings.md). A SEL class gives
// the code "SEL_" + the class in capitals (SEL_PSU_FAILURE).
const (
	CodeSELFull = "SEL_FULL" // warning: the SEL is full, newer events may be lost
)

// selFindings: one finding per hardware-trouble class of the SEL, with how many
// entries and the first and last one's timestamp; critical classes are
// failures. The SEL is history: a fixed fault stays until the SEL is cleared.
func selFindings(l *findingList, h *Hardware) {
	if h.BMC == nil || h.BMC.SEL == nil {
		return
	}
	sel := h.BMC.SEL
	if sel.Full {
		used := "full"
		if sel.PercentUsed != nil {
			used = fmt.Sprintf("%d%% used", *sel.PercentUsed)
		}
		l.add(SeverityWarning, "bmc:sel", CodeSELFull, "the BMC's event log is %s: newer events may be lost (clear it after saving: ipmitool sel clear)", used)
	}
	type acc struct {
		n           int
		first, last SELEntry
	}
	classes := map[string]*acc{}
	for _, e := range sel.Entries {
		if e.Class == nil {
			continue
		}
		a := classes[*e.Class]
		if a == nil {
			a = &acc{first: e}
			classes[*e.Class] = a
		}
		a.n++
		a.last = e
	}
	names := make([]string, 0, len(classes))
	for k := range classes {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, class := range names {
		a := classes[class]
		sev := SeverityWarning
		if ipmitool.SELClassSeverity(class) == ipmitool.SELSeverityCritical {
			sev = SeverityFailure
		}
		msg := fmt.Sprintf("%d SEL %s: first %s", a.n, plural(a.n, "entry", "entries"), selLine(a.first))
		if a.n > 1 {
			msg += "; last " + selLine(a.last)
		}
		l.add(sev, "bmc:sel", "SEL_"+strings.ToUpper(class), "%s", msg)
	}
}

func selLine(e SELEntry) string {
	when := "at an unknown time (BMC clock not set)"
	switch {
	case e.Timestamp != nil:
		when = *e.Timestamp
	case e.Date != nil:
		when = strings.TrimSpace(*e.Date + " " + str(e.Time))
	}
	return fmt.Sprintf("%s %s: %s", when, str(e.Sensor), e.Event)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
