#!/usr/bin/env python3
"""serial-drive.py: drive the bee menu over an emulated serial console (iso/test/vm-test.sh).

  serial-drive.py --tui SOCKET --log FILE --serial SN [--menu SOCKET --menu-log FILE] [--timeout S]

Connects to QEMU serial ports exposed as unix sockets (-serial unix:PATH,server=on).
With --menu, first drives the boot menu on that port: waits for the entry
"serial console on ttyS1 (COM2)", moves the selection onto it (arrow down) and boots it.
Then, on the --tui port: waits for the bee menu showing this machine's serial number SN,
presses arrow-down and expects the selection marker on the next entry (">i Inventory"),
presses c and expects the QR code (block characters) or its fallback text, presses q
twice (QR screen, then the menu) and expects the shell that the menu leaves to; runs
`echo` there. Everything read is appended to the log files. One line per step:
PASS ... / FAIL ...; exit 0 when every step passed.
"""
import argparse
import os
import re
import socket
import sys
import threading
import time

ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78cDEHMNOZ]")


class Port:
    def __init__(self, path, log, deadline):
        self.buf = b""
        self.lock = threading.Lock()
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        self.log = open(log, "ab", buffering=0)
        threading.Thread(target=self.reader, daemon=True).start()

    def reader(self):
        while True:
            try:
                b = self.s.recv(4096)
            except OSError:
                return
            if not b:
                return
            self.log.write(b)
            with self.lock:
                self.buf += b

    def mark(self):
        with self.lock:
            return len(self.buf)

    def text(self, since=0):
        with self.lock:
            raw = self.buf[since:]
        return ANSI.sub(b"", raw).replace(b"\r", b"").decode("utf-8", "replace")

    def wait(self, pred, timeout, since=0):
        end = time.time() + timeout
        while time.time() < end:
            if pred(self.text(since)):
                return True
            time.sleep(0.5)
        return pred(self.text(since))

    def send(self, data):
        self.s.sendall(data)


fails = 0


def step(ok, what, port=None, since=0):
    global fails
    if ok:
        print("PASS " + what, flush=True)
    else:
        fails += 1
        print("FAIL " + what, flush=True)
        if port is not None:
            tail = port.text(since)[-600:]
            print("    last text: " + repr(tail), flush=True)
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tui", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--serial", required=True)
    ap.add_argument("--menu")
    ap.add_argument("--menu-log")
    ap.add_argument("--label", default="tty")
    ap.add_argument("--timeout", type=float, default=1500)
    a = ap.parse_args()
    deadline = time.time() + a.timeout
    left = lambda: max(1.0, deadline - time.time())
    L = a.label

    if a.menu:
        m = Port(a.menu, a.menu_log, deadline)
        if not step(m.wait(lambda t: "COM2" in t, min(left(), 300)),
                    L + ": boot menu on the first serial port offers 'serial console on ttyS1 (COM2)'", m):
            return 1
        time.sleep(0.5)
        m.send(b"\x1b[B")
        time.sleep(1)
        m.send(b"\r")
        print("    boot menu: sent arrow-down, Enter", flush=True)
    t = Port(a.tui, a.log, deadline)
    if not step(t.wait(lambda x: a.serial in x and "Quit to shell" in x, left()),
                L + ": the bee menu with this machine's serial number " + a.serial, t):
        return 1
    time.sleep(3)  # let the first screen settle
    since = t.mark()
    t.send(b"\x1b[B")
    step(t.wait(lambda x: re.search(r">\s*i\s+Inventory", x) is not None, 30, since),
         L + ": arrow-down moves the selection to 'i Inventory'", t, since)
    since = t.mark()
    t.send(b"c")
    step(t.wait(lambda x: "\u2588" in x or "QR code needs" in x or "QR code unavailable" in x, 60, since),
         L + ": c shows the QR code (or its fallback)", t, since)
    qr = t.text(since)
    if "The QR code needs" in qr:
        print("    QR fallback: " + qr[qr.index("The QR code needs"):][:100].splitlines()[0], flush=True)
    elif "\u2588" in qr:
        print("    QR code drawn with block characters", flush=True)
    since = t.mark()
    t.send(b"q")
    time.sleep(2)
    t.send(b"q")
    step(t.wait(lambda x: "Left the bee menu" in x, 60, since),
         L + ": q, q leave the menu for a shell", t, since)
    since = t.mark()
    t.send(b"echo BEE_SHELL_$((6*7)) $(id -un) $(tty)\r")
    ok = t.wait(lambda x: re.search(r"BEE_SHELL_42 bee /dev/ttyS\d", x) is not None, 30, since)
    m2 = re.search(r"BEE_SHELL_42 bee (/dev/ttyS\d)", t.text(since))
    step(ok, L + ": a shell of user bee on " + (m2.group(1) if m2 else "the serial console"), t, since)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
