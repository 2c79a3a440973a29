package nvme

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseDeviceSelfTestStart(t *testing.T) {
	// internal/sat/testdata/constructed: nvme-cli 2.3's wording (PROVENANCE.md there).
	started, err := os.ReadFile(filepath.Join("..", "..", "sat", "testdata", "constructed", "nvme-cli-2.3_device-self-test_short-started.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in   string
		exit int
		want DeviceSelfTestStart
	}{
		{string(started), 0, DeviceSelfTestStarted},
		{string(started), 1, DeviceSelfTestStartUnknown},
		{"NVMe status: Invalid Command Opcode: A reserved coded value or an unsupported value in the command opcode field(0x1)\n", 1, DeviceSelfTestNotSupported},
		{"NVMe status: INVALID_OPCODE: A reserved coded value or an unsupported value in the command opcode field(0x4001)\n", 1, DeviceSelfTestNotSupported},
		{"open: No such file or directory\n", 1, DeviceSelfTestStartUnknown},
	} {
		if got := ParseDeviceSelfTestStart([]byte(c.in), c.exit); got != c.want {
			t.Errorf("%q exit %d: %v, want %v", c.in, c.exit, got, c.want)
		}
	}
}
