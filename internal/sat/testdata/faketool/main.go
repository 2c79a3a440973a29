// Command faketool stands in for the tools bee sat runs (smartctl, memtester,
// nvidia-smi, ...) in internal/sat's tests. The tests link it under each tool's name
// into a directory they put alone on PATH, and set BEE_FAKE_SCENARIO to a JSON scenario
// that maps exact argv to a recorded output (see internal/sat/fake_test.go for the
// format). An argv that is not in the scenario is logged to state/unexpected.log and
// answered with exit status 127; every call is logged to state/calls.log.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

type scenario struct {
	Commands []struct {
		Argv      []string `json:"argv"`
		Responses []struct {
			Stdout     string            `json:"stdout"`
			StdoutText string            `json:"stdout_text"`
			Stderr     string            `json:"stderr"`
			StderrText string            `json:"stderr_text"`
			Exit       int               `json:"exit"`
			SleepMS    int               `json:"sleep_ms"`
			Hang       bool              `json:"hang"`
			WriteArg   string            `json:"write_arg"`
			WriteFrom  string            `json:"write_from"`
			SetFiles   map[string]string `json:"set_files"`
		} `json:"responses"`
	} `json:"commands"`
}

func main() { os.Exit(run(os.Getenv("BEE_FAKE_SCENARIO"), filepath.Base(os.Args[0]), os.Args[1:])) }

func run(scPath, tool string, args []string) int {
	if scPath == "" {
		fmt.Fprintln(os.Stderr, "faketool: BEE_FAKE_SCENARIO is not set")
		return 126
	}
	b, err := os.ReadFile(scPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "faketool: %v\n", err)
		return 126
	}
	var sc scenario
	if err := json.Unmarshal(b, &sc); err != nil {
		fmt.Fprintf(os.Stderr, "faketool: %v\n", err)
		return 126
	}
	argv := append([]string{tool}, args...)
	state := filepath.Join(filepath.Dir(scPath), "state")
	line, _ := json.Marshal(argv)
	appendLine(filepath.Join(state, "calls.log"), string(line))
	idx := -1
	for i, c := range sc.Commands {
		if match(c.Argv, argv) {
			idx = i
			break
		}
	}
	if idx < 0 {
		appendLine(filepath.Join(state, "unexpected.log"), string(line))
		fmt.Fprintf(os.Stderr, "faketool: unexpected command %q\n", argv)
		return 127
	}
	// The call number of this command: one byte appended per call.
	f, err := os.OpenFile(filepath.Join(state, fmt.Sprintf("cmd-%d.count", idx)), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fmt.Fprintf(os.Stderr, "faketool: %v\n", err)
		return 126
	}
	_, _ = f.Write([]byte{'x'})
	fi, err := f.Stat()
	f.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "faketool: %v\n", err)
		return 126
	}
	c := sc.Commands[idx]
	if len(c.Responses) == 0 {
		fmt.Fprintf(os.Stderr, "faketool: no response for %q\n", argv)
		return 126
	}
	n := min(int(fi.Size())-1, len(c.Responses)-1)
	r := c.Responses[n]
	for p, content := range r.SetFiles {
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "faketool: %v\n", err)
			return 126
		}
	}
	if r.WriteArg != "" {
		for i, a := range args {
			if a == r.WriteArg && i+1 < len(args) {
				data, err := os.ReadFile(r.WriteFrom)
				if err == nil {
					err = os.WriteFile(args[i+1], data, 0o644)
				}
				if err != nil {
					fmt.Fprintf(os.Stderr, "faketool: %v\n", err)
					return 126
				}
			}
		}
	}
	for _, o := range []struct {
		file, text string
		w          *os.File
	}{{r.Stdout, r.StdoutText, os.Stdout}, {r.Stderr, r.StderrText, os.Stderr}} {
		if o.file != "" {
			data, err := os.ReadFile(o.file)
			if err != nil {
				fmt.Fprintf(os.Stderr, "faketool: %v\n", err)
				return 126
			}
			_, _ = o.w.Write(data)
		}
		_, _ = o.w.WriteString(o.text)
	}
	if r.Hang {
		time.Sleep(10 * time.Minute) // until the runner kills the process group
	}
	time.Sleep(time.Duration(r.SleepMS) * time.Millisecond)
	return r.Exit
}

// match compares argv exactly; a pattern element "glob:P" matches with path.Match.
func match(pattern, argv []string) bool {
	if len(pattern) != len(argv) {
		return false
	}
	for i, p := range pattern {
		if g, ok := strings.CutPrefix(p, "glob:"); ok {
			if m, _ := path.Match(g, argv[i]); !m {
				return false
			}
		} else if p != argv[i] {
			return false
		}
	}
	return true
}

func appendLine(p, line string) {
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.WriteString(line + "\n")
}
