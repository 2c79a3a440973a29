package probe

import (
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/blkid"
	"github.com/beeaudit/bee/internal/parse/lsblk"
)

// BeeLabels are the filesystem labels of bee's own USB sticks: BEE (the live ISO
// written to a stick, whose iso9660 filesystem is labelled BEE, and the profiles
// stick, docs/profiles.md) and BEE-RESULTS (the results stick, docs/results.md).
var BeeLabels = []string{"BEE", "BEE-RESULTS"}

// LabelArgv lists the block devices whose filesystem has this label, from blkid's
// cache (`blkid -o export -t LABEL=…`; exit status 2 when none has it).
func LabelArgv(label string) []string {
	return []string{"blkid", "-o", "export", "-t", "LABEL=" + label}
}

// LabelSearch is one run of LabelArgv.
type LabelSearch struct {
	Label string
	Res   host.Result
	// Devices are the devices found; ParseErr says why blkid's answer could not be
	// read. OK is true when the search answered: found some (exit 0) or none (2).
	Devices  []blkid.Device
	ParseErr error
	OK       bool
}

// FindLabel runs LabelArgv(label) once: Devices are the devices blkid names with
// exactly that label (and a device node); the audit's and sat's stick checks and
// the results stick (internal/usbstick) all search this way.
func FindLabel(run RunFunc, label string) LabelSearch {
	s := LabelSearch{Label: label, Res: run(LabelArgv(label))}
	if s.Res.Err != nil || (s.Res.ExitCode != 0 && s.Res.ExitCode != 2) {
		return s
	}
	devs, err := blkid.Parse(s.Res.Stdout)
	s.ParseErr, s.OK = err, err == nil
	for _, d := range devs {
		// blkid -t matches the label exactly; anything else is not asked for.
		if d.Label == label && d.DevName != "" {
			s.Devices = append(s.Devices, d)
		}
	}
	return s
}

// BeeSticks finds bee's own sticks among disks (ListDisks' whole disks, their
// partitions included): a disk with a filesystem labelled one of BeeLabels on
// itself (an ISO image written to the whole stick) or on one of its partitions.
// sticks maps a disk's name to that label. searches are blkid's runs, one per
// label: where one did not answer (not OK), a stick with that label is not
// recognised, and the caller says so.
func BeeSticks(run RunFunc, disks []lsblk.Device) (sticks map[string]string, searches []LabelSearch) {
	sticks = map[string]string{}
	for _, label := range BeeLabels {
		s := FindLabel(run, label)
		for _, dev := range s.Devices {
			for _, d := range disks {
				if _, ok := sticks[d.Name]; !ok && holds(d, dev.DevName) {
					sticks[d.Name] = label
				}
			}
		}
		searches = append(searches, s)
	}
	return sticks, searches
}

// holds reports whether the device at path is d or one of its descendants.
func holds(d lsblk.Device, path string) bool {
	if d.Path == path || "/dev/"+d.Name == path {
		return true
	}
	for _, c := range d.Children {
		if holds(c, path) {
			return true
		}
	}
	return false
}
