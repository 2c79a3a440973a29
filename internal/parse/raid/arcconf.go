package raid

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ParseArcconf reads `arcconf GETCONFIG <n> AL` (or its AD, LD, PD parts) of Adaptec /
// Microchip SmartRAID controllers. The output does not name the controller it answers
// for (the command does), so Controller fields are "": the caller fills them in.
// Sections are found by their titles; "Device #n" blocks that are not drives
// (enclosure services devices) are left out.
func ParseArcconf(data []byte) (*Report, error) {
	r := &Report{Tool: "arcconf", Controllers: []Controller{}, VirtualDrives: []VirtualDrive{}, PhysicalDrives: []PhysicalDrive{}}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	section := ""
	var ctl *Controller
	var vd *VirtualDrive
	var pd *PhysicalDrive
	isDrive := false
	channel, enclosureSlot := "", ""
	flushPD := func() {
		if pd != nil && isDrive {
			pd.Location = firstNonEmpty(enclosureSlot, channel)
			r.PhysicalDrives = append(r.PhysicalDrives, *pd)
		}
		pd, isDrive, channel, enclosureSlot = nil, false, "", ""
	}
	flushVD := func() {
		if vd != nil {
			r.VirtualDrives = append(r.VirtualDrives, *vd)
		}
		vd = nil
	}
	controller := func() *Controller {
		if ctl == nil {
			r.Controllers = append(r.Controllers, Controller{})
			ctl = &r.Controllers[len(r.Controllers)-1]
		}
		return ctl
	}
	sawHeader := false
	for _, raw := range lines {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "---") {
			continue
		}
		if strings.HasPrefix(line, "Controllers found:") {
			sawHeader = true
			continue
		}
		if strings.HasPrefix(line, "Invalid controller number") || strings.HasPrefix(line, "Command aborted") || strings.HasPrefix(line, "Command failed") {
			return nil, fmt.Errorf("arcconf: %s", line)
		}
		switch t := strings.ToLower(line); t {
		case "controller information", "controller version information", "controller battery information",
			"controller cache backup unit information", "logical device information", "physical device information":
			flushPD()
			flushVD()
			section = t
			continue
		}
		if m := arcconfLD.FindStringSubmatch(line); m != nil && strings.HasPrefix(section, "logical") {
			flushVD()
			vd = &VirtualDrive{ID: m[1], Status: VDOther}
			continue
		}
		if m := arcconfDevice.FindStringSubmatch(line); m != nil && strings.HasPrefix(section, "physical") {
			flushPD()
			pd = &PhysicalDrive{Status: PDOther}
			continue
		}
		if pd != nil && strings.HasPrefix(line, "Device is a") {
			isDrive = strings.Contains(line, "Hard drive") || strings.Contains(line, "Solid State")
			continue
		}
		key, val, ok := cutKV(line)
		if !ok {
			continue
		}
		switch {
		case section == "controller information":
			c := controller()
			switch key {
			case "Controller Status":
				c.Status = val
			case "Controller Model":
				c.Model = val
			case "Controller Serial Number":
				c.Serial = val
			}
		case section == "controller version information":
			if key == "Firmware" {
				controller().Firmware = val
			}
		case section == "controller battery information", section == "controller cache backup unit information":
			c := controller()
			if c.Backup == nil {
				kind := "BBU"
				if strings.Contains(section, "backup unit") {
					kind = "CacheVault"
				}
				c.Backup = &CacheBackup{Kind: kind}
			}
			switch key {
			case "Status", "Supercap Status":
				if absent(val) {
					c.Backup = nil // "Not Installed": no backup unit, nothing to judge
					section = "no backup unit"
					continue
				}
				c.Backup.State = val
				c.Backup.Failed = backupFailed(val)
			case "Model", "Supercap Model":
				c.Backup.Model = val
			}
		case vd != nil:
			switch key {
			case "Logical Device name", "Logical device name":
				vd.Name = val
			case "RAID level":
				vd.RAIDLevel = raidLevel(val)
			case "Status of Logical Device", "Status of logical device":
				vd.State = val
				vd.Status = arcconfVDStatus(val)
			case "Size":
				vd.Size = val
				vd.SizeBytes = arcconfMB(val)
			}
		case pd != nil:
			switch key {
			case "State":
				pd.State = val
				pd.Status = arcconfPDStatus(val)
			case "Reported Channel,Device(T:L)":
				channel, _, _ = strings.Cut(val, "(")
			case "Reported Location":
				if m := arcconfEnclosureSlot.FindStringSubmatch(val); m != nil {
					enclosureSlot = m[1] + ":" + m[2]
				}
			case "Model":
				pd.Model = strings.TrimSpace(pd.Model + " " + val)
			case "Vendor":
				if val != "ATA" {
					pd.Model = strings.TrimSpace(val + " " + pd.Model)
				}
			case "Firmware":
				pd.Firmware = val
			case "Serial number", "Serial Number":
				pd.Serial = val
			case "Total Size", "Size": // "Size" in older arcconf
				pd.Size = val
				pd.SizeBytes = arcconfMB(val)
			case "S.M.A.R.T.":
				b := strings.EqualFold(val, "Yes")
				pd.PredictiveFailure = &b
			}
		}
	}
	flushPD()
	flushVD()
	if !sawHeader && len(r.Controllers)+len(r.VirtualDrives)+len(r.PhysicalDrives) == 0 {
		return nil, fmt.Errorf("arcconf: not GETCONFIG output")
	}
	return r, nil
}

var (
	arcconfLD            = regexp.MustCompile(`(?i)^Logical Device number (\d+)$`)
	arcconfDevice        = regexp.MustCompile(`^Device #(\d+)$`)
	arcconfEnclosureSlot = regexp.MustCompile(`^Enclosure (\d+), Slot (\d+)`)
)

// arcconfMB reads "915446 MB" (arcconf's MB are 2^20 bytes).
func arcconfMB(s string) *int64 {
	f := strings.Fields(s)
	if len(f) != 2 || f[1] != "MB" {
		return nil
	}
	if _, err := strconv.ParseInt(f[0], 10, 64); err != nil {
		return nil
	}
	return mib(f[0])
}

func arcconfVDStatus(s string) string {
	switch t := strings.ToLower(s); {
	case t == "optimal":
		return VDOptimal
	case strings.Contains(t, "rebuild"):
		return VDRebuilding
	case strings.Contains(t, "degraded"), strings.Contains(t, "suboptimal"), strings.Contains(t, "impacted"):
		return VDDegraded
	case strings.Contains(t, "offline"), strings.Contains(t, "failed"):
		return VDOffline
	}
	return VDOther
}

func arcconfPDStatus(s string) string {
	switch t := strings.ToLower(s); {
	case t == "online", strings.HasPrefix(t, "raw"):
		return PDOnline
	case t == "ready":
		return PDUnconfigured
	case strings.Contains(t, "fail"), t == "offline", t == "missing":
		return PDFailed
	case strings.Contains(t, "rebuild"):
		return PDRebuilding
	case strings.Contains(t, "hot spare"), strings.Contains(t, "hot-spare"):
		return PDSpare
	}
	return PDOther
}

// cutKV splits "Key : value" at the first " : " (keys such as "Reported
// Channel,Device(T:L)" hold a colon), else at the first ":".
func cutKV(line string) (key, val string, ok bool) {
	key, val, ok = strings.Cut(line, " : ")
	if !ok {
		key, val, ok = strings.Cut(line, ":")
	}
	return strings.TrimSpace(key), strings.TrimSpace(val), ok
}

func absent(s string) bool {
	switch strings.ToLower(s) {
	case "not installed", "not present", "absent", "none":
		return true
	}
	return false
}
