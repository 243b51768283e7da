// SPDX-License-Identifier: GPL-2.0
/*
 * `xlbctl status` (the daemon: version, uptime, config, datapath) and
 * `xlbctl stats` (the datapath's pass/drop counters).
 */
#include <time.h>
#include <unistd.h>

#include "core/show.h"
#include "lib/json.h"
#include "maps/dataplane.h"

void show_status(struct xlbd *d, struct buf *text, struct json_writer *w)
{
	const struct xlb_conf *c = d->conf;
	long up = (long)(time(NULL) - d->started);
	const char *mode = d->dp ? xlb_dp_attach_mode(d->dp) : "none";
	char metrics[CONF_ADDR_URL_MAX];

	xlbd_metrics_url(d, metrics, sizeof(metrics));
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
		json_kv_string(w, "xdp_mode", mode);
		json_kv_string(w, "pin_path", c->pin_path);
		json_kv_u64(w, "vips", d->n_vips);
		if (d->metrics)
			json_kv_string(w, "metrics", metrics);
		else
			json_kv_null(w, "metrics");
		json_kv_string(w, "last_reload", d->last_reload);
		json_kv_u64(w, "map_writes", xlb_dp_map_writes());
		json_object_end(w);
		return;
	}
	buf_printf(text, "xlbd %s, pid %d, up %ldd %02ld:%02ld:%02ld\n", XLB_VERSION, getpid(),
		   up / 86400, up / 3600 % 24, up / 60 % 60, up % 60);
	buf_printf(text, "config       %s\n", d->conf_path);
	buf_printf(text, "datapath     %s (%s mode), maps under %s\n",
		   c->xdp_ifname ? c->xdp_ifname : "none", mode, c->pin_path);
	buf_printf(text, "vips         %zu\n", d->n_vips);
	buf_printf(text, "metrics      %s\n", d->metrics ? metrics : "off");
	buf_printf(text, "last reload  %s\n", d->last_reload);
	/* a reload that changes nothing, or fails, adds none */
	buf_printf(text, "map writes   %llu\n", (unsigned long long)xlb_dp_map_writes());
}

void show_stats(const __u64 *st, struct buf *text, struct json_writer *w)
{
	int i;

	if (w)
		json_object_start(w);
	for (i = 0; i < XLB_STAT_MAX; i++) {
		if (w)
			json_kv_u64(w, xlb_stat_names[i], st[i]);
		else
			buf_printf(text, "%-20s %llu\n", xlb_stat_names[i],
				   (unsigned long long)st[i]);
	}
	if (w)
		json_object_end(w);
}
