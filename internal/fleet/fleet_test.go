package fleet

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/audit"
)

func collect(t *testing.T, o Options, sources ...string) *Report {
	t.Helper()
	o.Now = now
	r, err := Collect(context.Background(), sources, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func bySerial(r *Report) map[string]*Server {
	m := map[string]*Server{}
	for _, s := range r.Servers {
		m[s.Serial] = s
	}
	return m
}

// The recorded machines: three audits, two bee sat storage archives that name two of them.
func TestRecordedMachines(t *testing.T) {
	r := collect(t, Options{}, auditsDir, satDir)
	if r.Audits != 3 || r.SatRuns != 2 || len(r.Servers) != 3 || len(r.Problems) != 0 {
		t.Fatalf("audits %d sat %d servers %d problems %v", r.Audits, r.SatRuns, len(r.Servers), r.Problems)
	}
	m := bySerial(r)
	f := m[failingSN]
	if f == nil || f.Verdict != "fail" || f.Failures != 10 || f.Warnings != 10 || f.Product != "SYS-4029GP-TRT2" ||
		f.FirstFinding() != "SEL_PSU_FAILURE bmc:sel" {
		t.Fatalf("failing server: %+v", f)
	}
	if f.SatSummary() != "storage fail" || len(f.Sat[0].Reasons) == 0 ||
		!strings.Contains(f.Sat[0].Reasons[0].Message, "short self-test failed") {
		t.Errorf("failing server's sat: %q %+v", f.SatSummary(), f.Sat)
	}
	if d := m[dellSN]; d == nil || d.Verdict != "pass" || d.SatSummary() != "storage pass" || d.Model() != "PowerEdge R640" {
		t.Errorf("dell: %+v", d)
	}
	if q := m[qemuSN]; q == nil || q.SatSummary() != "" {
		t.Errorf("qemu: %+v", q)
	}
	// The sample audits started 14:28:54-55Z, six hours before the test's clock.
	if got := FormatAge(f.Age(now)); got != "6h" {
		t.Errorf("age %q", got)
	}
	// Sorted by model; one group each.
	var models []string
	for _, g := range r.Groups {
		models = append(models, g.Summary())
	}
	want := []string{"1 × PowerEdge R640: 1 pass",
		"1 × SYS-4029GP-TRT2: 1 fail (S309085X0B18791: SEL_PSU_FAILURE bmc:sel)",
		// The qemu-vm's capture predates the bmc collector (cmd/bee machines_test.go).
		"1 × TestProduct: 1 warning (SYSSN12345: COLLECTOR_ERROR collector:bmc)"}
	if strings.Join(models, "\n") != strings.Join(want, "\n") {
		t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(models, "\n"), strings.Join(want, "\n"))
	}
}

// Two audits of one serial: the newest is shown, unless --all; the same file
// named twice (folder and file) is read once.
func TestNewestPerSerial(t *testing.T) {
	dir := t.TempDir()
	old := load(t, failingFile)
	old.StartedAt = "2026-11-01T10:00:00Z"
	old.Hardware.Summary = audit.Summary{Verdict: audit.VerdictPass, Findings: []audit.Finding{}}
	write(t, filepath.Join(dir, "a-old", "bee-audit.json"), old)
	write(t, filepath.Join(dir, "b-new", "bee-audit.json"), load(t, failingFile))

	r := collect(t, Options{}, dir, filepath.Join(dir, "a-old", "bee-audit.json"))
	if r.Audits != 2 || len(r.Servers) != 1 || r.Servers[0].Verdict != "fail" {
		t.Fatalf("newest: audits %d servers %+v", r.Audits, r.Servers)
	}
	r = collect(t, Options{All: true}, dir, filepath.Join(satDir, "storage-S309085X0B18791-20261206T172024Z.tar.gz"))
	if len(r.Servers) != 2 {
		t.Fatalf("--all: %d servers", len(r.Servers))
	}
	// Worst verdict first within the model; the sat run is attached to the newest audit.
	if r.Servers[0].Verdict != "fail" || r.Servers[1].Verdict != "pass" || r.Servers[0].SatSummary() != "storage fail" ||
		r.Servers[1].SatSummary() != "" {
		t.Errorf("--all: %+v / %+v", r.Servers[0], r.Servers[1])
	}
	if len(r.Groups) != 1 || r.Groups[0].Counts["fail"] != 1 || r.Groups[0].Counts["pass"] != 1 {
		t.Errorf("groups %+v", r.Groups)
	}
}

// A sat archive of a machine with no audit here is a row of its own; an
// unpacked manifest.json is read like the archive.
func TestSatWithoutAudit(t *testing.T) {
	r := collect(t, Options{}, satDir)
	if len(r.Servers) != 2 || r.Audits != 0 {
		t.Fatalf("%d servers", len(r.Servers))
	}
	for _, s := range r.Servers {
		if s.Verdict != "" || s.VerdictOrNone() != "no audit" || len(s.Sat) != 1 || s.Age(now) < 0 {
			t.Errorf("%+v", s)
		}
	}
	run, err := ReadSatArchive(context.Background(), filepath.Join(satDir, "storage-S309085X0B18791-20261206T172024Z.tar.gz"))
	if err != nil || run.Kind != "storage" || run.Verdict != "fail" || run.Serial != failingSN || run.StartedAt.IsZero() {
		t.Fatalf("%+v %v", run, err)
	}
}

// Files that are not audits or archives are listed, never dropped silently;
// the others are still reported. A missing source and s3:// are errors.
func TestProblems(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "ok.json"), load(t, dellFile))
	os.WriteFile(filepath.Join(dir, "notes.json"), []byte(`{"hello": "world"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "cut.json"), []byte(`{"schema_version": 1, "hardware": {`), 0o644)
	b, _ := os.ReadFile(filepath.Join(satDir, "storage-2RJF153-20261206T172034Z.tar.gz"))
	os.WriteFile(filepath.Join(dir, "cut.tar.gz"), b[:len(b)/2], 0o644)
	os.WriteFile(filepath.Join(dir, ".partial-storage-x.tar.gz-123"), b[:10], 0o644)
	os.WriteFile(filepath.Join(dir, "readme.txt"), []byte("x"), 0o644)
	r := collect(t, Options{}, dir)
	if r.Audits != 1 || len(r.Servers) != 1 || len(r.Problems) != 3 {
		t.Fatalf("audits %d servers %d problems %+v", r.Audits, len(r.Servers), r.Problems)
	}
	var text bytes.Buffer
	if err := WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Not read (3):", "notes.json: schema_version 0", "cut.json is not a bee audit", "cut.tar.gz is not a bee sat archive"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}

	// s3://: Files leaves it to Collect; Collect wants the upload config
	// (internal/cli's tests read a real store) and a well-formed URL.
	if _, _, err := Files(context.Background(), []string{"s3://bucket/rack1"}); !errors.Is(err, ErrS3) {
		t.Errorf("Files s3: %v", err)
	}
	_, err := Collect(context.Background(), []string{"s3://bucket/rack1"}, Options{UploadConfig: filepath.Join(dir, "none.yaml")})
	if err == nil || !strings.Contains(err.Error(), "no upload config") {
		t.Errorf("s3 without config: %v", err)
	}
	var se *SourceError
	if _, err := Collect(context.Background(), []string{dir, "s3://"}, Options{}); !errors.As(err, &se) {
		t.Errorf("s3:// without a bucket: %v", err)
	}
	_, err = Collect(context.Background(), []string{filepath.Join(dir, "nope")}, Options{})
	if !errors.As(err, &se) {
		t.Errorf("missing source: %v", err)
	}
}

// @LIST names files relative to the list.
func TestList(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a", "x.json"), load(t, dellFile))
	write(t, filepath.Join(dir, "b", "y.json"), load(t, failingFile))
	os.WriteFile(filepath.Join(dir, "list.txt"), []byte("# rack 1\na/x.json\n\n"+filepath.Join(dir, "b", "y.json")+"\n"), 0o644)
	r := collect(t, Options{}, "@"+filepath.Join(dir, "list.txt"))
	if len(r.Servers) != 2 {
		t.Fatalf("%d servers, problems %v", len(r.Servers), r.Problems)
	}
}

// Servers of one model that differ (an older BIOS, another DIMM part) are
// named in the model's differences.
func TestDifferencesWithinModel(t *testing.T) {
	dir := t.TempDir()
	for i, sn := range []string{"A1", "A2", "A3"} {
		a := load(t, dellFile)
		a.Hardware.System.SerialNumber = ptr(sn)
		if i == 2 {
			a.Hardware.BIOS.Version = ptr("2.5.0")
			a.Hardware.Memory.DIMMs[0].PartNumber = ptr("HMA84GR7AFR4N-VK")
		}
		write(t, filepath.Join(dir, sn+".json"), a)
	}
	r := collect(t, Options{}, dir)
	if len(r.Groups) != 1 {
		t.Fatalf("%d groups", len(r.Groups))
	}
	var got []string
	for _, d := range r.Groups[0].Diffs {
		got = append(got, d.String())
	}
	want := []string{"BIOS version: 2.6.4 ×2 (A1, A2); 2.5.0 ×1 (A3)",
		"DIMM part numbers: M393A4K40CB2-CVF ×2 (A1, A2); HMA84GR7AFR4N-VK, M393A4K40CB2-CVF ×1 (A3)"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diffs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Machine strings reach the terminal through termsafe: an ESC in the product
// name is shown as \x1b, never sent.
func TestTextIsTerminalSafe(t *testing.T) {
	dir := t.TempDir()
	a := load(t, dellFile)
	a.Hardware.System.ProductName = ptr("R640\x1b]0;owned\x07\u202e")
	a.Hardware.Summary.Findings = []audit.Finding{{Severity: "warning", Component: "x\x1b[2J", Code: "EDAC_CORRECTED", Message: "m"}}
	a.Hardware.Summary.Verdict = "warning"
	write(t, filepath.Join(dir, "a.json"), a)
	var b bytes.Buffer
	if err := WriteText(&b, collect(t, Options{}, dir)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07\u202e") {
		t.Errorf("control characters reached the terminal:\n%q", out)
	}
	if !strings.Contains(out, `R640\x1b]0;owned\x07\u202e`) || !strings.Contains(out, `EDAC_CORRECTED x\x1b[2J`) {
		t.Errorf("escaped text missing:\n%s", out)
	}
}

func TestCSV(t *testing.T) {
	dir := t.TempDir()
	a := load(t, failingFile)
	a.Hardware.System.ProductName = ptr("=HYPERLINK(\"x\")")
	write(t, filepath.Join(dir, "a.json"), a)
	r := collect(t, Options{}, dir, satDir)
	var b bytes.Buffer
	if err := WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(CSVHeader, ",") {
		t.Fatalf("rows %q", rows)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var f []string
	for _, row := range rows[1:] {
		if row[col["serial"]] == failingSN {
			f = row
		}
	}
	if f == nil || f[col["verdict"]] != "fail" || f[col["failures"]] != "10" || f[col["first_finding_code"]] != "SEL_PSU_FAILURE" ||
		f[col["sat"]] != "storage fail" || f[col["audit_started_at"]] != "2026-12-06T14:28:54Z" || f[col["age_hours"]] != "6.0" ||
		f[col["model"]] != `'=HYPERLINK("x")` || !strings.Contains(f[col["findings"]], "; PSU_AC_LOST psu:PSU2;") {
		t.Errorf("row %q", f)
	}
}

func TestFormatAge(t *testing.T) {
	for d, want := range map[time.Duration]string{-1: "?", 0: "0m", 59 * time.Minute: "59m", 47 * time.Hour: "47h", 72 * time.Hour: "3d"} {
		if got := FormatAge(d); got != want {
			t.Errorf("FormatAge(%v) = %q, want %q", d, got, want)
		}
	}
}
