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
#include <stdio.h>
#include <string.h>

#include "bgp/speaker.h"
#include "core/show.h"
#include "core/xlbd.h"
#include "ctl/commands.h"
#include "ctl/server.h"
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

/* Where a renderer writes JSON: NULL for a text answer. */
static struct json_writer *jw(struct reply *r)
{
	return r->json ? &r->w : NULL;
}

static int cmd_vip_show(struct reply *r, const struct ctl_args *a)
{
	(void)a;
	show_vips(r->d, r->vip, r->body, jw(r));
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
	(void)a;
	show_backends(r->d, r->vip, r->body, jw(r));
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
	return backend_changed(r, a, rt_pool_name(b->pool));
}

static int cmd_backend_pool(struct reply *r, const struct ctl_args *a)
{
	struct rt_backend *b = backend_arg(r, a);

	if (!b)
		return 1;
	b->pool = RT_POOLED;
	return backend_changed(r, a, rt_pool_name(b->pool));
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
	int err;

	(void)a;
	if (!r->d->dp)
		return fail(r, 1, "no datapath (no `xdp interface` in the config)");
	err = xlb_dp_stats_read(r->d->dp, st);
	if (err)
		return fail(r, 1, "cannot read counters: %s", strerror(-err));
	show_stats(st, r->body, jw(r));
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
	if (!b)
		return none(r, "no BFD sessions configured");
	show_bfd(b, NULL, r->body, jw(r));
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
