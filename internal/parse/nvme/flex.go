package nvme

import "github.com/beeaudit/bee/internal/parse/jsonflex"

// Lenient JSON leaves, shared with the other JSON parsers.
type (
	num = jsonflex.Num
	str = jsonflex.Str
)

var decodeObject = jsonflex.DecodeObject
