package tui

import (
	"bufio"
	"bytes"
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/termsafe"
	tea "github.com/charmbracelet/bubbletea"
)

// Results leave the machine (docs/results.md): the menu's "Export results"
// entry runs `bee upload --usb`, which copies every result to the USB stick
// labelled BEE-RESULTS, then syncs and unmounts it; the home screen shows
// what `bee upload --status` says of the uploads waiting for the object store.

const (
	// exportTimeout bounds a copy to the stick: every audit and acceptance-test
	// archive, on a slow stick.
	exportTimeout = 15 * time.Minute
	// uploadStatusTimeout bounds the quick `bee upload --status` the menu repeats.
	uploadStatusTimeout = 5 * time.Second
)

// exportDoneMsg is the outcome of `bee upload --usb`, one line.
type exportDoneMsg struct{ text string }

// exportCommand is the argv of the USB export: the audit the menu shows.
func (m *Model) exportCommand() []string {
	return []string{m.opt.Bee, "upload", "--usb", "--audit", m.opt.AuditPath}
}

// startExport runs the USB export in the background; the home screen says it
// runs, then its outcome.
func (m *Model) startExport() tea.Cmd {
	if m.exporting {
		m.status = "Export results: still copying to the USB stick ..."
		return nil
	}
	m.exporting = true
	m.status = "Export results: copying to the USB stick labelled BEE-RESULTS ..."
	r, ctx, argv := m.opt.Runner, m.ctx, m.exportCommand()
	return func() tea.Msg {
		return exportDoneMsg{exportOutcome(r.Run(ctx, host.Cmd{Argv: argv, Timeout: exportTimeout}))}
	}
}

// exportOutcome is what the menu says of a USB export: bee upload's own last
// line ("results copied to USB: 3 files, safe to remove", or on failure the
// error: "no stick labelled BEE-RESULTS ..."), escaped; the runner's words
// when bee said nothing.
func exportOutcome(res host.Result) string {
	if res.OK() {
		if l := uploadMessage(res.Stdout); l != "" {
			return l
		}
		return "Export results: done"
	}
	if l := uploadMessage(res.Stderr); l != "" && res.Err == nil {
		return "Export results: FAILED: " + l
	}
	return "Export results: FAILED: " + termsafe.Line(res.Describe())
}

// uploadMessage is the last non-blank line bee upload wrote, without its
// "bee upload: " prefix, escaped (it quotes the stick's and the store's words).
func uploadMessage(out []byte) string {
	last := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			last = l
		}
	}
	return termsafe.Line(strings.TrimPrefix(last, "bee upload: "))
}

// Lines of `bee upload --status` (internal/results.WriteStatus) the menu reads.
var (
	spoolLineRe     = regexp.MustCompile(`^spool .*: (\d+) pending, (\d+) uploaded$`)
	lastErrorLineRe = regexp.MustCompile(`^last error:\s+\S+\s+(.*)$`)
)

// uploadsLine is the home screen's one line on the results waiting for the
// object store, from the output of `bee upload --status`: "2 pending, last
// error: store ... not reachable" or "all 5 confirmed by the store"; "" when
// nothing was ever spooled (no store, or nothing written yet) or the output
// is not that of bee upload --status.
func uploadsLine(out []byte) string {
	pending, uploaded, lastErr := "", "", ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if m := spoolLineRe.FindStringSubmatch(l); m != nil {
			pending, uploaded = m[1], m[2]
		}
		if m := lastErrorLineRe.FindStringSubmatch(l); m != nil {
			lastErr = m[1]
		}
	}
	switch {
	case pending == "" || (pending == "0" && uploaded == "0"):
		return ""
	case pending == "0":
		return termsafe.Line("all " + uploaded + " confirmed by the store")
	}
	line := pending + " pending"
	if lastErr != "" {
		line += ", last error: " + lastErr
	}
	return termsafe.Line(line)
}

// Uploads runs `bee upload --status` and says in one line what waits for the
// object store; "" when there is nothing to say, or bee cannot tell.
func (s HostSystem) Uploads(ctx context.Context) string {
	if s.Bee == "" {
		return ""
	}
	res := s.Runner.Run(ctx, host.Cmd{Argv: []string{s.Bee, "upload", "--status"}, Timeout: uploadStatusTimeout})
	if !res.OK() {
		return ""
	}
	return uploadsLine(res.Stdout)
}

// uploadsMsg carries the uploads line.
type uploadsMsg struct{ line string }

func (m *Model) refreshUploads() tea.Cmd {
	if m.uploadsBusy {
		return nil
	}
	m.uploadsBusy = true
	sys, ctx := m.opt.System, m.ctx
	return func() tea.Msg { return uploadsMsg{sys.Uploads(ctx)} }
}
