// SPDX-License-Identifier: GPL-2.0
/*
 * `xlbctl vip show [VIP]`: a VIP's configuration next to its runtime
 * state — admin state, whether it is up and why not, the route of its
 * address (routes are per address: every VIP on it holds it up), usable
 * backends or, in host mode, its check, the host-mode address, its
 * traffic. Without VIP one line each; with VIP the detail, its backends
 * and its checks included.
 */
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "bgp/speaker.h"
#include "core/show.h"
#include "health/health.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "maps/dataplane.h"

static const char *addr_state_name(enum rt_addr st)
{
	switch (st) {
	case RT_ADDR_ADDED:
		return "added";
	case RT_ADDR_PRESENT:
		return "present";
	default:
		return "missing";
	}
}

static const char *addr_state_text(enum rt_addr st)
{
	switch (st) {
	case RT_ADDR_ADDED:
		return "added by xlbd";
	case RT_ADDR_PRESENT:
		return "present (not xlbd's: left alone)";
	default:
		return "missing";
	}
}

static const char *check_state_name(int st)
{
	return st == HC_UP ? "up" : st == HC_DOWN ? "down" : "unknown";
}

/* "enabled", "disabled" (the VIP), "address-disabled" (its address only) */
static const char *admin_name(const struct rt_vip *v)
{
	return v->disabled ? "disabled" : v->addr_disabled ? "address-disabled" : "enabled";
}

/* Why v is not up (NULL when it is): the first reason that holds. */
static const char *down_reason(const struct rt_vip *v, size_t usable)
{
	if (v->disabled)
		return "disabled";
	if (v->addr_disabled)
		return "address-disabled";
	if (v->file_disabled)
		return "disable-file";
	if (v->conf->local)
		return v->hc && v->local_state != HC_UP ? "check" : NULL;
	return usable < v->conf->min_healthy ? "backends" : NULL;
}

/* ms left of v's hold-down (withdrawn after a failure); 0 if none. */
static uint64_t hold_down_left(struct xlbd *d, const struct rt_vip *v)
{
	uint64_t now = evloop_now_ms(d->el);

	if (!rt_vip_would_announce(v, NULL) || !v->failed_at ||
	    now >= v->failed_at + v->conf->hold_down_ms)
		return 0;
	return v->failed_at + v->conf->hold_down_ms - now;
}

static struct xlb_traffic vip_traffic(struct xlbd *d, const struct rt_vip *v)
{
	struct xlb_traffic t = {};

	if (d->dp && v->has_id)
		xlb_dp_vip_stats_read(d->dp, v->id, &t);
	return t;
}

/* Second chance's state (forwarding VIPs): times as Unix seconds. */
static void sc_json(const struct rt_vip *v, struct json_writer *w)
{
	const struct rt_sc *sc = &v->sc;

	json_key(w, "second_chance");
	json_object_start(w);
	json_kv_bool(w, "enabled", v->conf->second_chance);
	json_kv_u64(w, "keep_ms", v->conf->second_chance_keep_ms);
	if (sc->cur.size)
		json_kv_u64(w, "current_since", sc->cur_since / 1000);
	else
		json_kv_null(w, "current_since");
	json_kv_bool(w, "previous_table", sc->prev.size != 0);
	if (sc->prev.size)
		json_kv_u64(w, "previous_until", sc->prev_until / 1000);
	else
		json_kv_null(w, "previous_until");
	json_kv_u64(w, "moved_slots", sc->prev_slots);
	json_object_end(w);
}

/* Second chance's previous table: "table of ... in use until 2025-01-01
 * 12:04:05 UTC (3120 s more), 16404 of 65537 slots have another backend
 * there", or "none". */
static void sc_text(const struct rt_vip *v, struct buf *out)
{
	const struct rt_sc *sc = &v->sc;
	uint64_t now = clock_wall_ms();
	char when[32];
	struct tm tm;
	time_t t;

	if (!sc->prev.size) {
		buf_puts(out, "none");
		if (sc->cur.size)
			buf_printf(out, " (the table is %llu s old)",
				   (unsigned long long)(now > sc->cur_since ?
							(now - sc->cur_since) / 1000 : 0));
		return;
	}
	t = sc->prev_until / 1000;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	buf_printf(out, "in use until %s (%llu s more), %zu of %u slots have another backend "
			"there", when,
		   (unsigned long long)(sc->prev_until > now ? (sc->prev_until - now) / 1000 : 0),
		   sc->prev_slots, v->conf->ring_size);
}

static void vip_json(struct xlbd *d, const struct rt_vip *v, bool detail,
		     const struct flow_scan *flows, struct json_writer *w)
{
	const struct conf_vip *c = v->conf;
	struct xlb_traffic t = vip_traffic(d, v);
	const char *kind = conf_health_kind_name(c->health.kind);
	enum bgp_route_state st = rt_addr_route(d, &c->addr);
	char name[96], addr[INET6_ADDRSTRLEN];
	struct rt_vip *h;
	size_t usable;
	bool up = rt_vip_would_announce(v, &usable);

	conf_vip_format(c, name, sizeof(name));
	json_object_start(w);
	json_kv_string(w, "vip", name);
	json_kv_string(w, "name", c->name);
	json_kv_string(w, "mode", c->local ? "local" : "forward");
	json_kv_string(w, "address", conf_addr_str(&c->addr, addr, sizeof(addr)));
	json_kv_string(w, "admin", admin_name(v));
	json_kv_bool(w, "disable_file", v->file_disabled);
	json_kv_bool(w, "up", up);
	json_kv_string(w, "down_reason", down_reason(v, usable));
	json_kv_u64(w, "hold_down_left_ms", hold_down_left(d, v));
	json_kv_string(w, "route", rt_route_name(st));
	json_key(w, "route_held_by");
	json_array_start(w);
	for (h = rt_addr_holder_next(d, &c->addr, st, NULL); h;
	     h = rt_addr_holder_next(d, &c->addr, st, h)) {
		conf_vip_format(h->conf, name, sizeof(name));
		json_string(w, name);
	}
	json_array_end(w);
	json_kv_bool(w, "bgp", d->bgp != NULL);
	json_kv_string(w, "check", kind);
	if (c->local) {
		json_kv_string(w, "check_state", v->hc ? check_state_name(v->local_state) : NULL);
		json_kv_string(w, "add_address", c->add_address);
		json_kv_string(w, "address_state",
			       c->add_address ? addr_state_name(v->addr_state) : NULL);
	} else {
		json_kv_string(w, "protocol", c->proto == IPPROTO_TCP ? "tcp" : "udp");
		json_kv_u64(w, "port", c->port);
		json_kv_u64(w, "backends_usable", usable);
		json_kv_u64(w, "backends_total", v->n_backends);
		json_kv_u64(w, "min_healthy", c->min_healthy);
		json_kv_string(w, "hash", c->hash_src ? "source" : "5-tuple");
		json_kv_string(w, "encap", c->encap == XLB_ENCAP_GUE ? "gue" : "ipip");
		if (c->encap == XLB_ENCAP_GUE)
			json_kv_u64(w, "gue_port", c->gue_port);
		else
			json_kv_null(w, "gue_port");
		json_kv_u64(w, "ring_size", c->ring_size);
		sc_json(v, w);
		if (v->has_id)
			json_kv_u64(w, "id", v->id);
		else
			json_kv_null(w, "id");
		json_kv_u64(w, "packets", t.packets);
		json_kv_u64(w, "bytes", t.bytes);
	}
	if (detail) {
		if (!c->local) {
			json_key(w, "backends");
			show_backends(d, v, flows, NULL, w);
		}
		json_key(w, "checks");
		show_health(d, v, NULL, w);
	}
	json_object_end(w);
}

/* "up", "down: 0 of 2 backends usable (min-healthy 1)", ... */
static void state_text(struct xlbd *d, const struct rt_vip *v, struct buf *out)
{
	size_t usable;
	bool up = rt_vip_would_announce(v, &usable);
	const char *why = down_reason(v, usable);
	uint64_t hold = hold_down_left(d, v);

	buf_puts(out, up ? "up" : "down");
	if (why && !strcmp(why, "disabled"))
		buf_puts(out, ": disabled (xlbctl vip enable)");
	else if (why && !strcmp(why, "address-disabled"))
		buf_puts(out, ": its address is disabled (xlbctl vip enable --address)");
	else if (why && !strcmp(why, "disable-file"))
		buf_puts(out, ": a disable file exists");
	else if (v->conf->local)
		buf_printf(out, "%scheck %s", up ? ", " : ": ",
			   v->hc ? check_state_name(v->local_state) : "none");
	else
		buf_printf(out, "%s%zu of %zu backends usable (min-healthy %u)", up ? ", " : ": ",
			   usable, v->n_backends, v->conf->min_healthy);
	if (hold)
		buf_printf(out, "; hold-down: announced in %llu ms", (unsigned long long)hold);
}

/* "203.0.113.10/32 announced by 203.0.113.10:80/tcp (web), ..." */
static void route_text(struct xlbd *d, const struct rt_vip *v, struct buf *out)
{
	const struct conf_addr *a = &v->conf->addr;
	enum bgp_route_state st = rt_addr_route(d, a);
	char addr[INET6_ADDRSTRLEN], name[96];
	struct rt_vip *h;
	const char *sep = st == BGP_ROUTE_WITHDRAWN ? "" : " by ";

	buf_printf(out, "%s/%u %s", conf_addr_str(a, addr, sizeof(addr)),
		   a->family == XLB_FAMILY_V4 ? 32 : 128, rt_route_name(st));
	for (h = rt_addr_holder_next(d, a, st, NULL); h; h = rt_addr_holder_next(d, a, st, h)) {
		conf_vip_format(h->conf, name, sizeof(name));
		buf_printf(out, "%s%s", sep, name);
		if (h->conf->name)
			buf_printf(out, " (%s)", h->conf->name);
		sep = ", ";
	}
	if (!d->bgp)
		buf_puts(out, " (no BGP neighbors: nothing is sent)");
}

/* Append `in` to out with every line indented. */
static void indent(struct buf *out, const struct buf *in, const char *pad)
{
	const char *p = in->data, *end = in->data + in->len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end - 1;
		buf_printf(out, "%s%.*s\n", pad, (int)(nl - p), p);
		p = nl + 1;
	}
}

static void vip_detail(struct xlbd *d, const struct rt_vip *v, const struct flow_scan *flows,
		       struct buf *text)
{
	const struct conf_vip *c = v->conf;
	const char *kind = conf_health_kind_name(c->health.kind);
	struct xlb_traffic t = vip_traffic(d, v);
	char name[96];
	struct buf sub;

	conf_vip_format(c, name, sizeof(name));
	buf_printf(text, "vip %s%s%s%s\n", name, c->name ? " (" : "", c->name ? c->name : "",
		   c->name ? ")" : "");
	if (c->local) {
		buf_puts(text, "    mode     local (host mode): announced while its check passes, "
			       "not forwarded\n");
	} else {
		buf_printf(text, "    mode     forward: hash %s, encap %s",
			   c->hash_src ? "source" : "5-tuple", c->encap == XLB_ENCAP_GUE ? "gue" : "ipip");
		if (c->encap == XLB_ENCAP_GUE)
			buf_printf(text, " port %u", c->gue_port);
		buf_printf(text, ", ring-size %u", c->ring_size);
		if (v->has_id)
			buf_printf(text, ", id %u", v->id);
		buf_printf(text, ", second-chance %s\n", c->second_chance ? "on" : "off");
		if (c->second_chance) {
			buf_puts(text, "    previous ");
			sc_text(v, text);
			buf_putc(text, '\n');
		}
	}
	buf_printf(text, "    admin    %s\n", admin_name(v));
	buf_puts(text, "    state    ");
	state_text(d, v, text);
	buf_puts(text, "\n    route    ");
	route_text(d, v, text);
	buf_putc(text, '\n');
	if (c->add_address)
		buf_printf(text, "    address  on %s: %s\n", c->add_address,
			   addr_state_text(v->addr_state));
	buf_printf(text, "    check    %s\n", kind ? kind : "none");
	if (!c->local)
		buf_printf(text, "    traffic  packets %llu, bytes %llu\n",
			   (unsigned long long)t.packets, (unsigned long long)t.bytes);
	buf_init(&sub, 0);
	if (!c->local) {
		buf_puts(text, "backends:\n");
		show_backends(d, v, flows, &sub, NULL);
		indent(text, &sub, "    ");
		buf_reset(&sub);
	}
	buf_puts(text, "checks:\n");
	show_health(d, v, &sub, NULL);
	indent(text, &sub, "    ");
	buf_free(&sub);
}

/* The list: one line per VIP, columns as wide as their widest value. */
static void vip_lines(struct xlbd *d, struct buf *text)
{
	int wv = 3, wn = 4;
	char name[96], be[32];
	size_t i, usable;

	for (i = 0; i < d->n_vips; i++) {
		const struct conf_vip *c = d->vips[i].conf;

		conf_vip_format(c, name, sizeof(name));
		if ((int)strlen(name) > wv)
			wv = strlen(name);
		if (c->name && (int)strlen(c->name) > wn)
			wn = strlen(c->name);
	}
	buf_printf(text, "%-*s  %-*s  %-16s  %-5s  %-17s  %-10s  %12s  %14s\n", wv, "VIP", wn,
		   "NAME", "ADMIN", "STATE", "ROUTE", "BACKENDS", "PACKETS", "BYTES");
	for (i = 0; i < d->n_vips; i++) {
		const struct rt_vip *v = &d->vips[i];
		const struct conf_vip *c = v->conf;
		bool up = rt_vip_would_announce(v, &usable);

		conf_vip_format(c, name, sizeof(name));
		if (c->local)
			snprintf(be, sizeof(be), "check %s",
				 v->hc ? check_state_name(v->local_state) : "none");
		else
			snprintf(be, sizeof(be), "%zu/%zu", usable, v->n_backends);
		buf_printf(text, "%-*s  %-*s  %-16s  %-5s  %-17s  %-10s", wv, name, wn,
			   c->name ? c->name : "-", admin_name(v), up ? "up" : "down",
			   rt_route_name(rt_addr_route(d, &c->addr)), be);
		if (c->local) {
			buf_printf(text, "  %12s  %14s\n", "-", "-");
		} else {
			struct xlb_traffic t = vip_traffic(d, v);

			buf_printf(text, "  %12llu  %14llu\n", (unsigned long long)t.packets,
				   (unsigned long long)t.bytes);
		}
	}
	if (d->n_vips && !d->bgp)
		buf_puts(text, "(no BGP neighbors: routes are not sent)\n");
}

void show_vips(struct xlbd *d, const struct rt_vip *only, const struct flow_scan *flows,
	       struct buf *text, struct json_writer *w)
{
	size_t i;

	if (only) {
		if (w)
			vip_json(d, only, true, flows, w);
		else
			vip_detail(d, only, flows, text);
		return;
	}
	if (w) {
		json_array_start(w);
		for (i = 0; i < d->n_vips; i++)
			vip_json(d, &d->vips[i], false, NULL, w);
		json_array_end(w);
	} else if (!d->n_vips) {
		buf_printf(text, "no VIPs configured\n");
	} else {
		vip_lines(d, text);
	}
}
