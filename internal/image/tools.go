package image

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/unsquashfs"
	"github.com/beeaudit/bee/internal/parse/xorriso"
)

// Timeouts of the tools. Writing the ISO copies it whole (≈ 420 MB: seconds on a
// local disk, minutes on a slow network share); the others read or write a few MB.
const (
	readTimeout  = 2 * time.Minute
	layerTimeout = 5 * time.Minute
	writeTimeout = 15 * time.Minute
)

type tools struct {
	r host.Runner
}

func (t tools) run(ctx context.Context, timeout time.Duration, argv ...string) ([]byte, error) {
	res := t.r.Run(ctx, host.Cmd{Argv: argv, Timeout: timeout})
	if !res.OK() {
		return nil, fmt.Errorf("%s", res.Describe())
	}
	return res.Stdout, nil
}

// report reads an ISO's volume descriptor, boot records and /live directory.
func (t tools) report(ctx context.Context, iso string) (*xorriso.Report, error) {
	out, err := t.run(ctx, readTimeout, "xorriso", "-indev", iso,
		"-pvd_info", "-report_el_torito", "plain", "-report_system_area", "plain", "-lsl", "/live", "--")
	if err != nil {
		return nil, err
	}
	r, err := xorriso.Parse(out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", iso, err)
	}
	return r, nil
}

// extract copies files out of an ISO: pairs of (path in the ISO, path on disk).
func (t tools) extract(ctx context.Context, iso string, pairs ...string) error {
	argv := []string{"xorriso", "-osirrox", "on", "-indev", iso}
	for i := 0; i+1 < len(pairs); i += 2 {
		argv = append(argv, "-extract", pairs[i], pairs[i+1])
	}
	_, err := t.run(ctx, readTimeout, argv...)
	return err
}

// isoHas reports whether the ISO's directory listing holds name.
func isoHas(r *xorriso.Report, name string) bool {
	for _, f := range r.Files {
		if f.Name == name {
			return true
		}
	}
	return false
}

// mksquashfs packs dir into a new squashfs at out, every file owned by root. gzip is
// what every squashfs-enabled kernel reads; the layer is small. whiteouts are paths
// (relative, their directory in dir) made overlayfs whiteouts: character devices 0,0
// (mksquashfs pseudo files), which hide the file of that path in the layers below.
func (t tools) mksquashfs(ctx context.Context, dir, out string, whiteouts ...string) error {
	argv := []string{"mksquashfs", dir, out,
		"-noappend", "-all-root", "-no-xattrs", "-comp", "gzip", "-quiet", "-no-progress"}
	for _, w := range whiteouts {
		argv = append(argv, "-p", w+" c 0000 0 0 0 0")
	}
	_, err := t.run(ctx, layerTimeout, argv...)
	return err
}

// squashfs is a squashfs image: a file, or one stored contiguously in an ISO from
// byte Offset on (read in place with unsquashfs -o, nothing copied out).
type squashfs struct {
	File   string
	Offset int64
	Name   string // for messages: "/live/zz-site.squashfs"
}

func (sq squashfs) args() []string {
	if sq.Offset > 0 {
		return []string{"-o", strconv.FormatInt(sq.Offset, 10)}
	}
	return nil
}

// list reads a squashfs's entries (modes, owners, types).
func (t tools) list(ctx context.Context, sq squashfs) ([]unsquashfs.Entry, error) {
	argv := append(append([]string{"unsquashfs"}, sq.args()...), "-lln", "-UTC", sq.File)
	out, err := t.run(ctx, readTimeout, argv...)
	if err != nil {
		return nil, err
	}
	es, err := unsquashfs.Parse(out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sq.Name, err)
	}
	return es, nil
}

// cat reads one file of a squashfs (path relative to its root).
func (t tools) cat(ctx context.Context, sq squashfs, rel string) ([]byte, error) {
	argv := append(append([]string{"unsquashfs"}, sq.args()...), "-cat", sq.File, rel)
	return t.run(ctx, readTimeout, argv...)
}

// layers finds where each /live/*.squashfs of an ISO lies in it.
func (t tools) layers(ctx context.Context, iso string) ([]xorriso.Extent, error) {
	out, err := t.run(ctx, readTimeout, "xorriso", "-indev", iso,
		"-find", "/live", "-name", "*.squashfs", "-exec", "report_lba", "--")
	if err != nil {
		return nil, err
	}
	return xorriso.ParseLBA(out)
}

func fileSize(p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		return -1
	}
	return st.Size()
}
