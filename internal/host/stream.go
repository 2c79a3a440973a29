package host

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// StreamReader is an FS that can read a device whose read blocks once it has
// given everything it holds (/dev/kmsg): ReadStream returns what is there now
// and stops. On a regular file it is ReadFile.
type StreamReader interface {
	ReadStream(name string) ([]byte, error)
}

// ErrNoStream means the FS cannot read a blocking device without blocking.
var ErrNoStream = errors.New("this filesystem cannot read a device without blocking")

// maxStreamRead bounds one ReadStream (a kernel log buffer is at most a few MiB).
const maxStreamRead = 16 << 20

// ReadStream reads name through fsys's StreamReader, or fails with
// ErrNoStream: never a plain ReadFile, which would block on /dev/kmsg.
func ReadStream(fsys FS, name string) ([]byte, error) {
	if s, ok := fsys.(StreamReader); ok {
		return s.ReadStream(name)
	}
	return nil, fmt.Errorf("%s: %w", name, ErrNoStream)
}

// ReadStream implements StreamReader: the file is opened O_NONBLOCK and read
// with plain read(2) calls (not Go's poller, which would wait for more) until
// end of file, EAGAIN (nothing more now) or maxStreamRead. EPIPE (/dev/kmsg:
// records were overwritten while reading) skips to the next record.
func (r RootFS) ReadStream(name string) ([]byte, error) {
	fd, err := syscall.Open(r.path(name), syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	defer syscall.Close(fd)
	var out []byte
	buf := make([]byte, 64<<10)
	for len(out) < maxStreamRead {
		n, err := syscall.Read(fd, buf)
		switch {
		case err == syscall.EINTR || err == syscall.EPIPE:
			continue
		case err == syscall.EAGAIN:
			return out, nil
		case err != nil:
			return out, &os.PathError{Op: "read", Path: name, Err: err}
		case n <= 0:
			return out, nil
		}
		out = append(out, buf[:n]...)
	}
	return out, nil
}

// ReadStream implements StreamReader: the inner FS's stream, recorded as a file.
func (rf recordingFS) ReadStream(name string) ([]byte, error) {
	b, err := ReadStream(rf.inner, name)
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

// ReadStream implements StreamReader: a captured stream is a file.
func (f replayFS) ReadStream(name string) ([]byte, error) { return f.ReadFile(name) }
