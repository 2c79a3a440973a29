package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/results"
)

// An s3://bucket/prefix source is what `bee upload` filled: objects named
// <prefix>/<serial>/<UTC time>/<file> (docs/results.md). The store's endpoint,
// credentials and CA come from the upload config file. Objects are read over
// the network, never written to this machine's disk: an audit into memory (at
// most audit.MaxFileBytes), an archive streamed through the same reader as a
// file's.

// s3Workers is how many objects are read at once.
const s3Workers = 4

// s3Timeout bounds one object's request: 2 minutes, plus 1 s per MB of the
// object's listed size.
func s3Timeout(size int64) time.Duration {
	return 2*time.Minute + time.Duration(size/1e6)*time.Second
}

// isS3 reports whether a source names an object store.
func isS3(src string) bool { return strings.HasPrefix(src, "s3://") }

// s3Config is the upload config with the source's bucket and prefix.
func s3Config(src, file string, warn func(string)) (results.Config, error) {
	if file == "" {
		file = results.DefaultConfigFile
	}
	var zero results.Config
	if err := checkS3URL(src); err != nil {
		return zero, err
	}
	if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
		return zero, fmt.Errorf("%s: no upload config %s: the store's endpoint and credentials come from it (docs/results.md); name another with --upload-config FILE", src, file)
	}
	cfg, warnings, err := results.LoadConfig(file, "")
	if err != nil && !errors.Is(err, results.ErrNotConfigured) {
		return zero, err
	}
	if warn != nil {
		for _, w := range warnings {
			warn(w)
		}
	}
	return cfg.WithURL(src)
}

// checkS3URL: a source that is not s3://bucket[/prefix] is a usage error.
func checkS3URL(src string) error {
	if _, err := (results.Config{}).WithURL(src); err != nil {
		return &SourceError{fmt.Sprintf("source %v", err)}
	}
	return nil
}

// s3Item is one object chosen to be read.
type s3Item struct {
	obj    results.Object
	serial string
	stamp  string // the <UTC time> part of its name; "" when the name is not bee upload's
}

// parseS3Key splits a key below prefix into serial, time and file name; ok is
// false for a key that is not laid out as bee upload names its objects.
func parseS3Key(prefix, key string) (serial, stamp, file string, ok bool) {
	rel := key
	if prefix != "" {
		rel = strings.TrimPrefix(key, prefix+"/")
	}
	parts := strings.Split(rel, "/")
	file = parts[len(parts)-1]
	if len(parts) != 3 || parts[0] == "" {
		return "", "", file, false
	}
	if _, err := time.Parse("20060102T150405Z", parts[1]); err != nil {
		return "", "", file, false
	}
	return parts[0], parts[1], file, true
}

// unknownSerial is the folder bee upload files a machine without a serial under.
const unknownSerial = "unknown-serial"

// selectObjects keeps the *.json and *.tar.gz objects (names starting with "."
// are skipped, as in a folder) and, unless all, only the newest of each serial
// by the time in the object's name: the newest audit folder of each serial, and
// the newest archive of each serial and kind (<kind>-<serial>-<time>.tar.gz,
// docs/sat.md). Objects not named as bee upload names them, and those of
// machines without a serial, are all kept. The result is in key order.
func selectObjects(prefix string, objs []results.Object, all bool) []results.Object {
	newest := map[string]string{} // group → newest stamp
	var items []s3Item
	groupOf := func(serial, file string) string {
		if strings.HasSuffix(file, ".json") {
			return serial + "\x00audit"
		}
		kind, _, _ := strings.Cut(file, "-")
		return serial + "\x00sat\x00" + kind
	}
	for _, o := range objs {
		serial, stamp, file, ok := parseS3Key(prefix, o.Key)
		if strings.HasPrefix(file, ".") || !(strings.HasSuffix(file, ".json") || strings.HasSuffix(file, ".tar.gz")) {
			continue
		}
		if !ok || serial == unknownSerial {
			stamp = ""
		}
		items = append(items, s3Item{obj: o, serial: serial, stamp: stamp})
		if stamp != "" {
			g := groupOf(serial, file)
			if stamp > newest[g] {
				newest[g] = stamp
			}
		}
	}
	var out []results.Object
	for _, it := range items {
		if all || it.stamp == "" || it.stamp == newest[groupOf(it.serial, path.Base(it.obj.Key))] {
			out = append(out, it.obj)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// collectS3 lists the objects of an s3:// source and reads the chosen ones. A
// store that cannot be reached, refuses the credentials or has no such bucket
// is an error; an object that cannot be read is a Problem.
func collectS3(ctx context.Context, src string, o Options) ([]string, []loaded, error) {
	cfg, err := s3Config(src, o.UploadConfig, o.Warn)
	if err != nil {
		return nil, nil, err
	}
	st := results.NewS3Store(cfg)
	objs, err := st.List(ctx)
	if err != nil {
		return nil, nil, err
	}
	objs = selectObjects(cfg.Prefix, objs, o.All)
	names := make([]string, len(objs))
	res := make([]loaded, len(objs))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < s3Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				names[i] = "s3://" + cfg.Bucket + "/" + objs[i].Key
				res[i] = loadObject(ctx, st, objs[i], names[i])
			}
		}()
	}
	for i := range objs {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return names, res, nil
}

// loadObject reads one object named name: an audit (or an unpacked
// manifest.json) into memory, an archive streamed.
func loadObject(ctx context.Context, st *results.S3Store, o results.Object, name string) loaded {
	timeout := s3Timeout(o.Size)
	if strings.HasSuffix(o.Key, ".json") {
		var b bytes.Buffer
		if _, err := st.Get(ctx, o.Key, audit.MaxFileBytes, timeout, &b); err != nil {
			if errors.Is(err, results.ErrTooLarge) {
				return loaded{err: fmt.Errorf("%s is %w: %v", name, audit.ErrNotAudit, err)}
			}
			return loaded{err: fmt.Errorf("%s: %v", name, err)}
		}
		a, err := decodeAudit(name, b.Bytes())
		if err == nil {
			a.Collectors = nil
			return loaded{audit: a}
		}
		if run, merr := parseManifest(name, b.Bytes()); merr == nil {
			return loaded{sat: run}
		}
		return loaded{err: err}
	}
	// The archive is read as it arrives: the store writes into a pipe, the
	// archive reader reads from it.
	pr, pw := io.Pipe()
	w := &pipeWriter{w: pw}
	done := make(chan error, 1)
	go func() {
		_, err := st.Get(ctx, o.Key, maxArchiveBytes, timeout, w)
		pw.CloseWithError(err)
		done <- err
	}()
	run, perr := parseSatArchive(ctx, name, pr)
	pr.CloseWithError(errReadDone) // the reader has what it needs: the rest is not waited for
	gerr := <-done
	if perr == nil {
		return loaded{sat: run}
	}
	if gerr != nil && w.err == nil {
		// The store failed (or the object is over the cap): say so, not that
		// the archive is damaged.
		return loaded{err: fmt.Errorf("%s: %v", name, gerr)}
	}
	return loaded{err: perr}
}

var errReadDone = errors.New("archive read")

// pipeWriter records whether a write failed because the reader stopped.
type pipeWriter struct {
	w   *io.PipeWriter
	err error
}

func (p *pipeWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if err != nil && p.err == nil {
		p.err = err
	}
	return n, err
}

// decodeAudit is audit.Load for bytes already read.
func decodeAudit(name string, b []byte) (*audit.Audit, error) {
	var a audit.Audit
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("%s is %w: not JSON of the audit's shape (%v)", name, audit.ErrNotAudit, err)
	}
	if a.SchemaVersion != audit.SchemaVersion {
		return nil, fmt.Errorf("%s: schema_version %d, this bee reads %d", name, a.SchemaVersion, audit.SchemaVersion)
	}
	return &a, nil
}
