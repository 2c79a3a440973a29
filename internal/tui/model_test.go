package tui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/qrsum"
	"github.com/beeaudit/bee/internal/testtools/faketool"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
)

func TestMain(m *testing.M) {
	// Colour off: goldens are the words, which is what a serial console shows.
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(faketool.RunTests(m)) // the fake tools' binary, built once

}

// testNow is the menu's clock: after the sample audits were written, so their
// age shows ("audit 2026-12-06 14:28 UTC (25 days ago)").
var testNow = time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)

const testBee = "/usr/local/bin/bee"

type size struct{ w, h int }

func (s size) String() string { return fmt.Sprintf("%dx%d", s.w, s.h) }

// A VT100 or serial terminal (80x24, which the Linux console's 80x25 holds)
// and a roomier terminal.
var sizes = []size{{80, 24}, {120, 40}}

// auditsDir holds the sample audits bee audit writes from recorded real
// machines (internal/audit's; testdata/PROVENANCE.md). The menu is tested on
// them where they are, so that it always draws what the audit writes now.
var auditsDir = filepath.Join("..", "audit", "testdata", "audits")

// auditFixture is an audit JSON of auditsDir.
type auditFixture struct{ name, path string }

func auditFixtures(t *testing.T) []auditFixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(auditsDir, "*.json"))
	if err != nil || len(files) < 3 {
		t.Fatalf("want at least 3 audit fixtures in %s, got %d (%v)", auditsDir, len(files), err)
	}
	sort.Strings(files)
	var out []auditFixture
	for _, f := range files {
		out = append(out, auditFixture{strings.TrimSuffix(filepath.Base(f), ".json"), f})
	}
	return out
}

// testOptions is a menu on a fixed clock with fakes for everything outside.
func testOptions(t *testing.T, auditPath string, r *fakeRunner, sys System) Options {
	return Options{
		Runtime:   "livecd",
		AuditPath: auditPath,
		Bee:       testBee,
		Version:   "1.0.0-test",
		Runner:    r,
		System:    sys,
		QR: func(a *audit.Audit, raw []byte) (string, error) {
			return qrsum.Render(qrsum.Text(a, raw))
		},
		Shell:        func() tea.ExecCommand { t.Error("shell started unexpectedly"); return nil },
		Now:          func() time.Time { return testNow },
		RefreshEvery: -1,
		Getenv:       func(string) string { return "" },
		RuntimeDir:   t.TempDir(), // never /run/bee of the machine running the tests
		TTY:          "/dev/tty1",
	}
}

func startTM(t *testing.T, opt Options, sz size) *teatest.TestModel {
	t.Helper()
	return teatest.NewTestModel(t, New(context.Background(), opt), teatest.WithInitialTermSize(sz.w, sz.h))
}

// waitFor waits until the screen the program shows contains text. It asks
// the running program for its frame rather than parsing the renderer's
// output, which only repaints the lines that changed.
func waitFor(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		last = frameOf(t, tm)
		if strings.Contains(last, text) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("screen never showed %q; last screen:\n%s", text, last)
}

// frameOf returns the frame the running program shows.
func frameOf(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	got := make(chan string, 1)
	tm.Send(snapshotMsg{got})
	select {
	case v := <-got:
		return v
	case <-time.After(30 * time.Second):
		t.Fatal("the program did not answer (finished or stuck)")
	}
	return ""
}

// finalView quits the program and returns the last screen it would draw.
func finalView(t *testing.T, tm *teatest.TestModel) (*Model, string) {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	m := tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(*Model)
	return m, m.View()
}

// press sends keys: named keys ("down", "esc", "enter", "ctrl+c") or runes.
func press(tm *teatest.TestModel, keys ...string) {
	named := map[string]tea.KeyType{
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "backspace": tea.KeyBackspace,
		"ctrl+c": tea.KeyCtrlC, "pgdown": tea.KeyPgDown, "end": tea.KeyEnd,
	}
	for _, k := range keys {
		if kt, ok := named[k]; ok {
			tm.Send(tea.KeyMsg{Type: kt})
		} else {
			tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
		}
	}
}

func checkScreen(t *testing.T, view string, sz size) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != sz.h {
		t.Errorf("screen has %d lines, want %d", len(lines), sz.h)
	}
	for i, l := range lines {
		if n := lipgloss.Width(l); n > sz.w {
			t.Errorf("line %d is %d wide (> %d): %q", i+1, n, sz.w, l)
		}
	}
}

// TestScreens renders every audit screen from each audit fixture at 80x24 and
// 120x40 through the real program and compares them with the goldens
// (go test ./internal/tui -run TestScreens -update rewrites them).
func TestScreens(t *testing.T) {
	screens := []struct {
		name string
		keys []string
		wait string
	}{
		{"home", nil, ""},
		{"findings", []string{"f"}, "PgUp/PgDn"},
		{"inventory-1-system", []string{"i"}, "Inventory: System"},
		{"inventory-2-cpu", []string{"i", "2"}, "Inventory: CPU"},
		{"inventory-3-memory", []string{"i", "3"}, "Inventory: Memory"},
		{"inventory-4-storage", []string{"i", "4"}, "Inventory: Storage"},
		{"inventory-5-pcie", []string{"i", "5"}, "Inventory: PCIe"},
		{"inventory-6-psu", []string{"i", "6"}, "Inventory: PSU"},
		{"inventory-7-gpu", []string{"i", "7"}, "Inventory: GPU"},
		{"inventory-8-network", []string{"i", "8"}, "Inventory: Network"},
		{"inventory-9-bmc", []string{"i", "9"}, "Inventory: BMC"},
		{"inventory-0-sensors", []string{"i", "0"}, "Inventory: Sensors"},
		{"inventory-0-sensors-end", []string{"i", "0", "end"}, "Inventory: Sensors"},
		{"inventory-r-raid", []string{"i", "r"}, "Inventory: RAID"},
		{"inventory-4-storage-detail", []string{"i", "4", "enter"}, "Storage: "},
		{"qr", []string{"c"}, "other keys: back"},
		{"qr-text", []string{"c", "t"}, "The text of the QR code"},
	}
	for _, fx := range auditFixtures(t) {
		for _, sz := range sizes {
			for _, sc := range screens {
				t.Run(fx.name+"/"+sz.String()+"/"+sc.name, func(t *testing.T) {
					if sc.name == "inventory-r-raid" && !fixtureHasRAID(t, fx.path) {
						t.Skip("no RAID section: the audit has no RAID tool's answer")
					}
					tm := startTM(t, testOptions(t, fx.path, newFakeRunner(t), lanSystem()), sz)
					waitFor(t, tm, "SSH: up")
					press(tm, sc.keys...)
					if sc.wait != "" {
						waitFor(t, tm, sc.wait)
					}
					_, view := finalView(t, tm)
					checkScreen(t, view, sz)
					golden.RequireEqual(t, []byte(view))
				})
			}
		}
	}
}

func fixtureHasRAID(t *testing.T, path string) bool {
	t.Helper()
	a, _, err := audit.Load(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return hasRAID(a)
}

// TestHomeAnswers checks the three questions of the home screen on each
// fixture, independent of layout: machine identity from hardware.system, the
// verdict in words with its counts, and how to reach the machine.
func TestHomeAnswers(t *testing.T) {
	for _, fx := range auditFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			a, _, err := audit.Load(t.Context(), fx.path)
			if err != nil {
				t.Fatal(err)
			}
			for _, sys := range []*fakeSystem{lanSystem(), isolatedSystem()} {
				tm := startTM(t, testOptions(t, fx.path, newFakeRunner(t), sys), size{80, 24})
				waitFor(t, tm, "SSH: up")
				_, view := finalView(t, tm)
				var want []string
				if s := a.Hardware.System; s != nil {
					for _, p := range []*string{s.Manufacturer, s.ProductName, s.SerialNumber} {
						if p != nil {
							want = append(want, *p)
						}
					}
				}
				sum := a.Hardware.Summary
				want = append(want, fmt.Sprintf("VERDICT: %s - %s, %s", strings.ToUpper(sum.Verdict),
					plural(sum.Failures, "failure"), plural(sum.Warnings, "warning")))
				if len(sys.ifaces[0].Addrs) > 0 {
					want = append(want, "10.20.30.41/24", "ssh root@10.20.30.41")
				} else {
					want = append(want, "NO NETWORK", "no address to reach it")
				}
				for _, w := range want {
					if !strings.Contains(view, w) {
						t.Errorf("home screen lacks %q:\n%s", w, view)
					}
				}
			}
		})
	}
}

// verdictOf is the verdict line the menu shows for the audit at path:
// "VERDICT: FAIL - 8 failures, 8 warnings".
func verdictOf(t *testing.T, path string) string {
	t.Helper()
	a, _, err := audit.Load(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	sum := a.Hardware.Summary
	return fmt.Sprintf("VERDICT: %s - %s, %s", strings.ToUpper(sum.Verdict), plural(sum.Failures, "failure"), plural(sum.Warnings, "warning"))
}

func fixturePath(t *testing.T, substr string) string {
	t.Helper()
	for _, fx := range auditFixtures(t) {
		if strings.Contains(fx.name, substr) {
			return fx.path
		}
	}
	t.Fatalf("no audit fixture named *%s*", substr)
	return ""
}

func TestNavigation(t *testing.T) {
	path := fixturePath(t, "failing")
	tm := startTM(t, testOptions(t, path, newFakeRunner(t), lanSystem()), size{80, 24})
	waitFor(t, tm, "SSH: up")

	// Arrows and Enter: the 4th entry (down x3) is Acceptance tests.
	press(tm, "down", "down", "down", "enter")
	waitFor(t, tm, "Acceptance tests (bee sat)")
	press(tm, "esc")
	waitFor(t, tm, "quit to shell")
	// Right jumps a column (4 rows at 80 columns): Acceptance tests -> Export results,
	// then up twice to Network, and Enter opens it.
	press(tm, "right", "up", "up", "enter")
	waitFor(t, tm, "d DHCP eno1")
	press(tm, "esc")

	// Letter shortcuts, sections wrap around, details and back.
	press(tm, "f")
	waitFor(t, tm, "PgUp/PgDn")
	press(tm, "esc", "i", "right")
	waitFor(t, tm, "Inventory: CPU")
	press(tm, "left", "left")
	waitFor(t, tm, "Inventory: RAID") // the last section
	press(tm, "4", "enter")
	waitFor(t, tm, "smart.")
	press(tm, "esc")
	waitFor(t, tm, "Inventory: Storage")
	press(tm, "esc", "c")
	waitFor(t, tm, "other keys: back")
	press(tm, "x")
	waitFor(t, tm, "quit to shell")

	m, view := finalView(t, tm)
	if m.scr != scrHome {
		t.Errorf("ended on screen %d, want home", m.scr)
	}
	if !strings.Contains(view, ">c QR code") {
		t.Errorf("cursor should rest on the last entry used (QR code):\n%s", view)
	}
}

// TestQuit: q on the home screen ends the program (the wrapper then gives a
// shell), running nothing.
func TestQuit(t *testing.T) {
	r := newFakeRunner(t)
	tm := startTM(t, testOptions(t, fixturePath(t, "dell-r640"), r, lanSystem()), size{80, 24})
	waitFor(t, tm, "SSH: up")
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(20*time.Second))
	if c := r.callList(); c != "" {
		t.Errorf("quitting ran commands:\n%s", c)
	}
}

// memtesterCapture is a real memtester run, internal/parse/memtester's capture
// (testdata/PROVENANCE.md).
func memtesterCapture(t *testing.T) string {
	return faketool.Capture(t, "memtester", "raw-4.6.0_100M-3loops_with-faults_backspaces.txt")
}

// memtesterOutput is the memtester capture's content.
func memtesterOutput(t *testing.T) []byte {
	b, err := os.ReadFile(memtesterCapture(t))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSATProgress runs `bee sat memory` through a fake runner that streams a
// real memtester output in two halves: the first half must be on screen while
// the test still runs, the menu must answer keys meanwhile, and the archive
// path must be shown at the end.
func TestSATProgress(t *testing.T) {
	out := memtesterOutput(t)
	half := bytes.Index(out, []byte("Loop 2/3:"))
	const archive = "/var/log/bee-sat/memory-20250601T120000Z.tar.gz"
	// bee sat's summary (internal/sat/summary.go), verdict first, then enough
	// step lines to push the verdict off the bottom of the output.
	summary := "bee sat memory: FAIL\nmachine: Dell Inc. PowerEdge R640 S/N 8XKQ5W2\n\nReasons:\n  failure memtester: memtester reported 54 failures\n\nSteps:\n"
	for i := 1; i <= 30; i++ {
		summary += fmt.Sprintf("  %2d ok          step %d (1s)\n", i, i)
	}
	summary += "archive: " + archive + "\n"
	// The test takes the identity from the audit the menu shows (--audit), not
	// from bee sat's default file.
	auditPath := fixturePath(t, "dell-r640")
	r := newFakeRunner(t, faketool.Cmd("bee", "sat", "memory", "--audit", auditPath).Answer(faketool.Response{
		Stdout: tempFile(t, "first-half", out[:half]), WaitCue: "half",
		Then: &faketool.Response{Stdout: tempFile(t, "second-half", out[half:]), StdoutText: summary, Exit: 1}}))
	tm := startTM(t, testOptions(t, auditPath, r, lanSystem()), size{80, 24})
	waitFor(t, tm, "SSH: up")
	press(tm, "t", "m")
	// The tail of the first loop is on screen while the test still runs.
	waitFor(t, tm, "16-bit Writes       : ok")
	if mid := frameOf(t, tm); !strings.Contains(mid, "RUNNING") || strings.Contains(mid, "Done.") {
		t.Errorf("mid-run screen:\n%s", mid)
	}
	// The screen is alive while the child runs: Esc asks, n keeps it running.
	press(tm, "esc")
	waitFor(t, tm, "Cancel it?")
	press(tm, "n")
	waitFor(t, tm, "cancel (asks)")
	r.fake.Cue("half")
	waitFor(t, tm, "Archive: "+archive)
	waitFor(t, tm, "back to the menu") // the archive line shows before the process has ended
	m, view := finalView(t, tm)
	checkScreen(t, view, size{80, 24})
	golden.RequireEqual(t, []byte(view))
	if m.job.archive != archive {
		t.Errorf("archive = %q", m.job.archive)
	}
	if c := r.run(0); !c.stream || c.timeout < time.Hour {
		t.Errorf("bee sat ran with a live output stream %v, timeout %s: want a stream, and a timeout no shorter than a memory test", c.stream, c.timeout)
	}
	// The verdict and its reason head the screen although the output that
	// printed them scrolled away; the output scrolls back.
	if !strings.Contains(view, "VERDICT: FAIL") || !strings.Contains(view, "failure memtester: memtester reported 54 failures") ||
		!strings.Contains(view, "archive: "+archive) {
		t.Errorf("final screen lacks the verdict, its reason or the last output line:\n%s", view)
	}
	if strings.Contains(view, "Done.") {
		t.Errorf("the output does not follow its end:\n%s", view)
	}
	m.scr = scrJob
	m.jobKey("pgup")
	m.jobKey("pgup")
	if back := m.View(); !strings.Contains(back, "Done.") || !strings.Contains(back, "output lines") {
		t.Errorf("PgUp does not scroll the output back:\n%s", back)
	}
	m.jobKey("end")
	if end := m.View(); end != view {
		t.Errorf("End does not return to the end of the output:\n%s", end)
	}
}

// TestSATCancel: Esc then y, and Ctrl-C, cancel the child through its context;
// the menu stays up and says so.
func TestSATCancel(t *testing.T) {
	for _, keys := range [][]string{{"esc", "y"}, {"ctrl+c"}} {
		t.Run(strings.Join(keys, "+"), func(t *testing.T) {
			path := fixturePath(t, "dell-r640")
			// It runs until the menu cancels it (the runner kills it).
			r := newFakeRunner(t, faketool.Cmd("bee", "sat", "storage", "--audit", path).Answer(faketool.Response{
				StdoutText: "storage: smartctl -x /dev/sda\n", Hang: true}))
			tm := startTM(t, testOptions(t, path, r, lanSystem()), size{80, 24})
			waitFor(t, tm, "SSH: up")
			press(tm, "t", "down", "down", "enter")
			waitFor(t, tm, "smartctl -x /dev/sda")
			press(tm, keys...)
			waitFor(t, tm, "NOT COMPLETED")
			waitFor(t, tm, "Canceled.")
			if res := r.run(0).res; res == nil || !errors.Is(res.Err, host.ErrCanceled) {
				t.Errorf("the child was not canceled through its context: %+v", res)
			}
			if p := r.fake.Running(); len(p) > 0 {
				t.Errorf("the canceled child still runs: pids %v", p)
			}
			press(tm, "enter")
			waitFor(t, tm, "quit to shell")
			m, _ := finalView(t, tm)
			if m.scr != scrHome {
				t.Errorf("screen %d after the canceled test, want home", m.scr)
			}
		})
	}
}

// TestRebootConfirm: reboot and power off ask first; "no" runs nothing.
func TestRebootConfirm(t *testing.T) {
	path := fixturePath(t, "dell-r640")
	t.Run("no", func(t *testing.T) {
		r := newFakeRunner(t)
		tm := startTM(t, testOptions(t, path, r, lanSystem()), size{80, 24})
		waitFor(t, tm, "SSH: up")
		press(tm, "r")
		waitFor(t, tm, "Reboot this machine now?")
		press(tm, "n")
		waitFor(t, tm, "Reboot canceled")
		press(tm, "p")
		waitFor(t, tm, "Power this machine off now?")
		press(tm, "x", "enter") // neither yes nor no: still asking
		press(tm, "esc")
		waitFor(t, tm, "Power off canceled")
		finalView(t, tm)
		if r.ran("systemctl", "reboot") || r.ran("systemctl", "poweroff") {
			t.Errorf("ran after no:\n%s", r.callList())
		}
	})
	t.Run("yes", func(t *testing.T) {
		r := newFakeRunner(t, faketool.Cmd("systemctl", "reboot"))
		tm := startTM(t, testOptions(t, path, r, lanSystem()), size{80, 24})
		waitFor(t, tm, "SSH: up")
		press(tm, "r")
		waitFor(t, tm, "Reboot this machine now?")
		confirm := frameOf(t, tm)
		checkScreen(t, confirm, size{80, 24})
		golden.RequireEqual(t, []byte(confirm))
		press(tm, "y")
		waitFor(t, tm, "Reboot: done")
		finalView(t, tm)
	})
	t.Run("host-runtime", func(t *testing.T) {
		r := newFakeRunner(t)
		opt := testOptions(t, path, r, lanSystem())
		opt.Runtime = "host"
		tm := startTM(t, opt, size{80, 24})
		waitFor(t, tm, "SSH: up")
		press(tm, "r", "p")
		_, view := finalView(t, tm)
		if strings.Contains(view, "Reboot") || strings.Contains(view, "Power off") {
			t.Errorf("host runtime offers reboot/power off:\n%s", view)
		}
	})
}

// TestNoAuditRunsOne: with no audit file and no boot audit running, the menu
// runs `bee audit`, shows its collectors' progress, then the home screen.
func TestNoAuditRunsOne(t *testing.T) {
	src := fixturePath(t, "failing")
	dst := filepath.Join(t.TempDir(), "bee-audit.json")
	// bee audit --progress json (docs/cli.md): three collectors, then (on
	// cue) the other four and the audit file.
	progress := func(from int, names ...string) string {
		var b strings.Builder
		for i, n := range names {
			fmt.Fprintf(&b, `{"event":"collector","name":%q,"status":"ok","index":%d,"total":7,"duration_ms":3}`+"\n", n, from+i)
		}
		return b.String()
	}
	r := newFakeRunner(t, faketool.Cmd("bee", "audit", "--output", dst, "--runtime", "livecd", "--no-qr", "--progress", "json").
		Answer(faketool.Response{StdoutText: progress(1, "board", "cpu", "memory"), WaitCue: "rest",
			Then: &faketool.Response{StdoutText: progress(4, "pcie", "psu", "nvidia", "storage"),
				WriteArg: "--output", WriteFrom: absPath(t, src)}}))
	sys := lanSystem()
	sys.units = map[string][]string{"bee-audit.service": {"inactive"}}
	tm := startTM(t, testOptions(t, dst, r, sys), size{80, 24})
	waitFor(t, tm, "memory ok")
	running := frameOf(t, tm)
	if !strings.Contains(running, "storage ...") {
		t.Errorf("audit progress should show storage still running:\n%s", running)
	}
	checkScreen(t, running, size{80, 24})
	golden.RequireEqual(t, []byte(regexp.MustCompile(`--output \S+`).ReplaceAllLiteralString(running, "--output $AUDIT")))
	r.fake.Cue("rest")
	waitFor(t, tm, "VERDICT: FAIL")
	m, _ := finalView(t, tm)
	if m.scr != scrHome || m.audit == nil {
		t.Errorf("after the audit: screen %d, audit loaded %v", m.scr, m.audit != nil)
	}
}

// TestWaitsForBootAudit: while bee-audit.service is still running at boot,
// the menu waits for its file instead of starting a second audit.
func TestWaitsForBootAudit(t *testing.T) {
	src := fixturePath(t, "dell-r640")
	dst := filepath.Join(t.TempDir(), "bee-audit.json")
	sys := lanSystem()
	sys.units = map[string][]string{"bee-audit.service": {"activating"}}
	r := newFakeRunner(t) // no command may run
	tm := startTM(t, testOptions(t, dst, r, sys), size{80, 24})
	waitFor(t, tm, "(the boot audit) is still activating")
	waiting := frameOf(t, tm)
	checkScreen(t, waiting, size{80, 24})
	golden.RequireEqual(t, []byte(strings.ReplaceAll(waiting, dst, "$AUDIT")))
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tm, "VERDICT: PASS")
	finalView(t, tm)
}

// TestLiveRefresh: a DHCP lease that arrives while the menu is open shows up
// without a key press.
func TestLiveRefresh(t *testing.T) {
	sys := isolatedSystem()
	opt := testOptions(t, fixturePath(t, "dell-r640"), newFakeRunner(t), sys)
	opt.RefreshEvery = 20 * time.Millisecond
	tm := startTM(t, opt, size{80, 24})
	waitFor(t, tm, "NO NETWORK")
	sys.set(lanSystem().ifaces)
	waitFor(t, tm, "ssh root@10.20.30.41")
	finalView(t, tm)
}

func TestNetworkDHCP(t *testing.T) {
	r := newFakeRunner(t, faketool.Cmd("dhclient", "-nw", "eno2"))
	tm := startTM(t, testOptions(t, fixturePath(t, "dell-r640"), r, lanSystem()), size{80, 24})
	waitFor(t, tm, "SSH: up")
	press(tm, "n")
	waitFor(t, tm, "d DHCP eno1")
	press(tm, "down")
	waitFor(t, tm, "d DHCP eno2")
	press(tm, "d")
	waitFor(t, tm, "dhclient -nw eno2: done")
	_, view := finalView(t, tm)
	checkScreen(t, view, size{80, 24})
	golden.RequireEqual(t, []byte(view))
}

func TestNetworkStatic(t *testing.T) {
	r := newFakeRunner(t,
		faketool.Cmd("ip", "link", "set", "dev", "eno1", "up"),
		faketool.Cmd("ip", "addr", "add", "10.20.30.50/24", "dev", "eno1"),
		faketool.Cmd("ip", "route", "replace", "default", "via", "10.20.30.1", "dev", "eno1"))
	tm := startTM(t, testOptions(t, fixturePath(t, "dell-r640"), r, lanSystem()), size{80, 24})
	waitFor(t, tm, "SSH: up")
	press(tm, "n", "s")
	waitFor(t, tm, "Static address for eno1")
	// A bad address is refused and nothing runs.
	press(tm, "10.20.30.50", "enter", "enter")
	waitFor(t, tm, "INVALID")
	press(tm, "up", "/24", "tab", "10.20.30.1")
	waitFor(t, tm, "ip route replace default via 10.20.30.1 dev eno1")
	form := frameOf(t, tm)
	checkScreen(t, form, size{80, 24})
	golden.RequireEqual(t, []byte(form))
	// Enter only asks, saying which default route goes; n runs nothing.
	press(tm, "enter")
	waitFor(t, tm, "Apply it?")
	if ask := frameOf(t, tm); !strings.Contains(ask, "REPLACES the default route default via 10.20.30.1 dev eno1") ||
		!strings.Contains(ask, "Adds 10.20.30.50/24 to eno1") {
		t.Errorf("the confirmation does not say what changes:\n%s", ask)
	}
	press(tm, "n")
	waitFor(t, tm, "Enter asks, then y runs:")
	if c := r.callList(); c != "" {
		t.Errorf("ran before y:\n%s", c)
	}
	press(tm, "enter")
	waitFor(t, tm, "Apply it?")
	press(tm, "y")
	waitFor(t, tm, "static address on eno1: done")
	finalView(t, tm)
	want := "ip link set dev eno1 up\nip addr add 10.20.30.50/24 dev eno1\nip route replace default via 10.20.30.1 dev eno1"
	if got := r.callList(); got != want {
		t.Errorf("commands:\n%s\nwant:\n%s", got, want)
	}
}

// fakeShell stands for the login shell: it records that the menu handed it
// the terminal.
type fakeShell struct{ ran chan struct{} }

func (f *fakeShell) Run() error          { close(f.ran); return nil }
func (f *fakeShell) SetStdin(io.Reader)  {}
func (f *fakeShell) SetStdout(io.Writer) {}
func (f *fakeShell) SetStderr(io.Writer) {}

func TestShell(t *testing.T) {
	sh := &fakeShell{ran: make(chan struct{})}
	opt := testOptions(t, fixturePath(t, "dell-r640"), newFakeRunner(t), lanSystem())
	opt.Shell = func() tea.ExecCommand { return sh }
	tm := startTM(t, opt, size{80, 24})
	waitFor(t, tm, "SSH: up")
	press(tm, "s")
	select {
	case <-sh.ran:
	case <-time.After(30 * time.Second):
		t.Fatal("the shell did not run")
	}
	waitFor(t, tm, "back from the shell")
	finalView(t, tm)
}

// TestRerunAudit: a re-run that fails keeps the audit on screen and says so;
// one that succeeds replaces it.
func TestRerunAudit(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "bee-audit.json")
	copyFile(t, fixturePath(t, "dell-r640"), dst)
	// The first run fails; the second writes the failing machine's audit.
	r := newFakeRunner(t, faketool.Cmd("bee", "audit", "--output", dst, "--runtime", "livecd", "--no-qr", "--progress", "json").
		Answer(faketool.Response{StdoutText: fmt.Sprintf("bee audit: cannot write %s: read-only file system\n", dst), Exit: 1}).
		Answer(faketool.Response{WriteArg: "--output", WriteFrom: absPath(t, fixturePath(t, "failing"))}))
	tm := startTM(t, testOptions(t, dst, r, lanSystem()), size{80, 24})
	waitFor(t, tm, "VERDICT: PASS")
	press(tm, "a")
	waitFor(t, tm, "FINISHED WITH EXIT STATUS 1")
	waitFor(t, tm, "the previous audit, if any, is unchanged")
	press(tm, "enter")
	waitFor(t, tm, "VERDICT: PASS")
	press(tm, "a")
	waitFor(t, tm, "Audit written to "+dst)
	press(tm, "esc")
	waitFor(t, tm, verdictOf(t, fixturePath(t, "failing")))
	finalView(t, tm)
	if c := r.run(1); c.timeout < 5*time.Minute {
		t.Errorf("audit timeout %s leaves no room for slow tools", c.timeout)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err == nil {
		err = os.WriteFile(dst, b, 0o644)
	}
	if err != nil {
		t.Error(err)
	}
}

// TestOtherScreens: the acceptance-test menu, and the home screen of a machine
// without network, as goldens.
func TestOtherScreens(t *testing.T) {
	t.Run("sat-menu", func(t *testing.T) {
		tm := startTM(t, testOptions(t, fixturePath(t, "dell-r640"), newFakeRunner(t), lanSystem()), size{80, 24})
		waitFor(t, tm, "SSH: up")
		press(tm, "t")
		waitFor(t, tm, "Acceptance tests (bee sat)")
		_, view := finalView(t, tm)
		checkScreen(t, view, size{80, 24})
		golden.RequireEqual(t, []byte(view))
	})
	t.Run("home-no-network", func(t *testing.T) {
		tm := startTM(t, testOptions(t, fixturePath(t, "failing"), newFakeRunner(t), isolatedSystem()), size{80, 24})
		waitFor(t, tm, "NO NETWORK")
		_, view := finalView(t, tm)
		checkScreen(t, view, size{80, 24})
		golden.RequireEqual(t, []byte(view))
	})
}
