package profile

import (
	"strings"
	"testing"
)

// The gpu-server sample audit (real captures: the H100 node's 8 × 400 Gb/s
// InfiniBand ports from /sys/class/infiniband, an i40e port at 10 Gb/s, a tg3
// port without link, BMC firmware 1.53).
func TestNetworkInfiniBandBMCRules(t *testing.T) {
	a := sample(t, "gpu-server-failing")
	golden := `bee_profile: 1
name: nb
network:
  - driver: i40e
    count: 1
    speed_mbps: 10000
infiniband:
  ports: 8
  rate_gbps: 400
firmware:
  bmc: {min_version: "1.53"}
`
	p, err := Parse("nb.yaml", []byte(golden))
	if err != nil {
		t.Fatal(err)
	}
	if got := Judge(p, a); len(got) != 0 {
		t.Fatalf("the machine against its own network/IB/BMC profile: %v", got)
	}
	for _, tc := range []struct {
		name, yaml, code, want string
	}{
		{"a second i40e port expected", "network:\n  - driver: i40e\n    count: 2\n", CodeNICCount, "expected 2 × i40e port(s), found 1 (eth0)"},
		{"25G expected on the i40e port", "network:\n  - driver: i40e\n    speed_mbps: 25000\n", CodeNICSpeed, "(i40e) expected a link at 25 Gb/s, running 10 Gb/s"},
		{"the tg3 port has no link", "network:\n  - driver: tg3\n    speed_mbps: 1000\n", CodeNICSpeed, "(tg3) expected a link at 1 Gb/s, no link"},
		{"NDR 800 expected", "infiniband:\n  rate_gbps: 800\n", CodeIBRate, "expected 800 Gb/s, running 400 Gb/s"},
		{"nine IB ports expected (the RoCE bond is not one)", "infiniband:\n  ports: 9\n", CodeIBCount, "expected 9 InfiniBand port(s), found 8"},
		{"newer BMC firmware", "firmware:\n  bmc: {min_version: \"1.60\"}\n", CodeBMCFirmware, "expected BMC firmware 1.60 or newer, found 1.53"},
		{"exact BMC firmware", "firmware:\n  bmc: {version: \"1.9\"}\n", CodeBMCFirmware, "found 1.53"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse("x.yaml", []byte("bee_profile: 1\nname: x\n"+tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			got := Judge(p, a)
			if len(got) == 0 || got[0].Code != tc.code || !strings.Contains(got[0].Message, tc.want) {
				t.Fatalf("got %v, want %s containing %q", got, tc.code, tc.want)
			}
			if tc.code != CodeNICSpeed && tc.code != CodeIBRate && len(got) != 1 {
				t.Fatalf("got %d findings, want 1: %v", len(got), got)
			}
		})
	}
	// A machine whose network and BMC were not read: not verified, never a pass.
	r640 := sample(t, "dell-r640-no-bmc-no-gpu")
	got := Judge(p, r640)
	var nv int
	for _, f := range got {
		if f.Code == CodeNotVerified {
			nv++
		}
	}
	if nv != 3 {
		t.Fatalf("R640 (no network ports read, no BMC): want 3 %s, got %v", CodeNotVerified, got)
	}
	// Unknown keys stay errors (a typo must not disable a check).
	if _, err := Parse("t.yaml", []byte("bee_profile: 1\nname: t\nnetwork:\n  - driver: ice\n    sped_mbps: 100000\n")); err == nil {
		t.Fatal("a misspelt network key was accepted")
	}
}
