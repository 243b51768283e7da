#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
A line echo server for the fault tests, run on each backend: every line a
client sends comes back prefixed with the backend's name, so the client
knows which backend holds its connection at every exchange (a connection
that moved to another backend is reset there, as it would be in real
life: that backend has no socket for it).

Usage: echo_server.py NAME PORT   (listens on [::]:PORT, IPv4 too)
"""
import asyncio
import socket
import sys


async def serve(reader, writer):
    name = sys.argv[1].encode()
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            writer.write(name + b" " + line)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main():
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::", int(sys.argv[2])))
    server = await asyncio.start_server(serve, sock=sock, backlog=1024)
    async with server:
        await server.serve_forever()


asyncio.run(main())
