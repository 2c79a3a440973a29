package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Capture format (version "bee-capture/1"), written by `bee audit --capture DIR`
// and read by `bee audit --replay DIR`:
//
//	DIR/capture.json             {"format":"bee-capture/1","created_at":...,"root":"/","fs":{...}}
//	DIR/commands/NNNN.json       one command: argv, path, exit_code, duration_ms,
//	                             started_at, error, error_kind (not_found|timeout|canceled|start)
//	DIR/commands/NNNN.stdout     its stdout, byte for byte
//	DIR/commands/NNNN.stderr     its stderr, byte for byte
//	DIR/files/<absolute path>    every file read, byte for byte (e.g. files/sys/bus/pci/...)
//
// capture.json's "fs" object records what is not a plain file read:
// "dirs" (directory listings), "links" (symlink targets), "exists" (existence
// checks) and "errors" (reads that failed, with the error text). Everything is
// plain JSON and plain files so a field engineer can read, trim or edit a capture
// with standard tools.
const CaptureFormat = "bee-capture/1"

// CommandRecord is the JSON form of one captured command.
type CommandRecord struct {
	Argv       []string `json:"argv"`
	Path       string   `json:"path,omitempty"`
	ExitCode   int      `json:"exit_code"`
	DurationMS int64    `json:"duration_ms"`
	StartedAt  string   `json:"started_at"`
	Error      string   `json:"error,omitempty"`
	ErrorKind  string   `json:"error_kind,omitempty"`
	Stdout     string   `json:"stdout"`
	Stderr     string   `json:"stderr"`
}

type fsRecord struct {
	Dirs   map[string][]string `json:"dirs"`
	Links  map[string]string   `json:"links"`
	Exists map[string]bool     `json:"exists"`
	Errors map[string]string   `json:"errors"`
}

type captureMeta struct {
	Format    string   `json:"format"`
	CreatedAt string   `json:"created_at"`
	Root      string   `json:"root"`
	FS        fsRecord `json:"fs"`
}

// Recorder records commands and file reads into a capture directory. Wrap a
// Runner with Runner() and an FS with FS(), then call Close.
type Recorder struct {
	dir  string
	root string
	mu   sync.Mutex
	seq  int
	fs   fsRecord
	err  error // first write error, reported by Close
}

// NewRecorder creates a capture directory, or uses an existing empty one: a
// capture never mixes with (or overwrites) other files.
func NewRecorder(dir, root string) (*Recorder, error) {
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("capture: %s is not empty", dir)
	}
	if err := os.MkdirAll(filepath.Join(dir, "commands"), 0o755); err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "files"), 0o755); err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	return &Recorder{dir: dir, root: root, fs: fsRecord{
		Dirs: map[string][]string{}, Links: map[string]string{},
		Exists: map[string]bool{}, Errors: map[string]string{},
	}}, nil
}

func (r *Recorder) fail(err error) {
	if err != nil && r.err == nil {
		r.err = err
	}
}

// Close writes capture.json and returns the first error met while recording.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	meta := captureMeta{Format: CaptureFormat, CreatedAt: time.Now().UTC().Format(time.RFC3339), Root: r.root, FS: r.fs}
	b, err := json.MarshalIndent(meta, "", "  ")
	if err == nil {
		err = os.WriteFile(filepath.Join(r.dir, "capture.json"), append(b, '\n'), 0o644)
	}
	r.fail(err)
	return r.err
}

// Runner returns a Runner that runs commands with inner and records them.
func (r *Recorder) Runner(inner Runner) Runner { return recordingRunner{r, inner} }

// FS returns an FS that reads with inner and records what it read.
func (r *Recorder) FS(inner FS) FS { return recordingFS{r, inner} }

type recordingRunner struct {
	r     *Recorder
	inner Runner
}

func errorKind(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrTimeout):
		return "timeout"
	case errors.Is(err, ErrCanceled):
		return "canceled"
	}
	return "start"
}

func (rr recordingRunner) Run(ctx context.Context, c Cmd) Result {
	res := rr.inner.Run(ctx, c)
	r := rr.r
	r.mu.Lock()
	r.seq++
	n := r.seq
	r.mu.Unlock()
	base := fmt.Sprintf("%04d", n)
	rec := CommandRecord{
		Argv: res.Argv, Path: res.Path, ExitCode: res.ExitCode,
		DurationMS: res.Duration.Milliseconds(), StartedAt: res.Started.UTC().Format(time.RFC3339Nano),
		ErrorKind: errorKind(res.Err), Stdout: base + ".stdout", Stderr: base + ".stderr",
	}
	if res.Err != nil {
		rec.Error = res.Err.Error()
	}
	cdir := filepath.Join(r.dir, "commands")
	b, _ := json.MarshalIndent(rec, "", "  ")
	err := errors.Join(
		os.WriteFile(filepath.Join(cdir, base+".stdout"), res.Stdout, 0o644),
		os.WriteFile(filepath.Join(cdir, base+".stderr"), res.Stderr, 0o644),
		os.WriteFile(filepath.Join(cdir, base+".json"), append(b, '\n'), 0o644),
	)
	r.mu.Lock()
	r.fail(err)
	r.mu.Unlock()
	return res
}

type recordingFS struct {
	r     *Recorder
	inner FS
}

func (rf recordingFS) ReadFile(name string) ([]byte, error) {
	b, err := rf.inner.ReadFile(name)
	r := rf.r
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.fs.Errors[clean(name)] = errText(err)
		return b, err
	}
	p := filepath.Join(r.dir, "files", filepath.FromSlash(clean(name)))
	r.fail(os.MkdirAll(filepath.Dir(p), 0o755))
	r.fail(os.WriteFile(p, b, 0o644))
	return b, nil
}

func (rf recordingFS) ReadDir(name string) ([]string, error) {
	names, err := rf.inner.ReadDir(name)
	r := rf.r
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.fs.Errors[clean(name)] = errText(err)
	} else {
		r.fs.Dirs[clean(name)] = names
	}
	return names, err
}

func (rf recordingFS) Readlink(name string) (string, error) {
	t, err := rf.inner.Readlink(name)
	r := rf.r
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.fs.Errors[clean(name)] = errText(err)
	} else {
		r.fs.Links[clean(name)] = t
	}
	return t, err
}

func (rf recordingFS) Exists(name string) bool {
	ok := rf.inner.Exists(name)
	rf.r.mu.Lock()
	rf.r.fs.Exists[clean(name)] = ok
	rf.r.mu.Unlock()
	return ok
}

func clean(name string) string { return path.Clean("/" + name) }

// errText keeps "does not exist" recognisable on replay.
func errText(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "not_exist"
	}
	return err.Error()
}

// Replay plays back a capture directory: its Runner answers each command from
// the recorded results (an argv run twice gets its results in order), and its
// FS answers reads from the recorded files. Nothing is executed.
type Replay struct {
	dir  string
	meta captureMeta
	mu   sync.Mutex
	cmds map[string][]CommandRecord
	next map[string]int
}

// OpenReplay loads a capture directory written by Recorder.
func OpenReplay(dir string) (*Replay, error) {
	b, err := os.ReadFile(filepath.Join(dir, "capture.json"))
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	rp := &Replay{dir: dir, cmds: map[string][]CommandRecord{}, next: map[string]int{}}
	if err := json.Unmarshal(b, &rp.meta); err != nil {
		return nil, fmt.Errorf("replay: %s: %w", filepath.Join(dir, "capture.json"), err)
	}
	if rp.meta.Format != CaptureFormat {
		return nil, fmt.Errorf("replay: %s: format %q, want %q", dir, rp.meta.Format, CaptureFormat)
	}
	files, err := filepath.Glob(filepath.Join(dir, "commands", "*.json"))
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("replay: %w", err)
		}
		var rec CommandRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, fmt.Errorf("replay: %s: %w", f, err)
		}
		k := argvKey(rec.Argv)
		rp.cmds[k] = append(rp.cmds[k], rec)
	}
	return rp, nil
}

func argvKey(argv []string) string { return strings.Join(argv, "\x00") }

// Run implements Runner from the capture.
func (rp *Replay) Run(_ context.Context, c Cmd) Result {
	res := Result{Argv: c.Argv, ExitCode: -1, Started: time.Now()}
	k := argvKey(c.Argv)
	rp.mu.Lock()
	recs := rp.cmds[k]
	i := rp.next[k]
	if i < len(recs)-1 {
		rp.next[k] = i + 1
	}
	rp.mu.Unlock()
	if len(recs) == 0 {
		res.Err = fmt.Errorf("replay: command %q is not in the capture", strings.Join(c.Argv, " "))
		return res
	}
	rec := recs[i]
	res.Path, res.ExitCode = rec.Path, rec.ExitCode
	res.Duration = time.Duration(rec.DurationMS) * time.Millisecond
	var errs []error
	var err error
	res.Stdout, err = os.ReadFile(filepath.Join(rp.dir, "commands", rec.Stdout))
	errs = append(errs, err)
	res.Stderr, err = os.ReadFile(filepath.Join(rp.dir, "commands", rec.Stderr))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		res.Err = fmt.Errorf("replay: %w", err)
		return res
	}
	switch rec.ErrorKind {
	case "":
	case "not_found":
		res.Err = fmt.Errorf("%s: %w", c.Argv[0], ErrNotFound)
	case "timeout":
		res.Err = fmt.Errorf("%w (recorded: %s)", ErrTimeout, rec.Error)
	case "canceled":
		res.Err = fmt.Errorf("%w (recorded: %s)", ErrCanceled, rec.Error)
	default:
		res.Err = errors.New(rec.Error)
	}
	return res
}

// FS returns the recorded filesystem.
func (rp *Replay) FS() FS { return replayFS{rp} }

type replayFS struct{ rp *Replay }

// ErrNotCaptured means a replay was asked for a file, listing or link that the
// capture does not hold and did not record as failed: the capture is incomplete
// (files/ trimmed or lost, or made by a bee that read less), so the answer is
// unknown, not "absent".
var ErrNotCaptured = errors.New("not in the capture (capture incomplete)")

func (f replayFS) recordedErr(name string) error {
	e, ok := f.rp.meta.FS.Errors[clean(name)]
	switch {
	case !ok:
		return fmt.Errorf("replay: %s: %w", clean(name), ErrNotCaptured)
	case e != "not_exist":
		return fmt.Errorf("%s: %s", name, e)
	}
	return &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (f replayFS) ReadFile(name string) ([]byte, error) {
	if _, failed := f.rp.meta.FS.Errors[clean(name)]; failed {
		return nil, f.recordedErr(name)
	}
	b, err := os.ReadFile(filepath.Join(f.rp.dir, "files", filepath.FromSlash(clean(name))))
	if err != nil {
		return nil, f.recordedErr(name) // recorded as read, but files/ lacks it
	}
	return b, nil
}

func (f replayFS) ReadDir(name string) ([]string, error) {
	if names, ok := f.rp.meta.FS.Dirs[clean(name)]; ok {
		return names, nil
	}
	return nil, f.recordedErr(name)
}

func (f replayFS) Readlink(name string) (string, error) {
	if t, ok := f.rp.meta.FS.Links[clean(name)]; ok {
		return t, nil
	}
	return "", f.recordedErr(name)
}

func (f replayFS) Exists(name string) bool {
	if ok, seen := f.rp.meta.FS.Exists[clean(name)]; seen {
		return ok
	}
	_, err := os.Lstat(filepath.Join(f.rp.dir, "files", filepath.FromSlash(clean(name))))
	return err == nil
}
