package host

import (
	"os"
	"os/exec"
)

// Interactive returns a command attached to the terminal (a shell from the
// console menu, for example). The caller hands it to the terminal UI, which
// runs it with the screen released; there is no timeout by design.
func Interactive(argv ...string) *exec.Cmd {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	return cmd
}
