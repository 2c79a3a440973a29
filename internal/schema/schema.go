// Package schema holds the JSON Schema of the audit (audit.schema.json, draft
// 2020-12) and validates documents against it.
package schema

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// AuditJSON is the audit's JSON Schema.
//
//go:embed audit.schema.json
var AuditJSON []byte

var (
	once     sync.Once
	compiled *jsonschema.Schema
	compErr  error
)

// Validate checks an audit JSON document against the schema.
func Validate(doc []byte) error {
	once.Do(func() {
		s, err := jsonschema.UnmarshalJSON(bytes.NewReader(AuditJSON))
		if err != nil {
			compErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if err := c.AddResource("audit.schema.json", s); err != nil {
			compErr = err
			return
		}
		compiled, compErr = c.Compile("audit.schema.json")
	})
	if compErr != nil {
		return fmt.Errorf("schema: %w", compErr)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return compiled.Validate(v)
}
