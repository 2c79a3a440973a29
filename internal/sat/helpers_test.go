package sat

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/host"
)

// machine is a fake root (/proc, /sys) and output directory for one run.
type machine struct {
	t      *testing.T
	root   string
	out    string
	audit  string // --audit path ("" writes none: the dmidecode fallback is used)
	extra  []string
	ctx    context.Context
	stdout bytes.Buffer
	stderr bytes.Buffer
	prog   bytes.Buffer
}

// newMachine builds a root with the given meminfo capture, one EDAC memory controller
// and one PCI function with AER counters, all zero (kernel formats, see
// Documentation/ABI/testing/sysfs-bus-pci-devices-aer_stats and sysfs-devices-edac).
func newMachine(t *testing.T) *machine {
	t.Helper()
	m := &machine{t: t, root: t.TempDir(), out: filepath.Join(t.TempDir(), "bee-sat"), ctx: context.Background()}
	meminfo, err := os.ReadFile(td(t, "proc/meminfo_debian12-vm-24g.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m.write("/proc/meminfo", string(meminfo))
	m.write("/proc/sys/kernel/hostname", "bee-test\n")
	for _, f := range []string{"ce_count", "ue_count", "ce_noinfo_count", "ue_noinfo_count"} {
		m.write(edacBase+"/mc0/"+f, "0\n")
	}
	m.setAER("0000:00:1c.0", 0, 0, 0)
	// A function without AER files (most endpoints in VMs).
	m.write(pciBase+"/0000:00:00.0/vendor", "0x8086\n")
	// The audit the identity comes from.
	m.audit = filepath.Join(t.TempDir(), "bee-audit.json")
	sn, mf, pn := "SYSSN12345", "QEMU", "Standard PC (Q35 + ICH9, 2009)"
	a := &audit.Audit{SchemaVersion: audit.SchemaVersion, StartedAt: "2025-01-02T03:04:05Z"}
	a.Hardware.System = &audit.System{SerialNumber: &sn, Manufacturer: &mf, ProductName: &pn}
	a.Hardware.Summary.Verdict = audit.VerdictPass
	if _, err := audit.WriteFile(m.audit, a); err != nil {
		t.Fatal(err)
	}
	return m
}

func (m *machine) path(p string) string { return filepath.Join(m.root, filepath.FromSlash(p)) }

func (m *machine) write(p, content string) {
	m.t.Helper()
	full := m.path(p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		m.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		m.t.Fatal(err)
	}
}

func aerText(kind string, total int64) string {
	switch kind {
	case "correctable":
		return "RxErr 0\nBadTLP 0\nBadDLLP 0\nRollover 0\nTimeout 0\nNonFatalErr 0\nCorrIntErr 0\nHeaderOF 0\n" +
			"TOTAL_ERR_COR " + itoa(total) + "\n"
	case "fatal":
		return "Undefined 0\nDLP 0\nSDES 0\nTLP 0\nFCP 0\nCmpltTO 0\nCmpltAbrt 0\nUnxCmplt 0\nRxOF 0\nMalfTLP 0\nECRC 0\nUnsupReq 0\nACSViol 0\nUncorrIntErr 0\nBlockedTLP 0\nAtomicOpBlocked 0\nTLPBlockedErr 0\nPoisonTLPBlocked 0\n" +
			"TOTAL_ERR_FATAL " + itoa(total) + "\n"
	}
	return "Undefined 0\nDLP 0\nSDES 0\nTLP 0\nFCP 0\nCmpltTO 0\nCmpltAbrt 0\nUnxCmplt 0\nRxOF 0\nMalfTLP 0\nECRC 0\nUnsupReq 0\nACSViol 0\nUncorrIntErr 0\nBlockedTLP 0\nAtomicOpBlocked 0\nTLPBlockedErr 0\nPoisonTLPBlocked 0\n" +
		"TOTAL_ERR_NONFATAL " + itoa(total) + "\n"
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func (m *machine) setAER(dev string, cor, nonfatal, fatal int64) {
	m.write(pciBase+"/"+dev+"/aer_dev_correctable", aerText("correctable", cor))
	m.write(pciBase+"/"+dev+"/aer_dev_nonfatal", aerText("nonfatal", nonfatal))
	m.write(pciBase+"/"+dev+"/aer_dev_fatal", aerText("fatal", fatal))
}

// run runs `bee sat args...` against the fake tools and returns the exit status.
func (m *machine) run(f *fake, args ...string) int {
	m.t.Helper()
	m.stdout.Reset()
	m.stderr.Reset()
	m.prog.Reset()
	full := append([]string{args[0], "--output-dir", m.out, "--root", m.root, "--audit", m.audit}, args[1:]...)
	full = append(full, m.extra...)
	env := Env{Runner: host.Exec{Env: f.env()}, Progress: &syncBuf{b: &m.prog}, progressTick: 50 * time.Millisecond, Self: "bee"}
	code := Main(m.ctx, full, &m.stdout, &m.stderr, env)
	m.t.Logf("bee sat %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(full, " "), code, m.stdout.String(), m.stderr.String())
	return code
}

type syncBuf struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

var archiveLine = regexp.MustCompile(`(?m)\Aarchive: (.+)\n\z|\narchive: (.+)\n\z`)

// archive returns the path printed on the last line of stdout, after checking that it is
// the only file in the output directory (no temporary file left behind).
func (m *machine) archive() string {
	m.t.Helper()
	mm := archiveLine.FindStringSubmatch(m.stdout.String())
	if mm == nil {
		m.t.Fatalf("stdout does not end with an archive line:\n%s", m.stdout.String())
	}
	p := mm[1] + mm[2]
	ents, err := os.ReadDir(m.out)
	if err != nil {
		m.t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != filepath.Base(p) || filepath.Dir(p) != m.out {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		m.t.Fatalf("output dir holds %q, want only %s", names, p)
	}
	return p
}

// tarball is an archive read back: top directory and files by path below it.
type tarball struct {
	top   string
	files map[string][]byte
	order []string
	man   Manifest
	raw   map[string]any // manifest as generic JSON, to check null vs absent
}

func readArchive(t *testing.T, p string) *tarball {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	tb := &tarball{files: map[string][]byte{}}
	tb.top = strings.TrimSuffix(filepath.Base(p), ".tar.gz")
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		rest, ok := strings.CutPrefix(h.Name, tb.top+"/")
		if !ok {
			t.Fatalf("%s: entry %q outside the top directory %s/", p, h.Name, tb.top)
		}
		if h.Typeflag == tar.TypeDir {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if _, dup := tb.files[rest]; dup {
			t.Fatalf("%s: %s twice", p, rest)
		}
		tb.files[rest] = b
		tb.order = append(tb.order, rest)
	}
	if len(tb.order) == 0 || tb.order[0] != "manifest.json" {
		t.Errorf("first entry is %v, want manifest.json", tb.order)
	}
	dec := json.NewDecoder(bytes.NewReader(tb.files["manifest.json"]))
	if err := dec.Decode(&tb.man); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if err := json.Unmarshal(tb.files["manifest.json"], &tb.raw); err != nil {
		t.Fatal(err)
	}
	// Every output a step names is in the archive, and every raw file belongs to a step.
	named := map[string]bool{}
	for _, st := range tb.man.Steps {
		for _, o := range st.Outputs {
			named[o] = true
			if _, ok := tb.files[o]; !ok {
				t.Errorf("step %s names output %s, not in the archive", st.Name, o)
			}
		}
		if st.Status == "" {
			t.Errorf("step %s has no status", st.Name)
		}
	}
	for name := range tb.files {
		if strings.HasPrefix(name, "raw/") && !named[name] {
			t.Errorf("archive holds %s that no step names", name)
		}
	}
	if _, ok := tb.files["summary.txt"]; !ok {
		t.Error("archive has no summary.txt")
	}
	return tb
}

// step returns the manifest step with this name (the first one).
func (tb *tarball) step(t *testing.T, name string) *Step {
	t.Helper()
	for _, st := range tb.man.Steps {
		if st.Name == name {
			return st
		}
	}
	var names []string
	for _, st := range tb.man.Steps {
		names = append(names, st.Name)
	}
	t.Fatalf("no step %q in %q", name, names)
	return nil
}

// output returns a step's raw output with the given suffix (".stdout", ".stderr", ".txt").
func (tb *tarball) output(t *testing.T, st *Step, suffix string) []byte {
	t.Helper()
	for _, o := range st.Outputs {
		if strings.HasSuffix(o, suffix) {
			return tb.files[o]
		}
	}
	t.Fatalf("step %s has no %s output (outputs %q)", st.Name, suffix, st.Outputs)
	return nil
}

func fileBytes(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hasReason reports whether a reason of this severity contains all the words.
func (tb *tarball) hasReason(sev string, words ...string) bool {
	for _, r := range tb.man.Reasons {
		if r.Severity != sev {
			continue
		}
		ok := true
		for _, w := range words {
			if !strings.Contains(r.Message, w) {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (tb *tarball) reasons() string {
	b, _ := json.MarshalIndent(tb.man.Reasons, "", "  ")
	return string(b)
}
