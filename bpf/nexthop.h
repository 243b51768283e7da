/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Next hop for the outer destination. The agent resolves each backend's
 * next hop (egress interface, MACs, MTU) and caches it in the backend
 * entry; without a cached one the kernel FIB is asked per packet with
 * bpf_fib_lookup. An unresolved neighbour makes the caller pass the
 * encapsulated packet to the kernel, which resolves it and forwards.
 */
#ifndef XLB_BPF_NEXTHOP_H
#define XLB_BPF_NEXTHOP_H

#include "parse.h"
#include "maps.h"

#define AF_INET		2
#define AF_INET6	10

enum nh_result {
	NH_OK,		/* MACs and interface known */
	NH_NO_NEIGH,	/* route known, neighbour not resolved */
	NH_NO_ROUTE,	/* no route, or a route xlb cannot use */
	NH_TOO_BIG,	/* outer packet exceeds the egress MTU */
};

/* The MACs come first, as in an Ethernet header (and as in struct
 * xlb_backend): both are moved as one 8-byte and one 4-byte word. */
struct xlb_nexthop {
	__u8 dmac[6];
	__u8 smac[6];
	__u32 ifindex;		/* egress; 0 = the ingress interface */
	__u16 mtu;		/* egress MTU when NH_TOO_BIG */
} __attribute__((aligned(8)));

/* Destination and source MAC, 12 bytes from an 8-byte aligned `src`. */
static __always_inline void nh_macs_copy(void *dst, const void *src)
{
	*(__u64 *)dst = *(const __u64 *)src;
	*(__u32 *)(dst + 8) = *(const __u32 *)(src + 8);
}

/* No cached next hop: ask the kernel's FIB. Out of line: the agent
 * caches every backend's next hop, this is the exception. */
static __noinline int nh_fib(struct xdp_md *ctx, const struct pkt *p,
			     const struct xlb_backend *be, __u32 tot_len, struct xlb_nexthop *nh)
{
	struct bpf_fib_lookup fib = {};
	const struct xlb_config *cfg;
	__u32 zero = 0;
	long rc;

	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg)
		return NH_NO_ROUTE;
	stat_inc(XLB_STAT_NH_FIB);
	fib.ifindex = ctx->ingress_ifindex;
	fib.tot_len = tot_len;
	fib.tos = p->tos;
	if (be->family == XLB_FAMILY_V4) {
		fib.family = AF_INET;
		fib.ipv4_src = cfg->src_v4;
		fib.ipv4_dst = be->addr.v4;
	} else {
		fib.family = AF_INET6;
		__builtin_memcpy(fib.ipv6_src, &cfg->src_v6, 16);
		__builtin_memcpy(fib.ipv6_dst, &be->addr, 16);
	}
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
		break;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		nh->ifindex = fib.ifindex;
		return NH_NO_NEIGH;
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		nh->mtu = fib.mtu_result;
		return NH_TOO_BIG;
	default:
		return NH_NO_ROUTE;
	}
	nh->ifindex = fib.ifindex;
	__builtin_memcpy(nh->dmac, fib.dmac, 6);
	__builtin_memcpy(nh->smac, fib.smac, 6);
	return NH_OK;
}

static __always_inline int nh_resolve(struct xdp_md *ctx, const struct pkt *p,
				      const struct xlb_backend *be, __u32 outer_len,
				      struct xlb_nexthop *nh)
{
	__u32 tot_len = p->l3_len + outer_len;

	if (!(be->flags & XLB_BE_F_NEXTHOP))
		return nh_fib(ctx, p, be, tot_len, nh);
	nh->ifindex = be->ifindex;
	nh_macs_copy(nh->dmac, be->dmac);
	if (be->mtu && tot_len > be->mtu) {
		nh->mtu = be->mtu;
		return NH_TOO_BIG;
	}
	return NH_OK;
}

/* Set the MACs and send: XDP_TX back out of the ingress interface or
 * XDP_REDIRECT to another one. */
static __always_inline int nh_send(struct xdp_md *ctx, const struct xlb_nexthop *nh)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	nh_macs_copy(eth->h_dest, nh->dmac);
	if (!nh->ifindex || nh->ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	return bpf_redirect(nh->ifindex, 0);
}

#endif
