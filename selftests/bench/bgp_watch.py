#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Watch a BIRD leaf take a full table from one BGP speaker (bgp_announce.sh).

  bgp_watch.py SOCKET PROTOCOL PREFIX COUNT PID [TIMEOUT]

SOCKET is the leaf's control socket, PROTOCOL its BGP protocol towards the
speaker, PID the speaker's process. The leaf must use `timeformat protocol
iso long ms` and `timeformat route iso long ms`. The routes expected are
the COUNT /128s PREFIX1 .. PREFIX<COUNT in hex> (PREFIX ends in '::').

Polls `show protocols all PROTOCOL` every 10 ms over one control
connection (no process per poll) until the session is Established and the
protocol has COUNT routes imported, then reads the table once and checks it
holds exactly the expected prefixes, all from PROTOCOL. Prints one line:

  ms=M poll_ms=P cpu_ms=C

M: from the protocol going up (Established) to the newest of those routes,
both as BIRD stamped them (its own clock, ms). P: the same from the polls
(first poll that saw Established to first poll that saw COUNT imported,
each late by up to one poll interval). C: the speaker's CPU time (all its
threads, /proc/PID/task/*/schedstat) from its start to the poll that saw
the last route. Exits 1 with a message on stderr when the session drops,
the time runs out or the table is not the expected one.
"""
import datetime
import glob
import ipaddress
import re
import socket
import sys
import time

INTERVAL = 0.010
TIME_FMT = "%Y-%m-%d %H:%M:%S.%f"
STAMP = r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})"


class Birdc:
    """BIRD's CLI protocol: a reply is lines 'CODE-text' or ' text',
    ended by a line 'CODE text' (RFC-style codes, see birdc)."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.rd = self.sock.makefile("r", encoding="utf-8", newline="\n")
        self.reply()  # greeting: 0001 BIRD x.y ready.

    def reply(self):
        lines = []
        while True:
            line = self.rd.readline()
            if not line:
                raise EOFError("BIRD closed the control connection")
            line = line.rstrip("\n")
            lines.append(line)
            if re.match(r"\d{4} ", line):
                return lines

    def cmd(self, text):
        self.sock.sendall(text.encode() + b"\n")
        return self.reply()


def stamp(text):
    return datetime.datetime.strptime(text, TIME_FMT)


def cpu_ns(pid):
    total = 0
    for f in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            with open(f) as fh:
                total += int(fh.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # a thread that just ended
    return total


def fail(msg):
    print(f"bgp_watch: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) not in (6, 7):
        fail("usage: bgp_watch.py SOCKET PROTOCOL PREFIX COUNT PID [TIMEOUT]")
    path, proto, prefix, count, pid = sys.argv[1:6]
    count, pid = int(count), int(pid)
    timeout = float(sys.argv[6]) if len(sys.argv) == 7 else 60.0
    base = int(ipaddress.IPv6Address(prefix))
    want = {ipaddress.IPv6Network((base + i, 128)) for i in range(1, count + 1)}

    bird = Birdc(path)
    start = time.monotonic()
    t_up = t_done = None
    cpu = 0
    state = imported = None
    while True:
        now = time.monotonic()
        out = "\n".join(bird.cmd(f"show protocols all {proto}"))
        m = re.search(r"BGP state:\s+(\w+)", out)
        state = m.group(1) if m else "?"
        m = re.search(r"Channel ipv6\s.*?Routes:\s+(\d+) imported", out, re.S)
        imported = int(m.group(1)) if m else 0
        if state == "Established":
            if t_up is None:
                t_up = now
            if imported >= count:
                t_done = now
                cpu = cpu_ns(pid)
                break
        elif t_up is not None:
            fail(f"session went {state} after coming up ({imported} routes imported)")
        if now - start > timeout:
            fail(f"timeout after {timeout:.0f} s: state {state}, {imported} routes imported")
        time.sleep(max(0.0, now + INTERVAL - time.monotonic()))

    # BIRD's own stamps: the protocol went up, and each route came in
    out = bird.cmd(f"show protocols {proto}")
    m = None
    for line in out:
        m = re.match(rf"\d{{4}}-{re.escape(proto)}\s+BGP\s+\S+\s+up\s+{STAMP}\s", line)
        if m:
            break
    if not m:
        fail("no up-since stamp in: " + " | ".join(out))
    up = stamp(m.group(1))
    got = set()
    last = None
    table = bird.cmd(f"show route table master6 protocol {proto}")
    for line in table:
        line = re.sub(r"^(\d{4}-| )", "", line)
        m = re.match(rf"(\S+)\s+unicast \[(\S+) {STAMP}\]", line)
        if not m:
            continue
        if m.group(2) != proto:
            fail(f"route {m.group(1)} from {m.group(2)}")
        got.add(ipaddress.IPv6Network(m.group(1)))
        t = stamp(m.group(3))
        last = t if last is None or t > last else last
    if got != want:
        fail(f"table holds {len(got)} routes, {len(got & want)} of the {count} expected, "
             f"{len(got - want)} others; BIRD said: " + " | ".join(table[:4]))
    ms = (last - up).total_seconds() * 1000
    print(f"ms={ms:.0f} poll_ms={(t_done - t_up) * 1000:.0f} cpu_ms={cpu / 1e6:.0f}")


if __name__ == "__main__":
    main()
