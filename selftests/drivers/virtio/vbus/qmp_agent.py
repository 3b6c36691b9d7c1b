#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The host end of the guest's QMP channel (vmtest.sh starts it).

A test inside the guest asks for hotplug or for the backend to misbehave
by writing one QMP command per line, as JSON, to the virtio-serial port
named "vbus.qmp"; this agent runs it on QEMU's QMP socket and writes the
answer back as one line: {"return": ...} or {"error": {"class", "desc"}}.

Only the commands in ALLOWED are run: a test guest must not be able to
stop or reconfigure the machine that judges it. One more command is the
agent's own: {"execute": "x-wait-event", "arguments": {"event": NAME,
"device": ID, "timeout": SECONDS}} answers with the first event of that
name (for that device id) since the last wait, or a Timeout error.
DEVICE_DELETED is how a test learns that device_del has finished.

Usage: qmp_agent.py QMP_SOCKET PORT_SOCKET; both are QEMU's servers. It
exits when QEMU closes either.
"""

import json
import select
import socket
import sys
import time

ALLOWED = {"device_add", "device_del", "qom-get", "qom-set", "qom-list",
           "query-pci"}
CONNECT_S = 30
EVENT_TIMEOUT_MAX_S = 300
MAX_LINE = 65536


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
    """Line-buffered reading from a socket, with a deadline."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def readline(self, timeout=None):
        end = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.buf:
            if len(self.buf) > MAX_LINE:        # answered as a bad command
                line, self.buf = self.buf, b""
                return line
            left = None if end is None else max(0, end - time.monotonic())
            if not select.select([self.sock], [], [], left)[0]:
                return None
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line


def error(cls, desc):
    return {"error": {"class": cls, "desc": desc}}


class Agent:
    def __init__(self, qmp, port):
        self.qmp, self.port = qmp, port
        self.qin, self.pin = Lines(qmp), Lines(port)
        self.events = []
        self.next_id = 0
        self.qin.readline()                     # the greeting
        self.execute("qmp_capabilities", {})

    def qmp_message(self, timeout=None):
        line = self.qin.readline(timeout)
        return None if line is None else json.loads(line)

    def execute(self, cmd, args):
        self.next_id += 1
        req = {"execute": cmd, "arguments": args, "id": self.next_id}
        self.qmp.sendall(json.dumps(req).encode() + b"\n")
        while True:
            msg = self.qmp_message()
            if "event" in msg:
                self.events.append(msg)
            elif msg.get("id") == self.next_id:
                msg.pop("id")
                return msg

    def wait_event(self, args):
        name, dev = args.get("event"), args.get("device")
        timeout = args.get("timeout", 60)
        if not isinstance(name, str) or not isinstance(timeout, (int, float)):
            return error("GenericError", "x-wait-event needs event, timeout")
        end = time.monotonic() + min(max(timeout, 0), EVENT_TIMEOUT_MAX_S)

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
                self.events.append(msg)

    def handle(self, line):
        try:
            req = json.loads(line)
            cmd = req["execute"]
            args = req.get("arguments", {})
            if not isinstance(args, dict):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return error("GenericError", "not a QMP command: %r" % line[:80])
        if cmd == "x-wait-event":
            return self.wait_event(args)
        if cmd not in ALLOWED:
            return error("CommandNotFound", "%s is not offered to guests" % cmd)
        return self.execute(cmd, args)

    def run(self):
        while True:
            line = self.pin.readline(None if b"\n" in self.pin.buf else 0)
            if line is None:
                ready = select.select([self.port, self.qmp], [], [])[0]
                if self.qmp in ready:
                    msg = self.qmp_message(0)
                    if msg and "event" in msg:
                        self.events.append(msg)
                continue
            req = line.decode(errors="replace").strip()
            if not req:
                continue
            reply = json.dumps(self.handle(req))
            print("qmp-agent: %s -> %s" % (req, reply[:200]),
                  file=sys.stderr, flush=True)
            self.port.sendall(reply.encode() + b"\n")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: qmp_agent.py QMP_SOCKET PORT_SOCKET")
    qmp, port = connect(sys.argv[1]), connect(sys.argv[2])
    try:
        Agent(qmp, port).run()
    except (EOFError, ConnectionError):
        pass                                    # QEMU has gone


if __name__ == "__main__":
    main()
