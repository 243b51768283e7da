/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Resolve a backend's next hop in userspace so the datapath can skip the
 * per-packet FIB lookup (xlb_backend.flags XLB_BE_F_NEXTHOP).
 */
#ifndef XLB_MAPS_NEXTHOP_H
#define XLB_MAPS_NEXTHOP_H

#include <stdbool.h>
#include <linux/types.h>
#include "xlb_shared.h"

struct nexthop_info {
	__u32 ifindex;	/* egress interface */
	__u32 mtu;	/* route MTU, else the link's */
	__u8 smac[6];	/* egress interface MAC */
	__u8 dmac[6];	/* gateway's (or the backend's own) MAC */
};

/*
 * Route, link and neighbour lookup for dst. If the neighbour is not
 * resolved, prod the kernel to resolve it and wait up to wait_ms.
 * Returns 0, -ENETUNREACH (no route), -EHOSTUNREACH (neighbour not
 * resolved), -EOPNOTSUPP (egress link has no MAC), or another -errno.
 */
int nexthop_resolve(__u8 family, const union xlb_addr *dst, int wait_ms,
		    struct nexthop_info *nh);

/* Many lookups in a row (one round of a refresh): one netlink socket,
 * each link and neighbour asked about once (what it said is kept for
 * the resolver's life: close it at the end of the round). Lookups do
 * not wait for an unresolved neighbour (they prod it). */
struct nexthop_resolver;
int nexthop_resolver_open(struct nexthop_resolver **out);
int nexthop_resolver_get(struct nexthop_resolver *r, __u8 family, const union xlb_addr *dst,
			 struct nexthop_info *nh);
void nexthop_resolver_close(struct nexthop_resolver *r);

/* Fill the next-hop fields of a backend entry (sets XLB_BE_F_NEXTHOP). */
void nexthop_to_backend(const struct nexthop_info *nh, struct xlb_backend *be);

#endif
