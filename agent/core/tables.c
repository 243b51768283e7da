// SPDX-License-Identifier: GPL-2.0
/*
 * The runtime model into the datapath. Everything that changes a VIP's
 * runtime state — health checks, xlbctl, reloads, the pool state — calls
 * xlbd_vip_changed(), which only marks the VIP. At the end of the loop's
 * turn (evloop_defer) the marked VIPs are written: each VIP's table
 * built once however many changes it had in the turn, each map entry
 * written once and only if it differs from what the datapath holds, the
 * entries of the turn in one system call per map (BPF_MAP_UPDATE_BATCH),
 * the routes decided once, the node's registration in etcd told once (a
 * new table has a new fingerprint). A turn writes tables for
 * XLBD_APPLY_BUDGET_MS at most; what is left waits for the next turn,
 * after whatever else is ready, so a mass change never holds the loop
 * for long.
 *
 * What the datapath holds is kept next to the model (rt_vip.dp_vip,
 * rt_backend.dp_be, ...), filled from the maps when xlbd takes over a
 * running datapath: a restart that finds everything in place writes
 * nothing. The order of the writes keeps the datapath consistent: a
 * table goes into the slot the VIP entry does not use, backend entries
 * before the VIP entries that make new tables visible.
 *
 * A VIP with second chance gets its previous table's owners in the high
 * half of its slots (second_chance.c); the fleet's fingerprint is of the
 * current table alone, the one kept with the table in the map covers
 * both (a restart must not read in place a table whose previous owners
 * are not the ones it would write).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "core/xlbd.h"
#include "ctl/proto.h"
#include "ctl/server.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "maps/dataplane.h"
#include "maps/fingerprint.h"
#include "maps/maglev.h"

#define XLBD_APPLY_BUDGET_MS	5

enum {
	DIRTY_TABLE = 1,	/* the table, and everything else */
	DIRTY_BACKENDS = 2,	/* only the backend entries (a next hop) */
};

void xlbd_vip_key(const struct conf_vip *c, struct xlb_vip_key *k)
{
	memset(k, 0, sizeof(*k));
	k->addr = c->addr.addr;
	k->family = c->addr.family;
	k->proto = c->proto;
	k->port = htons(c->port);
}

/* --- the queue of VIPs to write, by index in d->vips --- */

static void queue_push(struct xlbd *d, struct rt_vip *v)
{
	__s32 i = v - d->vips;

	if (v->queued)
		return;
	v->queued = true;
	v->next_queued = -1;
	if (d->n_queued)
		d->vips[d->queue_tail].next_queued = i;
	else
		d->queue_head = i;
	d->queue_tail = i;
	d->n_queued++;
}

static struct rt_vip *queue_pop(struct xlbd *d)
{
	struct rt_vip *v;

	if (!d->n_queued)
		return NULL;
	v = &d->vips[d->queue_head];
	d->queue_head = v->next_queued;
	d->n_queued--;
	v->queued = false;
	return v;
}

static void dirty_clear(struct xlbd *d, struct rt_vip *v)
{
	if (v->dirty)
		d->tables_pending--;
	v->dirty = 0;
}

void xlbd_changes_rebase(struct xlbd *d)
{
	size_t i;

	d->n_queued = 0;
	d->tables_pending = 0;
	for (i = 0; i < d->n_vips; i++) {
		struct rt_vip *v = &d->vips[i];

		v->queued = false;
		if (!v->dirty)
			continue;
		d->tables_pending++;
		queue_push(d, v);
	}
}

/* --- one turn's writes --- */

struct stage {
	__u32 *be_ids;
	struct xlb_backend *bes;
	struct rt_backend **be_of;
	size_t n_be, cap_be;
	struct xlb_vip_key *keys;
	struct xlb_vip *vals;
	struct rt_vip **vip_of;
	size_t n_vip, cap_vip;
	__u32 *enc_ids;
	struct xlb_vip_encap *encs;
	size_t n_enc;
	__u32 *ring;		/* a table being built */
	__u32 ring_cap;
	__u32 *per_id;		/* slots per backend id */
};

static void stage_free(struct stage *st)
{
	free(st->be_ids);
	free(st->bes);
	free(st->be_of);
	free(st->keys);
	free(st->vals);
	free(st->vip_of);
	free(st->enc_ids);
	free(st->encs);
	free(st->ring);
	free(st->per_id);
	memset(st, 0, sizeof(*st));
}

static int grow(void **p, size_t want, size_t size)
{
	void *n = realloc(*p, want * size);

	if (!n)
		return -ENOMEM;
	*p = n;
	return 0;
}

/* Room for n more backends and one more VIP. */
static int stage_room(struct stage *st, size_t n)
{
	if (st->n_be + n > st->cap_be) {
		size_t cap = (st->n_be + n) * 2;

		if (grow((void **)&st->be_ids, cap, sizeof(*st->be_ids)) ||
		    grow((void **)&st->bes, cap, sizeof(*st->bes)) ||
		    grow((void **)&st->be_of, cap, sizeof(*st->be_of)))
			return -ENOMEM;
		st->cap_be = cap;
	}
	if (st->n_vip + 1 > st->cap_vip) {
		size_t cap = (st->n_vip + 1) * 2;

		if (grow((void **)&st->keys, cap, sizeof(*st->keys)) ||
		    grow((void **)&st->vals, cap, sizeof(*st->vals)) ||
		    grow((void **)&st->vip_of, cap, sizeof(*st->vip_of)) ||
		    grow((void **)&st->enc_ids, cap, sizeof(*st->enc_ids)) ||
		    grow((void **)&st->encs, cap, sizeof(*st->encs)))
			return -ENOMEM;
		st->cap_vip = cap;
	}
	return 0;
}

/* Backend entry for the datapath: the next hop core/nexthops.c found,
 * else the one the entry already has (a restart keeps it until the
 * refresh has looked), else none (the datapath asks the FIB). */
static void backend_entry(const struct rt_vip *v, const struct rt_backend *b,
			  struct xlb_backend *be)
{
	memset(be, 0, sizeof(*be));
	be->addr = b->conf->addr.addr;
	be->family = b->conf->addr.family;
	be->gen = b->gen;
	be->vip_id = v->id;
	/* a depooled-now or failed backend keeps no flows */
	if (rt_backend_keeps_flows(b))
		be->flags = XLB_BE_F_PRESENT;
	if (b->nh_looked) {
		if (b->has_nh)
			nexthop_to_backend(&b->nh, be);
	} else if (b->dp_known && (b->dp_be.flags & XLB_BE_F_NEXTHOP) &&
		   b->dp_be.family == be->family && !memcmp(&b->dp_be.addr, &be->addr, sizeof(be->addr))) {
		be->flags |= XLB_BE_F_NEXTHOP;
		be->ifindex = b->dp_be.ifindex;
		be->mtu = b->dp_be.mtu;
		memcpy(be->smac, b->dp_be.smac, 6);
		memcpy(be->dmac, b->dp_be.dmac, 6);
	}
}

/* The entries of v's backends that differ from the datapath's. */
static int stage_backends(struct stage *st, struct rt_vip *v)
{
	size_t k;

	if (stage_room(st, v->n_backends))
		return -ENOMEM;
	for (k = 0; k < v->n_backends; k++) {
		struct rt_backend *b = &v->backends[k];
		struct xlb_backend *be = &st->bes[st->n_be];

		if (!b->id)
			continue;
		backend_entry(v, b, be);
		if (b->dp_known && !memcmp(be, &b->dp_be, sizeof(*be)))
			continue;
		st->be_ids[st->n_be] = b->id;
		st->be_of[st->n_be++] = b;
	}
	return 0;
}

/* Room in the stage for a table of v's size. */
static int table_room(struct stage *st, const struct rt_vip *v)
{
	__u32 size = v->conf->ring_size;

	if (size > st->ring_cap) {
		if (grow((void **)&st->ring, size, sizeof(*st->ring)))
			return -ENOMEM;
		st->ring_cap = size;
	}
	if (!st->per_id) {
		st->per_id = calloc(XLB_MAX_BACKENDS, sizeof(*st->per_id));
		if (!st->per_id)
			return -ENOMEM;
	}
	return 0;
}

/* The slots each backend of v has in the table in st->ring, in one pass
 * over it (searching the backends for every slot took 100003 x 1000
 * steps for a VIP with 1000 backends, 16 ms, seven times maglev_build). */
static void slots_count(struct stage *st, struct rt_vip *v)
{
	__u32 size = v->conf->ring_size, i;
	size_t k;

	for (k = 0; k < v->n_backends; k++)
		if (v->backends[k].id < XLB_MAX_BACKENDS)
			st->per_id[v->backends[k].id] = 0;
	for (i = 0; i < size; i++)
		if (XLB_SLOT_BE(st->ring[i]) < XLB_MAX_BACKENDS)
			st->per_id[XLB_SLOT_BE(st->ring[i])]++;
	for (k = 0; k < v->n_backends; k++) {
		__u32 id = v->backends[k].id;

		v->backends[k].slots = id != XLB_BACKEND_NONE && id < XLB_MAX_BACKENDS ?
					       st->per_id[id] : 0;
	}
}

/* v's Maglev input from its backends' weights now, and its fingerprint. */
static struct maglev_backend *table_input(const struct rt_vip *v, __u64 *fp)
{
	struct maglev_backend *mb = calloc(v->n_backends ? v->n_backends : 1, sizeof(*mb));

	if (!mb)
		return NULL;
	rt_vip_maglev_input(v, mb);
	*fp = maglev_inputs_hash(mb, v->n_backends, v->conf->ring_size);
	return mb;
}

/* v's table into st->ring: built, with second chance's previous owners
 * in the slots' high halves. *fp loses their part when they could not be
 * put there (the table is written without them). */
static int table_build(struct stage *st, struct rt_vip *v, const struct maglev_backend *mb,
		       __u64 *fp)
{
	__u32 size = v->conf->ring_size;
	char name[96];
	int err;

	err = maglev_build(mb, v->n_backends, st->ring, size);
	if (err)
		return err;
	err = xlbd_sc_merge(v, st->ring, size);
	if (err) {
		conf_vip_format(v->conf, name, sizeof(name));
		log_warnx("vip %s: second chance's previous table left out: %s", name,
			  strerror(-err));
		*fp = maglev_inputs_hash(mb, v->n_backends, size);
	}
	return 0;
}

/* Is the table the datapath's entry points at the one v wants now? (A
 * restart: the previous xlbd wrote it.) With its fingerprint: when it
 * is v's, the table is read (for the slot counts) instead of built.
 * Without one (a table from before fingerprints): built and compared.
 * st->ring holds v's table after either. */
static int table_in_place(struct xlbd *d, struct stage *st, struct rt_vip *v,
			  const struct maglev_backend *mb, __u64 *fp, bool *same)
{
	__u32 size = v->conf->ring_size, i;
	__u64 cur_fp;
	__u32 *cur;
	int err;

	*same = false;
	if (!v->dp_vip_known || v->dp_vip.ring_size != size || v->dp_vip.id != v->id)
		return table_build(st, v, mb, fp);
	if (!xlb_dp_table_fp(d->dp, &v->dp_vip, &cur_fp) && cur_fp == *fp &&
	    !xlb_dp_table_read(d->dp, &v->dp_vip, st->ring)) {
		*same = true;
		/* second chance's count, from the owners in place */
		v->sc.prev_slots = 0;
		for (i = 0; i < size; i++)
			v->sc.prev_slots += XLB_SLOT_PREV(st->ring[i]) != XLB_BACKEND_NONE;
		return 0;
	}
	err = table_build(st, v, mb, fp);
	if (err)
		return err;
	cur = malloc((size_t)size * sizeof(*cur));
	if (!cur)
		return 0;
	*same = !xlb_dp_table_read(d->dp, &v->dp_vip, cur) &&
		!memcmp(cur, st->ring, (size_t)size * sizeof(*cur));
	free(cur);
	return 0;
}

/* Everything of v into the stage: its backends, its table (written now,
 * into the slot its entry does not use), its entry and encapsulation. */
static int stage_vip(struct xlbd *d, struct stage *st, struct rt_vip *v)
{
	const struct conf_vip *c = v->conf;
	struct xlb_vip next = { .encap = c->encap, .gue_port = htons(c->gue_port) };
	struct xlb_vip_encap enc = { .encap = c->encap, .gue_port = htons(c->gue_port) };
	struct maglev_backend *mb;
	bool in_place = false;
	__u64 fp;
	int err;

	err = stage_backends(st, v);
	if (!err)
		err = table_room(st, v);
	if (err)
		return err;
	mb = table_input(v, &fp);
	if (!mb)
		return -ENOMEM;
	/* second chance: the model's tables follow this one, and the
	 * previous owners in its slots are part of what is written */
	if (c->second_chance) {
		err = xlbd_sc_update(d, v, mb, v->n_backends, c->ring_size);
		if (err)
			log_warnx("vip id %u: second chance's tables not updated: %s", v->id,
				  strerror(-err));
		fp = xlbd_sc_fingerprint(v, c->ring_size, fp);
	} else {
		rt_sc_free(&v->sc);
	}
	if (v->dp_check_table)
		err = table_in_place(d, st, v, mb, &fp, &in_place);
	else
		err = table_build(st, v, mb, &fp);
	v->dp_check_table = false;
	/* what the fleet compares (xlbctl fleet status, the metrics): the
	 * current table alone (maglev_fingerprint reads XLB_SLOT_BE) */
	if (!err && maglev_fingerprint(st->ring, c->ring_size, mb, v->n_backends, &v->fingerprint))
		v->fingerprint = 0;
	free(mb);
	if (err)
		return err;
	slots_count(st, v);
	if (c->hash_src)
		next.flags |= XLB_VIP_F_HASH_SRC;
	if (in_place) {
		next.id = v->id;
		next.ring_id = v->dp_vip.ring_id;
		next.ring_size = v->dp_vip.ring_size;
		next.flags |= v->dp_vip.flags & XLB_VIP_F_RING_HI;
	} else {
		err = xlb_dp_table_write(d->dp, v->dp_vip_known ? &v->dp_vip : NULL, v->id, st->ring,
					 c->ring_size, fp, &next);
		if (err)
			return err;
		d->tables_written++;
		log_debug("vip id %u: table written (map %u, region %d)", v->id, next.ring_id,
			  !!(next.flags & XLB_VIP_F_RING_HI));
	}
	v->ring_size = c->ring_size;
	/* established flows read this by VIP id; one 4-byte word */
	if (!v->dp_encap_known || memcmp(&enc, &v->dp_encap, sizeof(enc))) {
		st->enc_ids[st->n_enc] = v->id;
		st->encs[st->n_enc++] = enc;
	}
	if (!v->dp_vip_known || memcmp(&next, &v->dp_vip, sizeof(next))) {
		xlbd_vip_key(c, &st->keys[st->n_vip]);
		st->vals[st->n_vip] = next;
		st->vip_of[st->n_vip++] = v;
	}
	return 0;
}

/* The stage into the maps: the new table maps, backends, then
 * encapsulations, then the VIP entries that switch to the new tables. */
static int stage_commit(struct xlbd *d, struct stage *st)
{
	size_t i;
	int err;

	err = xlb_dp_tables_commit(d->dp);
	if (err) {
		/* their entries would point at maps that are not there */
		for (i = 0; i < st->n_vip; i++)
			st->vip_of[i]->dp_vip_known = false;
		st->n_be = st->n_vip = st->n_enc = 0;
		return err;
	}
	err = xlb_dp_backends_write(d->dp, st->be_ids, st->bes, st->n_be);
	for (i = 0; i < st->n_be; i++) {
		st->be_of[i]->dp_be = st->bes[i];
		st->be_of[i]->dp_known = !err;
	}
	if (err)
		return err;
	err = xlb_dp_encaps_write(d->dp, st->enc_ids, st->encs, st->n_enc);
	if (err)
		return err;
	for (i = 0; i < st->n_vip; i++) {
		struct rt_vip *v = st->vip_of[i];
		size_t j;

		/* the encapsulation of a VIP whose entry follows */
		for (j = 0; j < st->n_enc; j++) {
			if (st->enc_ids[j] == v->id) {
				v->dp_encap = st->encs[j];
				v->dp_encap_known = true;
			}
		}
	}
	err = xlb_dp_vips_write(d->dp, st->keys, st->vals, st->n_vip);
	for (i = 0; i < st->n_vip; i++) {
		struct rt_vip *v = st->vip_of[i];

		/* a VIP is announced once the datapath has it (model.c) */
		if (v->dp_vip_known != !err)
			d->routes_dirty = true;
		v->dp_vip = st->vals[i];
		v->dp_vip_known = !err;
	}
	st->n_be = st->n_vip = st->n_enc = 0;
	return err;
}

static void vip_failed(const struct rt_vip *v, int err)
{
	char name[96];

	conf_vip_format(v->conf, name, sizeof(name));
	log_warnx("vip %s: cannot update the datapath: %s", name, strerror(-err));
}

/* Write the waiting VIPs, for budget_ms at most (0: all of them). The
 * first error, if any. */
static int changes_write(struct xlbd *d, uint64_t budget_ms)
{
	uint64_t end = clock_mono_ms() + budget_ms;
	struct stage st = {};
	struct rt_vip *v;
	int err, first = 0;

	while ((v = queue_pop(d))) {
		int dirty = v->dirty;

		dirty_clear(d, v);
		err = 0;
		if (dirty & DIRTY_TABLE)
			err = stage_vip(d, &st, v);
		else if (dirty & DIRTY_BACKENDS)
			err = stage_backends(&st, v);
		if (err) {
			vip_failed(v, err);
			first = first ? first : err;
		}
		if (budget_ms && clock_mono_ms() >= end)
			break;
	}
	err = stage_commit(d, &st);
	if (err) {
		log_warnx("cannot update the datapath: %s", strerror(-err));
		first = first ? first : err;
	}
	stage_free(&st);
	return first;
}

/* --- answers held until the writes are done --- */

struct xlbd_waiter {
	uint64_t id;		/* ctl_server_answer() id */
	struct buf body;
};

int xlbd_changes_answer_when_done(struct xlbd *d, const struct buf *body)
{
	struct xlbd_waiter *w;

	if (!d->n_queued || !d->ctl || !d->el)
		return 0;
	w = realloc(d->waiters, (d->n_waiters + 1) * sizeof(*w));
	if (!w)
		return 0;
	d->waiters = w;
	w += d->n_waiters;
	buf_init(&w->body, 0);
	if (buf_append(&w->body, body->data, body->len)) {
		buf_free(&w->body);
		return 0;
	}
	w->id = ctl_server_defer(d->ctl);
	d->n_waiters++;
	return CTL_DEFERRED;
}

/* msg NULL: the held answers; else this error instead */
static void waiters_answer(struct xlbd *d, const char *msg)
{
	size_t i;

	for (i = 0; i < d->n_waiters; i++) {
		if (d->ctl)
			ctl_server_answer(d->ctl, d->waiters[i].id,
					  msg ? CTL_ERR_RUNTIME : CTL_OK, msg,
					  msg ? NULL : &d->waiters[i].body);
		buf_free(&d->waiters[i].body);
	}
	free(d->waiters);
	d->waiters = NULL;
	d->n_waiters = 0;
}

void xlbd_changes_waiters_drop(struct xlbd *d)
{
	waiters_answer(d, "xlbd is shutting down: not every table of the change was written");
}

static void changes_turn(struct evloop *el, void *arg)
{
	struct xlbd *d = arg;
	uint64_t written = d->tables_written;

	if (d->dp)
		changes_write(d, XLBD_APPLY_BUDGET_MS);
	/* new tables have new fingerprints: the fleet sees them */
	if (d->tables_written != written)
		xlbd_pool_publish(d);
	/* the rest in the next turn, after what else is ready */
	if (d->n_queued)
		evloop_defer(el, &d->changes, changes_turn, d);
	/* routes follow the model, written or not */
	if (d->routes_dirty) {
		d->routes_dirty = false;
		xlbd_announce_changed(d);
	}
	if (!d->n_queued && d->n_waiters)
		waiters_answer(d, NULL);
}

int xlbd_changes_apply(struct xlbd *d)
{
	int err = d->dp ? changes_write(d, 0) : 0;

	/* start-up, exit with -k, no loop: second chance's tables saved now
	 * (with a loop, its 1 s timer saves them) */
	xlbd_state_flush(d);
	/* without a loop (tools, tests) nothing announces */
	if (!d->el)
		return err;
	evloop_defer_cancel(d->el, &d->changes);
	if (d->routes_dirty) {
		d->routes_dirty = false;
		xlbd_announce_changed(d);
	}
	if (!d->n_queued && d->n_waiters)
		waiters_answer(d, NULL);
	return err;
}

static void mark(struct xlbd *d, struct rt_vip *v, int what)
{
	if (!d->dp || v->conf->local || !v->has_id)
		return;
	if (!v->dirty)
		d->tables_pending++;
	v->dirty |= what;
	queue_push(d, v);
}

int xlbd_vip_changed(struct xlbd *d, struct rt_vip *v, enum xlbd_change what)
{
	if (what == XLBD_CHANGE_TABLE)
		mark(d, v, DIRTY_TABLE);
	else if (what == XLBD_CHANGE_NEXTHOP)
		mark(d, v, DIRTY_BACKENDS);
	/* usable backends may have crossed min-healthy */
	if (what != XLBD_CHANGE_NEXTHOP)
		d->routes_dirty = true;
	if (d->hold_changes)
		return 0;
	if (d->el)
		evloop_defer(d->el, &d->changes, changes_turn, d);
	else
		return xlbd_changes_apply(d);
	return 0;
}

int xlbd_vip_apply(struct xlbd *d, struct rt_vip *v)
{
	struct stage st = {};
	int dirty = v->dirty, err = 0;

	if (!d->dp || !dirty)
		return 0;
	dirty_clear(d, v);
	/* still queued: the turn's pass finds nothing to do for it */
	if (dirty & DIRTY_TABLE)
		err = stage_vip(d, &st, v);
	else
		err = stage_backends(&st, v);
	if (!err)
		err = stage_commit(d, &st);
	stage_free(&st);
	if (err)
		vip_failed(v, err);
	return err;
}

int xlbd_vip_sync(struct xlbd *d, struct rt_vip *v)
{
	if (!d->dp || v->conf->local || !v->has_id)
		return 0;
	mark(d, v, DIRTY_TABLE);
	return xlbd_vip_apply(d, v);
}

/* second chance: previous tables whose keep is over are written again
 * without them */
void xlbd_tables_sc_expire(struct xlbd *d)
{
	uint64_t now = clock_wall_ms();
	size_t i;

	for (i = 0; i < d->n_vips; i++) {
		struct rt_vip *v = &d->vips[i];

		/* written at the end of the turn, with whatever else changed */
		if (v->conf && v->sc.prev.size && now >= v->sc.prev_until)
			xlbd_vip_changed(d, v, XLBD_CHANGE_TABLE);
	}
	xlbd_state_flush(d);
}
