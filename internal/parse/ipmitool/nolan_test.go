package ipmitool

import "testing"

// The stderr of `ipmitool lan print` against QEMU's ipmi-bmc-sim, as the VM
// test's audit of the booted ISO recorded it.
func TestNoLANChannel(t *testing.T) {
	qemu := "Get Channel Info command failed: Invalid command\nGet Channel Info command failed: Invalid command\nGet Channel Info command failed: Invalid command\nGet Channel Info command failed: Invalid command\nInvalid channel: 0\n"
	if !NoLANChannel([]byte(qemu)) {
		t.Error("QEMU's answer not recognised as a BMC without a LAN channel")
	}
	for _, other := range []string{"", "Error: Unable to establish IPMI v2 / RMCP+ session\n", "Could not open device at /dev/ipmi0: No such file or directory\n"} {
		if NoLANChannel([]byte(other)) {
			t.Errorf("%q taken for a BMC without a LAN channel", other)
		}
	}
}
