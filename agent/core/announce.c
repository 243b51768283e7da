// SPDX-License-Identifier: GPL-2.0
/*
 * The one place that decides what is announced: for every VIP, its route
 * state for the BGP speaker. A VIP is announced while xlbd says it is up
 * (enabled, and enough usable backends — or, in host mode, its local
 * check passing). Taking a VIP down administratively first re-announces
 * it with the GRACEFUL_SHUTDOWN community (RFC 8326) for the neighbors'
 * drain time, then withdraws it; a VIP that fails is withdrawn at once.
 */
#include <time.h>

#include "bgp/speaker.h"
#include "core/xlbd.h"
#include "lib/evloop.h"
#include "lib/log.h"

static uint64_t now_ms(struct xlbd *d)
{
	return evloop_now_ms(d->el);
}

enum bgp_route_state xlbd_vip_route(struct xlbd *d, const struct rt_vip *v)
{
	if (rt_vip_would_announce(v, NULL))
		return BGP_ROUTE_ANNOUNCED;
	if (v->disabled && v->gshut_until > now_ms(d))
		return BGP_ROUTE_GSHUT;
	return BGP_ROUTE_WITHDRAWN;
}

static size_t routes_cb(void *arg, struct bgp_route *out, size_t n)
{
	struct xlbd *d = arg;
	size_t i;

	for (i = 0; i < d->n_vips && i < n; i++) {
		out[i].vip = d->vips[i].conf;
		out[i].state = xlbd_vip_route(d, &d->vips[i]);
	}
	return i;
}

static void t_gshut(struct evloop *el, void *arg)
{
	struct xlbd *d = arg;

	(void)el;
	xlbd_announce_changed(d);
}

void xlbd_announce_changed(struct xlbd *d)
{
	uint64_t next = 0, now = now_ms(d);
	size_t i;

	if (!d->bgp)
		return;
	bgp_speaker_sync(d->bgp);
	/* wake up when the next graceful shutdown ends */
	for (i = 0; i < d->n_vips; i++) {
		uint64_t until = d->vips[i].gshut_until;

		if (d->vips[i].disabled && until > now && (!next || until < next))
			next = until;
	}
	if (next)
		evloop_timer_set(d->el, &d->t_gshut, next - now, t_gshut, d);
}

void xlbd_vip_set_disabled(struct xlbd *d, struct rt_vip *v, bool disabled)
{
	if (v->disabled == disabled)
		return;
	v->disabled = disabled;
	v->gshut_until = disabled && d->bgp ? now_ms(d) + bgp_speaker_drain_ms(d->bgp) : 0;
	xlbd_announce_changed(d);
}

int xlbd_bgp_start(struct xlbd *d)
{
	if (d->bgp)
		return bgp_speaker_reconfigure(d->bgp, d->conf);
	if (!d->conf->n_neighbors)
		return 0;
	return bgp_speaker_new(d->el, d->conf, routes_cb, d, &d->bgp);
}
