package audit

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/host"
)

// TestMaxDurationCoversEveryCollector: MaxDuration knows a chain for every
// collector of CollectorNames (a new collector left out fails here), and
// every tool timeout of Timeouts moves the bound (a timeout no chain uses
// fails here).
func TestMaxDurationCoversEveryCollector(t *testing.T) {
	chains := DefaultTimeouts.chains()
	for _, name := range CollectorNames() {
		d, ok := chains[name]
		if !ok || d <= 0 {
			t.Errorf("collector %q has no chain in MaxDuration (%v)", name, d)
		}
		if d >= DefaultTimeouts.MaxDuration() {
			t.Errorf("collector %q: chain %v not below MaxDuration %v", name, d, DefaultTimeouts.MaxDuration())
		}
	}
	if len(chains) != len(CollectorNames()) {
		t.Errorf("chains for %d collectors, CollectorNames has %d", len(chains), len(CollectorNames()))
	}

	const huge = 10 * time.Hour
	v := reflect.ValueOf(&Timeouts{}).Elem()
	for i := range v.NumField() {
		to := DefaultTimeouts
		reflect.ValueOf(&to).Elem().Field(i).Set(reflect.ValueOf(huge))
		if got := to.MaxDuration(); got < huge {
			t.Errorf("Timeouts.%s = %v: MaxDuration %v ignores it", v.Type().Field(i).Name, huge, got)
		}
	}
	if got := DefaultTimeouts.Capped(time.Second).MaxDuration(); got >= DefaultTimeouts.MaxDuration() {
		t.Errorf("capped timeouts: MaxDuration %v, not below the default %v", got, DefaultTimeouts.MaxDuration())
	}
}

// hangingRunner answers every command as a tool that hung until its timeout,
// and remembers the timeout each command was given.
type hangingRunner struct {
	mu       sync.Mutex
	timeouts map[string]time.Duration
}

func (h *hangingRunner) Run(_ context.Context, c host.Cmd) host.Result {
	h.mu.Lock()
	h.timeouts[strings.Join(c.Argv, " ")] = c.Timeout
	h.mu.Unlock()
	return host.Result{Argv: c.Argv, ExitCode: -1, Err: host.ErrTimeout, Duration: c.Timeout}
}

// TestMaxDurationBoundsHungTools audits a machine on which every tool hangs
// (a BMC, a network port, a Mellanox adapter, no readable /dev/kmsg: every
// collector runs its tools) and checks each collector's chain in MaxDuration
// covers the timeouts of the commands it ran: all of them one after the
// other, but for the collectors that run theirs side by side (bmc, psu),
// where the longest must be covered.
func TestMaxDurationBoundsHungTools(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"/dev/ipmi0":                               "",
		"/sys/class/net/eth0/address":              "00:0a:f7:00:00:02\n",
		"/sys/class/net/eth0/operstate":            "up\n",
		"/sys/bus/pci/devices/0000:ca:00.0/vendor": "0x14e4\n",
		"/sys/bus/pci/devices/0000:18:00.0/vendor": "0x15b3\n",
	}
	for p, c := range files {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte(c), 0o644)
	}
	os.Symlink("../../../bus/pci/devices/0000:ca:00.0", filepath.Join(root, "/sys/class/net/eth0/device"))

	// Timeouts all different, so a command's timeout names its tool.
	to := Timeouts{}
	v := reflect.ValueOf(&to).Elem()
	for i := range v.NumField() {
		v.Field(i).Set(reflect.ValueOf(time.Duration(i+1) * time.Second))
	}
	hr := &hangingRunner{timeouts: map[string]time.Duration{}}
	a := Run(context.Background(), Env{Runner: hr, FS: host.RootFS{Root: root}, Timeouts: to})
	chains := to.chains()
	side := map[string]bool{"bmc": true, "psu": true}
	for _, c := range a.Collectors {
		if len(c.Commands) == 0 {
			t.Errorf("collector %s ran no command: this machine does not exercise it", c.Name)
			continue
		}
		var sum, longest time.Duration
		for _, cmd := range c.Commands {
			d := hr.timeouts[strings.Join(cmd.Argv, " ")]
			sum += d
			longest = max(longest, d)
		}
		need := sum
		if side[c.Name] {
			need = longest
		}
		if chains[c.Name] < need {
			t.Errorf("collector %s ran %d commands worth %v of timeouts; its chain in MaxDuration is %v", c.Name, len(c.Commands), need, chains[c.Name])
		}
		if to.MaxDuration() < need {
			t.Errorf("collector %s needs %v; MaxDuration is %v", c.Name, need, to.MaxDuration())
		}
	}
}

// TestAuditUnitWaitsLongerThanTheAudit: the ISO's bee-audit.service must let
// bee's own bound end the audit, not systemd's kill.
func TestAuditUnitWaitsLongerThanTheAudit(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "iso", "overlay", "etc", "systemd", "system", "bee-audit.service"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "TimeoutStartSec=")
		if !ok {
			continue
		}
		d, err := time.ParseDuration(v + "s")
		if err != nil {
			t.Fatalf("TimeoutStartSec=%s: %v", v, err)
		}
		if d <= DefaultTimeouts.MaxDuration() {
			t.Errorf("bee-audit.service TimeoutStartSec=%s, not above bee audit's bound %v", v, DefaultTimeouts.MaxDuration())
		}
		return
	}
	t.Fatal("bee-audit.service has no TimeoutStartSec")
}
