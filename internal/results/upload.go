package results

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Store is where results go: an S3-compatible bucket (S3Store) or a fake in tests.
type Store interface {
	// Put stores body under key (below the configured prefix) and returns once the store
	// has confirmed it, having checked the checksums sent with it.
	Put(ctx context.Context, it Item, body *os.File) (object string, err error)
}

// DrainResult counts what one pass over the spool did.
type DrainResult struct {
	Uploaded, Failed, Waiting int
	Objects                   []string // bucket/key of each confirmed upload
}

// Drain tries every pending item whose next attempt is due, oldest first. A failure
// records the error on the item and schedules its next attempt with Backoff; the item
// stays in the spool. A confirmed item moves to done/ and its copy is removed.
func (s *Spool) Drain(ctx context.Context, store Store, now func() time.Time, perItem time.Duration) (DrainResult, error) {
	var r DrainResult
	items, err := s.Pending()
	if err != nil {
		return r, err
	}
	for _, it := range items {
		if ctx.Err() != nil {
			return r, ctx.Err()
		}
		if it.NextAttempt.After(now()) {
			r.Waiting++
			continue
		}
		dir := filepath.Join(s.Dir, "pending", it.ID)
		object, err := s.putOne(ctx, store, it, dir, perItem)
		t := now().UTC()
		it.Attempts++
		it.LastAttempt = &t
		if err != nil {
			if ctx.Err() != nil {
				return r, ctx.Err() // shutting down: not the store's fault, not counted
			}
			r.Failed++
			it.LastError = err.Error()
			it.NextAttempt = t.Add(Backoff(it.Attempts))
			if werr := writeJSON(filepath.Join(dir, "item.json"), it); werr != nil {
				return r, fmt.Errorf("spool: %w", spoolErr(werr))
			}
			s.setState(func(st *State) { st.LastError, st.LastErrorAt = it.Name+": "+err.Error(), &t })
			continue
		}
		it.Uploaded, it.Object, it.LastError = &t, object, ""
		if err := writeJSON(filepath.Join(s.Dir, "done", it.ID+".json"), it); err != nil {
			// Keep the item pending: uploading it again is harmless, losing it is not.
			return r, fmt.Errorf("spool: record upload of %s: %w", it.Name, spoolErr(err))
		}
		if err := os.RemoveAll(dir); err != nil {
			return r, fmt.Errorf("spool: %w", err)
		}
		r.Uploaded++
		r.Objects = append(r.Objects, object)
		s.setState(func(st *State) { st.LastSuccess, st.LastSuccessAt = object, &t })
	}
	return r, nil
}

func (s *Spool) putOne(ctx context.Context, store Store, it Item, dir string, perItem time.Duration) (string, error) {
	f, err := os.Open(filepath.Join(dir, "data"))
	if err != nil {
		return "", fmt.Errorf("spooled copy: %w", err)
	}
	defer f.Close()
	// A generous bound: 2 minutes plus 1 MB/s.
	timeout := perItem
	if timeout <= 0 {
		timeout = 2*time.Minute + time.Duration(it.Size/1e6)*time.Second
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	object, err := store.Put(cctx, it, f)
	if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return "", fmt.Errorf("no answer from the store within %s", timeout)
	}
	return object, err
}

// Daemon scans the results every interval, spools new ones and uploads what is due,
// forever (until ctx ends). Errors are logged and retried; nothing here returns early
// because the network or the store is down.
type Daemon struct {
	Spool     *Spool
	Store     Store
	AuditFile string
	SatDir    string
	Interval  time.Duration // between scans; 5 s by default
	Log       func(format string, a ...any)
	Now       func() time.Time

	idMod  time.Time // the audit's mtime when id was read
	idSize int64
	id     *Identity
}

// identity reads the audit only when it changed since the last scan.
func (d *Daemon) identity(ctx context.Context) Identity {
	fi, err := os.Stat(d.AuditFile)
	if err != nil {
		d.id = nil
		return IdentityFromAudit(ctx, d.AuditFile)
	}
	if d.id == nil || !fi.ModTime().Equal(d.idMod) || fi.Size() != d.idSize {
		id := IdentityFromAudit(ctx, d.AuditFile)
		d.id, d.idMod, d.idSize = &id, fi.ModTime(), fi.Size()
	}
	return *d.id
}

// Run loops until ctx is canceled.
func (d *Daemon) Run(ctx context.Context) error {
	if d.Interval <= 0 {
		d.Interval = 5 * time.Second
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	logf := d.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	lastErr := map[string]string{}
	note := func(key, msg string) { // log each distinct error once, not every 5 s
		if lastErr[key] != msg {
			lastErr[key] = msg
			if msg != "" {
				logf("%s", msg)
			}
		}
	}
	for {
		d.Once(ctx, logf, note)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(d.Interval):
		}
	}
}

// Once does one scan and one drain.
func (d *Daemon) Once(ctx context.Context, logf func(string, ...any), note func(key, msg string)) DrainResult {
	if d.Now == nil {
		d.Now = time.Now
	}
	srcs, err := Sources(d.AuditFile, d.SatDir)
	if err != nil {
		note("scan", "scan results: "+err.Error())
	} else {
		note("scan", "")
	}
	if len(srcs) > 0 {
		id := d.identity(ctx)
		for _, src := range srcs {
			added, err := d.Spool.Enqueue(src, id, d.Now())
			if err != nil {
				note("enqueue "+src.Path, err.Error())
				continue
			}
			note("enqueue "+src.Path, "")
			if added {
				logf("spooled %s", src.Path)
			}
		}
	}
	r, err := d.Spool.Drain(ctx, d.Store, d.Now, 0)
	if err != nil && ctx.Err() == nil {
		note("drain", err.Error())
	}
	for _, o := range r.Objects {
		logf("uploaded s3://%s", o)
	}
	if r.Failed > 0 {
		if st, err := d.Spool.State(); err == nil {
			note("upload", "upload failed, will retry: "+st.LastError)
		}
	} else if r.Uploaded > 0 {
		note("upload", "")
	}
	return r
}
