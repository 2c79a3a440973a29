package audit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/schema"
)

// TestNetworkOnRealCaptures audits a machine whose ethtool answers are real
// captures (bnxt_en 10G port, its supported modes top out at 10G) and whose
// sysfs is constructed around them: the kernel says the link trained at
// 1000 Mb/s (NET_LINK_SLOW), a second port has a carrier but is dormant
// (NET_LINK_NOT_UP), and an RDMA port polls for a partner (IB_PORT_POLLING;
// no real capture of a Polling port is kept).
func TestNetworkOnRealCaptures(t *testing.T) {
	files := map[string]string{
		"/sys/class/net/eth2/address":                     "00:0a:f7:00:00:02\n",
		"/sys/class/net/eth2/operstate":                   "up\n",
		"/sys/class/net/eth2/carrier":                     "1\n",
		"/sys/class/net/eth2/speed":                       "1000\n",
		"/sys/class/net/eth2/duplex":                      "full\n",
		"/sys/class/net/eth3/operstate":                   "dormant\n",
		"/sys/class/net/eth3/carrier":                     "1\n",
		"/sys/class/net/lo/operstate":                     "unknown\n",
		"/sys/class/infiniband/mlx5_0/fw_ver":             "28.41.1000\n",
		"/sys/class/infiniband/mlx5_0/ports/1/state":      "1: DOWN\n",
		"/sys/class/infiniband/mlx5_0/ports/1/phys_state": "2: Polling\n",
		"/sys/class/infiniband/mlx5_0/ports/1/link_layer": "InfiniBand\n",
		"/sys/class/infiniband/mlx5_0/ports/1/rate":       "10 Gb/sec (4X SDR)\n",
		"/sys/bus/pci/devices/0000:ca:00.1/vendor":        "0x14e4\n",
		"/sys/bus/pci/devices/0000:ca:00.2/vendor":        "0x14e4\n",
	}
	cmds := map[string]fakeOut{
		"ethtool -i eth2": {file: fx("ethtool", "broadcom-bnxt_en_ethtool-i.txt")},
		"ethtool eth2":    {file: fx("ethtool", "broadcom-bnxt_en_10g_fec-rs-baser_ethtool.txt")},
		"ethtool -i eth3": {file: fx("ethtool", "broadcom-bnxt_en_ethtool-i.txt")},
		"ethtool eth3":    {file: fx("ethtool", "broadcom-bnxt_en_10g_fec-rs-baser_ethtool.txt")},
	}
	a := runAuditLinks(t, cmds, files, map[string]string{
		"/sys/class/net/eth2/device": "../../../bus/pci/devices/0000:ca:00.1",
		"/sys/class/net/eth3/device": "../../../bus/pci/devices/0000:ca:00.2",
	})
	h := a.Hardware
	if len(h.Network) != 2 || h.Network[0].Name != "eth2" || h.Network[1].Name != "eth3" {
		t.Fatalf("network = %+v, want eth2 and eth3 (lo is not a physical port)", h.Network)
	}
	n := h.Network[0]
	if str(n.FirmwareVersion) != "220.0.57.0/pkg 22.00.07.60" || str(n.Driver) != "bnxt_en" || str(n.PCIAddress) != "0000:ca:00.1" {
		t.Errorf("eth2 = %+v", n)
	}
	if n.SpeedMbps == nil || *n.SpeedMbps != 1000 || n.MaxSupportedMbps == nil || *n.MaxSupportedMbps != 10000 {
		t.Errorf("eth2 speed %v max %v, want 1000 (sysfs) and 10000 (ethtool)", n.SpeedMbps, n.MaxSupportedMbps)
	}
	if len(h.InfiniBand) != 1 || str(h.InfiniBand[0].PhysState) != "Polling" || str(h.InfiniBand[0].FirmwareVersion) != "28.41.1000" {
		t.Fatalf("infiniband = %+v", h.InfiniBand)
	}
	want := map[string]string{"net:eth2": CodeNetLinkSlow, "net:eth3": CodeNetLinkNotUp, "ib:mlx5_0/1": CodeIBPortPolling}
	got := map[string]string{}
	for _, f := range h.Summary.Findings {
		if f.Component == "net:eth2" || f.Component == "net:eth3" || f.Component == "ib:mlx5_0/1" {
			got[f.Component] = f.Code
		}
	}
	for c, code := range want {
		if got[c] != code {
			t.Errorf("finding on %s = %q, want %s (all: %+v)", c, got[c], code, h.Summary.Findings)
		}
	}
	if got["net:eth3"] == CodeNetLinkSlow {
		t.Errorf("eth3 (dormant, sysfs says no speed) must not be judged slow")
	}
}

// TestNetworkSkippedWithoutSysfs: a machine whose sysfs has neither class
// skips the collector with a reason; ethtool is never asked.
func TestNetworkSkippedWithoutSysfs(t *testing.T) {
	a := runAudit(t, map[string]fakeOut{}, map[string]string{"/proc/sys/kernel/hostname": "x\n"})
	for _, c := range a.Collectors {
		if c.Name == "network" {
			if c.Status != StatusSkipped || c.SkipReason == nil || len(c.Commands) != 0 {
				t.Errorf("network collector = %+v, want skipped with a reason and no command", c)
			}
			return
		}
	}
	t.Fatal("no network collector")
}

func runAuditLinks(t *testing.T, cmds map[string]fakeOut, files, links map[string]string) *Audit {
	t.Helper()
	root := t.TempDir()
	for p, target := range links {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
	return runAuditIn(t, root, cmds, files)
}

// runAuditIn is runAudit on a prepared root (symlinks in place).
func runAuditIn(t *testing.T, root string, cmds map[string]fakeOut, files map[string]string) *Audit {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte(c), 0o644)
	}
	a := Run(context.Background(), Env{
		Runner: fakeRunner{t, cmds}, FS: host.RootFS{Root: root},
		Now: func() time.Time { return time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC) },
	})
	b, err := Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(b); err != nil {
		t.Fatalf("audit does not match the schema: %v", err)
	}
	return a
}

// TestNetworkEthtoolHangStopsAsking: ethtool hangs on the first port (a wedged
// driver hangs it on the next one too): the ports after it are not asked —
// each try would cost a timeout — and every port is still listed from sysfs.
func TestNetworkEthtoolHangStopsAsking(t *testing.T) {
	files := map[string]string{}
	links := map[string]string{}
	for i, n := range []string{"eth0", "eth1", "eth2"} {
		files["/sys/class/net/"+n+"/operstate"] = "up\n"
		addr := "0000:ca:00." + string(rune('0'+i))
		files["/sys/bus/pci/devices/"+addr+"/vendor"] = "0x14e4\n"
		links["/sys/class/net/"+n+"/device"] = "../../../bus/pci/devices/" + addr
	}
	a := runAuditLinks(t, map[string]fakeOut{
		"ethtool -i eth0": {err: host.ErrTimeout},
		"ethtool -i eth1": {file: fx("ethtool", "broadcom-bnxt_en_ethtool-i.txt")},
		"ethtool eth1":    {file: fx("ethtool", "broadcom-bnxt_en_10g_fec-rs-baser_ethtool.txt")},
	}, files, links)
	if len(a.Hardware.Network) != 3 {
		t.Fatalf("network = %+v, want all three ports from sysfs", a.Hardware.Network)
	}
	for _, c := range a.Collectors {
		if c.Name != "network" {
			continue
		}
		if len(c.Commands) != 1 || !c.Commands[0].TimedOut {
			t.Errorf("commands = %+v, want only the hung `ethtool -i eth0`", c.Commands)
		}
		if c.Status == StatusOK || !strings.Contains(str(c.Error), "not asked about the ports after eth0") {
			t.Errorf("network collector = %+v, want a problem saying ethtool stopped after eth0", c)
		}
		return
	}
	t.Fatal("no network collector")
}
