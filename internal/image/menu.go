package image

import (
	"strings"
)

// The boot menus whose kernel command line bee image customize extends. The EFI
// image's own grub.cfg (in /boot/grub/efi.img) only searches for /.disk/info and
// loads /boot/grub/grub.cfg, so it has no command line to edit (docs/iso.md).
const (
	isolinuxCfg = "/isolinux/live.cfg"  // BIOS: "append boot=live ..." lines
	grubCfg     = "/boot/grub/grub.cfg" // UEFI: "linux /live/vmlinuz boot=live ..." lines
)

// AddCmdline returns cfg with tokens added to every live boot entry's kernel command
// line, and how many entries it changed. An entry is a line whose first word is
// keyword ("append" for isolinux, "linux" for GRUB) and that has boot=live;
// comments are left alone. A token whose KEY (before "=") the line already has
// once replaces it, so the line never holds two values for one setting.
func AddCmdline(cfg []byte, keyword string, tokens []string) ([]byte, int) {
	if len(tokens) == 0 {
		return cfg, 0
	}
	lines := strings.SplitAfter(string(cfg), "\n")
	n := 0
	for i, l := range lines {
		body := strings.TrimRight(l, "\r\n")
		eol := l[len(body):]
		trimmed := strings.TrimLeft(body, " \t")
		indent := body[:len(body)-len(trimmed)]
		fields := strings.Fields(trimmed)
		if len(fields) < 2 || fields[0] != keyword || !contains(fields, "boot=live") {
			continue
		}
		// Keep the separator after the keyword (a tab in live-build's grub.cfg).
		sep := trimmed[len(keyword) : len(trimmed)-len(strings.TrimLeft(trimmed[len(keyword):], " \t"))]
		args := fields[1:]
		for _, t := range tokens {
			args = setToken(args, t)
		}
		lines[i] = indent + keyword + sep + strings.Join(args, " ") + eol
		n++
	}
	return []byte(strings.Join(lines, "")), n
}

func contains(fs []string, s string) bool {
	for _, f := range fs {
		if f == s {
			return true
		}
	}
	return false
}

// setToken replaces the one argument with t's key, or appends t: a key the line
// already has more than once (console=tty0 console=ttyS0,…) is one the kernel
// takes several of, so t is added to them. GRUB's trailing findiso=${iso_path}
// stays last when it is there.
func setToken(args []string, t string) []string {
	key, _, _ := strings.Cut(t, "=")
	at := -1
	for i, a := range args {
		if k, _, _ := strings.Cut(a, "="); k == key {
			if at >= 0 {
				at = -2 // several
				break
			}
			at = i
		}
	}
	if at >= 0 {
		args[at] = t
		return args
	}
	if n := len(args); n > 0 && strings.HasPrefix(args[n-1], "findiso=") {
		return append(args[:n-1:n-1], t, args[n-1])
	}
	return append(args, t)
}

// KernelLines returns the live boot entries' command lines of a menu file (for
// bee image inspect).
func KernelLines(cfg []byte, keyword string) []string {
	var out []string
	for _, l := range strings.Split(string(cfg), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == keyword && contains(f, "boot=live") {
			out = append(out, strings.Join(f[1:], " "))
		}
	}
	return out
}
