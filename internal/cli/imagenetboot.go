package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/image"
	"github.com/beeaudit/bee/internal/outpath"
)

const imageNetbootUsage = `Usage: bee image netboot --iso bee.iso --out DIR [--base-url http://host/path/] [--cmdline 'bee.x=y ...']

Write DIR for booting the ISO over the network, the same bits: vmlinuz, initrd.img,
every /live/*.squashfs (and, when the ISO has site layers, the ISO itself as bee.iso),
boot.ipxe, grub.cfg and (with --base-url) pxelinux.cfg/default. Each boots the ISO's own
live command line plus fetch=<base-url><layer or bee.iso>. Serve DIR over HTTP at
--base-url; without it the configs find the server at boot (iPXE: ${next-server},
GRUB: ${net_default_server}). See docs/netboot.md.

Flags:
`

func imageNetboot(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bee image netboot", flag.ContinueOnError)
	var o image.NetbootOptions
	fs.StringVar(&o.ISO, "iso", "", "the bee ISO (`FILE`, read only)")
	fs.StringVar(&o.Out, "out", "", "the folder to write (`DIR`; created when missing, its netboot files replaced)")
	fs.StringVar(&o.BaseURL, "base-url", "", "where DIR is served over HTTP (`URL`, e.g. http://10.0.0.1/bee/)")
	cmdline := fs.String("cmdline", "", "kernel command line settings to add (`'bee.profile=NAME bee.sat=memory ...'`)")
	if ok, code := parseFlags(fs, args, stdout, stderr, imageNetbootUsage); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bee image netboot: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	o.Cmdline = strings.Fields(*cmdline)
	if o.Out != "" {
		if err := outpath.Dir("out", o.Out); err != nil {
			fmt.Fprintf(stderr, "bee image netboot: %v\n", err)
			return 2
		}
	}
	o.Log = stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := image.Netboot(ctx, host.Exec{}, o)
	if err != nil {
		fmt.Fprintf(stderr, "bee image netboot: %v\n", err)
		if image.IsUsage(err) {
			return 2
		}
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s in %.1f s:\n", res.Out, res.Duration.Seconds())
	for _, f := range res.Files {
		fmt.Fprintf(stdout, "  %s\n", f)
	}
	fmt.Fprintf(stdout, "layers (bottom first): %s\n", strings.Join(res.Layers, " "))
	fmt.Fprintf(stdout, "kernel command line: %s\n", res.Cmdline)
	return 0
}
