package main

// Whole-command test harness: the real bee binary runs with a PATH of fake
// tools (internal/testtools/faketool, strict: a command the machine does not
// know fails the test) that replay real captures, and a fake root holding /sys,
// /proc and /dev files.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/testtools/faketool"
)

var beeBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bee-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	beeBin = filepath.Join(dir, "bee")
	cmd := exec.Command("go", "build", "-o", beeBin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := faketool.RunTests(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// fixture returns the path of a real capture kept in a parser's testdata.
func fixture(tool, name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "internal", "parse", tool, "testdata", name)
}

// fakeCmd is one command the fake machine answers.
type fakeCmd struct {
	argv   []string
	stdout string // fixture path; "" for empty output
	stderr string // literal text
	exit   int
	sleep  time.Duration
}

// machine is a recorded machine: the tools it has and its filesystem.
type machine struct {
	name  string
	cmds  []fakeCmd
	files map[string]string // absolute path → content
	links map[string]string // absolute path → symlink target
}

// env is a prepared machine: the fake tools (alone on PATH), root, output folder.
type env struct {
	t    testing.TB
	fake *faketool.Fake
	root string
	out  string
}

// setup installs the machine: its tools as a faketool scenario (several records of
// one argv answer in order, the last repeats) and its files under a fake root. The
// machine's commands are what its tools answer, not what a test must run: each
// may run or not; a command outside them fails the test (faketool is strict).
func (m machine) setup(t testing.TB) *env {
	t.Helper()
	base := t.TempDir()
	var sc faketool.Scenario
	index := map[string]int{}
	for i, c := range m.cmds {
		r := faketool.Response{Stdout: c.stdout, Exit: c.exit, SleepMS: int(c.sleep.Milliseconds())}
		if c.stderr != "" {
			// A file, not StderrText: JSON would not keep invalid UTF-8 byte for byte.
			r.Stderr = filepath.Join(base, fmt.Sprintf("stderr-%04d", i+1))
			write(t, r.Stderr, c.stderr)
		}
		key := strings.Join(c.argv, "\x00")
		if i, ok := index[key]; ok {
			sc.Commands[i] = sc.Commands[i].Answer(r)
			continue
		}
		index[key] = len(sc.Commands)
		sc.Commands = append(sc.Commands, faketool.Cmd(c.argv...).Answer(r).MayRun())
	}
	e := &env{t: t, fake: faketool.New(t, sc), root: filepath.Join(base, "root"), out: filepath.Join(base, "out")}
	for _, d := range []string{e.root, e.out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for p, content := range m.files {
		write(t, filepath.Join(e.root, p), content)
	}
	for p, target := range m.links {
		full := filepath.Join(e.root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// environ is the whole environment bee runs with: only the fake tools on PATH,
// nothing of the host machine leaks in.
func (e *env) environ() []string { return append(e.fake.Env(), "HOME="+e.out) }

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs the real bee binary on the fake machine.
func (e *env) run(args ...string) (stdout, stderr string, code int) {
	e.t.Helper()
	cmd := exec.Command(beeBin, args...)
	cmd.Env = e.environ()
	var so, se strings.Builder
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	code = 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			e.t.Fatalf("bee %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return so.String(), se.String(), code
}

// pciFn writes a PCI function's sysfs directory into files/links.
type pciFn struct {
	addr, vendor, device, class string
	svendor, sdevice            string
	driver                      string
	numa                        string
	curSpeed, maxSpeed          string
	curWidth, maxWidth          string
	aerCor, aerNonFatal, aerFat string // TOTAL_ values; "" = no AER files
}

func (f pciFn) add(files, links map[string]string) {
	d := "/sys/bus/pci/devices/" + f.addr + "/"
	files[d+"vendor"] = "0x" + f.vendor + "\n"
	files[d+"device"] = "0x" + f.device + "\n"
	files[d+"class"] = "0x" + f.class + "\n"
	if f.svendor != "" {
		files[d+"subsystem_vendor"] = "0x" + f.svendor + "\n"
		files[d+"subsystem_device"] = "0x" + f.sdevice + "\n"
	}
	numa := f.numa
	if numa == "" {
		numa = "-1"
	}
	files[d+"numa_node"] = numa + "\n"
	if f.curSpeed != "" {
		files[d+"current_link_speed"] = f.curSpeed + "\n"
		files[d+"max_link_speed"] = f.maxSpeed + "\n"
		files[d+"current_link_width"] = f.curWidth + "\n"
		files[d+"max_link_width"] = f.maxWidth + "\n"
	}
	if f.aerCor != "" {
		files[d+"aer_dev_correctable"] = "RxErr 0\nBadTLP 0\nBadDLLP 0\nRollover 0\nTimeout 0\nNonFatalErr 0\nCorrIntErr 0\nHeaderOF 0\nTOTAL_ERR_COR " + f.aerCor + "\n"
		files[d+"aer_dev_nonfatal"] = "Undefined 0\nDLP 0\nSDES 0\nTLP 0\nFCP 0\nCmpltTO 0\nCmpltAbrt 0\nUnxCmplt 0\nRxOF 0\nMalfTLP 0\nECRC 0\nUnsupReq 0\nACSViol 0\nUncorrIntErr 0\nBlockedTLP 0\nAtomicOpBlocked 0\nTLPBlockedErr 0\nPoisonTLPBlocked 0\nTOTAL_ERR_NONFATAL " + f.aerNonFatal + "\n"
		files[d+"aer_dev_fatal"] = "Undefined 0\nDLP 0\nSDES 0\nTLP 0\nFCP 0\nCmpltTO 0\nCmpltAbrt 0\nUnxCmplt 0\nRxOF 0\nMalfTLP 0\nECRC 0\nUnsupReq 0\nACSViol 0\nUncorrIntErr 0\nBlockedTLP 0\nAtomicOpBlocked 0\nTLPBlockedErr 0\nPoisonTLPBlocked 0\nTOTAL_ERR_FATAL " + f.aerFat + "\n"
	}
	if f.driver != "" {
		links[d+"driver"] = "../../../bus/pci/drivers/" + f.driver
	}
}
