// SPDX-License-Identifier: GPL-2.0
/*
 * A node's copy of the cluster's keys (see view.h): three sorted arrays,
 * one per kind of key, with insert, delete and binary search.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pool/view.h"

void pool_view_init(struct pool_view *v)
{
	memset(v, 0, sizeof(*v));
}

void pool_view_clear(struct pool_view *v)
{
	size_t i;

	for (i = 0; i < v->n_nodes; i++)
		pool_node_value_free(&v->nodes[i].v);
	free(v->bes);
	free(v->vips);
	free(v->nodes);
	pool_view_init(v);
}

void pool_view_move(struct pool_view *dst, struct pool_view *src)
{
	pool_view_clear(dst);
	*dst = *src;
	pool_view_init(src);
}

/* Binary search in an array of n elements of size sz sorted by cmp(key,
 * element): the index of the match (*found) or where it would go. */
static size_t search(const void *base, size_t n, size_t sz, const void *key,
		     int (*cmp)(const void *key, const void *elem), bool *found)
{
	size_t lo = 0, hi = n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp(key, (const char *)base + mid * sz);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Make room at index i; -ENOMEM. */
static int insert_at(void **base, size_t *n, size_t *cap, size_t sz, size_t i)
{
	char *p = *base;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;

		p = realloc(p, c * sz);
		if (!p)
			return -ENOMEM;
		*base = p;
		*cap = c;
	}
	memmove(p + (i + 1) * sz, p + i * sz, (*n - i) * sz);
	memset(p + i * sz, 0, sz);
	(*n)++;
	return 0;
}

static void remove_at(void *base, size_t *n, size_t sz, size_t i)
{
	char *p = base;

	memmove(p + i * sz, p + (i + 1) * sz, (*n - i - 1) * sz);
	(*n)--;
}

struct be_key {
	const char *vip, *backend;
};

static int be_cmp(const void *key, const void *elem)
{
	const struct be_key *k = key;
	const struct pool_view_be *e = elem;
	int c = strcmp(k->vip, e->vip);

	return c ? c : strcmp(k->backend, e->backend);
}

static int vip_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct pool_view_vip *)elem)->vip);
}

static int node_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct pool_view_node *)elem)->name);
}

static void intent_seen(struct pool_view *v, int64_t revision)
{
	if (revision > v->intent_revision)
		v->intent_revision = revision;
}

int pool_view_put(struct pool_view *v, const char *prefix, const struct etcd_kv *kv)
{
	struct pool_key k;
	bool found;
	size_t i;
	int err;

	switch (pool_key_parse(prefix, kv->key, &k)) {
	case POOL_KEY_BACKEND: {
		struct be_key bk = { k.vip, k.backend };
		struct pool_view_be *e;

		i = search(v->bes, v->n_bes, sizeof(*v->bes), &bk, be_cmp, &found);
		if (!found) {
			err = insert_at((void **)&v->bes, &v->n_bes, &v->cap_bes, sizeof(*v->bes), i);
			if (err)
				return err;
		}
		e = &v->bes[i];
		strcpy(e->vip, k.vip);
		strcpy(e->backend, k.backend);
		e->why[0] = '\0';
		e->bad = pool_be_value_parse(kv->value, kv->value_len, &e->v, e->why,
					     sizeof(e->why)) != 0;
		e->mod_revision = kv->mod_revision;
		intent_seen(v, kv->mod_revision);
		return 1;
	}
	case POOL_KEY_VIP: {
		struct pool_view_vip *e;

		i = search(v->vips, v->n_vips, sizeof(*v->vips), k.vip, vip_cmp, &found);
		if (!found) {
			err = insert_at((void **)&v->vips, &v->n_vips, &v->cap_vips,
					sizeof(*v->vips), i);
			if (err)
				return err;
		}
		e = &v->vips[i];
		strcpy(e->vip, k.vip);
		e->why[0] = '\0';
		e->bad = pool_vip_value_parse(kv->value, kv->value_len, &e->v, e->why,
					      sizeof(e->why)) != 0;
		e->mod_revision = kv->mod_revision;
		intent_seen(v, kv->mod_revision);
		return 1;
	}
	case POOL_KEY_NODE: {
		struct pool_view_node *e;

		i = search(v->nodes, v->n_nodes, sizeof(*v->nodes), k.node, node_cmp, &found);
		if (!found) {
			err = insert_at((void **)&v->nodes, &v->n_nodes, &v->cap_nodes,
					sizeof(*v->nodes), i);
			if (err)
				return err;
		}
		e = &v->nodes[i];
		pool_node_value_free(&e->v);
		strcpy(e->name, k.node);
		e->why[0] = '\0';
		e->bad = pool_node_value_parse(kv->value, kv->value_len, &e->v, e->why,
					       sizeof(e->why)) != 0;
		e->mod_revision = kv->mod_revision;
		return 0;
	}
	default:
		v->other_keys++;
		return 0;
	}
}

int pool_view_delete(struct pool_view *v, const char *prefix, const char *key, int64_t revision)
{
	struct pool_key k;
	bool found;
	size_t i;

	switch (pool_key_parse(prefix, key, &k)) {
	case POOL_KEY_BACKEND: {
		struct be_key bk = { k.vip, k.backend };

		i = search(v->bes, v->n_bes, sizeof(*v->bes), &bk, be_cmp, &found);
		if (found)
			remove_at(v->bes, &v->n_bes, sizeof(*v->bes), i);
		intent_seen(v, revision);
		return 1;
	}
	case POOL_KEY_VIP:
		i = search(v->vips, v->n_vips, sizeof(*v->vips), k.vip, vip_cmp, &found);
		if (found)
			remove_at(v->vips, &v->n_vips, sizeof(*v->vips), i);
		intent_seen(v, revision);
		return 1;
	case POOL_KEY_NODE:
		i = search(v->nodes, v->n_nodes, sizeof(*v->nodes), k.node, node_cmp, &found);
		if (found) {
			pool_node_value_free(&v->nodes[i].v);
			remove_at(v->nodes, &v->n_nodes, sizeof(*v->nodes), i);
		}
		return 0;
	default:
		return 0;
	}
}

const struct pool_view_be *pool_view_backend(const struct pool_view *v, const char *vip,
					     const char *backend)
{
	struct be_key bk = { vip, backend };
	bool found;
	size_t i = search(v->bes, v->n_bes, sizeof(*v->bes), &bk, be_cmp, &found);

	return found ? &v->bes[i] : NULL;
}

const struct pool_view_vip *pool_view_vip(const struct pool_view *v, const char *vip)
{
	bool found;
	size_t i = search(v->vips, v->n_vips, sizeof(*v->vips), vip, vip_cmp, &found);

	return found ? &v->vips[i] : NULL;
}

const struct pool_view_node *pool_view_node(const struct pool_view *v, const char *name)
{
	bool found;
	size_t i = search(v->nodes, v->n_nodes, sizeof(*v->nodes), name, node_cmp, &found);

	return found ? &v->nodes[i] : NULL;
}
