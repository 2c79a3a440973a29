package termsafe

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The issue's own example: a tool that writes this to stderr cleared the
// screen and set the window title through bee audit's summary.
const pwned = "bad \033[2J\033]0;pwned\007 \222"

func TestLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"PowerEdge R640", "PowerEdge R640"},
		{pwned, `bad \x1b[2J\x1b]0;pwned\x07 ` + "\uFFFD"},
		{"a\x00b", `a\x00b`},
		{"tab\there\nnext\rcr", `tab\there\nnext\rcr`},
		{"del\x7f", `del\x7f`},
		{"c1 \u009b2J", `c1 \u009b2J`},                 // UTF-8 CSI
		{"raw c1 \x9b2J", "raw c1 \uFFFD2J"},           // a lone 0x9b byte is invalid UTF-8
		{"SN \u202e4321\u202c", `SN \u202e4321\u202c`}, // right-to-left override
		{"\u2066iso\u2069 \u200e\u200f", `\u2066iso\u2069 \u200e\u200f`},
		{"zw\u200bsp \ufeffbom \u00adshy", `zw\u200bsp \ufeffbom \u00adshy`},
		{"ls\u2028ps\u2029", `ls\u2028ps\u2029`},
		{"Ünïcödé 日本 ✓ back\\slash", "Ünïcödé 日本 ✓ back\\slash"},
		{"\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD"}, // a surrogate encoded in UTF-8
		{"cut \xe6\x97", "cut \uFFFD\uFFFD"},   // truncated multi-byte sequence
	} {
		if got := Line(tc.in); got != tc.want {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		w    int
		want string
	}{
		{"GPU-1a2b3c4d", 20, "GPU-1a2b3c4d"},
		{"GPU-1a2b3c4d", 12, "GPU-1a2b3c4d"},
		{"GPU-1a2b3c4d", 11, "GPU-1a2b..."},
		{"not seen by nvidia-smi", 15, "not seen by..."}, // no space before the mark
		{"日本語テキスト", 9, "日本語..."},                         // display width: 2 per character
		{"日本語テキスト", 8, "日本..."},                          // a wide character is never split
		{"abcdef", 3, "abc"},                             // no room for a mark
		{"abcdef", 0, ""},
	} {
		got := Fit(tc.in, tc.w)
		if got != tc.want {
			t.Errorf("Fit(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
		}
		if Width(got) > tc.w {
			t.Errorf("Fit(%q, %d) is %d columns wide", tc.in, tc.w, Width(got))
		}
	}
	if got := Cut("SAMSUNG MZQLB1T9HAJR", 8, "~"); got != "SAMSUNG~" {
		t.Errorf("Cut = %q", got)
	}
	// Sanitize first, then cut: what is cut is the escape's text, never half a
	// sequence a terminal could complete.
	if got := Truncate("ab\033[2J", 8); got != `ab\x1...` {
		t.Errorf("Truncate = %q", got)
	}
}

func TestStyled(t *testing.T) {
	in := "\033[1;31mFAIL\033[0m " + pwned + " \033[38:5:2mok\033[m \033[2J\033[31"
	want := "\033[1;31mFAIL\033[0m " + `bad \x1b[2J\x1b]0;pwned\x07 ` + "\uFFFD" + " \033[38:5:2mok\033[m " + `\x1b[2J\x1b[31`
	if got := Styled(in); got != want {
		t.Errorf("Styled(%q) =\n%q, want\n%q", in, got, want)
	}
}

func TestStrings(t *testing.T) {
	type inner struct {
		Name *string
		Tags []string
		M    map[string]string
		MS   map[string]struct{ V string }
		n    string
	}
	type outer struct {
		A   string
		In  *inner
		Ins []inner
		Arr [1]string
	}
	name := "gpu\033]0;x\007"
	v := outer{A: "a\x00", In: &inner{Name: &name, Tags: []string{"\u202e"}, M: map[string]string{"k": "\x9b"},
		MS: map[string]struct{ V string }{"k": {"\x1b"}}, n: "\x1b"}, Ins: []inner{{Tags: []string{"\t"}}}, Arr: [1]string{"\x07"}}
	Strings(&v)
	if v.A != `a\x00` || *v.In.Name != `gpu\x1b]0;x\x07` || v.In.Tags[0] != `\u202e` || v.In.M["k"] != "\uFFFD" ||
		v.In.MS["k"].V != `\x1b` || v.Ins[0].Tags[0] != `\t` || v.Arr[0] != `\x07` {
		t.Errorf("Strings left something raw: %+v %+v %q", v, *v.In, *v.In.Name)
	}
	if v.In.n != "\x1b" {
		t.Error("unexported fields are not touched")
	}
	if name != `gpu\x1b]0;x\x07` {
		t.Error("Strings works in place, through pointers")
	}
}

// checkSafe fails when out holds anything a terminal would obey.
func checkSafe(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%q -> %q: not valid UTF-8", in, out)
	}
	for _, r := range out {
		switch {
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
			t.Fatalf("%q -> %q: control character %U", in, out, r)
		case unicode.Is(unicode.Cf, r), r == 0x2028, r == 0x2029:
			t.Fatalf("%q -> %q: invisible format character %U", in, out, r)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", pwned, "\u009b\u202e\u2066\x00\x7f", "a\r\nb\tc", "日本\xe6\x97", "\xed\xa0\x80\xf4\x90\x80\x80", "\033[1;31mx\033[0m\033[2"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, w int) {
		line := Line(s)
		checkSafe(t, s, line)
		if strings.ContainsAny(line, "\n\t") {
			t.Fatalf("Line(%q) = %q keeps a layout character", s, line)
		}
		if again := Line(line); again != line {
			t.Fatalf("Line is not idempotent: %q -> %q -> %q", s, line, again)
		}
		// Styled keeps only SGR sequences: with them removed, nothing is left
		// that a terminal obeys.
		styled := Styled(s)
		for i := strings.IndexByte(styled, 0x1b); i >= 0; i = strings.IndexByte(styled, 0x1b) {
			n := sgrLen(styled[i:])
			if n == 0 {
				t.Fatalf("Styled(%q) = %q keeps an ESC that starts no SGR", s, styled)
			}
			styled = styled[:i] + styled[i+n:]
		}
		checkSafe(t, s, styled)
		w = w % 200
		if w < 0 {
			w = -w
		}
		cut := Truncate(s, w)
		checkSafe(t, s, cut)
		if Width(cut) > w {
			t.Fatalf("Truncate(%q, %d) = %q, %d columns", s, w, cut, Width(cut))
		}
		if Width(line) > w && w > len(Ellipsis) && !strings.HasSuffix(cut, Ellipsis) {
			t.Fatalf("Truncate(%q, %d) = %q cut without the mark", s, w, cut)
		}
	})
}
