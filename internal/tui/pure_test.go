package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/qrsum"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/google/go-cmp/cmp"
	"github.com/muesli/termenv"
)

// TestLineStreamMemtester feeds real memtester output, which draws its
// progress with backspaces, through the stream in small and odd-sized chunks;
// the lines must be what a terminal shows, as a real terminal (tmux 3.3a) shows
// them (testdata/PROVENANCE.md).
func TestLineStreamMemtester(t *testing.T) {
	raw, err := os.ReadFile(memtesterCapture(t))
	if err != nil {
		t.Fatal(err)
	}
	wantB, err := os.ReadFile(filepath.Join("testdata", "memtester-4.6.0_as-shown-by-tmux.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSuffix(string(wantB), "\n"), "\n")
	for _, chunk := range []int{1, 7, 4096, len(raw)} {
		s := newLineStream()
		for b := raw; len(b) > 0; {
			n := min(chunk, len(b))
			if _, err := s.Write(b[:n]); err != nil {
				t.Fatal(err)
			}
			b = b[n:]
		}
		if d := cmp.Diff(want, s.Snapshot()); d != "" {
			t.Errorf("chunk %d: screen lines (-tmux +stream):\n%s", chunk, d)
		}
	}
}

func TestLineStreamControls(t *testing.T) {
	s := newLineStream()
	// CR rewrites the line (progress bars), escape sequences vanish, a UTF-8
	// rune split across writes survives, an unfinished line is shown.
	for _, w := range []string{"10%\r", "50%\r100%\n", "\x1b[1;31mFAIL\x1b[0m gpu0\n", "temp 35 \xc2", "\xb0C"} {
		s.Write([]byte(w))
	}
	want := []string{"100%", "FAIL gpu0", "temp 35 °C"}
	if d := cmp.Diff(want, s.Snapshot()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	select {
	case <-s.changed:
	default:
		t.Error("no change signalled after writes")
	}
}

func TestLineStreamBounded(t *testing.T) {
	s := newLineStream()
	for i := 0; i < maxStreamLines+10; i++ {
		s.Write([]byte("line\n"))
	}
	if n := len(s.Snapshot()); n != maxStreamLines {
		t.Errorf("kept %d lines, want %d", n, maxStreamLines)
	}
	s = newLineStream()
	s.Write([]byte(strings.Repeat("x", 3*maxLineRunes+5)))
	got := s.Snapshot()
	if len(got) != 4 || len(got[0]) != maxLineRunes || got[3] != "xxxxx" {
		t.Errorf("a line without end: %d pieces", len(got))
	}
}

func TestStaticCommands(t *testing.T) {
	for _, tc := range []struct {
		addr, gw string
		want     [][]string
		err      string
	}{
		{"192.168.1.50/24", "192.168.1.1", [][]string{
			{"ip", "link", "set", "dev", "eno1", "up"},
			{"ip", "addr", "add", "192.168.1.50/24", "dev", "eno1"},
			{"ip", "route", "replace", "default", "via", "192.168.1.1", "dev", "eno1"},
		}, ""},
		{" 10.0.0.7/8 ", "", [][]string{
			{"ip", "link", "set", "dev", "eno1", "up"},
			{"ip", "addr", "add", "10.0.0.7/8", "dev", "eno1"},
		}, ""},
		{"2001:db8::5/64", "2001:db8::1", [][]string{
			{"ip", "link", "set", "dev", "eno1", "up"},
			{"ip", "addr", "add", "2001:db8::5/64", "dev", "eno1"},
			{"ip", "-6", "route", "replace", "default", "via", "2001:db8::1", "dev", "eno1"},
		}, ""},
		{"", "", nil, "enter an address"},
		{"192.168.1.50", "", nil, "has no prefix length"},
		{"192.168.1.0/24", "", nil, "network address"},
		{"300.1.1.1/24", "", nil, "is not an address/prefix"},
		{"192.168.1.50/24", "10.0.0.1", nil, "outside 192.168.1.0/24"},
		{"192.168.1.50/24", "fe80::1", nil, "not the same IP version"},
		{"192.168.1.50/24", "gw", nil, "not an IP address"},
		{"192.168.1.50/24", "192.168.1.50", nil, "the address itself"},
	} {
		got, err := staticCommands("eno1", tc.addr, tc.gw)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q %q: error %v, want one containing %q", tc.addr, tc.gw, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q %q: %v", tc.addr, tc.gw, err)
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%q %q (-want +got):\n%s", tc.addr, tc.gw, d)
		}
	}
}

// TestProcNetParsers reads the recorded /proc files of a real machine.
func TestProcNetParsers(t *testing.T) {
	base := filepath.Join("testdata", "capture", "kvm-virtio-debian12", "files", "proc", "net")
	tcp, err := os.ReadFile(filepath.Join(base, "tcp"))
	if err != nil {
		t.Fatal(err)
	}
	// That machine listened on 2024 (0x07E8) and had established connections
	// to remote port 80 (0x0050), which are not listeners.
	if !listensOn(tcp, 2024) || listensOn(tcp, 22) || listensOn(tcp, 80) {
		t.Errorf("listensOn: 2024=%v 22=%v 80=%v, want true false false", listensOn(tcp, 2024), listensOn(tcp, 22), listensOn(tcp, 80))
	}
	route, err := os.ReadFile(filepath.Join(base, "route"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]string{"eth0": "192.0.2.1"}, parseDefaultRoutes(route)); d != "" {
		t.Errorf("parseDefaultRoutes (-want +got):\n%s", d)
	}
}

func TestTableSqueeze(t *testing.T) {
	cols := []column{{title: "Disk"}, {title: "Model", min: 6, flex: true}, {title: "Serial", min: 6, flex: true}, {title: "Size", right: true}}
	rows := [][]string{{"nvme0n1", "SAMSUNG MZQLB1T9HAJR-00007", "S439NA0M123456", "1.92 TB"}}
	h, lines := table(cols, rows, 40)
	// Model (26) and Serial (14) share the squeeze: 9 and 10 columns.
	want := []string{" Disk     Model      Serial         Size", " nvme0n1  SAMSUNG~   S439NA0M1~  1.92 TB"}
	if d := cmp.Diff(want, append([]string{h}, lines...)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	for _, l := range lines {
		if len(l) > 40 {
			t.Errorf("line wider than 40: %q", l)
		}
	}
}

func TestFrameExactSize(t *testing.T) {
	s := frame([]string{strings.Repeat("x", 100), "short"}, 80, 25)
	lines := strings.Split(s, "\n")
	if len(lines) != 25 || len(lines[0]) != 80 || lines[1] != "short" {
		t.Errorf("frame: %d lines, first %d wide, second %q", len(lines), len(lines[0]), lines[1])
	}
}

// TestColourIsSecondChannel: with colours (the Linux console's 16), the
// verdict is red and still spelled out; UseTerminal never lets a 256-colour or
// true-colour profile through, and a monochrome terminal gets no colour but
// keeps bold.
func TestColourIsSecondChannel(t *testing.T) {
	restoreTerminal(t)
	lipgloss.SetColorProfile(termenv.TrueColor)
	UseTerminal(Terminal{Attrs: true, Color: true})
	if p := lipgloss.ColorProfile(); p != termenv.ANSI {
		t.Fatalf("UseTerminal left profile %v, want ANSI", p)
	}
	a := &audit.Audit{Hardware: audit.Hardware{Summary: audit.Summary{Verdict: audit.VerdictFail, Failures: 2, Warnings: 1}}}
	got := verdictLine(a)
	if !strings.Contains(got, "\x1b[") || !strings.Contains(got, "31") {
		t.Errorf("fail verdict is not red: %q", got)
	}
	if plain := ansi.Strip(got); plain != "VERDICT: FAIL - 2 failures, 1 warning" {
		t.Errorf("verdict words = %q", plain)
	}
	if strings.Contains(got, "38;5;") || strings.Contains(got, "38;2;") {
		t.Errorf("verdict uses more than 16 colours: %q", got)
	}
	UseTerminal(Terminal{Attrs: true})
	if got := verdictLine(a); got != "\x1b[1mVERDICT: FAIL - 2 failures, 1 warning\x1b[0m" {
		t.Errorf("monochrome verdict = %q, want bold without colour", got)
	}
	UseTerminal(Terminal{})
	if got := verdictLine(a); got != "VERDICT: FAIL - 2 failures, 1 warning" {
		t.Errorf("verdict on a dumb terminal = %q, want plain words", got)
	}
}

// TestQRTextFallback: where the QR code cannot be shown (a terminal too small,
// no QR support), the screen shows the text the code would hold.
func TestQRTextFallback(t *testing.T) {
	path := filepath.Join(auditsDir, "qemu-vm.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := audit.Load(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	text := qrsum.Text(a, raw)
	code, err := qrsum.Render(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, qr, qrErr, want string
		w, h                  int
	}{
		{"too small", code, "", "The QR code needs", 80, 18},
		{"unavailable", "", "not built into this bee", "QR code unavailable: not built into this bee", 80, 24},
	} {
		got := renderQR(c.qr, c.qrErr, text, false, a, c.w, c.h)
		if !strings.Contains(got, c.want) || !strings.Contains(got, text) || strings.Contains(got, "▀") {
			t.Errorf("%s: want %q and the text %q:\n%s", c.name, c.want, text, got)
		}
	}
}
