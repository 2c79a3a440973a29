package audit

import "strings"

// CodeProfileUnusable says a profile could not be read or chosen, which is not
// a difference from one. Defined here, where the mismatch count needs it;
// internal/profile (which imports this package) uses the same constant.
const CodeProfileUnusable = "CONFIG_PROFILE_UNUSABLE"

// IsProfileMismatch reports whether f is a difference from the hardware
// profile (docs/profiles.md): a CONFIG_* finding other than
// CONFIG_PROFILE_UNUSABLE (docs/findings.md).
func IsProfileMismatch(f Finding) bool {
	return strings.HasPrefix(f.Code, "CONFIG_") && f.Code != CodeProfileUnusable
}

// IsProfileUnusable reports whether f says a profile could not be used.
func IsProfileUnusable(f Finding) bool { return f.Code == CodeProfileUnusable }

// ProfileMismatches counts the findings that are differences from the
// hardware profile.
func (s Summary) ProfileMismatches() int {
	n := 0
	for _, f := range s.Findings {
		if IsProfileMismatch(f) {
			n++
		}
	}
	return n
}
