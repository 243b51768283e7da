// SPDX-License-Identifier: GPL-2.0
/*
 * The socket watch on the event loop (see sockwatch.h): the destruction
 * socket (sock_diag multicast, BPF-filtered by port), and the dumps that
 * confirm a loss, over a second, blocking netlink socket — the kernel
 * answers a port-filtered dump of listeners at once, in microseconds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/sock_diag.h>

#include "health/sockwatch.h"
#include "lib/log.h"

#define EV_BATCH	64		/* messages per wake-up */
#define EV_RCVBUF	(256 << 10)

struct sockwatch_entry {
	struct sockwatch_entry *next;
	struct sockdiag_want want;
	sockwatch_fn fn;
	void *arg;
	bool look;			/* a destruction may have been its socket */
	bool fire;			/* its socket is gone: callback due */
	unsigned long long looked;	/* destructions that may have been its socket */
	unsigned long long fired;	/* callbacks run */
};

struct sockwatch {
	struct evloop *el;
	struct mnl_socket *ev;		/* destruction events; NULL until needed */
	struct mnl_socket *q;		/* dumps */
	unsigned int seq;
	unsigned int groups;		/* joined: bit (1 << SKNLGRP_*) */
	struct sockwatch_entry *entries;
	struct sockwatch_stats st;
	char buf[16384];
};

int sockwatch_new(struct evloop *el, struct sockwatch **out)
{
	struct sockwatch *sw = calloc(1, sizeof(*sw));

	if (!sw)
		return -ENOMEM;
	sw->el = el;
	*out = sw;
	return 0;
}

static void close_all(struct sockwatch *sw)
{
	if (sw->ev) {
		evloop_del_fd(sw->el, mnl_socket_get_fd(sw->ev));
		mnl_socket_close(sw->ev);
		sw->ev = NULL;
	}
	if (sw->q) {
		mnl_socket_close(sw->q);
		sw->q = NULL;
	}
	sw->groups = 0;
}

void sockwatch_free(struct sockwatch *sw)
{
	if (!sw)
		return;
	while (sw->entries) {
		struct sockwatch_entry *e = sw->entries;

		sw->entries = e->next;
		free(e);
	}
	close_all(sw);
	free(sw);
}

/* As the config writes it: 203.0.113.10:53/udp, *:53/udp */
static void want_str(const struct sockdiag_want *w, char *buf, size_t len)
{
	struct conf_watch_socket c = { .addr = w->addr, .port = w->port, .proto = w->proto };

	conf_watch_socket_format(&c, buf, len);
}

/* ---- dumps ---- */

struct dump_ctx {
	const struct sockdiag_want *w;
	__u8 proto;
	bool found;
};

static int dump_msg(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct sockdiag_sock s;

	if (sockdiag_parse(nlh, c->proto, &s))
		return MNL_CB_OK;
	/* a dump says IPV6_V6ONLY for listeners and unconnected sockets:
	 * an answer of MAYBE would be a kernel without it; count it in */
	if (sockdiag_serves(&s, c->w) != SOCKDIAG_NO)
		c->found = true;
	return MNL_CB_OK;
}

static int open_q(struct sockwatch *sw)
{
	if (sw->q)
		return 0;
	sw->q = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!sw->q)
		return -errno;
	if (mnl_socket_bind(sw->q, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(sw->q);
		sw->q = NULL;
		return err;
	}
	return 0;
}

/* One family's sockets serving w: 1, 0, or -errno. */
static int dump_family(struct sockwatch *sw, int af, const struct sockdiag_want *w)
{
	struct dump_ctx c = { .w = w, .proto = w->proto };
	unsigned int portid = mnl_socket_get_portid(sw->q);
	size_t len;
	ssize_t n;
	int rc;

	len = sockdiag_dump_req(sw->buf, sizeof(sw->buf), af, w->proto, w->port, ++sw->seq);
	if (mnl_socket_sendto(sw->q, sw->buf, len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(sw->q, sw->buf, sizeof(sw->buf));
		if (n < 0)
			return -errno;
		errno = 0;
		rc = mnl_cb_run(sw->buf, n, sw->seq, portid, dump_msg, &c);
		if (rc == MNL_CB_ERROR)
			return errno ? -errno : -EIO;
		if (rc == MNL_CB_STOP)
			return c.found;
	}
}

int sockwatch_present(struct sockwatch *sw, const struct sockdiag_want *w)
{
	int rc, err;

	err = open_q(sw);
	if (err)
		return err;
	sw->st.dumps++;
	/* an IPv4 service may listen on the dual-stack IPv6 wildcard */
	if (w->addr.family != XLB_FAMILY_V6) {
		rc = dump_family(sw, AF_INET, w);
		if (rc)
			return rc;
	}
	rc = dump_family(sw, AF_INET6, w);
	/* no IPv6 in this kernel: no IPv6 sockets either */
	if (rc == -ENOENT || rc == -EAFNOSUPPORT)
		rc = 0;
	return rc;
}

/* ---- events ---- */

static struct sockwatch_entry *first_marked(struct sockwatch *sw, bool fire)
{
	struct sockwatch_entry *e;

	for (e = sw->entries; e; e = e->next)
		if (fire ? e->fire : e->look)
			return e;
	return NULL;
}

/* Dump for the entries marked `look`, once per watched socket, and run
 * the callbacks of those whose socket is gone. A callback may add or
 * remove entries: each round starts again from the head of the list. */
static void look_all(struct sockwatch *sw)
{
	struct sockwatch_entry *e;
	struct sockdiag_want w;
	char what[96], detail[160];
	int rc;

	while ((e = first_marked(sw, false))) {
		w = e->want;
		rc = sockwatch_present(sw, &w);
		for (; e; e = e->next) {
			if (!memcmp(&e->want, &w, sizeof(w))) {
				e->look = false;
				e->fire = rc == 0;
				e->looked++;
			}
		}
		want_str(&w, what, sizeof(what));
		if (rc < 0)
			/* no evidence either way: the polling check stays in charge */
			log_warnx("socket watch %s: cannot list sockets: %s", what, strerror(-rc));
		if (rc)
			continue;
		snprintf(detail, sizeof(detail), "%s: the last socket closed", what);
		while ((e = first_marked(sw, true))) {
			e->fire = false;
			e->fired++;
			sw->st.fired++;
			e->fn(e->arg, detail);
		}
	}
}

static void ev_msg(struct sockwatch *sw, const struct nlmsghdr *nlh)
{
	struct sockwatch_entry *e;
	struct sockdiag_sock s;

	if (sockdiag_parse(nlh, 0, &s))
		return;
	sw->st.events++;
	for (e = sw->entries; e; e = e->next)
		if (!e->look && sockdiag_serves(&s, &e->want) != SOCKDIAG_NO)
			e->look = true;
}

static void ev_cb(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct sockwatch *sw = arg;
	struct sockwatch_entry *e;
	const struct nlmsghdr *nlh;
	int i, len;
	ssize_t n;

	(void)el;
	(void)fd;
	(void)events;
	for (i = 0; i < EV_BATCH; i++) {
		n = recv(mnl_socket_get_fd(sw->ev), sw->buf, sizeof(sw->buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* events were lost: look at every watch */
				sw->st.overflows++;
				log_warnx("socket watch: events lost (queue overflow); "
					  "checking every watched socket");
				for (e = sw->entries; e; e = e->next)
					e->look = true;
				continue;
			}
			break;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)sw->buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len))
			ev_msg(sw, nlh);
	}
	look_all(sw);
}

/* ---- joining, filtering ---- */

static unsigned int groups_of(const struct sockdiag_want *w)
{
	unsigned int tcp = w->proto == IPPROTO_TCP;
	unsigned int g = 1U << (tcp ? SKNLGRP_INET6_TCP_DESTROY : SKNLGRP_INET6_UDP_DESTROY);

	if (w->addr.family != XLB_FAMILY_V6)
		g |= 1U << (tcp ? SKNLGRP_INET_TCP_DESTROY : SKNLGRP_INET_UDP_DESTROY);
	return g;
}

static int open_ev(struct sockwatch *sw)
{
	int fd, sz = EV_RCVBUF, err;

	sw->ev = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!sw->ev)
		return -errno;
	fd = mnl_socket_get_fd(sw->ev);
	/* a burst of closing listeners (a service restarting many workers)
	 * fits; losing some is survivable (ENOBUFS: look at everything) */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (mnl_socket_bind(sw->ev, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	err = evloop_add_fd(sw->el, fd, EPOLLIN, ev_cb, sw);
	if (err) {
		mnl_socket_close(sw->ev);
		sw->ev = NULL;
		return err;
	}
	return 0;
fail:
	err = -errno;
	mnl_socket_close(sw->ev);
	sw->ev = NULL;
	return err;
}

/* The ports of every entry, once each, into the kernel's filter. */
static int set_filter(struct sockwatch *sw)
{
	struct sock_filter prog[SOCKDIAG_FILTER_MAX];
	__u16 ports[SOCKDIAG_FILTER_PORTS + 1];
	struct sockwatch_entry *e;
	struct sock_fprog fp;
	size_t n = 0, i;
	int len;

	for (e = sw->entries; e; e = e->next) {
		for (i = 0; i < n && ports[i] != e->want.port; i++)
			;
		if (i < n)
			continue;
		if (n == SOCKDIAG_FILTER_PORTS + 1)
			break;
		ports[n++] = e->want.port;
	}
	len = sockdiag_filter(ports, n, prog, SOCKDIAG_FILTER_MAX);
	if (len < 0)
		return len;
	fp.len = len;
	fp.filter = prog;
	if (setsockopt(mnl_socket_get_fd(sw->ev), SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)))
		return -errno;
	return 0;
}

/* Join the groups the entries need and leave the others; refilter. */
static int sync_socket(struct sockwatch *sw)
{
	struct sockwatch_entry *e;
	unsigned int want = 0, g;
	int err, fd;

	for (e = sw->entries; e; e = e->next)
		want |= groups_of(&e->want);
	if (!want) {
		close_all(sw);
		return 0;
	}
	if (!sw->ev) {
		err = open_ev(sw);
		if (err)
			return err;
	}
	/* the filter first: a group joined before it would let everything in */
	err = set_filter(sw);
	if (err)
		return err;
	fd = mnl_socket_get_fd(sw->ev);
	for (g = SKNLGRP_INET_TCP_DESTROY; g <= SKNLGRP_INET6_UDP_DESTROY; g++) {
		bool in = want & (1U << g), was = sw->groups & (1U << g);

		if (in == was)
			continue;
		if (setsockopt(fd, SOL_NETLINK, in ? NETLINK_ADD_MEMBERSHIP : NETLINK_DROP_MEMBERSHIP,
			       &g, sizeof(g))) {
			if (in)
				return -errno;
			continue;
		}
		sw->groups ^= 1U << g;
	}
	return 0;
}

int sockwatch_add(struct sockwatch *sw, const struct sockdiag_want *w, sockwatch_fn fn,
		  void *arg, struct sockwatch_entry **out)
{
	struct sockwatch_entry *e;
	int err;

	if (!w->port || (w->proto != IPPROTO_TCP && w->proto != IPPROTO_UDP) || !fn)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->want = *w;
	e->fn = fn;
	e->arg = arg;
	e->next = sw->entries;
	sw->entries = e;
	err = sync_socket(sw);
	if (err) {
		sw->entries = e->next;
		free(e);
		sync_socket(sw);
		return err;
	}
	*out = e;
	return 0;
}

void sockwatch_del(struct sockwatch *sw, struct sockwatch_entry *e)
{
	struct sockwatch_entry **pp;

	if (!e)
		return;
	for (pp = &sw->entries; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	}
	free(e);
	/* leaving groups cannot fail in a way that matters: at worst some
	 * messages still come and match nothing */
	sync_socket(sw);
}

void sockwatch_get_stats(const struct sockwatch *sw, struct sockwatch_stats *st)
{
	*st = sw->st;
}

void sockwatch_entry_counts(const struct sockwatch_entry *e, unsigned long long *looked,
			    unsigned long long *fired)
{
	*looked = e->looked;
	*fired = e->fired;
}
