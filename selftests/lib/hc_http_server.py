#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# The HTTP(S) server of the health-check tests (selftests/agent/
# test_health_http.c). Usage: hc_http_server.py ADDR [CERT KEY]
# Listens on ADDR (IPv4 or IPv6) on a free port, with TLS when given a
# certificate and key, prints the port on a line, and answers:
#   /status/NNN   status NNN
#   /body         200, "<html>all systems go</html>"
#   /seam         200, 64 KiB of 'a' with "NEEDLE" at 16 KiB - 3, sent in
#                 two writes 50 ms apart that split it ("NEE", "DLE")
#   /big          200, 2 MiB of 'x'
#   /host         200 if the Host header is exactly "svc.example", else 421
#   /slow         200 after 3 s
#   anything else 404
# Every response closes the connection. Requests are served on threads.
import http.server
import socket
import ssl
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        code, body = 404, b"not found\n"
        p = self.path
        if p.startswith("/status/"):
            code, body = int(p.split("/")[2]), b"status\n"
        elif p == "/body":
            code, body = 200, b"<html>all systems go</html>"
        elif p == "/seam":
            at = 16 * 1024 - 3
            code, body = 200, b"a" * at + b"NEEDLE" + b"a" * (64 * 1024 - at - 6)
            split = at + 3
        elif p == "/big":
            code, body = 200, b"x" * (2 << 20)
        elif p == "/host":
            code = 200 if self.headers.get("Host") == "svc.example" else 421
            body = (self.headers.get("Host") or "").encode() + b"\n"
        elif p == "/slow":
            time.sleep(3)
            code, body = 200, b"slow\n"
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            if p == "/seam":
                self.wfile.write(body[:split])
                self.wfile.flush()
                time.sleep(0.05)
                body = body[split:]
            self.wfile.write(body)
        except OSError:
            pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        pass


def main():
    addr = sys.argv[1]
    Server.address_family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    srv = Server((addr, 0), Handler)
    if len(sys.argv) > 3:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                     do_handshake_on_connect=False)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


main()
