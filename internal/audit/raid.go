package audit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/raid"
)

// raidTools are the RAID controllers' own tools bee asks (iso/vendor/README.md),
// each with the commands whose output internal/parse/raid reads. sas2ircu,
// sas3ircu and arcconf are asked about their first controller only (0, 1).
var raidTools = []struct {
	argvs [][]string
	parse func([]byte) (*raid.Report, error)
}{
	{[][]string{{"storcli64", "/cALL", "show", "all", "J"}, {"storcli64", "/cALL/eALL/sALL", "show", "all", "J"}}, raid.ParseStorcli},
	{[][]string{{"sas2ircu", "0", "DISPLAY"}}, raid.ParseSASIrcu},
	{[][]string{{"sas3ircu", "0", "DISPLAY"}}, raid.ParseSASIrcu},
	{[][]string{{"arcconf", "GETCONFIG", "1", "AL"}}, raid.ParseArcconf},
	{[][]string{{"ssacli", "ctrl", "all", "show", "config", "detail"}}, raid.ParseSSACLI},
}

// collectRAID asks every RAID tool that is on PATH about its controllers,
// virtual and physical drives. Skipped when none is installed.
func collectRAID(c *cctx, p *parts) error {
	found := false
	reports := []raid.Report{}
	for _, t := range raidTools {
		for i, argv := range t.argvs {
			res := c.run(c.env.Timeouts.RAID, argv...)
			if errors.Is(res.Err, host.ErrNotFound) {
				break
			}
			found = true
			if err := toolErr(res); err != nil {
				c.problem("%v", err)
				break
			}
			r, err := t.parse(res.Stdout)
			if err != nil {
				c.problem("%s: %v", strings.Join(argv, " "), err)
				break
			}
			if i == 0 {
				reports = append(reports, *r)
				continue
			}
			// storcli's per-drive read: its drives replace the controller read's
			// drive list (same drives, with serials and error counters).
			last := &reports[len(reports)-1]
			if len(r.PhysicalDrives) > 0 {
				last.PhysicalDrives = r.PhysicalDrives
			}
		}
	}
	if !found {
		return skip("no RAID tool on PATH (storcli64, sas2ircu, sas3ircu, arcconf, ssacli)")
	}
	p.raid = reports
	return nil
}

// Finding codes of RAID controllers (docs/findings.md).
const (
	CodeRAIDController = "RAID_CONTROLLER" // failure: the cache backup unit (BBU, CacheVault) failed
	CodeRAIDVD         = "RAID_VD"         // failure: a virtual drive degraded or offline; warning: rebuilding
	CodeRAIDPD         = "RAID_PD"         // failure: a drive failed or predicts failure; warning: media errors
)

func raidFindings(l *findingList, h *Hardware) {
	for _, r := range h.RAID {
		for _, f := range raid.Judge(&r) {
			code := CodeRAIDController
			switch {
			case strings.HasPrefix(f.Component, "vd "):
				code = CodeRAIDVD
			case strings.HasPrefix(f.Component, "pd "):
				code = CodeRAIDPD
			}
			sev := SeverityWarning
			if f.Severity == raid.SeverityFailure {
				sev = SeverityFailure
			}
			l.add(sev, fmt.Sprintf("raid:%s %s", r.Tool, f.Component), code, "%s", f.Message)
		}
	}
}
