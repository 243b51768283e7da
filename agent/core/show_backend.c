// SPDX-License-Identifier: GPL-2.0
/*
 * `xlbctl backend show VIP`: each backend's configured and runtime
 * weight, health, pool state, share of the Maglev table and traffic.
 */
#include <stdio.h>
#include <arpa/inet.h>

#include "core/show.h"
#include "health/health.h"
#include "lib/json.h"
#include "maps/dataplane.h"

static void addr_fmt(const struct conf_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family == XLB_FAMILY_V4 ? AF_INET : AF_INET6, &a->addr, buf, len))
		snprintf(buf, len, "?");
}

void show_backends(struct xlbd *d, const struct rt_vip *v, struct buf *text,
		   struct json_writer *w)
{
	size_t k;

	if (w)
		json_array_start(w);
	else
		buf_printf(text, "%-40s %7s %7s %-8s %-13s %7s %12s %14s\n", "backend", "weight",
			   "runtime", "health", "pool", "share", "packets", "bytes");
	for (k = 0; k < v->n_backends; k++) {
		const struct rt_backend *b = &v->backends[k];
		struct xlb_traffic t = {};
		double share = v->ring_size ? 100.0 * b->slots / v->ring_size : 0;
		char addr[64], rw[16];

		if (d->dp && b->id)
			xlb_dp_be_stats_read(d->dp, b->id, &t);
		addr_fmt(&b->conf->addr, addr, sizeof(addr));
		if (w) {
			json_object_start(w);
			json_kv_string(w, "backend", addr);
			json_kv_u64(w, "weight", b->conf->weight);
			if (b->has_weight)
				json_kv_u64(w, "weight_runtime", b->weight);
			else
				json_kv_null(w, "weight_runtime");
			json_kv_u64(w, "weight_effective", rt_backend_weight(b));
			json_kv_string(w, "health", !b->hc ? "unchecked" :
						    b->hc_state == HC_UP ? "up" :
						    b->hc_state == HC_DOWN ? "down" : "unknown");
			json_kv_string(w, "pool", rt_pool_name(b->pool));
			json_kv_string(w, "pool_configured", "pooled");
			json_kv_u64(w, "slots", b->slots);
			json_key(w, "share_percent");
			json_stringf(w, "%.2f", share);
			json_kv_u64(w, "packets", t.packets);
			json_kv_u64(w, "bytes", t.bytes);
			if (b->id)
				json_kv_u64(w, "id", b->id);
			json_object_end(w);
			continue;
		}
		snprintf(rw, sizeof(rw), "%s", "-");
		if (b->has_weight)
			snprintf(rw, sizeof(rw), "%u", b->weight);
		buf_printf(text, "%-40s %7u %7s %-8s %-13s %6.2f%% %12llu %14llu\n", addr,
			   b->conf->weight, rw,
			   !b->hc ? "-" : b->hc_state == HC_UP ? "up" : b->hc_state == HC_DOWN ? "down" : "?",
			   rt_pool_name(b->pool), share,
			   (unsigned long long)t.packets, (unsigned long long)t.bytes);
	}
	if (w)
		json_array_end(w);
}
