package audit

import "testing"

// TestRAIDOnRealCaptures: storcli64's two reads of a MegaRAID server (real
// captures), and no other RAID tool installed.
func TestRAIDOnRealCaptures(t *testing.T) {
	a := runAudit(t, map[string]fakeOut{
		"storcli64 /cALL show all J":           {file: fx("raid", "storcli_megaraid-controllers-info_cALL-show-all-J.json")},
		"storcli64 /cALL/eALL/sALL show all J": {file: fx("raid", "storcli_megaraid-drives-info_eALL-sALL-show-all-J.json")},
	}, nil)
	if len(a.Hardware.RAID) != 1 {
		t.Fatalf("raid = %+v, want one storcli report", a.Hardware.RAID)
	}
	r := a.Hardware.RAID[0]
	if r.Tool != "storcli" || len(r.Controllers) == 0 || len(r.PhysicalDrives) == 0 || r.PhysicalDrives[0].Serial == "" {
		t.Errorf("report = %+v, want controllers and the per-drive read's drives (with serials)", r)
	}
	for _, c := range a.Collectors {
		if c.Name == "raid" && c.Status != StatusOK {
			t.Errorf("raid collector = %+v", c)
		}
	}
}

// TestRAIDDegradedArray: an Adaptec 6405 with a degraded RAID 10 and a drive
// rebuilding (real arcconf capture) gives RAID_VD findings.
func TestRAIDDegradedArray(t *testing.T) {
	a := runAudit(t, map[string]fakeOut{
		"arcconf GETCONFIG 1 AL": {file: fx("raid", "arcconf_getconfig-al_adaptec-6405_raid10-degraded_pd-rebuilding.txt")},
	}, nil)
	got := map[string]bool{}
	for _, f := range a.Hardware.Summary.Findings {
		got[f.Code+"/"+f.Severity] = true
	}
	if !got[CodeRAIDVD+"/failure"] {
		t.Errorf("findings %+v, want a RAID_VD failure", a.Hardware.Summary.Findings)
	}
}

// TestRAIDNoTool: no RAID tool → skipped with a reason, raid null.
func TestRAIDNoTool(t *testing.T) {
	a := runAudit(t, map[string]fakeOut{}, nil)
	for _, c := range a.Collectors {
		if c.Name == "raid" && (c.Status != StatusSkipped || c.SkipReason == nil) {
			t.Errorf("raid collector = %+v", c)
		}
	}
	if a.Hardware.RAID != nil {
		t.Errorf("raid = %+v, want null", a.Hardware.RAID)
	}
}
