package schema

import (
	"strings"
	"testing"
)

const minimal = `{"schema_version":1,"bee_version":"dev","started_at":"2026-11-26T01:00:00Z","finished_at":"2026-11-26T01:00:05Z",
"runtime":"host","hostname":null,"kernel":"6.1.0-56-amd64",
"hardware":{"summary":{"verdict":"pass","warnings":0,"failures":0,"findings":[]},
 "system":{"manufacturer":"X","product_name":null,"serial_number":null,"uuid":null,"sku":null,"family":null},
 "bios":null,"board":null,"cpus":[],"memory":null,"storage":[],"pcie":[],"psus":[],"gpus":[]},
"collectors":[%s]}`

func collectors(status, errv string) string {
	var parts []string
	for _, n := range []string{"board", "cpu", "memory", "storage", "pcie", "psu", "nvidia"} {
		parts = append(parts, `{"name":"`+n+`","status":"`+status+`","duration_ms":1,"error":`+errv+`,"commands":[]}`)
	}
	return strings.Join(parts, ",")
}

func TestValidate(t *testing.T) {
	ok := strings.Replace(minimal, "%s", collectors("ok", "null"), 1)
	if err := Validate([]byte(ok)); err != nil {
		t.Fatalf("minimal audit rejected: %v", err)
	}
	for name, doc := range map[string]string{
		"empty string pretending to be data": strings.Replace(ok, `"manufacturer":"X"`, `"manufacturer":""`, 1),
		"bad verdict":                        strings.Replace(ok, `"verdict":"pass"`, `"verdict":"ok"`, 1),
		"missing summary counts":             strings.Replace(ok, `"warnings":0,`, ``, 1),
		"skipped without reason":             strings.Replace(minimal, "%s", collectors("skipped", "null"), 1),
		"bad timestamp":                      strings.Replace(ok, `"2026-11-26T01:00:00Z"`, `"yesterday"`, 1),
		"not json":                           `{"schema_version":1`,
	} {
		if err := Validate([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
