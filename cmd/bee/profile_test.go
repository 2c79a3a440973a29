package main

// Hardware profiles (docs/profiles.md) end to end: the real bee binary audits a
// fake machine, writes its profile with `bee profile new`, and audits again
// with the profile under the fake root's /etc/bee/profiles.
//
// Variants of a machine are constructed here, in code, from the real captures
// (a DIMM's Size line set to "No Module Installed", a <gpu> element and its
// sysfs directory removed, a link width of 8, a PSU's SDR line removed, the
// BIOS version lowered, a drive replaced by another real capture of a smaller
// model); the captures on disk are never changed.

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/audit"
)

// configCodes lists the CONFIG_* findings of an audit as "CODE component".
func configCodes(a *audit.Audit) []string {
	var l []string
	for _, f := range a.Hardware.Summary.Findings {
		if strings.HasPrefix(f.Code, "CONFIG_") {
			l = append(l, f.Code+" "+f.Component)
		}
	}
	sort.Strings(l)
	return l
}

// goldenProfile audits m, writes its profile with bee profile new and returns
// the YAML.
func goldenProfile(t *testing.T, m machine, name string) string {
	t.Helper()
	e := m.setup(t)
	auditOn(t, e)
	stdout, stderr, code := e.run("profile", "new", "--from", filepath.Join(e.out, "bee-audit.json"), "--name", name)
	if code != 0 {
		t.Fatalf("bee profile new: exit %d\n%s", code, stderr)
	}
	return stdout
}

// withProfile installs profile files into the machine's /etc/bee/profiles.
func (m machine) withProfiles(profiles map[string]string) machine {
	out := m
	out.files = map[string]string{}
	for k, v := range m.files {
		out.files[k] = v
	}
	for name, y := range profiles {
		out.files["/etc/bee/profiles/"+name] = y
	}
	return out
}

func TestProfileSameMachinePasses(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    func(testing.TB) machine
	}{{"gpu-server", gpuServer}, {"qemu-vm", qemuVM}, {"dell-r640", dellR640}} {
		t.Run(tc.name, func(t *testing.T) {
			y := goldenProfile(t, tc.m(t), tc.name)
			e := tc.m(t).withProfiles(map[string]string{tc.name + ".yaml": y}).setup(t)
			a, stdout := auditOn(t, e)
			p := a.Hardware.Profile
			if p == nil || p.Name != tc.name || p.MatchedBy != "match" || p.Source != "/etc/bee/profiles/"+tc.name+".yaml" || len(p.SHA256) != 64 {
				t.Fatalf("hardware.profile = %+v, want %s matched from /etc/bee/profiles", p, tc.name)
			}
			if c := configCodes(a); len(c) != 0 {
				t.Errorf("profile generated from the machine finds differences on it:\n%s\nprofile:\n%s", strings.Join(c, "\n"), y)
			}
			if !strings.Contains(stdout, "profile: "+tc.name+" ") || !strings.Contains(stdout, "0 difference(s)") {
				t.Errorf("summary does not name the profile:\n%s", stdout)
			}
		})
	}
}

// constructed writes a variant of a real capture, changed by edit, and returns its path.
func constructed(t *testing.T, src string, edit func(string) string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	out := edit(string(b))
	if out == string(b) {
		t.Fatalf("variant of %s changes nothing", src)
	}
	p := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if strings.Count(s, old) != 1 {
		t.Fatalf("%q found %d times, want once", old, strings.Count(s, old))
	}
	return strings.Replace(s, old, new, 1)
}

func withDMI(m machine, path string) machine {
	for _, argv := range [][]string{{"dmidecode", "-t", "0,1,2"}, {"dmidecode", "-t", "4"}, {"dmidecode", "-t", "17"}} {
		m = m.withCmd(fakeCmd{argv: argv, stdout: path})
	}
	return m
}

func TestProfileVariantsGiveExactlyTheirFinding(t *testing.T) {
	y := goldenProfile(t, gpuServer(t), "smc-gpu")
	dmi := fixture("dmidecode", "supermicro-sys-4029gp-trt2_8gpu_from-nvidia-bug-report.txt")
	for _, tc := range []struct {
		name    string
		variant func(t *testing.T, m machine) machine
		want    []string
	}{
		{"one DIMM slot empty", func(t *testing.T, m machine) machine {
			return withDMI(m, constructed(t, dmi, func(s string) string {
				i := strings.Index(s, "Locator: P1-DIMMD1")
				j := strings.LastIndex(s[:i], "Size: 32 GB")
				return s[:j] + "Size: No Module Installed" + s[j+len("Size: 32 GB"):]
			}))
		}, []string{"CONFIG_DIMM_MISSING dimm:P1-DIMMD1"}},
		{"a GPU gone from nvidia-smi and the PCI bus", func(t *testing.T, m machine) machine {
			xml := constructed(t, fixture("nvidiasmi", "4x-tesla-k80_q-x_v10.xml"), func(s string) string {
				i := strings.Index(s, `<gpu id="0000F8D6:00:00.0">`)
				j := i + strings.Index(s[i:], "</gpu>") + len("</gpu>")
				return replaceOnce(t, s[:i]+s[j:], "<attached_gpus>4</attached_gpus>", "<attached_gpus>3</attached_gpus>")
			})
			m = m.withCmd(fakeCmd{argv: []string{"nvidia-smi", "-q", "-x"}, stdout: xml})
			files := map[string]string{}
			for k, v := range m.files {
				if !strings.HasPrefix(k, "/sys/bus/pci/devices/f8d6:00:00.0/") {
					files[k] = v
				}
			}
			m.files = files
			return m
		}, []string{"CONFIG_GPU_COUNT gpu"}},
		{"a GPU link at x8", func(t *testing.T, m machine) machine {
			m.files["/sys/bus/pci/devices/2df7:00:00.0/current_link_width"] = "8\n"
			return m
		}, []string{"CONFIG_PCIE_LINK pcie:2df7:00:00.0"}},
		{"a PSU gone", func(t *testing.T, m machine) machine {
			sdr := constructed(t, fixture("ipmitool", "supermicro-sys-4029gp-trt2_sdr-elist_psu-failure.txt"), func(s string) string {
				return replaceOnce(t, s, "PS4 Status       | C7h | ok  | 10.89 | Presence detected\n", "")
			})
			return m.withCmd(fakeCmd{argv: []string{"ipmitool", "sdr", "elist"}, stdout: sdr})
		}, []string{"CONFIG_PSU_COUNT psu"}},
		{"an older BIOS", func(t *testing.T, m machine) machine {
			return withDMI(m, constructed(t, dmi, func(s string) string {
				return replaceOnce(t, s, "Vendor: American Megatrends Inc.\n\tVersion: 3.3a\n", "Vendor: American Megatrends Inc.\n\tVersion: 3.2\n")
			}))
		}, []string{"CONFIG_BIOS_VERSION bios"}},
		{"a drive replaced by a smaller model", func(t *testing.T, m machine) machine {
			lsblk := constructed(t, fixture("lsblk", "qemu/lsblk.json"), func(s string) string {
				return replaceOnce(t, s, `"size": 1073741824,
         "model": "TESTSSD"`, `"size": 536870912,
         "model": "TESTSSD"`)
			})
			m = m.withCmd(fakeCmd{argv: lsblkArgv, stdout: lsblk})
			return m.withCmd(smart(t, "/dev/sda", "qemu/smartctl-sda.json"))
		}, []string{"CONFIG_DISK_COUNT storage"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.variant(t, gpuServer(t).withProfiles(map[string]string{"smc-gpu.yaml": y}))
			e := m.setup(t)
			a, _ := auditOn(t, e)
			got := configCodes(a)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("CONFIG findings:\n%s\nwant exactly:\n%s\nall findings: %+v", strings.Join(got, "\n"), strings.Join(tc.want, "\n"), a.Hardware.Summary.Findings)
			}
			if a.Hardware.Summary.Verdict != "fail" {
				t.Errorf("verdict %s, want fail", a.Hardware.Summary.Verdict)
			}
			for _, f := range a.Hardware.Summary.Findings {
				if strings.HasPrefix(f.Code, "CONFIG_") {
					t.Logf("%s %s %s", f.Code, f.Component, f.Message)
					if !strings.Contains(f.Message, "expected") {
						t.Errorf("message does not say what was expected: %s", f.Message)
					}
				}
			}
		})
	}
}

func TestProfileOnADifferentMachineIsShortAndGrouped(t *testing.T) {
	y := goldenProfile(t, dellR640(t), "r640")
	m := qemuVM(t)
	m.files["/tmp/r640.yaml"] = y
	e := m.setup(t)
	a, stdout := auditOn(t, e, "--profile", filepath.Join(e.root, "tmp", "r640.yaml"))
	if a.Hardware.Profile == nil || a.Hardware.Profile.MatchedBy != "option" {
		t.Fatalf("hardware.profile = %+v, want r640 by option", a.Hardware.Profile)
	}
	n := 0
	perKind := map[string]int{}
	more := 0
	for _, f := range a.Hardware.Summary.Findings {
		if !strings.HasPrefix(f.Code, "CONFIG_") {
			continue
		}
		k, _, _ := strings.Cut(f.Component, ":")
		perKind[k]++
		n++
		if f.Code == "CONFIG_MORE" {
			more++
			if !strings.HasPrefix(f.Message, "and ") || !strings.Contains(f.Message, "more") {
				t.Errorf("CONFIG_MORE message: %s", f.Message)
			}
		}
	}
	for k, n := range perKind {
		if n > 6 {
			t.Errorf("%d CONFIG findings for %s, want at most 6", n, k)
		}
	}
	if more == 0 {
		t.Errorf("no CONFIG_MORE: the eight PCI functions of the R640 missing from the VM should be capped: %v", perKind)
	}
	if n > 16 {
		t.Errorf("%d CONFIG findings, want a short list", n)
	}
	for _, k := range []string{"cpu", "dimm", "memory", "storage", "pcie", "bios"} {
		if perKind[k] == 0 {
			t.Errorf("no difference listed for %s: %v", k, perKind)
		}
	}
	if !strings.Contains(stdout, "profile: r640") {
		t.Errorf("summary does not name the profile:\n%s", stdout)
	}
}

func TestProfileProblemsLeaveTheAuditComplete(t *testing.T) {
	y := goldenProfile(t, qemuVM(t), "vm")
	second := strings.Replace(y, "name: vm", "name: vm-copy", 1)
	for _, tc := range []struct {
		name  string
		files map[string]string
		args  []string
		want  []string // substrings of the CONFIG_PROFILE_UNUSABLE messages
		used  string   // profile used, "" none
	}{
		{"YAML syntax error", map[string]string{"/etc/bee/profiles/vm.yaml": y + "cpu: [\n"}, nil,
			[]string{"/etc/bee/profiles/vm.yaml is broken, skipped: line "}, ""},
		{"unknown key", map[string]string{"/etc/bee/profiles/vm.yaml": strings.Replace(y, "dimm_count:", "dimm_cont:", 1)}, nil,
			[]string{`unknown key "dimm_cont" in memory`}, ""},
		{"two profiles match", map[string]string{"/etc/bee/profiles/vm.yaml": y, "/etc/bee/profiles/vm-copy.yaml": second}, nil,
			[]string{"2 profiles fit this machine: vm-copy (/etc/bee/profiles/vm-copy.yaml) and vm (/etc/bee/profiles/vm.yaml)", "not judged against a profile"}, ""},
		{"unreadable USB stick folder, profile on the ISO still used", map[string]string{"/etc/bee/profiles/vm.yaml": y, "/run/bee/stick/profiles": "not a folder"}, nil,
			[]string{"cannot read the profile folder /run/bee/stick/profiles"}, "vm"},
		{"--profile names no profile", map[string]string{"/etc/bee/profiles/vm.yaml": y}, []string{"--profile", "nosuch"},
			[]string{`--profile names profile "nosuch", there is none of that name in /etc/bee/profiles, /run/bee/stick/profiles`}, ""},
		{"--profile none", map[string]string{"/etc/bee/profiles/vm.yaml": y}, []string{"--profile", "none"}, nil, ""},
		{"bee.profile= on the kernel command line", map[string]string{"/etc/bee/profiles/x.yaml": strings.Replace(second, "manufacturer: TestVendor", "manufacturer: Other", 1),
			"/proc/cmdline": "BOOT_IMAGE=/live/vmlinuz boot=live bee.profile=vm-copy quiet\n"}, nil, nil, "vm-copy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := qemuVM(t)
			for k, v := range tc.files {
				m.files[k] = v
			}
			e := m.setup(t)
			a, _ := auditOn(t, e, tc.args...)
			var msgs []string
			for _, f := range a.Hardware.Summary.Findings {
				if f.Code == "CONFIG_PROFILE_UNUSABLE" {
					if f.Severity != "warning" {
						t.Errorf("CONFIG_PROFILE_UNUSABLE is a %s, want warning", f.Severity)
					}
					msgs = append(msgs, f.Message)
				} else if strings.HasPrefix(f.Code, "CONFIG_") {
					t.Errorf("unexpected %s %s: %s", f.Code, f.Component, f.Message)
				}
			}
			all := strings.Join(msgs, "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("CONFIG_PROFILE_UNUSABLE messages:\n%s\nwant one containing %q", all, w)
				}
			}
			if len(tc.want) == 0 && len(msgs) > 0 {
				t.Errorf("unexpected CONFIG_PROFILE_UNUSABLE: %s", all)
			}
			got := ""
			if a.Hardware.Profile != nil {
				got = a.Hardware.Profile.Name
			}
			if got != tc.used {
				t.Errorf("profile used %q, want %q", got, tc.used)
			}
		})
	}
}

func TestProfileCheckCommand(t *testing.T) {
	y := goldenProfile(t, qemuVM(t), "vm")
	e := qemuVM(t).setup(t)
	good := filepath.Join(e.out, "vm.yaml")
	bad := filepath.Join(e.out, "bad.yaml")
	write(t, good, y)
	write(t, bad, strings.Replace(strings.Replace(y, "dimm_count: 1", "dimm_count: -1", 1), "  model: Test CPU", "  modle: Test CPU", 1))
	stdout, _, code := e.run("profile", "check", good)
	if code != 0 || !strings.Contains(stdout, "ok, profile vm (matches TestVendor TestProduct)") {
		t.Errorf("check of a generated profile: exit %d\n%s", code, stdout)
	}
	stdout, _, code = e.run("profile", "check", good, bad)
	if code != 1 {
		t.Errorf("check of a broken profile: exit %d, want 1", code)
	}
	lines := strings.Split(y, "\n")
	lineOf := func(prefix string) string {
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), prefix) {
				return "line " + strconv.Itoa(i+1) + ":"
			}
		}
		t.Fatalf("no %q in the profile", prefix)
		return ""
	}
	for _, w := range []string{bad + ": " + lineOf("model: Test CPU") + ` unknown key "modle" in cpu`, bad + ": " + lineOf("dimm_count:") + " memory.dimm_count:"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("check output:\n%s\nwant %q", stdout, w)
		}
	}
	if _, stderr, code := e.run("profile", "check"); code != 2 || !strings.Contains(stderr, "no FILE") {
		t.Errorf("check without FILE: exit %d, stderr %q", code, stderr)
	}
	if stdout, _, code := e.run("profile", "new", "--help"); code != 0 || !strings.Contains(stdout, "--from") {
		t.Errorf("profile new --help: exit %d, stdout %q", code, stdout)
	}
	if _, stderr, code := e.run("profile", "new", "--from", good); code != 2 || !strings.Contains(stderr, "--name") {
		t.Errorf("profile new without --name: exit %d, stderr %q", code, stderr)
	}
	if _, stderr, code := e.run("profile", "new", "--bogus"); code != 2 || stderr == "" {
		t.Errorf("profile new --bogus: exit %d, stderr %q", code, stderr)
	}
}

// Boards that repeat a slot locator per CPU (the Lenovo SR950 V3 names eight
// slots "DIMM A1") get slots named "bank locator / locator", in the profile and
// in the findings alike.
func TestProfileRepeatedLocators(t *testing.T) {
	dmi := fixture("dmidecode", "lenovo-thinksystem-sr950-v3_8cpu_128slots_120empty.txt")
	m := withDMI(dellR640(t), dmi)
	y := goldenProfile(t, m, "sr950")
	if !strings.Contains(y, "Secondary Main Board/CPU 1 / DIMM A1") {
		t.Fatalf("generated profile does not name the slots apart:\n%s", y)
	}
	e := withDMI(dellR640(t), dmi).withProfiles(map[string]string{"sr950.yaml": y}).setup(t)
	a, _ := auditOn(t, e)
	if c := configCodes(a); a.Hardware.Profile == nil || len(c) != 0 {
		t.Fatalf("profile %+v on its own machine: %v", a.Hardware.Profile, c)
	}
	gone := constructed(t, dmi, func(s string) string {
		i := strings.Index(s, "Locator: DIMM A1\n\tBank Locator: Secondary Main Board/CPU 1\n")
		j := strings.LastIndex(s[:i], "Size: 64 GB")
		return s[:j] + "Size: No Module Installed" + s[j+len("Size: 64 GB"):]
	})
	e = withDMI(dellR640(t), gone).withProfiles(map[string]string{"sr950.yaml": y}).setup(t)
	a, _ = auditOn(t, e)
	if c := strings.Join(configCodes(a), "\n"); c != "CONFIG_DIMM_MISSING dimm:Secondary Main Board/CPU 1 / DIMM A1" {
		t.Errorf("CONFIG findings:\n%s", c)
	}
}

// Profiles present but none fits: not a finding (a machine without a profile
// is not a warning), but said, so that a wrong match is not a silent pass.
func TestProfileNoneFitsIsSaid(t *testing.T) {
	y := goldenProfile(t, dellR640(t), "r640")
	e := qemuVM(t).withProfiles(map[string]string{"r640.yaml": y}).setup(t)
	out := filepath.Join(e.out, "bee-audit.json")
	_, stderr, code := e.run("audit", "--root", e.root, "--output", out, "--no-qr")
	if code != 0 || !strings.Contains(stderr, "bee audit: profile: none of the 1 profile(s) in /etc/bee/profiles, /run/bee/stick/profiles fits this machine (TestVendor TestProduct board TB1)") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	e = qemuVM(t).withProfiles(map[string]string{"vm.yaml": goldenProfile(t, qemuVM(t), "vm")}).setup(t)
	_, stderr, _ = e.run("audit", "--root", e.root, "--output", filepath.Join(e.out, "bee-audit.json"), "--no-qr")
	if !strings.Contains(stderr, "bee audit: profile: judged against profile vm (/etc/bee/profiles/vm.yaml, by match)") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// A capture records the profile that was read, so its replay is judged alike.
func TestProfileCaptureReplay(t *testing.T) {
	y := goldenProfile(t, qemuVM(t), "vm")
	e := qemuVM(t).withProfiles(map[string]string{"vm.yaml": strings.Replace(y, "total: 3 GiB", "total: 4 GiB", 1)}).setup(t)
	capDir := filepath.Join(e.out, "capture")
	a1, _ := auditOn(t, e, "--capture", capDir)
	if c := strings.Join(configCodes(a1), ","); c != "CONFIG_MEMORY_TOTAL memory" {
		t.Fatalf("captured audit: %s", c)
	}
	replayGivesSameHardware(t, capDir, a1)
}

func TestProfileDiffCommand(t *testing.T) {
	e := dellR640(t).setup(t)
	auditOn(t, e)
	golden := filepath.Join(e.out, "bee-audit.json")
	y, _, _ := e.run("profile", "new", "--from", golden, "--name", "r640")
	good, edited := filepath.Join(e.out, "r640.yaml"), filepath.Join(e.out, "r640-bigger.yaml")
	write(t, good, y)
	write(t, edited, strings.Replace(y, "total: 256 GiB", "total: 512 GiB", 1))
	if stdout, _, code := e.run("profile", "diff", good, "--audit", golden); code != 0 || !strings.Contains(stdout, "profile r640 against "+golden+" (its match fits this machine): 0 difference(s)") {
		t.Errorf("diff of the golden audit and its own profile: exit %d\n%s", code, stdout)
	}
	stdout, _, code := e.run("profile", "diff", "--audit", golden, edited)
	if code != 1 || !strings.Contains(stdout, "CONFIG_MEMORY_TOTAL      memory: expected 512 GiB of memory, found 256 GiB") {
		t.Errorf("diff against an edited profile: exit %d\n%s", code, stdout)
	}
	if _, stderr, code := e.run("profile", "diff", "--audit", golden); code != 2 || !strings.Contains(stderr, "give one profile FILE") {
		t.Errorf("diff without FILE: exit %d, stderr %q", code, stderr)
	}
}

// Every real dmidecode capture kept for the parser, as the DMI of a test
// machine: the profile generated from it passes on it (CPU, memory population
// map, BIOS as each vendor writes them).
func TestProfileRoundTripOnEveryDMICapture(t *testing.T) {
	names, err := filepath.Glob(fixture("dmidecode", "*.txt"))
	if err != nil || len(names) < 10 {
		t.Fatalf("dmidecode captures: %v %v", names, err)
	}
	for _, dmi := range names {
		t.Run(filepath.Base(dmi), func(t *testing.T) {
			y := goldenProfile(t, withDMI(dellR640(t), dmi), "p")
			e := withDMI(dellR640(t), dmi).setup(t)
			write(t, filepath.Join(e.out, "p.yaml"), y)
			a, _ := auditOn(t, e, "--profile", filepath.Join(e.out, "p.yaml"))
			if c := configCodes(a); a.Hardware.Profile == nil || len(c) != 0 {
				t.Errorf("profile on its own machine: %v\n%s", c, y)
			}
		})
	}
}
