package audit

import (
	"errors"
	"strings"
	"sync"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/lsblk"
	"github.com/beeaudit/bee/internal/parse/smartctl"
	"github.com/beeaudit/bee/internal/probe"
)

// LsblkColumns are the columns bee asks lsblk for (with -J -b): internal/probe's.
const LsblkColumns = probe.LsblkColumns

// maxDiskJobs bounds concurrent per-disk tool runs (a 60-disk JBOD must not
// start 180 processes at once).
const maxDiskJobs = 8

// collectStorage lists whole disks with `lsblk -J -b -o ...`, then per disk and
// concurrently reads SMART (probe.ReadSMART: `smartctl -j -x /dev/X`), and for NVMe
// namespaces the controller's identity and health log (probe.ReadNVMeIDCtrl,
// probe.ReadNVMeSmartLog).
func collectStorage(c *cctx, p *parts) error {
	res, disks, err := probe.ListDisks(c.runFunc(c.env.Timeouts.Lsblk))
	if err := toolErr(res); err != nil {
		return err
	}
	if err != nil {
		return err
	}
	p.disks = make([]Disk, len(disks))
	sem := make(chan struct{}, maxDiskJobs)
	var wg sync.WaitGroup
	for i, d := range disks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			p.disks[i] = inspectDisk(c, d)
		}()
	}
	wg.Wait()
	return nil
}

func inspectDisk(c *cctx, d lsblk.Device) Disk {
	path := d.Path
	if path == "" {
		path = "/dev/" + d.Name
	}
	disk := Disk{
		Name: d.Name, Path: path, Type: clean(d.Type), Transport: clean(d.Tran),
		Model: clean(d.Model), SerialNumber: clean(d.Serial), Firmware: clean(d.Rev),
		SizeBytes: d.SizeBytes, Rotational: d.Rotational, WWN: clean(d.WWN),
	}
	if disk.Transport == nil && strings.HasPrefix(d.Name, "nvme") {
		disk.Transport = ptr("nvme")
	}

	// NVMe health belongs to the controller (/dev/nvme0), not the namespace.
	target, ctrl := path, probe.NVMeController(d.Name)
	if ctrl != "" {
		target = ctrl
	}
	smart := probe.ReadSMART(c.runFunc(c.env.Timeouts.Smartctl), target)
	if !errors.Is(smart.Res.Err, host.ErrNotFound) {
		applySmartctl(c, &disk, smart)
	}
	if ctrl != "" {
		applyNVMe(c, &disk, ctrl)
	}
	return disk
}

func smartOf(d *Disk) *SMART {
	if d.SMART == nil {
		d.SMART = &SMART{}
	}
	return d.SMART
}

// applySmartctl merges `smartctl -j -x` into the disk. smartctl's exit status
// is a bitmask: bits 0-1 mean the command itself failed; higher bits report
// the disk's health and are not tool errors.
func applySmartctl(c *cctx, d *Disk, smart probe.Read[smartctl.Report]) {
	res, r := smart.Res, smart.V
	if res.Err != nil {
		c.problem("%s", res.Describe())
		return
	}
	if smart.ParseErr != nil {
		c.problem("smartctl -j -x %s: %v", d.Path, smart.ParseErr)
		return
	}
	s := smartOf(d)
	s.SmartctlExitBits = r.ExitBits()
	if res.ExitCode&0b11 != 0 {
		// Could not open the device or parse its answer: USB bridges without
		// SAT pass-through, RAID members behind a controller, virtual disks.
		var msgs []string
		for _, m := range r.Messages {
			msgs = append(msgs, m.String)
		}
		msg := strings.Join(msgs, "; ")
		if msg == "" {
			msg = res.Describe()
		}
		s.Available = false
		s.Error = ptr(msg)
		return
	}
	s.Available = r.SmartSupported == nil || *r.SmartSupported
	// The drive's own identity beats lsblk's, which for a disk behind a USB
	// or SAS bridge can be the bridge's.
	prefer(&d.Model, r.ModelName)
	if r.ModelName == "" {
		fill(&d.Model, strings.TrimSpace(r.Vendor+" "+r.Product))
	}
	prefer(&d.SerialNumber, r.SerialNumber)
	if fw := clean(r.Firmware); fw != nil {
		d.Firmware = fw // smartctl's is complete; lsblk's REV is cut to 4 chars on ATA
	}
	fill(&d.WWN, r.WWN)
	if d.SizeBytes == nil {
		d.SizeBytes = r.CapacityBytes
	}
	if d.Rotational == nil && r.RotationRate != nil {
		d.Rotational = ptr(*r.RotationRate > 0)
	}
	s.Passed = r.SmartPassed
	s.TemperatureC = r.TemperatureC
	s.PowerOnHours = r.PowerOnHours
	s.ReallocatedSectors = r.ReallocatedSectors
	s.PendingSectors = r.PendingSectors
	s.OfflineUncorrectable = r.OfflineUncorrectable
	s.ReportedUncorrectable = r.ReportedUncorrect
	s.CRCErrors = r.CRCErrors
	s.GrownDefects = r.GrownDefects
	s.PercentageUsed = r.PercentageUsed
	s.CriticalWarning = r.CriticalWarning
	s.MediaErrors = r.MediaErrors
	s.AvailableSpare = r.AvailableSpare
	s.AvailableSpareThresh = r.AvailableSpareThreshold
	s.ErrorLogEntries = r.NumErrLogEntries
	s.UnsafeShutdowns = r.UnsafeShutdowns
	s.FailingAttributes = r.PrefailFailingNow()
}

// applyNVMe merges `nvme id-ctrl` and `nvme smart-log` of the namespace's
// controller; nvme-cli's values win over smartctl's for NVMe health.
func applyNVMe(c *cctx, d *Disk, ctrl string) {
	run := c.runFunc(c.env.Timeouts.NVMe)
	idc := probe.ReadNVMeIDCtrl(run, ctrl)
	if errors.Is(idc.Res.Err, host.ErrNotFound) {
		return
	}
	if err := toolErr(idc.Res); err != nil {
		c.problem("%v", err)
	} else if idc.ParseErr != nil {
		c.problem("nvme id-ctrl %s: %v", ctrl, idc.ParseErr)
	} else {
		id := idc.V
		prefer(&d.Model, id.ModelNumber)
		prefer(&d.SerialNumber, id.SerialNumber)
		if fw := clean(id.Firmware); fw != nil {
			d.Firmware = fw
		}
	}
	sl := probe.ReadNVMeSmartLog(run, ctrl)
	if err := toolErr(sl.Res); err != nil {
		c.problem("%v", err)
		return
	}
	if sl.ParseErr != nil {
		c.problem("nvme smart-log %s: %v", ctrl, sl.ParseErr)
		return
	}
	l := sl.V
	s := smartOf(d)
	s.Available = true
	s.Error = nil
	if l.CriticalWarning != nil {
		s.CriticalWarning = l.CriticalWarning
		if s.Passed == nil {
			s.Passed = ptr(*l.CriticalWarning == 0)
		}
	}
	setIf(&s.TemperatureC, l.TemperatureC)
	setIf(&s.PowerOnHours, l.PowerOnHours)
	setIf(&s.PercentageUsed, l.PercentageUsed)
	setIf(&s.MediaErrors, l.MediaErrors)
	setIf(&s.AvailableSpare, l.AvailableSpare)
	setIf(&s.AvailableSpareThresh, l.SpareThreshold)
	setIf(&s.ErrorLogEntries, l.NumErrLogEntries)
	setIf(&s.UnsafeShutdowns, l.UnsafeShutdowns)
}

// fill sets *dst from a vendor string when dst is still unknown.
func fill(dst **string, v string) {
	if *dst == nil {
		*dst = clean(v)
	}
}

// prefer sets *dst from a vendor string unless that string is a placeholder.
func prefer(dst **string, v string) {
	if c := clean(v); c != nil {
		*dst = c
	}
}

func setIf[T any](dst **T, v *T) {
	if v != nil {
		*dst = v
	}
}
