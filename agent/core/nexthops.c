// SPDX-License-Identifier: GPL-2.0
/*
 * The backends' next hops, so the datapath forwards from a cached next
 * hop instead of asking the FIB per packet. A round looks up every
 * backend (route, link, neighbour: maps/nexthop.c, one resolver a round)
 * for a few milliseconds per turn of the loop until it has seen them
 * all, so a thousand backends cost the loop a few ms at a time, never a
 * stall; main.c starts one at start-up and every few seconds after. A
 * backend whose next hop changed (a new route or MAC, or one resolved at
 * last) goes to xlbd_vip_changed() as a next-hop change: its entry is
 * rewritten, its table is not.
 */
#include <string.h>

#include "core/xlbd.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "maps/nexthop.h"

#define NEXTHOPS_BUDGET_MS	3

/* One backend looked up; its VIP marked if what it has may change. */
static void nexthop_look(struct xlbd *d, struct rt_vip *v, struct rt_backend *b)
{
	struct nexthop_info nh;
	bool ok;

	memset(&nh, 0, sizeof(nh));
	ok = !nexthop_resolver_get(d->nh_res, b->conf->addr.family, &b->conf->addr.addr, &nh);
	if (b->nh_looked && ok == b->has_nh && (!ok || !memcmp(&nh, &b->nh, sizeof(nh))))
		return;
	b->nh_looked = true;
	b->has_nh = ok;
	b->nh = nh;
	if (b->id)
		xlbd_vip_changed(d, v, XLBD_CHANGE_NEXTHOP);
}

/* Look up backends until the round is done or the budget is spent;
 * true when the round is done. */
static bool nexthops_some(struct xlbd *d, uint64_t budget_ms)
{
	uint64_t end = clock_mono_ms() + budget_ms;

	while (d->nh_vip < d->n_vips) {
		struct rt_vip *v = &d->vips[d->nh_vip];

		if (v->conf->local || !v->has_id || d->nh_be >= v->n_backends) {
			d->nh_vip++;
			d->nh_be = 0;
			continue;
		}
		nexthop_look(d, v, &v->backends[d->nh_be++]);
		if (budget_ms && clock_mono_ms() >= end)
			return false;
	}
	nexthop_resolver_close(d->nh_res);
	d->nh_res = NULL;
	return true;
}

static void nexthops_turn(struct evloop *el, void *arg)
{
	struct xlbd *d = arg;

	if (!nexthops_some(d, NEXTHOPS_BUDGET_MS))
		evloop_defer(el, &d->nh_turn, nexthops_turn, d);
}

void xlbd_nexthops_refresh(struct xlbd *d)
{
	int err;

	if (!d->dp || d->nh_res)
		return;
	err = nexthop_resolver_open(&d->nh_res);
	if (err) {
		log_warnx("next hops: cannot ask the kernel: %s", strerror(-err));
		return;
	}
	d->nh_vip = d->nh_be = 0;
	if (!d->el)
		nexthops_some(d, 0);
	else
		evloop_defer(d->el, &d->nh_turn, nexthops_turn, d);
}

void xlbd_nexthops_stop(struct xlbd *d)
{
	if (d->el)
		evloop_defer_cancel(d->el, &d->nh_turn);
	nexthop_resolver_close(d->nh_res);
	d->nh_res = NULL;
}
