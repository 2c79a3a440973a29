package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	sampleAudits = "../audit/testdata/audits"
	sampleSat    = "../fleet/testdata/sat"
)

func runReport(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := Main(append([]string{"bee", "report"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

// bee report DIR --csv FILE --html DIR: flags after the sources too; the table
// on stdout, the CSV and the HTML written.
func TestReportWritesAllThree(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "out", "fleet.csv") // "out" is created: the last folder only
	html := filepath.Join(dir, "html")
	stdout, stderr, code := runReport(sampleAudits, "--csv", csvPath, sampleSat, "--html", html)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"bee report: 3 servers (3 audits, 2 acceptance-test archives read", "S309085X0B18791  SYS-4029GP-TRT2",
		"storage fail", "1 × SYS-4029GP-TRT2: 1 fail", "HTML: " + filepath.Join(html, "index.html")} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	b, err := os.ReadFile(csvPath)
	if err != nil || strings.Count(string(b), "\n") != 4 || !strings.HasPrefix(string(b), "serial,manufacturer,model,") {
		t.Errorf("csv %v:\n%s", err, b)
	}
	if pages, _ := filepath.Glob(filepath.Join(html, "servers", "*.html")); len(pages) != 3 {
		t.Errorf("%d server pages", len(pages))
	}
	if _, err := os.Stat(filepath.Join(html, "index.html")); err != nil {
		t.Error(err)
	}

	// --csv -: the CSV alone on stdout.
	stdout, _, code = runReport("--csv", "-", sampleAudits)
	if code != 0 || !strings.HasPrefix(stdout, "serial,") || strings.Contains(stdout, "bee report:") {
		t.Errorf("--csv -: exit %d\n%s", code, stdout)
	}
}

func TestReportUsageErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "give at least one SOURCE"},
		{[]string{"s3://"}, "is not s3://bucket/prefix"},
		{[]string{filepath.Join(dir, "nope")}, "no such file"},
		{[]string{sampleAudits, "--csv", dir}, "is a directory"},
		{[]string{sampleAudits, "--csv", "/dev/null"}, "not a regular file"},
		{[]string{sampleAudits, "--csv", filepath.Join(dir, "a", "b", "c.csv")}, "does not exist"},
		{[]string{sampleAudits, "--html", file}, "is not a directory"},
		{[]string{sampleAudits, "--frob"}, "flag provided but not defined"},
	} {
		_, stderr, code := runReport(c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("bee report %q: exit %d, stderr %q, want 2 and %q", c.args, code, stderr, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); err == nil {
		t.Error("a refused --csv created a folder")
	}
	// Nothing readable: exit 1, the reason named.
	_, stderr, code := runReport(dir)
	if code != 1 || !strings.Contains(stderr, "no audit or bee sat archive found") {
		t.Errorf("empty folder: exit %d %q", code, stderr)
	}
	stdout, _, code := runReport("--help")
	if code != 0 || !strings.Contains(stdout, "Usage: bee report [flags] SOURCE...") {
		t.Errorf("--help: exit %d\n%s", code, stdout)
	}
}
