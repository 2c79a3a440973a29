// Package kmsg finds hardware events in a kernel log and counts them. The
// caller reads the log (/dev/kmsg, `dmesg`, a syslog or journal file); these
// functions only interpret the text, so they are pure and safe on any input.
//
// Formats accepted, line by line and mixed freely (SplitLine):
//
//   - /dev/kmsg records: "pri,seq,usec,flags;message", with the " KEY=value"
//     dictionary lines that may follow a record;
//   - dmesg: plain ("[   89.895139] msg"), -T ("[Sun Feb 23 16:24:18 2025]
//     msg"), -H / --reltime ("[  +0.000844] msg", "[Feb23 16:24] msg"),
//     --time-format iso ("2024-11-15T12:02:03,470068+00:00 msg"), --decode
//     ("kern  :err   : msg"), -r ("<3>msg"), -d ("[ 12.345678 <    0.000123>]
//     msg"), -t (no prefix);
//   - syslog and journal lines ("Feb 23 03:28:16 host kernel: msg", the host
//     optional; RFC 3339 times); lines of other programs are skipped.
//
// What is counted, and how (Classify has the rule per kind):
//
//   - a count is a number of lines: one line is at most one event, and a
//     message the kernel repeats counts every time it is logged; EDAC lines
//     also add the number of errors they report to the kind's Errors;
//   - for a multi-line report only its one summary line counts: the
//     "PCIe Bus Error: severity=" line of an AER report, the "n CE|UE" line
//     of an EDAC report, the "NVRM: Xid" line of an Xid report, the "event
//     severity:" line of a firmware-first (APEI) report;
//   - lines that end a condition ("temperature/speed normal", "AER: device
//     recovery successful") are not events;
//   - per kind the first and last line are kept as printed; per Xid number
//     also its meaning and severity hint and the GPUs (PCI addresses) seen.
package kmsg

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Summary is what Parse found.
type Summary struct {
	// Lines is the number of non-empty lines read.
	Lines int `json:"lines"`
	// Kinds counts events per kind (Kind* constants).
	Kinds map[string]*KindCount `json:"kinds,omitempty"`
	// Xids counts NVIDIA Xid events per Xid number (decimal string key).
	Xids map[string]*XidCount `json:"xids,omitempty"`
	// Hints are one-line statements for every failure-severity kind or Xid
	// ("Xid 79 (GPU has fallen off the bus ...) on 0000:3b:00: 2 times"),
	// sorted.
	Hints []string `json:"hints,omitempty"`
}

// KindCount is one kind of event.
type KindCount struct {
	// Count is the number of lines.
	Count int `json:"count"`
	// Errors sums the error counts the lines report (EDAC only: "EDAC MC0:
	// 4 CE ..." adds 4); 0 for other kinds.
	Errors int `json:"errors,omitempty"`
	// Severity is the worst severity among the kind's events.
	Severity string `json:"severity,omitempty"`
	// Devices lists the distinct devices named, sorted, at most
	// maxDevices (DevicesOmitted counts the rest).
	Devices        []string `json:"devices,omitempty"`
	DevicesOmitted int      `json:"devices_omitted,omitempty"`
	// First and Last are the first and last line of the kind, as printed.
	First string `json:"first"`
	Last  string `json:"last,omitempty"`
}

// XidCount is one Xid number.
type XidCount struct {
	Xid   int `json:"xid"`
	Count int `json:"count"`
	// Meaning and Severity come from Xids; "" for an Xid not described.
	Meaning  string   `json:"meaning,omitempty"`
	Severity string   `json:"severity,omitempty"`
	Devices  []string `json:"devices,omitempty"`
	First    string   `json:"first"`
}

const maxDevices = 64

var sevRank = map[string]int{"": 0, SevWarning: 1, SevError: 2, SevFailure: 3}

// Parse reads a kernel log and counts the hardware events in it. Empty input
// gives an empty Summary. Input with a NUL byte is not a text log and is an
// error (a binary file given by mistake); nothing else is.
func Parse(data []byte) (Summary, error) {
	var s Summary
	if i := strings.IndexByte(string(data), 0); i >= 0 {
		return s, fmt.Errorf("kmsg: NUL byte at offset %d: not a text kernel log", i)
	}
	text := string(data)
	for len(text) > 0 {
		raw := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			raw, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		raw = strings.TrimRight(raw, "\r")
		if strings.TrimSpace(raw) == "" {
			continue
		}
		s.Lines++
		l := SplitLine(raw)
		if l.NotKernel || l.Continuation {
			continue
		}
		e, ok := Classify(l.Message)
		if !ok {
			continue
		}
		s.add(e, raw)
	}
	s.Hints = s.hints()
	return s, nil
}

func (s *Summary) add(e Event, raw string) {
	if s.Kinds == nil {
		s.Kinds = map[string]*KindCount{}
	}
	k := s.Kinds[e.Kind]
	if k == nil {
		k = &KindCount{First: raw}
		s.Kinds[e.Kind] = k
	} else {
		k.Last = raw
	}
	k.Count++
	k.Errors += e.Errors
	if sevRank[e.Severity] > sevRank[k.Severity] {
		k.Severity = e.Severity
	}
	k.Devices, k.DevicesOmitted = addDevice(k.Devices, k.DevicesOmitted, e.Device)
	if e.Kind != KindXid {
		return
	}
	if s.Xids == nil {
		s.Xids = map[string]*XidCount{}
	}
	key := strconv.Itoa(e.Xid)
	x := s.Xids[key]
	if x == nil {
		info := Xids[e.Xid]
		x = &XidCount{Xid: e.Xid, Meaning: info.Meaning, Severity: info.Severity, First: raw}
		s.Xids[key] = x
	}
	x.Count++
	x.Devices, _ = addDevice(x.Devices, 0, e.Device)
}

func addDevice(list []string, omitted int, dev string) ([]string, int) {
	if dev == "" {
		return list, omitted
	}
	i := sort.SearchStrings(list, dev)
	if i < len(list) && list[i] == dev {
		return list, omitted
	}
	if len(list) >= maxDevices {
		return list, omitted + 1
	}
	list = append(list, "")
	copy(list[i+1:], list[i:])
	list[i] = dev
	return list, omitted
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return strconv.Itoa(n) + " times"
}

func (s *Summary) hints() []string {
	var out []string
	for _, x := range s.Xids {
		if x.Severity == SevFailure {
			out = append(out, fmt.Sprintf("Xid %d (%s) on %s: %s", x.Xid, x.Meaning, strings.Join(x.Devices, ", "), times(x.Count)))
		}
	}
	for kind, k := range s.Kinds {
		if kind != KindXid && k.Severity == SevFailure {
			h := fmt.Sprintf("%s: %s", kind, times(k.Count))
			if len(k.Devices) > 0 {
				h += " on " + strings.Join(k.Devices, ", ")
			}
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out
}
