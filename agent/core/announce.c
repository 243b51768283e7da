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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "bgp/speaker.h"
#include "core/xlbd.h"
#include "health/health.h"
#include "lib/evloop.h"
#include "lib/log.h"

static uint64_t now_ms(struct xlbd *d)
{
	return evloop_now_ms(d->el);
}

/* Why a host-mode VIP is up or down: its own check, in its words. */
static void local_reason(const struct rt_vip *v, char *why, size_t len)
{
	const char *kind = conf_health_kind_name(v->conf->health.kind);
	const char *detail = v->hc ? hc_last_detail(v->hc) : "";

	if (!v->hc)
		snprintf(why, len, "no health check: always up");
	else if (v->local_state == HC_UP)
		snprintf(why, len, "its %s check is up%s%s", kind, detail[0] ? ": " : "", detail);
	else
		snprintf(why, len, "its %s check is %s%s%s", kind,
			 v->local_state == HC_DOWN ? "down" : "not up yet", detail[0] ? ": " : "",
			 detail);
}

/* Why v's route is what it is now (state), for the log line. */
static void route_reason(struct xlbd *d, const struct rt_vip *v, enum bgp_route_state state,
			 char *why, size_t len)
{
	const char *by = v->disabled ? "xlbctl vip disable" : "xlbctl vip disable --address";
	char drain[32];
	size_t usable;

	rt_vip_would_announce(v, &usable);
	if (state == BGP_ROUTE_GSHUT) {
		snprintf(why, len, "disabled (%s): GRACEFUL_SHUTDOWN for %s, then withdrawn", by,
			 conf_duration_str(d->bgp ? bgp_speaker_drain_ms(d->bgp) : 0, drain,
					   sizeof(drain)));
	} else if (rt_vip_admin_down(v)) {
		snprintf(why, len, "disabled (%s)", by);
	} else if (v->file_disabled) {
		snprintf(why, len, "disable file present");
	} else if (v->conf->local) {
		local_reason(v, why, len);
	} else if (d->dp && !v->dp_vip_known) {
		snprintf(why, len, "not in the datapath (its entry is not written yet, or was refused)");
	} else if (state == BGP_ROUTE_ANNOUNCED || usable >= v->conf->min_healthy) {
		snprintf(why, len, "%zu usable backend%s of %zu (min-healthy %u)", usable,
			 usable == 1 ? "" : "s", v->n_backends, v->conf->min_healthy);
	} else {
		snprintf(why, len, "%zu usable backend%s of %zu, fewer than min-healthy %u", usable,
			 usable == 1 ? "" : "s", v->n_backends, v->conf->min_healthy);
	}
}

/*
 * Every change of a VIP's route state is an info line with its reason
 * (announced, graceful shutdown, withdrawn), and a VIP that went down by
 * itself (not by an operator) is remembered for its hold-down.
 */
static bool vip_track(struct xlbd *d, struct rt_vip *v, enum bgp_route_state now_state)
{
	static const char *const what[] = {
		[BGP_ROUTE_WITHDRAWN] = "withdrawn",
		[BGP_ROUTE_ANNOUNCED] = "announced",
		[BGP_ROUTE_GSHUT] = "announced with GRACEFUL_SHUTDOWN",
	};
	char label[CONF_VIP_LABEL_MAX], why[320], held[48] = "";
	bool down = now_state == BGP_ROUTE_WITHDRAWN;

	if (now_state == (enum bgp_route_state)v->last_route)
		return false;
	if (down && v->last_route == BGP_ROUTE_ANNOUNCED && !rt_vip_admin_down(v) &&
	    !v->file_disabled)
		v->failed_at = now_ms(d);
	if (!down && v->failed_at) {
		char t[32];

		snprintf(held, sizeof(held), " (after its hold-down of %s)",
			 conf_duration_str(v->conf->hold_down_ms, t, sizeof(t)));
		v->failed_at = 0;
	}
	route_reason(d, v, now_state, why, sizeof(why));
	log_info("vip %s %s%s: %s", conf_vip_label(v->conf, label, sizeof(label)),
		 what[now_state], held, why);
	v->last_route = now_state;
	return true;
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
	bool changed = false;
	size_t i;

	/* state transitions (and hold-downs) are tracked with or without BGP */
	for (i = 0; i < d->n_vips; i++)
		changed |= vip_track(d, &d->vips[i], rt_vip_route(d, &d->vips[i]));
	if (changed)
		xlbd_notify_status(d);
	if (d->bgp)
		bgp_speaker_sync(d->bgp);
	/* wake up when the next graceful shutdown or hold-down ends */
	for (i = 0; i < d->n_vips; i++) {
		const struct rt_vip *v = &d->vips[i];
		uint64_t until = rt_vip_admin_down(v) ? v->gshut_until :
				 v->failed_at ? v->failed_at + v->conf->hold_down_ms : 0;

		if (until > now && (!next || until < next))
			next = until;
	}
	if (next)
		evloop_timer_set(d->el, &d->t_gshut, next - now, t_gshut, d);
}

/* v's operator state is now disabled (VIP) and addr_off (its address):
 * a VIP that goes admin down is drained gracefully first. */
static void vip_admin(struct xlbd *d, struct rt_vip *v, bool disabled, bool addr_off)
{
	bool was = rt_vip_admin_down(v);

	v->disabled = disabled;
	v->addr_disabled = addr_off;
	if (was != rt_vip_admin_down(v))
		v->gshut_until = !was && d->bgp ? now_ms(d) + bgp_speaker_drain_ms(d->bgp) : 0;
}

void xlbd_vip_set_disabled(struct xlbd *d, struct rt_vip *v, bool disabled)
{
	if (v->disabled == disabled)
		return;
	vip_admin(d, v, disabled, v->addr_disabled);
	xlbd_announce_changed(d);
}

int xlbd_addr_mark_disabled(struct xlbd *d, const struct conf_addr *a, bool disabled)
{
	size_t i;

	if (rt_addr_disabled(d, a) == disabled)
		return 0;
	if (disabled) {
		struct conf_addr *n = realloc(d->addrs_disabled,
					      (d->n_addrs_disabled + 1) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		d->addrs_disabled = n;
		n[d->n_addrs_disabled++] = *a;
	} else {
		for (i = 0; i < d->n_addrs_disabled; i++)
			if (conf_addr_eq(&d->addrs_disabled[i], a))
				d->addrs_disabled[i--] = d->addrs_disabled[--d->n_addrs_disabled];
	}
	for (i = 0; i < d->n_vips; i++)
		if (conf_addr_eq(&d->vips[i].conf->addr, a))
			vip_admin(d, &d->vips[i], d->vips[i].disabled, disabled);
	return 0;
}

int xlbd_addr_set_disabled(struct xlbd *d, const struct conf_addr *a, bool disabled)
{
	int err = xlbd_addr_mark_disabled(d, a, disabled);

	if (!err)
		xlbd_announce_changed(d);
	return err;
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
		char label[CONF_VIP_LABEL_MAX];

		log_info("vip %s: disable file %s", conf_vip_label(v->conf, label, sizeof(label)),
			 off ? "present" : "gone");
	}
	if (changed)
		xlbd_announce_changed(d);
}
