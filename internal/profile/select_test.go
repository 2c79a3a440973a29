package profile

import (
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/host"
)

// A panic while choosing or judging costs the profile, not the audit.
func TestApplyRecoversFromAPanic(t *testing.T) {
	a := sample(t, "qemu-vm")
	c := Chooser{FS: host.RootFS{Root: t.TempDir()}, ReadFile: func(string) ([]byte, error) { panic("boom") }}
	fs := c.Apply("x.yaml", a)
	if len(fs) != 1 || fs[0].Code != CodeProfileUnusable || fs[0].Severity != audit.SeverityWarning || !strings.Contains(fs[0].Message, "internal error") || a.Hardware.Profile != nil {
		t.Errorf("got %+v, profile %+v", fs, a.Hardware.Profile)
	}
}
