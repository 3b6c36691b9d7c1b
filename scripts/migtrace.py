#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where a live migration's downtime goes, from QEMU's own trace events.

    migtrace.py LOG [DEVICES]

LOG is a migbench console log whose QEMUs ran with `-msg timestamp=on
-trace vmstate_downtime_*` (the source's output and every destination's,
interleaved): lines like

    1234@1764570000.123456:vmstate_downtime_save type=non-iterable \
        idstr=0000:00:03.0/virtio-vbus instance_id=0 downtime=85
    1234@1764570000.123456:vmstate_downtime_checkpoint src-downtime-start

One migration runs from the source's "src-downtime-start" to the
destination's "dst-precopy-bh-vm-started": the guest's real downtime, both
QEMUs on one host clock. Its device phase runs from the source's
"src-iterable-saved" (RAM's last pass sent) to the destination's
"dst-precopy-loadvm-completed": the wall time every device's state takes,
saved and loaded at once. Within it, each section's save (source) and
load (destination) time is QEMU's own measurement, in microseconds: a
virtio-vbus device's section holds the virtio device with its transport's
state; virtio-console is a standard virtio device of the same guest.

Prints csv lines for scripts/bench.sh, medians over the migrations:
    csv,mig_real_downtime_ms,DEVICES,MS,0,0
    csv,mig_device_phase_ms,DEVICES,MS,0,0
    csv,mig_vbus_device_ms,DEVICES,MS,0,0     (save + load, per device)
    csv,mig_console_device_ms,DEVICES,MS,0,0  (the same for virtio-console)
and exits 1 when the log holds no complete migration (one with every
checkpoint, and a save and a load line for each device).
"""
import re
import statistics
import sys

EVENT = re.compile(r"\d+@(\d+\.\d+):vmstate_downtime_(save|load|checkpoint) (.*)$")
SECTION = re.compile(r"idstr=(\S*) instance_id=\d+ downtime=(\d+)")
MARKS = ("src-downtime-start", "src-iterable-saved",
         "dst-precopy-loadvm-completed", "dst-precopy-bh-vm-started")


def events(lines):
    """(time, kind, rest) of each trace line, in time order."""
    out = []
    for line in lines:
        m = EVENT.search(line.strip().replace("\r", ""))
        if m:
            out.append((float(m.group(1)), m.group(2), m.group(3)))
    return sorted(out, key=lambda e: e[0])


def migrations(evs):
    """Yields, per whole migration, its checkpoints and section times."""
    mig = None
    for t, kind, rest in evs:
        if kind == "checkpoint" and rest == MARKS[0]:
            mig = {"marks": {rest: t}, "vbus": [], "console": []}
        elif mig is None:
            continue
        elif kind == "checkpoint" and rest in MARKS:
            mig["marks"][rest] = t
            if rest == MARKS[3]:
                if len(mig["marks"]) == len(MARKS):
                    yield mig
                mig = None
        elif kind != "checkpoint":
            s = SECTION.search(rest)
            if s and s.group(1).endswith("/virtio-vbus"):
                mig["vbus"].append(int(s.group(2)))
            elif s and s.group(1).endswith("/virtio-console"):
                mig["console"].append(int(s.group(2)))


def figures(mig, ndev):
    """ms: real downtime, device phase, per vbus device, per console."""
    m = mig["marks"]
    real = (m[MARKS[3]] - m[MARKS[0]]) * 1000
    phase = (m[MARKS[2]] - m[MARKS[1]]) * 1000
    vbus = sum(mig["vbus"]) / 1000 / ndev if ndev else 0
    console = sum(mig["console"]) / 1000
    return real, phase, vbus, console


def complete(mig, ndev):
    """Every vbus device and the console saved and loaded once each: a
    line lost from the console (a full pipe drops QEMU's stderr writes)
    would make a migration look cheaper than it was."""
    return len(mig["vbus"]) == 2 * ndev and len(mig["console"]) == 2


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.strip().splitlines()[2].strip())
    ndev = int(sys.argv[2]) if len(sys.argv) == 3 else 0
    with open(sys.argv[1], errors="replace") as f:
        migs = list(migrations(events(f)))
    runs = [figures(m, ndev) for m in migs if complete(m, ndev)]
    if len(runs) < len(migs):
        print("migtrace: %d of %d migrations left out: section lines missing"
              % (len(migs) - len(runs), len(migs)), file=sys.stderr)
    if not runs:
        print("migtrace: no complete migration in %s" % sys.argv[1],
              file=sys.stderr)
        return 1
    for i, name in enumerate(("mig_real_downtime_ms", "mig_device_phase_ms",
                              "mig_vbus_device_ms", "mig_console_device_ms")):
        if name == "mig_vbus_device_ms" and not ndev:
            continue    # nothing to measure (bench.sh wants positive figures)
        ms = statistics.median(r[i] for r in runs)
        print("csv,%s,%d,%.3f,0,0" % (name, ndev, ms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
