package raid

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func i64(v int64) *int64 { return &v }
func bp(v bool) *bool    { return &v }

// Focused values read from the raw captures by hand.
func TestStorcliValues(t *testing.T) {
	// MegaRAID M5015: controller, iBBU08 Optimal, one RAID6 VD "Sluthub", 6 drives.
	r, err := ParseStorcli(read(t, "storcli_megaraid-controllers-info_cALL-show-all-J.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := Controller{ID: "0", Model: "ServeRAID M5015 SAS/SATA Controller", Serial: "SV04616189", Firmware: "2.130.403-4660",
		Status: "Optimal", Backup: &CacheBackup{Kind: "BBU", Model: "iBBU08", State: "Optimal"}}
	if diff := cmp.Diff([]Controller{want}, r.Controllers); diff != "" {
		t.Errorf("controllers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]VirtualDrive{{Controller: "0", ID: "0/0", Name: "Sluthub", RAIDLevel: "RAID6", Size: "58.207 TB", State: "Optl", Status: VDOptimal}}, r.VirtualDrives); diff != "" {
		t.Errorf("vds (-want +got):\n%s", diff)
	}
	if len(r.PhysicalDrives) != 6 || r.PhysicalDrives[0].Location != "252:0" || r.PhysicalDrives[0].Model != "ST16000NM001G-2KK103" {
		t.Errorf("pds = %+v", r.PhysicalDrives)
	}

	// Per-drive detail: serial and firmware trimmed of padding, counters, exact size.
	r, err = ParseStorcli(read(t, "storcli_megaraid-drives-info_eALL-sALL-show-all-J.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := r.PhysicalDrives[0]
	wantPD := PhysicalDrive{Controller: "0", Location: "252:0", Model: "ST16000NM001G-2KK103", Serial: "ZL2PVFA8", Firmware: "SN03",
		Size: "14.551 TB", SizeBytes: i64(0x746a52800 * 512), State: "Onln", Status: PDOnline,
		MediaErrors: i64(0), OtherErrors: i64(0), PredictiveFailure: bp(false)}
	if diff := cmp.Diff(wantPD, p); diff != "" {
		t.Errorf("pd (-want +got):\n%s", diff)
	}

	// HBA: drives under "Physical Device Information", JBOD, counters N/A → unknown.
	r, err = ParseStorcli(read(t, "storcli_mpt3sas-hba_cALL-show-all-J.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.PhysicalDrives) != 29 || r.PhysicalDrives[0].Status != PDOnline || r.PhysicalDrives[0].MediaErrors != nil || r.PhysicalDrives[0].PredictiveFailure != nil {
		t.Errorf("HBA pds = %d, first %+v", len(r.PhysicalDrives), r.PhysicalDrives[0])
	}
	if r.Controllers[0].Model != "HBA 9500-8i" || r.Controllers[0].Firmware != "28.00.00.00" || len(r.VirtualDrives) != 0 {
		t.Errorf("HBA = %+v", r.Controllers)
	}
}

func TestStorcliFailedCommand(t *testing.T) {
	in := `{"Controllers":[{"Command Status":{"CLI Version":"007.2807","Controller":0,"Status":"Failure","Description":"Controller 0 not found"}}]}`
	if _, err := ParseStorcli([]byte(in)); err == nil || !strings.Contains(err.Error(), "Controller 0 not found") {
		t.Errorf("err = %v", err)
	}
	for _, bad := range []string{"", "not json", `{"Controllers":[]}`, `{"Controllers":[{}]}`} {
		if _, err := ParseStorcli([]byte(bad)); err == nil {
			t.Errorf("ParseStorcli(%q): want an error", bad)
		}
	}
}

// The judge on real captures with one state changed in memory (the captures themselves
// are healthy); each case proves one rule.
func TestJudgeRules(t *testing.T) {
	ctl := string(read(t, "storcli_megaraid-controllers-info_cALL-show-all-J.json"))
	drv := string(read(t, "storcli_megaraid-drives-info_eALL-sALL-show-all-J.json"))
	for _, tc := range []struct {
		name, in, from, to string
		parse              func([]byte) (*Report, error)
		severity, contains string
	}{
		{"vd degraded", ctl, `"State": "Optl",
            "Access"`, `"State": "Dgrd",
            "Access"`, ParseStorcli, SeverityFailure, "vd 0/0"},
		{"vd offline", ctl, `"State": "Optl",
            "Access"`, `"State": "OfLn",
            "Access"`, ParseStorcli, SeverityFailure, "offline"},
		{"vd rebuilding (sas3ircu)", string(read(t, "sas3ircu_display_raid1-volume.txt")), "Okay (OKY)", "Degraded (DGD)", ParseSASIrcu, SeverityFailure, "degraded"},
		{"pd failed", ctl, `"EID:Slt": "252:0",
            "DID": 34,
            "State": "Onln"`, `"EID:Slt": "252:0",
            "DID": 34,
            "State": "UBad"`, ParseStorcli, SeverityFailure, "pd 252:0"},
		{"pd rebuilding is not judged, the VD is", ctl, `"EID:Slt": "252:0",
            "DID": 34,
            "State": "Onln"`, `"EID:Slt": "252:0",
            "DID": 34,
            "State": "Rbld"`, ParseStorcli, "", ""},
		{"predictive failure", drv, `"Predictive Failure Count": 0`, `"Predictive Failure Count": 3`, ParseStorcli, SeverityFailure, "predictive failure"},
		{"smart alert", drv, `"S.M.A.R.T alert flagged by drive": "No"`, `"S.M.A.R.T alert flagged by drive": "Yes"`, ParseStorcli, SeverityFailure, "predictive failure"},
		{"media errors", drv, `"Media Error Count": 0`, `"Media Error Count": 12`, ParseStorcli, SeverityWarning, "12 media errors"},
		{"bbu failed", ctl, `"State": "Optimal",
            "RetentionTime"`, `"State": "Failed",
            "RetentionTime"`, ParseStorcli, SeverityFailure, "BBU iBBU08: Failed"},
		{"megacli bbu replacement", string(read(t, "megacli_bbu-info.txt")), "Battery Replacement required            : No", "Battery Replacement required            : Yes", ParseMegaCLI, SeverityFailure, "BBU iBBU08"},
		{"ssacli interim recovery", string(read(t, "ssacli_p408i-a_ctrl-all-show-config-detail.txt")), "         Status: OK\n         Unrecoverable", "         Status: Interim Recovery Mode\n         Unrecoverable", ParseSSACLI, SeverityFailure, "degraded"},
		{"ssacli recovering", string(read(t, "ssacli_p408i-a_ctrl-all-show-config-detail.txt")), "         Status: OK\n         Unrecoverable", "         Status: Recovering, 45% complete\n         Unrecoverable", ParseSSACLI, SeverityWarning, "rebuilding"},
		{"arcconf pd failed", string(read(t, "arcconf_getconfig-pd-current.txt")), "State                              : Online", "State                              : Failed", ParseArcconf, SeverityFailure, "pd 0,1"},
		{"megacli pd failed", string(read(t, "megacli_pdlist.txt")), "Firmware state: Online, Spun Up", "Firmware state: Failed", ParseMegaCLI, SeverityFailure, "pd 32:0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(tc.in, tc.from) {
				t.Fatalf("capture does not contain %q", tc.from)
			}
			r, err := tc.parse([]byte(strings.Replace(tc.in, tc.from, tc.to, 1)))
			if err != nil {
				t.Fatal(err)
			}
			f := Judge(r)
			if tc.severity == "" {
				if len(f) != 0 {
					t.Errorf("findings = %+v, want none", f)
				}
				return
			}
			if len(f) != 1 || f[0].Severity != tc.severity || !strings.Contains(f[0].Component+" "+f[0].Message, tc.contains) {
				t.Errorf("findings = %+v, want one %s containing %q", f, tc.severity, tc.contains)
			}
		})
	}
}

func TestSSACLIValues(t *testing.T) {
	// P400i: failed battery, cache temporarily disabled, RAID1 LD, two unassigned drives.
	r, err := ParseSSACLI(read(t, "ssacli_p400i_unassigned-drives.txt"))
	if err != nil {
		t.Fatal(err)
	}
	c := r.Controllers[0]
	if c.Model != "Smart Array P400i" || c.ID != "0" || c.Firmware != "7.24-0" || c.CacheStatus != "Temporarily Disabled" ||
		c.Backup == nil || !c.Backup.Failed || c.Backup.State != "Failed (Replace Batteries)" {
		t.Errorf("controller = %+v %+v", c, c.Backup)
	}
	f := Judge(r)
	if len(f) != 1 || f[0].Component != "controller 0" {
		t.Errorf("findings = %+v", f)
	}
	var unassigned int
	for _, p := range r.PhysicalDrives {
		if p.Status == PDUnconfigured {
			unassigned++
		}
	}
	if len(r.PhysicalDrives) != 4 || unassigned != 2 || r.VirtualDrives[0].RAIDLevel != "RAID1" {
		t.Errorf("drives %+v, vds %+v", r.PhysicalDrives, r.VirtualDrives)
	}
	// P408i-a: Fault Tolerance 6, label, model without the ATA padding.
	r, err = ParseSSACLI(read(t, "ssacli_p408i-a_ctrl-all-show-config-detail.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if v := r.VirtualDrives[0]; v.RAIDLevel != "RAID6" || v.Name != "LD-SSD" || v.Size != "1.75 TB" {
		t.Errorf("vd = %+v", v)
	}
	if p := r.PhysicalDrives[0]; p.Location != "2I:1:1" || p.Model != "MTFDDAK960TCB" || p.Firmware != "D0MU075" {
		t.Errorf("pd = %+v", p)
	}
}

func TestOtherToolsValues(t *testing.T) {
	r, err := ParseSASIrcu(read(t, "sas3ircu_display_raid1-volume.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// The enclosure services device (BP14G+) is not a drive; the arcconf block the
	// publisher appended after "Command DISPLAY Completed" is not read.
	if r.Tool != "sas3ircu" || len(r.PhysicalDrives) != 2 || len(r.VirtualDrives) != 1 || r.VirtualDrives[0].ID != "286" ||
		r.PhysicalDrives[1].Serial != "BNA7N5994ICB47T3S" || *r.PhysicalDrives[0].SizeBytes != 937703087*512 {
		t.Errorf("sas3ircu = %+v", r)
	}
	r, err = ParseArcconf(read(t, "arcconf_getconfig-ld-current.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if v := r.VirtualDrives[0]; v.RAIDLevel != "RAID10" || v.Name != "LogicalDrv 0" || *v.SizeBytes != 915446<<20 || v.Status != VDOptimal {
		t.Errorf("arcconf ld = %+v", v)
	}
	r, err = ParseMegaCLI(read(t, "megacli_pdlist.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if p := r.PhysicalDrives[0]; p.Serial != "S1YHNXAG804005" || p.Model != "SAMSUNG MZ7LM960HCHP-00003" || p.Location != "32:0" {
		t.Errorf("megacli pd = %+v", p)
	}
	for name, parse := range map[string]func([]byte) (*Report, error){"sasircu": ParseSASIrcu, "arcconf": ParseArcconf, "ssacli": ParseSSACLI, "megacli": ParseMegaCLI} {
		if _, err := parse([]byte("command not found\n")); err == nil {
			t.Errorf("%s: unrelated text: want an error", name)
		}
	}
}

func TestRAIDLevel(t *testing.T) {
	for in, want := range map[string]string{"RAID6": "RAID6", "RAID 1": "RAID1", "1": "RAID1", "10": "RAID10", "1+0": "RAID10", "ADG": "ADG", "RAID1E": "RAID1E"} {
		if got := raidLevel(in); got != want {
			t.Errorf("raidLevel(%q) = %q, want %q", in, got, want)
		}
	}
	if ssacliRAID("ADG") != "RAID6" || ssacliRAID("1+0 (ADM)") != "RAID10 (ADM)" {
		t.Error("ssacliRAID")
	}
}

// FuzzParsers runs every parser on one input: none may panic, and a report's drives
// name their status from the fixed set.
func FuzzParsers(f *testing.F) {
	for _, name := range []string{"storcli_hpe-mr216i-a_cALL-show-all-J.json", "megacli_bbu-info.txt", "megacli_pdlist.txt",
		"sas3ircu_display_raid1-volume.txt", "ssacli_p400i_unassigned-drives.txt", "arcconf_getconfig-ld-current.txt"} {
		data := read(f, name)
		if len(data) > 4000 {
			data = data[:4000] // the format's head; keeps each run (CI: 10000) cheap
		}
		f.Add(data)
	}
	valid := map[string]bool{PDOnline: true, PDFailed: true, PDRebuilding: true, PDSpare: true, PDUnconfigured: true, PDOther: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, parse := range []func([]byte) (*Report, error){ParseStorcli, ParseMegaCLI, ParseSASIrcu, ParseSSACLI, ParseArcconf} {
			r, err := parse(data)
			if (r == nil) == (err == nil) {
				t.Fatalf("want a report or an error: %v, %v", r, err)
			}
			if r == nil {
				continue
			}
			for _, p := range r.PhysicalDrives {
				if p.Status != "" && !valid[p.Status] {
					t.Fatalf("status %q", p.Status)
				}
			}
			Judge(r)
		}
	})
}

// What each failure capture was added to prove, read from the raw files.
func TestFailureCaptures(t *testing.T) {
	for _, tc := range []struct {
		name  string
		parse func([]byte) (*Report, error)
		want  []Finding
	}{
		{"arcconf_getconfig-al_adaptec-2025s_ld-degraded_pd-failed.txt", ParseArcconf, []Finding{
			{SeverityFailure, "vd 0", "RAID1 raid1 is degraded (Degraded)"},
			{SeverityFailure, "pd 0,1", "*MISSING* failed (Failed)"},
		}},
		// The rebuilding disk is not judged on its own: its degraded RAID10 is.
		{"arcconf_getconfig-al_adaptec-6405_raid10-degraded_pd-rebuilding.txt", ParseArcconf, []Finding{
			{SeverityFailure, "vd 0", "RAID10 data is degraded (Degraded)"},
		}},
		{"megacli_pdlist_media-errors_predictive-failure.txt", ParseMegaCLI, []Finding{
			{SeverityWarning, "pd 252:2 on controller 0", "IBM-ESXS CBRCA300C3ETS0 N: 8 media errors"},
			{SeverityFailure, "pd 252:5 on controller 0", "IBM-ESXS ST9300603SS F: predictive failure"},
			{SeverityWarning, "pd 252:5 on controller 0", "IBM-ESXS ST9300603SS F: 94 media errors"},
		}},
		{"megacli_pdlist_predictive-failure-count-423.txt", ParseMegaCLI, []Finding{
			{SeverityFailure, "pd 252:2 on controller 0", "IBM-ESXSM: predictive failure"},
			{SeverityWarning, "pd 252:2 on controller 0", "IBM-ESXSM: 71 media errors"},
		}},
		{"megacli_bbu_replacement-required.txt", ParseMegaCLI, []Finding{
			{SeverityFailure, "controller 0", "BBU iBBU: failed or to be replaced (no state printed)"},
		}},
		{"sas2ircu_display_5-drives-ready.txt", ParseSASIrcu, nil},
	} {
		r, err := tc.parse(read(t, tc.name))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if diff := cmp.Diff(tc.want, Judge(r)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	// Older arcconf: "Status : Not Installed" is no battery at all, not a failed one.
	r, _ := ParseArcconf(read(t, "arcconf_getconfig-al_adaptec-2025s_ld-degraded_pd-failed.txt"))
	if r.Controllers[0].Backup != nil || r.Controllers[0].Model != "Adaptec 2025S" || r.Controllers[0].Firmware != "4.2-1 (7373)" {
		t.Errorf("2025S controller = %+v", r.Controllers[0])
	}
	r, _ = ParseSASIrcu(read(t, "sas2ircu_display_5-drives-ready.txt"))
	if r.Tool != "sas2ircu" || len(r.PhysicalDrives) != 12 || r.PhysicalDrives[0].Serial != "S3007ZKX" || r.PhysicalDrives[0].Location != "2:0" {
		t.Errorf("sas2ircu = %+v", r.PhysicalDrives[:1])
	}
}

// storcli's plain `/cN show J` names the controller at the top of Response Data, and
// some versions print Cachevault_Info as one object. The shape is that of storcli's
// output; the values are made up (no capture of this form was found).
func TestStorcliShowForm(t *testing.T) {
	in := `{"Controllers":[{"Command Status":{"Controller":0,"Status":"Success","Description":"None"},
"Response Data":{"Product Name":"PERC H730P Mini","Serial Number":"X","FW Version":"4.300.00-8352",
"VD LIST":[{"DG/VD":"0/0","TYPE":"RAID1","State":"Pdgd","Size":"278.875 GB","Name":""}],
"PD LIST":[{"EID:Slt":"32:0","DID":0,"State":"Onln","Size":"278.875 GB","Model":"A"},{"EID:Slt":"32:1","DID":1,"State":"Offln","Size":"278.875 GB","Model":"B"}],
"Cachevault_Info":{"Model":"CVPM02","State":"Degraded(Need Replacement)"}}}]}`
	r, err := ParseStorcli([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{
		{SeverityFailure, "controller 0", "CacheVault CVPM02: Degraded(Need Replacement)"},
		{SeverityFailure, "vd 0/0 on controller 0", "RAID1 is degraded (Pdgd)"},
		{SeverityFailure, "pd 32:1 on controller 0", "B failed (Offln)"},
	}
	if diff := cmp.Diff(want, Judge(r)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if r.Controllers[0].Model != "PERC H730P Mini" || r.Controllers[0].Firmware != "4.300.00-8352" {
		t.Errorf("controller = %+v", r.Controllers[0])
	}
}
