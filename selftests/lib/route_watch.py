#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Wait until a set of routes has left (or reached) a leaf's kernel table,
and say when, for the scale tests and the control benchmark.

  route_watch.py gone|back TIMEOUT PREFIX_FILE

Run in the leaf's network namespace (its BGP daemon exports BGP routes to
the kernel). PREFIX_FILE has one prefix a line. Subscribes to the
kernel's route notifications (rtnetlink, IPv4 and IPv6 route groups),
then dumps the main table: for `gone` every prefix must be there, for
`back` none. Prints "ready", then follows the notifications until every
prefix has gone (RTM_DELROUTE) or come (RTM_NEWROUTE) and prints
"done MONO_MS" (time.monotonic() in ms, the clock CLOCK_MONOTONIC of the
other helpers, at the notification that completed it). Exits 1 with a
message on stderr if the table is not as it should be at the start, or
after TIMEOUT seconds (naming a prefix still missing or still there).

route_dst() is bench/route_gone.py's too.
"""
import ipaddress
import select
import socket
import struct
import sys
import time

RTMGRP_IPV4_ROUTE = 0x40
RTMGRP_IPV6_ROUTE = 0x400
RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE = 24, 25, 26
NLMSG_DONE, NLMSG_ERROR = 3, 2
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
RTA_DST, RTA_TABLE = 1, 15
RT_TABLE_MAIN = 254
NLMSG_HDR = struct.Struct("=IHHII")  # len, type, flags, seq, pid
RTMSG = struct.Struct("=BBBBBBBBI")  # family, dst_len, src_len, tos, table, ...
RTATTR = struct.Struct("=HH")  # len, type


def fail(msg):
    print(f"route_watch: {msg}", file=sys.stderr)
    sys.exit(1)


def route_dst(msg):
    """The network of a route message of the main table, else None."""
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
    if dst is None or table != RT_TABLE_MAIN or family not in (socket.AF_INET, socket.AF_INET6):
        return None
    return ipaddress.ip_network((ipaddress.ip_address(dst), dst_len))


def messages(data):
    """(type, route network or None) of each netlink message in data."""
    off = 0
    while off + NLMSG_HDR.size <= len(data):
        length, kind = NLMSG_HDR.unpack_from(data, off)[:2]
        if length < NLMSG_HDR.size:
            break
        body = data[off + NLMSG_HDR.size:off + length]
        net = route_dst(body) if kind in (RTM_NEWROUTE, RTM_DELROUTE) else None
        yield kind, net
        off += (length + 3) & ~3


def dump(family):
    """The main table's networks of one family."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    req = NLMSG_HDR.pack(NLMSG_HDR.size + RTMSG.size, RTM_GETROUTE,
                         NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + RTMSG.pack(family, 0, 0, 0, 0, 0, 0, 0, 0)
    s.send(req)
    nets = set()
    while True:
        for kind, net in messages(s.recv(1 << 20)):
            if kind in (NLMSG_DONE, NLMSG_ERROR):
                s.close()
                return nets
            if net is not None:
                nets.add(net)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("gone", "back"):
        fail("usage: route_watch.py gone|back TIMEOUT PREFIX_FILE")
    gone = sys.argv[1] == "gone"
    timeout = float(sys.argv[2])
    with open(sys.argv[3]) as f:
        want = {ipaddress.ip_network(line.strip()) for line in f if line.strip()}
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.bind((0, RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE))
    table = dump(socket.AF_INET) | dump(socket.AF_INET6)
    # what still has to change
    todo = want & table if gone else want - table
    if todo != want:
        odd = sorted(str(n) for n in want - todo)
        fail(f"{len(odd)} prefixes {'missing' if gone else 'already there'} at the start, "
             f"e.g. {odd[0]}")
    print("ready", flush=True)
    end = time.monotonic() + timeout
    while todo:
        left = end - time.monotonic()
        if left <= 0:
            fail(f"{len(todo)} prefixes still {'there' if gone else 'missing'} after "
                 f"{timeout:g} s, e.g. {sorted(str(n) for n in todo)[0]}")
        if not select.select([sock], [], [], left)[0]:
            continue
        try:
            data = sock.recv(1 << 20)
        except OSError as e:  # ENOBUFS: notifications lost, read the table again
            table = dump(socket.AF_INET) | dump(socket.AF_INET6)
            todo = want & table if gone else want - table
            print(f"# route_watch: {e}: table read again", file=sys.stderr)
            continue
        now = time.monotonic()
        for kind, net in messages(data):
            if net in todo and kind == (RTM_DELROUTE if gone else RTM_NEWROUTE):
                todo.discard(net)
    print(f"done {now * 1000:.1f}", flush=True)


if __name__ == "__main__":
    main()
