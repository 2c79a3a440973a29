package raid

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ParseStorcli reads the JSON ("J") output of storcli64 (or perccli64):
// `/cALL show all J` (controller, VD LIST, PD LIST, BBU_Info / Cachevault_Info; on HBAs
// "Physical Device Information") and `/cALL/eALL/sALL show all J` (per drive: state,
// error counters, serial, firmware). A controller whose Command Status is not
// "Success" is an error naming its Description, unless another controller answered.
func ParseStorcli(data []byte) (*Report, error) {
	var doc struct {
		Controllers []map[string]json.RawMessage `json:"Controllers"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("storcli: %v", err)
	}
	if len(doc.Controllers) == 0 {
		return nil, fmt.Errorf("storcli: no \"Controllers\" in the output")
	}
	r := &Report{Tool: "storcli", Controllers: []Controller{}, VirtualDrives: []VirtualDrive{}, PhysicalDrives: []PhysicalDrive{}}
	var failures []string
	for i, c := range doc.Controllers {
		var status map[string]any
		if err := decodeUseNumber(c["Command Status"], &status); err != nil {
			return nil, fmt.Errorf("storcli: controller entry %d: Command Status: %v", i, err)
		}
		id := str(status["Controller"])
		if s := str(status["Status"]); s != "Success" {
			failures = append(failures, fmt.Sprintf("controller %s: %s: %s", id, s, str(status["Description"])))
			continue
		}
		var resp map[string]any
		if err := decodeUseNumber(c["Response Data"], &resp); err != nil {
			return nil, fmt.Errorf("storcli: controller %s: Response Data: %v", id, err)
		}
		storcliController(r, id, resp)
	}
	if len(r.Controllers) == 0 && len(r.PhysicalDrives) == 0 && len(failures) > 0 {
		return nil, fmt.Errorf("storcli: %s", strings.Join(failures, "; "))
	}
	return r, nil
}

func decodeUseNumber(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return fmt.Errorf("missing")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

var storcliDriveKey = regexp.MustCompile(`^Drive (/c(\d+)(?:/e(\d+))?/s(\d+))$`)

func storcliController(r *Report, id string, resp map[string]any) {
	// `show all` nests the names under Basics / Version / Status; plain `show` prints
	// "Product Name", "Serial Number", "FW Version" at the top of Response Data.
	var ctl *Controller
	if basics := obj(resp["Basics"]); basics != nil {
		if c := str(basics["Controller"]); c != "" {
			id = c
		}
		ver := obj(resp["Version"])
		ctl = &Controller{ID: id, Model: clean(str(basics["Model"])), Serial: clean(str(basics["Serial Number"])),
			Firmware: clean(str(ver["Firmware Version"]))}
		if st := obj(resp["Status"]); st != nil {
			ctl.Status = str(st["Controller Status"])
		}
	} else if name := clean(str(resp["Product Name"])); name != "" {
		ctl = &Controller{ID: id, Model: name, Serial: clean(str(resp["Serial Number"])), Firmware: clean(str(resp["FW Version"]))}
	}
	if ctl != nil {
		for _, k := range []struct{ key, kind string }{{"BBU_Info", "BBU"}, {"Cachevault_Info", "CacheVault"}} {
			list, _ := resp[k.key].([]any)
			if m := obj(resp[k.key]); m != nil {
				list = []any{m}
			}
			for _, e := range list {
				b := obj(e)
				if b == nil {
					continue
				}
				state := str(b["State"])
				ctl.Backup = &CacheBackup{Kind: k.kind, Model: str(b["Model"]), State: state, Failed: backupFailed(state)}
			}
		}
		r.Controllers = append(r.Controllers, *ctl)
	}
	for _, e := range list(resp["VD LIST"]) {
		v := obj(e)
		state := str(v["State"])
		r.VirtualDrives = append(r.VirtualDrives, VirtualDrive{Controller: id, ID: str(v["DG/VD"]), Name: str(v["Name"]),
			RAIDLevel: raidLevel(str(v["TYPE"])), Size: str(v["Size"]), State: state, Status: storcliVDStatus(state)})
	}
	// Drives: "PD LIST" rows, then the per-drive objects of `show all` (top level, or
	// under "Physical Device Information" on HBAs), which add serial, firmware and
	// error counters.
	pds := map[string]int{}
	addRow := func(row map[string]any) int {
		loc := str(row["EID:Slt"])
		if i, ok := pds[loc]; ok {
			return i
		}
		state := str(row["State"])
		r.PhysicalDrives = append(r.PhysicalDrives, PhysicalDrive{Controller: id, Location: loc, Model: clean(str(row["Model"])),
			Size: str(row["Size"]), State: state, Status: storcliPDStatus(state)})
		pds[loc] = len(r.PhysicalDrives) - 1
		return pds[loc]
	}
	for _, e := range list(resp["PD LIST"]) {
		if row := obj(e); row != nil {
			addRow(row)
		}
	}
	for _, src := range []map[string]any{resp, obj(resp["Physical Device Information"])} {
		keys := make([]string, 0, len(src))
		for k := range src {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			m := storcliDriveKey.FindStringSubmatch(k)
			if m == nil {
				continue
			}
			rows := list(src[k])
			if len(rows) == 0 || obj(rows[0]) == nil {
				continue
			}
			p := &r.PhysicalDrives[addRow(obj(rows[0]))]
			detail := obj(src[k+" - Detailed Information"])
			if detail == nil {
				continue
			}
			if st := obj(detail[k+" State"]); st != nil {
				p.MediaErrors = num(st["Media Error Count"])
				p.OtherErrors = num(st["Other Error Count"])
				pf := num(st["Predictive Failure Count"])
				smart := str(st["S.M.A.R.T alert flagged by drive"])
				if pf != nil || smart == "Yes" || smart == "No" {
					b := (pf != nil && *pf > 0) || smart == "Yes"
					p.PredictiveFailure = &b
				}
			}
			if at := obj(detail[k+" Device attributes"]); at != nil {
				p.Serial = clean(str(at["SN"]))
				p.Firmware = clean(str(at["Firmware Revision"]))
				if mdl := clean(str(at["Model Number"])); mdl != "" {
					p.Model = mdl
				}
				sector := firstNonEmpty(str(at["Logical Sector Size"]), str(at["Sector Size"]))
				p.SizeBytes = storcliSectors(str(at["Coerced size"]), sector)
			}
		}
	}
}

var storcliSectorCount = regexp.MustCompile(`\[0x([0-9a-fA-F]+) Sectors\]`)

// storcliSectors reads "14.551 TB [0x746a52800 Sectors]" with sector size "512B".
func storcliSectors(size, sector string) *int64 {
	m := storcliSectorCount.FindStringSubmatch(size)
	ss, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(sector), "B"), 10, 64)
	if m == nil || err != nil || ss <= 0 {
		return nil
	}
	n, err := strconv.ParseInt(m[1], 16, 64)
	if err != nil || n > (1<<62)/ss {
		return nil
	}
	b := n * ss
	return &b
}

func storcliVDStatus(s string) string {
	switch s {
	case "Optl":
		return VDOptimal
	case "Dgrd", "Pdgd":
		return VDDegraded
	case "OfLn":
		return VDOffline
	case "Rec":
		return VDRebuilding
	}
	return VDOther
}

func storcliPDStatus(s string) string {
	switch s {
	case "Onln", "JBOD":
		return PDOnline
	case "UBad", "Failed", "Offln", "F":
		return PDFailed
	case "Rbld", "Cpybck":
		return PDRebuilding
	case "GHS", "DHS":
		return PDSpare
	case "UGood", "UGUnsp":
		return PDUnconfigured
	}
	return PDOther
}

// backupFailed reads a BBU/CacheVault state.
func backupFailed(state string) bool {
	s := strings.ToLower(state)
	for _, w := range []string{"fail", "replace", "dead", "bad", "missing"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

var raidDigits = regexp.MustCompile(`(?i)^(?:raid)?\s*(\d+)(?:\s*\(.*\))?$`)

// raidLevel normalizes "RAID6", "RAID 1", "1", "10", "1+0" to "RAID6", "RAID1", "RAID10".
func raidLevel(s string) string {
	s = strings.TrimSpace(s)
	if s == "1+0" || strings.EqualFold(s, "RAID 1+0") || strings.EqualFold(s, "RAID1+0") {
		return "RAID10"
	}
	if m := raidDigits.FindStringSubmatch(s); m != nil {
		return "RAID" + m[1]
	}
	return s
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }
func list(v any) []any         { l, _ := v.([]any); return l }

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

func num(v any) *int64 {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	default:
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

// clean trims the padding storcli keeps ("ATA     ", "            ZL2PVFA8").
func clean(s string) string { return strings.TrimSpace(s) }

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
