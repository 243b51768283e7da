#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Time from a backend's server dying to the backend leaving the Maglev
table the XDP balancer uses (failover bench), next to a bare probe loop.

  maglev_gone.py PIN_DIR VIP PORT BACKEND PID [TIMEOUT]

Run in the balancer's network namespace. PIN_DIR holds xlbd's pinned maps,
VIP PORT is a TCP VIP (IPv4), BACKEND one of its backends (IPv4) and PID
the process of the server behind it.

The table is read from the datapath's own maps, through the bpf syscall:
the VIP's entry in `vips` names the active table (ring_id, ring_size and
the region flag), the table is that region of the inner map at
`rings`[ring_id], read by mmap. xlbd writes a new table into the region
the entry does not use and then switches the VIP entry to it in one
update, so the moment that entry points at a table without the backend
is the moment new flows stop going to it. The backend's id comes
from `backends` (its address, in this VIP, present).

First waits (up to TIMEOUT) until the backend is in the active table and
a probe loop has seen it answer twice in a row. The probe loop is the
baseline: a TCP connect to BACKEND:PORT every 100 ms (80 ms timeout) that
declares the backend down at the second failure in a row: what a checker
with xlbd's settings (interval 100 ms, fall 2) gets at best, with nothing
between the probe and the table. It runs from the start, so the kill falls
at a random point of its cycle, as it does for xlbd's checker (started at
the kill, it would always answer (fall - 1) x interval). After a random
0-100 ms the server is killed (SIGKILL) and the clock starts. The VIP
entry is read every millisecond; a new table is scanned when it appears.
Prints one line:

  table=MS probe=MS

Exits 1 with a message on stderr when the backend is not in the table
beforehand, or the table or the probe loop still has it after TIMEOUT
seconds.
"""
import ipaddress
import os
import random
import signal
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pinned_maps import (BACKEND, VIP, XLB_BE_F_PRESENT, XLB_FAMILY_V4,  # noqa: E402
                         XLB_MAX_BACKENDS, active_table, lookup, obj_get, table_ids)

PROBE_S = 0.100
PROBE_TIMEOUT_S = 0.080
FALL = 2
POLL_S = 0.001

def fail(msg):
    print(f"maglev_gone: {msg}", file=sys.stderr)
    sys.exit(1)


class Table:
    """The VIP's active Maglev table, read from the pinned maps."""

    def __init__(self, pin, vip, port):
        self.vips = obj_get(os.path.join(pin, "vips"))
        self.rings = obj_get(os.path.join(pin, "rings"))
        self.backends = obj_get(os.path.join(pin, "backends"))
        self.key = (ipaddress.IPv4Address(vip).packed + bytes(12) +
                    struct.pack("!H", port) + bytes([socket.IPPROTO_TCP, XLB_FAMILY_V4]))
        self.seen = None  # (ring_id, inner map id) last scanned
        self.ids = set()

    def vip(self):
        v = lookup(self.vips, self.key, VIP.size)
        if v is None:
            fail("the VIP is not in the datapath's vips map")
        return VIP.unpack(v)

    def backend_id(self, addr):
        """The id of the backend at addr in this VIP, None if there is none."""
        vip_id = self.vip()[0]
        want = ipaddress.IPv4Address(addr).packed + bytes(12)
        for i in range(1, XLB_MAX_BACKENDS):
            v = lookup(self.backends, struct.pack("=I", i), BACKEND.size)
            b = BACKEND.unpack(v)
            if (b[0] == want and b[1] == XLB_FAMILY_V4 and b[2] & XLB_BE_F_PRESENT and
                    b[8] == vip_id):
                return i
        return None

    def poll(self):
        """The backend ids of the active table (read again when it changed)."""
        where = active_table(self.rings, self.vip())
        if where is None:
            fail(f"rings[{self.vip()[1]}] is empty")
        if self.seen != where:
            self.seen = where
            # XLB_SLOT_BE: the high half is second chance's
            self.ids = set(table_ids(*where))
        return self.ids


class Prober(threading.Thread):
    """TCP connect every PROBE_S; down at FALL failures in a row."""

    def __init__(self, addr, port):
        super().__init__(daemon=True)
        self.addr = (addr, port)
        self.ok_run = 0  # successes in a row
        self.fails = 0
        self.armed_at = None  # failures count from here (the kill)
        self.down_at = None

    def probe(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(PROBE_TIMEOUT_S)
        try:
            s.connect(self.addr)
            return True
        except OSError:
            return False
        finally:
            s.close()

    def run(self):
        due = time.monotonic()
        while self.down_at is None:
            ok = self.probe()
            now = time.monotonic()
            armed = self.armed_at
            if ok:
                self.ok_run += 1
                self.fails = 0
            else:
                self.ok_run = 0
                # failures count once the server was killed
                if armed is not None and now >= armed:
                    self.fails += 1
                    if self.fails >= FALL:
                        self.down_at = now
            due += PROBE_S
            time.sleep(max(0.0, due - time.monotonic()))


def main():
    if len(sys.argv) not in (6, 7):
        fail("usage: maglev_gone.py PIN_DIR VIP PORT BACKEND PID [TIMEOUT]")
    pin, vip, port, addr, pid = sys.argv[1:6]
    port, pid = int(port), int(pid)
    timeout = float(sys.argv[6]) if len(sys.argv) == 7 else 5.0
    table = Table(pin, vip, port)
    prober = Prober(addr, port)
    prober.start()
    end = time.monotonic() + timeout
    bid = None
    while bid is None or bid not in table.poll() or prober.ok_run < 2:
        if time.monotonic() > end:
            fail(f"backend {addr} (id {bid}) not in the table and answering "
                 f"{timeout:g} s before the kill (probe successes in a row: {prober.ok_run})")
        if bid is None:
            bid = table.backend_id(addr)
        time.sleep(0.01)
    time.sleep(random.uniform(0, PROBE_S))

    os.kill(pid, signal.SIGKILL)
    t0 = time.monotonic()
    prober.armed_at = t0
    t_table = None
    while t_table is None or prober.down_at is None:
        now = time.monotonic()
        if t_table is None and bid not in table.poll():
            t_table = now
        if now - t0 > timeout:
            fail(f"after {timeout:g} s: backend {addr} "
                 f"{'still in the table' if t_table is None else 'out of the table'}, "
                 f"probe loop {'still' if prober.down_at is None else 'no longer'} sees it up")
        time.sleep(POLL_S)
    print(f"table={(t_table - t0) * 1000:.1f} probe={(prober.down_at - t0) * 1000:.1f}")


if __name__ == "__main__":
    main()
