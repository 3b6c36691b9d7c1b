#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests qmp_agent.py against a stand-in for QEMU's QMP socket: answers
carry the request's id, only the allow-list runs, DEVICE_DELETED waits
work, and no bad request (not JSON, wrong types, NaN, deep nesting, an
over-long line) kills the agent or goes unanswered; x-migrate is there
only where the runner gives QEMU's command line. Prints TAP."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))


def server(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(1)
    return s


def fake_qemu(f, seen):
    """Answers every command with its name; device_del also sends the
    child's and the device's DEVICE_DELETED, as QEMU does."""
    f.write('{"QMP": {"version": {}, "capabilities": []}}\n')
    f.flush()
    for line in f:
        try:
            req = json.loads(line)
        except ValueError:
            f.write('{"error": {"class": "GenericError", '
                    '"desc": "JSON parse error"}}\n')
            f.flush()
            continue
        seen.append(req["execute"])
        out = [{"return": {"ran": req["execute"]}, "id": req.get("id")}]
        if req["execute"] == "device_del":
            dev = req["arguments"]["id"]
            out.append({"event": "DEVICE_DELETED",
                        "data": {"path": "/machine/peripheral/%s/"
                                 "virtio-backend" % dev}})
            out.append({"event": "DEVICE_DELETED", "data": {"device": dev}})
        for o in out:
            f.write(json.dumps(o) + "\n")
        f.flush()


def main():
    tmp = tempfile.mkdtemp()
    qpath, ppath = os.path.join(tmp, "qmp.sock"), os.path.join(tmp, "port.sock")
    qs, ps = server(qpath), server(ppath)
    agent = subprocess.Popen([sys.executable,
                              os.path.join(HERE, "qmp_agent.py"),
                              qpath, ppath], stderr=subprocess.DEVNULL)
    qs.settimeout(30)
    ps.settimeout(30)
    q, _ = qs.accept()
    p, _ = ps.accept()
    p.settimeout(30)
    seen = []
    threading.Thread(target=fake_qemu, args=(q.makefile("rw"), seen),
                     daemon=True).start()
    pf = p.makefile("rw")

    def ask(raw):
        pf.write(raw + "\n")
        pf.flush()
        return json.loads(pf.readline())

    def cls(ans):
        return ans.get("error", {}).get("class")

    cases = [
        ("an allowed command runs, its id comes back first",
         '{"id": 7, "execute": "qom-get", "arguments": '
         '{"path": "/objects/hp0", "property": "type-name"}}',
         lambda a: list(a)[0] == "id" and a["id"] == 7 and
         a["return"] == {"ran": "qom-get"}),
        ("quit is refused", '{"id": 1, "execute": "quit"}',
         lambda a: a["id"] == 1 and cls(a) == "CommandNotFound"),
        ("device_del of a device not ours is refused",
         '{"execute": "device_del", "arguments": {"id": "qser"}}',
         lambda a: cls(a) == "GenericError"),
        ("qom-set of another property is refused",
         '{"execute": "qom-set", "arguments": {"path": "/objects/hp0", '
         '"property": "type-name", "value": "x"}}',
         lambda a: cls(a) == "GenericError"),
        ("not JSON", "not json", lambda a: cls(a) == "GenericError"),
        ("execute of the wrong type", '{"id": 2, "execute": []}',
         lambda a: a["id"] == 2 and cls(a) == "GenericError"),
        ("no execute", '{"id": 3, "exec": "quit"}',
         lambda a: a["id"] == 3 and cls(a) == "GenericError"),
        ("NaN, which QEMU's parser rejects",
         '{"execute": "qom-get", "arguments": {"path": NaN}}',
         lambda a: cls(a) == "GenericError"),
        ("nesting deeper than Python's recursion limit", "[" * 50000,
         lambda a: cls(a) == "GenericError"),
        ("a line over the limit gets one answer", "x" * 200000,
         lambda a: cls(a) == "GenericError"),
        ("a bad x-wait-event timeout",
         '{"execute": "x-wait-event", "arguments": '
         '{"event": "DEVICE_DELETED", "timeout": "soon"}}',
         lambda a: cls(a) == "GenericError"),
        ("device_del of a hotplug device runs",
         '{"id": 4, "execute": "device_del", "arguments": {"id": "hpd0"}}',
         lambda a: a["id"] == 4 and a["return"] == {"ran": "device_del"}),
        ("its DEVICE_DELETED is there to wait for",
         '{"execute": "x-wait-event", "arguments": {"event": '
         '"DEVICE_DELETED", "device": "hpd0", "timeout": 5}}',
         lambda a: a["return"]["data"] == {"device": "hpd0"}),
        ("and claimed once: the next wait times out",
         '{"execute": "x-wait-event", "arguments": {"event": '
         '"DEVICE_DELETED", "device": "hpd0", "timeout": 0.3}}',
         lambda a: cls(a) == "Timeout"),
        ("x-migrate where the runner offers no migration",
         '{"execute": "x-migrate", "arguments": {"to": "socket"}}',
         lambda a: cls(a) == "CommandNotFound"),
        ("the agent still answers after all that",
         '{"id": 5, "execute": "query-pci"}',
         lambda a: a["id"] == 5 and a["return"] == {"ran": "query-pci"}),
    ]
    print("TAP version 13")
    print("1..%d" % (len(cases) + 2))
    n = fail = 0
    for name, raw, check in cases:
        n += 1
        try:
            ans = ask(raw)
            ok = check(ans)
        except Exception as e:      # noqa: BLE001 - report, go on
            ans, ok = repr(e), False
        print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
        if not ok:
            print("# answer: %s" % str(ans)[:200])
            fail += 1
    n += 1
    ran = [c for c in seen if c != "qmp_capabilities"]
    ok = ran == ["qom-get", "device_del", "query-pci"]
    print("%s %d - QEMU ran only the allowed commands" %
          ("ok" if ok else "not ok", n))
    if not ok:
        print("# QEMU ran: %s" % ran)
        fail += 1
    n += 1
    q.shutdown(socket.SHUT_RDWR)
    q.close()
    try:
        rc = agent.wait(10)
    except subprocess.TimeoutExpired:
        agent.kill()
        rc = None
    ok = rc == 0
    print("%s %d - the agent exits cleanly when QEMU goes" %
          ("ok" if ok else "not ok", n))
    fail += not ok
    sys.exit(1 if fail else 0)


if __name__ == "__main__":
    main()
