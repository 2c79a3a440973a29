package fleet

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/host"
)

// The HTML report opened in a real browser: Debian's chromium, headless, with
// every host name resolving to nothing (the report must not need the network).
// Without chromium the test is skipped, except where BEE_REQUIRE_CHROMIUM=1
// (CI) makes it fail. go test ./internal/fleet -run Chromium -screenshots ../../docs/img
// rewrites the screenshots of docs/report.md.
var screenshots = flag.String("screenshots", "", "write the report's screenshots into `DIR` (docs/img)")

func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("BEE_CHROMIUM"), "chromium", "chromium-browser"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("BEE_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("chromium not found and BEE_REQUIRE_CHROMIUM=1 (apt-get install chromium)")
	}
	t.Skip("chromium not found (apt-get install chromium); BEE_REQUIRE_CHROMIUM=1 makes this a failure")
	return ""
}

// browse runs headless chromium on the page with extra arguments and returns stdout.
func browse(t *testing.T, bin, url string, args ...string) string {
	t.Helper()
	argv := append([]string{bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-extensions", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--disable-dev-shm-usage",
		`--host-resolver-rules=MAP * ~NOTFOUND`, "--user-data-dir=" + t.TempDir()}, args...)
	argv = append(argv, url)
	res := host.Exec{}.Run(context.Background(), host.Cmd{Argv: argv, Timeout: 90 * time.Second})
	if !res.OK() {
		t.Fatalf("%s\nstderr: %s", res.Describe(), res.StderrTail(2000))
	}
	return string(res.Stdout)
}

var tags = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`)

// visible is the text of the elements not hidden, roughly as a person reads it.
func visible(dom string) string {
	hidden := regexp.MustCompile(`(?s)<tr[^>]*\shidden[^>]*>.*?</tr>`)
	s := tags.ReplaceAllString(hidden.ReplaceAllString(dom, ""), " ")
	s = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&nbsp;", " ", "&#39;", "'", "&quot;", `"`).Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	src := t.TempDir()
	genFleet(t, src, 20)
	a := load(t, failingFile)
	withDIMMMissing(a)
	write(t, filepath.Join(src, "failing.json"), a)
	r := collect(t, Options{}, src, satDir)
	out := t.TempDir()
	if err := WriteHTML(out, r); err != nil {
		t.Fatal(err)
	}
	index := "file://" + filepath.Join(out, "index.html")

	// The table: every server a row; the filter from the address hides the others.
	all := visible(browse(t, bin, index, "--dump-dom"))
	for _, want := range []string{"22 of 22 shown", "18 × PowerEdge R640: 17 pass, 1 fail (GEN00003: CONFIG_DIMM_MISSING dimm:A3)",
		"BIOS version 2.6.4 × 17 2.5.0 × 1 (GEN00007)", "S309085X0B18791 SYS-4029GP-TRT2 smc-4029gp fail 11 10 CONFIG_DIMM_MISSING dimm:P1-DIMMC1 storage fail",
		"GEN00000 PowerEdge R640 pass 0 0"} {
		if !strings.Contains(all, want) {
			t.Errorf("index lacks %q:\n%s", want, all)
		}
	}
	filtered := visible(browse(t, bin, index+"?q=sys-4029&verdict=fail", "--dump-dom"))
	if !strings.Contains(filtered, "3 of 22 shown") || !strings.Contains(filtered, "S309085X0B18791") || strings.Contains(filtered, "GEN00000") {
		t.Errorf("filtered index:\n%s", filtered)
	}

	// The failing server's page: its findings, the profile difference, the
	// acceptance test's reasons, the DIMM map with the missing slot.
	var failing *Server
	for _, s := range r.Servers {
		if s.Serial == failingSN {
			failing = s
		}
	}
	page := "file://" + filepath.Join(out, filepath.FromSlash(failing.Page))
	dom := browse(t, bin, page, "--dump-dom")
	text := visible(dom)
	for _, want := range []string{"S309085X0B18791 Supermicro SYS-4029GP-TRT2 fail 11 failures, 10 warnings",
		"Profile differences severity code component difference failure CONFIG_DIMM_MISSING dimm:P1-DIMMC1 expected 32 GiB DDR4 2400 MT/s, slot empty",
		"storage fail 2026-12-06 17:20 UTC", "disk sda: short self-test failed: Completed: read failure",
		"CPU 1 A B C D E F P1-DIMMA1 P1-DIMMB1 P1-DIMMC1 P1-DIMMD1", "GPU ? not seen by nvidia-smi 0000:b1:00.0",
		"0000:18:00.0 15b3:1017 x8 of x16, 8.0 GT/s — NIC_FW_REBOOT_NEEDED, PCIE_AER_NONFATAL, PCIE_LINK_DEGRADED"} {
		if !strings.Contains(text, want) {
			t.Errorf("server page lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(dom, `class="cell-missing"`) {
		t.Error("no missing DIMM cell in the rendered page")
	}

	dir := *screenshots
	if dir == "" {
		dir = t.TempDir()
	}
	for _, shot := range []struct{ name, url, size string }{
		{"report-index.png", index, "1280,1100"},
		{"report-server.png", page, "1280,1900"},
	} {
		p, err := filepath.Abs(filepath.Join(dir, shot.name))
		if err != nil {
			t.Fatal(err)
		}
		browse(t, bin, shot.url, "--hide-scrollbars", "--window-size="+shot.size, "--screenshot="+p)
		b, err := os.ReadFile(p)
		if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) || len(b) < 10000 {
			t.Errorf("screenshot %s: %d bytes, %v", p, len(b), err)
		}
	}
}

// TestNVLinkInChromium: the NVLink matrix as the browser lays it out: the
// GPU × GPU rows read as nvidia-smi prints them, the degraded pair and the GPU
// with links down carry the red classes in the rendered DOM.
// -screenshots DIR writes report-nvlink.png of the degraded server's page.
func TestNVLinkInChromium(t *testing.T) {
	bin := chromium(t)
	src := t.TempDir()
	write(t, filepath.Join(src, "a100.json"), healthyA100(t))
	write(t, filepath.Join(src, "degraded.json"), degradedNode(t))
	r := collect(t, Options{}, src)
	out := t.TempDir()
	if err := WriteHTML(out, r); err != nil {
		t.Fatal(err)
	}
	page := map[string]string{}
	for _, s := range r.Servers {
		page[filepath.Base(s.Path)] = "file://" + filepath.Join(out, filepath.FromSlash(s.Page))
	}
	text := visible(browse(t, bin, page["a100.json"], "--dump-dom"))
	for _, want := range []string{"8 GPUs with NVLink, 96 of 96 links up",
		"GPU × GPU GPU0 GPU1 GPU2 GPU3 GPU4 GPU5 GPU6 GPU7 GPU0 X NV12 NV12 NV12 NV12 NV12 NV12 NV12 GPU1 NV12 X NV12",
		"GPU to NIC (17 NICs)"} {
		if !strings.Contains(text, want) {
			t.Errorf("A100 page lacks %q:\n%s", want, text)
		}
	}
	dom := browse(t, bin, page["degraded.json"], "--dump-dom")
	text = visible(dom)
	for _, want := range []string{"1 GPU with NVLink, 4 of 6 links up",
		"GPU1 NV12 X NV12 NV6 NV12", "GPU3 NV12 NV6 NV12 X NV12",
		"3 Tesla V100-SXM2-32GB 4 of 6 — not up: 3, 5 0 1 2 3 4 5 none"} {
		if !strings.Contains(text, want) {
			t.Errorf("degraded page lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`<td class="t-down" title="NVLINK_TOPOLOGY: GPU1-GPU3[^"]*">NV6</td>`),
		regexp.MustCompile(`<th class="down" title="GPU3: links not up: 3, 5">GPU3</th>`),
		regexp.MustCompile(`<span class="link off" title="link 5: inactive">5</span>`),
	} {
		if !want.MatchString(dom) {
			t.Errorf("rendered DOM lacks %s", want)
		}
	}
	if dir := *screenshots; dir != "" {
		p, err := filepath.Abs(filepath.Join(dir, "report-nvlink.png"))
		if err != nil {
			t.Fatal(err)
		}
		browse(t, bin, page["degraded.json"], "--hide-scrollbars", "--window-size=1280,1500", "--screenshot="+p)
	}
}
