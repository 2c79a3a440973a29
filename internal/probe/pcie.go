package probe

import (
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/pcisysfs"
)

// PCIDevicesDir holds one folder per PCI function, named by its address
// ("0000:17:00.0").
const PCIDevicesDir = "/sys/bus/pci/devices"

// PCIFunctions lists the PCI functions' addresses, sorted. host.IsNotExist(err)
// means the machine has no PCI bus in sysfs.
func PCIFunctions(fs host.FS) ([]string, error) {
	return fs.ReadDir(PCIDevicesDir)
}

// AERFile is one of a PCI function's AER counter files (aer_dev_correctable,
// aer_dev_nonfatal, aer_dev_fatal): per-error counts and a TOTAL_ERR_* line.
type AERFile struct {
	Path string
	// Raw is the file's content; Err says why it could not be read (no AER
	// capability, or a kernel without the attributes: host.IsNotExist(Err)).
	Raw []byte
	Err error
	// ParseErr says why Raw is not an AER counter file (pcisysfs.ParseAER).
	ParseErr error
	// TotalKey is the total's name in this file; Total is its value, nil when the
	// file was not read, not understood, or has no such line.
	TotalKey string
	Total    *int64
}

// AER is a PCI function's three AER counter files.
type AER struct {
	Correctable, NonFatal, Fatal AERFile
}

// ReadAER reads the AER counters of the PCI function at addr.
func ReadAER(fs host.FS, addr string) AER {
	dir := PCIDevicesDir + "/" + addr + "/"
	return AER{
		Correctable: readAERFile(fs, dir+"aer_dev_correctable", "TOTAL_ERR_COR"),
		NonFatal:    readAERFile(fs, dir+"aer_dev_nonfatal", "TOTAL_ERR_NONFATAL"),
		Fatal:       readAERFile(fs, dir+"aer_dev_fatal", "TOTAL_ERR_FATAL"),
	}
}

func readAERFile(fs host.FS, path, total string) AERFile {
	f := AERFile{Path: path, TotalKey: total}
	f.Raw, f.Err = fs.ReadFile(path)
	if f.Err != nil {
		f.Raw = nil
		return f
	}
	m, err := pcisysfs.ParseAER(f.Raw)
	if err != nil {
		f.ParseErr = err
		return f
	}
	if v, ok := m[total]; ok {
		f.Total = &v
	}
	return f
}
