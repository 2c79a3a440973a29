// Command faketool is the binary of the test fake for external tools
// (internal/testtools/faketool): linked on PATH under a tool's name, it answers
// its argv from the scenario in $BEE_FAKE_DIR.
package main

import (
	"os"
	"path/filepath"

	"github.com/beeaudit/bee/internal/testtools/faketool"
)

func main() {
	os.Exit(faketool.Serve(os.Getenv(faketool.EnvVar), filepath.Base(os.Args[0]), os.Args[1:], os.Stdout, os.Stderr))
}
