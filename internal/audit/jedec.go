package audit

import "github.com/beeaudit/bee/internal/parse/jep106"

// decodeJEDEC returns the maker's JEP106 name for a manufacturer that firmware printed
// as a JEDEC code instead of a name ("00AD063200AD", "80CE", "0x0198",
// "CE00000000000000", "Bank 1, Hex 0xCE"; every form jep106.Parse reads), or "" when s
// is a name or not an assigned code. The caller keeps s as the raw code.
func decodeJEDEC(s string) string {
	if c, ok := jep106.Parse(s); ok {
		return c.Name()
	}
	return ""
}
