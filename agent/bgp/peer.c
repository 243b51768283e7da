// SPDX-License-Identifier: GPL-2.0
/*
 * One BGP session: the TCP connection (active connect with back-off or
 * accepted by the speaker), TCP-MD5 (RFC 2385), TTL for eBGP multihop and
 * GTSM (RFC 5082), message framing, the actions of the FSM (fsm.c), and
 * the ways a session ends on purpose (administrative, graceful, BFD).
 * Every decoder error becomes the NOTIFICATION it names, then a reconnect
 * after a back-off; nothing a peer sends can stop the loop.
 *
 * What the session needs from its speaker (the loop, the config, xlbd's
 * routes) comes at init in p->env; what it sends of the routes, routes.c
 * computes.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "bgp/peer.h"
#include "bgp/routes.h"
#include "lib/clock.h"
#include "lib/log.h"

#define CONNECT_RETRY_MS	5000	/* between connect attempts (sec 10: 120 s is for routers) */
#define HOLD_LARGE_MS		240000	/* hold timer before the OPEN arrives (sec 8.2.2) */
#define BACKOFF_MIN_MS		1000
#define BACKOFF_MAX_MS		60000
#define IN_MAX			(2 * BGP_MSG_MAX)
/*
 * A peer's share of the loop: at most PEER_READ_BUDGET bytes and
 * PEER_READ_BUDGET_US of reading per turn, then the others run. A peer
 * that used all of it (a flood at full speed) is not read again for
 * PEER_READ_PAUSE_MS: TCP's window fills and slows it down, and what the
 * kernel does to receive the flood (XDP on the interface, TCP: it runs
 * in the reading process's system calls, 12-40 ms per 64 KB on a loaded
 * machine here) pauses with it. Its share is then at most ~30 % of the
 * loop; a real neighbor sends a few messages a minute.
 */
#define PEER_READ_BUDGET	(16 * BGP_MSG_MAX)
#define PEER_READ_BUDGET_US	2000
#define PEER_READ_PAUSE_MS	5
#define CLOSING_MS		1000	/* a closed session waits this long for the peer's FIN */
#define CLOSING_READ_MAX	65536	/* bytes read and dropped per event while closing */

static void peer_event(struct bgp_peer *p, enum bgp_event ev);

int bgp_md5_set(int fd, const struct conf_neighbor *c)
{
	struct tcp_md5sig md5 = {};

	if (!c->password)
		return 0;
	if (strlen(c->password) > TCP_MD5SIG_MAXKEYLEN)
		return -EINVAL;
	conf_addr_sockaddr(&c->addr, 0, (struct sockaddr_storage *)&md5.tcpm_addr);
	md5.tcpm_keylen = strlen(c->password);
	memcpy(md5.tcpm_key, c->password, md5.tcpm_keylen);
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof(md5)) ? -errno : 0;
}

/*
 * TTL out, and with GTSM the minimum TTL in (RFC 5082 sec 3): send 255
 * and accept only 255 (less the configured hops). Without GTSM an eBGP
 * session sends TTL 1 unless multihop says more; iBGP keeps the default.
 */
static int ttl_set(int fd, const struct conf_neighbor *c, bool ibgp)
{
	bool v6 = c->addr.family == XLB_FAMILY_V6;
	int ttl, rc;

	if (c->ttl_security)
		ttl = 255;
	else if (c->multihop)
		ttl = c->multihop;
	else if (!ibgp)
		ttl = 1;
	else
		return 0;
	rc = v6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) :
		  setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	if (rc)
		return -errno;
	if (c->ttl_security) {
		int min = 255 - (c->multihop ? c->multihop - 1 : 0);

		rc = v6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &min, sizeof(min)) :
			  setsockopt(fd, IPPROTO_IP, IP_MINTTL, &min, sizeof(min));
		if (rc)
			return -errno;
	}
	return 0;
}

/*
 * No Nagle: an UPDATE that withdraws a VIP must leave at once, not wait
 * for the ACK of the previous segment (it would add up to an RTT, or a
 * delayed ACK, to every failover). CS6 (RFC 4594: network control), as
 * routers mark their own BGP, so the session outlives congestion on the
 * link. Best effort: neither is worth failing a session over.
 */
static void latency_set(int fd, bool v6)
{
	int one = 1, tos = IPTOS_PREC_INTERNETCONTROL;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos));
	else
		setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
}

int bgp_socket_setup(int fd, const struct conf_neighbor *c, bool ibgp)
{
	int err = bgp_md5_set(fd, c);

	latency_set(fd, c->addr.family == XLB_FAMILY_V6);
	return err ? err : ttl_set(fd, c, ibgp);
}

static bool peer_ibgp(const struct bgp_peer *p)
{
	return p->conf->remote_as == p->env->conf->local_as;
}

static void peer_note(struct bgp_peer *p, __u8 code, __u8 subcode, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void peer_note(struct bgp_peer *p, __u8 code, __u8 subcode, const char *fmt, ...)
{
	va_list ap;

	p->has_last_error = true;
	p->last_error.code = code;
	p->last_error.subcode = subcode;
	va_start(ap, fmt);
	vsnprintf(p->last_error.text, sizeof(p->last_error.text), fmt, ap);
	va_end(ap);
}

/* Find where we are: the session's local address and, for IPv6, the
 * link-local address of the same interface (next hop for a peer on the
 * link, RFC 2545 sec 3). */
static void peer_local_addr(struct bgp_peer *p)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct ifaddrs *ifs, *ifa;
	char ifname[IF_NAMESIZE] = "";

	memset(&p->local, 0, sizeof(p->local));
	memset(&p->local_ll, 0, sizeof(p->local_ll));
	if (getsockname(p->fd, (struct sockaddr *)&ss, &len))
		return;
	if (ss.ss_family == AF_INET) {
		p->local.family = XLB_FAMILY_V4;
		p->local.addr.v4 = ((struct sockaddr_in *)&ss)->sin_addr.s_addr;
		return;
	}
	p->local.family = XLB_FAMILY_V6;
	memcpy(p->local.addr.bytes, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	if (p->conf->multihop || getifaddrs(&ifs))
		return;
	for (ifa = ifs; ifa; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr && ifa->ifa_addr->sa_family == AF_INET6 &&
		    !memcmp(&((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr, p->local.addr.bytes,
			    16))
			snprintf(ifname, sizeof(ifname), "%s", ifa->ifa_name);
	}
	for (ifa = ifs; ifname[0] && ifa; ifa = ifa->ifa_next) {
		struct in6_addr *a;

		if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET6 ||
		    strcmp(ifa->ifa_name, ifname))
			continue;
		a = &((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr;
		if (IN6_IS_ADDR_LINKLOCAL(a)) {
			p->local_ll.family = XLB_FAMILY_V6;
			memcpy(p->local_ll.addr.bytes, a, 16);
			break;
		}
	}
	freeifaddrs(ifs);
}

/* Read and discard what the peer sent; true once it has closed its side
 * (or the socket failed). Bounded: a peer that keeps sending is cut off
 * by t_closing, and one call never reads more than CLOSING_READ_MAX. */
static bool closing_drain(int fd)
{
	char scratch[4096];
	size_t total = 0;
	ssize_t n;

	while (total < CLOSING_READ_MAX) {
		n = recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT);
		if (n > 0) {
			total += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
	}
	return false;
}

static void closing_end(struct bgp_peer *p)
{
	struct evloop *el = p->env->el;

	if (p->closing_fd < 0)
		return;
	evloop_timer_cancel(el, &p->t_closing);
	evloop_del_fd(el, p->closing_fd);
	/* what came since the last read: without it close() sends a RST */
	closing_drain(p->closing_fd);
	close(p->closing_fd);
	p->closing_fd = -1;
}

static void closing_event(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct bgp_peer *p = arg;

	(void)el;
	(void)events;
	if (closing_drain(fd))
		closing_end(p);
}

static void t_closing(struct evloop *el, void *arg)
{
	(void)el;
	closing_end(arg);
}

/*
 * Close a session's socket so that what was written last (a NOTIFICATION,
 * with its RFC 8203 shutdown text or RFC 9384 reason) reaches the peer:
 * close() with unread data in the receive queue — a KEEPALIVE or an UPDATE
 * the peer sent meanwhile — makes the kernel send a RST at once, and the
 * peer reports "connection reset" instead of our NOTIFICATION (seen with
 * BIRD). So: read what is there, half-close (FIN after the queued data),
 * and keep reading until the peer's own FIN or CLOSING_MS. One such socket
 * per peer; a second close ends the first.
 */
static void peer_close_socket(struct bgp_peer *p, int fd)
{
	struct evloop *el = p->env->el;

	closing_end(p);
	if (closing_drain(fd) || shutdown(fd, SHUT_WR) ||
	    evloop_add_fd(el, fd, EPOLLIN, closing_event, p)) {
		close(fd);
		return;
	}
	p->closing_fd = fd;
	evloop_timer_set(el, &p->t_closing, CLOSING_MS, t_closing, p);
}

static void peer_close(struct bgp_peer *p)
{
	struct evloop *el = p->env->el;

	evloop_timer_cancel(el, &p->t_read_pause);
	p->read_paused = false;
	p->want_write = false;
	if (p->fd >= 0) {
		evloop_del_fd(el, p->fd);
		if (p->connecting)
			close(p->fd);
		else
			peer_close_socket(p, p->fd);
	}
	p->fd = -1;
	p->connecting = false;
	buf_reset(&p->in);
	buf_reset(&p->out);
}

static void peer_io(struct evloop *el, int fd, uint32_t events, void *arg);

/* The events the loop watches for: EPOLLIN unless reading is paused,
 * EPOLLOUT while output waits. */
static void peer_events(struct bgp_peer *p)
{
	if (p->fd >= 0)
		evloop_mod_fd(p->env->el, p->fd, (p->read_paused ? 0 : EPOLLIN) |
						   (p->want_write ? EPOLLOUT : 0));
}

static void peer_want_write(struct bgp_peer *p, bool want)
{
	p->want_write = want;
	peer_events(p);
}

static void t_read_pause(struct evloop *el, void *arg)
{
	struct bgp_peer *p = arg;

	(void)el;
	p->read_paused = false;
	peer_events(p);
}

/* Write what is queued; the rest goes when the socket is writable. */
static int peer_flush(struct bgp_peer *p)
{
	while (p->out.len) {
		ssize_t n = send(p->fd, p->out.data, p->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				peer_want_write(p, true);
				return 0;
			}
			return -errno;
		}
		memmove(p->out.data, p->out.data + n, p->out.len - n);
		buf_truncate(&p->out, p->out.len - n);
	}
	peer_want_write(p, false);
	return 0;
}

/* The connection broke under a send (a reset, or our own timeout on
 * unacknowledged data): why goes to the log and to `bgp show`. */
static void peer_send_failed(struct bgp_peer *p, int err)
{
	peer_note(p, 0, 0, "send: %s", strerror(-err));
	log_peer_warnx(p, "connection lost in %s: send: %s", bgp_state_name(p->state), strerror(-err));
	peer_event(p, BGP_EV_TCP_CONNECTION_FAILS);
}

static void peer_sent(struct bgp_peer *p, size_t msgs)
{
	int err;

	p->msgs_out += msgs;
	if (p->fd >= 0 && !p->connecting && (err = peer_flush(p)))
		peer_send_failed(p, err);
}

static void send_open(struct bgp_peer *p)
{
	const struct xlb_conf *c = p->env->conf;
	struct bgp_open o = {
		.version = BGP_VERSION,
		.as = c->local_as,
		.hold_time = p->conf->hold_time,
		.bgp_id = c->router_id,
		.cap_mp_v4 = true,
		.cap_mp_v6 = true,
		.cap_route_refresh = true,
		.cap_as4 = true,
		/* graceful restart only when asked: a helper leaf would keep
		 * a dead node's routes for the restart time (README) */
		.cap_gr = p->conf->graceful_restart,
		.gr_time = 120,
	};

	if (bgp_open_encode(&p->out, &o) == 0)
		peer_sent(p, 1);
}

static void send_keepalive(struct bgp_peer *p)
{
	if (bgp_keepalive_encode(&p->out) == 0)
		peer_sent(p, 1);
}

static void send_notification(struct bgp_peer *p, const struct bgp_err *e, const char *text)
{
	if (p->fd < 0 || p->connecting)
		return;
	if (bgp_notification_encode(&p->out, e->code, e->subcode, e->data, e->data_len, text))
		return;
	p->has_last_error = true;
	p->last_error = *e;
	if (text)
		snprintf(p->last_error.text, sizeof(p->last_error.text), "%s", text);
	else if (!p->last_error.text[0])
		snprintf(p->last_error.text, sizeof(p->last_error.text), "%s",
			 bgp_err_name(e->code, e->subcode));
	log_peer_warnx(p, "sending NOTIFICATION %s%s%s", bgp_err_name(e->code, e->subcode),
		  p->last_error.text[0] ? ": " : "", p->last_error.text);
	p->msgs_out++;
	/* best effort: the connection is closed right after */
	peer_flush(p);
}

static void t_connect_retry(struct evloop *el, void *arg)
{
	struct bgp_peer *p = arg;

	(void)el;
	if (p->connecting) {
		/* no answer at all: with TCP-MD5 a wrong key looks like this */
		p->failures++;
		peer_note(p, 0, 0, "connect: no answer within %d s", CONNECT_RETRY_MS / 1000);
	}
	peer_event(p, BGP_EV_CONNECT_RETRY_TIMER_EXPIRES);
}

static void t_hold(struct evloop *el, void *arg)
{
	(void)el;
	peer_event(arg, BGP_EV_HOLD_TIMER_EXPIRES);
}

static void t_keepalive(struct evloop *el, void *arg)
{
	struct bgp_peer *p = arg;

	peer_event(p, BGP_EV_KEEPALIVE_TIMER_EXPIRES);
	if (p->state == BGP_OPENCONFIRM || p->state == BGP_ESTABLISHED)
		evloop_timer_set(el, &p->t_keepalive, p->hold_time * 1000 / 3, t_keepalive, p);
}

static void t_idle_hold(struct evloop *el, void *arg)
{
	struct bgp_peer *p = arg;

	(void)el;
	if (p->admin_down || p->shutting_down)
		return;
	peer_event(p, p->conf->passive ? BGP_EV_AUTOMATIC_START_PASSIVE : BGP_EV_AUTOMATIC_START);
}

static uint32_t jitter(uint32_t ms)
{
	static unsigned int seed;

	/* 75..100 % (sec 10): peers that failed together do not retry
	 * together. Seeded once per process from the kernel: an unseeded
	 * rand() gives every xlbd the same sequence, and xlb nodes that lost
	 * their leaf at the same moment would all come back in lockstep. */
	if (!seed && getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (unsigned int)getpid() ^ (unsigned int)time(NULL);
	return ms - (uint32_t)(rand_r(&seed) % (ms / 4 + 1));
}

static void peer_connect(struct bgp_peer *p)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err;

	if (p->conf->passive)
		return;
	peer_close(p);
	fd = socket(p->conf->addr.family == XLB_FAMILY_V4 ? AF_INET : AF_INET6,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		peer_note(p, 0, 0, "socket: %s", strerror(errno));
		goto fail;
	}
	err = bgp_socket_setup(fd, p->conf, peer_ibgp(p));
	if (err) {
		peer_note(p, 0, 0, "socket options (TCP-MD5/TTL): %s", strerror(-err));
		close(fd);
		goto fail;
	}
	if (p->conf->local_address.family) {
		len = conf_addr_sockaddr(&p->conf->local_address, 0, &ss);
		if (bind(fd, (struct sockaddr *)&ss, len)) {
			peer_note(p, 0, 0, "bind to local-address: %s", strerror(errno));
			close(fd);
			goto fail;
		}
	}
	len = conf_addr_sockaddr(&p->conf->addr, p->conf->port, &ss);
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
		peer_note(p, 0, 0, "connect: %s", strerror(errno));
		close(fd);
		goto fail;
	}
	p->fd = fd;
	p->connecting = true;
	if (evloop_add_fd(p->env->el, fd, EPOLLOUT, peer_io, p)) {
		close(fd);
		p->fd = -1;
		goto fail;
	}
	return;
fail:
	/* the retry timer brings the next attempt */
	p->failures++;
}

static void peer_release_routes(struct bgp_peer *p)
{
	p->n_adj = 0;
}

static void peer_set_state(struct bgp_peer *p, enum bgp_state s)
{
	if (s == p->state)
		return;
	if (p->state == BGP_ESTABLISHED)
		p->dropped++;
	if (s == BGP_ESTABLISHED)
		p->established++;
	if (s == BGP_ESTABLISHED || p->state == BGP_ESTABLISHED)
		log_peer_info(p, "%s -> %s", bgp_state_name(p->state), bgp_state_name(s));
	else
		log_peer_debug(p, "%s -> %s", bgp_state_name(p->state), bgp_state_name(s));
	p->state = s;
	p->state_since = time(NULL);
}

static const char *msg_name(__u8 type)
{
	switch (type) {
	case BGP_MSG_OPEN: return "OPEN";
	case BGP_MSG_UPDATE: return "UPDATE";
	case BGP_MSG_NOTIFICATION: return "NOTIFICATION";
	case BGP_MSG_KEEPALIVE: return "KEEPALIVE";
	case BGP_MSG_ROUTE_REFRESH: return "ROUTE-REFRESH";
	default: return "?";
	}
}

static void peer_event(struct bgp_peer *p, enum bgp_event ev)
{
	struct evloop *el = p->env->el;
	enum bgp_state old = p->state;
	unsigned int a = 0;

	peer_set_state(p, bgp_fsm_next(old, ev, &a));
	log_peer_debug(p, "event %s in %s", bgp_event_name(ev), bgp_state_name(old));

	if (a & BGP_ACT_SEND_NOTIFICATION) {
		struct bgp_err e = p->err;
		const char *text = NULL;

		if (a & BGP_ACT_FSM_ERROR) {
			memset(&e, 0, sizeof(e));
			e.code = BGP_ERR_FSM;
			e.subcode = old == BGP_OPENSENT	    ? BGP_ERR_FSM_OPENSENT :
				    old == BGP_OPENCONFIRM ? BGP_ERR_FSM_OPENCONFIRM :
				    old == BGP_ESTABLISHED ? BGP_ERR_FSM_ESTABLISHED :
							       BGP_ERR_FSM_UNSPECIFIED;
			/* RFC 6608 sec 4: the data is the type of the
			 * unexpected message */
			if (p->rx_type) {
				e.data[0] = p->rx_type;
				e.data_len = 1;
				snprintf(e.text, sizeof(e.text), "unexpected %s in %s",
					 msg_name(p->rx_type), bgp_state_name(old));
			}
		} else if (ev == BGP_EV_HOLD_TIMER_EXPIRES) {
			memset(&e, 0, sizeof(e));
			e.code = BGP_ERR_HOLD_TIMER;
			snprintf(e.text, sizeof(e.text), "nothing from the peer for %u s",
				 old >= BGP_OPENCONFIRM ? p->hold_time : HOLD_LARGE_MS / 1000);
		} else if (ev == BGP_EV_MANUAL_STOP) {
			text = p->shutdown_text[0] ? p->shutdown_text : NULL;
		}
		send_notification(p, &e, text);
	}
	memset(&p->err, 0, sizeof(p->err));
	if (a & BGP_ACT_SEND_OPEN)
		send_open(p);
	if (a & BGP_ACT_SEND_KEEPALIVE)
		send_keepalive(p);
	if (a & BGP_ACT_DROP)
		peer_close(p);
	if (a & BGP_ACT_STOP_CONNECT_RETRY)
		evloop_timer_cancel(el, &p->t_connect_retry);
	if (a & BGP_ACT_START_CONNECT_RETRY)
		evloop_timer_set(el, &p->t_connect_retry, jitter(CONNECT_RETRY_MS), t_connect_retry,
				 p);
	if (a & BGP_ACT_CONNECT)
		peer_connect(p);
	if (a & BGP_ACT_HOLD_LARGE)
		evloop_timer_set(el, &p->t_hold, HOLD_LARGE_MS, t_hold, p);
	if (a & BGP_ACT_HOLD_NEGOTIATED) {
		evloop_timer_cancel(el, &p->t_hold);
		if (p->hold_time) {
			evloop_timer_set(el, &p->t_hold, p->hold_time * 1000, t_hold, p);
			evloop_timer_set(el, &p->t_keepalive, p->hold_time * 1000 / 3, t_keepalive, p);
		}
	}
	if ((a & BGP_ACT_RESTART_HOLD) && p->hold_time)
		evloop_timer_set(el, &p->t_hold, p->hold_time * 1000, t_hold, p);
	if (a & BGP_ACT_ESTABLISHED) {
		p->failures = 0;
		p->backoff_ms = 0;
		log_peer_info(p, "session up: AS %u, hold time %us%s%s", p->remote.as, p->hold_time,
			 p->as4 ? ", 4-octet AS" : "", p->mp_v6 ? ", IPv6" : "");
		bgp_peer_send_routes(p, true);
	}
	if (a & BGP_ACT_RELEASE) {
		evloop_timer_cancel(el, &p->t_hold);
		evloop_timer_cancel(el, &p->t_keepalive);
		peer_release_routes(p);
		if (old != BGP_IDLE)
			p->failures++;
	}
	if (a & BGP_ACT_AUTO_RESTART && !p->admin_down && !p->shutting_down) {
		/* DampPeerOscillations in spirit: each failure in a row
		 * doubles the wait before the next attempt */
		p->backoff_ms = p->backoff_ms ? p->backoff_ms * 2 : BACKOFF_MIN_MS;
		if (p->backoff_ms > BACKOFF_MAX_MS)
			p->backoff_ms = BACKOFF_MAX_MS;
		evloop_timer_cancel(el, &p->t_connect_retry);
		evloop_timer_set(el, &p->t_idle_hold, jitter(p->backoff_ms), t_idle_hold, p);
	}
}

/* The peer's OPEN against our configuration (sec 6.2). */
static int open_check(struct bgp_peer *p, const struct bgp_open *o)
{
	const struct xlb_conf *c = p->env->conf;
	struct bgp_err *e = &p->err;

	if (o->as != p->conf->remote_as) {
		e->code = BGP_ERR_OPEN;
		e->subcode = BGP_ERR_OPEN_BAD_PEER_AS;
		snprintf(e->text, sizeof(e->text), "peer AS %u, configured remote-as %u", o->as,
			 p->conf->remote_as);
		return -1;
	}
	if (peer_ibgp(p) && o->bgp_id == c->router_id) {
		e->code = BGP_ERR_OPEN;
		e->subcode = BGP_ERR_OPEN_BAD_BGP_ID;
		snprintf(e->text, sizeof(e->text), "iBGP peer uses our BGP identifier");
		return -1;
	}
	return 0;
}

/* Unicast IPv4 (AFI 1) or IPv6 (AFI 2), SAFI 1, negotiated on this
 * session (RFC 4760 sec 6: the only families xlbd offers). */
static bool refresh_family_ok(const struct bgp_peer *p, __u16 afi, __u8 safi)
{
	return safi == 1 && ((afi == 1 && p->mp_v4) || (afi == 2 && p->mp_v6));
}

static void handle_msg(struct bgp_peer *p, const struct bgp_hdr *h, const __u8 *body,
		       size_t len)
{
	p->msgs_in++;
	switch (h->type) {
	case BGP_MSG_OPEN: {
		struct bgp_open o;

		if (bgp_open_decode(body, len, &o, &p->err) || open_check(p, &o)) {
			peer_note(p, p->err.code, p->err.subcode, "%s", p->err.text);
			peer_event(p, BGP_EV_BGP_OPEN_MSG_ERR);
			return;
		}
		if (p->state != BGP_OPENSENT) {
			peer_event(p, BGP_EV_BGP_OPEN);
			return;
		}
		p->remote = o;
		p->hold_time = o.hold_time < p->conf->hold_time ? o.hold_time : p->conf->hold_time;
		p->as4 = o.cap_as4;
		/* without any capabilities the peer speaks plain IPv4 (RFC 4760 sec 1) */
		p->mp_v4 = o.cap_mp_v4 || (!o.cap_mp_v4 && !o.cap_mp_v6);
		p->mp_v6 = o.cap_mp_v6;
		peer_event(p, BGP_EV_BGP_OPEN);
		return;
	}
	case BGP_MSG_KEEPALIVE:
		if (len) {
			p->err = (struct bgp_err){ .code = BGP_ERR_HEADER,
						   .subcode = BGP_ERR_HEADER_BAD_LENGTH };
			p->err.data[0] = h->length >> 8;
			p->err.data[1] = h->length & 0xff;
			p->err.data_len = 2;
			peer_event(p, BGP_EV_BGP_HEADER_ERR);
			return;
		}
		peer_event(p, BGP_EV_KEEPALIVE_MSG);
		return;
	case BGP_MSG_UPDATE: {
		struct bgp_update_info info = {};

		if (p->state == BGP_ESTABLISHED &&
		    bgp_update_decode(body, len, p->as4, &info, &p->err)) {
			peer_note(p, p->err.code, p->err.subcode, "%s", p->err.text);
			peer_event(p, BGP_EV_UPDATE_MSG_ERR);
			return;
		}
		/* RFC 7606 sec 2: no reset for these, but the operator hears
		 * of them, and a treat-as-withdraw UPDATE announces nothing */
		if (info.treat_as_withdraw || info.attrs_discarded)
			log_peer_warnx(p, "UPDATE %s: %s",
				  info.treat_as_withdraw ? "treated as withdraw" :
							   "attribute(s) discarded",
				  p->err.text);
		p->updates_in++;
		if (!info.treat_as_withdraw)
			p->prefixes_received += info.announced;
		peer_event(p, BGP_EV_UPDATE_MSG);
		return;
	}
	case BGP_MSG_NOTIFICATION: {
		struct bgp_notification n = {};

		bgp_notification_decode(body, len, &n);
		p->has_last_notif = true;
		p->last_notif = n;
		log_peer_warnx(p, "received NOTIFICATION %s%s%s", bgp_err_name(n.code, n.subcode),
			  n.text[0] ? ": " : "", n.text);
		peer_event(p, n.code == BGP_ERR_OPEN && n.subcode == BGP_ERR_OPEN_UNSUPPORTED_VERSION ?
				      BGP_EV_NOTIF_MSG_VER_ERR :
				      BGP_EV_NOTIF_MSG);
		return;
	}
	case BGP_MSG_ROUTE_REFRESH: {
		__u16 afi;
		__u8 safi;

		if (bgp_route_refresh_decode(body, len, &afi, &safi, &p->err)) {
			peer_event(p, BGP_EV_BGP_HEADER_ERR);
			return;
		}
		if (p->state != BGP_ESTABLISHED) {
			/* RFC 6608 sec 4: as unexpected as an UPDATE before
			 * Established (the RFC 4271 FSM has no event of its own) */
			peer_event(p, BGP_EV_UPDATE_MSG);
			return;
		}
		/* RFC 2918 sec 4: send the Adj-RIB-Out again — for a family
		 * the session carries; any other is ignored */
		if (!refresh_family_ok(p, afi, safi)) {
			log_peer_warnx(p, "ROUTE-REFRESH for AFI %u SAFI %u, which this session did "
				       "not negotiate: ignored (RFC 2918 sec 4)", afi, safi);
			return;
		}
		log_peer_debug(p, "route refresh for AFI %u SAFI %u", afi, safi);
		bgp_peer_send_routes(p, true);
		return;
	}
	}
}

/*
 * A header that fails sec 6.1's checks gets its NOTIFICATION — unless it
 * is a NOTIFICATION's (its length too short for code and subcode, or past
 * 4096): sec 6.4 says a NOTIFICATION is never answered with one. The
 * session ends as if the peer's NOTIFICATION had been read, and the log
 * and `bgp show` say what came.
 */
static void peer_header_error(struct bgp_peer *p, const struct bgp_hdr *h)
{
	if (p->err.subcode == BGP_ERR_HEADER_BAD_LENGTH && h->type == BGP_MSG_NOTIFICATION) {
		memset(&p->err, 0, sizeof(p->err));
		peer_note(p, 0, 0, "malformed NOTIFICATION from the peer (length %u): closed "
			  "without answering (RFC 4271 sec 6.4)", h->length);
		log_peer_warnx(p, "%s", p->last_error.text);
		peer_event(p, BGP_EV_NOTIF_MSG);
		return;
	}
	peer_note(p, p->err.code, p->err.subcode, "%s", p->err.text);
	peer_event(p, BGP_EV_BGP_HEADER_ERR);
}

/* Frame messages out of the input buffer (sec 4.1), the peer's share
 * per call (PEER_READ_BUDGET). */
static void peer_read(struct bgp_peer *p)
{
	uint64_t end = clock_mono_us() + PEER_READ_BUDGET_US;
	size_t got = 0;

	for (;;) {
		struct bgp_hdr h;
		ssize_t n;

		if (buf_reserve(&p->in, BGP_MSG_MAX)) {
			peer_event(p, BGP_EV_TCP_CONNECTION_FAILS);
			return;
		}
		n = recv(p->fd, p->in.data + p->in.len, BGP_MSG_MAX, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
			peer_note(p, 0, 0, "connection closed by the peer%s%s", n ? ": " : "",
				  n ? strerror(errno) : "");
			/* without a NOTIFICATION this line is all the
			 * operator gets: the peer died, reset or was cut */
			if (p->state >= BGP_OPENSENT)
				log_peer_warnx(p, "%s in %s", p->last_error.text, bgp_state_name(p->state));
			peer_event(p, BGP_EV_TCP_CONNECTION_FAILS);
			return;
		}
		if (n < 0)
			return; /* all read */
		got += n;
		p->in.len += n;
		while (p->fd >= 0 && p->in.len >= BGP_HDR_LEN) {
			if (bgp_hdr_decode((__u8 *)p->in.data, p->in.len, &h, &p->err)) {
				peer_header_error(p, &h);
				return;
			}
			if (p->in.len < h.length)
				break;
			p->rx_type = h.type;
			handle_msg(p, &h, (__u8 *)p->in.data + BGP_HDR_LEN, h.length - BGP_HDR_LEN);
			p->rx_type = 0;
			if (p->fd < 0)
				return;
			memmove(p->in.data, p->in.data + h.length, p->in.len - h.length);
			p->in.len -= h.length;
		}
		if (p->fd < 0)
			return;
		if (got >= PEER_READ_BUDGET || clock_mono_us() >= end)
			break;
	}
	/* its share used, and more may wait: the others first */
	p->read_paused = true;
	peer_events(p);
	evloop_timer_set(p->env->el, &p->t_read_pause, PEER_READ_PAUSE_MS, t_read_pause, p);
}

static void peer_io(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct bgp_peer *p = arg;

	(void)el;
	if (fd != p->fd)
		return;
	if (p->connecting) {
		int soerr = 0;
		socklen_t len = sizeof(soerr);

		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
		if (soerr) {
			peer_note(p, 0, 0, "connect: %s", strerror(soerr));
			p->failures++;
			peer_event(p, BGP_EV_TCP_CONNECTION_FAILS);
			return;
		}
		p->connecting = false;
		peer_local_addr(p);
		peer_events(p);
		peer_event(p, BGP_EV_TCP_CR_ACKED);
		return;
	}
	if (events & EPOLLOUT) {
		int err = peer_flush(p);

		if (err) {
			peer_send_failed(p, err);
			return;
		}
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		peer_read(p);
}

void bgp_peer_incoming(struct bgp_peer *p, int fd)
{
	struct evloop *el = p->env->el;

	if (p->admin_down || p->shutting_down || p->state >= BGP_OPENSENT) {
		/* one session per neighbor: keep the one that got further
		 * (collision rule of sec 6.8 simplified to "first wins") */
		log_peer_debug(p, "incoming connection refused in %s", bgp_state_name(p->state));
		close(fd);
		return;
	}
	if (p->state == BGP_IDLE) {
		evloop_timer_cancel(el, &p->t_idle_hold);
		peer_event(p, BGP_EV_AUTOMATIC_START_PASSIVE);
	}
	peer_close(p);
	p->fd = fd;
	if (evloop_add_fd(el, fd, EPOLLIN, peer_io, p)) {
		close(fd);
		p->fd = -1;
		return;
	}
	peer_local_addr(p);
	peer_event(p, BGP_EV_TCP_CONNECTION_CONFIRMED);
}

void bgp_peer_init(struct bgp_peer *p, struct bgp_env *env, const struct conf_neighbor *c)
{
	memset(p, 0, sizeof(*p));
	p->env = env;
	p->conf = c;
	p->fd = -1;
	p->closing_fd = -1;
	p->state = BGP_IDLE;
	p->state_since = time(NULL);
	buf_init(&p->in, IN_MAX + BGP_MSG_MAX);
	buf_init(&p->out, 0);
	inet_ntop(c->addr.family == XLB_FAMILY_V4 ? AF_INET : AF_INET6, &c->addr.addr, p->name,
		  sizeof(p->name));
}

void bgp_peer_start(struct bgp_peer *p)
{
	if (p->admin_down)
		return;
	peer_event(p, p->conf->passive ? BGP_EV_MANUAL_START_PASSIVE : BGP_EV_MANUAL_START);
}

void bgp_peer_stop(struct bgp_peer *p, __u8 subcode, const char *text)
{
	struct evloop *el = p->env->el;
	char msg[sizeof(p->shutdown_text)];

	/* through a copy: text is often p->shutdown_text itself (the end of
	 * a graceful stop), and snprintf onto its own argument is undefined
	 * (glibc writes the NUL first and sends an empty message) */
	snprintf(msg, sizeof(msg), "%s", text ? text : "");
	memcpy(p->shutdown_text, msg, sizeof(msg));
	p->err = (struct bgp_err){ .code = BGP_ERR_CEASE, .subcode = subcode };
	peer_event(p, BGP_EV_MANUAL_STOP);
	p->shutdown_text[0] = '\0';
	evloop_timer_cancel(el, &p->t_idle_hold);
	evloop_timer_cancel(el, &p->t_connect_retry);
	evloop_timer_cancel(el, &p->t_hold);
	evloop_timer_cancel(el, &p->t_keepalive);
	peer_close(p);
	peer_release_routes(p);
}

void bgp_peer_release(struct bgp_peer *p)
{
	struct evloop *el = p->env->el;

	evloop_timer_cancel(el, &p->t_idle_hold);
	evloop_timer_cancel(el, &p->t_connect_retry);
	evloop_timer_cancel(el, &p->t_hold);
	evloop_timer_cancel(el, &p->t_keepalive);
	evloop_timer_cancel(el, &p->t_shutdown);
	peer_close(p);
	closing_end(p);
	buf_free(&p->in);
	buf_free(&p->out);
	free(p->adj);
	p->adj = NULL;
}

void bgp_peer_send_routes(struct bgp_peer *p, bool full)
{
	size_t msgs = 0;

	if (!bgp_adj_out_update(p, full, &msgs) && msgs)
		peer_sent(p, msgs);
}

static void t_peer_shutdown(struct evloop *el, void *arg)
{
	struct bgp_peer *p = arg;

	(void)el;
	bgp_peer_stop(p, BGP_ERR_CEASE_ADMIN_SHUTDOWN,
		      p->shutdown_text[0] ? p->shutdown_text : "administrative shutdown");
	p->shutting_down = false;
}

/* RFC 8326: every route with the GRACEFUL_SHUTDOWN community for the
 * drain time, then a Cease. */
uint32_t bgp_peer_graceful_stop(struct bgp_peer *p, const char *text)
{
	snprintf(p->shutdown_text, sizeof(p->shutdown_text), "%s", text);
	if (p->state != BGP_ESTABLISHED || !p->conf->drain_ms) {
		t_peer_shutdown(p->env->el, p);
		return 0;
	}
	p->shutting_down = true;
	bgp_peer_send_routes(p, false);
	evloop_timer_set(p->env->el, &p->t_shutdown, p->conf->drain_ms, t_peer_shutdown, p);
	return p->conf->drain_ms;
}

int bgp_peer_admin(struct bgp_peer *p, bool down, const char *text)
{
	if (down) {
		if (p->admin_down)
			return 0;
		p->admin_down = true;
		log_peer_info(p, "shutdown (%s)", text);
		bgp_peer_graceful_stop(p, text);
		return 0;
	}
	if (!p->admin_down)
		return 0;
	p->admin_down = false;
	p->shutting_down = false;
	evloop_timer_cancel(p->env->el, &p->t_shutdown);
	log_peer_info(p, "enabled");
	if (p->state == BGP_IDLE)
		bgp_peer_start(p);
	return 0;
}

/* RFC 5882 sec 4.3: BFD Down tears the BGP session down at once, as if
 * the transport failed; the automatic restart brings it back. */
void bgp_peer_bfd_down(struct bgp_peer *p, const char *why)
{
	if (p->state < BGP_OPENSENT && !p->connecting)
		return;
	peer_note(p, 0, 0, "BFD down: %s", why);
	log_peer_warnx(p, "BFD down (%s): closing the session", why);
	/* RFC 9384: say why, best effort — the path is likely dead */
	if (p->state >= BGP_OPENSENT) {
		struct bgp_err e = { .code = BGP_ERR_CEASE, .subcode = BGP_ERR_CEASE_BFD_DOWN };

		send_notification(p, &e, NULL);
	}
	peer_event(p, BGP_EV_TCP_CONNECTION_FAILS);
}
