// Command bee audits and acceptance-tests server hardware. See README.md.
package main

import (
	"os"

	"github.com/beeaudit/bee/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args, os.Stdout, os.Stderr))
}
