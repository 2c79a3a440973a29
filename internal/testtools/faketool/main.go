// Command faketool stands in for an external tool (dmidecode, smartctl, ...) in
// bee's whole-command tests. Symlinked on PATH under the tool's name, it looks
// its exact argv up in a capture directory ($BEE_FAKE_DIR, the format of
// `bee audit --capture`) and replays the recorded stdout, stderr and exit code.
// An argv that is not in the capture is an error: it is logged to
// $BEE_FAKE_DIR/unexpected.log and the tool exits 127, so a test can fail on it.
//
// Extra record fields for tests: "fake_sleep_ms" delays the answer (tool
// latency, or a hang when longer than bee's timeout).
//
// When several records have the same argv (a tool asked the same thing before and after
// a test, or polled), they answer in the order of their file names, one per call, and
// the last one repeats: the calls are counted in $BEE_FAKE_DIR/calls/.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

type record struct {
	Argv        []string `json:"argv"`
	ExitCode    int      `json:"exit_code"`
	Stdout      string   `json:"stdout"`
	Stderr      string   `json:"stderr"`
	ErrorKind   string   `json:"error_kind"`
	FakeSleepMS int      `json:"fake_sleep_ms"`
}

func main() {
	dir := os.Getenv("BEE_FAKE_DIR")
	argv := append([]string{filepath.Base(os.Args[0])}, os.Args[1:]...)
	if dir == "" {
		fmt.Fprintln(os.Stderr, "faketool: BEE_FAKE_DIR is not set")
		os.Exit(127)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "commands", "*.json"))
	slices.Sort(files)
	var matches []record
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			fail(dir, argv, err.Error())
		}
		var r record
		if err := json.Unmarshal(b, &r); err != nil {
			fail(dir, argv, fmt.Sprintf("%s: %v", f, err))
		}
		if !slices.Equal(r.Argv, argv) || r.ErrorKind == "not_found" {
			continue
		}
		matches = append(matches, r)
	}
	if len(matches) > 0 {
		r := matches[0]
		if len(matches) > 1 {
			r = matches[min(nextCall(dir, argv), len(matches)-1)]
		}
		if r.FakeSleepMS > 0 {
			time.Sleep(time.Duration(r.FakeSleepMS) * time.Millisecond)
		}
		cdir := filepath.Join(dir, "commands")
		for _, out := range []struct {
			name string
			w    *os.File
		}{{r.Stdout, os.Stdout}, {r.Stderr, os.Stderr}} {
			if out.name == "" {
				continue
			}
			b, err := os.ReadFile(filepath.Join(cdir, out.name))
			if err != nil {
				fail(dir, argv, err.Error())
			}
			out.w.Write(b)
		}
		os.Exit(r.ExitCode)
	}
	fail(dir, argv, "unexpected command")
}

// nextCall returns how many times argv was run before (0 the first time) and counts this
// call: one byte appended to a file named after the argv.
func nextCall(dir string, argv []string) int {
	sum := sha256.Sum256([]byte(strings.Join(argv, "\x00")))
	p := filepath.Join(dir, "calls", hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		fail(dir, argv, err.Error())
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fail(dir, argv, err.Error())
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		fail(dir, argv, err.Error())
	}
	if _, err := f.Write([]byte{'.'}); err != nil {
		fail(dir, argv, err.Error())
	}
	return int(st.Size())
}

func fail(dir string, argv []string, msg string) {
	line := fmt.Sprintf("faketool: %q: %s\n", argv, msg)
	if f, err := os.OpenFile(filepath.Join(dir, "unexpected.log"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		f.WriteString(line)
		f.Close()
	}
	fmt.Fprint(os.Stderr, line)
	os.Exit(127)
}
