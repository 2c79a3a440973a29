package probe

import (
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/nvidiasmi"
)

// NvidiaSMIArgv is the command that reports every NVIDIA GPU: inventory, ECC and
// page-retirement counters, clock event reasons.
var NvidiaSMIArgv = []string{"nvidia-smi", "-q", "-x"}

// NvidiaSMI is one run of `nvidia-smi -q -x`.
type NvidiaSMI struct {
	Res host.Result
	// Log is the report, parsed whenever nvidia-smi ran (res.Err == nil), whatever
	// its exit status; ParseErr says why it could not be.
	Log      *nvidiasmi.Log
	ParseErr error
	// Problem is what nvidia-smi's own words say went wrong (nvidiasmi.ParseError of
	// stdout and stderr: no devices, driver not loaded, a GPU fallen off the bus);
	// nil when they say nothing known.
	Problem error
}

// ReadNvidiaSMI runs `nvidia-smi -q -x` through run and parses its answer. The
// XML is read from stdout and stderr together first (a warning on stderr must not
// hide it), then from stdout alone.
func ReadNvidiaSMI(run RunFunc) NvidiaSMI {
	n := NvidiaSMI{Res: run(append([]string(nil), NvidiaSMIArgv...))}
	if n.Res.Err != nil {
		return n
	}
	both := append(append([]byte{}, n.Res.Stdout...), n.Res.Stderr...)
	n.Problem = nvidiasmi.ParseError(both)
	l, err := nvidiasmi.ParseXML(both)
	if err != nil {
		l, err = nvidiasmi.ParseXML(n.Res.Stdout)
	}
	if err != nil {
		n.ParseErr = err
		return n
	}
	n.Log = l
	return n
}
