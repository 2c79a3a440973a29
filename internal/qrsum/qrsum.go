// Package qrsum renders the audit's one-glance summary (README) as a QR code
// drawn with Unicode half blocks, small enough that the code and the verdict
// line fit an 80×25 text console. A phone pointed at the console or a BMC
// screenshot gets the machine's serial, verdict and the audit's hash.
package qrsum

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/termsafe"
)

// Format is the version tag that starts every summary text.
const Format = "BEE1"

// Field limits keep the text within a version-6 QR code at error correction
// level L (134 bytes): 45 modules with the quiet zone, 23 text rows, so the
// code and the verdict line under it fit an 80×25 console.
const (
	maxSerial  = 32
	maxProduct = 24
	maxProfile = 20
	maxText    = 134
)

// Text builds the summary text:
//
//	BEE1;SN=<system serial>;PN=<product name>;V=<verdict>;W=<warnings>;F=<failures>;H=<sha256 of the audit JSON, 12 hex>[;P=<profile name>;M=<mismatches>]
//
// P and M come last, and only when the audit was judged against a hardware
// profile (docs/profiles.md): M counts its CONFIG_* differences. A reader of
// the text without them still finds its fields where they were.
// Unknown serial or product are empty. ';' and '=' in values become '_', so the
// text always splits back into its fields; control, C1 and bidi characters are
// escaped ("\x1b") and invalid UTF-8 is U+FFFD (docs/untrusted-text.md).
func Text(a *audit.Audit, auditJSON []byte) string {
	var sn, pn string
	if s := a.Hardware.System; s != nil {
		if s.SerialNumber != nil {
			sn = *s.SerialNumber
		}
		if s.ProductName != nil {
			pn = *s.ProductName
		}
	}
	if sn == "" && a.Hardware.Board != nil && a.Hardware.Board.SerialNumber != nil {
		sn = *a.Hardware.Board.SerialNumber
	}
	sum := sha256.Sum256(auditJSON)
	s := a.Hardware.Summary
	text := fmt.Sprintf("%s;SN=%s;PN=%s;V=%s;W=%d;F=%d;H=%s", Format,
		field(sn, maxSerial), field(pn, maxProduct), s.Verdict, min(s.Warnings, 999), min(s.Failures, 999),
		hex.EncodeToString(sum[:])[:12])
	if p := a.Hardware.Profile; p != nil {
		text += fmt.Sprintf(";P=%s;M=%d", field(p.Name, maxProfile), min(s.ProfileMismatches(), 999))
	}
	return text
}

// field makes s terminal-safe (termsafe.Line: a phone shows the decoded text
// as it is, so control and bidi characters arrive escaped, never raw), keeps
// ';' and '=' out of it and cuts it to n bytes on a character boundary.
func field(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r == ';' || r == '=' {
			return '_'
		}
		return r
	}, termsafe.Line(strings.TrimSpace(s)))
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// quiet is the quiet-zone width in modules around the code. The standard asks
// for 4; 2 decodes reliably on screens and keeps the code inside 25 rows.
const quiet = 2

// Render draws text as a QR code, two module rows per text line, dark modules
// as the terminal's foreground on a light-background-free layout: "█" for both
// halves dark, "▀" and "▄" for one, space for none. The code is drawn inverted
// (light modules as blocks) because consoles are light-on-dark.
func Render(text string) (string, error) {
	if len(text) > maxText {
		return "", fmt.Errorf("qr: summary of %d bytes exceeds %d", len(text), maxText)
	}
	q, err := qrcode.New(text, qrcode.Low)
	if err != nil {
		return "", fmt.Errorf("qr: %w", err)
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	n := len(bm) + 2*quiet
	// light(x, y) reports whether the module at (x, y) is light; the quiet zone is light.
	light := func(x, y int) bool {
		x, y = x-quiet, y-quiet
		if x < 0 || y < 0 || y >= len(bm) || x >= len(bm) {
			return true
		}
		return !bm[y][x]
	}
	var b strings.Builder
	for y := 0; y < n; y += 2 {
		for x := 0; x < n; x++ {
			top, bottom := light(x, y), y+1 < n && light(x, y+1)
			switch {
			case top && bottom:
				b.WriteRune('█')
			case top:
				b.WriteRune('▀')
			case bottom:
				b.WriteRune('▄')
			default:
				b.WriteByte(' ')
			}
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}
