// SPDX-License-Identifier: GPL-2.0
/*
 * xlbd's answers to xlbctl: one handler per command of the shared table
 * (agent/ctl/commands.c), in a table indexed by the command's id. The
 * control server has already resolved prefixes and parsed the arguments
 * (struct ctl_args); dispatch finds the VIP a request names, handlers
 * check the rest. Text for people, JSON (-j) for programs, both from the
 * same data.
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
#include "ctl/commands.h"
#include "ctl/server.h"
#include "health/health.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/log.h"
#include "maps/dataplane.h"

struct reply {
	struct xlbd *d;
	struct rt_vip *vip;	/* the VIP the request names, found; NULL if none */
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

static int cmd_vip_show(struct reply *r, const struct ctl_args *a)
{
	size_t i;

	(void)a;
	if (r->vip) {
		vip_one(r, r->vip);
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

static int vip_admin(struct reply *r, const struct ctl_args *a, bool disable)
{
	struct rt_vip *v = r->vip;

	if (v->disabled != disable) {
		xlbd_vip_set_disabled(r->d, v, disable);
		log_info("vip %s %s by xlbctl%s", a->vip, disable ? "disabled" : "enabled",
			 disable && v->gshut_until ? " (graceful shutdown, then withdraw)" : "");
		xlbd_state_save(r->d);
	}
	if (!r->json)
		buf_printf(r->body, "vip %s %s\n", a->vip, disable ? "disabled" : "enabled");
	else
		ok_json(r, "vip", a->vip, "admin", disable ? "disabled" : "enabled");
	return 0;
}

static int cmd_vip_disable(struct reply *r, const struct ctl_args *a)
{
	return vip_admin(r, a, true);
}

static int cmd_vip_enable(struct reply *r, const struct ctl_args *a)
{
	return vip_admin(r, a, false);
}

static int cmd_backend_show(struct reply *r, const struct ctl_args *a)
{
	struct rt_vip *v = r->vip;
	size_t k;

	(void)a;
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

/* The backend the request names, in a VIP that forwards. */
static struct rt_backend *backend_arg(struct reply *r, const struct ctl_args *a)
{
	struct rt_backend *b = rt_backend_find(r->vip, a->backend);

	if (!b) {
		fail(r, 1, "vip %s has no backend '%s'", a->vip, a->backend);
		return NULL;
	}
	if (r->vip->conf->local) {
		fail(r, 1, "vip %s is a local (host mode) VIP", a->vip);
		return NULL;
	}
	return b;
}

/* A backend's pool state or weight changed (`what`): into the datapath
 * and the announcement, the state file, the log and the answer. */
static int backend_changed(struct reply *r, const struct ctl_args *a, const char *what)
{
	int err;

	err = xlbd_vip_changed(r->d, r->vip, XLBD_CHANGE_TABLE);
	if (err)
		return fail(r, 1, "the datapath refused the change: %s", strerror(-err));
	xlbd_state_save(r->d);
	log_info("vip %s backend %s: %s (xlbctl)", a->vip, a->backend, what);
	if (r->json)
		ok_json(r, "backend", a->backend, "state", what);
	else
		buf_printf(r->body, "vip %s backend %s: %s\n", a->vip, a->backend, what);
	return 0;
}

static int cmd_backend_depool(struct reply *r, const struct ctl_args *a)
{
	struct rt_backend *b = backend_arg(r, a);

	if (!b)
		return 1;
	b->pool = a->now ? RT_DEPOOLED_NOW : RT_DEPOOLED;
	return backend_changed(r, a, pool_name(b->pool));
}

static int cmd_backend_pool(struct reply *r, const struct ctl_args *a)
{
	struct rt_backend *b = backend_arg(r, a);

	if (!b)
		return 1;
	b->pool = RT_POOLED;
	return backend_changed(r, a, pool_name(b->pool));
}

static int cmd_backend_set(struct reply *r, const struct ctl_args *a)
{
	struct rt_backend *b = backend_arg(r, a);
	char what[64];

	if (!b)
		return 1;
	if (a->n > 1000000)
		return fail(r, 2, "weight '%u' is not a number from 0 to 1000000", a->n);
	b->has_weight = a->n != b->conf->weight;
	b->weight = a->n;
	snprintf(what, sizeof(what), "weight %u", a->n);
	return backend_changed(r, a, what);
}

static int cmd_stats(struct reply *r, const struct ctl_args *a)
{
	__u64 st[XLB_STAT_MAX];
	int i, err;

	(void)a;
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

static int cmd_reload(struct reply *r, const struct ctl_args *a)
{
	char err[CONF_ERR_MAX + 64];

	(void)a;
	if (xlbd_reload(r->d, err, sizeof(err)))
		return fail(r, 1, "%s (the running config stays)", err);
	if (r->json)
		ok_json(r, "reload", "ok", "file", r->d->conf_path);
	else
		buf_printf(r->body, "reloaded %s\n", r->d->conf_path);
	return 0;
}

static int cmd_status(struct reply *r, const struct ctl_args *a)
{
	const struct xlb_conf *c = r->d->conf;
	long up = (long)(time(NULL) - r->d->started);
	const char *mode = r->d->dp ? xlb_dp_attach_mode(r->d->dp) : "none";
	char metrics[CONF_ADDR_URL_MAX];

	(void)a;
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

static int cmd_bgp_show(struct reply *r, const struct ctl_args *a)
{
	(void)a;
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

static int cmd_bgp_neighbor(struct reply *r, const struct ctl_args *a)
{
	bool down = !strcmp(a->keyword, "shutdown");
	struct bgp_peer *p = r->d->bgp ? bgp_speaker_peer(r->d->bgp, a->neighbor) : NULL;

	if (!p)
		return fail(r, 1, "no BGP neighbor %s", a->neighbor);
	bgp_peer_admin(p, down, "shutdown by xlbctl");
	if (r->json)
		ok_json(r, "neighbor", a->neighbor, "admin", down ? "shutdown" : "enabled");
	else
		buf_printf(r->body, "neighbor %s %s\n", a->neighbor,
			   down ? (p->conf->drain_ms ? "draining (graceful shutdown), then closed" :
						       "shut down") :
				  "enabled");
	return 0;
}

static int cmd_health_show(struct reply *r, const struct ctl_args *a)
{
	(void)a;
	xlbd_checks_show(r->d, r->vip, r->body, r->json ? &r->w : NULL);
	return 0;
}

static int cmd_bfd_show(struct reply *r, const struct ctl_args *a)
{
	(void)a;
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

typedef int (*cmd_fn)(struct reply *r, const struct ctl_args *a);

static const cmd_fn handlers[CTL_CMD__COUNT] = {
	[CTL_CMD_VIP_SHOW] = cmd_vip_show,
	[CTL_CMD_VIP_DISABLE] = cmd_vip_disable,
	[CTL_CMD_VIP_ENABLE] = cmd_vip_enable,
	[CTL_CMD_BACKEND_SHOW] = cmd_backend_show,
	[CTL_CMD_BACKEND_DEPOOL] = cmd_backend_depool,
	[CTL_CMD_BACKEND_POOL] = cmd_backend_pool,
	[CTL_CMD_BACKEND_SET] = cmd_backend_set,
	[CTL_CMD_STATS] = cmd_stats,
	[CTL_CMD_RELOAD] = cmd_reload,
	[CTL_CMD_STATUS] = cmd_status,
	[CTL_CMD_BGP_SHOW] = cmd_bgp_show,
	[CTL_CMD_BGP_NEIGHBOR] = cmd_bgp_neighbor,
	[CTL_CMD_HEALTH_SHOW] = cmd_health_show,
	[CTL_CMD_BFD_SHOW] = cmd_bfd_show,
};

static int dispatch(void *arg, const struct ctl_request *req, bool json, struct buf *body,
		    char *err, size_t errlen)
{
	struct reply r = { .d = arg, .json = json, .body = body, .err = err, .errlen = errlen };
	const struct ctl_args *a = &req->args;
	cmd_fn fn = handlers[req->cmd->id];
	char words[64];
	int rc;

	if (!fn) {
		ctl_cmd_format(req->cmd, words, sizeof(words));
		return fail(&r, 2, "this xlbd does not implement '%s' yet", words);
	}
	if (a->vip) {
		r.vip = rt_vip_find(r.d, a->vip);
		if (!r.vip)
			return fail(&r, 1, "no VIP '%s' (xlbctl vip show lists them)", a->vip);
	}
	if (json)
		json_init(&r.w, body, false);
	rc = fn(&r, a);
	if (!rc && json)
		json_finish(&r.w);
	return rc;
}

int xlbd_ctl_open(struct xlbd *d)
{
	return ctl_server_open(d->el, d->conf->socket_path, d->conf->socket_group, dispatch, d,
			       &d->ctl);
}
