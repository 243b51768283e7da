#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Time from a failure to a leaf's kernel losing routes (failover bench).

  route_gone.py [--wake SOCKET] TIMEOUT PREFIX[,PREFIX...] ACTION...

Run in the leaf's network namespace. ACTION is what breaks things:

  kill SIGNAL PID[,PID...]   send SIGNAL (a name: KILL, STOP, ...) to each
  run CMD [ARG...]           run a command (e.g. nft adding a drop rule)

Subscribes to the kernel's route notifications (rtnetlink, IPv4 and IPv6
route groups) first, checks that every PREFIX is in the main table, then
acts, and timestamps the RTM_DELROUTE of each PREFIX as it arrives. The
clock starts when the action has been done: the signals sent, or the
command returned. Prints one line, in the order given:

  PREFIX=MS [PREFIX=MS...]

The routes are the leaf's kernel routes: the leaf's BGP daemon (BIRD, with
its kernel protocol exporting BGP routes) removes a route from the kernel
table as it drops it from its own, so this is when the leaf stops
forwarding to the node. Exits 1 with a message on stderr when a prefix is
missing beforehand, leaves before the action, or is still there after
TIMEOUT seconds.

--wake SOCKET: ask the BIRD behind the control socket SOCKET for `show
status` every 10 ms while waiting. BIRD 2.0's main loop decides how long
to sleep before it fires its timers, so the work a timer schedules (the
routes of a session whose hold timer expired: withdrawn, flushed, and
removed from the kernel) waits for the next wake-up: a packet, a timer,
at most 3 s. A leaf with other peers is woken all the time; in a test
namespace where both peers have gone silent it is not, and its routes
stayed 1-2.5 s after "Hold timer expired". The polls stand for that
traffic and cost BIRD next to nothing.
"""
import ipaddress
import os
import select
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from route_watch import (NLMSG_HDR, RTM_DELROUTE, RTMGRP_IPV4_ROUTE,  # noqa: E402
                         RTMGRP_IPV6_ROUTE, route_dst)

WAKE_S = 0.010


def fail(msg):
    print(f"route_gone: {msg}", file=sys.stderr)
    sys.exit(1)


def deleted_routes(data):
    """The networks of the RTM_DELROUTE messages of the main table in data."""
    off = 0
    while off + NLMSG_HDR.size <= len(data):
        length, kind = NLMSG_HDR.unpack_from(data, off)[:2]
        if length < NLMSG_HDR.size:
            break
        if kind == RTM_DELROUTE:
            net = route_dst(data[off + NLMSG_HDR.size:off + length])
            if net is not None:
                yield net
        off += (length + 3) & ~3


def present(net):
    fam = "-4" if net.version == 4 else "-6"
    out = subprocess.run(["ip", fam, "route", "show", "table", "main", "exact", str(net)],
                         capture_output=True, text=True, check=False).stdout
    return out.strip() != ""


class Waker:
    """BIRD's CLI protocol: a reply ends with a line 'NNNN text'."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.rd = self.sock.makefile("r", encoding="utf-8", newline="\n")
        self.reply()  # greeting

    def reply(self):
        while True:
            line = self.rd.readline()
            if not line:
                fail("BIRD closed the control connection")
            if len(line) > 4 and line[:4].isdigit() and line[4] == " ":
                return

    def poke(self):
        self.sock.sendall(b"show status\n")
        self.reply()


def act(action):
    if action[0] == "kill" and len(action) == 3:
        sig = signal.Signals["SIG" + action[1].upper().removeprefix("SIG")]
        for pid in action[2].split(","):
            os.kill(int(pid), sig)
    elif action[0] == "run" and len(action) >= 2:
        r = subprocess.run(action[1:], capture_output=True, text=True, check=False)
        if r.returncode != 0:
            fail(f"{' '.join(action[1:])}: exit {r.returncode}: {r.stderr.strip()}")
    else:
        fail(f"bad action: {' '.join(action)}")


def main():
    args = sys.argv[1:]
    waker = None
    if args[:1] == ["--wake"] and len(args) > 1:
        waker = Waker(args[1])
        args = args[2:]
    if len(args) < 3:
        fail("usage: route_gone.py [--wake SOCKET] TIMEOUT PREFIX[,PREFIX...] "
             "kill SIGNAL PID[,PID...] | run CMD...")
    timeout = float(args[0])
    nets = [ipaddress.ip_network(p) for p in args[1].split(",")]
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind((0, RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE))
    for n in nets:
        if not present(n):
            fail(f"{n} is not in the leaf's kernel table before the failure")
    # a notification already queued: the route went before the action
    while select.select([sock], [], [], 0)[0]:
        for n in deleted_routes(sock.recv(65536)):
            if n in nets:
                fail(f"{n} left the leaf's kernel table before the failure")

    act(args[2:])
    t0 = time.monotonic()
    gone = {}
    poke_at = t0 + WAKE_S
    while len(gone) < len(nets):
        now = time.monotonic()
        if now >= t0 + timeout:
            still = ", ".join(str(n) for n in nets if n not in gone)
            fail(f"{still} still in the leaf's kernel table {timeout:g} s after the failure")
        if waker and now >= poke_at:
            waker.poke()
            poke_at = now + WAKE_S
        wait = t0 + timeout - now
        if waker:
            wait = min(wait, max(0.0, poke_at - now))
        if not select.select([sock], [], [], wait)[0]:
            continue
        data = sock.recv(65536)
        now = time.monotonic()
        for n in deleted_routes(data):
            if n in nets and n not in gone:
                gone[n] = now
    print(" ".join(f"{n}={(gone[n] - t0) * 1000:.1f}" for n in nets))


if __name__ == "__main__":
    main()
