// Command qrtext prints the QR summary text (internal/qrsum) of an audit JSON
// and, given what `bee audit` printed, checks that the QR code printed there
// encodes exactly that text. iso/test/vm-test.sh uses it to read the QR text
// of an audit made on the VM over SSH:
//
//	go run ./iso/test/qrtext AUDIT.json [BEE-AUDIT-STDOUT]
//
// Exit 0: text printed (and, with the second file, its QR code found there);
// 1: the QR code is not there; 2: usage or unreadable input.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/qrsum"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if len(args) < 1 || len(args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: qrtext AUDIT.json [BEE-AUDIT-STDOUT]")
		return 2
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "qrtext:", err)
		return 2
	}
	var a audit.Audit
	if err := json.Unmarshal(data, &a); err != nil {
		fmt.Fprintf(os.Stderr, "qrtext: %s: %v\n", args[0], err)
		return 2
	}
	text := qrsum.Text(&a, data)
	fmt.Println(text)
	if len(args) == 1 {
		return 0
	}
	out, err := os.ReadFile(args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "qrtext:", err)
		return 2
	}
	code, err := qrsum.Render(text)
	if err != nil {
		fmt.Fprintln(os.Stderr, "qrtext:", err)
		return 2
	}
	if !strings.Contains(string(out), code) {
		fmt.Fprintf(os.Stderr, "qrtext: %s does not show the QR code of this text\n", args[1])
		return 1
	}
	return 0
}
