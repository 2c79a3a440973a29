package infiniband

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/testtools/golden"
	"github.com/google/go-cmp/cmp"
)

// mapFS adapts an fs.FS to FS (absolute names).
type mapFS struct{ fsys fs.FS }

func (m mapFS) ReadFile(name string) ([]byte, error) {
	return fs.ReadFile(m.fsys, strings.TrimPrefix(name, "/"))
}

func (m mapFS) ReadDir(name string) ([]string, error) {
	ents, err := fs.ReadDir(m.fsys, strings.TrimPrefix(name, "/"))
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out, err
}

// ttar reads the "Path:/Lines:/content/Mode:" and "Directory:" records of a
// ttar archive (the format of node_exporter's sysfs fixtures) into a MapFS.
func ttar(t testing.TB, data []byte) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "Directory: "):
			m[strings.TrimPrefix(line, "Directory: ")] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
		case strings.HasPrefix(line, "Path: "):
			name := strings.TrimPrefix(line, "Path: ")
			if !sc.Scan() || !strings.HasPrefix(sc.Text(), "Lines: ") {
				t.Fatalf("ttar: %s: no Lines: record", name)
			}
			n, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "Lines: "))
			if err != nil {
				t.Fatalf("ttar: %s: %v", name, err)
			}
			var content strings.Builder
			for i := 0; i < n && sc.Scan(); i++ {
				content.WriteString(sc.Text() + "\n")
			}
			m[name] = &fstest.MapFile{Data: []byte(content.String()), Mode: 0o644}
		}
	}
	if len(m) == 0 {
		t.Fatal("ttar: no records")
	}
	return m
}

// load returns the FS and directory for a capture: a copied sysfs tree
// (directory) or a ttar archive.
func load(t *testing.T, capture string) (FS, string) {
	t.Helper()
	st, err := os.Stat(capture)
	if err != nil {
		t.Fatal(err)
	}
	if st.IsDir() {
		return host.RootFS{Root: capture}, "/"
	}
	data, err := os.ReadFile(capture)
	if err != nil {
		t.Fatal(err)
	}
	return mapFS{ttar(t, data)}, "/sys/class/infiniband"
}

// captures are the sysfs trees: directories and ttar files directly under
// testdata.
func captures(t *testing.T) []string {
	ents, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() || strings.Contains(e.Name(), "sysfs-ttar") && !strings.HasSuffix(e.Name(), golden.Suffix) {
			out = append(out, filepath.Join("testdata", e.Name()))
		}
	}
	if len(out) == 0 {
		t.Fatal("no captures")
	}
	return out
}

func TestGolden(t *testing.T) {
	for _, c := range captures(t) {
		t.Run(filepath.Base(c), func(t *testing.T) {
			fsys, dir := load(t, c)
			got, err := Read(fsys, dir)
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, c, got)
		})
	}
}

// TestGoldenTools compares ParseIbstat and ParseIbstatus with the captures
// named *_ibstat_* and *_ibstatus_*.
func TestGoldenTools(t *testing.T) {
	for _, c := range golden.Captures(t, "testdata", func(p string) bool {
		return strings.Contains(filepath.Base(p), "_ibstat")
	}) {
		t.Run(filepath.Base(c), func(t *testing.T) {
			data, err := os.ReadFile(c)
			if err != nil {
				t.Fatal(err)
			}
			parse := ParseIbstat
			if strings.Contains(filepath.Base(c), "_ibstatus_") {
				parse = ParseIbstatus
			}
			got, err := parse(data)
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, c, got)
		})
	}
}

func TestIbstatCaptures(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// Read from the file: eight MT4129 (CX7) on InfiniBand, Active/LinkUp,
	// "Rate: 400"; four MT4125 (CX6 Dx, fw 22.38.1002) on Ethernet, one
	// Active at 100 and three (mlx5_2, mlx5_7, mlx5_8) "State: Down",
	// "Physical state: Disabled", "Rate: 40". (The shared PROVENANCE.md
	// entry places the three down ports on the CX7s; the file does not.)
	r, err := ParseIbstat(read("h100-node_cx7-ndr-ib_ibstat_3-ports-down-disabled.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var ib, down []string
	for _, d := range r.Devices {
		p := d.Ports[0]
		if p.State == "DOWN" && p.PhysState == "Disabled" && p.LinkLayer == "Ethernet" && *p.RateGbps == 40 &&
			d.HCAType == "MT4125" && d.FirmwareVersion == "22.38.1002" {
			down = append(down, d.Name)
		}
		if p.Active() && p.LinkLayer == "InfiniBand" && *p.RateGbps == 400 && d.HCAType == "MT4129" {
			ib = append(ib, d.Name)
		}
	}
	if len(r.Devices) != 12 || len(ib) != 8 || r.Messages != nil {
		t.Errorf("%d devices, active IB %q, messages %q", len(r.Devices), ib, r.Messages)
	}
	if diff := cmp.Diff([]string{"mlx5_2", "mlx5_7", "mlx5_8"}, down); diff != "" {
		t.Errorf("down ports (-want +got):\n%s", diff)
	}
	// Node GUID 0x00155dfffe3411eb, Port GUID 0x00155dfffd3411eb, Base lid
	// 13247, then the ibpanic line on stderr.
	r, err = ParseIbstat(read("azure-nd-a100-v4_8x-cx6-hdr_ibstat_ibpanic-exit255.txt"))
	if err != nil {
		t.Fatal(err)
	}
	d := r.Devices[0]
	if d.Name != "mlx5_0" || d.NodeGUID != "0015:5dff:fe34:11eb" || d.Ports[0].PortGUID != "0015:5dff:fd34:11eb" ||
		d.Ports[0].LID != "0x33bf" || d.Ports[0].State != "ACTIVE" || !d.Ports[0].Active() {
		t.Errorf("%+v", d)
	}
	if len(r.Messages) != 1 || !strings.HasPrefix(r.Messages[0], "ibpanic: [1400444] main: stat of IB device 'mlx5_8' failed") {
		t.Errorf("messages %q", r.Messages)
	}
	// ibstatus of the same VM: the same port GUID from the default GID, the
	// same LID in sysfs form.
	s, err := ParseIbstatus(read("azure-nd-a100-v4_8x-cx6-hdr_ibstatus_all-active.txt"))
	if err != nil {
		t.Fatal(err)
	}
	p := s.Devices[0].Ports[0]
	if p.PortGUID != "0015:5dff:fd34:11eb" || p.LID != "0x33bf" || *p.RateGbps != 200 || *p.StateCode != 4 || !p.Active() {
		t.Errorf("%+v", p)
	}
	if _, err := ParseIbstat(read("azure-nd-a100-v4_8x-cx6-hdr_ibstatus_all-active.txt")); err == nil {
		t.Error("ParseIbstat took ibstatus output")
	}
	if _, err := ParseIbstatus([]byte("ibstat: command not found\n")); err == nil {
		t.Error("ParseIbstatus: no error")
	}
}

func fp(v float64) *float64 { return &v }
func ip(v int) *int         { return &v }

func TestH100Tree(t *testing.T) {
	fsys, dir := load(t, "testdata/h100-node_8x-cx7-ndr-ib_bf3-bond_sysfs-class-infiniband")
	devs, err := Read(fsys, dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range devs {
		names = append(names, d.Name)
	}
	want := []string{"mlx5_0", "mlx5_1", "mlx5_4", "mlx5_5", "mlx5_6", "mlx5_7", "mlx5_8", "mlx5_9", "mlx5_bond_0"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("devices (-want +got):\n%s", diff)
	}
	// mlx5_0: MT4129 / MT_0000000838 / 28.41.1000, port 1 "4: ACTIVE",
	// "5: LinkUp", "400 Gb/sec (4X NDR)", InfiniBand.
	wantDev := Device{Name: "mlx5_0", HCAType: "MT4129", BoardID: "MT_0000000838", FirmwareVersion: "28.41.1000",
		Ports: []Port{{Number: 1, State: "ACTIVE", StateCode: ip(4), PhysState: "LinkUp", PhysStateCode: ip(5),
			Rate: "400 Gb/sec (4X NDR)", RateGbps: fp(400), LinkLayer: "InfiniBand"}}}
	if diff := cmp.Diff(wantDev, devs[0]); diff != "" {
		t.Errorf("mlx5_0 (-want +got):\n%s", diff)
	}
	bond := devs[8]
	if bond.HCAType != "MT41692" || bond.FirmwareVersion != "32.38.3056" || bond.Ports[0].LinkLayer != "Ethernet" ||
		*bond.Ports[0].RateGbps != 200 || bond.Ports[0].Rate != "200 Gb/sec (2X NDR)" || !bond.Ports[0].Active() {
		t.Errorf("mlx5_bond_0 = %+v", bond)
	}
}

func TestNodeExporterTtar(t *testing.T) {
	fsys, dir := load(t, "testdata/node-exporter-fixture_sysfs-ttar_infiniband_mlx4-cx3_i40iw.txt")
	devs, err := Read(fsys, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 2 || devs[0].Name != "i40iw0" || devs[1].Name != "mlx4_0" {
		t.Fatalf("devices = %+v", devs)
	}
	// i40iw0: "10 Gb/sec (4X)" (no generation name).
	if p := devs[0].Ports[0]; p.Rate != "10 Gb/sec (4X)" || *p.RateGbps != 10 {
		t.Errorf("i40iw0 port = %+v", p)
	}
	m := devs[1]
	if m.HCAType != "MT4099" || m.FirmwareVersion != "2.31.5050" || m.BoardID != "SM_1141000001000" || len(m.Ports) != 2 {
		t.Errorf("mlx4_0 = %+v", m)
	}
	for _, p := range m.Ports {
		if !p.Active() || *p.RateGbps != 40 || p.LinkLayer != "InfiniBand" {
			t.Errorf("mlx4_0 port %d = %+v", p.Number, p)
		}
	}
	// i40iw0's counters all read "N/A (no PMA)"; mlx4_0 port 1 has
	// six of them (port_xmit_discards 5), port 2 only link_downed and
	// link_error_recovery.
	if devs[0].Ports[0].ErrorCounters != nil {
		t.Errorf("i40iw0 counters %v", devs[0].Ports[0].ErrorCounters)
	}
	if c := m.Ports[0].ErrorCounters; len(c) != 6 || c["port_xmit_discards"] != 5 {
		t.Errorf("mlx4_0 port 1 counters %v", c)
	}
	if c := m.Ports[1].ErrorCounters; len(c) != 2 || c["link_downed"] != 0 {
		t.Errorf("mlx4_0 port 2 counters %v", c)
	}
}

// The GUID, LID and node_type files in kernel format; a port that is down;
// ports listed out of numeric order; a read error that is not "absent".
func TestGUIDsAndErrors(t *testing.T) {
	m := fstest.MapFS{
		"sys/class/infiniband/mlx5_2/node_guid":           {Data: []byte("b83f:d203:00a1:5c6e\n")},
		"sys/class/infiniband/mlx5_2/sys_image_guid":      {Data: []byte("b83f:d203:00a1:5c6e\n")},
		"sys/class/infiniband/mlx5_2/node_type":           {Data: []byte("1: CA\n")},
		"sys/class/infiniband/mlx5_2/ports/10/state":      {Data: []byte("1: DOWN\n")},
		"sys/class/infiniband/mlx5_2/ports/10/phys_state": {Data: []byte("3: Disabled\n")},
		"sys/class/infiniband/mlx5_2/ports/10/rate":       {Data: []byte("10 Gb/sec (4X SDR)\n")},
		"sys/class/infiniband/mlx5_2/ports/2/state":       {Data: []byte("4: ACTIVE\n")},
		"sys/class/infiniband/mlx5_2/ports/2/phys_state":  {Data: []byte("5: LinkUp\n")},
		"sys/class/infiniband/mlx5_2/ports/2/link_layer":  {Data: []byte("InfiniBand\n")},
		"sys/class/infiniband/mlx5_2/ports/2/lid":         {Data: []byte("0x1f\n")},
		"sys/class/infiniband/mlx5_2/ports/2/gids/0":      {Data: []byte("fe80:0000:0000:0000:b83f:d203:00a1:5c6e\n")},
		"sys/class/infiniband/mlx5_2/ports/2/rate":        {Data: []byte("2.5 Gb/sec (1X SDR)\n")},
		"sys/class/infiniband/mlx5_2/fw_ver":              {Mode: fs.ModeDir}, // a directory: read fails
	}
	devs, err := Read(mapFS{m}, Dir)
	if err != nil {
		t.Fatal(err)
	}
	d := devs[0]
	if d.NodeGUID != "b83f:d203:00a1:5c6e" || d.SysImageGUID != d.NodeGUID || d.NodeType != "CA" {
		t.Errorf("device = %+v", d)
	}
	if len(d.Errors) != 1 || !strings.Contains(d.Errors[0], "fw_ver") {
		t.Errorf("errors = %q", d.Errors)
	}
	want := []Port{
		{Number: 2, State: "ACTIVE", StateCode: ip(4), PhysState: "LinkUp", PhysStateCode: ip(5), Rate: "2.5 Gb/sec (1X SDR)",
			RateGbps: fp(2.5), LinkLayer: "InfiniBand", LID: "0x1f", GID0: "fe80:0000:0000:0000:b83f:d203:00a1:5c6e", PortGUID: "b83f:d203:00a1:5c6e"},
		{Number: 10, State: "DOWN", StateCode: ip(1), PhysState: "Disabled", PhysStateCode: ip(3), Rate: "10 Gb/sec (4X SDR)", RateGbps: fp(10)},
	}
	if diff := cmp.Diff(want, d.Ports); diff != "" {
		t.Errorf("ports (-want +got):\n%s", diff)
	}
	if d.Ports[1].Active() {
		t.Error("a DOWN port is active")
	}
}

type errFS struct{ err error }

func (e errFS) ReadFile(string) ([]byte, error)  { return nil, e.err }
func (e errFS) ReadDir(string) ([]string, error) { return nil, e.err }

func TestMissingAndUnreadableDir(t *testing.T) {
	devs, err := Read(errFS{fs.ErrNotExist}, Dir)
	if devs != nil || err != nil {
		t.Errorf("absent dir: %v, %v", devs, err)
	}
	perm := errors.New("permission denied")
	if _, err := Read(errFS{perm}, Dir); !errors.Is(err, perm) {
		t.Errorf("unreadable dir: %v", err)
	}
}

func TestParsers(t *testing.T) {
	if c, n := ParseCodeName("7: Phy Test"); *c != 7 || n != "Phy Test" {
		t.Errorf("%v %q", c, n)
	}
	if c, n := ParseCodeName("weird"); c != nil || n != "weird" {
		t.Errorf("%v %q", c, n)
	}
	for _, s := range []string{"", "fast", "0 Gb/sec", "-5 Gb/sec"} {
		if ParseRate(s) != nil {
			t.Errorf("ParseRate(%q) not nil", s)
		}
	}
	for in, want := range map[string]string{
		"fe80:0000:0000:0000:0015:5dff:fd33:ff7d": "0015:5dff:fd33:ff7d",
		"0000:0000:0000:0000:0000:0000:0000:0000": "",
		"fe80::1": "",
	} {
		if got := PortGUID(in); got != want {
			t.Errorf("PortGUID(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzRead runs ParseIbstat and ParseIbstatus on the fuzzed text and reads a
// one-device tree whose attribute files hold it (seeded with the tool
// captures and every value file of the sysfs tree).
func FuzzRead(f *testing.F) {
	err := filepath.WalkDir("testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".md") || strings.HasSuffix(p, golden.Suffix) || strings.Contains(p, "sysfs-ttar") {
			return err
		}
		b, err := os.ReadFile(p)
		f.Add(b)
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseIbstat(data)
		_, _ = ParseIbstatus(data)
		m := fstest.MapFS{}
		for _, name := range []string{"fw_ver", "node_guid", "node_type", "ports/1/state", "ports/1/phys_state",
			"ports/1/rate", "ports/1/link_layer", "ports/1/gids/0"} {
			m["c/d/"+name] = &fstest.MapFile{Data: data}
		}
		devs, err := Read(mapFS{m}, "/c")
		if err != nil || len(devs) != 1 || len(devs[0].Ports) != 1 {
			t.Fatalf("%+v %v", devs, err)
		}
		if r := devs[0].Ports[0].RateGbps; r != nil && *r <= 0 {
			t.Fatalf("rate %v", *r)
		}
	})
}
