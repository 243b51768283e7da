// SPDX-License-Identifier: GPL-2.0
/*
 * What one peer gets from us: the Adj-RIB-Out (RFC 4271 sec 3.2) of a
 * speaker that only originates host routes. For every VIP xlbd wants
 * announced (or gracefully shut down) the attributes are built for this
 * session, VIPs with equal attributes share UPDATE messages, and only the
 * difference to what the peer already has is sent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/speaker.h"
#include "lib/log.h"

#define GSHUT_COMMUNITY	0xFFFF0000u	/* 65535:0, RFC 8326 */
#define LOCAL_PREF_DEFAULT 100

struct adj_out {
	struct bgp_prefix pfx;
	uint64_t sig;		/* signature of the attributes sent */
};

struct want {
	struct bgp_prefix pfx;
	struct bgp_attrs attrs;
	uint64_t sig;
};

static uint64_t attrs_sig(const struct bgp_attrs *a)
{
	const unsigned char *b = (const unsigned char *)a;
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < sizeof(*a); i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h | 1; /* never 0 */
}

static bool same_prefix(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
	return a->family == b->family && a->len == b->len && !memcmp(&a->addr, &b->addr, 16);
}

/* Attributes of `vip` on this session; false when it cannot be sent
 * (no usable next hop of the family). */
static bool attrs_build(struct bgp_peer *p, const struct bgp_route *r, struct bgp_attrs *a)
{
	const struct xlb_conf *c = bgp_speaker_conf(p->sp);
	const struct conf_vip *v = r->vip;
	/* a session being shut down gracefully sends everything as GSHUT */
	bool gshut = r->state == BGP_ROUTE_GSHUT || p->shutting_down;
	size_t i;

	memset(a, 0, sizeof(*a));
	a->ibgp = p->conf->remote_as == c->local_as;
	a->local_as = c->local_as;
	a->prepend = a->ibgp ? 0 : v->prepend;
	a->has_med = v->has_med;
	a->med = v->med;
	if (a->ibgp)
		/* RFC 8326 sec 4: LOCAL_PREF 0 towards iBGP during shutdown */
		a->local_pref = gshut ? 0 : v->has_local_pref ? v->local_pref : LOCAL_PREF_DEFAULT;
	for (i = 0; i < v->n_communities && a->n_communities < BGP_COMMUNITIES_MAX; i++)
		a->communities[a->n_communities++] = v->communities[i];
	if (gshut && a->n_communities < BGP_COMMUNITIES_MAX)
		a->communities[a->n_communities++] = GSHUT_COMMUNITY;
	for (i = 0; i < v->n_large_communities && i < BGP_COMMUNITIES_MAX; i++)
		memcpy(a->large_communities[a->n_large_communities++], v->large_communities[i],
		       sizeof(a->large_communities[0]));

	if (v->addr.family == XLB_FAMILY_V4) {
		if (v->next_hop.family == XLB_FAMILY_V4)
			a->next_hop4 = v->next_hop.addr;
		else if (p->local.family == XLB_FAMILY_V4)
			a->next_hop4 = p->local.addr;
		else if (c->encap_src4.family)
			a->next_hop4 = c->encap_src4.addr;
		else
			return false;
		a->has_next_hop4 = true;
		return true;
	}
	if (v->next_hop.family == XLB_FAMILY_V6)
		a->next_hop6 = v->next_hop.addr;
	else if (p->local.family == XLB_FAMILY_V6)
		a->next_hop6 = p->local.addr;
	else if (c->encap_src6.family)
		a->next_hop6 = c->encap_src6.addr;
	else
		return false;
	a->has_next_hop6 = true;
	/* the peer shares our link: add our link-local (RFC 2545 sec 3) */
	if (p->local_ll.family && p->local.family == XLB_FAMILY_V6 &&
	    !memcmp(&a->next_hop6, &p->local.addr, 16)) {
		a->next_hop6_ll = p->local_ll.addr;
		a->has_next_hop6_ll = true;
	}
	return true;
}

static size_t count_msgs(const struct buf *b, size_t from)
{
	size_t n = 0;

	while (from + BGP_HDR_LEN <= b->len) {
		size_t len = ((unsigned char)b->data[from + 16] << 8) |
			     (unsigned char)b->data[from + 17];

		if (len < BGP_HDR_LEN)
			break;
		from += len;
		n++;
	}
	return n;
}

static int by_sig(const void *x, const void *y)
{
	const struct want *a = x, *b = y;

	if (a->sig != b->sig)
		return a->sig < b->sig ? -1 : 1;
	return a->pfx.family - b->pfx.family;
}

void bgp_peer_send_routes(struct bgp_peer *p, bool full)
{
	const struct xlb_conf *c = bgp_speaker_conf(p->sp);
	struct bgp_route *routes;
	struct want *want = NULL, *send = NULL;
	struct bgp_prefix *gone = NULL, *batch = NULL;
	size_t nr, nw = 0, ns = 0, ng = 0, i, j, start = p->out.len;
	int err = 0;

	if (p->state != BGP_ESTABLISHED)
		return;
	if (full)
		p->n_adj = 0;
	nr = bgp_speaker_routes(p->sp, &routes);
	want = calloc(nr + 1, sizeof(*want));
	send = calloc(nr + 1, sizeof(*send));
	gone = calloc(p->n_adj + 1, sizeof(*gone));
	batch = calloc(nr + p->n_adj + 1, sizeof(*batch));
	if (!want || !send || !gone || !batch)
		goto out;

	for (i = 0; i < nr; i++) {
		const struct conf_vip *v = routes[i].vip;
		struct want *w = &want[nw];

		if (routes[i].state == BGP_ROUTE_WITHDRAWN)
			continue;
		if ((v->addr.family == XLB_FAMILY_V4 && !p->mp_v4) ||
		    (v->addr.family == XLB_FAMILY_V6 && !p->mp_v6))
			continue;
		/* the parser refuses such a VIP; refuse it here as well */
		if (!bgp_prefix_allowed(c, &v->addr))
			continue;
		if (!attrs_build(p, &routes[i], &w->attrs))
			continue;
		w->pfx.addr = v->addr.addr;
		w->pfx.family = v->addr.family;
		w->pfx.len = v->addr.family == XLB_FAMILY_V4 ? 32 : 128;
		w->sig = attrs_sig(&w->attrs);
		nw++;
	}
	/* withdrawals: in the Adj-RIB-Out, not wanted */
	for (i = 0; i < p->n_adj; i++) {
		for (j = 0; j < nw; j++)
			if (same_prefix(&p->adj[i].pfx, &want[j].pfx))
				break;
		if (j == nw)
			gone[ng++] = p->adj[i].pfx;
	}
	/* announcements: new, or with changed attributes */
	for (i = 0; i < nw; i++) {
		for (j = 0; j < p->n_adj; j++)
			if (same_prefix(&p->adj[j].pfx, &want[i].pfx))
				break;
		if (j == p->n_adj || p->adj[j].sig != want[i].sig)
			send[ns++] = want[i];
	}
	qsort(send, ns, sizeof(*send), by_sig);
	for (i = 0; i < ns && !err; i = j) {
		size_t n = 0;

		for (j = i; j < ns && send[j].sig == send[i].sig &&
			    send[j].pfx.family == send[i].pfx.family; j++)
			batch[n++] = send[j].pfx;
		err = bgp_update_encode_announce(&p->out, batch, n, &send[i].attrs, p->as4);
	}
	for (i = 0; i < 2 && !err; i++) {
		__u8 fam = i ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
		size_t n = 0;

		for (j = 0; j < ng; j++)
			if (gone[j].family == fam)
				batch[n++] = gone[j];
		if (n)
			err = bgp_update_encode_withdraw(&p->out, batch, n);
	}
	/* End-of-RIB after the initial table (RFC 4724 sec 2) for peers that
	 * know what it is */
	if (!err && full && p->remote.cap_gr) {
		if (p->mp_v4)
			err = bgp_update_encode_eor(&p->out, XLB_FAMILY_V4);
		if (!err && p->mp_v6)
			err = bgp_update_encode_eor(&p->out, XLB_FAMILY_V6);
	}
	if (err) {
		log_warnx("neighbor %s: cannot encode UPDATE: %s", p->name, strerror(-err));
		buf_truncate(&p->out, start);
		goto out;
	}
	/* what the peer has now */
	if (nw > p->cap_adj) {
		struct adj_out *adj = realloc(p->adj, nw * sizeof(*adj));

		if (!adj)
			goto out;
		p->adj = adj;
		p->cap_adj = nw;
	}
	for (i = 0; i < nw; i++)
		p->adj[i] = (struct adj_out){ .pfx = want[i].pfx, .sig = want[i].sig };
	p->n_adj = nw;
	if (ns || ng)
		log_debug("neighbor %s: %zu announced, %zu withdrawn", p->name, ns, ng);
	if (p->out.len > start)
		bgp_peer_sent(p, count_msgs(&p->out, start));
out:
	free(want);
	free(send);
	free(gone);
	free(batch);
}

size_t bgp_peer_announced(const struct bgp_peer *p)
{
	return p->state == BGP_ESTABLISHED ? p->n_adj : 0;
}
