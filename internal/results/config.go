// Package results takes bee's results (the audit JSON and the sat archives) off the
// machine: to an S3-compatible object store through a local spool that keeps every
// result until the store has confirmed it (docs/results.md). The USB stick copy lives in
// internal/usbstick; both find the results with Sources.
package results

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// DefaultConfigFile is where build.sh --upload-config puts the store's settings (mode 0600).
const DefaultConfigFile = "/etc/bee/upload.yaml"

// DefaultSpoolDir holds results until the store confirms them.
const DefaultSpoolDir = "/var/spool/bee"

// Config says where results are uploaded. Credentials come only from the config file,
// never from the kernel command line; String never prints them.
type Config struct {
	Endpoint  string // https://host:port (empty: AWS S3 itself)
	Region    string
	Bucket    string
	Prefix    string // no leading or trailing slash
	AccessKey string
	SecretKey string
	// CAPEM is extra CA certificates (PEM) trusted for the endpoint besides the system's,
	// for a store behind an in-house CA.
	CAPEM string
	// Sources says where each setting came from, for `bee upload --status`.
	Sources []string
}

// fileConfig is the YAML of /etc/bee/upload.yaml.
type fileConfig struct {
	URL       string `yaml:"url"`      // s3://bucket/prefix
	Endpoint  string `yaml:"endpoint"` // https://s3.example.com:9000
	Region    string `yaml:"region"`
	AccessKey string `yaml:"access_key"`
	SecretKey string `yaml:"secret_key"`
	CAPEM     string `yaml:"ca_pem"` // PEM block(s), a YAML literal block (ca_pem: |)
}

// ErrNotConfigured means neither the config file nor the kernel command line names a store.
var ErrNotConfigured = errors.New("no object store configured (docs/results.md: build.sh --upload-config FILE, or bee.upload=s3://bucket/prefix on the kernel command line)")

// Configured reports whether a store is named.
func (c Config) Configured() bool { return c.Bucket != "" }

// Target is the store and bucket/prefix, without credentials: safe to print.
func (c Config) Target() string {
	t := "s3://" + c.Bucket
	if c.Prefix != "" {
		t += "/" + c.Prefix
	}
	if c.Endpoint != "" {
		t += " at " + c.Endpoint
	}
	return t
}

// String never includes the credentials.
func (c Config) String() string {
	cred := "no credentials"
	if c.AccessKey != "" {
		cred = "credentials from the config file"
	}
	return c.Target() + " (" + cred + ")"
}

// LoadConfig reads the config file (a missing file is no error: the command line may
// name a store without credentials, for a store that takes anonymous writes) and then
// applies bee.upload= and bee.upload.endpoint= from cmdline (the contents of
// /proc/cmdline). It returns ErrNotConfigured when no store is named at all.
func LoadConfig(file string, cmdline string) (Config, []string, error) {
	var c Config
	var warnings []string
	if file != "" {
		b, err := os.ReadFile(file)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return c, nil, fmt.Errorf("upload config: %w", err)
		default:
			if fi, err := os.Stat(file); err == nil && fi.Mode().Perm()&0o077 != 0 {
				warnings = append(warnings, fmt.Sprintf("%s is readable by others (mode %04o): it holds credentials, chmod 600 it", file, fi.Mode().Perm()))
			}
			var fc fileConfig
			dec := yaml.NewDecoder(strings.NewReader(string(b)))
			dec.KnownFields(true)
			if err := dec.Decode(&fc); err != nil && !errors.Is(err, io.EOF) {
				// yaml's messages quote the offending line: never echo a secret.
				return c, nil, fmt.Errorf("upload config %s: not valid (keys: url, endpoint, region, access_key, secret_key, ca_pem): %s", file, redactYAMLError(err))
			}
			if fc.URL != "" {
				if err := c.setURL(fc.URL); err != nil {
					return c, nil, fmt.Errorf("upload config %s: %w", file, err)
				}
			}
			if fc.Endpoint != "" {
				if err := checkEndpoint(fc.Endpoint); err != nil {
					return c, nil, fmt.Errorf("upload config %s: %w", file, err)
				}
				c.Endpoint = strings.TrimRight(fc.Endpoint, "/")
			}
			c.Region, c.AccessKey, c.SecretKey, c.CAPEM = fc.Region, fc.AccessKey, fc.SecretKey, fc.CAPEM
			if c.CAPEM != "" && !x509.NewCertPool().AppendCertsFromPEM([]byte(c.CAPEM)) {
				return c, nil, fmt.Errorf("upload config %s: ca_pem holds no PEM certificate", file)
			}
			if (c.AccessKey == "") != (c.SecretKey == "") {
				return c, nil, fmt.Errorf("upload config %s: access_key and secret_key go together", file)
			}
			c.Sources = append(c.Sources, file)
		}
	}
	for _, f := range strings.Fields(cmdline) {
		k, v, ok := strings.Cut(f, "=")
		if !ok || !strings.HasPrefix(k, "bee.upload") {
			continue
		}
		switch k {
		case "bee.upload":
			if err := c.setURL(v); err != nil {
				return c, nil, fmt.Errorf("kernel command line bee.upload: %w", err)
			}
			c.Sources = append(c.Sources, "kernel command line bee.upload")
		case "bee.upload.endpoint":
			if err := checkEndpoint(v); err != nil {
				return c, nil, fmt.Errorf("kernel command line bee.upload.endpoint: %w", err)
			}
			c.Endpoint = strings.TrimRight(v, "/")
			c.Sources = append(c.Sources, "kernel command line bee.upload.endpoint")
		case "bee.upload.region":
			c.Region = v
		default:
			// bee.upload.secret_key=… and the like: never taken from the command line
			// (it is world-readable in /proc/cmdline and in boot menus).
			warnings = append(warnings, fmt.Sprintf("kernel command line %s= ignored: credentials and other settings come only from %s", k, DefaultConfigFile))
		}
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if !c.Configured() {
		return c, warnings, ErrNotConfigured
	}
	return c, warnings, nil
}

// redactYAMLError keeps yaml's line number but not the text it quotes.
func redactYAMLError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		end := strings.IndexAny(msg[i:], ":")
		if end > 0 {
			return msg[i:i+end] + ": " + typeOfYAMLError(msg)
		}
	}
	return typeOfYAMLError(msg)
}

func typeOfYAMLError(msg string) string {
	switch {
	case strings.Contains(msg, "not found in type"):
		return "unknown key"
	case strings.Contains(msg, "cannot unmarshal"):
		return "wrong type (a mapping of strings is expected)"
	}
	return "syntax error"
}

// setURL takes s3://bucket[/prefix].
func (c *Config) setURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.User != nil || u.RawQuery != "" {
		return fmt.Errorf("%q is not s3://bucket/prefix", s)
	}
	c.Bucket = u.Host
	c.Prefix = strings.Trim(u.Path, "/")
	return nil
}

func checkEndpoint(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return fmt.Errorf("%q is not an http(s)://host[:port] endpoint (credentials never go in the URL)", s)
	}
	return nil
}
