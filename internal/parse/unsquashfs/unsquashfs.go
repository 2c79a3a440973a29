// Package unsquashfs parses the listing `unsquashfs -lln -UTC FILE` prints of a
// squashfs image (squashfs-tools 4.x): one line per entry, the image's root first,
//
//	drwx------ 0/0                      38 2023-11-14 22:13 squashfs-root/root/.ssh
//	-rw------- 0/0                      19 2023-11-14 22:13 squashfs-root/root/.ssh/authorized_keys
//	crw-r--r-- 0/0                   0,  0 2023-11-14 22:13 squashfs-root/etc/whiteout
//	lrwxrwxrwx 0/0                      11 2023-11-14 22:13 squashfs-root/etc/bee/link -> /etc/shadow
//
// The parser is pure: it takes the captured bytes and never runs the tool.
package unsquashfs

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Entry is one file, directory, link or special file of the image.
type Entry struct {
	// Path is absolute inside the image: "/" for its root, "/root/.ssh" for
	// "squashfs-root/root/.ssh".
	Path string
	// Type is one of "dir", "file", "symlink", "char", "block", "fifo", "socket".
	Type string
	// Mode is the permission bits with setuid, setgid and sticky, e.g. 0o600,
	// or 0o4755 for "-rwsr-xr-x".
	Mode  uint32
	UID   int
	GID   int
	Size  int64     // bytes (files, symlinks); for directories what squashfs stores (not meaningful)
	Major int       `json:",omitempty"` // char and block devices only
	Minor int       `json:",omitempty"` // char and block devices only
	MTime time.Time // minute resolution, as listed (with -UTC)
	// Target is a symlink's target.
	Target string `json:",omitempty"`
}

// Parse reads an `unsquashfs -lln -UTC` listing. Lines before the first entry
// (unsquashfs prints none with -lln, but a banner would be harmless) must not look
// like entries; every entry after the root must lie under the root's name.
func Parse(data []byte) ([]Entry, error) {
	var out []Entry
	root := ""
	for i, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimRight(string(raw), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		e, name, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("unsquashfs listing line %d: %w", i+1, err)
		}
		if root == "" {
			if e.Type != "dir" {
				return nil, fmt.Errorf("unsquashfs listing line %d: the first entry %q is not the root directory", i+1, name)
			}
			root = name
			e.Path = "/"
		} else {
			rel, ok := strings.CutPrefix(name, root+"/")
			if !ok || rel == "" {
				return nil, fmt.Errorf("unsquashfs listing line %d: %q is not under the root %q", i+1, name, root)
			}
			for _, part := range strings.Split(rel, "/") {
				if part == "" || part == "." || part == ".." {
					return nil, fmt.Errorf("unsquashfs listing line %d: bad path %q", i+1, name)
				}
			}
			e.Path = "/" + rel
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, errors.New("unsquashfs listing: no entries")
	}
	return out, nil
}

var types = map[byte]string{'d': "dir", '-': "file", 'l': "symlink", 'c': "char", 'b': "block", 'p': "fifo", 's': "socket"}

func parseLine(line string) (Entry, string, error) {
	var e Entry
	rest := line
	next := func() string {
		rest = strings.TrimLeft(rest, " ")
		i := strings.IndexByte(rest, ' ')
		if i < 0 {
			f := rest
			rest = ""
			return f
		}
		f := rest[:i]
		rest = rest[i+1:]
		return f
	}
	perm := next()
	if len(perm) != 10 {
		return e, "", fmt.Errorf("bad mode %q", perm)
	}
	t, ok := types[perm[0]]
	if !ok {
		return e, "", fmt.Errorf("unknown file type %q", perm[:1])
	}
	e.Type = t
	mode, err := parsePerm(perm[1:])
	if err != nil {
		return e, "", err
	}
	e.Mode = mode
	owner := next()
	u, g, ok := strings.Cut(owner, "/")
	if !ok {
		return e, "", fmt.Errorf("bad owner %q (want numeric uid/gid: -lln)", owner)
	}
	if e.UID, err = strconv.Atoi(u); err != nil || e.UID < 0 {
		return e, "", fmt.Errorf("bad uid in %q (want numeric uid/gid: -lln)", owner)
	}
	if e.GID, err = strconv.Atoi(g); err != nil || e.GID < 0 {
		return e, "", fmt.Errorf("bad gid in %q (want numeric uid/gid: -lln)", owner)
	}
	if e.Type == "char" || e.Type == "block" {
		maj, min := next(), next()
		majs, ok := strings.CutSuffix(maj, ",")
		if !ok {
			return e, "", fmt.Errorf("bad device number %q %q", maj, min)
		}
		if e.Major, err = strconv.Atoi(majs); err != nil || e.Major < 0 {
			return e, "", fmt.Errorf("bad device major %q", maj)
		}
		if e.Minor, err = strconv.Atoi(min); err != nil || e.Minor < 0 {
			return e, "", fmt.Errorf("bad device minor %q", min)
		}
	} else {
		size := next()
		if e.Size, err = strconv.ParseInt(size, 10, 64); err != nil || e.Size < 0 {
			return e, "", fmt.Errorf("bad size %q", size)
		}
	}
	day, clock := next(), next()
	if e.MTime, err = time.Parse("2006-01-02 15:04", day+" "+clock); err != nil {
		return e, "", fmt.Errorf("bad time %q %q", day, clock)
	}
	if rest == "" {
		return e, "", errors.New("no path")
	}
	name := rest
	if e.Type == "symlink" {
		n, target, ok := strings.Cut(rest, " -> ")
		if !ok {
			return e, "", fmt.Errorf("symlink %q without a target", rest)
		}
		name, e.Target = n, target
	}
	if name == "" {
		return e, "", errors.New("no path")
	}
	return e, name, nil
}

// parsePerm turns "rwsr-xr-x" into 0o4755.
func parsePerm(s string) (uint32, error) {
	if len(s) != 9 {
		return 0, fmt.Errorf("bad permissions %q", s)
	}
	var m uint32
	special := [3]uint32{0o4000, 0o2000, 0o1000}
	for i := 0; i < 3; i++ {
		r, w, x := s[3*i], s[3*i+1], s[3*i+2]
		shift := uint(6 - 3*i)
		switch r {
		case 'r':
			m |= 4 << shift
		case '-':
		default:
			return 0, fmt.Errorf("bad permissions %q", s)
		}
		switch w {
		case 'w':
			m |= 2 << shift
		case '-':
		default:
			return 0, fmt.Errorf("bad permissions %q", s)
		}
		exec, spec := byte('x'), byte('s')
		if i == 2 {
			spec = 't'
		}
		switch x {
		case exec:
			m |= 1 << shift
		case '-':
		case spec:
			m |= 1<<shift | special[i]
		case spec - 'a' + 'A': // "S"/"T": the special bit without execute
			m |= special[i]
		default:
			return 0, fmt.Errorf("bad permissions %q", s)
		}
	}
	return m, nil
}
