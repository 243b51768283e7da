#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Servers and clients of the namespace topologies (selftests/lib/system.sh,
and topo.sh for its UDP responder).

Every answer names the backend (or DNS server) that gave it, so the client
sees how traffic spreads. Clients print one summary line of NAME=COUNT
words (sorted, `failed=N` last) that the shell reads.

  system.py serve NAME PORT
      HTTP/1.1 server (keep-alive, dual stack): GET / answers "NAME\\n";
      GET /stream/SECONDS sends 10 KiB per second for SECONDS (a download
      that stays on the wire: the backend cannot push it all into socket
      buffers at once, so the client's ACKs keep crossing the balancer).
  system.py udp NAME PORT ADDR...
      Answers every datagram to ADDR:PORT with "NAME\\n", from the address
      it came to (one socket per ADDR: a wildcard socket would answer from
      the backend's own address).
  system.py ask ADDR PORT
      One datagram to ADDR:PORT; prints the answer. Like a DNS client it
      asks again (same socket) when none came within 1 s, three times at
      most: a veth under load may drop a datagram.
  system.py http ADDR PORT COUNT
      COUNT requests, each on a new connection (a new source port, so the
      leaf's ECMP and Maglev spread them): answers by name, failed.
  system.py dns ADDR COUNT
      COUNT queries for whoami.example.org TXT, each from a new socket;
      like a stub resolver, asks again after 1 s without an answer (or
      at once after an ICMP error), 3 tries. Prints answers by name,
      retried (answered on a later try), failed.
  system.py loop http|dns ADDR [PORT] STOPFILE
      The same requests back to back (one every 50 ms) until STOPFILE
      exists: requests=N, answers by name, failed.
  system.py hold ADDR PORT COUNT DIR
      Opens COUNT keep-alive HTTP connections and asks on each every
      0.5 s. DIR/ready gets one line per connection: `SPORT BACKEND`;
      DIR/rounds how many times every connection has been asked.
      When DIR/stop appears, asks once more on every connection and
      writes DIR/result (`SPORT BACKEND ok|broken REASON`) and the summary
      held=N ok=N broken=N on stdout. A connection is broken after any
      error (reset, close, no answer within 5 s, another backend's name);
      it is never reopened.
  system.py packets ADDR=NAME... < JSON...
      The per-backend packets of `xlbctl -j backend show VIP` of several
      nodes (the documents one after the other), summed per backend and
      named by NAME: "NAME=N ..." sorted.
"""
import http.server
import os
import random
import select
import socket
import struct
import sys
import time

from json_get import docs as json_docs


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


# --- server ---------------------------------------------------------------

def serve(name, port):
    body = (name + "\n").encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            parts = self.path.split("/")
            if len(parts) == 3 and parts[1] == "stream" and parts[2].isdigit():
                self.stream(int(parts[2]))
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def stream(self, seconds):
            chunks = seconds * 10
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(chunks * 1024))
            self.end_headers()
            for i in range(chunks):
                line = ("%s %05d " % (name, i + 1)).ljust(1023, ".") + "\n"
                self.wfile.write(line.encode())
                self.wfile.flush()
                time.sleep(0.1)

    class Server(http.server.ThreadingHTTPServer):
        address_family = socket.AF_INET6
        daemon_threads = True
        request_queue_size = 128

        def server_bind(self):
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            super().server_bind()

    Server(("::", port), Handler).serve_forever()


def udp_serve(name, port, addrs):
    socks = []
    for addr in addrs:
        s = socket.socket(family(addr), socket.SOCK_DGRAM)
        s.bind((addr, port))
        socks.append(s)
    answer = (name + "\n").encode()
    while True:
        for s in select.select(socks, [], [])[0]:
            _, peer = s.recvfrom(512)
            s.sendto(answer, peer)


def udp_ask(addr, port):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(1)
    for _ in range(3):
        s.sendto(b"q", (addr, port))
        try:
            print(s.recv(512).decode().strip())
            return 0
        except socket.timeout:
            continue
    return 1


# --- HTTP client ----------------------------------------------------------

def http_ask(s, path="/"):
    """One request on connected socket s; the answer's body, stripped."""
    s.sendall(("GET %s HTTP/1.1\r\nHost: xlb\r\n\r\n" % path).encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        data = s.recv(4096)
        if not data:
            raise ConnectionError("closed by peer")
        buf += data
    head, body = buf.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    if not head.startswith(b"HTTP/1.1 200"):
        raise ConnectionError(head.split(b"\r\n")[0].decode(errors="replace"))
    while len(body) < length:
        data = s.recv(4096)
        if not data:
            raise ConnectionError("closed by peer mid-answer")
        body += data
    return body.decode(errors="replace").strip()


def http_once(addr, port):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect((addr, port))
        return http_ask(s)
    finally:
        s.close()


# --- DNS client (RFC 1035) -----------------------------------------------

QNAME = "whoami.example.org"
TYPE_TXT = 16


def dns_query(qid):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in QNAME.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", TYPE_TXT, 1)


def dns_skip_name(m, off):
    while True:
        n = m[off]
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n
        if n == 0:
            return off


def dns_answer(m, qid):
    """The first TXT string of the answer to query qid, or None."""
    if len(m) < 12:
        return None
    rid, flags, qd, an = struct.unpack("!HHHH", m[:8])
    if rid != qid or not flags & 0x8000 or flags & 0xF or an == 0:
        return None
    off = 12
    for _ in range(qd):
        off = dns_skip_name(m, off) + 4
    for _ in range(an):
        off = dns_skip_name(m, off)
        rtype, _, _, rdlen = struct.unpack("!HHIH", m[off:off + 10])
        off += 10
        if rtype == TYPE_TXT and rdlen > 0:
            return m[off + 1:off + 1 + m[off]].decode(errors="replace")
        off += rdlen
    return None


def dns_once(addr):
    """(answer, tries) or (None, tries) after 3 tries."""
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    try:
        s.connect((addr, 53))
        for tries in (1, 2, 3):
            qid = random.randrange(65536)
            deadline = time.monotonic() + 1
            try:
                s.send(dns_query(qid))
            except OSError:
                time.sleep(1)
                continue
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                s.settimeout(left)
                try:
                    got = dns_answer(s.recv(512), qid)
                except socket.timeout:
                    break
                except OSError:
                    # ICMP error (port unreachable) from a server whose
                    # resolver died: ask again once the second is over
                    time.sleep(max(0, deadline - time.monotonic()))
                    break
                if got is not None:
                    return got, tries
        return None, 3
    finally:
        s.close()


# --- batches and loops -----------------------------------------------------

def summary(counts, failed, **extra):
    words = ["%s=%d" % (k, counts[k]) for k in sorted(counts)]
    words += ["%s=%d" % (k, v) for k, v in extra.items()]
    words.append("failed=%d" % failed)
    print(" ".join(words), flush=True)


def one_request(kind, addr, port):
    """(answer or None, retried)"""
    if kind == "http":
        try:
            return http_once(addr, port), False
        except (OSError, ValueError):
            return None, False
    got, tries = dns_once(addr)
    return got, tries > 1


def batch(kind, addr, port, count):
    counts, failed, retried = {}, 0, 0
    for _ in range(count):
        got, again = one_request(kind, addr, port)
        if got is None:
            failed += 1
            continue
        counts[got] = counts.get(got, 0) + 1
        retried += again
    if kind == "dns":
        summary(counts, failed, retried=retried)
    else:
        summary(counts, failed)


def loop(kind, addr, port, stopfile):
    counts, failed, n, retried = {}, 0, 0, 0
    while not os.path.exists(stopfile):
        got, again = one_request(kind, addr, port)
        n += 1
        if got is None:
            failed += 1
            print("failed at %.3f" % time.time(), file=sys.stderr, flush=True)
        else:
            counts[got] = counts.get(got, 0) + 1
            retried += again
        time.sleep(0.05)
    if kind == "dns":
        summary(counts, failed, requests=n, retried=retried)
    else:
        summary(counts, failed, requests=n)


def hold(addr, port, count, d):
    conns = []  # [socket or None, sport, backend, reason]
    for _ in range(count):
        s = socket.socket(family(addr), socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect((addr, port))
            conns.append([s, s.getsockname()[1], http_ask(s), ""])
        except OSError as e:
            s.close()
            print("hold: cannot open a connection: %s" % e, file=sys.stderr)
            sys.exit(1)
    with open(os.path.join(d, "ready.tmp"), "w") as f:
        for c in conns:
            f.write("%d %s\n" % (c[1], c[2]))
    os.rename(os.path.join(d, "ready.tmp"), os.path.join(d, "ready"))

    def ask_all():
        for c in conns:
            if c[0] is None:
                continue
            try:
                got = http_ask(c[0])
                if got != c[2]:
                    raise ConnectionError("answered by %s" % got)
            except (OSError, ValueError) as e:
                c[3] = ("%s:%s@%.3f" % (type(e).__name__, e, time.time())).replace(" ", "_")
                c[0].close()
                c[0] = None

    stop = os.path.join(d, "stop")
    rounds = 0
    while not os.path.exists(stop):
        ask_all()
        rounds += 1
        # how many times every connection was asked: what a test waits on
        with open(os.path.join(d, "rounds.tmp"), "w") as f:
            f.write("%d\n" % rounds)
        os.rename(os.path.join(d, "rounds.tmp"), os.path.join(d, "rounds"))
        time.sleep(0.5)
    ask_all()
    ok = 0
    with open(os.path.join(d, "result.tmp"), "w") as f:
        for s, sport, backend, reason in conns:
            ok += s is not None
            f.write("%d %s %s %s\n" % (sport, backend, "ok" if s else "broken", reason))
    os.rename(os.path.join(d, "result.tmp"), os.path.join(d, "result"))
    print("held=%d ok=%d broken=%d" % (len(conns), ok, len(conns) - ok), flush=True)


def packets(names):
    tot = {}
    for rows in json_docs(sys.stdin.read()):
        for r in rows:
            b = names.get(r["backend"], r["backend"])
            tot[b] = tot.get(b, 0) + r["packets"]
    print(" ".join("%s=%d" % kv for kv in sorted(tot.items())))


def main(argv):
    try:
        cmd = argv[1]
        if cmd == "serve":
            serve(argv[2], int(argv[3]))
        elif cmd in ("http", "dns"):
            if cmd == "http":
                batch(cmd, argv[2], int(argv[3]), int(argv[4]))
            else:
                batch(cmd, argv[2], 53, int(argv[3]))
        elif cmd == "loop" and argv[2] == "http":
            loop("http", argv[3], int(argv[4]), argv[5])
        elif cmd == "loop" and argv[2] == "dns":
            loop("dns", argv[3], 53, argv[4])
        elif cmd == "hold":
            hold(argv[2], int(argv[3]), int(argv[4]), argv[5])
        elif cmd == "udp" and len(argv) > 4:
            udp_serve(argv[2], int(argv[3]), argv[4:])
        elif cmd == "ask":
            return udp_ask(argv[2], int(argv[3]))
        elif cmd == "packets":
            packets(dict(a.split("=", 1) for a in argv[2:]))
        else:
            raise IndexError
    except (IndexError, ValueError):
        print(__doc__, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
