package infiniband

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Report is the output of `ibstat` or `ibstatus`, read into the same
// Device and Port values as the sysfs reader (fields the tool does not print
// stay empty).
type Report struct {
	Devices []Device `json:"devices"`
	// Messages keeps the lines that belong to no device, trimmed (stderr
	// mixed in: "ibpanic: ... stat of IB device 'mlx5_8' failed").
	Messages []string `json:"messages,omitempty"`
}

var (
	ibstatCARe   = regexp.MustCompile(`^CA '([^']+)'$`)
	ibstatPortRe = regexp.MustCompile(`^Port ([0-9]+):$`)
	ibstatusRe   = regexp.MustCompile(`^Infiniband device '([^']+)' port ([0-9]+) status:$`)
)

// ibstat prints the port state as words; sysfs and ibstatus as the
// kernel's upper-case names.
var ibstatStates = map[string]string{
	"Active": "ACTIVE", "Down": "DOWN", "Initializing": "INIT", "Armed": "ARMED", "Unknown": "NOP",
}

// ParseIbstat parses `ibstat` (infiniband-diags / rdma-core):
//
//	CA 'mlx5_0'
//		CA type: MT4129
//		Firmware version: 28.41.1000
//		Node GUID: 0x58a2e10300a7820e
//		Port 1:
//			State: Active
//			Physical state: LinkUp
//			Rate: 400
//			Base lid: 128
//			Port GUID: 0x58a2e10300a7820e
//			Link layer: InfiniBand
//
// States are given in the kernel's names ("Active" -> "ACTIVE"), GUIDs in
// sysfs form ("58a2:e103:00a7:820e"), LIDs in hexadecimal ("0x80"). Input
// without a single "CA '...'" line is an error.
func ParseIbstat(data []byte) (Report, error) {
	var r Report
	var dev *Device
	var port *Port
	for _, raw := range strings.Split(strings.ReplaceAll(string(data), "\r", ""), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		if m := ibstatCARe.FindStringSubmatch(line); m != nil {
			r.Devices = append(r.Devices, Device{Name: m[1], Ports: []Port{}})
			dev, port = &r.Devices[len(r.Devices)-1], nil
			continue
		}
		indented := raw[0] == ' ' || raw[0] == '\t'
		if dev == nil || !indented {
			r.Messages = append(r.Messages, line)
			continue
		}
		if m := ibstatPortRe.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			dev.Ports = append(dev.Ports, Port{Number: n})
			port = &dev.Ports[len(dev.Ports)-1]
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			r.Messages = append(r.Messages, line)
			continue
		}
		v = strings.TrimSpace(v)
		if port == nil {
			switch k {
			case "CA type":
				dev.HCAType = v
			case "Firmware version":
				dev.FirmwareVersion = v
			case "Node GUID":
				dev.NodeGUID = hexGUID(v)
			case "System image GUID":
				dev.SysImageGUID = hexGUID(v)
			}
			continue
		}
		switch k {
		case "State":
			port.State = v
			if s, ok := ibstatStates[v]; ok {
				port.State = s
			}
		case "Physical state":
			port.PhysState = v
		case "Rate":
			port.Rate = v
			if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 && f < 1e6 {
				port.RateGbps = &f
			}
		case "Base lid":
			port.LID = hexLID(v)
		case "SM lid":
			port.SMLID = hexLID(v)
		case "Port GUID":
			port.PortGUID = hexGUID(v)
		case "Link layer":
			port.LinkLayer = v
		}
	}
	if len(r.Devices) == 0 {
		return Report{}, fmt.Errorf("infiniband: no \"CA '...'\" line (not `ibstat` output?)")
	}
	return r, nil
}

// ParseIbstatus parses `ibstatus` (the script over sysfs):
//
//	Infiniband device 'mlx5_0' port 1 status:
//		default gid:	 fe80:0000:0000:0000:0015:5dff:fd34:11eb
//		base lid:	 0x33bf
//		state:		 4: ACTIVE
//		phys state:	 5: LinkUp
//		rate:		 200 Gb/sec (4X HDR)
//		link_layer:	 InfiniBand
//
// The values are the sysfs files' and are read as Read reads them. Ports of
// one device are gathered under one Device. Input without a single
// "Infiniband device" line is an error.
func ParseIbstatus(data []byte) (Report, error) {
	var r Report
	var port *Port
	index := map[string]int{}
	for _, raw := range strings.Split(strings.ReplaceAll(string(data), "\r", ""), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		if m := ibstatusRe.FindStringSubmatch(line); m != nil {
			i, seen := index[m[1]]
			if !seen {
				r.Devices = append(r.Devices, Device{Name: m[1], Ports: []Port{}})
				i = len(r.Devices) - 1
				index[m[1]] = i
			}
			n, _ := strconv.Atoi(m[2])
			d := &r.Devices[i]
			d.Ports = append(d.Ports, Port{Number: n})
			port = &d.Ports[len(d.Ports)-1]
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if port == nil || !ok {
			r.Messages = append(r.Messages, line)
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "default gid":
			port.GID0 = v
		case "base lid":
			port.LID = v
		case "sm lid":
			port.SMLID = v
		case "state":
			port.StateCode, port.State = ParseCodeName(v)
		case "phys state":
			port.PhysStateCode, port.PhysState = ParseCodeName(v)
		case "rate":
			port.Rate = v
			port.RateGbps = ParseRate(v)
		case "link_layer":
			port.LinkLayer = v
		}
	}
	// The GUID only once the link layer is known (it may come last).
	for i := range r.Devices {
		for j := range r.Devices[i].Ports {
			if p := &r.Devices[i].Ports[j]; p.LinkLayer == "InfiniBand" {
				p.PortGUID = PortGUID(p.GID0)
			}
		}
	}
	if len(r.Devices) == 0 {
		return Report{}, fmt.Errorf("infiniband: no \"Infiniband device\" line (not `ibstatus` output?)")
	}
	return r, nil
}

var hexGUIDRe = regexp.MustCompile(`^0x([0-9a-fA-F]{1,16})$`)

// hexGUID turns ibstat's "0x58a2e10300a7820e" into sysfs form
// "58a2:e103:00a7:820e"; anything else is returned as printed.
func hexGUID(v string) string {
	m := hexGUIDRe.FindStringSubmatch(v)
	if m == nil {
		return v
	}
	h := strings.ToLower(strings.Repeat("0", 16-len(m[1])) + m[1])
	return h[0:4] + ":" + h[4:8] + ":" + h[8:12] + ":" + h[12:16]
}

// hexLID turns ibstat's decimal LID into sysfs form ("128" -> "0x80").
func hexLID(v string) string {
	n, err := strconv.ParseUint(v, 10, 16)
	if err != nil {
		return v
	}
	return "0x" + strconv.FormatUint(n, 16)
}
