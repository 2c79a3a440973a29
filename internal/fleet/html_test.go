package fleet

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestPlaceOf(t *testing.T) {
	for _, c := range []struct {
		loc  string
		dell bool
		want dimmPlace
		ok   bool
	}{
		{"P1-DIMMA1", false, dimmPlace{"CPU 1", "A", 1}, true},    // Supermicro (gpu-server-failing)
		{"P2-DIMMF2", false, dimmPlace{"CPU 2", "F", 2}, true},    // Supermicro
		{"CPU0_DIMM_B1", false, dimmPlace{"CPU 0", "B", 1}, true}, // Intel/ASUS
		{"CPU1_DIMMA0", false, dimmPlace{"CPU 1", "A", 0}, true},
		{"A12", true, dimmPlace{"CPU A", "", 12}, true}, // Dell (dell-r640)
		{"DIMM_C2", false, dimmPlace{"", "C", 2}, true},
		{"ChannelA-DIMM0", false, dimmPlace{"", "A", 0}, true},
		{"DIMM 0", false, dimmPlace{}, false}, // QEMU (qemu-vm)
		{"", false, dimmPlace{}, false},
	} {
		got, ok := placeOf(c.loc, c.dell)
		if ok != c.ok || got != c.want {
			t.Errorf("placeOf(%q) = %+v %v, want %+v %v", c.loc, got, ok, c.want, c.ok)
		}
	}
}

func cells(m *DIMMMap) map[string]string {
	out := map[string]string{}
	for _, s := range m.Sockets {
		for _, row := range s.Rows {
			for _, c := range row {
				if c != nil {
					out[s.Name+" "+c.Locator] = c.State
				}
			}
		}
	}
	return out
}

// The Supermicro board: 2 sockets × 6 channels (A-F) × 2 slots; 8 of 24
// populated; a profile's missing DIMM is marked.
func TestDIMMMapSupermicro(t *testing.T) {
	a := load(t, failingFile)
	withDIMMMissing(a)
	m := BuildDIMMMap(&a.Hardware)
	if len(m.Sockets) != 2 || m.Sockets[0].Name != "CPU 1" || strings.Join(m.Sockets[0].Channels, "") != "ABCDEF" || len(m.Sockets[0].Rows) != 2 {
		t.Fatalf("%+v", m.Sockets)
	}
	c := cells(m)
	if len(c) != 24 || c["CPU 1 P1-DIMMA1"] != cellPopulated || c["CPU 1 P1-DIMMA2"] != cellEmpty ||
		c["CPU 1 P1-DIMMC1"] != cellMissing || c["CPU 2 P2-DIMME1"] != cellPopulated {
		t.Errorf("%v", c)
	}
	if m.Sockets[0].Rows[1][2].Locator != "P1-DIMMC2" {
		t.Errorf("row 2, channel C: %+v", m.Sockets[0].Rows[1][2])
	}
}

// Dell: the letter is the CPU, slots 1-12 in one row; QEMU's "DIMM 0" is placed
// in a row of its own, not dropped.
func TestDIMMMapDellAndUnknown(t *testing.T) {
	m := BuildDIMMMap(&load(t, dellFile).Hardware)
	if len(m.Sockets) != 2 || m.Sockets[1].Name != "CPU B" || len(m.Sockets[1].Rows) != 1 || len(m.Sockets[1].Rows[0]) != 12 ||
		m.Sockets[1].Channels[11] != "12" {
		t.Fatalf("%+v", m.Sockets)
	}
	if c := cells(m); c["CPU A A1"] != cellPopulated || c["CPU A A3"] != cellEmpty || c["CPU B B12"] != cellEmpty {
		t.Errorf("%v", c)
	}
	m = BuildDIMMMap(&load(t, auditsDir+"/qemu-vm.json").Hardware)
	if len(m.Sockets) != 1 || m.Sockets[0].Name != "other slots" || m.Sockets[0].Rows[0][0].Locator != "DIMM 0" {
		t.Errorf("%+v", m.Sockets)
	}
}

func TestPCIeAndGPUs(t *testing.T) {
	h := &load(t, failingFile).Hardware
	buses := BuildPCIeTree(h)
	var nic *PCIeItem
	for i := range buses {
		for j := range buses[i].Devices {
			if buses[i].Devices[j].Address == "0000:18:00.0" {
				nic = &buses[i].Devices[j]
			}
		}
	}
	if len(buses) != 7 || nic == nil || nic.Width != "x8 of x16, 8.0 GT/s" || !nic.Degraded || nic.Percent != 50 ||
		nic.Problem != "PCIE_AER_NONFATAL, PCIE_LINK_DEGRADED" {
		t.Errorf("buses %d, nic %+v", len(buses), nic)
	}
	gpus := BuildGPUGrid(h)
	if len(gpus) != 5 || gpus[0].Link != "x16 of x16" || len(gpus[0].Problems) != 2 || len(gpus[2].Problems) != 0 ||
		!gpus[4].Missing || gpus[4].Address != "0000:b1:00.0" {
		t.Errorf("%+v", gpus)
	}
}

// The HTML of the recorded machines: every server has its page, the page of
// the failing one shows its findings, sat reasons and DIMM map; nothing points
// outside the report; machine strings are escaped.
func TestHTML(t *testing.T) {
	src := t.TempDir()
	a := load(t, failingFile)
	withDIMMMissing(a)
	write(t, filepath.Join(src, "failing.json"), a)
	h := load(t, dellFile)
	h.Hardware.System.ProductName = ptr(`<script>alert(1)</script><img src=x onerror=alert(2)>`)
	write(t, filepath.Join(src, "hostile.json"), h)
	r := collect(t, Options{}, src, auditsDir+"/qemu-vm.json", satDir)
	out := t.TempDir()
	if err := WriteHTML(out, r); err != nil {
		t.Fatal(err)
	}
	index := readFile(t, filepath.Join(out, "index.html"))
	for _, want := range []string{"1 × SYS-4029GP-TRT2: 1 fail (S309085X0B18791: CONFIG_DIMM_MISSING dimm:P1-DIMMC1)",
		`href="` + bySerial(r)[failingSN].Page + `"`, "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;", "storage pass"} {
		if !strings.Contains(index, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	page := readFile(t, filepath.Join(out, bySerial(r)[failingSN].Page))
	for _, want := range []string{`<td class="cell-missing" title="P1-DIMMC1: CONFIG_DIMM_MISSING: expected 32 GiB DDR4 2400 MT/s, slot empty">P1-DIMMC1</td>`,
		"short self-test failed: Completed: read failure", "smc-4029gp", "GPU_NOT_VISIBLE", "x8 of x16"} {
		if !strings.Contains(page, want) {
			t.Errorf("failing server's page lacks %q", want)
		}
	}
	files, _ := filepath.Glob(filepath.Join(out, "servers", "*.html"))
	if len(files) != len(r.Servers) || len(r.Servers) != 3 {
		t.Errorf("%d pages for %d servers", len(files), len(r.Servers))
	}
	for _, f := range append(files, filepath.Join(out, "index.html")) {
		checkOffline(t, f, readFile(t, f))
	}
}

// external matches what could make a browser reach out: an http(s) URL, an
// element that loads something, a src attribute, a CSS url().
var external = regexp.MustCompile(`(?i)(https?://|ftp://|<(link|iframe|object|embed|img|base)\b|<[^>]*\ssrc=|url\()`)

// checkOffline fails when the page could load anything: no URL, no src=, no
// <link>; the Content-Security-Policy forbids all fetches.
func checkOffline(t *testing.T, name, page string) {
	t.Helper()
	if m := external.FindString(page); m != "" {
		i := strings.Index(page, m)
		t.Errorf("%s points outside the report: %q in %q", name, m, page[max(0, i-60):min(len(page), i+60)])
	}
	if !strings.Contains(page, `content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`) {
		t.Errorf("%s lacks the Content-Security-Policy", name)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
