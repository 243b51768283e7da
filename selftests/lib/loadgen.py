#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Real traffic through the balancer for the fault tests (selftests/e2e/fault_*):

  long   connections opened at the start that exchange a line with the
         echo server (echo_server.py) every --long-interval seconds until
         the end; every answer names the backend, so a connection that
         changes backend, is reset, or stalls is seen;
  idle   connections opened at the start that exchange a line only at the
         start of each phase (their flow entries age meanwhile);
  new    a steady stream of new connections: connect, one exchange, close;
  udp    a steady stream of UDP queries to a responder that answers with
         the backend's name (asked again after 1 s, three times at most,
         as a DNS client does).

Addresses are comma-separated lists, used in turn (IPv4 and IPv6 at once).
The test marks its faults with SIGUSR1 (the next phase begins, counters are
kept per phase) and ends the run with SIGTERM: nothing new starts, what is
in flight finishes, every long and idle connection makes a last exchange
and closes, and a JSON summary is written to --out. --ready is created once
every long and idle connection has made its first exchange.

  loadgen.py [options] --out SUMMARY   the load (options below)
  loadgen.py check SUMMARY     the figures of each phase and of the long
      connections; exit 1 (with FAIL lines) on any error: a new connection
      or UDP query failed, a phase without a new connection or an answer,
      a long connection broken, moved, or silent in a phase
  loadgen.py errors SUMMARY    the first 20 errors (for a failure report)
  loadgen.py totals SUMMARY    one line: new connections, UDP queries, long
      connections broken, over all phases
"""
import argparse
import asyncio
import json
import signal
import socket
import sys
import time


class Phase:
    def __init__(self):
        self.new_ok = 0
        self.new_fail = 0
        self.udp_ok = 0
        self.udp_retried = 0
        self.udp_lost = 0
        self.long_exchanges = 0
        self.new_backends = {}
        self.udp_backends = {}

    def dump(self):
        return self.__dict__


class Run:
    def __init__(self, args):
        self.args = args
        self.phases = [Phase()]
        self.stopping = False
        self.stop_event = asyncio.Event()
        self.phase_event = asyncio.Event()
        self.errors = []
        self.tasks = set()

    @property
    def phase(self):
        return self.phases[-1]

    def error(self, what):
        if len(self.errors) < 50:
            self.errors.append("%.3f phase %d: %s" % (time.time(), len(self.phases) - 1, what))

    def next_phase(self):
        self.phases.append(Phase())
        self.phase_event.set()
        self.phase_event = asyncio.Event()

    def stop(self):
        self.stopping = True
        self.stop_event.set()
        self.phase_event.set()

    def spawn(self, coro):
        t = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(t)
        t.add_done_callback(self.tasks.discard)


def addrs(s):
    return [a for a in s.split(",") if a] if s else []


def backend_of(reply, sent):
    """'b1 x\n' for a sent 'x\n' -> 'b1'; None if it is not the answer."""
    name, _, rest = reply.decode(errors="replace").partition(" ")
    return name if rest == sent.decode() else None


class Conn:
    """A long or idle connection and what happened to it."""

    def __init__(self, run, kind, idx, addr, port):
        self.run, self.kind, self.idx, self.addr, self.port = run, kind, idx, addr, port
        self.backend = None
        self.exchanges = 0
        self.per_phase = {}
        self.error = None
        self.max_rtt_ms = 0.0
        self.reader = self.writer = None
        self.seq = 0

    async def exchange(self):
        self.seq += 1
        line = ("%s%d %d\n" % (self.kind, self.idx, self.seq)).encode()
        t0 = time.monotonic()
        self.writer.write(line)
        await self.writer.drain()
        reply = await asyncio.wait_for(self.reader.readline(), self.run.args.timeout)
        if not reply:
            raise ConnectionError("closed by the peer")
        be = backend_of(reply, line)
        if be is None:
            raise ConnectionError("bad answer %r" % reply)
        if self.backend is None:
            self.backend = be
        elif be != self.backend:
            raise ConnectionError("moved from %s to %s" % (self.backend, be))
        self.max_rtt_ms = max(self.max_rtt_ms, (time.monotonic() - t0) * 1000)
        self.exchanges += 1
        ph = len(self.run.phases) - 1
        self.per_phase[ph] = self.per_phase.get(ph, 0) + 1
        if self.kind == "long":
            self.run.phase.long_exchanges += 1

    async def main(self, ready):
        run = self.run
        try:
            self.reader, self.writer = await asyncio.wait_for(
                asyncio.open_connection(self.addr, self.port), run.args.timeout)
            await self.exchange()
            ready.append(self)
            while not run.stopping:
                if self.kind == "long":
                    try:
                        await asyncio.wait_for(run.stop_event.wait(), run.args.long_interval)
                    except asyncio.TimeoutError:
                        pass
                else:
                    await run.phase_event.wait()
                # the last exchange after the stop too: it must still work
                await self.exchange()
            self.writer.close()
            await self.writer.wait_closed()
        except (OSError, ConnectionError, asyncio.TimeoutError) as e:
            self.error = "%s after %d exchanges: %s" % (
                type(e).__name__, self.exchanges, e)
            run.error("%s %d (%s, backend %s) %s" % (self.kind, self.idx, self.addr,
                                                      self.backend, self.error))

    def dump(self):
        return {"kind": self.kind, "idx": self.idx, "addr": self.addr,
                "backend": self.backend, "exchanges": self.exchanges,
                "per_phase": self.per_phase, "error": self.error,
                "max_rtt_ms": round(self.max_rtt_ms, 1)}


async def one_new(run, addr, port, n):
    ph = run.phase
    line = ("new%d\n" % n).encode()
    writer = None
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(addr, port),
                                                run.args.timeout)
        writer.write(line)
        await writer.drain()
        reply = await asyncio.wait_for(reader.readline(), run.args.timeout)
        be = backend_of(reply, line)
        if be is None:
            raise ConnectionError("bad answer %r" % reply)
        ph.new_ok += 1
        ph.new_backends[be] = ph.new_backends.get(be, 0) + 1
    except (OSError, ConnectionError, asyncio.TimeoutError) as e:
        ph.new_fail += 1
        run.error("new connection %d to %s: %s %s" % (n, addr, type(e).__name__, e))
    finally:
        if writer:
            writer.close()
            try:
                await writer.wait_closed()
            except (OSError, ConnectionError):
                pass


async def one_udp(run, addr, port, n):
    loop = asyncio.get_running_loop()
    ph = run.phase
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        s.setblocking(False)
        s.connect((addr, port))
        for attempt in range(3):
            try:
                await loop.sock_sendall(s, b"q%d" % n)
                reply = await asyncio.wait_for(loop.sock_recv(s, 512), 1.0)
            except (OSError, asyncio.TimeoutError):
                continue
            be = reply.decode(errors="replace").strip()
            ph.udp_ok += 1
            ph.udp_retried += attempt > 0
            ph.udp_backends[be] = ph.udp_backends.get(be, 0) + 1
            return
    ph.udp_lost += 1
    run.error("udp query %d to %s: no answer after 3 tries" % (n, addr))


async def ticker(run, rate, targets, port, fn):
    """fn(run, addr, port, n) `rate` times a second, over the targets in turn."""
    if not rate or not targets:
        return
    n = 0
    start = time.monotonic()
    while not run.stopping:
        run.spawn(fn(run, targets[n % len(targets)], port, n))
        n += 1
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            try:
                await asyncio.wait_for(run.stop_event.wait(), delay)
            except asyncio.TimeoutError:
                pass


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--long", type=int, default=0)
    ap.add_argument("--idle", type=int, default=0)
    ap.add_argument("--long-addr", default="")
    ap.add_argument("--long-port", type=int, default=82)
    ap.add_argument("--long-interval", type=float, default=0.2)
    ap.add_argument("--new-rate", type=float, default=0)
    ap.add_argument("--new-addr", default="")
    ap.add_argument("--new-port", type=int, default=82)
    ap.add_argument("--udp-rate", type=float, default=0)
    ap.add_argument("--udp-addr", default="")
    ap.add_argument("--udp-port", type=int, default=5353)
    ap.add_argument("--timeout", type=float, default=5)
    ap.add_argument("--ready")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    run = Run(args)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, run.next_phase)
    loop.add_signal_handler(signal.SIGTERM, run.stop)
    loop.add_signal_handler(signal.SIGINT, run.stop)

    targets = addrs(args.long_addr)
    conns, ready = [], []
    for i in range(args.long):
        conns.append(Conn(run, "long", i, targets[i % len(targets)], args.long_port))
    for i in range(args.idle):
        conns.append(Conn(run, "idle", i, targets[i % len(targets)], args.long_port))
    conn_tasks = [loop.create_task(c.main(ready)) for c in conns]

    async def announce_ready():
        while len(ready) < len(conns) and not all(t.done() for t in conn_tasks):
            await asyncio.sleep(0.05)
        if args.ready:
            open(args.ready, "w").close()

    ready_task = loop.create_task(announce_ready())
    tickers = [
        loop.create_task(ticker(run, args.new_rate, addrs(args.new_addr), args.new_port,
                                one_new)),
        loop.create_task(ticker(run, args.udp_rate, addrs(args.udp_addr), args.udp_port,
                                one_udp)),
    ]
    await run.stop_event.wait()
    await asyncio.gather(*tickers)
    while run.tasks:
        await asyncio.gather(*list(run.tasks))
    await asyncio.gather(*conn_tasks)
    ready_task.cancel()
    with open(args.out, "w") as f:
        json.dump({"phases": [p.dump() for p in run.phases],
                   "conns": [c.dump() for c in conns],
                   "errors": run.errors}, f, indent=1)


def check(s):
    bad = []
    for i, p in enumerate(s["phases"]):
        print("phase %d: new %d ok %d failed %s, udp %d answered (%d retried) %d lost %s, "
              "long exchanges %d" % (i, p["new_ok"], p["new_fail"], p["new_backends"], p["udp_ok"],
                                     p["udp_retried"], p["udp_lost"], p["udp_backends"],
                                     p["long_exchanges"]))
        if p["new_fail"] or p["udp_lost"]:
            bad.append("phase %d: %d new connections failed, %d UDP queries lost" %
                       (i, p["new_fail"], p["udp_lost"]))
        if not p["new_ok"] or not p["udp_ok"]:
            bad.append("phase %d: no new connection or no UDP answer at all" % i)
    longs = [c for c in s["conns"] if c["kind"] == "long"]
    broken = [c for c in longs if c["error"]]
    silent = [c for c in longs if not c["error"] and
              any(str(i) not in c["per_phase"] for i in range(len(s["phases"])))]
    rtt = max([c["max_rtt_ms"] for c in longs] or [0])
    print("long connections: %d, %d broken, %d silent in a phase, %d exchanges, max rtt %.0f ms" %
          (len(longs), len(broken), len(silent), sum(c["exchanges"] for c in longs), rtt))
    if broken:
        bad.append("%d long connections broke, first: %s" % (len(broken), broken[0]))
    if silent:
        bad.append("%d long connections made no exchange in a phase, first: %s" %
                   (len(silent), silent[0]))
    for b in bad:
        print("FAIL:", b)
    return 1 if bad else 0


def totals(s):
    ph = s["phases"]
    new_ok, new_fail = sum(p["new_ok"] for p in ph), sum(p["new_fail"] for p in ph)
    udp_ok, udp_lost = sum(p["udp_ok"] for p in ph), sum(p["udp_lost"] for p in ph)
    print("load: %d new connections (%d failed), %d UDP queries (%d lost), "
          "%d long connections broken by the churn" %
          (new_ok + new_fail, new_fail, udp_ok + udp_lost, udp_lost,
           sum(1 for c in s["conns"] if c["error"])))
    return 0


def report(cmd, path):
    with open(path) as f:
        s = json.load(f)
    if cmd == "check":
        return check(s)
    if cmd == "totals":
        return totals(s)
    print("\n".join(s["errors"][:20]))
    return 0


if len(sys.argv) == 3 and sys.argv[1] in ("check", "errors", "totals"):
    sys.exit(report(sys.argv[1], sys.argv[2]))
asyncio.run(main())
