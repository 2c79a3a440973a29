package sat

import (
	"slices"
	"strings"
	"testing"

	"github.com/beeaudit/bee/internal/probe"
)

// Issue 10: `bee sat storage` lists disks as the audit does (internal/probe), with its
// fallback for util-linux older than 2.33, which refuses the PATH column
// ("lsblk: unknown column: PATH"). Before, the audit worked on such a host and sat
// tested no disk.
func TestStorageOldUtilLinuxListsDisks(t *testing.T) {
	sc := qemuStorage(t, "smartctl-7.3_j-a_sda_selftest-in-progress.json", "smartctl-7.3_j-a_sda_selftest-passed.json")
	for i, c := range sc.Commands {
		if c.Argv[0] == "lsblk" {
			sc.Commands[i] = cmd(probe.LsblkArgv(false)...).Answer(fakeResponse{StderrText: "lsblk: unknown column: PATH\n", Exit: 1})
			sc.Commands = append(sc.Commands, cmd(probe.LsblkArgv(true)...).Replay(capture(t, "lsblk", "qemu/lsblk.json"), 0))
		}
	}
	m := newMachine(t)
	f := newStorageFake(t, sc)
	code := m.run(f, "storage", "--poll-interval", "10ms")
	tb := readArchive(t, m.archive())
	if code != ExitPass || tb.man.Verdict != VerdictPass {
		t.Fatalf("exit %d verdict %s reasons %s", code, tb.man.Verdict, tb.reasons())
	}
	var lsblkArgvs []string
	for _, st := range tb.man.Steps {
		if st.Name == "lsblk" {
			lsblkArgvs = append(lsblkArgvs, strings.Join(st.Argv, " "))
		}
	}
	if !slices.Equal(lsblkArgvs, []string{strings.Join(probe.LsblkArgv(false), " "), strings.Join(probe.LsblkArgv(true), " ")}) {
		t.Errorf("lsblk steps %q", lsblkArgvs)
	}
	if res := tb.raw["results"].(map[string]any)["disks"].([]any); len(res) != 2 {
		t.Errorf("disks %v", res)
	}
}
