// Package version holds the build identity of bee, set at link time:
//
//	go build -ldflags "-X github.com/beeaudit/bee/internal/version.Version=1.2.3 \
//	  -X github.com/beeaudit/bee/internal/version.Commit=abc1234"
package version

import "runtime/debug"

// Version is the release version; "dev" for an unversioned build.
var Version = "dev"

// Commit is the git commit the binary was built from; when not set by the linker
// it falls back to the VCS information Go embeds in module builds.
var Commit = ""

// CommitOrUnknown returns Commit, the embedded vcs.revision, or "unknown".
func CommitOrUnknown() string {
	if Commit != "" {
		return Commit
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if dirty {
				rev += "-dirty"
			}
			return rev
		}
	}
	return "unknown"
}
