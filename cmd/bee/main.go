// Command bee audits and acceptance-tests server hardware. See README.md.
//
// On the live ISO it is /usr/local/bin/bee; after a Go-only change, `BEE_GO_ONLY=1
// ./build.sh` puts a new build of this command on top of the last full build's ISO
// (docs/iso.md, "Go-only rebuild").
package main

import (
	"os"

	"github.com/beeaudit/bee/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args, os.Stdout, os.Stderr))
}
