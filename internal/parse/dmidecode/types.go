package dmidecode

import (
	"math"
	"strconv"
	"strings"
)

// DMI structure types read by the helpers below.
const (
	TypeBIOS         = 0
	TypeSystem       = 1
	TypeBaseBoard    = 2
	TypeProcessor    = 4
	TypeMemoryArray  = 16
	TypeMemoryDevice = 17
)

// BIOS is the DMI type 0 structure ("BIOS Information").
type BIOS struct{ Vendor, Version, ReleaseDate string }

// System is the DMI type 1 structure ("System Information").
type System struct{ Manufacturer, ProductName, SerialNumber, UUID, SKU, Family, Version string }

// Board is the DMI type 2 structure ("Base Board Information").
type Board struct{ Manufacturer, ProductName, SerialNumber, Version, AssetTag string }

// Processor is one DMI type 4 structure ("Processor Information"): one CPU
// socket, populated or not.
type Processor struct {
	Socket       string // "Socket Designation"
	Manufacturer string
	Version      string // the model string, e.g. "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz"
	Family       string
	// Populated is true when Status starts with "Populated". Output of
	// dmidecode before 2.2 has no Status line; there a socket that names a
	// Manufacturer or Version (not empty, not all zeros) counts as populated.
	Populated bool
	// Status is the raw status, e.g. "Populated, Enabled", "Unpopulated",
	// "Populated, CPU Disabled By User", "Populated, Idle".
	Status string
	// Enabled is true only for "Populated, Enabled". Note that HP ProLiant
	// Gen8 firmware reports working secondary CPUs as "Populated, Idle"
	// (SMBIOS: idle, waiting to be enabled); Enabled is false for those.
	Enabled                      bool
	Cores, EnabledCores, Threads *int // "Core Count", "Core Enabled", "Thread Count"
	MaxSpeedMHz, CurrentSpeedMHz *int // nil for "Unknown"
	SerialNumber, PartNumber, ID string
}

// MemoryDevice is one DMI type 17 structure ("Memory Device"): one memory
// slot, populated or not.
type MemoryDevice struct {
	Locator, BankLocator string
	// Populated is false for "Size: No Module Installed", "Not Installed",
	// "None", a size of 0 (HP prints "0 MB") and a missing Size line. Per
	// SMBIOS, "Size: Unknown" means a module of unknown size: Populated is
	// true and SizeBytes nil.
	Populated bool
	// SizeBytes is the "Size" line in bytes ("16 GB", "16384 MB", "512 kB",
	// "1 TB"); nil when not populated or unknown.
	SizeBytes                    *int64
	Type, TypeDetail, FormFactor string
	// SpeedMTs and ConfiguredSpeedMTs come from "Speed" and "Configured
	// Memory Speed" (older dmidecode: "Configured Clock Speed"), in MT/s or
	// in the MHz that older dmidecode printed for the same number; nil for
	// "Unknown".
	SpeedMTs, ConfiguredSpeedMTs                           *int
	Manufacturer, SerialNumber, PartNumber, AssetTag, Rank string
	ErrorHandle                                            string // "Error Information Handle", raw
	// ArrayHandle is the handle of the type 16 Physical Memory Array the
	// device belongs to ("Array Handle", e.g. "0x003D"); "" when not printed.
	ArrayHandle string
}

// MemoryArray is one DMI type 16 structure ("Physical Memory Array").
type MemoryArray struct {
	Handle   string // e.g. "0x003D"; "" in quiet-mode output
	Location string // e.g. "System Board Or Motherboard"
	// Use is what the array holds, as dmidecode prints it: "System Memory",
	// "Flash Memory" (the BIOS SPI flash of e.g. Supermicro X8 boards and
	// Sun Fire X4270 M2), "Video Memory", "Non-volatile RAM", "Cache Memory",
	// "Other", "Unknown".
	Use             string
	ErrorCorrection string // "Error Correction Type", e.g. "Multi-bit ECC"
	// MaxCapacityBytes is "Maximum Capacity" in bytes; nil when unknown.
	MaxCapacityBytes *int64
	Devices          *int // "Number Of Devices"
}

// UseSystemMemory is the Use of an array whose devices are memory slots.
const UseSystemMemory = "System Memory"

// IsSystemMemory reports whether d is a memory slot: a device of an array
// whose Use is "System Memory", or of an array arrays does not hold (the
// device names none, or its array was not in the output read), since
// nothing then says it is not one. arrays is MemoryArrays' result, usually
// from `dmidecode -t 16`.
func IsSystemMemory(d MemoryDevice, arrays []MemoryArray) bool {
	if d.ArrayHandle == "" {
		return true
	}
	for _, a := range arrays {
		if a.Handle != "" && strings.EqualFold(a.Handle, d.ArrayHandle) {
			return strings.EqualFold(a.Use, UseSystemMemory)
		}
	}
	return true
}

// MemoryArrays returns every type 16 record of Parse's result, in order, from
// `dmidecode -t 16` (or `-t memory`, or the full `dmidecode`).
func MemoryArrays(recs []Record) []MemoryArray {
	var out []MemoryArray
	for _, r := range recs {
		if r.Type != TypeMemoryArray {
			continue
		}
		f := r.Fields
		a := MemoryArray{
			Handle:          r.Handle,
			Location:        f["Location"],
			Use:             f["Use"],
			ErrorCorrection: f["Error Correction Type"],
			Devices:         parseCount(f["Number Of Devices"]),
		}
		if n, ok := parseBytes(f["Maximum Capacity"]); ok {
			a.MaxCapacityBytes = &n
		}
		out = append(out, a)
	}
	return out
}

// field returns the value of the first of keys present in f. Keys after the
// first are the names dmidecode releases before 2.2 printed for the same
// value ("Vendor" for "Manufacturer", "Release" for "Release Date", ...).
func field(f map[string]string, keys ...string) string {
	for _, k := range keys {
		if v, ok := f[k]; ok {
			return v
		}
	}
	return ""
}

// names reports whether s holds a name: not empty, blanks or zeros only.
func names(s string) bool {
	return strings.Trim(s, "0 ") != ""
}

// first returns the first record of type typ.
func first(recs []Record, typ int) (Record, bool) {
	for _, r := range recs {
		if r.Type == typ {
			return r, true
		}
	}
	return Record{}, false
}

// BIOSInfo returns the first type 0 record of Parse's result, from
// `dmidecode -t 0` (or `-t 0,1,2`, `-t bios`, or the full `dmidecode`).
// ok is false when there is none.
func BIOSInfo(recs []Record) (BIOS, bool) {
	r, ok := first(recs, TypeBIOS)
	if !ok {
		return BIOS{}, false
	}
	return BIOS{
		Vendor:      r.Fields["Vendor"],
		Version:     r.Fields["Version"],
		ReleaseDate: field(r.Fields, "Release Date", "Release"),
	}, true
}

// SystemInfo returns the first type 1 record of Parse's result, from
// `dmidecode -t 1` (or `-t 0,1,2`, `-t system`, or the full `dmidecode`).
// SKU is "SKU Number". ok is false when there is none.
func SystemInfo(recs []Record) (System, bool) {
	r, ok := first(recs, TypeSystem)
	if !ok {
		return System{}, false
	}
	return System{
		Manufacturer: field(r.Fields, "Manufacturer", "Vendor"),
		ProductName:  field(r.Fields, "Product Name", "Product"),
		SerialNumber: r.Fields["Serial Number"],
		UUID:         r.Fields["UUID"],
		SKU:          r.Fields["SKU Number"],
		Family:       r.Fields["Family"],
		Version:      r.Fields["Version"],
	}, true
}

// BaseBoard returns the first type 2 record of Parse's result, from
// `dmidecode -t 2` (or `-t 0,1,2`, `-t baseboard`, or the full `dmidecode`).
// ok is false when there is none.
func BaseBoard(recs []Record) (Board, bool) {
	r, ok := first(recs, TypeBaseBoard)
	if !ok {
		return Board{}, false
	}
	return Board{
		Manufacturer: field(r.Fields, "Manufacturer", "Vendor"),
		ProductName:  field(r.Fields, "Product Name", "Product"),
		SerialNumber: r.Fields["Serial Number"],
		Version:      r.Fields["Version"],
		AssetTag:     r.Fields["Asset Tag"],
	}, true
}

// Processors returns every type 4 record of Parse's result, in order, from
// `dmidecode -t 4` (or `-t processor`, or the full `dmidecode`). Unpopulated
// sockets are included.
func Processors(recs []Record) []Processor {
	var out []Processor
	for _, r := range recs {
		if r.Type != TypeProcessor {
			continue
		}
		f := r.Fields
		status, hasStatus := f["Status"]
		mfr := field(f, "Manufacturer", "Processor Manufacturer")
		version := field(f, "Version", "Processor Version")
		populated := strings.HasPrefix(status, "Populated")
		if !hasStatus {
			// dmidecode before 2.2 prints no Status line: a socket that
			// names its processor is populated (VMware fills empty sockets
			// with "000000000000").
			populated = names(mfr) || names(version)
		}
		out = append(out, Processor{
			Socket:          f["Socket Designation"],
			Manufacturer:    mfr,
			Version:         version,
			Family:          field(f, "Family", "Processor Family"),
			Populated:       populated,
			Status:          status,
			Enabled:         status == "Populated, Enabled",
			Cores:           parseCount(f["Core Count"]),
			EnabledCores:    parseCount(f["Core Enabled"]),
			Threads:         parseCount(f["Thread Count"]),
			MaxSpeedMHz:     parseRate(f["Max Speed"], "MHz"),
			CurrentSpeedMHz: parseRate(f["Current Speed"], "MHz"),
			SerialNumber:    f["Serial Number"],
			PartNumber:      f["Part Number"],
			ID:              f["ID"],
		})
	}
	return out
}

// MemoryDevices returns every type 17 record of Parse's result, in order,
// from `dmidecode -t 17` (or `-t memory`, or the full `dmidecode`). Empty
// slots are included with Populated false.
func MemoryDevices(recs []Record) []MemoryDevice {
	var out []MemoryDevice
	for _, r := range recs {
		if r.Type != TypeMemoryDevice {
			continue
		}
		f := r.Fields
		populated, size := parseModuleSize(f["Size"])
		configured, ok := f["Configured Memory Speed"]
		if !ok {
			configured = f["Configured Clock Speed"]
		}
		out = append(out, MemoryDevice{
			Locator:            f["Locator"],
			BankLocator:        f["Bank Locator"],
			Populated:          populated,
			SizeBytes:          size,
			Type:               f["Type"],
			TypeDetail:         f["Type Detail"],
			FormFactor:         f["Form Factor"],
			SpeedMTs:           parseRate(f["Speed"], "MT/s", "MHz"),
			ConfiguredSpeedMTs: parseRate(configured, "MT/s", "MHz"),
			Manufacturer:       f["Manufacturer"],
			SerialNumber:       f["Serial Number"],
			PartNumber:         f["Part Number"],
			AssetTag:           f["Asset Tag"],
			Rank:               f["Rank"],
			ErrorHandle:        f["Error Information Handle"],
			ArrayHandle:        f["Array Handle"],
		})
	}
	return out
}

// parseCount parses a plain non-negative count ("28"); nil otherwise.
func parseCount(s string) *int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return nil
	}
	return &n
}

// parseRate parses "2933 MT/s", "2400 MHz" or "667 MHz (1.5 ns)" when the
// unit is one of units (case-insensitive). Zero, "Unknown" and anything else
// give nil.
func parseRate(s string, units ...string) *int {
	f := strings.Fields(s)
	if len(f) < 2 {
		return nil
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n <= 0 {
		return nil
	}
	for _, u := range units {
		if strings.EqualFold(f[1], u) {
			return &n
		}
	}
	return nil
}

// parseModuleSize interprets a type 17 "Size" value.
func parseModuleSize(s string) (populated bool, size *int64) {
	if strings.EqualFold(s, "Unknown") {
		return true, nil
	}
	n, ok := parseBytes(s)
	if !ok || n == 0 {
		// "No Module Installed", "Not Installed", "None", "", "0 MB".
		return false, nil
	}
	return true, &n
}

// parseBytes parses a dmidecode memory size: a whole number followed by one
// of the units dmidecode prints (bytes, kB, MB, GB, TB, PB, EB, ZB),
// binary multiples. Anything after the unit is ignored.
func parseBytes(s string) (int64, bool) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return 0, false
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	var shift uint
	switch strings.ToLower(f[1]) {
	case "bytes", "byte", "b":
		shift = 0
	case "kb", "kib":
		shift = 10
	case "mb", "mib":
		shift = 20
	case "gb", "gib":
		shift = 30
	case "tb", "tib":
		shift = 40
	case "pb", "pib":
		shift = 50
	case "eb", "eib":
		shift = 60
	default:
		return 0, false
	}
	if n > math.MaxInt64>>shift {
		return 0, false
	}
	return n << shift, true
}
