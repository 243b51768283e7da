// SPDX-License-Identifier: GPL-2.0
/*
 * Questions to the runtime model (see model.h): lookups by what an
 * operator writes, a backend's weight in the table, and the announce
 * rule (a forwarding VIP is announced only once its entry is in the
 * datapath: one a reload adds waits for the end of the turn's write).
 * Nothing here changes the model or talks to the datapath or BGP.
 */
#include <string.h>
#include <arpa/inet.h>

#include "bgp/speaker.h"
#include "core/model.h"
#include "core/xlbd.h"
#include "health/health.h"
#include "lib/evloop.h"
#include "maps/maglev.h"

struct rt_vip *rt_vip_find(struct xlbd *d, const char *spec)
{
	char name[96];
	size_t i;

	for (i = 0; i < d->n_vips; i++) {
		const struct conf_vip *c = d->vips[i].conf;

		if (c->name && !strcmp(c->name, spec))
			return &d->vips[i];
		if (!conf_vip_format(c, name, sizeof(name)) && !strcmp(name, spec))
			return &d->vips[i];
	}
	return NULL;
}

struct rt_backend *rt_backend_find(struct rt_vip *v, const char *addr)
{
	struct conf_backend cb = {};
	size_t k;

	if (inet_pton(AF_INET, addr, &cb.addr.addr.v4) == 1)
		cb.addr.family = XLB_FAMILY_V4;
	else if (inet_pton(AF_INET6, addr, cb.addr.addr.bytes) == 1)
		cb.addr.family = XLB_FAMILY_V6;
	else
		return NULL;
	for (k = 0; k < v->n_backends; k++) {
		const struct conf_addr *a = &v->backends[k].conf->addr;

		if (a->family == cb.addr.family && !memcmp(&a->addr, &cb.addr.addr, sizeof(a->addr)))
			return &v->backends[k];
	}
	return NULL;
}

__u32 rt_backend_weight(const struct rt_backend *b)
{
	if (b->pool != RT_POOLED || !b->healthy)
		return 0;
	return b->has_weight ? b->weight : b->conf->weight;
}

void rt_vip_maglev_input(const struct rt_vip *v, struct maglev_backend *mb)
{
	size_t k;

	for (k = 0; k < v->n_backends; k++) {
		const struct rt_backend *b = &v->backends[k];

		mb[k] = (struct maglev_backend){ .id = b->id, .weight = rt_backend_weight(b),
						 .addr = b->conf->addr.addr,
						 .family = b->conf->addr.family };
	}
}

bool rt_backend_keeps_flows(const struct rt_backend *b)
{
	return b->pool != RT_DEPOOLED_NOW && b->pool != RT_INACTIVE && b->healthy;
}

const char *rt_pool_name(enum rt_pool p)
{
	switch (p) {
	case RT_POOLED:
		return "pooled";
	case RT_DEPOOLED:
		return "depooled";
	case RT_DEPOOLED_NOW:
		return "depooled-now";
	case RT_INACTIVE:
		return "inactive";
	}
	return "?";
}

/* A backend counts towards min-healthy when it takes new flows and, if it
 * is checked, its check has passed (no verdict yet does not count: an
 * announcement needs evidence, while the table keeps such a backend). */
static bool rt_backend_usable(const struct rt_backend *b)
{
	return rt_backend_weight(b) > 0 && (!b->hc || b->hc_state == HC_UP);
}

bool rt_vip_would_announce(const struct rt_vip *v, size_t *healthy)
{
	size_t i, n = 0;

	for (i = 0; i < v->n_backends; i++)
		n += rt_backend_usable(&v->backends[i]);
	if (healthy)
		*healthy = n;
	if (rt_vip_admin_down(v) || v->file_disabled)
		return false;
	/* host mode: the local check decides; without one, always up */
	if (v->conf->local)
		return !v->hc || v->local_state == HC_UP;
	return n >= v->conf->min_healthy;
}

/*
 * Hold-down: a VIP withdrawn because it failed (not because an operator
 * disabled it) is announced again only after it has stayed withdrawn for
 * `hold-down`, so a flapping service does not flap routes. Withdrawal
 * itself is immediate.
 */
enum bgp_route_state rt_vip_route(struct xlbd *d, const struct rt_vip *v)
{
	uint64_t now = evloop_now_ms(d->el);

	/* a forwarding VIP whose entry the datapath does not have yet (a
	 * reload added it: written at the end of the turn) or could not take */
	if (d->dp && !v->conf->local && !v->dp_vip_known)
		return BGP_ROUTE_WITHDRAWN;
	if (rt_vip_would_announce(v, NULL)) {
		if (v->failed_at && now < v->failed_at + v->conf->hold_down_ms)
			return BGP_ROUTE_WITHDRAWN;
		return BGP_ROUTE_ANNOUNCED;
	}
	if (rt_vip_admin_down(v) && v->gshut_until > now)
		return BGP_ROUTE_GSHUT;
	return BGP_ROUTE_WITHDRAWN;
}

/* announced beats graceful shutdown beats withdrawn */
static int route_rank(enum bgp_route_state s)
{
	return s == BGP_ROUTE_ANNOUNCED ? 2 : s == BGP_ROUTE_GSHUT ? 1 : 0;
}

enum bgp_route_state rt_addr_route(struct xlbd *d, const struct conf_addr *a)
{
	enum bgp_route_state best = BGP_ROUTE_WITHDRAWN, s;
	size_t i;

	for (i = 0; i < d->n_vips; i++) {
		if (!conf_addr_eq(&d->vips[i].conf->addr, a))
			continue;
		s = rt_vip_route(d, &d->vips[i]);
		if (route_rank(s) > route_rank(best))
			best = s;
	}
	return best;
}

struct rt_vip *rt_addr_holder_next(struct xlbd *d, const struct conf_addr *a,
				   enum bgp_route_state st, const struct rt_vip *prev)
{
	size_t i = prev ? (size_t)(prev - d->vips) + 1 : 0;

	if (st == BGP_ROUTE_WITHDRAWN)
		return NULL;
	for (; i < d->n_vips; i++)
		if (conf_addr_eq(&d->vips[i].conf->addr, a) && rt_vip_route(d, &d->vips[i]) == st)
			return &d->vips[i];
	return NULL;
}

bool rt_addr_disabled(const struct xlbd *d, const struct conf_addr *a)
{
	size_t i;

	for (i = 0; i < d->n_addrs_disabled; i++)
		if (conf_addr_eq(&d->addrs_disabled[i], a))
			return true;
	return false;
}

const char *rt_route_name(enum bgp_route_state s)
{
	return s == BGP_ROUTE_ANNOUNCED ? "announced" :
	       s == BGP_ROUTE_GSHUT	? "graceful-shutdown" :
					  "withdrawn";
}
