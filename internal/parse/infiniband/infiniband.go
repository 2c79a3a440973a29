// Package infiniband reads a snapshot of /sys/class/infiniband: one Device per
// RDMA device (InfiniBand HCAs and RoCE/iWARP Ethernet adapters alike) with its
// ports. It reads through a small FS interface (host.FS satisfies it; so does
// a recorded tree), so it is pure and testable.
//
// Files read, as printed by the kernel (drivers/infiniband/core/sysfs.c):
//
//	<dev>/hca_type, board_id, fw_ver, node_desc    free text
//	<dev>/node_guid, sys_image_guid                "0015:5dff:fd33:ff7d"
//	<dev>/node_type                                "1: CA"
//	<dev>/ports/<n>/state                          "4: ACTIVE" (NOP, DOWN, INIT, ARMED, ACTIVE, ACTIVE_DEFER)
//	<dev>/ports/<n>/phys_state                     "5: LinkUp" (Sleep, Polling, Disabled, PortConfigurationTraining, LinkUp, LinkErrorRecovery, Phy Test)
//	<dev>/ports/<n>/rate                           "400 Gb/sec (4X NDR)", "2.5 Gb/sec (1X SDR)", "10 Gb/sec (4X)"
//	<dev>/ports/<n>/link_layer                     "InfiniBand", "Ethernet"
//	<dev>/ports/<n>/lid, sm_lid                    "0x1f"
//	<dev>/ports/<n>/gids/0                         "fe80:0000:0000:0000:0015:5dff:fd33:ff7d"
//	<dev>/ports/<n>/counters/symbol_error, ...     "0", or "N/A (no PMA)"
//
// ParseIbstat and ParseIbstatus read the same facts from `ibstat` and
// `ibstatus` output, for machines where only the tools' output was kept.
//
// A missing file leaves its field empty (devices and kernels differ in what
// they expose: iWARP devices have no GUIDs, some drivers no board_id); any
// other read error is recorded in Device.Errors with its cause and the rest is
// still read.
package infiniband

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// FS is what Read needs of a filesystem; names are absolute slash paths.
// host.FS satisfies it.
type FS interface {
	ReadFile(name string) ([]byte, error)
	// ReadDir returns the entry names of a directory.
	ReadDir(name string) ([]string, error)
}

// Dir is where the kernel lists RDMA devices.
const Dir = "/sys/class/infiniband"

// Device is one entry of /sys/class/infiniband.
type Device struct {
	Name            string `json:"name"` // "mlx5_0"
	HCAType         string `json:"hca_type,omitempty"`
	BoardID         string `json:"board_id,omitempty"`
	FirmwareVersion string `json:"firmware_version,omitempty"`
	NodeDesc        string `json:"node_desc,omitempty"`
	// NodeType is the name part of node_type ("CA", "switch", "router",
	// "RNIC").
	NodeType     string `json:"node_type,omitempty"`
	NodeGUID     string `json:"node_guid,omitempty"`
	SysImageGUID string `json:"sys_image_guid,omitempty"`
	Ports        []Port `json:"ports"`
	// Errors lists the reads that failed for a reason other than the file
	// being absent, as "path: error".
	Errors []string `json:"errors,omitempty"`
}

// Port is one <dev>/ports/<n>.
type Port struct {
	Number int `json:"port"`
	// State is the logical state name ("ACTIVE", "DOWN", "INIT", "ARMED");
	// StateCode its number (4 for ACTIVE), nil when unreadable.
	State     string `json:"state"`
	StateCode *int   `json:"state_code"`
	// PhysState is the physical state name ("LinkUp", "Polling",
	// "Disabled"); PhysStateCode its number (5 for LinkUp).
	PhysState     string `json:"phys_state"`
	PhysStateCode *int   `json:"phys_state_code"`
	// Rate is the rate file as printed, RateGbps its number (nil if not
	// parsable).
	Rate      string   `json:"rate"`
	RateGbps  *float64 `json:"rate_gbps"`
	LinkLayer string   `json:"link_layer"`
	LID       string   `json:"lid,omitempty"`
	SMLID     string   `json:"sm_lid,omitempty"`
	// GID0 is gids/0; PortGUID its low 64 bits ("0015:5dff:fd33:ff7d") when
	// the link layer is InfiniBand (on RoCE the GID derives from the MAC).
	GID0     string `json:"gid0,omitempty"`
	PortGUID string `json:"port_guid,omitempty"`
	// ErrorCounters holds the port's error counters that could be read
	// (ports/<n>/counters/<name>, see ErrorCounterNames); a counter that
	// reads "N/A (no PMA)" (iWARP, some RoCE devices) is left out.
	ErrorCounters map[string]uint64 `json:"error_counters,omitempty"`
}

// ErrorCounterNames are the files of ports/<n>/counters that count link and
// port errors (the IBA PortCounters attribute, as the kernel names them).
var ErrorCounterNames = []string{
	"symbol_error", "link_error_recovery", "link_downed", "port_rcv_errors",
	"port_rcv_remote_physical_errors", "port_rcv_switch_relay_errors", "port_xmit_discards",
	"port_xmit_constraint_errors", "port_rcv_constraint_errors", "local_link_integrity_errors",
	"excessive_buffer_overrun_errors", "VL15_dropped",
}

// Active reports whether the port is up: logical state ACTIVE and physical
// state LinkUp.
func (p Port) Active() bool { return p.State == "ACTIVE" && p.PhysState == "LinkUp" }

// Read reads every device under dir (normally Dir). A missing dir means no
// RDMA device and gives (nil, nil); a dir that cannot be listed is an error.
// Devices come sorted by name, ports by number.
func Read(fsys FS, dir string) ([]Device, error) {
	names, err := fsys.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("infiniband: listing %s: %w", dir, err)
	}
	sort.Strings(names)
	var out []Device
	for _, name := range names {
		out = append(out, readDevice(fsys, path.Join(dir, name), name))
	}
	return out, nil
}

type reader struct {
	fsys FS
	errs []string
}

// attr returns the trimmed content of p, "" when it is absent.
func (r *reader) attr(p string) string {
	b, err := r.fsys.ReadFile(p)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			r.errs = append(r.errs, fmt.Sprintf("%s: %v", p, err))
		}
		return ""
	}
	return strings.TrimSpace(string(b))
}

func readDevice(fsys FS, dir, name string) Device {
	r := &reader{fsys: fsys}
	d := Device{
		Name:            name,
		HCAType:         r.attr(path.Join(dir, "hca_type")),
		BoardID:         r.attr(path.Join(dir, "board_id")),
		FirmwareVersion: r.attr(path.Join(dir, "fw_ver")),
		NodeDesc:        r.attr(path.Join(dir, "node_desc")),
		NodeGUID:        r.attr(path.Join(dir, "node_guid")),
		SysImageGUID:    r.attr(path.Join(dir, "sys_image_guid")),
	}
	_, d.NodeType = ParseCodeName(r.attr(path.Join(dir, "node_type")))
	portsDir := path.Join(dir, "ports")
	ports, err := fsys.ReadDir(portsDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.errs = append(r.errs, fmt.Sprintf("%s: %v", portsDir, err))
	}
	d.Ports = []Port{}
	for _, p := range ports {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			continue
		}
		d.Ports = append(d.Ports, readPort(r, path.Join(portsDir, p), n))
	}
	sort.SliceStable(d.Ports, func(i, j int) bool { return d.Ports[i].Number < d.Ports[j].Number })
	d.Errors = r.errs
	return d
}

func readPort(r *reader, dir string, n int) Port {
	p := Port{Number: n}
	p.StateCode, p.State = ParseCodeName(r.attr(path.Join(dir, "state")))
	p.PhysStateCode, p.PhysState = ParseCodeName(r.attr(path.Join(dir, "phys_state")))
	p.Rate = r.attr(path.Join(dir, "rate"))
	p.RateGbps = ParseRate(p.Rate)
	p.LinkLayer = r.attr(path.Join(dir, "link_layer"))
	p.LID = r.attr(path.Join(dir, "lid"))
	p.SMLID = r.attr(path.Join(dir, "sm_lid"))
	p.GID0 = r.attr(path.Join(dir, "gids", "0"))
	if p.LinkLayer == "InfiniBand" {
		p.PortGUID = PortGUID(p.GID0)
	}
	for _, name := range ErrorCounterNames {
		v := r.attr(path.Join(dir, "counters", name))
		if n, err := strconv.ParseUint(v, 10, 64); err == nil {
			if p.ErrorCounters == nil {
				p.ErrorCounters = map[string]uint64{}
			}
			p.ErrorCounters[name] = n
		}
	}
	return p
}

var codeNameRe = regexp.MustCompile(`^(\d+):\s*(.*)$`)

// ParseCodeName splits the kernel's "%d: %s" attributes (state, phys_state,
// node_type): "4: ACTIVE" -> (4, "ACTIVE"). Text without a number is returned
// as the name with a nil code; "" gives (nil, "").
func ParseCodeName(s string) (*int, string) {
	s = strings.TrimSpace(s)
	m := codeNameRe.FindStringSubmatch(s)
	if m == nil {
		return nil, s
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return nil, s
	}
	return &n, strings.TrimSpace(m[2])
}

var rateRe = regexp.MustCompile(`^(\d+(?:\.\d+)?) Gb/sec\b`)

// ParseRate reads the port rate file: "400 Gb/sec (4X NDR)" -> 400,
// "2.5 Gb/sec (1X SDR)" -> 2.5. Anything else gives nil.
func ParseRate(s string) *float64 {
	m := rateRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return nil
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil || v <= 0 {
		return nil
	}
	return &v
}

var gidRe = regexp.MustCompile(`^[0-9a-fA-F]{4}(:[0-9a-fA-F]{4}){7}$`)

// PortGUID returns the low 64 bits of a GID as the kernel prints it
// ("fe80:0000:0000:0000:0015:5dff:fd33:ff7d" -> "0015:5dff:fd33:ff7d"), in
// lowercase; "" for anything else or an all-zero GUID.
func PortGUID(gid string) string {
	gid = strings.ToLower(strings.TrimSpace(gid))
	if !gidRe.MatchString(gid) {
		return ""
	}
	guid := gid[20:]
	if strings.Trim(guid, "0:") == "" {
		return ""
	}
	return guid
}
