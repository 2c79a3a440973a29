package memtester

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

// okLoop builds the 18 tests of a memtester 4.x loop, all "ok" with the column padding
// memtester prints, except those overridden.
func okTests(override map[string]TestResult) []TestResult {
	var out []TestResult
	for _, n := range testNames {
		if tr, ok := override[n]; ok {
			tr.Name = n
			out = append(out, tr)
			continue
		}
		out = append(out, TestResult{Name: n, OK: true, Raw: padName(n) + ": ok"})
	}
	return out
}

func padName(n string) string {
	return n + strings.Repeat(" ", 20-len(n))
}

func failed(raw string) TestResult { return TestResult{Failed: true, Raw: raw} }

// Fragment of a Rockchip DDR-verification log: endless run at loop 92, seven FAILURE
// lines, the garbled "Compare AND :   Sequential Increment: ok" line, no banner, no Done.
func TestParseRockchipLoop92(t *testing.T) {
	got, err := Parse(readFixture(t, "rockchip_loop92_failures.txt"))
	if err != nil {
		t.Fatal(err)
	}
	f := func(test, line string) Failure {
		return Failure{Loop: 92, Test: test, Line: line, Offset: "0x0027a958"}
	}
	want := &Result{
		Loops: []Loop{{
			Number: 92,
			Tests: okTests(map[string]TestResult{
				"Random Value": failed("Random Value        : FAILURE: 0x37fe0f4190f6b999 != 0x37fe0f4196f6b999 at offset 0x0027a958."),
				"Compare XOR":  failed("Compare XOR         : FAILURE: 0x4c4f418e764340e8 != 0x4c4f418e704340e8 at offset 0x0027a958."),
				"Compare SUB":  failed("Compare SUB         : FAILURE: 0x2856fb8ee22bd230 != 0xfe5ee503ee2bd230 at offset 0x0027a958."),
				"Compare MUL":  failed("Compare MUL         : FAILURE: 0x00000000 != 0x00000001 at offset 0x0027a958."),
				"Compare DIV":  failed("Compare DIV         : FAILURE: 0xefb2eceaffbf9604 != 0xefb2eceaffbf9605 at offset 0x0027a958."),
				"Compare OR":   failed("Compare OR          : FAILURE: 0xcbb2a0e8cfbb8200 != 0xcbb2a0e8cfbb8201 at offset 0x0027a958."),
				// Garbled: no result of its own; the rest of the line is the next test.
				"Compare AND": {Raw: "Compare AND         :"},
			}),
		}},
		Failures: []Failure{
			f("Random Value", "FAILURE: 0x37fe0f4190f6b999 != 0x37fe0f4196f6b999 at offset 0x0027a958."),
			f("Random Value", "FAILURE: 0x2823d0d6f62a4b01 != 0x2823d0d6f02a4b01 at offset 0x0027a958."),
			f("Compare XOR", "FAILURE: 0x4c4f418e764340e8 != 0x4c4f418e704340e8 at offset 0x0027a958."),
			f("Compare SUB", "FAILURE: 0x2856fb8ee22bd230 != 0xfe5ee503ee2bd230 at offset 0x0027a958."),
			f("Compare MUL", "FAILURE: 0x00000000 != 0x00000001 at offset 0x0027a958."),
			f("Compare DIV", "FAILURE: 0xefb2eceaffbf9604 != 0xefb2eceaffbf9605 at offset 0x0027a958."),
			f("Compare OR", "FAILURE: 0xcbb2a0e8cfbb8200 != 0xcbb2a0e8cfbb8201 at offset 0x0027a958."),
		},
		Completed: false,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
}

// Raw capture of `memtester 100M 3` (4.6.0) with spinners and "setting/testing N"
// counters drawn with backspaces, and faults in every loop.
func TestParseRaw460ThreeLoops(t *testing.T) {
	got, err := Parse(readFixture(t, "raw-4.6.0_100M-3loops_with-faults_backspaces.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != "4.6.0" || *got.RequestedMB != 100 || *got.GotMB != 100 || !*got.LockedMemory || !got.Completed {
		t.Errorf("header = %q want %v got %v locked %v completed %v", got.Version, *got.RequestedMB, *got.GotMB, *got.LockedMemory, got.Completed)
	}
	if len(got.Loops) != 3 {
		t.Fatalf("got %d loops, want 3", len(got.Loops))
	}

	// Loop 2 compared whole: the spinner/counter text before a FAILURE stays in Raw
	// ("testing   2FAILURE..."), as the terminal showed it.
	wantLoop2 := Loop{
		Number: 2,
		Total:  ptr(3),
		Tests: okTests(map[string]TestResult{
			"Stuck Address":  failed("Stuck Address       : testing   0FAILURE: possible bad address line at offset 0x0000000000000000."),
			"Bit Spread":     failed("Bit Spread          : testing   2FAILURE: 0x0000000000000014 != 0x0000000000000014 at offset 0x0000000002918ec0."),
			"Walking Zeroes": failed("Walking Zeroes      : testing  15FAILURE: 0x0000000000008000 != 0x0000000000008000 at offset 0x0000000000ba65c0."),
		}),
	}
	if diff := cmp.Diff(wantLoop2, got.Loops[1]); diff != "" {
		t.Errorf("loop 2 mismatch (-want +got):\n%s", diff)
	}

	// Failures per loop and test, counted in the file.
	type key struct {
		loop int
		test string
	}
	counts := map[key]int{}
	for _, f := range got.Failures {
		counts[key{f.Loop, f.Test}]++
		if !strings.HasPrefix(f.Line, "FAILURE: ") || !strings.HasPrefix(f.Offset, "0x") || len(f.Offset) != 18 {
			t.Errorf("failure %+v", f)
		}
	}
	wantCounts := map[key]int{
		{1, "Stuck Address"}: 1, {1, "Random Value"}: 9, {1, "Bit Flip"}: 9,
		{2, "Stuck Address"}: 1, {2, "Bit Spread"}: 9, {2, "Walking Zeroes"}: 9,
		{3, "Stuck Address"}: 1, {3, "Bit Flip"}: 9,
	}
	if diff := cmp.Diff(wantCounts, counts, cmp.AllowUnexported(key{})); diff != "" {
		t.Errorf("failure counts mismatch (-want +got):\n%s", diff)
	}
	if len(got.Failures) != 48 {
		t.Errorf("got %d failures, want 48", len(got.Failures))
	}
	wantFirst := Failure{Loop: 1, Test: "Stuck Address", Line: "FAILURE: possible bad address line at offset 0x00000000000000a0.", Offset: "0x00000000000000a0"}
	if diff := cmp.Diff(wantFirst, got.Failures[0]); diff != "" {
		t.Errorf("first failure mismatch (-want +got):\n%s", diff)
	}
	wantLast := Failure{Loop: 3, Test: "Bit Flip", Line: "FAILURE: 0xfffffffffffeffff != 0xfffffffffffeffff at offset 0x0000000002032d10.", Offset: "0x0000000002032d10"}
	if diff := cmp.Diff(wantLast, got.Failures[47]); diff != "" {
		t.Errorf("last failure mismatch (-want +got):\n%s", diff)
	}

	for i, l := range got.Loops {
		if l.Number != i+1 || l.Total == nil || *l.Total != 3 || len(l.Tests) != 18 {
			t.Errorf("loop %d: number %d total %v, %d tests", i, l.Number, l.Total, len(l.Tests))
		}
		var nFailed int
		for _, tr := range l.Tests {
			if tr.Failed == tr.OK {
				t.Errorf("loop %d %s: OK %v Failed %v", l.Number, tr.Name, tr.OK, tr.Failed)
			}
			if tr.Failed {
				nFailed++
			}
			if strings.ContainsAny(tr.Raw, "\b\\|") {
				t.Errorf("loop %d %s: spinner left in %q", l.Number, tr.Name, tr.Raw)
			}
		}
		if want := []int{3, 3, 2}[i]; nFailed != want {
			t.Errorf("loop %d: %d failed tests, want %d", l.Number, nFailed, want)
		}
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
	files, err := filepath.Glob("testdata/*")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		f.Add(readFixture(f, filepath.Base(name)))
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
