package cli

// A real S3 store for the s3:// tests of bee report: internal/testtools/s3server
// (versitygw on 127.0.0.1, as internal/results' tests start it); without versitygw the
// tests skip, except with BEE_REQUIRE_S3=1 (CI), where they fail.

import (
	"testing"

	"github.com/beeaudit/bee/internal/testtools/s3server"
)

// The test store's credentials and bucket.
const (
	s3Access = s3server.Access
	s3Secret = s3server.Secret
	s3Bucket = s3server.Bucket
)

// s3Store is a running versitygw (internal/testtools/s3server) and its endpoint.
type s3Store struct {
	*s3server.Server
	Endpoint string // http://127.0.0.1:port
}

// startS3 runs versitygw on a free port with the bucket s3Bucket created; it is
// stopped when the test ends.
func startS3(t testing.TB) *s3Store {
	t.Helper()
	s := s3server.Start(t)
	return &s3Store{Server: s, Endpoint: s.URL()}
}
