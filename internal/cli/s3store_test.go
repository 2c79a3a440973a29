package cli

// A real S3 store for the s3:// tests of bee report: versitygw (Apache-2.0), an S3
// gateway over a plain folder, on 127.0.0.1, as internal/results' tests start it. Its
// binary is $BEE_VERSITYGW (bash .ci/run installs it) or versitygw on PATH; without it the
// tests skip, except with BEE_REQUIRE_S3=1 (CI), where they fail. (A test file: only
// internal/host may run commands in bee itself.)

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The test store's credentials and bucket.
const (
	s3Access = "bee-test-access"
	s3Secret = "bee-test-secret-do-not-print"
	s3Bucket = "bee-results"
)

// s3Store is a running versitygw.
type s3Store struct {
	Endpoint string // http://127.0.0.1:port
	Dir      string // the folder it serves
	cmd      *exec.Cmd
}

// startS3 runs versitygw on a free port with the bucket s3Bucket created; it is
// stopped when the test ends.
func startS3(t testing.TB) *s3Store {
	t.Helper()
	bin := os.Getenv("BEE_VERSITYGW")
	if bin == "" {
		bin, _ = exec.LookPath("versitygw")
	}
	if bin == "" {
		if os.Getenv("BEE_REQUIRE_S3") == "1" {
			t.Fatal("BEE_REQUIRE_S3=1 but no versitygw: set BEE_VERSITYGW (bash .ci/run installs it)")
		}
		t.Skip("no versitygw (set BEE_VERSITYGW, see .ci/run)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &s3Store{Endpoint: "http://" + addr, Dir: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	cmd := exec.CommandContext(ctx, bin, "--access", s3Access, "--secret", s3Secret, "--port", addr, "posix", s.Dir)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	s.cmd = cmd
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done); cancel() }()
	t.Cleanup(func() { s.Stop(); <-done })
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-done:
			t.Fatalf("versitygw exited: %s", log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw not listening on %s after 20 s: %s", addr, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cctx, ccancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer ccancel()
	if _, err := s.Client().CreateBucket(cctx, &s3.CreateBucketInput{Bucket: aws.String(s3Bucket)}); err != nil && !strings.Contains(err.Error(), "BucketAlreadyOwnedByYou") {
		t.Fatalf("create bucket: %v", err)
	}
	return s
}

// Stop kills the store (a test of a store that went down).
func (s *s3Store) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
	}
}

// Client is an S3 client with the store's credentials, for setting up a test.
func (s *s3Store) Client() *s3.Client {
	return s3.New(s3.Options{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: s3Access, SecretAccessKey: s3Secret}, nil
		}),
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
	})
}
