package jsonflex

import (
	"encoding/json"
	"testing"
)

func TestNum(t *testing.T) {
	for in, want := range map[string]*int64{
		`42`: ip(42), `"42"`: ip(42), `"0x10"`: ip(16), `"87%"`: ip(87), `14051417.000000`: ip(14051417),
		`{"value": 7}`: ip(7), `{"Value": "8"}`: ip(8), `null`: nil, `"N/A"`: nil, `1.5`: nil, `true`: nil,
		`"340282366920938463463374607431768211455"`: nil, // 128-bit counter: unknown, not wrapped
		`{"value": {"value": 1}}`:                   nil, `"NaN"`: nil, `[1]`: nil,
	} {
		var n Num
		if err := json.Unmarshal([]byte(in), &n); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		got := n.I64()
		if (got == nil) != (want == nil) || got != nil && *got != *want {
			t.Errorf("Num(%s) = %v, want %v", in, deref(got), deref(want))
		}
	}
}

func TestFlagAndStr(t *testing.T) {
	for in, want := range map[string]string{`true`: "true", `"1"`: "true", `0`: "false", `"No"`: "false", `"maybe"`: "nil", `null`: "nil"} {
		var f Flag
		json.Unmarshal([]byte(in), &f)
		got := "nil"
		if p := f.Ptr(); p != nil {
			got = map[bool]string{true: "true", false: "false"}[*p]
		}
		if got != want {
			t.Errorf("Flag(%s) = %s, want %s", in, got, want)
		}
	}
	for in, want := range map[string]string{`" padded "`: "padded", `12`: "12", `{}`: "", `null`: ""} {
		var s Str
		json.Unmarshal([]byte(in), &s)
		if string(s) != want {
			t.Errorf("Str(%s) = %q, want %q", in, s, want)
		}
	}
}

func TestDecodeObjectKeepsGoingOnTypeSurprise(t *testing.T) {
	var v struct {
		A []int `json:"a"`
		B Num   `json:"b"`
	}
	if err := DecodeObject([]byte(`{"a": {"not": "a list"}, "b": "5"}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.B.I64() == nil || *v.B.I64() != 5 {
		t.Errorf("b = %+v", v.B)
	}
	if err := DecodeObject([]byte(`{"a": [1,`), &v); err == nil {
		t.Error("syntax error accepted")
	}
}

func ip(v int64) *int64 { return &v }

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}
