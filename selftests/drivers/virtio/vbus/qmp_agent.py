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
With a fourth argument, the file holding QEMU's command line (its
arguments separated by NUL bytes, the QMP and port sockets among them),
live migration: {"execute": "x-migrate", "arguments": {"to": "socket"}}
starts a destination QEMU with that command line (sockets of its own,
"-incoming defer", its console on this agent's standard output, which is
the runner's), migrates the guest to it and quits the source; "to":
"file" saves the guest to a file instead, quits the source, and restores
it in the new QEMU. The answer, on the destination's port, gives the
migration's total and down time in ms, or QEMU's error (the source then
runs on). VBUS_DEADLINE (seconds since the epoch) bounds how long a
destination may run.
Any bad request gets an error answer; the agent itself never fails on one.

Usage: qmp_agent.py QMP_SOCKET PORT_SOCKET [BACKEND_DIR [QEMU_ARGS]]; the
sockets are QEMU's servers. It exits when the QEMU it talks to closes
either, after that QEMU has ended.
"""

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time

CONNECT_S = 30
EVENT_TIMEOUT_MAX_S = 300
MAX_LINE = 65536        # from the guest
MAX_EVENTS = 256        # unclaimed ones kept
MIGRATE_TIMEOUT_S = 120


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


class Qmp:
    """A QMP connection: commands one at a time, events kept aside."""

    def __init__(self, sock, timeout=None):
        self.sock, self.lines = sock, Lines(sock)
        self.events = []
        self.next_id = 0
        if self.lines.readline(timeout) is None:    # the greeting
            raise EOFError("no QMP greeting in %ss" % timeout)
        self.execute("qmp_capabilities", {})

    def message(self, timeout=None):
        line = self.lines.readline(timeout)
        return None if line is None else json.loads(line)

    def add_event(self, msg):
        self.events.append(msg)
        del self.events[:-MAX_EVENTS]

    def execute(self, cmd, args):
        self.next_id += 1
        req = {"execute": cmd, "arguments": args, "id": self.next_id}
        self.sock.sendall(json.dumps(req, allow_nan=False).encode() + b"\n")
        while True:
            msg = self.message()
            if "event" in msg:
                self.add_event(msg)
            elif msg.get("id") == self.next_id:
                msg.pop("id")
                return msg
            elif "error" in msg and "id" not in msg:
                return msg      # QEMU could not parse it, so has no id


class Agent:
    def __init__(self, qmp, port, backends=None, qemu=None):
        self.backends = backends
        self.qemu = qemu                        # Qemu: the command line
        self.proc = None                        # the QEMU we started
        self.attach(Qmp(qmp), port)

    def attach(self, q, port):
        self.q, self.port = q, port
        self.qmp, self.pin = q.sock, Lines(port, MAX_LINE)
        self.events = q.events

    def qmp_message(self, timeout=None):
        return self.q.message(timeout)

    def add_event(self, msg):
        self.q.add_event(msg)

    def execute(self, cmd, args):
        return self.q.execute(cmd, args)

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

    def migration_status(self):
        """query-migrate until the migration ends; its answer."""
        end = time.monotonic() + MIGRATE_TIMEOUT_S
        while time.monotonic() < end:
            st = self.execute("query-migrate", {}).get("return", {})
            if st.get("status") in ("completed", "failed", "cancelled"):
                return st
            time.sleep(0.05)
        self.execute("migrate_cancel", {})
        return {"status": "failed", "error-desc": "took over %ds" %
                MIGRATE_TIMEOUT_S}

    def migrate(self, args):
        to = args.get("to", "socket")
        if not self.qemu:
            return error("CommandNotFound", "this run offers no migration")
        if to not in ("socket", "file"):
            return error("GenericError", "x-migrate: to is socket or file")
        blocked = self.execute("query-migrate", {}).get(
            "return", {}).get("blocked-reasons")
        if blocked:                     # QEMU would refuse: say why now
            return error("GenericError", "; ".join(blocked))
        dest = self.qemu.next_generation()
        if to == "file":
            ans = self.execute("migrate", {"uri": dest.uri("file")})
            st = ans if "error" in ans else self.migration_status()
            if st.get("status", "completed") != "completed" or "error" in st:
                return st if "error" in st else \
                    error("GenericError", st.get("error-desc", "failed"))
            ans = dest.start()
            if "error" in ans:
                self.execute("cont", {})        # the source runs on
                return ans
        else:
            ans = dest.start()
            if "error" in ans:
                return ans
            ans = self.execute("migrate", {"uri": dest.uri("socket")})
            st = ans if "error" in ans else self.migration_status()
            if "error" in st or st["status"] != "completed":
                dest.kill()
                return st if "error" in st else \
                    error("GenericError", st.get("error-desc", "failed"))
        return self.switch(dest, st)

    def switch(self, dest, st):
        """The destination runs the guest from now on; the source goes."""
        err = dest.wait_running()
        if err:
            dest.kill()
            return error("GenericError", err)
        self.execute("quit", {})
        old = self.proc
        self.proc = dest.proc
        self.attach(dest.qmp, dest.port)
        if old:
            old.wait()
        return {"return": {"generation": dest.gen,
                           "total-time": st.get("total-time", 0),
                           "downtime": st.get("downtime", 0)}}

    def handle(self, req):
        cmd = req["execute"]
        args = req.get("arguments", {})
        if not isinstance(cmd, str) or not isinstance(args, dict):
            raise ValueError
        if cmd == "x-wait-event":
            return self.wait_event(args)
        if cmd == "x-backend-kill":
            return self.kill_backend(args)
        if cmd == "x-migrate":
            return self.migrate(args)
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


class Qemu:
    """The runner's QEMU command line, for destinations of migrations."""

    def __init__(self, path, qmp_path, port_path):
        with open(path, "rb") as f:
            self.argv = [a.decode() for a in f.read().split(b"\0") if a]
        self.qmp_path, self.port_path = qmp_path, port_path
        self.dir = os.path.dirname(path)
        self.gen = 0

    def next_generation(self):
        self.gen += 1
        return Destination(self, self.gen)


class Destination:
    """One QEMU waiting for a migration (-incoming defer)."""

    def __init__(self, qemu, gen):
        self.gen = gen
        self.dir = qemu.dir
        self.qmp_path = os.path.join(self.dir, "qmp.%d.sock" % gen)
        self.port_path = os.path.join(self.dir, "port.%d.sock" % gen)
        pidfile = os.path.join(self.dir, "qemu.pid")
        self.argv = [a.replace(qemu.qmp_path, self.qmp_path)
                     .replace(qemu.port_path, self.port_path)
                     .replace(pidfile, pidfile + ".%d" % gen)
                     for a in qemu.argv] + ["-incoming", "defer"]
        self.proc = self.qmp = self.port = None
        self.via = None

    def uri(self, via):
        self.via = via
        name = "mig.%d.sock" % self.gen if via == "socket" else \
            "state.%d" % self.gen
        return "%s:%s" % ("unix" if via == "socket" else "file",
                          os.path.join(self.dir, name))

    def start(self):
        """Starts QEMU, then migrate-incoming; an error answer or {}."""
        left = float(os.environ.get("VBUS_DEADLINE", time.time() + 900)) - \
            time.time()
        if left < 10:
            return error("GenericError", "no time left for a migration")
        self.proc = subprocess.Popen(
            ["timeout", "-k", "5", str(int(left))] + self.argv,
            stdin=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            self.qmp = Qmp(connect(self.qmp_path), CONNECT_S)
            self.port = connect(self.port_path)
        except (OSError, EOFError) as e:
            self.kill()
            return error("GenericError", "destination QEMU: %s" % e)
        ans = self.qmp.execute("migrate-incoming", {"uri": self.uri(
            self.via or "socket")})
        if "error" in ans:
            self.kill()
        return ans

    def wait_running(self):
        end = time.monotonic() + MIGRATE_TIMEOUT_S
        while time.monotonic() < end:
            st = self.qmp.execute("query-status", {}).get("return", {})
            if st.get("status") == "running":
                return None
            if st.get("status") not in ("inmigrate", "prelaunch", "paused",
                                        "restore-vm"):
                return "destination: %s" % st.get("status")
            time.sleep(0.05)
        return "the destination did not run within %ds" % MIGRATE_TIMEOUT_S

    def kill(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()


def main():
    if len(sys.argv) not in (3, 4, 5):
        sys.exit("usage: qmp_agent.py QMP_SOCKET PORT_SOCKET "
                 "[BACKEND_DIR [QEMU_ARGS]]")
    qmp, port = connect(sys.argv[1]), connect(sys.argv[2])
    backends = sys.argv[3] if len(sys.argv) >= 4 else None
    qemu = Qemu(sys.argv[4], sys.argv[1], sys.argv[2]) \
        if len(sys.argv) == 5 else None
    agent = None

    def terminate(*_):
        if agent and agent.proc:
            agent.proc.kill()
        sys.exit(0)
    signal.signal(signal.SIGTERM, terminate)
    try:
        agent = Agent(qmp, port, backends, qemu)
        agent.run()
    except (EOFError, ConnectionError):
        pass                                    # QEMU has gone
    finally:
        if agent and agent.proc:                # a destination we started
            try:
                agent.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                agent.proc.kill()


if __name__ == "__main__":
    main()
