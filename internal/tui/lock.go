package tui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Two menus can run on one machine at once (tty1 and a serial console, or an
// SSH session): only one acceptance test may run at a time, and the other menu
// must see it. The menu that starts a test holds an exclusive flock(2) on
// RUNTIME_DIR/sat.lock for as long as the test runs and writes into it who
// it is (lockInfo); the test's output is copied to the log file the lock
// names, which the other menu shows as the test's progress.
//
// The flock, not the file, is the lock: the kernel drops it when the process
// that held it dies, so a lock file left by a menu that was killed (its pid
// dead) is simply taken over by the next menu that starts a test.

const (
	lockFileName = "sat.lock"
	lockLogName  = "sat-output.log"
	// maxLockLog bounds the copy of a test's output in the runtime directory
	// (a tmpfs on the live CD: memory); the archive keeps the full output.
	maxLockLog = 16 << 20
	// watchTail is how much of the log's end the watching menu reads.
	watchTail = 256 << 10
)

// lockInfo is the content of the lock file: who runs which test since when,
// and where its output goes.
type lockInfo struct {
	PID     int       `json:"pid"`
	TTY     string    `json:"tty"`
	Kind    string    `json:"kind"` // the bee sat test: nvidia, memory, storage
	Argv    []string  `json:"argv"`
	Started time.Time `json:"started"`
	Log     string    `json:"log"` // its output as it runs, "" when not copied
}

// where is "ttyS0" for the messages: the terminal without /dev/.
func (l lockInfo) where() string {
	t := strings.TrimPrefix(l.TTY, "/dev/")
	if t == "" {
		t = "another terminal"
	}
	return t
}

// testLock is a held lock.
type testLock struct {
	f    *os.File
	path string
}

// acquireTestLock takes the acceptance-test lock in dir for info. It returns
// the lock; or, when another menu holds it, what that menu wrote (holder);
// or an error when the lock cannot be made at all (no runtime directory).
func acquireTestLock(dir string, info lockInfo) (l *testLock, holder *lockInfo, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	path := filepath.Join(dir, lockFileName)
	for try := 0; try < 5; try++ {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, nil, err
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if !errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, nil, fmt.Errorf("lock %s: %w", path, err)
			}
			// Held; or only probed for a moment by lockHolder: look again.
			if h := lockHolder(dir); h != nil {
				return nil, h, nil
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		// A holder that finished removed the file while we opened it: the
		// flock we got is on a file nobody else sees. Start again.
		if !sameFile(f, path) {
			f.Close()
			continue
		}
		// Whatever the file says is from a menu that is gone: take it over.
		b, _ := json.Marshal(info)
		werr := f.Truncate(0)
		if werr == nil {
			_, werr = f.WriteAt(append(b, '\n'), 0)
		}
		if werr != nil {
			f.Close()
			return nil, nil, fmt.Errorf("write %s: %w", path, werr)
		}
		return &testLock{f: f, path: path}, nil, nil
	}
	return nil, nil, fmt.Errorf("lock %s: it keeps changing", path)
}

func sameFile(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

// release gives the lock up: the file goes first, so that a menu opening it
// afterwards creates a new one.
func (l *testLock) release() {
	if l == nil {
		return
	}
	os.Remove(l.path)
	l.f.Close()
}

// lockHolder returns who holds the acceptance-test lock in dir, or nil when
// nobody does (no file, or a file whose writer is gone: a stale lock).
func lockHolder(dir string) *lockInfo {
	path := filepath.Join(dir, lockFileName)
	for try := 0; try < 5; try++ {
		f, err := os.Open(path)
		if err != nil {
			return nil
		}
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
		if err == nil { // nobody holds it
			f.Close()
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil
		}
		b, _ := io.ReadAll(io.LimitReader(f, 64<<10))
		f.Close()
		var info lockInfo
		if json.Unmarshal(b, &info) == nil && info.PID > 0 {
			return &info
		}
		// Locked but not written yet (the holder truncates, then writes).
		time.Sleep(10 * time.Millisecond)
	}
	return &lockInfo{}
}

// lockLog is the copy of a running test's output for other menus. It never
// fails the writer (the test's own output must not stop because /run is
// full) and stops copying at maxLockLog.
type lockLog struct {
	mu   sync.Mutex
	f    *os.File
	n    int64
	full bool
}

func createLockLog(path string) (*lockLog, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	return &lockLog{f: f}, nil
}

func (l *lockLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil || l.full {
		return len(p), nil
	}
	if l.n+int64(len(p)) > maxLockLog {
		l.full = true
		fmt.Fprintf(l.f, "\n[bee tui: the output goes on; this copy stops at %d MiB]\n", maxLockLog>>20)
		return len(p), nil
	}
	n, _ := l.f.Write(p)
	l.n += int64(n)
	return len(p), nil
}

func (l *lockLog) Close() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

// readLogTail returns the end of a test's log as screen lines.
func readLogTail(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil
	} else if fi.Size() > watchTail {
		f.Seek(fi.Size()-watchTail, io.SeekStart)
	}
	s := newLineStream()
	io.Copy(s, io.LimitReader(f, watchTail))
	return s.Snapshot()
}
