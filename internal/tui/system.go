package tui

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/host"
)

// System is what the menu needs to know about the running machine beyond the
// audit: how to reach it. The real implementation is HostSystem; tests use fakes.
type System interface {
	// Interfaces lists the network interfaces (loopback excluded) with their
	// addresses. A partial list comes with a non-nil error saying what is missing.
	Interfaces(ctx context.Context) ([]Iface, error)
	// SSH reports whether the OpenSSH server is up.
	SSH(ctx context.Context) SSHState
	// UnitState is `systemctl is-active UNIT`: "active", "activating",
	// "inactive", "failed", ... or "unknown" when systemd cannot be asked.
	UnitState(ctx context.Context, unit string) string
	// Uploads says in one line what results wait for the object store
	// (`bee upload --status`): "2 pending, last error: ..."; "" when there is
	// nothing to say.
	Uploads(ctx context.Context) string
}

// Iface is one network interface.
type Iface struct {
	Name     string
	MAC      string
	State    string // operstate: "up", "down", "dormant", "unknown", "lowerlayerdown"
	Carrier  *bool  // nil when the kernel cannot tell (interface administratively down)
	Physical bool   // backed by a device (/sys/class/net/NAME/device exists)
	Kind     string // link type: "ether", "infiniband", ...
	Addrs    []Addr
	Gateway  string // default gateway through this interface, "" when none
}

// Addr is one address of an interface.
type Addr struct {
	Prefix  netip.Prefix
	Scope   string // "global", "link", "host", "site"
	Dynamic bool   // assigned by DHCP / SLAAC (has a finite lifetime)
}

// Reachable reports whether the address is of any use to reach the machine
// from the LAN: global or site scope, not link-local.
func (a Addr) Reachable() bool {
	return a.Prefix.IsValid() && !a.Prefix.Addr().IsLinkLocalUnicast() && !a.Prefix.Addr().IsLoopback()
}

// Link says in words whether the interface has a link.
func (i Iface) Link() string {
	switch {
	case i.Carrier != nil && !*i.Carrier:
		return "no link"
	case i.State == "up" || (i.Carrier != nil && *i.Carrier):
		return "up"
	case i.State == "" || i.State == "unknown":
		return "unknown"
	}
	return i.State
}

// SSHState is the state of the OpenSSH server.
type SSHState struct {
	Unit      string // `systemctl is-active ssh`, "unknown" when systemd cannot be asked
	Listening bool   // something listens on TCP port 22 (/proc/net/tcp, tcp6)
}

// Up reports whether an SSH client can connect: something listens on port 22.
func (s SSHState) Up() bool { return s.Listening }

// HostSystem reads the live machine through bee's one door, package host.
type HostSystem struct {
	Runner host.Runner
	FS     host.FS
	Bee    string // the bee binary that answers `bee upload --status`; none asked when ""
}

// Timeouts of the quick queries the menu repeats every few seconds.
const (
	ipTimeout        = 5 * time.Second
	systemctlTimeout = 5 * time.Second
)

// Interfaces reads /sys/class/net (names, operstate, carrier, MAC, whether a
// device backs it), `ip -j addr show` (addresses) and /proc/net/route (default
// gateways).
func (s HostSystem) Interfaces(ctx context.Context) ([]Iface, error) {
	names, err := s.FS.ReadDir("/sys/class/net")
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	var out []Iface
	idx := map[string]int{}
	for _, n := range names {
		if n == "lo" || n == "bonding_masters" {
			continue
		}
		base := "/sys/class/net/" + n + "/"
		ifc := Iface{Name: n, Physical: s.FS.Exists(base + "device")}
		ifc.State = readWord(s.FS, base+"operstate")
		ifc.MAC = readWord(s.FS, base+"address")
		if c := readWord(s.FS, base+"carrier"); c == "0" || c == "1" {
			v := c == "1"
			ifc.Carrier = &v
		}
		idx[n] = len(out)
		out = append(out, ifc)
	}

	var errs []error
	res := s.Runner.Run(ctx, host.Cmd{Argv: []string{"ip", "-j", "addr", "show"}, Timeout: ipTimeout})
	if !res.OK() {
		errs = append(errs, errors.New("addresses unknown: "+res.Describe()))
	} else if links, err := parseIPAddr(res.Stdout); err != nil {
		errs = append(errs, fmt.Errorf("addresses unknown: ip -j addr show: %w", err))
	} else {
		for _, l := range links {
			i, ok := idx[l.Name]
			if !ok {
				continue // lo, or an interface that came and went between the two reads
			}
			out[i].Kind = l.Kind
			out[i].Addrs = l.Addrs
			if out[i].MAC == "" {
				out[i].MAC = l.MAC
			}
		}
	}
	if b, err := s.FS.ReadFile("/proc/net/route"); err == nil {
		for dev, gw := range parseDefaultRoutes(b) {
			if i, ok := idx[dev]; ok {
				out[i].Gateway = gw
			}
		}
	}
	return out, errors.Join(errs...)
}

// SSH asks systemd about ssh.service and checks /proc/net/tcp and tcp6 for a
// listener on port 22, which is what a client actually needs.
func (s HostSystem) SSH(ctx context.Context) SSHState {
	st := SSHState{Unit: s.UnitState(ctx, "ssh")}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		if b, err := s.FS.ReadFile(f); err == nil && listensOn(b, 22) {
			st.Listening = true
		}
	}
	return st
}

// UnitState runs `systemctl is-active UNIT`.
func (s HostSystem) UnitState(ctx context.Context, unit string) string {
	res := s.Runner.Run(ctx, host.Cmd{Argv: []string{"systemctl", "is-active", unit}, Timeout: systemctlTimeout})
	// is-active exits non-zero for every state but "active" and still prints it.
	if w := strings.TrimSpace(string(res.Stdout)); res.Err == nil && w != "" && !strings.ContainsAny(w, " \n") {
		return w
	}
	return "unknown"
}

func readWord(fs host.FS, name string) string {
	b, err := fs.ReadFile(name)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// ipLink is what the menu keeps of one entry of `ip -j addr show`.
type ipLink struct {
	Name  string
	Kind  string
	MAC   string
	Addrs []Addr
}

// parseIPAddr parses the JSON of `ip -j addr show` (iproute2 ≥ 4.13).
func parseIPAddr(b []byte) ([]ipLink, error) {
	var raw []struct {
		IfName   string `json:"ifname"`
		LinkType string `json:"link_type"`
		Address  string `json:"address"`
		AddrInfo []struct {
			Family    string `json:"family"`
			Local     string `json:"local"`
			PrefixLen int    `json:"prefixlen"`
			Scope     string `json:"scope"`
			Dynamic   bool   `json:"dynamic"`
			ValidLife *int64 `json:"valid_life_time"`
		} `json:"addr_info"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	out := make([]ipLink, 0, len(raw))
	for _, r := range raw {
		if r.IfName == "" {
			continue // `ip` prints {} for an interface it could not describe
		}
		l := ipLink{Name: r.IfName, Kind: r.LinkType, MAC: r.Address}
		for _, a := range r.AddrInfo {
			ip, err := netip.ParseAddr(a.Local)
			if err != nil {
				continue
			}
			p, err := ip.Prefix(a.PrefixLen)
			if err != nil {
				continue
			}
			dyn := a.Dynamic || (a.ValidLife != nil && *a.ValidLife != 4294967295)
			l.Addrs = append(l.Addrs, Addr{Prefix: netip.PrefixFrom(ip, p.Bits()), Scope: a.Scope, Dynamic: dyn})
		}
		out = append(out, l)
	}
	return out, nil
}

// parseDefaultRoutes reads /proc/net/route: for each interface with an IPv4
// default route (destination and mask 0), its gateway.
func parseDefaultRoutes(b []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue // header
		}
		f := strings.Fields(sc.Text())
		if len(f) < 8 || f[1] != "00000000" || f[7] != "00000000" {
			continue
		}
		flags, err := strconv.ParseUint(f[3], 16, 32)
		if err != nil || flags&0x1 == 0 { // RTF_UP
			continue
		}
		gw, err := strconv.ParseUint(f[2], 16, 32)
		if err != nil || gw == 0 {
			continue
		}
		// The kernel prints the address in host byte order (little endian on x86).
		ip := netip.AddrFrom4([4]byte{byte(gw), byte(gw >> 8), byte(gw >> 16), byte(gw >> 24)})
		if _, seen := out[f[0]]; !seen {
			out[f[0]] = ip.String()
		}
	}
	return out
}

// listensOn reports whether /proc/net/tcp or tcp6 content shows a socket in
// LISTEN state (0A) on the local port.
func listensOn(b []byte, port int) bool {
	want := fmt.Sprintf(":%04X", port)
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || f[3] != "0A" {
			continue
		}
		if strings.HasSuffix(f[1], want) {
			return true
		}
	}
	return false
}

// reachableAddrs lists the addresses someone on the LAN can use, IPv4 first,
// in interface order.
func reachableAddrs(ifs []Iface) []string {
	var v4, v6 []string
	for _, i := range ifs {
		for _, a := range i.Addrs {
			if !a.Reachable() {
				continue
			}
			if a.Prefix.Addr().Is4() {
				v4 = append(v4, a.Prefix.Addr().String())
			} else {
				v6 = append(v6, a.Prefix.Addr().String())
			}
		}
	}
	return append(v4, v6...)
}
