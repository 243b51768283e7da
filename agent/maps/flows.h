/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flow table (`flows`) as userspace reads it: the one place that
 * knows the layout of its keys and values (include/xlb_shared.h), so a
 * change of layout (per-CPU tables, a compact IPv4 key) is made here and
 * nowhere else. Everything above sees struct xlb_dp_flow: one entry in
 * host terms. Also the datapath's flow hash (bpf/hash.h, the same code)
 * and its Maglev slot, for `xlbctl flow lookup`.
 *
 * Functions return 0 or -errno.
 */
#ifndef XLB_MAPS_FLOWS_H
#define XLB_MAPS_FLOWS_H

#include <stdbool.h>
#include <linux/types.h>
#include "xlb_shared.h"

struct xlb_dp;

/* One flow-table entry: the connection as the client sent it, and where
 * the datapath sends it. */
struct xlb_dp_flow {
	__u8 family;		/* XLB_FAMILY_V4 or XLB_FAMILY_V6 */
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	union xlb_addr client;	/* network order */
	union xlb_addr vip;	/* network order */
	__u16 client_port;	/* host order */
	__u16 vip_port;		/* host order */
	/* the entry's value (unset for a tuple that has none) */
	__u32 backend_id;
	__u32 backend_gen;	/* the backend's generation when the entry was made */
	__u32 hash;		/* the flow hash the datapath computed */
	__u16 vip_id;
	__u16 hop_id;		/* second-chance hop: its backend id; 0: none */
};

/*
 * Call cb for every entry of the flow table (a snapshot taken in batches:
 * the datapath keeps changing the table meanwhile, so an entry may be
 * missed or seen after it was replaced). cb returning non-zero stops the
 * walk with that value.
 */
int xlb_dp_flow_foreach(struct xlb_dp *dp, int (*cb)(const struct xlb_dp_flow *f, void *arg),
			void *arg);

/*
 * The same walk in steps, for a reader that must not hold the event loop
 * for a whole table (262144 entries take ~0.1 s to read): each step
 * reads about `max` entries and returns 1 once the walk has reached the
 * end, 0 when there is more, or -errno (cb's non-zero value stops it and
 * is returned). Same snapshot caveats as above, stretched over the time
 * between the steps.
 */
struct xlb_dp_flow_walk;
int xlb_dp_flow_walk_new(int flows_fd, struct xlb_dp_flow_walk **out);
int xlb_dp_flow_walk_step(struct xlb_dp_flow_walk *w, __u32 max,
			  int (*cb)(const struct xlb_dp_flow *f, void *arg), void *arg);
void xlb_dp_flow_walk_free(struct xlb_dp_flow_walk *w);
/* The flow table's fd, for xlb_dp_flow_walk_new(). */
int xlb_dp_flows_fd(struct xlb_dp *dp);
/* f's tuple in, its entry out: 0, or -ENOENT when the table has none. */
int xlb_dp_flow_get(struct xlb_dp *dp, struct xlb_dp_flow *f);
/* The hash the datapath computes for f's tuple: of the whole 5-tuple, or
 * of the client address only (VIPs hashed on the source). */
__u32 xlb_dp_flow_hash(const struct xlb_dp_flow *f, bool by_src);
/* The backend id in slot `slot` of the Maglev table the datapath uses for
 * VIP `key`, and the table's size. -EPERM where reading a table by id is
 * not allowed (it needs CAP_SYS_ADMIN, which xlbd drops after start-up),
 * -ENOENT when the VIP has none. */
int xlb_dp_ring_slot(struct xlb_dp *dp, const struct xlb_vip_key *key, __u32 hash,
		     __u32 *slot, __u32 *backend_id);

#endif
