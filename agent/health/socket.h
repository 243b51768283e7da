/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Socket helpers shared by the checkers that talk to the target
 * themselves (tcp.c, dns.c): the target as a sockaddr, a non-blocking
 * connect, and closing a socket that is on the loop.
 */
#ifndef XLB_HEALTH_SOCKET_H
#define XLB_HEALTH_SOCKET_H

#include <stdbool.h>
#include <sys/socket.h>

#include "health/health.h"

/* The target's address and port; -EAFNOSUPPORT without a family. */
int hc_net_sockaddr(const struct hc_target *t, struct sockaddr_storage *ss, socklen_t *len);
/* A non-blocking, close-on-exec socket of type (SOCK_STREAM, SOCK_DGRAM)
 * with its connect() started (a TCP handshake goes on in the background).
 * Returns the fd or -errno. */
int hc_net_connect(const struct hc_target *t, int type);
/* Take fd off the loop (if it is on it) and close it; rst: with an RST
 * rather than a FIN (TCP). */
void hc_net_close(struct evloop *el, int fd, bool rst);

#endif
