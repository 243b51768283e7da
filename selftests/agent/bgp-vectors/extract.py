#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Cut a pcap of BGP sessions into one file per BGP message.

Usage: extract.py CAPTURE.pcap OUTDIR

Reassembles each TCP direction on port 179 (in sequence order, dropping
retransmitted bytes), splits it at BGP message boundaries (RFC 4271 sec
4.1) and writes:
  SENDER-SESSION-NN-TYPE.bin   one message (header included); NN is its
                               place in that direction's stream; only the
                               first KEEPALIVE of a direction is written
  SENDER-SESSION-stream.bin    the whole direction, every message
SENDER is bird (192.0.2.1, 2001:db8::1) or frr, SESSION v4 or v6 (the
transport), with -connN for the Nth connection of the same pair (a
connection collision). A line per file goes to stdout.
"""
import ipaddress
import os
import struct
import sys

TYPES = {1: "open", 2: "update", 3: "notification", 4: "keepalive", 5: "route-refresh"}
BIRD = {ipaddress.ip_address("192.0.2.1"), ipaddress.ip_address("2001:db8::1")}


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        sys.exit("not a pcap file")
    linktype = struct.unpack(end + "I", data[20:24])[0]
    if linktype != 1:
        sys.exit("link type %d, want Ethernet" % linktype)
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def tcp_segments(path):
    """(src, sport, dst, dport, seq, flags, payload) of each TCP segment."""
    for frame in packets(path):
        etype = struct.unpack("!H", frame[12:14])[0]
        ip = frame[14:]
        if etype == 0x0800:
            ihl = (ip[0] & 0x0f) * 4
            total = struct.unpack("!H", ip[2:4])[0]
            if ip[9] != 6:
                continue
            src, dst = ipaddress.ip_address(ip[12:16]), ipaddress.ip_address(ip[16:20])
            tcp = ip[ihl:total]
        elif etype == 0x86dd:
            plen = struct.unpack("!H", ip[4:6])[0]
            if ip[6] != 6:
                continue
            src, dst = ipaddress.ip_address(ip[8:24]), ipaddress.ip_address(ip[24:40])
            tcp = ip[40:40 + plen]
        else:
            continue
        sport, dport, seq = struct.unpack("!HHI", tcp[:8])
        doff = (tcp[12] >> 4) * 4
        yield src, sport, dst, dport, seq, tcp[13], tcp[doff:]


def streams(path):
    """Each direction's bytes, in order, keyed by (src, sport, dst, dport),
    in the order the connections began."""
    flows = {}
    for src, sport, dst, dport, seq, flags, payload in tcp_segments(path):
        key = (src, sport, dst, dport)
        f = flows.setdefault(key, {"isn": None, "segs": {}, "first": len(flows)})
        if flags & 0x02:                        # SYN
            f["isn"] = seq
        if payload:
            f["segs"].setdefault(seq, payload)
    out = {}
    for key, f in sorted(flows.items(), key=lambda kv: kv[1]["first"]):
        if f["isn"] is None:
            continue
        data = b""
        nxt = (f["isn"] + 1) & 0xffffffff
        for seq in sorted(f["segs"], key=lambda s: (s - nxt) & 0xffffffff):
            p = f["segs"][seq]
            skip = (nxt - seq) & 0xffffffff
            if skip >= len(p):
                continue                        # all retransmitted
            if skip and skip < 0x80000000:
                p = p[skip:]
            elif seq != nxt:
                break                           # a hole: stop here
            data += p
            nxt = (nxt + len(p)) & 0xffffffff
        out[key] = data
    return out


def messages(data):
    off = 0
    while off + 19 <= len(data):
        length = struct.unpack("!H", data[off + 16:off + 18])[0]
        if data[off:off + 16] != b"\xff" * 16 or length < 19 or off + length > len(data):
            break
        yield data[off:off + length]
        off += length


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    outdir = sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    conns = {}
    for (src, sport, dst, dport), data in streams(sys.argv[1]).items():
        if 179 not in (sport, dport) or not data:
            continue
        sender = "bird" if src in BIRD else "frr"
        session = "v%d" % src.version
        # a second connection of a session (a collision) gets a suffix
        conn = frozenset(((src, sport), (dst, dport)))
        same = conns.setdefault(session, [])
        if conn not in same:
            same.append(conn)
        base = "%s-%s" % (sender, session)
        if same.index(conn):
            base += "-conn%d" % (same.index(conn) + 1)
        with open(os.path.join(outdir, base + "-stream.bin"), "wb") as f:
            f.write(data)
        print("%s-stream.bin: %d bytes" % (base, len(data)))
        keepalive = False
        for i, m in enumerate(messages(data)):
            t = TYPES.get(m[18], "type%d" % m[18])
            if t == "keepalive":
                if keepalive:
                    continue
                keepalive = True
            name = "%s-%02d-%s.bin" % (base, i, t)
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(m)
            print("%s: %d bytes %s" % (name, len(m), m[19:].hex()))


if __name__ == "__main__":
    main()
