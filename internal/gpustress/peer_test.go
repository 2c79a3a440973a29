package gpustress

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/beeaudit/bee/internal/gpureport"
)

// TestPeerCopy: after the GPUs' own tests, every ordered pair is tried: pairs
// with peer access are measured at their rate, pairs without are recorded as
// such (no failure), and a pair whose copy fails has the driver's error while
// the pairs after it are still measured; the report's exit status is 1 for it.
func TestPeerCopy(t *testing.T) {
	d := newFake(3)
	d.peer = map[[2]int]bool{{0, 1}: true, {1, 0}: true, {1, 2}: true, {2, 1}: true}
	d.peerGBps = map[[2]int]float64{{0, 1}: 300, {1, 0}: 150}
	r, log := runFake(t, context.Background(), d, Options{})
	p := r.PeerCopy
	if p == nil || len(p.Pairs) != 6 || p.Error != nil || p.Bytes != int64(min(testTuning.copyBytes, testFree/8)) || p.Repetitions != testTuning.copyReps {
		t.Fatalf("peer %+v", p)
	}
	rates := map[[2]int]float64{}
	for _, pr := range p.Pairs {
		switch {
		case pr.Rate != nil:
			rates[[2]int{pr.Src, pr.Dst}] = pr.Rate.BestGBps
		case pr.NotMeasured != "no peer access" || pr.PeerAccess || pr.Error != nil:
			t.Errorf("pair %+v", pr)
		}
	}
	if len(rates) != 4 || !near(rates[[2]int{0, 1}], 300) || !near(rates[[2]int{1, 0}], 150) || !near(rates[[2]int{2, 1}], 50) {
		t.Errorf("rates %v", rates)
	}
	if ExitCode(r) != 0 {
		t.Errorf("exit %d: pairs without peer access are no failure", ExitCode(r))
	}
	if s := Summary(r); !strings.Contains(s, "GPU 0 -> GPU 1: 300.0 GB/s") || !strings.Contains(s, "GPU 0 -> GPU 2: not measured: no peer access") {
		t.Errorf("summary:\n%s", s)
	}
	if !strings.Contains(log, "peer copies: GPU 0 to GPU 2: no peer access") {
		t.Errorf("log:\n%s", log)
	}
	for _, g := range d.gpus {
		if g.opens != 2 || g.leaked() != 0 || len(g.peersOn) != 0 {
			t.Errorf("GPU %d: opened %d times, %d allocations and %d peer accesses left", g.ordinal, g.opens, g.leaked(), len(g.peersOn))
		}
	}

	// A copy that fails mid-way: that pair's error; the others are measured.
	d = newFake(3)
	d.peer = map[[2]int]bool{{0, 1}: true, {0, 2}: true, {1, 2}: true}
	d.peerErr = map[[2]int]error{{0, 2}: fakeErr("cuMemcpyPeer", 700)}
	d.peerErrAt = 2
	r, _ = runFake(t, context.Background(), d, Options{})
	p = r.PeerCopy
	bad := p.Pairs[1]
	if bad.Src != 0 || bad.Dst != 2 || bad.Error == nil || bad.Error.Code != "CUDA_ERROR_ILLEGAL_ADDRESS" || bad.Rate != nil {
		t.Errorf("failed pair %+v", bad)
	}
	if p.Pairs[0].Rate == nil || p.Pairs[3].Rate == nil || p.Pairs[3].Src != 1 || p.Pairs[3].Dst != 2 {
		t.Errorf("the other pairs: %+v", p.Pairs)
	}
	if ExitCode(r) != 1 || len(r.GPUs[0].Problems()) != 0 {
		t.Errorf("exit %d, GPU 0 problems %v", ExitCode(r), r.GPUs[0].Problems())
	}
	if s := Summary(r); !strings.Contains(s, "GPU 0 -> GPU 2: FAIL: CUDA_ERROR_ILLEGAL_ADDRESS") {
		t.Errorf("summary:\n%s", s)
	}
	if len(d.gpus[0].peersOn) != 0 {
		t.Error("peer access left enabled after a failed copy")
	}

	// One GPU: no peer test at all.
	r, _ = runFake(t, context.Background(), newFake(1), Options{})
	if r.PeerCopy != nil {
		t.Errorf("peer copy with one GPU: %+v", r.PeerCopy)
	}
}

// TestPeerCopyFailedGPU: a GPU that failed its own tests is left out of the
// peer test (its pairs say why); the others are measured.
func TestPeerCopyFailedGPU(t *testing.T) {
	d := newFake(3)
	d.peer = map[[2]int]bool{{0, 1}: true, {1, 0}: true, {0, 2}: true}
	d.gpus[1].syncErrAt = 1
	d.gpus[1].syncErr = fakeErr("cuCtxSynchronize", 214)
	r, _ := runFake(t, context.Background(), d, Options{})
	p := r.PeerCopy
	for _, pr := range p.Pairs {
		involves := pr.Src == 1 || pr.Dst == 1
		if involves && (pr.NotMeasured != "GPU 1 did not pass its own tests" || pr.Rate != nil) {
			t.Errorf("pair %+v", pr)
		}
		if pr.Src == 0 && pr.Dst == 2 && pr.Rate == nil {
			t.Errorf("pair 0 to 2 not measured: %+v", pr)
		}
	}
	if d.gpus[1].opens != 1 {
		t.Errorf("GPU 1 opened %d times", d.gpus[1].opens)
	}
}

// TestPeerCopyHangs: a peer copy that never returns is reported as TIMEOUT
// naming the pair, within Duration + Grace; the GPUs' own results stand.
func TestPeerCopyHangs(t *testing.T) {
	d := newFake(2)
	d.peer = map[[2]int]bool{{0, 1}: true}
	d.peerHang = make(chan struct{})
	t.Cleanup(func() { close(d.peerHang) })
	start := time.Now()
	r, _ := runFake(t, context.Background(), d, Options{Duration: 100 * time.Millisecond, Grace: 3 * time.Second})
	if el := time.Since(start); el > 30*time.Second {
		t.Errorf("took %v", el)
	}
	p := r.PeerCopy
	if p == nil || p.Error == nil || p.Error.Code != gpureport.CodeTimeout || !strings.Contains(p.Error.Message, "GPU 0 to GPU 1: copy 1 of") {
		t.Fatalf("peer %+v", p)
	}
	for _, g := range r.GPUs {
		if len(g.Problems()) != 0 {
			t.Errorf("GPU %d: %v", g.Index, g.Problems())
		}
	}
	if ExitCode(r) != 1 {
		t.Errorf("exit %d", ExitCode(r))
	}
}
