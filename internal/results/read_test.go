package results

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// List pages through every object under the prefix (and only those); Get
// streams an object, refuses one over the cap, and explains a missing one.
func TestListAndGet(t *testing.T) {
	s := newStore(t)
	s.start()
	cl := s.client(testAccess, testSecret)
	put := func(key, body string) {
		t.Helper()
		if _, err := cl.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 5; i++ {
		put(fmt.Sprintf("fleet/dc1/S%d/20261206T142854Z/bee-audit.json", i), strings.Repeat("x", 10+i))
	}
	put("fleet/dc10/S9/20261206T142854Z/bee-audit.json", "another prefix")
	put("other", "y")
	old := listPage
	listPage = 2
	t.Cleanup(func() { listPage = old })

	st := NewS3Store(s.config("http://"+s.Addr, testSecret))
	objs, err := st.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 5 {
		t.Fatalf("%d objects: %+v", len(objs), objs)
	}
	for i, o := range objs {
		if o.Key != fmt.Sprintf("fleet/dc1/S%d/20261206T142854Z/bee-audit.json", i) || o.Size != int64(10+i) || o.Modified.IsZero() {
			t.Errorf("object %d: %+v", i, o)
		}
	}

	var b bytes.Buffer
	n, err := st.Get(context.Background(), objs[4].Key, 14, time.Minute, &b)
	if err != nil || n != 14 || b.String() != strings.Repeat("x", 14) {
		t.Errorf("get: %d %v %q", n, err, b.String())
	}
	b.Reset()
	if _, err := st.Get(context.Background(), objs[4].Key, 13, time.Minute, &b); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the cap: %v", err)
	}
	if _, err := st.Get(context.Background(), "fleet/dc1/none", 100, time.Minute, &b); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing object: %v", err)
	}
}

// A store that accepts the connection and never answers: List and Get give up
// after their timeout with a message that says so.
func TestListAndGetTimeOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never answered
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}()
	old := listTimeout
	listTimeout = 300 * time.Millisecond
	t.Cleanup(func() { listTimeout = old })
	st := NewS3Store(Config{Endpoint: "http://" + l.Addr().String(), Region: "us-east-1", Bucket: "b", Prefix: "p"})
	if _, err := st.List(context.Background()); err == nil || !strings.Contains(err.Error(), "no answer to the listing within 300ms") {
		t.Errorf("list: %v", err)
	}
	var b bytes.Buffer
	if _, err := st.Get(context.Background(), "p/k", 10, 300*time.Millisecond, &b); err == nil || !strings.Contains(err.Error(), "not read within 300ms") {
		t.Errorf("get: %v", err)
	}
}
