package results

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// S3Store uploads to an S3-compatible store with aws-sdk-go-v2. The SDK's own retries
// are off: the spool retries, with its own backoff, forever.
type S3Store struct {
	cfg    Config
	client *s3.Client
}

// NewS3Store makes a client for cfg. Every connection has timeouts: dialing, the TLS
// handshake and the wait for response headers; Put adds a deadline per object.
func NewS3Store(cfg Config) *S3Store {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		IdleConnTimeout:       60 * time.Second,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
	}
	if cfg.CAPEM != "" {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		pool.AppendCertsFromPEM([]byte(cfg.CAPEM)) // checked by LoadConfig
		tr.TLSClientConfig.RootCAs = pool
	}
	var creds aws.CredentialsProvider = aws.AnonymousCredentials{}
	if cfg.AccessKey != "" {
		ak, sk := cfg.AccessKey, cfg.SecretKey
		creds = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk, Source: "bee upload config"}, nil
		})
	}
	opts := s3.Options{
		Region:                     cfg.Region,
		Credentials:                creds,
		HTTPClient:                 &http.Client{Transport: tr},
		Retryer:                    aws.NopRetryer{},
		UsePathStyle:               cfg.Endpoint != "", // most S3-compatible stores want path style
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	return &S3Store{cfg: cfg, client: s3.New(opts)}
}

// ObjectName is the full object key of an item: <prefix>/<serial>/<UTC time>/<file>.
func (st *S3Store) ObjectName(it Item) string {
	if st.cfg.Prefix == "" {
		return it.Key
	}
	return path.Join(st.cfg.Prefix, it.Key)
}

// Put sends the object in one PUT with its SHA-256 (x-amz-checksum-sha256) and MD5
// (Content-MD5); the store rejects it when either does not match what it received. A
// single PUT is atomic: a connection cut half way leaves no object behind.
func (st *S3Store) Put(ctx context.Context, it Item, body *os.File) (string, error) {
	sha, err := hex.DecodeString(it.SHA256)
	if err != nil {
		return "", fmt.Errorf("spooled item %s: bad sha256", it.ID)
	}
	md, err := hex.DecodeString(it.MD5)
	if err != nil {
		return "", fmt.Errorf("spooled item %s: bad md5", it.ID)
	}
	meta := map[string]string{}
	for k, v := range it.Metadata {
		if v != "" {
			meta[k] = asciiOnly(v)
		}
	}
	key := st.ObjectName(it)
	ct := "application/gzip"
	if strings.HasSuffix(it.Name, ".json") {
		ct = "application/json"
	}
	out, err := st.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:         aws.String(st.cfg.Bucket),
		Key:            aws.String(key),
		Body:           body,
		ContentLength:  aws.Int64(it.Size),
		ContentType:    aws.String(ct),
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sha)),
		ContentMD5:     aws.String(base64.StdEncoding.EncodeToString(md)),
		Metadata:       meta,
	})
	if err != nil {
		return "", st.explain(err)
	}
	if out.ChecksumSHA256 != nil && *out.ChecksumSHA256 != base64.StdEncoding.EncodeToString(sha) {
		return "", fmt.Errorf("store %s answered with SHA-256 %s for %s, not the one sent", st.cfg.Target(), *out.ChecksumSHA256, key)
	}
	return st.cfg.Bucket + "/" + key, nil
}

// Head reports whether the object of it exists, with its metadata (tests, status).
func (st *S3Store) Head(ctx context.Context, it Item) (map[string]string, bool, error) {
	out, err := st.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(st.cfg.Bucket), Key: aws.String(st.ObjectName(it))})
	if err != nil {
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound {
			return nil, false, nil
		}
		return nil, false, st.explain(err)
	}
	return out.Metadata, true, nil
}

// explain turns the SDK's error into one line that says what to do. It never contains
// the credentials (the SDK's errors do not carry them).
func (st *S3Store) explain(err error) error {
	target := st.cfg.Target()
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken":
			return fmt.Errorf("store %s refused the credentials (%s): check access_key and secret_key in %s", target, ae.ErrorCode(), st.cfg.configFile())
		case "NoSuchBucket":
			return fmt.Errorf("store %s: bucket %q does not exist", target, st.cfg.Bucket)
		case "BadDigest", "InvalidDigest", "XAmzContentChecksumMismatch", "XAmzContentSHA256Mismatch":
			return fmt.Errorf("store %s rejected the upload: checksum mismatch (%s), the data was damaged on the way", target, ae.ErrorCode())
		}
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) {
			return fmt.Errorf("store %s answered HTTP %d %s: %s", target, re.HTTPStatusCode(), ae.ErrorCode(), oneLine(ae.ErrorMessage()))
		}
		return fmt.Errorf("store %s: %s: %s", target, ae.ErrorCode(), oneLine(ae.ErrorMessage()))
	}
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var cv *tls.CertificateVerificationError
	switch {
	case errors.As(err, &ua), errors.As(err, &hn), errors.As(err, &cv):
		return fmt.Errorf("store %s: its TLS certificate is not trusted (%v); an in-house CA goes in ca_pem in %s", target, err2msg(err), st.cfg.configFile())
	}
	var ne net.Error
	var oe *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &oe) && oe.Op == "dial":
		return fmt.Errorf("store %s not reachable (no network yet, or the store is down): %v", target, oe.Err)
	case errors.As(err, &dnsErr):
		return fmt.Errorf("store %s not reachable (name not resolved: no network or DNS yet?): %v", target, dnsErr)
	case errors.As(err, &oe):
		return fmt.Errorf("store %s: connection lost during the %s (%v); the object is not stored", target, oe.Op, oe.Err)
	case errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("store %s: timed out", target)
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != 0 {
		return fmt.Errorf("store %s answered HTTP %d", target, re.HTTPStatusCode())
	}
	return fmt.Errorf("store %s: %s", target, oneLine(lastPart(err.Error())))
}

// err2msg is the innermost useful part of a TLS error.
func err2msg(err error) string {
	var cv *tls.CertificateVerificationError
	if errors.As(err, &cv) {
		return cv.Err.Error()
	}
	return lastPart(err.Error())
}

// lastPart drops the SDK's "operation error S3: PutObject, https response error …"
// preamble, which says nothing to the engineer at the console.
func lastPart(s string) string {
	if i := strings.LastIndex(s, ", "); i >= 0 && strings.HasPrefix(s, "operation error") {
		return s[i+2:]
	}
	return s
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// asciiOnly keeps metadata values within what S3 headers carry.
func asciiOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String()
}
