package results

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/version"
)

// Default places of the results (the same as bee audit's and bee sat's defaults).
const (
	DefaultAuditFile = "/var/log/bee-audit.json"
	DefaultSatDir    = "/var/log/bee-sat"
)

// Source is one result file on this machine.
type Source struct {
	Path string
	Kind string // "audit" or "sat"
}

// Sources lists the results to take off the machine: the audit file when it exists and
// every finished sat archive (*.tar.gz; bee sat writes an archive under a ".partial-"
// name and renames it when it is complete, so a visible archive is a complete one).
func Sources(auditFile, satDir string) ([]Source, error) {
	var out []Source
	if fi, err := os.Stat(auditFile); err == nil && fi.Mode().IsRegular() {
		out = append(out, Source{Path: auditFile, Kind: "audit"})
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	ents, err := os.ReadDir(satDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return out, err
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".tar.gz") || !e.Type().IsRegular() {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, Source{Path: filepath.Join(satDir, n), Kind: "sat"})
	}
	return out, nil
}

// Identity is what results are filed under and labelled with.
type Identity struct {
	Serial     string // safe as one path element; "unknown-serial" when the audit has none
	Model      string
	Verdict    string
	BeeVersion string
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// SafeSerial makes a serial number usable as a single path element and object-name
// segment: anything but letters, digits, '.', '_' and '-' becomes '_'.
func SafeSerial(s string) string {
	s = strings.Trim(unsafeName.ReplaceAllString(s, "_"), "_.")
	if len(s) > 64 {
		s = s[:64]
	}
	if s == "" {
		return "unknown-serial"
	}
	return s
}

// IdentityFromAudit reads the machine's serial number (SMBIOS system, else board), model
// and verdict from the audit file. A missing or unreadable audit gives "unknown-serial".
func IdentityFromAudit(ctx context.Context, auditFile string) Identity {
	id := Identity{Serial: "unknown-serial", BeeVersion: version.Version}
	a, _, err := audit.Load(ctx, auditFile)
	if err != nil {
		return id
	}
	hw := a.Hardware
	var serial *string
	if hw.System != nil && usable(hw.System.SerialNumber) {
		serial = hw.System.SerialNumber
	} else if hw.Board != nil && usable(hw.Board.SerialNumber) {
		serial = hw.Board.SerialNumber
	}
	if serial != nil {
		id.Serial = SafeSerial(*serial)
	}
	if hw.System != nil && hw.System.ProductName != nil {
		id.Model = *hw.System.ProductName
	}
	id.Verdict = hw.Summary.Verdict
	if a.BeeVersion != "" {
		id.BeeVersion = a.BeeVersion
	}
	return id
}

func usable(s *string) bool { return s != nil && strings.TrimSpace(*s) != "" }
