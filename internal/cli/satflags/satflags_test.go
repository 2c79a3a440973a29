package satflags

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestParseDefaults(t *testing.T) {
	var out, errb bytes.Buffer
	a, code, done := Parse([]string{"nvidia", "--duration", "10s"}, &out, &errb)
	if done || code != 0 {
		t.Fatalf("done %v code %d: %s", done, code, errb.String())
	}
	if a.Kind != KindNvidia || a.OutputDir != "/var/log/bee-sat" || a.AuditFile != "/var/log/bee-audit.json" || a.Root != "/" {
		t.Errorf("common %+v", a)
	}
	// --stress-timeout 0 is --duration plus 3 minutes.
	if a.Nvidia.Duration != 10*time.Second || a.Nvidia.StressTimeout != 10*time.Second+3*time.Minute || !a.Nvidia.BugReport {
		t.Errorf("nvidia %+v", a.Nvidia)
	}
	a, _, done = Parse([]string{"storage"}, &out, &errb)
	if done || a.Storage.SelfTest != "short" || a.Storage.PollInterval != 15*time.Second {
		t.Errorf("storage %+v", a.Storage)
	}
}

func TestParseHelpAndErrors(t *testing.T) {
	for _, c := range []struct {
		args       []string
		code       int
		out, errIn string
	}{
		{[]string{"memory", "--help"}, ExitPass, "-workers int", ""},
		{[]string{"--help"}, ExitPass, "Usage: bee sat nvidia|memory|storage", ""},
		{nil, ExitUsage, "", "Usage: bee sat"},
		{[]string{"cpu"}, ExitUsage, "", `unknown test "cpu"`},
		{[]string{"storage", "--selftest", "long"}, ExitUsage, "", `--selftest "long"`},
		{[]string{"memory", "--workers", "257"}, ExitUsage, "", "--workers must be between 0 (auto) and 256"},
		{[]string{"nvidia", "--mem-fraction", "NaN"}, ExitUsage, "", "--mem-fraction"},
		{[]string{"memory", "extra"}, ExitUsage, "", `unexpected argument "extra"`},
	} {
		var out, errb bytes.Buffer
		_, code, done := Parse(c.args, &out, &errb)
		if !done || code != c.code || !strings.Contains(out.String(), c.out) || !strings.Contains(errb.String(), c.errIn) {
			t.Errorf("%q: done %v code %d\nstdout %s\nstderr %s", c.args, done, code, out.String(), errb.String())
		}
	}
}
