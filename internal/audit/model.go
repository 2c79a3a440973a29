package audit

import (
	"github.com/beeaudit/bee/internal/parse/raid"
	"github.com/beeaudit/bee/internal/report"
)

// SchemaVersion is the version of the audit JSON contract (docs/json.md, internal/schema/audit.schema.json). Field names
// below are fixed by the contract; fields may be added, never renamed.
const SchemaVersion = 1

// Audit is the document written to /var/log/bee-audit.json.
//
// Unknown values are null (nil pointers), never "" or 0 pretending to be data.
type Audit struct {
	SchemaVersion int         `json:"schema_version"`
	BeeVersion    string      `json:"bee_version"`
	BeeCommit     string      `json:"bee_commit"`
	StartedAt     string      `json:"started_at"`
	FinishedAt    string      `json:"finished_at"`
	Runtime       string      `json:"runtime"`
	Hostname      *string     `json:"hostname"`
	Kernel        *string     `json:"kernel"`
	Hardware      Hardware    `json:"hardware"`
	Collectors    []Collector `json:"collectors"`
}

// Hardware is the inventory plus its verdict.
//
// A list is null when its collector did not finish and found nothing (the
// tool failed, hung or is missing): unknown, not "none". An empty list means
// the collector ran and found none.
type Hardware struct {
	Summary Summary   `json:"summary"`
	System  *System   `json:"system"`
	BIOS    *BIOS     `json:"bios"`
	Board   *Board    `json:"board"`
	CPUs    []CPU     `json:"cpus"`
	Memory  *Memory   `json:"memory"`
	Storage []Disk    `json:"storage"`
	PCIe    []PCIeDev `json:"pcie"`
	PSUs    []PSU     `json:"psus"`
	GPUs    []GPU     `json:"gpus"`
	// Network is every physical network port (network collector);
	// InfiniBand every port of every RDMA device in /sys/class/infiniband.
	Network    []NetPort `json:"network"`
	InfiniBand []IBPort  `json:"infiniband"`
	// BMC is the baseboard management controller (bmc collector); null when
	// there is none or it could not be read.
	BMC *BMC `json:"bmc"`
	// Sensors is every BMC sensor of `ipmitool sdr elist`, read once with the
	// PSUs (psu collector).
	Sensors []Sensor `json:"sensors"`
	// KernelLog counts the hardware events of the kernel log since boot
	// (kernellog collector); null when it could not be read.
	KernelLog *KernelLog `json:"kernel_log"`
	// NVLink is the NVIDIA GPUs' NVLinks and topology (nvlink collector);
	// null when it could not be read.
	NVLink *NVLinkInfo `json:"nvlink"`
	// RAID is one report per RAID tool found (raid collector): controllers,
	// virtual and physical drives as internal/parse/raid reads them; null
	// when no RAID tool is installed.
	RAID []raid.Report `json:"raid"`
	// AdapterFirmware is the flash of each NVIDIA/Mellanox networking adapter
	// (mstflint collector); null when there is none or no mstflint.
	AdapterFirmware []AdapterFirmware `json:"adapter_firmware"`
	// Firmware lists every firmware version above in one place (BIOS, BMC,
	// NICs, RDMA devices, adapter flash, disks, GPU VBIOS, RAID); [] when none
	// is known.
	Firmware []FirmwareEntry `json:"firmware"`
	// Profile is the hardware profile the audit was judged against
	// (docs/profiles.md); absent when none applied.
	Profile *ProfileRef `json:"profile,omitempty"`
}

// ProfileRef names the hardware profile an audit was judged against.
type ProfileRef struct {
	Name      string `json:"name"`
	Source    string `json:"source"`     // the file it was read from
	SHA256    string `json:"sha256"`     // of that file
	MatchedBy string `json:"matched_by"` // option, kernel_cmdline or match
}

// Verdicts (internal/report).
const (
	VerdictPass    = report.VerdictPass
	VerdictWarning = report.VerdictWarning
	VerdictFail    = report.VerdictFail
)

// Summary is hardware.summary: the verdict and the findings behind it.
type Summary struct {
	Verdict  string    `json:"verdict"`
	Warnings int       `json:"warnings"`
	Failures int       `json:"failures"`
	Findings []Finding `json:"findings"`
}

// Severities of a finding (internal/report).
const (
	SeverityWarning = report.SeverityWarning
	SeverityFailure = report.SeverityFailure
)

// Finding is one rule of the catalogue (see findings.go) firing on one component.
type Finding struct {
	Severity  string `json:"severity"`
	Component string `json:"component"`
	Code      string `json:"code"`
	Message   string `json:"message"`
}

// System is SMBIOS type 1.
type System struct {
	Manufacturer *string `json:"manufacturer"`
	ProductName  *string `json:"product_name"`
	SerialNumber *string `json:"serial_number"`
	UUID         *string `json:"uuid"`
	SKU          *string `json:"sku"`
	Family       *string `json:"family"`
	Version      *string `json:"version"`
}

// BIOS is SMBIOS type 0.
type BIOS struct {
	Vendor  *string `json:"vendor"`
	Version *string `json:"version"`
	// ReleaseDate is the firmware's string as is (SMBIOS: "MM/DD/YYYY");
	// ReleaseDateISO the same date as YYYY-MM-DD, null when it is not a
	// valid MM/DD/YYYY date.
	ReleaseDate    *string `json:"release_date"`
	ReleaseDateISO *string `json:"release_date_iso"`
}

// Board is SMBIOS type 2.
type Board struct {
	Manufacturer *string `json:"manufacturer"`
	ProductName  *string `json:"product_name"`
	SerialNumber *string `json:"serial_number"`
	Version      *string `json:"version"`
}

// CPU is one SMBIOS type 4 socket, populated or not.
type CPU struct {
	Socket       *string `json:"socket"`
	Populated    bool    `json:"populated"`
	Manufacturer *string `json:"manufacturer"`
	Model        *string `json:"model"`
	Cores        *int    `json:"cores"`
	Threads      *int    `json:"threads"`
	MaxSpeedMHz  *int    `json:"max_speed_mhz"`
	Status       *string `json:"status"`
	SerialNumber *string `json:"serial_number,omitempty"`
}

// Memory is SMBIOS types 16 and 17 plus the kernel's view.
//
// DIMMs are the devices of arrays whose Use is "System Memory" (or whose
// array is not known); the others (the BIOS flash chip some boards describe
// as a "Flash Memory" array) are in OtherDevices and in no count or total.
// TotalBytes, SlotsTotal, SlotsPopulated and DIMMs are null when SMBIOS could
// not be read; TotalBytes is null too when a populated module's size is
// unknown. OtherDevices is null when the arrays (type 16) could not be read.
type Memory struct {
	TotalBytes     *int64         `json:"total_bytes"`
	SlotsTotal     *int           `json:"slots_total"`
	SlotsPopulated *int           `json:"slots_populated"`
	KernelBytes    *int64         `json:"kernel_bytes"`
	EDAC           *EDAC          `json:"edac"`
	DIMMs          []DIMM         `json:"dimms"`
	OtherDevices   []MemoryDevice `json:"other_devices"`
}

// MemoryDevice is an SMBIOS type 17 device that is not a memory slot: it
// belongs to an array whose Use is not "System Memory".
type MemoryDevice struct {
	ArrayUse     *string `json:"array_use"` // e.g. "Flash Memory"
	Locator      *string `json:"locator"`
	BankLocator  *string `json:"bank_locator"`
	Type         *string `json:"type"` // e.g. "Flash"
	SizeBytes    *int64  `json:"size_bytes"`
	Manufacturer *string `json:"manufacturer"`
	PartNumber   *string `json:"part_number"`
}

// EDAC holds the kernel's memory error counters (/sys/devices/system/edac/mc);
// nil when no EDAC driver is loaded.
type EDAC struct {
	Controllers int        `json:"controllers"`
	Corrected   int64      `json:"corrected"`
	Uncorrected int64      `json:"uncorrected"`
	DIMMs       []EDACDIMM `json:"dimms,omitempty"`
}

// EDACDIMM is one DIMM's error counters (/sys/devices/system/edac/mc/mcN/dimmM),
// labelled as the EDAC driver names it (often the silkscreen, e.g. "P1-DIMMA1").
type EDACDIMM struct {
	Label       string `json:"label"`
	Corrected   int64  `json:"corrected"`
	Uncorrected int64  `json:"uncorrected"`
}

// DIMM is one memory slot.
type DIMM struct {
	Locator            *string `json:"locator"`
	BankLocator        *string `json:"bank_locator"`
	Populated          bool    `json:"populated"`
	SizeBytes          *int64  `json:"size_bytes"`
	Type               *string `json:"type"`
	SpeedMTs           *int    `json:"speed_mts"`
	ConfiguredSpeedMTs *int    `json:"configured_speed_mts"`
	Manufacturer       *string `json:"manufacturer"`
	ManufacturerID     *string `json:"manufacturer_id,omitempty"` // raw JEDEC code when firmware gave one
	SerialNumber       *string `json:"serial_number"`
	PartNumber         *string `json:"part_number"`
}

// Disk is one whole block device.
type Disk struct {
	Name         string  `json:"name"`
	Path         string  `json:"path"`
	Type         *string `json:"type"`
	Transport    *string `json:"transport"`
	Model        *string `json:"model"`
	SerialNumber *string `json:"serial_number"`
	Firmware     *string `json:"firmware"`
	SizeBytes    *int64  `json:"size_bytes"`
	Rotational   *bool   `json:"rotational"`
	WWN          *string `json:"wwn"`
	SMART        *SMART  `json:"smart"`
}

// SMART is the health part of smartctl / nvme smart-log.
type SMART struct {
	Available             bool     `json:"available"`
	Error                 *string  `json:"error,omitempty"`
	Passed                *bool    `json:"passed"`
	TemperatureC          *int     `json:"temperature_c"`
	PowerOnHours          *int64   `json:"power_on_hours"`
	ReallocatedSectors    *int64   `json:"reallocated_sectors,omitempty"`
	PendingSectors        *int64   `json:"pending_sectors,omitempty"`
	OfflineUncorrectable  *int64   `json:"offline_uncorrectable,omitempty"`
	ReportedUncorrectable *int64   `json:"reported_uncorrectable,omitempty"`
	CRCErrors             *int64   `json:"crc_errors,omitempty"`
	GrownDefects          *int64   `json:"grown_defects,omitempty"`
	PercentageUsed        *int     `json:"percentage_used"`
	CriticalWarning       *int     `json:"critical_warning,omitempty"`
	MediaErrors           *int64   `json:"media_errors,omitempty"`
	AvailableSpare        *int     `json:"available_spare,omitempty"`
	AvailableSpareThresh  *int     `json:"available_spare_threshold,omitempty"`
	ErrorLogEntries       *int64   `json:"error_log_entries,omitempty"`
	UnsafeShutdowns       *int64   `json:"unsafe_shutdowns,omitempty"`
	SmartctlExitBits      []string `json:"smartctl_exit_bits,omitempty"`
	// FailingAttributes names the ATA pre-failure attributes at or below their threshold
	// now (smartctl's when_failed "now").
	FailingAttributes []string `json:"failing_attributes,omitempty"`
}

// PCIeDev is one PCI function.
type PCIeDev struct {
	Address string `json:"address"`
	// PCIAddress is Address again, under the name GPUs use for it.
	PCIAddress        string  `json:"pci_address,omitempty"` // always set by this bee; absent in audits of older bees
	Class             *string `json:"class"`
	ClassID           *string `json:"class_id"`
	Vendor            *string `json:"vendor"`
	Device            *string `json:"device"`
	VendorID          *string `json:"vendor_id"`
	DeviceID          *string `json:"device_id"`
	SubsystemVendorID *string `json:"subsystem_vendor_id"`
	SubsystemDeviceID *string `json:"subsystem_device_id"`
	Driver            *string `json:"driver"`
	NUMANode          *int    `json:"numa_node"`
	Link              *Link   `json:"link"`
	AER               *AER    `json:"aer"`
	GPUIndex          *int    `json:"gpu_index,omitempty"`
	SerialNumber      *string `json:"serial_number,omitempty"`
}

// Link is the PCIe link state from sysfs. The speeds are strings as the
// kernel prints them ("8.0 GT/s"); CurrentGTs and MaxGTs are the same numbers
// in GT/s (null for a speed that is not in GT/s, e.g. "33 MHz PCI").
type Link struct {
	CurrentSpeed *string  `json:"current_speed"`
	CurrentGTs   *float64 `json:"current_speed_gts"`
	CurrentWidth *int     `json:"current_width"`
	MaxSpeed     *string  `json:"max_speed"`
	MaxGTs       *float64 `json:"max_speed_gts"`
	MaxWidth     *int     `json:"max_width"`
}

// AER holds the totals of the PCIe Advanced Error Reporting counters.
type AER struct {
	Correctable *int64 `json:"correctable"`
	NonFatal    *int64 `json:"nonfatal"`
	Fatal       *int64 `json:"fatal"`
}

// PSU is one power supply as the BMC reports it.
type PSU struct {
	Name         string   `json:"name"`
	Manufacturer *string  `json:"manufacturer"`
	Model        *string  `json:"model"`
	SerialNumber *string  `json:"serial_number"`
	PartNumber   *string  `json:"part_number"`
	Status       string   `json:"status"`
	Events       []string `json:"events,omitempty"`
}

// GPU is one NVIDIA GPU as nvidia-smi reports it.
type GPU struct {
	Index                     int      `json:"index"`
	Name                      *string  `json:"name"`
	SerialNumber              *string  `json:"serial_number"`
	UUID                      *string  `json:"uuid"`
	PCIAddress                *string  `json:"pci_address"`
	VBIOSVersion              *string  `json:"vbios_version"`
	DriverVersion             *string  `json:"driver_version"`
	MemoryTotalBytes          *int64   `json:"memory_total_bytes"`
	TemperatureC              *int     `json:"temperature_c"`
	PowerDrawW                *float64 `json:"power_draw_w"`
	ECCMode                   *string  `json:"ecc_mode"`
	ECCVolatileUncorrected    *int64   `json:"ecc_volatile_uncorrected"`
	ECCAggregateUncorrected   *int64   `json:"ecc_aggregate_uncorrected"`
	ECCVolatileCorrected      *int64   `json:"ecc_volatile_corrected"`
	ECCAggregateCorrected     *int64   `json:"ecc_aggregate_corrected"`
	RetiredPagesSBE           *int64   `json:"retired_pages_sbe"`
	RetiredPagesDBE           *int64   `json:"retired_pages_dbe"`
	RetiredPagesPending       *bool    `json:"retired_pages_pending"`
	RemappedRowsCorrectable   *int64   `json:"remapped_rows_correctable"`
	RemappedRowsUncorrectable *int64   `json:"remapped_rows_uncorrectable"`
	RemappedRowsPending       *bool    `json:"remapped_rows_pending"`
	RemappedRowsFailure       *bool    `json:"remapped_rows_failure"`
	ClockEventReasons         []string `json:"clock_event_reasons"`
	MIGMode                   *string  `json:"mig_mode"`
	// Fabric is the GPU's NVLink fabric registration (NVSwitch systems,
	// multi-node NVLink); absent when nvidia-smi reports none.
	Fabric *GPUFabric `json:"fabric,omitempty"`
}

// GPUFabric is the "Fabric" section of `nvidia-smi -q -x`.
type GPUFabric struct {
	State         *string `json:"state"`  // "Completed", "In Progress", "Not Started", "N/A"
	Status        *string `json:"status"` // "Success", "Insufficient Resources"
	HealthSummary *string `json:"health_summary"`
}

// Collector statuses (internal/report).
const (
	StatusOK      = report.StatusOK
	StatusSkipped = report.StatusSkipped
	StatusError   = report.StatusError
)

// Collector records how one collector ran. Error says why a collector that
// did not finish ("error") failed; for a "skipped" one it carries the reason
// too (schema_version 1), and SkipReason carries it under its own name
// (null unless skipped).
type Collector struct {
	Name       string    `json:"name"`
	Status     string    `json:"status"`
	DurationMS int64     `json:"duration_ms"`
	Error      *string   `json:"error"`
	SkipReason *string   `json:"skip_reason"`
	Commands   []Command `json:"commands"`
}

// Command records one external command run by a collector.
type Command struct {
	Argv       []string `json:"argv"`
	ExitCode   *int     `json:"exit_code"`
	DurationMS int64    `json:"duration_ms"`
	TimedOut   bool     `json:"timed_out,omitempty"`
	Error      *string  `json:"error"`
	StderrTail *string  `json:"stderr_tail,omitempty"`
}

// NetPort is one physical network port: /sys/class/net/<name> with a device
// behind it, plus `ethtool -i` (driver, firmware) and `ethtool` (link modes).
type NetPort struct {
	Name            string  `json:"name"`
	MAC             *string `json:"mac"`
	PCIAddress      *string `json:"pci_address"`
	Driver          *string `json:"driver"`
	DriverVersion   *string `json:"driver_version"`
	FirmwareVersion *string `json:"firmware_version"`
	// OperState is the kernel's operstate ("up", "down", "lowerlayerdown").
	OperState *string `json:"oper_state"`
	// Carrier is true when the PHY sees a link partner; null when the kernel
	// does not say (the interface is administratively down).
	Carrier   *bool   `json:"carrier"`
	SpeedMbps *int    `json:"speed_mbps"`
	Duplex    *string `json:"duplex"`
	// MaxSupportedMbps is the fastest link mode the port supports (ethtool);
	// null when ethtool did not say.
	MaxSupportedMbps *int `json:"max_supported_mbps"`
}

// IBPort is one port of an RDMA device (InfiniBand HCA, RoCE or iWARP NIC)
// from /sys/class/infiniband.
type IBPort struct {
	Device string `json:"device"`
	Port   int    `json:"port"`
	// State is the logical state ("ACTIVE", "DOWN", "INIT"), PhysState the
	// physical one ("LinkUp", "Polling", "Disabled").
	State     *string  `json:"state"`
	PhysState *string  `json:"phys_state"`
	Rate      *string  `json:"rate"`
	RateGbps  *float64 `json:"rate_gbps"`
	// LinkLayer is "InfiniBand" or "Ethernet" (RoCE).
	LinkLayer       *string `json:"link_layer"`
	HCAType         *string `json:"hca_type"`
	BoardID         *string `json:"board_id"`
	FirmwareVersion *string `json:"firmware_version"`
	NodeGUID        *string `json:"node_guid"`
	PortGUID        *string `json:"port_guid"`
}

// BMC is `ipmitool mc info`, `ipmitool lan print`, `ipmitool sel info` and
// `ipmitool sel elist`. A part that could not be read is null.
type BMC struct {
	Manufacturer     *string `json:"manufacturer"`
	ManufacturerID   *int    `json:"manufacturer_id"`
	ProductID        *int    `json:"product_id"`
	FirmwareRevision *string `json:"firmware_revision"`
	IPMIVersion      *string `json:"ipmi_version"`
	// IPAddress is null when the BMC has none (0.0.0.0); IPSource is
	// "static", "dhcp", "bios" or "other".
	IPAddress  *string `json:"ip_address"`
	IPSource   *string `json:"ip_source"`
	MACAddress *string `json:"mac_address"`
	SEL        *SEL    `json:"sel"`
}

// SEL is the BMC's System Event Log: every entry, as ipmitool prints it.
type SEL struct {
	// PercentUsed and Full are from `sel info` (null / false when it could
	// not be read); Full means newer events may have been dropped.
	PercentUsed *int       `json:"percent_used"`
	Full        bool       `json:"full"`
	Entries     []SELEntry `json:"entries"`
}

// SELEntry is one SEL record. Timestamp is "2006-01-02T15:04:05" in the BMC's
// clock (with "Z" when ipmitool said UTC), null before the BMC clock was set
// (PreInit). Class is the hardware-trouble class (docs/findings.md), null for
// none.
type SELEntry struct {
	ID        string  `json:"id"`
	Timestamp *string `json:"timestamp"`
	Date      *string `json:"date"`
	Time      *string `json:"time"`
	Sensor    *string `json:"sensor"`
	Event     string  `json:"event"`
	Direction *string `json:"direction"`
	Extra     *string `json:"extra,omitempty"`
	Class     *string `json:"class"`
}

// Sensor is one BMC sensor (`ipmitool sdr elist`).
type Sensor struct {
	Name string `json:"name"`
	// Type is "temperature", "voltage", "current", "power", "fan",
	// "percent", "other" or "discrete" (states only).
	Type  string   `json:"type"`
	Value *float64 `json:"value"`
	Unit  *string  `json:"unit"`
	// States are the asserted discrete states ("Presence detected").
	States []string `json:"states,omitempty"`
	// Status is ipmitool's status column ("ok", "ns", "nc", "cr", "nr", ...);
	// Severity the same as one word: "ok", "warning", "critical",
	// "non-recoverable", "no-reading", "unknown".
	Status   string `json:"status"`
	Severity string `json:"severity"`
	Reading  string `json:"reading"`
}

// KernelLog is what the kernel log since boot says about the hardware.
type KernelLog struct {
	// Source is "/dev/kmsg" or "journalctl"; Lines the number of lines read.
	Source string `json:"source"`
	Lines  int    `json:"lines"`
	// Events counts the lines of each kind (internal/parse/kmsg), sorted by
	// kind; Xids the NVIDIA Xid events per Xid number, sorted by number.
	Events []KernelEvent `json:"events"`
	Xids   []KernelXid   `json:"xids"`
}

// KernelEvent is one kind of hardware event in the kernel log.
type KernelEvent struct {
	Kind     string   `json:"kind"`
	Severity *string  `json:"severity"`
	Count    int      `json:"count"`
	Errors   int      `json:"errors,omitempty"`
	Devices  []string `json:"devices,omitempty"`
	First    string   `json:"first"`
	Last     *string  `json:"last"`
}

// KernelXid is one NVIDIA Xid number in the kernel log.
type KernelXid struct {
	Xid      int      `json:"xid"`
	Count    int      `json:"count"`
	Meaning  *string  `json:"meaning"`
	Severity *string  `json:"severity"`
	Devices  []string `json:"devices,omitempty"`
	First    string   `json:"first"`
}

// NVLinkInfo is `nvidia-smi nvlink -s` and `-e`, and `nvidia-smi topo -m`.
type NVLinkInfo struct {
	// GPUs lists the GPUs that have NVLinks ([] when none has).
	GPUs []NVLinkGPU `json:"gpus"`
	// Topology is the GPU/NIC matrix, read only when a GPU has NVLinks.
	Topology *GPUTopology `json:"topology"`
}

// NVLinkGPU is one GPU's NVLinks.
type NVLinkGPU struct {
	Index int     `json:"index"`
	Name  *string `json:"name"`
	UUID  *string `json:"uuid"`
	// AllInactive: the GPU has NVLinks and none is up.
	AllInactive bool         `json:"all_inactive"`
	Links       []NVLinkPort `json:"links"`
}

// NVLinkPort is one NVLink of a GPU.
type NVLinkPort struct {
	Link     int      `json:"link"`
	State    *string  `json:"state"` // "up", "inactive", or as printed
	SpeedGBs *float64 `json:"speed_gbs"`
	// Counters are the error counters of `nvlink -e` by the name nvidia-smi
	// prints ("Replay Errors", "Recovery Errors", "CRC Errors").
	Counters map[string]int64 `json:"counters,omitempty"`
}

// GPUTopology is `nvidia-smi topo -m`: Matrix[i][j] connects Devices[i] and
// Devices[j] ("X", "SYS", "NODE", "PHB", "PXB", "PIX", "NV<n>").
type GPUTopology struct {
	Devices []string   `json:"devices"`
	Matrix  [][]string `json:"matrix"`
}

// AdapterFirmware is `mstflint -d ADDR query` of one adapter.
type AdapterFirmware struct {
	PCIAddress string `json:"pci_address"`
	// FWVersion is the firmware on flash (what runs after the next reset);
	// RunningFWVersion the one running now.
	FWVersion        *string `json:"fw_version"`
	RunningFWVersion *string `json:"running_fw_version"`
	PSID             *string `json:"psid"`
	ProductVersion   *string `json:"product_version"`
	RebootNeeded     bool    `json:"reboot_needed"`
}
