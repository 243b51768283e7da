#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""fleet.depool_propagation: how long a depool typed on one xlb node takes
to be in every node's datapath, next to etcd's own propagation measured
the same way in the same run.

  fleet_propagation.py SOCKET VIP BACKEND ETCD_URL PREFIX RUNS PIN_DIR...

Run in a namespace that reaches ETCD_URL (an lb node's). SOCKET is the
control socket of the node the depool is typed on, PIN_DIR each node's
pinned maps (selftests/lib/fleet.py reads the active tables from them).

Each run: the request `pool depool VIP BACKEND` is written to SOCKET (the
control protocol, as xlbctl writes it, without a process start), the
answer read (xlbd answers once its own node has applied the change), and
every node's table polled every 0.2 ms until BACKEND is out of all of
them; then `pool pool` puts it back (not measured) and the tables are
waited on again. Times on one monotonic clock:

  call     the request sent
  return   the answer read
  tables   the last node's table without BACKEND

The baseline, the same way: a key PREFIX/bench put through etcd's JSON
gateway (POST /v3/kv/put; the moment its answer arrives is `return`)
while a watch stream on the key (POST /v3/watch, read in a thread) waits
for the event: `tables` is when the event arrives.

Prints `# ...` lines with each side's median, max and every run, then

  bench fleet.depool_propagation MS ms baseline MS ratio R
      from return to tables, as issue 14 defines it: for xlb the other
      node's remaining lag (the asked node is done at return), for etcd
      the watch's lag behind the put's answer
  bench fleet.depool_propagation_from_call MS ms baseline MS ratio R
      from call to tables: the whole trip (etcd's commit, both watches,
      the tables built and written) next to etcd's put-to-watch time

A ratio divides by the baseline floored at 0.1 ms (a lag below the
clock's use is noise).
"""
import base64
import json
import os
import socket
import statistics
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../lib"))
import fleet  # noqa: E402


def ctl(path, words):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(("xlb1 text " + " ".join(words) + "\n").encode())
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    head, _, body = out.partition(b"\n")
    if head != b"ok":
        raise RuntimeError(f"{' '.join(words)}: {head.decode()} {body.decode()}")
    return body.decode()


def wait_tables(nodes, ids, out, timeout=10.0):
    """Until the backend is (out=True) not / (out=False) in every table."""
    start = time.monotonic()
    while True:
        now = time.monotonic()
        if all((ids[k] in n.table()) != out for k, n in enumerate(nodes)):
            return now
        if now - start > timeout:
            raise RuntimeError("tables did not follow in %.0f s" % timeout)
        time.sleep(0.0002)


def b64(s):
    return base64.b64encode(s.encode()).decode()


class Watch(threading.Thread):
    """A watch stream on one key; arrival times of its events."""

    def __init__(self, url, key):
        super().__init__(daemon=True)
        body = json.dumps({"create_request": {"key": b64(key)}}).encode()
        self.resp = urllib.request.urlopen(urllib.request.Request(url + "/v3/watch", body),
                                           timeout=60)
        self.events = []
        self.cond = threading.Condition()
        self.created = threading.Event()

    def run(self):
        for line in self.resp:
            now = time.monotonic()
            m = json.loads(line).get("result", {})
            if m.get("created"):
                self.created.set()
            for ev in m.get("events", []):
                with self.cond:
                    self.events.append((now, base64.b64decode(ev["kv"]["value"]).decode()))
                    self.cond.notify_all()

    def wait_value(self, value, timeout=10.0):
        with self.cond:
            end = time.monotonic() + timeout
            while True:
                for t, v in self.events:
                    if v == value:
                        return t
                left = end - time.monotonic()
                if left <= 0:
                    raise RuntimeError("the watch did not see the put")
                self.cond.wait(left)


def summary(name, xs):
    xs = sorted(xs)
    return "%s median %.1f max %.1f ms (runs: %s)" % (
        name, statistics.median(xs), xs[-1], " ".join("%.1f" % x for x in xs))


def main():
    if len(sys.argv) < 8:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sock, vip, backend, url, prefix, runs = sys.argv[1:7]
    runs = int(runs)
    pins = sys.argv[7:]
    nodes = [fleet.Node(p, vip) for p in pins]
    ids = []
    for n in nodes:
        n.load_names()
        ids.append([i for i, a in n.names.items() if a == backend][0])
    x_ret, x_call, b_ret, b_call = [], [], [], []
    for _ in range(runs):
        wait_tables(nodes, ids, out=False)
        t_call = time.monotonic()
        ctl(sock, ["pool", "depool", vip, backend])
        t_ret = time.monotonic()
        t_tab = wait_tables(nodes, ids, out=True)
        x_ret.append((t_tab - t_ret) * 1000)
        x_call.append((t_tab - t_call) * 1000)
        ctl(sock, ["pool", "pool", vip, backend])
    w = Watch(url, prefix + "/bench")
    w.start()
    if not w.created.wait(10):
        raise RuntimeError("the watch was not created")
    for i in range(runs):
        value = "v%d-%d" % (os.getpid(), i)
        body = json.dumps({"key": b64(prefix + "/bench"), "value": b64(value)}).encode()
        t_call = time.monotonic()
        urllib.request.urlopen(urllib.request.Request(url + "/v3/kv/put", body), timeout=10).read()
        t_ret = time.monotonic()
        t_seen = w.wait_value(value)
        b_ret.append((t_seen - t_ret) * 1000)
        b_call.append((t_seen - t_call) * 1000)
        time.sleep(0.05)
    print("# fleet.depool_propagation: `pool depool` on one node until BACKEND is out of every "
          "node's datapath table (pinned maps), %d runs; baseline: a put through etcd's "
          "gateway until a watch on the key sees it" % runs)
    print("# xlb, from return: " + summary("", x_ret))
    print("# xlb, from call:   " + summary("", x_call))
    print("# etcd, from return: " + summary("", b_ret))
    print("# etcd, from call:   " + summary("", b_call))
    for name, xs, bs in (("fleet.depool_propagation", x_ret, b_ret),
                         ("fleet.depool_propagation_from_call", x_call, b_call)):
        v, b = statistics.median(xs), statistics.median(bs)
        print("bench %s %.1f ms baseline %.1f ratio %.2f" % (name, v, b, v / max(b, 0.1)))
        print("# %s max %.1f ms, baseline max %.1f ms" % (name, max(xs), max(bs)))


if __name__ == "__main__":
    main()
