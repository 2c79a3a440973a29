package image

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/host"
)

// Netboot's files in its output folder. The kernel and initrd keep stable names so that
// the configs never change between releases.
const (
	NetbootKernel = "vmlinuz"
	NetbootInitrd = "initrd.img"
	NetbootIPXE   = "boot.ipxe"
	NetbootGRUB   = "grub.cfg"
	NetbootPXE    = "pxelinux.cfg/default"
	// NetbootISO is the ISO itself, written only when it has more than one layer:
	// live-boot's fetch= downloads one file, and only an .iso brings every
	// /live/*.squashfs with it (docs/netboot.md).
	NetbootISO = "bee.iso"
)

// NetbootOptions are bee image netboot's inputs.
type NetbootOptions struct {
	ISO     string   // the bee ISO (read only)
	Out     string   // the folder to write (created; files in it are replaced)
	BaseURL string   // where Out is served over HTTP ("": found at boot, see docs/netboot.md)
	Cmdline []string // settings added to the ISO's own live command line
	TempDir string
	Log     io.Writer
}

// NetbootResult is what netboot wrote.
type NetbootResult struct {
	Out      string
	Files    []string // relative to Out, sorted
	Layers   []string // /live/*.squashfs in live-boot's stacking order (bottom first)
	Fetch    string   // the fetch= URL on the command line
	Cmdline  string   // the kernel command line of every config, fetch= included
	Duration time.Duration
}

// Netboot writes o.Out: the ISO's kernel, initrd and layers, and boot.ipxe,
// grub.cfg and (with a base URL) pxelinux.cfg/default that boot them with the ISO's
// own live command line plus fetch=.
func Netboot(ctx context.Context, r host.Runner, o NetbootOptions) (*NetbootResult, error) {
	start := time.Now()
	logf := func(format string, a ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", a...)
		}
	}
	if o.ISO == "" || o.Out == "" {
		return nil, usagef("--iso and --out are required")
	}
	base, err := checkBaseURL(o.BaseURL)
	if err != nil {
		return nil, &UsageError{err.Error()}
	}
	if err := CheckCmdline(o.Cmdline); err != nil {
		return nil, &UsageError{err.Error()}
	}
	for _, tok := range o.Cmdline {
		if k, _, _ := strings.Cut(tok, "="); k == "fetch" || k == "boot" || k == "findiso" {
			return nil, usagef("--cmdline %q: netboot writes %s= itself", tok, k)
		}
	}
	t := tools{r}
	rep, err := t.report(ctx, o.ISO)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", o.ISO, err)
	}
	var layers []string
	for _, f := range rep.Files {
		if strings.HasSuffix(f.Name, ".squashfs") && strings.HasPrefix(f.Mode, "-") {
			layers = append(layers, f.Name)
		}
	}
	sort.Strings(layers) // live-boot's order: name order, the last on top
	if len(layers) == 0 {
		return nil, fmt.Errorf("%s has no /live/*.squashfs: not a live ISO", o.ISO)
	}
	work, err := os.MkdirTemp(o.TempDir, "bee-netboot-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)

	// The ISO's own boot entry: its kernel, initrd and command line (BIOS menu).
	local := filepath.Join(work, "live.cfg")
	if err := t.extract(ctx, o.ISO, "/isolinux/live.cfg", local); err != nil {
		return nil, fmt.Errorf("%s: reading /isolinux/live.cfg: %w", o.ISO, err)
	}
	cfg, err := os.ReadFile(local)
	if err != nil {
		return nil, err
	}
	entry, err := LiveEntry(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: /isolinux/live.cfg: %w", o.ISO, err)
	}
	for _, p := range []string{entry.Kernel, entry.Initrd} {
		if !strings.HasPrefix(p, "/live/") || !isoHas(rep, path.Base(p)) {
			return nil, fmt.Errorf("%s: /isolinux/live.cfg names %s, not a file in /live", o.ISO, p)
		}
	}

	if err := os.MkdirAll(filepath.Join(o.Out, "pxelinux.cfg"), 0o755); err != nil {
		return nil, err
	}
	res := &NetbootResult{Out: o.Out, Layers: layers}
	pairs := []string{entry.Kernel, filepath.Join(o.Out, NetbootKernel), entry.Initrd, filepath.Join(o.Out, NetbootInitrd)}
	for _, l := range layers {
		pairs = append(pairs, "/live/"+l, filepath.Join(o.Out, l))
	}
	// xorriso replaces files it extracts; remove old ones first so a stale layer
	// from an earlier run cannot be mistaken for this ISO's.
	for i := 1; i < len(pairs); i += 2 {
		os.Remove(pairs[i])
	}
	if err := t.extract(ctx, o.ISO, pairs...); err != nil {
		return nil, fmt.Errorf("extracting from %s: %w", o.ISO, err)
	}
	for i := 1; i < len(pairs); i += 2 {
		// xorriso keeps the ISO's read-only modes; a web server needs only to read.
		if err := os.Chmod(pairs[i], 0o644); err != nil {
			return nil, err
		}
	}
	res.Files = append(res.Files, NetbootKernel, NetbootInitrd)
	res.Files = append(res.Files, layers...)
	logf("netboot: %s %s and %d layer(s) from %s", entry.Kernel, entry.Initrd, len(layers), o.ISO)

	fetchFile := layers[0]
	os.Remove(filepath.Join(o.Out, NetbootISO))
	if len(layers) > 1 {
		fetchFile = NetbootISO
		if err := copyFile(o.ISO, filepath.Join(o.Out, NetbootISO)); err != nil {
			return nil, err
		}
		res.Files = append(res.Files, NetbootISO)
		logf("netboot: %d layers: fetch= takes the whole ISO (%s), live-boot stacks its layers", len(layers), NetbootISO)
	}

	args := NetbootArgs(entry.Args, o.Cmdline)
	write := func(name, text string) error {
		res.Files = append(res.Files, name)
		return writeFileAtomic(filepath.Join(o.Out, name), []byte(text))
	}
	var ipxeBase, grubBase string
	if base == "" {
		ipxeBase, grubBase = "http://${next-server}/", "http://${net_default_server}/"
	} else {
		ipxeBase, grubBase = base, base
	}
	res.Fetch = ipxeBase + fetchFile
	res.Cmdline = strings.Join(append(append([]string{}, args...), "fetch="+res.Fetch), " ")
	head := fmt.Sprintf("written by bee image netboot from %s (volume %s); docs/netboot.md", filepath.Base(o.ISO), rep.VolumeID)
	if err := write(NetbootIPXE, IPXEScript(head, ipxeBase, fetchFile, args)); err != nil {
		return nil, err
	}
	if err := write(NetbootGRUB, GRUBConfig(head, grubBase, fetchFile, args)); err != nil {
		return nil, err
	}
	os.Remove(filepath.Join(o.Out, NetbootPXE))
	if base != "" {
		if err := write(NetbootPXE, PXELinuxConfig(head, base, fetchFile, args)); err != nil {
			return nil, err
		}
	} else {
		logf("netboot: no --base-url: %s not written (PXELINUX cannot find its server's address at boot)", NetbootPXE)
	}
	sort.Strings(res.Files)
	res.Duration = time.Since(start)
	return res, nil
}

// BootEntry is a live boot entry of isolinux's live.cfg.
type BootEntry struct {
	Kernel, Initrd string   // paths in the ISO
	Args           []string // the append line's arguments
}

// LiveEntry reads the first live entry (an append line with boot=live) of an isolinux
// config, with the linux and initrd lines of its label.
func LiveEntry(cfg []byte) (BootEntry, error) {
	var cur BootEntry
	for _, l := range strings.Split(string(cfg), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch strings.ToLower(f[0]) {
		case "label":
			cur = BootEntry{}
		case "linux", "kernel":
			if len(f) > 1 {
				cur.Kernel = f[1]
			}
		case "initrd":
			if len(f) > 1 {
				cur.Initrd = f[1]
			}
		case "append":
			if contains(f, "boot=live") {
				cur.Args = f[1:]
				if cur.Kernel == "" || cur.Initrd == "" {
					return BootEntry{}, fmt.Errorf("the live entry has no linux or initrd line")
				}
				return cur, nil
			}
		}
	}
	return BootEntry{}, fmt.Errorf("no live boot entry (an append line with boot=live)")
}

// NetbootArgs is the ISO's live command line for a network boot: findiso= and any
// fetch= dropped (the caller adds its own fetch=), extra's settings set as customize
// sets them.
func NetbootArgs(iso []string, extra []string) []string {
	var args []string
	for _, a := range iso {
		k, _, _ := strings.Cut(a, "=")
		if k == "findiso" || k == "fetch" || strings.HasPrefix(a, "initrd=") {
			continue
		}
		args = append(args, a)
	}
	for _, t := range extra {
		args = setToken(args, t)
	}
	return args
}

// IPXEScript boots the kernel and initrd from base over HTTP. initrd= names the initrd
// for the kernel's EFI stub (UEFI iPXE); BIOS kernels ignore it.
func IPXEScript(head, base, fetch string, args []string) string {
	return fmt.Sprintf(`#!ipxe
# %s
kernel %s%s initrd=%s %s fetch=%s%s
initrd %s%s
boot
`, head, base, NetbootKernel, NetbootInitrd, strings.Join(args, " "), base, fetch, base, NetbootInitrd)
}

// GRUBConfig is for GRUB loaded over the network (UEFI PXE or UEFI HTTP boot): the
// kernel and initrd come from the server GRUB came from ($root), the root over HTTP.
func GRUBConfig(head, base, fetch string, args []string) string {
	return fmt.Sprintf(`# %s
set default=0
set timeout=5
menuentry "bee live system (network)" {
	linux /%s %s fetch=%s%s
	initrd /%s
}
`, head, NetbootKernel, strings.Join(args, " "), base, fetch, NetbootInitrd)
}

// PXELinuxConfig is for PXELINUX (BIOS PXE): kernel and initrd over TFTP, relative to
// the folder of pxelinux.0; the root over HTTP from base.
func PXELinuxConfig(head, base, fetch string, args []string) string {
	return fmt.Sprintf(`# %s
DEFAULT bee
PROMPT 0
TIMEOUT 50
LABEL bee
	MENU LABEL bee live system (network)
	KERNEL %s
	INITRD %s
	APPEND %s fetch=%s%s
`, head, NetbootKernel, NetbootInitrd, strings.Join(args, " "), base, fetch)
}

// checkBaseURL returns the base URL ending in "/", or "" for none.
func checkBaseURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("--base-url %q: give an http:// URL of the folder served (http://host[:port]/path/)", s)
	}
	if strings.ContainsAny(s, " \t\n\"'\\") {
		return "", fmt.Errorf("--base-url %q: no spaces, quotes or backslashes (it goes on the kernel command line)", s)
	}
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, nil
}

func writeFileAtomic(p string, data []byte) error {
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dst)
}
