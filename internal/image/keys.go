package image

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
)

// Key is one public key of an authorized_keys file.
type Key struct {
	Type        string // "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", ...
	Fingerprint string // "SHA256:..." as ssh-keygen -lf prints it
	Comment     string `json:",omitempty"`
	Options     string `json:",omitempty"` // "from=...,command=..." before the key type, if any
}

var keyTypes = map[string]bool{
	"ssh-ed25519": true, "ssh-rsa": true, "ssh-dss": true,
	"ecdsa-sha2-nistp256": true, "ecdsa-sha2-nistp384": true, "ecdsa-sha2-nistp521": true,
	"sk-ssh-ed25519@openssh.com": true, "sk-ecdsa-sha2-nistp256@openssh.com": true,
	"ssh-ed25519-cert-v01@openssh.com": true, "ssh-rsa-cert-v01@openssh.com": true,
	"ecdsa-sha2-nistp256-cert-v01@openssh.com": true,
}

// ParseAuthorizedKeys reads an OpenSSH authorized_keys file (sshd(8) AUTHORIZED_KEYS
// FILE FORMAT): one key per line, optionally preceded by options; blank lines and
// lines starting with # are ignored. Any other line that is not a well-formed key is
// an error: sshd would skip it silently, and an operator would believe a key is
// installed that is not.
func ParseAuthorizedKeys(data []byte) ([]Key, error) {
	var keys []Key
	for i, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimSpace(strings.TrimRight(string(raw), "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := parseKeyLine(line)
		if err != nil {
			return nil, fmt.Errorf("authorized_keys line %d: %w", i+1, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func parseKeyLine(line string) (Key, error) {
	var k Key
	typ, rest := splitField(line)
	if !keyTypes[typ] {
		// Options come first; they may hold quoted spaces.
		opts, after, err := splitOptions(line)
		if err != nil {
			return k, err
		}
		k.Options = opts
		typ, rest = splitField(after)
		if !keyTypes[typ] {
			return k, fmt.Errorf("no known key type (ssh-ed25519, ssh-rsa, ecdsa-sha2-*, ...) in %q", short(line))
		}
	}
	b64, comment := splitField(rest)
	blob, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(blob) < 4 {
		return k, fmt.Errorf("the %s key is not valid base64", typ)
	}
	n := binary.BigEndian.Uint32(blob)
	if uint64(n)+4 > uint64(len(blob)) || string(blob[4:4+n]) != typ {
		return k, fmt.Errorf("the %s key's data does not match its type", typ)
	}
	sum := sha256.Sum256(blob)
	k.Type = typ
	k.Fingerprint = "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
	k.Comment = strings.TrimSpace(comment)
	return k, nil
}

func splitField(s string) (string, string) {
	s = strings.TrimLeft(s, " \t")
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimLeft(s[i+1:], " \t")
}

// splitOptions cuts the options field (up to the first space outside double quotes).
func splitOptions(s string) (string, string, error) {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && inQuote && i+1 < len(s):
			i++
		case s[i] == '"':
			inQuote = !inQuote
		case (s[i] == ' ' || s[i] == '\t') && !inQuote:
			return s[:i], s[i+1:], nil
		}
	}
	return "", "", fmt.Errorf("no key after the options in %q", short(s))
}

func short(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
