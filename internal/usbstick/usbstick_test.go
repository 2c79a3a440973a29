package usbstick

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/results"
	"github.com/google/go-cmp/cmp"
)

// The stick tests use loop devices over image files, formatted by mkfs with the label,
// and go through the same code as a real stick (blkid, mount, sync, umount through
// host.Exec). They need root and loop devices: outside CI they skip without them;
// BEE_REQUIRE_LOOP=1 (CI) makes that a failure.
func needLoop(t *testing.T) {
	t.Helper()
	why := ""
	switch {
	case os.Geteuid() != 0:
		why = "not root"
	default:
		if _, err := os.Stat("/dev/loop-control"); err != nil {
			why = "no /dev/loop-control"
		}
		for _, tool := range []string{"losetup", "mount", "umount", "blkid", "mkfs.ext4"} {
			if _, err := exec.LookPath(tool); err != nil {
				why = tool + " not installed"
			}
		}
	}
	if why != "" {
		if os.Getenv("BEE_REQUIRE_LOOP") == "1" {
			t.Fatalf("BEE_REQUIRE_LOOP=1 but %s", why)
		}
		t.Skip(why)
	}
}

// fsTypes are the stick filesystems this kernel can mount and this machine can make:
// both in CI on a full Debian kernel; ext4 alone where vfat is not built in.
func fsTypes(t *testing.T) []string {
	t.Helper()
	b, _ := os.ReadFile("/proc/filesystems")
	var out []string
	for _, fs := range []string{"vfat", "ext4"} {
		mkfs := map[string]string{"vfat": "mkfs.vfat", "ext4": "mkfs.ext4"}[fs]
		_, err := exec.LookPath(mkfs)
		if err == nil && (bytes.Contains(b, []byte("\t"+fs+"\n")) || exec.Command("modprobe", fs).Run() == nil) {
			out = append(out, fs)
		}
	}
	if len(out) == 0 {
		t.Fatal("neither vfat nor ext4 can be mounted here")
	}
	return out
}

// stick is a loop device over a fresh image.
type stick struct {
	img, dev string
}

func newStick(t *testing.T, fstype, label string, sizeMiB int, readOnly bool) stick {
	t.Helper()
	img := filepath.Join(t.TempDir(), "stick.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, int64(sizeMiB)<<20); err != nil {
		t.Fatal(err)
	}
	var mk *exec.Cmd
	if fstype == "vfat" {
		mk = exec.Command("mkfs.vfat", "-n", label, img)
	} else {
		mk = exec.Command("mkfs.ext4", "-q", "-F", "-L", label, img)
	}
	if out, err := mk.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v: %s", mk.Args, err, out)
	}
	args := []string{"--find", "--show"}
	if readOnly {
		args = append(args, "-r")
	}
	out, err := exec.Command("losetup", append(args, img)...).Output()
	if err != nil {
		t.Fatalf("losetup: %v", err)
	}
	s := stick{img: img, dev: strings.TrimSpace(string(out))}
	t.Cleanup(func() { exec.Command("losetup", "-d", s.dev).Run() })
	return s
}

// read mounts the image read-only elsewhere and returns its /bee/<serial> files.
func (s stick) read(t *testing.T, serial string) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-o", "ro", s.dev, dir).CombinedOutput(); err != nil {
		t.Fatalf("mount to check: %v: %s", err, out)
	}
	defer exec.Command("umount", dir).Run()
	files := map[string][]byte{}
	ents, _ := os.ReadDir(filepath.Join(dir, "bee", serial))
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, "bee", serial, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

func mounted(t *testing.T, dir string) bool {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(b, []byte(" "+dir+" "))
}

type results3 struct {
	srcs  []results.Source
	bytes map[string][]byte
}

func makeResults(t *testing.T, archiveSize int) results3 {
	t.Helper()
	d := t.TempDir()
	r := results3{bytes: map[string][]byte{}}
	add := func(name, kind string, n int) {
		b := make([]byte, n)
		rand.Read(b)
		p := filepath.Join(d, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		r.srcs = append(r.srcs, results.Source{Path: p, Kind: kind})
		r.bytes[name] = b
	}
	add("bee-audit.json", "audit", 30<<10)
	add("memory-S1-20261206T142854Z.tar.gz", "sat", 20<<10)
	add("nvidia-S1-20261206T150000Z.tar.gz", "sat", archiveSize)
	return r
}

func (r results3) unchanged(t *testing.T) {
	t.Helper()
	for _, s := range r.srcs {
		b, err := os.ReadFile(s.Path)
		if err != nil || !bytes.Equal(b, r.bytes[filepath.Base(s.Path)]) {
			t.Errorf("%s changed or gone (%v)", s.Path, err)
		}
	}
}

func copier(t *testing.T) Copier {
	return Copier{Runner: host.Exec{}, MountDir: filepath.Join(t.TempDir(), "mnt"),
		Now: func() time.Time { return time.Date(2026, 12, 6, 16, 0, 0, 0, time.UTC) }}
}

func TestCopyToStick(t *testing.T) {
	needLoop(t)
	for _, fstype := range fsTypes(t) {
		t.Run(fstype, func(t *testing.T) {
			s := newStick(t, fstype, Label, 16, false)
			r := makeResults(t, 100<<10)
			c := copier(t)
			ctx := context.Background()
			devs, err := Find(ctx, c.Runner)
			if err != nil || !contains(devs, s.dev) {
				t.Fatalf("Find: %v %v, want %s among them", devs, err, s.dev)
			}
			rep, err := c.Copy(ctx, s.dev, "S1", r.srcs)
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.Message(); got != "results copied to USB: 3 files, safe to remove" {
				t.Errorf("message %q", got)
			}
			if mounted(t, c.MountDir) {
				t.Error("still mounted")
			}
			files := s.read(t, "S1")
			for name, b := range r.bytes {
				if !bytes.Equal(files[name], b) {
					t.Errorf("%s on the stick differs", name)
				}
			}
			var idx Index
			if err := json.Unmarshal(files["index.json"], &idx); err != nil {
				t.Fatalf("index.json: %v", err)
			}
			if idx.Serial != "S1" || len(idx.Files) != 3 || idx.Files[0].Name != "bee-audit.json" || idx.Files[0].Kind != "audit" ||
				idx.Files[0].SHA256 != sum(r.bytes["bee-audit.json"]) || idx.Files[0].Size != 30<<10 {
				t.Errorf("index: %+v", idx)
			}
			// Plugged in again: nothing copied twice.
			rep, err = c.Copy(ctx, s.dev, "S1", r.srcs)
			if err != nil || len(rep.Copied) != 0 || len(rep.Present) != 3 {
				t.Fatalf("second copy: %+v %v", rep, err)
			}
			if got := rep.Message(); got != "results copied to USB: 0 files (3 already there), safe to remove" {
				t.Errorf("message %q", got)
			}
			// A re-run audit (same name, new content) gets a new name; the old one stays.
			newAudit := append(bytes.Clone(r.bytes["bee-audit.json"]), '\n')
			os.WriteFile(r.srcs[0].Path, newAudit, 0o644)
			rep, err = c.Copy(ctx, s.dev, "S1", r.srcs)
			if err != nil || !cmp.Equal(rep.Copied, []string{"bee-audit.2.json"}) {
				t.Fatalf("changed audit: %+v %v", rep, err)
			}
			files = s.read(t, "S1")
			if !bytes.Equal(files["bee-audit.json"], r.bytes["bee-audit.json"]) || !bytes.Equal(files["bee-audit.2.json"], newAudit) {
				t.Error("audit versions on the stick wrong")
			}
			json.Unmarshal(files["index.json"], &idx)
			if len(idx.Files) != 4 {
				t.Errorf("index after a new audit: %+v", idx.Files)
			}
		})
	}
}

func TestWrongLabelNeverWritten(t *testing.T) {
	needLoop(t)
	fstype := fsTypes(t)[0]
	s := newStick(t, fstype, "BEE", 16, false) // the profiles stick: read-only for bee
	before := fileSum(t, s.img)
	r := makeResults(t, 10<<10)
	c := copier(t)
	_, err := c.Copy(context.Background(), s.dev, "S1", r.srcs)
	if !errors.Is(err, ErrNotOurs) || !strings.Contains(err.Error(), `labelled "BEE"`) {
		t.Fatalf("err %v", err)
	}
	if fileSum(t, s.img) != before {
		t.Error("the image changed")
	}
	if mounted(t, c.MountDir) {
		t.Error("mounted")
	}
}

func TestReadOnlyStickThenRetry(t *testing.T) {
	needLoop(t)
	fstype := fsTypes(t)[0]
	s := newStick(t, fstype, Label, 16, true)
	r := makeResults(t, 10<<10)
	c := copier(t)
	_, err := c.Copy(context.Background(), s.dev, "S1", r.srcs)
	t.Logf("read-only: %v", err)
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("read-only stick: %v", err)
	}
	if mounted(t, c.MountDir) {
		t.Error("left mounted")
	}
	r.unchanged(t)
	// The write-protect switch flipped back: the same results copy.
	exec.Command("losetup", "-d", s.dev).Run()
	out, err := exec.Command("losetup", "--find", "--show", s.img).Output()
	if err != nil {
		t.Fatal(err)
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() { exec.Command("losetup", "-d", dev).Run() })
	if rep, err := c.Copy(context.Background(), dev, "S1", r.srcs); err != nil || len(rep.Copied) != 3 {
		t.Fatalf("retry: %+v %v", rep, err)
	}
}

func TestFullStick(t *testing.T) {
	needLoop(t)
	fstype := fsTypes(t)[0]
	s := newStick(t, fstype, Label, 8, false)
	r := makeResults(t, 12<<20) // the last archive does not fit
	c := copier(t)
	rep, err := c.Copy(context.Background(), s.dev, "S1", r.srcs)
	t.Logf("full: %v", err)
	if err == nil || !strings.Contains(err.Error(), "is full after 2 files") {
		t.Fatalf("full stick: %v", err)
	}
	if !rep.Unmounted || mounted(t, c.MountDir) {
		t.Error("not unmounted after the error")
	}
	r.unchanged(t)
	files := s.read(t, "S1")
	for name := range files {
		if strings.HasPrefix(name, partialPrefix) || strings.HasPrefix(name, "nvidia-") {
			t.Errorf("half-written %s left on the stick", name)
		}
	}
	if !bytes.Equal(files["bee-audit.json"], r.bytes["bee-audit.json"]) {
		t.Error("audit on the stick differs")
	}
}

// Without root: a device whose label is wrong is never mounted. The fake runner
// replays the real blkid capture and fails the test on any other command.
func TestWrongLabelNoMountCommand(t *testing.T) {
	capture, err := os.ReadFile("../parse/blkid/testdata/util-linux-2.38.1_p-export_ext4_label-bee.txt")
	if err != nil {
		t.Fatal(err)
	}
	fr := &fakeRunner{t: t, replies: map[string][]byte{"blkid -p -o export /dev/loop3": capture}}
	c := Copier{Runner: fr, MountDir: filepath.Join(t.TempDir(), "mnt")}
	_, err = c.Copy(context.Background(), "/dev/loop3", "S1", nil)
	if !errors.Is(err, ErrNotOurs) {
		t.Fatalf("err %v", err)
	}
	if len(fr.ran) != 1 {
		t.Errorf("ran %v", fr.ran)
	}
}

type fakeRunner struct {
	t       *testing.T
	replies map[string][]byte
	ran     []string
}

func (f *fakeRunner) Run(_ context.Context, c host.Cmd) host.Result {
	k := strings.Join(c.Argv, " ")
	f.ran = append(f.ran, k)
	out, ok := f.replies[k]
	if !ok {
		f.t.Errorf("unexpected command %q", k)
		return host.Result{Argv: c.Argv, ExitCode: 1}
	}
	return host.Result{Argv: c.Argv, Stdout: out}
}

func TestNumbered(t *testing.T) {
	for _, tt := range [][3]string{
		{"bee-audit.json", "2", "bee-audit.2.json"},
		{"nvidia-S1-20261206T150000Z.tar.gz", "3", "nvidia-S1-20261206T150000Z.3.tar.gz"},
		{"README", "2", "README.2"},
	} {
		n := map[string]int{"2": 2, "3": 3}[tt[1]]
		if got := numbered(tt[0], n); got != tt[2] {
			t.Errorf("numbered(%q, %d) = %q, want %q", tt[0], n, got, tt[2])
		}
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hexs(h[:])
}

func hexs(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, len(b)*2)
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func fileSum(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sum(b)
}

// Stopped mid-way (the unit stopped because the stick was pulled): the copy ends, the
// stick is still unmounted although the context is canceled.
func TestCanceledCopyStillUnmounts(t *testing.T) {
	needLoop(t)
	s := newStick(t, fsTypes(t)[0], Label, 16, false)
	r := makeResults(t, 10<<10)
	c := copier(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// A canceled context also cancels blkid and mount: use a runner that ignores it for
	// those two, as if the cancel came after the mount.
	c.Runner = afterMount{host.Exec{}}
	rep, err := c.Copy(ctx, s.dev, "S1", r.srcs)
	if err == nil || !strings.Contains(err.Error(), "stopped") {
		t.Fatalf("err %v", err)
	}
	if !rep.Unmounted || mounted(t, c.MountDir) {
		t.Error("left mounted after a cancel")
	}
	r.unchanged(t)
}

type afterMount struct{ r host.Runner }

func (a afterMount) Run(ctx context.Context, c host.Cmd) host.Result {
	if c.Argv[0] == "blkid" || c.Argv[0] == "mount" {
		ctx = context.WithoutCancel(ctx)
	}
	return a.r.Run(ctx, c)
}
