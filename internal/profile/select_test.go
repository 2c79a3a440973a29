package profile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/host"
)

// A panic while choosing or judging costs the profile, not the audit.
func TestApplyRecoversFromAPanic(t *testing.T) {
	a := sample(t, "qemu-vm")
	c := Chooser{FS: host.RootFS{Root: t.TempDir()}, ReadFile: func(string) ([]byte, error) { panic("boom") }}
	fs := c.Apply("x.yaml", a)
	if len(fs) != 1 || fs[0].Code != CodeProfileUnusable || fs[0].Severity != audit.SeverityWarning || !strings.Contains(fs[0].Message, "internal error") || a.Hardware.Profile != nil {
		t.Errorf("got %+v, profile %+v", fs, a.Hardware.Profile)
	}
}

// writeProfiles puts files (path under root → content) into a fake root.
func writeProfiles(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, y := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(y), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// A profile on the stick replaces the ISO's profile of the same name (name:
// or file base name); two profiles that fit otherwise stay an error naming both.
func TestStickProfileReplacesISOProfileOfTheSameName(t *testing.T) {
	a := sample(t, "qemu-vm")
	gen := func(name string) string {
		y, err := Generate(a, name, "test")
		if err != nil {
			t.Fatal(err)
		}
		return string(y)
	}
	vm, other := gen("vm"), gen("other")
	iso, stick := ISODir+"/", StickDir+"/"
	for _, tc := range []struct {
		name    string
		files   map[string]string
		option  string
		want    string // profile applied, "" none
		source  string
		finding string // substring of the only CONFIG_PROFILE_UNUSABLE finding, "" none
		note    string // substring of a note
	}{
		{"ISO only", map[string]string{iso + "vm.yaml": vm}, "", "vm", iso + "vm.yaml", "", "judged against profile vm"},
		{"stick only", map[string]string{stick + "vm.yaml": vm}, "", "vm", stick + "vm.yaml", "", ""},
		{"stick replaces ISO, same file and name", map[string]string{iso + "vm.yaml": vm, stick + "vm.yaml": vm}, "", "vm", stick + "vm.yaml", "",
			"profile vm (" + stick + "vm.yaml) replaces vm (" + iso + "vm.yaml)"},
		{"stick replaces ISO by name:, other file name", map[string]string{iso + "vm.yaml": vm, stick + "site.yaml": vm}, "", "vm", stick + "site.yaml", "", "replaces vm"},
		{"stick replaces ISO by file name, other name:", map[string]string{iso + "vm.yaml": vm, stick + "vm.yaml": other}, "", "other", stick + "vm.yaml", "", "replaces vm"},
		{"stick replaces ISO, chosen by --profile NAME", map[string]string{iso + "vm.yaml": vm, stick + "vm.yaml": vm}, "vm", "vm", stick + "vm.yaml", "", ""},
		{"different names on ISO and stick both fit: error naming both", map[string]string{iso + "vm.yaml": vm, stick + "other.yaml": other}, "", "", "",
			"2 profiles fit this machine: vm (" + iso + "vm.yaml) and other (" + stick + "other.yaml)", ""},
		{"same name twice in one folder: error naming both", map[string]string{stick + "vm.yaml": vm, stick + "site.yaml": vm}, "", "", "",
			"2 profiles fit this machine: vm (" + stick + "site.yaml) and vm (" + stick + "vm.yaml)", ""},
		{"a broken stick profile does not replace the ISO's", map[string]string{iso + "vm.yaml": vm, stick + "vm.yaml": "bee_profile: 1\nname: vm\ncpu: [\n"}, "", "vm", iso + "vm.yaml",
			"profile " + stick + "vm.yaml is broken, skipped", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var notes []string
			c := Chooser{FS: host.RootFS{Root: writeProfiles(t, tc.files)}, Dirs: DefaultDirs, Note: func(l string) { notes = append(notes, l) }}
			b := sample(t, "qemu-vm")
			fs := c.Apply(tc.option, b)
			var unusable []string
			for _, f := range fs {
				if f.Code == CodeProfileUnusable {
					unusable = append(unusable, f.Message)
				}
			}
			switch {
			case tc.finding == "" && len(unusable) != 0:
				t.Errorf("unexpected findings %q", unusable)
			case tc.finding != "" && (len(unusable) != 1 || !strings.Contains(unusable[0], tc.finding)):
				t.Errorf("findings %q, want one with %q", unusable, tc.finding)
			}
			p := b.Hardware.Profile
			switch {
			case tc.want == "" && p != nil:
				t.Errorf("profile %+v applied, want none", p)
			case tc.want != "" && (p == nil || p.Name != tc.want || p.Source != tc.source):
				t.Errorf("profile %+v, want %s from %s", p, tc.want, tc.source)
			}
			if tc.note != "" && !strings.Contains(strings.Join(notes, "\n"), tc.note) {
				t.Errorf("notes %q, want one with %q", notes, tc.note)
			}
		})
	}
}
