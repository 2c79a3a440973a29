package fleet

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/host"
)

// captureRunner answers each command from a capture file (argv joined by
// spaces → path); any other tool is not on the machine's PATH.
type captureRunner struct {
	t    testing.TB
	cmds map[string]string
}

func (r captureRunner) Run(_ context.Context, c host.Cmd) host.Result {
	p, ok := r.cmds[strings.Join(c.Argv, " ")]
	if !ok {
		return host.Result{Argv: c.Argv, ExitCode: -1, Err: host.ErrNotFound}
	}
	b, err := os.ReadFile(p)
	if err != nil {
		r.t.Fatalf("capture for %v: %v", c.Argv, err)
	}
	return host.Result{Argv: c.Argv, Stdout: b}
}

func parseFx(tool, name string) string { return filepath.Join("..", "parse", tool, "testdata", name) }

// nvlinkMachine audits (audit.Run, every collector) a GPU server whose tools
// answer with real captures: a Gigabyte G291-281's SMBIOS, and nvidia-smi's
// nvlink status, error counters and topology as given (captures of other
// machines: no single machine's set is kept). topoEdit, when set, changes the
// topology capture's text before the audit reads it (a constructed fault).
func nvlinkMachine(t testing.TB, hostname, status, errors, topo string, topoEdit func(string) string) *audit.Audit {
	t.Helper()
	root := t.TempDir()
	for p, c := range map[string]string{"proc/sys/kernel/hostname": hostname + "\n", "proc/sys/kernel/osrelease": "6.1.0-56-amd64\n"} {
		os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755)
		os.WriteFile(filepath.Join(root, p), []byte(c), 0o644)
	}
	dmi := parseFx("dmidecode", "gigabyte-g291-281_gpu-server_2cpu_24slots.txt")
	cmds := map[string]string{
		"dmidecode -t 0,1,2": dmi, "dmidecode -t 4": dmi, "dmidecode -t 17": dmi, "dmidecode -t 16": dmi,
		"nvidia-smi nvlink -s": parseFx("nvidiasmi", "nvlink/"+status),
		"nvidia-smi topo -m":   parseFx("nvidiasmi", "topo/"+topo),
	}
	if errors != "" {
		cmds["nvidia-smi nvlink -e"] = parseFx("nvidiasmi", "nvlink/"+errors)
	}
	if topoEdit != nil {
		b, err := os.ReadFile(cmds["nvidia-smi topo -m"])
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "topo.txt")
		os.WriteFile(p, []byte(topoEdit(string(b))), 0o644)
		cmds["nvidia-smi topo -m"] = p
	}
	return audit.Run(context.Background(), audit.Env{Runner: captureRunner{t, cmds}, FS: host.RootFS{Root: root},
		Now: func() time.Time { return now.Add(-time.Hour) }})
}

// healthyA100 is an 8× A100 SXM4 node: every GPU pair NV12, 12 links per GPU
// up, 17 NICs; a GB300's `nvlink -e` as the error counters (merged into GPU 0).
func healthyA100(t testing.TB) *audit.Audit {
	return nvlinkMachine(t, "a100-node", "a100-sxm4-80gb-8x_nvlink-status.txt", "gb300_nvlink-errors_no-uuid.txt",
		"a100-8x_topo-m_nv12_17-nics_bond.txt", nil)
}

// degradedNode has a V100 whose links 3 and 5 are inactive (GPU 3 of a real
// capture), and the A100 topology with the GPU1-GPU3 pair bonded by 6 links
// instead of 12 (constructed: the capture's two cells edited at test time).
func degradedNode(t testing.TB) *audit.Audit {
	return nvlinkMachine(t, "degraded-node", "v100-sxm2-32gb_nvlink-status_links-3-5-inactive.txt", "",
		"a100-8x_topo-m_nv12_17-nics_bond.txt", func(s string) string {
			lines := strings.Split(s, "\n")
			for i, l := range lines {
				f := strings.Fields(l)
				switch {
				case len(f) > 4 && f[0] == "GPU1":
					f[4] = "NV6" // column GPU3
				case len(f) > 2 && f[0] == "GPU3":
					f[2] = "NV6" // column GPU1
				default:
					continue
				}
				lines[i] = strings.Join(f, "\t")
			}
			return strings.Join(lines, "\n")
		})
}

func TestNVLinkGridHealthy(t *testing.T) {
	a := healthyA100(t)
	g := BuildNVLinkGrid(&a.Hardware)
	if g == nil {
		t.Fatalf("no grid; nvlink = %+v", a.Hardware.NVLink)
	}
	if len(g.GPUs) != 8 || len(g.Rows) != 8 || len(g.Rows[0]) != 8 || len(g.NICs) != 17 || len(g.NICRows[0]) != 17 {
		t.Fatalf("grid %d GPUs, %d NICs", len(g.GPUs), len(g.NICs))
	}
	if c := g.Rows[0][0]; c.Text != "X" || c.Class != topoSelf {
		t.Errorf("GPU0-GPU0 = %+v", c)
	}
	if c := g.Rows[2][5]; c.Text != "NV12" || c.Class != topoNV || c.Title != "GPU2 - GPU5: NV12" {
		t.Errorf("GPU2-GPU5 = %+v", c)
	}
	if c := g.NICRows[0][0]; c.Text != "PXB" || c.Class != topoPCIe {
		t.Errorf("GPU0-NIC0 = %+v", c)
	}
	if c := g.NICRows[0][4]; c.Text != "SYS" || c.Class != topoSystem {
		t.Errorf("GPU0-NIC4 = %+v", c)
	}
	if len(g.Links) != 8 || g.Total != 96 || g.Up() != 96 || g.Bad() {
		t.Errorf("links: %d GPUs, %d of %d up, bad %v", len(g.Links), g.Up(), g.Total, g.Bad())
	}
	if got := NVLinkSummary(&a.Hardware); got != "8 GPUs, 96 of 96 NVLinks up" {
		t.Errorf("summary %q", got)
	}
}

func TestNVLinkGridDegraded(t *testing.T) {
	a := degradedNode(t)
	g := BuildNVLinkGrid(&a.Hardware)
	if g == nil || len(g.Links) != 1 || g.Links[0].Index != 3 || g.Links[0].Up != 4 || strings.Join(g.Links[0].NotUp, ",") != "3,5" {
		t.Fatalf("links %+v", g)
	}
	if !g.GPUs[3].Down || g.GPUs[3].Title != "GPU3: links not up: 3, 5" || g.GPUs[1].Down {
		t.Errorf("headers %+v", g.GPUs)
	}
	for _, c := range []TopoCell{g.Rows[1][3], g.Rows[3][1]} {
		if c.Text != "NV6" || c.Class != topoDown || !strings.Contains(c.Title, "NVLINK_TOPOLOGY: GPU1-GPU3: 6 NVLinks (NV6) where the other GPU pairs have 12") {
			t.Errorf("GPU1-GPU3 = %+v", c)
		}
	}
	if c := g.Rows[0][3]; c.Class != topoNV {
		t.Errorf("GPU0-GPU3 = %+v", c)
	}
	if !g.Bad() {
		t.Error("not bad")
	}
	want := "1 GPU, 4 of 6 NVLinks up; GPU3: links not up: 3, 5; NVLINK_TOPOLOGY: GPU1-GPU3: 6 NVLinks (NV6) where the other GPU pairs have 12"
	if got := NVLinkSummary(&a.Hardware); got != want {
		t.Errorf("summary\n got %q\nwant %q", got, want)
	}
}

// TestNVLinkHTML: the server pages draw the matrix in the self-contained page;
// the degraded pair and the GPU with links down are red; a server without
// NVLink says why.
func TestNVLinkHTML(t *testing.T) {
	src := t.TempDir()
	write(t, filepath.Join(src, "a100.json"), healthyA100(t))
	write(t, filepath.Join(src, "degraded.json"), degradedNode(t))
	r := collect(t, Options{}, src, dellFile)
	out := t.TempDir()
	if err := WriteHTML(out, r); err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{}
	for _, s := range r.Servers {
		pages[filepath.Base(s.Path)] = readFile(t, filepath.Join(out, filepath.FromSlash(s.Page)))
	}
	a100 := pages["a100.json"]
	for _, want := range []string{
		`<th title="nvidia-smi topo -m">GPU × GPU</th><th title="GPU0">GPU0</th>`,
		`<tr><th title="GPU2">GPU2</th><td class="t-nv" title="GPU2 - GPU0: NV12">NV12</td>`,
		`<td class="t-self" title="GPU2 - GPU2: X">X</td>`,
		`<summary>GPU to NIC (17 NICs)</summary>`,
		`<td class="t-pcie" title="GPU0 - NIC0: PXB">PXB</td>`,
		`8 GPUs with NVLink, <b>96 of 96 links up</b>`,
	} {
		if !strings.Contains(a100, want) {
			t.Errorf("A100 page lacks %q", want)
		}
	}
	if strings.Contains(a100, `<td class="t-down"`) || strings.Contains(a100, `<th class="down"`) || strings.Contains(a100, `class="link off"`) {
		t.Error("healthy A100 page has a link drawn down")
	}
	bad := pages["degraded.json"]
	for _, want := range []string{
		`<td class="t-down" title="NVLINK_TOPOLOGY: GPU1-GPU3: 6 NVLinks (NV6) where the other GPU pairs have 12">NV6</td>`,
		`<th class="down" title="GPU3: links not up: 3, 5">GPU3</th>`,
		`<span class="link off" title="link 3: inactive">3</span>`,
		`<span class="link" title="link 0: up, 25.781 GB/s">0</span>`,
		`1 GPU with NVLink, <b class="failure">4 of 6 links up</b>`,
		`.t-down { background: #b00020;`,
	} {
		if !strings.Contains(bad, want) {
			t.Errorf("degraded page lacks %q", want)
		}
	}
	dell := pages[filepath.Base(dellFile)]
	if !strings.Contains(dell, "No NVLink in the audit (the nvlink collector did not run or could not read them).") {
		t.Error("Dell page does not say why it has no NVLink")
	}
	for name, p := range pages {
		checkOffline(t, name, p)
	}
}

// TestNVLinkCSV: the CSV's nvlink column says how many links are up and
// names what is down; "" for an audit without the nvlink collector's answer.
func TestNVLinkCSV(t *testing.T) {
	src := t.TempDir()
	write(t, filepath.Join(src, "a100.json"), healthyA100(t))
	write(t, filepath.Join(src, "degraded.json"), degradedNode(t))
	r := collect(t, Options{}, src, dellFile)
	var b bytes.Buffer
	if err := WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := len(CSVHeader) - 1
	if rows[0][col] != "nvlink" {
		t.Fatalf("last column %q", rows[0][col])
	}
	got := map[string]string{}
	for _, row := range rows[1:] {
		got[filepath.Base(row[col-1])] = row[col]
	}
	want := map[string]string{
		"a100.json":             "8 GPUs, 96 of 96 NVLinks up",
		"degraded.json":         "1 GPU, 4 of 6 NVLinks up; GPU3: links not up: 3, 5; NVLINK_TOPOLOGY: GPU1-GPU3: 6 NVLinks (NV6) where the other GPU pairs have 12",
		filepath.Base(dellFile): "",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: nvlink %q, want %q", k, got[k], v)
		}
	}
}

// TestNVLinkText: the terminal report names the servers whose NVLinks are not
// all up, after the models; a healthy mesh is not listed.
func TestNVLinkText(t *testing.T) {
	src := t.TempDir()
	write(t, filepath.Join(src, "a100.json"), healthyA100(t))
	write(t, filepath.Join(src, "degraded.json"), degradedNode(t))
	var b bytes.Buffer
	if err := WriteText(&b, collect(t, Options{}, src)); err != nil {
		t.Fatal(err)
	}
	want := "\nNVLink not all up:\n  (no serial: degraded.json): 1 GPU, 4 of 6 NVLinks up; GPU3: links not up: 3, 5; NVLINK_TOPOLOGY: GPU1-GPU3: 6 NVLinks (NV6) where the other GPU pairs have 12\n"
	if !strings.Contains(b.String(), want) || strings.Contains(b.String(), "a100.json): 8 GPUs") {
		t.Errorf("text report:\n%s", b.String())
	}
}
