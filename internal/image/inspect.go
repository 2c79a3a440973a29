package image

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/parse/xorriso"
)

// Inspection is what bee image inspect reports of an ISO.
type Inspection struct {
	ISO        string
	VolumeID   string
	Boot       []xorriso.BootImage
	SystemArea string
	// Layers are /live/*.squashfs in the order live-boot stacks them: the first is
	// the bottom, the last is on top.
	Layers []Layer
	// Cmdlines are the live boot entries' kernel command lines per menu file.
	Cmdlines map[string][]string
	// CmdlineProblems are settings on those lines that customize would refuse.
	CmdlineProblems []string `json:",omitempty"`
	// Unreadable are other images in /live that live-boot would stack too (ext4,
	// xfs, .dir, ...) and inspect cannot check: flagged.
	Unreadable []string `json:",omitempty"`
	// SSH is root's SSH login once the layers are stacked.
	SSH SSHLogin
	// Notes are facts about the ISO worth knowing (e.g. a filesystem.module).
	Notes []string `json:",omitempty"`
}

// SSHLogin is what the stacked layers say about root's SSH login (bee-sshsetup reads
// /root/.ssh/authorized_keys and the password-login marker at boot).
type SSHLogin struct {
	KeysFrom      string `json:",omitempty"` // the top layer with /root/.ssh/authorized_keys
	Keys          int    // keys in it
	PasswordLogin bool   // the top layer mentioning the marker holds it as a file
	PasswordFrom  string `json:",omitempty"` // that layer (a whiteout there turns it off)
}

// OK reports whether no layer and no command line was flagged.
func (in *Inspection) OK() bool {
	if len(in.CmdlineProblems) > 0 || len(in.Unreadable) > 0 {
		return false
	}
	for _, l := range in.Layers {
		if len(l.Problems) > 0 {
			return false
		}
	}
	return true
}

// Inspect lists an ISO's layers, their files and the SSH keys they add, and
// checks every layer but the base with the rules customize applies. Layers are
// read in place in the ISO (unsquashfs -o), not copied out.
func Inspect(ctx context.Context, r host.Runner, iso, tempDir string) (*Inspection, error) {
	t := tools{r}
	rep, err := t.report(ctx, iso)
	if err != nil {
		return nil, err
	}
	in := &Inspection{ISO: iso, VolumeID: rep.VolumeID, Boot: rep.Boot, SystemArea: rep.SystemArea, Cmdlines: map[string][]string{}}
	work, err := os.MkdirTemp(tempDir, "bee-image-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)

	var names []string
	sizes := map[string]int64{}
	for _, f := range rep.Files {
		if strings.HasSuffix(f.Name, ".squashfs") && strings.HasPrefix(f.Mode, "-") {
			names = append(names, f.Name)
			sizes[f.Name] = f.Size
			continue
		}
		// live-boot stacks these too (setup_unionfs: squashfs ext2 ext3 ext4 xfs jffs2 dir).
		for _, ext := range []string{".squashfs", ".ext2", ".ext3", ".ext4", ".xfs", ".jffs2", ".dir"} {
			if strings.HasSuffix(f.Name, ext) {
				in.Unreadable = append(in.Unreadable, "/live/"+f.Name)
			}
		}
	}
	// Layers are read bottom first, so a higher layer's word on SSH wins below.
	// live-boot's setup_unionfs sorts the names with sort(1) in the initramfs
	// (byte order): Go's sort.Strings is the same order.
	sort.Strings(names)
	if isoHas(rep, "filesystem.module") {
		in.Notes = append(in.Notes, "/live/filesystem.module exists: live-boot stacks only the layers it names, in its order, not the list below")
	}
	for _, n := range names {
		l := Layer{Name: n, Size: sizes[n], Base: n == BaseLayer}
		sq, err := t.openLayer(ctx, iso, n, work)
		if err != nil {
			return nil, err
		}
		entries, err := t.list(ctx, sq)
		if err != nil {
			return nil, err
		}
		if !l.Base {
			l.Entries = entries
			l.Problems = Check(entries)
		}
		for _, e := range entries {
			switch {
			case e.Path == "/root/.ssh/authorized_keys" && e.Type == "file":
				b, err := t.cat(ctx, sq, "root/.ssh/authorized_keys")
				if err != nil {
					return nil, err
				}
				if l.Keys, err = ParseAuthorizedKeys(b); err != nil {
					l.Problems = append(l.Problems, Problem{e.Path, err.Error()})
				} else if len(l.Keys) == 0 && !l.Base {
					l.Problems = append(l.Problems, Problem{e.Path, "no key in it"})
				}
				in.SSH.KeysFrom, in.SSH.Keys = n, len(l.Keys)
			case e.Path == PasswordFallback:
				in.SSH.PasswordLogin = e.Type == "file"
				in.SSH.PasswordFrom = n
			}
		}
		if sq.File != iso {
			_ = os.Remove(sq.File)
		}
		in.Layers = append(in.Layers, l)
	}
	if in.SSH.PasswordLogin {
		in.Notes = append(in.Notes, fmt.Sprintf("root password login over SSH is ON: %s is in %s (a release built without --authorized-keys); bee image customize --authorized-keys turns it off", PasswordFallback, in.SSH.PasswordFrom))
	}
	if len(names) == 0 || names[0] != BaseLayer {
		in.Notes = append(in.Notes, fmt.Sprintf("the bottom layer is not %s: not a bee/live-build ISO, or a layer sorts before the base", BaseLayer))
	}
	for _, m := range []struct{ path, keyword string }{{isolinuxCfg, "append"}, {grubCfg, "linux"}} {
		local := filepath.Join(work, "menu-"+filepath.Base(m.path))
		if err := t.extract(ctx, iso, m.path, local); err != nil {
			in.Notes = append(in.Notes, m.path+": not in the ISO")
			continue
		}
		cfg, err := os.ReadFile(local)
		if err != nil {
			return nil, err
		}
		lines := KernelLines(cfg, m.keyword)
		in.Cmdlines[m.path] = lines
		for _, l := range lines {
			for _, tok := range strings.Fields(l) {
				if p := cmdlineRisk(tok); p != "" {
					in.CmdlineProblems = append(in.CmdlineProblems, fmt.Sprintf("%s: %q %s", m.path, tok, p))
				}
			}
		}
	}
	return in, nil
}

// cmdlineRisk flags settings of a boot entry that give a root shell without a key.
// bee's own command line (docs/iso.md) has none of them.
func cmdlineRisk(tok string) string {
	key, _, _ := strings.Cut(tok, "=")
	switch key {
	case "init", "rdinit":
		return "replaces init (a root shell without a key)"
	case "single", "S", "emergency", "rescue", "-s", "1":
		return "boots to a root maintenance shell"
	case "systemd.unit":
		if strings.Contains(tok, "rescue") || strings.Contains(tok, "emergency") {
			return "boots to a root maintenance shell"
		}
	case "systemd.debug_shell", "systemd.debug-shell":
		return "opens a root shell on tty9"
	case "break":
		return "stops in an initramfs root shell"
	case "module":
		return "changes which layers live-boot stacks"
	}
	return ""
}
