package kmsg

import (
	"regexp"
	"strconv"
	"strings"
)

// Line is one kernel log line with its prefix taken apart.
type Line struct {
	// Time is the timestamp as printed ("Sun Feb 23 16:24:18 2025",
	// "89.895139", "+0.000844", "2024-11-15T12:02:03,470068+00:00",
	// "Feb 23 03:28:16"); /dev/kmsg records give seconds since boot
	// ("5.140900"). "" when the line has none.
	Time string `json:"time,omitempty"`
	// Level is the log level name when the line carries one (/dev/kmsg
	// priority, "<3>" prefix, `dmesg --decode`): "emerg", "alert", "crit",
	// "err", "warn", "notice", "info", "debug".
	Level string `json:"level,omitempty"`
	// Message is the kernel's message.
	Message string `json:"message"`
	// NotKernel is true for a syslog line from another program than the
	// kernel ("sshd[12]: ..."); such lines are not classified.
	NotKernel bool `json:"not_kernel,omitempty"`
	// Continuation is true for a /dev/kmsg dictionary line (" KEY=value")
	// that belongs to the record above.
	Continuation bool `json:"continuation,omitempty"`
}

var levels = []string{"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"}

var (
	// /dev/kmsg: "6,339,5140900,-;message" (fields after the third are
	// optional and may grow; the message starts after the first ';').
	kmsgRe = regexp.MustCompile(`^([0-9]+),([0-9]+),([0-9]+)(?:,[^;]*)?;`)
	// "<3>message" (dmesg -r, printk).
	rawPrioRe = regexp.MustCompile(`^<([0-9]{1,3})>`)
	// dmesg --decode: "kern  :err   : ".
	decodeRe = regexp.MustCompile(`^(kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|res0|res1|res2|res3|local[0-7])\s*:\s*(emerg|alert|crit|err|warn|notice|info|debug)\s*: ?`)
	// dmesg --time-format iso: "2024-11-15T05:39:15,491363+00:00 ".
	dmesgISORe = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]+(?:[+-][0-9]{2}:?[0-9]{2})?) ?`)
	// syslog / journal: "Feb 23 03:28:16 " or "2024-01-02T03:04:05.123+00:00 ".
	syslogTimeRe = regexp.MustCompile(`^([A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)\s+`)
	// dmesg's bracketed times: "[   89.895139]", "[  +0.000844]",
	// "[Sun Feb 23 16:24:18 2025]", "[Feb23 16:24]", -d's
	// "[   12.345678 <    0.000123>]".
	bracketRe   = regexp.MustCompile(`^\[\s*([0-9]+\.[0-9]+ <\s*[0-9]+\.[0-9]+>|\+?[0-9]+\.[0-9]+|[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}|[A-Z][a-z]{2}[ 0-9]?[0-9] [0-9]{2}:[0-9]{2}|<\s*\+?[0-9]+\.[0-9]+>)\] ?`)
	syslogTagRe = regexp.MustCompile(`^[^\s:\[]+(?:\[[0-9]+\])?:`)
)

// SplitLine takes a kernel log line apart. It accepts, also combined the way
// tools combine them: /dev/kmsg records ("pri,seq,usec,flags;msg" and their
// " KEY=value" dictionary lines), a "<pri>" prefix, `dmesg --decode`'s
// "facility:level :", `dmesg --time-format iso` times, dmesg's bracketed
// times (plain, -T, -H, -d), and syslog or journal lines ("Feb 23 03:28:16
// host kernel: msg", hostname optional).
func SplitLine(s string) Line {
	s = strings.TrimRight(s, "\r")
	var l Line
	if m := kmsgRe.FindStringSubmatch(s); m != nil {
		if p, err := strconv.Atoi(m[1]); err == nil {
			l.Level = levels[p&7]
		}
		if us, err := strconv.ParseUint(m[3], 10, 64); err == nil {
			l.Time = strconv.FormatUint(us/1e6, 10) + "." + pad6(us%1e6)
		}
		l.Message = s[len(m[0]):]
		return l
	}
	if strings.HasPrefix(s, " ") && strings.Contains(s, "=") && !strings.ContainsAny(strings.TrimSpace(s), " \t") {
		// A /dev/kmsg dictionary line: " SUBSYSTEM=pci".
		l.Continuation = true
		l.Message = strings.TrimSpace(s)
		return l
	}
	if m := rawPrioRe.FindStringSubmatch(s); m != nil {
		if p, err := strconv.Atoi(m[1]); err == nil {
			l.Level = levels[p&7]
		}
		s = s[len(m[0]):]
	}
	if m := decodeRe.FindStringSubmatch(s); m != nil {
		l.Level = m[2]
		s = s[len(m[0]):]
	}
	if m := dmesgISORe.FindStringSubmatch(s); m != nil {
		l.Time = m[1]
		s = s[len(m[0]):]
	} else if m := syslogTimeRe.FindStringSubmatch(s); m != nil {
		rest := s[len(m[0]):]
		// "kernel: msg" or "host kernel: msg"; another tag is another
		// program.
		if k, ok := strings.CutPrefix(rest, "kernel:"); ok {
			l.Time, s = m[1], strings.TrimLeft(k, " ")
		} else if host, after, ok := strings.Cut(rest, " "); ok && !strings.Contains(host, ":") && strings.HasPrefix(after, "kernel:") {
			l.Time, s = m[1], strings.TrimLeft(strings.TrimPrefix(after, "kernel:"), " ")
		} else if syslogTagRe.MatchString(rest) || ok && syslogTagRe.MatchString(after) {
			l.Time, l.Message, l.NotKernel = m[1], rest, true
			return l
		}
	}
	if m := bracketRe.FindStringSubmatch(s); m != nil {
		if l.Time == "" {
			l.Time = strings.TrimSpace(m[1])
		}
		s = s[len(m[0]):]
		// journalctl -o short-monotonic: "[    5.140900] host kernel: msg".
		if host, after, ok := strings.Cut(s, " "); ok && host != "" && !strings.Contains(host, ":") && strings.HasPrefix(after, "kernel: ") {
			s = after[len("kernel: "):]
		}
	}
	l.Message = s
	return l
}

func pad6(n uint64) string {
	s := strconv.FormatUint(n, 10)
	return strings.Repeat("0", 6-len(s)) + s
}
