package profile

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/audit"
)

// sample reads an audit that the real bee binary produced on a fake machine
// replaying real captures (internal/audit/testdata/audits, see cmd/bee).
func sample(t testing.TB, name string) *audit.Audit {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "audit", "testdata", "audits", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var a audit.Audit
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	return &a
}

var samples = []string{"gpu-server-failing", "qemu-vm", "dell-r640-no-bmc-no-gpu"}

func generated(t testing.TB, a *audit.Audit, name string) *Profile {
	t.Helper()
	y, err := Generate(a, name, "test")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(name+".yaml", y)
	if err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	return p
}

func TestGenerateThenJudgeSameMachine(t *testing.T) {
	for _, s := range samples {
		t.Run(s, func(t *testing.T) {
			a := sample(t, s)
			y, err := Generate(a, s, "test")
			if err != nil {
				t.Fatal(err)
			}
			if testing.Verbose() {
				t.Logf("\n%s", y)
			}
			p := generated(t, a, s)
			if fs := Judge(p, a); len(fs) != 0 {
				t.Errorf("profile generated from the machine finds differences on it: %+v", fs)
			}
		})
	}
}

func codesOf(fs []audit.Finding) string {
	var l []string
	for _, f := range fs {
		l = append(l, f.Code+" "+f.Component)
	}
	return strings.Join(l, "\n")
}

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"2.10", "2.9", 1},
		{"2.9", "2.10", -1},
		{"2.6.4", "2.6", 1},
		{"2.6", "2.6.0", -1},
		{"3.3a", "3.3a", 0},
		{"3.3a", "3.2", 1},
		{"3.3a", "3.3b", -1},
		{"3.3", "3.3a", -1},
		{"1.16.2-debian-1.16.2-1", "1.9", 1},
		{"U46 v2.42 (01/17/2025)", "U46 v2.40 (05/01/2024)", 1},
		{"96.00.89.00.01", "96.00.9.00.01", 1},
		{"2.9.1", "2.10", -1},
		{"007", "7", 0},
		{"A690", "a690", 0},
	} {
		if got := CompareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSizes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		text string
	}{
		{"64 GiB", 64 << 30, "64 GiB"},
		{"960 GB", 960e9, "960 GB"},
		{"1.92 TB", 1.92e12, "1.92 TB"},
		{"3.84TB", 3.84e12, "3.84 TB"},
		{"1073741824", 1 << 30, "1 GiB"},
		{"11441 MiB", 11441 << 20, "11441 MiB"},
		{"600.12 GB", 600.12e9, "600.12 GB"},
	} {
		got, err := ParseSize(tc.in)
		if err != nil || int64(got) != tc.want || got.String() != tc.text {
			t.Errorf("ParseSize(%q) = %d (%s), %v; want %d (%s)", tc.in, got, got, err, tc.want, tc.text)
		}
	}
	for _, bad := range []string{"", "GiB", "12 parsecs", "-1 GB", "1.2.3 GB"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
	// The generated min_size of a drive never exceeds the drive.
	for _, n := range []int64{500107862016, 3840755982336, 600127266816, 1 << 30, 1999} {
		s := sizeFloor(n)
		v, err := ParseSize(s)
		if err != nil || int64(v) > n || float64(v) < float64(n)*0.98 {
			t.Errorf("sizeFloor(%d) = %q (%d), want at most and close to it", n, s, v)
		}
	}
}

func TestMatchPattern(t *testing.T) {
	for _, tc := range []struct {
		p, s string
		want bool
	}{
		{"NVIDIA H100 80GB HBM3", "NVIDIA  H100 80GB HBM3", true},
		{"nvidia h100*", "NVIDIA H100 80GB HBM3", true},
		{"NVIDIA H100*", "NVIDIA A100-SXM4-80GB", false},
		{"*Gold 6244*", "Intel(R) Xeon(R) Gold 6244 CPU @ 3.60GHz", true},
		{"*Gold 6244*", "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", false},
		{"PWS-*-1R", "PWS-2K20A-1R", true},
		{"PWS-*-1R", "PWS-2K20A-1R2", false},
		{"82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode]", "82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode]", true},
		{"a*a", "a", false},
	} {
		if got := matchPattern(tc.p, tc.s); got != tc.want {
			t.Errorf("matchPattern(%q, %q) = %v, want %v", tc.p, tc.s, got, tc.want)
		}
	}
}

// Every error names its line; none is silently accepted.
func TestParseErrors(t *testing.T) {
	const good = "bee_profile: 1\nname: x\nmemory:\n  dimm_count: 2\n  populated: [A1, B1]\nfirmware:\n  bios: {min_version: \"2.10\"}\n"
	if _, err := Parse("x.yaml", []byte(good)); err != nil {
		t.Fatalf("valid profile rejected: %v", err)
	}
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"YAML syntax", "bee_profile: 1\nname: x\ncpu: [\n", "x.yaml: line 3: did not find expected node content"},
		{"tab indentation", "bee_profile: 1\nname: x\ncpu:\n\tcount: 2\n", "x.yaml: line 4: found character that cannot start any token"},
		{"unknown key", "bee_profile: 1\nname: x\nmemory:\n  dimm_count: 2\n  dimm_cont: 3\n", `x.yaml: line 5: unknown key "dimm_cont" in memory`},
		{"unknown top-level key", "bee_profile: 1\nname: x\ngpus:\n  count: 8\n", `x.yaml: line 3: unknown key "gpus"`},
		{"unquoted version becomes a number", "bee_profile: 1\nname: x\nfirmware:\n  bios:\n    min_version: 2.10\n", `x.yaml: line 5: firmware.bios.min_version: got number, want string (quote it: "2.10" unquoted is the number 2.1)`},
		{"version and min_version", "bee_profile: 1\nname: x\nfirmware:\n  bios: {version: \"1\", min_version: \"1\"}\n", "x.yaml: line 4: firmware.bios: give version (exact) or min_version, not both"},
		{"negative count", "bee_profile: 1\nname: x\ngpu:\n  count: -1\n", "x.yaml: line 4: gpu.count: minimum: got -1, want 0"},
		{"bad size", "bee_profile: 1\nname: x\nmemory:\n  total: 12 parsecs\n", "x.yaml: line 4: memory.total: not a size (examples: 64 GiB, 960 GB, 1.92 TB, or bytes)"},
		{"bad severity", "bee_profile: 1\nname: x\ncpu:\n  severity: fatal\n", "x.yaml: line 4: cpu.severity: value must be one of 'failure', 'warning'"},
		{"bad storage class", "bee_profile: 1\nname: x\nstorage:\n  - class: floppy\n    count: 1\n", "x.yaml: line 4: storage.0.class: "},
		{"missing name", "bee_profile: 1\n", "x.yaml: line 1: missing property 'name'"},
		{"future format", "bee_profile: 2\nname: x\n", "x.yaml: line 1: bee_profile: "},
		{"empty file", "", "x.yaml: empty file"},
		{"not a mapping", "- a\n- b\n", "x.yaml: line 1: got array, want object"},
		{"slot twice", "bee_profile: 1\nname: x\nmemory:\n  populated: [A1]\n  empty: [A2, A1]\n", `x.yaml: line 5: memory.empty: slot "A1" is also listed as populated`},
		{"count against map", "bee_profile: 1\nname: x\nmemory:\n  dimm_count: 3\n  populated: [A1, B1]\n", "x.yaml: line 4: memory.dimm_count is 3 but memory.populated lists 2 slots"},
		{"pcie rule naming nothing", "bee_profile: 1\nname: x\npcie:\n  - count: 2\n", "x.yaml: line 4: pcie[0]: give id, name or address"},
		{"odd PCIe width", "bee_profile: 1\nname: x\npcie:\n  - id: \"10de:2330\"\n    width: 3\n", "x.yaml: line 5: pcie.0.width: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tc.doc))
			if err == nil {
				t.Fatalf("accepted:\n%s", tc.doc)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func findings(t *testing.T, doc string, a *audit.Audit) []audit.Finding {
	t.Helper()
	p, err := Parse("t.yaml", []byte("bee_profile: 1\nname: t\n"+doc))
	if err != nil {
		t.Fatal(err)
	}
	return Judge(p, a)
}

func TestJudgeMemoryRules(t *testing.T) {
	a := sample(t, "dell-r640-no-bmc-no-gpu") // 8 × 32 GiB in A1 A2 A4 A5 B1 B2 B4 B5
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"slot that does not exist", "memory:\n  populated: [A1, A2, A4, A5, B1, B2, B4, B5, C1]\n",
			"failure CONFIG_DIMM_SLOT_UNKNOWN memory: expected slots C1 (the profile's population map), this machine has no slot of those names; its slots: A1, A2, A3, A4, A5, A6, … 18 more"},
		{"DIMM in a slot meant empty", "memory:\n  empty: [A3, A4]\n", "failure CONFIG_DIMM_UNEXPECTED dimm:A4: expected an empty slot, found 32 GiB DDR4 2933 MT/s"},
		{"slot map explains the count and total", "memory:\n  total: 288 GiB\n  dimm_count: 9\n  dimm: {size: 32 GiB, type: DDR4}\n  populated: [A1, A2, A3, A4, A5, B1, B2, B4, B5]\n",
			"failure CONFIG_DIMM_MISSING dimm:A3: expected 32 GiB DDR4, slot empty"},
		{"total within tolerance", "memory:\n  total: 260 GiB\n  tolerance_percent: 2\n", ""},
		{"total beyond tolerance", "memory:\n  total: 260 GiB\n  tolerance_percent: 1\n", "failure CONFIG_MEMORY_TOTAL memory: expected 260 GiB of memory ± 1 %, found 256 GiB"},
		{"severity warning", "memory:\n  severity: warning\n  dimm_count: 12\n", "warning CONFIG_DIMM_COUNT memory: expected 12 DIMMs, found 8"},
		{"per-DIMM speed, merged", "memory:\n  dimm: {size: 32 GiB, speed_mts: 3200}\n",
			"failure CONFIG_DIMM_MISMATCH dimm: expected 32 GiB 3200 MT/s, found 32 GiB DDR4 2933 MT/s (8: A1, A2, A4, A5, B1, B2, B4, B5)"},
		{"part numbers", "memory:\n  part_numbers: [M393A4K40CB2-CVF, M393A4K40DB3-CWE]\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range findings(t, tc.doc, a) {
				got = append(got, f.Severity+" "+f.Code+" "+f.Component+": "+f.Message)
			}
			if strings.Join(got, "\n") != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), tc.want)
			}
		})
	}
}

func TestJudgeVersionsAndLinks(t *testing.T) {
	a := sample(t, "gpu-server-failing") // BIOS 3.3a; K80s idle at 2.5 GT/s, capable of 8; ConnectX-5 at x8
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"BIOS at the minimum", "firmware:\n  bios: {min_version: \"3.3a\"}\n", ""},
		{"BIOS older than the minimum", "firmware:\n  bios: {min_version: \"3.10\"}\n", "CONFIG_BIOS_VERSION bios: expected BIOS 3.10 or newer, found 3.3a"},
		{"drive firmware", "firmware:\n  severity: warning\n  disks:\n    - {model: \"Samsung SSD 970*\", min_version: 2B2QEXE8}\n",
			"CONFIG_DISK_FIRMWARE storage:/dev/nvme0n1: (Samsung SSD 970 EVO 500GB) expected firmware 2B2QEXE8 or newer, found 2B2QEXE7"},
		{"idle GPUs at 2.5 GT/s pass: their capability is judged", "pcie:\n  - {id: \"10de:102d\", width: 16, speed_gts: 8}\n", ""},
		{"GPUs capable of less than expected", "pcie:\n  - {id: \"10de:102d\", speed_gts: 16}\n",
			"CONFIG_PCIE_LINK pcie: (10de:102d) expected 16 GT/s (GPU: width and maximum speed; idle speed is not judged), found x16 8 GT/s (4: 1580:00:00.0, 2df7:00:00.0, 4968:00:00.0, f8d6:00:00.0)"},
		{"NIC at x8 where x16 is expected", "pcie:\n  - {id: \"15b3:1017\", count: 1, width: 16, speed_gts: 8}\n",
			"CONFIG_PCIE_LINK pcie:0000:18:00.0: (15b3:1017) expected x16 8 GT/s, running x8 8 GT/s"},
		{"GPU VBIOS not allowed", "gpu:\n  vbios: [\"80.21.1F.00.06\"]\n",
			"CONFIG_GPU_VBIOS gpu: expected VBIOS 80.21.1F.00.06, found 80.21.1F.00.05 (2: 0, 1)"},
		{"GPU memory and model", "gpu:\n  model: \"NVIDIA H100*\"\n  memory: 80 GiB\n  count: 5\n",
			"CONFIG_GPU_MODEL gpu: expected NVIDIA H100*, found Tesla K80 (4: 0, 1, 2, 3)\nCONFIG_GPU_MEMORY gpu: expected 80 GiB of GPU memory, found 11441 MiB (4: 0, 1, 2, 3)"},
		{"PSU model", "psu:\n  model: \"PWS-*\"\n", "CONFIG_PSU_MODEL psu: expected PWS-*, found PSSF222201A (2: PSU1, PSU2)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range findings(t, tc.doc, a) {
				got = append(got, f.Code+" "+f.Component+": "+f.Message)
			}
			if strings.Join(got, "\n") != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), tc.want)
			}
		})
	}
}

func TestJudgeUnknownIsNotVerifiedNotPassed(t *testing.T) {
	a := sample(t, "qemu-vm")
	a.Hardware.Memory = nil
	a.Hardware.BIOS = nil
	a.Collectors[2].Status, a.Collectors[2].Error = audit.StatusError, ptr("dmidecode -t 17: timed out after 20s")
	got := codesOf(findings(t, "memory:\n  dimm_count: 1\nfirmware:\n  bios: {version: \"1\"}\n", a))
	if got != "CONFIG_NOT_VERIFIED memory\nCONFIG_NOT_VERIFIED bios" {
		t.Errorf("got:\n%s", got)
	}
}

func ptr[T any](v T) *T { return &v }

// GPUs that neither nvidia-smi nor the PCI bus could show are unknown, not missing.
func TestJudgeGPUsUnknownAreNotMissing(t *testing.T) {
	a := sample(t, "gpu-server-failing")
	a.Hardware.GPUs, a.Hardware.PCIe = nil, nil
	for i := range a.Collectors {
		if a.Collectors[i].Name == "pcie" || a.Collectors[i].Name == "nvidia" {
			a.Collectors[i].Status, a.Collectors[i].Error = audit.StatusError, ptr("timed out")
		}
	}
	if got := codesOf(findings(t, "gpu:\n  count: 5\n", a)); got != "CONFIG_NOT_VERIFIED gpu" {
		t.Errorf("got:\n%s", got)
	}
	a.Collectors[4].Status = audit.StatusOK // the bus was read, and shows no GPU: missing
	if a.Collectors[4].Name != "pcie" {
		t.Fatalf("collector 4 is %s", a.Collectors[4].Name)
	}
	if got := codesOf(findings(t, "gpu:\n  count: 5\n", a)); got != "CONFIG_GPU_COUNT gpu" {
		t.Errorf("got:\n%s", got)
	}
}

func TestDifferentMachineIsCapped(t *testing.T) {
	p := generated(t, sample(t, "dell-r640-no-bmc-no-gpu"), "r640")
	fs := Judge(p, sample(t, "qemu-vm"))
	perKind := map[string]int{}
	more := ""
	for _, f := range fs {
		perKind[kindOf(f.Component)]++
		if f.Code == CodeMore {
			more = f.Message
		}
	}
	for k, n := range perKind {
		if n > MaxPerKind {
			t.Errorf("%d findings of kind %s, want at most %d", n, k, MaxPerKind)
		}
	}
	if more != "and 3 more pcie differences from the profile (3 CONFIG_PCIE_COUNT)" {
		t.Errorf("CONFIG_MORE message %q\n%s", more, codesOf(fs))
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range samples {
		y, err := Generate(sample(f, s), "seed", "fuzz seed")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(y)
	}
	f.Add([]byte("bee_profile: 1\nname: x\nmemory: {total: 1 GiB}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.yaml", data)
		if err != nil {
			if e, ok := err.(*Error); ok && len(e.Problems) == 0 {
				t.Fatal("error without problems")
			}
			return
		}
		// A valid profile judges any audit without panicking.
		Judge(p, sample(t, "gpu-server-failing"))
	})
}
