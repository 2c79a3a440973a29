package tui

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/testtools/faketool"
	"github.com/google/go-cmp/cmp"
)

// deadPID is a pid no process can have (above the kernel's largest pid_max).
const deadPID = 1<<31 - 1

func TestTestLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run", "bee") // created on demand
	a := lockInfo{PID: os.Getpid(), TTY: "/dev/tty1", Kind: "memory", Argv: []string{"bee", "sat", "memory"},
		Started: testNow, Log: filepath.Join(dir, lockLogName)}
	if h := lockHolder(dir); h != nil {
		t.Fatalf("holder before any lock: %+v", h)
	}
	la, h, err := acquireTestLock(dir, a)
	if err != nil || h != nil || la == nil {
		t.Fatalf("first lock: %v, holder %+v", err, h)
	}
	// A second menu (same process, its own open file) is refused and told who.
	b := a
	b.TTY, b.Kind = "/dev/ttyS0", "storage"
	lb, h, err := acquireTestLock(dir, b)
	if err != nil || lb != nil {
		t.Fatalf("second lock: %v, lock %v", err, lb)
	}
	if d := cmp.Diff(&a, h); d != "" {
		t.Errorf("holder (-want +got):\n%s", d)
	}
	if h.where() != "tty1" {
		t.Errorf("where = %q", h.where())
	}
	if d := cmp.Diff(&a, lockHolder(dir)); d != "" {
		t.Errorf("lockHolder (-want +got):\n%s", d)
	}
	la.release()
	if h := lockHolder(dir); h != nil {
		t.Errorf("holder after release: %+v", h)
	}
	lb, h, err = acquireTestLock(dir, b)
	if err != nil || h != nil || lb == nil {
		t.Fatalf("lock after release: %v, holder %+v", err, h)
	}
	lb.release()
}

// writeStaleLock leaves a lock file as a menu that was killed mid-test would:
// written, its flock gone with its process.
func writeStaleLock(t *testing.T, dir string) {
	t.Helper()
	b, _ := json.Marshal(lockInfo{PID: deadPID, TTY: "/dev/ttyS1", Kind: "nvidia", Started: testNow.Add(-time.Hour),
		Log: filepath.Join(dir, lockLogName)})
	if err := os.WriteFile(filepath.Join(dir, lockFileName), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestStaleLock: a lock file whose menu died (dead pid, no flock) does not
// stop a test; the new menu takes the lock over and names itself in it.
func TestStaleLock(t *testing.T) {
	path := fixturePath(t, "dell-r640")
	argv := []string{testBee, "sat", "storage", "--audit", path}
	opt := testOptions(t, path, nil, lanSystem())
	writeStaleLock(t, opt.RuntimeDir)
	if h := lockHolder(opt.RuntimeDir); h != nil {
		t.Fatalf("a dead menu's lock counts as held: %+v", h)
	}
	// Half-way, the test looks at the lock.
	r := newFakeRunner(t, faketool.Cmd("bee", "sat", "storage", "--audit", path).Answer(faketool.Response{
		StdoutText: "storage: smartctl -x /dev/sda\n", WaitCue: "lock-seen",
		Then: &faketool.Response{StdoutText: "bee sat storage: PASS\n"}}))
	opt.Runner = r
	tm := startTM(t, opt, size{80, 24})
	waitFor(t, tm, "SSH: up")
	if strings.Contains(frameOf(t, tm), "TEST") {
		t.Errorf("home screen reports the dead menu's test:\n%s", frameOf(t, tm))
	}
	press(tm, "t")
	waitFor(t, tm, "Acceptance tests (bee sat)")
	press(tm, "s")
	waitFor(t, tm, "smartctl -x /dev/sda")
	h := lockHolder(opt.RuntimeDir)
	r.fake.Cue("lock-seen")
	waitFor(t, tm, "VERDICT: PASS")
	finalView(t, tm)
	want := &lockInfo{PID: os.Getpid(), TTY: "/dev/tty1", Kind: "storage", Argv: argv, Started: testNow,
		Log: filepath.Join(opt.RuntimeDir, lockLogName)}
	if d := cmp.Diff(want, h); d != "" {
		t.Errorf("lock while the test ran (-want +got):\n%s", d)
	}
	if _, err := os.Stat(filepath.Join(opt.RuntimeDir, lockFileName)); !os.IsNotExist(err) {
		t.Errorf("lock file left after the test: %v", err)
	}
}

// TestTwoMenus: the menus of tty1 and of a serial console in one process,
// sharing a runtime directory. An acceptance test started on tty1 is seen on
// the serial console as running, with its output; the serial console cannot
// start a second one; when the test ends both know, and the serial console
// can then start its own.
func TestTwoMenus(t *testing.T) {
	out := memtesterOutput(t)
	half := bytes.Index(out, []byte("Loop 2/3:"))
	path := fixturePath(t, "dell-r640")
	dir := t.TempDir()

	tty1Runner := newFakeRunner(t, faketool.Cmd("bee", "sat", "memory", "--audit", path).Answer(faketool.Response{
		Stdout: tempFile(t, "first-half", out[:half]), WaitCue: "half",
		Then: &faketool.Response{Stdout: tempFile(t, "second-half", out[half:]),
			StdoutText: "bee sat memory: FAIL\n\nReasons:\n  failure memtester: memtester reported 54 failures\n\narchive: /var/log/bee-sat/memory.tar.gz\n",
			Exit:       1}}))
	tty1 := testOptions(t, path, tty1Runner, lanSystem())
	tty1.RuntimeDir = dir
	// Nothing may run until tty1's test ended; then its own test.
	serialRunner := newFakeRunner(t, faketool.Cmd("bee", "sat", "storage", "--audit", path))
	serial := testOptions(t, path, serialRunner, lanSystem())
	serial.RuntimeDir, serial.TTY = dir, "/dev/ttyS0"
	serial.RefreshEvery = 50 * time.Millisecond

	a := startTM(t, tty1, size{80, 25})
	b := startTM(t, serial, size{80, 24})
	waitFor(t, a, "SSH: up")
	waitFor(t, b, "SSH: up")
	press(b, "t") // the serial console is on the test menu when tty1 starts one
	waitFor(t, b, "Acceptance tests (bee sat)")

	press(a, "t", "m")
	waitFor(t, a, "16-bit Writes       : ok")

	// Starting a second test is refused, with the other's progress instead.
	press(b, "m")
	waitFor(t, b, "RUNNING on tty1")
	waitFor(t, b, "16-bit Writes       : ok") // tty1's output, through the log
	checkScreen(t, frameOf(t, b), size{80, 24})
	if v := frameOf(t, b); !strings.Contains(v, "Acceptance test: memory (on tty1)") ||
		!strings.Contains(v, "back (the test keeps running on tty1)") {
		t.Errorf("the serial console's view of tty1's test:\n%s", v)
	}
	// Home says a test runs elsewhere; t comes back to it.
	press(b, "esc")
	waitFor(t, b, "TEST acceptance test memory running on tty1 since 12:00 UTC (t: watch it)")
	if v := frameOf(t, b); !strings.Contains(v, "a test is running on tty1: not starting a second one") {
		t.Errorf("no word of the refused start:\n%s", v)
	}
	press(b, "t")
	waitFor(t, b, "RUNNING on tty1")

	a.Send(refreshMsg{}) // tty1 looks at the lock while its own test runs

	tty1Runner.fake.Cue("half")
	waitFor(t, a, "VERDICT: FAIL")
	press(a, "enter")
	waitFor(t, a, "quit to shell")
	if v := frameOf(t, a); strings.Contains(v, "TEST") {
		t.Errorf("tty1's home screen reports its own finished test as running elsewhere:\n%s", v)
	}
	waitFor(t, b, "The test ended on tty1")
	waitFor(t, b, "VERDICT: FAIL")
	waitFor(t, b, "failure memtester: memtester reported 54 failures")
	checkScreen(t, frameOf(t, b), size{80, 24})
	if c := serialRunner.callList(); c != "" {
		t.Errorf("the serial console ran commands while tty1's test ran:\n%s", c)
	}

	// Free again: the serial console starts its own test.
	press(b, "esc")
	waitFor(t, b, "quit to shell")
	press(b, "t")
	waitFor(t, b, "Acceptance tests (bee sat)")
	press(b, "s")
	waitFor(t, b, "VERDICT: PASS")
	finalView(t, a)
	finalView(t, b)
}

// TestWatchReadsOnlyTheRuntimeDir: the output a watching menu shows comes from
// a file in the runtime directory, whatever path a lock file names.
func TestWatchReadsOnlyTheRuntimeDir(t *testing.T) {
	opt := testOptions(t, fixturePath(t, "dell-r640"), newFakeRunner(t), lanSystem())
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("root:$6$secret-hash\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ log, want string }{
		{secret, "(waiting for output)"},
		{filepath.Join(opt.RuntimeDir, lockLogName), "memtester version 4.6.0"},
	} {
		if err := os.WriteFile(filepath.Join(opt.RuntimeDir, lockLogName), []byte("memtester version 4.6.0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		l, _, err := acquireTestLock(opt.RuntimeDir, lockInfo{PID: os.Getpid(), TTY: "/dev/ttyS0", Kind: "memory", Started: testNow, Log: c.log})
		if err != nil {
			t.Fatal(err)
		}
		m := New(t.Context(), opt)
		m.activate(actSAT)
		v := m.View()
		l.release()
		if !strings.Contains(v, "RUNNING on ttyS0") || !strings.Contains(v, c.want) || strings.Contains(v, "secret-hash") {
			t.Errorf("log %s: the watch shows\n%s", c.log, v)
		}
	}
}
