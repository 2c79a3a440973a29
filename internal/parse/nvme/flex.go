package nvme

import "github.com/beeaudit/bee/internal/parse/jsonflex"

// Lenient JSON leaves, shared with the other JSON parsers (jsonflex.Num also reads the
// digit-grouped counters of nvme-cli 2.3 and 2.4, "3,200,631,791,616").
type (
	num = jsonflex.Num
	str = jsonflex.Str
)

var decodeObject = jsonflex.DecodeObject
