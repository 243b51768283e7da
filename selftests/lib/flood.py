#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
A flood of distinct flows for the flow-table test: COUNT flows of TCP ACK
segments (never a SYN: a SYN creates no flow entry in xlb) or UDP
datagrams from SRC, one per source port, the ports taken from LO..HI in
random order, to DST:DPORT, RATE flows a second, PER_FLOW packets each
(default 1) sent back to back. Each is a new flow for the balancer, so
each takes a flow-table entry; a flow's second packet makes its entry
recently used, as a real connection's would. Checksums are right, as a
real sender's. Prints the number of packets sent.

Usage: flood.py tcp|udp SRC DST DPORT LO HI COUNT RATE [PER_FLOW]
"""
import random
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def segment(proto, src, dst, sport, dport):
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst)
    if proto == "tcp":
        payload = b"flood"
        hdr = struct.pack("!HHIIBBHHH", sport, dport, random.getrandbits(32),
                          random.getrandbits(32), 5 << 4, 0x10, 65535, 0, 0)
        seg = hdr + payload
        c = csum(pseudo + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(seg)) + seg)
        return seg[:16] + struct.pack("!H", c) + seg[18:]
    payload = b"flood"
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = csum(pseudo + struct.pack("!BBH", 0, socket.IPPROTO_UDP, len(seg)) + seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def main():
    proto, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
    dport, lo, hi, count = (int(a) for a in sys.argv[4:8])
    rate = float(sys.argv[8])
    per_flow = int(sys.argv[9]) if len(sys.argv) > 9 else 1
    ports = list(range(lo, hi + 1))
    random.shuffle(ports)
    ports = ports[:count]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                      socket.IPPROTO_TCP if proto == "tcp" else socket.IPPROTO_UDP)
    s.bind((src, 0))
    start = time.monotonic()
    sent = 0
    for i, sport in enumerate(ports):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        for _ in range(per_flow):
            try:
                s.sendto(segment(proto, src, dst, sport, dport), (dst, 0))
                sent += 1
            except OSError:
                # a full socket buffer: the packet was not sent, say so
                pass
    print(sent)


main()
