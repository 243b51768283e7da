/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The metrics endpoint: libmicrohttpd serving GET /metrics on xlbd's one
 * event loop, with no thread of its own. MHD runs in "external polling"
 * mode with epoll: its epoll fd sits in our loop, MHD_run() is called when
 * that fd is readable and when the timer MHD_get_timeout() asks for
 * fires. A scrape therefore runs between two other events of the loop and
 * sees the agent's state as it is, never half-changed; MHD writes the
 * response only as fast as the socket takes it, so a slow or idle client
 * holds a connection slot, never the loop.
 *
 * Limits: METRICS_MAX_CONNS connections at once (METRICS_MAX_PER_IP from
 * one address), METRICS_MEM_PER_CONN bytes of memory per connection for
 * the request (a longer request line or header set is answered 431/414
 * by MHD), METRICS_IDLE_S seconds of silence before a connection is
 * closed. Only GET and HEAD of /metrics are answered 200; other paths
 * get 404, other methods 405.
 */
#ifndef XLB_METRICS_SERVER_H
#define XLB_METRICS_SERVER_H

#include <stdint.h>

#include "config/config.h"
#include "lib/buf.h"
#include "lib/evloop.h"

#define METRICS_MAX_CONNS	16
#define METRICS_MAX_PER_IP	8
#define METRICS_MEM_PER_CONN	(16 * 1024)
#define METRICS_IDLE_S		10
#define METRICS_PAGE_MAX	(64u << 20)	/* the largest page we build */

struct metrics_server;

/* Write the page into out (empty, limit METRICS_PAGE_MAX); 0 or -errno
 * (the client then gets 500). */
typedef int (*metrics_collect_fn)(void *arg, struct buf *out);

/*
 * Listen on addr:port (TCP; port 0: one the kernel picks; an IPv6
 * address listens on IPv6 only, except :: which also takes IPv4) and
 * serve on el. Returns 0, or -errno from socket/bind/listen
 * (-EADDRINUSE, -EADDRNOTAVAIL, ...), or -EIO when MHD would not start.
 */
int metrics_server_open(struct evloop *el, const struct conf_addr *addr, uint16_t port,
			metrics_collect_fn collect, void *arg, struct metrics_server **out);
/* Close the listener and every connection. NULL is fine. */
void metrics_server_close(struct metrics_server *ms);

/* The port it listens on (what port 0 became). */
uint16_t metrics_server_port(const struct metrics_server *ms);
/* Scrapes answered (200) since open. */
uint64_t metrics_server_scrapes(const struct metrics_server *ms);

#endif
