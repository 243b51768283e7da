#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""xlb.conf of a node at scale, for the scale tests (selftests/e2e/scale_*)
and the control benchmark (selftests/bench/control.sh), and the lists
they need about it.

  scale_conf.py conf [options]      the config on stdout
  scale_conf.py down [options]      every other backend address, one a
                                    line: the half that fails in a mass
                                    change (every VIP loses some, keeps some)
  scale_conf.py withdrawn [options] the VIP prefixes that the failure of
                                    that half takes off the leaf (their
                                    VIPs' min-healthy cannot be met)
  scale_conf.py prefixes [options]  every VIP prefix announced while all is up
  scale_conf.py backends [options]  every backend address

Options (the same for every command, so the lists match the config):
  --fwd N        forwarding VIPs (default 512, the datapath's maximum)
  --backends N   backends in all, spread evenly (default 4095)
  --local N      host-mode VIPs (default 500)
  --strict-every K  every K-th forwarding VIP has min-healthy one more than
                 half its backends, so the mass change withdraws it
                 (default 8); the others have min-healthy 1
  --interval D --timeout D --rise N --fall N   the tcp checks (1s 500ms 2 2)
  --pin DIR --socket PATH --state PATH --iface NAME   node settings
  --neighbor ADDR[:bfd=MS][:passive][:as=N]   a BGP neighbor (repeatable)
  --ring N       ring-size of the forwarding VIPs (default: none given)
  --change       every forwarding VIP changed (MED 100 and the first
                 backend's weight 200): a reload with every VIP changed
  --no-health    no health checks (every backend in, every VIP up)
  --gue          forwarding VIPs over GUE (second chance on, its default
                 there: each table change keeps the previous table's
                 owners in the slots); default ipip

Addresses (documentation ranges only): forwarding VIP i is
2001:db8:ffff::1:i (tcp 80), one address each; backend j is
2001:db8:be::j (tcp 80, unique across VIPs, so "down" is a set of
addresses); host-mode VIPs are 203.0.113.1-250, then 2001:db8:ffff::2:k,
checked on port 80 of this host. Every check is `health tcp port 80`.
"""
import argparse
import sys


def args_parse():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["conf", "down", "withdrawn", "prefixes", "backends"])
    ap.add_argument("--fwd", type=int, default=512)
    ap.add_argument("--backends", type=int, default=4095)
    ap.add_argument("--local", type=int, default=500)
    ap.add_argument("--strict-every", type=int, default=8)
    ap.add_argument("--interval", default="1s")
    ap.add_argument("--timeout", default="500ms")
    ap.add_argument("--rise", type=int, default=2)
    ap.add_argument("--fall", type=int, default=2)
    ap.add_argument("--pin", default="/sys/fs/bpf/xlb")
    ap.add_argument("--socket", default="/run/xlb/xlbd.sock")
    ap.add_argument("--state", default="/var/lib/xlb/state")
    ap.add_argument("--iface", default="lb0")
    ap.add_argument("--neighbor", action="append", default=[])
    ap.add_argument("--ring", type=int)
    ap.add_argument("--change", action="store_true")
    ap.add_argument("--no-health", action="store_true")
    ap.add_argument("--gue", action="store_true")
    return ap.parse_args()


def vip_addr(i):
    return f"2001:db8:ffff::1:{i + 1:x}"


def local_addr(k):
    return f"203.0.113.{k + 1}" if k < 250 else f"2001:db8:ffff::2:{k - 249:x}"


def backend_addr(j):
    return f"2001:db8:be::{j + 1:x}"


def vip_backends(a):
    """Backend indexes of each forwarding VIP: as even as it goes."""
    out, j = [], 0
    for i in range(a.fwd):
        n = a.backends // a.fwd + (1 if i < a.backends % a.fwd else 0)
        out.append(list(range(j, j + n)))
        j += n
    return out


def strict(a, i):
    return a.strict_every > 0 and i % a.strict_every == 0


def down(j):
    return j % 2 == 1


def neighbor(spec):
    parts = spec.split(":")
    addr, opts = parts[0], parts[1:]
    asn, body = 65000, []
    for o in opts:
        if o.startswith("bfd="):
            body.append(f"bfd {{ interval {o[4:]}ms multiplier 3 }}")
        elif o == "passive":
            body.append("passive")
        elif o.startswith("as="):
            asn = int(o[3:])
    return f"neighbor {addr} {{ remote-as {asn}; hold-time 9; {'; '.join(body)} }}"


def conf(a):
    hc = "" if a.no_health else (f"health tcp port 80 interval {a.interval} "
                                 f"timeout {a.timeout} rise {a.rise} fall {a.fall}")
    out = [
        f"# scale_conf.py: {a.fwd} forwarding VIPs, {a.backends} backends, {a.local} local",
        "router-id 192.0.2.10",
        "local-as 65010",
        "allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }",
        "encap-source 192.0.2.10 2001:db8:1::10",
        f"xdp interface {a.iface}",
        f"pin-path {a.pin}",
        f"control-socket {a.socket}",
        f"state-file {a.state}",
    ]
    out += [neighbor(n) for n in a.neighbor]
    for i, bes in enumerate(vip_backends(a)):
        mh = len(bes) // 2 + 1 if strict(a, i) else 1
        out.append(f"vip {vip_addr(i)} tcp 80 {{")
        out.append(f"    min-healthy {mh}; hold-down 0s")
        if a.gue:
            out.append("    encap gue")
        if a.ring:
            out.append(f"    ring-size {a.ring}")
        if a.change:
            out.append("    med 100")
        if hc:
            out.append(f"    {hc}")
        for n, j in enumerate(bes):
            w = " weight 200" if a.change and n == 0 else ""
            out.append(f"    backend {backend_addr(j)}{w}")
        out.append("}")
    for k in range(a.local):
        out.append(f"vip {local_addr(k)} local {{ hold-down 0s{'; ' + hc if hc else ''} }}")
    return "\n".join(out) + "\n"


def main():
    a = args_parse()
    bes = vip_backends(a)
    if a.what == "conf":
        sys.stdout.write(conf(a))
    elif a.what == "down":
        print("\n".join(backend_addr(j) for b in bes for j in b if down(j)))
    elif a.what == "backends":
        print("\n".join(backend_addr(j) for b in bes for j in b))
    elif a.what == "withdrawn":
        print("\n".join(f"{vip_addr(i)}/128" for i in range(a.fwd) if strict(a, i)))
    else:
        pfx = [f"{vip_addr(i)}/128" for i in range(a.fwd)]
        pfx += [local_addr(k) + ("/32" if "." in local_addr(k) else "/128")
                for k in range(a.local)]
        print("\n".join(pfx))


main()
