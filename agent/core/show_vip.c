// SPDX-License-Identifier: GPL-2.0
/*
 * `xlbctl vip show [VIP]`: a VIP's configuration next to its runtime
 * state — admin state, the route BGP has for it, usable backends, the
 * host-mode address, its traffic.
 */
#include "bgp/speaker.h"
#include "core/show.h"
#include "lib/json.h"
#include "maps/dataplane.h"

static const char *addr_state_name(enum rt_addr st)
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

static const char *route_name(enum bgp_route_state s)
{
	return s == BGP_ROUTE_ANNOUNCED ? "announced" :
	       s == BGP_ROUTE_GSHUT	? "graceful-shutdown" :
					  "withdrawn";
}

static struct xlb_traffic vip_traffic(struct xlbd *d, const struct rt_vip *v)
{
	struct xlb_traffic t = {};

	if (d->dp && v->has_id)
		xlb_dp_vip_stats_read(d->dp, v->id, &t);
	return t;
}

static void vip_one(struct xlbd *d, const struct rt_vip *v, struct buf *text,
		    struct json_writer *w)
{
	const struct conf_vip *c = v->conf;
	struct xlb_traffic t = vip_traffic(d, v);
	char name[96];
	size_t healthy;
	bool up = rt_vip_would_announce(v, &healthy);

	conf_vip_format(c, name, sizeof(name));
	if (w) {
		json_object_start(w);
		json_kv_string(w, "vip", name);
		if (c->name)
			json_kv_string(w, "name", c->name);
		else
			json_kv_null(w, "name");
		json_kv_string(w, "mode", c->local ? "local" : "forward");
		json_kv_string(w, "admin", v->disabled ? "disabled" : "enabled");
		json_kv_bool(w, "announce", up);
		json_kv_string(w, "route", route_name(rt_vip_route(d, v)));
		json_kv_bool(w, "bgp", d->bgp != NULL);
		json_kv_u64(w, "backends_healthy", healthy);
		json_kv_u64(w, "backends_total", v->n_backends);
		json_kv_u64(w, "min_healthy", c->min_healthy);
		if (c->add_address) {
			json_kv_string(w, "add_address", c->add_address);
			json_kv_string(w, "address", addr_state_name(v->addr_state));
		}
		if (!c->local) {
			json_kv_string(w, "hash", c->hash_src ? "source" : "5-tuple");
			json_kv_string(w, "encap", c->encap == XLB_ENCAP_GUE ? "gue" : "ipip");
			if (c->encap == XLB_ENCAP_GUE)
				json_kv_u64(w, "gue_port", c->gue_port);
			json_kv_u64(w, "ring_size", c->ring_size);
			if (v->has_id)
				json_kv_u64(w, "id", v->id);
			json_kv_u64(w, "packets", t.packets);
			json_kv_u64(w, "bytes", t.bytes);
		}
		json_object_end(w);
		return;
	}
	buf_printf(text, "%s%s%s\n", name, c->name ? "  name " : "", c->name ? c->name : "");
	buf_printf(text, "    admin %s  route %s%s  backends %zu/%zu usable, min-healthy %u\n",
		   v->disabled ? "disabled (runtime)" : "enabled", route_name(rt_vip_route(d, v)),
		   d->bgp ? "" : " (no BGP neighbors)", healthy, v->n_backends, c->min_healthy);
	if (c->local) {
		buf_printf(text, "    host mode: announced only, not forwarded\n");
		if (c->add_address)
			buf_printf(text, "    address on %s: %s\n", c->add_address,
				   addr_state_name(v->addr_state));
		return;
	}
	buf_printf(text, "    hash %s  encap %s", c->hash_src ? "source" : "5-tuple",
		   c->encap == XLB_ENCAP_GUE ? "gue" : "ipip");
	if (c->encap == XLB_ENCAP_GUE)
		buf_printf(text, " port %u", c->gue_port);
	buf_printf(text, "  ring-size %u", c->ring_size);
	if (v->has_id)
		buf_printf(text, "  id %u", v->id);
	buf_printf(text, "\n    packets %llu  bytes %llu\n", (unsigned long long)t.packets,
		   (unsigned long long)t.bytes);
}

void show_vips(struct xlbd *d, const struct rt_vip *only, struct buf *text,
	       struct json_writer *w)
{
	size_t i;

	if (only) {
		vip_one(d, only, text, w);
		return;
	}
	if (w)
		json_array_start(w);
	for (i = 0; i < d->n_vips; i++)
		vip_one(d, &d->vips[i], text, w);
	if (w)
		json_array_end(w);
	else if (!d->n_vips)
		buf_printf(text, "no VIPs configured\n");
}
