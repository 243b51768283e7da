#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""What systemd's side of sd_notify sees, for the tests of a Type=notify
xlbd (e2e/ops_sd_notify): a datagram socket at the path NOTIFY_SOCKET
names, one line per message received.

  notify_listen.py SOCKET OUT [--at-ready CMD]

Each line of OUT: "MONO_US PID KEY=VALUE|KEY=VALUE..." — the receiver's
CLOCK_MONOTONIC in microseconds when the message came, the sender's pid
(SCM_CREDENTIALS, as systemd reads it) and the message's assignments.

--at-ready CMD: on the first READY=1 the sender is frozen (SIGSTOP) at
once, CMD runs (/bin/sh -c) while it cannot move on, and a line
"at-ready rc=N" records CMD's status before the sender is let go
(SIGCONT). So CMD sees exactly what was there when READY=1 was sent.
Runs until SIGTERM.
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    at_ready = None
    if "--at-ready" in args:
        i = args.index("--at-ready")
        at_ready = args[i + 1]
        del args[i:i + 2]
    path, out_path = args
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    sock.bind(path)
    os.chmod(path, 0o777)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    out = open(out_path, "a", buffering=1)
    print("listening", file=out)
    creds_len = struct.calcsize("3i")
    ready_seen = False
    while True:
        data, anc, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(creds_len))
        now_us = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        pid = 0
        for level, kind, cdata in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("3i", cdata[:creds_len])[0]
        fields = [f for f in data.decode("utf-8", "replace").split("\n") if f]
        if at_ready and not ready_seen and "READY=1" in fields and pid:
            os.kill(pid, signal.SIGSTOP)
            rc = subprocess.run(["/bin/sh", "-c", at_ready]).returncode
            print(f"{now_us} {pid} {'|'.join(fields)}", file=out)
            print(f"at-ready rc={rc}", file=out)
            os.kill(pid, signal.SIGCONT)
            ready_seen = True
            continue
        print(f"{now_us} {pid} {'|'.join(fields)}", file=out)


if __name__ == "__main__":
    main()
