#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Time from a failure to a leaf's kernel losing routes (failover bench).

  route_gone.py TIMEOUT PREFIX[,PREFIX...] ACTION...

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
"""
import ipaddress
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

RTMGRP_IPV4_ROUTE = 0x40
RTMGRP_IPV6_ROUTE = 0x400
RTM_DELROUTE = 25
RTA_DST = 1
RTA_TABLE = 15
RT_TABLE_MAIN = 254
NLMSG_HDR = struct.Struct("=IHHII")  # len, type, flags, seq, pid
RTMSG = struct.Struct("=BBBBBBBBI")  # family, dst_len, src_len, tos, table, ...
RTATTR = struct.Struct("=HH")  # len, type


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
            yield from route_dst(data[off + NLMSG_HDR.size:off + length])
        off += (length + 3) & ~3


def route_dst(msg):
    family, dst_len, _, _, table = RTMSG.unpack_from(msg)[:5]
    dst = None
    off = RTMSG.size
    while off + RTATTR.size <= len(msg):
        alen, atype = RTATTR.unpack_from(msg, off)
        if alen < RTATTR.size:
            break
        val = msg[off + RTATTR.size:off + alen]
        if atype == RTA_DST:
            dst = val
        elif atype == RTA_TABLE and len(val) == 4:
            table = struct.unpack("=I", val)[0]
        off += (alen + 3) & ~3
    if dst is None or table != RT_TABLE_MAIN:
        return
    addr = ipaddress.ip_address(dst)
    if (family == socket.AF_INET) == (addr.version == 4):
        yield ipaddress.ip_network((addr, dst_len))


def present(net):
    fam = "-4" if net.version == 4 else "-6"
    out = subprocess.run(["ip", fam, "route", "show", "table", "main", "exact", str(net)],
                         capture_output=True, text=True, check=False).stdout
    return out.strip() != ""


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
    if len(sys.argv) < 4:
        fail("usage: route_gone.py TIMEOUT PREFIX[,PREFIX...] kill SIGNAL PID[,PID...] | run CMD...")
    timeout = float(sys.argv[1])
    nets = [ipaddress.ip_network(p) for p in sys.argv[2].split(",")]
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

    act(sys.argv[3:])
    t0 = time.monotonic()
    gone = {}
    while len(gone) < len(nets):
        left = t0 + timeout - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            still = ", ".join(str(n) for n in nets if n not in gone)
            fail(f"{still} still in the leaf's kernel table {timeout:g} s after the failure")
        data = sock.recv(65536)
        now = time.monotonic()
        for n in deleted_routes(data):
            if n in nets and n not in gone:
                gone[n] = now
    print(" ".join(f"{n}={(gone[n] - t0) * 1000:.1f}" for n in nets))


if __name__ == "__main__":
    main()
