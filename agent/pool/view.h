/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a node knows of the cluster's keys in etcd: the operator's intent
 * (backends, VIPs) and the nodes' registrations, as read at the start of
 * a watch and kept up to date by its events. Sorted arrays, looked up by
 * binary search, so applying the intent to every configured backend costs
 * O(backends x log keys) however many keys there are.
 *
 * A key whose value does not parse is kept as `bad` with the reason: the
 * node then keeps what it had for that backend or VIP (nothing is changed
 * on a typo) and `xlbctl pool show` says why.
 *
 * intent_revision is the revision of the latest change to an intent key
 * this view has seen (the highest mod_revision read, or of an event put or
 * deleted): what the node reports as the revision it has applied. Nodes
 * that saw the same intent report the same number whatever else happened
 * in the store (registrations), so a lower one means a node is behind.
 */
#ifndef XLB_POOL_VIEW_H
#define XLB_POOL_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pool/etcd_msg.h"
#include "pool/keys.h"

#define POOL_WHY_MAX 120

struct pool_view_be {
	char vip[POOL_VIP_STRLEN];
	char backend[POOL_ADDR_STRLEN];
	struct pool_be_value v;
	bool bad;			/* value unreadable: v is not set */
	char why[POOL_WHY_MAX];
	int64_t mod_revision;
};

struct pool_view_vip {
	char vip[POOL_VIP_STRLEN];
	struct pool_vip_value v;
	bool bad;
	char why[POOL_WHY_MAX];
	int64_t mod_revision;
};

struct pool_view_node {
	char name[POOL_NODE_NAME_MAX + 1];
	struct pool_node_value v;	/* tables owned */
	bool bad;
	char why[POOL_WHY_MAX];
	int64_t mod_revision;
};

struct pool_view {
	struct pool_view_be *bes;
	size_t n_bes, cap_bes;
	struct pool_view_vip *vips;
	size_t n_vips, cap_vips;
	struct pool_view_node *nodes;
	size_t n_nodes, cap_nodes;
	int64_t intent_revision;
	uint64_t other_keys;		/* pairs read or put under the prefix that are not xlb's */
};

void pool_view_init(struct pool_view *v);
/* Empty it (memory freed). */
void pool_view_clear(struct pool_view *v);
/* Move src into dst (dst's old contents freed; src left empty). */
void pool_view_move(struct pool_view *dst, struct pool_view *src);

/* A pair read or put. Returns 1 when intent changed, 0 for a
 * registration or another key, -ENOMEM. */
int pool_view_put(struct pool_view *v, const char *prefix, const struct etcd_kv *kv);
/* A key deleted at `revision`: the same returns. */
int pool_view_delete(struct pool_view *v, const char *prefix, const char *key, int64_t revision);

const struct pool_view_be *pool_view_backend(const struct pool_view *v, const char *vip,
					     const char *backend);
const struct pool_view_vip *pool_view_vip(const struct pool_view *v, const char *vip);
const struct pool_view_node *pool_view_node(const struct pool_view *v, const char *name);

#endif
