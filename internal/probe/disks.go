package probe

import (
	"regexp"
	"strings"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/lsblk"
)

// LsblkColumns are the columns bee asks lsblk for (with -J -b).
const LsblkColumns = "NAME,PATH,TYPE,TRAN,MODEL,SERIAL,REV,VENDOR,SIZE,ROTA,WWN,RM,HOTPLUG"

// LsblkArgv is the command that lists the block devices. util-linux older than
// 2.33 has no PATH column: oldUtilLinux drops it (lsblk.Device.Path is then empty).
func LsblkArgv(oldUtilLinux bool) []string {
	cols := LsblkColumns
	if oldUtilLinux {
		cols = strings.Replace(cols, "PATH,", "", 1)
	}
	return []string{"lsblk", "-J", "-b", "-o", cols}
}

// ListDisks lists the whole disks with lsblk, run through run; when lsblk says a
// column is unknown (util-linux older than 2.33) it runs it again without PATH.
// res is the last run's result. When that run ran (res.Err == nil, whatever its
// exit status) its output is parsed: disks, or parseErr.
func ListDisks(run RunFunc) (res host.Result, disks []lsblk.Device, parseErr error) {
	res = run(LsblkArgv(false))
	if res.Err == nil && res.ExitCode != 0 && strings.Contains(string(res.Stderr), "unknown column") {
		res = run(LsblkArgv(true))
	}
	if res.Err != nil {
		return res, nil, nil
	}
	devs, err := lsblk.Parse(res.Stdout)
	if err != nil {
		return res, nil, err
	}
	return res, lsblk.Disks(devs), nil
}

var nvmeNamespace = regexp.MustCompile(`^(nvme\d+)n\d+$`)

// NVMeController returns the controller device of an NVMe namespace's block device
// name ("nvme0n1" → "/dev/nvme0"): NVMe health and self-tests belong to the
// controller. "" for any other name.
func NVMeController(name string) string {
	if m := nvmeNamespace.FindStringSubmatch(name); m != nil {
		return "/dev/" + m[1]
	}
	return ""
}
