// SPDX-License-Identifier: GPL-2.0
/*
 * What one peer gets from us: the Adj-RIB-Out (RFC 4271 sec 3.2) of a
 * speaker that only originates host routes. For every VIP xlbd wants
 * announced (or gracefully shut down) the attributes are built for this
 * session, VIPs with equal attributes share UPDATE messages, and only the
 * difference to what the peer already has is sent.
 *
 * A sync costs O(n log n) in the number of VIPs: the routes wanted are
 * sorted by prefix and merged with the Adj-RIB-Out, which is kept sorted
 * the same way, one entry per prefix. Attributes are compared by a
 * signature and not kept: a struct bgp_attrs is ~600 bytes, and 10,000
 * VIPs would copy 6 MB on every sync. Each UPDATE group builds its
 * attributes again from its first route.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/routes.h"
#include "lib/log.h"

#define GSHUT_COMMUNITY	0xFFFF0000u	/* 65535:0, RFC 8326 */
#define LOCAL_PREF_DEFAULT 100

/* p->adj: sorted by prefix_cmp, one entry per prefix */
struct adj_out {
	struct bgp_prefix pfx;
	uint64_t sig;		/* signature of the attributes sent */
};

/* A route for the Adj-RIB-Out. */
struct want {
	struct bgp_prefix pfx;
	uint64_t sig;		/* attrs_sig of its attributes on this session */
	size_t route;		/* index in the speaker's routes */
	bool gshut;		/* the VIP is draining (BGP_ROUTE_GSHUT) */
};

/* attrs_sig hashes the fixed part up to the community lists, then only
 * the filled entries of each list (the rest is zero): a field added to
 * struct bgp_attrs outside the fixed part must be added there. */
_Static_assert(offsetof(struct bgp_attrs, n_communities) ==
		       offsetof(struct bgp_attrs, communities) +
			       sizeof(((struct bgp_attrs *)0)->communities),
	       "attrs_sig: nothing between communities and n_communities");
_Static_assert(offsetof(struct bgp_attrs, large_communities) ==
		       offsetof(struct bgp_attrs, n_communities) + sizeof(size_t),
	       "attrs_sig: nothing between n_communities and large_communities");
_Static_assert(sizeof(struct bgp_attrs) ==
		       offsetof(struct bgp_attrs, n_large_communities) + sizeof(size_t),
	       "attrs_sig: nothing after n_large_communities");

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *b = data;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/* attrs_build() zeroes the struct first, so padding hashes the same */
static uint64_t attrs_sig(const struct bgp_attrs *a)
{
	uint64_t h = 1469598103934665603ull;

	h = fnv1a(h, a, offsetof(struct bgp_attrs, communities));
	h = fnv1a(h, a->communities, a->n_communities * sizeof(a->communities[0]));
	h = fnv1a(h, &a->n_communities, sizeof(a->n_communities));
	h = fnv1a(h, a->large_communities,
		  a->n_large_communities * sizeof(a->large_communities[0]));
	h = fnv1a(h, &a->n_large_communities, sizeof(a->n_large_communities));
	return h | 1; /* never 0 */
}

static int prefix_cmp(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

/* The next hop of the VIP's family on this session: its own next-hop,
 * else the session's local address, else the encap-source of that family
 * (src); false when there is none. */
static bool next_hop_pick(const struct bgp_peer *p, const struct conf_vip *v,
			  const struct conf_addr *src, union xlb_addr *out)
{
	__u8 fam = v->addr.family;

	if (v->next_hop.family == fam)
		*out = v->next_hop.addr;
	else if (p->local.family == fam)
		*out = p->local.addr;
	else if (src->family)
		*out = src->addr;
	else
		return false;
	return true;
}

/* Attributes of `vip` on this session; false when it cannot be sent
 * (no usable next hop of the family). */
static bool attrs_build(struct bgp_peer *p, const struct bgp_route *r, struct bgp_attrs *a)
{
	const struct xlb_conf *c = p->env->conf;
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
		a->has_next_hop4 = next_hop_pick(p, v, &c->encap_src4, &a->next_hop4);
		return a->has_next_hop4;
	}
	a->has_next_hop6 = next_hop_pick(p, v, &c->encap_src6, &a->next_hop6);
	if (!a->has_next_hop6)
		return false;
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

/* By prefix; for VIPs sharing an address (other ports), the one that
 * gives the prefix its attributes first: an announced VIP before a
 * draining one, then the first in the config. */
static int by_prefix(const void *x, const void *y)
{
	const struct want *a = x, *b = y;
	int d = prefix_cmp(&a->pfx, &b->pfx);

	if (d)
		return d;
	if (a->gshut != b->gshut)
		return a->gshut ? 1 : -1;
	return a->route < b->route ? -1 : a->route > b->route;
}

/* UPDATE groups: equal attributes and family together, prefixes in order */
static int by_sig(const void *x, const void *y)
{
	const struct want *a = x, *b = y;

	if (a->sig != b->sig)
		return a->sig < b->sig ? -1 : 1;
	return prefix_cmp(&a->pfx, &b->pfx);
}

bool bgp_prefix_allowed(const struct xlb_conf *conf, const struct conf_addr *a)
{
	unsigned int host = a->family == XLB_FAMILY_V4 ? 32 : 128;
	size_t i;

	for (i = 0; i < conf->n_allowed; i++) {
		const struct conf_prefix *p = &conf->allowed[i];
		unsigned int bits = p->len, k;
		bool in = p->net.family == a->family && p->max_len >= host;

		for (k = 0; in && k < bits; k++) {
			unsigned int byte = k / 8, bit = 7 - k % 8;

			if (((a->addr.bytes[byte] >> bit) & 1) != ((p->net.addr.bytes[byte] >> bit) & 1))
				in = false;
		}
		if (in)
			return true;
	}
	return false;
}

/* xlbd's route states, into the buffer the speaker's peers share. */
static size_t routes_get(struct bgp_env *env, struct bgp_route **out)
{
	size_t n = env->conf->n_vips;

	if (n > env->cap_routes) {
		struct bgp_route *r = realloc(env->routes, n * sizeof(*r));

		if (!r) {
			*out = env->routes;
			return 0;
		}
		env->routes = r;
		env->cap_routes = n;
	}
	*out = env->routes;
	return env->routes_fn(env->routes_arg, env->routes, n);
}

/* The routes this session should have, one per prefix in the
 * Adj-RIB-Out's order, into want; returns how many. */
static size_t routes_wanted(struct bgp_peer *p, const struct bgp_route *routes, size_t nr,
			    struct want *want)
{
	struct bgp_attrs attrs;
	size_t i, j, nw = 0;

	p->unsent_family = p->unsent_next_hop = 0;
	for (i = 0; i < nr; i++) {
		const struct conf_vip *v = routes[i].vip;
		struct want *w = &want[nw];

		if (routes[i].state == BGP_ROUTE_WITHDRAWN)
			continue;
		/* `bgp show` says why a VIP xlbd announces is not sent here */
		if ((v->addr.family == XLB_FAMILY_V4 && !p->mp_v4) ||
		    (v->addr.family == XLB_FAMILY_V6 && !p->mp_v6)) {
			p->unsent_family++;
			continue;
		}
		/* the parser refuses such a VIP; refuse it here as well */
		if (!bgp_prefix_allowed(p->env->conf, &v->addr))
			continue;
		if (!attrs_build(p, &routes[i], &attrs)) {
			p->unsent_next_hop++;
			continue;
		}
		w->pfx.addr = v->addr.addr;
		w->pfx.family = v->addr.family;
		w->pfx.len = v->addr.family == XLB_FAMILY_V4 ? 32 : 128;
		w->sig = attrs_sig(&attrs);
		w->route = i;
		w->gshut = routes[i].state == BGP_ROUTE_GSHUT;
		nw++;
	}
	qsort(want, nw, sizeof(*want), by_prefix);
	for (i = j = 0; i < nw; i++)
		if (!j || prefix_cmp(&want[j - 1].pfx, &want[i].pfx))
			want[j++] = want[i];
	return j;
}

/* The difference, merging two sorted lists: what the peer has and is no
 * longer wanted goes to gone, what is new or changed to send. */
static void adj_out_diff(const struct bgp_peer *p, const struct want *want, size_t nw,
			 struct want *send, size_t *ns, struct bgp_prefix *gone, size_t *ng)
{
	size_t i, j;

	*ns = *ng = 0;
	for (i = j = 0; i < nw || j < p->n_adj;) {
		int d = i == nw ? 1 : j == p->n_adj ? -1 : prefix_cmp(&want[i].pfx, &p->adj[j].pfx);

		if (d < 0) {
			send[(*ns)++] = want[i++];
		} else if (d > 0) {
			gone[(*ng)++] = p->adj[j++].pfx;
		} else {
			if (p->adj[j].sig != want[i].sig)
				send[(*ns)++] = want[i];
			i++;
			j++;
		}
	}
}

/* One UPDATE group per signature and family (send is sorted by_sig);
 * batch has room for ns prefixes. */
static int encode_announce(struct bgp_peer *p, const struct bgp_route *routes,
			   const struct want *send, size_t ns, struct bgp_prefix *batch)
{
	struct bgp_attrs attrs;
	size_t i, j;
	int err = 0;

	for (i = 0; i < ns && !err; i = j) {
		size_t n = 0;

		for (j = i; j < ns && send[j].sig == send[i].sig &&
			    send[j].pfx.family == send[i].pfx.family; j++)
			batch[n++] = send[j].pfx;
		/* the same as when signed: nothing ran in between */
		if (!attrs_build(p, &routes[send[i].route], &attrs))
			err = -EINVAL;
		else
			err = bgp_update_encode_announce(&p->out, batch, n, &attrs, p->as4);
	}
	return err;
}

/* Withdrawals, IPv4 then IPv6 (gone is sorted by family, then address);
 * batch has room for ng prefixes. */
static int encode_withdraw(struct bgp_peer *p, const struct bgp_prefix *gone, size_t ng,
			   struct bgp_prefix *batch)
{
	size_t i, j;
	int err = 0;

	for (i = 0; i < 2 && !err; i++) {
		__u8 fam = i ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
		size_t n = 0;

		for (j = 0; j < ng; j++)
			if (gone[j].family == fam)
				batch[n++] = gone[j];
		if (n)
			err = bgp_update_encode_withdraw(&p->out, batch, n);
	}
	return err;
}

/* End-of-RIB after the initial table (RFC 4724 sec 2), for peers that
 * know what it is. */
static int encode_eor(struct bgp_peer *p)
{
	int err = 0;

	if (!p->remote.cap_gr)
		return 0;
	if (p->mp_v4)
		err = bgp_update_encode_eor(&p->out, XLB_FAMILY_V4);
	if (!err && p->mp_v6)
		err = bgp_update_encode_eor(&p->out, XLB_FAMILY_V6);
	return err;
}

/* What the peer has now: the wanted routes. */
static int adj_out_store(struct bgp_peer *p, const struct want *want, size_t nw)
{
	size_t i;

	if (nw > p->cap_adj) {
		struct adj_out *adj = realloc(p->adj, nw * sizeof(*adj));

		if (!adj)
			return -ENOMEM;
		p->adj = adj;
		p->cap_adj = nw;
	}
	for (i = 0; i < nw; i++)
		p->adj[i] = (struct adj_out){ .pfx = want[i].pfx, .sig = want[i].sig };
	p->n_adj = nw;
	return 0;
}

int bgp_adj_out_update(struct bgp_peer *p, bool full, size_t *msgs)
{
	struct bgp_route *routes;
	struct want *want = NULL, *send = NULL;
	struct bgp_prefix *gone = NULL, *batch = NULL;
	size_t nr, nw, ns, ng, start = p->out.len;
	int err;

	*msgs = 0;
	if (p->state != BGP_ESTABLISHED)
		return 0;
	if (full)
		p->n_adj = 0;
	nr = routes_get(p->env, &routes);
	want = calloc(nr + 1, sizeof(*want));
	send = calloc(nr + 1, sizeof(*send));
	gone = calloc(p->n_adj + 1, sizeof(*gone));
	batch = calloc(nr + p->n_adj + 1, sizeof(*batch));
	if (!want || !send || !gone || !batch) {
		err = -ENOMEM;
		goto out;
	}
	nw = routes_wanted(p, routes, nr, want);
	adj_out_diff(p, want, nw, send, &ns, gone, &ng);
	qsort(send, ns, sizeof(*send), by_sig);
	err = encode_announce(p, routes, send, ns, batch);
	if (!err)
		err = encode_withdraw(p, gone, ng, batch);
	if (!err && full)
		err = encode_eor(p);
	if (err) {
		log_peer_warnx(p, "cannot encode UPDATE: %s", strerror(-err));
		buf_truncate(&p->out, start);
		goto out;
	}
	err = adj_out_store(p, want, nw);
	if (err)
		goto out;
	if (ns || ng)
		log_peer_debug(p, "%zu announced, %zu withdrawn", ns, ng);
	*msgs = count_msgs(&p->out, start);
out:
	free(want);
	free(send);
	free(gone);
	free(batch);
	return err;
}

int bgp_adj_out_walk(struct bgp_peer *p, bgp_adj_out_fn fn, void *arg)
{
	struct bgp_route *routes;
	struct bgp_attrs *attrs;
	struct want *want;
	size_t nr, nw, i, j;

	if (p->state != BGP_ESTABLISHED)
		return 0;
	nr = routes_get(p->env, &routes);
	want = calloc(nr + 1, sizeof(*want));
	attrs = malloc(sizeof(*attrs));
	if (!want || !attrs) {
		free(want);
		free(attrs);
		return -ENOMEM;
	}
	/* what is wanted now is what was sent: every change of a route
	 * state is synced at once, and equal signatures are equal
	 * attributes; a prefix whose signature differs is on its way */
	nw = routes_wanted(p, routes, nr, want);
	for (i = j = 0; i < p->n_adj; i++) {
		while (j < nw && prefix_cmp(&want[j].pfx, &p->adj[i].pfx) < 0)
			j++;
		if (j < nw && !prefix_cmp(&want[j].pfx, &p->adj[i].pfx) &&
		    want[j].sig == p->adj[i].sig && attrs_build(p, &routes[want[j].route], attrs))
			fn(arg, &p->adj[i].pfx, attrs, routes[want[j].route].vip);
		else
			fn(arg, &p->adj[i].pfx, NULL, NULL);
	}
	free(want);
	free(attrs);
	return 0;
}

size_t bgp_peer_announced(const struct bgp_peer *p)
{
	return p->state == BGP_ESTABLISHED ? p->n_adj : 0;
}
