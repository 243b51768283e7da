/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The socket watch: the kernel tells xlbd when a socket is destroyed
 * (sock_diag's multicast groups SKNLGRP_INET{,6}_{TCP,UDP}_DESTROY), and
 * when the socket a watch looks for (sockdiag.h: a service's listening or
 * bound socket on an address and port) is gone for good — a dump of the
 * sockets still there finds none that serves it — the watch's callback
 * runs. A killed service is known within a millisecond of its death
 * instead of at the next failed probe.
 *
 * One netlink socket for every watch, on the event loop, joined only to
 * the groups the watches need and filtered in the kernel by port (a
 * classic BPF program), so the closing of unrelated connections never
 * wakes xlbd. A destruction is only a reason to look: the dump decides,
 * so an SO_REUSEPORT sibling or a second socket of the service keeps the
 * watch quiet. If the kernel dropped events (the socket's queue
 * overflowed: ENOBUFS), every watch is looked at again.
 *
 * The kernel sends these events to listeners in the socket's own network
 * namespace, and joining the groups needs CAP_NET_ADMIN there. What the
 * watch cannot see: a service that hangs with its socket open (the
 * polling check catches that), and a socket that was never there (the
 * watch only reports a loss).
 */
#ifndef XLB_HEALTH_SOCKWATCH_H
#define XLB_HEALTH_SOCKWATCH_H

#include "health/sockdiag.h"
#include "lib/evloop.h"

struct sockwatch;
struct sockwatch_entry;

/* The watched socket is gone; detail says which ("203.0.113.10:53/udp:
 * the last socket closed"). The callback may add and remove entries. */
typedef void (*sockwatch_fn)(void *arg, const char *detail);

/* Opens no socket yet: the first entry does. */
int sockwatch_new(struct evloop *el, struct sockwatch **out);
void sockwatch_free(struct sockwatch *sw);

/* Watch for w. -EINVAL (no port, or not TCP/UDP), -ENOMEM, or the
 * -errno of opening or joining the groups (-EPERM without
 * CAP_NET_ADMIN). */
int sockwatch_add(struct sockwatch *sw, const struct sockdiag_want *w, sockwatch_fn fn,
		  void *arg, struct sockwatch_entry **out);
void sockwatch_del(struct sockwatch *sw, struct sockwatch_entry *e);

/* Is a socket serving w there now (a dump)? 1 yes, 0 no, or -errno. */
int sockwatch_present(struct sockwatch *sw, const struct sockdiag_want *w);

/* Events and dumps since sockwatch_new, for show and tests. */
struct sockwatch_stats {
	unsigned long long events;	/* destruction messages that passed the filter */
	unsigned long long dumps;	/* dumps made to confirm */
	unsigned long long fired;	/* callbacks run */
	unsigned long long overflows;	/* ENOBUFS: events lost, everything looked at */
};
void sockwatch_get_stats(const struct sockwatch *sw, struct sockwatch_stats *st);
/* One entry's: destructions that may have been its socket (each looked
 * at with a dump), and its callbacks. */
void sockwatch_entry_counts(const struct sockwatch_entry *e, unsigned long long *looked,
			    unsigned long long *fired);

#endif
