// SPDX-License-Identifier: GPL-2.0
/*
 * One BGP session (agent/bgp/peer.c) over a real TCP connection on the
 * loopback: the test is the remote speaker, writes the bytes a peer would
 * (well-formed or not) and reads what xlbd's side answers, while the
 * session runs on a real event loop in this process. What the codec tests
 * cannot show is checked here: what the session does with a message —
 * never answering a NOTIFICATION (RFC 4271 sec 6.4), ignoring a
 * ROUTE-REFRESH for a family that was not negotiated (RFC 2918 sec 4),
 * the shutdown communication of an administrative stop (RFC 8203).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "bgp/peer.h"
#include "bgp/routes.h"
#include "lib/clock.h"
#include "bgp_test.h"

#define WAIT_MS 5000	/* a deadline only: every wait ends on its condition */

static const char peer_conf[] =
	"router-id 192.0.2.10\n"
	"local-as 65010\n"
	"allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }\n"
	"encap-source 192.0.2.10 2001:db8::10\n"
	"neighbor 127.0.0.1 { remote-as 65000; hold-time 9; passive }\n"
	"vip 203.0.113.10 local { name web4 }\n"
	"vip 2001:db8:ffff::10 local { name web6 }\n";

struct session {
	struct evloop *el;
	struct xlb_conf *conf;
	struct bgp_env env;
	struct bgp_peer p;
	int fd;			/* the test's end: the remote speaker */
	bool inited;
	__u8 rx[64 * 1024];	/* what xlbd's side sent, not yet looked at */
	size_t rx_len;
	size_t rx_seen;		/* bytes of rx counted in rx_msgs */
	uint64_t rx_msgs;	/* whole messages received so far */
	bool rx_eof;
	uint64_t want_in;	/* refresh_read: messages the session must have read */
};

/* Every VIP of the config is announced. */
static size_t all_up(void *arg, struct bgp_route *out, size_t n)
{
	const struct xlb_conf *c = arg;
	size_t i;

	for (i = 0; i < c->n_vips && i < n; i++) {
		out[i].vip = &c->vips[i];
		out[i].state = BGP_ROUTE_ANNOUNCED;
	}
	return i;
}

/* Read what is there on the test's end without blocking. */
static void rx_pull(struct session *s)
{
	for (;;) {
		ssize_t n = recv(s->fd, s->rx + s->rx_len, sizeof(s->rx) - s->rx_len, MSG_DONTWAIT);

		if (n > 0) {
			s->rx_len += n;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			s->rx_eof = true;
		break;
	}
	while (s->rx_seen + BGP_HDR_LEN <= s->rx_len) {
		size_t len = s->rx[s->rx_seen + 16] << 8 | s->rx[s->rx_seen + 17];

		if (len < BGP_HDR_LEN || s->rx_seen + len > s->rx_len)
			break;
		s->rx_seen += len;
		s->rx_msgs++;
	}
}

struct wait {
	struct session *s;
	bool (*cond)(struct session *s);
	uint64_t deadline;
	struct ev_timer t;
	bool met;
};

static void wait_tick(struct evloop *el, void *arg)
{
	struct wait *w = arg;

	rx_pull(w->s);
	/* and everything xlbd's side sent has arrived: loopback TCP may
	 * deliver a segment after send() returned */
	if (w->cond(w->s) && w->s->rx_msgs == w->s->p.msgs_out) {
		w->met = true;
		evloop_stop(el);
	} else if (clock_mono_ms() > w->deadline) {
		evloop_stop(el);
	} else {
		evloop_timer_set(el, &w->t, 2, wait_tick, w);
	}
}

/* Run the session's loop until cond holds and every message xlbd's side
 * sent is in s->rx (checked every 2 ms); false at the deadline. */
static bool run_until(struct session *s, bool (*cond)(struct session *s))
{
	struct wait w = { .s = s, .cond = cond, .deadline = clock_mono_ms() + WAIT_MS };

	evloop_timer_set(s->el, &w.t, 0, wait_tick, &w);
	evloop_run(s->el);
	evloop_timer_cancel(s->el, &w.t);
	return w.met;
}

/* The next whole message received, its type and body; false if none. */
static bool rx_next(struct session *s, __u8 *type, __u8 *body, size_t *len)
{
	size_t n;

	if (s->rx_len < BGP_HDR_LEN)
		return false;
	n = s->rx[16] << 8 | s->rx[17];
	if (n < BGP_HDR_LEN || s->rx_len < n)
		return false;
	*type = s->rx[18];
	*len = n - BGP_HDR_LEN;
	if (body)
		memcpy(body, s->rx + BGP_HDR_LEN, *len);
	memmove(s->rx, s->rx + n, s->rx_len - n);
	s->rx_len -= n;
	s->rx_seen -= n;
	return true;
}

/* Count (and consume) the received messages of each type. */
static void rx_count(struct session *s, size_t count[6])
{
	__u8 type;
	size_t len;

	memset(count, 0, 6 * sizeof(count[0]));
	while (rx_next(s, &type, NULL, &len))
		count[type < 6 ? type : 0]++;
}

static bool tx(struct session *s, const void *data, size_t len)
{
	return ASSERT_EQ(send(s->fd, data, len, MSG_NOSIGNAL), (ssize_t)len, "send to xlbd's side");
}

static bool tx_buf(struct session *s, struct buf *b)
{
	bool ok = tx(s, b->data, b->len);

	buf_reset(b);
	return ok;
}

static bool established(struct session *s)
{
	return s->p.state == BGP_ESTABLISHED;
}

static bool closed(struct session *s)
{
	return s->p.fd < 0 && s->rx_eof;
}

/* A TCP connection on 127.0.0.1 handed to the session as the speaker
 * would hand an accepted one; with open, an OPEN (IPv4 only, or both
 * families with v6) and a KEEPALIVE, and the session Established. */
static bool session_start_conf(struct session *s, const char *conf, bool open, bool v6)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	char err[CONF_ERR_MAX];
	int lfd = -1, afd;
	bool ok = false;
	struct buf b;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	buf_init(&b, 0);
	if (!ASSERT_OK(conf_parse_string("peer.conf", conf, &s->conf, err, sizeof(err)), err) ||
	    !ASSERT_OK(evloop_new(&s->el), "evloop_new"))
		goto out;
	s->env = (struct bgp_env){ .el = s->el, .conf = s->conf, .routes_fn = all_up,
				   .routes_arg = s->conf };
	bgp_peer_init(&s->p, &s->env, &s->conf->neighbors[0]);
	s->inited = true;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!ASSERT_GE(lfd, 0, "socket") || !ASSERT_GE(s->fd, 0, "socket") ||
	    !ASSERT_OK(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), "bind") ||
	    !ASSERT_OK(listen(lfd, 1), "listen") ||
	    !ASSERT_OK(getsockname(lfd, (struct sockaddr *)&sa, &len), "getsockname") ||
	    !ASSERT_OK(connect(s->fd, (struct sockaddr *)&sa, sizeof(sa)), "connect"))
		goto out;
	afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!ASSERT_GE(afd, 0, "accept"))
		goto out;
	/* as the speaker does with a connection it accepts */
	if (!ASSERT_OK(bgp_socket_setup(afd, s->p.conf, false), "socket options")) {
		close(afd);
		goto out;
	}
	bgp_peer_incoming(&s->p, afd);
	if (!open) {
		ok = true;
		goto out;
	}
	{
		struct bgp_open o = { .version = BGP_VERSION, .as = 65000, .hold_time = 9,
				      .bgp_id = htonl(0xc0000201), .cap_mp_v4 = true,
				      .cap_mp_v6 = v6, .cap_route_refresh = true,
				      .cap_as4 = true };

		if (!ASSERT_OK(bgp_open_encode(&b, &o), "encode OPEN") ||
		    !ASSERT_OK(bgp_keepalive_encode(&b), "encode KEEPALIVE") || !tx_buf(s, &b))
			goto out;
	}
	ok = ASSERT_TRUE(run_until(s, established), "Established");
out:
	if (lfd >= 0)
		close(lfd);
	buf_free(&b);
	return ok;
}

static bool session_start(struct session *s, bool open, bool v6)
{
	return session_start_conf(s, peer_conf, open, v6);
}

static void session_end(struct session *s)
{
	if (s->inited)
		bgp_peer_release(&s->p);
	if (s->fd >= 0)
		close(s->fd);
	free(s->env.routes);
	evloop_free(s->el);
	conf_free(s->conf);
}

/* A header whose length is len (its body zeros up to the bytes sent):
 * RFC 4271 sec 6.1 calls a NOTIFICATION of length 19 or 20 (no room for
 * code and subcode) or past 4096 a Bad Message Length — but sec 6.4 says
 * a NOTIFICATION is never answered with one. The session closes, quietly. */
void test_bgp_peer_malformed_notification(void)
{
	static const __u16 lengths[] = { 19, 20, 4097 };
	size_t i, count[6];

	for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		struct session s;
		__u8 msg[21] = {};

		test_ctx("NOTIFICATION of length %u", lengths[i]);
		if (!session_start(&s, true, false))
			goto next;
		rx_count(&s, count);	/* the OPEN, KEEPALIVE and routes so far */
		memset(msg, 0xff, 16);
		msg[16] = lengths[i] >> 8;
		msg[17] = lengths[i] & 0xff;
		msg[18] = BGP_MSG_NOTIFICATION;
		if (!tx(&s, msg, lengths[i] < sizeof(msg) ? lengths[i] : sizeof(msg)))
			goto next;
		ASSERT_TRUE(run_until(&s, closed), "connection closed");
		rx_count(&s, count);
		ASSERT_EQ(count[BGP_MSG_NOTIFICATION], 0, "NOTIFICATIONs sent in answer");
		ASSERT_EQ(s.p.state, BGP_IDLE, "session state");
		ASSERT_TRUE(s.p.has_last_error && strstr(s.p.last_error.text, "NOTIFICATION"),
			    "bgp show says why the session ended");
next:
		session_end(&s);
	}
	test_ctx(NULL);
}

/* A well-formed NOTIFICATION is not answered either, while a malformed
 * header of another type still gets its NOTIFICATION (sec 6.1). */
void test_bgp_peer_notification_not_answered(void)
{
	struct session s;
	size_t count[6];
	__u8 msg[64];
	long n;

	if (!session_start(&s, true, false))
		goto out;
	rx_count(&s, count);
	n = t_msg(BGP_MSG_NOTIFICATION, "06 02", msg, sizeof(msg));
	if (!ASSERT_GT(n, 0, "vector") || !tx(&s, msg, n))
		goto out;
	ASSERT_TRUE(run_until(&s, closed), "connection closed");
	rx_count(&s, count);
	ASSERT_EQ(count[BGP_MSG_NOTIFICATION], 0, "NOTIFICATIONs sent in answer");
	session_end(&s);

	if (!session_start(&s, true, false))
		goto out;
	rx_count(&s, count);
	n = t_msg(BGP_MSG_KEEPALIVE, "00", msg, sizeof(msg));	/* KEEPALIVE of 20 bytes */
	if (!ASSERT_GT(n, 0, "vector") || !tx(&s, msg, n))
		goto out;
	ASSERT_TRUE(run_until(&s, closed), "connection closed");
	rx_count(&s, count);
	ASSERT_EQ(count[BGP_MSG_NOTIFICATION], 1, "NOTIFICATION for a bad KEEPALIVE");
out:
	session_end(&s);
}

static bool refresh_read(struct session *s)
{
	return s->p.msgs_in >= s->want_in;
}

/* Send a ROUTE-REFRESH and run until the session has read it; what it
 * answered is then in s->rx (it answers as it reads). */
static bool refresh(struct session *s, __u16 afi, __u8 safi, size_t count[6])
{
	struct buf b;
	bool ok;

	buf_init(&b, 0);
	s->want_in = s->p.msgs_in + 1;
	ok = ASSERT_OK(bgp_route_refresh_encode(&b, afi, safi), "encode") && tx_buf(s, &b) &&
	     ASSERT_TRUE(run_until(s, refresh_read), "ROUTE-REFRESH read");
	buf_free(&b);
	rx_count(s, count);
	return ok;
}

/* RFC 2918 sec 4: a ROUTE-REFRESH for an AFI/SAFI that was not
 * negotiated is ignored (and logged), not answered with every route; one
 * for a negotiated family gets its routes again. The test's OPEN offers
 * IPv4 unicast only. */
void test_bgp_peer_route_refresh_family(void)
{
	struct session s;
	size_t count[6];

	if (!session_start(&s, true, false))
		goto out;
	rx_count(&s, count);
	ASSERT_EQ(count[BGP_MSG_UPDATE], 1, "the IPv4 VIP announced at Established");
	ASSERT_FALSE(s.p.mp_v6, "IPv6 not negotiated");

	if (!refresh(&s, 2, 1, count))
		goto out;
	ASSERT_EQ(count[BGP_MSG_UPDATE], 0, "UPDATEs for a refresh of IPv6 (not negotiated)");
	ASSERT_EQ(count[BGP_MSG_NOTIFICATION], 0, "NOTIFICATIONs");
	ASSERT_EQ(s.p.state, BGP_ESTABLISHED, "session state");
	if (!refresh(&s, 1, 128, count))	/* IPv4 MPLS VPN: never negotiated */
		goto out;
	ASSERT_EQ(count[BGP_MSG_UPDATE], 0, "UPDATEs for a refresh of AFI 1 SAFI 128");

	if (!refresh(&s, 1, 1, count))
		goto out;
	ASSERT_EQ(count[BGP_MSG_UPDATE], 1, "the IPv4 VIP again for a refresh of IPv4");
	ASSERT_EQ(s.p.state, BGP_ESTABLISHED, "session state");
out:
	session_end(&s);
}

/* The Cease of an administrative shutdown carries the operator's text
 * (RFC 8203, RFC 9003), at once or after the graceful-shutdown drain. */
void test_bgp_peer_shutdown_text(void)
{
	static const __u32 drains[] = { 0, 50 };
	size_t i;

	for (i = 0; i < sizeof(drains) / sizeof(drains[0]); i++) {
		struct bgp_notification n = {};
		struct session s;
		__u8 type, body[BGP_MSG_MAX];
		size_t len, notifs = 0;

		test_ctx("drain %u ms", drains[i]);
		if (!session_start(&s, true, false))
			goto next;
		rx_count(&s, (size_t[6]){ 0 });
		s.conf->neighbors[0].drain_ms = drains[i];
		bgp_peer_admin(&s.p, true, "maintenance: ticket 42");
		ASSERT_TRUE(run_until(&s, closed), "connection closed");
		while (rx_next(&s, &type, body, &len)) {
			if (type != BGP_MSG_NOTIFICATION)
				continue;
			notifs++;
			ASSERT_OK(bgp_notification_decode(body, len, &n), "decode");
		}
		if (!ASSERT_EQ(notifs, 1, "NOTIFICATIONs"))
			goto next;
		ASSERT_EQ(n.code, BGP_ERR_CEASE, "code");
		ASSERT_EQ(n.subcode, BGP_ERR_CEASE_ADMIN_SHUTDOWN, "subcode");
		ASSERT_STREQ(n.text, "maintenance: ticket 42", "shutdown communication");
next:
		session_end(&s);
	}
	test_ctx(NULL);
}

/* What the session sent, prefix by prefix (bgp_update_parse of every
 * UPDATE received), against what bgp_adj_out_walk() says it sent. */
struct sent {
	struct bgp_prefix pfx[8];
	struct bgp_update_rx rx[8];
	size_t n;
};

static void sent_collect(struct session *s, struct sent *out)
{
	__u8 type, body[BGP_MSG_MAX];
	size_t len, k;

	out->n = 0;
	while (rx_next(s, &type, body, &len)) {
		struct bgp_prefix nlri[8];
		struct bgp_update_rx rx = { .nlri = nlri, .nlri_max = 8 };
		struct bgp_update_info info;
		struct bgp_err err;

		if (type != BGP_MSG_UPDATE)
			continue;
		if (!ASSERT_OK(bgp_update_parse(body, len, true, &info, &rx, &err), "parse UPDATE"))
			continue;
		for (k = 0; k < rx.n_nlri && out->n < 8; k++) {
			out->pfx[out->n] = nlri[k];
			out->rx[out->n] = rx;
			out->rx[out->n].nlri = NULL;
			out->n++;
		}
	}
}

struct walked {
	const struct sent *sent;
	size_t n, matched;
	char vips[4][CONF_VIP_STRLEN];
};

static void walk_cb(void *arg, const struct bgp_prefix *pfx, const struct bgp_attrs *a,
		    const struct conf_vip *v)
{
	struct walked *w = arg;
	const struct bgp_update_rx *rx = NULL;
	size_t i, k;

	if (w->n < 4 && v)
		snprintf(w->vips[w->n], sizeof(w->vips[0]), "%s", v->name ? v->name : "?");
	w->n++;
	if (!ASSERT_TRUE(a && v, "attributes of a prefix in the Adj-RIB-Out"))
		return;
	for (i = 0; i < w->sent->n; i++)
		if (w->sent->pfx[i].family == pfx->family && w->sent->pfx[i].len == pfx->len &&
		    !memcmp(&w->sent->pfx[i].addr, &pfx->addr, sizeof(pfx->addr)))
			rx = &w->sent->rx[i];
	if (!ASSERT_TRUE(rx, "the walked prefix was sent"))
		return;
	if (pfx->family == XLB_FAMILY_V4)
		ASSERT_MEMEQ(&rx->next_hop4, &a->next_hop4, 4, "IPv4 next hop");
	else
		ASSERT_MEMEQ(&rx->next_hop6, &a->next_hop6, 16, "IPv6 next hop");
	ASSERT_EQ(rx->has_med, a->has_med, "MED present");
	ASSERT_EQ(rx->med, a->has_med ? a->med : 0, "MED");
	ASSERT_EQ(rx->as_path_len, a->ibgp ? 0 : 1 + a->prepend, "AS path length");
	for (k = 0; k < rx->as_path_len; k++)
		ASSERT_EQ(rx->as_path[k], a->local_as, "AS path");
	ASSERT_EQ(rx->n_communities, a->n_communities, "communities");
	for (k = 0; k < rx->n_communities && k < a->n_communities; k++)
		ASSERT_EQ(rx->communities[k], a->communities[k], "community");
	w->matched++;
}

static const char routes_conf[] =
	"router-id 192.0.2.10\n"
	"local-as 65010\n"
	"allowed-prefixes { 203.0.113.0/24 max 32; 2001:db8:ffff::/48 max 128 }\n"
	"encap-source 192.0.2.10\n"
	"neighbor 127.0.0.1 { remote-as 65000; hold-time 9; passive }\n"
	"vip 203.0.113.10 local { name web4; med 100; community 65000:53; prepend 2;"
	" next-hop 192.0.2.10 }\n"
	"vip 203.0.113.11 local { name dns4; next-hop 192.0.2.11 }\n"
	"vip 2001:db8:ffff::10 local { name web6; next-hop 2001:db8::99 }\n"
	"vip 2001:db8:ffff::11 local { name lost6 }\n";

/* `xlbctl bgp routes` reads the Adj-RIB-Out through bgp_adj_out_walk():
 * each prefix with the attributes it went out with, compared here with
 * the UPDATEs the session really sent; and the VIP a session cannot carry
 * (IPv6 over IPv4 without an IPv6 next hop) is counted as not sent, not
 * silently left out. (The IPv4 VIPs have a next-hop: the session's own
 * address, 127.0.0.1, is one the decoder rightly refuses.) */
void test_bgp_peer_adj_out_walk(void)
{
	struct walked w = {};
	struct session s;
	struct sent sent;

	if (!session_start_conf(&s, routes_conf, true, true))
		goto out;
	sent_collect(&s, &sent);
	ASSERT_EQ(sent.n, 3, "prefixes sent (web4, dns4, web6)");
	w.sent = &sent;
	ASSERT_OK(bgp_adj_out_walk(&s.p, walk_cb, &w), "walk");
	ASSERT_EQ(w.n, 3, "prefixes walked");
	ASSERT_EQ(w.matched, 3, "prefixes that match what was sent");
	ASSERT_EQ(bgp_peer_announced(&s.p), 3, "bgp_peer_announced");
	ASSERT_STREQ(w.vips[0], "web4", "first prefix's VIP (prefix order)");
	ASSERT_EQ(s.p.unsent_next_hop, 1, "VIPs without a next hop (lost6)");
	ASSERT_EQ(s.p.unsent_family, 0, "VIPs of a family not negotiated");
	session_end(&s);

	/* IPv4 only: the IPv6 VIPs are of a family the session lacks */
	if (!session_start_conf(&s, routes_conf, true, false))
		goto out;
	sent_collect(&s, &sent);
	ASSERT_EQ(sent.n, 2, "prefixes sent over IPv4 only");
	ASSERT_EQ(s.p.unsent_family, 2, "VIPs of a family not negotiated (web6, lost6)");
out:
	session_end(&s);
}
