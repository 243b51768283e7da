// SPDX-License-Identifier: GPL-2.0
/*
 * From config and runtime state to the datapath.
 *
 * Ids: every VIP gets a datapath VIP id and every (VIP, backend) pair a
 * backend id. Ids are node-local (Maglev tables depend only on addresses
 * and weights) and stay the same across reloads and restarts — a
 * restarted xlbd adopts the ids a running balancer uses (xlbd_adopt), so
 * the flow table's entries keep pointing at the right backends. An id
 * given to another backend gets a new generation, which turns old flow
 * entries for it stale.
 *
 * A reload applies only the difference: a VIP whose definition did not
 * change is not touched at all (no map write), a changed VIP keeps its id
 * and the ids of the backends it keeps, and gets a new table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xlbd.h"
#include "lib/log.h"
#include "maps/dataplane.h"

/* What a previous xlbd left in the pinned maps (xlbd_adopt). */
struct adopted_vip {
	struct xlb_vip_key key;
	__u32 id;
};

struct adopted_be {
	union xlb_addr addr;
	__u8 family;
	__u16 vip_id;
	__u32 id;
	__u32 gen;
	bool present;		/* XLB_BE_F_PRESENT: it kept flows */
};

static struct adopted_vip *adopted_vips;
static size_t n_adopted_vips;
static struct adopted_be *adopted_bes;
static size_t n_adopted_bes;
static __u32 be_gen[XLB_MAX_BACKENDS];	/* last generation given to each id */

static int id_alloc(__u8 *used, __u32 first, __u32 n)
{
	__u32 i;

	for (i = first; i < n; i++) {
		if (!used[i]) {
			used[i] = 1;
			return i;
		}
	}
	return -ENOSPC;
}

static int adopt_vip_cb(const struct xlb_vip_key *key, const struct xlb_vip *vip, void *arg)
{
	struct adopted_vip *a;

	(void)arg;
	a = realloc(adopted_vips, (n_adopted_vips + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	adopted_vips = a;
	a[n_adopted_vips++] = (struct adopted_vip){ .key = *key, .id = vip->id };
	return 0;
}

int xlbd_adopt(struct xlbd *d)
{
	struct xlb_backend be;
	__u32 id;
	int err;

	if (!d->dp)
		return 0;
	err = xlb_dp_vip_foreach(d->dp, adopt_vip_cb, NULL);
	if (err)
		return err;
	for (id = 1; id < XLB_MAX_BACKENDS; id++) {
		struct adopted_be *a;

		if (xlb_dp_backend_get(d->dp, id, &be))
			continue;
		be_gen[id] = be.gen;
		if (!be.family)
			continue;
		a = realloc(adopted_bes, (n_adopted_bes + 1) * sizeof(*a));
		if (!a)
			return -ENOMEM;
		adopted_bes = a;
		a[n_adopted_bes++] = (struct adopted_be){ .addr = be.addr, .family = be.family,
							  .vip_id = be.vip_id, .id = id,
							  .gen = be.gen,
							  .present = be.flags & XLB_BE_F_PRESENT };
	}
	if (n_adopted_vips)
		log_info("adopting %zu VIPs and %zu backends from the running datapath",
			 n_adopted_vips, n_adopted_bes);
	return 0;
}

static void adopt_free(void)
{
	free(adopted_vips);
	free(adopted_bes);
	adopted_vips = NULL;
	adopted_bes = NULL;
	n_adopted_vips = n_adopted_bes = 0;
}

static int vip_id_get(struct xlbd *d, const struct conf_vip *c, __u32 *id)
{
	struct xlb_vip_key key;
	size_t i;
	int n;

	xlbd_vip_key(c, &key);
	for (i = 0; i < n_adopted_vips; i++) {
		if (!memcmp(&adopted_vips[i].key, &key, sizeof(key)) &&
		    adopted_vips[i].id < XLB_MAX_VIPS && !d->vip_ids[adopted_vips[i].id]) {
			*id = adopted_vips[i].id;
			d->vip_ids[*id] = 1;
			return 0;
		}
	}
	n = id_alloc(d->vip_ids, 0, XLB_MAX_VIPS);
	if (n < 0)
		return n;
	*id = n;
	return 0;
}

/* `checked`: the VIP has a health check. */
static int be_id_get(struct xlbd *d, __u32 vip_id, struct rt_backend *b, bool checked)
{
	size_t i;
	int n;

	for (i = 0; i < n_adopted_bes; i++) {
		struct adopted_be *a = &adopted_bes[i];

		if (a->vip_id == vip_id && a->family == b->conf->addr.family &&
		    !memcmp(&a->addr, &b->conf->addr.addr, sizeof(a->addr)) && !d->be_ids[a->id]) {
			d->be_ids[a->id] = 1;
			b->id = a->id;
			b->gen = a->gen;
			/* the previous xlbd had taken it out (its check failed,
			 * or depooled --now): it stays out until its own check
			 * passes, instead of taking new connections for
			 * fall x interval after a restart if it is still dead */
			if (!a->present && checked)
				b->healthy = false;
			return 0;
		}
	}
	n = id_alloc(d->be_ids, 1, XLB_MAX_BACKENDS);
	if (n < 0)
		return n;
	b->id = n;
	b->gen = ++be_gen[n];
	return 0;
}

static void be_id_put(struct xlbd *d, struct rt_backend *b)
{
	if (!b->id)
		return;
	if (d->dp)
		xlb_dp_backend_del(d->dp, b->id);
	d->be_ids[b->id] = 0;
	b->id = 0;
}

static void vip_remove(struct xlbd *d, struct rt_vip *v)
{
	struct xlb_vip_key key;
	size_t k;

	if (d->dp && v->has_id) {
		xlbd_vip_key(v->conf, &key);
		xlb_dp_vip_del(d->dp, &key);
	}
	xlbd_checks_stop_vip(v);
	for (k = 0; k < v->n_backends; k++)
		be_id_put(d, &v->backends[k]);
	if (v->has_id)
		d->vip_ids[v->id] = 0;
	free(v->backends);
	v->backends = NULL;
	v->n_backends = 0;
	v->has_id = false;
	rt_sc_free(&v->sc);
}

static struct rt_backend *old_backend(struct rt_vip *old, const struct conf_backend *cb)
{
	size_t k;

	if (!old)
		return NULL;
	for (k = 0; k < old->n_backends; k++) {
		const struct conf_addr *a = &old->backends[k].conf->addr;

		if (a->family == cb->addr.family && !memcmp(&a->addr, &cb->addr.addr, sizeof(a->addr)))
			return &old->backends[k];
	}
	return NULL;
}

/* Build the runtime VIP for new config c, reusing `old` (same key) when
 * given. Returns 1 if the datapath must be written, 0 if unchanged. */
static int vip_build(struct xlbd *d, struct rt_vip *nv, const struct conf_vip *c,
		     struct rt_vip *old)
{
	bool same = old && conf_vip_equal(old->conf, c);
	size_t k;
	int err;

	memset(nv, 0, sizeof(*nv));
	nv->conf = c;
	nv->addr_disabled = rt_addr_disabled(d, &c->addr);
	if (old) {
		nv->id = old->id;
		nv->has_id = old->has_id;
		nv->disabled = old->disabled;
		nv->ring_size = old->ring_size;
		nv->fingerprint = old->fingerprint;
		old->has_id = false; /* the id moves to nv */
	} else if (d->dp && !c->local) {
		err = vip_id_get(d, c, &nv->id);
		if (err)
			return err;
		nv->has_id = true;
	}
	nv->backends = calloc(c->n_backends ? c->n_backends : 1, sizeof(*nv->backends));
	if (!nv->backends)
		return -ENOMEM;
	nv->n_backends = c->n_backends;
	for (k = 0; k < c->n_backends; k++) {
		struct rt_backend *b = &nv->backends[k], *ob = old_backend(old, &c->backends[k]);

		if (ob) {
			*b = *ob;
			ob->id = 0; /* moves to the new VIP, with its check */
			ob->hc = NULL;
			ob->hc_ctx = NULL;
		} else {
			b->healthy = true;
		}
		b->conf = &c->backends[k];
		if (!ob && nv->has_id) {
			err = be_id_get(d, nv->id, b, c->health.kind != CONF_HC_NONE);
			if (err)
				return err;
		}
	}
	if (old) {
		/* second chance: the tables go on (its config decides) */
		nv->sc = old->sc;
		memset(&old->sc, 0, sizeof(old->sc));
		nv->hc = old->hc;
		nv->hc_ctx = old->hc_ctx;
		nv->local_state = old->local_state;
		nv->failed_at = old->failed_at;
		nv->last_route = old->last_route;
		nv->gshut_until = old->gshut_until;
		nv->file_disabled = old->file_disabled;
		old->hc = NULL;
		old->hc_ctx = NULL;
	}
	if (!same)
		xlbd_checks_start(d, nv, old ? old->conf : NULL);
	else if (!old)
		xlbd_checks_start(d, nv, NULL);
	return same ? 0 : 1;
}

static int conf_needs_restart(const struct xlb_conf *a, const struct xlb_conf *b, char *err,
			      size_t errlen)
{
#define STR_DIFF(x, y) (((x) == NULL) != ((y) == NULL) || ((x) && strcmp((x), (y))))
	const char *what = NULL;
	int line = 0;

	if (STR_DIFF(a->xdp_ifname, b->xdp_ifname) || a->xdp_mode != b->xdp_mode)
		what = "xdp interface or mode", line = b->line.xdp;
	else if (STR_DIFF(a->pin_path, b->pin_path))
		what = "pin-path", line = b->line.pin_path;
	else if (a->flow_entries != b->flow_entries)
		what = "flow-table", line = b->line.flow_table;
	else if (STR_DIFF(a->socket_path, b->socket_path) ||
		 STR_DIFF(a->socket_group, b->socket_group))
		what = "control-socket", line = b->line.control_socket;
	else if (STR_DIFF(a->state_file, b->state_file))
		what = "state-file", line = b->line.state_file;
	else if (!conf_pool_state_equal(&a->pool, &b->pool))
		what = "pool-state", line = b->line.pool_state;
#undef STR_DIFF
	if (!what)
		return 0;
	/* no line when the new file dropped the statement (back to the default) */
	if (line)
		snprintf(err, errlen, "%s:%d: %s changed: restart xlbd to apply it", b->file, line,
			 what);
	else
		snprintf(err, errlen, "%s: %s changed (now the default): restart xlbd to apply it",
			 b->file, what);
	return -EINVAL;
}

static int config_map_write(struct xlbd *d, const struct xlb_conf *c)
{
	struct xlb_config cfg = {};

	if (!d->dp)
		return 0;
	if (c->encap_src4.family) {
		cfg.src_v4 = c->encap_src4.addr.v4;
		cfg.has_v4 = 1;
	}
	if (c->encap_src6.family) {
		cfg.src_v6 = c->encap_src6.addr;
		cfg.has_v6 = 1;
	}
	return xlb_dp_config_set(d->dp, &cfg);
}

/* Refuse, before anything changes, a config this xlbd cannot apply. */
static int apply_refused(struct xlbd *d, const struct xlb_conf *conf, char *err, size_t errlen)
{
	size_t i, bes, fwd;

	if (d->conf && conf_needs_restart(d->conf, conf, err, errlen))
		return -EINVAL;
	if (xlbd_privs_check(d, conf, err, errlen))
		return -EPERM;
	/* local VIPs take no datapath id: only forwarding ones count, as in
	 * the parser's limit */
	for (i = 0, bes = 0, fwd = 0; i < conf->n_vips; i++) {
		bes += conf->vips[i].n_backends;
		fwd += !conf->vips[i].local;
	}
	if (fwd > XLB_MAX_VIPS || bes >= XLB_MAX_BACKENDS) {
		snprintf(err, errlen, "%s: %zu forwarding VIPs with %zu backends: the datapath holds "
			 "at most %d VIPs and %d backends", conf->file, fwd, bes, XLB_MAX_VIPS,
			 XLB_MAX_BACKENDS - 1);
		return -E2BIG;
	}
	return 0;
}

/* What an apply did, for its log line. */
struct apply_counts {
	size_t added, changed, removed;
};

/* The running VIP with the key of c, or NULL (a new VIP). */
static struct rt_vip *old_vip(struct xlbd *d, const struct conf_vip *c)
{
	size_t j;

	for (j = 0; j < d->n_vips; j++)
		if (d->vips[j].conf && conf_vip_same_key(d->vips[j].conf, c))
			return &d->vips[j];
	return NULL;
}

/* The new model nv[] for conf: a VIP that was running takes over its ids,
 * checks and runtime state, and what is left of the old one (backends
 * the new config dropped) goes. dirty[i]: nv[i]'s table must be
 * written. */
static int vips_build(struct xlbd *d, struct xlb_conf *conf, struct rt_vip *nv, bool *dirty,
		      struct apply_counts *n, char *err, size_t errlen)
{
	size_t i, j;
	int rc;

	for (i = 0; i < conf->n_vips; i++) {
		struct rt_vip *old = old_vip(d, &conf->vips[i]);

		rc = vip_build(d, &nv[i], &conf->vips[i], old);
		if (rc < 0) {
			snprintf(err, errlen, "%s:%d: cannot set up vip: %s", conf->file,
				 conf->vips[i].line, strerror(-rc));
			/* ids that moved from an old VIP stay valid there */
			for (j = 0; j <= i; j++)
				free(nv[j].backends);
			return rc;
		}
		dirty[i] = rc == 1;
		if (!old) {
			n->added++;
			continue;
		}
		/* backends of the old VIP that the new one dropped */
		for (j = 0; j < old->n_backends; j++) {
			xlbd_checks_stop_backend(&old->backends[j]);
			be_id_put(d, &old->backends[j]);
		}
		free(old->backends);
		old->backends = NULL;
		old->n_backends = 0;
		old->conf = NULL;
		n->changed += rc == 1;
	}
	return 0;
}

/* nv[] becomes the model; the old VIPs that are gone leave the datapath. */
static void vips_replace(struct xlbd *d, struct rt_vip *nv, size_t n_vips, struct apply_counts *n)
{
	size_t j;

	for (j = 0; j < d->n_vips; j++) {
		if (d->vips[j].conf) {
			vip_remove(d, &d->vips[j]);
			n->removed++;
		}
	}
	free(d->vips);
	d->vips = nv;
	d->n_vips = n_vips;
}

/* Write what the new config changed: the encapsulation sources, and the
 * tables of the dirty VIPs unless defer_tables. The first error. */
static int apply_write(struct xlbd *d, const struct xlb_conf *conf, const bool *dirty,
		       bool defer_tables)
{
	int rc, first_err = 0;
	size_t i;

	if (!d->conf || memcmp(&d->conf->encap_src4, &conf->encap_src4, sizeof(conf->encap_src4)) ||
	    memcmp(&d->conf->encap_src6, &conf->encap_src6, sizeof(conf->encap_src6)))
		first_err = config_map_write(d, conf);
	for (i = 0; i < d->n_vips; i++) {
		if (!dirty[i] || defer_tables)
			continue;
		rc = xlbd_vip_sync(d, &d->vips[i]);
		if (rc && !first_err)
			first_err = rc;
	}
	return first_err;
}

/* conf becomes the running config. */
static void conf_switch(struct xlbd *d, struct xlb_conf *conf)
{
	struct xlb_conf *old_conf = d->conf;

	d->conf = conf;
	/* the speaker compares its neighbors with the new ones: the old
	 * config must still be there while it does */
	if (d->bgp && xlbd_bgp_start(d))
		log_warnx("BGP could not follow the new config");
	if (old_conf)
		conf_free(old_conf);
}

/* Make the model follow conf; write the changed VIPs' tables unless
 * `defer_tables` (the caller writes them once it has added what the model
 * needs besides the config). */
static int apply(struct xlbd *d, struct xlb_conf *conf, bool defer_tables, char *err,
		 size_t errlen)
{
	struct apply_counts n = {};
	struct rt_vip *nv;
	bool *dirty;
	int rc;

	rc = apply_refused(d, conf, err, errlen);
	if (rc)
		return rc;
	nv = calloc(conf->n_vips ? conf->n_vips : 1, sizeof(*nv));
	dirty = calloc(conf->n_vips ? conf->n_vips : 1, sizeof(*dirty));
	if (!nv || !dirty) {
		free(nv);
		free(dirty);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = vips_build(d, conf, nv, dirty, &n, err, errlen);
	if (rc) {
		free(nv);
		free(dirty);
		return rc;
	}
	vips_replace(d, nv, conf->n_vips, &n);
	rc = apply_write(d, conf, dirty, defer_tables);
	free(dirty);
	adopt_free();
	conf_switch(d, conf);
	log_info("config %s: %zu VIPs (%zu new, %zu changed, %zu removed)", conf->file,
		 conf->n_vips, n.added, n.changed, n.removed);
	/* new VIPs and backends take their state from etcd, and the fleet
	 * sees the new tables */
	xlbd_pool_config_changed(d);
	if (rc)
		snprintf(err, errlen, "%s: applied, but the datapath refused a change: %s",
			 conf->file, strerror(-rc));
	return rc;
}

int xlbd_apply(struct xlbd *d, struct xlb_conf *conf, char *err, size_t errlen)
{
	return apply(d, conf, false, err, errlen);
}

/*
 * Start-up: the config, then the runtime state file (depools, weights,
 * disabled VIPs), and only then each VIP's table, written once. Writing
 * the config's tables first would put drained backends back for a moment
 * — under traffic a restart then sent new connections to them — and give
 * a depooled-now backend its flows back.
 */
int xlbd_apply_start(struct xlbd *d, struct xlb_conf *conf, char *err, size_t errlen)
{
	int rc, first_err = 0;
	size_t i;

	rc = apply(d, conf, true, err, errlen);
	if (rc)
		return rc;
	xlbd_state_load(d);
	for (i = 0; i < d->n_vips; i++) {
		rc = xlbd_vip_sync(d, &d->vips[i]);
		if (rc && !first_err)
			first_err = rc;
	}
	if (first_err)
		snprintf(err, errlen, "%s: the datapath refused a change: %s", conf->file,
			 strerror(-first_err));
	return first_err;
}

void xlbd_release(struct xlbd *d, bool clear_datapath)
{
	size_t i, k;

	for (i = 0; i < d->n_vips; i++) {
		if (clear_datapath) {
			vip_remove(d, &d->vips[i]);
			continue;
		}
		xlbd_checks_stop_vip(&d->vips[i]);
		for (k = 0; k < d->vips[i].n_backends; k++)
			d->be_ids[d->vips[i].backends[k].id] = 0;
		free(d->vips[i].backends);
		rt_sc_free(&d->vips[i].sc);
	}
	free(d->vips);
	d->vips = NULL;
	d->n_vips = 0;
	free(d->addrs_disabled);
	d->addrs_disabled = NULL;
	d->n_addrs_disabled = 0;
	adopt_free();
	if (d->conf)
		conf_free(d->conf);
	d->conf = NULL;
}
