// Package image makes a site's bee ISO from a released one in seconds: it writes a
// small squashfs "site layer" (SSH keys, hardware profiles, upload settings, a newer
// bee) and a new ISO that is the release plus that layer in /live, with both boot
// paths, the volume label and the boot menus kept. live-boot stacks every
// /live/*.squashfs in name order, the last on top (docs/iso.md, "Site layers"), so
// the release's base layer is never rebuilt.
//
// The tools (xorriso, mksquashfs, unsquashfs) run through host.Runner with
// timeouts; no filesystem format is written by hand.
package image

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/unsquashfs"
	"github.com/beeaudit/bee/internal/parse/xorriso"
	"github.com/beeaudit/bee/internal/profile"
)

// LayerName is the site layer's file in /live. "zz-" sorts it after the base
// (filesystem.squashfs), so live-boot puts it on top.
const LayerName = "zz-site.squashfs"

// BaseLayer is live-build's base layer.
const BaseLayer = "filesystem.squashfs"

// PasswordFallback is the marker of a release built without SSH keys: with it,
// bee-sshsetup turns on root password login. A layer with keys hides it.
const PasswordFallback = "/etc/bee/ssh-password-fallback"

// Options are bee image customize's inputs. At least one of the layer's contents
// (AuthorizedKeys, ProfilesDir, UploadConfig, Bee) or Cmdline is required.
type Options struct {
	ISO            string   // the released ISO (read only)
	Out            string   // the new ISO (written through a temporary file, then renamed)
	AuthorizedKeys string   // → /root/.ssh/authorized_keys 0600 (/root/.ssh 0700); hides PasswordFallback
	ProfilesDir    string   // its *.yaml → /etc/bee/profiles/ 0644
	UploadConfig   string   // → /etc/bee/upload.yaml 0600
	Bee            string   // → /usr/local/bin/bee 0755
	Cmdline        []string // added to the live boot entries of both menus
	TempDir        string   // scratch space ("" = os.TempDir())
	Log            io.Writer
}

// Result is what customize did.
type Result struct {
	Out      string
	Layer    Layer
	Cmdlines map[string][]string // menu file → its live entries' command lines, as written
	Duration time.Duration
}

// Layer is one /live/*.squashfs of an ISO.
type Layer struct {
	Name     string
	Size     int64
	Base     bool               `json:",omitempty"` // live-build's filesystem.squashfs: its files are not listed
	Entries  []unsquashfs.Entry `json:",omitempty"`
	Keys     []Key              `json:",omitempty"` // from its /root/.ssh/authorized_keys
	Problems []Problem          `json:",omitempty"`
}

// UsageError is a refused input: the command exits 2.
type UsageError struct{ msg string }

func (e *UsageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &UsageError{fmt.Sprintf(format, a...)} }

// Customize writes o.Out: o.ISO plus a site layer.
func Customize(ctx context.Context, r host.Runner, o Options) (*Result, error) {
	start := time.Now()
	logf := func(format string, a ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", a...)
		}
	}
	if o.ISO == "" || o.Out == "" {
		return nil, usagef("--iso and --out are required")
	}
	if o.AuthorizedKeys == "" && o.ProfilesDir == "" && o.UploadConfig == "" && o.Bee == "" && len(o.Cmdline) == 0 {
		return nil, usagef("nothing to add: give at least one of --authorized-keys, --profiles, --upload-config, --bee, --cmdline")
	}
	if err := CheckCmdline(o.Cmdline); err != nil {
		return nil, &UsageError{err.Error()}
	}
	if same, _ := samePath(o.ISO, o.Out); same {
		return nil, usagef("--out %s is the input ISO: write a new file", o.Out)
	}
	t := tools{r}
	work, err := os.MkdirTemp(o.TempDir, "bee-image-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)

	// 1. The layer's tree, checked inputs first.
	tree := filepath.Join(work, "layer")
	keys, err := stageLayer(tree, o)
	if err != nil {
		return nil, err
	}

	// 2. The released ISO.
	rep, err := t.report(ctx, o.ISO)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", o.ISO, err)
	}
	if err := checkBase(rep); err != nil {
		return nil, err
	}
	logf("base: %s, volume %q, boot %s", o.ISO, rep.VolumeID, bootSummary(rep))
	base, err := t.openLayer(ctx, o.ISO, BaseLayer, work)
	if err != nil {
		return nil, err
	}
	baseEntries, err := t.list(ctx, base)
	if err != nil {
		return nil, fmt.Errorf("reading the base layer: %w", err)
	}
	// With keys, a release built without them (root password login: bee-sshsetup's
	// marker in the base) becomes key-only: the layer hides the marker with an
	// overlayfs whiteout (docs/iso.md). Only then: in a directory the base lacks, a
	// whiteout would show as a broken entry.
	var whiteouts []string
	if o.AuthorizedKeys != "" && hasFile(baseEntries, PasswordFallback) {
		whiteouts = append(whiteouts, strings.TrimPrefix(PasswordFallback, "/"))
		for _, d := range []string{"etc", "etc/bee"} {
			if err := os.MkdirAll(filepath.Join(tree, d), 0o755); err != nil {
				return nil, err
			}
			if err := os.Chmod(filepath.Join(tree, d), 0o755); err != nil {
				return nil, err
			}
		}
		logf("base: root password login over SSH is on (%s); the layer turns it off", PasswordFallback)
	}

	// 3. The layer, read back and checked with the rules inspect applies.
	layer := filepath.Join(work, LayerName)
	if err := t.mksquashfs(ctx, tree, layer, whiteouts...); err != nil {
		return nil, err
	}
	entries, err := t.list(ctx, squashfs{File: layer, Name: "/live/" + LayerName})
	if err != nil {
		return nil, err
	}
	if ps := Check(entries); len(ps) > 0 {
		return nil, fmt.Errorf("the layer made is refused (a bug): %v", ps)
	}
	logf("layer: /live/%s, %d bytes, %d entries", LayerName, fileSize(layer), len(entries))

	// 4. Menus and checksums.
	maps := []string{layer, "/live/" + LayerName}
	changed := map[string][]byte{}
	cmdlines := map[string][]string{}
	if len(o.Cmdline) > 0 {
		total := 0
		for _, m := range []struct{ path, keyword string }{{isolinuxCfg, "append"}, {grubCfg, "linux"}} {
			local := filepath.Join(work, "menu-"+filepath.Base(m.path))
			if err := t.extract(ctx, o.ISO, m.path, local); err != nil {
				logf("menu: %s not in the ISO, not changed (%v)", m.path, err)
				continue
			}
			cfg, err := os.ReadFile(local)
			if err != nil {
				return nil, err
			}
			cfg, n := AddCmdline(cfg, m.keyword, o.Cmdline)
			if n == 0 {
				logf("menu: %s has no live boot entry, not changed", m.path)
				continue
			}
			total += n
			changed[m.path] = cfg
			cmdlines[m.path] = KernelLines(cfg, m.keyword)
		}
		if total == 0 {
			return nil, fmt.Errorf("%s has no live boot entry in %s or %s to add --cmdline to", o.ISO, isolinuxCfg, grubCfg)
		}
	}
	if isoRootHas(ctx, t, o.ISO, "sha256sum.txt") {
		local := filepath.Join(work, "sha256sum.txt.orig")
		if err := t.extract(ctx, o.ISO, "/sha256sum.txt", local); err != nil {
			return nil, err
		}
		old, err := os.ReadFile(local)
		if err != nil {
			return nil, err
		}
		sums := map[string][]byte{"/live/" + LayerName: nil}
		for p, b := range changed {
			sums[p] = b
		}
		changed["/sha256sum.txt"], err = updateSums(old, sums, layer)
		if err != nil {
			return nil, err
		}
	}
	paths := make([]string, 0, len(changed))
	for p := range changed {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		local := filepath.Join(work, "new"+strings.ReplaceAll(p, "/", "_"))
		if err := os.WriteFile(local, changed[p], 0o644); err != nil {
			return nil, err
		}
		maps = append(maps, local, p)
	}

	// 5. The new ISO, next to --out, renamed over it once checked.
	dir := filepath.Dir(o.Out)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(o.Out)+".*.tmp")
	if err != nil {
		return nil, err
	}
	tmpName := tmp.Name()
	tmp.Close()
	os.Remove(tmpName) // xorriso must find no medium there, or it would append to it
	defer os.Remove(tmpName)
	argv := []string{"xorriso", "-indev", o.ISO, "-outdev", tmpName, "-boot_image", "any", "replay",
		"-volid", rep.VolumeID}
	if rep.Publisher != "" {
		argv = append(argv, "-publisher", rep.Publisher)
	}
	if rep.AppID != "" {
		argv = append(argv, "-application_id", rep.AppID)
	}
	for i := 0; i+1 < len(maps); i += 2 {
		argv = append(argv, "-map", maps[i], maps[i+1])
	}
	argv = append(argv, "-commit")
	if _, err := t.run(ctx, writeTimeout, argv...); err != nil {
		return nil, err
	}
	got, err := t.report(ctx, tmpName)
	if err != nil {
		return nil, fmt.Errorf("reading back the new ISO: %w", err)
	}
	if err := sameBoot(rep, got); err != nil {
		return nil, fmt.Errorf("the new ISO lost its boot equipment: %w", err)
	}
	if !isoHas(got, LayerName) {
		return nil, fmt.Errorf("the new ISO has no /live/%s", LayerName)
	}
	if err := os.Rename(tmpName, o.Out); err != nil {
		return nil, err
	}
	res := &Result{Out: o.Out, Cmdlines: cmdlines, Duration: time.Since(start),
		Layer: Layer{Name: LayerName, Size: fileSize(layer), Entries: entries, Keys: keys}}
	return res, nil
}

// openLayer locates /live/name in the ISO for reading in place, or copies it into
// dir when it is not stored in one piece.
func (t tools) openLayer(ctx context.Context, iso, name, dir string) (squashfs, error) {
	p := "/live/" + name
	extents, err := t.layers(ctx, iso)
	if err != nil {
		return squashfs{}, err
	}
	if off, err := xorriso.Contiguous(extents, p); err == nil {
		return squashfs{File: iso, Offset: off, Name: p}, nil
	}
	local := filepath.Join(dir, "layer-"+name)
	if err := t.extract(ctx, iso, p, local); err != nil {
		return squashfs{}, err
	}
	return squashfs{File: local, Name: p}, nil
}

func hasFile(es []unsquashfs.Entry, p string) bool {
	for _, e := range es {
		if e.Path == p && e.Type == "file" {
			return true
		}
	}
	return false
}

// checkBase refuses ISOs that customize cannot extend correctly.
func checkBase(rep *xorriso.Report) error {
	if !isoHas(rep, BaseLayer) {
		return usagef("not a bee live ISO: no /live/%s", BaseLayer)
	}
	if isoHas(rep, LayerName) {
		return usagef("the ISO already has a site layer (/live/%s): customize the released ISO instead (one site layer per ISO; it takes seconds)", LayerName)
	}
	if isoHas(rep, "filesystem.module") {
		return usagef("the ISO has /live/filesystem.module: live-boot would stack only the layers it names, not %s", LayerName)
	}
	return nil
}

func bootSummary(r *xorriso.Report) string {
	var parts []string
	for _, b := range r.Boot {
		parts = append(parts, b.Platform+" "+b.Path)
	}
	if r.SystemArea != "" {
		parts = append(parts, r.SystemArea)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// sameBoot checks the new ISO kept the old one's volume id and boot equipment.
func sameBoot(old, new *xorriso.Report) error {
	if old.VolumeID != new.VolumeID {
		return fmt.Errorf("volume id %q became %q", old.VolumeID, new.VolumeID)
	}
	if old.SystemArea != new.SystemArea {
		return fmt.Errorf("system area %q became %q", old.SystemArea, new.SystemArea)
	}
	if old.Catalog != new.Catalog || len(old.Boot) != len(new.Boot) {
		return fmt.Errorf("boot records %s became %s", bootSummary(old), bootSummary(new))
	}
	for i := range old.Boot {
		a, b := old.Boot[i], new.Boot[i]
		if a.Platform != b.Platform || a.Path != b.Path || a.Emul != b.Emul || a.LoadSize != b.LoadSize || a.Bootable != b.Bootable {
			return fmt.Errorf("boot image %d: %+v became %+v", i+1, a, b)
		}
	}
	return nil
}

func isoRootHas(ctx context.Context, t tools, iso, name string) bool {
	out, err := t.run(ctx, readTimeout, "xorriso", "-indev", iso, "-lsl", "/"+name, "--")
	// -lsl of one file prints its line with the path as given: '/sha256sum.txt'.
	return err == nil && bytes.Contains(out, []byte("'/"+name+"'"))
}

// updateSums rewrites live-build's sha256sum.txt ("HASH  ./path" lines) for the
// files customize replaces or adds (so live-boot's verify-checksums still passes);
// a nil content means the layer file at layerPath.
func updateSums(old []byte, files map[string][]byte, layerPath string) ([]byte, error) {
	sums := map[string]string{}
	for p, b := range files {
		if b == nil {
			f, err := os.Open(layerPath)
			if err != nil {
				return nil, err
			}
			h := sha256.New()
			_, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				return nil, err
			}
			sums["."+p] = fmt.Sprintf("%x", h.Sum(nil))
			continue
		}
		sums["."+p] = fmt.Sprintf("%x", sha256.Sum256(b))
	}
	var out strings.Builder
	for _, l := range strings.SplitAfter(string(old), "\n") {
		if l == "" {
			continue
		}
		fields := strings.SplitN(strings.TrimRight(l, "\n"), "  ", 2)
		if len(fields) == 2 {
			if h, ok := sums[fields[1]]; ok {
				out.WriteString(h + "  " + fields[1] + "\n")
				delete(sums, fields[1])
				continue
			}
		}
		out.WriteString(l)
		if !strings.HasSuffix(l, "\n") {
			out.WriteString("\n")
		}
	}
	rest := make([]string, 0, len(sums))
	for p := range sums {
		rest = append(rest, p)
	}
	sort.Strings(rest)
	for _, p := range rest {
		out.WriteString(sums[p] + "  " + p + "\n")
	}
	return []byte(out.String()), nil
}

func samePath(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}

// stageLayer writes the layer's tree under dir with the modes the layer must have
// (owners become root at mksquashfs -all-root) and returns the keys it adds.
func stageLayer(dir string, o Options) ([]Key, error) {
	var keys []Key
	mkdir := func(rel string, mode os.FileMode) error {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(p, 0o755); err != nil {
			return err
		}
		return os.Chmod(p, mode)
	}
	put := func(rel string, data []byte, mode os.FileMode) error {
		p := filepath.Join(dir, rel)
		if err := os.WriteFile(p, data, mode); err != nil {
			return err
		}
		return os.Chmod(p, mode) // not subject to the umask
	}
	readInput := func(flag, p string) ([]byte, error) {
		st, err := os.Stat(p)
		if err != nil {
			return nil, usagef("%s: %v", flag, err)
		}
		if !st.Mode().IsRegular() {
			return nil, usagef("%s %s: not a regular file", flag, p)
		}
		return os.ReadFile(p)
	}
	if err := mkdir(".", 0o755); err != nil {
		return nil, err
	}
	if o.AuthorizedKeys != "" {
		b, err := readInput("--authorized-keys", o.AuthorizedKeys)
		if err != nil {
			return nil, err
		}
		keys, err = ParseAuthorizedKeys(b)
		if err != nil {
			return nil, usagef("--authorized-keys %s: %v", o.AuthorizedKeys, err)
		}
		if len(keys) == 0 {
			return nil, usagef("--authorized-keys %s: no key in it", o.AuthorizedKeys)
		}
		if err := mkdir("root", 0o700); err != nil {
			return nil, err
		}
		if err := mkdir("root/.ssh", 0o700); err != nil {
			return nil, err
		}
		if err := put("root/.ssh/authorized_keys", b, 0o600); err != nil {
			return nil, err
		}
	}
	if o.ProfilesDir != "" || o.UploadConfig != "" {
		if err := mkdir("etc", 0o755); err != nil {
			return nil, err
		}
		if err := mkdir("etc/bee", 0o755); err != nil {
			return nil, err
		}
	}
	if o.ProfilesDir != "" {
		names, err := filepath.Glob(filepath.Join(o.ProfilesDir, "*.yaml"))
		if err != nil {
			return nil, err
		}
		if st, err := os.Stat(o.ProfilesDir); err != nil || !st.IsDir() {
			return nil, usagef("--profiles %s: not a directory", o.ProfilesDir)
		}
		if len(names) == 0 {
			return nil, usagef("--profiles %s: no *.yaml profile in it", o.ProfilesDir)
		}
		if err := mkdir("etc/bee/profiles", 0o755); err != nil {
			return nil, err
		}
		for _, n := range names {
			b, err := readInput("--profiles", n)
			if err != nil {
				return nil, err
			}
			if _, err := profile.Parse(n, b); err != nil {
				return nil, usagef("--profiles: %v", err)
			}
			if err := put(filepath.Join("etc/bee/profiles", filepath.Base(n)), b, 0o644); err != nil {
				return nil, err
			}
		}
	}
	if o.UploadConfig != "" {
		b, err := readInput("--upload-config", o.UploadConfig)
		if err != nil {
			return nil, err
		}
		if err := put("etc/bee/upload.yaml", b, 0o600); err != nil {
			return nil, err
		}
	}
	if o.Bee != "" {
		b, err := readInput("--bee", o.Bee)
		if err != nil {
			return nil, err
		}
		if !bytes.HasPrefix(b, []byte("\x7fELF")) {
			return nil, usagef("--bee %s: not an ELF executable", o.Bee)
		}
		for _, d := range []string{"usr", "usr/local", "usr/local/bin"} {
			if err := mkdir(d, 0o755); err != nil {
				return nil, err
			}
		}
		if err := put("usr/local/bin/bee", b, 0o755); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// IsUsage reports whether err is a refused input (exit 2).
func IsUsage(err error) bool {
	var u *UsageError
	return errors.As(err, &u)
}
