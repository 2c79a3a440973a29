package tui

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/beeaudit/bee/internal/host"
	"github.com/google/go-cmp/cmp"
)

// TestRecordHostSystem records what HostSystem reads on the machine running
// the test, in bee's capture format, for TestHostSystemReplay:
//
//	BEE_TUI_RECORD=testdata/capture/NAME go test ./internal/tui -run TestRecordHostSystem
func TestRecordHostSystem(t *testing.T) {
	dir := os.Getenv("BEE_TUI_RECORD")
	if dir == "" {
		t.Skip("set BEE_TUI_RECORD=DIR to record this machine")
	}
	rec, err := host.NewRecorder(dir, "/")
	if err != nil {
		t.Fatal(err)
	}
	sys := HostSystem{Runner: rec.Runner(host.Exec{}), FS: rec.FS(host.RootFS{Root: "/"})}
	ifs, err := sys.Interfaces(context.Background())
	t.Logf("interfaces: %+v (err %v)", ifs, err)
	t.Logf("ssh: %+v", sys.SSH(context.Background()))
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestHostSystemReplay runs the real HostSystem on a recorded machine (a KVM
// guest with a virtio NIC: see testdata/capture/PROVENANCE.md).
func TestHostSystemReplay(t *testing.T) {
	rp, err := host.OpenReplay(filepath.Join("testdata", "capture", "kvm-virtio-debian12"))
	if err != nil {
		t.Fatal(err)
	}
	sys := HostSystem{Runner: rp, FS: rp.FS()}
	ifs, err := sys.Interfaces(context.Background())
	if err != nil {
		t.Fatalf("Interfaces: %v", err)
	}
	want := []Iface{
		{Name: "eth0", MAC: "02:fc:00:00:00:01", State: "up", Carrier: bptr(true), Physical: true, Kind: "ether",
			Addrs: []Addr{
				{Prefix: netip.MustParsePrefix("192.0.2.2/24"), Scope: "global"},
				{Prefix: netip.MustParsePrefix("fd00::2/64"), Scope: "global"},
				{Prefix: netip.MustParsePrefix("fe80::fc:ff:fe00:1/64"), Scope: "link"},
			},
			Gateway: "192.0.2.1"},
		{Name: "ifb0", MAC: "6e:db:fc:80:7e:43", State: "down", Kind: "ether"},
		{Name: "ifb1", MAC: "2e:5b:e5:43:2f:e3", State: "down", Kind: "ether"},
	}
	if d := cmp.Diff(want, ifs, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
		t.Errorf("Interfaces (-want +got):\n%s", d)
	}
	// No systemd in that guest: systemctl fails, the unit state is unknown;
	// nothing listens on port 22 there (sshd not installed).
	if got := sys.SSH(context.Background()); got != (SSHState{Unit: "unknown", Listening: false}) {
		t.Errorf("SSH = %+v", got)
	}
	if got := reachableAddrs(ifs); !cmp.Equal(got, []string{"192.0.2.2", "fd00::2"}) {
		t.Errorf("reachableAddrs = %q", got)
	}
}
