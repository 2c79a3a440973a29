package raid

import (
	"fmt"
	"regexp"
	"strings"
)

// ParseSSACLI reads `ssacli ctrl all show config detail` (also hpssacli / hpacucli) of
// HPE Smart Array controllers: one block per "<model> in Slot <n>" line, the
// controller's own "Key: Value" lines, then "Array:", "Logical Drive: n" and
// "physicaldrive <port:box:bay>" blocks. The short "physicaldrive X (port …, 960 GB, OK)"
// lines of a drive cage are used only for drives that have no detailed block.
func ParseSSACLI(data []byte) (*Report, error) {
	r := &Report{Tool: "ssacli", Controllers: []Controller{}, VirtualDrives: []VirtualDrive{}, PhysicalDrives: []PhysicalDrive{}}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	type ctx int
	const (
		none ctx = iota
		inController
		inVD
		inPD
		inOther
	)
	where := none
	ctlID := ""
	var ctl *Controller
	var vd *VirtualDrive
	var pd *PhysicalDrive
	blockIndent := 0
	detailed := map[string]bool{}
	var summaries []PhysicalDrive
	flush := func() {
		if vd != nil {
			r.VirtualDrives = append(r.VirtualDrives, *vd)
		}
		if pd != nil {
			pd.Status = ssacliPDStatus(pd.State, pd.Status)
			if strings.EqualFold(pd.State, "Predictive Failure") {
				b := true
				pd.PredictiveFailure = &b
			}
			r.PhysicalDrives = append(r.PhysicalDrives, *pd)
			detailed[pd.Controller+"/"+pd.Location] = true
		}
		vd, pd = nil, nil
	}
	for _, raw := range lines {
		trimmed := strings.TrimSpace(raw)
		if trimmed == "" {
			continue
		}
		if m := ssacliController.FindStringSubmatch(raw); m != nil {
			flush()
			ctlID = m[2]
			r.Controllers = append(r.Controllers, Controller{ID: ctlID, Model: strings.TrimSpace(m[1])})
			ctl = &r.Controllers[len(r.Controllers)-1]
			where = inController
			continue
		}
		if ctl == nil {
			if strings.HasPrefix(trimmed, "Error:") || strings.Contains(trimmed, "No controllers detected") {
				return nil, fmt.Errorf("ssacli: %s", trimmed)
			}
			continue
		}
		if m := ssacliLD.FindStringSubmatch(trimmed); m != nil {
			flush()
			vd = &VirtualDrive{Controller: ctlID, ID: m[1], Status: VDOther}
			where, blockIndent = inVD, indentOf(raw)
			continue
		}
		if m := ssacliPD.FindStringSubmatch(trimmed); m != nil {
			if m[2] != "" { // cage summary line
				summaries = append(summaries, ssacliSummary(ctlID, m[1], m[2]))
				continue
			}
			flush()
			pd = &PhysicalDrive{Controller: ctlID, Location: m[1]}
			where, blockIndent = inPD, indentOf(raw)
			continue
		}
		key, val, ok := strings.Cut(trimmed, ":")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if (where == inVD || where == inPD) && indentOf(raw) <= blockIndent {
			flush()
			where = inOther
		}
		if !ok || ssacliBlock[key] {
			if (where == inVD || where == inPD) && indentOf(raw) > blockIndent {
				continue // a sub-block of the drive ("Disk Partition Information")
			}
			if where == inVD || where == inPD || where == inController {
				flush()
			}
			where = inOther
			continue
		}
		switch where {
		case inController:
			switch key {
			case "Serial Number":
				ctl.Serial = val
			case "Controller Status":
				ctl.Status = val
			case "Firmware Version":
				ctl.Firmware = val
			case "Cache Status":
				ctl.CacheStatus = val
			case "Battery/Capacitor Status":
				if ctl.Backup == nil {
					ctl.Backup = &CacheBackup{Kind: "Battery/Capacitor"}
				}
				ctl.Backup.State = val
				ctl.Backup.Failed = backupFailed(val)
			}
		case inVD:
			switch key {
			case "Size":
				vd.Size = val
			case "Fault Tolerance":
				vd.RAIDLevel = ssacliRAID(val)
			case "Status":
				vd.State = val
				vd.Status = ssacliVDStatus(val)
			case "Logical Drive Label":
				vd.Name = val
			}
		case inPD:
			switch key {
			case "Status":
				pd.State = val
			case "Drive Type":
				pd.Status = val // kept until flush decides the status
			case "Size":
				pd.Size = val
			case "Firmware Revision":
				pd.Firmware = val
			case "Serial Number":
				pd.Serial = val
			case "Model":
				pd.Model = ssacliModel(val)
			}
		}
	}
	flush()
	for _, s := range summaries {
		if !detailed[s.Controller+"/"+s.Location] {
			r.PhysicalDrives = append(r.PhysicalDrives, s)
			detailed[s.Controller+"/"+s.Location] = true
		}
	}
	if len(r.Controllers) == 0 {
		return nil, fmt.Errorf("ssacli: no \"<controller> in Slot <n>\" line")
	}
	return r, nil
}

var (
	ssacliController = regexp.MustCompile(`^(\S.*) in Slot (\S+)`)
	ssacliLD         = regexp.MustCompile(`^Logical Drive: (\d+)$`)
	ssacliPD         = regexp.MustCompile(`^physicaldrive (\S+)(?: \((.*)\))?$`)
	// Lines with a colon that open a block the parser does not read.
	ssacliBlock = map[string]bool{"Array": true, "Port Name": true, "Sensor ID": true, "Expander": true, "Enclosure SEP": true, "SEP": true}
)

// ssacliSummary reads "port 2I:box 1:bay 1, SATA SSD, 960 GB, OK".
func ssacliSummary(ctl, loc, s string) PhysicalDrive {
	f := strings.Split(s, ",")
	p := PhysicalDrive{Controller: ctl, Location: loc, Status: PDOther}
	if len(f) >= 2 {
		p.State = strings.TrimSpace(f[len(f)-1])
		p.Size = strings.TrimSpace(f[len(f)-2])
		p.Status = ssacliPDStatus(p.State, "")
		if strings.EqualFold(p.State, "Predictive Failure") {
			b := true
			p.PredictiveFailure = &b
		}
	}
	return p
}

// ssacliPDStatus maps Status (and Drive Type: "Data Drive", "Unassigned Drive",
// "Spare Drive") to a drive status.
func ssacliPDStatus(state, driveType string) string {
	switch s := strings.ToLower(state); {
	case strings.HasPrefix(s, "failed"):
		return PDFailed
	case strings.HasPrefix(s, "rebuilding"):
		return PDRebuilding
	case s == "ok" || s == "predictive failure":
		switch {
		case strings.HasPrefix(driveType, "Unassigned"):
			return PDUnconfigured
		case strings.HasPrefix(driveType, "Spare"):
			return PDSpare
		}
		return PDOnline
	}
	return PDOther
}

func ssacliVDStatus(s string) string {
	switch t := strings.ToLower(s); {
	case t == "ok":
		return VDOptimal
	case strings.HasPrefix(t, "interim recovery"):
		return VDDegraded
	case strings.HasPrefix(t, "recovering"), strings.HasPrefix(t, "ready for rebuild"):
		return VDRebuilding
	case strings.HasPrefix(t, "failed"):
		return VDOffline
	}
	return VDOther
}

// ssacliRAID reads Fault Tolerance: "0", "1", "1+0", "5", "6", "ADG" (RAID 6), "50", "60",
// "1 (ADM)", "1+0 (ADM)".
func ssacliRAID(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "ADG":
		return "RAID6"
	case strings.HasSuffix(s, " (ADM)"):
		return raidLevel(strings.TrimSuffix(s, " (ADM)")) + " (ADM)"
	}
	return raidLevel(s)
}

// ssacliModel drops the vendor padding: "ATA     MTFDDAK960TCB" → "MTFDDAK960TCB",
// "HP      EG0300FBDBR" → "HP EG0300FBDBR".
func ssacliModel(s string) string {
	f := strings.Fields(s)
	if len(f) > 1 && f[0] == "ATA" {
		f = f[1:]
	}
	return strings.Join(f, " ")
}

func indentOf(s string) int {
	n := 0
	for _, r := range s {
		switch r {
		case ' ':
			n++
		case '\t':
			n += 8
		default:
			return n
		}
	}
	return n
}
