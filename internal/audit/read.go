package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/beeaudit/bee/internal/inpath"
)

// MaxFileBytes is the most Load reads of an audit file. The audit of the
// largest machine is a few MB; a bigger file is not an audit (a wrong path, a
// disk image), and reading it whole would only exhaust memory.
const MaxFileBytes = 32 << 20

// ErrNotAudit marks a file that is not a bee audit: not a regular file, too
// large, not JSON, or another schema_version.
var ErrNotAudit = errors.New("not a bee audit")

// Load reads an audit JSON file and decodes it; it returns the file's bytes
// too. It is the one reader of audit files (bee tui, bee sat): it reads only
// regular files (a device such as /dev/zero never ends, a FIFO blocks), at
// most MaxFileBytes (internal/inpath), and returns as soon as ctx is canceled (a signal), even
// when the read itself hangs on a stuck filesystem. A file that does not exist
// gives an error that matches fs.ErrNotExist.
func Load(ctx context.Context, path string) (*Audit, []byte, error) {
	b, err := ReadCapped(ctx, path, MaxFileBytes)
	if err != nil {
		return nil, nil, err
	}
	var a Audit
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, nil, fmt.Errorf("%s is %w: not JSON of the audit's shape (%v)", path, ErrNotAudit, err)
	}
	if a.SchemaVersion != SchemaVersion {
		return nil, nil, fmt.Errorf("%s: schema_version %d, this bee reads %d", path, a.SchemaVersion, SchemaVersion)
	}
	return &a, b, nil
}

// ReadCapped reads the regular file at path, at most limit bytes
// (inpath.ReadCapped); a file refused is ErrNotAudit.
func ReadCapped(ctx context.Context, path string, limit int64) ([]byte, error) {
	return inpath.ReadCapped(ctx, path, limit, ErrNotAudit)
}
