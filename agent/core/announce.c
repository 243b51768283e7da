// SPDX-License-Identifier: GPL-2.0
/*
 * The announcer: hands every VIP's route state (the rule is rt_vip_route()
 * in model.c) to the BGP speaker whenever it may have changed, and keeps
 * the time-bound parts of it going. A VIP is announced while xlbd says it
 * is up (enabled, and enough usable backends — or, in host mode, its
 * local check passing). Taking a VIP down administratively first
 * re-announces it with the GRACEFUL_SHUTDOWN community (RFC 8326) for the
 * neighbors' drain time, then withdraws it; a VIP that fails is withdrawn
 * at once and comes back only after its hold-down.
 */
#include <sys/stat.h>
#include <time.h>

#include "bgp/speaker.h"
#include "core/xlbd.h"
#include "lib/evloop.h"
#include "lib/log.h"

static uint64_t now_ms(struct xlbd *d)
{
	return evloop_now_ms(d->el);
}

/* Remember when a VIP went down by itself (for the hold-down). */
static void vip_track(struct xlbd *d, struct rt_vip *v, enum bgp_route_state now_state)
{
	bool down = now_state == BGP_ROUTE_WITHDRAWN;

	if (down && v->last_route == BGP_ROUTE_ANNOUNCED && !v->disabled && !v->file_disabled) {
		v->failed_at = now_ms(d);
		log_info("vip %s withdrawn: fewer usable backends than min-healthy (%u)",
			 v->conf->name ? v->conf->name : "(unnamed)", v->conf->min_healthy);
	} else if (!down && v->last_route == BGP_ROUTE_WITHDRAWN && v->failed_at) {
		v->failed_at = 0;
	}
	v->last_route = now_state;
}

static size_t routes_cb(void *arg, struct bgp_route *out, size_t n)
{
	struct xlbd *d = arg;
	size_t i;

	for (i = 0; i < d->n_vips && i < n; i++) {
		out[i].vip = d->vips[i].conf;
		out[i].state = rt_vip_route(d, &d->vips[i]);
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

	/* state transitions (and hold-downs) are tracked with or without BGP */
	for (i = 0; i < d->n_vips; i++)
		vip_track(d, &d->vips[i], rt_vip_route(d, &d->vips[i]));
	if (d->bgp)
		bgp_speaker_sync(d->bgp);
	/* wake up when the next graceful shutdown or hold-down ends */
	for (i = 0; i < d->n_vips; i++) {
		const struct rt_vip *v = &d->vips[i];
		uint64_t until = v->disabled ? v->gshut_until :
				 v->failed_at ? v->failed_at + v->conf->hold_down_ms : 0;

		if (until > now && (!next || until < next))
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

/*
 * Disable files, as operators know them from anycast-healthchecker's
 * check_disabled and ExaBGP's --disable: while the global file or a VIP's
 * own file exists, the VIP is withdrawn (at once, like a failure, but
 * without the hold-down when the file goes away).
 */
static bool file_exists(const char *path)
{
	struct stat st;

	return path && !stat(path, &st);
}

void xlbd_disable_files_check(struct xlbd *d)
{
	bool global = file_exists(d->conf->disable_file), changed = false;
	size_t i;

	for (i = 0; i < d->n_vips; i++) {
		struct rt_vip *v = &d->vips[i];
		bool off = global || file_exists(v->conf->disable_file);

		if (off == v->file_disabled)
			continue;
		v->file_disabled = off;
		changed = true;
		log_info("vip %s: %s", v->conf->name ? v->conf->name : "(unnamed)",
			 off ? "disable file present: withdrawn" : "disable file gone: announced again");
	}
	if (changed)
		xlbd_announce_changed(d);
}
