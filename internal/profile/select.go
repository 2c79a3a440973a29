package profile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/host"
	"github.com/beeaudit/bee/internal/report"
)

// Where profiles are looked for on the machine, in this order: those baked
// into the ISO, then those on a USB stick labelled BEE, whose /profiles folder
// is read at StickDir (mounted read-only; docs/profiles.md). A profile in a
// later folder replaces one of the same name in an earlier folder: a site
// overrides the image's profile with a stick, without a rebuild.
const (
	ISODir   = report.ProfilesISODir
	StickDir = report.ProfilesStickDir
)

// DefaultDirs are searched by bee audit.
var DefaultDirs = []string{ISODir, StickDir}

// How the profile of an audit was chosen (hardware.profile.matched_by).
const (
	ByOption  = "option"         // bee audit --profile FILE|NAME
	ByCmdline = "kernel_cmdline" // bee.profile=NAME on the kernel command line
	ByMatch   = "match"          // its match: fits the machine's SMBIOS identity
)

// Chooser finds the profile that applies to an audit.
type Chooser struct {
	// FS reads Dirs and /proc/cmdline (the machine, or a fake root in tests).
	FS   host.FS
	Dirs []string
	// ReadFile reads a profile named by path on --profile; nil: FS.
	ReadFile func(name string) ([]byte, error)
	// Note, when set, receives one line saying which profile applies, or why
	// none does when the folders hold profiles and none fits (not a finding:
	// a machine without a profile is not a warning).
	Note func(line string)
}

func (c Chooser) note(format string, args ...any) {
	if c.Note != nil {
		c.Note(fmt.Sprintf(format, args...))
	}
}

// loaded is one profile file.
type loaded struct {
	path string
	sum  string
	p    *Profile
	dir  int // index in Chooser.Dirs
}

// base is the file name without .yaml/.yml.
func (l loaded) base() string {
	return strings.TrimSuffix(strings.TrimSuffix(path.Base(l.path), ".yaml"), ".yml")
}

// sameName reports whether two profiles are the same by name: name: or file
// base name of one equals name: or file base name of the other.
func (l loaded) sameName(o loaded) bool {
	return l.p.Name == o.p.Name || l.p.Name == o.base() || l.base() == o.p.Name || l.base() == o.base()
}

// named reports whether s is the profile's name: or file base name.
func (l loaded) named(s string) bool { return l.p.Name == s || l.base() == s }

func (l loaded) ref(by string) *audit.ProfileRef {
	return &audit.ProfileRef{Name: l.p.Name, Source: l.path, SHA256: l.sum, MatchedBy: by}
}

func unusable(format string, args ...any) audit.Finding {
	return audit.Finding{Severity: audit.SeverityWarning, Component: "profile", Code: CodeProfileUnusable,
		Message: fmt.Sprintf(format, args...) + "; the audit was not judged against a profile"}
}

func problem(format string, args ...any) audit.Finding {
	return audit.Finding{Severity: audit.SeverityWarning, Component: "profile", Code: CodeProfileUnusable,
		Message: fmt.Sprintf(format, args...)}
}

func load(path string, data []byte) (loaded, error) {
	s := sha256.Sum256(data)
	p, err := Parse(path, data)
	if err != nil {
		return loaded{}, err
	}
	return loaded{path: path, sum: hex.EncodeToString(s[:]), p: p}, nil
}

// scan parses every *.yaml / *.yml file of the directories. Unreadable
// directories and broken files are reported as findings, and skipped.
func (c Chooser) scan() ([]loaded, []audit.Finding) {
	var out []loaded
	var probs []audit.Finding
	for i, dir := range c.Dirs {
		names, err := c.FS.ReadDir(dir)
		if err != nil {
			if !host.IsNotExist(err) {
				probs = append(probs, problem("cannot read the profile folder %s: %v", dir, err))
			}
			continue
		}
		for _, n := range names {
			if !strings.HasSuffix(n, ".yaml") && !strings.HasSuffix(n, ".yml") {
				continue
			}
			p := path.Join(dir, n)
			data, err := c.FS.ReadFile(p)
			if err != nil {
				probs = append(probs, problem("cannot read profile %s: %v", p, err))
				continue
			}
			l, err := load(p, data)
			if err != nil {
				probs = append(probs, problem("profile %s is broken, skipped: %s", p, oneLine(err)))
				continue
			}
			l.dir = i
			out = append(out, l)
		}
	}
	return c.override(out), probs
}

// override drops every profile that one of the same name in a later folder
// replaces (a profile on the stick replaces the ISO's of that name). Profiles
// of the same name in one folder both stay: choosing between them is an
// error that names both.
func (c Chooser) override(all []loaded) []loaded {
	var out []loaded
	for _, l := range all {
		var by *loaded
		for j := range all {
			if all[j].dir > l.dir && all[j].sameName(l) {
				by = &all[j]
				break
			}
		}
		if by != nil {
			c.note("profile %s (%s) replaces %s (%s): same name, later folder", by.p.Name, by.path, l.p.Name, l.path)
			continue
		}
		out = append(out, l)
	}
	return out
}

func oneLine(err error) string {
	if e, ok := err.(*Error); ok {
		return e.First()
	}
	return firstLine(err.Error())
}

// Matches reports whether a profile's match fits the audited machine.
func (p *Profile) Matches(a *audit.Audit) bool {
	m, s := p.Match, a.Hardware.System
	if m == nil || s == nil || s.Manufacturer == nil || s.ProductName == nil {
		return false
	}
	if !matchPattern(m.Manufacturer, *s.Manufacturer) || !matchPattern(m.ProductName, *s.ProductName) {
		return false
	}
	if m.SKU != nil && (s.SKU == nil || !matchPattern(*m.SKU, *s.SKU)) {
		return false
	}
	b := a.Hardware.Board
	if m.Board != nil && (b == nil || b.ProductName == nil || !matchPattern(*m.Board, *b.ProductName)) {
		return false
	}
	return true
}

// CmdlineProfile returns NAME of bee.profile=NAME on the kernel command line.
func (c Chooser) CmdlineProfile() string {
	b, err := c.FS.ReadFile("/proc/cmdline")
	if err != nil {
		return ""
	}
	name := ""
	for _, f := range strings.Fields(string(b)) {
		if v, ok := strings.CutPrefix(f, "bee.profile="); ok {
			name = v // the last one wins, as for kernel parameters
		}
	}
	return name
}

// IsPath reports whether an argument of --profile names a file (it has a
// slash or ends in .yaml/.yml) rather than a profile by name.
func IsPath(s string) bool {
	return strings.Contains(s, "/") || strings.HasSuffix(s, ".yaml") || strings.HasSuffix(s, ".yml")
}

// Choose picks the profile for an audit. option is --profile: "" (automatic),
// "none", a file, or a profile's name. It returns the profile (nil: none
// applies), how it was chosen, and CONFIG_PROFILE_UNUSABLE findings for
// everything that went wrong on the way: the audit always completes.
func (c Chooser) Choose(option string, a *audit.Audit) (*Profile, *audit.ProfileRef, []audit.Finding) {
	by := ByOption
	if option == "" {
		if n := c.CmdlineProfile(); n != "" {
			option, by = n, ByCmdline
		}
	}
	switch {
	case option == "none":
		return nil, nil, nil
	case option != "" && IsPath(option) && by == ByOption:
		read := c.ReadFile
		if read == nil {
			read = c.FS.ReadFile
		}
		data, err := read(option)
		if err != nil {
			return nil, nil, []audit.Finding{unusable("cannot read profile %s: %v", option, err)}
		}
		l, err := load(option, data)
		if err != nil {
			return nil, nil, []audit.Finding{unusable("profile %s is broken: %s", option, oneLine(err))}
		}
		return l.p, l.ref(by), nil
	}
	all, probs := c.scan()
	where := strings.Join(c.Dirs, ", ")
	if option != "" {
		var hits []loaded
		for _, l := range all {
			if l.named(option) {
				hits = append(hits, l)
			}
		}
		src := "--profile"
		if by == ByCmdline {
			src = "bee.profile= on the kernel command line"
		}
		switch len(hits) {
		case 0:
			return nil, nil, append(probs, unusable("%s names profile %q, there is none of that name in %s", src, option, where))
		case 1:
			return hits[0].p, hits[0].ref(by), probs
		}
		return nil, nil, append(probs, unusable("%s names profile %q, and %d profiles have that name: %s", src, option, len(hits), bothNamed(hits)))
	}
	var hits []loaded
	for _, l := range all {
		if l.p.Matches(a) {
			hits = append(hits, l)
		}
	}
	switch len(hits) {
	case 0:
		if len(all) > 0 {
			c.note("none of the %d profile(s) in %s fits this machine (%s); not judged against a profile", len(all), where, identity(a))
		}
		return nil, nil, probs
	case 1:
		return hits[0].p, hits[0].ref(ByMatch), probs
	}
	return nil, nil, append(probs, unusable("%d profiles fit this machine: %s; keep one, or choose with bee audit --profile NAME", len(hits), bothNamed(hits)))
}

func bothNamed(hits []loaded) string {
	var l []string
	for _, h := range hits {
		l = append(l, fmt.Sprintf("%s (%s)", h.p.Name, h.path))
	}
	return strings.Join(l, " and ")
}

// Apply chooses the profile of an audit, records it in hardware.profile and
// returns the findings to add: CONFIG_PROFILE_UNUSABLE and the differences.
//
// A bug of the profile code on some unseen audit must not cost the audit: a
// panic becomes a CONFIG_PROFILE_UNUSABLE finding.
func (c Chooser) Apply(option string, a *audit.Audit) (out []audit.Finding) {
	defer func() {
		if r := recover(); r != nil {
			a.Hardware.Profile = nil
			out = append(out, unusable("internal error (please report with the profile and a --capture): %v", r))
		}
	}()
	p, ref, fs := c.Choose(option, a)
	if p == nil {
		return fs
	}
	out = fs
	a.Hardware.Profile = ref
	c.note("judged against profile %s (%s, by %s)", ref.Name, ref.Source, ref.MatchedBy)
	return append(out, Judge(p, a)...)
}

func identity(a *audit.Audit) string {
	var l []string
	if s := a.Hardware.System; s != nil {
		l = append(l, ptrStr(s.Manufacturer), ptrStr(s.ProductName))
		if s.SKU != nil {
			l = append(l, "SKU "+*s.SKU)
		}
	}
	if b := a.Hardware.Board; b != nil && b.ProductName != nil {
		l = append(l, "board "+*b.ProductName)
	}
	id := strings.TrimSpace(strings.Join(l, " "))
	if id == "" {
		return "SMBIOS does not name it"
	}
	return id
}
