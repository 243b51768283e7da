// SPDX-License-Identifier: GPL-2.0
/*
 * `xlbctl backend show VIP`: each backend's configured and runtime
 * weight, health, pool state, share of the Maglev table, flow-table
 * entries and traffic. Health words are the same in text and JSON.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/show.h"
#include "health/health.h"
#include "lib/json.h"
#include "maps/dataplane.h"

static const char *health_name(const struct rt_backend *b)
{
	if (!b->hc)
		return "unchecked";
	return b->hc_state == HC_UP ? "up" : b->hc_state == HC_DOWN ? "down" : "unknown";
}

void show_backends(struct xlbd *d, const struct rt_vip *v, struct buf *text,
		   struct json_writer *w)
{
	__u32 *flows = calloc(v->n_backends ? v->n_backends : 1, sizeof(*flows));
	bool counted = flows && !show_flow_counts(d, v, flows);
	size_t k;

	if (w)
		json_array_start(w);
	else
		buf_printf(text, "%-39s %7s %7s %-9s %-12s %7s %8s %12s %14s\n", "BACKEND", "WEIGHT",
			   "RUNTIME", "HEALTH", "POOL", "SHARE", "FLOWS", "PACKETS", "BYTES");
	for (k = 0; k < v->n_backends; k++) {
		const struct rt_backend *b = &v->backends[k];
		struct xlb_traffic t = {};
		double share = v->ring_size ? 100.0 * b->slots / v->ring_size : 0;
		char addr[64], rw[16], fl[16];

		if (d->dp && b->id)
			xlb_dp_be_stats_read(d->dp, b->id, &t);
		conf_addr_str(&b->conf->addr, addr, sizeof(addr));
		if (w) {
			json_object_start(w);
			json_kv_string(w, "backend", addr);
			json_kv_u64(w, "weight", b->conf->weight);
			if (b->has_weight)
				json_kv_u64(w, "weight_runtime", b->weight);
			else
				json_kv_null(w, "weight_runtime");
			json_kv_u64(w, "weight_effective", rt_backend_weight(b));
			json_kv_string(w, "health", health_name(b));
			json_kv_string(w, "pool", rt_pool_name(b->pool));
			json_kv_u64(w, "slots", b->slots);
			json_kv_fixed(w, "share_percent", share, 2);
			if (counted)
				json_kv_u64(w, "flows", flows[k]);
			else
				json_kv_null(w, "flows");
			json_kv_u64(w, "packets", t.packets);
			json_kv_u64(w, "bytes", t.bytes);
			if (b->id)
				json_kv_u64(w, "id", b->id);
			else
				json_kv_null(w, "id");
			json_object_end(w);
			continue;
		}
		snprintf(rw, sizeof(rw), "%s", "-");
		if (b->has_weight)
			snprintf(rw, sizeof(rw), "%u", b->weight);
		snprintf(fl, sizeof(fl), "%s", "-");
		if (counted)
			snprintf(fl, sizeof(fl), "%u", flows[k]);
		buf_printf(text, "%-39s %7u %7s %-9s %-12s %6.2f%% %8s %12llu %14llu\n", addr,
			   b->conf->weight, rw, health_name(b), rt_pool_name(b->pool), share, fl,
			   (unsigned long long)t.packets, (unsigned long long)t.bytes);
	}
	if (w)
		json_array_end(w);
	free(flows);
}
