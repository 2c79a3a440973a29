package host

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestExecExitCodeIsNotAnError(t *testing.T) {
	res := Exec{}.Run(context.Background(), Cmd{Argv: []string{"sh", "-c", "echo out; echo err >&2; exit 3"}, Timeout: 10 * time.Second})
	if res.Err != nil || res.ExitCode != 3 || string(res.Stdout) != "out\n" || string(res.Stderr) != "err\n" {
		t.Fatalf("res = %+v", res)
	}
	if !strings.Contains(res.Describe(), "exit status 3: err") {
		t.Errorf("Describe = %q", res.Describe())
	}
}

func TestExecNotFound(t *testing.T) {
	res := Exec{}.Run(context.Background(), Cmd{Argv: []string{"bee-no-such-tool-xyz"}})
	if !errors.Is(res.Err, ErrNotFound) {
		t.Fatalf("err = %v", res.Err)
	}
}

// A timed-out command is killed with its whole process group, including a
// grandchild that keeps stdout open.
func TestExecTimeoutKillsProcessGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	start := time.Now()
	res := Exec{}.Run(context.Background(), Cmd{
		Argv:    []string{"sh", "-c", "sleep 300 & echo $! > " + pidFile + "; wait"},
		Timeout: 2 * time.Second, // room for sh to write the pid file on a loaded machine
	})
	if !errors.Is(res.Err, ErrTimeout) || res.ExitCode != -1 {
		t.Fatalf("res.Err = %v exit %d", res.Err, res.ExitCode)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("took %s", el)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	for _, c := range strings.TrimSpace(string(b)) {
		pid = pid*10 + int(c-'0')
	}
	// SIGKILL takes effect when the grandchild is next scheduled: on a loaded machine
	// that can take a moment. A zombie awaiting its reaper is dead enough.
	var stat []byte
	for range 50 {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		stat, _ = os.ReadFile("/proc/" + strings.TrimSpace(string(b)) + "/stat")
		if bytes.Contains(stat, []byte(") Z")) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("grandchild %d still alive 5 s after the timeout: %s", pid, stat)
}

func TestExecCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(200 * time.Millisecond); cancel() }()
	res := Exec{}.Run(ctx, Cmd{Argv: []string{"sleep", "300"}, Timeout: time.Minute})
	if !errors.Is(res.Err, ErrCanceled) {
		t.Fatalf("err = %v", res.Err)
	}
}

func TestExecStream(t *testing.T) {
	var buf bytes.Buffer
	res := Exec{}.Run(context.Background(), Cmd{Argv: []string{"sh", "-c", "echo a; echo b >&2"}, Stream: &buf})
	if res.Err != nil || !strings.Contains(buf.String(), "a\n") || !strings.Contains(buf.String(), "b\n") || string(res.Stdout) != "a\n" {
		t.Fatalf("stream %q, res %+v", buf.String(), res)
	}
}

func TestCaptureReplayRoundTrip(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "sys", "x"), 0o755)
	os.WriteFile(filepath.Join(root, "sys", "x", "a"), []byte("1\n"), 0o644)
	os.Symlink("../../drivers/foo", filepath.Join(root, "sys", "x", "driver"))
	dir := filepath.Join(t.TempDir(), "cap")
	rec, err := NewRecorder(dir, root)
	if err != nil {
		t.Fatal(err)
	}
	r, fsys := rec.Runner(Exec{}), rec.FS(RootFS{Root: root})
	ctx := context.Background()
	r.Run(ctx, Cmd{Argv: []string{"sh", "-c", "printf 'one\\000two'; exit 4"}})
	r.Run(ctx, Cmd{Argv: []string{"bee-no-such-tool-xyz", "-a"}})
	fsys.ReadFile("/sys/x/a")
	fsys.ReadFile("/sys/x/missing")
	fsys.ReadDir("/sys/x")
	fsys.Readlink("/sys/x/driver")
	fsys.Exists("/dev/ipmi0")
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}

	rp, err := OpenReplay(dir)
	if err != nil {
		t.Fatal(err)
	}
	res := rp.Run(ctx, Cmd{Argv: []string{"sh", "-c", "printf 'one\\000two'; exit 4"}})
	if res.Err != nil || res.ExitCode != 4 || string(res.Stdout) != "one\x00two" {
		t.Errorf("replayed = %+v", res)
	}
	if res := rp.Run(ctx, Cmd{Argv: []string{"bee-no-such-tool-xyz", "-a"}}); !errors.Is(res.Err, ErrNotFound) {
		t.Errorf("replayed missing tool: %v", res.Err)
	}
	if res := rp.Run(ctx, Cmd{Argv: []string{"never", "ran"}}); res.Err == nil {
		t.Error("a command not in the capture must fail")
	}
	rfs := rp.FS()
	if b, err := rfs.ReadFile("/sys/x/a"); err != nil || string(b) != "1\n" {
		t.Errorf("ReadFile = %q %v", b, err)
	}
	if _, err := rfs.ReadFile("/sys/x/missing"); !IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
	if names, err := rfs.ReadDir("/sys/x"); err != nil || strings.Join(names, ",") != "a,driver" {
		t.Errorf("ReadDir = %v %v", names, err)
	}
	if l, err := rfs.Readlink("/sys/x/driver"); err != nil || l != "../../drivers/foo" {
		t.Errorf("Readlink = %q %v", l, err)
	}
	if rfs.Exists("/dev/ipmi0") {
		t.Error("Exists(/dev/ipmi0) replayed true")
	}
}

func TestOpenReplayRejectsGarbage(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenReplay(dir); err == nil {
		t.Error("empty dir accepted")
	}
	os.WriteFile(filepath.Join(dir, "capture.json"), []byte(`{"format":"other"}`), 0o644)
	if _, err := OpenReplay(dir); err == nil || !strings.Contains(err.Error(), "format") {
		t.Errorf("wrong format: %v", err)
	}
}

// A caller's cancel gives the tool a SIGTERM and time to clean up (bee sat
// writes its interrupted archive); a timeout does not.
func TestExecCancelSendsTERMFirst(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "cleaned")
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(300 * time.Millisecond); cancel() }()
	res := Exec{}.Run(ctx, Cmd{
		Argv:    []string{"sh", "-c", "trap 'echo done > " + marker + "; exit 0' TERM; sleep 300 & wait"},
		Timeout: time.Minute,
	})
	if !errors.Is(res.Err, ErrCanceled) {
		t.Fatalf("err = %v", res.Err)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the tool had no chance to clean up: %v", err)
	}
}

// TestExecEnvPathIsWhereToolsAreFound: a PATH in Exec.Env decides where a
// command is found. Tests point it at their fake tools; a tool the fakes lack
// must not fall back to the machine's real one (a real systemctl poweroff, a
// real mount), which exec.LookPath on the process's PATH did.
func TestExecEnvPathIsWhereToolsAreFound(t *testing.T) {
	dir := t.TempDir()
	tool := filepath.Join(dir, "bee-fake-tool")
	if err := os.WriteFile(tool, []byte("#!/bin/sh\necho fake \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	e := Exec{Env: []string{"PATH=" + dir}}
	res := e.Run(context.Background(), Cmd{Argv: []string{"bee-fake-tool", "x"}, Timeout: 10 * time.Second})
	if res.Err != nil || strings.TrimSpace(string(res.Stdout)) != "fake x" || res.Path != tool {
		t.Fatalf("fake tool on Env's PATH: err %v, path %q, stdout %q", res.Err, res.Path, res.Stdout)
	}
	// sh is on the process's PATH, not in dir: not found, never the real one.
	res = e.Run(context.Background(), Cmd{Argv: []string{"sh", "-c", "echo real"}, Timeout: 10 * time.Second})
	if !errors.Is(res.Err, ErrNotFound) {
		t.Fatalf("a tool missing from Env's PATH ran (path %q, err %v, stdout %q)", res.Path, res.Err, res.Stdout)
	}
	// Without a PATH in Env, the process's PATH as before.
	res = Exec{}.Run(context.Background(), Cmd{Argv: []string{"sh", "-c", "echo real"}, Timeout: 10 * time.Second})
	if res.Err != nil || strings.TrimSpace(string(res.Stdout)) != "real" {
		t.Fatalf("process PATH: err %v stdout %q", res.Err, res.Stdout)
	}
}
