package nvidiasmi

import (
	"errors"
	"strings"
	"testing"
)

func TestParseError(t *testing.T) {
	tests := []struct {
		name string
		data string
		want error
	}{
		{"fixture: driver not loaded", string(readFixture(t, "error_driver-not-loaded.txt")), ErrDriverNotLoaded},
		{"no devices", "No devices were found\n", ErrNoDevices},
		{"version mismatch", "Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 535.183\n", ErrVersionMismatch},
		{"nvml not found", "NVIDIA-SMI couldn't find libnvidia-ml.so library in your system. Please make sure that the NVIDIA Display Driver is properly installed and present in your system.\nPlease also try adding directory that contains libnvidia-ml.so to your system PATH.\n", ErrNVMLNotFound},
		{"nvml unknown error", "Failed to initialize NVML: Unknown Error\n", ErrNVMLInit},
		{"gpu lost", "Unable to determine the device handle for GPU0000:3B:00.0: GPU is lost.  Reboot the system to recover this GPU\n", ErrGPULost},
		{"crlf", "No devices were found\r\n", ErrNoDevices},
		{"xml report", string(readFixture(t, "tesla-t4_q-x_v11.xml")), nil},
		{"q text report", string(readFixture(t, "lambda-vector_2x-rtx-a6000_q.txt")), nil},
		{"empty", "", nil},
		{"garbage", "\x00\xff\b\b", nil},
		// The phrase inside an XML element is not nvidia-smi's own message.
		{"phrase inside xml", "<process_name>No devices were found</process_name>", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ParseError([]byte(tt.data))
			if tt.want == nil {
				if err != nil {
					t.Errorf("ParseError = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseError = %v, want %v", err, tt.want)
			}
			// The error carries nvidia-smi's own line.
			if first := strings.TrimSpace(strings.SplitN(tt.data, "\n", 2)[0]); !strings.Contains(err.Error(), first) {
				t.Errorf("error %q does not quote %q", err, first)
			}
		})
	}
}
