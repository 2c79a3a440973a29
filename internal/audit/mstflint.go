package audit

import (
	"errors"
	"path"
	"strings"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/mstflint"
	"github.com/beeaudit/bee/internal/probe"
)

// mellanoxVendor is the PCI vendor ID of NVIDIA networking (Mellanox) adapters.
const mellanoxVendor = "0x15b3"

// collectMstflint asks `mstflint -d ADDR query` about the flash of every
// NVIDIA/Mellanox networking adapter (PCI vendor 15b3; function 0 only: the
// functions of one card share its flash; virtual functions have none).
// Skipped when there is no such adapter or no mstflint.
func collectMstflint(c *cctx, p *parts) error {
	fns, err := probe.PCIFunctions(c.env.FS)
	if err != nil && !host.IsNotExist(err) {
		return err
	}
	var addrs []string
	for _, a := range fns {
		if !strings.HasSuffix(a, ".0") {
			continue
		}
		b, err := c.env.FS.ReadFile(path.Join(probe.PCIDevicesDir, a, "vendor"))
		if err != nil || strings.TrimSpace(string(b)) != mellanoxVendor {
			continue
		}
		if c.env.FS.Exists(path.Join(probe.PCIDevicesDir, a, "physfn")) {
			continue
		}
		addrs = append(addrs, strings.ToLower(a))
	}
	if len(addrs) == 0 {
		return skip("no NVIDIA/Mellanox networking adapter (PCI vendor 15b3)")
	}
	p.adapterFW = []AdapterFirmware{}
	for _, a := range addrs {
		res := c.run(c.env.Timeouts.Mstflint, "mstflint", "-d", a, "query")
		if errors.Is(res.Err, host.ErrNotFound) {
			p.adapterFW = nil
			return toolErr(res)
		}
		if err := toolErr(res); err != nil {
			c.problem("%v", err)
			if errors.Is(res.Err, host.ErrTimeout) {
				// A flash query that hangs on one adapter hangs on the next; each try costs a timeout.
				c.problem("mstflint not asked about the adapters after %s", a)
				break
			}
			continue
		}
		q, err := mstflint.Parse(res.Stdout)
		if err != nil {
			c.problem("mstflint -d %s query: %v", a, err)
			continue
		}
		p.adapterFW = append(p.adapterFW, AdapterFirmware{
			PCIAddress: a, FWVersion: clean(q.FWVersion), RunningFWVersion: clean(q.ActiveFWVersion()),
			PSID: clean(q.PSID), ProductVersion: clean(q.ProductVersion), RebootNeeded: q.RebootNeeded(),
		})
	}
	return nil
}

// CodeNICFirmwarePending: an adapter's flash holds firmware that is not the one running.
const CodeNICFirmwarePending = "NIC_FW_REBOOT_NEEDED" // warning

func adapterFWFindings(l *findingList, h *Hardware) {
	for _, f := range h.AdapterFirmware {
		if f.RebootNeeded {
			l.add(SeverityWarning, "pcie:"+f.PCIAddress, CodeNICFirmwarePending,
				"firmware %s is on flash but %s is running: reboot (or mstfwreset) to activate it", str(f.FWVersion), str(f.RunningFWVersion))
		}
	}
}
