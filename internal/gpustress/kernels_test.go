package gpustress

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
)

func mustParseKernels(t *testing.T) *ptxModule {
	t.Helper()
	m, err := parsePTX(kernelsPTX)
	if err != nil {
		t.Fatalf("kernels.ptx: %v", err)
	}
	return m
}

// TestKernelsWellFormed is the structural check of kernels.ptx: the parser
// rejects undeclared or mistyped registers, undefined labels, unknown
// instructions and unbalanced braces; this test adds the header and the
// entry signatures the Go side launches with.
func TestKernelsWellFormed(t *testing.T) {
	for i, c := range kernelsPTX {
		if c > 0x7e || (c < 0x20 && c != '\n' && c != '\t') {
			t.Fatalf("kernels.ptx: byte %d is %q: keep the PTX plain ASCII (comments too)", i, c)
		}
	}
	m := mustParseKernels(t)
	if m.version != "6.0" || m.target != "sm_52" || m.addressSize != 64 {
		t.Errorf("header: .version %s .target %s .address_size %d, want 6.0 sm_52 64", m.version, m.target, m.addressSize)
	}
	want := map[string]kernel{kernelMem.name: kernelMem, kernelFMA.name: kernelFMA}
	var names []string
	for n := range m.entries {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) != len(want) {
		t.Errorf("entries %v, want exactly %d (%s, %s)", names, len(want), kernelMem.name, kernelFMA.name)
	}
	for name, k := range want {
		e := m.entries[name]
		if e == nil {
			t.Errorf("kernels.ptx has no entry %s", name)
			continue
		}
		var sizes []int
		for _, p := range e.params {
			sizes = append(sizes, p.size)
		}
		if fmt.Sprint(sizes) != fmt.Sprint(k.params) {
			t.Errorf("%s: PTX parameter sizes %v, Go launches with %v", name, sizes, k.params)
		}
	}
	// Every .param must be read: a parameter the kernel ignores is a bug.
	for _, e := range m.entries {
		for _, p := range e.params {
			if !strings.Contains(kernelsPTX, "["+p.name+"]") {
				t.Errorf("%s: parameter %s is never loaded", e.name, p.name)
			}
		}
	}
}

// TestPTXCheckerRejects proves the checker is not a rubber stamp: each broken
// variant of a valid kernel must be refused.
func TestPTXCheckerRejects(t *testing.T) {
	const good = `.version 6.0
.target sm_52
.address_size 64
.visible .entry k(.param .u64 k_out, .param .u32 k_n)
{
	.reg .pred %p<2>;
	.reg .b32 %r<4>;
	.reg .f32 %f<2>;
	.reg .b64 %rd<4>;
	ld.param.u64 %rd1, [k_out];
	ld.param.u32 %r1, [k_n];
	mov.u32 %r2, %tid.x;
	setp.ge.u32 %p1, %r2, %r1;
	@%p1 bra $L_done;
	mul.wide.u32 %rd2, %r2, 4;
	add.u64 %rd3, %rd1, %rd2;
	mov.f32 %f1, 0f3F800000;
	fma.rn.f32 %f1, %f1, %f1, %f1;
	st.global.f32 [%rd3], %f1;
$L_done:
	ret;
}
`
	if _, err := parsePTX(good); err != nil {
		t.Fatalf("valid kernel rejected: %v", err)
	}
	broken := map[string][2]string{
		"undeclared register":   {"add.u64 %rd3, %rd1, %rd2;", "add.u64 %rd3, %rd1, %rd9;"},
		"wrong register size":   {"add.u64 %rd3, %rd1, %rd2;", "add.u64 %rd3, %rd1, %r2;"},
		"int register in fma":   {"fma.rn.f32 %f1, %f1, %f1, %f1;", "fma.rn.f32 %f1, %f1, %r1, %f1;"},
		"undefined label":       {"@%p1 bra $L_done;", "@%p1 bra $L_gone;"},
		"duplicate label":       {"$L_done:", "$L_done:\n$L_done:"},
		"unknown instruction":   {"mov.u32 %r2, %tid.x;", "mov.u32 %r2, %tid.x;\n\tpopc.b32 %r3, %r2;"},
		"unknown param":         {"[k_n]", "[k_m]"},
		"param size":            {"ld.param.u32 %r1, [k_n];", "ld.param.u64 %rd1, [k_n];"},
		"missing semicolon":     {"ret;", "ret"},
		"unbalanced brace":      {"ret;\n}", "ret;\n"},
		"guarded bra.uni":       {"@%p1 bra $L_done;", "@%p1 bra.uni $L_done;"},
		"no version":            {".version 6.0\n", ""},
		"bad f32 immediate":     {"0f3F800000", "1.0"},
		"unknown special reg":   {"%tid.x", "%laneid"},
		"float sub without .rn": {"st.global.f32 [%rd3], %f1;", "sub.f32 %f1, %f1, %f1;\n\tst.global.f32 [%rd3], %f1;"},
	}
	for name, edit := range broken {
		src := strings.Replace(good, edit[0], edit[1], 1)
		if src == good {
			t.Fatalf("%s: edit did not apply", name)
		}
		if _, err := parsePTX(src); err == nil {
			t.Errorf("%s: accepted", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

// flatMem is simulated device memory: one contiguous range at base.
type flatMem struct {
	base uint64
	b    []byte
}

func (m *flatMem) at(addr uint64, size int) ([]byte, error) {
	if addr < m.base || addr+uint64(size) > m.base+uint64(len(m.b)) || addr%uint64(size) != 0 {
		return nil, fmt.Errorf("illegal address 0x%x (size %d)", addr, size)
	}
	return m.b[addr-m.base : addr-m.base+uint64(size)], nil
}

func (m *flatMem) load(addr uint64, size int) (uint64, error) {
	p, err := m.at(addr, size)
	if err != nil {
		return 0, err
	}
	if size == 4 {
		return uint64(binary.LittleEndian.Uint32(p)), nil
	}
	return binary.LittleEndian.Uint64(p), nil
}

func (m *flatMem) store(addr uint64, size int, v uint64) error {
	p, err := m.at(addr, size)
	if err != nil {
		return err
	}
	if size == 4 {
		binary.LittleEndian.PutUint32(p, uint32(v))
	} else {
		binary.LittleEndian.PutUint64(p, v)
	}
	return nil
}

// TestMemKernelMatchesGo runs bee_mem in every mode over a buffer whose
// address has high bits set, with a grid smaller than the buffer (so the
// grid-stride loop turns), and checks every word against memPattern; then
// corrupts two words and checks the error record.
func TestMemKernelMatchesGo(t *testing.T) {
	e := mustParseKernels(t).entries["bee_mem"]
	const base = 0x7f3a_0000_0000
	const nwords = 1000 // not a multiple of the grid
	const errsAt = base + nwords*8
	for mode := uint32(0); mode < 6; mode++ {
		mem := &flatMem{base: base, b: make([]byte, nwords*8+memErrRecord)}
		seed := passSeed(int(mode))
		if err := e.launch(3, 64, []uint64{base, nwords, seed, uint64(mode), 0, errsAt}, mem, fma32); err != nil {
			t.Fatal(err)
		}
		for i := uint64(0); i < nwords; i++ {
			a := base + i*8
			got, _ := mem.load(a, 8)
			if want := memPattern(a, seed, mode); got != want {
				t.Fatalf("mode %d word %d: kernel wrote %016x, Go pattern %016x", mode, i, got, want)
			}
		}
		// Verify a clean buffer: no errors recorded.
		initErrRecord(mem.b[nwords*8:])
		if err := e.launch(2, 32, []uint64{base, nwords, seed, uint64(mode), 1, errsAt}, mem, fma32); err != nil {
			t.Fatal(err)
		}
		if r := readErrRecord(mem.b[nwords*8:]); r.count != 0 || r.verified != nwords {
			t.Fatalf("mode %d: clean buffer verified: %+v, want 0 errors and %d words verified", mode, r, nwords)
		}
		// Flip bit 5 of word 17 and bit 63 of word 900.
		initErrRecord(mem.b[nwords*8:])
		w17, _ := mem.load(base+17*8, 8)
		mem.store(base+17*8, 8, w17^1<<5)
		w900, _ := mem.load(base+900*8, 8)
		mem.store(base+900*8, 8, w900^1<<63)
		if err := e.launch(2, 32, []uint64{base, nwords, seed, uint64(mode), 1, errsAt}, mem, fma32); err != nil {
			t.Fatal(err)
		}
		want := errRecord{count: 2, lowest: base + 17*8, highest: base + 900*8, bits: 1<<5 | 1<<63, verified: nwords}
		if r := readErrRecord(mem.b[nwords*8:]); r != want {
			t.Errorf("mode %d: error record %+v, want %+v", mode, r, want)
		}
	}
}

// TestMemPatternModes pins what each mode means, independently of the kernel.
func TestMemPatternModes(t *testing.T) {
	const a, s = uint64(0x1000_0040), uint64(3)
	cases := []struct {
		mode uint32
		want uint64
	}{
		{0, a ^ s},
		{1, ^(a ^ s)},
		{2, 1 << ((a/8 + s) % 64)},
		{3, ^uint64(1 << ((a/8 + s) % 64))},
		{4, splitmix64(a ^ s)},
	}
	for _, c := range cases {
		if got := memPattern(a, s, c.mode); got != c.want {
			t.Errorf("mode %d (%s): %016x, want %016x", c.mode, memModes[c.mode], got, c.want)
		}
	}
	// splitmix64 with the published first output for seed 0: the generator's
	// first value is mix(0 + golden gamma) = 0xE220A8397B1DCDAF.
	if got := splitmix64(0); got != 0xE220A8397B1DCDAF {
		t.Errorf("splitmix64(0) = %016x, want e220a8397b1dcdaf", got)
	}
	// Walking bits: 64 consecutive words hold 64 distinct single bits.
	seen := uint64(0)
	for i := uint64(0); i < 64; i++ {
		w := memPattern(0x2000+8*i, 7, 2)
		if w == 0 || w&(w-1) != 0 || seen&w != 0 {
			t.Fatalf("walking-1 word %d = %016x", i, w)
		}
		seen |= w
	}
	if seen != math.MaxUint64 {
		t.Errorf("walking-1 over 64 words covers %016x", seen)
	}
	// Different passes use different seeds.
	if passSeed(0) == passSeed(1) {
		t.Error("passSeed repeats")
	}
}

// TestFMAKernelMatchesGo runs bee_fma for a few threads and checks every
// output against chainFinal, and diff == 0 over several repetitions.
func TestFMAKernelMatchesGo(t *testing.T) {
	e := mustParseKernels(t).entries["bee_fma"]
	const grid, block, steps, reps = 2, 5, 40, 3
	const threads = grid * block
	const outAt, diffAt, seedAt = 0x1000, 0x1000 + threads*32, 0x1000 + threads*36
	mem := &flatMem{base: 0x1000, b: make([]byte, threads*36+4)}
	mem.store(seedAt, 4, uint64(fmaSeed))
	if err := e.launch(grid, block, []uint64{outAt, diffAt, seedAt, steps, reps}, mem, fma32); err != nil {
		t.Fatal(err)
	}
	for th := uint32(0); th < threads; th++ {
		for i := 0; i < fmaChains; i++ {
			got, _ := mem.load(outAt+uint64(th)*32+uint64(i)*4, 4)
			want := math.Float32bits(chainFinal(th, i, fmaSeed, steps))
			if uint32(got) != want {
				t.Errorf("thread %d chain %d: kernel %08x, Go %08x", th, i, got, want)
			}
		}
		if d, _ := mem.load(diffAt+uint64(th)*4, 4); d != 0 {
			t.Errorf("thread %d: diff %08x, want 0", th, d)
		}
	}
	// The reference the host checks against is the same thing.
	ref, err := fmaReference(threads, steps, fmaSeed)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range ref {
		if got, _ := mem.load(outAt+uint64(k)*4, 4); uint32(got) != want {
			t.Fatalf("fmaReference[%d] = %08x, kernel %08x", k, want, got)
		}
	}
}

// TestFMAKernelReportsRepetitionMismatch: a fault in a later repetition only
// shows in diff; one in the first repetition shows in out (and in diff).
func TestFMAKernelReportsRepetitionMismatch(t *testing.T) {
	e := mustParseKernels(t).entries["bee_fma"]
	const grid, block, steps, reps = 1, 2, 8, 3
	const threads = grid * block
	perRep := steps * fmaChains * 2 * block // FMAs per repetition, both threads
	for _, c := range []struct {
		name      string
		at        int // which FMA (counting from 0 over the whole launch) goes wrong
		wantOut   bool
		wantDiff0 bool
	}{
		{"first repetition", 5, true, true},
		{"second repetition", steps*fmaChains*2 + 3, false, true}, // still thread 0
	} {
		t.Run(c.name, func(t *testing.T) {
			mem := &flatMem{base: 0, b: make([]byte, threads*36+4)}
			mem.store(threads*36, 4, uint64(fmaSeed))
			n := 0
			faulty := func(a, b, cc float32) float32 {
				r := fma32(a, b, cc)
				if n == c.at {
					r = math.Float32frombits(math.Float32bits(r) ^ 1<<20)
				}
				n++
				return r
			}
			if err := e.launch(grid, block, []uint64{0, threads * 32, threads * 36, steps, reps}, mem, faulty); err != nil {
				t.Fatal(err)
			}
			if n != perRep*reps {
				t.Fatalf("%d FMAs executed, want %d", n, perRep*reps)
			}
			outWrong := false
			for i := 0; i < fmaChains; i++ {
				got, _ := mem.load(uint64(i)*4, 4)
				if uint32(got) != math.Float32bits(chainFinal(0, i, fmaSeed, steps)) {
					outWrong = true
				}
			}
			d, _ := mem.load(threads*32, 4)
			if outWrong != c.wantOut || (d != 0) != c.wantDiff0 {
				t.Errorf("out wrong %v (want %v), diff %08x (want nonzero %v)", outWrong, c.wantOut, d, c.wantDiff0)
			}
			if d1, _ := mem.load(threads*32+4, 4); d1 != 0 {
				t.Errorf("thread 1 diff %08x, want 0", d1)
			}
		})
	}
}
