package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/audit"
)

// beeBinary builds the real bee (or takes $BEE_BIN, a binary built already).
func beeBinary(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("BEE_BIN"); b != "" {
		return b
	}
	out := filepath.Join(t.TempDir(), "bee")
	cmd := exec.Command("go", "build", "-o", out, "../../cmd/bee")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

// tmuxSession is a private tmux server (its own socket) running one command
// in an 80x25 window, like the text console.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func (s tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (s tmuxSession) screen() string { return s.tmux("capture-pane", "-p", "-t", "bee") }

// waitScreen polls the pane until it shows text.
func (s tmuxSession) waitScreen(text string) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var scr string
	for time.Now().Before(deadline) {
		if scr = s.screen(); strings.Contains(scr, text) {
			return scr
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("the terminal never showed %q; it shows:\n%s", text, scr)
	return ""
}

// key sends one key and lets the menu read it alone (an Esc immediately
// followed by a letter would be one Alt+letter key).
func (s tmuxSession) key(k string) {
	s.t.Helper()
	s.tmux("send-keys", "-t", "bee", k)
	time.Sleep(150 * time.Millisecond)
}

// TestRealBinaryInTmux runs the built bee in a real terminal (tmux) at 80x25:
// the home screen answers its three questions, Inventory opens and switches
// section, and q leaves with status 0 (the ISO wrapper then gives a shell).
func TestRealBinaryInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed (.ci/run installs it)")
	}
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bee := beeBinary(t)
	fixture, err := filepath.Abs(fixturePath(t, "failing"))
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := audit.Load(t.Context(), fixture)
	if err != nil {
		t.Fatal(err)
	}
	s := tmuxSession{t: t, socket: fmt.Sprintf("bee-tui-test-%d", os.Getpid())}
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	// The exit status is printed after the menu leaves, then the window stays
	// open for the test to read it.
	shell := fmt.Sprintf("%q tui --runtime livecd --audit %q --bee /bin/false; echo bee-exit=$?; sleep 60", bee, fixture)
	s.tmux("new-session", "-d", "-s", "bee", "-x", "80", "-y", "25", "sh", "-c", shell)

	home := s.waitScreen("SSH:")
	lines := strings.Split(strings.TrimRight(home, "\n"), "\n")
	if len(lines) > 25 {
		t.Errorf("home screen has %d lines in a 25-line terminal", len(lines))
	}
	want := []string{"HEALTH", "NETWORK", "SSH:", "f Findings", "i Inventory", "r Reboot", "p Power off",
		fmt.Sprintf("VERDICT: %s - %s, %s", strings.ToUpper(a.Hardware.Summary.Verdict),
			plural(a.Hardware.Summary.Failures, "failure"), plural(a.Hardware.Summary.Warnings, "warning"))}
	if sys := a.Hardware.System; sys != nil && sys.ProductName != nil {
		want = append(want, *sys.ProductName)
	}
	for _, w := range want {
		if !strings.Contains(home, w) {
			t.Errorf("home screen lacks %q:\n%s", w, home)
		}
	}

	s.key("i")
	s.waitScreen("Inventory: System")
	s.key("Right")
	inv := s.waitScreen("Inventory: CPU")
	if !strings.Contains(inv, "sockets populated") {
		t.Errorf("CPU section:\n%s", inv)
	}
	s.key("Escape")
	s.waitScreen("q Quit to shell")
	s.key("q")
	s.waitScreen("bee-exit=0")
}

// TestRealBinaryOnSerialTerminal runs the built bee the way a BMC's
// serial-over-LAN shows it: TERM=vt100 and a tty that reports 0x0 (stty rows 0
// cols 0) in an 80x24 window. Its screens must be exactly those of the same
// binary on an 80x24 terminal that reports its size (bubbletea's renderer,
// told a width of 0, would leave the tails of old lines on screen), in
// reverse video and bold but without a colour sequence, before and after
// moving around and after Ctrl-L.
func TestRealBinaryOnSerialTerminal(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed (.ci/run installs it)")
	}
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bee := beeBinary(t)
	fixture, err := filepath.Abs(fixturePath(t, "failing"))
	if err != nil {
		t.Fatal(err)
	}
	start := func(name, stty string) tmuxSession {
		s := tmuxSession{t: t, socket: fmt.Sprintf("bee-tui-%s-%d", name, os.Getpid())}
		t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
		shell := fmt.Sprintf("%s TERM=vt100 %q tui --runtime livecd --audit %q --bee /bin/false; echo bee-exit=$?; sleep 60", stty, bee, fixture)
		s.tmux("new-session", "-d", "-s", "bee", "-x", "80", "-y", "24", "sh", "-c", shell)
		s.waitScreen("SSH:")
		time.Sleep(500 * time.Millisecond) // the network lines settle
		return s
	}
	ref := start("ref", "")
	serial := start("serial", "stty rows 0 cols 0;")
	want := ref.screen()
	same := func(what string) {
		t.Helper()
		if got := serial.screen(); got != want {
			t.Errorf("%s: the 0x0 terminal shows\n%s\nwhere an 80x24 one shows\n%s", what, got, want)
		}
	}
	same("home")

	attrs := serial.tmux("capture-pane", "-p", "-e", "-t", "bee")
	if !strings.Contains(attrs, "\x1b[7m") || !strings.Contains(attrs, "\x1b[1mFAIL") {
		t.Errorf("no reverse video or no bold on a vt100:\n%s", visible(attrs))
	}
	var colours []string
	for _, c := range sgrColours(attrs) {
		if c != "39" && c != "49" { // tmux's "default colour", not a colour
			colours = append(colours, c)
		}
	}
	if len(colours) > 0 {
		t.Errorf("colours %v on a vt100:\n%s", colours, visible(attrs))
	}

	for _, s := range []tmuxSession{ref, serial} {
		s.key("i")
		s.waitScreen("Inventory: System")
		s.key("Right")
		s.waitScreen("Inventory: CPU")
	}
	want = ref.screen()
	same("inventory")
	for _, s := range []tmuxSession{ref, serial} {
		s.key("Escape")
		s.waitScreen("q Quit to shell")
	}
	want = ref.screen()
	same("home again")
	serial.key("C-l")
	same("after Ctrl-L")
	serial.key("q")
	serial.waitScreen("bee-exit=0")
}

// TestNoTerminalQuery: bee run on a terminal asks it nothing (bubbletea's
// start-up background-colour query, see internal/tui/termquery), so a serial
// console nobody answers on does not hold every bee command for 5 seconds;
// and TERM is what bee was given once it runs (its menu draws by it).
func TestNoTerminalQuery(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("script (util-linux) not installed")
	}
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bee := beeBinary(t)
	typescript := filepath.Join(t.TempDir(), "typescript")
	cmd := exec.Command("script", "-q", "-e", "-c", bee+" version", typescript)
	cmd.Env = append(os.Environ(), "TERM=vt100")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("script: %v\n%s", err, out)
	}
	b, err := os.ReadFile(typescript)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "\x1b]11;?") || strings.Contains(string(b), "\x1b[6n") {
		t.Errorf("bee queried the terminal: %q", b)
	}
	if !strings.Contains(string(b), "bee ") {
		t.Errorf("bee version printed nothing: %q", b)
	}
}

// TestTermRestored: the test binary went through the same start-up as bee
// (termquery's init, bubbletea's, then this package's): TERM is the one the
// process was started with.
func TestTermRestored(t *testing.T) {
	env, err := os.ReadFile("/proc/self/environ")
	if err != nil {
		t.Skip("no /proc/self/environ")
	}
	start, had := "", false
	for _, kv := range strings.Split(string(env), "\x00") {
		if v, ok := strings.CutPrefix(kv, "TERM="); ok {
			start, had = v, true
		}
	}
	if got, ok := os.LookupEnv("TERM"); got != start || ok != had {
		t.Errorf("TERM = %q (set %v), the process started with %q (set %v)", got, ok, start, had)
	}
}
