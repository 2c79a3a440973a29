package sat

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/beeaudit/bee/internal/parse/nvidiasmi"
	"github.com/beeaudit/bee/internal/parse/smartctl"
)

func parseSmart(t *testing.T, name string) *smartctl.Report {
	t.Helper()
	r, err := smartctl.Parse(fileBytes(t, capture(t, "smartctl", name)))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// conclude turns counters that rose into reasons with the counter's severity.
func TestConcludeDiskCountersRise(t *testing.T) {
	// Real captures: the QEMU NVMe (0 media errors) before, a Samsung 970 EVO with 7
	// media errors after. Different drives; only the arithmetic is under test here.
	before, after := &Snapshot{}, &Snapshot{}
	addSmartCounters(before, "nvme0n1", parseSmart(t, "qemu/smartctl-nvme0.json"), "smartctl-before-nvme0n1")
	addSmartCounters(after, "nvme0n1", parseSmart(t, "nvme_samsung-970evo_media-errors_x.json"), "smartctl-after-nvme0n1")
	s := newSession(&Env{Now: time.Now}, &Manifest{Counters: CounterReport{Before: before, After: after}})
	s.conclude(t.Context())
	want := []Increase{
		{Key: "disk/nvme0n1/error_log_entries", Before: 0, After: 62, Severity: SeverityWarning},
		{Key: "disk/nvme0n1/media_errors", Before: 0, After: 7, Severity: SeverityFailure},
	}
	if d := cmp.Diff(want, s.m.Counters.Increases); d != "" {
		t.Errorf("increases (-want +got)\n%s", d)
	}
	if s.m.Verdict != VerdictFail || s.m.Reasons[0].Message != "disk/nvme0n1/media_errors rose from 0 to 7 during the test" || s.m.Reasons[0].Component != "disk nvme0n1" {
		t.Errorf("verdict %s reasons %+v", s.m.Verdict, s.m.Reasons)
	}
}

func TestGPUCountersRise(t *testing.T) {
	l, err := nvidiasmi.ParseXML(fileBytes(t, capture(t, "nvidiasmi", "v100-sxm3-32gb_retired-pages-dbe_q-x_v10.xml")))
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(&Env{Now: time.Now}, &Manifest{})
	before, after := &Snapshot{}, &Snapshot{}
	add := func(snap *Snapshot, l *nvidiasmi.Log) {
		for _, g := range l.GPUs {
			p := "gpu/" + normBusID(g.PCIBusID) + "/"
			snap.add(p+"retired_pages_dbe", g.RetiredPagesDBE, SeverityFailure)
			snap.add(p+"ecc_volatile_corrected", g.ECCVolatileCorrected, SeverityWarning)
		}
	}
	add(before, l)
	// The same GPU after a test during which one more page was retired.
	dbe := *l.GPUs[0].RetiredPagesDBE + 1
	l.GPUs[0].RetiredPagesDBE = &dbe
	add(after, l)
	s.m.Counters = CounterReport{Before: before, After: after}
	s.conclude(t.Context())
	if s.m.Verdict != VerdictFail || len(s.m.Counters.Increases) != 1 || s.m.Counters.Increases[0].Key != "gpu/0000:34:00.0/retired_pages_dbe" {
		t.Errorf("verdict %s increases %+v", s.m.Verdict, s.m.Counters.Increases)
	}
	// A counter read before but not after is reported, and is a warning.
	after2 := &Snapshot{Counters: after.Counters[:1]}
	s = newSession(&Env{Now: time.Now}, &Manifest{Counters: CounterReport{Before: before, After: after2}})
	s.conclude(t.Context())
	if s.m.Verdict == VerdictPass || len(s.m.Counters.Unmatched) != 1 {
		t.Errorf("verdict %s unmatched %v", s.m.Verdict, s.m.Counters.Unmatched)
	}
}

// A counter that truly could not be read is still "could not be compared", and says
// why in words the engineer can act on.
func TestUnmatchedSaysWhy(t *testing.T) {
	r := parseSmart(t, "qemu/smartctl-sda.json")
	before, after := &Snapshot{}, &Snapshot{}
	noLog := *r
	noLog.SelfTestErrorCount = nil // as when the drive keeps no log, or smartctl could not read it
	addSmartCounters(before, "sda", &noLog, "smartctl-before-sda")
	addSmartCounters(after, "sda", r, "smartctl-after-sda")
	after.notRead("disk/nvme0n1/", "smartctl could not run (timed out after 1m0s)")
	before.add("disk/nvme0n1/media_errors", new(int64), SeverityFailure)
	_, unmatched := compare(before, after)
	want := []string{
		"disk/nvme0n1/media_errors (not read after the test: smartctl could not run (timed out after 1m0s))",
		"disk/sda/self_test_error_count (not read before the test: the self-test log was not in smartctl's output (step smartctl-before-sda): the drive does not report it, or smartctl could not read it)",
	}
	if d := cmp.Diff(want, unmatched); d != "" {
		t.Errorf("unmatched (-want +got)\n%s", d)
	}
}

// A step in error that no kind explained still keeps the verdict from pass.
func TestSafetyNet(t *testing.T) {
	s := newSession(&Env{Now: time.Now}, &Manifest{})
	st := s.newStep("x", []string{"x"})
	st.Status, st.Error = StatusError, "boom"
	unjudged := s.newStep("y", []string{"y"})
	s.conclude(t.Context())
	if s.m.Verdict != VerdictWarning || len(s.m.Reasons) != 2 || unjudged.Status != StatusError {
		t.Errorf("verdict %s reasons %+v, unjudged step %+v", s.m.Verdict, s.m.Reasons, unjudged)
	}
}

func TestWriteArchive(t *testing.T) {
	dir := t.TempDir()
	files := []archiveFile{
		{name: "manifest.json", data: []byte(`{"steps":[{"name":"x","status":"ok","outputs":["raw/01-x.stdout"]}]}`)},
		{name: "raw/01-x.stdout", data: []byte("x")},
		{name: "summary.txt", data: []byte("bee sat memory: PASS\n")},
	}
	ts := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	sn := "SN/1 2"
	base := archiveName("memory", &sn, ts, false)
	if base != "memory-SN_1_2-20250102T030405Z" {
		t.Errorf("name %s", base)
	}
	p1, err := writeArchive(dir, base, files, ts)
	if err != nil {
		t.Fatal(err)
	}
	// Never overwrite: a second archive with the same name gets a suffix.
	p2, err := writeArchive(dir, base, files, ts)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(p1) != base+".tar.gz" || filepath.Base(p2) != base+".2.tar.gz" {
		t.Errorf("%s %s", p1, p2)
	}
	tb := readArchive(t, p2)
	if tb.top != base+".2" || string(tb.files["raw/01-x.stdout"]) != "x" {
		t.Errorf("%+v", tb)
	}
	// A directory that cannot be written: an error, and nothing left behind.
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 { // root writes anyway
		if _, err := writeArchive(ro, base, files, ts); err == nil {
			t.Error("no error writing into a read-only directory")
		}
		if ents, _ := os.ReadDir(ro); len(ents) != 0 {
			t.Errorf("left %v", ents)
		}
	}
	if archiveName("nvidia", nil, ts, true) != "nvidia-unknown-serial-20250102T030405Z-interrupted" {
		t.Error("interrupted name")
	}
}

func TestProgressTerminal(t *testing.T) {
	var b bytes.Buffer
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	p := newProgress(&Env{Progress: &b, Terminal: true, Now: clock, progressTick: 5 * time.Millisecond})
	p.plan("a", "b", "c")
	p.phase(1, "detail")
	now = now.Add(65 * time.Second)
	p.show("memtester", now.Add(-65*time.Second), 10*time.Minute)
	p.phase(2, "")
	got := b.String()
	want := "[2/3] b: detail — then: c (0s elapsed)\n" +
		"\r\033[K      memtester: 1m05s elapsed, at most 8m55s left; then c" +
		"\r\033[K[3/3] c (1m05s elapsed)\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestNormBusID(t *testing.T) {
	for in, want := range map[string]string{
		"00000000:C1:00.0": "0000:c1:00.0", "0000:81:00.0": "0000:81:00.0", "00001580:00:00.0": "1580:00:00.0",
		"00010000:01:00.0": "10000:01:00.0", "junk": "junk",
	} {
		if got := normBusID(in); got != want {
			t.Errorf("normBusID(%q) = %q, want %q", in, got, want)
		}
	}
	if !strings.HasPrefix(fmtDur(3*time.Hour+2*time.Minute), "3h02m") {
		t.Error(fmtDur(3*time.Hour + 2*time.Minute))
	}
}
