package gpustress

// A parser, structural checker and interpreter for the small PTX subset that
// kernels.ptx uses. There is no PTX assembler without the CUDA toolkit (Debian
// ships none in main; nvidia-cuda-toolkit is non-free and far too big for CI), so
// this is how the kernels are checked before they meet a driver:
//
//   - parsing is strict: an unknown instruction, an undeclared register, a
//     register of the wrong type or size for the instruction, an unknown
//     special register, an undefined or duplicate label, an ld.param of a
//     parameter the entry does not declare, unbalanced braces or a missing
//     .version/.target/.address_size line is an error;
//   - running the kernels on the CPU (one thread after another, which is a legal
//     schedule since they never synchronise) checks what they compute against
//     the Go mirrors (pattern.go, henon.go), and lets the fake driver in
//     fake_test.go run the real kernels under the real orchestration code.
//
// What it cannot check is that the real ptxas agrees with this reading of the
// PTX ISA; the subset is kept to forms nvcc itself emits.

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

type regClass int

const (
	classPred regClass = iota
	classB32
	classF32
	classB64
)

func (c regClass) String() string {
	return [...]string{".pred", ".b32", ".f32", ".b64"}[c]
}

type ptxModule struct {
	version, target string
	addressSize     int
	entries         map[string]*ptxEntry
	order           []string // entry names in file order
}

type ptxParam struct {
	name string
	size int // bytes
}

type ptxEntry struct {
	name   string
	params []ptxParam
	regs   map[string]int // register name → slot
	class  []regClass     // slot → class
	code   []ptxInstr
	labels map[string]int
}

type ptxInstr struct {
	text    string
	guard   int // predicate slot, -1 when unguarded
	negate  bool
	exec    func(th *ptxThread) error
	branch  string // target label of a bra, resolved after parsing
	isRet   bool
	opcode  string
	operand []string
}

// simMem is the memory a simulated kernel sees.
type simMem interface {
	load(addr uint64, size int) (uint64, error)
	store(addr uint64, size int, v uint64) error
}

type ptxThread struct {
	regs                     []uint64
	params                   map[string]uint64
	tid, ntid, ctaid, nctaid uint32
	pc                       int
	mem                      simMem
	fma                      func(a, b, c float32) float32
}

var (
	reRegDecl  = regexp.MustCompile(`^\.reg\s+\.(pred|b32|u32|s32|f32|b64|u64|s64)\s+(.+)$`)
	reRegRange = regexp.MustCompile(`^(%[A-Za-z_]\w*)<(\d+)>$`)
	reRegName  = regexp.MustCompile(`^%[A-Za-z_]\w*$`)
	reLabel    = regexp.MustCompile(`^(\$?[A-Za-z_][\w$]*)\s*:`)
	reIdent    = regexp.MustCompile(`^[A-Za-z_$][\w$]*$`)
	reParam    = regexp.MustCompile(`^\.param\s+\.(u32|u64|b32|b64|s32|s64)\s+([A-Za-z_$][\w$]*)$`)
)

func stripComments(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "//"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return b.String() + "\x00unterminated comment"
			}
			i += j + 4
			b.WriteByte(' ')
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

// parsePTX parses and checks a module.
func parsePTX(src string) (*ptxModule, error) {
	s := stripComments(src)
	if strings.Contains(s, "\x00") {
		return nil, fmt.Errorf("unterminated /* comment")
	}
	m := &ptxModule{entries: map[string]*ptxEntry{}}
	rest := s
	for {
		rest = strings.TrimLeft(rest, " \t\r\n")
		if rest == "" {
			break
		}
		switch {
		case strings.HasPrefix(rest, ".version"), strings.HasPrefix(rest, ".target"), strings.HasPrefix(rest, ".address_size"):
			line := rest
			if i := strings.IndexByte(rest, '\n'); i >= 0 {
				line, rest = rest[:i], rest[i+1:]
			} else {
				rest = ""
			}
			f := strings.Fields(line)
			if len(f) != 2 {
				return nil, fmt.Errorf("bad directive %q", line)
			}
			switch f[0] {
			case ".version":
				m.version = f[1]
			case ".target":
				m.target = f[1]
			case ".address_size":
				n, err := strconv.Atoi(f[1])
				if err != nil {
					return nil, fmt.Errorf("bad .address_size %q", f[1])
				}
				m.addressSize = n
			}
		case strings.HasPrefix(rest, ".visible"), strings.HasPrefix(rest, ".entry"):
			if m.version == "" || m.target == "" || m.addressSize == 0 {
				return nil, fmt.Errorf(".version, .target and .address_size must come before the first entry")
			}
			e, after, err := parseEntry(rest)
			if err != nil {
				return nil, err
			}
			if m.entries[e.name] != nil {
				return nil, fmt.Errorf("entry %s defined twice", e.name)
			}
			m.entries[e.name] = e
			m.order = append(m.order, e.name)
			rest = after
		default:
			n := min(len(rest), 40)
			return nil, fmt.Errorf("unexpected text at top level: %q", rest[:n])
		}
	}
	if m.version == "" || m.target == "" || m.addressSize == 0 {
		return nil, fmt.Errorf("missing .version, .target or .address_size")
	}
	return m, nil
}

func parseEntry(s string) (*ptxEntry, string, error) {
	s = strings.TrimPrefix(s, ".visible")
	s = strings.TrimLeft(s, " \t\r\n")
	if !strings.HasPrefix(s, ".entry") {
		return nil, "", fmt.Errorf("expected .entry")
	}
	s = s[len(".entry"):]
	open := strings.IndexByte(s, '(')
	if open < 0 {
		return nil, "", fmt.Errorf(".entry without a parameter list")
	}
	e := &ptxEntry{name: strings.TrimSpace(s[:open]), regs: map[string]int{}, labels: map[string]int{}}
	if !reIdent.MatchString(e.name) {
		return nil, "", fmt.Errorf("bad entry name %q", e.name)
	}
	closeP := strings.IndexByte(s, ')')
	if closeP < open {
		return nil, "", fmt.Errorf("%s: unterminated parameter list", e.name)
	}
	seen := map[string]bool{}
	if pl := strings.TrimSpace(s[open+1 : closeP]); pl != "" {
		for _, p := range strings.Split(pl, ",") {
			p = strings.Join(strings.Fields(p), " ")
			mm := reParam.FindStringSubmatch(p)
			if mm == nil {
				return nil, "", fmt.Errorf("%s: bad parameter %q", e.name, p)
			}
			if seen[mm[2]] {
				return nil, "", fmt.Errorf("%s: parameter %s declared twice", e.name, mm[2])
			}
			seen[mm[2]] = true
			size := 4
			if strings.HasSuffix(mm[1], "64") {
				size = 8
			}
			e.params = append(e.params, ptxParam{mm[2], size})
		}
	}
	s = strings.TrimLeft(s[closeP+1:], " \t\r\n")
	if !strings.HasPrefix(s, "{") {
		return nil, "", fmt.Errorf("%s: expected {", e.name)
	}
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return nil, "", fmt.Errorf("%s: unbalanced braces: no closing }", e.name)
	}
	body := s[1:end]
	if strings.ContainsAny(body, "{") {
		return nil, "", fmt.Errorf("%s: nested braces are not supported", e.name)
	}
	if err := e.parseBody(body); err != nil {
		return nil, "", fmt.Errorf("%s: %w", e.name, err)
	}
	return e, s[end+1:], nil
}

func (e *ptxEntry) parseBody(body string) error {
	stmts := strings.Split(body, ";")
	last := strings.TrimSpace(stmts[len(stmts)-1])
	stmts = stmts[:len(stmts)-1]
	// A trailing label (no statement after it) is allowed; other text is not.
	for last != "" {
		mm := reLabel.FindStringSubmatch(last)
		if mm == nil {
			return fmt.Errorf("statement without ';': %q", last)
		}
		if err := e.addLabel(mm[1]); err != nil {
			return err
		}
		last = strings.TrimSpace(last[len(mm[0]):])
	}
	for _, st := range stmts {
		st = strings.TrimSpace(st)
		for {
			mm := reLabel.FindStringSubmatch(st)
			if mm == nil {
				break
			}
			if err := e.addLabel(mm[1]); err != nil {
				return err
			}
			st = strings.TrimSpace(st[len(mm[0]):])
		}
		if st == "" {
			continue
		}
		st = strings.Join(strings.Fields(st), " ")
		if strings.HasPrefix(st, ".reg") {
			if err := e.declare(st); err != nil {
				return err
			}
			continue
		}
		if strings.HasPrefix(st, ".") {
			return fmt.Errorf("unsupported directive %q", st)
		}
		in, err := e.compile(st)
		if err != nil {
			return fmt.Errorf("%q: %w", st, err)
		}
		e.code = append(e.code, in)
	}
	for i, in := range e.code {
		if in.branch != "" {
			if _, ok := e.labels[in.branch]; !ok {
				return fmt.Errorf("%q: undefined label %s", e.code[i].text, in.branch)
			}
		}
	}
	if len(e.code) == 0 || !e.code[len(e.code)-1].isRet && e.code[len(e.code)-1].branch == "" {
		return fmt.Errorf("the last instruction must be ret or a branch")
	}
	return nil
}

func (e *ptxEntry) addLabel(l string) error {
	if _, dup := e.labels[l]; dup {
		return fmt.Errorf("label %s defined twice", l)
	}
	e.labels[l] = len(e.code)
	return nil
}

func (e *ptxEntry) declare(st string) error {
	mm := reRegDecl.FindStringSubmatch(st)
	if mm == nil {
		return fmt.Errorf("bad register declaration %q", st)
	}
	var c regClass
	switch mm[1] {
	case "pred":
		c = classPred
	case "b32", "u32", "s32":
		c = classB32
	case "f32":
		c = classF32
	default:
		c = classB64
	}
	add := func(name string) error {
		if _, dup := e.regs[name]; dup {
			return fmt.Errorf("register %s declared twice", name)
		}
		e.regs[name] = len(e.class)
		e.class = append(e.class, c)
		return nil
	}
	for _, item := range strings.Split(mm[2], ",") {
		item = strings.TrimSpace(item)
		if r := reRegRange.FindStringSubmatch(item); r != nil {
			n, _ := strconv.Atoi(r[2])
			for i := 0; i < n; i++ {
				if err := add(fmt.Sprintf("%s%d", r[1], i)); err != nil {
					return err
				}
			}
			continue
		}
		if !reRegName.MatchString(item) {
			return fmt.Errorf("bad register name %q", item)
		}
		if err := add(item); err != nil {
			return err
		}
	}
	return nil
}

// splitOperands splits "a, [b+8], c" at top-level commas.
func splitOperands(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	depth, start := 0, 0
	for i, ch := range s {
		switch ch {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

type getter func(th *ptxThread) uint64
type setter func(th *ptxThread, v uint64)

// reg resolves a register operand of the given class.
func (e *ptxEntry) reg(op string, want ...regClass) (int, error) {
	slot, ok := e.regs[op]
	if !ok {
		if reRegName.MatchString(op) {
			return 0, fmt.Errorf("undeclared register %s", op)
		}
		return 0, fmt.Errorf("expected a register, got %q", op)
	}
	for _, c := range want {
		if e.class[slot] == c {
			return slot, nil
		}
	}
	return 0, fmt.Errorf("register %s is %v, the instruction needs %v", op, e.class[slot], want)
}

func parseImm(op string, bits int, float bool) (uint64, error) {
	if float {
		if bits != 32 || !strings.HasPrefix(op, "0f") || len(op) != 10 {
			return 0, fmt.Errorf("bad f32 immediate %q (want 0fXXXXXXXX)", op)
		}
		v, err := strconv.ParseUint(op[2:], 16, 32)
		return v, err
	}
	s := strings.TrimSuffix(op, "U")
	var v uint64
	var err error
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		v, err = strconv.ParseUint(s[2:], 16, 64)
	} else if strings.HasPrefix(s, "-") {
		var n int64
		n, err = strconv.ParseInt(s, 10, 64)
		v = uint64(n)
	} else {
		v, err = strconv.ParseUint(s, 10, 64)
	}
	if err != nil {
		return 0, fmt.Errorf("bad integer immediate %q", op)
	}
	if bits == 32 && v > math.MaxUint32 && int64(v) < math.MinInt32 {
		return 0, fmt.Errorf("immediate %q does not fit 32 bits", op)
	}
	if bits == 32 {
		v &= math.MaxUint32
	}
	return v, nil
}

// src compiles a source operand: a register of a matching class or an immediate.
func (e *ptxEntry) src(op string, bits int, float bool) (getter, error) {
	if strings.HasPrefix(op, "%") {
		var want []regClass
		switch {
		case bits == 64:
			want = []regClass{classB64}
		case float:
			want = []regClass{classF32}
		default:
			want = []regClass{classB32}
		}
		slot, err := e.reg(op, want...)
		if err != nil {
			return nil, err
		}
		return func(th *ptxThread) uint64 { return th.regs[slot] }, nil
	}
	v, err := parseImm(op, bits, float)
	if err != nil {
		return nil, err
	}
	return func(*ptxThread) uint64 { return v }, nil
}

func (e *ptxEntry) dst(op string, bits int, float bool) (setter, error) {
	want := classB32
	switch {
	case bits == 64:
		want = classB64
	case float:
		want = classF32
	}
	slot, err := e.reg(op, want)
	if err != nil {
		return nil, err
	}
	mask := uint64(math.MaxUint64)
	if bits == 32 {
		mask = math.MaxUint32
	}
	return func(th *ptxThread, v uint64) { th.regs[slot] = v & mask }, nil
}

// addr compiles a [reg], [reg+imm] or [param] address operand. param reports
// whether it named a parameter (only ld.param may).
func (e *ptxEntry) addr(op string) (get getter, param string, err error) {
	if !strings.HasPrefix(op, "[") || !strings.HasSuffix(op, "]") {
		return nil, "", fmt.Errorf("expected an address, got %q", op)
	}
	in := strings.TrimSpace(op[1 : len(op)-1])
	if !strings.HasPrefix(in, "%") {
		for _, p := range e.params {
			if p.name == in {
				return nil, in, nil
			}
		}
		return nil, "", fmt.Errorf("%s is not a parameter of this entry", in)
	}
	base, off := in, int64(0)
	if i := strings.IndexAny(in, "+-"); i > 0 {
		base = strings.TrimSpace(in[:i])
		off, err = strconv.ParseInt(strings.ReplaceAll(in[i:], " ", ""), 0, 64)
		if err != nil {
			return nil, "", fmt.Errorf("bad address offset in %q", op)
		}
	}
	slot, err := e.reg(base, classB64)
	if err != nil {
		return nil, "", err
	}
	return func(th *ptxThread) uint64 { return th.regs[slot] + uint64(off) }, "", nil
}

func typeBits(t string) (bits int, float bool, err error) {
	switch t {
	case "u32", "s32", "b32":
		return 32, false, nil
	case "u64", "s64", "b64":
		return 64, false, nil
	case "f32":
		return 32, true, nil
	}
	return 0, false, fmt.Errorf("unsupported type .%s", t)
}

func nargs(ops []string, n int) error {
	if len(ops) != n {
		return fmt.Errorf("want %d operands, got %d", n, len(ops))
	}
	return nil
}

func f32(v uint64) float32 { return math.Float32frombits(uint32(v)) }

// compile turns one statement into an instruction.
func (e *ptxEntry) compile(st string) (ptxInstr, error) {
	in := ptxInstr{text: st, guard: -1}
	if strings.HasPrefix(st, "@") {
		sp := strings.IndexByte(st, ' ')
		if sp < 0 {
			return in, fmt.Errorf("guard without instruction")
		}
		g := st[1:sp]
		if strings.HasPrefix(g, "!") {
			in.negate, g = true, g[1:]
		}
		slot, err := e.reg(g, classPred)
		if err != nil {
			return in, err
		}
		in.guard = slot
		st = strings.TrimSpace(st[sp+1:])
	}
	opcode, rest, _ := strings.Cut(st, " ")
	ops := splitOperands(rest)
	in.opcode, in.operand = opcode, ops
	parts := strings.Split(opcode, ".")
	var err error
	switch parts[0] {
	case "ret":
		if opcode != "ret" || len(ops) != 0 {
			return in, fmt.Errorf("bad ret")
		}
		in.isRet = true
		in.exec = func(th *ptxThread) error { th.pc = -1; return nil }
	case "bra":
		if (opcode != "bra" && opcode != "bra.uni") || len(ops) != 1 || !reIdent.MatchString(ops[0]) {
			return in, fmt.Errorf("bad branch")
		}
		if opcode == "bra.uni" && in.guard >= 0 {
			return in, fmt.Errorf("bra.uni with a guard: a divergent predicate makes it undefined; use bra")
		}
		in.branch = ops[0]
		label := ops[0]
		in.exec = func(th *ptxThread) error { th.pc = e.labels[label]; return nil }
	case "ld":
		err = e.compileLoad(&in, parts, ops)
	case "st":
		err = e.compileStore(&in, parts, ops)
	case "red":
		err = e.compileRed(&in, parts, ops)
	case "mov":
		err = e.compileMov(&in, parts, ops)
	case "cvta":
		if opcode != "cvta.to.global.u64" {
			return in, fmt.Errorf("unsupported %s", opcode)
		}
		if err = nargs(ops, 2); err != nil {
			return in, err
		}
		var d setter
		var a getter
		if d, err = e.dst(ops[0], 64, false); err != nil {
			return in, err
		}
		if a, err = e.src(ops[1], 64, false); err != nil {
			return in, err
		}
		// Generic and global addresses of device memory coincide on every GPU
		// CUDA supports; the simulator models that.
		in.exec = func(th *ptxThread) error { d(th, a(th)); return nil }
	case "cvt":
		err = e.compileCvt(&in, parts, ops)
	case "setp":
		err = e.compileSetp(&in, parts, ops)
	case "fma":
		if opcode != "fma.rn.f32" {
			return in, fmt.Errorf("unsupported %s (only fma.rn.f32)", opcode)
		}
		if err = nargs(ops, 4); err != nil {
			return in, err
		}
		d, err := e.dst(ops[0], 32, true)
		if err != nil {
			return in, err
		}
		var g [3]getter
		for i := range g {
			if g[i], err = e.src(ops[i+1], 32, true); err != nil {
				return in, err
			}
		}
		in.exec = func(th *ptxThread) error {
			r := th.fma(f32(g[0](th)), f32(g[1](th)), f32(g[2](th)))
			d(th, uint64(math.Float32bits(r)))
			return nil
		}
	default:
		err = e.compileALU(&in, parts, ops)
	}
	return in, err
}

func (e *ptxEntry) compileLoad(in *ptxInstr, parts, ops []string) error {
	// ld.param.T, ld.global.T, ld.volatile.global.T
	if len(parts) == 4 && parts[1] == "volatile" {
		parts = []string{"ld", parts[2], parts[3]}
	}
	if len(parts) != 3 || (parts[1] != "param" && parts[1] != "global") {
		return fmt.Errorf("unsupported %s", strings.Join(parts, "."))
	}
	if err := nargs(ops, 2); err != nil {
		return err
	}
	bits, float, err := typeBits(parts[2])
	if err != nil {
		return err
	}
	d, err := e.dst(ops[0], bits, float)
	if err != nil {
		return err
	}
	a, param, err := e.addr(ops[1])
	if err != nil {
		return err
	}
	if parts[1] == "param" {
		if param == "" {
			return fmt.Errorf("ld.param needs a parameter name")
		}
		for _, p := range e.params {
			if p.name == param && p.size*8 != bits {
				return fmt.Errorf("parameter %s is %d bytes, loaded as .%s", param, p.size, parts[2])
			}
		}
		in.exec = func(th *ptxThread) error { d(th, th.params[param]); return nil }
		return nil
	}
	if param != "" {
		return fmt.Errorf("ld.global of a parameter name")
	}
	in.exec = func(th *ptxThread) error {
		v, err := th.mem.load(a(th), bits/8)
		if err != nil {
			return err
		}
		d(th, v)
		return nil
	}
	return nil
}

func (e *ptxEntry) compileStore(in *ptxInstr, parts, ops []string) error {
	if len(parts) != 3 || parts[1] != "global" {
		return fmt.Errorf("unsupported %s", strings.Join(parts, "."))
	}
	if err := nargs(ops, 2); err != nil {
		return err
	}
	bits, float, err := typeBits(parts[2])
	if err != nil {
		return err
	}
	a, param, err := e.addr(ops[0])
	if err != nil || param != "" {
		return fmt.Errorf("bad store address %q", ops[0])
	}
	v, err := e.src(ops[1], bits, float)
	if err != nil {
		return err
	}
	in.exec = func(th *ptxThread) error { return th.mem.store(a(th), bits/8, v(th)) }
	return nil
}

func (e *ptxEntry) compileRed(in *ptxInstr, parts, ops []string) error {
	if len(parts) != 4 || parts[1] != "global" {
		return fmt.Errorf("unsupported %s", strings.Join(parts, "."))
	}
	if err := nargs(ops, 2); err != nil {
		return err
	}
	op, typ := parts[2], parts[3]
	valid := map[string]bool{"add.u64": true, "min.u64": true, "max.u64": true, "or.b64": true, "add.u32": true}
	if !valid[op+"."+typ] {
		return fmt.Errorf("unsupported red.global.%s.%s", op, typ)
	}
	bits, _, _ := typeBits(typ)
	a, param, err := e.addr(ops[0])
	if err != nil || param != "" {
		return fmt.Errorf("bad red address %q", ops[0])
	}
	v, err := e.src(ops[1], bits, false)
	if err != nil {
		return err
	}
	mask := uint64(math.MaxUint64)
	if bits == 32 {
		mask = math.MaxUint32
	}
	in.exec = func(th *ptxThread) error {
		ad := a(th)
		old, err := th.mem.load(ad, bits/8)
		if err != nil {
			return err
		}
		x := v(th)
		var n uint64
		switch op {
		case "add":
			n = (old + x) & mask
		case "min":
			n = min(old, x)
		case "max":
			n = max(old, x)
		case "or":
			n = old | x
		}
		return th.mem.store(ad, bits/8, n)
	}
	return nil
}

var specialRegs = map[string]func(th *ptxThread) uint64{
	"%tid.x":    func(th *ptxThread) uint64 { return uint64(th.tid) },
	"%ntid.x":   func(th *ptxThread) uint64 { return uint64(th.ntid) },
	"%ctaid.x":  func(th *ptxThread) uint64 { return uint64(th.ctaid) },
	"%nctaid.x": func(th *ptxThread) uint64 { return uint64(th.nctaid) },
}

func (e *ptxEntry) compileMov(in *ptxInstr, parts, ops []string) error {
	if len(parts) != 2 {
		return fmt.Errorf("unsupported %s", strings.Join(parts, "."))
	}
	if err := nargs(ops, 2); err != nil {
		return err
	}
	if parts[1] == "b32" {
		// Bit-size move: .b32 and .f32 registers on either side.
		ds, err := e.reg(ops[0], classB32, classF32)
		if err != nil {
			return err
		}
		var g getter
		if strings.HasPrefix(ops[1], "%") {
			ss, err := e.reg(ops[1], classB32, classF32)
			if err != nil {
				return err
			}
			g = func(th *ptxThread) uint64 { return th.regs[ss] }
		} else if g, err = e.src(ops[1], 32, false); err != nil {
			return err
		}
		in.exec = func(th *ptxThread) error { th.regs[ds] = g(th); return nil }
		return nil
	}
	bits, float, err := typeBits(parts[1])
	if err != nil {
		return err
	}
	d, err := e.dst(ops[0], bits, float)
	if err != nil {
		return err
	}
	if sp, ok := specialRegs[ops[1]]; ok {
		if parts[1] != "u32" {
			return fmt.Errorf("special register %s is read with mov.u32", ops[1])
		}
		in.exec = func(th *ptxThread) error { d(th, sp(th)); return nil }
		return nil
	}
	if strings.HasPrefix(ops[1], "%") && strings.Contains(ops[1], ".") {
		return fmt.Errorf("unsupported special register %s", ops[1])
	}
	g, err := e.src(ops[1], bits, float)
	if err != nil {
		return err
	}
	in.exec = func(th *ptxThread) error { d(th, g(th)); return nil }
	return nil
}

func (e *ptxEntry) compileCvt(in *ptxInstr, parts, ops []string) error {
	op := strings.Join(parts, ".")
	if op != "cvt.u64.u32" && op != "cvt.u32.u64" {
		return fmt.Errorf("unsupported %s", op)
	}
	if err := nargs(ops, 2); err != nil {
		return err
	}
	db, _, _ := typeBits(parts[1])
	sb, _, _ := typeBits(parts[2])
	d, err := e.dst(ops[0], db, false)
	if err != nil {
		return err
	}
	s, err := e.src(ops[1], sb, false)
	if err != nil {
		return err
	}
	in.exec = func(th *ptxThread) error { d(th, s(th)); return nil } // dst masks to 32 bits
	return nil
}

func (e *ptxEntry) compileSetp(in *ptxInstr, parts, ops []string) error {
	if len(parts) != 3 {
		return fmt.Errorf("unsupported %s", strings.Join(parts, "."))
	}
	if err := nargs(ops, 3); err != nil {
		return err
	}
	cmp, typ := parts[1], parts[2]
	if typ != "u32" && typ != "u64" {
		return fmt.Errorf("unsupported setp type .%s", typ)
	}
	bits, _, _ := typeBits(typ)
	p, err := e.reg(ops[0], classPred)
	if err != nil {
		return err
	}
	a, err := e.src(ops[1], bits, false)
	if err != nil {
		return err
	}
	b, err := e.src(ops[2], bits, false)
	if err != nil {
		return err
	}
	var f func(x, y uint64) bool
	switch cmp {
	case "eq":
		f = func(x, y uint64) bool { return x == y }
	case "ne":
		f = func(x, y uint64) bool { return x != y }
	case "lt":
		f = func(x, y uint64) bool { return x < y }
	case "ge":
		f = func(x, y uint64) bool { return x >= y }
	default:
		return fmt.Errorf("unsupported comparison .%s", cmp)
	}
	in.exec = func(th *ptxThread) error {
		th.regs[p] = 0
		if f(a(th), b(th)) {
			th.regs[p] = 1
		}
		return nil
	}
	return nil
}

// compileALU handles add/sub/mul/mad/xor/or/and/not/shl/shr.
func (e *ptxEntry) compileALU(in *ptxInstr, parts, ops []string) error {
	op := parts[0]
	name := strings.Join(parts, ".")
	typ := parts[len(parts)-1]
	mods := parts[1 : len(parts)-1]
	bits, float, err := typeBits(typ)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	mask := uint64(math.MaxUint64)
	if bits == 32 {
		mask = math.MaxUint32
	}
	modIs := func(want ...string) bool { return strings.Join(mods, ".") == strings.Join(want, ".") }
	nsrc := 2
	switch op {
	case "not":
		nsrc = 1
	case "mad":
		nsrc = 3
	}
	if err := nargs(ops, nsrc+1); err != nil {
		return err
	}
	dbits := bits
	if op == "mul" && modIs("wide") {
		if typ != "u32" {
			return fmt.Errorf("unsupported %s", name)
		}
		dbits = 64
	}
	d, err := e.dst(ops[0], dbits, float)
	if err != nil {
		return err
	}
	src := make([]getter, nsrc)
	for i := range src {
		sbits := bits
		if (op == "shl" || op == "shr") && i == 1 {
			sbits = 32 // shift amounts are .u32
		}
		if src[i], err = e.src(ops[i+1], sbits, float); err != nil {
			return err
		}
	}
	var f func(th *ptxThread) uint64
	switch {
	case float && op == "sub" && modIs("rn"):
		f = func(th *ptxThread) uint64 {
			return uint64(math.Float32bits(f32(src[0](th)) - f32(src[1](th))))
		}
	case float:
		return fmt.Errorf("unsupported %s (float arithmetic other than fma.rn/sub.rn)", name)
	case op == "add" && modIs():
		f = func(th *ptxThread) uint64 { return src[0](th) + src[1](th) }
	case op == "sub" && modIs():
		f = func(th *ptxThread) uint64 { return src[0](th) - src[1](th) }
	case op == "mul" && modIs("lo"):
		f = func(th *ptxThread) uint64 { return src[0](th) * src[1](th) }
	case op == "mul" && modIs("wide"):
		f = func(th *ptxThread) uint64 { return src[0](th) * src[1](th) } // both < 2^32: exact in 64 bits
	case op == "mad" && modIs("lo"):
		f = func(th *ptxThread) uint64 { return src[0](th)*src[1](th) + src[2](th) }
	case op == "xor" && modIs() && typ[0] == 'b':
		f = func(th *ptxThread) uint64 { return src[0](th) ^ src[1](th) }
	case op == "or" && modIs() && typ[0] == 'b':
		f = func(th *ptxThread) uint64 { return src[0](th) | src[1](th) }
	case op == "and" && modIs() && typ[0] == 'b':
		f = func(th *ptxThread) uint64 { return src[0](th) & src[1](th) }
	case op == "not" && modIs() && typ[0] == 'b':
		f = func(th *ptxThread) uint64 { return ^src[0](th) }
	case op == "shl" && modIs() && typ[0] == 'b':
		f = func(th *ptxThread) uint64 {
			n := src[1](th)
			if n >= uint64(bits) { // PTX clamps shift amounts to the width
				return 0
			}
			return src[0](th) << n
		}
	case op == "shr" && modIs() && typ[0] == 'u':
		f = func(th *ptxThread) uint64 {
			n := src[1](th)
			if n >= uint64(bits) {
				return 0
			}
			return src[0](th) >> n
		}
	default:
		return fmt.Errorf("unsupported instruction %s", name)
	}
	in.exec = func(th *ptxThread) error { d(th, f(th)&mask); return nil }
	return nil
}

// launch runs entry over a 1-D grid. args are the parameter values in
// declaration order (u32 parameters in the low half). fma is the FMA the
// "hardware" computes (fma32, or a faulty one).
func (e *ptxEntry) launch(grid, block uint32, args []uint64, mem simMem, fma func(a, b, c float32) float32) error {
	if len(args) != len(e.params) {
		return fmt.Errorf("%s: %d arguments for %d parameters", e.name, len(args), len(e.params))
	}
	params := map[string]uint64{}
	for i, p := range e.params {
		v := args[i]
		if p.size == 4 {
			v &= math.MaxUint32
		}
		params[p.name] = v
	}
	th := &ptxThread{regs: make([]uint64, len(e.class)), params: params, mem: mem, fma: fma, ntid: block, nctaid: grid}
	const maxSteps = 1 << 31
	for b := uint32(0); b < grid; b++ {
		for t := uint32(0); t < block; t++ {
			clear(th.regs)
			th.tid, th.ctaid, th.pc = t, b, 0
			for steps := 0; th.pc >= 0; steps++ {
				if th.pc >= len(e.code) {
					return fmt.Errorf("%s: ran off the end of the code", e.name)
				}
				if steps > maxSteps {
					return fmt.Errorf("%s: thread %d.%d does not terminate", e.name, b, t)
				}
				in := &e.code[th.pc]
				th.pc++
				if in.guard >= 0 && (th.regs[in.guard] != 0) == in.negate {
					continue
				}
				if err := in.exec(th); err != nil {
					return fmt.Errorf("%s: thread %d.%d: %q: %w", e.name, b, t, in.text, err)
				}
			}
		}
	}
	return nil
}
