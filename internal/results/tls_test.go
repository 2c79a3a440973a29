package results

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testCA makes a CA and a server certificate for 127.0.0.1 signed by it; it writes the
// server's cert and key to dir and returns their paths and the CA in PEM.
func testCA(t *testing.T, dir string) (certFile, keyFile, caPEM string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bee test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srv := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}
	caCert, _ := x509.ParseCertificate(caDER)
	srvDER, err := x509.CreateCertificate(rand.Reader, srv, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(srvKey)
	certFile, keyFile = filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certFile, keyFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}))
}

// A store behind an in-house CA: refused with a clear message without ca_pem, uploads
// with it (and ca_pem from the config file is what LoadConfig reads).
func TestHTTPSStoreWithInHouseCA(t *testing.T) {
	st := newStore(t)
	st.CertFile, st.KeyFile, st.CAPEM = testCA(t, t.TempDir())
	st.start()
	m := newMachine(t, 8<<10)
	os.Remove(m.archive)
	c := &clock{t: time.Now()}

	cfg := st.config("https://"+st.Addr, testSecret)
	d, _ := newDaemon(t, m, NewS3Store(cfg), c)
	if r := d.once(t); r.Failed != 1 {
		t.Fatalf("untrusted CA: %+v", r)
	}
	p, _ := d.Spool.Pending()
	if !strings.Contains(p[0].LastError, "TLS certificate is not trusted") || !strings.Contains(p[0].LastError, "ca_pem") {
		t.Errorf("last error: %q", p[0].LastError)
	}

	file := writeConfig(t, "url: s3://"+testBucket+"/fleet/dc1\nendpoint: https://"+st.Addr+"\naccess_key: "+testAccess+"\nsecret_key: "+testSecret+"\nca_pem: |\n  "+strings.ReplaceAll(strings.TrimSpace(st.CAPEM), "\n", "\n  ")+"\n", 0o600)
	cfg, _, err := LoadConfig(file, "")
	if err != nil {
		t.Fatal(err)
	}
	d.Store = NewS3Store(cfg)
	c.add(10 * time.Minute)
	if r := d.once(t); r.Uploaded != 1 {
		p, _ := d.Spool.Pending()
		t.Fatalf("with ca_pem: %+v %+v", r, p)
	}
	if k := st.keys(); len(k) != 1 || k[0] != wantAuditKey {
		t.Errorf("objects: %v", k)
	}
}

func TestCAPEMMustHoldACertificate(t *testing.T) {
	p := writeConfig(t, "url: s3://b\nca_pem: not a certificate\n", 0o600)
	if _, _, err := LoadConfig(p, ""); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("err %v", err)
	}
}
