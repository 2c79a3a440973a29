package tui

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/beeaudit/bee/internal/host"
)

// fakeRunner answers only the commands a test expects, each once, and fails
// the test on any other command and on an expected command never run.
type fakeRunner struct {
	t      testing.TB
	mu     sync.Mutex
	expect []*expectation
	calls  [][]string
}

type expectation struct {
	argv []string
	run  func(ctx context.Context, c host.Cmd) host.Result
	used bool
	// optional: a command that may run any number of times (or never)
	repeat bool
}

func newFakeRunner(t testing.TB) *fakeRunner {
	f := &fakeRunner{t: t}
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, e := range f.expect {
			if !e.used && !e.repeat {
				t.Errorf("expected command never ran: %q", e.argv)
			}
		}
	})
	return f
}

// on expects argv once; run produces its result (nil: exit 0, no output).
func (f *fakeRunner) on(argv []string, run func(ctx context.Context, c host.Cmd) host.Result) *fakeRunner {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expect = append(f.expect, &expectation{argv: argv, run: run})
	return f
}

func (f *fakeRunner) Run(ctx context.Context, c host.Cmd) host.Result {
	f.mu.Lock()
	f.calls = append(f.calls, c.Argv)
	var e *expectation
	for _, x := range f.expect {
		if (!x.used || x.repeat) && equalArgv(x.argv, c.Argv) {
			e = x
			break
		}
	}
	if e != nil {
		e.used = true
	}
	f.mu.Unlock()
	if e == nil {
		f.t.Errorf("unexpected command: %q", c.Argv)
		return host.Result{Argv: c.Argv, ExitCode: -1, Err: fmt.Errorf("%s: %w", c.Argv[0], host.ErrNotFound)}
	}
	if c.Timeout <= 0 {
		f.t.Errorf("command %q has no explicit timeout", c.Argv)
	}
	if e.run == nil {
		return host.Result{Argv: c.Argv, Path: "/usr/bin/" + c.Argv[0]}
	}
	return e.run(ctx, c)
}

func (f *fakeRunner) ran(argv ...string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.calls {
		if equalArgv(c, argv) {
			return true
		}
	}
	return false
}

func (f *fakeRunner) callList() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var s []string
	for _, c := range f.calls {
		s = append(s, strings.Join(c, " "))
	}
	return strings.Join(s, "\n")
}

func equalArgv(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fakeSystem is a fixed machine state.
type fakeSystem struct {
	mu     sync.Mutex
	ifaces []Iface
	err    error
	ssh    SSHState
	units  map[string][]string // successive answers of UnitState; the last repeats
}

func (s *fakeSystem) Interfaces(context.Context) ([]Iface, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Iface(nil), s.ifaces...), s.err
}

func (s *fakeSystem) SSH(context.Context) SSHState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ssh
}

func (s *fakeSystem) UnitState(_ context.Context, unit string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.units[unit]
	if len(a) == 0 {
		return "inactive"
	}
	v := a[0]
	if len(a) > 1 {
		s.units[unit] = a[1:]
	}
	return v
}

func (s *fakeSystem) set(ifaces []Iface) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ifaces = ifaces
}

func bptr(b bool) *bool { return &b }

// lanSystem: a server on a LAN with DHCP, a second port without link, and SSH up.
func lanSystem() *fakeSystem {
	return &fakeSystem{
		ifaces: []Iface{
			{Name: "eno1", MAC: "3c:ec:ef:12:34:56", State: "up", Carrier: bptr(true), Physical: true, Kind: "ether",
				Addrs: []Addr{
					{Prefix: netip.MustParsePrefix("10.20.30.41/24"), Scope: "global", Dynamic: true},
					{Prefix: netip.MustParsePrefix("fe80::3eec:efff:fe12:3456/64"), Scope: "link"},
				}, Gateway: "10.20.30.1"},
			{Name: "eno2", MAC: "3c:ec:ef:12:34:57", State: "down", Carrier: bptr(false), Physical: true, Kind: "ether"},
		},
		ssh: SSHState{Unit: "active", Listening: true},
	}
}

// isolatedSystem: no address anywhere, SSH up but unreachable.
func isolatedSystem() *fakeSystem {
	return &fakeSystem{
		ifaces: []Iface{
			{Name: "eno1", MAC: "3c:ec:ef:12:34:56", State: "down", Carrier: bptr(false), Physical: true, Kind: "ether"},
			{Name: "ibp12s0", MAC: "00:00:10:29:fe:80:00:00:00:00:00:00:0c:42:a1:03:00:0b:cc:d6", State: "down", Physical: true, Kind: "infiniband"},
		},
		ssh: SSHState{Unit: "active", Listening: true},
	}
}
