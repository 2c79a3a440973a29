package xorriso

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Extent is one data extent of a file, from
//
//	xorriso -indev ISO -find DIR -name '*.squashfs' -exec report_lba --
//
// which prints
//
//	Report layout: xt , Startlba ,   Blocks , Filesize , ISO image path
//	File data lba:  0 ,     9402 ,   181238 , 371175424 , '/live/filesystem.squashfs'
//
// A file of one extent is stored contiguously from byte StartLBA*2048 of the ISO, so
// a squashfs in it can be read in place (unsquashfs -o OFFSET) without copying it out.
type Extent struct {
	Path     string
	Index    int   // "xt": 0 for the first extent of a file
	StartLBA int64 // in 2048-byte blocks
	Blocks   int64
	Size     int64 // the file's size in bytes
}

// ParseLBA reads a report_lba listing; no "File data lba" line is an empty result.
func ParseLBA(data []byte) ([]Extent, error) {
	out := []Extent{}
	for i, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimRight(string(raw), "\r")
		rest, ok := strings.CutPrefix(line, "File data lba:")
		if !ok {
			continue
		}
		f := strings.SplitN(rest, ",", 5)
		if len(f) != 5 {
			return nil, fmt.Errorf("report_lba line %d: want 5 fields, got %q", i+1, line)
		}
		var nums [4]int64
		for j := 0; j < 4; j++ {
			n, err := strconv.ParseInt(strings.TrimSpace(f[j]), 10, 64)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("report_lba line %d: bad number %q", i+1, f[j])
			}
			nums[j] = n
		}
		p, err := unquote(strings.TrimSpace(f[4]))
		if err != nil {
			return nil, fmt.Errorf("report_lba line %d: %w", i+1, err)
		}
		if nums[0] > 1<<20 {
			return nil, fmt.Errorf("report_lba line %d: extent index %d", i+1, nums[0])
		}
		out = append(out, Extent{Path: p, Index: int(nums[0]), StartLBA: nums[1], Blocks: nums[2], Size: nums[3]})
	}
	return out, nil
}

// Contiguous returns the byte offset of path's data in the ISO when the file is one
// extent, and an error otherwise.
func Contiguous(extents []Extent, path string) (int64, error) {
	var found []Extent
	for _, e := range extents {
		if e.Path == path {
			found = append(found, e)
		}
	}
	switch {
	case len(found) == 0:
		return 0, fmt.Errorf("%s: not in the report", path)
	case len(found) > 1:
		return 0, errors.New(path + ": stored in several extents")
	}
	return found[0].StartLBA * 2048, nil
}
