package probe

import (
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/nvme"
	"github.com/beeaudit/bee/internal/parse/smartctl"
)

// The per-disk health readers: smartctl and nvme-cli, one command per purpose,
// shared by the audit's storage collector and `bee sat storage`. A disk is
// addressed by its block device, an NVMe namespace by its controller
// (NVMeController): NVMe health and self-tests belong to the controller.

// SMARTArgv reads everything smartctl knows of a device, as JSON: identity,
// health, attributes, error and self-test logs (smartctl -x). The audit's
// inventory and sat's before/after counters.
func SMARTArgv(dev string) []string { return []string{"smartctl", "-j", "-x", dev} }

// SMARTStatusArgv reads a device's identity, health and self-test state only
// (smartctl -a): what sat polls while a self-test runs.
func SMARTStatusArgv(dev string) []string { return []string{"smartctl", "-j", "-a", dev} }

// Read is one run of a tool whose answer bee parses.
type Read[T any] struct {
	Res host.Result
	// V is the answer, parsed whenever the tool ran (Res.Err == nil), whatever its
	// exit status: smartctl's is a bitmask that also reports the disk's health.
	// ParseErr says why it could not be; both are nil when the tool did not run.
	V        *T
	ParseErr error
}

func read[T any](run RunFunc, argv []string, parse func([]byte) (*T, error)) Read[T] {
	r := Read[T]{Res: run(argv)}
	if r.Res.Err != nil {
		return r
	}
	r.V, r.ParseErr = parse(r.Res.Stdout)
	if r.ParseErr != nil {
		r.V = nil
	}
	return r
}

// ReadSMART runs SMARTArgv(dev) through run.
func ReadSMART(run RunFunc, dev string) Read[smartctl.Report] {
	return read(run, SMARTArgv(dev), smartctl.Parse)
}

// ReadSMARTStatus runs SMARTStatusArgv(dev) through run.
func ReadSMARTStatus(run RunFunc, dev string) Read[smartctl.Report] {
	return read(run, SMARTStatusArgv(dev), smartctl.Parse)
}

// NVMeArgv is nvme-cli's command for one of a controller's logs or pages, as JSON:
// "id-ctrl", "smart-log", "error-log", "self-test-log".
func NVMeArgv(page, ctrl string) []string { return []string{"nvme", page, ctrl, "-o", "json"} }

// ReadNVMeIDCtrl runs `nvme id-ctrl CTRL -o json` through run: the controller's
// identity and capabilities (OACS: can it self-test).
func ReadNVMeIDCtrl(run RunFunc, ctrl string) Read[nvme.IDCtrl] {
	return read(run, NVMeArgv("id-ctrl", ctrl), nvme.ParseIDCtrl)
}

// ReadNVMeSmartLog runs `nvme smart-log CTRL -o json` through run: the health log.
func ReadNVMeSmartLog(run RunFunc, ctrl string) Read[nvme.SmartLog] {
	return read(run, NVMeArgv("smart-log", ctrl), nvme.ParseSmartLog)
}

// ReadNVMeErrorLog runs `nvme error-log CTRL -o json` through run.
func ReadNVMeErrorLog(run RunFunc, ctrl string) Read[nvme.ErrorLog] {
	return read(run, NVMeArgv("error-log", ctrl), nvme.ParseErrorLog)
}

// ReadNVMeSelfTestLog runs `nvme self-test-log CTRL -o json` through run: the
// running self-test's progress and the last results.
func ReadNVMeSelfTestLog(run RunFunc, ctrl string) Read[nvme.SelfTestLog] {
	return read(run, NVMeArgv("self-test-log", ctrl), nvme.ParseSelfTestLog)
}
