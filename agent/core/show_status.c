// SPDX-License-Identifier: GPL-2.0
/*
 * `xlbctl status` (the daemon: version, uptime, config, datapath) and
 * `xlbctl stats` (the datapath's pass/drop counters).
 */
#include <time.h>
#include <unistd.h>

#include "core/pool.h"
#include "core/show.h"
#include "lib/evloop.h"
#include "lib/json.h"
#include "maps/dataplane.h"

/* The longest turn over the last `secs` seconds, microseconds. */
static uint64_t loop_recent_us(const struct evloop_stats *st, size_t secs)
{
	uint64_t m = 0;
	size_t k;

	for (k = 0; k < secs && k < EVLOOP_STATS_SECONDS; k++)
		if (st->second_us[k] > m)
			m = st->second_us[k];
	return m;
}

/* The loop's responsiveness (lib/evloop.h: a turn is its busy time
 * between two waits) and the datapath writes it has done or has waiting. */
static void loop_json(struct xlbd *d, const struct evloop_stats *st, struct json_writer *w)
{
	size_t k;

	json_key(w, "loop");
	json_object_start(w);
	json_kv_u64(w, "turns", st->turns);
	json_kv_u64(w, "longest_us", st->longest_us);
	json_kv_u64(w, "longest_10s_us", loop_recent_us(st, 10));
	json_key(w, "longest_per_second_us");
	json_array_start(w);
	for (k = 0; k < EVLOOP_STATS_SECONDS; k++)
		json_u64(w, st->second_us[k]);
	json_array_end(w);
	json_kv_u64(w, "longest_cpu_us", st->longest_cpu_us);
	json_key(w, "longest_cpu_per_second_us");
	json_array_start(w);
	for (k = 0; k < EVLOOP_STATS_SECONDS; k++)
		json_u64(w, st->second_cpu_us[k]);
	json_array_end(w);
	json_object_end(w);
	json_kv_u64(w, "tables_written", d->tables_written);
	json_kv_u64(w, "tables_pending", d->tables_pending);
}

/* Where the pool state comes from, and how the link to etcd is. */
static void pool_json(struct xlbd *d, struct json_writer *w)
{
	struct pool_store_status st;

	json_key(w, "pool_state");
	json_object_start(w);
	if (!d->pool) {
		json_kv_string(w, "source", "state-file");
		json_object_end(w);
		return;
	}
	pool_store_status(d->pool->store, &st);
	json_kv_string(w, "source", "etcd");
	json_kv_string(w, "prefix", pool_store_prefix(d->pool->store));
	json_kv_string(w, "node", d->pool->name);
	json_kv_bool(w, "connected", st.up);
	json_kv_string(w, "endpoint", st.endpoint);
	json_kv_string(w, "state", pool_sm_state_name(st.state));
	json_kv_s64(w, "applied_revision", d->pool_revision);
	json_kv_s64(w, "store_revision", st.store_revision);
	json_kv_u64(w, "link_changed", d->pool->link_at);
	json_kv_bool(w, "registered", st.registered);
	if (st.last_error[0])
		json_kv_string(w, "last_error", st.last_error);
	else
		json_kv_null(w, "last_error");
	json_object_end(w);
}

void show_status(struct xlbd *d, struct buf *text, struct json_writer *w)
{
	const struct xlb_conf *c = d->conf;
	long up = (long)(time(NULL) - d->started);
	const char *mode = d->dp ? xlb_dp_attach_mode(d->dp) : NULL;
	char metrics[CONF_ADDR_URL_MAX];
	struct evloop_stats st = {};

	xlbd_metrics_url(d, metrics, sizeof(metrics));
	if (d->el)
		evloop_stats_get(d->el, &st);
	if (w) {
		json_object_start(w);
		json_kv_string(w, "version", XLB_VERSION);
		json_kv_u64(w, "pid", getpid());
		json_kv_u64(w, "uptime_seconds", up);
		json_kv_string(w, "config", d->conf_path);
		if (c->xdp_ifname)
			json_kv_string(w, "interface", c->xdp_ifname);
		else
			json_kv_null(w, "interface");
		json_kv_string(w, "xdp_mode", d->dp ? mode : NULL);
		json_kv_string(w, "pin_path", c->pin_path);
		json_kv_u64(w, "vips", d->n_vips);
		if (d->metrics)
			json_kv_string(w, "metrics", metrics);
		else
			json_kv_null(w, "metrics");
		json_kv_string(w, "last_reload", d->last_reload);
		json_kv_u64(w, "map_writes", xlb_dp_map_writes());
		loop_json(d, &st, w);
		pool_json(d, w);
		json_object_end(w);
		return;
	}
	buf_printf(text, "xlbd %s, pid %d, up %ldd %02ld:%02ld:%02ld\n", XLB_VERSION, getpid(),
		   up / 86400, up / 3600 % 24, up / 60 % 60, up % 60);
	buf_printf(text, "config       %s\n", d->conf_path);
	if (d->dp)
		buf_printf(text, "datapath     %s (%s mode), maps under %s\n", c->xdp_ifname, mode,
			   c->pin_path);
	else
		buf_puts(text, "datapath     host mode: no datapath (no `xdp interface` in the "
			       "config)\n");
	buf_printf(text, "vips         %zu\n", d->n_vips);
	buf_printf(text, "metrics      %s\n", d->metrics ? metrics : "off");
	buf_printf(text, "last reload  %s\n", d->last_reload);
	/* a reload that changes nothing, or fails, adds none */
	buf_printf(text, "map writes   %llu\n", (unsigned long long)xlb_dp_map_writes());
	buf_printf(text, "tables       %llu written, %zu waiting\n",
		   (unsigned long long)d->tables_written, d->tables_pending);
	buf_printf(text, "loop         longest turn %.1f ms in the last 10 s, %.1f ms since start "
		   "(%llu turns)\n", loop_recent_us(&st, 10) / 1000.0, st.longest_us / 1000.0,
		   (unsigned long long)st.turns);
	buf_printf(text, "pool state   ");
	if (d->pool)
		show_pool_link(d, text);
	else
		buf_printf(text, "state file %s\n", c->state_file);
}

void show_stats(const __u64 *st, const __u64 *sc, struct buf *text, struct json_writer *w)
{
	char name[32];
	int i;

	if (w)
		json_object_start(w);
	for (i = 0; i < XLB_STAT_MAX + XLB_SC_STAT_MAX; i++) {
		__u64 v = i < XLB_STAT_MAX ? st[i] : sc[i - XLB_STAT_MAX];

		if (i < XLB_STAT_MAX)
			snprintf(name, sizeof(name), "%s", xlb_stat_names[i]);
		else
			snprintf(name, sizeof(name), "sc_%s", xlb_sc_stat_names[i - XLB_STAT_MAX]);
		if (w)
			json_kv_u64(w, name, v);
		else
			buf_printf(text, "%-20s %llu\n", name, (unsigned long long)v);
	}
	if (w)
		json_object_end(w);
}
