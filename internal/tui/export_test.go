package tui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/testtools/faketool"
)

// What `bee upload` says. Real runs of bee (testdata/PROVENANCE.md,
// testdata/bee-upload/): --status with an upload pending (the store not
// reachable), with every upload confirmed, and with no store configured; --usb
// on a device that is not a BEE-RESULTS stick. The other USB lines are bee's
// own words (internal/usbstick's Report.Message and errors) in its format.
const (
	usbCopied  = "bee upload: results copied to USB: 3 files, safe to remove\n"
	usbNoStick = "bee upload: no USB stick labelled BEE-RESULTS\n"
	usbFull    = "bee upload: the stick /dev/sdb1 is full (2 of 3 files copied): free space on it (or use a larger one) and plug it in again; the results stay on this machine (write /run/bee/results-stick/bee/S1/x.tar.gz: no space left on device)\n"
)

// beeUpload is the path of a real output of bee upload in testdata/bee-upload.
func beeUpload(t *testing.T, name string) string {
	t.Helper()
	return absPath(t, filepath.Join("testdata", "bee-upload", name))
}

func readBeeUpload(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(beeUpload(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pendingLine is the uploads line of status-pending.txt.
const pendingLine = "1 pending, last error: bee-audit.json: store s3://bee-results/fleet/dc1 at http://127.0.0.1:1 not reachable (no network yet, or the store is down): connect: connection refused"

// TestExportResults: e runs `bee upload --usb` on the audit the menu shows,
// through the runner, and the home screen says what came of it: bee's own
// line, or the error that says what to do.
func TestExportResults(t *testing.T) {
	path := fixturePath(t, "dell-r640")
	argv := []string{"bee", "upload", "--usb", "--audit", path}
	for _, c := range []struct {
		name string
		resp faketool.Response
		want string
	}{
		{"copied", faketool.Response{StdoutText: usbCopied}, "results copied to USB: 3 files, safe to remove"},
		{"no-stick", faketool.Response{StderrText: usbNoStick, Exit: 1}, "Export results: FAILED: no USB stick labelled BEE-RESULTS"},
		{"not-a-stick", faketool.Response{Stderr: beeUpload(t, "usb-not-a-stick.stderr"), Exit: 1},
			"Export results: FAILED: /tmp/tui2-cap.iaaB/notastick.img has no filesystem: not a BEE-RESULTS stick, nothing written"},
		{"full", faketool.Response{StdoutText: "bee upload: copying\n", StderrText: usbFull, Exit: 1},
			"Export results: FAILED: the stick /dev/sdb1 is full (2 of 3 files copied): free space on it"},
		{"silent-failure", faketool.Response{Exit: 3}, "Export results: FAILED: " + testBee + " upload --usb"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newFakeRunner(t, faketool.Cmd(argv...).Answer(c.resp))
			tm := startTM(t, testOptions(t, path, r, lanSystem()), size{120, 40})
			waitFor(t, tm, "SSH: up")
			press(tm, "e")
			waitFor(t, tm, c.want)
			_, view := finalView(t, tm)
			checkScreen(t, view, size{120, 40})
			if c.name != "copied" && strings.Contains(view, "safe to remove") {
				t.Errorf("a failed export says the stick is safe to remove:\n%s", view)
			}
			if run := r.run(0); run.timeout < exportTimeout {
				t.Errorf("export timeout %s", run.timeout)
			}
		})
	}
}

// TestExportOnce: a second e while the copy runs starts no second copy.
func TestExportOnce(t *testing.T) {
	path := fixturePath(t, "dell-r640")
	r := newFakeRunner(t, faketool.Cmd("bee", "upload", "--usb", "--audit", path).Answer(faketool.Response{
		WaitCue: "copied", Then: &faketool.Response{StdoutText: usbCopied}}))
	tm := startTM(t, testOptions(t, path, r, lanSystem()), size{80, 24})
	waitFor(t, tm, "SSH: up")
	press(tm, "e")
	waitFor(t, tm, "copying to the USB stick labelled BEE-RESULTS")
	press(tm, "e")
	waitFor(t, tm, "still copying")
	r.fake.Cue("copied")
	waitFor(t, tm, "safe to remove")
	finalView(t, tm)
	if n := len(r.fake.Argvs()); n != 1 {
		t.Errorf("%d copies ran, want 1: %q", n, r.fake.Argvs())
	}
}

// TestUploadsOnHome: the home screen has a line for the uploads waiting for
// the object store, and none when there are none.
func TestUploadsOnHome(t *testing.T) {
	for _, c := range []struct{ uploads, want string }{
		{"2 pending, last error: store not reachable", "UPLOADS 2 pending, last error: store not reachable"},
		{"", ""},
	} {
		sys := lanSystem()
		sys.uploads = c.uploads
		tm := startTM(t, testOptions(t, fixturePath(t, "dell-r640"), newFakeRunner(t), sys), size{80, 24})
		waitFor(t, tm, "SSH: up")
		if c.want != "" {
			waitFor(t, tm, c.want)
		}
		_, view := finalView(t, tm)
		checkScreen(t, view, size{80, 24})
		if c.want == "" && strings.Contains(view, "UPLOADS") {
			t.Errorf("an uploads line with nothing to say:\n%s", view)
		}
	}
}

func TestUploadsLine(t *testing.T) {
	for _, c := range []struct{ name, out, want string }{
		{"pending", readBeeUpload(t, "status-pending.txt"), pendingLine},
		{"done", readBeeUpload(t, "status-done.txt"), "all 1 confirmed by the store"},
		{"not-configured", readBeeUpload(t, "status-not-configured.txt"), ""},
		{"not-bee", "Usage: something else\n", ""},
		{"hostile", "spool /var/spool/bee: 1 pending, 0 uploaded\nlast error:  2026-12-06T15:01:40Z  x\x1b[2J\n", `1 pending, last error: x\x1b[2J`},
	} {
		if got := uploadsLine([]byte(c.out)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestHostSystemUploads: HostSystem asks `bee upload --status` through its
// runner; a bee that cannot tell (an older bee: usage error) gives no line.
func TestHostSystemUploads(t *testing.T) {
	argv := []string{"bee", "upload", "--status"}
	for _, c := range []struct {
		name string
		resp faketool.Response
		want string
	}{
		{"pending", faketool.Response{Stdout: beeUpload(t, "status-pending.txt")}, pendingLine},
		{"older-bee", faketool.Response{StderrText: "bee: unknown command \"upload\"\n", Exit: 2}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newFakeRunner(t, faketool.Cmd(argv...).Answer(c.resp))
			got := HostSystem{Runner: r, Bee: testBee}.Uploads(context.Background())
			if got != c.want {
				t.Errorf("Uploads() = %q, want %q", got, c.want)
			}
			if run := r.run(0); run.timeout <= 0 || run.timeout > uploadStatusTimeout {
				t.Errorf("timeout %s", run.timeout)
			}
		})
	}
	if got := (HostSystem{Runner: newFakeRunner(t)}).Uploads(context.Background()); got != "" {
		t.Errorf("without a bee binary: %q", got)
	}
}

// exportOutcome falls back on the runner's words when bee said nothing.
func TestExportOutcomeRunnerError(t *testing.T) {
	res := host.Result{Argv: []string{testBee, "upload", "--usb"}, ExitCode: -1, Err: host.ErrTimeout, Stderr: []byte("bee upload: copying\n")}
	if got := exportOutcome(res); !strings.HasPrefix(got, "Export results: FAILED: ") || !strings.Contains(got, "timed out") {
		t.Errorf("%q", got)
	}
	if !errors.Is(res.Err, host.ErrTimeout) {
		t.Fatal("test setup")
	}
}
