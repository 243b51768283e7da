// SPDX-License-Identifier: GPL-2.0
/*
 * Health checks wired into xlbd: one check per backend of a forwarding
 * VIP (probing the backend's address) and one per host-mode VIP (probing
 * the VIP on this host). A backend that fails (after `fall` failures)
 * leaves the Maglev table and its flows move; after `rise` successes it
 * comes back. Each verdict goes to xlbd_vip_changed() (tables.c); what
 * is announced follows the rule of model.c: a forwarding VIP needs
 * min-healthy backends whose check passed, a host-mode VIP its own check.
 *
 * A check outlives reloads that do not change it: its state is the
 * evidence the announcement rests on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "core/xlbd.h"
#include "health/health.h"
#include "lib/log.h"

/* Who a check belongs to, found again when it reports: where it was
 * last (the runtime arrays move on every reload, which tells the checks
 * where they are now: xlbd_checks_rehome), checked by identity. A
 * verdict costs O(1), not a search of every VIP. */
struct check_ctx {
	struct xlbd *d;
	/* the VIP's key (conf_vip_same_key's fields: a whole conf_vip here
	 * cost 300 bytes a check, 1.3 MB at 4595 checks) */
	struct conf_addr addr;
	__u16 port;
	__u8 proto;
	bool local;
	struct conf_addr backend;	/* family 0: the VIP's own check */
	__u32 vip_idx, be_idx;		/* where it was last */
};

static bool ctx_is(const struct check_ctx *c, const struct conf_vip *cv)
{
	if (!cv || !conf_addr_eq(&cv->addr, &c->addr) || cv->local != c->local)
		return false;
	return c->local || (cv->proto == c->proto && cv->port == c->port);
}

static struct rt_vip *ctx_vip(struct check_ctx *c)
{
	size_t i;

	if (c->vip_idx < c->d->n_vips && ctx_is(c, c->d->vips[c->vip_idx].conf))
		return &c->d->vips[c->vip_idx];
	for (i = 0; i < c->d->n_vips; i++) {
		if (ctx_is(c, c->d->vips[i].conf)) {
			c->vip_idx = (__u32)i;
			return &c->d->vips[i];
		}
	}
	return NULL;
}

static struct rt_backend *ctx_backend(struct check_ctx *c, struct rt_vip *v)
{
	size_t k;

	if (c->be_idx < v->n_backends &&
	    !memcmp(&v->backends[c->be_idx].conf->addr, &c->backend, sizeof(c->backend)))
		return &v->backends[c->be_idx];
	for (k = 0; k < v->n_backends; k++) {
		if (!memcmp(&v->backends[k].conf->addr, &c->backend, sizeof(c->backend))) {
			c->be_idx = (__u32)k;
			return &v->backends[k];
		}
	}
	return NULL;
}

void xlbd_checks_rehome(struct xlbd *d, struct rt_vip *v)
{
	size_t i = v - d->vips, k;

	if (v->hc_ctx)
		v->hc_ctx->vip_idx = (__u32)i;
	for (k = 0; k < v->n_backends; k++) {
		if (v->backends[k].hc_ctx) {
			v->backends[k].hc_ctx->vip_idx = (__u32)i;
			v->backends[k].hc_ctx->be_idx = (__u32)k;
		}
	}
}

static void on_change(void *arg, struct hc *hc, enum hc_state state, const char *reason)
{
	struct check_ctx *c = arg;
	struct rt_vip *v = ctx_vip(c);
	struct rt_backend *b;
	bool healthy = state != HC_DOWN;
	enum xlbd_change what = XLBD_CHANGE_ROUTE;

	log_info("%s: %s (%s)", hc_label(hc), state == HC_UP ? "up" : "down", reason);
	if (!v)
		return;
	if (!c->backend.family) {
		v->local_state = state;
		xlbd_vip_changed(c->d, v, XLBD_CHANGE_ROUTE);
		return;
	}
	b = ctx_backend(c, v);
	if (!b)
		return;
	b->hc_state = state;
	if (b->healthy != healthy) {
		b->healthy = healthy;
		/* in or out of the Maglev table; a failed backend also loses
		 * its flows (backend entry no longer present) */
		what = XLBD_CHANGE_TABLE;
	}
	xlbd_vip_changed(c->d, v, what);
}

static int check_new(struct xlbd *d, const struct conf_vip *cv, const struct conf_addr *backend,
		     struct hc **hc, struct check_ctx **ctx)
{
	struct hc_target t = { .port = cv->port };
	struct check_ctx *c;
	char vip[CONF_VIP_STRLEN], be[INET6_ADDRSTRLEN], label[160];
	int err;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->d = d;
	c->addr = cv->addr;
	c->proto = cv->proto;
	c->port = cv->port;
	c->local = cv->local;
	conf_vip_format(cv, vip, sizeof(vip));
	if (backend) {
		c->backend = *backend;
		inet_ntop(backend->family == XLB_FAMILY_V4 ? AF_INET : AF_INET6, &backend->addr, be,
			  sizeof(be));
		snprintf(label, sizeof(label), "vip %s backend %s", vip, be);
		t.addr = *backend;
	} else {
		snprintf(label, sizeof(label), "vip %s", vip);
		t.addr = cv->addr;
	}
	t.label = label;
	err = hc_new(d->el, &cv->health, &t, on_change, c, hc);
	if (err) {
		log_warnx("%s: cannot start its health check: %s", label, strerror(-err));
		free(c);
		return err;
	}
	*ctx = c;
	return 0;
}

void xlbd_checks_stop_backend(struct rt_backend *b)
{
	hc_free(b->hc);
	free(b->hc_ctx);
	b->hc = NULL;
	b->hc_ctx = NULL;
	b->hc_state = HC_UNKNOWN;
}

void xlbd_checks_stop_vip(struct rt_vip *v)
{
	size_t k;

	hc_free(v->hc);
	free(v->hc_ctx);
	v->hc = NULL;
	v->hc_ctx = NULL;
	v->local_state = HC_UNKNOWN;
	for (k = 0; k < v->n_backends; k++)
		xlbd_checks_stop_backend(&v->backends[k]);
}

int xlbd_checks_start(struct xlbd *d, struct rt_vip *v, const struct conf_vip *old)
{
	const struct conf_vip *c = v->conf;
	bool changed = old && !conf_health_equal(&old->health, &c->health);
	size_t k;
	int err = 0;

	/* (a new VIP has no evidence to drop, and keeps what xlbd_adopt
	 * found: a backend the previous xlbd had taken out stays out) */
	if (changed) {
		/* a changed check starts from no evidence */
		hc_free(v->hc);
		free(v->hc_ctx);
		v->hc = NULL;
		v->hc_ctx = NULL;
		v->local_state = HC_UNKNOWN;
		for (k = 0; k < v->n_backends; k++) {
			xlbd_checks_stop_backend(&v->backends[k]);
			v->backends[k].healthy = true;
		}
	}
	/* no event loop (tools and benchmarks driving xlbd_apply): no probes */
	if (c->health.kind == CONF_HC_NONE || !d->el)
		return 0;
	if (c->local) {
		if (!v->hc)
			err = check_new(d, c, NULL, &v->hc, &v->hc_ctx);
		return err;
	}
	for (k = 0; k < v->n_backends && !err; k++) {
		struct rt_backend *b = &v->backends[k];

		if (!b->hc)
			err = check_new(d, c, &b->conf->addr, &b->hc, &b->hc_ctx);
	}
	return err;
}
