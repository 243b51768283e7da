// SPDX-License-Identifier: GPL-2.0
/*
 * xlbd's answers to xlbctl: one handler per command of the shared table
 * (agent/ctl/commands.c). The control server has already resolved
 * prefixes and checked argument counts; handlers check values. Text for
 * people, JSON (-j) for programs, both from the same data.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "bgp/speaker.h"
#include "core/xlbd.h"
#include "ctl/server.h"
#include "health/health.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/log.h"
#include "maps/dataplane.h"

struct reply {
	struct xlbd *d;
	bool json;
	struct buf *body;
	struct json_writer w;
	char *err;
	size_t errlen;
};

static int fail(struct reply *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct reply *r, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	return code;
}

static const char *pool_name(enum rt_pool p)
{
	return p == RT_POOLED ? "pooled" : p == RT_DEPOOLED ? "depooled" : "depooled-now";
}

static void addr_fmt(const struct conf_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family == XLB_FAMILY_V4 ? AF_INET : AF_INET6, &a->addr, buf, len))
		snprintf(buf, len, "?");
}

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

static struct rt_vip *vip_arg(struct reply *r, const char *spec)
{
	struct rt_vip *v = rt_vip_find(r->d, spec);

	if (!v)
		fail(r, 1, "no VIP '%s' (xlbctl vip show lists them)", spec);
	return v;
}

static struct xlb_traffic vip_traffic(struct xlbd *d, const struct rt_vip *v)
{
	struct xlb_traffic t = {};

	if (d->dp && v->has_id)
		xlb_dp_vip_stats_read(d->dp, v->id, &t);
	return t;
}

static void vip_one(struct reply *r, struct rt_vip *v)
{
	const struct conf_vip *c = v->conf;
	struct xlb_traffic t = vip_traffic(r->d, v);
	char name[96];
	size_t healthy;
	bool up = rt_vip_would_announce(v, &healthy);

	conf_vip_format(c, name, sizeof(name));
	if (r->json) {
		struct json_writer *w = &r->w;

		json_object_start(w);
		json_kv_string(w, "vip", name);
		if (c->name)
			json_kv_string(w, "name", c->name);
		else
			json_kv_null(w, "name");
		json_kv_string(w, "mode", c->local ? "local" : "forward");
		json_kv_string(w, "admin", v->disabled ? "disabled" : "enabled");
		json_kv_bool(w, "announce", up);
		json_kv_string(w, "route", route_name(rt_vip_route(r->d, v)));
		json_kv_bool(w, "bgp", r->d->bgp != NULL);
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
	buf_printf(r->body, "%s%s%s\n", name, c->name ? "  name " : "", c->name ? c->name : "");
	buf_printf(r->body, "    admin %s  route %s%s  backends %zu/%zu usable, min-healthy %u\n",
		   v->disabled ? "disabled (runtime)" : "enabled", route_name(rt_vip_route(r->d, v)),
		   r->d->bgp ? "" : " (no BGP neighbors)", healthy, v->n_backends, c->min_healthy);
	if (c->local) {
		buf_printf(r->body, "    host mode: announced only, not forwarded\n");
		if (c->add_address)
			buf_printf(r->body, "    address on %s: %s\n", c->add_address,
				   addr_state_name(v->addr_state));
		return;
	}
	buf_printf(r->body, "    hash %s  encap %s", c->hash_src ? "source" : "5-tuple",
		   c->encap == XLB_ENCAP_GUE ? "gue" : "ipip");
	if (c->encap == XLB_ENCAP_GUE)
		buf_printf(r->body, " port %u", c->gue_port);
	buf_printf(r->body, "  ring-size %u", c->ring_size);
	if (v->has_id)
		buf_printf(r->body, "  id %u", v->id);
	buf_printf(r->body, "\n    packets %llu  bytes %llu\n", (unsigned long long)t.packets,
		   (unsigned long long)t.bytes);
}

static int cmd_vip_show(struct reply *r, int argc, char **argv)
{
	size_t i;

	if (argc == 3) {
		struct rt_vip *v = vip_arg(r, argv[2]);

		if (!v)
			return 1;
		vip_one(r, v);
		return 0;
	}
	if (r->json)
		json_array_start(&r->w);
	for (i = 0; i < r->d->n_vips; i++)
		vip_one(r, &r->d->vips[i]);
	if (r->json)
		json_array_end(&r->w);
	else if (!r->d->n_vips)
		buf_printf(r->body, "no VIPs configured\n");
	return 0;
}

static void ok_json(struct reply *r, const char *k1, const char *v1, const char *k2,
		    const char *v2)
{
	json_object_start(&r->w);
	json_kv_string(&r->w, k1, v1);
	json_kv_string(&r->w, k2, v2);
	json_object_end(&r->w);
}

static int cmd_vip_admin(struct reply *r, int argc, char **argv)
{
	bool disable = !strcmp(argv[1], "disable");
	struct rt_vip *v = vip_arg(r, argv[2]);

	(void)argc;
	if (!v)
		return 1;
	if (v->disabled != disable) {
		xlbd_vip_set_disabled(r->d, v, disable);
		log_info("vip %s %s by xlbctl%s", argv[2], disable ? "disabled" : "enabled",
			 disable && v->gshut_until ? " (graceful shutdown, then withdraw)" : "");
		xlbd_state_save(r->d);
	}
	if (!r->json)
		buf_printf(r->body, "vip %s %s\n", argv[2], disable ? "disabled" : "enabled");
	else
		ok_json(r, "vip", argv[2], "admin", disable ? "disabled" : "enabled");
	return 0;
}

static int cmd_backend_show(struct reply *r, int argc, char **argv)
{
	struct rt_vip *v = vip_arg(r, argv[2]);
	size_t k;

	(void)argc;
	if (!v)
		return 1;
	if (r->json)
		json_array_start(&r->w);
	else
		buf_printf(r->body, "%-40s %7s %7s %-8s %-13s %7s %12s %14s\n", "backend", "weight",
			   "runtime", "health", "pool", "share", "packets", "bytes");
	for (k = 0; k < v->n_backends; k++) {
		struct rt_backend *b = &v->backends[k];
		struct xlb_traffic t = {};
		double share = v->ring_size ? 100.0 * b->slots / v->ring_size : 0;
		char addr[64], rw[16];

		if (r->d->dp && b->id)
			xlb_dp_be_stats_read(r->d->dp, b->id, &t);
		addr_fmt(&b->conf->addr, addr, sizeof(addr));
		if (r->json) {
			struct json_writer *w = &r->w;

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
			json_kv_string(w, "pool", pool_name(b->pool));
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
		buf_printf(r->body, "%-40s %7u %7s %-8s %-13s %6.2f%% %12llu %14llu\n", addr,
			   b->conf->weight, rw,
			   !b->hc ? "-" : b->hc_state == HC_UP ? "up" : b->hc_state == HC_DOWN ? "down" : "?",
			   pool_name(b->pool), share,
			   (unsigned long long)t.packets, (unsigned long long)t.bytes);
	}
	if (r->json)
		json_array_end(&r->w);
	return 0;
}

static int cmd_backend_change(struct reply *r, int argc, char **argv)
{
	const char *verb = argv[1];
	struct rt_backend *b;
	struct rt_vip *v;
	enum rt_pool pool;
	char what[64];
	int err;

	v = vip_arg(r, argv[2]);
	if (!v)
		return 1;
	b = rt_backend_find(v, argv[3]);
	if (!b)
		return fail(r, 1, "vip %s has no backend '%s'", argv[2], argv[3]);
	if (v->conf->local)
		return fail(r, 1, "vip %s is a local (host mode) VIP", argv[2]);

	if (!strcmp(verb, "set")) {
		char *end;
		unsigned long n;

		if (argc != 6 || strcmp(argv[4], "weight"))
			return fail(r, 2, "usage: backend set VIP BACKEND weight N");
		errno = 0;
		n = strtoul(argv[5], &end, 10);
		if (errno || *end || end == argv[5] || n > 1000000)
			return fail(r, 2, "weight '%s' is not a number from 0 to 1000000", argv[5]);
		b->has_weight = n != b->conf->weight;
		b->weight = n;
		snprintf(what, sizeof(what), "weight %lu", n);
	} else {
		bool now = argc == 5 && !strcmp(argv[4], "--now");

		if (argc == 5 && !now)
			return fail(r, 2, "unknown option '%s' (only --now)", argv[4]);
		if (!strcmp(verb, "pool"))
			pool = RT_POOLED;
		else
			pool = now ? RT_DEPOOLED_NOW : RT_DEPOOLED;
		b->pool = pool;
		snprintf(what, sizeof(what), "%s", pool_name(pool));
	}
	err = xlbd_vip_changed(r->d, v, XLBD_CHANGE_TABLE);
	if (err)
		return fail(r, 1, "the datapath refused the change: %s", strerror(-err));
	xlbd_state_save(r->d);
	log_info("vip %s backend %s: %s (xlbctl)", argv[2], argv[3], what);
	if (r->json)
		ok_json(r, "backend", argv[3], "state", what);
	else
		buf_printf(r->body, "vip %s backend %s: %s\n", argv[2], argv[3], what);
	return 0;
}

static int cmd_stats(struct reply *r, int argc, char **argv)
{
	__u64 st[XLB_STAT_MAX];
	int i, err;

	(void)argc;
	(void)argv;
	if (!r->d->dp)
		return fail(r, 1, "no datapath (no `xdp interface` in the config)");
	err = xlb_dp_stats_read(r->d->dp, st);
	if (err)
		return fail(r, 1, "cannot read counters: %s", strerror(-err));
	if (r->json)
		json_object_start(&r->w);
	for (i = 0; i < XLB_STAT_MAX; i++) {
		if (r->json)
			json_kv_u64(&r->w, xlb_stat_names[i], st[i]);
		else
			buf_printf(r->body, "%-20s %llu\n", xlb_stat_names[i],
				   (unsigned long long)st[i]);
	}
	if (r->json)
		json_object_end(&r->w);
	return 0;
}

static int cmd_reload(struct reply *r, int argc, char **argv)
{
	char err[CONF_ERR_MAX + 64];

	(void)argc;
	(void)argv;
	if (xlbd_reload(r->d, err, sizeof(err)))
		return fail(r, 1, "%s (the running config stays)", err);
	if (r->json)
		ok_json(r, "reload", "ok", "file", r->d->conf_path);
	else
		buf_printf(r->body, "reloaded %s\n", r->d->conf_path);
	return 0;
}

static int cmd_status(struct reply *r, int argc, char **argv)
{
	const struct xlb_conf *c = r->d->conf;
	long up = (long)(time(NULL) - r->d->started);
	const char *mode = r->d->dp ? xlb_dp_attach_mode(r->d->dp) : "none";
	char metrics[CONF_ADDR_URL_MAX];

	(void)argc;
	(void)argv;
	xlbd_metrics_url(r->d, metrics, sizeof(metrics));
	if (r->json) {
		struct json_writer *w = &r->w;

		json_object_start(w);
		json_kv_string(w, "version", XLB_VERSION);
		json_kv_u64(w, "pid", getpid());
		json_kv_u64(w, "uptime_seconds", up);
		json_kv_string(w, "config", r->d->conf_path);
		if (c->xdp_ifname)
			json_kv_string(w, "interface", c->xdp_ifname);
		else
			json_kv_null(w, "interface");
		json_kv_string(w, "xdp_mode", mode);
		json_kv_string(w, "pin_path", c->pin_path);
		json_kv_u64(w, "vips", r->d->n_vips);
		if (r->d->metrics)
			json_kv_string(w, "metrics", metrics);
		else
			json_kv_null(w, "metrics");
		json_kv_string(w, "last_reload", r->d->last_reload);
		json_kv_u64(w, "map_writes", xlb_dp_map_writes());
		json_object_end(w);
		return 0;
	}
	buf_printf(r->body, "xlbd %s, pid %d, up %ldd %02ld:%02ld:%02ld\n", XLB_VERSION, getpid(),
		   up / 86400, up / 3600 % 24, up / 60 % 60, up % 60);
	buf_printf(r->body, "config       %s\n", r->d->conf_path);
	buf_printf(r->body, "datapath     %s (%s mode), maps under %s\n",
		   c->xdp_ifname ? c->xdp_ifname : "none", mode, c->pin_path);
	buf_printf(r->body, "vips         %zu\n", r->d->n_vips);
	buf_printf(r->body, "metrics      %s\n", r->d->metrics ? metrics : "off");
	buf_printf(r->body, "last reload  %s\n", r->d->last_reload);
	/* a reload that changes nothing, or fails, adds none */
	buf_printf(r->body, "map writes   %llu\n", (unsigned long long)xlb_dp_map_writes());
	return 0;
}

static int cmd_bgp_show(struct reply *r, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (!r->d->bgp) {
		if (r->json)
			json_array_start(&r->w), json_array_end(&r->w);
		else
			buf_printf(r->body, "no BGP neighbors configured\n");
		return 0;
	}
	bgp_speaker_show(r->d->bgp, r->body, r->json ? &r->w : NULL);
	return 0;
}

static int cmd_bgp_neighbor(struct reply *r, int argc, char **argv)
{
	bool down = !strcmp(argv[2], "shutdown");
	struct bgp_peer *p = r->d->bgp ? bgp_speaker_peer(r->d->bgp, argv[3]) : NULL;

	(void)argc;
	if (!p)
		return fail(r, 1, "no BGP neighbor %s", argv[3]);
	bgp_peer_admin(p, down, "shutdown by xlbctl");
	if (r->json)
		ok_json(r, "neighbor", argv[3], "admin", down ? "shutdown" : "enabled");
	else
		buf_printf(r->body, "neighbor %s %s\n", argv[3],
			   down ? (p->conf->drain_ms ? "draining (graceful shutdown), then closed" :
						       "shut down") :
				  "enabled");
	return 0;
}

static int cmd_health_show(struct reply *r, int argc, char **argv)
{
	struct rt_vip *v = NULL;

	if (argc == 3) {
		v = vip_arg(r, argv[2]);
		if (!v)
			return 1;
	}
	xlbd_checks_show(r->d, v, r->body, r->json ? &r->w : NULL);
	return 0;
}

static int cmd_bfd_show(struct reply *r, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (!r->d->bgp) {
		if (r->json)
			json_array_start(&r->w), json_array_end(&r->w);
		else
			buf_printf(r->body, "no BFD sessions configured\n");
		return 0;
	}
	bgp_speaker_bfd_show(r->d->bgp, r->body, r->json ? &r->w : NULL);
	return 0;
}

static int dispatch(void *arg, int argc, char **argv, bool json, struct buf *body, char *err,
		    size_t errlen)
{
	struct reply r = { .d = arg, .json = json, .body = body, .err = err, .errlen = errlen };
	int rc;

	if (json)
		json_init(&r.w, body, false);
	if (argc >= 2 && !strcmp(argv[0], "vip") && !strcmp(argv[1], "show"))
		rc = cmd_vip_show(&r, argc, argv);
	else if (argc == 3 && !strcmp(argv[0], "vip") &&
		 (!strcmp(argv[1], "disable") || !strcmp(argv[1], "enable")))
		rc = cmd_vip_admin(&r, argc, argv);
	else if (argc == 3 && !strcmp(argv[0], "backend") && !strcmp(argv[1], "show"))
		rc = cmd_backend_show(&r, argc, argv);
	else if (argc >= 4 && !strcmp(argv[0], "backend") &&
		 (!strcmp(argv[1], "depool") || !strcmp(argv[1], "pool") || !strcmp(argv[1], "set")))
		rc = cmd_backend_change(&r, argc, argv);
	else if (argc == 1 && !strcmp(argv[0], "stats"))
		rc = cmd_stats(&r, argc, argv);
	else if (argc == 1 && !strcmp(argv[0], "reload"))
		rc = cmd_reload(&r, argc, argv);
	else if (argc == 1 && !strcmp(argv[0], "status"))
		rc = cmd_status(&r, argc, argv);
	else if (argc >= 2 && argc <= 3 && !strcmp(argv[0], "health") && !strcmp(argv[1], "show"))
		rc = cmd_health_show(&r, argc, argv);
	else if (argc == 2 && !strcmp(argv[0], "bfd") && !strcmp(argv[1], "show"))
		rc = cmd_bfd_show(&r, argc, argv);
	else if (argc == 2 && !strcmp(argv[0], "bgp") && !strcmp(argv[1], "show"))
		rc = cmd_bgp_show(&r, argc, argv);
	else if (argc == 4 && !strcmp(argv[0], "bgp") && !strcmp(argv[1], "neighbor") &&
		 (!strcmp(argv[2], "shutdown") || !strcmp(argv[2], "enable")))
		rc = cmd_bgp_neighbor(&r, argc, argv);
	else
		rc = fail(&r, 2, "this xlbd does not implement '%s%s%s' yet", argv[0],
			  argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
	if (!rc && json)
		json_finish(&r.w);
	return rc;
}

int xlbd_ctl_open(struct xlbd *d)
{
	return ctl_server_open(d->el, d->conf->socket_path, d->conf->socket_group, dispatch, d,
			       &d->ctl);
}
