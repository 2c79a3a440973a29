package qrsum

import (
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/beeaudit/bee/internal/audit"
)

// toImage turns the half-block rendering back into pixels the way a
// light-on-dark console shows it: a block half is a light module.
func toImage(t *testing.T, s string) image.Image {
	t.Helper()
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	w := len([]rune(lines[0]))
	const scale = 4
	img := image.NewGray(image.Rect(0, 0, w*scale, len(lines)*2*scale))
	set := func(x, y int, light bool) {
		c := color.Gray{Y: 0}
		if light {
			c.Y = 255
		}
		for dy := 0; dy < scale; dy++ {
			for dx := 0; dx < scale; dx++ {
				img.SetGray(x*scale+dx, y*scale+dy, c)
			}
		}
	}
	for row, line := range lines {
		rs := []rune(line)
		if len(rs) != w {
			t.Fatalf("row %d has %d columns, want %d", row, len(rs), w)
		}
		for x, r := range rs {
			var top, bottom bool
			switch r {
			case '█':
				top, bottom = true, true
			case '▀':
				top = true
			case '▄':
				bottom = true
			case ' ':
			default:
				t.Fatalf("unexpected rune %q", r)
			}
			set(x, 2*row, top)
			set(x, 2*row+1, bottom)
		}
	}
	return img
}

func decode(t *testing.T, s string) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(toImage(t, s))
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, s)
	}
	return res.GetText()
}

func sp(s string) *string { return &s }

func TestRenderDecodesToText(t *testing.T) {
	a := &audit.Audit{}
	a.Hardware.System = &audit.System{SerialNumber: sp("A271337X9"), ProductName: sp("SYS-4029GP-TRT2")}
	a.Hardware.Summary = audit.Summary{Verdict: "fail", Warnings: 3, Failures: 1}
	text := Text(a, []byte(`{"x":1}`))
	want := "BEE1;SN=A271337X9;PN=SYS-4029GP-TRT2;V=fail;W=3;F=1;H=5041bf1f713d"
	if text != want {
		t.Fatalf("Text = %q, want %q", text, want)
	}
	out, err := Render(text)
	if err != nil {
		t.Fatal(err)
	}
	if got := decode(t, out); got != text {
		t.Fatalf("decoded %q, want %q", got, text)
	}
}

func TestWorstCaseFitsConsole(t *testing.T) {
	a := &audit.Audit{}
	a.Hardware.System = &audit.System{
		SerialNumber: sp(strings.Repeat("S", 80) + ";=x"),
		ProductName:  sp("ThinkSystem SR950 V3 -[7DC5CTO1WW]- and then some more"),
	}
	a.Hardware.Summary = audit.Summary{Verdict: "warning", Warnings: 12345, Failures: 4567}
	for i := 0; i < 1234; i++ {
		a.Hardware.Summary.Findings = append(a.Hardware.Summary.Findings, audit.Finding{Code: "CONFIG_DIMM_MISSING"})
	}
	a.Hardware.Profile = &audit.ProfileRef{Name: strings.Repeat("p", 60) + ";=x"}
	text := Text(a, []byte("{}"))
	if len(text) > maxText {
		t.Fatalf("text %d bytes > %d: %q", len(text), maxText, text)
	}
	if !strings.HasSuffix(text, ";P="+strings.Repeat("p", maxProfile)+";M=999") {
		t.Fatalf("profile fields not cut as expected: %q", text)
	}
	if strings.Count(text, ";") != 8 || strings.Count(text, "=") != 8 {
		t.Fatalf("separators leaked into values: %q", text)
	}
	out, err := Render(text)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	// 24 rows leave one for the verdict line on an 80×25 console.
	if len(lines) > 24 || len([]rune(lines[0])) > 80 {
		t.Fatalf("QR is %d rows × %d columns; must fit 80×24", len(lines), len([]rune(lines[0])))
	}
	if got := decode(t, out); got != text {
		t.Fatalf("decoded %q, want %q", got, text)
	}
}

// With a profile, its name and mismatch count are appended after the fields
// of the text without one, and decode back (constructed audit: one DIMM
// missing, one unusable profile that is not a mismatch, one GPU failure).
func TestProfileFieldsDecode(t *testing.T) {
	a := &audit.Audit{}
	a.Hardware.System = &audit.System{SerialNumber: sp("A271337X9"), ProductName: sp("SYS-4029GP-TRT2")}
	a.Hardware.Summary = audit.Summary{Verdict: "fail", Warnings: 2, Failures: 1, Findings: []audit.Finding{
		{Code: "GPU_MISSING"}, {Code: "CONFIG_DIMM_MISSING"}, {Code: "CONFIG_PROFILE_UNUSABLE"},
	}}
	without := Text(a, []byte(`{"x":1}`))
	a.Hardware.Profile = &audit.ProfileRef{Name: "smc-4029gp", MatchedBy: "match"}
	text := Text(a, []byte(`{"x":1}`))
	if !strings.HasPrefix(text, without+";") {
		t.Fatalf("Text = %q, want it to extend %q", text, without)
	}
	out, err := Render(text)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{}
	for _, kv := range strings.Split(decode(t, out), ";")[1:] {
		k, v, _ := strings.Cut(kv, "=")
		fields[k] = v
	}
	if fields["P"] != "smc-4029gp" || fields["M"] != "1" || fields["SN"] != "A271337X9" {
		t.Fatalf("decoded fields %v, want P=smc-4029gp M=1 SN=A271337X9", fields)
	}
}

func TestUnknownSerialFallsBackToBoard(t *testing.T) {
	a := &audit.Audit{}
	a.Hardware.Board = &audit.Board{SerialNumber: sp("BRD123")}
	a.Hardware.Summary.Verdict = "pass"
	if got := Text(a, nil); !strings.HasPrefix(got, "BEE1;SN=BRD123;PN=;V=pass;W=0;F=0;H=") {
		t.Fatalf("Text = %q", got)
	}
}

func TestRenderRejectsOversizedText(t *testing.T) {
	if _, err := Render(strings.Repeat("x", maxText+1)); err == nil {
		t.Fatal("want error for oversized text")
	}
}

// A serial written by hostile firmware reaches the phone escaped: no control,
// C1 or bidi character and no invalid UTF-8 in the text (constructed values).
func TestTextUntrustedSerial(t *testing.T) {
	a := &audit.Audit{}
	a.Hardware.System = &audit.System{SerialNumber: sp("S\033]0;x\007\u009b\u202e\xff1"), ProductName: sp("P\tQ")}
	a.Hardware.Summary.Verdict = "pass"
	got := Text(a, nil)
	if want := `BEE1;SN=S\x1b]0_x\x07\u009b\u202e` + "\uFFFD" + `1;PN=P\tQ;V=pass;`; !strings.HasPrefix(got, want) {
		t.Fatalf("Text = %q, want prefix %q", got, want)
	}
}
