package results

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/beeaudit/bee/internal/testtools/s3server"
)

// The S3 tests run against versitygw (Apache-2.0), a real S3 gateway over a plain
// folder: internal/testtools/s3server. Without it they skip, except with
// BEE_REQUIRE_S3=1 (CI), where they fail.

const (
	testAccess = s3server.Access
	testSecret = s3server.Secret
	testBucket = s3server.Bucket
)

// testStore is a versitygw (not started until start) and its test.
type testStore struct {
	*s3server.Server
	t *testing.T
}

// newStore prepares a store on a free port; start() runs it.
func newStore(t *testing.T) *testStore {
	return &testStore{Server: s3server.New(t), t: t}
}

func (s *testStore) start() { s.Start() }

func (s *testStore) config(endpoint, secret string) Config {
	return Config{Endpoint: endpoint, Region: "us-east-1", Bucket: testBucket, Prefix: "fleet/dc1", AccessKey: testAccess, SecretKey: secret}
}

func (s *testStore) client(access, secret string) *s3.Client {
	return NewS3Store(Config{Endpoint: s.URL(), Region: "us-east-1", Bucket: testBucket, AccessKey: access, SecretKey: secret, CAPEM: s.CAPEM}).client
}

func (s *testStore) get(key string) ([]byte, map[string]string, error) {
	out, err := s.client(testAccess, testSecret).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
	if err != nil {
		return nil, nil, err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return b, out.Metadata, err
}

func (s *testStore) keys() []string {
	out, err := s.client(testAccess, testSecret).ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(testBucket)})
	if err != nil {
		s.t.Fatal(err)
	}
	var k []string
	for _, o := range out.Contents {
		k = append(k, *o.Key)
	}
	return k
}

// machine lays out results as on the live ISO: the audit and a sat dir with one
// archive of size n (random bytes) and a .partial- file that must never be taken.
type machine struct {
	audit, satDir, archive string
	archiveData            []byte
}

func newMachine(t *testing.T, n int) machine {
	t.Helper()
	d := t.TempDir()
	m := machine{audit: filepath.Join(d, "bee-audit.json"), satDir: filepath.Join(d, "bee-sat")}
	b, err := os.ReadFile("testdata/bee-audit.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(m.audit, b, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(m.satDir, 0o755)
	m.archiveData = make([]byte, n)
	rand.Read(m.archiveData)
	m.archive = filepath.Join(m.satDir, "nvidia-S309085X0B18791-20261206T142854Z.tar.gz")
	if err := os.WriteFile(m.archive, m.archiveData, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(m.satDir, ".partial-memory-x.tar.gz-123"), []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	mt := time.Date(2026, 12, 6, 14, 28, 54, 0, time.UTC)
	os.Chtimes(m.audit, mt, mt)
	os.Chtimes(m.archive, mt.Add(time.Hour), mt.Add(time.Hour))
	return m
}

// clock is a settable now() so that backoff can be skipped without sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newDaemon(t *testing.T, m machine, store Store, c *clock) (*Daemon, *[]string) {
	t.Helper()
	sp, err := OpenSpool(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	var logs []string
	d := &Daemon{Spool: sp, Store: store, AuditFile: m.audit, SatDir: m.satDir, Now: c.now,
		Log: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }}
	return d, &logs
}

func (d *Daemon) once(t *testing.T) DrainResult {
	t.Helper()
	var logs []string
	note := func(key, msg string) {
		if msg != "" {
			logs = append(logs, msg)
		}
	}
	return d.Once(context.Background(), d.Log, note)
}

const wantAuditKey = "fleet/dc1/S309085X0B18791/20261206T142854Z/bee-audit.json"
const wantArchiveKey = "fleet/dc1/S309085X0B18791/20261206T152854Z/nvidia-S309085X0B18791-20261206T142854Z.tar.gz"

func TestUploadToRealStore(t *testing.T) {
	st := newStore(t)
	st.start()
	m := newMachine(t, 200<<10)
	c := &clock{t: time.Now()}
	d, _ := newDaemon(t, m, NewS3Store(st.config("http://"+st.Addr, testSecret)), c)
	auditBefore, _ := os.ReadFile(m.audit)

	r := d.once(t)
	if r.Uploaded != 2 || r.Failed != 0 {
		t.Fatalf("drain: %+v", r)
	}
	if diff := strings.Join(st.keys(), "\n"); diff != wantAuditKey+"\n"+wantArchiveKey {
		t.Fatalf("objects:\n%s", diff)
	}
	body, meta, err := st.get(wantArchiveKey)
	if err != nil || !bytes.Equal(body, m.archiveData) {
		t.Fatalf("archive in store differs (err %v)", err)
	}
	if meta["serial"] != "S309085X0B18791" || meta["model"] != "SYS-4029GP-TRT2" || meta["bee-version"] != "dev" || meta["kind"] != "sat" {
		t.Errorf("archive metadata: %v", meta)
	}
	body, meta, err = st.get(wantAuditKey)
	if err != nil || !bytes.Equal(body, auditBefore) {
		t.Fatalf("audit in store differs (err %v)", err)
	}
	if meta["verdict"] != "fail" || meta["kind"] != "audit" {
		t.Errorf("audit metadata: %v", meta)
	}
	// Nothing is deleted locally; nothing is uploaded twice; the spool is empty.
	if after, _ := os.ReadFile(m.audit); !bytes.Equal(after, auditBefore) {
		t.Error("the audit changed")
	}
	if _, err := os.Stat(m.archive); err != nil {
		t.Errorf("archive gone: %v", err)
	}
	if r := d.once(t); r.Uploaded != 0 {
		t.Errorf("second pass uploaded again: %+v", r)
	}
	if p, _ := d.Spool.Pending(); len(p) != 0 {
		t.Errorf("pending after upload: %v", p)
	}
	done, _ := d.Spool.Done()
	if len(done) != 2 || done[0].Object == "" || done[0].Uploaded == nil {
		t.Errorf("done: %+v", done)
	}
	// A new audit (same path, new content) is a new object under its own time.
	mt := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	os.WriteFile(m.audit, append(auditBefore, ' '), 0o644)
	os.Chtimes(m.audit, mt, mt)
	if r := d.once(t); r.Uploaded != 1 {
		t.Fatalf("re-run audit: %+v", r)
	}
	if k := st.keys(); len(k) != 3 || k[0] != wantAuditKey || !strings.Contains(strings.Join(k, " "), "/20261207T090000Z/bee-audit.json") {
		t.Errorf("objects after a re-run audit: %v", k)
	}
}

func TestStoreDownAtStartThenUp(t *testing.T) {
	st := newStore(t) // not started: the port is closed, as with no network at boot
	m := newMachine(t, 10<<10)
	c := &clock{t: time.Now()}
	d, _ := newDaemon(t, m, NewS3Store(st.config("http://"+st.Addr, testSecret)), c)
	for i := 1; i <= 3; i++ {
		r := d.once(t)
		if r.Uploaded != 0 || r.Failed != 2 {
			t.Fatalf("pass %d with the store down: %+v", i, r)
		}
		p, _ := d.Spool.Pending()
		if len(p) != 2 || p[0].Attempts != i || !strings.Contains(p[0].LastError, "not reachable") {
			t.Fatalf("pending after pass %d: %+v", i, p)
		}
		// Not due before its backoff: nothing is tried, nothing is blocked.
		if r := d.once(t); r.Failed != 0 || r.Waiting != 2 {
			t.Fatalf("retried before the backoff: %+v", r)
		}
		c.add(10 * time.Minute)
	}
	st.start()
	if r := d.once(t); r.Uploaded != 2 {
		t.Fatalf("store up: %+v", r)
	}
	if len(st.keys()) != 2 {
		t.Fatalf("objects: %v", st.keys())
	}
}

// faultProxy sits between bee and the store: it can answer 500 to the first PUTs or cut
// the connection half way through a request body.
type faultProxy struct {
	fail500 atomic.Int32 // PUTs still to answer with 500
	puts    atomic.Int32
	addr    string
}

func startProxy(t *testing.T, upstream string) *faultProxy {
	t.Helper()
	p := &faultProxy{}
	u, _ := url.Parse("http://" + upstream)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			p.puts.Add(1)
			if p.fail500.Load() > 0 {
				p.fail500.Add(-1)
				io.Copy(io.Discard, r.Body)
				w.WriteHeader(http.StatusInternalServerError)
				io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected by the test</Message></Error>`)
				return
			}
		}
		rp.ServeHTTP(w, r)
	}), ReadHeaderTimeout: 10 * time.Second}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return p
}

// cutProxy forwards TCP both ways; while cut > 0 it passes only that many bytes from
// bee to the store on each connection and then closes both sides, as a cable pulled
// half way through an upload does.
type cutProxy struct {
	cut  atomic.Int64
	addr string
}

func startCutProxy(t *testing.T, upstream string) *cutProxy {
	t.Helper()
	p := &cutProxy{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = l.Addr().String()
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				u, err := net.DialTimeout("tcp", upstream, 5*time.Second)
				if err != nil {
					return
				}
				defer u.Close()
				go io.Copy(c, u)
				if n := p.cut.Load(); n > 0 {
					io.CopyN(u, c, n)
					return // both closed by the defers
				}
				io.Copy(u, c)
			}()
		}
	}()
	return p
}

func TestServerErrorsThenSuccess(t *testing.T) {
	st := newStore(t)
	st.start()
	px := startProxy(t, st.Addr)
	px.fail500.Store(3)
	m := newMachine(t, 10<<10)
	os.Remove(m.archive) // the audit alone: attempts are counted per item
	c := &clock{t: time.Now()}
	d, _ := newDaemon(t, m, NewS3Store(st.config("http://"+px.addr, testSecret)), c)
	for i := 1; i <= 3; i++ {
		if r := d.once(t); r.Failed != 1 {
			t.Fatalf("pass %d: %+v", i, r)
		}
		p, _ := d.Spool.Pending()
		if !strings.Contains(p[0].LastError, "HTTP 500") {
			t.Errorf("last error: %q", p[0].LastError)
		}
		if s, _ := d.Spool.State(); !strings.Contains(s.LastError, "HTTP 500 InternalError") {
			t.Errorf("state: %+v", s)
		}
		c.add(10 * time.Minute)
	}
	if r := d.once(t); r.Uploaded != 1 {
		t.Fatalf("after the errors: %+v", r)
	}
	done, _ := d.Spool.Done()
	if len(done) != 1 || done[0].Attempts != 4 || done[0].LastError != "" {
		t.Errorf("done: %+v", done)
	}
	if px.puts.Load() != 4 {
		t.Errorf("%d PUTs, want 4", px.puts.Load())
	}
}

func TestWrongCredentialsKeptAndNeverPrinted(t *testing.T) {
	st := newStore(t)
	st.start()
	m := newMachine(t, 1<<10)
	c := &clock{t: time.Now()}
	const wrong = "wrong-secret-must-not-appear"
	d, logs := newDaemon(t, m, NewS3Store(st.config("http://"+st.Addr, wrong)), c)
	if r := d.once(t); r.Failed != 2 {
		t.Fatalf("drain: %+v", r)
	}
	p, _ := d.Spool.Pending()
	if len(p) != 2 || !strings.Contains(p[0].LastError, "refused the credentials") || !strings.Contains(p[0].LastError, "/etc/bee/upload.yaml") {
		t.Fatalf("pending: %+v", p)
	}
	if len(st.keys()) != 0 {
		t.Error("objects stored with wrong credentials")
	}
	// The secret is nowhere in the spool, the logs or the status text.
	var status bytes.Buffer
	WriteStatus(&status, d.Spool, st.config("http://"+st.Addr, wrong), nil, c.now())
	filepath.WalkDir(d.Spool.Dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(wrong)) || bytes.Contains(b, []byte(testSecret)) {
				t.Errorf("%s holds the secret", p)
			}
		}
		return nil
	})
	all := status.String() + strings.Join(*logs, "\n")
	if strings.Contains(all, wrong) {
		t.Errorf("secret printed:\n%s", all)
	}
	if !strings.Contains(status.String(), "2 pending") || !strings.Contains(status.String(), "refused the credentials") {
		t.Errorf("status:\n%s", status.String())
	}
}

func TestConnectionCutMidUploadLeavesNoObject(t *testing.T) {
	st := newStore(t)
	st.start()
	px := startCutProxy(t, st.Addr)
	px.cut.Store(300 << 10)
	m := newMachine(t, 1<<20)
	os.Remove(m.audit) // the archive alone
	c := &clock{t: time.Now()}
	store := NewS3Store(st.config("http://"+px.addr, testSecret))
	d, _ := newDaemon(t, m, store, c)
	if r := d.once(t); r.Failed != 1 || r.Uploaded != 0 {
		t.Fatalf("cut upload: %+v", r)
	}
	p, _ := d.Spool.Pending()
	if len(p) != 1 {
		t.Fatalf("pending: %+v", p)
	}
	t.Logf("cut: %s", p[0].LastError)
	if _, found, err := store.Head(context.Background(), p[0]); err != nil || found {
		t.Fatalf("after a cut upload the object exists=%v (err %v)", found, err)
	}
	if k := st.keys(); len(k) != 0 {
		t.Fatalf("objects after a cut upload: %v", k)
	}
	px.cut.Store(0)
	c.add(10 * time.Minute)
	if r := d.once(t); r.Uploaded != 1 {
		t.Fatalf("retry: %+v", r)
	}
	body, _, err := st.get("fleet/dc1/" + p[0].Key)
	if err != nil || !bytes.Equal(body, m.archiveData) {
		t.Fatalf("archive after retry differs (err %v)", err)
	}
}

func TestStoreVerifiesTheChecksum(t *testing.T) {
	st := newStore(t)
	st.start()
	m := newMachine(t, 64<<10)
	os.Remove(m.audit)
	c := &clock{t: time.Now()}
	d, _ := newDaemon(t, m, NewS3Store(st.config("http://"+st.Addr, testSecret)), c)
	if _, err := d.Spool.Enqueue(Source{Path: m.archive, Kind: "sat"}, Identity{Serial: "S1"}, c.now()); err != nil {
		t.Fatal(err)
	}
	p, _ := d.Spool.Pending()
	// Damage the spooled copy after its checksums were taken: the store must refuse it.
	data := filepath.Join(d.Spool.Dir, "pending", p[0].ID, "data")
	b, _ := os.ReadFile(data)
	b[100] ^= 0xff
	os.WriteFile(data, b, 0o600)
	r, err := d.Spool.Drain(context.Background(), d.Store, c.now, 0)
	if err != nil || r.Failed != 1 {
		t.Fatalf("drain: %+v %v", r, err)
	}
	p, _ = d.Spool.Pending()
	t.Logf("damaged copy: %s", p[0].LastError)
	if !strings.Contains(p[0].LastError, "checksum") && !strings.Contains(p[0].LastError, "Digest") {
		t.Errorf("last error: %q", p[0].LastError)
	}
	if k := st.keys(); len(k) != 0 {
		t.Fatalf("damaged object stored: %v", k)
	}
}
