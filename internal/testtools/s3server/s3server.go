// Package s3server runs a real S3 store for tests: versitygw (Apache-2.0), an S3
// gateway over a plain folder, on 127.0.0.1, with one bucket. Its binary is
// $BEE_VERSITYGW (bash .ci/run installs it, .ci/install-versitygw.sh) or versitygw
// on PATH; without it a test skips, except with BEE_REQUIRE_S3=1 (CI), where it
// fails. Used by internal/results' and internal/cli's object-store tests
// (docs/testing.md). versitygw runs through internal/host, like every command.
package s3server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/beeaudit/bee/internal/host"
)

// The store's credentials and its bucket.
const (
	Access = "bee-test-access"
	Secret = "bee-test-secret-do-not-print"
	Bucket = "bee-results"
)

// Server is a versitygw on a port of its own, serving Dir. It is stopped when the
// test ends.
type Server struct {
	Addr string // 127.0.0.1:port
	Dir  string // the folder it serves
	// CertFile and KeyFile, set before Start, make it serve HTTPS; CAPEM is the CA
	// that signed the certificate (Client trusts it).
	CertFile, KeyFile, CAPEM string

	t      testing.TB
	bin    string
	mu     sync.Mutex
	cancel context.CancelFunc // stops the running versitygw
	done   chan struct{}      // closed when it has exited
}

// Binary returns versitygw's path, or skips (fails with BEE_REQUIRE_S3=1) the test.
func Binary(t testing.TB) string {
	t.Helper()
	p := os.Getenv("BEE_VERSITYGW")
	if p == "" {
		p = onPath("versitygw")
	}
	if p == "" {
		if os.Getenv("BEE_REQUIRE_S3") == "1" {
			t.Fatal("BEE_REQUIRE_S3=1 but no versitygw: set BEE_VERSITYGW (bash .ci/run installs it)")
		}
		t.Skip("no versitygw (set BEE_VERSITYGW, see .ci/run)")
	}
	return p
}

// onPath is the first executable file named name in a folder of $PATH, or "".
func onPath(name string) string {
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			continue // never the current folder
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// New prepares a store on a free port and an empty folder; Start runs it. Until
// then the port is closed (a store that is down).
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, bin: Binary(t), Dir: t.TempDir(), Addr: freeAddr(t)}
	t.Cleanup(s.Stop)
	return s
}

// Start is New, then Start.
func Start(t testing.TB) *Server {
	t.Helper()
	s := New(t)
	s.Start()
	return s
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// URL is the store's endpoint: http://Addr, or https:// with a certificate.
func (s *Server) URL() string {
	if s.CertFile != "" {
		return "https://" + s.Addr
	}
	return "http://" + s.Addr
}

// Start runs versitygw (again, after Stop: same port, same folder), waits until it
// listens and creates Bucket.
func (s *Server) Start() {
	t := s.t
	t.Helper()
	args := []string{s.bin, "--access", Access, "--secret", Secret, "--port", s.Addr}
	if s.CertFile != "" {
		args = append(args, "--cert", s.CertFile, "--key", s.KeyFile)
	}
	args = append(args, "posix", s.Dir)
	// host.Exec runs it until it exits, Stop cancels ctx (host kills its process
	// group), or the 5-minute bound of a test passes.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var res host.Result
	go func() {
		res = host.Exec{}.Run(ctx, host.Cmd{Argv: args, Timeout: 5 * time.Minute})
		close(done)
	}()
	s.mu.Lock()
	s.cancel, s.done = cancel, done
	s.mu.Unlock()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-done:
			t.Fatalf("versitygw exited (%s): %s%s", res.Describe(), res.Stdout, res.Stderr)
		default:
		}
		if time.Now().After(deadline) {
			s.Stop()
			t.Fatalf("versitygw not listening on %s after 20 s: %s%s", s.Addr, res.Stdout, res.Stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cctx, ccancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer ccancel()
	if _, err := s.Client().CreateBucket(cctx, &s3.CreateBucketInput{Bucket: aws.String(Bucket)}); err != nil && !strings.Contains(err.Error(), "BucketAlreadyOwnedByYou") {
		t.Fatalf("create bucket: %v", err)
	}
}

// Stop kills the store (a test of a store that went down) and waits until it has
// exited; Start runs it again.
func (s *Server) Stop() {
	s.mu.Lock()
	cancel, done := s.cancel, s.done
	s.cancel, s.done = nil, nil
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// Client is an S3 client with the store's credentials (trusting CAPEM), for
// setting up and checking a test; the code under test uses its own.
func (s *Server) Client() *s3.Client {
	o := s3.Options{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: Access, SecretAccessKey: Secret}, nil
		}),
		BaseEndpoint: aws.String(s.URL()),
		UsePathStyle: true,
	}
	if s.CAPEM != "" {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM([]byte(s.CAPEM))
		o.HTTPClient = &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	}
	return s3.New(o)
}
