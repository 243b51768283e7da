/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlb's keys and values in etcd (documented for operators in xlb.conf(5)),
 * modelled on Wikimedia's conftool: one small JSON object per key, under
 * the cluster's prefix P (`pool-state etcd { prefix P }`):
 *
 *   P/pool/backends/VIP/BACKEND   {"pooled": "yes"|"no"|"inactive", "weight": N}
 *   P/pool/vips/VIP               {"enabled": true|false}
 *   P/nodes/NAME                  a node's registration (under its lease):
 *       {"name": N, "address": A, "version": V, "revision": R,
 *        "connected": true, "tables": {VIP: {"fingerprint": F, "backends": K}}}
 *
 * VIP is written as xlbctl writes it (203.0.113.10:80/tcp,
 * [2001:db8::1]:80/tcp, 203.0.113.30:*\/tcp, 203.0.113.20/local), BACKEND
 * as an address. Keys that do not parse as one of these are not xlb's and
 * are ignored; keys are read back canonically (an IPv6 address in another
 * spelling still names the same backend).
 *
 * A backend without a key is pooled at its configured weight; "weight"
 * overrides the configured one (0..1000000); a missing "pooled" is "yes".
 * A VIP without a key is enabled. Fields other than these are ignored (so
 * a newer writer may add some); a value of the wrong type is refused as a
 * whole with a reason, and the node keeps what it had for that key.
 */
#ifndef XLB_POOL_KEYS_H
#define XLB_POOL_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pool/names.h"

#define POOL_VIP_STRLEN 64	/* conf_vip_format / ctl_vip_format room */
#define POOL_ADDR_STRLEN 48	/* an IPv6 address as inet_ntop writes it */
#define POOL_FP_STRLEN 13	/* 12 hex digits: a 48-bit fingerprint */
#define POOL_WEIGHT_MAX 1000000
#define POOL_KEY_MAX (POOL_PREFIX_MAX + 32 + POOL_VIP_STRLEN + POOL_ADDR_STRLEN)

enum pool_key_kind {
	POOL_KEY_OTHER = 0,	/* under the prefix, but not an xlb key */
	POOL_KEY_BACKEND,
	POOL_KEY_VIP,
	POOL_KEY_NODE,
};

struct pool_key {
	enum pool_key_kind kind;
	char vip[POOL_VIP_STRLEN];		/* canonical; BACKEND, VIP */
	char backend[POOL_ADDR_STRLEN];		/* canonical; BACKEND */
	char node[POOL_NODE_NAME_MAX + 1];	/* NODE */
};

/* Which xlb key `key` is. Keys outside prefix, or under it but of no
 * known form, are POOL_KEY_OTHER. Returns the kind. */
enum pool_key_kind pool_key_parse(const char *prefix, const char *key, struct pool_key *out);

/* Build keys; -ENAMETOOLONG if len is too small. vip and backend are
 * taken as given (canonical forms are the caller's business). */
int pool_key_backend(const char *prefix, const char *vip, const char *backend, char *buf,
		     size_t len);
int pool_key_vip(const char *prefix, const char *vip, char *buf, size_t len);
int pool_key_node(const char *prefix, const char *name, char *buf, size_t len);
/* P/pool/ (all operator intent), P/pool/backends/VIP/ (one VIP's
 * backends), P/nodes/ */
int pool_key_intent_prefix(const char *prefix, char *buf, size_t len);
int pool_key_vip_backends_prefix(const char *prefix, const char *vip, char *buf, size_t len);
int pool_key_nodes_prefix(const char *prefix, char *buf, size_t len);


enum pool_pooled {
	POOL_YES = 0,
	POOL_NO,		/* drain: no new flows, established ones stay */
	POOL_INACTIVE,		/* out of the pool: no flows at all, not counted */
};

const char *pool_pooled_name(enum pool_pooled p);

struct pool_be_value {
	enum pool_pooled pooled;
	bool has_weight;
	uint32_t weight;
};

struct pool_vip_value {
	bool enabled;
};

/* Parse a value; -EINVAL with the reason in err. */
int pool_be_value_parse(const char *json, size_t len, struct pool_be_value *out, char *err,
			size_t errlen);
int pool_vip_value_parse(const char *json, size_t len, struct pool_vip_value *out, char *err,
			 size_t errlen);
/* The value as xlbctl writes it (malloc'd; NULL when out of memory). */
char *pool_be_value_format(const struct pool_be_value *v);
char *pool_vip_value_format(const struct pool_vip_value *v);

/* One VIP's table as a node registers it. */
struct pool_node_table {
	char vip[POOL_VIP_STRLEN];
	char fingerprint[POOL_FP_STRLEN];	/* "" when the VIP has no table */
	uint32_t backends;			/* backends with slots in the table */
};

struct pool_node_value {
	char name[POOL_NODE_NAME_MAX + 1];
	char address[POOL_ADDR_STRLEN];
	char version[32];
	int64_t revision;	/* the intent revision the node has applied */
	bool connected;		/* its watch is up (false: it serves its last state) */
	struct pool_node_table *tables;
	size_t n_tables;
};

char *pool_node_value_format(const struct pool_node_value *v);
/* out->tables is malloc'd: pool_node_value_free(). */
int pool_node_value_parse(const char *json, size_t len, struct pool_node_value *out, char *err,
			  size_t errlen);
void pool_node_value_free(struct pool_node_value *v);

#endif
