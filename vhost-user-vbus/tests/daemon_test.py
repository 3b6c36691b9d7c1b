#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""vhost-user-vbus-test as a process, without QEMU: it serves front-ends
one after the other (a front-end that goes is not the end of the daemon),
answers the vhost-user handshake with the device's features and protocol
features, ends cleanly on SIGTERM, and refuses options out of range.
TAP on stdout.

Usage: daemon_test.py DAEMON
"""

import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

GET_FEATURES, GET_PROTOCOL_FEATURES = 1, 15
VERSION = 0x1
F_VERSION_1, F_PROTOCOL_FEATURES = 32, 30
P_CONFIG, P_RESET_DEVICE = 9, 13

results = []


def ok(cond, name):
    results.append((bool(cond), name))


def connect(path):
    end = time.monotonic() + 10
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            s.settimeout(10)
            return s
        except OSError:
            s.close()
            if time.monotonic() > end:
                raise
            time.sleep(0.05)


def get_u64(s, request):
    s.sendall(struct.pack("<III", request, VERSION, 0))
    hdr = s.recv(12, socket.MSG_WAITALL)
    req, flags, size = struct.unpack("<III", hdr)
    body = s.recv(size, socket.MSG_WAITALL)
    return req, struct.unpack("<Q", body)[0] if size == 8 else None


def bad_options(daemon, d):
    """An option out of range: exit 2 with a message, no socket."""
    path = os.path.join(d, "bad.sock")
    for opt in (["--poll-us", "-1"], ["--poll-us", "10001"],
                ["--max-calls", "0"]):
        r = subprocess.run([daemon, "--socket-path", path] + opt,
                           capture_output=True, timeout=10)
        ok(r.returncode == 2 and r.stderr and not os.path.exists(path),
           "%s: exit 2 with a message" % " ".join(opt))


def main():
    daemon = sys.argv[1]
    with tempfile.TemporaryDirectory() as d:
        bad_options(daemon, d)
        path = os.path.join(d, "vbus.sock")
        p = subprocess.Popen([daemon, "--socket-path", path],
                             stderr=subprocess.PIPE)
        try:
            for i in (1, 2, 3):
                try:
                    s = connect(path)
                except OSError as e:
                    ok(False, "front-end %d connects: %s" % (i, e))
                    break
                req, f = get_u64(s, GET_FEATURES)
                ok(req == GET_FEATURES and f is not None and
                   f & (1 << F_VERSION_1) and f & (1 << F_PROTOCOL_FEATURES),
                   "front-end %d: GET_FEATURES offers VERSION_1" % i)
                req, pf = get_u64(s, GET_PROTOCOL_FEATURES)
                ok(pf is not None and pf & (1 << P_CONFIG) and
                   pf & (1 << P_RESET_DEVICE),
                   "front-end %d: CONFIG and RESET_DEVICE offered" % i)
                s.close()
                time.sleep(0.2)
                ok(p.poll() is None,
                   "front-end %d went: the daemon still runs" % i)
            p.send_signal(signal.SIGTERM)
            ok(p.wait(10) == 0, "SIGTERM: exit 0")
            ok(not os.path.exists(path), "the socket is removed")
        finally:
            if p.poll() is None:
                p.kill()
            err = p.stderr.read().decode(errors="replace")
    print("TAP version 13")
    print("1..%d" % len(results))
    for n, (good, name) in enumerate(results, 1):
        print("%s %d %s" % ("ok" if good else "not ok", n, name))
    for line in err.splitlines():
        print("# daemon: " + line)
    sys.exit(0 if all(g for g, _ in results) else 1)


if __name__ == "__main__":
    main()
