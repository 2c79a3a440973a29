package probe

import (
	"errors"
	"slices"
	"testing"

	"github.com/beeaudit/bee/internal/host"
)

// replay answers one argv with a capture; any other argv fails the test.
func replay(t *testing.T, want []string, res host.Result) RunFunc {
	return func(argv []string) host.Result {
		t.Helper()
		if !slices.Equal(argv, want) {
			t.Errorf("argv %q, want %q", argv, want)
		}
		res.Argv = argv
		return res
	}
}

// smartctl's exit status is a bitmask that also reports the disk's health: its
// JSON is parsed whatever the status (a FAILED USB disk, exit 216).
func TestReadSMART(t *testing.T) {
	failed := capture(t, "smartctl/testdata/usb-jmicron_hitachi-hds721050dle630_FAILED_a.json")
	r := ReadSMART(replay(t, []string{"smartctl", "-j", "-x", "/dev/sda"}, host.Result{Stdout: failed, ExitCode: 216}), "/dev/sda")
	if r.ParseErr != nil || r.V == nil || r.V.SmartPassed == nil || *r.V.SmartPassed || r.Res.ExitCode != 216 {
		t.Fatalf("%+v", r)
	}
	s := ReadSMARTStatus(replay(t, []string{"smartctl", "-j", "-a", "/dev/sdb"}, host.Result{Stdout: failed, ExitCode: 216}), "/dev/sdb")
	if s.V == nil || s.V.SerialNumber != r.V.SerialNumber {
		t.Fatalf("status %+v", s)
	}
	// Not run: nothing parsed, no parse error. Run, but no JSON: a parse error.
	if r := ReadSMART(func(argv []string) host.Result { return host.Result{Argv: argv, ExitCode: -1, Err: host.ErrNotFound} }, "/dev/sda"); r.V != nil || r.ParseErr != nil || !errors.Is(r.Res.Err, host.ErrNotFound) {
		t.Errorf("not found: %+v", r)
	}
	if r := ReadSMART(func(argv []string) host.Result {
		return host.Result{Argv: argv, ExitCode: 1, Stdout: []byte("smartctl: bad\n")}
	}, "/dev/sda"); r.V != nil || r.ParseErr == nil {
		t.Errorf("not JSON: %+v", r)
	}
}

// The NVMe readers address the controller, one `nvme <page> CTRL -o json` each.
func TestReadNVMe(t *testing.T) {
	id := ReadNVMeIDCtrl(replay(t, []string{"nvme", "id-ctrl", "/dev/nvme0", "-o", "json"},
		host.Result{Stdout: capture(t, "nvme/testdata/id-ctrl_samsung-980pro.json")}), "/dev/nvme0")
	if id.ParseErr != nil || id.V == nil || id.V.ModelNumber == "" {
		t.Errorf("id-ctrl %+v", id)
	}
	sl := ReadNVMeSmartLog(replay(t, []string{"nvme", "smart-log", "/dev/nvme1", "-o", "json"},
		host.Result{Stdout: capture(t, "nvme/testdata/smart-log_nvme-cli-2.3.json")}), "/dev/nvme1")
	if sl.ParseErr != nil || sl.V == nil || sl.V.CriticalWarning == nil {
		t.Errorf("smart-log %+v", sl)
	}
	el := ReadNVMeErrorLog(replay(t, []string{"nvme", "error-log", "/dev/nvme0", "-o", "json"},
		host.Result{ExitCode: 1, Stderr: []byte("error-log: Inappropriate ioctl for device\n")}), "/dev/nvme0")
	if el.V != nil || el.ParseErr == nil || el.Res.ExitCode != 1 {
		t.Errorf("error-log %+v", el)
	}
	st := ReadNVMeSelfTestLog(replay(t, []string{"nvme", "self-test-log", "/dev/nvme0", "-o", "json"},
		host.Result{ExitCode: -1, Err: host.ErrTimeout}), "/dev/nvme0")
	if st.V != nil || st.ParseErr != nil {
		t.Errorf("self-test-log %+v", st)
	}
}
