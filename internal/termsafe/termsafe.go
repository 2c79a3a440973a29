// Package termsafe makes text that comes from the machine safe to write to a
// terminal, and cuts it to a display width with a visible mark.
//
// Everything bee shows on a terminal that it did not write itself (SMBIOS
// strings written by whoever flashed the firmware, disk and GPU names, PCI
// names, a tool's stderr, the SEL) can carry bytes a terminal obeys: ESC
// sequences that clear the screen or set the window title, C1 controls (a
// UTF-8 U+009B is a CSI to xterm), bidi overrides that make "1234" read
// "4321". Line turns every such character into a visible escape
// ("\x1b", "\u009b", "\u202e") and invalid UTF-8 into U+FFFD, so what the
// engineer reads is what the machine said, and the terminal obeys nothing.
// The audit JSON keeps the exact value (JSON escaping is safe already);
// docs/untrusted-text.md says where each path applies it.
package termsafe

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Ellipsis marks text that was cut. It is ASCII because the Linux text
// console's built-in font (tty1 on the live ISO has no console-setup) has no
// glyph for U+2026.
const Ellipsis = "..."

// Line returns s safe for a terminal on one line: every control character
// (C0 including tab and newline, DEL, C1), every invisible format character
// (bidi embeddings, overrides and isolates, zero-width characters, the BOM,
// line and paragraph separators) is written as an escape, and each byte of
// invalid UTF-8 becomes U+FFFD. The result is valid UTF-8 with no byte below
// 0x20 and no DEL. Printable text, backslashes included, is unchanged, so Line
// is idempotent.
func Line(s string) string { return clean(s) }

func clean(s string) string {
	if safe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteRune(utf8.RuneError) // one invalid byte
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case escaped(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Styled is Line for a line bee has styled itself: SGR sequences (ESC [
// digits, ';' or ':' ... m: colour, bold, reverse) are kept, every other
// control is escaped as by Line. It is the last guard of a screen whose values
// were made safe where they entered: a value that slipped through can at most
// change a colour, never move the cursor, clear the screen or set the title.
func Styled(s string) string {
	if safe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for {
		i := strings.IndexByte(s, 0x1b)
		if i < 0 {
			b.WriteString(Line(s))
			return b.String()
		}
		b.WriteString(Line(s[:i]))
		n := sgrLen(s[i:])
		if n == 0 {
			b.WriteString(`\x1b`)
			n = 1
		} else {
			b.WriteString(s[i : i+n])
		}
		s = s[i+n:]
	}
}

// sgrLen is the length of the SGR sequence at the start of s, 0 when s does
// not start with one.
func sgrLen(s string) int {
	if len(s) < 3 || s[0] != 0x1b || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == ';', c == ':':
		case c == 'm':
			return i + 1
		default:
			return 0
		}
	}
	return 0
}

// safe reports whether s needs no change (the common case: plain ASCII).
func safe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return false // decoded by the slow path
		}
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// escaped reports whether a valid rune other than C0/DEL must be shown as an
// escape: C1 controls, format characters (Cf: bidi controls U+200E/F,
// U+202A-202E, U+2066-2069, zero-width U+200B-200D, U+2060, BOM U+FEFF, soft
// hyphen, tags), line and paragraph separators, and the noncharacters
// U+FFFE/U+FFFF. (Surrogates never get here: they decode as invalid UTF-8.)
func escaped(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x2028 || r == 0x2029:
		return true
	case r == 0xfffe || r == 0xffff:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// Width is the number of terminal columns s takes (wide characters count 2).
func Width(s string) int { return ansi.StringWidth(s) }

// Truncate makes s safe (Line) and cuts it to at most w columns. A cut string
// ends in Ellipsis, so a reader always sees that there was more. The cut is
// made after sanitizing, on whole characters, so neither an escape sequence
// nor a wide character is ever split into something a terminal would obey.
func Truncate(s string, w int) string {
	return Fit(Line(s), w)
}

// Fit cuts s, which is safe already or carries bee's own styling (SGR
// sequences are kept whole), to at most w columns, ending in Ellipsis when
// anything was cut.
func Fit(s string, w int) string { return Cut(s, w, Ellipsis) }

// Cut is Fit with another mark (a table cell cut to a narrow column ends in a
// one-column "~", which leaves more of the value). Spaces before the mark are
// dropped ("model ..." would read as a value ending in a space). When w has no
// room for the mark and one character, the text is only cut.
func Cut(s string, w int, mark string) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	mw := ansi.StringWidth(mark)
	if w <= mw {
		return ansi.Truncate(s, w, "")
	}
	return strings.TrimRight(ansi.Truncate(s, w-mw, ""), " ") + mark
}

// Strings sanitizes, in place and with Line, every string reachable from v,
// which must be a non-nil pointer: struct fields (exported ones), pointers,
// slices, arrays and map values. It is how a whole decoded audit is made safe
// to show once, at the point it enters a screen, instead of at every cell.
func Strings(v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		panic("termsafe.Strings: need a non-nil pointer")
	}
	walk(rv.Elem())
}

func walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			if s := v.String(); !safe(s) {
				v.SetString(Line(s))
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				walk(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := v.MapIndex(k)
			if e.Kind() == reflect.String {
				if s := e.String(); !safe(s) {
					v.SetMapIndex(k, reflect.ValueOf(Line(s)).Convert(e.Type()))
				}
				continue
			}
			// Map values are not addressable: copy, clean, store back.
			c := reflect.New(e.Type()).Elem()
			c.Set(e)
			walk(c)
			v.SetMapIndex(k, c)
		}
	}
}
