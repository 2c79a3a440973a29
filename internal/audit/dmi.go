package audit

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/parse/dmidecode"
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
	b, err := c.env.FS.ReadFile("/proc/meminfo")
	if err != nil {
		return nil
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return nil
			}
			return ptr(kb * 1024)
		}
	}
	return nil
}

// readEDAC sums the memory controllers' corrected/uncorrected error counters;
// nil when no EDAC driver is loaded (absence is not an error).
func readEDAC(c *cctx) *EDAC {
	const base = "/sys/devices/system/edac/mc"
	names, err := c.env.FS.ReadDir(base)
	if err != nil {
		return nil
	}
	e := &EDAC{}
	for _, n := range names {
		if !strings.HasPrefix(n, "mc") {
			continue
		}
		if _, err := strconv.Atoi(strings.TrimPrefix(n, "mc")); err != nil {
			continue
		}
		e.Controllers++
		mc := base + "/" + n
		if v, ok := readInt(c, mc+"/ce_count"); ok {
			e.Corrected += v
		}
		if v, ok := readInt(c, mc+"/ue_count"); ok {
			e.Uncorrected += v
		}
		subs, _ := c.env.FS.ReadDir(mc)
		for _, d := range subs {
			if !strings.HasPrefix(d, "dimm") && !strings.HasPrefix(d, "rank") {
				continue
			}
			ce, ok1 := readInt(c, mc+"/"+d+"/dimm_ce_count")
			ue, ok2 := readInt(c, mc+"/"+d+"/dimm_ue_count")
			if !ok1 && !ok2 {
				continue
			}
			label := n + "/" + d
			if b, err := c.env.FS.ReadFile(mc + "/" + d + "/dimm_label"); err == nil {
				if l := clean(string(b)); l != nil {
					label = *l
				}
			}
			e.DIMMs = append(e.DIMMs, EDACDIMM{Label: label, Corrected: ce, Uncorrected: ue})
		}
	}
	if e.Controllers == 0 {
		return nil
	}
	return e
}

func readInt(c *cctx, name string) (int64, bool) {
	b, err := c.env.FS.ReadFile(name)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return v, err == nil
}
