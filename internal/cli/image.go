package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/image"
	"github.com/beeaudit/bee/internal/outpath"
)

const imageUsage = `Usage:
  bee image customize --iso bee.iso --out site.iso [--authorized-keys FILE]
        [--profiles DIR] [--upload-config FILE] [--bee PATH] [--cmdline 'bee.x=y ...']
                          the released ISO plus a small top layer (/live/zz-site.squashfs)
                          with this site's keys, profiles, upload settings or bee, and
                          the settings added to both boot menus; in seconds, on any Linux
                          machine with xorriso and squashfs-tools
  bee image inspect ISO [--json]
                          list the ISO's layers (bottom first), their files, the SSH keys
                          they add, and flag what a site layer must not do:
                          exit 0 clean, 1 flagged, 2 usage or unreadable
  bee image netboot --iso bee.iso --out DIR [--base-url URL] [--cmdline '...']
                          the same ISO over the network: kernel, initrd, layers, and
                          iPXE, GRUB and PXELINUX configs (docs/netboot.md)

Details: docs/iso.md, "Site layers".
`

func imageCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, imageUsage)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, imageUsage)
		return 0
	case "customize":
		return imageCustomize(args[1:], stdout, stderr)
	case "inspect":
		return imageInspect(args[1:], stdout, stderr)
	case "netboot":
		return imageNetboot(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "bee image: unknown subcommand %q\n\n%s", args[0], imageUsage)
	return 2
}

func imageCustomize(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bee image customize", flag.ContinueOnError)
	var o image.Options
	fs.StringVar(&o.ISO, "iso", "", "the released bee ISO (`FILE`, read only)")
	fs.StringVar(&o.Out, "out", "", "the new ISO (`FILE`)")
	fs.StringVar(&o.AuthorizedKeys, "authorized-keys", "", "root's SSH public keys (`FILE`, authorized_keys format)")
	fs.StringVar(&o.ProfilesDir, "profiles", "", "hardware profiles: every `DIR`/*.yaml → /etc/bee/profiles/")
	fs.StringVar(&o.UploadConfig, "upload-config", "", "upload settings (`FILE`) → /etc/bee/upload.yaml (0600)")
	fs.StringVar(&o.Bee, "bee", "", "a bee binary (`PATH`) → /usr/local/bin/bee")
	cmdline := fs.String("cmdline", "", "kernel command line settings to add to the boot menus (`'bee.x=y ...'`)")
	usage := "Usage: bee image customize --iso bee.iso --out site.iso [flags]\n\nWrite the released ISO plus a site layer /live/" + image.LayerName + " (see docs/iso.md).\n\nFlags:\n"
	if ok, code := parseFlags(fs, args, stdout, stderr, usage); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bee image customize: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	o.Cmdline = strings.Fields(*cmdline)
	if o.Out != "" {
		out, err := outpath.File("--out", o.Out)
		if err != nil {
			fmt.Fprintf(stderr, "bee image customize: %v\n", err)
			return 2
		}
		o.Out = out
	}
	o.Log = stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := image.Customize(ctx, host.Exec{}, o)
	if err != nil {
		fmt.Fprintf(stderr, "bee image customize: %v\n", err)
		if image.IsUsage(err) {
			return 2
		}
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s in %.1f s: layer /live/%s (%d bytes)\n", res.Out, res.Duration.Seconds(), res.Layer.Name, res.Layer.Size)
	printLayer(stdout, res.Layer)
	for _, p := range sortedKeys(res.Cmdlines) {
		for _, l := range res.Cmdlines[p] {
			fmt.Fprintf(stdout, "  boot %s: %s\n", p, l)
		}
	}
	return 0
}

func imageInspect(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bee image inspect", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the inspection as JSON")
	usage := "Usage: bee image inspect ISO [--json]\n\nList the ISO's layers, their files and SSH keys; flag what a site layer must not do.\nExit 0 clean, 1 flagged, 2 usage or unreadable.\n\nFlags:\n"
	// Allow the ISO before or after the flags.
	var iso string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		iso, args = args[0], args[1:]
	}
	if ok, code := parseFlags(fs, args, stdout, stderr, usage); !ok {
		return code
	}
	rest := fs.Args()
	if iso == "" && len(rest) > 0 {
		iso, rest = rest[0], rest[1:]
	}
	if iso == "" || len(rest) > 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	in, err := image.Inspect(ctx, host.Exec{}, iso, "")
	if err != nil {
		fmt.Fprintf(stderr, "bee image inspect: %v\n", err)
		return 2
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(in); err != nil {
			fmt.Fprintf(stderr, "bee image inspect: %v\n", err)
			return 2
		}
	} else {
		printInspection(stdout, in)
	}
	if !in.OK() {
		return 1
	}
	return 0
}

func printInspection(w io.Writer, in *image.Inspection) {
	fmt.Fprintf(w, "%s: volume %q\n", in.ISO, in.VolumeID)
	for _, b := range in.Boot {
		fmt.Fprintf(w, "  boot: %s %s\n", b.Platform, b.Path)
	}
	if in.SystemArea != "" {
		fmt.Fprintf(w, "  system area: %s\n", in.SystemArea)
	}
	fmt.Fprintf(w, "layers (bottom first; live-boot stacks them in this order, the last on top):\n")
	for _, l := range in.Layers {
		if l.Base {
			fmt.Fprintf(w, "  /live/%s  %d bytes  base (release)\n", l.Name, l.Size)
			for _, k := range l.Keys {
				fmt.Fprintf(w, "    key %s %s %s\n", k.Type, k.Fingerprint, k.Comment)
			}
			continue
		}
		verdict := "ok"
		if len(l.Problems) > 0 {
			verdict = fmt.Sprintf("REFUSED (%d problems)", len(l.Problems))
		}
		fmt.Fprintf(w, "  /live/%s  %d bytes  %s\n", l.Name, l.Size, verdict)
		printLayer(w, l)
	}
	ssh := "root SSH: "
	if in.SSH.KeysFrom != "" {
		ssh += fmt.Sprintf("%d key(s) from /live/%s", in.SSH.Keys, in.SSH.KeysFrom)
	} else {
		ssh += "no authorized_keys"
	}
	if in.SSH.PasswordLogin {
		ssh += "; password login ON"
	} else {
		ssh += "; password login off"
	}
	fmt.Fprintln(w, ssh)
	for _, p := range sortedKeys(in.Cmdlines) {
		for _, l := range in.Cmdlines[p] {
			fmt.Fprintf(w, "boot %s: %s\n", p, l)
		}
	}
	for _, p := range in.Unreadable {
		fmt.Fprintf(w, "FLAGGED %s: live-boot stacks it too, and inspect cannot check it (only squashfs layers are read)\n", p)
	}
	for _, p := range in.CmdlineProblems {
		fmt.Fprintf(w, "FLAGGED boot command line: %s\n", p)
	}
	for _, n := range in.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

func printLayer(w io.Writer, l image.Layer) {
	for _, e := range l.Entries {
		if e.Path == "/" {
			continue
		}
		extra := ""
		switch e.Type {
		case "symlink":
			extra = " -> " + e.Target
		case "file":
			extra = fmt.Sprintf("  %d bytes", e.Size)
		case "char", "block":
			extra = fmt.Sprintf("  %s %d,%d", e.Type, e.Major, e.Minor)
			if e.Type == "char" && e.Major == 0 && e.Minor == 0 {
				extra = "  whiteout: hides the file of the layers below"
			}
		}
		fmt.Fprintf(w, "    %04o %d:%d %s%s\n", e.Mode, e.UID, e.GID, e.Path, extra)
	}
	for _, k := range l.Keys {
		c := k.Comment
		if k.Options != "" {
			c = strings.TrimSpace(c + " [options: " + k.Options + "]")
		}
		fmt.Fprintf(w, "    key %s %s %s\n", k.Type, k.Fingerprint, c)
	}
	for _, p := range l.Problems {
		fmt.Fprintf(w, "    REFUSED %s\n", p)
	}
}

func sortedKeys(m map[string][]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
