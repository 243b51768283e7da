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
 * and the ids of the backends it keeps, and gets a new table — written
 * by tables.c at the end of the loop's turn, and over the next turns when
 * many VIPs changed, so a reload of every VIP does not hold the loop.
 *
 * What a previous xlbd left in the maps (VIP entries, backends, markers,
 * encapsulations, the config entry) is read once at start and kept next
 * to the model, so the first apply writes only what differs: a restart
 * with nothing changed writes nothing. Lookups into what was adopted and
 * into the running VIPs are binary searches: a start or reload costs
 * O(n log n) in the VIPs and backends, not O(n^2).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "core/xlbd.h"
#include "lib/log.h"
#include "maps/dataplane.h"

/* What a previous xlbd left in the pinned maps (xlbd_adopt), sorted for
 * binary search: VIPs by key, backends by (VIP id, address). */
struct adopted_vip {
	struct xlb_vip_key key;
	struct xlb_vip vip;
	struct xlb_vip_encap enc;
	bool has_enc;
};

struct adopted_be {
	__u32 id;
	struct xlb_backend be;
};

static struct adopted_vip *adopted_vips;
static size_t n_adopted_vips;
static struct adopted_be *adopted_bes;
static size_t n_adopted_bes;
static struct xlb_config adopted_cfg;
static bool has_adopted_cfg;
static __u32 be_gen[XLB_MAX_BACKENDS];	/* last generation given to each id */

static int key_cmp(const struct xlb_vip_key *a, const struct xlb_vip_key *b)
{
	return memcmp(a, b, sizeof(*a));
}

static int adopted_vip_cmp(const void *x, const void *y)
{
	return key_cmp(&((const struct adopted_vip *)x)->key, &((const struct adopted_vip *)y)->key);
}

/* backends by VIP id, family, address */
static int be_cmp3(__u16 vip_a, __u8 fam_a, const union xlb_addr *a, __u16 vip_b, __u8 fam_b,
		   const union xlb_addr *b)
{
	if (vip_a != vip_b)
		return vip_a < vip_b ? -1 : 1;
	if (fam_a != fam_b)
		return fam_a < fam_b ? -1 : 1;
	return memcmp(a, b, sizeof(*a));
}

static int adopted_be_cmp(const void *x, const void *y)
{
	const struct xlb_backend *a = &((const struct adopted_be *)x)->be;
	const struct xlb_backend *b = &((const struct adopted_be *)y)->be;

	return be_cmp3(a->vip_id, a->family, &a->addr, b->vip_id, b->family, &b->addr);
}

static int marker_cmp(const void *x, const void *y)
{
	return key_cmp(&((const struct xlbd_marker *)x)->key, &((const struct xlbd_marker *)y)->key);
}

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
	struct xlbd *d = arg;

	if (key->proto == 0) {
		/* an address marker: kept as the markers the maps hold */
		struct xlbd_marker *m = realloc(d->markers, (d->n_markers + 1) * sizeof(*m));

		if (!m)
			return -ENOMEM;
		d->markers = m;
		m[d->n_markers++] = (struct xlbd_marker){ .key = *key, .flags = vip->flags };
		return 0;
	}
	{
		struct adopted_vip *a = realloc(adopted_vips, (n_adopted_vips + 1) * sizeof(*a));

		if (!a)
			return -ENOMEM;
		adopted_vips = a;
		a[n_adopted_vips++] = (struct adopted_vip){ .key = *key, .vip = *vip };
	}
	return 0;
}

int xlbd_adopt(struct xlbd *d)
{
	struct xlb_backend *all;
	size_t i;
	__u32 id;
	int err;

	if (!d->dp)
		return 0;
	err = xlb_dp_vip_foreach_all(d->dp, adopt_vip_cb, d);
	if (!err)
		err = xlb_dp_tables_adopt(d->dp);
	if (err)
		return err;
	qsort(adopted_vips, n_adopted_vips, sizeof(*adopted_vips), adopted_vip_cmp);
	qsort(d->markers, d->n_markers, sizeof(*d->markers), marker_cmp);
	for (i = 0; i < n_adopted_vips; i++)
		adopted_vips[i].has_enc = adopted_vips[i].vip.id < XLB_MAX_VIPS &&
					  !xlb_dp_encap_get(d->dp, adopted_vips[i].vip.id,
							    &adopted_vips[i].enc);
	has_adopted_cfg = !xlb_dp_config_get(d->dp, &adopted_cfg);
	all = calloc(XLB_MAX_BACKENDS, sizeof(*all));
	adopted_bes = calloc(XLB_MAX_BACKENDS, sizeof(*adopted_bes));
	if (!all || !adopted_bes) {
		free(all);
		return -ENOMEM;
	}
	err = xlb_dp_backends_read(d->dp, all);
	for (id = 1; id < XLB_MAX_BACKENDS && !err; id++) {
		be_gen[id] = all[id].gen;
		if (all[id].family)
			adopted_bes[n_adopted_bes++] = (struct adopted_be){ .id = id, .be = all[id] };
	}
	free(all);
	if (err)
		return err;
	qsort(adopted_bes, n_adopted_bes, sizeof(*adopted_bes), adopted_be_cmp);
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
	has_adopted_cfg = false;
}

static int vip_id_get(struct xlbd *d, struct rt_vip *nv)
{
	struct adopted_vip want = {}, *a;
	int n;

	xlbd_vip_key(nv->conf, &want.key);
	a = n_adopted_vips ? bsearch(&want, adopted_vips, n_adopted_vips, sizeof(*a),
				     adopted_vip_cmp) : NULL;
	if (a && a->vip.id < XLB_MAX_VIPS && !d->vip_ids[a->vip.id]) {
		nv->id = a->vip.id;
		d->vip_ids[nv->id] = 1;
		/* what the maps hold for it: written again only if it differs */
		nv->dp_vip = a->vip;
		nv->dp_vip_known = true;
		nv->dp_check_table = true;
		nv->dp_encap = a->enc;
		nv->dp_encap_known = a->has_enc;
		return 0;
	}
	n = id_alloc(d->vip_ids, 0, XLB_MAX_VIPS);
	if (n < 0)
		return n;
	nv->id = n;
	return 0;
}

/* `checked`: the VIP has a health check. */
static int be_id_get(struct xlbd *d, __u32 vip_id, struct rt_backend *b, bool checked)
{
	struct adopted_be *a = adopted_bes, *end = adopted_bes + n_adopted_bes;
	size_t n = n_adopted_bes;
	int id;

	/* the first adopted one of this VIP with this address (lower bound),
	 * then the first of those not taken */
	while (n) {
		struct adopted_be *mid = a + n / 2;

		if (be_cmp3(mid->be.vip_id, mid->be.family, &mid->be.addr, vip_id,
			    b->conf->addr.family, &b->conf->addr.addr) < 0) {
			a = mid + 1;
			n -= n / 2 + 1;
		} else {
			n /= 2;
		}
	}
	for (; a < end && !be_cmp3(a->be.vip_id, a->be.family,
			&a->be.addr, vip_id, b->conf->addr.family, &b->conf->addr.addr); a++) {
		if (d->be_ids[a->id])
			continue;
		d->be_ids[a->id] = 1;
		b->id = a->id;
		b->gen = a->be.gen;
		b->dp_be = a->be;
		b->dp_known = true;
		/* the previous xlbd had taken it out (its check failed,
		 * or depooled --now): it stays out until its own check
		 * passes, instead of taking new connections for
		 * fall x interval after a restart if it is still dead */
		if (!(a->be.flags & XLB_BE_F_PRESENT) && checked)
			b->healthy = false;
		return 0;
	}
	id = id_alloc(d->be_ids, 1, XLB_MAX_BACKENDS);
	if (id < 0)
		return id;
	b->id = id;
	b->gen = ++be_gen[id];
	/* an id used before holds its old entry: the first write replaces it */
	b->dp_known = false;
	return 0;
}

/* What leaves the datapath in one apply, written together at its end:
 * VIP entries first (no new flows), then the backends (their flows go
 * stale), then the table slots. */
struct removals {
	struct xlb_vip_key *keys;
	size_t n_keys;
	__u32 *be_ids;
	size_t n_be;
	__u32 *vip_ids;
	size_t n_vip_ids;
};

static int push_u32(__u32 **v, size_t *n, __u32 x)
{
	__u32 *p = realloc(*v, (*n + 1) * sizeof(**v));

	if (!p)
		return -ENOMEM;
	*v = p;
	p[(*n)++] = x;
	return 0;
}

static void be_id_put(struct xlbd *d, struct rt_backend *b, struct removals *rm)
{
	if (!b->id)
		return;
	/* without memory the entry stays; its id is not given out again */
	if (d->dp && push_u32(&rm->be_ids, &rm->n_be, b->id))
		return;
	d->be_ids[b->id] = 0;
	b->id = 0;
}

static void vip_remove(struct xlbd *d, struct rt_vip *v, struct removals *rm)
{
	size_t k;

	if (d->dp && v->has_id && v->dp_vip_known) {
		struct xlb_vip_key *keys = realloc(rm->keys, (rm->n_keys + 1) * sizeof(*keys));

		if (keys) {
			rm->keys = keys;
			xlbd_vip_key(v->conf, &keys[rm->n_keys++]);
		}
		push_u32(&rm->vip_ids, &rm->n_vip_ids, v->id);
	}
	xlbd_checks_stop_vip(v);
	for (k = 0; k < v->n_backends; k++)
		be_id_put(d, &v->backends[k], rm);
	if (v->has_id)
		d->vip_ids[v->id] = 0;
	free(v->backends);
	v->backends = NULL;
	v->n_backends = 0;
	v->has_id = false;
	rt_sc_free(&v->sc);
}

static void removals_write(struct xlbd *d, struct removals *rm)
{
	struct xlb_backend *none;
	size_t i;
	int err = 0;

	if (d->dp) {
		err = xlb_dp_vips_delete(d->dp, rm->keys, rm->n_keys);
		none = calloc(rm->n_be ? rm->n_be : 1, sizeof(*none));
		if (!none)
			err = -ENOMEM;
		else if (!err)
			err = xlb_dp_backends_write(d->dp, rm->be_ids, none, rm->n_be);
		free(none);
		for (i = 0; i < rm->n_vip_ids && !err; i++)
			err = xlb_dp_table_release(d->dp, rm->vip_ids[i]);
		if (!err)
			err = xlb_dp_tables_commit(d->dp);
		if (err)
			log_warnx("cannot remove what left the config from the datapath: %s",
				  strerror(-err));
	}
	free(rm->keys);
	free(rm->be_ids);
	free(rm->vip_ids);
	memset(rm, 0, sizeof(*rm));
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

/* Would a and b give the datapath the same table and VIP entry? (What
 * only the announcement or the checks use may differ.) */
static bool vip_dp_equal(const struct conf_vip *a, const struct conf_vip *b)
{
	size_t k;

	if (a->ring_size != b->ring_size || a->encap != b->encap || a->gue_port != b->gue_port ||
	    a->hash_src != b->hash_src || a->second_chance != b->second_chance ||
	    a->n_backends != b->n_backends)
		return false;
	for (k = 0; k < a->n_backends; k++)
		if (!conf_addr_eq(&a->backends[k].addr, &b->backends[k].addr) ||
		    a->backends[k].weight != b->backends[k].weight)
			return false;
	return true;
}

/* Build the runtime VIP for new config c, reusing `old` (same key) when
 * given. Returns 1 if its table must be written, 0 if not. */
static int vip_build(struct xlbd *d, struct rt_vip *nv, const struct conf_vip *c,
		     struct rt_vip *old)
{
	bool same = old && conf_vip_equal(old->conf, c);
	bool dp_same = old && vip_dp_equal(old->conf, c);
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
		nv->dp_vip = old->dp_vip;
		nv->dp_vip_known = old->dp_vip_known;
		nv->dp_check_table = old->dp_check_table;
		nv->dp_encap = old->dp_encap;
		nv->dp_encap_known = old->dp_encap_known;
		nv->dirty = old->dirty; /* writes still waiting */
		nv->fingerprint = old->fingerprint;
		old->has_id = false; /* the id moves to nv */
	} else if (d->dp && !c->local) {
		err = vip_id_get(d, nv);
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
	return dp_same ? 0 : 1;
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

/* The config entry (encapsulation sources), if the datapath does not
 * hold it already. */
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
	if (has_adopted_cfg && !memcmp(&cfg, &adopted_cfg, sizeof(cfg)))
		return 0;
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

/* The running VIPs by key, for the new config's VIPs to find theirs. */
struct vip_index {
	struct xlb_vip_key key;
	bool local;
	struct rt_vip *v;
};

static int vip_index_cmp(const void *x, const void *y)
{
	const struct vip_index *a = x, *b = y;
	int c = key_cmp(&a->key, &b->key);

	return c ? c : (int)a->local - (int)b->local;
}

static struct vip_index *vip_index_build(struct xlbd *d)
{
	struct vip_index *ix = calloc(d->n_vips + 1, sizeof(*ix));
	size_t i;

	if (!ix)
		return NULL;
	for (i = 0; i < d->n_vips; i++) {
		xlbd_vip_key(d->vips[i].conf, &ix[i].key);
		ix[i].local = d->vips[i].conf->local;
		ix[i].v = &d->vips[i];
	}
	qsort(ix, d->n_vips, sizeof(*ix), vip_index_cmp);
	return ix;
}

/* The running VIP with the key of c, or NULL (a new VIP). */
static struct rt_vip *old_vip(struct xlbd *d, const struct vip_index *ix, const struct conf_vip *c)
{
	struct vip_index want = { .local = c->local }, *hit;

	xlbd_vip_key(c, &want.key);
	hit = d->n_vips ? bsearch(&want, ix, d->n_vips, sizeof(*ix), vip_index_cmp) : NULL;
	return hit && hit->v->conf ? hit->v : NULL;
}

/* The new model nv[] for conf: a VIP that was running takes over its ids,
 * checks and runtime state, and what is left of the old one (backends
 * the new config dropped) goes. dirty[i]: nv[i]'s table must be
 * written. */
static int vips_build(struct xlbd *d, struct xlb_conf *conf, struct rt_vip *nv, bool *dirty,
		      struct apply_counts *n, struct removals *rm, char *err, size_t errlen)
{
	struct vip_index *ix = vip_index_build(d);
	size_t i, j;
	int rc;

	if (!ix) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < conf->n_vips; i++) {
		struct rt_vip *old = old_vip(d, ix, &conf->vips[i]);
		bool same = old && conf_vip_equal(old->conf, &conf->vips[i]);

		rc = vip_build(d, &nv[i], &conf->vips[i], old);
		if (rc < 0) {
			snprintf(err, errlen, "%s:%d: cannot set up vip: %s", conf->file,
				 conf->vips[i].line, strerror(-rc));
			/* ids that moved from an old VIP stay valid there */
			for (j = 0; j <= i; j++)
				free(nv[j].backends);
			free(ix);
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
			be_id_put(d, &old->backends[j], rm);
		}
		free(old->backends);
		old->backends = NULL;
		old->n_backends = 0;
		old->conf = NULL;
		n->changed += !same;
	}
	free(ix);
	return 0;
}

/* nv[] becomes the model; the old VIPs that are gone leave the datapath. */
static void vips_replace(struct xlbd *d, struct rt_vip *nv, size_t n_vips, struct apply_counts *n,
			 struct removals *rm)
{
	size_t j;

	for (j = 0; j < d->n_vips; j++) {
		if (d->vips[j].conf) {
			vip_remove(d, &d->vips[j], rm);
			n->removed++;
		}
	}
	free(d->vips);
	d->vips = nv;
	d->n_vips = n_vips;
	for (j = 0; j < n_vips; j++)
		xlbd_checks_rehome(d, &nv[j]);
	xlbd_changes_rebase(d);
}

/*
 * The address markers the model asks for: one per address some
 * forwarding VIP with a datapath id uses, its flags saying which
 * protocols have an all-ports VIP there. Made from the model, never by
 * walking the map, and only what differs from what the map holds is
 * written (nothing when the addresses did not change).
 */
static int markers_sync(struct xlbd *d)
{
	struct xlbd_marker *want, *grow;
	struct xlb_vip_key *del = NULL, *put_keys = NULL;
	struct xlb_vip *put_vals = NULL;
	size_t i, j, nw = 0, n_del = 0, n_put = 0;
	int err = 0;

	if (!d->dp)
		return 0;
	want = calloc(d->n_vips + 1, sizeof(*want));
	if (!want)
		return -ENOMEM;
	for (i = 0; i < d->n_vips; i++) {
		const struct conf_vip *c = d->vips[i].conf;

		if (c->local || !d->vips[i].has_id)
			continue;
		want[nw] = (struct xlbd_marker){ .flags = XLB_VIP_F_MARKER };
		want[nw].key.addr = c->addr.addr;
		want[nw].key.family = c->addr.family;
		if (c->port == 0)
			want[nw].flags |= c->proto == IPPROTO_TCP ? XLB_VIP_F_ANY_TCP :
								    XLB_VIP_F_ANY_UDP;
		nw++;
	}
	qsort(want, nw, sizeof(*want), marker_cmp);
	for (i = j = 0; i < nw; i++) {
		if (j && !key_cmp(&want[j - 1].key, &want[i].key))
			want[j - 1].flags |= want[i].flags;
		else
			want[j++] = want[i];
	}
	nw = j;
	del = calloc(d->n_markers + 1, sizeof(*del));
	put_keys = calloc(nw + 1, sizeof(*put_keys));
	put_vals = calloc(nw + 1, sizeof(*put_vals));
	if (!del || !put_keys || !put_vals) {
		err = -ENOMEM;
		goto out;
	}
	/* merge the two sorted lists */
	for (i = j = 0; i < nw || j < d->n_markers;) {
		int c = i == nw ? 1 : j == d->n_markers ? -1 : key_cmp(&want[i].key, &d->markers[j].key);

		if (c > 0) {
			del[n_del++] = d->markers[j++].key;
			continue;
		}
		if (c < 0 || want[i].flags != d->markers[j].flags) {
			put_keys[n_put] = want[i].key;
			put_vals[n_put++] = (struct xlb_vip){ .flags = want[i].flags };
		}
		i++;
		j += c == 0;
	}
	/* new addresses first, in the filter (both sets' bits), then their
	 * markers: a VIP entry is never without its marker, a marker never
	 * outside the filter; the gone ones' bits go after their markers */
	if (n_put) {
		struct xlb_vip_key *both = calloc(nw + d->n_markers + 1, sizeof(*both));

		if (!both) {
			err = -ENOMEM;
			goto out;
		}
		for (i = 0; i < nw; i++)
			both[i] = want[i].key;
		for (j = 0; j < d->n_markers; j++)
			both[nw + j] = d->markers[j].key;
		err = xlb_dp_filter_set(d->dp, both, nw + d->n_markers);
		free(both);
	}
	if (!err)
		err = xlb_dp_vips_write(d->dp, put_keys, put_vals, n_put);
	if (!err)
		err = xlb_dp_vips_delete(d->dp, del, n_del);
	if (!err) {
		for (i = 0; i < nw; i++)
			put_keys[i] = want[i].key;
		err = xlb_dp_filter_set(d->dp, put_keys, nw);
	}
	if (err)
		goto out;
	grow = want;
	want = d->markers;
	d->markers = grow;
	d->n_markers = nw;
out:
	free(want);
	free(del);
	free(put_keys);
	free(put_vals);
	return err;
}

/* Write what the new config changed: the encapsulation sources and the
 * markers now; the tables of the dirty VIPs are marked for tables.c. */
static int apply_write(struct xlbd *d, const struct xlb_conf *conf, const bool *dirty)
{
	int first_err = 0;
	size_t i;

	if (!d->conf || memcmp(&d->conf->encap_src4, &conf->encap_src4, sizeof(conf->encap_src4)) ||
	    memcmp(&d->conf->encap_src6, &conf->encap_src6, sizeof(conf->encap_src6)))
		first_err = config_map_write(d, conf);
	for (i = 0; i < d->n_vips; i++)
		if (dirty[i])
			xlbd_vip_changed(d, &d->vips[i], XLBD_CHANGE_TABLE);
	i = markers_sync(d);
	return first_err ? first_err : (int)i;
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

/* Make the model follow conf; the changed VIPs' tables are marked (and,
 * without a loop, written at once). */
static int apply(struct xlbd *d, struct xlb_conf *conf, char *err, size_t errlen)
{
	struct apply_counts n = {};
	struct removals rm = {};
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
	rc = vips_build(d, conf, nv, dirty, &n, &rm, err, errlen);
	if (rc) {
		free(nv);
		free(dirty);
		removals_write(d, &rm);
		return rc;
	}
	vips_replace(d, nv, conf->n_vips, &n, &rm);
	removals_write(d, &rm);
	rc = apply_write(d, conf, dirty);
	conf_switch(d, conf);
	free(dirty);
	adopt_free();
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
	return apply(d, conf, err, errlen);
}

/*
 * Start-up: the config, then the runtime state file (depools, weights,
 * disabled VIPs), and only then each VIP's table, written once. Writing
 * the config's tables first would put drained backends back for a moment
 * — under traffic a restart then sent new connections to them — and give
 * a depooled-now backend its flows back. The tables are written here,
 * before the loop runs, all of them (what a previous xlbd left in place
 * is compared and kept).
 */
int xlbd_apply_start(struct xlbd *d, struct xlb_conf *conf, char *err, size_t errlen)
{
	int rc;

	/* no table before the state file is in the model */
	d->hold_changes = true;
	rc = apply(d, conf, err, errlen);
	d->hold_changes = false;
	if (rc)
		return rc;
	xlbd_state_load(d);
	rc = xlbd_changes_apply(d);
	if (rc)
		snprintf(err, errlen, "%s: the datapath refused a change: %s", conf->file,
			 strerror(-rc));
	return rc;
}

/*
 * The model goes. clear_datapath: its VIPs and backends leave the maps
 * too (a balancer that could not be detached then passes everything).
 * Without it the datapath keeps forwarding as it is (exit with -k, or a
 * datapath that is detached and unpinned anyway).
 */
void xlbd_release(struct xlbd *d, bool clear_datapath)
{
	struct removals rm = {};
	size_t i, k;

	xlbd_nexthops_stop(d);
	if (d->el)
		evloop_defer_cancel(d->el, &d->changes);
	for (i = 0; i < d->n_vips; i++) {
		if (clear_datapath) {
			vip_remove(d, &d->vips[i], &rm);
			continue;
		}
		xlbd_checks_stop_vip(&d->vips[i]);
		for (k = 0; k < d->vips[i].n_backends; k++)
			d->be_ids[d->vips[i].backends[k].id] = 0;
		free(d->vips[i].backends);
		rt_sc_free(&d->vips[i].sc);
	}
	if (clear_datapath) {
		removals_write(d, &rm);
		for (i = 0; d->dp && i < d->n_markers; i++)
			xlb_dp_vips_delete(d->dp, &d->markers[i].key, 1);
		if (d->dp)
			xlb_dp_filter_set(d->dp, NULL, 0);
	}
	free(d->vips);
	d->vips = NULL;
	d->n_vips = 0;
	d->n_queued = 0;
	d->tables_pending = 0;
	free(d->markers);
	d->markers = NULL;
	d->n_markers = 0;
	free(d->addrs_disabled);
	d->addrs_disabled = NULL;
	d->n_addrs_disabled = 0;
	adopt_free();
	if (d->conf)
		conf_free(d->conf);
	d->conf = NULL;
}
