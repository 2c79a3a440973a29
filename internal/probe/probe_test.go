package probe

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/host"
)

func capture(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "parse", rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// util-linux older than 2.33 has no PATH column: lsblk refuses the whole command
// ("lsblk: unknown column: PATH", util-linux's column_name_to_id) and the listing
// is asked again without it. Both `bee audit` and `bee sat storage` list disks here.
func TestListDisksOldUtilLinux(t *testing.T) {
	old := capture(t, "lsblk/testdata/server_old-util-linux_string-bools_ocp-autoval.json")
	var runs [][]string
	res, disks, err := ListDisks(func(argv []string) host.Result {
		runs = append(runs, argv)
		if strings.Contains(argv[len(argv)-1], "PATH") {
			return host.Result{Argv: argv, ExitCode: 1, Stderr: []byte("lsblk: unknown column: PATH\n")}
		}
		return host.Result{Argv: argv, Stdout: old}
	})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("err %v, exit %d", err, res.ExitCode)
	}
	if len(runs) != 2 || !slices.Equal(runs[1], LsblkArgv(true)) || strings.Contains(strings.Join(runs[1], " "), "PATH") {
		t.Fatalf("runs = %q", runs)
	}
	var names []string
	for _, d := range disks {
		names = append(names, d.Name)
		if d.Path != "/dev/"+d.Name {
			t.Errorf("%s: path %q", d.Name, d.Path)
		}
	}
	if !slices.Contains(names, "sda") || slices.Contains(names, "sda1") || slices.Contains(names, "loop0") {
		t.Errorf("disks = %q: want the whole disks only", names)
	}
}

// Any other failure is not retried, and its output is not parsed as a listing.
func TestListDisksOtherFailures(t *testing.T) {
	for _, r := range []host.Result{
		{ExitCode: 1, Stderr: []byte("lsblk: failed to access sysfs directory: /sys/dev/block\n")},
		{ExitCode: -1, Err: host.ErrNotFound},
	} {
		n := 0
		res, disks, err := ListDisks(func(argv []string) host.Result { n++; r.Argv = argv; return r })
		if n != 1 || disks != nil || res.ExitCode != r.ExitCode {
			t.Errorf("%v: %d runs, disks %v, exit %d", r, n, disks, res.ExitCode)
		}
		if r.Err == nil && err == nil {
			t.Errorf("%v: empty output parsed without an error", r)
		}
	}
	cur := capture(t, "lsblk/testdata/qemu/lsblk.json")
	_, disks, err := ListDisks(func(argv []string) host.Result {
		if !slices.Equal(argv, LsblkArgv(false)) {
			t.Errorf("argv %q", argv)
		}
		return host.Result{Argv: argv, Stdout: cur}
	})
	if err != nil || len(disks) == 0 || disks[0].Path == "" {
		t.Errorf("current util-linux: err %v, disks %+v", err, disks)
	}
}

func TestNVMeController(t *testing.T) {
	for name, want := range map[string]string{
		"nvme0n1": "/dev/nvme0", "nvme12n3": "/dev/nvme12", "nvme0": "", "nvme0n1p1": "", "sda": "", "nvme0c0n1": "",
	} {
		if got := NVMeController(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

type tree map[string]string

func (tr tree) fs(t *testing.T) host.FS {
	t.Helper()
	root := t.TempDir()
	for p, c := range tr {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return host.RootFS{Root: root}
}

// The layout of Documentation/admin-guide/ras.rst: mc<N>/{ce,ue}_count and
// dimm<N>/{dimm_ce_count,dimm_ue_count,dimm_label}.
func TestReadEDAC(t *testing.T) {
	fs := tree{
		EDACDir + "/mc0/ce_count":            "3\n",
		EDACDir + "/mc0/ue_count":            "0\n",
		EDACDir + "/mc0/dimm0/dimm_ce_count": "3\n",
		EDACDir + "/mc0/dimm0/dimm_ue_count": "0\n",
		EDACDir + "/mc0/dimm0/dimm_label":    "CPU_SrcID#0_Ha#0_Chan#0_DIMM#0\n",
		EDACDir + "/mc0/dimm1/size":          "0\n", // no counts: not listed
		EDACDir + "/mc1/ce_count":            "garbage\n",
		EDACDir + "/mcfoo/ce_count":          "1\n", // not a controller
		EDACDir + "/power/autosuspend_delay": "-1\n",
	}.fs(t)
	mcs, err := ReadEDAC(fs, []string{EDACCorrected, EDACUncorrected}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(mcs) != 2 || mcs[0].Name != "mc0" || mcs[1].Name != "mc1" {
		t.Fatalf("controllers %+v", mcs)
	}
	if c, _ := mcs[0].Counter(EDACCorrected); !c.OK || c.Value != 3 || c.Path != EDACDir+"/mc0/ce_count" {
		t.Errorf("mc0 ce %+v", c)
	}
	if c, _ := mcs[1].Counter(EDACCorrected); c.OK || c.Err != nil || c.Value != 0 || string(c.Raw) != "garbage\n" {
		t.Errorf("mc1 ce (not a number) %+v", c)
	}
	if c, _ := mcs[1].Counter(EDACUncorrected); c.OK || !host.IsNotExist(c.Err) {
		t.Errorf("mc1 ue (absent) %+v", c)
	}
	if d := mcs[0].DIMMs; len(d) != 1 || d[0].Name != "dimm0" || d[0].CE.Value != 3 || !strings.HasPrefix(string(d[0].Label), "CPU_SrcID#0") {
		t.Errorf("mc0 dimms %+v", d)
	}
	if _, err := ReadEDAC(tree{"/sys/x": ""}.fs(t), nil, false); !host.IsNotExist(err) {
		t.Errorf("no EDAC driver: err %v", err)
	}
}

// AER files as the kernel writes them (drivers/pci/pcie/aer.c): one "NAME count"
// line per error and a TOTAL_ERR_* line.
func TestReadAER(t *testing.T) {
	const dev = PCIDevicesDir + "/0000:17:00.0/"
	fs := tree{
		dev + "aer_dev_correctable":            "RxErr 2\nBadTLP 0\nBadDLLP 0\nRollover 0\nTimeout 0\nNonFatalErr 0\nCorrIntErr 0\nHeaderOF 0\nTOTAL_ERR_COR 2\n",
		dev + "aer_dev_nonfatal":               "Undefined 0\nDLP 0\nTOTAL_ERR_NONFATAL 0\n",
		dev + "aer_dev_fatal":                  "Undefined 0\nDLP x\n",
		PCIDevicesDir + "/0000:00:00.0/vendor": "0x8086\n",
	}.fs(t)
	fns, err := PCIFunctions(fs)
	if err != nil || !slices.Equal(fns, []string{"0000:00:00.0", "0000:17:00.0"}) {
		t.Fatalf("functions %q, %v", fns, err)
	}
	a := ReadAER(fs, "0000:17:00.0")
	if a.Correctable.Total == nil || *a.Correctable.Total != 2 || a.NonFatal.Total == nil || *a.NonFatal.Total != 0 {
		t.Errorf("totals %+v", a)
	}
	if a.Fatal.Total != nil || a.Fatal.ParseErr == nil || a.Fatal.Err != nil || a.Fatal.Raw == nil {
		t.Errorf("fatal (bad line) %+v", a.Fatal)
	}
	none := ReadAER(fs, "0000:00:00.0")
	for _, f := range []AERFile{none.Correctable, none.NonFatal, none.Fatal} {
		if !host.IsNotExist(f.Err) || f.Total != nil {
			t.Errorf("no AER capability: %+v", f)
		}
	}
}

// A TOTAL line of another file's kind is not this file's total.
func TestReadAERTotalOfItsOwnKind(t *testing.T) {
	fs := tree{PCIDevicesDir + "/0000:17:00.0/aer_dev_fatal": "TOTAL_ERR_COR 5\n"}.fs(t)
	if f := ReadAER(fs, "0000:17:00.0").Fatal; f.Total != nil || f.ParseErr != nil {
		t.Errorf("%+v", f)
	}
}

func TestReadMeminfo(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "parse", "meminfo", "testdata", "meminfo_debian12-vm-24g.txt"))
	if err != nil {
		t.Fatal(err)
	}
	mi, err := ReadMeminfo(tree{MeminfoPath: string(b)}.fs(t))
	if err != nil || mi.Total == nil || *mi.Total != 24684084*1024 || mi.Available == nil || *mi.Available != 23376508*1024 {
		t.Errorf("%+v, %v", mi, err)
	}
	if _, err := ReadMeminfo(tree{}.fs(t)); !host.IsNotExist(err) {
		t.Errorf("absent: %v", err)
	}
}

func TestReadNvidiaSMI(t *testing.T) {
	xml := capture(t, "nvidiasmi/testdata/2x-rtx-a5000_q-x_v13.xml")
	var argv []string
	n := ReadNvidiaSMI(func(a []string) host.Result {
		argv = a
		// A warning on stderr must not hide the XML on stdout.
		return host.Result{Argv: a, Stdout: xml, Stderr: []byte("WARNING: infoROM is corrupted at gpu 0000:01:00.0\n")}
	})
	if !slices.Equal(argv, NvidiaSMIArgv) || n.ParseErr != nil || n.Log == nil || len(n.Log.GPUs) != 2 {
		t.Fatalf("argv %q, %+v", argv, n)
	}
	notLoaded := capture(t, "nvidiasmi/testdata/error_driver-not-loaded.txt")
	n = ReadNvidiaSMI(func(a []string) host.Result { return host.Result{Argv: a, Stdout: notLoaded, ExitCode: 9} })
	if n.Log != nil || n.ParseErr == nil || n.Problem == nil || n.Res.ExitCode != 9 {
		t.Errorf("driver not loaded: %+v", n)
	}
	n = ReadNvidiaSMI(func(a []string) host.Result { return host.Result{Argv: a, ExitCode: -1, Err: host.ErrNotFound} })
	if n.Log != nil || n.ParseErr != nil || n.Problem != nil {
		t.Errorf("not found: %+v", n)
	}
}

func TestBMC(t *testing.T) {
	if HasBMC(tree{"/dev/null0": ""}.fs(t)) {
		t.Error("a machine without /dev/ipmi* has a BMC")
	}
	for _, d := range IPMIDevices {
		if !HasBMC(tree{d: ""}.fs(t)) {
			t.Errorf("%s: no BMC", d)
		}
	}
	sdr := capture(t, "ipmitool/testdata/dell-r740_sdr-elist_datakit.txt")
	var mu = make(chan struct{}, 1)
	var seen []string
	b := ReadBMC(func(a []string) host.Result {
		mu <- struct{}{}
		seen = append(seen, strings.Join(a, " "))
		<-mu
		if a[1] == "sdr" {
			return host.Result{Argv: a, Stdout: sdr}
		}
		return host.Result{Argv: a, ExitCode: 1}
	})
	slices.Sort(seen)
	if !slices.Equal(seen, []string{"ipmitool fru", "ipmitool sdr elist"}) || string(b.SDR.Stdout) != string(sdr) || b.FRU.ExitCode != 1 {
		t.Errorf("runs %q, %+v", seen, b)
	}
}

// ReadBMCInfo runs its four commands at once (each run below waits until all four
// have started: run one after another, it would never return) and files each answer
// under its own name.
func TestReadBMCInfo(t *testing.T) {
	var started sync.WaitGroup
	started.Add(4)
	b := ReadBMCInfo(func(a []string) host.Result {
		started.Done()
		done := make(chan struct{})
		go func() { started.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Errorf("%q: the other commands did not start", a)
		}
		return host.Result{Argv: a, Stdout: []byte(strings.Join(a, " "))}
	})
	for got, want := range map[*host.Result]string{
		&b.MC: "ipmitool mc info", &b.LAN: "ipmitool lan print", &b.SELInfo: "ipmitool sel info", &b.SEL: "ipmitool sel elist",
	} {
		if string(got.Stdout) != want {
			t.Errorf("%q holds %q", want, got.Stdout)
		}
	}
}
