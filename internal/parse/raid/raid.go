// Package raid reads the configuration and health that hardware RAID controllers' own
// tools print, into one result type:
//
//	storcli64 / perccli   /cALL show all J, /cALL/eALL/sALL show all J  (ParseStorcli)
//	MegaCli               -PDList -aAll, -AdpBbuCmd -aAll               (ParseMegaCLI)
//	arcconf               GETCONFIG <n> [AD|LD|PD|AL]                    (ParseArcconf)
//	ssacli / hpssacli     ctrl all show config detail                   (ParseSSACLI)
//	sas2ircu / sas3ircu   <n> DISPLAY                                   (ParseSASIrcu)
//
// Every parser is a pure function of the tool's output. Values keep the tool's words
// (State) beside a normalized status the judge uses; sizes are in bytes only where the
// output gives them exactly (a sector count, or MB/MiB where the tool documents 2^20),
// otherwise only the printed Size is kept.
package raid

// Report is what one tool's output says about its controllers.
type Report struct {
	Tool           string          `json:"tool"` // "storcli", "megacli", "arcconf", "ssacli", "sas2ircu", "sas3ircu"
	Controllers    []Controller    `json:"controllers"`
	VirtualDrives  []VirtualDrive  `json:"virtual_drives"`
	PhysicalDrives []PhysicalDrive `json:"physical_drives"`
}

// Controller is one RAID controller or HBA.
type Controller struct {
	ID       string `json:"id"` // the tool's controller number or slot ("0")
	Model    string `json:"model,omitempty"`
	Serial   string `json:"serial,omitempty"`
	Firmware string `json:"firmware,omitempty"`
	Status   string `json:"status,omitempty"` // as printed ("Optimal", "OK")
	// CacheStatus is the cache module's state as printed ("OK"); "" when not reported.
	CacheStatus string `json:"cache_status,omitempty"`
	// Backup is the cache's power backup (BBU, CacheVault/supercap); nil when the output
	// says nothing about one.
	Backup *CacheBackup `json:"backup,omitempty"`
}

// CacheBackup is a battery (BBU) or capacitor (CacheVault) that protects the write cache.
type CacheBackup struct {
	Kind   string `json:"kind"`            // "BBU", "CacheVault", "Battery/Capacitor"
	Model  string `json:"model,omitempty"` // "iBBU08", "CVPM02"
	State  string `json:"state"`           // as printed ("Optimal", "OK", "Failed")
	Failed bool   `json:"failed"`          // the tool reports the unit failed or needing replacement
}

// VirtualDrive is a logical drive / volume.
type VirtualDrive struct {
	Controller string `json:"controller"`
	ID         string `json:"id"` // "0/0" (storcli DG/VD), "1" (ssacli logical drive), "286" (sas3ircu volume ID)
	Name       string `json:"name,omitempty"`
	RAIDLevel  string `json:"raid_level,omitempty"` // normalized "RAID1", "RAID10" …
	Size       string `json:"size,omitempty"`       // as printed
	SizeBytes  *int64 `json:"size_bytes,omitempty"`
	State      string `json:"state"`  // as printed
	Status     string `json:"status"` // VDOptimal, VDDegraded, VDOffline, VDRebuilding, VDOther
}

// Virtual drive statuses.
const (
	VDOptimal    = "optimal"
	VDDegraded   = "degraded"
	VDOffline    = "offline"
	VDRebuilding = "rebuilding"
	VDOther      = "other"
)

// PhysicalDrive is a disk behind a controller.
type PhysicalDrive struct {
	Controller string `json:"controller"`
	// Location is where the tool says the drive sits: "252:0" (enclosure:slot),
	// "2I:1:1" (ssacli port:box:bay), "0,1" (arcconf channel,device).
	Location  string `json:"location"`
	Model     string `json:"model,omitempty"`
	Serial    string `json:"serial,omitempty"`
	Firmware  string `json:"firmware,omitempty"`
	Size      string `json:"size,omitempty"` // as printed
	SizeBytes *int64 `json:"size_bytes,omitempty"`
	State     string `json:"state"`  // as printed
	Status    string `json:"status"` // PDOnline, PDFailed, PDRebuilding, PDSpare, PDUnconfigured, PDOther
	// Error counters where the tool prints them; nil when not printed or "N/A".
	MediaErrors *int64 `json:"media_errors,omitempty"`
	OtherErrors *int64 `json:"other_errors,omitempty"`
	// PredictiveFailure: the drive (SMART) or controller predicts its failure; nil when
	// the tool does not say.
	PredictiveFailure *bool `json:"predictive_failure,omitempty"`
}

// Physical drive statuses.
const (
	PDOnline       = "online" // in use (array member, JBOD, pass-through)
	PDFailed       = "failed"
	PDRebuilding   = "rebuilding"
	PDSpare        = "spare"
	PDUnconfigured = "unconfigured" // good, not in use
	PDOther        = "other"
)

// Severity of a finding.
const (
	SeverityFailure = "failure"
	SeverityWarning = "warning"
)

// Finding is one judgement about a controller, virtual or physical drive.
type Finding struct {
	Severity  string `json:"severity"`
	Component string `json:"component"` // "controller 0", "vd 0/0 on controller 0", "pd 252:0 on controller 0"
	Message   string `json:"message"`
}
