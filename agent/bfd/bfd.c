// SPDX-License-Identifier: GPL-2.0
/*
 * BFD sessions on xlbd's event loop: RFC 5881 sockets (receive on 3784
 * with the TTL/hop limit of each packet, send from a unique source port
 * with TTL 255), the RFC 5880 timers (jittered periodic transmission,
 * Detection Time), the session lookup of sec 6.8.6, and what `bfd show`
 * reads (core/show_bfd.c renders it). The protocol itself is in
 * session.c, the packet format in packet.c; see bfd.h for the design.
 *
 * Timing (see bfd.h, "Timing"): one timerfd of BFD's own, armed to the
 * earliest transmission or Detection Time of all sessions in
 * microseconds; the receive sockets and that timer are priority fds of
 * the loop; each packet carries its arrival time (SO_TIMESTAMPNS) and the
 * Detection Time runs from it, and the sockets are drained before a
 * session is declared Down, so a packet that arrived in time is never
 * counted missing because the loop was busy when it came.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <linux/pkt_sched.h>

#include "bfd/bfd.h"
#include "bfd/session.h"
#include "bfd/tx.h"
#include "lib/clock.h"
#include "lib/log.h"

#define RX_BATCH	64		/* packets per wake-up, then the loop's other work */
#define RX_BUF		256		/* Length is one byte: no control packet is longer */
#define RX_AGE_MAX_US	10000000	/* an arrival time older than this is a clock step */
#define BEAT_MS		(BFD_TX_STALL_MS / 8)	/* the loop's heartbeat to the sender */
#define DSCP_CS6	0xc0		/* network control, as routers send BFD */
#define LINGER_MAX_MS	10000		/* AdminDown after destroy, at most */

struct bfd {
	struct evloop *el;
	uint16_t port;			/* receive port (3784) */
	uint16_t peer_port;		/* destination port (3784) */
	int fd4, fd6;			/* receive sockets; -1 until needed */
	int tfd;			/* BFD's timer (timerfd), a priority fd */
	uint64_t armed_us;		/* its expiry, monotonic us; 0 = disarmed */
	bool in_timer;			/* the timer callback runs: it re-arms once, at the end */
	struct bfd_tx *tx;		/* the periodic sender (its own thread) */
	struct ev_timer t_beat;		/* its heartbeat from the loop */
	struct bfd_session *sessions;	/* live and lingering */
	uint64_t discarded[BFD_PKT_ERR_MAX];
	uint64_t rnd;			/* xorshift64* state for jitter and ports */
	bfd_notify_fn notify;
	void *notify_arg;
};

struct bfd_session {
	struct bfd *b;
	struct bfd_session *next;
	struct bfd_sm sm;
	struct conf_addr peer;
	struct conf_addr local;		/* family 0: the kernel's choice */
	char name[INET6_ADDRSTRLEN];
	int fd;				/* send socket */
	uint16_t src_port;
	struct sockaddr_storage dst;
	socklen_t dst_len;
	struct ev_timer t_linger;
	struct bfd_tx_slot *slot;	/* its periodic packets, sent by the sender thread */
	__u8 tx_pkt[BFD_PKT_LEN];	/* what the slot has: the periodic packet ... */
	uint32_t tx_iv_us;		/* ... its interval (0 = none) ... */
	bool tx_mult1;			/* ... and Detect Mult 1 */
	uint64_t detect_due_us;		/* Detection Time ends; 0 = nothing to detect */
	uint64_t expired_us;		/* when the last Detection Time ran out */
	uint64_t last_rx_us;		/* arrival of the last packet that got here */
	uint64_t last_rx_detect_us;	/* the Detection Time then */
	bfd_down_fn down;
	void *arg;
	bool lingering;			/* destroyed: AdminDown until t_linger */
	uint32_t linger_tx_ms;
	struct bfd_session_stats st;
	time_t last_change_wall;
};

#define s_info(s, fmt, ...) log_info("bfd %s: " fmt, (s)->name, ##__VA_ARGS__)
#define s_warn(s, fmt, ...) log_warnx("bfd %s: " fmt, (s)->name, ##__VA_ARGS__)
#define s_debug(s, fmt, ...) log_debug("bfd %s: " fmt, (s)->name, ##__VA_ARGS__)

static uint32_t rnd32(struct bfd *b)
{
	b->rnd ^= b->rnd >> 12;
	b->rnd ^= b->rnd << 25;
	b->rnd ^= b->rnd >> 27;
	return (b->rnd * 0x2545f4914f6cdd1dULL) >> 32;
}

static void addr_of(const struct sockaddr_storage *ss, struct conf_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		a->family = XLB_FAMILY_V4;
		a->addr.v4 = ((const struct sockaddr_in *)ss)->sin_addr.s_addr;
	} else if (ss->ss_family == AF_INET6) {
		a->family = XLB_FAMILY_V6;
		memcpy(a->addr.bytes, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
}

static void addr_str(const struct conf_addr *a, char *buf, size_t len)
{
	inet_ntop(a->family == XLB_FAMILY_V4 ? AF_INET : AF_INET6, &a->addr, buf, len);
}

static uint32_t ms_to_us(uint32_t ms)
{
	return ms > UINT32_MAX / 1000 ? UINT32_MAX : ms * 1000;
}

/* ---- sending ---- */

/* ---- BFD's timer ---- */

/* Arm the timerfd to the earliest due time of every session (not while
 * the timer's own callback runs: it re-arms at its end). */
static void timer_rearm(struct bfd *b)
{
	struct itimerspec its = {};
	struct bfd_session *s;
	uint64_t next = 0;

	if (b->in_timer || b->tfd < 0)
		return;
	for (s = b->sessions; s; s = s->next)
		if (s->detect_due_us && (!next || s->detect_due_us < next))
			next = s->detect_due_us;
	if (next == b->armed_us)
		return;
	/* next 0 (nothing due) leaves it_value zero: disarmed */
	its.it_value.tv_sec = next / 1000000;
	its.it_value.tv_nsec = (next % 1000000) * 1000;
	if (!timerfd_settime(b->tfd, TFD_TIMER_ABSTIME, &its, NULL))
		b->armed_us = next;
}

/* ---- sending ---- */

/* A packet now, from the loop: on a state change, and the Final. */
static void sess_send(struct bfd_session *s, bool final)
{
	struct bfd_pkt p;
	__u8 buf[BFD_PKT_LEN];

	bfd_sm_packet(&s->sm, final, &p);
	if (bfd_pkt_encode(&p, buf, sizeof(buf)))
		return;
	if (sendto(s->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&s->dst,
		   s->dst_len) < 0) {
		/* a full queue or no route yet: the next period tries again */
		if (!s->st.send_errors++)
			s_warn(s, "send: %s", strerror(errno));
		return;
	}
	s->st.pkts_out++;
}

/* Hand the periodic packet and its interval to the sender thread when
 * they changed; sent_now: the loop has just sent one itself (the next is
 * an interval from now). */
static void tx_sync(struct bfd_session *s, bool sent_now)
{
	uint32_t iv = s->lingering ? s->linger_tx_ms * 1000 : bfd_sm_tx_interval_us(&s->sm);
	bool mult1 = s->sm.detect_mult == 1;
	__u8 buf[BFD_PKT_LEN];
	struct bfd_pkt p;

	/* the packet says the state: a change of it changes the bytes */
	bfd_sm_packet(&s->sm, false, &p);
	if (bfd_pkt_encode(&p, buf, sizeof(buf)))
		return;
	if (!sent_now && iv == s->tx_iv_us && mult1 == s->tx_mult1 &&
	    !memcmp(buf, s->tx_pkt, sizeof(buf)))
		return;
	memcpy(s->tx_pkt, buf, sizeof(buf));
	s->tx_iv_us = iv;
	s->tx_mult1 = mult1;
	bfd_tx_set(s->b->tx, s->slot, buf, iv, mult1, s->sm.state == BFD_STATE_UP && !s->lingering,
		   sent_now);
}

static void arm_tx(struct bfd_session *s)
{
	tx_sync(s, true);
}

static void resched_tx(struct bfd_session *s)
{
	tx_sync(s, false);
}

static void t_beat(struct evloop *el, void *arg)
{
	struct bfd *b = arg;

	bfd_tx_heartbeat(b->tx);
	evloop_timer_set(el, &b->t_beat, BEAT_MS, t_beat, b);
}

/* ---- events ---- */

/* The Detection Time runs from when the last packet arrived (rx_us), not
 * from when the loop read it. */
static void arm_detect(struct bfd_session *s, uint64_t rx_us)
{
	uint64_t us = bfd_sm_detect_us(&s->sm);

	s->detect_due_us = us ? rx_us + us : 0;
	timer_rearm(s->b);
}

/* Carry out what the state machine asked for. The client's callback
 * comes last: it may destroy the session. */
static void sess_apply(struct bfd_session *s, enum bfd_state old, unsigned int a)
{
	if (a & BFD_SM_STATE) {
		s->st.last_change_ms = evloop_now_ms(s->b->el);
		s->last_change_wall = time(NULL);
		if (s->sm.state == BFD_STATE_UP) {
			s->st.ups++;
			s_info(s, "%s -> Up (tx %u ms, detect %llu ms)", bfd_state_name(old),
			       bfd_sm_tx_negotiated_us(&s->sm) / 1000,
			       (unsigned long long)bfd_sm_detect_us(&s->sm) / 1000);
		} else if (old == BFD_STATE_UP) {
			s->st.downs++;
			if (s->sm.local_diag == BFD_DIAG_DETECT_EXPIRED)
				s->st.downs_detected++;
			s->st.last_down_diag = s->sm.local_diag;
			if (a & BFD_SM_CLIENT_DOWN)
				s_warn(s, "Up -> %s: %s", bfd_state_name(s->sm.state),
				       bfd_diag_name(s->sm.local_diag));
			else
				s_info(s, "Up -> %s: %s (%s)", bfd_state_name(s->sm.state),
				       bfd_diag_name(s->sm.local_diag),
				       s->sm.state == BFD_STATE_ADMIN_DOWN ? "stopped here" :
									      "remote AdminDown, not a failure");
		} else {
			s_debug(s, "%s -> %s", bfd_state_name(old), bfd_state_name(s->sm.state));
		}
		/* tell the peer at once rather than at the next slow period:
		 * the three-way handshake takes a round trip, not seconds */
		sess_send(s, a & BFD_SM_FINAL);
		if (!(a & BFD_SM_FINAL))
			arm_tx(s);
		if (s->b->notify && !s->lingering)
			s->b->notify(s->b->notify_arg, s, old);
	} else if (a & BFD_SM_FINAL) {
		sess_send(s, true);
	}
	if (a & BFD_SM_POLL_DONE)
		s_debug(s, "poll sequence done: tx %u us, rx %u us", s->sm.tx_used_us,
			s->sm.rx_used_us);
	/* whatever the event changed in our packets (the remote's
	 * discriminator, the Poll bit, the intervals) goes to the sender */
	resched_tx(s);
	if ((a & BFD_SM_CLIENT_DOWN) && s->down)
		s->down(s->arg, s, s->sm.local_diag);
}

/* sec 6.8.6: by Your Discriminator, else (single hop, RFC 5881 sec 3)
 * by source address; the source must be the session's peer either way. */
static struct bfd_session *lookup(struct bfd *b, const struct conf_addr *src, __u32 your_discr)
{
	struct bfd_session *s;

	for (s = b->sessions; s; s = s->next) {
		if (s->lingering)
			continue;
		if (your_discr) {
			if (s->sm.local_discr == your_discr)
				return conf_addr_eq(&s->peer, src) ? s : NULL;
		} else if (conf_addr_eq(&s->peer, src)) {
			return s;
		}
	}
	return NULL;
}

static void rx_one(struct bfd *b, const __u8 *buf, size_t len, const struct conf_addr *src,
		   int ttl, uint64_t rx_us)
{
	struct bfd_session *s;
	enum bfd_pkt_err why;
	enum bfd_state old;
	struct bfd_pkt p;
	unsigned int a;

	if (ttl != BFD_TTL) {
		b->discarded[BFD_PKT_TTL]++;
		return;
	}
	if (bfd_pkt_decode(buf, len, &p, &why)) {
		b->discarded[why]++;
		return;
	}
	s = lookup(b, src, p.your_discr);
	if (!s) {
		b->discarded[BFD_PKT_NO_SESSION]++;
		return;
	}
	s->st.pkts_in++;
	/* stamped before the Detection Time ran out, read after: the kernel
	 * had it but had not delivered it to the socket (its softirq work
	 * starved on a busy host); the Down was not the peer's fault */
	if (s->expired_us) {
		if (rx_us < s->expired_us && !s->st.late_deliveries++)
			s_info(s, "a packet that arrived %llu us before the Detection Time ran out "
				  "reached the socket only after: the host delivers packets late",
			       (unsigned long long)(s->expired_us - rx_us));
		s->expired_us = 0;
	}
	if (s->sm.state == BFD_STATE_UP && s->last_rx_us && rx_us > s->last_rx_us &&
	    bfd_sm_detect_us(&s->sm) == s->last_rx_detect_us &&
	    rx_us - s->last_rx_us > s->st.max_rx_gap_us)
		s->st.max_rx_gap_us = rx_us - s->last_rx_us;
	s->last_rx_us = rx_us;
	s->last_rx_detect_us = s->sm.state == BFD_STATE_UP ? bfd_sm_detect_us(&s->sm) : 0;
	old = s->sm.state;
	a = bfd_sm_rx(&s->sm, &p);
	arm_detect(s, rx_us);
	sess_apply(s, old, a);
}

/* A packet's arrival (its SO_TIMESTAMPNS, on the realtime clock) as
 * monotonic us; now when it has none or it looks wrong (a clock step). */
static uint64_t rx_time_us(const struct timespec *ts, uint64_t now_us, int64_t real_minus_mono)
{
	int64_t at;

	if (!ts)
		return now_us;
	at = (int64_t)ts->tv_sec * 1000000 + ts->tv_nsec / 1000 - real_minus_mono;
	if (at > (int64_t)now_us || at < (int64_t)now_us - RX_AGE_MAX_US)
		return now_us;
	return (uint64_t)at;
}

/* Read what is queued on fd (at most RX_BATCH packets). */
static void rx_drain(struct bfd *b, int fd)
{
	struct timespec rt, mt;
	int64_t real_minus_mono;
	uint64_t now;
	int i;

	if (fd < 0)
		return;
	/* both clocks once per batch: the offset to turn arrival times,
	 * which the kernel takes on the realtime clock, into monotonic */
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	now = (uint64_t)mt.tv_sec * 1000000 + mt.tv_nsec / 1000;
	real_minus_mono = ((int64_t)rt.tv_sec * 1000000 + rt.tv_nsec / 1000) - (int64_t)now;
	for (i = 0; i < RX_BATCH; i++) {
		__u8 buf[RX_BUF];
		union {
			char c[CMSG_SPACE(sizeof(int)) * 2 + CMSG_SPACE(sizeof(struct timespec)) * 2];
			struct cmsghdr align;
		} ctl;
		struct sockaddr_storage ss;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = {
			.msg_name = &ss,
			.msg_namelen = sizeof(ss),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = ctl.c,
			.msg_controllen = sizeof(ctl.c),
		};
		struct timespec ts, *tsp = NULL;
		struct cmsghdr *cm;
		struct conf_addr src;
		ssize_t n;
		int ttl = -1;

		n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_debug("bfd: recvmsg: %s", strerror(errno));
			return;
		}
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			if ((cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TTL) ||
			    (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT))
				memcpy(&ttl, CMSG_DATA(cm), sizeof(ttl));
			else if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
				memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
				tsp = &ts;
			}
		}
		addr_of(&ss, &src);
		rx_one(b, buf, n, &src, ttl, rx_time_us(tsp, now, real_minus_mono));
	}
}

static void rx_cb(struct evloop *el, int fd, uint32_t events, void *arg)
{
	(void)el;
	(void)events;
	rx_drain(arg, fd);
}

/* The first session whose Detection Time ended by now. */
static struct bfd_session *first_due(struct bfd *b, uint64_t now)
{
	struct bfd_session *s;

	for (s = b->sessions; s; s = s->next)
		if (s->detect_due_us && s->detect_due_us <= now)
			return s;
	return NULL;
}

static void timer_cb(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct bfd *b = arg;
	struct bfd_session *s;
	uint64_t now = clock_mono_us(), expired;

	(void)el;
	(void)events;
	if (read(fd, &expired, sizeof(expired)) < 0 && errno != EAGAIN)
		log_debug("bfd: timer: %s", strerror(errno));
	b->armed_us = 0;
	b->in_timer = true;
	/* first read what has arrived, in case the loop was busy when it
	 * came (its arrival time decides) */
	if (first_due(b, now)) {
		rx_drain(b, b->fd4);
		rx_drain(b, b->fd6);
	}
	/* one at a time from the head of the list: the down callback may
	 * destroy sessions */
	while ((s = first_due(b, now))) {
		enum bfd_state old = s->sm.state;

		s->expired_us = s->detect_due_us;
		s->detect_due_us = 0;
		sess_apply(s, old, bfd_sm_expired(&s->sm));
	}
	b->in_timer = false;
	timer_rearm(b);
}

/* ---- sockets ---- */

static int open_rx(struct bfd *b, int family)
{
	bool v6 = family == XLB_FAMILY_V6;
	int *fdp = v6 ? &b->fd6 : &b->fd4;
	struct sockaddr_storage ss = {};
	struct conf_addr any = { .family = family };
	int one = 1, fd, err;
	socklen_t len;

	if (*fdp >= 0)
		return 0;
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (v6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
			 setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)) :
		 setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)))
		goto fail;
	/* each packet's arrival time: the Detection Time runs from it */
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)))
		goto fail;
	len = conf_addr_sockaddr(&any, b->port, &ss);
	if (bind(fd, (struct sockaddr *)&ss, len))
		goto fail;
	err = evloop_add_fd_prio(b->el, fd, EPOLLIN, rx_cb, b);
	if (err) {
		close(fd);
		return err;
	}
	*fdp = fd;
	return 0;
fail:
	err = -errno;
	close(fd);
	return err;
}

static int open_tx(struct bfd_session *s)
{
	bool v6 = s->peer.family == XLB_FAMILY_V6;
	struct conf_addr src = s->local.family ? s->local : (struct conf_addr){ .family = s->peer.family };
	int ttl = BFD_TTL, tos = DSCP_CS6, one = 1, fd, err;
	uint32_t range = BFD_SRC_PORT_MAX - BFD_SRC_PORT_MIN + 1, i, start;
	struct sockaddr_storage ss;

	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (v6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) ||
			 setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos)) :
		 setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) ||
			 setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)))
		goto fail;
	/* the host's own queues too (IP_TOS mapped CS6 to best effort):
	 * TC_PRIO_CONTROL needs CAP_NET_ADMIN, TC_PRIO_INTERACTIVE does not */
	if (setsockopt(fd, SOL_SOCKET, SO_PRIORITY, &(int){ TC_PRIO_CONTROL }, sizeof(int)))
		setsockopt(fd, SOL_SOCKET, SO_PRIORITY, &(int){ TC_PRIO_INTERACTIVE }, sizeof(int));
	/* the local address may come later (an interface still going up) */
	if (s->local.family && setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)))
		goto fail;
	/* RFC 5881 sec 4: a source port no other session uses; binding it
	 * makes it unique on the system */
	start = rnd32(s->b) % range;
	for (i = 0; i < range; i++) {
		uint16_t port = BFD_SRC_PORT_MIN + (start + i) % range;
		socklen_t len = conf_addr_sockaddr(&src, port, &ss);

		if (!bind(fd, (struct sockaddr *)&ss, len)) {
			s->src_port = port;
			s->fd = fd;
			return 0;
		}
		if (errno != EADDRINUSE)
			goto fail;
	}
	errno = EADDRINUSE;
fail:
	err = -errno;
	close(fd);
	return err;
}

/* ---- sessions ---- */

static __u32 new_discr(struct bfd *b)
{
	struct bfd_session *s;
	__u32 d;

again:
	d = rnd32(b);
	if (!d)
		goto again;
	for (s = b->sessions; s; s = s->next)
		if (s->sm.local_discr == d)
			goto again;
	return d;
}

static void sess_free(struct bfd_session *s)
{
	struct bfd *b = s->b;
	struct bfd_session **pp;

	for (pp = &b->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	evloop_timer_cancel(b->el, &s->t_linger);
	/* the sender lets go of the socket before it is closed */
	bfd_tx_slot_free(b->tx, s->slot);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	timer_rearm(b);
}

static bool conf_ok(const struct conf_bfd *cfg)
{
	return cfg->interval_ms && cfg->min_rx_ms && cfg->multiplier >= 1 &&
	       cfg->multiplier <= 255;
}

int bfd_session_new(struct bfd *b, const struct conf_addr *peer, const struct conf_addr *local,
		    const struct conf_bfd *cfg, bfd_down_fn down, void *arg,
		    struct bfd_session **out)
{
	struct bfd_session *s, *o, *next, **pp;
	int err;

	if (peer->family != XLB_FAMILY_V4 && peer->family != XLB_FAMILY_V6)
		return -EAFNOSUPPORT;
	if (local && local->family && local->family != peer->family)
		return -EAFNOSUPPORT;
	if (!conf_ok(cfg))
		return -EINVAL;
	if (bfd_session_find(b, peer))
		return -EEXIST;
	/* a lingering AdminDown for the same peer would knock the new
	 * session down as soon as it comes up */
	for (o = b->sessions; o; o = next) {
		next = o->next;
		if (o->lingering && conf_addr_eq(&o->peer, peer))
			sess_free(o);
	}
	err = open_rx(b, peer->family);
	if (err)
		return err;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->b = b;
	s->fd = -1;
	s->peer = *peer;
	if (local && local->family)
		s->local = *local;
	addr_str(peer, s->name, sizeof(s->name));
	err = open_tx(s);
	if (err) {
		free(s);
		return err;
	}
	s->dst_len = conf_addr_sockaddr(peer, b->peer_port, &s->dst);
	s->slot = bfd_tx_slot_new(b->tx, s->fd, &s->dst, s->dst_len);
	if (!s->slot) {
		close(s->fd);
		free(s);
		return -ENOMEM;
	}
	s->down = down;
	s->arg = arg;
	bfd_sm_init(&s->sm, new_discr(b), ms_to_us(cfg->interval_ms), ms_to_us(cfg->min_rx_ms),
		    cfg->multiplier);
	s->st.last_change_ms = evloop_now_ms(b->el);
	s->last_change_wall = time(NULL);
	for (pp = &b->sessions; *pp; pp = &(*pp)->next)
		;
	*pp = s;	/* in creation order, for show */
	/* active role (sec 6.1): start sending at once */
	sess_send(s, false);
	arm_tx(s);
	s_debug(s, "session created, discriminator %u, source port %u", s->sm.local_discr,
		s->src_port);
	*out = s;
	return 0;
}

int bfd_session_set(struct bfd_session *s, const struct conf_bfd *cfg)
{
	enum bfd_state old = s->sm.state;

	if (!conf_ok(cfg))
		return -EINVAL;
	sess_apply(s, old,
		   bfd_sm_set_params(&s->sm, ms_to_us(cfg->interval_ms), ms_to_us(cfg->min_rx_ms),
				     cfg->multiplier));
	/* our multiplier is in the remote's Detection Time only, and our
	 * packets carry it from now on (sec 6.8.12) */
	return 0;
}

static void t_linger(struct evloop *el, void *arg)
{
	(void)el;
	sess_free(arg);
}

void bfd_session_destroy(struct bfd_session *s)
{
	uint32_t tx_us, linger_ms;

	if (!s)
		return;
	if (s->lingering || (s->sm.state != BFD_STATE_UP && s->sm.state != BFD_STATE_INIT)) {
		sess_free(s);
		return;
	}
	/* keep the rate the remote's Detection Time is based on, and send
	 * for that long (sec 6.8.16: AdminDown, diag 7) */
	tx_us = bfd_sm_tx_negotiated_us(&s->sm);
	if (!tx_us || tx_us > BFD_SLOW_TX_US)
		tx_us = BFD_SLOW_TX_US;	/* a remote that wants hardly any packets */
	s->linger_tx_ms = tx_us / 1000 ? tx_us / 1000 : 1;
	linger_ms = s->linger_tx_ms * s->sm.detect_mult;
	if (linger_ms > LINGER_MAX_MS)
		linger_ms = LINGER_MAX_MS;
	s->lingering = true;
	s->down = NULL;
	s->detect_due_us = 0;
	bfd_sm_admin(&s->sm, true, BFD_DIAG_ADMIN_DOWN);
	s_info(s, "stopped: AdminDown for %u ms", linger_ms);
	sess_send(s, false);
	arm_tx(s);
	evloop_timer_set(s->b->el, &s->t_linger, linger_ms, t_linger, s);
}

struct bfd_session *bfd_session_find(struct bfd *b, const struct conf_addr *peer)
{
	struct bfd_session *s;

	for (s = b->sessions; s; s = s->next)
		if (!s->lingering && conf_addr_eq(&s->peer, peer))
			return s;
	return NULL;
}

enum bfd_state bfd_session_state(const struct bfd_session *s)
{
	return s->sm.state;
}

const struct bfd_sm *bfd_session_sm(const struct bfd_session *s)
{
	return &s->sm;
}

void bfd_session_stats(const struct bfd_session *s, struct bfd_session_stats *st)
{
	struct bfd_tx_stats t;

	*st = s->st;
	bfd_tx_slot_stats(s->b->tx, s->slot, &t);
	st->pkts_out += t.pkts_out;
	st->send_errors += t.send_errors;
	st->pkts_held = t.held;
	st->max_tx_gap_us = t.max_gap_us;
}

const struct bfd_session *bfd_session_next(const struct bfd *b, const struct bfd_session *prev)
{
	const struct bfd_session *s = prev ? prev->next : b->sessions;

	while (s && s->lingering)
		s = s->next;
	return s;
}

void bfd_session_info(const struct bfd_session *s, struct bfd_session_info *info)
{
	memset(info, 0, sizeof(*info));
	info->name = s->name;
	if (s->local.family)
		addr_str(&s->local, info->local, sizeof(info->local));
	info->src_port = s->src_port;
	info->state_ms = evloop_now_ms(s->b->el) - s->st.last_change_ms;
	info->last_change = s->last_change_wall;
}

/* ---- instance ---- */

int bfd_new(struct evloop *el, const struct bfd_opts *opts, struct bfd **out)
{
	struct bfd *b = calloc(1, sizeof(*b));
	int err;

	if (!b)
		return -ENOMEM;
	b->el = el;
	b->fd4 = b->fd6 = -1;
	b->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (b->tfd < 0) {
		err = -errno;
		free(b);
		return err;
	}
	if (evloop_add_fd_prio(el, b->tfd, EPOLLIN, timer_cb, b)) {
		close(b->tfd);
		free(b);
		return -ENOMEM;
	}
	err = bfd_tx_new(&b->tx);
	if (err) {
		evloop_del_fd(el, b->tfd);
		close(b->tfd);
		free(b);
		return err;
	}
	t_beat(el, b);
	b->port = opts && opts->port ? opts->port : BFD_PORT;
	b->peer_port = opts && opts->peer_port ? opts->peer_port : BFD_PORT;
	if (getrandom(&b->rnd, sizeof(b->rnd), 0) != sizeof(b->rnd))
		b->rnd = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	b->rnd |= 1;
	*out = b;
	return 0;
}

void bfd_set_notify(struct bfd *b, bfd_notify_fn fn, void *arg)
{
	b->notify = fn;
	b->notify_arg = arg;
}

void bfd_free(struct bfd *b)
{
	if (!b)
		return;
	while (b->sessions) {
		struct bfd_session *s = b->sessions;

		if (!s->lingering && bfd_sm_admin(&s->sm, true, BFD_DIAG_ADMIN_DOWN))
			sess_send(s, false);
		sess_free(s);
	}
	if (b->fd4 >= 0) {
		evloop_del_fd(b->el, b->fd4);
		close(b->fd4);
	}
	if (b->fd6 >= 0) {
		evloop_del_fd(b->el, b->fd6);
		close(b->fd6);
	}
	evloop_del_fd(b->el, b->tfd);
	close(b->tfd);
	evloop_timer_cancel(b->el, &b->t_beat);
	bfd_tx_free(b->tx);
	free(b);
}

int bfd_sender_realtime(const struct bfd *b)
{
	return bfd_tx_realtime(b->tx);
}

uint64_t bfd_discarded(const struct bfd *b, enum bfd_pkt_err e)
{
	return (unsigned int)e < BFD_PKT_ERR_MAX ? b->discarded[e] : 0;
}
