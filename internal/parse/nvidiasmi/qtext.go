package nvidiasmi

import (
	"errors"
	"regexp"
	"strings"
)

// TextGPU is the subset of one GPU section of `nvidia-smi -q` text output that the XML
// report (ParseXML) cannot be used for: identity and the memory-health counters. The
// conventions are those of GPU: trimmed raw strings, nil for absent or "N/A" numbers.
type TextGPU struct {
	PCIBusID        string // from the "GPU 00000000:1A:00.0" header, normalized like GPU.PCIBusID
	ProductName     string
	SerialNumber    string
	UUID            string
	VBIOSVersion    string
	BoardPartNumber string // "Board Part Number"; "GPU Part Number" on drivers without it

	MemoryTotalBytes *int64 // FB Memory Usage / Total
	ECCMode          string // ECC Mode / Current

	RetiredPagesSBE     *int64 // Retired Pages / Single Bit ECC
	RetiredPagesDBE     *int64 // Retired Pages / Double Bit ECC
	RetiredPagesPending *bool  // Retired Pages / Pending, Pending Page Blacklist or Pending Page Retirement

	RemappedRowsCorrectable   *int64 // Remapped Rows / Correctable Error
	RemappedRowsUncorrectable *int64 // Remapped Rows / Uncorrectable Error
	RemappedRowsPending       *bool  // Remapped Rows / Pending
	RemappedRowsFailure       *bool  // Remapped Rows / Remapping Failure Occurred
}

var gpuHeaderRE = regexp.MustCompile(`^GPU ([0-9A-Fa-f]{1,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-7])\s*$`)

// ParseQText parses the text output of `nvidia-smi -q` (also `nvidia-smi --query` and
// partial reports such as `nvidia-smi -q -d PAGE_RETIREMENT`): one TextGPU per
// "GPU <bus id>" section, in file order. Several concatenated reports are accepted.
//
// When the input is one of nvidia-smi's failure messages the error wraps the matching
// sentinel (see ParseError); any other input without a GPU section (empty, garbage, the
// XML report) gives an error.
func ParseQText(data []byte) ([]TextGPU, error) {
	type entry struct {
		indent int
		key    string
	}
	var (
		gpus  []TextGPU
		cur   map[string]string // "Section/Sub/Key" -> value, for the current GPU
		ids   []string
		maps  []map[string]string
		stack []entry
	)
	for _, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimRight(raw, " \t\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		trimmed := strings.TrimLeft(line, " \t")
		indent := len(line) - len(trimmed)
		if indent == 0 {
			if m := gpuHeaderRE.FindStringSubmatch(trimmed); m != nil {
				cur = make(map[string]string)
				ids = append(ids, m[1])
				maps = append(maps, cur)
				stack = stack[:0]
				continue
			}
			if strings.HasPrefix(trimmed, "=====") || !strings.Contains(trimmed, ":") {
				cur = nil // a new report, or something else: leave the GPU section
			}
			continue
		}
		if cur == nil {
			continue
		}
		key, value, hasValue := strings.Cut(trimmed, ":")
		key = strings.ToLower(strings.TrimSpace(key))
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		path := key
		if len(stack) > 0 {
			parts := make([]string, 0, len(stack)+1)
			for _, e := range stack {
				parts = append(parts, e.key)
			}
			path = strings.Join(append(parts, key), "/")
		}
		if hasValue {
			if _, dup := cur[path]; !dup {
				cur[path] = strings.TrimSpace(value)
			}
		}
		stack = append(stack, entry{indent: indent, key: key})
	}
	for i, m := range maps {
		gpus = append(gpus, textGPU(ids[i], m))
	}
	if len(gpus) == 0 {
		if err := ParseError(data); err != nil {
			return nil, err
		}
		return nil, errors.New("nvidia-smi: no \"GPU <bus id>\" section found in -q output")
	}
	return gpus, nil
}

func textGPU(id string, m map[string]string) TextGPU {
	g := TextGPU{
		PCIBusID:                  normalizeBusID(id),
		ProductName:               m["product name"],
		SerialNumber:              m["serial number"],
		UUID:                      m["gpu uuid"],
		VBIOSVersion:              m["vbios version"],
		MemoryTotalBytes:          parseBytes(m["fb memory usage/total"]),
		ECCMode:                   m["ecc mode/current"],
		RetiredPagesSBE:           parseInt64(m["retired pages/single bit ecc"]),
		RetiredPagesDBE:           parseInt64(m["retired pages/double bit ecc"]),
		RemappedRowsCorrectable:   parseInt64(m["remapped rows/correctable error"]),
		RemappedRowsUncorrectable: parseInt64(m["remapped rows/uncorrectable error"]),
		RemappedRowsPending:       parseYesNo(m["remapped rows/pending"]),
		RemappedRowsFailure:       parseYesNo(m["remapped rows/remapping failure occurred"]),
	}
	if v, ok := m["board part number"]; ok {
		g.BoardPartNumber = v
	} else {
		g.BoardPartNumber = m["gpu part number"]
	}
	g.RetiredPagesPending = anyYes(m["retired pages/pending page retirement"],
		m["retired pages/pending page blacklist"], m["retired pages/pending"])
	return g
}
