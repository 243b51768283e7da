#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The real server behind thousands of tcp health checks: accept every
connection on [::]:PORT (IPv4 too) and close it at once, for as long as
it runs. In a namespace whose addresses include a whole range (a `local`
route on lo, AnyIP), one process stands for a server on each address.

  acceptor.py PORT

Prints "listening" once the socket is listening.
"""
import socket
import sys

s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
s.listen(4096)
print("listening", flush=True)
while True:
    try:
        c, _ = s.accept()
        c.close()
    except OSError:
        pass
