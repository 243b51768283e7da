#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Helpers of selftests/lib/leaf.sh that are easier in Python.

  leaf.py conf TEMPLATE KEY=VALUE... [neighbor=ADDR]... [option]...
      Instantiate a doc/leaf/ template on stdout: @KEY@ placeholders are
      replaced, the block between '>>> each xlb node' and '<<<' is written
      once per neighbor (@NEIGHBOR@, @NAME@), and a line tagged #[x] or ![x]
      is kept only when option x is given (#[!x]: only when it is not).
  leaf.py routes bird|frr|gobgp < OUTPUT
      Normalize a leaf's route dump (birdc `show route all`, FRR
      `show bgp ... json detail`, gobgp `global rib -j`; several dumps may
      follow each other) into one line per prefix:
        PREFIX nexthops=NH[,NH] aspath=AS[,AS] med=N communities=A:B[,..] large=A:B:C[,..]
      with '-' for an absent attribute. Attributes are the best path's;
      nexthops are those of the best path and of every path the leaf may
      use with it for ECMP. Lists are sorted, nexthops are global addresses.
  leaf.py state bird|frr|gobgp NEIGHBOR < OUTPUT
      The session state as RFC 4271 names it (Idle, Connect, Active,
      OpenSent, OpenConfirm, Established) from birdc `show protocols all
      NAME`, FRR `show bgp neighbors ADDR json` or gobgp `neighbor ADDR -j`.
  leaf.py bfd bird|frr NEIGHBOR < OUTPUT
      The leaf's BFD session with NEIGHBOR from birdc `show bfd sessions`
      or FRR `show bfd peers json`, as `STATE tx=MS detect=MS`: the state
      as RFC 5880 names it (AdminDown, Down, Init, Up; `none` without a
      session), the interval the leaf sends at and its Detection Time.
"""
import ipaddress
import re
import sys

from json_get import docs as json_docs

# RFC 1997 / RFC 8326 / RFC 7999 ... well-known communities as FRR names them
WELL_KNOWN = {
    "graceful-shutdown": "65535:0",
    "accept-own": "65535:1",
    "route-filter-translated-v4": "65535:2",
    "route-filter-v4": "65535:3",
    "route-filter-translated-v6": "65535:4",
    "route-filter-v6": "65535:5",
    "llgr-stale": "65535:6",
    "no-llgr": "65535:7",
    "accept-own-nexthop": "65535:8",
    "blackhole": "65535:666",
    "no-export": "65535:65281",
    "no-advertise": "65535:65282",
    "local-AS": "65535:65283",
    "no-peer": "65535:65284",
}

STATES = ["Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"]


def numkey(s):
    return [int(x) for x in re.findall(r"\d+", s)]


def addrkey(s):
    a = ipaddress.ip_address(s)
    return (a.version, a)


def joined(items, key=None):
    items = sorted(set(items), key=key)
    return ",".join(items) if items else "-"


class Path:
    def __init__(self):
        self.nexthop = None
        self.aspath = []
        self.med = None
        self.origin = None
        self.localpref = None
        self.communities = []
        self.large = []
        self.best = False
        self.multipath = None  # None: decide by comparing with the best

    def mergeable(self, best):
        # what BIRD (merge paths) and GoBGP (use-multiple-paths) compare
        # before they stop at router id / neighbor address
        return (self.localpref == best.localpref and
                len(self.aspath) == len(best.aspath) and
                self.origin == best.origin and self.med == best.med)


def emit(routes):
    out = []
    for prefix, paths in routes.items():
        if not paths:
            continue
        best = next((p for p in paths if p.best), paths[0])
        hops = [p.nexthop for p in paths if p.nexthop and
                (p is best or (p.multipath if p.multipath is not None
                               else p.mergeable(best)))]
        out.append((ipaddress.ip_network(prefix), "%s nexthops=%s aspath=%s med=%s communities=%s large=%s" % (
            prefix, joined(hops, addrkey),
            ",".join(str(a) for a in best.aspath) or "-",
            "-" if best.med is None else best.med,
            joined(best.communities, numkey), joined(best.large, numkey))))
    out.sort(key=lambda x: (x[0].version, x[0]))
    for _, line in out:
        print(line)


def routes_bird(text):
    routes = {}
    prefix = None
    p = None
    start = re.compile(r"^(\S+)?\s+(\w+) \[(\S+)[^\]]*\]( \*)? \((\d+)\)")
    for line in text.splitlines():
        m = start.match(line)
        if m and "/" in (m.group(1) or prefix or ""):
            if m.group(1):
                prefix = m.group(1)
            p = None
            if m.group(2) != "unicast":  # unreachable: not installed
                continue
            p = Path()
            p.best = bool(m.group(4))
            routes.setdefault(prefix, []).append(p)
            continue
        if p is None or not line.startswith("\t"):
            if not line.startswith("\t"):
                p = None
            continue
        key, _, val = line.strip().partition(": ")
        if key == "BGP.next_hop":
            p.nexthop = val.split()[0]
        elif key == "BGP.as_path":
            p.aspath = [int(a) for a in re.findall(r"\d+", val)]
        elif key == "BGP.med":
            p.med = int(val)
        elif key == "BGP.origin":
            p.origin = val
        elif key == "BGP.local_pref":
            p.localpref = int(val)
        elif key == "BGP.community":
            p.communities = ["%s:%s" % c for c in re.findall(r"\((\d+),\s*(\d+)\)", val)]
        elif key == "BGP.large_community":
            p.large = ["%s:%s:%s" % c for c in
                       re.findall(r"\((\d+),\s*(\d+),\s*(\d+)\)", val)]
    emit(routes)


def routes_frr(text):
    routes = {}
    for doc in json_docs(text):
        for prefix, entries in (doc.get("routes") or {}).items():
            for e in entries:
                if "nexthops" not in e or not e.get("valid"):
                    continue  # the header entry, or an unusable path
                p = Path()
                p.best = bool((e.get("bestpath") or {}).get("overall"))
                p.multipath = bool(e.get("multipath"))
                for nh in e["nexthops"]:
                    if nh.get("afi") == "ipv4" or nh.get("scope", "global") == "global":
                        p.nexthop = nh["ip"]
                        break
                p.aspath = [int(a) for a in re.findall(r"\d+", (e.get("aspath") or {}).get("string", ""))]
                p.med = e.get("metric")
                p.communities = [WELL_KNOWN.get(c, c) for c in
                                 (e.get("community") or {}).get("string", "").split()]
                p.large = (e.get("largeCommunity") or {}).get("string", "").split()
                routes.setdefault(prefix, []).append(p)
    emit(routes)


def routes_gobgp(text):
    routes = {}
    for doc in json_docs(text):
        for prefix, entries in (doc or {}).items():
            for e in entries:
                p = Path()
                p.best = bool(e.get("best"))
                for a in e.get("attrs", []):
                    t = a.get("type")
                    if t == 1:
                        p.origin = a.get("value", 0)
                    elif t == 2:
                        for seg in a.get("as_paths", []):
                            p.aspath += seg.get("asns", [])
                    elif t in (3, 14) and a.get("nexthop"):
                        p.nexthop = a["nexthop"]
                    elif t == 4:
                        p.med = a.get("metric", 0)
                    elif t == 5:
                        p.localpref = a.get("value", 0)
                    elif t == 8:
                        p.communities = ["%d:%d" % (c >> 16, c & 0xffff)
                                         for c in a.get("communities", [])]
                    elif t == 32:
                        p.large = ["%d:%d:%d" % (v.get("ASN", 0), v.get("LocalData1", 0),
                                                 v.get("LocalData2", 0))
                                   for v in a.get("value", [])]
                routes.setdefault(prefix, []).append(p)
    emit(routes)


def state(kind, neighbor, text):
    s = None
    if kind == "bird":
        m = re.search(r"BGP state:\s+(\w+)", text)
        s = m.group(1) if m else "Idle"
    elif kind == "frr":
        for doc in json_docs(text):
            for v in doc.values():
                if isinstance(v, dict) and "bgpState" in v:
                    s = v["bgpState"]
    elif kind == "gobgp":
        for doc in json_docs(text):
            n = (doc.get("state") or {}).get("session_state", 0)
            if isinstance(n, str):
                s = n.capitalize()
            elif 1 <= n <= 6:
                s = STATES[n - 1]
            else:
                s = "Idle"
    for name in STATES:  # gobgp 'OPENSENT' -> 'OpenSent'
        if s and s.lower() == name.lower():
            s = name
    print(s or "Idle")


def bfd(kind, neighbor, text):
    out = "none"
    if kind == "bird":
        # IP address  Interface  State  Since  Interval  Timeout
        for line in text.splitlines():
            f = line.split()
            if len(f) >= 5 and f[0] == neighbor:
                out = "%s tx=%d detect=%d" % (f[2], round(float(f[-2]) * 1000),
                                               round(float(f[-1]) * 1000))
    elif kind == "frr":
        names = {"up": "Up", "down": "Down", "init": "Init", "shutdown": "AdminDown"}
        for doc in json_docs(text):
            for p in doc if isinstance(doc, list) else [doc]:
                if p.get("peer") != neighbor or p.get("multihop"):
                    continue
                tx = max(p.get("transmit-interval", 0), p.get("remote-receive-interval", 0))
                det = p.get("remote-detect-multiplier", 0) * max(
                    p.get("receive-interval", 0), p.get("remote-transmit-interval", 0))
                out = "%s tx=%d detect=%d" % (names.get(p.get("status"), p.get("status")),
                                              tx, det)
    print(out)


def conf(template, args):
    values, neighbors, options = {}, [], set()
    for a in args:
        k, eq, v = a.partition("=")
        if not eq:
            options.add(k)
        elif k == "neighbor":
            neighbors.append(v)
        else:
            values[k.upper()] = v
    tag = re.compile(r"\s*[#!]\[(!?)([\w-]+)\]\s*$")
    out, block, in_block = [], [], False

    def subst(line, extra):
        if re.match(r"^\s*[#!]", line):
            return line  # a comment, e.g. the list of placeholders
        for k, v in list(values.items()) + list(extra.items()):
            line = line.replace("@%s@" % k, v)
        left = re.findall(r"@[A-Z_]+@", line)
        if left:
            sys.exit("leaf.py: %s: no value for %s" % (template, ", ".join(left)))
        return line

    for line in open(template):
        line = line.rstrip("\n")
        m = tag.search(line)
        if m:
            if (m.group(2) in options) == bool(m.group(1)):
                continue
            line = line[:m.start()]
        if re.match(r"^\s*[#!] >>> each xlb node", line):
            in_block = True
            continue
        if in_block and re.match(r"^\s*[#!] <<<", line):
            in_block = False
            for n in neighbors:
                name = "xlb_" + re.sub(r"[^0-9a-zA-Z]", "_", n)
                out += [subst(b, {"NEIGHBOR": n, "NAME": name}) for b in block]
            block = []
            continue
        if in_block:
            block.append(line)
        else:
            out.append(subst(line, {}))
    print("\n".join(out))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, kind = sys.argv[1], sys.argv[2]
    if cmd == "conf":
        conf(kind, sys.argv[3:])
    elif cmd == "routes":
        {"bird": routes_bird, "frr": routes_frr, "gobgp": routes_gobgp}[kind](sys.stdin.read())
    elif cmd == "state":
        state(kind, sys.argv[3], sys.stdin.read())
    elif cmd == "bfd":
        bfd(kind, sys.argv[3], sys.stdin.read())
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
