// Command validate checks audit JSON files against the audit schema:
//
//	go run ./internal/schema/cmd/validate /var/log/bee-audit.json
package main

import (
	"fmt"
	"os"

	"github.com/beeaudit/bee/internal/schema"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: validate AUDIT.json...")
		os.Exit(2)
	}
	bad := false
	for _, f := range os.Args[1:] {
		b, err := os.ReadFile(f)
		if err == nil {
			err = schema.Validate(b)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", f, err)
			bad = true
			continue
		}
		fmt.Printf("%s: valid\n", f)
	}
	if bad {
		os.Exit(1)
	}
}
