#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""xlbd's control socket from outside, timed: for the scale tests and the
control benchmark. Speaks the wire protocol of agent/ctl/proto.h (one
request a connection: "xlb1 json WORDS...\\n", then "ok" or "error N ..."
and the body until EOF). The socket is a file: any network namespace
reaches it.

  ctl_probe.py probe SOCK INTERVAL_MS
      Ask `status` every INTERVAL_MS ms (the next request INTERVAL_MS after
      the previous answer) until SIGTERM or SIGINT, then print
      "max_ms MS count N over_100 N failed N": the longest round trip,
      the requests, those that took more than 100 ms, those that got no
      answer (connection refused, closed early: each counts as failed).
  ctl_probe.py wait SOCK TIMEOUT_S
      Ask `status` every millisecond until it answers; print
      "up REALTIME_NS MAP_WRITES" (time.time_ns() of the answer, the
      map_writes it reports). Exit 1 after TIMEOUT_S.
  ctl_probe.py json SOCK WORDS...
      One request; print the body (exit 1 on an error answer).
"""
import signal
import socket
import sys
import time


def ask(path, words, timeout=30.0):
    """(ok, body) of one request."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        s.sendall(("xlb1 json " + " ".join(words) + "\n").encode())
        data = b""
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head, _, body = data.partition(b"\n")
    return head == b"ok", body.decode(errors="replace")


def probe(path, interval_ms):
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    worst = 0.0
    count = over = failed = 0
    while not stop:
        t0 = time.monotonic()
        try:
            ok, _ = ask(path, ["status"])
        except OSError:
            ok = False
        dt = (time.monotonic() - t0) * 1000
        count += 1
        if not ok:
            failed += 1
        worst = max(worst, dt)
        over += dt > 100
        if not stop:
            time.sleep(interval_ms / 1000)
    print(f"max_ms {worst:.1f} count {count} over_100 {over} failed {failed}", flush=True)


def wait(path, timeout):
    import json
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            ok, body = ask(path, ["status"], timeout=timeout)
            if ok:
                t = time.time_ns()
                print(f"up {t} {json.loads(body).get('map_writes', -1)}", flush=True)
                return 0
        except OSError:
            pass
        time.sleep(0.001)
    print(f"ctl_probe: no answer on {path} within {timeout:g} s", file=sys.stderr)
    return 1


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "probe" and len(sys.argv) == 4:
        probe(path, float(sys.argv[3]))
        return 0
    if cmd == "wait" and len(sys.argv) == 4:
        return wait(path, float(sys.argv[3]))
    if cmd == "json" and len(sys.argv) > 3:
        ok, body = ask(path, sys.argv[3:])
        sys.stdout.write(body)
        return 0 if ok else 1
    print(__doc__, file=sys.stderr)
    return 2


sys.exit(main())
