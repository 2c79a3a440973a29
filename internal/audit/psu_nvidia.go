package audit

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/ipmitool"
	"github.com/beeaudit/bee/internal/parse/nvidiasmi"
	"github.com/beeaudit/bee/internal/probe"
	"github.com/beeaudit/bee/internal/report"
)

// collectPSU reads the BMC's FRU inventory (`ipmitool fru`) and sensor
// records (`ipmitool sdr elist`). It is skipped, silently, when the machine has
// no /dev/ipmi0 (no BMC, or ipmi_si/ipmi_devintf not loaded).
func collectPSU(c *cctx, p *parts) error {
	if !probe.HasBMC(c.env.FS) {
		return skip("no /dev/ipmi0: no BMC, or the ipmi_si/ipmi_devintf modules are not loaded")
	}
	bmc := probe.ReadBMC(c.runFunc(c.env.Timeouts.Ipmitool))
	fru, sdr := bmc.FRU, bmc.SDR

	if err := toolErr(sdr); err != nil {
		return err
	}
	sensors, err := ipmitool.ParseSDR(sdr.Stdout)
	if err != nil {
		return fmt.Errorf("ipmitool sdr elist: %w", err)
	}
	p.sensors = sensorsFrom(sensors)
	var frus []ipmitool.FRU
	// `ipmitool fru` exits non-zero when one FRU of many cannot be read while
	// still printing the others: keep what parsed, report the failure.
	if fru.Err != nil {
		c.problem("%s", fru.Describe())
	} else if frus, err = ipmitool.ParseFRU(fru.Stdout); err != nil && fru.ExitCode == 0 {
		c.problem("ipmitool fru: %v", err)
	} else if fru.ExitCode != 0 && len(frus) == 0 {
		c.problem("%s", fru.Describe())
	}
	for _, ps := range ipmitool.PSUs(frus, sensors) {
		p.psus = append(p.psus, PSU{
			Name: ps.Name, Manufacturer: clean(ps.Manufacturer), Model: clean(ps.Model),
			SerialNumber: clean(ps.SerialNumber), PartNumber: clean(ps.PartNumber),
			Status: ps.Status, Events: ps.Events,
		})
	}
	sort.SliceStable(p.psus, func(i, j int) bool { return p.psus[i].Name < p.psus[j].Name })
	return nil
}

// collectNvidia reads `nvidia-smi -q -x`. Skipped when nvidia-smi is absent or
// the driver is not loaded (findings then still compare against the PCI bus).
func collectNvidia(c *cctx, p *parts) error {
	p.nvidiaLoad = readNvidiaStatus(c)
	err := collectNvidiaSMI(c, p)
	var s skipError
	if p.nvidiaLoad != "" && p.nvidiaState != "ok" && errors.As(err, &s) {
		return skip("%s; %s", s.reason, p.nvidiaLoad)
	}
	return err
}

// nvidiaStatusFile is written by the ISO's bee-nvidia.service: "state=..." and
// "message=..." lines saying whether the modules loaded, and if not why
// (Secure Boot refusing unsigned modules, an insmod error).
const nvidiaStatusFile = report.NvidiaStatusFile

// readNvidiaStatus returns bee-nvidia's explanation when the driver did not
// load ("" when it loaded, found no GPU, or the file is absent: not the ISO).
func readNvidiaStatus(c *cctx) string {
	b, err := c.env.FS.ReadFile(nvidiaStatusFile)
	if err != nil {
		return ""
	}
	var state, msg string
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch strings.TrimSpace(k) {
		case "state":
			state = strings.TrimSpace(v)
		case "message":
			msg = strings.TrimSpace(v)
		}
	}
	switch state {
	case "", "loaded", "no-gpu":
		return ""
	case "secure-boot-refused":
		return "bee-nvidia: Secure Boot is on and the kernel refused the unsigned NVIDIA modules (" + msg + ")"
	}
	return "bee-nvidia: " + state + " (" + msg + ")"
}

func collectNvidiaSMI(c *cctx, p *parts) error {
	smi := probe.ReadNvidiaSMI(c.runFunc(c.env.Timeouts.NvidiaSMI))
	res := smi.Res
	if errors.Is(res.Err, host.ErrNotFound) {
		p.nvidiaState = "no_tool"
		return toolErr(res)
	}
	if res.Err == nil && res.ExitCode != 0 {
		e := smi.Problem
		switch {
		case errors.Is(e, nvidiasmi.ErrNoDevices):
			p.nvidiaState = "ok"
			return nil
		case errors.Is(e, nvidiasmi.ErrDriverNotLoaded):
			p.nvidiaState = "no_driver"
			return skip("nvidia-smi: NVIDIA driver not loaded")
		case e != nil:
			p.nvidiaState = "error"
			return fmt.Errorf("nvidia-smi -q -x: %w", e)
		}
	}
	if err := toolErr(res); err != nil {
		p.nvidiaState = "error"
		return err
	}
	if err := smi.ParseErr; err != nil {
		p.nvidiaState = "error"
		return fmt.Errorf("nvidia-smi -q -x: %w", err)
	}
	log := smi.Log
	p.nvidiaState = "ok"
	for _, g := range log.GPUs {
		gpu := GPU{
			Index: g.Index, Name: clean(g.ProductName), SerialNumber: clean(g.SerialNumber),
			UUID: clean(g.UUID), PCIAddress: clean(g.PCIBusID), VBIOSVersion: clean(g.VBIOSVersion),
			DriverVersion: clean(log.DriverVersion), MemoryTotalBytes: g.MemoryTotalBytes,
			TemperatureC: g.TemperatureC, PowerDrawW: g.PowerDrawW, ECCMode: clean(g.ECCMode),
			ECCVolatileUncorrected: g.ECCVolatileUncorrected, ECCAggregateUncorrected: g.ECCAggregateUncorrected,
			ECCVolatileCorrected: g.ECCVolatileCorrected, ECCAggregateCorrected: g.ECCAggregateCorrected,
			RetiredPagesSBE: g.RetiredPagesSBE, RetiredPagesDBE: g.RetiredPagesDBE,
			RetiredPagesPending:     g.RetiredPagesPending,
			RemappedRowsCorrectable: g.RemappedRowsCorrectable, RemappedRowsUncorrectable: g.RemappedRowsUncorrectable,
			RemappedRowsPending: g.RemappedRowsPending, RemappedRowsFailure: g.RemappedRowsFailure,
			MIGMode: clean(g.MIGMode), ClockEventReasons: []string{},
		}
		for k, active := range g.ClockEventReasons {
			if active {
				gpu.ClockEventReasons = append(gpu.ClockEventReasons, k)
			}
		}
		sort.Strings(gpu.ClockEventReasons)
		p.gpus = append(p.gpus, gpu)
	}
	p.fabricFindings = fabricOf(res.Stdout, p.gpus)
	return nil
}
