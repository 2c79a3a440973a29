package sat

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func memtesterCmd(size, loops string) fakeCommand { return cmd("memtester", size, loops) }

func TestMemoryPass(t *testing.T) {
	m := newMachine(t)
	ok := td(t, "memtester/memtester-4.6.0_24M-1loop_ok.txt")
	f := newFake(t, fakeScenario{Commands: []fakeCommand{memtesterCmd("24M", "1").Replay(ok, 0)}})
	if code := m.run(f, "memory", "--size-mb", "24", "--loops", "1"); code != ExitPass {
		t.Fatalf("exit %d, want %d", code, ExitPass)
	}
	p := m.archive()
	if !regexp.MustCompile(`/memory-SYSSN12345-\d{8}T\d{6}Z\.tar\.gz$`).MatchString(p) {
		t.Errorf("archive name %s", p)
	}
	tb := readArchive(t, p)
	if tb.man.Verdict != VerdictPass || len(tb.man.Reasons) != 0 || tb.man.Interrupted {
		t.Errorf("verdict %s, interrupted %v, reasons %s", tb.man.Verdict, tb.man.Interrupted, tb.reasons())
	}
	if tb.man.Format != ManifestFormat || tb.man.Kind != "memory" || tb.man.BeeVersion == "" || tb.man.BeeCommit == "" {
		t.Errorf("manifest header: %+v", tb.man)
	}
	mc := tb.man.Machine
	if mc.Source != "audit" || mc.SerialNumber == nil || *mc.SerialNumber != "SYSSN12345" || mc.Hostname == nil || *mc.Hostname != "bee-test" {
		t.Errorf("machine: %+v", mc)
	}
	// Steps, in order, with their raw outputs byte for byte.
	var names []string
	for _, st := range tb.man.Steps {
		names = append(names, st.Name)
	}
	if got, want := strings.Join(names, " "), "counters-before meminfo memtester counters-after"; got != want {
		t.Errorf("steps %q, want %q", got, want)
	}
	mt := tb.step(t, "memtester")
	if mt.Status != StatusOK || mt.ExitCode == nil || *mt.ExitCode != 0 || strings.Join(mt.Argv, " ") != "memtester 24M 1" {
		t.Errorf("memtester step: %+v", mt)
	}
	if !bytes.Equal(tb.output(t, mt, ".stdout"), fileBytes(t, ok)) {
		t.Error("raw memtester output differs from what the tool printed")
	}
	if mt.StartedAt == "" || mt.FinishedAt == "" || mt.TimeoutMS != time.Hour.Milliseconds() {
		t.Errorf("memtester step times: %+v", mt)
	}
	if got := tb.output(t, tb.step(t, "meminfo"), ".txt"); !bytes.Contains(got, []byte("==> /proc/meminfo <==\nMemTotal:")) {
		t.Errorf("meminfo raw: %.80q", got)
	}
	before := tb.output(t, tb.step(t, "counters-before"), ".txt")
	for _, want := range []string{"==> /sys/devices/system/edac/mc/mc0/ue_count <==\n0\n", "==> /sys/bus/pci/devices/0000:00:1c.0/aer_dev_fatal <==\n"} {
		if !bytes.Contains(before, []byte(want)) {
			t.Errorf("counters-before raw lacks %q", want)
		}
	}
	// 4 EDAC + 3 AER counters, read twice, none rose.
	cr := tb.man.Counters
	if cr.Before == nil || cr.After == nil || len(cr.Before.Counters) != 7 || len(cr.After.Counters) != 7 || len(cr.Increases) != 0 || len(cr.Unmatched) != 0 {
		t.Errorf("counters: %+v", cr)
	}
	res := tb.raw["results"].(map[string]any)
	if res["tested_mb"] != 24.0 || res["tests_passed"] != 18.0 || res["loops_completed"] != 1.0 || res["completed"] != true {
		t.Errorf("results: %v", res)
	}
	// summary.txt is what was printed, and the archive line comes last.
	sum := string(tb.files["summary.txt"])
	if !strings.HasPrefix(sum, "bee sat memory: PASS\n") || m.stdout.String() != sum+"archive: "+p+"\n" {
		t.Errorf("summary.txt:\n%s\nstdout:\n%s", sum, m.stdout.String())
	}
	if !strings.Contains(m.prog.String(), "[2/4] memtester: 24 MiB, 1 loop(s), at most 1h00m00s — then: error counters after, archive") {
		t.Errorf("progress:\n%s", m.prog.String())
	}
}

func TestMemoryFailures(t *testing.T) {
	faults := capture(t, "memtester", "raw-4.6.0_100M-3loops_with-faults_backspaces.txt")
	// memtester exits 6 (stuck address and other tests failed); the verdict comes from the
	// FAILURE lines, so exit 0 must fail just the same.
	for _, exit := range []int{6, 0} {
		m := newMachine(t)
		f := newFake(t, fakeScenario{Commands: []fakeCommand{memtesterCmd("100M", "3").Replay(faults, exit)}})
		if code := m.run(f, "memory", "--size-mb", "100", "--loops", "3"); code != ExitFail {
			t.Errorf("exit status %d: bee exit %d, want %d", exit, code, ExitFail)
		}
		tb := readArchive(t, m.archive())
		if tb.man.Verdict != VerdictFail || !tb.hasReason(SeverityFailure, "FAILURE", "first in loop 1") {
			t.Errorf("exit %d: verdict %s, reasons %s", exit, tb.man.Verdict, tb.reasons())
		}
		mt := tb.step(t, "memtester")
		if mt.Status != StatusFail {
			t.Errorf("memtester status %s", mt.Status)
		}
		r := mt.Result.(map[string]any)
		if r["failure_count"].(float64) < 10 || r["failures_shown"].(float64) > maxFailuresKept {
			t.Errorf("memtester result: failure_count %v, shown %v", r["failure_count"], r["failures_shown"])
		}
	}
}

func TestMemoryTimeoutIsIncomplete(t *testing.T) {
	m := newMachine(t)
	killed := td(t, "memtester/memtester-4.6.0_24M-1loop_killed-after-2s.txt")
	f := newFake(t, fakeScenario{Commands: []fakeCommand{memtesterCmd("24M", "1").Answer(fakeResponse{Stdout: killed, Hang: true})}})
	start := time.Now()
	code := m.run(f, "memory", "--size-mb", "24", "--loops", "1", "--timeout", "3s")
	if el := time.Since(start); el > 30*time.Second {
		t.Errorf("a hung memtester held the run for %s", el)
	}
	if code != ExitWarning {
		t.Errorf("exit %d, want %d (warning: incomplete)", code, ExitWarning)
	}
	tb := readArchive(t, m.archive())
	if tb.man.Verdict != VerdictWarning || !tb.hasReason(SeverityWarning, "incomplete", "time bound") {
		t.Errorf("verdict %s, reasons %s", tb.man.Verdict, tb.reasons())
	}
	mt := tb.step(t, "memtester")
	if mt.Status != StatusWarning || mt.ExitCode != nil || !strings.Contains(mt.Error, "timed out") {
		t.Errorf("memtester step: %+v", mt)
	}
	if !bytes.Equal(tb.output(t, mt, ".stdout"), fileBytes(t, killed)) {
		t.Error("the partial output of the killed memtester is not kept")
	}
	// The counters were still read after the timeout.
	if tb.step(t, "counters-after").Status != StatusOK {
		t.Error("counters not read after a timeout")
	}
}

func TestMemoryExitZeroButTruncated(t *testing.T) {
	m := newMachine(t)
	killed := td(t, "memtester/memtester-4.6.0_24M-1loop_killed-after-2s.txt")
	f := newFake(t, fakeScenario{Commands: []fakeCommand{memtesterCmd("24M", "1").Replay(killed, 0)}})
	if code := m.run(f, "memory", "--size-mb", "24"); code != ExitFail {
		t.Errorf("exit %d, want %d", code, ExitFail)
	}
	tb := readArchive(t, m.archive())
	if !tb.hasReason(SeverityFailure, "without its final", "Done.") {
		t.Errorf("reasons %s", tb.reasons())
	}
}

func TestMemoryToolMissing(t *testing.T) {
	m := newMachine(t)
	f := newFake(t, fakeScenario{Missing: []string{"memtester"}})
	if code := m.run(f, "memory", "--size-mb", "24"); code != ExitFail {
		t.Errorf("exit %d, want %d", code, ExitFail)
	}
	tb := readArchive(t, m.archive())
	mt := tb.step(t, "memtester")
	if mt.Status != StatusFail || mt.ExitCode != nil || !tb.hasReason(SeverityFailure, "memtester not found on PATH", "not tested") {
		t.Errorf("memtester step %+v, reasons %s", mt, tb.reasons())
	}
}

func TestMemoryCountersRise(t *testing.T) {
	ok := "memtester/memtester-4.6.0_24M-1loop_ok.txt"
	for _, c := range []struct {
		file, content, sev, verdict, key string
	}{
		{edacBase + "/mc0/ce_count", "3\n", SeverityWarning, VerdictWarning, "edac/mc0/ce_count rose from 0 to 3"},
		{edacBase + "/mc0/ue_count", "1\n", SeverityFailure, VerdictFail, "edac/mc0/ue_count rose from 0 to 1"},
		{pciBase + "/0000:00:1c.0/aer_dev_fatal", aerText("fatal", 2), SeverityFailure, VerdictFail, "pcie/0000:00:1c.0/aer_fatal rose from 0 to 2"},
		{pciBase + "/0000:00:1c.0/aer_dev_correctable", aerText("correctable", 9), SeverityWarning, VerdictWarning, "aer_correctable rose from 0 to 9"},
	} {
		m := newMachine(t)
		// The counter rises while memtester runs.
		f := newFake(t, fakeScenario{Commands: []fakeCommand{memtesterCmd("24M", "1").Answer(fakeResponse{
			Stdout: td(t, ok), SetFiles: map[string]string{m.path(c.file): c.content}})}})
		m.run(f, "memory", "--size-mb", "24")
		tb := readArchive(t, m.archive())
		if tb.man.Verdict != c.verdict || !tb.hasReason(c.sev, c.key) || len(tb.man.Counters.Increases) != 1 {
			t.Errorf("%s: verdict %s, reasons %s", c.file, tb.man.Verdict, tb.reasons())
		}
	}
}

func TestMemoryNoEDACIsWarning(t *testing.T) {
	m := newMachine(t)
	if err := os.RemoveAll(m.path("/sys/devices/system/edac")); err != nil {
		t.Fatal(err)
	}
	f := newFake(t, fakeScenario{Commands: []fakeCommand{memtesterCmd("24M", "1").Replay(td(t, "memtester/memtester-4.6.0_24M-1loop_ok.txt"), 0)}})
	if code := m.run(f, "memory", "--size-mb", "24"); code != ExitWarning {
		t.Errorf("exit %d, want %d", code, ExitWarning)
	}
	tb := readArchive(t, m.archive())
	if !tb.hasReason(SeverityWarning, "no EDAC") || len(tb.man.Counters.Before.Notes) == 0 {
		t.Errorf("reasons %s, notes %q", tb.reasons(), tb.man.Counters.Before.Notes)
	}
}

func TestMemoryInterrupted(t *testing.T) {
	m := newMachine(t)
	killed := td(t, "memtester/memtester-4.6.0_24M-1loop_killed-after-2s.txt")
	f := newFake(t, fakeScenario{Commands: []fakeCommand{memtesterCmd("24M", "1").Answer(fakeResponse{Stdout: killed, Hang: true})}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m.ctx = ctx
	go func() {
		// Ctrl-C once memtester is running.
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if len(f.calls()) > 0 {
				break
			}
		}
		time.Sleep(200 * time.Millisecond)
		cancel()
	}()
	start := time.Now()
	code := m.run(f, "memory", "--size-mb", "24")
	if el := time.Since(start); el > 30*time.Second {
		t.Errorf("interrupt took %s", el)
	}
	if code != ExitInterrupted {
		t.Errorf("exit %d, want %d", code, ExitInterrupted)
	}
	p := m.archive() // also: the only file in the output dir, no temporary left
	if !strings.HasSuffix(p, "-interrupted.tar.gz") {
		t.Errorf("archive %s is not named interrupted", p)
	}
	tb := readArchive(t, p)
	if !tb.man.Interrupted || tb.man.Verdict != VerdictFail || !tb.hasReason(SeverityFailure, "interrupted") {
		t.Errorf("interrupted %v verdict %s reasons %s", tb.man.Interrupted, tb.man.Verdict, tb.reasons())
	}
	if st := tb.step(t, "memtester"); st.Status != StatusInterrupted || !bytes.Equal(tb.output(t, st, ".stdout"), fileBytes(t, killed)) {
		t.Errorf("memtester step %+v", st)
	}
	if st := tb.step(t, "counters-after"); st.Status != StatusInterrupted {
		t.Errorf("counters-after %+v", st)
	}
	if !strings.HasPrefix(string(tb.files["summary.txt"]), "bee sat memory: FAIL (INTERRUPTED") {
		t.Errorf("summary: %s", tb.files["summary.txt"])
	}
}

// withCPUs makes the run see n CPUs (the automatic memtester process count).
func withCPUs(t *testing.T, n int) {
	old := numCPU
	numCPU = func() int { return n }
	t.Cleanup(func() { numCPU = old })
}

func TestMemoryAutoSize(t *testing.T) {
	// MemAvailable 23376508 kB = 22828 MiB; 15% of it (3424 MiB) is left to the system.
	withCPUs(t, 1)
	m := newMachine(t)
	f := newFake(t, fakeScenario{Commands: []fakeCommand{memtesterCmd("19404M", "1").Answer(fakeResponse{
		Stdout: td(t, "memtester/memtester-4.6.0_24M-1loop_killed-after-2s.txt"), Hang: true})}})
	m.run(f, "memory", "--timeout", "1s")
	tb := readArchive(t, m.archive())
	r := tb.raw["results"].(map[string]any)
	if r["requested_mb"] != 19404.0 || !strings.HasPrefix(r["size_from"].(string), "auto") {
		t.Errorf("results %v", r)
	}
	// With 4 CPUs the 19404 MiB go to 4 memtesters side by side (at least 4 GiB each).
	withCPUs(t, 4)
	m = newMachine(t)
	f = newFake(t, fakeScenario{Commands: []fakeCommand{memtesterCmd("4851M", "1").Replay(td(t, "memtester/memtester-4.6.0_24M-1loop_ok.txt"), 0)}})
	// The replayed output is a 24 MiB run: each process "got only 24 of the 4851 MiB".
	if code := m.run(f, "memory"); code != ExitWarning {
		t.Errorf("4 workers: exit %d, want %d", code, ExitWarning)
	}
	tb = readArchive(t, m.archive())
	r = tb.raw["results"].(map[string]any)
	if r["workers"] != 4.0 || !strings.HasPrefix(r["workers_from"].(string), "auto: one per CPU (4)") || r["tests_passed"] != 72.0 || r["tested_mb"] != 96.0 {
		t.Errorf("4 workers: results %v", r)
	}
	for i := 1; i <= 4; i++ {
		if st := tb.step(t, fmt.Sprintf("memtester-%d", i)); st.Status != StatusWarning || strings.Join(st.Argv, " ") != "memtester 4851M 1" ||
			st.Message != "memtester got only 24 of the 4851 MiB asked for" {
			t.Errorf("memtester-%d: %+v", i, st)
		}
	}
	// Little free memory: at least 1 GiB stays free, and under 16 MiB nothing runs.
	m = newMachine(t)
	m.write("/proc/meminfo", "MemTotal:        2000000 kB\nMemAvailable:    1050000 kB\n")
	f = newFake(t, fakeScenario{})
	if code := m.run(f, "memory"); code != ExitFail {
		t.Errorf("exit %d", code)
	}
	tb = readArchive(t, m.archive())
	if st := tb.step(t, "memtester"); st.Status != StatusFail || !tb.hasReason(SeverityFailure, "memtester did not run", "not tested") {
		t.Errorf("memtester %+v reasons %s", st, tb.reasons())
	}
}

func TestIdentityWithoutAudit(t *testing.T) {
	m := newMachine(t)
	m.audit = filepath.Join(t.TempDir(), "absent.json")
	f := newFake(t, fakeScenario{Commands: []fakeCommand{
		cmd("dmidecode", "-s", "system-serial-number").Answer(fakeResponse{StdoutText: "SYSSN12345\n"}),
		memtesterCmd("24M", "1").Replay(td(t, "memtester/memtester-4.6.0_24M-1loop_ok.txt"), 0),
	}})
	if code := m.run(f, "memory", "--size-mb", "24"); code != ExitPass {
		t.Errorf("exit %d", code)
	}
	p := m.archive()
	tb := readArchive(t, p)
	mc := tb.man.Machine
	if mc.Source != "dmidecode" || mc.SerialNumber == nil || *mc.SerialNumber != "SYSSN12345" || mc.AuditError == nil || !strings.Contains(p, "memory-SYSSN12345-") {
		t.Errorf("machine %+v, archive %s", mc, p)
	}
	// A placeholder serial is null, and the archive says so in its name.
	m = newMachine(t)
	m.audit = filepath.Join(t.TempDir(), "absent.json")
	f = newFake(t, fakeScenario{Commands: []fakeCommand{
		cmd("dmidecode", "-s", "system-serial-number").Answer(fakeResponse{StdoutText: "To Be Filled By O.E.M.\n"}),
		memtesterCmd("24M", "1").Replay(td(t, "memtester/memtester-4.6.0_24M-1loop_ok.txt"), 0),
	}})
	m.run(f, "memory", "--size-mb", "24")
	p = m.archive()
	tb = readArchive(t, p)
	if tb.man.Machine.SerialNumber != nil || !strings.Contains(p, "memory-unknown-serial-") || tb.raw["machine"].(map[string]any)["serial_number"] != nil {
		t.Errorf("machine %+v archive %s", tb.man.Machine, p)
	}
}

func TestOutputDirNotWritable(t *testing.T) {
	m := newMachine(t)
	// A file where the directory should be.
	if err := os.WriteFile(filepath.Join(t.TempDir(), "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	m.out = filepath.Join(m.root, "proc", "meminfo", "bee-sat")
	f := newFake(t, fakeScenario{})
	if code := m.run(f, "memory", "--size-mb", "24"); code != ExitNoArchive {
		t.Errorf("exit %d, want %d", code, ExitNoArchive)
	}
	if strings.Contains(m.stdout.String(), "archive:") {
		t.Errorf("stdout: %s", m.stdout.String())
	}
}

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	for _, c := range []struct {
		args []string
		code int
	}{
		{nil, ExitUsage}, {[]string{"cpu"}, ExitUsage}, {[]string{"memory", "--loops", "0"}, ExitUsage},
		{[]string{"memory", "extra"}, ExitUsage}, {[]string{"--help"}, ExitPass}, {[]string{"storage", "--help"}, ExitPass},
		{[]string{"nvidia", "--bogus"}, ExitUsage},
	} {
		out.Reset()
		errb.Reset()
		if code := Main(context.Background(), c.args, &out, &errb, Env{}); code != c.code {
			t.Errorf("bee sat %q: exit %d, want %d", c.args, code, c.code)
		}
	}
}

// TestMemoryWorkers: --workers splits the size (the remainder to the first process, no
// share under 16 MiB); a
// FAILURE in any one process fails the run, and the results add up.
func TestMemoryWorkers(t *testing.T) {
	m := newMachine(t)
	ok := td(t, "memtester/memtester-4.6.0_24M-1loop_ok.txt")
	faults := capture(t, "memtester", "raw-4.6.0_100M-3loops_with-faults_backspaces.txt")
	f := newFake(t, fakeScenario{Commands: []fakeCommand{
		memtesterCmd("18M", "1").Replay(faults, 6),
		memtesterCmd("16M", "1").Replay(ok, 0),
	}})
	if code := m.run(f, "memory", "--size-mb", "50", "--loops", "1", "--workers", "3"); code != ExitFail {
		t.Fatalf("exit %d, want %d", code, ExitFail)
	}
	tb := readArchive(t, m.archive())
	if st := tb.step(t, "memtester-1"); st.Status != StatusFail || !tb.hasReason(SeverityFailure, "FAILURE", "first in loop 1") {
		t.Errorf("memtester-1 %s, reasons %s", st.Status, tb.reasons())
	}
	for _, n := range []string{"memtester-2", "memtester-3"} {
		if st := tb.step(t, n); st.Status != StatusOK || strings.Join(st.Argv, " ") != "memtester 16M 1" {
			t.Errorf("%s: %+v", n, st)
		}
	}
	r := tb.raw["results"].(map[string]any)
	if r["workers"] != 3.0 || r["workers_from"] != "flag" || r["failures"].(float64) < 10 || r["tests_passed"].(float64) < 36 || r["completed"] != true {
		t.Errorf("results %v", r)
	}
	if sum := string(tb.files["summary.txt"]); !strings.Contains(sum, "in 3 processes") {
		t.Errorf("summary.txt:\n%s", sum)
	}
	// Out of range.
	if code := newMachine(t).run(newFake(t, fakeScenario{}), "memory", "--workers", "-1"); code == ExitPass || code == ExitFail {
		t.Errorf("--workers -1: exit %d, want a usage error", code)
	}
}

// Issue 8: --size-mb under bee's 16 MiB minimum, or over MemAvailable less the reserve, is
// a usage error naming the flag and the range, before anything runs (it used to run and
// leave a FAIL archive: "only 1 MiB could be tested", false evidence for a vendor).
func TestMemorySizeOutOfRange(t *testing.T) {
	// The machine's MemAvailable: 23376508 kB = 22828 MiB; reserve 15 % = 3424 MiB.
	const allowed = "allowed 16 to 19404 MiB"
	for _, c := range []struct{ size, want string }{
		{"1", allowed}, {"15", allowed}, {"19405", allowed}, {"99999999", allowed},
	} {
		m := newMachine(t)
		f := newFake(t, fakeScenario{}) // any command run fails the test
		if code := m.run(f, "memory", "--size-mb", c.size); code != ExitUsage {
			t.Errorf("--size-mb %s: exit %d, want %d", c.size, code, ExitUsage)
		}
		if e := m.stderr.String(); !strings.Contains(e, "--size-mb "+c.size+": ") || !strings.Contains(e, c.want) {
			t.Errorf("--size-mb %s: stderr %q", c.size, e)
		}
		if m.stdout.Len() != 0 || fileExists(m.out) {
			t.Errorf("--size-mb %s: stdout %q, output dir created: %v", c.size, m.stdout.String(), fileExists(m.out))
		}
	}
	// The bounds themselves are allowed.
	m := newMachine(t)
	ok := td(t, "memtester/memtester-4.6.0_24M-1loop_ok.txt")
	f := newFake(t, fakeScenario{Commands: []fakeCommand{memtesterCmd("16M", "1").Replay(ok, 0)}})
	if code := m.run(f, "memory", "--size-mb", "16", "--workers", "1"); code == ExitUsage {
		t.Errorf("--size-mb 16: usage error %s", m.stderr.String())
	}
	// A machine with too little memory for any size.
	m = newMachine(t)
	m.write("/proc/meminfo", "MemTotal:        2000000 kB\nMemAvailable:    1050000 kB\n")
	if code := m.run(newFake(t, fakeScenario{}), "memory", "--size-mb", "16"); code != ExitUsage || !strings.Contains(m.stderr.String(), "less than the 16 MiB minimum") {
		t.Errorf("little memory: exit %d stderr %q", code, m.stderr.String())
	}
}

// A tool missing for every memtester worker is one reason, not one per worker, and the
// workers' steps do not add safety-net reasons either.
func TestMemoryMissingToolOneReason(t *testing.T) {
	m := newMachine(t)
	f := newFake(t, fakeScenario{Missing: []string{"memtester"}})
	if code := m.run(f, "memory", "--size-mb", "48", "--workers", "3"); code != ExitFail {
		t.Errorf("exit %d", code)
	}
	tb := readArchive(t, m.archive())
	var rs []string
	for _, r := range tb.man.Reasons {
		if r.Component != "memory" || !strings.Contains(r.Message, "no EDAC") {
			rs = append(rs, r.Message)
		}
	}
	if len(rs) != 1 || !strings.Contains(rs[0], "memtester could not run (memtester not found on PATH)") {
		t.Errorf("reasons %q", rs)
	}
	for _, n := range []string{"memtester-1", "memtester-2", "memtester-3"} {
		if st := tb.step(t, n); st.Status != StatusFail {
			t.Errorf("%s: %+v", n, st)
		}
	}
}
