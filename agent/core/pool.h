/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pool state from etcd, inside xlbd (pool-state etcd): the store that
 * follows the cluster's prefix (pool/store.h), what this node applied
 * from it, and the xlbctl writes under way. core/pool.c applies the
 * intent to the runtime model and keeps the node's registration;
 * core/pool_ctl.c answers `xlbctl pool` and `xlbctl fleet`.
 */
#ifndef XLB_CORE_POOL_H
#define XLB_CORE_POOL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/xlbd.h"
#include "pool/store.h"

struct pool_write;

struct xlbd_pool {
	struct xlbd *d;
	struct pool_store *store;
	char name[POOL_NODE_NAME_MAX + 1];	/* this node in etcd */
	time_t applied_at;		/* wall clock of the last change applied from etcd */
	time_t link_at;			/* wall clock the link last came up or went down */
	bool up;
	uint64_t applies;		/* views applied */
	uint64_t changes;		/* backends and VIPs changed by them */
	uint64_t bad_values;		/* values refused (a node keeps what it had) */
	struct pool_write *writes;	/* xlbctl writes in flight or waiting to be applied */
	uint64_t writes_ok, writes_conflict, writes_refused, writes_failed;
};

/* The pool state comes from etcd on this node. */
static inline bool xlbd_pool_etcd(const struct xlbd *d)
{
	return d->conf && d->conf->pool.etcd;
}

/* A view of the store was applied up to this revision: writes waiting
 * for it can answer (pool_ctl.c). */
void xlbd_pool_writes_applied(struct xlbd *d, int64_t revision);
/* Drop every write under way (stop). */
void xlbd_pool_writes_free(struct xlbd *d);
/* metrics_pool.c: the fleet's part of the Prometheus page */
struct expo;
void xlbd_metrics_pool(struct expo *e, struct xlbd *d);
/* `xlbctl pool ...` and `fleet status` (handlers.c): CTL_OK, CTL_ERR_*
 * with err, or CTL_DEFERRED (the answer comes through the control server). */
struct ctl_request;
int xlbd_pool_cmd(struct xlbd *d, const struct ctl_request *req, struct rt_vip *vip, bool json,
		  struct buf *body, char *err, size_t errlen);

#endif
