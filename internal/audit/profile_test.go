package audit_test

import (
	"testing"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/profile"
)

// The code is repeated in this package; it must stay the profile package's.
func TestProfileUnusableCode(t *testing.T) {
	if audit.CodeProfileUnusable != profile.CodeProfileUnusable {
		t.Fatalf("audit %q != profile %q", audit.CodeProfileUnusable, profile.CodeProfileUnusable)
	}
}

// Constructed findings: only CONFIG_* differences count, not the unusable profile.
func TestProfileMismatches(t *testing.T) {
	s := audit.Summary{Findings: []audit.Finding{
		{Code: "GPU_MISSING"},
		{Code: profile.CodeDIMMMissing},
		{Code: profile.CodeProfileUnusable},
		{Code: profile.CodeNotVerified},
		{Code: "XCONFIG_Y"},
	}}
	if n := s.ProfileMismatches(); n != 2 {
		t.Fatalf("ProfileMismatches = %d, want 2", n)
	}
}
