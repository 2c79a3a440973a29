// Package mstflint reads `mstflint -d <pci> query` (and MFT's `flint -d <dev> query
// [full]`, which prints the same lines) for NVIDIA/Mellanox ConnectX and BlueField
// adapters: the firmware on flash, the firmware running when that differs (a newer
// image burned but not yet active: the card needs a reboot or mstfwreset), the PSID that
// names the board's firmware flavour, and the GUIDs/MACs.
//
// Format: "Key:" padded to a column, then the value; a line that starts with
// spaces continues the previous key's value ("Rom Info" lists one ROM per line). Keys
// differ by image generation: FS2 (ConnectX-3) prints "GUIDs:" / "MACs:" lists and
// "VSD:", FS3/FS4 print "Base GUID:" / "Base MAC:" with a count, "Image VSD:",
// "Device VSD:", "Security Attributes:". Unknown keys are kept in Fields.
package mstflint

import (
	"fmt"
	"strings"
)

// Query is one adapter's `mstflint query`.
type Query struct {
	ImageType string `json:"image_type,omitempty"` // "FS4"
	// FWVersion is the firmware on flash: what runs after the next reset.
	FWVersion string `json:"fw_version"`
	// RunningFWVersion is printed only while the running firmware differs from the
	// flash ("FW Version(Running)"); "" otherwise.
	RunningFWVersion string   `json:"running_fw_version,omitempty"`
	FWReleaseDate    string   `json:"fw_release_date,omitempty"`
	ProductVersion   string   `json:"product_version,omitempty"`
	PSID             string   `json:"psid,omitempty"` // "MT_0000000228"
	DeviceID         string   `json:"device_id,omitempty"`
	RomInfo          []string `json:"rom_info,omitempty"` // "type=UEFI version=14.28.15 cpu=AMD64,AARCH64"
	BaseGUID         string   `json:"base_guid,omitempty"`
	BaseMAC          string   `json:"base_mac,omitempty"`
	GUIDs            []string `json:"guids,omitempty"` // FS2
	MACs             []string `json:"macs,omitempty"`  // FS2
	// Fields holds every key as printed (continuation lines joined with "\n").
	Fields map[string]string `json:"fields"`
}

// RebootNeeded reports a firmware image on flash that is not the one running: the new
// firmware takes effect only after a reboot (or mstfwreset).
func (q *Query) RebootNeeded() bool {
	return q.RunningFWVersion != "" && q.RunningFWVersion != q.FWVersion
}

// ActiveFWVersion is the firmware running now.
func (q *Query) ActiveFWVersion() string {
	if q.RunningFWVersion != "" {
		return q.RunningFWVersion
	}
	return q.FWVersion
}

// Parse reads one `mstflint -d <dev> query` output. mstflint's own errors ("-E- Cannot
// open Device: …") and output without a "FW Version" line are errors.
func Parse(data []byte) (*Query, error) {
	q := &Query{Fields: map[string]string{}}
	last := ""
	for _, raw := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		line := strings.TrimRight(raw, " \t")
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "-E-") {
			return nil, fmt.Errorf("mstflint: %s", strings.TrimSpace(strings.TrimPrefix(t, "-E-")))
		}
		if line[0] == ' ' || line[0] == '\t' {
			if last != "" {
				q.Fields[last] += "\n" + strings.TrimSpace(line)
			}
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue // "-W-" warnings and other chatter
		}
		key = strings.TrimSpace(key)
		q.Fields[key] = strings.TrimSpace(val)
		last = key
	}
	f := q.Fields
	q.ImageType = f["Image type"]
	q.FWVersion = f["FW Version"]
	q.RunningFWVersion = f["FW Version(Running)"]
	q.FWReleaseDate = f["FW Release Date"]
	q.ProductVersion = f["Product Version"]
	q.PSID = f["PSID"]
	q.DeviceID = f["Device ID"]
	if v := f["Rom Info"]; v != "" {
		q.RomInfo = strings.Split(v, "\n")
	}
	q.BaseGUID = firstField(f["Base GUID"])
	q.BaseMAC = firstField(f["Base MAC"])
	q.GUIDs = strings.Fields(f["GUIDs"])
	q.MACs = strings.Fields(f["MACs"])
	if q.FWVersion == "" && q.RunningFWVersion == "" {
		if len(f) == 0 {
			return nil, fmt.Errorf("mstflint: empty query output")
		}
		return nil, fmt.Errorf("mstflint: no \"FW Version\" in the query output")
	}
	if q.FWVersion == "" { // flint_ext (MFT on FreeBSD) has been seen printing only "FW Version(Running)"
		q.FWVersion, q.RunningFWVersion = q.RunningFWVersion, ""
	}
	return q, nil
}

func firstField(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 || f[0] == "N/A" {
		return ""
	}
	return f[0]
}
