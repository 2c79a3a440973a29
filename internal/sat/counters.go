package sat

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/probe"
)

// Counter is one error counter. Keys name the component and the counter:
// "edac/mc0/ue_count", "pcie/0000:17:00.0/aer_fatal", "gpu/0000:17:00.0/ecc_volatile_uncorrected",
// "disk/sda/media_errors".
type Counter struct {
	Key   string `json:"key"`
	Value int64  `json:"value"`
	// Severity is what a rise of this counter during the test means: "warning"
	// (corrected errors, retries) or "failure" (uncorrectable errors).
	Severity string `json:"severity"`
}

// Snapshot is every counter read at one moment.
type Snapshot struct {
	TakenAt  string    `json:"taken_at"`
	Counters []Counter `json:"counters"`
	// Notes say what could not be read (e.g. no EDAC driver), so that an empty list is
	// never mistaken for "no errors".
	Notes []string `json:"notes"`

	// unread says why counters could not be read, by key prefix ("disk/sda/" for all of a
	// disk's, or one key): the words the comparison gives for a counter that the other
	// snapshot has.
	unread map[string]string
	mu     sync.Mutex // disks add their counters concurrently
}

// Increase is a counter that rose during the test.
type Increase struct {
	Key      string `json:"key"`
	Before   int64  `json:"before"`
	After    int64  `json:"after"`
	Severity string `json:"severity"`
}

func (s *Snapshot) add(key string, v *int64, sev string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v != nil {
		s.Counters = append(s.Counters, Counter{Key: key, Value: *v, Severity: sev})
	}
}

// notRead records why the counters under prefix (a key, or "disk/sda/" for a whole
// source) could not be read. A counter that is absent because its source is empty is not
// "not read": it is added as 0.
func (s *Snapshot) notRead(prefix, why string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unread == nil {
		s.unread = map[string]string{}
	}
	if _, ok := s.unread[prefix]; !ok {
		s.unread[prefix] = why
	}
}

// whyNotRead is the most specific reason recorded for key, "" when none was.
func (s *Snapshot) whyNotRead(key string) string {
	best, why := -1, ""
	for p, w := range s.unread {
		if strings.HasPrefix(key, p) && len(p) > best {
			best, why = len(p), w
		}
	}
	return why
}

func (s *Snapshot) addBool(key string, v *bool, sev string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v != nil {
		var n int64
		if *v {
			n = 1
		}
		s.Counters = append(s.Counters, Counter{Key: key, Value: n, Severity: sev})
	}
}

func (s *Snapshot) sort() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sort.Slice(s.Counters, func(i, j int) bool { return s.Counters[i].Key < s.Counters[j].Key })
}

// compare lists the counters that rose between before and after, and the keys present
// in only one of them.
func compare(before, after *Snapshot) (inc []Increase, unmatched []string) {
	if before == nil || after == nil {
		return nil, nil
	}
	a := map[string]Counter{}
	for _, c := range after.Counters {
		a[c.Key] = c
	}
	seen := map[string]bool{}
	for _, b := range before.Counters {
		seen[b.Key] = true
		c, ok := a[b.Key]
		switch {
		case !ok:
			unmatched = append(unmatched, unmatchedText(b.Key, "after", after.whyNotRead(b.Key)))
		case c.Value > b.Value:
			inc = append(inc, Increase{Key: b.Key, Before: b.Value, After: c.Value, Severity: b.Severity})
		}
	}
	for _, c := range after.Counters {
		if !seen[c.Key] {
			unmatched = append(unmatched, unmatchedText(c.Key, "before", before.whyNotRead(c.Key)))
		}
	}
	sort.Slice(inc, func(i, j int) bool { return inc[i].Key < inc[j].Key })
	sort.Strings(unmatched)
	return inc, unmatched
}

func unmatchedText(key, phase, why string) string {
	if why == "" {
		return key + " (not read " + phase + " the test)"
	}
	return key + " (not read " + phase + " the test: " + why + ")"
}

const edacBase = probe.EDACDir

// readEDAC adds the memory controllers' counters from
// /sys/devices/system/edac/mc/mc*/{ce,ue}_count and {ce,ue}_noinfo_count.
func readEDAC(fs host.FS, snap *Snapshot, files map[string][]byte) {
	sevs := []struct{ file, sev string }{
		{probe.EDACCorrected, SeverityWarning}, {probe.EDACCorrectedNoInfo, SeverityWarning},
		{probe.EDACUncorrected, SeverityFailure}, {probe.EDACUncorrectedNoInfo, SeverityFailure},
	}
	var names []string
	for _, c := range sevs {
		names = append(names, c.file)
	}
	mcs, err := probe.ReadEDAC(fs, names, false)
	if err != nil {
		snap.notRead("edac/", fmt.Sprintf("%s could not be read (%v)", edacBase, err))
		if host.IsNotExist(err) {
			snap.Notes = append(snap.Notes, "EDAC: no memory controller driver loaded ("+edacBase+" absent): memory errors corrected by ECC are not counted")
		} else {
			snap.Notes = append(snap.Notes, fmt.Sprintf("EDAC: %v", err))
		}
		return
	}
	for _, mc := range mcs {
		for i, c := range sevs {
			cn := mc.Counters[i]
			p := cn.Path
			key := "edac/" + mc.Name + "/" + c.file
			if cn.Err != nil {
				if !host.IsNotExist(cn.Err) || !strings.Contains(c.file, "noinfo") {
					snap.Notes = append(snap.Notes, fmt.Sprintf("EDAC: %s: %v", p, cn.Err))
				}
				snap.notRead(key, fmt.Sprintf("%s could not be read (%v)", p, cn.Err))
				continue
			}
			files[p] = cn.Raw
			if !cn.OK {
				snap.Notes = append(snap.Notes, fmt.Sprintf("EDAC: %s: not a number: %q", p, strings.TrimSpace(string(cn.Raw))))
				snap.notRead(key, fmt.Sprintf("%s is not a number", p))
				continue
			}
			v := cn.Value
			snap.add(key, &v, c.sev)
		}
	}
	if len(mcs) == 0 {
		snap.Notes = append(snap.Notes, "EDAC: no memory controller under "+edacBase+": memory errors corrected by ECC are not counted")
	}
}

const pciBase = probe.PCIDevicesDir

// readAER adds each PCI function's AER totals from
// /sys/bus/pci/devices/*/aer_dev_{correctable,nonfatal,fatal}. Functions without AER
// files (no AER capability, or a kernel without the attributes) are counted in a note.
func readAER(fs host.FS, snap *Snapshot, files map[string][]byte) {
	devs, err := probe.PCIFunctions(fs)
	if err != nil {
		snap.notRead("pcie/", fmt.Sprintf("%s could not be read (%v)", pciBase, err))
		snap.Notes = append(snap.Notes, fmt.Sprintf("PCIe AER: %v", err))
		return
	}
	with := 0
	for _, d := range devs {
		found := false
		aer := probe.ReadAER(fs, d)
		for _, c := range []struct {
			f        probe.AERFile
			key, sev string
		}{
			{aer.Correctable, "aer_correctable", SeverityWarning},
			{aer.NonFatal, "aer_nonfatal", SeverityFailure},
			{aer.Fatal, "aer_fatal", SeverityFailure},
		} {
			p := c.f.Path
			key := "pcie/" + d + "/" + c.key
			if err := c.f.Err; err != nil {
				if !host.IsNotExist(err) {
					snap.Notes = append(snap.Notes, fmt.Sprintf("PCIe AER: %s: %v", p, err))
				}
				snap.notRead(key, fmt.Sprintf("%s could not be read (%v)", p, err))
				continue
			}
			found = true
			files[p] = c.f.Raw
			if err := c.f.ParseErr; err != nil {
				snap.Notes = append(snap.Notes, fmt.Sprintf("PCIe AER: %s: %v", p, err))
				snap.notRead(key, fmt.Sprintf("%s: %v", p, err))
				continue
			}
			if c.f.Total == nil {
				snap.Notes = append(snap.Notes, fmt.Sprintf("PCIe AER: %s: no TOTAL_ERR line", p))
				snap.notRead(key, p+" has no TOTAL_ERR line")
				continue
			}
			snap.add(key, c.f.Total, c.sev)
		}
		if found {
			with++
		}
	}
	if with == 0 {
		snap.Notes = append(snap.Notes, fmt.Sprintf("PCIe AER: none of %d PCI functions has AER counters: PCIe errors are not counted", len(devs)))
	}
}

// readKernelCounters is the step body shared by every kind: EDAC and AER.
func readKernelCounters(fs host.FS, snap *Snapshot) map[string][]byte {
	files := map[string][]byte{}
	readEDAC(fs, snap, files)
	readAER(fs, snap, files)
	return files
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
