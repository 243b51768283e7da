/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sock_diag messages for the socket watch (sockwatch.c), pure: no socket,
 * no clock, so the unit tests feed it bytes (selftests/agent/
 * test_health_sockdiag.c).
 *
 * The kernel describes an inet socket in one message (SOCK_DIAG_BY_FAMILY
 * carrying a struct inet_diag_msg and attributes) both when it answers a
 * dump and when it announces a socket's destruction to the multicast
 * groups SKNLGRP_INET{,6}_{TCP,UDP}_DESTROY. A destruction message says
 * less: the state is always TCP_CLOSE, and it has no INET_DIAG_SKV6ONLY,
 * so whether an IPv6 wildcard socket also served IPv4 is not known from
 * it. The watch therefore treats a destruction only as a reason to look
 * (a dump of what still listens) and decides on the dump.
 *
 * What "serves" a watched address means here:
 *  - same protocol and local port, not connected (no remote port);
 *  - bound to the watched address, or to the wildcard of its family, or
 *    (IPv4) to the IPv6 wildcard without IPV6_V6ONLY or to ::ffff:ADDR,
 *    which is how a dual-stack service takes IPv4;
 *  - a watch with no address (`*`) takes any local address.
 */
#ifndef XLB_HEALTH_SOCKDIAG_H
#define XLB_HEALTH_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/types.h>

#include "config/config.h"

/* What a watch looks for: the service's socket. */
struct sockdiag_want {
	struct conf_addr addr;	/* family 0: any local address */
	__u16 port;		/* host order, > 0 */
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
};

/* One socket as the kernel described it. */
struct sockdiag_sock {
	__u8 family;		/* XLB_FAMILY_V4 or XLB_FAMILY_V6 */
	__u8 proto;		/* IPPROTO_TCP / IPPROTO_UDP; 0 = not said */
	__u8 state;		/* TCP_* numbering, as inet_diag reports it */
	__s8 v6only;		/* IPv6: 1 or 0; -1 = not said (destruction events) */
	__u16 sport;		/* local port, host order */
	__u16 dport;		/* remote port, host order; 0 = not connected */
	union xlb_addr src;	/* local address */
};

enum sockdiag_match {
	SOCKDIAG_NO = 0,	/* does not serve the watched address */
	SOCKDIAG_YES,		/* serves it */
	SOCKDIAG_MAYBE,		/* an IPv6 wildcard whose IPV6_V6ONLY is not known */
};

/*
 * Read one SOCK_DIAG_BY_FAMILY message. proto: the protocol the request
 * asked for (a dump), or 0 when the message must say it itself
 * (INET_DIAG_PROTOCOL, as destruction events do). Returns 0, -EINVAL
 * (not such a message, or cut short) or -EAFNOSUPPORT (not AF_INET/6).
 */
int sockdiag_parse(const struct nlmsghdr *nlh, __u8 proto, struct sockdiag_sock *out);

/* Does s serve w (see the top of this file)? */
enum sockdiag_match sockdiag_serves(const struct sockdiag_sock *s, const struct sockdiag_want *w);

/*
 * A dump request (NLM_F_DUMP) into buf for the sockets of family af
 * (AF_INET or AF_INET6) and protocol proto on local port port that can
 * take new peers: TCP listeners, unconnected UDP sockets. The kernel
 * filters by port (inet_diag bytecode), so the answer holds only those.
 * Returns the message length, or 0 if len is too small.
 */
size_t sockdiag_dump_req(void *buf, size_t len, int af, __u8 proto, __u16 port, __u32 seq);

/*
 * A classic BPF program for the destruction socket: it keeps only
 * messages about unconnected sockets on one of ports[0..n-1] (n == 0:
 * nothing is kept), so the closing of every other connection on the host
 * never wakes xlbd. More than SOCKDIAG_FILTER_PORTS ports (a jump reaches
 * 255 instructions at most) keep every unconnected socket's message: the
 * watch looks at the port itself anyway. prog has room for max
 * instructions; returns how many it wrote, or -E2BIG.
 */
int sockdiag_filter(const __u16 *ports, size_t n, struct sock_filter *prog, size_t max);

#define SOCKDIAG_FILTER_PORTS	250
/* Instructions sockdiag_filter needs at most. */
#define SOCKDIAG_FILTER_MAX	(SOCKDIAG_FILTER_PORTS + 5)

#endif
