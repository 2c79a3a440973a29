package results

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// memStore is a Store in memory whose failures the test sets.
type memStore struct {
	mu      sync.Mutex
	objects map[string][]byte
	fail    error
	puts    int
}

func (m *memStore) Put(_ context.Context, it Item, body *os.File) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.puts++
	if m.fail != nil {
		return "", m.fail
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return "", err
	}
	m.objects[it.Key] = b
	return "mem/" + it.Key, nil
}

func (m *memStore) set(err error) { m.mu.Lock(); m.fail = err; m.mu.Unlock() }
func (m *memStore) count() (int, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.objects), m.puts
}

// Run keeps going through failures, logs each distinct error once (not on every pass),
// and drains once the store works; it returns when ctx ends.
func TestDaemonRunRetriesAndLogsOnce(t *testing.T) {
	m := newMachine(t, 1<<10)
	st := &memStore{objects: map[string][]byte{}}
	st.set(errors.New("store down"))
	c := &clock{t: time.Now()}
	d, _ := newDaemon(t, m, st, c)
	var mu sync.Mutex
	var logs []string
	d.Log = func(f string, a ...any) {
		mu.Lock()
		logs = append(logs, fmt.Sprintf(f, a...))
		mu.Unlock()
	}
	d.Interval = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()
	waitUntil(t, func() bool { _, puts := st.count(); c.add(10 * time.Minute); return puts >= 6 })
	st.set(nil)
	waitUntil(t, func() bool { n, _ := st.count(); c.add(10 * time.Minute); return n == 2 })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	mu.Lock()
	defer mu.Unlock()
	failures := 0
	for _, l := range logs {
		if strings.Contains(l, "store down") {
			failures++
		}
	}
	uploaded := 0
	for _, l := range logs {
		if strings.HasPrefix(l, "uploaded s3://mem/S309085X0B18791/") {
			uploaded++
		}
	}
	if uploaded != 2 {
		t.Errorf("%d upload lines, want one per object:\n%s", uploaded, strings.Join(logs, "\n"))
	}
	if failures != 1 {
		t.Errorf("the same error logged %d times:\n%s", failures, strings.Join(logs, "\n"))
	}
	if p, _ := d.Spool.Pending(); len(p) != 0 {
		t.Errorf("pending: %d", len(p))
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 20 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestStatusLine(t *testing.T) {
	m := newMachine(t, 1<<10)
	st := &memStore{objects: map[string][]byte{}, fail: errors.New("store down")}
	c := &clock{t: time.Now()}
	d, _ := newDaemon(t, m, st, c)
	if got := StatusLine(d.Spool); got != "" {
		t.Errorf("empty spool: %q", got)
	}
	d.once(t)
	if got := StatusLine(d.Spool); !strings.HasPrefix(got, "uploads: 2 pending, last error: ") || !strings.Contains(got, "store down") {
		t.Errorf("failing: %q", got)
	}
	st.set(nil)
	c.add(time.Hour)
	d.once(t)
	if got := StatusLine(d.Spool); got != "uploads: all 2 confirmed by the store" {
		t.Errorf("done: %q", got)
	}
}

// A store's error text reaches the terminal only made safe (an ESC from a hostile or
// broken store is shown as \x1b, not obeyed).
func TestStatusEscapesTheStoresWords(t *testing.T) {
	m := newMachine(t, 1<<10)
	st := &memStore{objects: map[string][]byte{}, fail: errors.New("store says \x1b]0;pwned\x07 no")}
	c := &clock{t: time.Now()}
	d, _ := newDaemon(t, m, st, c)
	d.once(t)
	var out strings.Builder
	if err := WriteStatus(&out, d.Spool, Config{}, ErrNotConfigured, c.now()); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(out.String(), 0x1b) || strings.ContainsRune(StatusLine(d.Spool), 0x1b) {
		t.Errorf("raw ESC in the status:\n%q", out.String())
	}
	if !strings.Contains(out.String(), `\x1b]0;pwned`) {
		t.Errorf("the escaped text is missing:\n%s", out.String())
	}
}
