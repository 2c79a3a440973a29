package dmidecode

import "testing"

func TestParseKeyword(t *testing.T) {
	for in, want := range map[string]string{
		"SYSSN12345\n": "SYSSN12345",
		"# SMBIOS implementations newer than version 3.2.0 are not\n# fully supported by this version of dmidecode.\nABC 123  \n": "ABC 123",
		"":                   "",
		"# only a comment\n": "",
		"\n\n  x\n":          "x",
	} {
		if got := ParseKeyword([]byte(in)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
