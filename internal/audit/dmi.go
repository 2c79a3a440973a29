package audit

import (
	"errors"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/parse/dmidecode"
	"github.com/beeaudit/bee/internal/probe"
)

// dmi runs `dmidecode -t <types>` and parses it.
func dmi(c *cctx, types string) ([]dmidecode.Record, error) {
	res := c.run(c.env.Timeouts.Dmidecode, "dmidecode", "-t", types)
	if err := toolErr(res); err != nil {
		return nil, err
	}
	recs, err := dmidecode.Parse(res.Stdout)
	var none *dmidecode.NoRecordsError
	switch {
	case errors.As(err, &none) && none.TableFound():
		return nil, nil // a table without records of these types
	case errors.As(err, &none) && strings.Contains(strings.Join(none.Lines, " "), "entry point"):
		return nil, skip("no SMBIOS/DMI table on this machine (%v)", err)
	case err != nil:
		return nil, err
	}
	return recs, nil
}

// collectBoard reads SMBIOS types 0, 1 and 2: `dmidecode -t 0,1,2`.
func collectBoard(c *cctx, p *parts) error {
	recs, err := dmi(c, "0,1,2")
	if err != nil {
		return err
	}
	if b, ok := dmidecode.BIOSInfo(recs); ok {
		p.bios = &BIOS{Vendor: cleanDMI(b.Vendor), Version: cleanDMI(b.Version), ReleaseDate: clean(b.ReleaseDate)}
		p.bios.ReleaseDateISO = isoDate(str(p.bios.ReleaseDate))
	}
	if s, ok := dmidecode.SystemInfo(recs); ok {
		p.system = &System{
			Manufacturer: cleanDMI(s.Manufacturer), ProductName: cleanDMI(s.ProductName),
			SerialNumber: cleanDMI(s.SerialNumber), UUID: cleanUUID(s.UUID), SKU: cleanDMI(s.SKU),
			Family: cleanDMI(s.Family), Version: cleanDMI(s.Version),
		}
	}
	if b, ok := dmidecode.BaseBoard(recs); ok {
		p.board = &Board{Manufacturer: cleanDMI(b.Manufacturer), ProductName: cleanDMI(b.ProductName),
			SerialNumber: cleanDMI(b.SerialNumber), Version: cleanDMI(b.Version)}
	}
	if p.system == nil && p.board == nil && p.bios == nil {
		return errors.New("dmidecode -t 0,1,2: no BIOS, system or board record")
	}
	return nil
}

// isoDate turns an SMBIOS BIOS release date, "MM/DD/YYYY" (e.g. "08/13/2020"),
// into "2020-08-13"; nil for anything else, including the two-digit years
// of SMBIOS before 2.3, whose century the string does not say.
func isoDate(s string) *string {
	t, err := time.Parse("01/02/2006", strings.TrimSpace(s))
	if err != nil || len(strings.TrimSpace(s)) != len("01/02/2006") {
		return nil
	}
	return ptr(t.Format("2006-01-02"))
}

// cleanUUID drops the all-zero/all-F UUIDs firmware uses for "unset".
func cleanUUID(s string) *string {
	u := clean(s)
	if u == nil {
		return nil
	}
	hex := strings.ToLower(strings.ReplaceAll(*u, "-", ""))
	if strings.Trim(hex, "0") == "" || strings.Trim(hex, "f") == "" {
		return nil
	}
	if strings.HasPrefix(strings.ToLower(*u), "not ") {
		return nil
	}
	return u
}

// collectCPU reads SMBIOS type 4: `dmidecode -t 4`.
func collectCPU(c *cctx, p *parts) error {
	recs, err := dmi(c, "4")
	if err != nil {
		return err
	}
	p.cpus = []CPU{}
	for _, pr := range dmidecode.Processors(recs) {
		cpu := CPU{
			Socket: clean(pr.Socket), Populated: pr.Populated, Status: clean(pr.Status),
		}
		if pr.Populated {
			cpu.Manufacturer = cleanDMI(pr.Manufacturer)
			cpu.Model = cleanDMI(pr.Version)
			cpu.Cores, cpu.Threads, cpu.MaxSpeedMHz = pr.Cores, pr.Threads, pr.MaxSpeedMHz
			cpu.SerialNumber = cleanDMI(pr.SerialNumber)
		}
		p.cpus = append(p.cpus, cpu)
	}
	return nil
}

// collectMemory reads every SMBIOS type 17 device (`dmidecode -t 17`) and the
// arrays they belong to (`dmidecode -t 16`), the kernel's MemTotal
// (/proc/meminfo) and the EDAC counters
// (/sys/devices/system/edac/mc/mc*/{ce,ue}_count). Only devices of "System
// Memory" arrays (or of arrays not known) are slots; the others, such as
// the BIOS flash chip of Supermicro X8 boards, are listed apart and counted
// nowhere. Totals stay null (unknown) when type 17 cannot be read.
func collectMemory(c *cctx, p *parts) error {
	m := &Memory{}
	p.memory = m
	m.KernelBytes = memTotal(c)
	m.EDAC = readEDAC(c)
	recs, err := dmi(c, "17")
	if err != nil {
		return err
	}
	var arrays []dmidecode.MemoryArray
	arrayRecs, arraysErr := dmi(c, "16")
	if arraysErr != nil {
		c.problem("%v (memory arrays unknown: every memory device counted as a slot)", arraysErr)
	} else {
		arrays = dmidecode.MemoryArrays(arrayRecs)
		m.OtherDevices = []MemoryDevice{}
	}
	m.DIMMs = []DIMM{}
	var total int64
	sizeKnown := true
	for _, d := range dmidecode.MemoryDevices(recs) {
		if !dmidecode.IsSystemMemory(d, arrays) {
			m.OtherDevices = append(m.OtherDevices, otherDevice(d, arrays))
			continue
		}
		dimm := DIMM{Locator: clean(d.Locator), BankLocator: clean(d.BankLocator), Populated: d.Populated}
		if d.Populated {
			dimm.SizeBytes = d.SizeBytes
			dimm.Type = clean(d.Type)
			dimm.SpeedMTs, dimm.ConfiguredSpeedMTs = d.SpeedMTs, d.ConfiguredSpeedMTs
			dimm.Manufacturer = cleanDMI(d.Manufacturer)
			if name := decodeJEDEC(d.Manufacturer); name != "" {
				dimm.ManufacturerID, dimm.Manufacturer = dimm.Manufacturer, &name
			}
			dimm.SerialNumber = cleanDMI(d.SerialNumber)
			dimm.PartNumber = cleanDMI(d.PartNumber)
			if d.SizeBytes != nil {
				total += *d.SizeBytes
			} else {
				sizeKnown = false
			}
		}
		m.DIMMs = append(m.DIMMs, dimm)
	}
	populated := 0
	for _, d := range m.DIMMs {
		if d.Populated {
			populated++
		}
	}
	m.SlotsTotal, m.SlotsPopulated = ptr(len(m.DIMMs)), ptr(populated)
	if sizeKnown {
		m.TotalBytes = ptr(total)
	}
	return nil
}

// otherDevice describes a type 17 device that is not a memory slot.
func otherDevice(d dmidecode.MemoryDevice, arrays []dmidecode.MemoryArray) MemoryDevice {
	o := MemoryDevice{Locator: clean(d.Locator), BankLocator: clean(d.BankLocator), Type: clean(d.Type),
		SizeBytes: d.SizeBytes, Manufacturer: cleanDMI(d.Manufacturer), PartNumber: cleanDMI(d.PartNumber)}
	for _, a := range arrays {
		if strings.EqualFold(a.Handle, d.ArrayHandle) {
			o.ArrayUse = clean(a.Use)
		}
	}
	return o
}

// memTotal reads MemTotal from /proc/meminfo, in bytes.
func memTotal(c *cctx) *int64 {
	mi, err := probe.ReadMeminfo(c.env.FS)
	if err != nil {
		return nil
	}
	return mi.Total
}

// readEDAC sums the memory controllers' corrected/uncorrected error counters;
// nil when no EDAC driver is loaded (absence is not an error).
func readEDAC(c *cctx) *EDAC {
	mcs, err := probe.ReadEDAC(c.env.FS, []string{probe.EDACCorrected, probe.EDACUncorrected}, true)
	if err != nil || len(mcs) == 0 {
		return nil
	}
	e := &EDAC{Controllers: len(mcs)}
	for _, mc := range mcs {
		if v, _ := mc.Counter(probe.EDACCorrected); v.OK {
			e.Corrected += v.Value
		}
		if v, _ := mc.Counter(probe.EDACUncorrected); v.OK {
			e.Uncorrected += v.Value
		}
		for _, d := range mc.DIMMs {
			label := mc.Name + "/" + d.Name
			if d.Label != nil {
				if l := clean(string(d.Label)); l != nil {
					label = *l
				}
			}
			e.DIMMs = append(e.DIMMs, EDACDIMM{Label: label, Corrected: d.CE.Value, Uncorrected: d.UE.Value})
		}
	}
	return e
}
