package image

import (
	"fmt"
	"sort"
	"strings"

	"github.com/beeaudit/bee/internal/parse/unsquashfs"
)

// What a layer may hold (README.md and docs/iso.md, "Site layers"). live-boot stacks
// every /live/*.squashfs over the base with overlayfs, so a layer's file replaces the
// base's file of the same path, and a layer's directory lends the merged directory
// its owner and mode: the directories on the way to the allowed places must carry
// the base's own owner and mode.

// parents are the directories a layer may contain only to reach an allowed place,
// with the mode the base image gives them (all owned by root).
var parents = map[string]uint32{
	"/": 0o755, "/root": 0o700, "/etc": 0o755, "/usr": 0o755, "/usr/local": 0o755,
	"/usr/local/bin": 0o755, "/usr/local/lib": 0o755,
}

// allowed are the places a layer may add or replace, and what may be there.
var allowed = []struct {
	path string
	tree bool // the directory and everything below it
	desc string
}{
	{"/root/.ssh", false, "root's SSH directory"},
	{"/root/.ssh/authorized_keys", false, "root's SSH keys"},
	{"/etc/bee", true, "bee's settings (profiles, upload config)"},
	{"/usr/local/bin/bee", false, "the bee binary"},
	{"/usr/local/lib/bee", true, "bee's helper scripts"},
}

// refused are allowed paths that would still open root login without a key.
var refused = map[string]string{
	PasswordFallback:                  "it turns on root password login over SSH (bee-sshsetup reads it)",
	"/usr/local/lib/bee/bee-sshsetup": "it is the script that sets the SSH login policy",
}

// Problem is one reason a layer is refused.
type Problem struct {
	Path   string
	Reason string
}

func (p Problem) String() string { return p.Path + ": " + p.Reason }

// Check returns every reason the layer listed by entries is not an acceptable site
// layer; none means it is.
func Check(entries []unsquashfs.Entry) []Problem {
	var ps []Problem
	add := func(p, format string, a ...any) { ps = append(ps, Problem{p, fmt.Sprintf(format, a...)}) }
	for _, e := range entries {
		p := e.Path
		if e.UID != 0 || e.GID != 0 {
			add(p, "owned by %d:%d, not root (another user could change it)", e.UID, e.GID)
		}
		switch e.Type {
		case "dir", "file":
		case "char":
			if e.Major == 0 && e.Minor == 0 {
				if p == PasswordFallback {
					continue // hides the password-login marker: key-only SSH
				}
				add(p, "overlayfs whiteout: it would delete the base image's %s", p)
			} else {
				add(p, "device node")
			}
			continue
		case "symlink":
			add(p, "symlink (to %s): a layer holds only files and directories", e.Target)
			continue
		default:
			add(p, "%s: a layer holds only files and directories", e.Type)
			continue
		}
		if e.Mode&0o7000 != 0 {
			add(p, "setuid/setgid/sticky bit (mode %04o)", e.Mode)
		}
		if e.Mode&0o022 != 0 {
			add(p, "writable by group or others (mode %04o)", e.Mode)
		}
		if want, ok := parents[p]; ok {
			if e.Type != "dir" {
				add(p, "must be a directory")
			} else if e.Mode != want {
				add(p, "mode %04o, but the base image has %04o and a layer's directory replaces the base's mode", e.Mode, want)
			}
			continue
		}
		if why, ok := refused[p]; ok {
			add(p, "refused: %s", why)
			continue
		}
		place := ""
		for _, a := range allowed {
			if p == a.path || (a.tree && strings.HasPrefix(p, a.path+"/")) {
				place = a.path
				break
			}
		}
		switch place {
		case "":
			add(p, "outside what a site layer may change (/root/.ssh/authorized_keys, /etc/bee/, /usr/local/bin/bee, /usr/local/lib/bee/)")
		case "/root/.ssh":
			if e.Type != "dir" || e.Mode != 0o700 {
				add(p, "must be a directory with mode 0700 (sshd refuses keys otherwise)")
			}
		case "/root/.ssh/authorized_keys", "/usr/local/bin/bee":
			if e.Type != "file" {
				add(p, "must be a regular file")
			}
		case "/etc/bee", "/usr/local/lib/bee":
			if p == place && e.Type != "dir" {
				add(p, "must be a directory")
			}
		}
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Path < ps[j].Path })
	return ps
}

// cmdlineAllowed are the kernel command line settings --cmdline accepts besides
// bee.*: kernel and console settings that do not change who may log in. Anything
// else is refused: init=, single, emergency, systemd.unit=, break=, live-config.*
// and the like give a root shell without a key, and module= changes which layers
// live-boot stacks.
var cmdlineAllowed = map[string]bool{
	"console": true, "nomodeset": true, "quiet": true, "loglevel": true, "net.ifnames": true,
	"biosdevname": true, "ipv6.disable": true, "pci": true, "iommu": true, "intel_iommu": true,
	"amd_iommu": true, "mitigations": true, "nvme_core.default_ps_max_latency_us": true,
	"pcie_aspm": true, "panic": true, "noapic": true, "acpi": true, "edd": true,
}

// CheckCmdline validates the --cmdline settings: each is KEY or KEY=VALUE with
// letters, digits and . _ , : = / + @ % - only (they end up in isolinux and GRUB
// configuration, where quotes, $, ; and braces have meaning), and KEY is bee.* or
// one of cmdlineAllowed.
func CheckCmdline(tokens []string) error {
	for _, t := range tokens {
		if t == "" {
			return fmt.Errorf("--cmdline: empty setting")
		}
		for _, c := range t {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._,:=/+@%-", c)) {
				return fmt.Errorf("--cmdline: %q has %q (allowed: letters, digits and . _ , : = / + @ %% -)", t, c)
			}
		}
		key, _, _ := strings.Cut(t, "=")
		if strings.HasPrefix(key, "bee.") && len(key) > 4 {
			continue
		}
		if !cmdlineAllowed[key] {
			keys := make([]string, 0, len(cmdlineAllowed))
			for k := range cmdlineAllowed {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return fmt.Errorf("--cmdline: %q refused: only bee.* settings and %s are accepted (others, such as init=, single or systemd.unit=, could give a root shell without a key)", t, strings.Join(keys, ", "))
		}
	}
	return nil
}
