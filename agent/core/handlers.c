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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/speaker.h"
#include "core/flow_scan.h"
#include "core/pool.h"
#include "core/show.h"
#include "core/xlbd.h"
#include "ctl/commands.h"
#include "ctl/proto.h"
#include "ctl/server.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/log.h"
#include "maps/dataplane.h"
#include "maps/flows.h"

struct reply {
	struct xlbd *d;
	const struct ctl_request *req;
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

/* An address for a message (one at a time). */
static const char *a_str(const struct conf_addr *a)
{
	static char buf[INET6_ADDRSTRLEN];

	return conf_addr_str(a, buf, sizeof(buf));
}

/* Where a renderer writes JSON: NULL for a text answer. */
static struct json_writer *jw(struct reply *r)
{
	return r->json ? &r->w : NULL;
}

/*
 * Answers that count or list flow-table entries are written once a pass
 * over the table (core/flow_scan.c) has read it a slice per loop turn:
 * the request is kept, answered later (CTL_DEFERRED), and dispatched
 * again with the pass's findings in `scanned`.
 */
static const struct flow_scan *scanned;

struct answer_later {
	uint64_t id;
	bool json;
	struct ctl_request req;
};

static int dispatch(void *arg, const struct ctl_request *req, bool json, struct buf *body,
		    char *err, size_t errlen);

static void answer_scanned(struct xlbd *d, const struct flow_scan *s, int err, void *arg)
{
	struct answer_later *l = arg;
	char msg[CTL_MSG_MAX] = "";
	struct buf body;
	int rc;

	buf_init(&body, 0);
	if (err == -ECANCELED) {
		/* exit: the clients go with the control socket */
		free(l);
		return;
	}
	if (err) {
		rc = CTL_ERR_RUNTIME;
		snprintf(msg, sizeof(msg), "cannot read the flow table: %s", strerror(-err));
	} else {
		scanned = s;
		rc = dispatch(d, &l->req, l->json, &body, msg, sizeof(msg));
		scanned = NULL;
	}
	ctl_server_answer(d->ctl, l->id, rc, msg, &body);
	buf_free(&body);
	free(l);
}

/* Answer r once a pass over the flow table is done (list: which entries
 * to keep for a listing; NULL for counts only). */
static int answer_after_scan(struct reply *r, const struct flow_scan_list *list)
{
	struct answer_later *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return fail(r, 1, "out of memory");
	l->json = r->json;
	ctl_request_copy(&l->req, r->req);
	err = flow_scan_start(r->d, list, answer_scanned, l);
	if (err) {
		free(l);
		if (err == -EBUSY)
			return fail(r, 1, "too many flow-table reads at once; try again");
		return fail(r, 1, "cannot read the flow table: %s", strerror(-err));
	}
	l->id = ctl_server_defer(r->d->ctl);
	return CTL_DEFERRED;
}

/* Does r's answer count v's flows, and have they not been counted yet? */
static bool needs_counts(struct reply *r, const struct rt_vip *v)
{
	return !scanned && r->d->dp && v && !v->conf->local && v->has_id;
}

static int cmd_vip_show(struct reply *r, const struct ctl_args *a)
{
	(void)a;
	if (needs_counts(r, r->vip))
		return answer_after_scan(r, NULL);
	show_vips(r->d, r->vip, scanned, r->body, jw(r));
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

/* With the pool state in etcd a local change would be overwritten by the
 * next change from etcd, and this node would disagree with the others
 * meanwhile: refused, with the command that does it for the fleet. */
static int etcd_refuse(struct reply *r, const char *instead)
{
	return fail(r, 1, "the pool state of this node is in etcd (pool-state etcd): use `xlbctl %s` "
		    "(it changes every node); nothing changed here", instead);
}

/* "203.0.113.10:53/udp (dns)": a VIP as the answers name it, after sep */
static void vip_words(struct buf *out, const char *sep, const struct rt_vip *v)
{
	char name[96];

	conf_vip_format(v->conf, name, sizeof(name));
	buf_printf(out, "%s%s", sep, name);
	if (v->conf->name)
		buf_printf(out, " (%s)", v->conf->name);
}

/*
 * What `vip disable|enable` did to the route of the address, said as it
 * is: routes are per address, so taking one VIP out withdraws nothing
 * while another VIP on its address is up.
 */
static void admin_answer(struct reply *r, const char *what, const struct conf_addr *addr,
			 bool disable)
{
	enum bgp_route_state st = rt_addr_route(r->d, addr);
	unsigned plen = addr->family == XLB_FAMILY_V4 ? 32 : 128;
	const struct rt_vip *v = r->vip;
	const char *sep = " ";
	struct rt_vip *h;
	bool others = false;
	char a[INET6_ADDRSTRLEN], name[96];

	conf_addr_str(addr, a, sizeof(a));
	/* v disabled, its address still announced: by the others */
	others = v && st == BGP_ROUTE_ANNOUNCED;
	if (r->json) {
		json_object_start(&r->w);
		if (v) {
			conf_vip_format(v->conf, name, sizeof(name));
			json_kv_string(&r->w, "vip", name);
			json_kv_string(&r->w, "name", v->conf->name);
		}
		json_kv_string(&r->w, "address", a);
		json_kv_string(&r->w, "admin", disable ? "disabled" : "enabled");
		json_kv_string(&r->w, "route", rt_route_name(st));
		json_key(&r->w, "route_held_by");
		json_array_start(&r->w);
		for (h = rt_addr_holder_next(r->d, addr, st, NULL); h;
		     h = rt_addr_holder_next(r->d, addr, st, h)) {
			conf_vip_format(h->conf, name, sizeof(name));
			json_string(&r->w, name);
		}
		json_array_end(&r->w);
		json_kv_bool(&r->w, "bgp", r->d->bgp != NULL);
		json_object_end(&r->w);
		return;
	}
	buf_printf(r->body, "%s %s %s; route %s/%u ", v ? "vip" : "address", what,
		   disable ? "disabled" : "enabled", a, plen);
	if (disable && v && others)
		buf_puts(r->body, "stays announced: held up by");
	else if (st == BGP_ROUTE_ANNOUNCED)
		buf_puts(r->body, "announced by");
	else if (st == BGP_ROUTE_GSHUT)
		buf_puts(r->body, "in graceful shutdown (withdrawn after the neighbors' drain "
			 "time):");
	else
		buf_puts(r->body, "withdrawn");
	for (h = rt_addr_holder_next(r->d, addr, st, NULL); h;
	     h = rt_addr_holder_next(r->d, addr, st, h)) {
		vip_words(r->body, sep, h);
		sep = ", ";
	}
	if (!r->d->bgp)
		buf_puts(r->body, " (no BGP neighbors: nothing is sent)");
	buf_putc(r->body, '\n');
	if (disable && v && others)
		buf_printf(r->body, "packets for %s that still arrive are forwarded; to withdraw the "
			   "address: xlbctl vip disable --address %s\n", what, a);
	if (!disable && v && v->addr_disabled)
		buf_printf(r->body, "its address stays disabled: xlbctl vip enable --address %s\n",
			   a);
	else if (!disable && v && rt_vip_route(r->d, v) == BGP_ROUTE_WITHDRAWN)
		buf_printf(r->body, "%s is not up (xlbctl vip show %s says why)\n", what, what);
}

static int vip_admin(struct reply *r, const struct ctl_args *a, bool disable)
{
	struct rt_vip *v = r->vip;
	struct conf_addr addr;
	int err;

	if (a->address) {
		if (ctl_addr_parse(a->address, &addr))
			return fail(r, 2, "'%s' is not an IP address", a->address);
		if (rt_addr_disabled(r->d, &addr) != disable) {
			err = xlbd_addr_set_disabled(r->d, &addr, disable);
			if (err)
				return fail(r, 1, "%s", strerror(-err));
			log_info("address %s %s by xlbctl", a->address,
				 disable ? "disabled (every VIP on it)" : "enabled");
			xlbd_state_save(r->d);
		}
		admin_answer(r, a->address, &addr, disable);
		return 0;
	}
	if (xlbd_pool_etcd(r->d))
		return etcd_refuse(r, disable ? "pool disable VIP" : "pool enable VIP");
	if (v->disabled != disable) {
		xlbd_vip_set_disabled(r->d, v, disable);
		log_info("vip %s %s by xlbctl%s", a->vip, disable ? "disabled" : "enabled",
			 disable && v->gshut_until ? " (graceful shutdown, then withdraw)" : "");
		xlbd_state_save(r->d);
	}
	admin_answer(r, a->vip, &v->conf->addr, disable);
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
	if (r->vip->conf->local)
		return fail(r, 1, "vip %s is a host-mode VIP: it has no backends (its check: "
			    "xlbctl health show %s)", a->vip, a->vip);
	if (needs_counts(r, r->vip))
		return answer_after_scan(r, NULL);
	show_backends(r->d, r->vip, scanned, r->body, jw(r));
	return 0;
}

/* The backend the request names, in a VIP that forwards. */
static struct rt_backend *backend_arg(struct reply *r, const struct ctl_args *a,
				      const char *instead)
{
	struct rt_backend *b;

	if (xlbd_pool_etcd(r->d)) {
		etcd_refuse(r, instead);
		return NULL;
	}
	if (r->vip->conf->local) {
		fail(r, 1, "vip %s is a host-mode VIP: it has no backends", a->vip);
		return NULL;
	}
	b = rt_backend_find(r->vip, a->backend);
	if (!b)
		fail(r, 1, "vip %s has no backend '%s'", a->vip, a->backend);
	return b;
}

/* A backend's pool state or weight changed (`what`): into the datapath
 * and the announcement, the state file, the log and the answer. */
static int backend_changed(struct reply *r, const struct ctl_args *a,
			   const struct rt_backend *b, const char *what)
{
	char vip[96];
	int err;

	xlbd_vip_changed(r->d, r->vip, XLBD_CHANGE_TABLE);
	/* now, not at the end of the turn: the answer says how it went */
	err = xlbd_vip_apply(r->d, r->vip);
	if (err)
		return fail(r, 1, "the datapath refused the change: %s", strerror(-err));
	xlbd_state_save(r->d);
	log_info("vip %s backend %s: %s (xlbctl)", a->vip, a->backend, what);
	if (r->json) {
		conf_vip_format(r->vip->conf, vip, sizeof(vip));
		json_object_start(&r->w);
		json_kv_string(&r->w, "vip", vip);
		json_kv_string(&r->w, "backend", a->backend);
		json_kv_string(&r->w, "pool", rt_pool_name(b->pool));
		if (b->has_weight)
			json_kv_u64(&r->w, "weight_runtime", b->weight);
		else
			json_kv_null(&r->w, "weight_runtime");
		json_kv_u64(&r->w, "weight_effective", rt_backend_weight(b));
		json_object_end(&r->w);
	} else
		buf_printf(r->body, "vip %s backend %s: %s\n", a->vip, a->backend, what);
	return 0;
}

static int cmd_backend_depool(struct reply *r, const struct ctl_args *a)
{
	struct rt_backend *b = backend_arg(r, a, a->now ? "pool inactive VIP BACKEND" :
							   "pool depool VIP BACKEND");

	if (!b)
		return 1;
	b->pool = a->now ? RT_DEPOOLED_NOW : RT_DEPOOLED;
	return backend_changed(r, a, b, rt_pool_name(b->pool));
}

static int cmd_backend_pool(struct reply *r, const struct ctl_args *a)
{
	struct rt_backend *b = backend_arg(r, a, "pool pool VIP BACKEND");

	if (!b)
		return 1;
	b->pool = RT_POOLED;
	return backend_changed(r, a, b, rt_pool_name(b->pool));
}

static int cmd_backend_set(struct reply *r, const struct ctl_args *a)
{
	struct rt_backend *b = backend_arg(r, a, "pool weight VIP BACKEND N");
	char what[64];

	if (!b)
		return 1;
	b->has_weight = a->n != b->conf->weight;
	b->weight = a->n;
	snprintf(what, sizeof(what), "weight %u", a->n);
	return backend_changed(r, a, b, what);
}

static int cmd_stats(struct reply *r, const struct ctl_args *a)
{
	__u64 st[XLB_STAT_MAX], sc[XLB_SC_STAT_MAX];
	int err;

	(void)a;
	if (!r->d->dp)
		return fail(r, 1, "no datapath (no `xdp interface` in the config)");
	err = xlb_dp_stats_read(r->d->dp, st);
	if (!err)
		err = xlb_dp_sc_stats_read(r->d->dp, sc);
	if (err)
		return fail(r, 1, "cannot read counters: %s", strerror(-err));
	show_stats(st, sc, r->body, jw(r));
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
	(void)a;
	show_status(r->d, r->body, jw(r));
	return 0;
}

/* A subsystem that is not configured: an empty list, or a line saying so. */
static int none(struct reply *r, const char *what)
{
	if (r->json) {
		json_array_start(&r->w);
		json_array_end(&r->w);
	} else {
		buf_printf(r->body, "%s\n", what);
	}
	return 0;
}

static int cmd_bgp_show(struct reply *r, const struct ctl_args *a)
{
	(void)a;
	if (!r->d->bgp)
		return none(r, "no BGP neighbors configured");
	show_bgp(r->d->bgp, r->body, jw(r));
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

static int cmd_bgp_routes(struct reply *r, const struct ctl_args *a)
{
	struct bgp_peer *p = NULL;

	if (!r->d->bgp)
		return none(r, "no BGP neighbors configured");
	if (a->neighbor) {
		p = bgp_speaker_peer(r->d->bgp, a->neighbor);
		if (!p)
			return fail(r, 1, "no BGP neighbor %s", a->neighbor);
	}
	return show_bgp_routes(r->d->bgp, p, r->body, jw(r));
}

static int cmd_health_show(struct reply *r, const struct ctl_args *a)
{
	(void)a;
	show_health(r->d, r->vip, r->body, jw(r));
	return 0;
}

static int cmd_bfd_show(struct reply *r, const struct ctl_args *a)
{
	struct bfd *b = r->d->bgp ? bgp_speaker_bfd(r->d->bgp) : NULL;

	(void)a;
	if (!b && !r->json)
		return none(r, "no BFD sessions configured");
	show_bfd(b, NULL, r->body, jw(r));
	return 0;
}

/* pool ... and fleet status: core/pool_ctl.c */
static int cmd_pool(struct reply *r, const struct ctl_args *a)
{
	(void)a;
	return xlbd_pool_cmd(r->d, r->req, r->vip, r->json, r->body, r->err, r->errlen);
}

static int cmd_flow_show(struct reply *r, const struct ctl_args *a)
{
	const struct rt_backend *b = NULL;
	__u32 limit = a->has_limit ? a->limit : CTL_FLOW_LIMIT_DEFAULT;
	int err;

	if (!r->d->dp)
		return fail(r, 1, "no datapath (no `xdp interface` in the config): no flow table");
	if (a->backend) {
		if (!r->vip)
			return fail(r, 2, "flow show: BACKEND needs a VIP before it");
		if (r->vip->conf->local)
			return fail(r, 1, "vip %s is a host-mode VIP: it has no backends", a->vip);
		b = rt_backend_find(r->vip, a->backend);
		if (!b)
			return fail(r, 1, "vip %s has no backend '%s'", a->vip, a->backend);
	}
	if (r->vip && r->vip->conf->local)
		return fail(r, 1, "vip %s is a host-mode VIP: it has no flows (not forwarded)",
			    a->vip);
	if (!scanned) {
		struct flow_scan_list list = {
			.vip = r->vip && r->vip->has_id ? (int)r->vip->id : -1,
			.be = b ? b->id : 0,
			.limit = limit,
		};

		return answer_after_scan(r, &list);
	}
	err = show_flows(r->d, r->vip, b, scanned, r->body, jw(r));
	if (err)
		return fail(r, 1, "cannot read the flow table: %s", strerror(-err));
	return 0;
}

/* Is v the VIP the datapath picks for (address, proto, port)? The exact
 * port first, else the all-ports VIP, as the datapath looks them up. */
static bool vip_takes(const struct rt_vip *v, const struct conf_addr *a, __u8 proto, __u16 port)
{
	return !v->conf->local && conf_addr_eq(&v->conf->addr, a) &&
	       (!proto || v->conf->proto == proto) && (!port || v->conf->port == port);
}

/* The VIP of `flow lookup` given as an address (maybe with a port) and
 * maybe a protocol: the one VIP that fits into *out, or fail()'s code. */
static int lookup_vip(struct reply *r, const struct ctl_endpoint *ep, __u8 proto,
		      struct rt_vip **out)
{
	struct rt_vip *found = NULL, *any = NULL;
	size_t i, n = 0;

	for (i = 0; i < r->d->n_vips; i++) {
		struct rt_vip *v = &r->d->vips[i];

		if (!vip_takes(v, &ep->addr, proto, 0))
			continue;
		if (ep->port && v->conf->port == ep->port) {
			*out = v;
			return 0;
		}
		if (ep->port && !v->conf->port && !any)
			any = v;
		if (!ep->port && v->conf->port) {
			found = v;
			n++;
		}
	}
	if (ep->port) {
		if (!any)
			return fail(r, 1, "no forwarding VIP takes %s port %u%s%s", a_str(&ep->addr),
				    ep->port, proto ? "/" : "",
				    proto ? (proto == IPPROTO_TCP ? "tcp" : "udp") : "");
		*out = any;
		return 0;
	}
	if (n > 1)
		return fail(r, 2, "several VIPs on %s: give the VIP's port (and tcp or udp)",
			    a_str(&ep->addr));
	if (!n)
		return fail(r, 1, "no forwarding VIP on %s with a port of its own (an all-ports "
			    "VIP needs ADDR:PORT)", a_str(&ep->addr));
	*out = found;
	return 0;
}

static int cmd_flow_lookup(struct reply *r, const struct ctl_args *a)
{
	struct ctl_endpoint client, dest = {};
	struct xlb_dp_flow f = {};
	__u8 proto = 0;
	struct rt_vip *v = r->vip;
	char err[256];
	int rc;

	if (!r->d->dp)
		return fail(r, 1, "no datapath (no `xdp interface` in the config): no flows");
	if (a->keyword)
		proto = !strcmp(a->keyword, "tcp") ? IPPROTO_TCP : IPPROTO_UDP;
	if (ctl_endpoint_parse(a->client, &client, err, sizeof(err)))
		return fail(r, 2, "flow lookup: CLIENT %s", err);
	if (a->dest && ctl_endpoint_parse(a->dest, &dest, err, sizeof(err)))
		return fail(r, 2, "flow lookup: VIP %s", err);
	if (!v) {
		rc = lookup_vip(r, &dest, proto, &v);
		if (rc)
			return rc;
	} else {
		if (v->conf->local)
			return fail(r, 1, "vip %s is a host-mode VIP: it forwards nothing", a->vip);
		dest.addr = v->conf->addr;
		dest.port = v->conf->port;
		if (!dest.port)
			return fail(r, 2, "vip %s takes every port: give its address with the port "
				    "(ADDR:PORT)", a->vip);
	}
	if (proto && proto != v->conf->proto)
		return fail(r, 1, "the VIP that takes %s is %s, not %s", a->dest ? a->dest : a->vip,
			    v->conf->proto == IPPROTO_TCP ? "tcp" : "udp", a->keyword);
	if (client.addr.family != v->conf->addr.family)
		return fail(r, 1, "the client and the VIP are of different address families");
	if (!client.port && !v->conf->hash_src)
		return fail(r, 2, "flow lookup: the VIP hashes the 5-tuple: give the client's port "
			    "(CLIENT:PORT)");
	f.family = v->conf->addr.family;
	f.proto = v->conf->proto;
	f.client = client.addr.addr;
	f.client_port = client.port;
	f.vip = v->conf->addr.addr;
	f.vip_port = dest.port ? dest.port : v->conf->port;
	if (!f.vip_port)
		return fail(r, 2, "the VIP takes every port: give the port (ADDR:PORT)");
	if (show_flow_lookup(r->d, v, &f, r->body, jw(r), err, sizeof(err)))
		return fail(r, 1, "%s", err);
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
	[CTL_CMD_FLOW_SHOW] = cmd_flow_show,
	[CTL_CMD_FLOW_LOOKUP] = cmd_flow_lookup,
	[CTL_CMD_BGP_ROUTES] = cmd_bgp_routes,
	[CTL_CMD_POOL_SHOW] = cmd_pool,
	[CTL_CMD_POOL_DEPOOL] = cmd_pool,
	[CTL_CMD_POOL_POOL] = cmd_pool,
	[CTL_CMD_POOL_INACTIVE] = cmd_pool,
	[CTL_CMD_POOL_WEIGHT] = cmd_pool,
	[CTL_CMD_POOL_DISABLE] = cmd_pool,
	[CTL_CMD_POOL_ENABLE] = cmd_pool,
	[CTL_CMD_FLEET_STATUS] = cmd_pool,
};

static int dispatch(void *arg, const struct ctl_request *req, bool json, struct buf *body,
		    char *err, size_t errlen)
{
	struct reply r = { .d = arg, .req = req, .json = json, .body = body, .err = err,
			   .errlen = errlen };
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
	if (fn == cmd_pool)
		return fn(&r, a);	/* renders by itself; some answers come later */
	if (json)
		json_init(&r.w, body, false);
	rc = fn(&r, a);
	if (!rc && json)
		json_finish(&r.w);
	/* a reload answers once the datapath has the new config */
	if (!rc && fn == cmd_reload)
		rc = xlbd_changes_answer_when_done(r.d, body);
	return rc;
}

int xlbd_ctl_open(struct xlbd *d)
{
	return ctl_server_open(d->el, d->conf->socket_path, d->conf->socket_group, dispatch, d,
			       &d->ctl);
}
