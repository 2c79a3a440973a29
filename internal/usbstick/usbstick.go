// Package usbstick copies bee's results to a USB stick whose filesystem is labelled
// BEE-RESULTS (vfat or ext4): every result under /bee/<serial>/ with an index.json, then
// sync and unmount, so the engineer can pull it (docs/results.md). It writes to no
// device that blkid does not show with that label, and it only reads the results.
// mount, sync and umount run through host.Runner.
package usbstick

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/blkid"
	"github.com/beeaudit/bee/internal/probe"
	"github.com/beeaudit/bee/internal/results"
)

// Label is the filesystem label of a results stick.
const Label = "BEE-RESULTS"

// DefaultMountDir is where the stick is mounted while bee writes to it.
const DefaultMountDir = "/run/bee/results-stick"

// Filesystems bee writes to.
var Filesystems = []string{"vfat", "ext4"}

// ErrNoStick means no block device carries the label.
var ErrNoStick = errors.New("no USB stick labelled " + Label)

// ErrNotOurs means the device is not labelled BEE-RESULTS (or not vfat/ext4): nothing
// was written to it.
var ErrNotOurs = errors.New("not a " + Label + " stick")

// Copier copies results to a stick.
type Copier struct {
	Runner   host.Runner
	MountDir string           // DefaultMountDir when empty
	Now      func() time.Time // time.Now when nil
}

// Report is what one copy did.
type Report struct {
	Device    string
	Dir       string   // on the stick, e.g. /bee/S309085X0B18791
	Copied    []string // names written on the stick
	Present   []string // results already on the stick with the same content
	Unmounted bool     // synced and unmounted: safe to remove
}

// Message is the line for the console and the menu.
func (r Report) Message() string {
	n := len(r.Copied)
	msg := fmt.Sprintf("results copied to USB: %d %s", n, plural(n, "file", "files"))
	if len(r.Present) > 0 {
		msg += fmt.Sprintf(" (%d already there)", len(r.Present))
	}
	if r.Unmounted {
		return msg + ", safe to remove"
	}
	return msg + ", but the stick could not be unmounted: wait a minute before removing it"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Find lists the block devices labelled BEE-RESULTS (`blkid -o export -t LABEL=…`).
func Find(ctx context.Context, r host.Runner) ([]string, error) {
	s := probe.FindLabel(func(argv []string) host.Result {
		return r.Run(ctx, host.Cmd{Argv: argv, Timeout: 30 * time.Second})
	}, Label)
	if s.ParseErr != nil {
		return nil, fmt.Errorf("find the stick: %w", s.ParseErr)
	}
	if !s.OK {
		return nil, fmt.Errorf("find the stick: %s", s.Res.Describe())
	}
	var out []string
	for _, d := range s.Devices {
		out = append(out, d.DevName)
	}
	if len(out) == 0 { // blkid: nothing matched (exit 2), or nothing with a device node
		return nil, ErrNoStick
	}
	return out, nil
}

// probe reads the device's own superblock (`blkid -p`, no cache) and returns its type
// when it is labelled BEE-RESULTS with a filesystem bee writes.
func (c Copier) probe(ctx context.Context, dev string) (string, error) {
	res := c.Runner.Run(ctx, host.Cmd{Argv: []string{"blkid", "-p", "-o", "export", dev}, Timeout: 30 * time.Second})
	if res.Err != nil || (res.ExitCode != 0 && res.ExitCode != 2) {
		return "", fmt.Errorf("%s: %s", dev, res.Describe())
	}
	devs, err := blkid.Parse(res.Stdout)
	if err != nil {
		return "", fmt.Errorf("%s: %w", dev, err)
	}
	if len(devs) != 1 {
		return "", fmt.Errorf("%s has no filesystem: %w, nothing written", dev, ErrNotOurs)
	}
	d := devs[0]
	if d.Label != Label {
		return "", fmt.Errorf("%s is labelled %q: %w, nothing written", dev, d.Label, ErrNotOurs)
	}
	for _, fs := range Filesystems {
		if d.Type == fs {
			return fs, nil
		}
	}
	return "", fmt.Errorf("%s is %s, bee writes only vfat or ext4: %w, nothing written", dev, d.Type, ErrNotOurs)
}

// Copy mounts dev (after checking its label), copies every source to /bee/<serial>/
// on it, updates index.json, syncs and unmounts. A file already there with the same
// content is not copied again; a different file with the same name gets a new name
// (bee-audit.2.json). On a read-only, full or vanished stick it returns a clear error,
// having removed its own half-written file where it still could; the results on this
// machine are only ever read, so a later retry starts from the same state.
func (c Copier) Copy(ctx context.Context, dev, serial string, srcs []results.Source) (rep Report, err error) {
	rep.Device = dev
	mnt := c.MountDir
	if mnt == "" {
		mnt = DefaultMountDir
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	fstype, err := c.probe(ctx, dev)
	if err != nil {
		return rep, err
	}
	if err := os.MkdirAll(mnt, 0o700); err != nil {
		return rep, fmt.Errorf("mount point: %w", err)
	}
	argv := []string{"mount", "-w", "-t", fstype, "-o", "nosuid,nodev,noexec", dev, mnt}
	res := c.Runner.Run(ctx, host.Cmd{Argv: argv, Timeout: 60 * time.Second})
	if !res.OK() {
		msg := string(res.Stderr)
		if strings.Contains(msg, "write-protected") || strings.Contains(msg, "read-only") {
			return rep, fmt.Errorf("the stick %s is read-only (write-protect switch?): nothing copied, the results stay on this machine", dev)
		}
		return rep, fmt.Errorf("cannot mount the stick %s: %s", dev, res.Describe())
	}
	defer func() {
		// Even when ctx is canceled (the stick's unit stopped because it was pulled):
		// the mount must not outlive this run.
		rep.Unmounted = c.unmount(context.WithoutCancel(ctx), mnt)
	}()
	rep.Dir = "/bee/" + serial
	dest := filepath.Join(mnt, "bee", serial)
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return rep, stickErr(dev, err, rep)
	}
	cleanPartials(dest)
	idx := readIndex(filepath.Join(dest, "index.json"))
	idx.Serial = serial
	defer func() {
		if err != nil && len(rep.Copied) > 0 {
			// Best effort: list what did get there (a full stick may refuse even this).
			idx.Updated = now().UTC().Format(time.RFC3339)
			_ = writeIndex(filepath.Join(dest, "index.json"), idx)
		}
	}()
	hashes := map[string]string{} // name on the stick → sha256, for this run
	for _, src := range srcs {
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("copy to the stick %s stopped (%v): plug it in again to retry; the results stay on this machine", dev, err)
		}
		sum, size, err := hashFile(src.Path)
		if err != nil {
			return rep, fmt.Errorf("read %s: %w (nothing of it written)", src.Path, err)
		}
		name, present, err := pickName(dest, filepath.Base(src.Path), sum, hashes)
		if err != nil {
			return rep, stickErr(dev, err, rep)
		}
		if present {
			rep.Present = append(rep.Present, name)
			if !idx.has(name) {
				idx.put(IndexEntry{Name: name, Kind: src.Kind, Source: src.Path, Size: size, SHA256: sum, CopiedAt: now().UTC().Format(time.RFC3339)})
			}
			continue
		}
		if err := copyFile(ctx, src.Path, filepath.Join(dest, name), sum); err != nil {
			if ctx.Err() != nil {
				return rep, fmt.Errorf("copy to the stick %s stopped (%v): plug it in again to retry; the results stay on this machine", dev, ctx.Err())
			}
			return rep, stickErr(dev, err, rep)
		}
		hashes[name] = sum
		rep.Copied = append(rep.Copied, name)
		idx.put(IndexEntry{Name: name, Kind: src.Kind, Source: src.Path, Size: size, SHA256: sum, CopiedAt: now().UTC().Format(time.RFC3339)})
	}
	idx.Updated = now().UTC().Format(time.RFC3339)
	if err := writeIndex(filepath.Join(dest, "index.json"), idx); err != nil {
		return rep, stickErr(dev, err, rep)
	}
	return rep, nil
}

// unmount syncs and unmounts; a stick that went away gets a lazy unmount so that the
// mount point is free for the next one.
func (c Copier) unmount(ctx context.Context, mnt string) bool {
	// sync is best effort (the unmount flushes too), bounded for a slow stick.
	c.Runner.Run(ctx, host.Cmd{Argv: []string{"sync", "-f", mnt}, Timeout: 5 * time.Minute})
	if c.Runner.Run(ctx, host.Cmd{Argv: []string{"umount", mnt}, Timeout: 5 * time.Minute}).OK() {
		return true
	}
	c.Runner.Run(ctx, host.Cmd{Argv: []string{"umount", "-l", mnt}, Timeout: time.Minute})
	return false
}

// stickErr says in words what went wrong on the stick, and how far it got.
func stickErr(dev string, err error, rep Report) error {
	done := ""
	if n := len(rep.Copied); n > 0 {
		done = fmt.Sprintf(" after %d %s", n, plural(n, "file", "files"))
	}
	switch {
	case errors.Is(err, syscall.EROFS):
		return fmt.Errorf("the stick %s is read-only%s: the results stay on this machine (%v)", dev, done, err)
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT), errors.Is(err, syscall.EFBIG):
		return fmt.Errorf("the stick %s is full%s: free space on it (or use a larger one) and plug it in again; the results stay on this machine (%v)", dev, done, err)
	case errors.Is(err, syscall.EIO), errors.Is(err, syscall.ENODEV), errors.Is(err, syscall.ENXIO), errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("the stick %s was removed or failed%s: plug it in again to retry; the results stay on this machine (%v)", dev, done, err)
	}
	return fmt.Errorf("writing to the stick %s failed%s: %w", dev, done, err)
}

const partialPrefix = ".bee-partial-"

// cleanPartials removes what an earlier copy left half-written (a stick pulled mid-copy).
func cleanPartials(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), partialPrefix) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// pickName returns the name for a file of this content: the existing name when a file
// there has the same content, else the first free one of base, base.2, base.3 …
func pickName(dir, base, sum string, hashes map[string]string) (string, bool, error) {
	for i := 1; i < 10000; i++ {
		name := numbered(base, i)
		h, ok := hashes[name]
		if !ok {
			s, _, err := hashFile(filepath.Join(dir, name))
			if errors.Is(err, fs.ErrNotExist) {
				return name, false, nil
			}
			if err != nil {
				return "", false, err
			}
			h = s
			hashes[name] = s
		}
		if h == sum {
			return name, true, nil
		}
	}
	return "", false, fmt.Errorf("too many versions of %s", base)
}

// numbered gives base for i=1 and inserts ".i" before the extension otherwise
// (bee-audit.2.json, nvidia-….2.tar.gz: the same rule as bee sat's archive names).
func numbered(base string, i int) string {
	if i == 1 {
		return base
	}
	ext := filepath.Ext(base)
	if strings.HasSuffix(base, ".tar.gz") {
		ext = ".tar.gz"
	}
	return fmt.Sprintf("%s.%d%s", strings.TrimSuffix(base, ext), i, ext)
}

func hashFile(p string) (string, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// copyFile writes dst through a temporary name, fsyncs and renames it, and checks that
// the bytes written are the ones hashed (a source rewritten meanwhile is an error).
func copyFile(ctx context.Context, src, dst, sum string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := filepath.Join(filepath.Dir(dst), partialPrefix+filepath.Base(dst))
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(tmp)
		}
	}()
	h := sha256.New()
	if _, err = io.Copy(io.MultiWriter(out, h), ctxReader{ctx, in}); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return fmt.Errorf("%s changed while it was copied", src)
	}
	if err = out.Sync(); err != nil {
		return err
	}
	if err = out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// Index is /bee/<serial>/index.json: what bee put in the folder.
type Index struct {
	Serial  string       `json:"serial"`
	Updated string       `json:"updated"`
	Files   []IndexEntry `json:"files"`
}

// IndexEntry is one file of the folder.
type IndexEntry struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`   // audit or sat
	Source   string `json:"source"` // its path on the machine
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
	CopiedAt string `json:"copied_at"`
}

func (x *Index) has(name string) bool {
	for _, f := range x.Files {
		if f.Name == name {
			return true
		}
	}
	return false
}

func (x *Index) put(e IndexEntry) {
	for i := range x.Files {
		if x.Files[i].Name == e.Name {
			x.Files[i] = e
			return
		}
	}
	x.Files = append(x.Files, e)
	sort.Slice(x.Files, func(i, j int) bool { return x.Files[i].Name < x.Files[j].Name })
}

// readIndex returns the index on the stick, or an empty one when it is missing or
// unreadable (it is rebuilt from what this run copies; files are never lost by it).
func readIndex(p string) Index {
	var x Index
	b, err := os.ReadFile(p)
	if err == nil && json.Unmarshal(b, &x) == nil {
		return x
	}
	return Index{}
}

func writeIndex(p string, x Index) error {
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(p), partialPrefix+"index.json")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// ctxReader stops a copy when ctx ends (the stick's unit is stopped).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b)
}
