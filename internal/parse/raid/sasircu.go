package raid

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ParseSASIrcu reads `sas2ircu <n> DISPLAY` / `sas3ircu <n> DISPLAY` (LSI/Avago/Broadcom
// IT/IR HBAs): "Controller information", "IR Volume information" (one block per
// "IR volume n") and "Physical device information" (one block per "Device is a …";
// enclosure services devices are left out). Sections are found by their titles between
// dashed rules; text after "Command DISPLAY Completed" is ignored.
func ParseSASIrcu(data []byte) (*Report, error) {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	r := &Report{Tool: "sasircu", Controllers: []Controller{}, VirtualDrives: []VirtualDrive{}, PhysicalDrives: []PhysicalDrive{}}
	ctlID := ""
	section := ""
	var ctl *Controller
	var vd *VirtualDrive
	var pd *PhysicalDrive
	skipDevice := false
	var mb, sectors string
	flushPD := func() {
		if pd != nil && !skipDevice {
			pd.SizeBytes = sasIrcuSize(mb, sectors)
			r.PhysicalDrives = append(r.PhysicalDrives, *pd)
		}
		pd, mb, sectors, skipDevice = nil, "", "", false
	}
	flushVD := func() {
		if vd != nil {
			r.VirtualDrives = append(r.VirtualDrives, *vd)
		}
		vd = nil
	}
	seenTool := false
	for _, raw := range lines {
		line := strings.TrimSpace(raw)
		if strings.HasPrefix(line, "SAS2IRCU:") || strings.HasPrefix(line, "SAS3IRCU:") {
			seenTool = true
			if strings.Contains(line, "Completed") {
				break
			}
			if strings.Contains(line, "rror") || strings.Contains(line, "not found") || strings.Contains(line, "Invalid") {
				return nil, fmt.Errorf("sasircu: %s", line)
			}
			continue
		}
		if strings.Contains(line, "IR Configuration Utility") {
			seenTool = true
			r.Tool = sasIrcuTool(line)
			continue
		}
		if m := sasIrcuController.FindStringSubmatch(line); m != nil {
			ctlID = m[1]
			continue
		}
		if line == "" || strings.HasPrefix(line, "---") {
			continue
		}
		switch line {
		case "Controller information", "IR Volume information", "Physical device information", "Enclosure information":
			flushPD()
			flushVD()
			section = line
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch section {
		case "Controller information":
			if ctl == nil {
				r.Controllers = append(r.Controllers, Controller{ID: ctlID})
				ctl = &r.Controllers[len(r.Controllers)-1]
			}
			switch key {
			case "Controller type":
				ctl.Model = val
			case "Firmware version":
				ctl.Firmware = val
			}
		case "IR Volume information":
			if m := sasIrcuVolume.FindStringSubmatch(line); m != nil {
				flushVD()
				vd = &VirtualDrive{Controller: ctlID, ID: m[1]}
				continue
			}
			if vd == nil || !ok {
				continue
			}
			switch key {
			case "Volume ID":
				vd.ID = val
			case "Volume Name":
				vd.Name = val
			case "Status of volume":
				vd.State = val
				vd.Status = sasIrcuVDStatus(val)
			case "RAID level":
				vd.RAIDLevel = raidLevel(val)
			case "Size (in MB)":
				vd.Size = val + " MB"
				vd.SizeBytes = mib(val)
			}
		case "Physical device information":
			if strings.HasPrefix(line, "Device is a ") {
				flushPD()
				pd = &PhysicalDrive{Controller: ctlID}
				skipDevice = strings.Contains(line, "Enclosure services")
				continue
			}
			if pd == nil || !ok {
				continue
			}
			switch key {
			case "Enclosure #":
				pd.Location = val + pd.Location
			case "Slot #":
				pd.Location += ":" + val
			case "State":
				pd.State = val
				pd.Status = sasIrcuPDStatus(val)
			case "Size (in MB)/(in sectors)":
				pd.Size = val
				mb, sectors, _ = strings.Cut(val, "/")
			case "Model Number":
				pd.Model = val
			case "Firmware Revision":
				pd.Firmware = val
			case "Serial No":
				pd.Serial = val
			case "Device Type":
				skipDevice = skipDevice || strings.Contains(val, "Enclosure")
			}
		}
	}
	flushPD()
	flushVD()
	if !seenTool && len(r.Controllers) == 0 {
		return nil, fmt.Errorf("sasircu: not sas2ircu/sas3ircu DISPLAY output")
	}
	return r, nil
}

var (
	sasIrcuController = regexp.MustCompile(`^Read configuration has been initiated for controller (\d+)$`)
	sasIrcuVolume     = regexp.MustCompile(`^IR volume (\d+)$`)
	sasIrcuAbbrev     = regexp.MustCompile(`\(([A-Z]+)\)\s*$`)
)

func sasIrcuTool(banner string) string {
	switch {
	case strings.Contains(banner, "SAS3"):
		return "sas3ircu"
	case strings.Contains(banner, "SAS2"):
		return "sas2ircu"
	}
	return "sasircu"
}

// sasIrcuVDStatus reads "Okay (OKY)", "Degraded (DGD)", "Failed (FLD)", "Missing (MIS)",
// "Initializing (INIT)", "Online (OKY)", "Inactive, Okay (OKY)".
func sasIrcuVDStatus(s string) string {
	switch abbrev(s) {
	case "OKY":
		if strings.HasPrefix(s, "Inactive") {
			return VDOffline
		}
		return VDOptimal
	case "DGD":
		return VDDegraded
	case "FLD", "MIS":
		return VDOffline
	case "RBLD", "SYNC":
		return VDRebuilding
	}
	return VDOther
}

// sasIrcuPDStatus reads "Ready (RDY)", "Optimal (OPT)", "Failed (FLD)", "Missing (MIS)",
// "Rebuilding (RBLD)", "Hot Spare (HSP)", "Standby (SBY)", "Out of Sync (OSY)",
// "Degraded (DGD)", "Available (AVL)".
func sasIrcuPDStatus(s string) string {
	switch abbrev(s) {
	case "OPT", "RDY":
		return PDOnline
	case "FLD", "MIS", "DGD", "OSY":
		return PDFailed
	case "RBLD":
		return PDRebuilding
	case "HSP":
		return PDSpare
	case "AVL", "SBY":
		return PDUnconfigured
	}
	return PDOther
}

func abbrev(s string) string {
	if m := sasIrcuAbbrev.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// sasIrcuSize reads "457862/937703087": the sector count times 512 when it agrees with
// the MB (2^20 bytes) figure to within one MB, else the MB figure.
func sasIrcuSize(mb, sectors string) *int64 {
	m := mib(mb)
	s, err := strconv.ParseInt(strings.TrimSpace(sectors), 10, 64)
	if m == nil {
		return nil
	}
	if err == nil && s > 0 && s < 1<<53 {
		b := s * 512
		if d := b - *m; d >= 0 && d < 1<<20 {
			return &b
		}
	}
	return m
}

// mib reads a count of MB meaning 2^20 bytes.
func mib(s string) *int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 || n > 1<<42 {
		return nil
	}
	b := n << 20
	return &b
}
