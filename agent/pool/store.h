/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pool-state store: a node's live link to etcd. It follows the
 * cluster's prefix (read, then watch; session.h), keeps the node's copy
 * of the keys (view.h) and tells xlbd when they change; it keeps the
 * node's registration under its lease; it runs the operator's writes.
 * Everything runs on xlbd's event loop through one etcd client
 * (etcd_client.h).
 *
 * While the watch is up a heartbeat (a linearizable count of the intent
 * keys, every heartbeat_ms) checks that the member still answers for the
 * cluster: a member cut off from the others answers neither it nor (with
 * hasleader) the watch, and the node moves to another. Losing the store
 * only changes what status says: the view keeps its last contents, and
 * xlbd keeps what it applied.
 *
 * Registration: a lease of lease_ttl seconds, granted after the watch is
 * set up, kept alive every lease_ttl/3; the node's value is put under it
 * whenever pool_store_register() gives a new one and after every
 * reconnection (with a new lease when etcd forgot the old one). A node
 * that stops or loses etcd disappears from the listing when its lease
 * runs out.
 */
#ifndef XLB_POOL_STORE_H
#define XLB_POOL_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/evloop.h"
#include "pool/etcd_client.h"
#include "pool/etcd_msg.h"
#include "pool/keys.h"
#include "pool/session.h"
#include "pool/view.h"

struct pool_store;
struct pool_call;

struct pool_store_cfg {
	struct etcd_client_cfg client;
	const char *prefix;		/* /xlb/CLUSTER */
	const char *user;		/* NULL: no login */
	const char *password;		/* copied, wiped when freed; never logged */
	const char *node_name;
	uint32_t lease_ttl_s;		/* default 10 */
	uint32_t heartbeat_ms;		/* default 1000 */
	uint32_t request_timeout_ms;	/* default 2000 */
};

struct pool_store_ops {
	/* The view changed: read again (snapshot), or events. intent: an
	 * intent key changed (else only registrations did). */
	void (*changed)(void *arg, bool intent);
	/* The watch is up (true), or the store was lost (false). */
	void (*link)(void *arg, bool up);
};

int pool_store_new(struct evloop *el, const struct pool_store_cfg *cfg,
		   const struct pool_store_ops *ops, void *arg, struct pool_store **out);
/* Start following (the first connection is tried at once). */
void pool_store_start(struct pool_store *s);
void pool_store_free(struct pool_store *s);

const struct pool_view *pool_store_view(const struct pool_store *s);
/* The revision the owner has applied (from the view, or its own saved
 * state before the first read): what the logs say is kept. */
void pool_store_set_applied(struct pool_store *s, int64_t revision);
const char *pool_store_prefix(const struct pool_store *s);

struct pool_store_status {
	bool up;
	enum pool_sm_state state;
	const char *endpoint;		/* current member */
	uint64_t since_ms;		/* monotonic ms of the last up/down change; 0: never up */
	int64_t store_revision;		/* the store's revision at the last read or heartbeat */
	int64_t intent_revision;	/* the view's (see view.h) */
	char last_error[ETCD_ERR_MAX + 80];	/* what went wrong last, "" if nothing yet */
	uint64_t connects;		/* watches set up */
	uint64_t failures;		/* connections lost or not made */
	uint64_t compactions;		/* watches restarted because of compaction */
	uint64_t events;		/* watch events applied */
	bool registered;		/* the registration is in etcd */
	int64_t lease_id;
};
void pool_store_status(const struct pool_store *s, struct pool_store_status *st);

/* The node's registration value (copied); put at once when registered
 * and different from the last one put. */
int pool_store_register(struct pool_store *s, const struct pool_node_value *v);

/* A unary call for xlbd (a txn, a read), only while the watch is up
 * (-ENOTCONN otherwise). done gets the decoded answer or, with err set,
 * why there is none (detail for the operator). */
typedef void (*pool_call_fn)(void *arg, int err, const struct etcd_resp *resp,
			     const char *detail);
int pool_store_call(struct pool_store *s, const char *path, const char *body, pool_call_fn done,
		    void *arg, struct pool_call **out);
void pool_call_cancel(struct pool_call *c);

#endif
