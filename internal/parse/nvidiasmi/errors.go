package nvidiasmi

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors for the messages nvidia-smi prints instead of a report. ParseError and
// ParseXML wrap them with the line nvidia-smi printed; test with errors.Is.
var (
	// ErrDriverNotLoaded: "NVIDIA-SMI has failed because it couldn't communicate with
	// the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."
	ErrDriverNotLoaded = errors.New("nvidia-smi: cannot communicate with the NVIDIA driver")
	// ErrNoDevices: "No devices were found".
	ErrNoDevices = errors.New("nvidia-smi: no devices found")
	// ErrVersionMismatch: "Failed to initialize NVML: Driver/library version mismatch".
	ErrVersionMismatch = errors.New("nvidia-smi: driver/library version mismatch")
	// ErrNVMLNotFound: "NVIDIA-SMI couldn't find libnvidia-ml.so library in your system."
	ErrNVMLNotFound = errors.New("nvidia-smi: libnvidia-ml.so not found")
	// ErrNVMLInit: any other "Failed to initialize NVML: ..." ("Unknown Error",
	// "Insufficient Permissions", ...).
	ErrNVMLInit = errors.New("nvidia-smi: failed to initialize NVML")
	// ErrGPULost: "Unable to determine the device handle for GPU <bus id>: ..." (e.g.
	// "GPU is lost" after Xid 79, "Unknown Error"); the other GPUs may still be reported.
	ErrGPULost = errors.New("nvidia-smi: unable to get a GPU's device handle")
)

// ParseError recognises the text `nvidia-smi`, `nvidia-smi -q` and `nvidia-smi -q -x`
// (any mode, in fact) print on stdout or stderr when they cannot report, and returns the matching sentinel
// error wrapped with nvidia-smi's own line. It returns nil when none of the known messages
// is present (a normal report, empty input, anything else). Lines that start with '<'
// (XML) are not looked at; the first recognised line wins.
func ParseError(data []byte) error {
	for _, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "<") {
			continue
		}
		if err := matchError(line); err != nil {
			return fmt.Errorf("%w: %s", err, line)
		}
	}
	return nil
}

func matchError(line string) error {
	lower := strings.ToLower(line)
	switch {
	case strings.Contains(lower, "couldn't communicate with the nvidia driver"),
		strings.Contains(lower, "could not communicate with the nvidia driver"):
		return ErrDriverNotLoaded
	case strings.Contains(lower, "no devices were found"):
		return ErrNoDevices
	case strings.Contains(lower, "driver/library version mismatch"):
		return ErrVersionMismatch
	case strings.Contains(lower, "couldn't find libnvidia-ml.so"),
		strings.Contains(lower, "could not find libnvidia-ml.so"):
		return ErrNVMLNotFound
	case strings.HasPrefix(lower, "failed to initialize nvml"):
		return ErrNVMLInit
	case strings.HasPrefix(lower, "unable to determine the device handle for gpu"):
		return ErrGPULost
	}
	return nil
}
