// Package xorriso parses what
//
//	xorriso -indev ISO -pvd_info -report_el_torito plain -report_system_area plain -lsl DIR --
//
// prints on stdout (xorriso 1.5): the primary volume descriptor, the El Torito boot
// records, the system area (MBR/GPT/APM of an isohybrid image) and one directory's
// files. bee image reads an ISO's boot equipment and /live layers with it.
//
// The parser is pure: it takes the captured bytes and never runs the tool.
package xorriso

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Report is one ISO as xorriso describes it.
type Report struct {
	VolumeID  string // "Volume Id    : BEE"
	Publisher string
	Preparer  string
	AppID     string
	// Catalog is the El Torito boot catalog's path ("/isolinux/boot.cat"); "" when
	// the image has no El Torito record.
	Catalog string `json:",omitempty"`
	Boot    []BootImage
	// SystemArea is the system area summary, e.g. "MBR isohybrid cyl-align-on GPT APM".
	SystemArea string `json:",omitempty"`
	// Files are the entries of the directory given to -lsl, in xorriso's order.
	Files []File
}

// BootImage is one El Torito boot image.
type BootImage struct {
	Number   int    // 1-based catalog entry
	Platform string // "BIOS", "UEFI", "PPC", "Mac"
	Bootable bool
	Emul     string // "none", "fd1.2", "hd", ...
	LoadSize int    // 512-byte sectors loaded ("Ldsiz")
	LBA      int64
	Path     string   // "/isolinux/isolinux.bin"; "" when the image is not a file in the tree
	Options  []string `json:",omitempty"` // "boot-info-table", "isohybrid-suitable", ...
}

// File is one entry of a -lsl listing.
type File struct {
	Name string // as stored (xorriso's quoting undone)
	Mode string // "-r--r--r--"
	Size int64
}

// Parse reads the report. The primary volume descriptor ("PVD address" and
// "Volume Id" lines) must be there; everything else may be absent.
func Parse(data []byte) (*Report, error) {
	r := &Report{}
	sawPVD := false
	images := map[int]*BootImage{}
	var order []int
	for i, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimRight(string(raw), "\r")
		key, val, isKV := strings.Cut(line, ":")
		key = strings.TrimSpace(key)
		if isKV && len(val) > 0 && val[0] == ' ' {
			val = val[1:]
		}
		if isKV && !strings.HasPrefix(line, "-") && !strings.HasPrefix(line, "d") && !strings.HasPrefix(line, "'") {
			switch key {
			case "PVD address":
				sawPVD = true
			case "Volume Id":
				r.VolumeID = strings.TrimSpace(val)
			case "Publisher Id":
				r.Publisher = strings.TrimSpace(val)
			case "Preparer Id":
				r.Preparer = strings.TrimSpace(val)
			case "App Id":
				r.AppID = strings.TrimSpace(val)
			case "El Torito cat path":
				r.Catalog = strings.TrimSpace(val)
			case "System area summary":
				r.SystemArea = strings.TrimSpace(val)
			case "El Torito boot img":
				f := strings.Fields(val)
				if len(f) != 8 {
					return nil, fmt.Errorf("xorriso report line %d: El Torito boot img: want 8 fields, got %q", i+1, val)
				}
				n, err1 := strconv.Atoi(f[0])
				ldsiz, err2 := strconv.Atoi(f[6])
				lba, err3 := strconv.ParseInt(f[7], 10, 64)
				if err := errors.Join(err1, err2, err3); err != nil || n < 1 || ldsiz < 0 || lba < 0 {
					return nil, fmt.Errorf("xorriso report line %d: bad El Torito boot img %q", i+1, val)
				}
				if _, dup := images[n]; dup {
					return nil, fmt.Errorf("xorriso report line %d: boot image %d listed twice", i+1, n)
				}
				images[n] = &BootImage{Number: n, Platform: f[1], Bootable: f[2] == "y", Emul: f[3], LoadSize: ldsiz, LBA: lba}
				order = append(order, n)
			case "El Torito img path", "El Torito img opts":
				num, rest, _ := strings.Cut(strings.TrimLeft(val, " "), " ")
				n, err := strconv.Atoi(num)
				img := images[n]
				if err != nil || img == nil {
					return nil, fmt.Errorf("xorriso report line %d: %s for unknown boot image %q", i+1, key, num)
				}
				rest = strings.TrimSpace(rest)
				if key == "El Torito img path" {
					img.Path = rest
				} else {
					img.Options = strings.Fields(rest)
				}
			}
			continue
		}
		if f, ok, err := parseLsl(line); err != nil {
			return nil, fmt.Errorf("xorriso report line %d: %w", i+1, err)
		} else if ok {
			r.Files = append(r.Files, f)
		}
	}
	if !sawPVD || r.VolumeID == "" {
		return nil, errors.New("xorriso report: no primary volume descriptor (PVD address, Volume Id)")
	}
	for _, n := range order {
		r.Boot = append(r.Boot, *images[n])
	}
	return r, nil
}

// parseLsl reads one line of -lsl:
//
//	-r--r--r--    1 0        0        371175424 Dec  6 15:50 'filesystem.squashfs'
//
// ok is false for lines that are not entries (headers, "total N").
func parseLsl(line string) (File, bool, error) {
	if len(line) < 11 || !strings.ContainsRune("-dlcbps", rune(line[0])) || line[10] != ' ' || !strings.HasSuffix(line, "'") {
		return File{}, false, nil
	}
	q := strings.IndexByte(line, '\'')
	f := strings.Fields(line[:q])
	if len(f) != 8 {
		return File{}, false, fmt.Errorf("-lsl entry: want 8 fields before the name, got %q", line)
	}
	size, err := strconv.ParseInt(f[4], 10, 64)
	if err != nil || size < 0 {
		return File{}, false, fmt.Errorf("-lsl entry: bad size %q", f[4])
	}
	name, err := unquote(line[q:])
	if err != nil {
		return File{}, false, err
	}
	return File{Name: name, Mode: f[0], Size: size}, true, nil
}

// unquote undoes xorriso's shell-style quoting: 'a'"'"'b' is a'b.
func unquote(s string) (string, error) {
	var b strings.Builder
	for len(s) > 0 {
		switch s[0] {
		case '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return "", fmt.Errorf("unterminated quote in %q", s)
			}
			b.WriteString(s[1 : 1+end])
			s = s[2+end:]
		case '"':
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return "", fmt.Errorf("unterminated quote in %q", s)
			}
			b.WriteString(s[1 : 1+end])
			s = s[2+end:]
		default:
			return "", fmt.Errorf("unexpected %q in quoted name", s[:1])
		}
	}
	if b.Len() == 0 {
		return "", errors.New("empty name")
	}
	return b.String(), nil
}
