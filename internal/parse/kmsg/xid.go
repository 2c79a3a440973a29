package kmsg

// XidInfo says what an NVIDIA Xid number means and how bad it is.
type XidInfo struct {
	// Meaning is a short description in this project's words.
	Meaning string `json:"meaning"`
	// Severity is a hint: "failure" (the GPU or its memory is likely
	// faulty: remove it from service and have it checked), "error" (the
	// GPU needs a reset; look again if it repeats) or "warning" (recorded,
	// the GPU keeps working).
	Severity string `json:"severity"`
}

// Xids describes the Xid numbers bee reports with a meaning, after NVIDIA's
// Xid documentation (https://docs.nvidia.com/deploy/xid-errors/index.html
// and its catalog,
// https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html).
// Other Xid numbers are still counted, without a meaning.
var Xids = map[int]XidInfo{
	48:  {"double-bit ECC error: GPU memory returned data it could not correct", SevFailure},
	63:  {"ECC page retirement or row remapping recorded: a bad memory row was marked and is replaced at the next GPU reset", SevWarning},
	64:  {"ECC page retirement or row remapping failed: the GPU could not record a bad memory row", SevFailure},
	74:  {"NVLink error: a link between GPUs or to an NVSwitch reported a fault", SevError},
	79:  {"GPU has fallen off the bus: it stopped answering on PCIe", SevFailure},
	92:  {"high single-bit ECC error rate in GPU memory", SevWarning},
	94:  {"contained ECC error: an uncorrectable memory error was confined to the applications that used that memory; the GPU keeps running and needs a reset to recover the memory", SevWarning},
	95:  {"uncontained ECC error: an uncorrectable memory error that could not be confined; every application on the GPU is affected and the GPU must be reset", SevFailure},
	119: {"GSP RPC timeout: the GPU System Processor did not answer the driver in time; the GPU likely needs a reset", SevError},
	120: {"GSP error: the GPU System Processor firmware reported an error; the GPU likely needs a reset", SevError},
}
