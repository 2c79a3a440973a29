package audit

import (
	"errors"
	"fmt"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/ethtool"
	"github.com/beeaudit/bee/internal/parse/infiniband"
	"github.com/beeaudit/bee/internal/probe"
)

// collectNetwork lists every physical network port from /sys/class/net (an
// interface with a device behind it: not lo, bridges, bonds, VLANs, veths or
// tunnels), adds driver and firmware from `ethtool -i IFACE` and the supported
// link modes (and the speed and duplex where sysfs has none) from `ethtool
// IFACE`, and every RDMA port from /sys/class/infiniband (no tool needed).
// Without ethtool the ports keep what sysfs says. Skipped when sysfs has
// neither class.
func collectNetwork(c *cctx, p *parts) error {
	fs := c.env.FS
	names, netErr := probe.NetIfaces(fs)
	devs, ibErr := infiniband.Read(fs, infiniband.Dir)
	if host.IsNotExist(netErr) && ibErr == nil && devs == nil {
		return skip("no %s or %s in sysfs", probe.NetClassDir, infiniband.Dir)
	}
	if netErr != nil && !host.IsNotExist(netErr) {
		c.problem("%s: %v", probe.NetClassDir, netErr)
	}
	if ibErr != nil {
		c.problem("%v", ibErr)
	}

	// ethtool stops being asked once it is missing or has hung: a driver that hangs
	// ethtool on one port usually hangs it on the next, and each try costs a timeout.
	noEthtool := false
	for _, name := range names {
		n := probe.ReadNetIface(fs, name)
		if !n.Physical {
			continue
		}
		port := NetPort{
			Name: name, MAC: clean(n.MAC), PCIAddress: clean(n.PCIAddress), Driver: clean(n.Driver),
			OperState: clean(n.OperState), Carrier: n.Carrier, SpeedMbps: n.SpeedMbps, Duplex: clean(n.Duplex),
		}
		if !noEthtool {
			noEthtool = readEthtool(c, &port)
		}
		p.network = append(p.network, port)
	}

	for _, d := range devs {
		for _, e := range d.Errors {
			c.problem("%s", e)
		}
		for _, pt := range d.Ports {
			p.infiniband = append(p.infiniband, IBPort{
				Device: d.Name, Port: pt.Number, State: clean(pt.State), PhysState: clean(pt.PhysState),
				Rate: clean(pt.Rate), RateGbps: pt.RateGbps, LinkLayer: clean(pt.LinkLayer),
				HCAType: clean(d.HCAType), BoardID: clean(d.BoardID), FirmwareVersion: clean(d.FirmwareVersion),
				NodeGUID: clean(d.NodeGUID), PortGUID: clean(pt.PortGUID),
			})
		}
	}
	return nil
}

// readEthtool fills port from `ethtool -i` and `ethtool`; it reports whether
// ethtool is missing or timed out, so the caller stops asking (a timeout is
// recorded as a problem, naming the port it hung on).
func readEthtool(c *cctx, port *NetPort) (stop bool) {
	res := c.run(c.env.Timeouts.Ethtool, "ethtool", "-i", port.Name)
	if errors.Is(res.Err, host.ErrNotFound) {
		return true
	}
	if errors.Is(res.Err, host.ErrTimeout) {
		c.problem("%s; ethtool not asked about the ports after %s", res.Describe(), port.Name)
		return true
	}
	if res.Err == nil && res.ExitCode == 0 {
		if info, err := ethtool.ParseInfo(res.Stdout); err == nil {
			port.DriverVersion, port.FirmwareVersion = clean(info.Version), clean(info.FirmwareVersion)
			if port.Driver == nil {
				port.Driver = clean(info.Driver)
			}
			if port.PCIAddress == nil {
				port.PCIAddress = clean(info.PCIAddress)
			}
		} else {
			c.problem("ethtool -i %s: %v", port.Name, err)
		}
	} else if res.Err != nil {
		// A driver that does not answer -i (exit status non-zero) is common
		// for USB and virtual functions; only a failure to run is a problem.
		c.problem("%s", res.Describe())
	}
	res = c.run(c.env.Timeouts.Ethtool, "ethtool", port.Name)
	if errors.Is(res.Err, host.ErrTimeout) {
		c.problem("%s; ethtool not asked about the ports after %s", res.Describe(), port.Name)
		return true
	}
	if res.Err != nil {
		c.problem("%s", res.Describe())
		return false
	}
	// ethtool exits 75 when it lacks privileges for some settings but still
	// prints the rest: read whatever parses.
	s, err := ethtool.ParseSettings(res.Stdout)
	if err != nil {
		if res.ExitCode == 0 {
			c.problem("ethtool %s: %v", port.Name, err)
		}
		return false
	}
	if s.MaxSupportedMbps > 0 {
		port.MaxSupportedMbps = ptr(s.MaxSupportedMbps)
	}
	if port.SpeedMbps == nil {
		port.SpeedMbps = s.SpeedMbps
	}
	if port.Duplex == nil {
		switch s.Duplex {
		case "Full":
			port.Duplex = ptr("full")
		case "Half":
			port.Duplex = ptr("half")
		}
	}
	if port.Carrier == nil && s.LinkDetected != nil {
		port.Carrier = ptr(*s.LinkDetected)
	}
	return false
}

// Finding codes of the network collector (docs/findings.md).
const (
	CodeNetLinkNotUp  = "NET_LINK_NOT_UP" // warning: a carrier but the interface is not up
	CodeNetLinkSlow   = "NET_LINK_SLOW"   // warning: link speed below the port's fastest supported mode
	CodeIBPortPolling = "IB_PORT_POLLING" // warning: an InfiniBand port polls for a partner it never finds
)

func networkFindings(l *findingList, h *Hardware) {
	for _, n := range h.Network {
		comp := "net:" + n.Name
		if n.Carrier != nil && *n.Carrier && n.OperState != nil {
			switch *n.OperState {
			case "down", "lowerlayerdown", "dormant", "notpresent":
				l.add(SeverityWarning, comp, CodeNetLinkNotUp, "carrier detected but the link is %s", *n.OperState)
			}
		}
		if n.Carrier != nil && *n.Carrier && n.SpeedMbps != nil && n.MaxSupportedMbps != nil && *n.SpeedMbps < *n.MaxSupportedMbps {
			l.add(SeverityWarning, comp, CodeNetLinkSlow, "link at %s, the port supports %s (cable, transceiver or switch port)", mbps(*n.SpeedMbps), mbps(*n.MaxSupportedMbps))
		}
	}
	for _, p := range h.InfiniBand {
		comp := fmt.Sprintf("ib:%s/%d", p.Device, p.Port)
		if p.PhysState != nil && *p.PhysState == "Polling" {
			l.add(SeverityWarning, comp, CodeIBPortPolling, "port is Polling: no link partner (cable, transceiver or switch port)")
		}
	}
}

func mbps(v int) string {
	if v >= 1000 && v%1000 == 0 {
		return fmt.Sprintf("%d Gb/s", v/1000)
	}
	return fmt.Sprintf("%d Mb/s", v)
}
