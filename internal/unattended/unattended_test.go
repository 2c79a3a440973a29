package unattended

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/results"
	"github.com/beeaudit/bee/internal/testtools/faketool"
)

func TestMain(m *testing.M) { os.Exit(faketool.RunTests(m)) }

// machine is a fake root: /proc/cmdline, the audit, the sat folder and the spool.
type machine struct {
	root, audit, satDir string
	spool               *results.Spool
	passes              int
	console             bytes.Buffer
}

func newMachine(t *testing.T, cmdline string) *machine {
	t.Helper()
	m := &machine{root: t.TempDir()}
	for _, d := range []string{"proc", "var/log/bee-sat"} {
		if err := os.MkdirAll(filepath.Join(m.root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(m.root, "proc/cmdline"), []byte(cmdline+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m.audit = filepath.Join(m.root, "var/log/bee-audit.json")
	if err := os.WriteFile(m.audit, []byte(`{"audit":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	m.satDir = filepath.Join(m.root, "var/log/bee-sat")
	sp, err := results.OpenSpool(filepath.Join(m.root, "var/spool/bee"))
	if err != nil {
		t.Fatal(err)
	}
	m.spool = sp
	return m
}

func (m *machine) config(t *testing.T, f *faketool.Fake, upload bool) Config {
	// host.Exec looks commands up on this process's PATH: the fake tools alone, so
	// that no real sync or systemctl can ever run from a test.
	t.Setenv("PATH", f.PathDir())
	return Config{
		Runner: host.Exec{Env: f.Env()}, FS: host.RootFS{Root: m.root}, Bee: filepath.Join(f.PathDir(), "bee"),
		Console: &m.console, UploadConfigured: upload, Spool: m.spool, AuditFile: m.audit, SatDir: m.satDir,
		SATTimeout: time.Minute, Poll: time.Millisecond,
	}
}

// store is the object store: it refuses while failing is set.
type store struct{ failing bool }

func (s *store) Put(_ context.Context, it results.Item, _ *os.File) (string, error) {
	if s.failing {
		return "", errors.New("503 Slow Down")
	}
	return "bucket/" + it.Key, nil
}

// daemon is one pass of the upload daemon over the fake machine (the spool's own code).
func (m *machine) daemon(t *testing.T, st results.Store) {
	t.Helper()
	srcs, err := results.Sources(m.audit, m.satDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		if _, err := m.spool.Enqueue(s, results.Identity{Serial: "S1"}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	// A retry's backoff is in the future: each pass moves "now" a day on, past it.
	m.passes++
	now := time.Now().Add(time.Duration(m.passes) * 24 * time.Hour)
	if _, err := m.spool.Drain(context.Background(), st, func() time.Time { return now }, time.Minute); err != nil {
		t.Fatal(err)
	}
}

func argvs(f *faketool.Fake) []string {
	var out []string
	for _, a := range f.Argvs() {
		out = append(out, strings.Join(append([]string{filepath.Base(a[0])}, a[1:]...), " "))
	}
	return out
}

// The sats run in order, a failing one does not stop the next, the done action waits
// until the store has confirmed every result (a failed upload retried in between).
func TestRunWaitsForUploads(t *testing.T) {
	m := newMachine(t, "BOOT_IMAGE=/vmlinuz boot=live bee.profile=r640 bee.sat=memory,storage,nvidia bee.done=poweroff fetch=http://h/filesystem.squashfs")
	memArchive := filepath.Join(m.satDir, "bee-sat-memory-S1.tar.gz")
	gpuArchive := filepath.Join(m.satDir, "bee-sat-nvidia-S1.tar.gz")
	f := faketool.New(t, faketool.Scenario{Commands: []faketool.Command{
		faketool.Cmd("bee", "sat", "memory").Answer(faketool.Response{StdoutText: "memory: PASS\n", SetFiles: map[string]string{memArchive: "mem"}}),
		faketool.Cmd("bee", "sat", "storage").Answer(faketool.Response{StderrText: "bee sat storage: no disks\n", Exit: 1}),
		faketool.Cmd("bee", "sat", "nvidia").Answer(faketool.Response{StdoutText: "nvidia: FAIL\n", Exit: 1, SetFiles: map[string]string{gpuArchive: "gpu"}}),
		faketool.Cmd("sync"),
		faketool.Cmd("systemctl", "poweroff"),
	}})
	c := m.config(t, f, true)
	st := &store{failing: true}
	sleeps := 0
	c.Sleep = func(ctx context.Context, d time.Duration) error {
		sleeps++
		for _, a := range argvs(f) {
			if strings.HasPrefix(a, "systemctl") || a == "sync" {
				t.Fatalf("%s while results are pending (sleep %d)", a, sleeps)
			}
		}
		switch sleeps {
		case 1: // the daemon has not scanned yet: nothing spooled
		case 2: // spooled, the store refuses
			m.daemon(t, st)
		case 3: // the store is back
			st.failing = false
			m.daemon(t, st)
		default:
			t.Fatalf("still waiting after every result was confirmed:\n%s", m.console.String())
		}
		return nil
	}
	out, err := Run(context.Background(), c)
	if err != nil {
		t.Fatalf("%v\n%s", err, m.console.String())
	}
	want := []string{"bee sat memory", "bee sat storage", "bee sat nvidia", "sync", "systemctl poweroff"}
	if got := argvs(f); !reflect.DeepEqual(got, want) {
		t.Errorf("ran %q, want %q", got, want)
	}
	if sleeps != 3 {
		t.Errorf("%d waits, want 3", sleeps)
	}
	if out.Action != DonePoweroff || !reflect.DeepEqual(out.Failed, []string{"storage", "nvidia"}) {
		t.Errorf("outcome %+v", out)
	}
	con := m.console.String()
	for _, s := range []string{"profile r640", "acceptance test 2 of 3: bee sat storage", "bee sat storage: no disks", "FAILED or not run: storage, nvidia",
		"waiting for the store to confirm 3 result(s)", "every result is confirmed by the store", "systemctl poweroff"} {
		if !strings.Contains(con, s) {
			t.Errorf("console lacks %q:\n%s", s, con)
		}
	}
}

// An archive replaced after its upload (same name, new content) is not confirmed.
func TestUnconfirmedSeesNewContent(t *testing.T) {
	m := newMachine(t, "")
	c := Config{Spool: m.spool, AuditFile: m.audit, SatDir: m.satDir}
	m.daemon(t, &store{})
	if w, err := c.unconfirmed(); err != nil || len(w) != 0 {
		t.Fatalf("after upload: %q %v", w, err)
	}
	if err := os.WriteFile(m.audit, []byte(`{"audit":2}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if w, err := c.unconfirmed(); err != nil || !reflect.DeepEqual(w, []string{m.audit}) {
		t.Errorf("changed audit: %q %v", w, err)
	}
}

// No store: the action once the results are written, and the console says where they are.
func TestRunNoUpload(t *testing.T) {
	m := newMachine(t, "bee.sat=nvidia bee.done=reboot")
	archive := filepath.Join(m.satDir, "bee-sat-nvidia-S1.tar.gz")
	f := faketool.New(t, faketool.Scenario{Commands: []faketool.Command{
		faketool.Cmd("bee", "sat", "nvidia").Answer(faketool.Response{SetFiles: map[string]string{archive: "gpu"}}),
		faketool.Cmd("sync"),
		faketool.Cmd("systemctl", "reboot"),
	}})
	out, err := Run(context.Background(), m.config(t, f, false))
	if err != nil || out.Action != DoneReboot {
		t.Fatalf("%+v %v\n%s", out, err, m.console.String())
	}
	con := m.console.String()
	for _, s := range []string{"no upload configured", archive, m.audit, "LOST at power off"} {
		if !strings.Contains(con, s) {
			t.Errorf("console lacks %q:\n%s", s, con)
		}
	}
}

// bee sat's exit status 3 is a warning verdict (a finished test; in QEMU, bee sat memory
// warns that there are no EDAC counters): reported as a warning, not as FAILED.
func TestRunWarningIsNotAFailure(t *testing.T) {
	m := newMachine(t, "bee.sat=memory,storage bee.done=poweroff")
	archive := filepath.Join(m.satDir, "memory-S1-20261206T203723Z.tar.gz")
	f := faketool.New(t, faketool.Scenario{Commands: []faketool.Command{
		faketool.Cmd("bee", "sat", "memory").Answer(faketool.Response{StdoutText: "bee sat memory: WARNING\n", Exit: 3, SetFiles: map[string]string{archive: "mem"}}),
		faketool.Cmd("bee", "sat", "storage").Answer(faketool.Response{StderrText: "bee sat storage: no disks\n", Exit: 1}),
		faketool.Cmd("sync"),
		faketool.Cmd("systemctl", "poweroff"),
	}})
	out, err := Run(context.Background(), m.config(t, f, false))
	if err != nil || out.Action != DonePoweroff {
		t.Fatalf("%+v %v\n%s", out, err, m.console.String())
	}
	if !reflect.DeepEqual(out.Warned, []string{"memory"}) || !reflect.DeepEqual(out.Failed, []string{"storage"}) {
		t.Errorf("warned %q, failed %q; want [memory], [storage]", out.Warned, out.Failed)
	}
	con := m.console.String()
	for _, s := range []string{"bee sat memory: done, verdict WARNING (exit status 3", "FAILED or not run: storage (", "acceptance tests with a WARNING: memory"} {
		if !strings.Contains(con, s) {
			t.Errorf("console lacks %q:\n%s", s, con)
		}
	}
	if strings.Contains(con, "FAILED or not run: memory") || strings.Contains(con, "memory, storage") {
		t.Errorf("the warning is reported as a failure:\n%s", con)
	}
}

func TestRunStayAndNothing(t *testing.T) {
	for _, cmdline := range []string{"bee.sat=memory bee.done=stay", "bee.sat=memory"} {
		m := newMachine(t, cmdline)
		f := faketool.New(t, faketool.Scenario{Commands: []faketool.Command{faketool.Cmd("bee", "sat", "memory")}})
		out, err := Run(context.Background(), m.config(t, f, true))
		if err != nil || out.Action != "" || !strings.Contains(m.console.String(), "staying on") {
			t.Errorf("%s: %+v %v\n%s", cmdline, out, err, m.console.String())
		}
	}
	m := newMachine(t, "boot=live quiet")
	f := faketool.New(t, faketool.Scenario{})
	if out, err := Run(context.Background(), m.config(t, f, true)); err != nil || out.Action != "" || m.console.Len() != 0 {
		t.Errorf("nothing asked: %+v %v %q", out, err, m.console.String())
	}
}

// Bad values: a clear message, nothing run (the fake is strict: any call fails the test).
func TestRunBadValues(t *testing.T) {
	for _, tc := range []struct{ cmdline, msg string }{
		{"bee.sat=memory,cpu bee.done=poweroff", `"cpu" is not one of memory, storage, nvidia`},
		{"bee.sat=memory bee.done=halt", "bee.done=halt: not one of poweroff, reboot, stay"},
		{"bee.sat= bee.done=poweroff", "bee.sat= is empty"},
		{"bee.sat=memory,memory", "memory named twice"},
		{"bee.done=poweroff bee.done=stay", "bee.done= given twice"},
		{"bee.sat=Memory", `"Memory" is not one of`},
	} {
		m := newMachine(t, tc.cmdline)
		f := faketool.New(t, faketool.Scenario{})
		out, err := Run(context.Background(), m.config(t, f, true))
		if !errors.Is(err, ErrBadCmdline) || out.Action != "" {
			t.Errorf("%s: %+v %v", tc.cmdline, out, err)
		}
		con := m.console.String()
		if !strings.Contains(con, tc.msg) || !strings.Contains(con, "nothing run, no power action") {
			t.Errorf("%s: console %q, want %q", tc.cmdline, con, tc.msg)
		}
	}
}

func TestParseCmdline(t *testing.T) {
	p, err := ParseCmdline("boot=live bee.profile=gpu-a bee.sat=nvidia,memory bee.done=reboot bee.upload=s3://b/p")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Plan{Profile: "gpu-a", SAT: []string{"nvidia", "memory"}, Done: DoneReboot}); !reflect.DeepEqual(p, want) {
		t.Errorf("%+v, want %+v", p, want)
	}
	if !(Plan{Done: DoneStay}).Empty() || (Plan{Done: DonePoweroff}).Empty() {
		t.Error("Empty")
	}
	if _, err := ParseCmdline("bee.done=poweroff\x1b[2J"); err == nil || strings.Contains(err.Error(), "\x1b") {
		t.Errorf("control characters: %v", err)
	}
}
