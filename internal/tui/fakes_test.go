package tui

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/testtools/faketool"
)

// fakeRunner runs the menu's commands as real processes, through host.Exec,
// against the shared fake tools (internal/testtools/faketool, docs/testing.md):
// the scenario given to newFakeRunner says which argv may run and what each
// call answers; any other call, and a scenario command that never ran, fails
// the test.
//
// The menu names bee by its installed path (Options.Bee = testBee, as on the
// live system and in the goldens) and the other tools by name; the runner runs
// each from the fake's PATH folder, never from the machine running the tests
// (host.Exec looks a bare name up on the test process's PATH, where a real
// systemctl would be found). It also keeps what only the runner sees: whether
// the command had a live output stream (Cmd.Stream), its timeout, its result.
type fakeRunner struct {
	t    testing.TB
	fake *faketool.Fake
	mu   sync.Mutex
	runs []*fakeRun
	// result, when set, replaces the result of every run: a runner error no
	// real process gives (see TestUntrustedStrings).
	result func(host.Result) host.Result
}

// fakeRun is one command the menu asked the runner to run.
type fakeRun struct {
	argv    []string // as the menu gave it
	stream  bool     // Cmd.Stream set
	timeout time.Duration
	res     *host.Result // nil while it runs
}

// runnerTools are linked on the fake's PATH even when the scenario does not
// name them, so that an unexpected call of them is answered and reported.
var runnerTools = []string{"bee", "dhclient", "ip", "systemctl"}

// newFakeRunner expects the commands of cmds (argv[0] "bee" stands for
// testBee), as faketool.Cmd describes them.
func newFakeRunner(t testing.TB, cmds ...faketool.Command) *fakeRunner {
	t.Helper()
	return &fakeRunner{t: t, fake: faketool.New(t, faketool.Scenario{Commands: cmds, Tools: runnerTools})}
}

func (f *fakeRunner) Run(ctx context.Context, c host.Cmd) host.Result {
	if len(c.Argv) == 0 {
		f.t.Errorf("empty command")
		return host.Result{ExitCode: -1, Err: errors.New("empty command")}
	}
	run := &fakeRun{argv: slices.Clone(c.Argv), stream: c.Stream != nil, timeout: c.Timeout}
	f.mu.Lock()
	f.runs = append(f.runs, run)
	f.mu.Unlock()
	if c.Timeout <= 0 {
		f.t.Errorf("command %q has no explicit timeout", c.Argv)
	}
	name := c.Argv[0]
	switch {
	case name == testBee:
		name = "bee"
	case strings.ContainsRune(name, '/'):
		f.t.Errorf("unexpected command %q: only bee is run by its path (%s)", c.Argv, testBee)
		return host.Result{Argv: c.Argv, ExitCode: -1, Err: fmt.Errorf("%s: %w", name, host.ErrNotFound)}
	}
	fc := c
	fc.Argv = append([]string{filepath.Join(f.fake.PathDir(), name)}, c.Argv[1:]...)
	res := host.Exec{Env: f.fake.Env()}.Run(ctx, fc)
	res.Argv = c.Argv
	if f.result != nil {
		res = f.result(res)
	}
	f.mu.Lock()
	run.res = &res
	f.mu.Unlock()
	return res
}

// ran says whether the menu asked to run argv.
func (f *fakeRunner) ran(argv ...string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.runs {
		if slices.Equal(r.argv, argv) {
			return true
		}
	}
	return false
}

// callList is every command the menu asked to run, one a line.
func (f *fakeRunner) callList() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var s []string
	for _, r := range f.runs {
		s = append(s, strings.Join(r.argv, " "))
	}
	return strings.Join(s, "\n")
}

// run returns the i-th command the menu asked to run (from 0), failing the
// test when there are fewer.
func (f *fakeRunner) run(i int) fakeRun {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if i >= len(f.runs) {
		f.t.Fatalf("command %d never ran; ran: %d", i, len(f.runs))
	}
	return *f.runs[i]
}

// tempFile writes b to a file of the test's temporary folder and returns its
// absolute path: output for a scenario (faketool replays files byte for byte).
func tempFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// absPath is p made absolute (scenario files must be).
func absPath(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// fakeSystem is a fixed machine state.
type fakeSystem struct {
	mu     sync.Mutex
	ifaces []Iface
	err    error
	ssh    SSHState
	units  map[string][]string // successive answers of UnitState; the last repeats
	// uploads is the answer of Uploads.
	uploads string
}

func (s *fakeSystem) Uploads(context.Context) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uploads
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
