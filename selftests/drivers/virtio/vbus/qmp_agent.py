#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The host end of the guest's QMP channel (vmtest.sh starts it).

A test inside the guest asks for hotplug or for the backend to misbehave
by writing one QMP command per line, as JSON, to the virtio-serial port
named "vbus.qmp"; this agent runs it on QEMU's QMP socket and writes the
answer back as one line: {"return": ...} or {"error": {"class", "desc"}}.

A request's "id", if any, comes back first in its answer, so that a
guest can tell a late answer to an abandoned request from its own.

Only what ALLOWED lets through is run: device_add and device_del of
devices whose id starts with "hpd", QOM reads, qom-set of "misbehave",
query-pci. A test guest must not be able to stop or reconfigure the
machine that judges it. One more command is the agent's own:
{"execute": "x-wait-event", "arguments": {"event": NAME, "device": ID,
"timeout": SECONDS}} answers with the oldest unclaimed event of that name
(for that device id), waiting for it if need be, or a Timeout error.
DEVICE_DELETED is how a test learns that device_del has finished.
With a third argument, the directory of vhost-user backends (vmtest.sh's
$work/vu, where ID.pid names each one's process), one more:
{"execute": "x-backend-kill", "arguments": {"backend": ID}} kills that
backend with SIGKILL (vmtest.sh starts it again a second later).
Any bad request gets an error answer; the agent itself never fails on one.

Usage: qmp_agent.py QMP_SOCKET PORT_SOCKET [BACKEND_DIR]; the sockets are
QEMU's servers. It exits when QEMU closes either.
"""

import json
import os
import re
import select
import signal
import socket
import sys
import time

CONNECT_S = 30
EVENT_TIMEOUT_MAX_S = 300
MAX_LINE = 65536        # from the guest
MAX_EVENTS = 256        # unclaimed ones kept


def hotplug_id(args):
    return isinstance(args.get("id"), str) and args["id"].startswith("hpd")


ALLOWED = {
    "device_add": hotplug_id,
    "device_del": hotplug_id,
    "qom-get": lambda args: True,
    "qom-list": lambda args: True,
    "qom-set": lambda args: args.get("property") == "misbehave",
    "query-pci": lambda args: True,
}


def connect(path):
    end = time.monotonic() + CONNECT_S
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > end:
                raise
            time.sleep(0.05)


class Lines:
    """Line-buffered reading from a socket, with a deadline. A line over
    @limit bytes is read to its end and returned as TOO_LONG."""

    TOO_LONG = b"\0"

    def __init__(self, sock, limit=None):
        self.sock = sock
        self.limit = limit
        self.buf = b""
        self.skipping = False

    def readline(self, timeout=None):
        end = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.buf:
            if self.limit and len(self.buf) > self.limit:
                self.buf, self.skipping = b"", True
            left = None if end is None else max(0, end - time.monotonic())
            if not select.select([self.sock], [], [], left)[0]:
                return None
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        if self.skipping:
            self.skipping = False
            return self.TOO_LONG
        return line


def error(cls, desc):
    return {"error": {"class": cls, "desc": desc}}


class Agent:
    def __init__(self, qmp, port, backends=None):
        self.qmp, self.port = qmp, port
        self.backends = backends
        self.qin, self.pin = Lines(qmp), Lines(port, MAX_LINE)
        self.events = []
        self.next_id = 0
        self.qin.readline()                     # the greeting
        self.execute("qmp_capabilities", {})

    def qmp_message(self, timeout=None):
        line = self.qin.readline(timeout)
        return None if line is None else json.loads(line)

    def add_event(self, msg):
        self.events.append(msg)
        del self.events[:-MAX_EVENTS]

    def execute(self, cmd, args):
        self.next_id += 1
        req = {"execute": cmd, "arguments": args, "id": self.next_id}
        self.qmp.sendall(json.dumps(req, allow_nan=False).encode() + b"\n")
        while True:
            msg = self.qmp_message()
            if "event" in msg:
                self.add_event(msg)
            elif msg.get("id") == self.next_id:
                msg.pop("id")
                return msg
            elif "error" in msg and "id" not in msg:
                return msg      # QEMU could not parse it, so has no id

    def wait_event(self, args):
        name, dev = args.get("event"), args.get("device")
        timeout = args.get("timeout", 60)
        if not isinstance(name, str) or not isinstance(timeout, (int, float)):
            return error("GenericError", "x-wait-event needs event, timeout")
        timeout = min(max(float(timeout), 0), EVENT_TIMEOUT_MAX_S)
        end = time.monotonic() + timeout

        def match(ev):
            return ev["event"] == name and \
                (dev is None or ev.get("data", {}).get("device") == dev)
        while True:
            for i, ev in enumerate(self.events):
                if match(ev):
                    del self.events[i]
                    return {"return": ev}
            left = end - time.monotonic()
            msg = left > 0 and self.qmp_message(left)
            if not msg:
                return error("Timeout", "no %s event in %gs" % (name, timeout))
            if "event" in msg:
                self.add_event(msg)

    def kill_backend(self, args):
        name = args.get("backend")
        if not self.backends:
            return error("CommandNotFound", "no vhost-user backends here")
        if not isinstance(name, str) or not re.fullmatch(r"vu[0-9]+", name):
            return error("GenericError", "x-backend-kill needs a backend vuN")
        try:
            with open(os.path.join(self.backends, name + ".pid")) as f:
                os.kill(int(f.read().strip()), signal.SIGKILL)
        except (OSError, ValueError) as e:
            return error("GenericError", "cannot kill %s: %s" % (name, e))
        return {"return": {}}

    def handle(self, req):
        cmd = req["execute"]
        args = req.get("arguments", {})
        if not isinstance(cmd, str) or not isinstance(args, dict):
            raise ValueError
        if cmd == "x-wait-event":
            return self.wait_event(args)
        if cmd == "x-backend-kill":
            return self.kill_backend(args)
        if cmd not in ALLOWED:
            return error("CommandNotFound", "%s is not offered to guests" % cmd)
        if not ALLOWED[cmd](args):
            return error("GenericError", "%s is offered to guests only for "
                         "hotplug ids (hpd*) and misbehave" % cmd)
        return self.execute(cmd, args)

    def answer(self, line):
        """The answer line to one request line; never raises for bad input."""
        req = None
        if line == Lines.TOO_LONG:
            return json.dumps(error("GenericError",
                                    "a request over %d bytes" % MAX_LINE))
        try:
            req = json.loads(line.decode())
            if not isinstance(req, dict):
                raise ValueError
            reply = self.handle(req)
        except (EOFError, ConnectionError):
            raise
        except Exception:       # noqa: BLE001 - a guest's bad request
            reply = error("GenericError", "not a QMP command: %r" % line[:80])
        if isinstance(req, dict) and "id" in req:
            reply = {"id": req["id"], **reply}
        try:
            return json.dumps(reply, allow_nan=False)
        except ValueError:
            return json.dumps(error("GenericError", "unprintable answer"))

    def run(self):
        while True:
            line = self.pin.readline(0)     # a whole line, or None at once
            if line is None:
                ready = select.select([self.port, self.qmp], [], [])[0]
                if self.qmp in ready:
                    msg = self.qmp_message(0)
                    if msg and "event" in msg:
                        self.add_event(msg)
                continue
            if not line.strip():
                continue
            reply = self.answer(line)
            print("qmp-agent: %s -> %s" % (line[:200].decode(errors="replace"),
                                           reply[:200]),
                  file=sys.stderr, flush=True)
            self.port.sendall(reply.encode() + b"\n")


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: qmp_agent.py QMP_SOCKET PORT_SOCKET [BACKEND_DIR]")
    qmp, port = connect(sys.argv[1]), connect(sys.argv[2])
    backends = sys.argv[3] if len(sys.argv) == 4 else None
    try:
        Agent(qmp, port, backends).run()
    except (EOFError, ConnectionError):
        pass                                    # QEMU has gone


if __name__ == "__main__":
    main()
