package tui

import (
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/testtools/faketool"
	"github.com/charmbracelet/lipgloss"
)

// Untrusted strings (issue 15): every screen shows what the machine said
// escaped, never raw, and cut after escaping. The hostile audit is constructed
// here from the real gpu-server-failing.json (values replaced in memory,
// written to a temporary file); testdata is not changed.

// hostile carries everything a terminal obeys or hides: ESC sequences (clear
// screen, OSC title), BEL, NUL, a UTF-8 C1 CSI, an 8-bit C1 byte (invalid
// UTF-8), right-to-left override and isolates.
const hostile = "\033[2J\033]0;pwned\007\x00\u009b\x9b\u202e\u2066X\u2069"

func hostileAudit(t *testing.T) string {
	t.Helper()
	a, _, err := audit.Load(t.Context(), fixturePath(t, "gpu-server-failing"))
	if err != nil {
		t.Fatal(err)
	}
	h := a.Hardware
	set := func(p **string, prefix string) {
		v := prefix + hostile + "-END-OF-A-LONG-VALUE-THAT-IS-CUT-AT-THE-EDGE-OF-ANY-SCREEN-OR-CELL-0123456789"
		*p = &v
	}
	set(&h.System.SerialNumber, "SN")
	set(&h.System.ProductName, "PN")
	set(&h.Board.SerialNumber, "BSN")
	set(&h.Memory.DIMMs[0].SerialNumber, "DIMM")
	set(&h.Memory.DIMMs[0].PartNumber, "PART")
	set(&h.Storage[0].Model, "DISK")
	set(&h.PCIe[0].Device, "PCI")
	set(&h.GPUs[0].Name, "GPU")
	set(&h.PSUs[0].Model, "PSU")
	h.Network[1].Name = "NET" + hostile
	set(&h.Network[1].FirmwareVersion, "NFW")
	set(&h.InfiniBand[0].HCAType, "HCA")
	set(&h.BMC.Manufacturer, "BMC")
	set(&h.BMC.SEL.Entries[2].Sensor, "SEL")
	for i := range h.Sensors { // the first sensor listed: one without reading
		if h.Sensors[i].Severity == "no-reading" {
			h.Sensors[i].Name = "SENS" + hostile
			h.Sensors[i].Reading = "READ" + hostile
			break
		}
	}
	h.RAID[0].PhysicalDrives[0].Model = "RAID" + hostile
	h.Summary.Findings[0].Message = "MSG " + hostile + " tail"
	h.Summary.Findings[0].Component = "COMP" + hostile
	stderr := "line one " + hostile + "\nline two\ttab"
	a.Collectors[0].Error = &stderr
	a.Hardware = h
	p := filepath.Join(t.TempDir(), "bee-audit.json")
	if _, err := audit.WriteFile(p, a); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkSafeScreen fails when a screen (drawn with colour off) holds anything a
// terminal would obey or hide.
func checkSafeScreen(t *testing.T, name, view string) {
	t.Helper()
	if !utf8.ValidString(view) {
		t.Errorf("%s: not valid UTF-8", name)
	}
	for i, r := range view {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029 {
			t.Errorf("%s: raw %U at byte %d: %q\n%s", name, r, i, view[max(0, i-30):min(len(view), i+30)], view)
			return
		}
	}
}

func TestUntrustedStrings(t *testing.T) {
	path := hostileAudit(t)
	sys := lanSystem()
	sys.ifaces[1].Name = "eth\033]0;if\007\u202e"
	sys.ifaces[1].Kind = "ether\x9b"
	// The two screens that run a command get a runner expecting it.
	runner := func(t *testing.T, screen string) *fakeRunner {
		switch screen {
		case "network-dhcp-failed":
			// dhclient gets the interface's real name, not the escaped one.
			// (hostile is not UTF-8: it goes in a file.)
			return newFakeRunner(t, faketool.Cmd("dhclient", "-nw", "eth\033]0;if\007\u202e").Answer(faketool.Response{
				Stderr: tempFile(t, "stderr", []byte("dhclient: "+hostile+"\n")), Exit: 1}))
		case "sat-job":
			r := newFakeRunner(t, faketool.Cmd("bee", "sat", "memory", "--audit", path).Answer(faketool.Response{
				Stdout: tempFile(t, "stdout", []byte("memtester "+hostile+"\nok\n")), Exit: 1}))
			// A runner error (no real process gives one) that quotes the tool.
			r.result = func(res host.Result) host.Result {
				res.ExitCode, res.Err = -1, errors.New("stderr says "+hostile)
				return res
			}
			return r
		}
		return newFakeRunner(t)
	}
	screens := []struct {
		name, wait string
		keys       []string
		want       string // the hostile value is on this screen, escaped
	}{
		{"home", "", nil, `SN\x1b[2J\x1b]0;pwned\x07\x00\u009b` + "\uFFFD" + `\u202e\u2066X\u2069`},
		{"findings", "PgUp/PgDn", []string{"f"}, `MSG \x1b[2J`},
		{"findings-end", "PgUp/PgDn", []string{"f", "end"}, `line one \x1b[2J`},
		{"system", "Inventory: System", []string{"i"}, `PN\x1b[2J`},
		{"memory", "Inventory: Memory", []string{"i", "3"}, ""},
		{"memory-detail", "Memory: ", []string{"i", "3", "enter"}, `DIMM\x1b[2J`},
		{"storage", "Inventory: Storage", []string{"i", "4"}, `DISK\x1b`},
		{"storage-detail", "Storage: ", []string{"i", "4", "enter"}, `DISK\x1b[2J`},
		{"pcie", "Inventory: PCIe", []string{"i", "5"}, ""},
		{"pcie-detail", "PCIe: ", []string{"i", "5", "enter"}, `PCI\x1b[2J`},
		{"psu-detail", "PSU: ", []string{"i", "6", "enter"}, `PSU\x1b[2J`},
		{"gpu", "Inventory: GPU", []string{"i", "7"}, `GPU\x1b`},
		{"gpu-detail", "GPU: ", []string{"i", "7", "enter"}, `GPU\x1b[2J`},
		{"network-ports", "Inventory: Network", []string{"i", "8"}, `NET\x1b`},
		{"network-port-detail", "Network: ", []string{"i", "8", "down", "enter"}, `NFW\x1b[2J`},
		{"bmc", "Inventory: BMC", []string{"i", "9"}, `BMC\x1b[2J`},
		{"sel-detail", "BMC: ", []string{"i", "9", "enter"}, `SEL\x1b[2J`},
		{"sensors", "Inventory: Sensors", []string{"i", "0"}, `SENS\x1b`},
		{"raid", "Inventory: RAID", []string{"i", "r"}, `RAID\x1b`},
		{"qr", "other keys: back", []string{"c"}, ""},
		{"qr-text", "The text of the QR code", []string{"c", "t"}, ""},
		{"network", "d DHCP", []string{"n"}, `eth\x1b]0;if\x07\u202e`},
		{"network-dhcp-failed", "FAILED", []string{"n", "down", "d"}, `\x1b]0;pwned\x07`},
		{"sat-job", "NOT COMPLETED", []string{"t", "m"}, `stderr says \x1b[2J`},
	}
	for _, sz := range sizes {
		for _, sc := range screens {
			t.Run(sz.String()+"/"+sc.name, func(t *testing.T) {
				if sc.name == "network-dhcp-failed" || sc.name == "sat-job" {
					if sz != sizes[0] {
						t.Skip("runs its command once")
					}
				}
				tm := startTM(t, testOptions(t, path, runner(t, sc.name), sys), sz)
				waitFor(t, tm, "SSH: up")
				press(tm, sc.keys...)
				if sc.wait != "" {
					waitFor(t, tm, sc.wait)
				}
				_, view := finalView(t, tm)
				checkScreen(t, view, sz)
				checkSafeScreen(t, sc.name, view)
				if sc.want != "" && !strings.Contains(view, sc.want) {
					t.Errorf("screen lacks %q:\n%s", sc.want, view)
				}
			})
		}
	}
}

// The network state is escaped on the screen; the model keeps the real names
// for the commands (the DHCP case above runs dhclient on the raw name).
func TestUntrustedInterfaceAddress(t *testing.T) {
	sys := lanSystem()
	sys.ifaces[0].Name = "en\u202eo1"
	sys.ifaces[0].Addrs = append(sys.ifaces[0].Addrs, Addr{Prefix: netip.MustParsePrefix("10.0.0.9/8"), Scope: "global\033[2J"})
	tm := startTM(t, testOptions(t, fixturePath(t, "dell-r640"), newFakeRunner(t), sys), size{80, 24})
	waitFor(t, tm, "SSH: up")
	_, view := finalView(t, tm)
	checkSafeScreen(t, "home", view)
}

// Issue 8: a line wider than the screen is cut with a mark, by display width
// (wide characters count two columns), never silently mid-word.
func TestFrameCutIsMarked(t *testing.T) {
	for _, line := range []string{
		" FAIL pcie:0000:b1:00.0: NVIDIA GPU on the PCI bus is not seen by nvidia-smi (fallen off the bus)",
		" " + strings.Repeat("日本", 50),
		" " + st().fail.Render("FAIL") + " " + strings.Repeat("x", 100),
	} {
		got := frame([]string{line}, 80, 1)
		if w := ansiWidth(got); w > 80 || !strings.HasSuffix(got, "...") {
			t.Errorf("frame cut %q to %q (%d columns)", line, got, w)
		}
	}
	if got := frame([]string{"short"}, 80, 1); got != "short" {
		t.Errorf("a line that fits is changed: %q", got)
	}
}

func ansiWidth(s string) int { return lipgloss.Width(s) }
