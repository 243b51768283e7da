#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The Maglev table an xlb node's datapath uses for a VIP, read from its
pinned maps through the bpf syscall (as selftests/bench/maglev_gone.py
does), for the fleet tests and the fleet benchmark: what the balancer
really forwards with, not what xlbd says about it.

  fleet.py table PIN_DIR VIP
      one line: "digest=HEX slots=N ADDR=SLOTS ..." where the digest is
      SHA-256 over the backend address of every slot (node-local ids
      replaced by addresses), so two nodes with the same table print the
      same line
  fleet.py wait PIN_DIR... -- VIP BACKEND in|out TIMEOUT_S [READY_FILE]
      until BACKEND is in (has slots in) / out of VIP's active table on
      every node; prints "NODE_INDEX=NS ..." (the wall clock in ns when
      each node's table changed: compare with `date +%s%N` taken around
      the change) or exits 1 at the timeout. With READY_FILE, it is
      created once the maps are open and the backend's ids known: start
      the change after it exists.

VIP as xlbctl writes it: 203.0.113.10:80/tcp, [2001:db8:ffff::10]:80/tcp.
The VIP entry in `vips` names the active table (ring_id, ring_size and
the region flag), the table is that region of the inner map at
`rings`[ring_id], read by mmap; xlbd switches the VIP entry to a complete
new table in one update. A slot's backend id is its low 16 bits (the high
16 are second chance's previous owner).
"""
import hashlib
import ipaddress
import os
import socket
import struct
import sys
import time

from pinned_maps import (BACKEND, VIP, XLB_FAMILY_V4, XLB_FAMILY_V6, XLB_MAX_BACKENDS,
                         active_table, lookup, obj_get, table_ids)


def die(msg):
    print(f"fleet.py: {msg}", file=sys.stderr)
    sys.exit(1)


def vip_key(vip):
    addr, rest = vip.rsplit(":", 1)
    port, proto = rest.split("/")
    ip = ipaddress.ip_address(addr.strip("[]"))
    fam = XLB_FAMILY_V4 if ip.version == 4 else XLB_FAMILY_V6
    packed = ip.packed + bytes(16 - len(ip.packed))
    p = socket.IPPROTO_TCP if proto == "tcp" else socket.IPPROTO_UDP
    return packed + struct.pack("!H", 0 if port == "*" else int(port)) + bytes([p, fam])


def addr_text(raw, family):
    if family == XLB_FAMILY_V4:
        return str(ipaddress.IPv4Address(raw[:4]))
    return str(ipaddress.IPv6Address(raw))


class Node:
    """One node's pinned maps and one VIP in them."""

    def __init__(self, pin, vip):
        self.vips = obj_get(os.path.join(pin, "vips"))
        self.rings = obj_get(os.path.join(pin, "rings"))
        self.backends = obj_get(os.path.join(pin, "backends"))
        self.key = vip_key(vip)
        self.names = {}
        self.seen = None
        self.ids = []

    def vip(self):
        v = lookup(self.vips, self.key, VIP.size)
        if v is None:
            die("the VIP is not in the datapath's vips map")
        return VIP.unpack(v)

    def load_names(self):
        """Backend id -> address, for this VIP's backends."""
        vip_id = self.vip()[0]
        self.names = {}
        for i in range(1, XLB_MAX_BACKENDS):
            v = lookup(self.backends, struct.pack("=I", i), BACKEND.size)
            if v is None:
                continue
            b = BACKEND.unpack(v)
            if b[1] and b[8] == vip_id:
                self.names[i] = addr_text(b[0], b[1])

    def table(self):
        """The active table as backend ids (scanned again when it changed).
        The VIP's inner map holds two tables of its size, one slot per 8
        bytes (a 4-byte value takes 8); the entry's flag names the active
        one."""
        where = active_table(self.rings, self.vip())
        if where is None:
            die(f"rings[{self.vip()[1]}] is empty")
        if self.seen != where:
            self.seen = where
            # XLB_SLOT_BE: the high half of a slot is second chance's
            # previous owner, this node's history, not its table
            self.ids = table_ids(*where)
        return self.ids


def cmd_table(pin, vip):
    n = Node(pin, vip)
    n.load_names()
    ids = n.table()
    h = hashlib.sha256()
    counts = {}
    for i in ids:
        name = n.names.get(i, "-") if i else "-"
        h.update(name.encode() + b"\n")
        counts[name] = counts.get(name, 0) + 1
    per = " ".join(f"{a}={c}" for a, c in sorted(counts.items()) if a != "-")
    print(f"digest={h.hexdigest()[:16]} slots={len(ids)} {per}")


def cmd_wait(pins, vip, backend, want, timeout, ready=None):
    nodes = [Node(p, vip) for p in pins]
    ids = []
    for n in nodes:
        n.load_names()
        bid = [i for i, a in n.names.items() if a == backend]
        if not bid:
            die(f"{backend} is not a backend of {vip} in {n}")
        ids.append(bid[0])
    for n in nodes:
        n.table()
    if ready:
        open(ready, "w").close()
    start = time.monotonic()
    done = [None] * len(nodes)
    while None in done:
        now = time.monotonic()
        for k, n in enumerate(nodes):
            if done[k] is None and (ids[k] in n.table()) == (want == "in"):
                done[k] = time.time_ns()
        if now - start > timeout:
            die(f"{backend} not {want} of {vip} on every node after {timeout} s")
        time.sleep(0.0002)
    print(" ".join(f"{k}={d}" for k, d in enumerate(done)))


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "table":
        cmd_table(a[1], a[2])
    elif len(a) >= 7 and a[0] == "wait" and "--" in a:
        i = a.index("--")
        vip, backend, want, timeout = a[i + 1:i + 5]
        cmd_wait(a[1:i], vip, backend, want, float(timeout), a[i + 5] if len(a) > i + 5 else None)
    else:
        die("usage: fleet.py table PIN VIP | wait PIN... -- VIP BACKEND in|out TIMEOUT_S")


if __name__ == "__main__":
    main()
