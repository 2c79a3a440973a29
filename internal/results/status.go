package results

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/beeaudit/bee/internal/termsafe"
)

// WriteStatus prints what is pending, the last error and the last success: the text of
// `bee upload --status` (and, later, the menu's). cfgErr is LoadConfig's error, if any.
// Credentials are never printed.
func WriteStatus(w io.Writer, sp *Spool, cfg Config, cfgErr error, now time.Time) error {
	switch {
	case errors.Is(cfgErr, ErrNotConfigured):
		fmt.Fprintln(w, "object store: not configured (docs/results.md)")
	case cfgErr != nil:
		fmt.Fprintf(w, "object store: config error: %v\n", cfgErr)
	default:
		fmt.Fprintf(w, "object store: %s\n", cfg)
	}
	pending, err := sp.Pending()
	if err != nil {
		return err
	}
	done, err := sp.Done()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "spool %s: %d pending, %d uploaded\n", sp.Dir, len(pending), len(done))
	for _, it := range pending {
		line := fmt.Sprintf("  pending  %s  %s  spooled %s", termsafe.Line(it.Name), size(it.Size), it.Spooled.UTC().Format(time.RFC3339))
		if it.Attempts > 0 {
			next := "now"
			if d := it.NextAttempt.Sub(now); d > 0 {
				next = "in " + d.Round(time.Second).String()
			}
			line += fmt.Sprintf(", %d attempt(s), next %s", it.Attempts, next)
		}
		fmt.Fprintln(w, line)
		if it.LastError != "" {
			// The store's own words are in it: shown, never obeyed by the terminal.
			fmt.Fprintf(w, "           last error: %s\n", termsafe.Line(it.LastError))
		}
	}
	bad, err := sp.Damaged()
	if err != nil {
		return err
	}
	for _, b := range bad {
		fmt.Fprintf(w, "  damaged  %s (skipped; the result itself is still in /var/log)\n", termsafe.Line(b))
	}
	st, err := sp.State()
	if err != nil {
		return err
	}
	if st.LastSuccessAt != nil {
		fmt.Fprintf(w, "last upload: %s  %s\n", st.LastSuccessAt.UTC().Format(time.RFC3339), termsafe.Line(st.LastSuccess))
	}
	if st.LastErrorAt != nil && len(pending) > 0 {
		fmt.Fprintf(w, "last error:  %s  %s\n", st.LastErrorAt.UTC().Format(time.RFC3339), termsafe.Line(st.LastError))
	}
	return nil
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// StatusLine is the spool in one line, for the menu: "uploads: 2 pending, last error: …"
// or "uploads: all 5 confirmed by the store"; "" when nothing was ever spooled.
func StatusLine(sp *Spool) string {
	pending, err := sp.Pending()
	if err != nil {
		return "uploads: " + err.Error()
	}
	done, err := sp.Done()
	if err != nil {
		return "uploads: " + err.Error()
	}
	switch {
	case len(pending) == 0 && len(done) == 0:
		return ""
	case len(pending) == 0:
		return fmt.Sprintf("uploads: all %d confirmed by the store", len(done))
	}
	line := fmt.Sprintf("uploads: %d pending", len(pending))
	if st, err := sp.State(); err == nil && st.LastError != "" {
		line += ", last error: " + termsafe.Line(st.LastError)
	}
	return line
}
