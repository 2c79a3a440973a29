// Package termquery keeps bubbletea from querying the terminal when bee starts.
//
// bubbletea v1's init calls lipgloss.HasDarkBackground, which writes an OSC 11
// background-colour query and a cursor-position request to standard output
// and, when that is a terminal in the foreground, waits up to 5 seconds
// (termenv.OSCTimeout) for the answers. A serial console nobody is attached to
// (the menu on ttyS0 at boot, a BMC's SOL before the engineer connects) never
// answers: every bee command run there started 5 seconds late, and an answer
// arriving late would be read as key presses. bee never uses the background
// colour.
//
// termenv skips the query when TERM is "dumb". This package's init sets
// TERM=dumb and Restore puts it back. Go initialises packages in import-path
// order where imports allow (the Go spec, "Package initialization"), so this
// init, which imports nothing but os, runs before that of
// github.com/charmbracelet/bubbletea ("beeaudit" sorts before
// "charmbracelet"); internal/tui imports both and calls Restore from its own
// init, which runs after bubbletea's. TestNoTerminalQuery (internal/tui) runs
// the built binary on a terminal and checks that nothing is asked.
//
// Packages initialised in between see TERM=dumb too: termenv's default output
// takes the Ascii profile. bee draws only through internal/tui, which sets
// lipgloss's profile itself from the restored TERM (tui.UseTerminal).
package termquery

import "os"

var (
	term    string
	hadTerm bool
)

func init() {
	term, hadTerm = os.LookupEnv("TERM")
	os.Setenv("TERM", "dumb")
}

// Restore puts TERM back as the process got it.
func Restore() {
	if hadTerm {
		os.Setenv("TERM", term)
	} else {
		os.Unsetenv("TERM")
	}
}
