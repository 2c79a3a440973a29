package raid

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ParseMegaCLI reads MegaCli's text output: `-PDList -aAll` and `-LdPdInfo -aAll`
// (virtual drives, each drive block from "Enclosure Device ID:"), `-AdpBbuCmd -aAll`
// (battery), `-AdpAllInfo -aAll` (Product Name, Serial No, FW Package Build), or several
// of them concatenated. Every adapter named ("Adapter #0", "Adapter: 0", "for Adapter: 0")
// is a controller.
func ParseMegaCLI(data []byte) (*Report, error) {
	r := &Report{Tool: "megacli", Controllers: []Controller{}, VirtualDrives: []VirtualDrive{}, PhysicalDrives: []PhysicalDrive{}}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	adapter := ""
	ctlIndex := map[string]int{}
	controller := func() *Controller {
		i, ok := ctlIndex[adapter]
		if !ok {
			r.Controllers = append(r.Controllers, Controller{ID: adapter})
			i = len(r.Controllers) - 1
			ctlIndex[adapter] = i
		}
		return &r.Controllers[i]
	}
	var vd *VirtualDrive
	var pd *PhysicalDrive
	var spans, primary, secondary string
	var sectorSize, coerced, enclosure, inquiry, pdType string
	inBBU := false
	flushVD := func() {
		if vd != nil {
			vd.RAIDLevel = megaRAID(primary, secondary, spans)
			r.VirtualDrives = append(r.VirtualDrives, *vd)
		}
		vd, spans, primary, secondary = nil, "", "", ""
	}
	flushPD := func() {
		if pd != nil {
			pd.SizeBytes = storcliSectors(coerced, sectorSize+"B")
			megaInquiry(pd, inquiry, pdType)
			r.PhysicalDrives = append(r.PhysicalDrives, *pd)
		}
		pd, sectorSize, coerced, enclosure, inquiry, pdType = nil, "", "", "", "", ""
	}
	seen := false
	for _, raw := range lines {
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		if m := adapterLine(line); m != nil {
			flushPD()
			flushVD()
			adapter = m[1]
			seen = true
			controller()
			inBBU = strings.HasPrefix(line, "BBU")
			continue
		}
		if strings.HasPrefix(line, "Exit Code:") {
			seen = true
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch {
		case key == "Virtual Drive" || key == "Virtual Disk":
			flushPD()
			flushVD()
			id, _, _ := strings.Cut(val, " ")
			vd = &VirtualDrive{Controller: adapter, ID: id, Status: VDOther}
			continue
		case key == "Enclosure Device ID":
			flushPD()
			pd = &PhysicalDrive{Controller: adapter, Status: PDOther}
			enclosure = val
			continue
		case key == "BatteryType" || (inBBU && key == "Battery State"):
			c := controller()
			if c.Backup == nil {
				c.Backup = &CacheBackup{Kind: "BBU"}
			}
			if key == "BatteryType" {
				c.Backup.Model = val
			} else {
				c.Backup.State = val
				c.Backup.Failed = c.Backup.Failed || backupFailed(val)
			}
			continue
		case inBBU && (key == "Battery Replacement required" || key == "Battery Pack Missing" || key == "Pack is about to fail & should be replaced"):
			if val == "Yes" {
				c := controller()
				if c.Backup == nil {
					c.Backup = &CacheBackup{Kind: "BBU"}
				}
				c.Backup.Failed = true
			}
			continue
		case key == "Product Name":
			controller().Model = val
			continue
		case key == "Serial No":
			controller().Serial = val
			continue
		case key == "FW Package Build":
			controller().Firmware = val
			continue
		}
		if pd != nil {
			switch key {
			case "Slot Number":
				pd.Location = enclosure + ":" + val
			case "Media Error Count":
				pd.MediaErrors = megaInt(val)
			case "Other Error Count":
				pd.OtherErrors = megaInt(val)
			case "Predictive Failure Count":
				if n := megaInt(val); n != nil {
					b := *n > 0 || (pd.PredictiveFailure != nil && *pd.PredictiveFailure)
					pd.PredictiveFailure = &b
				}
			case "Drive has flagged a S.M.A.R.T alert":
				if val == "Yes" {
					b := true
					pd.PredictiveFailure = &b
				}
			case "Coerced Size":
				coerced, pd.Size = val, strings.TrimSpace(strings.Split(val, "[")[0])
			case "Logical Sector Size":
				sectorSize = val
			case "Sector Size":
				if sectorSize == "" {
					sectorSize = val
				}
			case "Firmware state":
				pd.State = val
				pd.Status = megaPDStatus(val)
			case "Device Firmware Level":
				pd.Firmware = val
			case "Inquiry Data":
				inquiry = strings.TrimLeft(strings.SplitN(raw, ":", 2)[1], " ")
			case "PD Type":
				pdType = val
			}
			continue
		}
		if vd != nil {
			switch key {
			case "Name":
				vd.Name = val
			case "RAID Level":
				primary, secondary = megaLevels(val)
			case "Size":
				vd.Size = val
			case "State":
				vd.State = val
				vd.Status = megaVDStatus(val)
			case "Span Depth":
				spans = val
			}
		}
	}
	flushPD()
	flushVD()
	if !seen && len(r.PhysicalDrives) == 0 {
		return nil, fmt.Errorf("megacli: no adapter in the output")
	}
	return r, nil
}

var (
	megaAdapter = regexp.MustCompile(`(?i)^(?:.*\bfor )?Adapter(?: #|: ?)(\d+)\s*$`)
	megaLevel   = regexp.MustCompile(`Primary-(\d+), Secondary-(\d+)`)
)

// adapterLine matches "Adapter #0", "Adapter: 0", "BBU status for Adapter: 0"; the
// substring test first keeps the case-insensitive regexp off most lines.
func adapterLine(line string) []string {
	if !strings.Contains(strings.ToLower(line), "adapter") {
		return nil
	}
	return megaAdapter.FindStringSubmatch(line)
}

func megaInt(s string) *int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

func megaLevels(s string) (string, string) {
	if m := megaLevel.FindStringSubmatch(s); m != nil {
		return m[1], m[2]
	}
	return "", ""
}

// megaRAID: Primary-1 with more than one span is RAID10 (Secondary-0 is printed for
// both); Primary-5/6 with spans are RAID50/60.
func megaRAID(primary, secondary, spans string) string {
	if primary == "" {
		return ""
	}
	n, _ := strconv.Atoi(spans)
	if n > 1 || (secondary != "" && secondary != "0" && secondary != "3") {
		return "RAID" + primary + "0"
	}
	return "RAID" + primary
}

func megaVDStatus(s string) string {
	switch t := strings.ToLower(s); {
	case t == "optimal":
		return VDOptimal
	case strings.Contains(t, "degraded"):
		return VDDegraded
	case strings.HasPrefix(t, "offline"), strings.HasPrefix(t, "failed"):
		return VDOffline
	}
	return VDOther
}

// megaPDStatus reads "Online, Spun Up", "Unconfigured(good), Spun Up", "Failed",
// "Rebuild", "Hotspare, Spun down", "JBOD", "Offline", "Unconfigured(bad)", "Copyback".
func megaPDStatus(s string) string {
	t := strings.ToLower(strings.TrimSpace(strings.Split(s, ",")[0]))
	switch {
	case t == "online" || t == "jbod":
		return PDOnline
	case t == "failed" || t == "offline" || t == "unconfigured(bad)":
		return PDFailed
	case t == "rebuild" || t == "copyback":
		return PDRebuilding
	case t == "hotspare":
		return PDSpare
	case t == "unconfigured(good)":
		return PDUnconfigured
	}
	return PDOther
}

// megaInquiry reads the drive's inquiry string. For SATA drives MegaCli prints the
// serial, the model, then the firmware revision run into its end
// ("S1YHNXAG804005      SAMSUNG MZ7LM960HCHP-00003              GXT3003Q"); for SAS
// drives the SCSI INQUIRY fields in fixed columns: vendor (8), product (16), revision
// (4), then vendor-specific bytes ("IBM-ESXSST9146803SS     B53C6SD1LQ9C0324B53C"), whose
// serial part is not delimited, so no serial is taken. Anything else is kept whole as
// the model.
func megaInquiry(pd *PhysicalDrive, s, pdType string) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return
	}
	if pdType == "SAS" && len(s) >= 28 {
		pd.Model = strings.Join(strings.Fields(s[:8]+" "+s[8:24]), " ")
		if pd.Firmware == "" {
			pd.Firmware = strings.TrimSpace(s[24:28])
		}
		return
	}
	if pd.Firmware != "" && len(f) >= 3 && strings.HasSuffix(f[len(f)-1], pd.Firmware) {
		pd.Serial = f[0]
		pd.Model = strings.Join(f[1:len(f)-1], " ")
		return
	}
	pd.Model = strings.Join(f, " ")
}
