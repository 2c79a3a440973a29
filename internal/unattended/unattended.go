// Package unattended is the run a netbooted (or any) bee machine does on its own after
// the boot audit, as the kernel command line asks (docs/netboot.md):
//
//	bee.sat=memory,storage,nvidia   acceptance tests, one after the other, in this order
//	bee.done=poweroff|reboot|stay   what to do once every result is safe
//
// Each sat archive lands in /var/log/bee-sat, where the upload daemon (bee-upload,
// internal/results) spools and uploads it as it completes. The done action is taken
// only when the spool confirms every result uploaded; with no store configured, only
// once the results are written on this machine, and the console says so. A bad value
// of either setting is reported on the console and nothing is run.
package unattended

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/results"
)

// SATKinds are the acceptance tests bee.sat= may name (bee sat's subcommands).
var SATKinds = []string{"memory", "storage", "nvidia"}

// Done actions.
const (
	DoneStay     = "stay"
	DonePoweroff = "poweroff"
	DoneReboot   = "reboot"
)

// Plan is what the kernel command line asks for.
type Plan struct {
	Profile string   // bee.profile= (bee audit and bee sat read it themselves; shown only)
	SAT     []string // bee.sat=, in order
	Done    string   // bee.done= ("" = not given: stay)
}

// Empty reports whether the command line asks for nothing unattended.
func (p Plan) Empty() bool { return len(p.SAT) == 0 && (p.Done == "" || p.Done == DoneStay) }

// ParseCmdline reads the plan from a kernel command line. Any bad value is an error
// naming it: the run does nothing then.
func ParseCmdline(cmdline string) (Plan, error) {
	var p Plan
	var errs []string
	seen := map[string]bool{}
	for _, f := range strings.Fields(cmdline) {
		k, v, _ := strings.Cut(f, "=")
		if seen[k] && (k == "bee.sat" || k == "bee.done") {
			errs = append(errs, fmt.Sprintf("%s= given twice", k))
		}
		seen[k] = true
		switch k {
		case "bee.profile":
			p.Profile = v
		case "bee.sat":
			kinds, err := parseSAT(v)
			if err != nil {
				errs = append(errs, err.Error())
			}
			p.SAT = kinds
		case "bee.done":
			switch v {
			case DoneStay, DonePoweroff, DoneReboot:
				p.Done = v
			default:
				errs = append(errs, fmt.Sprintf("bee.done=%s: not one of poweroff, reboot, stay", clip(v)))
			}
		}
	}
	if len(errs) > 0 {
		return Plan{}, errors.New(strings.Join(errs, "; "))
	}
	return p, nil
}

func parseSAT(v string) ([]string, error) {
	if v == "" {
		return nil, fmt.Errorf("bee.sat= is empty: name the tests (%s)", strings.Join(SATKinds, ","))
	}
	var out []string
	seen := map[string]bool{}
	for _, k := range strings.Split(v, ",") {
		ok := false
		for _, s := range SATKinds {
			ok = ok || k == s
		}
		switch {
		case !ok:
			return nil, fmt.Errorf("bee.sat=%s: %q is not one of %s", clip(v), clip(k), strings.Join(SATKinds, ", "))
		case seen[k]:
			return nil, fmt.Errorf("bee.sat=%s: %s named twice", clip(v), k)
		}
		seen[k] = true
		out = append(out, k)
	}
	return out, nil
}

// clip keeps what the command line said printable and short on the console.
func clip(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 64 {
			b.WriteString("…")
			break
		}
		if r < 0x20 || r == 0x7f {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Config is the machine the run works on; everything outside the process goes
// through Runner (bee sat, sync, systemctl) or FS (/proc/cmdline).
type Config struct {
	Runner  host.Runner
	FS      host.FS // /proc/cmdline is read through it
	Bee     string  // the bee binary that runs the sats
	Console io.Writer

	// UploadConfigured: a store is named (results.LoadConfig); then the done action
	// waits for the spool to confirm every result.
	UploadConfigured bool
	Spool            *results.Spool
	AuditFile        string // the results to account for (results.Sources)
	SatDir           string

	SATTimeout time.Duration // each bee sat run (0: 6 h)
	Poll       time.Duration // between looks at the spool (0: 10 s)
	// Sleep waits d (tests: drive the upload daemon instead). nil: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Outcome is what the run did.
type Outcome struct {
	Plan   Plan
	Failed []string // sat kinds whose bee sat failed (exit status other than 0 and 3) or did not run
	Warned []string // sat kinds whose bee sat ended in a warning (exit status 3)
	Action string   // the done action taken ("" none)
}

// satExitWarning is bee sat's exit status for a warning verdict (sat.ExitWarning; not
// imported, to keep this package off the sat code).
const satExitWarning = 3

// ErrBadCmdline marks a run refused for a bad bee.sat= or bee.done=.
var ErrBadCmdline = errors.New("bad unattended settings on the kernel command line")

// Run reads the plan, runs the sats in order, waits for the results to be safe and
// takes the done action. It returns only when the action was asked of systemd, when
// the plan is done without one, or when ctx ends (a wait for uploads never times out:
// results are never left behind).
func Run(ctx context.Context, c Config) (Outcome, error) {
	say := func(format string, a ...any) { fmt.Fprintf(c.Console, "bee unattended: "+format+"\n", a...) }
	raw, err := c.FS.ReadFile("/proc/cmdline")
	if err != nil {
		say("cannot read the kernel command line: %v; nothing run", err)
		return Outcome{}, err
	}
	plan, err := ParseCmdline(string(raw))
	if err != nil {
		say("%v — nothing run, no power action (docs/netboot.md)", err)
		return Outcome{}, fmt.Errorf("%w: %v", ErrBadCmdline, err)
	}
	out := Outcome{Plan: plan}
	if plan.Empty() {
		return out, nil
	}
	if plan.Profile != "" {
		say("profile %s (bee.profile=)", clip(plan.Profile))
	}
	timeout := c.SATTimeout
	if timeout <= 0 {
		timeout = 6 * time.Hour
	}
	for i, kind := range plan.SAT {
		say("acceptance test %d of %d: bee sat %s", i+1, len(plan.SAT), kind)
		res := c.Runner.Run(ctx, host.Cmd{Argv: []string{c.Bee, "sat", kind}, Timeout: timeout, Stream: c.Console})
		if ctx.Err() != nil {
			say("stopped during bee sat %s; no power action", kind)
			return out, ctx.Err()
		}
		if res.Err == nil && res.ExitCode == satExitWarning {
			// A warning is a finished test whose archive says what to look at (in a VM:
			// no EDAC counters), not a failure.
			out.Warned = append(out.Warned, kind)
			say("bee sat %s: done, verdict WARNING (exit status %d; its archive says why)", kind, res.ExitCode)
			continue
		}
		if !res.OK() {
			out.Failed = append(out.Failed, kind)
			say("bee sat %s: %s — going on with the next", kind, res.Describe())
			continue
		}
		say("bee sat %s: done", kind)
	}
	if len(plan.SAT) > 0 {
		if len(out.Failed) > 0 {
			say("acceptance tests done; FAILED or not run: %s (their archives, when written, say why)", strings.Join(out.Failed, ", "))
		} else {
			say("acceptance tests done: %s", strings.Join(plan.SAT, ", "))
		}
		if len(out.Warned) > 0 {
			say("acceptance tests with a WARNING: %s (their archives say why)", strings.Join(out.Warned, ", "))
		}
	}
	if plan.Done == "" || plan.Done == DoneStay {
		say("bee.done=%s: staying on", orStay(plan.Done))
		return out, nil
	}
	if err := c.waitSafe(ctx, say); err != nil {
		say("stopped while waiting for results; no power action")
		return out, err
	}
	if r := c.Runner.Run(ctx, host.Cmd{Argv: []string{"sync"}, Timeout: 2 * time.Minute}); !r.OK() {
		say("sync: %s — no power action", r.Describe())
		return out, fmt.Errorf("sync: %s", r.Describe())
	}
	say("bee.done=%s: every result is safe; systemctl %s", plan.Done, plan.Done)
	r := c.Runner.Run(ctx, host.Cmd{Argv: []string{"systemctl", plan.Done}, Timeout: time.Minute})
	if !r.OK() {
		say("systemctl %s: %s", plan.Done, r.Describe())
		return out, fmt.Errorf("systemctl %s: %s", plan.Done, r.Describe())
	}
	out.Action = plan.Done
	return out, nil
}

func orStay(s string) string {
	if s == "" {
		return DoneStay + " (not given)"
	}
	return s
}

// waitSafe returns once every result is confirmed by the store (a store configured)
// or written here (none), saying on the console what it waits for when that changes.
func (c Config) waitSafe(ctx context.Context, say func(string, ...any)) error {
	poll := c.Poll
	if poll <= 0 {
		poll = 10 * time.Second
	}
	sleep := c.Sleep
	if sleep == nil {
		sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	if !c.UploadConfigured {
		srcs, err := results.Sources(c.AuditFile, c.SatDir)
		if err != nil {
			return err
		}
		if len(srcs) == 0 {
			say("no upload configured and no result written (%s, %s): staying on", c.AuditFile, c.SatDir)
			<-ctx.Done()
			return ctx.Err()
		}
		say("no upload configured: the results are written on this machine only:")
		for _, s := range srcs {
			say("  %s", s.Path)
		}
		say("they are LOST at power off on a live system unless copied (bee upload --usb)")
		return nil
	}
	last := ""
	for {
		waiting, err := c.unconfirmed()
		msg := ""
		switch {
		case err != nil:
			msg = "spool: " + err.Error()
		case len(waiting) > 0:
			msg = fmt.Sprintf("waiting for the store to confirm %d result(s): %s (bee upload --status)", len(waiting), strings.Join(waiting, ", "))
		}
		if msg == "" {
			say("every result is confirmed by the store")
			return nil
		}
		if msg != last {
			say("%s", msg)
			last = msg
		}
		if err := sleep(ctx, poll); err != nil {
			return err
		}
	}
}

// unconfirmed lists the results (audit, sat archives) that the spool has not confirmed
// uploaded in their present content, plus anything still pending or damaged there.
func (c Config) unconfirmed() ([]string, error) {
	srcs, err := results.Sources(c.AuditFile, c.SatDir)
	if err != nil {
		return nil, err
	}
	done, err := c.Spool.Done()
	if err != nil {
		return nil, err
	}
	pending, err := c.Spool.Pending()
	if err != nil {
		return nil, err
	}
	damaged, err := c.Spool.Damaged()
	if err != nil {
		return nil, err
	}
	confirmed := map[string]bool{}
	for _, it := range done {
		confirmed[it.Source+"\x00"+it.SHA256] = true
	}
	var out []string
	for _, s := range srcs {
		sum, err := fileSHA256(s.Path)
		if err != nil {
			return nil, err
		}
		if !confirmed[s.Path+"\x00"+sum] {
			out = append(out, s.Path)
		}
	}
	for _, it := range pending {
		if !contains(out, it.Source) {
			out = append(out, it.Source)
		}
	}
	for _, d := range damaged {
		out = append(out, "damaged spool entry "+d)
	}
	return out, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
