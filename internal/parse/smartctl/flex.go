package smartctl

import "github.com/beeaudit/bee/internal/parse/jsonflex"

// Lenient JSON leaves, shared with the other JSON parsers.
type (
	num  = jsonflex.Num
	str  = jsonflex.Str
	flag = jsonflex.Flag
)

var decodeObject = jsonflex.DecodeObject
