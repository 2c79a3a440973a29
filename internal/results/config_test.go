package results

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func writeConfig(t *testing.T, body string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "upload.yaml")
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfig(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "upload.yaml")
	file := writeConfig(t, "url: s3://results/fleet/dc1/\nendpoint: https://s3.example.net:9000/\naccess_key: AK\nsecret_key: SK-secret\n", 0o600)
	tests := []struct {
		name, file, cmdline string
		want                Config
		warn                int
		err                 string
	}{
		{name: "file only", file: file, cmdline: "boot=live quiet",
			want: Config{Endpoint: "https://s3.example.net:9000", Region: "us-east-1", Bucket: "results", Prefix: "fleet/dc1", AccessKey: "AK", SecretKey: "SK-secret", Sources: []string{file}}},
		{name: "command line overrides bucket and endpoint, credentials stay from the file", file: file,
			cmdline: "boot=live bee.upload=s3://other/rack7 bee.upload.endpoint=http://10.0.0.5:7070",
			want: Config{Endpoint: "http://10.0.0.5:7070", Region: "us-east-1", Bucket: "other", Prefix: "rack7", AccessKey: "AK", SecretKey: "SK-secret",
				Sources: []string{file, "kernel command line bee.upload", "kernel command line bee.upload.endpoint"}}},
		{name: "credentials on the command line are ignored", file: missing,
			cmdline: "bee.upload=s3://b bee.upload.secret_key=LEAK bee.upload.access_key=AK2",
			want:    Config{Region: "us-east-1", Bucket: "b", Sources: []string{"kernel command line bee.upload"}}, warn: 2},
		{name: "nothing configured", file: missing, cmdline: "quiet", err: "no object store configured"},
		{name: "bad url", file: "", cmdline: "bee.upload=http://b/x", err: "not s3://bucket/prefix"},
		{name: "credentials in the endpoint url", file: "", cmdline: "bee.upload=s3://b bee.upload.endpoint=https://ak:sk@host", err: "credentials never go in the URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warn, err := LoadConfig(tt.file, tt.cmdline)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if len(warn) != tt.warn {
				t.Errorf("warnings %q, want %d", warn, tt.warn)
			}
			for _, w := range warn {
				if strings.Contains(w, "LEAK") {
					t.Errorf("warning echoes the secret: %s", w)
				}
			}
			if s := got.String() + got.Target(); strings.Contains(s, "SK-secret") || strings.Contains(s, "AK") {
				t.Errorf("String() shows credentials: %s", s)
			}
		})
	}
}

func TestConfigFileProblems(t *testing.T) {
	// A readable-by-all file is used but warned about.
	p := writeConfig(t, "url: s3://b\naccess_key: AK\nsecret_key: SK\n", 0o644)
	if _, warn, err := LoadConfig(p, ""); err != nil || len(warn) != 1 || !strings.Contains(warn[0], "chmod 600") {
		t.Errorf("mode 644: warn %q err %v", warn, err)
	}
	// A typo'd key is an error that names the line but never echoes the line's text.
	p = writeConfig(t, "url: s3://b\naccess_key: AK\nsecret: TOP-SECRET-VALUE\n", 0o600)
	_, _, err := LoadConfig(p, "")
	if err == nil || strings.Contains(err.Error(), "TOP-SECRET-VALUE") || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("unknown key: %v", err)
	}
	p = writeConfig(t, "url: s3://b\nsecret_key: [TOP-SECRET-VALUE\n", 0o600)
	if _, _, err = LoadConfig(p, ""); err == nil || strings.Contains(err.Error(), "TOP-SECRET-VALUE") {
		t.Errorf("syntax error: %v", err)
	}
	p = writeConfig(t, "url: s3://b\naccess_key: AK\n", 0o600)
	if _, _, err = LoadConfig(p, ""); err == nil || !strings.Contains(err.Error(), "go together") {
		t.Errorf("half credentials: %v", err)
	}
	p = writeConfig(t, "", 0o600)
	if _, _, err = LoadConfig(p, ""); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("empty file: %v", err)
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	prevMax := time.Duration(0)
	for n := 1; n <= 20; n++ {
		d := Backoff(n)
		base := 2 * time.Second << min(n-1, 8)
		if base > 5*time.Minute {
			base = 5 * time.Minute
		}
		if d < base*8/10 || d > base*12/10 {
			t.Errorf("Backoff(%d) = %s, want %s ±20%%", n, d, base)
		}
		if base*12/10 > prevMax {
			prevMax = base * 12 / 10
		}
	}
	if Backoff(100) > 6*time.Minute {
		t.Error("backoff not capped")
	}
}

func TestSafeSerial(t *testing.T) {
	for in, want := range map[string]string{
		"S309085X0B18791": "S309085X0B18791",
		"../../etc":       "etc",
		"  ":              "unknown-serial",
		"A B/C":           "A_B_C",
	} {
		if got := SafeSerial(in); got != want {
			t.Errorf("SafeSerial(%q) = %q, want %q", in, got, want)
		}
	}
}
