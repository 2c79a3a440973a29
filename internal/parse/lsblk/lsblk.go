// Package lsblk parses the JSON output of lsblk (util-linux) into a tree of block devices.
//
// The parser is written for the format across util-linux releases, not for particular
// columns: util-linux before 2.33 prints every value as a string ("rm": "0", "size":
// "1000204886016" or, without -b, "1.8T"), later releases print JSON booleans and numbers;
// any column may be null or missing (a column the installed lsblk does not know is simply
// not asked for). Values it cannot read are nil or "", never 0 or false.
package lsblk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
)

// Device is one block device of the lsblk tree.
type Device struct {
	// Name is NAME, e.g. "sda", "nvme0n1"; derived from PATH when NAME was not asked for.
	// With `lsblk -p`, which prints NAME as a full path, the last element of that path.
	Name string
	// Path is PATH, e.g. "/dev/sda"; derived from NAME when PATH is missing (util-linux
	// < 2.33), taken from NAME as it is with `lsblk -p`.
	Path   string
	Type   string // TYPE: "disk", "part", "loop", "rom", "lvm", "crypt", "raid1", ...
	Tran   string // TRAN: "sata", "sas", "nvme", "usb", ...
	Model  string // MODEL, trimmed
	Serial string // SERIAL, trimmed
	Rev    string // REV, trimmed
	Vendor string // VENDOR, trimmed (lsblk pads it: "ATA     ")
	WWN    string // WWN as lsblk prints it, e.g. "0x5000c500a4962c3d" or "eui.0025385791b4f537"
	// SizeBytes is SIZE in bytes. nil when lsblk printed a human-readable size ("1.8T":
	// -b was not honoured) or no size.
	SizeBytes  *int64
	Rotational *bool // ROTA
	Removable  *bool // RM
	Hotplug    *bool // HOTPLUG
	Children   []Device
}

type rawDevice struct {
	Name     str         `json:"name"`
	Path     str         `json:"path"`
	Type     str         `json:"type"`
	Tran     str         `json:"tran"`
	Model    str         `json:"model"`
	Serial   str         `json:"serial"`
	Rev      str         `json:"rev"`
	Vendor   str         `json:"vendor"`
	WWN      str         `json:"wwn"`
	Size     num         `json:"size"`
	Rota     flag        `json:"rota"`
	RM       flag        `json:"rm"`
	Hotplug  flag        `json:"hotplug"`
	Children []rawDevice `json:"children"`
}

// Parse parses the output of `lsblk -J -b -o NAME,PATH,TYPE,TRAN,MODEL,SERIAL,REV,VENDOR,SIZE,ROTA,WWN,RM,HOTPLUG`
// (or any subset of those columns, from any util-linux that has -J) into the device tree,
// in lsblk's order. A device without PATH gets "/dev/"+NAME ("/dev/mapper/"+NAME for the
// device-mapper types lvm, crypt, dm and mpath); a device without NAME gets the last element
// of PATH. NAME printed as a full path (`lsblk -p`) is the PATH, and Name its last element.
//
// {"blockdevices": []} gives an empty slice and no error. It returns an error for empty
// input, anything that is not a JSON object (lsblk's text output, HTML, a truncated
// capture), and a JSON object without a "blockdevices" array (another tool's JSON).
func Parse(data []byte) ([]Device, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("lsblk: empty input")
	}
	if trimmed[0] != '{' {
		return nil, errors.New("lsblk: input is not a JSON object (expected lsblk -J output)")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		return nil, fmt.Errorf("lsblk: invalid JSON: %w", err)
	}
	var list json.RawMessage
	found := false
	for k, v := range top {
		if strings.EqualFold(k, "blockdevices") {
			list, found = bytes.TrimSpace(v), true
		}
	}
	if !found {
		return nil, errors.New(`lsblk: JSON has no "blockdevices" key: not lsblk -J output`)
	}
	out := []Device{}
	if string(list) == "null" {
		return out, nil
	}
	if len(list) == 0 || list[0] != '[' {
		return nil, errors.New(`lsblk: "blockdevices" is not an array`)
	}
	var raw []rawDevice
	if err := decodeObject(list, &raw); err != nil {
		return nil, fmt.Errorf("lsblk: invalid JSON: %w", err)
	}
	for _, r := range raw {
		out = append(out, convert(r))
	}
	return out, nil
}

func convert(r rawDevice) Device {
	d := Device{
		Name:       string(r.Name),
		Path:       string(r.Path),
		Type:       string(r.Type),
		Tran:       string(r.Tran),
		Model:      string(r.Model),
		Serial:     string(r.Serial),
		Rev:        string(r.Rev),
		Vendor:     string(r.Vendor),
		WWN:        string(r.WWN),
		SizeBytes:  r.Size.I64(),
		Rotational: r.Rota.Ptr(),
		Removable:  r.RM.Ptr(),
		Hotplug:    r.Hotplug.Ptr(),
	}
	if d.SizeBytes != nil && *d.SizeBytes < 0 {
		d.SizeBytes = nil
	}
	if strings.HasPrefix(d.Name, "/") {
		// `lsblk -p`: NAME is the device node.
		if d.Path == "" {
			d.Path = d.Name
		}
		d.Name = ""
	}
	if d.Path == "" && d.Name != "" && !strings.Contains(d.Name, "/") {
		switch strings.ToLower(d.Type) {
		case "lvm", "crypt", "dm", "mpath":
			d.Path = "/dev/mapper/" + d.Name
		default:
			d.Path = "/dev/" + d.Name
		}
	}
	if d.Name == "" && d.Path != "" {
		if b := path.Base(d.Path); b != "/" && b != "." {
			d.Name = b
		}
	}
	for _, c := range r.Children {
		d.Children = append(d.Children, convert(c))
	}
	return d
}

// Disks returns the top-level whole disks of devs (as returned by Parse), sorted by Name
// in natural order (sda, sdb, ..., sdz, sdaa; nvme2n1 before nvme10n1). A whole disk has
// TYPE "disk"; devices whose name starts with loop, ram, zram, sr, fd, nbd, rbd, drbd or
// zd (loop devices, RAM disks, optical drives, floppies, network, Ceph and DRBD devices,
// ZFS zvols: virtual or not disks although some of them say "disk") are left out, as are
// devices of type loop, ram, rom, zram and every non-disk type. The devices are returned
// as they are, children included.
func Disks(devs []Device) []Device {
	out := []Device{}
	for _, d := range devs {
		if !strings.EqualFold(d.Type, "disk") || virtualName(d.Name) {
			continue
		}
		out = append(out, d)
	}
	sort.SliceStable(out, func(i, j int) bool { return naturalLess(out[i].Name, out[j].Name) })
	return out
}

func virtualName(name string) bool {
	for _, p := range []string{"loop", "zram", "ram", "sr", "fd", "nbd", "rbd", "drbd", "zd"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// naturalLess compares names so that within a family a shorter letter suffix sorts first
// (sdz < sdaa) and digit runs compare by value (nvme2n1 < nvme10n1).
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		ra, restA := chunk(a)
		rb, restB := chunk(b)
		if ra != rb {
			da, db := isDigit(ra[0]), isDigit(rb[0])
			switch {
			case da && db:
				na, nb := strings.TrimLeft(ra, "0"), strings.TrimLeft(rb, "0")
				if len(na) != len(nb) {
					return len(na) < len(nb)
				}
				if na != nb {
					return na < nb
				}
				return len(ra) < len(rb)
			case !da && !db:
				// Same family ("sd", "vd", "xvd", ...): the kernel adds letters, so a
				// shorter suffix comes first.
				p := 0
				for p < len(ra) && p < len(rb) && ra[p] == rb[p] {
					p++
				}
				if p >= 2 && len(ra) != len(rb) {
					return len(ra) < len(rb)
				}
				return ra < rb
			default:
				return ra < rb
			}
		}
		a, b = restA, restB
	}
	return len(a) < len(b)
}

// chunk splits off the leading run of digits or of non-digits.
func chunk(s string) (string, string) {
	d := isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == d {
		i++
	}
	return s[:i], s[i:]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
