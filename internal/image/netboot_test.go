package image

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/host"
)

// The ISO's own live command line (testdata/isolinux-live.cfg, the real ISO's menu).
const isoArgs = "boot=live components quiet live-config.username=bee live-config.hostname=bee live-config.noroot net.ifnames=1 console=tty0 console=ttyS0,115200n8"

func readOut(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestNetbootTinyISO(t *testing.T) {
	needTools(t)
	dir := t.TempDir()
	iso := tinyISO(t, dir)
	out := filepath.Join(dir, "netboot")
	res, err := Netboot(context.Background(), host.Exec{}, NetbootOptions{
		ISO: iso, Out: out, BaseURL: "http://10.0.2.2:8080/bee",
		Cmdline: []string{"bee.sat=memory,storage", "bee.done=poweroff", "quiet"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{NetbootIPXE, "filesystem.squashfs", NetbootGRUB, NetbootInitrd, NetbootPXE, NetbootKernel}
	if !reflect.DeepEqual(res.Files, want) {
		t.Errorf("files %q, want %q", res.Files, want)
	}
	// Same bits as the ISO.
	if got := readOut(t, out, NetbootKernel); got != "kernel" {
		t.Errorf("vmlinuz = %q", got)
	}
	if got := readOut(t, out, NetbootInitrd); got != "initrd" {
		t.Errorf("initrd.img = %q", got)
	}
	if got, want := readOut(t, out, "filesystem.squashfs"), string(extract(t, iso, "/live/filesystem.squashfs")); got != want {
		t.Errorf("filesystem.squashfs differs from the ISO's (%d bytes, want %d)", len(got), len(want))
	}
	if _, err := os.Stat(filepath.Join(out, NetbootISO)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("one layer: %s written (%v)", NetbootISO, err)
	}
	cmd := isoArgs + " bee.sat=memory,storage bee.done=poweroff"
	fetch := "fetch=http://10.0.2.2:8080/bee/filesystem.squashfs"
	if res.Cmdline != cmd+" "+fetch {
		t.Errorf("cmdline %q", res.Cmdline)
	}
	ipxe := readOut(t, out, NetbootIPXE)
	wantIPXE := "#!ipxe\n# written by bee image netboot from bee.iso (volume BEE); docs/netboot.md\n" +
		"kernel http://10.0.2.2:8080/bee/vmlinuz initrd=initrd.img " + cmd + " " + fetch + "\n" +
		"initrd http://10.0.2.2:8080/bee/initrd.img\nboot\n"
	if ipxe != wantIPXE {
		t.Errorf("boot.ipxe:\n%s\nwant:\n%s", ipxe, wantIPXE)
	}
	grub := readOut(t, out, NetbootGRUB)
	if !strings.Contains(grub, "\tlinux /vmlinuz "+cmd+" "+fetch+"\n\tinitrd /initrd.img\n") {
		t.Errorf("grub.cfg:\n%s", grub)
	}
	pxe := readOut(t, out, NetbootPXE)
	for _, l := range []string{"DEFAULT bee\n", "\tKERNEL vmlinuz\n", "\tINITRD initrd.img\n", "\tAPPEND " + cmd + " " + fetch + "\n"} {
		if !strings.Contains(pxe, l) {
			t.Errorf("pxelinux.cfg/default lacks %q:\n%s", l, pxe)
		}
	}
	if strings.Contains(ipxe+grub+pxe, "findiso") {
		t.Error("findiso= (the ISO's own boot) is in a network config")
	}

	// Again, no base URL: found at boot; no PXELINUX config (and the old one is gone).
	_, err = Netboot(context.Background(), host.Exec{}, NetbootOptions{ISO: iso, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, NetbootPXE)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no base URL: %s left (%v)", NetbootPXE, err)
	}
	if ipxe := readOut(t, out, NetbootIPXE); !strings.Contains(ipxe, "kernel http://${next-server}/vmlinuz initrd=initrd.img "+isoArgs+" fetch=http://${next-server}/filesystem.squashfs\n") {
		t.Errorf("boot.ipxe without base URL:\n%s", ipxe)
	}
	if grub := readOut(t, out, NetbootGRUB); !strings.Contains(grub, "fetch=http://${net_default_server}/filesystem.squashfs\n") {
		t.Errorf("grub.cfg without base URL:\n%s", grub)
	}
}

// A site ISO (base + site layer): every layer out, in order, and fetch= takes the ISO.
func TestNetbootSiteLayers(t *testing.T) {
	needTools(t)
	dir := t.TempDir()
	iso := tinyISO(t, dir)
	site := filepath.Join(dir, "site.iso")
	if _, err := Customize(context.Background(), host.Exec{}, Options{ISO: iso, Out: site, Cmdline: []string{"bee.profile=x"}}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "nb")
	res, err := Netboot(context.Background(), host.Exec{}, NetbootOptions{ISO: site, Out: out, BaseURL: "http://h/"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{BaseLayer, LayerName}; !reflect.DeepEqual(res.Layers, want) {
		t.Errorf("layers %q, want %q", res.Layers, want)
	}
	if res.Fetch != "http://h/"+NetbootISO {
		t.Errorf("fetch %q", res.Fetch)
	}
	a, _ := os.ReadFile(site)
	b, _ := os.ReadFile(filepath.Join(out, NetbootISO))
	if len(a) == 0 || string(a) != string(b) {
		t.Errorf("%s is not the ISO (%d bytes, want %d)", NetbootISO, len(b), len(a))
	}
	if got, want := readOut(t, out, LayerName), string(extract(t, site, "/live/"+LayerName)); got != want {
		t.Errorf("%s differs from the ISO's", LayerName)
	}
}

func TestNetbootRefusals(t *testing.T) {
	for _, o := range []NetbootOptions{
		{Out: "x"},
		{ISO: "x"},
		{ISO: "x", Out: "y", BaseURL: "ftp://h/"},
		{ISO: "x", Out: "y", BaseURL: "http:///nohost"},
		{ISO: "x", Out: "y", Cmdline: []string{"fetch=http://h/x.squashfs"}},
		{ISO: "x", Out: "y", Cmdline: []string{"init=/bin/sh"}},
	} {
		_, err := Netboot(context.Background(), host.Exec{}, o)
		var u *UsageError
		if !errors.As(err, &u) {
			t.Errorf("%+v: %v, want a usage error", o, err)
		}
	}
}

func TestLiveEntry(t *testing.T) {
	e, err := LiveEntry(readTD(t, "isolinux-live.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	if e.Kernel != "/live/vmlinuz" || e.Initrd != "/live/initrd.img" || strings.Join(e.Args, " ") != isoArgs {
		t.Errorf("%+v", e)
	}
	if _, err := LiveEntry([]byte("label x\n\tlinux /live/vmlinuz\n\tappend quiet\n")); err == nil {
		t.Error("no boot=live: accepted")
	}
	if _, err := LiveEntry([]byte("label x\n\tappend boot=live\n")); err == nil {
		t.Error("no kernel: accepted")
	}
	got := NetbootArgs([]string{"boot=live", "quiet", "findiso=${iso_path}", "fetch=x"}, []string{"bee.profile=a", "quiet"})
	if strings.Join(got, " ") != "boot=live quiet bee.profile=a" {
		t.Errorf("NetbootArgs: %q", got)
	}
}
