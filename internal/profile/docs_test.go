package profile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The worked examples of docs/profiles.md are valid profiles, and the first is
// exactly what bee profile new writes for its machine today.
func TestDocsExamples(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "profiles.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(b), "```yaml\n")[1:]
	if len(blocks) != 2 {
		t.Fatalf("%d yaml examples in docs/profiles.md, want 2", len(blocks))
	}
	for i, blk := range blocks {
		y, _, _ := strings.Cut(blk, "```")
		if _, err := Parse("docs/profiles.md example", []byte(y)); err != nil {
			t.Errorf("example %d: %v", i+1, err)
		}
		if i == 0 {
			a := sample(t, "gpu-server-failing")
			a.BeeVersion = "dev"
			want, err := Generate(a, "smc-4029gp-4xk80", "internal/audit/testdata/audits/gpu-server-failing.json")
			if err != nil {
				t.Fatal(err)
			}
			if y != string(want) {
				t.Errorf("example 1 is not what bee profile new writes now; update docs/profiles.md with:\n%s", want)
			}
		}
	}
}
