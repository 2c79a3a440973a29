package fleet

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A generated fleet of 2,000 audits (copies of the sample audits, see genFleet)
// read and written as all three outputs. docs/benchmarks.md has the numbers:
//
//	go test -run '^$' -bench Fleet2000 -benchtime 3x ./internal/fleet/
//
// peak-heap-MB is the largest heap in use sampled during the runs, cpu-s/op
// the CPU time (user + system) per run, read-s/op and html-s/op the wall time
// of reading the files and of writing the HTML.
func BenchmarkFleet2000(b *testing.B) {
	src := b.TempDir()
	genFleet(b, src, 2000)
	out := b.TempDir()
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak {
				peak = ms.HeapInuse
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	runtime.GC()
	b.ResetTimer()
	var read, html time.Duration
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		r, err := Collect(context.Background(), []string{src, satDir}, Options{Now: now})
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Servers) != 2002 || len(r.Problems) != 0 {
			b.Fatalf("%d servers, problems %v", len(r.Servers), r.Problems)
		}
		read += time.Since(t0)
		if err := WriteText(io.Discard, r); err != nil {
			b.Fatal(err)
		}
		f, err := os.Create(filepath.Join(out, "fleet.csv"))
		if err != nil {
			b.Fatal(err)
		}
		if err := WriteCSV(f, r); err != nil {
			b.Fatal(err)
		}
		f.Close()
		t1 := time.Now()
		if err := WriteHTML(filepath.Join(out, "html"), r); err != nil {
			b.Fatal(err)
		}
		html += time.Since(t1)
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(read.Seconds()/float64(b.N), "read-s/op")
	b.ReportMetric(html.Seconds()/float64(b.N), "html-s/op")
}

// cpuTime is the process's user + system CPU time: on a loaded machine the
// wall time says more about the neighbours than about bee.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
