package probe

import (
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/beeaudit/bee/internal/host"
)

// NetClassDir lists every network interface the kernel knows, physical or not.
const NetClassDir = "/sys/class/net"

// NetIface is one entry of /sys/class/net as sysfs describes it. A field is ""
// (or nil) when its file is absent or unreadable: the kernel refuses to read
// carrier, speed and duplex of an interface that is administratively down.
type NetIface struct {
	Name string
	// Physical is true when the interface has a device behind it
	// (<iface>/device: a PCI function, a USB interface): not lo, a bridge, a
	// bond, a VLAN, a veth or a tunnel, which live under /sys/devices/virtual.
	Physical bool
	// Device is the base name of the device link ("0000:3b:00.0"), PCIAddress
	// the same when it is a PCI address.
	Device     string
	PCIAddress string
	// Driver is the base name of device/driver ("ice", "mlx5_core").
	Driver    string
	MAC       string // address
	OperState string // operstate: "up", "down", "lowerlayerdown", "unknown", ...
	Carrier   *bool  // carrier: 1 → true
	SpeedMbps *int   // speed; nil when absent, unreadable or the kernel's "unknown" (-1)
	Duplex    string // duplex: "full", "half"; "" when unknown
	Type      *int   // type: ARPHRD_* (1 Ethernet, 32 InfiniBand)
}

var pciAddrRe = regexp.MustCompile(`^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$`)

// NetIfaces lists /sys/class/net, sorted by name. host.IsNotExist(err) means
// no network class in sysfs (a fixture tree, a container without /sys).
func NetIfaces(fs host.FS) ([]string, error) {
	return fs.ReadDir(NetClassDir)
}

// ReadNetIface reads one interface's sysfs attributes.
func ReadNetIface(fs host.FS, name string) NetIface {
	dir := path.Join(NetClassDir, name)
	n := NetIface{Name: name}
	if t, err := fs.Readlink(path.Join(dir, "device")); err == nil && t != "" {
		n.Physical = true
		n.Device = path.Base(t)
		if a := strings.ToLower(n.Device); pciAddrRe.MatchString(a) {
			n.PCIAddress = a
		}
		if d, err := fs.Readlink(path.Join(dir, "device", "driver")); err == nil && d != "" {
			n.Driver = path.Base(d)
		}
	}
	attr := func(f string) string {
		b, err := fs.ReadFile(path.Join(dir, f))
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	n.MAC = attr("address")
	n.OperState = attr("operstate")
	switch attr("carrier") {
	case "1":
		t := true
		n.Carrier = &t
	case "0":
		f := false
		n.Carrier = &f
	}
	if v, err := strconv.Atoi(attr("speed")); err == nil && v > 0 {
		n.SpeedMbps = &v
	}
	if d := attr("duplex"); d == "full" || d == "half" {
		n.Duplex = d
	}
	if v, err := strconv.Atoi(attr("type")); err == nil {
		n.Type = &v
	}
	return n
}
