package sat

import (
	"context"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/parse/dmidecode"
)

// identify fills the manifest's machine identity: from the audit file when there is
// one (it carries the whole inventory, so the archive can point at it), else just the
// SMBIOS system serial number from `dmidecode -s system-serial-number`. Placeholder
// serials ("To Be Filled By O.E.M.", "0123456789", ...) are recorded as null.
func (s *session) identify(ctx context.Context, auditPath string) {
	m := &s.m.Machine
	if h, err := s.env.FS.ReadFile("/proc/sys/kernel/hostname"); err == nil {
		m.Hostname = cleanStr(string(h))
	}
	if auditPath != "" {
		m.AuditFile = &auditPath
		// Capped and interruptible (audit.Load): --audit /dev/zero or a stuck
		// file cannot eat the memory or hold off SIGTERM.
		a, _, err := audit.Load(ctx, auditPath)
		if err == nil {
			m.Source = "audit"
			if sys := a.Hardware.System; sys != nil {
				m.SerialNumber = cleanPtr(sys.SerialNumber)
				m.Manufacturer = cleanPtr(sys.Manufacturer)
				m.ProductName = cleanPtr(sys.ProductName)
				m.UUID = cleanPtr(sys.UUID)
			}
			if m.Hostname == nil {
				m.Hostname = cleanPtr(a.Hostname)
			}
			m.AuditStartedAt = cleanStr(a.StartedAt)
			m.AuditVerdict = cleanStr(a.Hardware.Summary.Verdict)
			return
		}
		msg := err.Error()
		m.AuditError = &msg
	}
	st, res := s.exec(ctx, "dmidecode-serial", []string{"dmidecode", "-s", "system-serial-number"}, cmdOpts{timeout: 15 * time.Second, quiet: true})
	st.advisory = true
	if st.Status == "" {
		if res.ExitCode == 0 {
			m.SerialNumber = cleanStr(dmidecode.ParseKeyword(res.Stdout))
			st.Status = StatusOK
			st.Result = m.SerialNumber
			m.Source = "dmidecode"
		} else {
			st.Status, st.Message = StatusError, res.Describe()
		}
	}
	if m.Source == "" {
		m.Source = "none"
	}
	// An unknown identity does not change the verdict: the hardware was still tested.
	// The archive name says "unknown-serial" and summary.txt says why.
}

func cleanStr(s string) *string {
	s = strings.TrimSpace(s)
	if audit.IsPlaceholder(s) {
		return nil
	}
	return &s
}

func cleanPtr(p *string) *string {
	if p == nil {
		return nil
	}
	return cleanStr(*p)
}
