package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/beeaudit/bee/internal/fleet"
	"github.com/beeaudit/bee/internal/results"
)

// copyWithTime copies src to dst with modification time t (bee upload names an
// object by its file's time).
func copyWithTime(t *testing.T, src, dst string, tm time.Time) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(dst, tm, tm); err != nil {
		t.Fatal(err)
	}
}

// upload sends the files through bee upload's spool and store, as the machines
// would: audits filed under their own serial, archives under the serial in
// their manifest.
func upload(t *testing.T, cfg results.Config, files ...string) {
	t.Helper()
	ctx := context.Background()
	sp, err := results.OpenSpool(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, f := range files {
		src := results.Source{Path: f, Kind: "audit"}
		id := results.IdentityFromAudit(ctx, f)
		if strings.HasSuffix(f, ".tar.gz") {
			run, err := fleet.ReadSatArchive(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			src.Kind, id = "sat", results.Identity{Serial: results.SafeSerial(run.Serial)}
		}
		if _, err := sp.Enqueue(src, id, now); err != nil {
			t.Fatal(err)
		}
	}
	r, err := sp.Drain(ctx, results.NewS3Store(cfg), time.Now, 0)
	if err != nil || r.Failed != 0 || r.Uploaded != len(files) {
		st, _ := sp.State()
		t.Fatalf("upload: %+v %v %s", r, err, st.LastError)
	}
}

func writeUploadConfig(t *testing.T, endpoint, secret string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "upload.yaml")
	y := "url: s3://elsewhere/other\nendpoint: " + endpoint + "\naccess_key: " + s3Access + "\nsecret_key: " + secret + "\n"
	if err := os.WriteFile(p, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// bee report s3://bucket/prefix reads what bee upload stored: the same table as
// the folder of the same files; only the newest objects of each serial are
// read, every one with --all; a damaged object is listed, not fatal.
func TestReportFromS3(t *testing.T) {
	store := startS3(t)
	cfg := results.Config{Endpoint: store.Endpoint, Region: "us-east-1", Bucket: s3Bucket, Prefix: "fleet/dc1",
		AccessKey: s3Access, SecretKey: s3Secret}
	local := t.TempDir()
	base := time.Date(2026, 12, 6, 14, 30, 0, 0, time.UTC)
	var files []string
	for i, f := range []string{
		filepath.Join(sampleAudits, "dell-r640-no-bmc-no-gpu.json"),
		filepath.Join(sampleAudits, "gpu-server-failing.json"),
		filepath.Join(sampleAudits, "qemu-vm.json"),
		filepath.Join(sampleSat, "storage-2RJF153-20261206T172034Z.tar.gz"),
		filepath.Join(sampleSat, "storage-S309085X0B18791-20261206T172024Z.tar.gz"),
	} {
		// Each machine has its own folder: the audits share a name on every machine.
		dst := filepath.Join(local, filepath.Base(f)+".d", filepath.Base(f))
		os.Mkdir(filepath.Dir(dst), 0o755)
		copyWithTime(t, f, dst, base.Add(time.Duration(i)*time.Minute))
		files = append(files, dst)
	}
	upload(t, cfg, files...)
	conf := writeUploadConfig(t, store.Endpoint, s3Secret)

	want, stderr, code := runReport(local)
	if code != 0 {
		t.Fatalf("folder: exit %d %s", code, stderr)
	}
	got, stderr, code := runReport("s3://"+s3Bucket+"/fleet/dc1/", "--upload-config", conf)
	if code != 0 || got != want {
		t.Fatalf("s3: exit %d %s\ngot:\n%s\nwant (the folder):\n%s", code, stderr, got, want)
	}
	if stderr != "" {
		t.Errorf("stderr: %q", stderr)
	}
	// A config file others can read holds credentials: a warning, the report still made.
	os.Chmod(conf, 0o644)
	got, stderr, code = runReport("s3://"+s3Bucket+"/fleet/dc1/", "--upload-config", conf)
	if code != 0 || got != want || !strings.Contains(stderr, "bee report: warning: "+conf+" is readable by others") {
		t.Errorf("mode 644: exit %d %q", code, stderr)
	}
	os.Chmod(conf, 0o600)
	if !strings.Contains(got, "3 servers (3 audits, 2 acceptance-test archives read") {
		t.Errorf("table:\n%s", got)
	}
	// The CSV names each object by its s3:// address.
	csv, _, _ := runReport("s3://"+s3Bucket+"/fleet", "--upload-config", conf, "--csv", "-")
	if !strings.Contains(csv, "s3://"+s3Bucket+"/fleet/dc1/S309085X0B18791/20261206T143100Z/gpu-server-failing.json") {
		t.Errorf("csv lacks the object's address:\n%s", csv)
	}

	// An older audit of one serial is not read (nor shown) without --all; a
	// damaged archive and a file that is neither are listed under Not read;
	// bee's partial files and other names are skipped.
	old := filepath.Join(t.TempDir(), "gpu-server-failing.json")
	copyWithTime(t, files[1], old, base.Add(-24*time.Hour))
	upload(t, cfg, old)
	cl := store.Client()
	for key, body := range map[string]string{
		"fleet/dc1/S309085X0B18791/20261206T180000Z/memory-S309085X0B18791-20261206T175000Z.tar.gz": "not gzip",
		"fleet/dc1/S309085X0B18791/20261206T180000Z/.partial-memory-x.tar.gz":                       "half",
		"fleet/dc1/S309085X0B18791/20261206T180000Z/notes.txt":                                      "hello",
		"fleet/dc1/loose/notes.json":                                                                "{}",
		"other/2RJF153/20261206T180000Z/bee-audit.json":                                             "outside the prefix",
	} {
		if _, err := cl.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(s3Bucket), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	got, stderr, code = runReport("s3://"+s3Bucket+"/fleet/dc1", "--upload-config", conf)
	if code != 0 || !strings.Contains(got, "3 servers (3 audits, 2 acceptance-test archives read") ||
		!strings.Contains(got, "Not read (2)") || !strings.Contains(got, "memory-S309085X0B18791-20261206T175000Z.tar.gz") ||
		!strings.Contains(got, "s3://bee-results/fleet/dc1/loose/notes.json") || strings.Contains(got, "outside") || strings.Contains(got, "partial") {
		t.Errorf("exit %d %s\n%s", code, stderr, got)
	}
	got, _, code = runReport("--all", "s3://"+s3Bucket+"/fleet/dc1", "--upload-config", conf)
	if code != 0 || !strings.Contains(got, "4 servers (4 audits, 2 acceptance-test archives read; every audit)") {
		t.Errorf("--all: exit %d\n%s", code, got)
	}
}

// A store that is down, refuses the credentials or lacks the bucket: exit 1
// with a message that says which, and never the secret.
func TestReportFromS3Errors(t *testing.T) {
	store := startS3(t)
	good := writeUploadConfig(t, store.Endpoint, s3Secret)
	wrong := writeUploadConfig(t, store.Endpoint, "wrong-secret-do-not-print")
	src := "s3://" + s3Bucket + "/fleet"
	for _, c := range []struct {
		name string
		args []string
		want string
		code int
	}{
		{"wrong credentials", []string{src, "--upload-config", wrong}, "refused the credentials (SignatureDoesNotMatch): check access_key and secret_key in " + wrong, 1},
		{"no such bucket", []string{"s3://no-such-bucket/fleet", "--upload-config", good}, `bucket "no-such-bucket" does not exist`, 1},
		{"no config", []string{src, "--upload-config", filepath.Join(t.TempDir(), "none.yaml")}, "no upload config", 1},
		{"not a URL", []string{"s3:///fleet", "--upload-config", good}, "is not s3://bucket/prefix", 2},
		{"empty prefix", []string{src, "--upload-config", good}, "no audit or bee sat archive found", 1},
	} {
		stdout, stderr, code := runReport(c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) || strings.Contains(stdout+stderr, "do-not-print") {
			t.Errorf("%s: exit %d, stderr %q, want %d and %q", c.name, code, stderr, c.code, c.want)
		}
	}
	store.Stop()
	time.Sleep(100 * time.Millisecond)
	_, stderr, code := runReport(src, "--upload-config", good)
	if code != 1 || !strings.Contains(stderr, "not reachable") || strings.Contains(stderr, "do-not-print") {
		t.Errorf("store down: exit %d %q", code, stderr)
	}
}
