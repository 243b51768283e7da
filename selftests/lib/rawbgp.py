#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A scripted BGP peer for selftests/e2e/bgp_malformed.sh: it speaks just
enough BGP-4 (RFC 4271) to bring a session with the speaker under test to
the state a case needs, then sends whatever the case says, well formed or
not, and reports what the speaker did about it. A real BGP daemon cannot
send malformed messages on demand; this can.

  rawbgp.py session --peer ADDR --local ADDR [options] [--send MSG]...
      Connect from ADDR to the speaker at ADDR:179 and wait for its OPEN
      (the speaker is in OpenSent), then --reach:
        opensent     send nothing more
        openconfirm  send our OPEN, wait for its KEEPALIVE
        established  send our OPEN and a KEEPALIVE, wait for its KEEPALIVE
                     (it handles our KEEPALIVE before anything sent next)
      then send each --send MSG in order (all in one write with
      --together) and watch for --wait seconds,
      answering with KEEPALIVEs every hold/3 in Established (not with
      --silent). With --end MSG (when no NOTIFICATION came), send those
      and wait for the speaker to close. Prints one line:

        CODE/SUBCODE DATA END MS KEEPALIVES SENT ROUTES

      the NOTIFICATION received (DATA in hex, "-" if none) or "none -";
      END "closed" if the speaker closed the connection in order (FIN),
      "reset" if with a RST (what it had not sent yet is lost), "open" if
      it was open at the end of the wait; MS from the last byte of the case sent
      to the NOTIFICATION, the close or the end of the wait; KEEPALIVES
      received after the case was sent; SENT messages we sent on the
      session, --end included (compare with the speaker's counters);
      ROUTES IPv4 prefixes announced to us (NLRI field).

  rawbgp.py backoff --peer ADDR --local ADDR [--failures N]
      Measure the speaker's reconnect back-off: establish a session (a
      success resets the back-off), then break it with a bad marker and
      listen on ADDR:179 for the speaker's next connection, N times in a
      row, breaking each; then establish one again from our side and break
      it once more. Prints "gaps MS... reset MS": the times from each close
      to the next connection, and the one after the success.

  rawbgp.py msg MSG       the bytes of MSG in hex (to read what a case sends)

  rawbgp.py show NEIGHBOR < JSON
      What the speaker says of the session with NEIGHBOR (its
      `xlbctl -j bgp show`), on one line:
        STATE LAST_ERROR MESSAGES_IN PREFIXES_RECEIVED LAST_NOTIFICATION TEXT
      errors as CODE/SUBCODE, "-" for none; TEXT the received
      NOTIFICATION's text (empty without one).

MSG (options after ':' separated by ','):
  keepalive
  open[:version=V,as=AS,hold=S,id=ADDR,param=TYPE,caps=HEX]
      a valid OPEN from --as/--hold/--id (capabilities: IPv4 unicast, route
      refresh, 4-octet AS), with fields overridden; param adds an optional
      parameter of that type (2 bytes of value) after the capabilities;
      caps replaces the value of the Capabilities parameter
  update[:omit=T,origin=V,extra=FLAGS/TYPE/HEX,wlen=N,alen=N,empty,tail=HEX,size=N]
      ORIGIN IGP, AS_PATH (--as), NEXT_HOP (--local), NLRI 198.51.100.0/24;
      omit drops attribute type T, extra appends an attribute (flags in
      hex, type in decimal, value in hex; repeatable), wlen/alen override
      the Withdrawn Routes / Total Path Attribute Length fields; empty is
      the End-of-RIB marker (an UPDATE with nothing in it); tail appends
      raw bytes to the attributes (counted in their length: a cut or
      overrunning attribute); size pads with an optional transitive
      attribute of type 99 to a message of N bytes
  rr[:body=N,afi=A,safi=S]
                  ROUTE-REFRESH, IPv4 unicast unless afi/safi say otherwise;
                  body=N: N bytes of body (4 is right)
  cease:TEXT      NOTIFICATION Cease/Administrative Shutdown with TEXT as
                  shutdown communication (RFC 9003); TEXT runs to the end
  notification:CODE/SUBCODE[/DATA]
                  any NOTIFICATION; DATA in hex, or xN for N bytes of 0xa5
  hdr[:type=T,len=N,marker=0,body=N]
                  a header (type default 4) with N bytes of 0xa5 after it,
                  length field default 19 + N, marker all zeros with marker=0
  junk:N          N bytes of 0xa5
  flood:N         N random bytes, sent from a thread while we read
  updflood:S      well-formed UPDATEs of 4 KB (800 /32 routes each) as fast
                  as the connection takes them, for S seconds, from a
                  thread while we read and answer (counted in SENT)
  kaflood:N       KEEPALIVEs, N bytes of them, in one go
"""
import argparse
import ipaddress
import json
import os
import select
import socket
import struct
import sys
import threading
import time

BGP_PORT = 179
MARKER = b"\xff" * 16
# END in the session line: FIN = "closed", RST = "reset", none = "open"
END_STATE = {"fin": "closed", "reset": "reset", None: "open"}
OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5


class Closed(Exception):
    """The speaker closed the connection: how = "fin" (an orderly close,
    everything it wrote arrived) or "reset" (a RST: the speaker's kernel
    threw away what it had not sent)."""

    def __init__(self, how):
        super().__init__(how)
        self.how = how


class Fail(Exception):
    """The case could not run as asked (not a finding about the speaker)."""


def now_ms():
    return time.monotonic() * 1000


# ---- building messages (RFC 4271 sec 4) ----

def msg(mtype, body=b"", length=None, marker=MARKER):
    if length is None:
        length = 19 + len(body)
    return marker + struct.pack("!HB", length, mtype) + body


def attr(flags, atype, value):
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, atype, len(value)) + value
    return struct.pack("!BBB", flags, atype, len(value)) + value


def build_open(o, version=4, asn=None, hold=None, bgp_id=None, param=None, caps=None):
    asn = o.asn if asn is None else asn
    hold = o.hold if hold is None else hold
    bgp_id = o.id if bgp_id is None else bgp_id
    if caps is None:
        caps = (bytes([1, 4]) + struct.pack("!HBB", 1, 0, 1) +  # RFC 4760: IPv4 unicast
                bytes([2, 0]) +                                 # RFC 2918: route refresh
                bytes([65, 4]) + struct.pack("!I", asn))        # RFC 6793: 4-octet AS
    params = bytes([2, len(caps)]) + caps                       # RFC 5492: Capabilities
    if param is not None:
        params += bytes([param, 2, 0, 0])
    body = struct.pack("!BHH", version, asn if asn <= 0xffff else 23456, hold)
    body += ipaddress.IPv4Address(bgp_id).packed + bytes([len(params)]) + params
    return msg(OPEN, body)


def build_update(o, omit=(), origin=0, extra=(), wlen=None, alen=None, empty=False,
                 tail=b"", size=None):
    if empty:
        return msg(UPDATE, struct.pack("!HH", 0, 0))
    attrs = [(1, attr(0x40, 1, bytes([origin]))),
             (2, attr(0x40, 2, bytes([2, 1]) + struct.pack("!I", o.asn))),  # AS_SEQUENCE, 4-octet
             (3, attr(0x40, 3, ipaddress.IPv4Address(o.local).packed))]
    a = b"".join(v for t, v in attrs if t not in omit)
    for flags, atype, value in extra:
        a += attr(flags, atype, value)
    nlri = bytes([24, 198, 51, 100])
    if size is not None:
        # an optional transitive attribute of an unknown type (extended
        # length) that brings the message to size bytes
        fill = size - (19 + 4 + len(a) + 4 + len(tail) + len(nlri))
        if fill < 0:
            raise Fail("update size %d is too small" % size)
        a += struct.pack("!BBH", 0xd0, 99, fill) + b"\xa5" * fill
    a += tail
    body = struct.pack("!H", 0 if wlen is None else wlen)
    body += struct.pack("!H", len(a) if alen is None else alen) + a + nlri
    return msg(UPDATE, body)


def build_flood_update(o):
    """A maximum-size UPDATE (RFC 4271 sec 4.3): 800 /32 routes in
    198.51.100.0/24, repeated, with the three mandatory attributes."""
    a = (attr(0x40, 1, bytes([0])) +
         attr(0x40, 2, bytes([2, 1]) + struct.pack("!I", o.asn)) +
         attr(0x40, 3, ipaddress.IPv4Address(o.local).packed))
    nlri = b"".join(bytes([32, 198, 51, 100, i % 256]) for i in range(800))
    return msg(UPDATE, struct.pack("!H", 0) + struct.pack("!H", len(a)) + a + nlri)


def num(s):
    return int(s, 0)


def parse_msg(spec, o):
    """MSG (see the module doc) -> (kind, data, messages): ("bytes", the
    bytes, how many messages they are) or ("flood", n, 0)"""
    name, _, rest = spec.partition(":")
    if name == "cease":
        text = rest.encode()
        return "bytes", msg(NOTIFICATION, bytes([6, 2, len(text)]) + text), 1
    if name == "notification":
        code, subcode, data = (rest.split("/") + [""])[:3]
        data = b"\xa5" * num(data[1:]) if data.startswith("x") else bytes.fromhex(data)
        return "bytes", msg(NOTIFICATION, bytes([num(code), num(subcode)]) + data), 1
    if name == "updflood":
        return "updflood", float(rest), 0
    if name in ("junk", "flood", "kaflood"):
        n = num(rest)
        if name == "junk":
            return "bytes", b"\xa5" * n, 0
        if name == "flood":
            return "flood", n, 0
        return "bytes", msg(KEEPALIVE) * (n // 19), n // 19
    opts = []
    for item in rest.split(",") if rest else []:
        k, _, v = item.partition("=")
        opts.append((k, v))
    d = dict(opts)
    if name == "keepalive" and not opts:
        return "bytes", msg(KEEPALIVE), 1
    if name == "open":
        return "bytes", build_open(o, version=num(d.get("version", "4")),
                                   asn=num(d["as"]) if "as" in d else None,
                                   hold=num(d["hold"]) if "hold" in d else None,
                                   bgp_id=d.get("id"),
                                   param=num(d["param"]) if "param" in d else None,
                                   caps=bytes.fromhex(d["caps"]) if "caps" in d else None), 1
    if name == "update":
        extra = []
        for k, v in opts:
            if k == "extra":
                f, t, h = v.split("/")
                extra.append((int(f, 16), num(t), bytes.fromhex(h)))
        return "bytes", build_update(o, omit=[num(v) for k, v in opts if k == "omit"],
                                     origin=num(d.get("origin", "0")), extra=extra,
                                     wlen=num(d["wlen"]) if "wlen" in d else None,
                                     alen=num(d["alen"]) if "alen" in d else None,
                                     empty="empty" in d, tail=bytes.fromhex(d.get("tail", "")),
                                     size=num(d["size"]) if "size" in d else None), 1
    if name == "rr":
        body = struct.pack("!HBB", num(d.get("afi", "1")), 0, num(d.get("safi", "1")))
        n = num(d.get("body", "4"))
        return "bytes", msg(ROUTE_REFRESH, (body + b"\0" * n)[:n]), 1
    if name == "hdr":
        body = b"\xa5" * num(d.get("body", "0"))
        length = num(d["len"]) if "len" in d else None
        marker = b"\0" * 16 if d.get("marker") == "0" else MARKER
        return "bytes", msg(num(d.get("type", "4")), body, length, marker), 1
    raise Fail("unknown message %r" % spec)


# ---- one connection ----

class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.sent = 0           # messages we sent
        self.keepalives = 0     # received
        self.routes = 0         # IPv4 prefixes announced to us
        self.last_tx = now_ms()

    def send(self, data, msgs=1):
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise Closed("reset") from e
        self.sent += msgs
        self.last_tx = now_ms()

    def recv_msg(self, timeout):
        """The next message as (type, body), None on timeout; Closed on EOF."""
        end = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 19:
                if self.buf[:16] != MARKER:
                    raise Fail("the speaker sent a message without the marker")
                length, mtype = struct.unpack("!HB", self.buf[16:19])
                if len(self.buf) >= length:
                    body, self.buf = self.buf[19:length], self.buf[length:]
                    self.count(mtype, body)
                    return mtype, body
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            try:
                data = self.sock.recv(65536)
            except OSError as e:
                raise Closed("reset") from e
            if not data:
                raise Closed("fin")
            self.buf += data

    def count(self, mtype, body):
        if mtype == KEEPALIVE:
            self.keepalives += 1
        elif mtype == UPDATE:
            try:
                wlen = struct.unpack("!H", body[:2])[0]
                alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
            except struct.error:
                raise Fail("the speaker sent a malformed UPDATE: %s" % body.hex()) from None
            nlri = body[4 + wlen + alen:]
            while nlri:
                self.routes += 1
                nlri = nlri[1 + (nlri[0] + 7) // 8:]

    def wait_type(self, want, timeout):
        """Read until a message of type want; a NOTIFICATION is a failure."""
        end = time.monotonic() + timeout
        while True:
            m = self.recv_msg(max(0, end - time.monotonic()))
            if m is None:
                raise Fail("no message of type %d within %s s" % (want, timeout))
            if m[0] == want:
                return m
            if m[0] == NOTIFICATION:
                raise Fail("NOTIFICATION %d/%d %s while setting up" % (m[1][0], m[1][1],
                                                                       m[1][2:].hex()))

    def wait_close(self, timeout):
        """How the speaker closed within timeout (reading what comes):
        "fin", "reset", or None if it did not."""
        end = time.monotonic() + timeout
        try:
            while time.monotonic() < end:
                self.recv_msg(end - time.monotonic())
        except Closed as e:
            return e.how
        return None


def connect(o, timeout=5.0):
    """A connection from --local to the speaker on which its OPEN arrived.
    Retried for a while: the speaker refuses a second connection while the
    previous session has not gone yet."""
    end = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            s.bind((o.local, 0))
            s.settimeout(max(0.1, end - time.monotonic()))
            s.connect((o.peer, BGP_PORT))
            c = Conn(s)
            c.wait_type(OPEN, 2)
            return c
        except (OSError, Closed, Fail) as e:
            s.close()
            if time.monotonic() >= end:
                raise Fail("no session with %s: %s" % (o.peer, str(e) or type(e).__name__))
            time.sleep(0.05)


def reach(c, o, state):
    if state == "opensent":
        return
    c.send(build_open(o))
    if state == "established":
        c.send(msg(KEEPALIVE))
    c.wait_type(KEEPALIVE, 5)


# ---- commands ----

def cmd_session(o):
    sends = [parse_msg(s, o) for s in o.send]
    ends = [parse_msg(s, o) for s in o.end]
    c = connect(o)
    reach(c, o, o.reach)
    flooder = None
    if o.together:
        # one write: the speaker finds the case's messages, and whatever
        # follows them, in its receive queue at once
        together = [(k, d, n) for k, d, n in sends if k == "bytes"]
        sends = [(k, d, n) for k, d, n in sends if k != "bytes"]
        c.send(b"".join(d for _, d, _ in together), sum(n for _, _, n in together))
    flooded = [0]
    for kind, data, n in sends:
        if kind == "updflood":
            def updflood(secs=data):
                one = build_flood_update(o)
                chunk = one * 256
                end = time.monotonic() + secs
                try:
                    while time.monotonic() < end:
                        c.sock.sendall(chunk)
                        flooded[0] += 256
                except OSError:
                    pass        # the speaker hung up: the case says so
            flooder = threading.Thread(target=updflood, daemon=True)
            flooder.start()
            c.last_tx = now_ms()
        elif kind == "flood":
            def flood(n=data):
                try:
                    c.sock.sendall(os.urandom(n))
                except OSError:
                    pass        # the speaker hung up on us: what we want
            flooder = threading.Thread(target=flood, daemon=True)
            flooder.start()
            c.last_tx = now_ms()
        else:
            c.send(data, n)
    t0 = c.last_tx
    c.keepalives = 0
    notif, end_state, t_end = None, "open", None
    # KEEPALIVEs every hold/3 (RFC 4271 sec 10) keep an Established session up
    interval = max(1.0, min(o.hold, 90) / 3)
    answer = o.reach == "established" and not o.silent
    end = time.monotonic() + o.wait
    next_ka = time.monotonic() + interval if answer else end
    try:
        while time.monotonic() < end:
            m = c.recv_msg(max(0, min(end, next_ka) - time.monotonic()))
            if m is None:
                # a flood's UPDATEs keep the session up, and a KEEPALIVE
                # sent now could land inside one of them
                if answer and time.monotonic() >= next_ka and not (
                        flooder and flooder.is_alive()):
                    c.send(msg(KEEPALIVE))
                    next_ka = time.monotonic() + interval
                continue
            if m[0] == NOTIFICATION:
                notif, t_end = m[1], now_ms()
                end_state = END_STATE[c.wait_close(2)]
                break
    except Closed as e:
        end_state, t_end = END_STATE[e.how], now_ms()
    if t_end is None:
        t_end = now_ms()
    keepalives = c.keepalives
    if notif is None and end_state == "open" and ends:
        for kind, data, n in ends:
            c.send(data, n)
        if not c.wait_close(3):
            raise Fail("the speaker kept the session after our --end messages")
    if flooder:
        flooder.join(5)
    c.sent += flooded[0]
    c.sock.close()
    if notif is None:
        code = "none -"
    else:
        code = "%d/%d %s" % (notif[0], notif[1], notif[2:].hex() or "-")
    print("%s %s %d %d %d %d" % (code, end_state, t_end - t0, keepalives, c.sent, c.routes))


def break_session(c, o):
    """Send a bad marker; the speaker must answer 1/1 and close."""
    c.send(msg(KEEPALIVE, marker=b"\0" * 16))
    end = time.monotonic() + 5
    m = None
    while m is None or m[0] != NOTIFICATION:
        m = c.recv_msg(max(0, end - time.monotonic()))
        if m is None:
            raise Fail("bad marker: no NOTIFICATION within 5 s")
    if m[1][:2] != b"\x01\x01":
        raise Fail("bad marker: NOTIFICATION %d/%d, expected 1/1" % (m[1][0], m[1][1]))
    if not c.wait_close(2):
        raise Fail("the speaker did not close after its NOTIFICATION")
    c.sock.close()
    return now_ms()


def cmd_backoff(o):
    c = connect(o)
    reach(c, o, "established")
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind((o.local, BGP_PORT))
    lst.listen(4)
    t = break_session(c, o)
    gaps = []

    def accept():
        r, _, _ = select.select([lst], [], [], o.max_gap)
        if not r:
            raise Fail("no connection from the speaker within %s s (gaps so far %s)" %
                       (o.max_gap, gaps))
        s, _ = lst.accept()
        gaps.append(now_ms() - t)
        a = Conn(s)
        a.wait_type(OPEN, 2)
        return a

    for _ in range(o.failures):
        t = break_session(accept(), o)
    # a success resets the back-off: the next gap is the first one again
    c = connect(o)
    reach(c, o, "established")
    t = break_session(c, o)
    a = accept()
    a.send(parse_msg("cease:rawbgp backoff done", o)[1])
    a.wait_close(2)
    lst.close()
    print("gaps %s reset %d" % (" ".join("%d" % g for g in gaps[:-1]), gaps[-1]))


def cmd_show(neighbor):
    for n in json.load(sys.stdin):
        if n["neighbor"] == neighbor:
            e, r = n["last_error"], n["last_notification_received"]
            print(n["state"], "%d/%d" % (e["code"], e["subcode"]) if e else "-",
                  n["messages_in"], n["prefixes_received"],
                  "%d/%d" % (r["code"], r["subcode"]) if r else "-", r["text"] if r else "")


def main():
    ap = argparse.ArgumentParser(description="scripted BGP peer (see the module doc)")
    ap.add_argument("command", choices=["session", "backoff", "msg", "show"])
    ap.add_argument("msg", nargs="?", help="for the msg command; the neighbor for show")
    ap.add_argument("--peer", default="192.0.2.10", help="the speaker under test")
    ap.add_argument("--local", default="192.0.2.1", help="our address (its neighbor)")
    ap.add_argument("--as", dest="asn", type=int, default=65000)
    ap.add_argument("--id", default="192.0.2.1", help="our BGP identifier")
    ap.add_argument("--hold", type=int, default=9)
    ap.add_argument("--reach", choices=["opensent", "openconfirm", "established"],
                    default="established")
    ap.add_argument("--send", action="append", default=[])
    ap.add_argument("--end", action="append", default=[])
    ap.add_argument("--wait", type=float, default=3.0)
    ap.add_argument("--silent", action="store_true", help="send no KEEPALIVEs")
    ap.add_argument("--together", action="store_true",
                    help="send the --send messages in one write")
    ap.add_argument("--failures", type=int, default=3)
    ap.add_argument("--max-gap", type=float, default=10.0)
    o = ap.parse_args()
    try:
        if o.command == "show":
            cmd_show(o.msg)
        elif o.command == "msg":
            kind, data, _ = parse_msg(o.msg or "", o)
            print(data.hex() if kind == "bytes" else "%d random bytes" % data)
        elif o.command == "session":
            cmd_session(o)
        else:
            cmd_backoff(o)
    except (Fail, Closed) as e:
        print("rawbgp: %s" % (e if isinstance(e, Fail) else "connection closed unexpectedly"),
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
