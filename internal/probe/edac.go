package probe

import (
	"strconv"
	"strings"

	"github.com/beeaudit/bee/internal/host"
)

// EDACDir holds one mc<N> folder per memory controller an EDAC driver registered
// (Documentation/admin-guide/ras.rst of the kernel).
const EDACDir = "/sys/devices/system/edac/mc"

// EDAC counter files of a memory controller.
const (
	EDACCorrected         = "ce_count"
	EDACCorrectedNoInfo   = "ce_noinfo_count"
	EDACUncorrected       = "ue_count"
	EDACUncorrectedNoInfo = "ue_noinfo_count"
)

// EDACController is one memory controller's counters.
type EDACController struct {
	Name string // "mc0"
	// Counters are the files asked for, in the order asked.
	Counters []Counter
	// DIMMs are its dimm*/rank* folders that have a count (only when asked for).
	DIMMs []EDACDIMM
}

// Counter returns the counter read from file (ce_count, ...); ok is false when it was
// not asked for.
func (m EDACController) Counter(file string) (c Counter, ok bool) {
	for _, c := range m.Counters {
		if strings.HasSuffix(c.Path, "/"+file) {
			return c, true
		}
	}
	return Counter{}, false
}

// EDACDIMM is one dimm*/rank* folder of a controller: dimm_ce_count, dimm_ue_count
// and dimm_label.
type EDACDIMM struct {
	Name   string // "dimm0", "rank3"
	CE, UE Counter
	// Label is dimm_label as read (nil when absent): the firmware's slot name.
	Label []byte
}

// ReadEDAC lists the memory controllers under EDACDir (folders mc<N>, sorted by
// name) and reads files of each; with dimms, also each controller's per-DIMM
// counters. err is EDACDir's: host.IsNotExist(err) means no EDAC driver is loaded.
func ReadEDAC(fs host.FS, files []string, dimms bool) ([]EDACController, error) {
	names, err := fs.ReadDir(EDACDir)
	if err != nil {
		return nil, err
	}
	var mcs []EDACController
	for _, n := range names {
		if !strings.HasPrefix(n, "mc") {
			continue
		}
		if _, err := strconv.Atoi(n[2:]); err != nil {
			continue
		}
		dir := EDACDir + "/" + n
		mc := EDACController{Name: n}
		for _, f := range files {
			mc.Counters = append(mc.Counters, readCounter(fs, dir+"/"+f))
		}
		if dimms {
			subs, _ := fs.ReadDir(dir)
			for _, d := range subs {
				if !strings.HasPrefix(d, "dimm") && !strings.HasPrefix(d, "rank") {
					continue
				}
				dm := EDACDIMM{Name: d, CE: readCounter(fs, dir+"/"+d+"/dimm_ce_count"), UE: readCounter(fs, dir+"/"+d+"/dimm_ue_count")}
				if !dm.CE.OK && !dm.UE.OK {
					continue
				}
				if b, err := fs.ReadFile(dir + "/" + d + "/dimm_label"); err == nil {
					dm.Label = b
				}
				mc.DIMMs = append(mc.DIMMs, dm)
			}
		}
		mcs = append(mcs, mc)
	}
	return mcs, nil
}
