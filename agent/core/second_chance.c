// SPDX-License-Identifier: GPL-2.0
/*
 * Second chance, the agent's part (README "Second chance"): which table
 * is a VIP's previous one, for how long, and its owners in the high half
 * of the slots the datapath reads (maglev_prev_merge).
 *
 * The rule, on every real change of a VIP's table (another set of
 * weighted backends, or another size):
 *   - the table that was current becomes the previous one if it was
 *     current for at least XLBD_SC_SETTLE_MS, or if there was none;
 *     otherwise (a burst of changes: a weight stepped in several reloads,
 *     a health check flapping) the previous table stays what it was;
 *   - either way the previous table stays in use until `second-chance
 *     keep` after this change, then is retired (xlbd_tables_sc_expire);
 *   - it is only used while it has the current table's size (a ring-size
 *     change leaves the VIP without one: no slot would match).
 * Both tables are kept in the state file, so a restarted xlbd — with its
 * flow table or without — uses the same previous table as its peers.
 * tables.c asks for all of it as it stages a VIP's table at the end of a
 * loop turn (xlbd_sc_update, xlbd_sc_merge); the fingerprint it keeps
 * with the table covers the previous owners too (xlbd_sc_fingerprint),
 * so a restart reads a table in place only when they are the ones it
 * would write. The state file gets the tables at most once a second
 * (xlbd_state_flush: a mass change must not fsync it per table): a
 * crash loses at most the last second's changes, which the restarted
 * xlbd makes again from its file's tables by the same rule.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "core/xlbd.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "maps/maglev.h"

static void table_free(struct rt_table *t)
{
	free(t->be);
	memset(t, 0, sizeof(*t));
}

void rt_sc_free(struct rt_sc *sc)
{
	table_free(&sc->cur);
	table_free(&sc->prev);
	memset(sc, 0, sizeof(*sc));
}

static int be_cmp(const void *a, const void *b)
{
	const struct rt_table_be *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(&x->addr, &y->addr, sizeof(x->addr));
}

/* The weighted backends of mb[0..n) at `size` into t (sorted). */
static int table_from(struct rt_table *t, const struct maglev_backend *mb, size_t n, __u32 size)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->be = calloc(n ? n : 1, sizeof(*t->be));
	if (!t->be)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!mb[i].weight)
			continue;
		t->be[t->n++] = (struct rt_table_be){ .addr = mb[i].addr, .family = mb[i].family,
						      .weight = mb[i].weight };
	}
	qsort(t->be, t->n, sizeof(*t->be), be_cmp);
	t->size = size;
	return 0;
}

static bool table_eq(const struct rt_table *a, const struct rt_table *b)
{
	return a->size == b->size && a->n == b->n &&
	       (!a->n || !memcmp(a->be, b->be, a->n * sizeof(*a->be)));
}

/* v's backend id at an address, or 0. */
static __u32 backend_id_at(const struct rt_vip *v, const struct rt_table_be *tb)
{
	size_t k;

	for (k = 0; k < v->n_backends; k++) {
		const struct conf_addr *a = &v->backends[k].conf->addr;

		if (a->family == tb->family && !memcmp(&a->addr, &tb->addr, sizeof(a->addr)))
			return v->backends[k].id;
	}
	return XLB_BACKEND_NONE;
}

/* The previous table's input with v's backend ids (a backend the VIP no
 * longer has gets a stand-in id past the real ones: its slots still have
 * to be placed as every node places them, and are cleared after the
 * build: no hop to it). mb has room for v->sc.prev.n. */
static void prev_input(const struct rt_vip *v, struct maglev_backend *mb)
{
	const struct rt_table *p = &v->sc.prev;
	size_t i;

	for (i = 0; i < p->n; i++) {
		__u32 id = backend_id_at(v, &p->be[i]);

		mb[i] = (struct maglev_backend){ .id = id ? id : XLB_MAX_BACKENDS + (__u32)i,
						 .weight = p->be[i].weight, .addr = p->be[i].addr,
						 .family = p->be[i].family };
	}
}

/* The previous table built with v's backend ids into prev_ring. */
static int prev_build(const struct rt_vip *v, __u32 *prev_ring)
{
	const struct rt_table *p = &v->sc.prev;
	struct maglev_backend *mb;
	__u32 s;
	int err;

	mb = calloc(p->n ? p->n : 1, sizeof(*mb));
	if (!mb)
		return -ENOMEM;
	prev_input(v, mb);
	err = maglev_build(mb, p->n, prev_ring, p->size);
	for (s = 0; !err && s < p->size; s++)
		if (prev_ring[s] >= XLB_MAX_BACKENDS)
			prev_ring[s] = XLB_BACKEND_NONE;
	free(mb);
	return err;
}

static void vip_name(const struct rt_vip *v, char *buf, size_t len)
{
	conf_vip_format(v->conf, buf, len);
}

int xlbd_sc_update(struct xlbd *d, struct rt_vip *v, const struct maglev_backend *mb, size_t n,
		   __u32 size)
{
	struct rt_sc *sc = &v->sc;
	uint64_t now = clock_wall_ms();
	struct rt_table next;
	bool changed = false;
	char name[CONF_VIP_STRLEN];
	int err;

	err = table_from(&next, mb, n, size);
	if (err)
		return err;
	vip_name(v, name, sizeof(name));
	if (table_eq(&next, &sc->cur)) {
		table_free(&next);
	} else {
		if (sc->cur.size) {
			if (!sc->prev.size || now - sc->cur_since >= XLBD_SC_SETTLE_MS) {
				table_free(&sc->prev);
				sc->prev = sc->cur;
			} else {
				log_info("vip %s: table changed %" PRIu64 " ms after the last change: "
					 "the previous table stays the one before both", name,
					 now - sc->cur_since);
				table_free(&sc->cur);
			}
			sc->prev_until = now + v->conf->second_chance_keep_ms;
		}
		sc->cur = next;
		sc->cur_since = now;
		changed = true;
	}
	if (sc->prev.size && now >= sc->prev_until) {
		log_info("vip %s: previous table retired (second-chance keep is over)", name);
		table_free(&sc->prev);
		changed = true;
	}
	if (changed)
		d->sc_state_dirty = true;
	return 0;
}

__u64 xlbd_sc_fingerprint(const struct rt_vip *v, __u32 size, __u64 fp)
{
	const struct rt_table *p = &v->sc.prev;
	struct maglev_backend *mb;
	__u64 h;

	if (!v->conf->second_chance || !p->size || p->size != size)
		return fp;
	mb = calloc(p->n ? p->n : 1, sizeof(*mb));
	/* 0 never matches a table's fingerprint: built and compared */
	if (!mb)
		return 0;
	prev_input(v, mb);
	h = maglev_inputs_hash(mb, p->n, p->size);
	free(mb);
	/* not symmetric: the previous table is not the current one */
	h = fp ^ (h * 0x9e3779b97f4a7c15ULL);
	h ^= h >> 31;
	return h | 1;
}

int xlbd_sc_merge(struct rt_vip *v, __u32 *table, __u32 size)
{
	struct rt_sc *sc = &v->sc;
	__u32 *prev_ring;
	int err;

	sc->prev_slots = 0;
	if (!v->conf->second_chance || !sc->prev.size || sc->prev.size != size)
		return 0;
	prev_ring = malloc((size_t)size * sizeof(*prev_ring));
	if (!prev_ring)
		return -ENOMEM;
	err = prev_build(v, prev_ring);
	if (!err)
		sc->prev_slots = maglev_prev_merge(table, prev_ring, size);
	free(prev_ring);
	return err;
}

/* --- the state file: one line per table ---
 *
 *   table VIP since MS size N ADDR@WEIGHT ...
 *   previous VIP until MS size N ADDR@WEIGHT ...
 */

static int table_format(const char *kw, const char *vip, const char *when, uint64_t ms,
			const struct rt_table *t, char *buf, size_t len, size_t *off)
{
	char a[INET6_ADDRSTRLEN];
	size_t i;
	int n;

	n = snprintf(buf + *off, len - *off, "%s %s %s %" PRIu64 " size %u", kw, vip, when, ms,
		     t->size);
	if (n < 0 || (size_t)n >= len - *off)
		return -ENOBUFS;
	*off += n;
	for (i = 0; i < t->n; i++) {
		inet_ntop(t->be[i].family == XLB_FAMILY_V4 ? AF_INET : AF_INET6, &t->be[i].addr, a,
			  sizeof(a));
		n = snprintf(buf + *off, len - *off, " %s@%u", a, t->be[i].weight);
		if (n < 0 || (size_t)n >= len - *off)
			return -ENOBUFS;
		*off += n;
	}
	if (len - *off < 2)
		return -ENOBUFS;
	buf[(*off)++] = '\n';
	buf[*off] = '\0';
	return 0;
}

int xlbd_sc_state_format(const struct rt_vip *v, char *buf, size_t len, size_t *off)
{
	char name[CONF_VIP_STRLEN];
	int err = 0;

	if (!v->conf || !v->conf->second_chance)
		return 0;
	vip_name(v, name, sizeof(name));
	if (v->sc.cur.size)
		err = table_format("table", name, "since", v->sc.cur_since, &v->sc.cur, buf, len,
				   off);
	if (!err && v->sc.prev.size)
		err = table_format("previous", name, "until", v->sc.prev_until, &v->sc.prev, buf,
				   len, off);
	return err;
}

static int table_parse(char **w, int nw, struct rt_table *t)
{
	char *end;
	int i;

	memset(t, 0, sizeof(*t));
	errno = 0;
	t->size = strtoul(w[0], &end, 10);
	if (errno || *end || !t->size || !maglev_is_prime(t->size))
		return -EINVAL;
	t->be = calloc(nw > 1 ? nw - 1 : 1, sizeof(*t->be));
	if (!t->be)
		return -ENOMEM;
	for (i = 1; i < nw; i++) {
		struct rt_table_be *b = &t->be[t->n];
		char *at = strrchr(w[i], '@');
		unsigned long wt;

		if (!at)
			goto bad;
		*at = '\0';
		if (inet_pton(AF_INET, w[i], &b->addr.v4) == 1)
			b->family = XLB_FAMILY_V4;
		else if (inet_pton(AF_INET6, w[i], b->addr.bytes) == 1)
			b->family = XLB_FAMILY_V6;
		else
			goto bad;
		errno = 0;
		wt = strtoul(at + 1, &end, 10);
		if (errno || *end || !wt || wt > UINT32_MAX)
			goto bad;
		b->weight = wt;
		t->n++;
	}
	qsort(t->be, t->n, sizeof(*t->be), be_cmp);
	return 0;
bad:
	table_free(t);
	return -EINVAL;
}

int xlbd_sc_state_line(struct xlbd *d, char **w, int nw)
{
	bool cur = !strcmp(w[0], "table");
	struct rt_table t;
	struct rt_vip *v;
	uint64_t ms;
	char *end;
	int err;

	if (nw < 6 || strcmp(w[2], cur ? "since" : "until") || strcmp(w[4], "size"))
		return -EINVAL;
	errno = 0;
	ms = strtoull(w[3], &end, 10);
	if (errno || *end)
		return -EINVAL;
	err = table_parse(w + 5, nw - 5, &t);
	if (err)
		return err;
	v = rt_vip_find(d, w[1]);
	/* a VIP the config dropped, or without second chance now: its
	 * tables are of no use */
	if (!v || !v->conf || !v->conf->second_chance) {
		table_free(&t);
		return 0;
	}
	if (cur) {
		table_free(&v->sc.cur);
		v->sc.cur = t;
		v->sc.cur_since = ms;
	} else {
		table_free(&v->sc.prev);
		v->sc.prev = t;
		v->sc.prev_until = ms;
	}
	return 0;
}
