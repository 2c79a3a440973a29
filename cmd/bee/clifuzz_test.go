package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/schema"
)

var cliFuzzSeed = flag.Int64("clifuzz.seed", 0, "TestCLIFuzz: replay the run a failure printed (0: a new seed)")

var cliFuzzN = flag.Int("clifuzz.n", 25, "TestCLIFuzz: number of random command lines (the long run: -args -clifuzz.n=2000)")

// snapshot maps every path under dir (except skip) to its mode and content hash.
func snapshot(t *testing.T, dir string, skip ...string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		for _, s := range skip {
			if p == s || strings.HasPrefix(p, s+"/") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
		}
		info, _ := d.Info()
		v := fmt.Sprint(info.Mode())
		if info.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			v += fmt.Sprintf(" %x", sha256.Sum256(b))
		}
		m[p] = v
		return nil
	})
	return m
}

// TestCLIFuzz runs random flag sets and values against the real binary: no panic, no
// hang, no unknown exit code, no exit 0 with a missing or invalid audit, and no file
// changed outside the output folder. Bounded by a count, not by time.
func TestCLIFuzz(t *testing.T) {
	seed := *cliFuzzSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	rng := rand.New(rand.NewSource(seed))
	t.Logf("seed %d", seed)
	e := machine{name: "bare", files: baseFiles("bare", "1000000")}.setup(t)
	base := filepath.Dir(e.out)
	os.WriteFile(filepath.Join(base, "sentinel"), []byte("keep"), 0o644)
	pick := func(v ...string) string { return v[rng.Intn(len(v))] }
	// The test's own FIFO and device node, never the machine's /dev/null.
	nodes := filepath.Join(base, "nodes")
	os.MkdirAll(nodes, 0o755)
	fifo := filepath.Join(nodes, "fifo")
	syscall.Mkfifo(fifo, 0o644)
	dev := devNull(t, nodes)
	if dev == "" {
		dev = fifo
	}
	durs := []string{"-5s", "0", "0s", "1ns", "2s", "1h", "5", "x", "", "-1m", "100ms"}
	paths := func() string {
		return pick(filepath.Join(e.out, "a.json"), filepath.Join(e.out, "new", "a.json"), filepath.Join(e.out, "x", "y", "z"),
			e.out, "", "-", dev, fifo, filepath.Join(base, "sentinel"), filepath.Join(e.out, "cap"), e.root, "/nonexistent")
	}
	type flagGen struct {
		name string
		val  func() string
	}
	cmds := map[string][]flagGen{
		"audit": {{"output", paths}, {"root", func() string { return pick(e.root, "/nonexistent", "", filepath.Join(base, "sentinel")) }},
			{"capture", paths}, {"replay", paths}, {"runtime", func() string { return pick("", "livecd", "host", "bogus") }},
			{"fail-on", func() string { return pick("", "warning", "fail", "x") }}, {"tool-timeout", func() string { return pick(durs...) }},
			{"quiet", func() string { return pick("true", "false", "x") }}, {"no-qr", func() string { return pick("true", "false") }},
			{"help", func() string { return "true" }}, {"frob", func() string { return "1" }}},
		"sat storage": {{"output-dir", paths}, {"root", func() string { return pick(e.root, "/nonexistent") }},
			{"selftest", func() string { return pick("none", "short", "long") }}, {"selftest-timeout", func() string { return pick(durs...) }},
			{"poll-interval", func() string { return pick(durs...) }}, {"tool-timeout", func() string { return pick(durs...) }},
			{"audit", paths}, {"help", func() string { return "true" }}},
		"sat memory": {{"output-dir", paths}, {"root", func() string { return pick(e.root, "/nonexistent") }},
			{"timeout", func() string { return pick(durs...) }}, {"loops", func() string { return pick("0", "1", "-1", "x") }}},
		"version":    {{"help", func() string { return "true" }}, {"x", func() string { return "1" }}},
		"help":       {},
		"gpu-stress": {{"duration", func() string { return pick(durs...) }}, {"grace", func() string { return pick(durs...) }}, {"mem-fraction", func() string { return pick("0", "0.5", "2", "x") }}},
	}
	names := []string{"audit", "audit", "audit", "audit", "sat storage", "sat memory", "version", "help", "gpu-stress"}
	allowed := map[int]bool{0: true, 1: true, 2: true, 3: true, 4: true}
	for i := 0; i < *cliFuzzN; i++ {
		name := pick(names...)
		args := strings.Fields(name)
		gens := cmds[name]
		for n := rng.Intn(4); n > 0 && len(gens) > 0; n-- {
			g := gens[rng.Intn(len(gens))]
			args = append(args, "--"+g.name+"="+g.val())
		}
		if name == "help" && rng.Intn(2) == 0 {
			args = append(args, pick("audit", "frob", "sat", "help"))
		}
		if name == "gpu-stress" {
			args = append(args, "--libcuda=/nonexistent/libcuda.so.1")
		}
		// Never audit the test machine itself nor write into its /var/log.
		if name == "audit" && !strings.Contains(strings.Join(args, " "), "--root") {
			args = append(args, "--root="+e.root)
		}
		if name == "audit" && !strings.Contains(strings.Join(args, " "), "--output") {
			args = append(args, "--output="+filepath.Join(e.out, "default.json"))
		}
		if strings.HasPrefix(name, "sat") && !strings.Contains(strings.Join(args, " "), "--output-dir") {
			args = append(args, "--output-dir="+filepath.Join(e.out, "sat"))
		}
		os.RemoveAll(e.out)
		os.MkdirAll(e.out, 0o755)
		// What the command line names as its output may change; nothing else.
		skip := []string{e.out}
		for _, a := range args {
			for _, f := range []string{"--output=", "--capture=", "--output-dir="} {
				if v, ok := strings.CutPrefix(a, f); ok && filepath.IsAbs(v) {
					skip = append(skip, filepath.Clean(v))
				}
			}
		}
		before := snapshot(t, base, skip...)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, beeBin, args...)
		cmd.Env = e.environ()
		cmd.Dir = e.out // relative paths ("-" for sat --output-dir) land in the output folder
		var so, se strings.Builder
		cmd.Stdout, cmd.Stderr = &so, &se
		cmd.Run()
		hung := ctx.Err() != nil
		cancel()
		code := cmd.ProcessState.ExitCode()
		where := fmt.Sprintf("bee %q (seed %d)", args, seed)
		if hung {
			t.Fatalf("%s: hung", where)
		}
		if strings.Contains(se.String(), "panic:") || strings.Contains(se.String(), "goroutine ") {
			t.Fatalf("%s: panic:\n%s", where, se.String())
		}
		if !allowed[code] {
			t.Errorf("%s: exit %d\n%s", where, code, se.String())
		}
		if after := snapshot(t, base, skip...); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("%s: changed files outside %s", where, e.out)
		}
		if args[0] == "audit" && (code == 0 || code == 3) && !strings.Contains(strings.Join(args, " "), "help") {
			out := ""
			for _, a := range args {
				if v, ok := strings.CutPrefix(a, "--output="); ok {
					out = v
				}
			}
			var b []byte
			if out == "-" {
				b = []byte(so.String())
			} else {
				b, _ = os.ReadFile(out)
			}
			if err := schema.Validate(b); err != nil {
				t.Errorf("%s: exit %d but the audit at %s is missing or invalid: %v", where, code, out, err)
			}
		}
	}
}
