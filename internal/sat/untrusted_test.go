package sat

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/beeaudit/bee/internal/audit"
)

// Untrusted strings (issue 15): the machine's identity, a disk's model and a
// tool's stderr reach summary.txt, stdout and the progress lines escaped, never
// raw; manifest.json keeps them exact. The hostile values are constructed here
// from the real qemu captures (one value replaced, written to a temporary
// file); testdata is not changed.

const (
	hostileSerial = "SYS\033[2J\u202eSN\u009b1"
	hostileModelJ = `TEST\u001b]0;pwned\u0007\u0000\u009b\u202eSSD` // as lsblk/smartctl write it in JSON
	hostileModel  = "TEST\033]0;pwned\007\x00\u009b\u202eSSD"
	hostileStderr = "bad \033[2J\033]0;pwned\007 \222 c1\u009b rtl\u202e\n"
)

func hostileCopy(t *testing.T, src, old, new string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", src, old)
	}
	p := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(p, []byte(strings.ReplaceAll(string(b), old, new)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkTerminalSafe fails on anything a terminal obeys or hides: C0 controls
// but newline (and the progress line's own "\r\033[K" when allowed), DEL, C1,
// invisible format characters, invalid UTF-8.
func checkTerminalSafe(t *testing.T, what, text string) {
	t.Helper()
	if !utf8.ValidString(text) {
		t.Errorf("%s is not valid UTF-8: %q", what, text)
	}
	for i, r := range text {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029 {
			t.Errorf("%s has a raw %U at byte %d: %q", what, r, i, text[max(0, i-40):min(len(text), i+40)])
			return
		}
	}
}

func TestSATUntrustedStrings(t *testing.T) {
	m := newMachine(t)
	// The identity comes from the audit: a hostile serial and product name.
	sn, mf, pn := hostileSerial, "QEMU", "Std\u2066PC\u2069\u009b"
	a := &audit.Audit{SchemaVersion: audit.SchemaVersion, StartedAt: "2025-01-02T03:04:05Z"}
	a.Hardware.System = &audit.System{SerialNumber: &sn, Manufacturer: &mf, ProductName: &pn}
	a.Hardware.Summary.Verdict = audit.VerdictPass
	if _, err := audit.WriteFile(m.audit, a); err != nil {
		t.Fatal(err)
	}
	sc := qemuStorage(t)
	sc.Commands[0] = cmd("lsblk", "-J", "-b", "-o", audit.LsblkColumns).Replay(
		hostileCopy(t, capture(t, "lsblk", "qemu/lsblk.json"), `"TESTSSD"`, `"`+hostileModelJ+`"`), 0)
	sc.Commands[1] = cmd("smartctl", "-j", "-x", "/dev/sda").Replay(
		hostileCopy(t, capture(t, "smartctl", "qemu/smartctl-sda.json"), `"TESTSSD"`, `"`+hostileModelJ+`"`), 4)
	sc.Commands = sc.Commands[:6] // --selftest none
	m.run(newStorageFake(t, sc), "storage", "--selftest", "none")
	tb := readArchive(t, m.archive())

	summary := string(tb.files["summary.txt"])
	checkTerminalSafe(t, "summary.txt", summary)
	checkTerminalSafe(t, "stdout", m.stdout.String())
	checkTerminalSafe(t, "stderr", m.stderr.String())
	checkTerminalSafe(t, "progress", m.prog.String())
	// The hostile values did reach the summary, escaped.
	for _, want := range []string{`SYS\x1b[2J\u202eSN\u009b1`, `Std\u2066PC\u2069\u009b`, `TEST\x1b]0;pwned\x07\x00\u009b\u202eSSD`} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary.txt lacks %q:\n%s", want, summary)
		}
	}
	// The manifest keeps them exact.
	if got := deref(tb.man.Machine.SerialNumber); got != hostileSerial {
		t.Errorf("manifest serial = %q, want %q", got, hostileSerial)
	}
	if !strings.Contains(string(tb.files["manifest.json"]), `TEST\u001b]0;pwned\u0007\u0000`) {
		t.Errorf("manifest lost the disk model:\n%s", tb.files["manifest.json"])
	}

	// Without an audit the serial comes from dmidecode; here it fails with the
	// issue's stderr, which the summary quotes in the step's message.
	for _, p := range []string{m.audit, m.archive()} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	sc.Commands = append(sc.Commands, cmd("dmidecode", "-s", "system-serial-number").Answer(fakeResponse{StderrText: hostileStderr, Exit: 1}))
	m.run(newStorageFake(t, sc), "storage", "--selftest", "none")
	tb = readArchive(t, m.archive())
	summary = string(tb.files["summary.txt"])
	checkTerminalSafe(t, "summary.txt without an audit", summary)
	checkTerminalSafe(t, "stdout without an audit", m.stdout.String())
	if !strings.Contains(summary, `bad \x1b[2J\x1b]0;pwned\x07`) {
		t.Errorf("summary.txt lacks the escaped stderr:\n%s", summary)
	}
}

// Progress lines name disks and GPUs by what the machine says: escaped too, and
// on a terminal only bee's own "\r\033[K" rewrites the line.
func TestProgressUntrusted(t *testing.T) {
	for _, tty := range []bool{false, true} {
		var b strings.Builder
		now := func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
		p := newProgress(&Env{Progress: &b, Terminal: tty, Now: now})
		p.plan("self-test "+hostileModel, "archive")
		p.phase(0, hostileSerial)
		p.show("smartctl "+hostileModel, now(), time.Minute)
		out := strings.ReplaceAll(b.String(), "\r\033[K", "")
		checkTerminalSafe(t, "progress", out)
		if !strings.Contains(out, `self-test TEST\x1b]0;pwned\x07\x00\u009b\u202eSSD: SYS\x1b[2J`) {
			t.Errorf("progress (tty %v):\n%s", tty, out)
		}
	}
}
