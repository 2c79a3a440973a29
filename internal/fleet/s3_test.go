package fleet

import (
	"reflect"
	"testing"

	"github.com/beeaudit/bee/internal/results"
)

// Of the objects bee upload names <prefix>/<serial>/<UTC time>/<file>, the
// newest audit folder of each serial and the newest archive of each serial and
// kind are read; every object with all. Names not laid out so, and machines
// without a serial, are all read; other files and "." names never.
func TestSelectObjects(t *testing.T) {
	keys := []string{
		"p/S1/20261206T100000Z/bee-audit.json",
		"p/S1/20261206T120000Z/bee-audit.json", // newest audit of S1
		"p/S1/20261206T110000Z/nvidia-S1-20261206T105000Z.tar.gz",
		"p/S1/20261206T130000Z/nvidia-S1-20261206T125000Z.tar.gz", // newest nvidia of S1
		"p/S1/20261206T090000Z/memory-S1-20261206T085000Z.tar.gz", // the only memory run
		"p/S1/20261206T140000Z/.partial-memory-S1.tar.gz",
		"p/S1/20261206T140000Z/notes.txt",
		"p/S2/20261205T100000Z/bee-audit.json",
		"p/unknown-serial/20261206T100000Z/bee-audit.json",
		"p/unknown-serial/20261206T110000Z/bee-audit.json",
		"p/loose/bee-audit.json",
		"p/S3/not-a-time/bee-audit.json",
		"p/S3/20261206T100000Z/sub/bee-audit.json",
	}
	var objs []results.Object
	for _, k := range keys {
		objs = append(objs, results.Object{Key: k})
	}
	names := func(all bool) []string {
		var out []string
		for _, o := range selectObjects("p", objs, all) {
			out = append(out, o.Key)
		}
		return out
	}
	want := []string{
		"p/S1/20261206T090000Z/memory-S1-20261206T085000Z.tar.gz",
		"p/S1/20261206T120000Z/bee-audit.json",
		"p/S1/20261206T130000Z/nvidia-S1-20261206T125000Z.tar.gz",
		"p/S2/20261205T100000Z/bee-audit.json",
		"p/S3/20261206T100000Z/sub/bee-audit.json",
		"p/S3/not-a-time/bee-audit.json",
		"p/loose/bee-audit.json",
		"p/unknown-serial/20261206T100000Z/bee-audit.json",
		"p/unknown-serial/20261206T110000Z/bee-audit.json",
	}
	if got := names(false); !reflect.DeepEqual(got, want) {
		t.Errorf("newest:\n got %q\nwant %q", got, want)
	}
	if got := names(true); len(got) != 11 {
		t.Errorf("all: %d objects %q", len(got), got)
	}
	// No prefix: the serial is the first part of the key.
	if s, st, f, ok := parseS3Key("", "S9/20261206T100000Z/bee-audit.json"); !ok || s != "S9" || st != "20261206T100000Z" || f != "bee-audit.json" {
		t.Errorf("no prefix: %q %q %q %v", s, st, f, ok)
	}
}
