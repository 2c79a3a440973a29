package memtester

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/testtools/golden"
	"github.com/google/go-cmp/cmp"
)

func ptr[T any](v T) *T { return &v }

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestCaptures parses every capture in testdata and compares the result with
// its <capture>.golden.json (go test -update rewrites them; review the diff).
// The tests below keep only what each capture was added to prove.
func TestCaptures(t *testing.T) {
	for _, path := range golden.Captures(t, "testdata", nil) {
		name, _ := filepath.Rel("testdata", path)
		t.Run(name, func(t *testing.T) {
			r, err := Parse(readFixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, path, r)
		})
	}
}

// Fragment of a Rockchip DDR-verification log: endless run at loop 92, no banner,
// no Done., and the garbled "Compare AND :   Sequential Increment: ok" line: the
// test has no result of its own, the rest of the line is the next test.
func TestParseRockchipLoop92(t *testing.T) {
	got, err := Parse(readFixture(t, "rockchip_loop92_failures.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Completed || len(got.Loops) != 1 || got.Loops[0].Number != 92 || len(got.Failures) != 7 {
		t.Fatalf("Completed %v, %d loops, %d failures", got.Completed, len(got.Loops), len(got.Failures))
	}
	byName := map[string]TestResult{}
	for _, tr := range got.Loops[0].Tests {
		byName[tr.Name] = tr
	}
	if and := byName["Compare AND"]; and.OK || and.Failed || and.Raw != "Compare AND         :" {
		t.Errorf("Compare AND = %+v", and)
	}
	if seq := byName["Sequential Increment"]; !seq.OK {
		t.Errorf("Sequential Increment = %+v", seq)
	}
}

// Raw capture of `memtester 100M 3` (4.6.0) with spinners and "setting/testing N"
// counters drawn with backspaces, and faults in every loop: the spinner text
// before a FAILURE stays in Raw as the terminal showed it ("testing   2FAILURE"),
// but no backspace or spinner character is left.
func TestParseRaw460ThreeLoops(t *testing.T) {
	got, err := Parse(readFixture(t, "raw-4.6.0_100M-3loops_with-faults_backspaces.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != "4.6.0" || !got.Completed || len(got.Loops) != 3 || len(got.Failures) != 48 {
		t.Fatalf("version %q, completed %v, %d loops, %d failures", got.Version, got.Completed, len(got.Loops), len(got.Failures))
	}
	want := "Bit Spread          : testing   2FAILURE: 0x0000000000000014 != 0x0000000000000014 at offset 0x0000000002918ec0."
	seen := false
	for _, l := range got.Loops {
		for _, tr := range l.Tests {
			if l.Number == 2 && tr.Name == "Bit Spread" {
				seen = true
				if !tr.Failed || tr.Raw != want {
					t.Errorf("loop 2 Bit Spread = %+v", tr)
				}
			}
			if strings.ContainsAny(tr.Raw, "\b\\|") {
				t.Errorf("loop %d %s: spinner left in %q", l.Number, tr.Name, tr.Raw)
			}
		}
	}
	if !seen {
		t.Error("no Bit Spread in loop 2")
	}
}

// The same capture cut short mid-test: no Done., the running test neither ok nor failed.
func TestParseTruncated(t *testing.T) {
	data := readFixture(t, "raw-4.6.0_100M-3loops_with-faults_backspaces.txt")
	cut := bytes.Index(data, []byte("Loop 3/3:"))
	if cut < 0 {
		t.Fatal("fixture changed")
	}
	// Keep loop 3's header and its first test's spinner, then stop.
	next := bytes.Index(data[cut:], []byte("  Random Value"))
	data = data[:cut+next+len("  Random Value        : ")+40]
	got, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Completed {
		t.Error("Completed = true for a truncated run")
	}
	last := got.Loops[len(got.Loops)-1]
	if last.Number != 3 || len(last.Tests) != 2 {
		t.Fatalf("last loop = %+v", last)
	}
	if tr := last.Tests[1]; tr.Name != "Random Value" || tr.OK || tr.Failed {
		t.Errorf("running test = %+v", tr)
	}
}

func TestParseVariants(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Result
	}{
		{
			name: "clean run, 32-bit, quoted with three-space indent",
			in: "memtester version 4.3.0 (32-bit)\nCopyright (C) 2001-2012 Charles Cazabon.\n" +
				"Licensed under the GNU General Public License version 2 (only).\n\n" +
				"pagesize is 4096\npagesizemask is 0xfffff000\nwant 1400MB (1468006400 bytes)\n" +
				"got  1400MB (1468006400 bytes), trying mlock ...locked.\nLoop 1:\n" +
				"   Stuck Address       : ok\n   Solid Bits          : testing  23FAILURE: 0xffffffff != 0xffffff00 at offset 0x099e03bc.\n" +
				"FAILURE: 0x00000000 != 0x000000ff at offset 0x099e03c0.\n",
			want: &Result{
				Version: "4.3.0", RequestedMB: ptr(1400), GotMB: ptr(1400), LockedMemory: ptr(true),
				Loops: []Loop{{Number: 1, Tests: []TestResult{
					{Name: "Stuck Address", OK: true, Raw: "Stuck Address       : ok"},
					{Name: "Solid Bits", Failed: true, Raw: "Solid Bits          : testing  23FAILURE: 0xffffffff != 0xffffff00 at offset 0x099e03bc."},
				}}},
				Failures: []Failure{
					{Loop: 1, Test: "Solid Bits", Line: "FAILURE: 0xffffffff != 0xffffff00 at offset 0x099e03bc.", Offset: "0x099e03bc"},
					{Loop: 1, Test: "Solid Bits", Line: "FAILURE: 0x00000000 != 0x000000ff at offset 0x099e03c0.", Offset: "0x099e03c0"},
				},
			},
		},
		{
			name: "mlock refused: reducing, then permission denied and unlocked retry",
			in: "memtester version 4.6.0 (64-bit)\nwant 2048MB (2147483648 bytes)\n" +
				"got  2048MB (2147483648 bytes), trying mlock ...too many pages, reducing...\n" +
				"got  2047MB (2147479552 bytes), trying mlock ...insufficient permission.\nTrying again, unlocked:\n" +
				"got  2048MB (2147483648 bytes)\nContinuing with unlocked memory; testing will be slower and less reliable.\n" +
				"Loop 1/1:\r\n  Stuck Address       : ok\r\n\r\nDone.\r\n",
			want: &Result{
				Version: "4.6.0", RequestedMB: ptr(2048), GotMB: ptr(2048), LockedMemory: ptr(false),
				Loops:     []Loop{{Number: 1, Total: ptr(1), Tests: []TestResult{{Name: "Stuck Address", OK: true, Raw: "Stuck Address       : ok"}}}},
				Completed: true,
			},
		},
		{
			name: "spinner overwritten by ok, unknown test name",
			in: "Loop 5/10:\n  Stuck Address       :            \b\b\b\b\b\b\b\b\b\b\bsetting   0\b\b\b\b\b\b\b\b\b\b\btesting   0\b\b\b\b\b\b\b\b\b\b\b           \b\b\b\b\b\b\b\b\b\b\bok\n" +
				"  Random Value        : -\b\\\b|\b/\b-\b \bok\n  Fancy New Test      : ok\n",
			want: &Result{
				Loops: []Loop{{Number: 5, Total: ptr(10), Tests: []TestResult{
					{Name: "Stuck Address", OK: true, Raw: "Stuck Address       : ok"},
					{Name: "Random Value", OK: true, Raw: "Random Value        : ok"},
					{Name: "Fancy New Test", OK: true, Raw: "Fancy New Test      : ok"},
				}}},
			},
		},
		{
			name: "failures before any loop or test",
			in:   "FAILURE: 0x1 != 0x2 at offset 0x10.\nFAILURE: something odd\n",
			want: &Result{Failures: []Failure{
				{Line: "FAILURE: 0x1 != 0x2 at offset 0x10.", Offset: "0x10"},
				{Line: "FAILURE: something odd"},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseBadInput(t *testing.T) {
	for _, in := range []string{
		"",
		"\n\n  \n",
		"\b\b\b\b",
		"<html><body>404</body></html>",
		"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n",
		"\x00\x01\x02\xff",
		"Timestamp : today\nDriver Version : 1\n",
	} {
		if r, err := Parse([]byte(in)); err == nil || r != nil {
			t.Errorf("Parse(%q) = %+v, %v; want nil and an error", in, r, err)
		} else if !strings.HasPrefix(err.Error(), "memtester: ") {
			t.Errorf("error %q lacks the memtester prefix", err)
		}
	}
}

func TestResolve(t *testing.T) {
	tests := map[string]string{
		"abc":                  "abc",
		"abc\b\bX":             "aXc",
		"\b\bab":               "ab",
		"ab\b\b\b\bcd":         "cd",
		"hello\rHE":            "HEllo",
		"x\r":                  "x",
		"12345\b\b\b\b\b     ": "     ",
	}
	for in, want := range tests {
		if got := resolve([]byte(in)); got != want {
			t.Errorf("resolve(%q) = %q, want %q", in, got, want)
		}
	}
}

// The seeds include fixtures of 50-210 KB; minimizing a new interesting input that size
// takes the fuzzer minutes, so add -fuzzminimizetime=1s for a useful short run:
//
//	go test -run='^$' -fuzz=FuzzParse -fuzztime=20s -fuzzminimizetime=1s ./internal/parse/memtester/
func FuzzParse(f *testing.F) {
	for _, path := range golden.Captures(f, "testdata", nil) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if (r == nil) == (err == nil) {
			t.Fatalf("exactly one of Result and error must be set: %v, %v", r, err)
		}
		if r == nil {
			return
		}
		n := 0
		for _, l := range r.Loops {
			for _, tr := range l.Tests {
				if tr.Failed {
					n++
				}
				if tr.Name == "" {
					t.Fatalf("test without a name: %+v", tr)
				}
			}
		}
		if n > len(r.Failures) {
			t.Fatalf("%d failed tests but %d failures", n, len(r.Failures))
		}
		for _, f := range r.Failures {
			if !strings.HasPrefix(f.Line, "FAILURE") {
				t.Fatalf("failure line %q", f.Line)
			}
		}
	})
}
