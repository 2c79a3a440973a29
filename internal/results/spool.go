package results

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/beeaudit/bee/internal/outpath"
)

// Spool keeps each result until the store confirms it. Layout under Dir:
//
//	pending/<id>/item.json   what to upload, attempts, last error, next try
//	pending/<id>/data        a copy of the result as it was when it was spooled
//	done/<id>.json           the record of a confirmed upload (the copy is dropped;
//	                         the result itself, in /var/log, is never touched)
//	state.json               the daemon's last error and last success
//
// An item appears under pending/ only complete: it is built in a ".tmp-" directory and
// renamed. Nothing outside Dir is ever written or deleted.
type Spool struct {
	Dir string
	// seen caches the checksum of a source by size and mtime so that the daemon does
	// not re-read a large archive on every scan.
	seen map[string]seenFile
}

type seenFile struct {
	size  int64
	mtime time.Time
	sum   string
	known bool // already pending or done: nothing to read on the next scan
}

// Item is one result waiting for (or confirmed by) the store.
type Item struct {
	ID     string `json:"id"`
	Source string `json:"source"` // the result's path on this machine
	Kind   string `json:"kind"`   // audit or sat
	Name   string `json:"name"`   // file name in the store
	// Key is the object name below the configured prefix: <serial>/<UTC time>/<file>.
	Key         string            `json:"key"`
	Size        int64             `json:"size"`
	SHA256      string            `json:"sha256"` // hex
	MD5         string            `json:"md5"`    // hex
	Metadata    map[string]string `json:"metadata"`
	Spooled     time.Time         `json:"spooled"`
	Attempts    int               `json:"attempts"`
	LastAttempt *time.Time        `json:"last_attempt,omitempty"`
	NextAttempt time.Time         `json:"next_attempt"`
	LastError   string            `json:"last_error,omitempty"`
	Uploaded    *time.Time        `json:"uploaded,omitempty"`
	Object      string            `json:"object,omitempty"` // bucket/full key, once uploaded
}

// State is the daemon's last outcome, for `bee upload --status`.
type State struct {
	LastError     string     `json:"last_error,omitempty"`
	LastErrorAt   *time.Time `json:"last_error_at,omitempty"`
	LastSuccessAt *time.Time `json:"last_success_at,omitempty"`
	LastSuccess   string     `json:"last_success,omitempty"`
}

// OpenSpool makes sure the spool's folders exist.
func OpenSpool(dir string) (*Spool, error) {
	for _, d := range []string{dir, filepath.Join(dir, "pending"), filepath.Join(dir, "done")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("spool: %w", err)
		}
	}
	return &Spool{Dir: dir, seen: map[string]seenFile{}}, nil
}

// Enqueue copies src into the spool unless the spool already holds (or has uploaded)
// the same content from the same path. It reports whether a new item was spooled. On
// any error (a full disk included) nothing is left behind in the spool and src is not
// touched, so the next scan tries again.
func (s *Spool) Enqueue(src Source, id Identity, now time.Time) (bool, error) {
	f, err := os.Open(src.Path)
	if err != nil {
		return false, fmt.Errorf("spool %s: %w", src.Path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("spool %s: %w", src.Path, err)
	}
	if !fi.Mode().IsRegular() {
		return false, fmt.Errorf("spool %s: not a regular file", src.Path)
	}
	if s.seen == nil {
		s.seen = map[string]seenFile{}
	}
	c, ok := s.seen[src.Path]
	if !ok || c.size != fi.Size() || !c.mtime.Equal(fi.ModTime()) {
		// Hash first: a result already spooled or uploaded is not copied again (and a
		// full spool disk does not fail on it).
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return false, fmt.Errorf("spool %s: %w", src.Path, err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return false, fmt.Errorf("spool %s: %w", src.Path, err)
		}
		c = seenFile{size: fi.Size(), mtime: fi.ModTime(), sum: hex.EncodeToString(h.Sum(nil))}
		s.seen[src.Path] = c
	}
	if c.known {
		return false, nil
	}
	if known, err := s.known(src.Path, c.sum); err != nil || known {
		if known {
			c.known = true
			s.seen[src.Path] = c
		}
		return false, err
	}
	// Hash while copying: the spooled copy and its checksum are of the same bytes even if
	// the source is rewritten meanwhile (bee audit replaces its file atomically).
	tmp, err := os.MkdirTemp(filepath.Join(s.Dir, "pending"), ".tmp-")
	if err != nil {
		return false, fmt.Errorf("spool: %w", spoolErr(err))
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(tmp)
		}
	}()
	out, err := os.OpenFile(filepath.Join(tmp, "data"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false, fmt.Errorf("spool: %w", spoolErr(err))
	}
	sh, mh := sha256.New(), md5.New()
	n, err := io.Copy(io.MultiWriter(out, sh, mh), f)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, fmt.Errorf("spool %s: %w", src.Path, spoolErr(err))
	}
	sum := hex.EncodeToString(sh.Sum(nil))
	if sum != c.sum {
		// Rewritten while it was read: spool nothing now, the next scan sees it settled.
		delete(s.seen, src.Path)
		return false, fmt.Errorf("spool %s: it changed while it was copied; trying again on the next scan", src.Path)
	}
	name := filepath.Base(src.Path)
	stamp := fi.ModTime().UTC().Format("20060102T150405Z")
	it := Item{
		ID:     now.UTC().Format("20060102T150405.000000000Z") + "-" + sum[:12],
		Source: src.Path, Kind: src.Kind, Name: name,
		Key:  path.Join(id.Serial, stamp, name),
		Size: n, SHA256: sum, MD5: hex.EncodeToString(mh.Sum(nil)),
		Metadata: map[string]string{
			"serial": id.Serial, "model": id.Model, "verdict": id.Verdict, "bee-version": id.BeeVersion, "kind": src.Kind,
		},
		Spooled: now.UTC(), NextAttempt: now.UTC(),
	}
	if it.Kind == "sat" {
		// An archive's own verdict is inside it; the audit's verdict would mislead.
		delete(it.Metadata, "verdict")
	}
	if err := writeJSON(filepath.Join(tmp, "item.json"), it); err != nil {
		return false, fmt.Errorf("spool %s: %w", src.Path, spoolErr(err))
	}
	if err := os.Rename(tmp, filepath.Join(s.Dir, "pending", it.ID)); err != nil {
		return false, fmt.Errorf("spool %s: %w", src.Path, spoolErr(err))
	}
	keep = true
	c.known = true
	s.seen[src.Path] = c
	syncDir(filepath.Join(s.Dir, "pending"))
	return true, nil
}

// spoolErr says plainly that the spool's disk is full.
func spoolErr(err error) error {
	if errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("the disk holding the spool is full (%w); the result stays where it is and is spooled once there is room", err)
	}
	return err
}

// known reports whether an item of this source path and checksum is pending or done.
func (s *Spool) known(source, sum string) (bool, error) {
	pending, err := s.Pending()
	if err != nil {
		return false, err
	}
	done, err := s.Done()
	if err != nil {
		return false, err
	}
	for _, it := range append(pending, done...) {
		if it.Source == source && it.SHA256 == sum {
			return true, nil
		}
	}
	return false, nil
}

// Pending lists the items waiting for the store, oldest first. An entry whose item.json
// cannot be read is left out (Damaged lists it) so that it cannot hold up the others.
func (s *Spool) Pending() ([]Item, error) {
	items, _, err := s.pending()
	return items, err
}

// Damaged lists the pending entries whose item.json cannot be read, with the reason.
// Their data is left where it is for a person to look at; the result itself is still
// in /var/log.
func (s *Spool) Damaged() ([]string, error) {
	_, bad, err := s.pending()
	return bad, err
}

func (s *Spool) pending() ([]Item, []string, error) {
	dir := filepath.Join(s.Dir, "pending")
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil // nothing spooled yet
	}
	if err != nil {
		return nil, nil, fmt.Errorf("spool: %w", err)
	}
	var out []Item
	var bad []string
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		var it Item
		if err := readJSON(filepath.Join(dir, e.Name(), "item.json"), &it); err != nil {
			bad = append(bad, fmt.Sprintf("%s: %v", filepath.Join(dir, e.Name()), err))
			continue
		}
		if it.ID != e.Name() {
			bad = append(bad, fmt.Sprintf("%s: item.json names %q", filepath.Join(dir, e.Name()), it.ID))
			continue
		}
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, bad, nil
}

// CleanTemp removes what an enqueue interrupted by a crash or power loss left behind
// (".tmp-" folders in pending/). Call it only while holding the spool's lock.
func (s *Spool) CleanTemp() {
	ents, _ := os.ReadDir(filepath.Join(s.Dir, "pending"))
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			os.RemoveAll(filepath.Join(s.Dir, "pending", e.Name()))
		}
	}
}

// Done lists the confirmed uploads, oldest first.
func (s *Spool) Done() ([]Item, error) {
	dir := filepath.Join(s.Dir, "done")
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	var out []Item
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		var it Item
		if err := readJSON(filepath.Join(dir, e.Name()), &it); err != nil {
			return nil, fmt.Errorf("spool: %w", err)
		}
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// State reads the daemon's last outcome (zero when none yet).
func (s *Spool) State() (State, error) {
	var st State
	err := readJSON(filepath.Join(s.Dir, "state.json"), &st)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	return st, err
}

func (s *Spool) setState(update func(*State)) {
	st, _ := s.State()
	update(&st)
	_ = writeJSON(filepath.Join(s.Dir, "state.json"), st) // status only: a full disk must not stop uploads
}

// Backoff is the wait after the n-th failed attempt: 2 s doubling to 5 min, ±20 %.
func Backoff(n int) time.Duration {
	d := 2 * time.Second
	for i := 1; i < n && d < 5*time.Minute; i++ {
		d *= 2
	}
	if d > 5*time.Minute {
		d = 5 * time.Minute
	}
	jitter := time.Duration(rand.Int64N(int64(d)/5*2+1)) - d/5
	return d + jitter
}

// writeJSON writes v as indented JSON through a temporary file renamed into place
// (outpath.WriteAtomic: fsynced; the temporary name starts with "." and is never read).
func writeJSON(p string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return outpath.WriteAtomic(p, append(b, '\n'), 0o600)
}

func readJSON(p string, v any) error {
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

func syncDir(d string) {
	if f, err := os.Open(d); err == nil {
		_ = f.Sync()
		f.Close()
	}
}
