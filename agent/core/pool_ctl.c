// SPDX-License-Identifier: GPL-2.0
/*
 * `xlbctl pool ...` and `xlbctl fleet status`: the operator's changes to
 * the fleet's pool state, written to etcd by this xlbd (it holds the
 * etcd credentials; xlbctl needs only the control socket), and the view
 * of the fleet.
 *
 * A write is one etcd transaction: put the backend's (or VIP's) key if
 * no key of the VIP's pool changed after the revision the decision was
 * based on — the revision this node has applied, or --revision N from
 * `pool show` — else write nothing and say what changed. So two
 * operators changing the same pool at once cannot overwrite each other
 * unseen: one wins, the other is told. The depool threshold is checked
 * against this node's view (its health checks): a change that would
 * leave the VIP with fewer usable backends than max(min-healthy,
 * depool-threshold x its backends) is refused unless --force.
 *
 * The answer waits until this node has applied the change (the watch
 * brings it back), at most POOL_WRITE_APPLY_MS; etcd down means no write
 * at all: the node keeps what it has and says so.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "core/pool.h"
#include "core/show.h"
#include "ctl/commands.h"
#include "ctl/server.h"
#include "health/health.h"
#include "lib/json.h"
#include "lib/log.h"

#define POOL_WRITE_APPLY_MS 2000

struct pool_write {
	struct xlbd *d;
	struct pool_write *next;
	uint64_t reply;			/* ctl_server_answer() id */
	bool json;
	struct pool_call *call;		/* the transaction, while in flight */
	int64_t base;			/* nothing of the pool may have changed after it */
	int64_t revision;		/* written at; 0 = not yet */
	struct ev_timer timer;		/* waiting for this node to apply it */
	char vip[CONF_VIP_STRLEN];
	char backend[INET6_ADDRSTRLEN];	/* "" for a VIP's own key */
	char what[64];			/* "depooled", "weight 50", "disabled" ... */
	char value[128];		/* what was written */
};

/* ---- answers ---- */

static void write_unlink(struct pool_write *w)
{
	struct xlbd_pool *pl = w->d->pool;
	struct pool_write **pp;

	for (pp = &pl->writes; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
}

static void write_free(struct pool_write *w)
{
	write_unlink(w);
	pool_call_cancel(w->call);
	evloop_timer_cancel(w->d->el, &w->timer);
	free(w);
}

static void write_answer_ok(struct pool_write *w, bool applied)
{
	struct buf body;
	struct json_writer jw;
	const char *subject = w->backend[0] ? "backend " : "";

	buf_init(&body, 0);
	if (w->json) {
		json_init(&jw, &body, false);
		json_object_start(&jw);
		json_kv_string(&jw, "vip", w->vip);
		if (w->backend[0])
			json_kv_string(&jw, "backend", w->backend);
		else
			json_kv_null(&jw, "backend");
		json_kv_string(&jw, "change", w->what);
		json_kv_string(&jw, "value", w->value);
		json_kv_s64(&jw, "revision", w->revision);
		json_kv_bool(&jw, "applied", applied);
		json_object_end(&jw);
		json_finish(&jw);
	} else {
		buf_printf(&body, "vip %s %s%s: %s in etcd at revision %lld%s\n", w->vip, subject,
			   w->backend, w->what, (long long)w->revision,
			   applied ? ", applied here" :
				     " (not applied here yet: xlbctl pool show says when)");
	}
	ctl_server_answer(w->d->ctl, w->reply, CTL_OK, NULL, &body);
	buf_free(&body);
}

static void write_answer_err(struct pool_write *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void write_answer_err(struct pool_write *w, const char *fmt, ...)
{
	char msg[CTL_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctl_server_answer(w->d->ctl, w->reply, CTL_ERR_RUNTIME, msg, NULL);
}

static void apply_timeout(struct evloop *el, void *arg)
{
	struct pool_write *w = arg;

	(void)el;
	write_answer_ok(w, false);
	write_free(w);
}

void xlbd_pool_writes_applied(struct xlbd *d, int64_t revision)
{
	struct pool_write *w, *next;

	if (!d->pool)
		return;
	for (w = d->pool->writes; w; w = next) {
		next = w->next;
		if (w->revision && w->revision <= revision) {
			write_answer_ok(w, true);
			write_free(w);
		}
	}
}

void xlbd_pool_writes_free(struct xlbd *d)
{
	while (d->pool && d->pool->writes) {
		write_answer_err(d->pool->writes, "xlbd is stopping: whether the change was "
				 "written is not known (xlbctl pool show)");
		write_free(d->pool->writes);
	}
}

/* The transaction came back. */
static void write_done(void *arg, int err, const struct etcd_resp *r, const char *detail)
{
	struct pool_write *w = arg;
	struct xlbd *d = w->d;
	struct xlbd_pool *pl = d->pool;
	const struct etcd_kv *newest = NULL;
	size_t i;

	w->call = NULL;
	if (err) {
		pl->writes_failed++;
		write_answer_err(w, "etcd did not answer (%s): the change may or may not have been "
				 "written; look with xlbctl pool show", detail);
		write_free(w);
		return;
	}
	if (r->code) {
		pl->writes_failed++;
		write_answer_err(w, "etcd refused the change: %s (nothing written)", r->message);
		write_free(w);
		return;
	}
	if (!r->succeeded) {
		/* the failure branch read the pool: who changed what */
		for (i = 0; i < r->n_kvs; i++)
			if (!newest || r->kvs[i].mod_revision > newest->mod_revision)
				newest = &r->kvs[i];
		pl->writes_conflict++;
		log_info("pool: %s %s %s not written: changed concurrently since revision %lld",
			 w->vip, w->backend, w->what, (long long)w->base);
		if (newest && newest->mod_revision > w->base)
			write_answer_err(w, "not written: the pool of %s changed in etcd after "
					 "revision %lld (%s is %.60s since revision %lld); look again "
					 "(xlbctl pool show) and repeat",
					 w->vip, (long long)w->base, newest->key, newest->value,
					 (long long)newest->mod_revision);
		else
			write_answer_err(w, "not written: the pool of %s changed in etcd after "
					 "revision %lld; look again (xlbctl pool show) and repeat",
					 w->vip, (long long)w->base);
		write_free(w);
		return;
	}
	pl->writes_ok++;
	w->revision = r->revision;
	log_info("pool: vip %s%s%s %s written to etcd at revision %lld (xlbctl)", w->vip,
		 w->backend[0] ? " backend " : "", w->backend, w->what, (long long)w->revision);
	if (d->pool_revision >= w->revision) {
		write_answer_ok(w, true);
		write_free(w);
		return;
	}
	evloop_timer_set(d->el, &w->timer, POOL_WRITE_APPLY_MS, apply_timeout, w);
}

/* ---- the checks ---- */

static bool usable(const struct rt_backend *b, enum rt_pool pool, __u32 weight)
{
	return pool == RT_POOLED && weight > 0 && b->healthy && (!b->hc || b->hc_state == HC_UP);
}

/*
 * Would b going to (pool, weight) leave v with fewer usable backends
 * than it needs? Usable as the announce rule counts them on this node.
 * Inactive backends are not in the pool: not in the total either.
 */
static bool below_threshold(struct xlbd *d, const struct rt_vip *v, const struct rt_backend *tb,
			    enum rt_pool pool, __u32 weight, char *why, size_t len)
{
	size_t k, total = 0, after = 0, need;
	bool before_usable = usable(tb, tb->pool, rt_backend_weight(tb));
	unsigned pct = d->conf->pool.depool_threshold;

	for (k = 0; k < v->n_backends; k++) {
		const struct rt_backend *b = &v->backends[k];
		enum rt_pool p = b == tb ? pool : b->pool;
		__u32 w = b == tb ? weight : b->has_weight ? b->weight : b->conf->weight;

		if (p == RT_INACTIVE)
			continue;
		total++;
		after += usable(b, p, w);
	}
	need = (total * pct + 99) / 100;
	if (need < v->conf->min_healthy)
		need = v->conf->min_healthy;
	/* a backend already unusable takes nothing away */
	if (!before_usable || after >= need)
		return false;
	snprintf(why, len, "%zu usable backend%s of %zu would be left, fewer than %zu "
		 "(min-healthy %u, depool-threshold %u%%)", after, after == 1 ? "" : "s", total,
		 need, v->conf->min_healthy, pct);
	return true;
}

/* ---- the commands ---- */

struct cmd {
	struct xlbd *d;
	const struct ctl_request *req;
	struct rt_vip *vip;
	bool json;
	struct buf *body;
	char *err;
	size_t errlen;
};

static int fail(struct cmd *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct cmd *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return code;
}

static int store_down(struct cmd *c)
{
	struct pool_store_status st;

	pool_store_status(c->d->pool->store, &st);
	return fail(c, CTL_ERR_RUNTIME,
		    "etcd is unreachable (%s): nothing written; every node keeps the pool state it "
		    "has (this one: revision %lld)",
		    st.last_error[0] ? st.last_error : "not connected yet",
		    (long long)c->d->pool_revision);
}

/* Start the transaction: put key=value if nothing under the VIP's pool
 * changed after w->base. */
static int write_start(struct cmd *c, struct pool_write *w, const char *key)
{
	struct xlbd_pool *pl = c->d->pool;
	const char *prefix = pool_store_prefix(pl->store);
	char bprefix[POOL_KEY_MAX], vkey[POOL_KEY_MAX], *bend = NULL, *body = NULL;
	size_t bend_len = 0;
	int err = -ENOMEM;

	if (pool_key_vip_backends_prefix(prefix, w->vip, bprefix, sizeof(bprefix)) ||
	    pool_key_vip(prefix, w->vip, vkey, sizeof(vkey))) {
		err = -ENAMETOOLONG;
		goto out;
	}
	bend = etcd_prefix_end(bprefix, strlen(bprefix), &bend_len);
	if (!bend)
		goto out;
	{
		struct etcd_cmp cmp[] = {
			{ .target = ETCD_CMP_MOD, .result = ETCD_CMP_LESS, .key = bprefix,
			  .range_end = bend, .range_end_len = bend_len, .number = w->base + 1 },
			{ .target = ETCD_CMP_MOD, .result = ETCD_CMP_LESS, .key = vkey,
			  .number = w->base + 1 },
		};
		struct etcd_op put = { .type = ETCD_OP_PUT, .key = key, .value = w->value };
		struct etcd_op reads[] = {
			{ .type = ETCD_OP_RANGE, .key = bprefix, .range_end = bend,
			  .range_end_len = bend_len },
			{ .type = ETCD_OP_RANGE, .key = vkey },
		};

		body = etcd_req_txn(cmp, 2, &put, 1, reads, 2);
	}
	if (!body)
		goto out;
	err = pool_store_call(pl->store, "/v3/kv/txn", body, write_done, w, &w->call);
out:
	free(bend);
	free(body);
	if (err == -ENOTCONN)
		return store_down(c);
	if (err)
		return fail(c, CTL_ERR_RUNTIME, "cannot send the change to etcd: %s",
			    strerror(-err));
	w->reply = ctl_server_defer(c->d->ctl);
	w->next = pl->writes;
	pl->writes = w;
	return CTL_DEFERRED;
}

static struct pool_write *write_new(struct cmd *c)
{
	struct pool_write *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->d = c->d;
	w->json = c->json;
	w->base = c->req->args.has_revision ? (int64_t)c->req->args.revision : c->d->pool_revision;
	conf_vip_format(c->vip->conf, w->vip, sizeof(w->vip));
	return w;
}

static int cmd_backend(struct cmd *c)
{
	const struct ctl_args *a = &c->req->args;
	enum ctl_cmd_id id = c->req->cmd->id;
	const struct pool_view *view = pool_store_view(c->d->pool->store);
	const struct pool_view_be *cur;
	struct pool_be_value v = { .pooled = POOL_YES };
	struct rt_backend *b;
	struct pool_write *w;
	char key[POOL_KEY_MAX], why[200], *value;
	enum rt_pool pool;
	__u32 weight;
	int rc;

	if (c->vip->conf->local)
		return fail(c, CTL_ERR_RUNTIME, "vip %s is a local (host mode) VIP: no backends",
			    a->vip);
	b = rt_backend_find(c->vip, a->backend);
	if (!b)
		return fail(c, CTL_ERR_RUNTIME, "vip %s has no backend '%s'", a->vip, a->backend);
	w = write_new(c);
	if (!w)
		return fail(c, CTL_ERR_RUNTIME, "out of memory");
	snprintf(w->backend, sizeof(w->backend), "%s", a->backend);
	/* what etcd has now, changed in one field */
	cur = pool_view_backend(view, w->vip, a->backend);
	if (cur && !cur->bad)
		v = cur->v;
	switch (id) {
	case CTL_CMD_POOL_DEPOOL:
		v.pooled = POOL_NO;
		snprintf(w->what, sizeof(w->what), "depooled");
		break;
	case CTL_CMD_POOL_POOL:
		v.pooled = POOL_YES;
		snprintf(w->what, sizeof(w->what), "pooled");
		break;
	case CTL_CMD_POOL_INACTIVE:
		v.pooled = POOL_INACTIVE;
		snprintf(w->what, sizeof(w->what), "inactive");
		break;
	default:
		if (a->n > POOL_WEIGHT_MAX) {
			free(w);
			return fail(c, CTL_ERR_USAGE, "weight '%u' is not a number from 0 to %d",
				    a->n, POOL_WEIGHT_MAX);
		}
		v.has_weight = true;
		v.weight = a->n;
		snprintf(w->what, sizeof(w->what), "weight %u", a->n);
		break;
	}
	pool = v.pooled == POOL_NO ? RT_DEPOOLED : v.pooled == POOL_INACTIVE ? RT_INACTIVE :
								 RT_POOLED;
	weight = v.has_weight ? v.weight : b->conf->weight;
	if (!a->force && below_threshold(c->d, c->vip, b, pool, weight, why, sizeof(why))) {
		free(w);
		c->d->pool->writes_refused++;
		log_info("pool: vip %s backend %s %s refused: %s", a->vip, a->backend,
			 id == CTL_CMD_POOL_WEIGHT ? "weight change" : "depool", why);
		return fail(c, CTL_ERR_RUNTIME, "refused: %s; --force to do it anyway", why);
	}
	value = pool_be_value_format(&v);
	if (!value || strlen(value) >= sizeof(w->value)) {
		free(value);
		free(w);
		return fail(c, CTL_ERR_RUNTIME, "out of memory");
	}
	strcpy(w->value, value);
	free(value);
	if (pool_key_backend(pool_store_prefix(c->d->pool->store), w->vip, w->backend, key,
			     sizeof(key))) {
		free(w);
		return fail(c, CTL_ERR_RUNTIME, "key too long");
	}
	rc = write_start(c, w, key);
	if (rc != CTL_DEFERRED)
		free(w);
	return rc;
}

static int cmd_vip(struct cmd *c, bool enabled)
{
	struct pool_vip_value v = { .enabled = enabled };
	struct pool_write *w;
	char key[POOL_KEY_MAX], *value;
	int rc;

	w = write_new(c);
	if (!w)
		return fail(c, CTL_ERR_RUNTIME, "out of memory");
	snprintf(w->what, sizeof(w->what), "%s", enabled ? "enabled" : "disabled");
	value = pool_vip_value_format(&v);
	if (!value) {
		free(w);
		return fail(c, CTL_ERR_RUNTIME, "out of memory");
	}
	snprintf(w->value, sizeof(w->value), "%s", value);
	free(value);
	if (pool_key_vip(pool_store_prefix(c->d->pool->store), w->vip, key, sizeof(key))) {
		free(w);
		return fail(c, CTL_ERR_RUNTIME, "key too long");
	}
	rc = write_start(c, w, key);
	if (rc != CTL_DEFERRED)
		free(w);
	return rc;
}

/* ---- fleet status ---- */

struct fleet_read {
	struct xlbd *d;
	uint64_t reply;
	bool json;
};

static void fleet_done(void *arg, int err, const struct etcd_resp *r, const char *detail)
{
	struct fleet_read *f = arg;
	struct xlbd *d = f->d;
	struct pool_view view;
	struct json_writer jw;
	struct buf body;
	size_t i;

	if (err || r->code) {
		char msg[CTL_MSG_MAX];

		snprintf(msg, sizeof(msg), "cannot read the fleet from etcd: %s",
			 err ? detail : r->message);
		ctl_server_answer(d->ctl, f->reply, CTL_ERR_RUNTIME, msg, NULL);
		free(f);
		return;
	}
	pool_view_init(&view);
	for (i = 0; i < r->n_kvs; i++)
		if (pool_view_put(&view, pool_store_prefix(d->pool->store), &r->kvs[i]) < 0)
			break;
	buf_init(&body, 0);
	if (f->json)
		json_init(&jw, &body, false);
	show_fleet(d, &view, r->revision, false, &body, f->json ? &jw : NULL);
	if (f->json)
		json_finish(&jw);
	ctl_server_answer(d->ctl, f->reply, CTL_OK, NULL, &body);
	buf_free(&body);
	pool_view_clear(&view);
	free(f);
}

static int cmd_fleet(struct cmd *c)
{
	struct xlbd_pool *pl = c->d->pool;
	const char *prefix = pool_store_prefix(pl->store);
	struct pool_store_status st;
	struct json_writer jw;
	struct fleet_read *f;
	char *key = NULL, *end = NULL, *body = NULL;
	size_t end_len;
	int err = -ENOMEM;

	pool_store_status(pl->store, &st);
	if (!st.up) {
		/* what this node saw last, marked as such */
		if (c->json)
			json_init(&jw, c->body, false);
		show_fleet(c->d, pool_store_view(pl->store), st.store_revision, true, c->body,
			   c->json ? &jw : NULL);
		if (c->json)
			json_finish(&jw);
		return CTL_OK;
	}
	f = calloc(1, sizeof(*f));
	if (!f || asprintf(&key, "%s/", prefix) < 0) {
		free(f);
		return fail(c, CTL_ERR_RUNTIME, "out of memory");
	}
	end = etcd_prefix_end(key, strlen(key), &end_len);
	if (end)
		body = etcd_req_range(key, end, end_len, 0, 0);
	f->d = c->d;
	f->json = c->json;
	if (body)
		err = pool_store_call(pl->store, "/v3/kv/range", body, fleet_done, f, NULL);
	free(key);
	free(end);
	free(body);
	if (err) {
		free(f);
		if (err == -ENOTCONN)
			return store_down(c);
		return fail(c, CTL_ERR_RUNTIME, "cannot ask etcd: %s", strerror(-err));
	}
	f->reply = ctl_server_defer(c->d->ctl);
	return CTL_DEFERRED;
}

int xlbd_pool_cmd(struct xlbd *d, const struct ctl_request *req, struct rt_vip *vip, bool json,
		  struct buf *body, char *err, size_t errlen)
{
	struct cmd c = { .d = d, .req = req, .vip = vip, .json = json, .body = body, .err = err,
			 .errlen = errlen };
	struct json_writer jw;

	if (!d->pool)
		return fail(&c, CTL_ERR_RUNTIME,
			    "this node keeps its pool state in its state file (no `pool-state etcd` "
			    "in %s): use xlbctl backend depool|pool|set and vip disable|enable",
			    d->conf->file);
	switch (req->cmd->id) {
	case CTL_CMD_POOL_SHOW:
		if (json)
			json_init(&jw, body, false);
		show_pool(d, vip, body, json ? &jw : NULL);
		if (json)
			json_finish(&jw);
		return CTL_OK;
	case CTL_CMD_FLEET_STATUS:
		return cmd_fleet(&c);
	case CTL_CMD_POOL_DISABLE:
	case CTL_CMD_POOL_ENABLE:
		if (!pool_store_view(d->pool->store) || !d->pool->up)
			return store_down(&c);
		return cmd_vip(&c, req->cmd->id == CTL_CMD_POOL_ENABLE);
	default:
		if (!d->pool->up)
			return store_down(&c);
		return cmd_backend(&c);
	}
}
