package tui

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Timeouts of the menu's own commands.
const (
	netCmdTimeout   = 15 * time.Second
	powerCmdTimeout = 30 * time.Second
)

// dhcpCommand restarts DHCP on one interface in the background, as
// bee-network.service does at boot: the menu never waits for a lease.
func dhcpCommand(iface string) []string { return []string{"dhclient", "-nw", iface} }

// staticCommands validates a static address (CIDR) and an optional gateway and
// returns the commands that set them. The address is added, not replacing
// others (a DHCP lease keeps working); the default route is replaced, since
// `ip route add` fails when DHCP already installed one.
func staticCommands(iface, addr, gw string) ([][]string, error) {
	addr, gw = strings.TrimSpace(addr), strings.TrimSpace(gw)
	if addr == "" {
		return nil, errors.New("enter an address with its prefix length, e.g. 192.168.1.50/24")
	}
	p, err := netip.ParsePrefix(addr)
	if err != nil {
		if _, err2 := netip.ParseAddr(addr); err2 == nil {
			return nil, fmt.Errorf("%s has no prefix length: add it, e.g. %s/24", addr, addr)
		}
		return nil, fmt.Errorf("%q is not an address/prefix such as 192.168.1.50/24", addr)
	}
	a := p.Addr()
	switch {
	case a.IsUnspecified(), a.IsLoopback(), a.IsMulticast():
		return nil, fmt.Errorf("%s cannot be an interface address", a)
	case a.Is4() && p.Bits() < 32 && a == p.Masked().Addr():
		return nil, fmt.Errorf("%s is the network address of %s, not a host address", a, p.Masked())
	}
	cmds := [][]string{
		{"ip", "link", "set", "dev", iface, "up"},
		{"ip", "addr", "add", p.String(), "dev", iface},
	}
	if gw == "" {
		return cmds, nil
	}
	g, err := netip.ParseAddr(gw)
	if err != nil {
		return nil, fmt.Errorf("gateway %q is not an IP address", gw)
	}
	if g.Is4() != a.Is4() {
		return nil, fmt.Errorf("gateway %s and address %s are not the same IP version", g, a)
	}
	if !p.Contains(g) && !g.IsLinkLocalUnicast() {
		return nil, fmt.Errorf("gateway %s is outside %s: it could not be reached", g, p.Masked())
	}
	if g == a {
		return nil, fmt.Errorf("gateway %s is the address itself", g)
	}
	route := []string{"ip", "route", "replace", "default", "via", g.String(), "dev", iface}
	if g.Is6() {
		route = append([]string{"ip", "-6"}, route[1:]...)
	}
	return append(cmds, route), nil
}
