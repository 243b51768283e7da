/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Encapsulation: put an outer IPv4 or IPv6 header (and for GUE a UDP
 * header) between the L2 header and the untouched client packet.
 *
 * - IP in IP: RFC 2003 (4in4), RFC 2473 (6in6, 4in6), RFC 4213 (6in4).
 * - GUE variant 1 (draft-ietf-intarea-gue sec 4): the UDP payload is the
 *   inner IP packet; the UDP source port carries flow entropy. Over
 *   IPv4 the UDP checksum is zero (RFC 768); over IPv6 it is computed
 *   from the inner packet's own checksum (the "local checksum offload"
 *   identity, so no pass over the payload is needed) and is zero only
 *   when the inner packet gives no usable checksum (RFC 6935/6936).
 *
 * - GUE variant 0 (sec 3.1) with a second-chance hop as private data
 *   (format in include/xlb_shared.h) when the flow has one.
 *
 * Outer source is the node's own address, outer TTL fixed, DSCP/ECN
 * copied from the inner header (RFC 2983 uniform model, RFC 6040 normal
 * mode), IPv6 flow label from the flow hash (RFC 6438).
 */
#ifndef XLB_BPF_ENCAP_H
#define XLB_BPF_ENCAP_H

#include "csum.h"
#include "parse.h"

#define IPPROTO_IPIP_	4
#define IPPROTO_IPV6_	41
#define GUE_SPORT_BASE	0xC000	/* GUE source ports from the dynamic range */

/* Bytes a second-chance hop adds to GUE: the variant 0 header and the
 * hop of the outer family. */
static __always_inline __u32 hop_len(__u8 outer_family)
{
	return XLB_GUE_HDR_LEN + XLB_GUE_HOP_LEN(outer_family);
}

/* Outer headers' length; `hop`: with a second-chance hop (GUE only). */
static __always_inline __u32 encap_len(__u8 outer_family, __u8 encap, bool hop)
{
	__u32 len = outer_family == XLB_FAMILY_V4 ? sizeof(struct iphdr) :
						     sizeof(struct ipv6hdr);

	if (encap == XLB_ENCAP_GUE)
		len += sizeof(struct udphdr);
	if (hop)
		len += hop_len(outer_family);
	return len;
}

/* The GUE variant 0 header and `hop` (of the outer family, `family`: a
 * constant, as the bounds check before each call is) as its private data
 * (include/xlb_shared.h) at `gue`, which the caller has bounds-checked
 * for hop_len() bytes. Returns the one's complement sum of what it wrote. */
static __always_inline __u64 gue_hop_write(__u32 *gue, const struct pkt *p,
					   const struct xlb_backend *hop, __u8 family)
{
	__u8 inner = p->flow.family == XLB_FAMILY_V4 ? IPPROTO_IPIP_ : IPPROTO_IPV6_;

	gue[0] = bpf_htonl((__u32)XLB_GUE_HOP_HLEN(family) << 24 | (__u32)inner << 16);
	gue[1] = bpf_htonl((__u32)XLB_GUE_HOP_TYPE << 16 | (__u32)family << 8);
	if (family == XLB_FAMILY_V4) {
		gue[2] = hop->addr.v4;
		return (__u64)gue[0] + gue[1] + gue[2];
	}
	gue[2] = hop->addr.v6[0];
	gue[3] = hop->addr.v6[1];
	gue[4] = hop->addr.v6[2];
	gue[5] = hop->addr.v6[3];
	return (__u64)gue[0] + gue[1] + csum_addr6(&hop->addr);
}

/*
 * One's complement sum of the inner packet (as it will be the GUE UDP
 * payload) derived from its own headers. Returns 0 when it cannot be
 * derived: the GUE checksum is then sent as zero.
 */
static __always_inline __u64 inner_sum(void *data, void *data_end, const struct pkt *p,
				       bool *ok)
{
	__u32 l4_len = p->l3_len - (p->l4_off - p->l3_off);
	__u64 pseudo, sum = 0;
	__u8 proto = p->flow.proto;

	*ok = false;
	if (p->frag)
		return 0;
	if (proto == IPPROTO_UDP) {
		struct udphdr *uh = data + (p->l4_off & (PKT_OFF_MAX * 2 - 1));

		if ((void *)(uh + 1) > data_end || uh->check == 0)
			return 0;
	} else if (proto != IPPROTO_TCP && proto != IPPROTO_ICMP && proto != IPPROTO_ICMPV6) {
		return 0;
	}

	if (p->flow.family == XLB_FAMILY_V4) {
		/* a valid IPv4 header sums to 0xffff: contributes nothing */
		if (proto == IPPROTO_ICMP) {
			*ok = true;
			return 0;
		}
		/* ICMPv6 has a checksum only over IPv6 */
		if (proto == IPPROTO_ICMPV6)
			return 0;
		pseudo = (__u64)p->flow.src.v4 + p->flow.dst.v4;
	} else {
		struct ipv6hdr *ip6h = data + (p->l3_off & 0x1f);

		/* the extension headers would have to be summed too */
		if (p->l4_off != p->l3_off + sizeof(*ip6h) || proto == IPPROTO_ICMP)
			return 0;
		if ((void *)(ip6h + 1) > data_end)
			return 0;
		sum = (__u64)((__u32 *)ip6h)[0] + ((__u32 *)ip6h)[1] +
		      csum_addr6(&p->flow.src) + csum_addr6(&p->flow.dst);
		pseudo = csum_addr6(&p->flow.src) + csum_addr6(&p->flow.dst);
	}
	/* a valid L4 checksum makes the segment sum to ~pseudo-header */
	pseudo += bpf_htons(proto) + bpf_htons(l4_len);
	sum += (__u16)csum_fold(pseudo);
	*ok = true;
	return sum;
}

/* Copy the L2 header (Ethernet with room for one VLAN tag, 18 bytes) as
 * two 8-byte words and a 2-byte one. __builtin_memcpy through a void
 * pointer compiles to single-byte loads and stores plus the shifts that
 * combine them, some hundred instructions each way on the hot path. */
static __always_inline void l2_copy(void *dst, const void *src)
{
	((__u64 *)dst)[0] = ((const __u64 *)src)[0];
	((__u64 *)dst)[1] = ((const __u64 *)src)[1];
	((__u16 *)dst)[8] = ((const __u16 *)src)[8];
}

/* Ethernet padding of short frames must not travel in the tunnel: cut
 * the frame to its L2 header and IP packet. Returns 0 or -1. */
static __always_inline int encap_trim(struct xdp_md *ctx, const struct pkt *p, __u32 l2_len)
{
	long pad = (long)(ctx->data_end - ctx->data) - (long)(l2_len + p->l3_len);

	if (pad > 0 && bpf_xdp_adjust_tail(ctx, -(int)pad))
		return -1;
	return 0;
}

/* Grow the frame by `olen` bytes at the head and move the L2 header
 * (Ethernet with room for one VLAN tag) to the new front, leaving the
 * room for the outer headers between it and the client packet. Returns
 * 0 or -1. */
static __always_inline int encap_grow(struct xdp_md *ctx, __u32 olen)
{
	__u8 l2[sizeof(struct ethhdr) + 4] __attribute__((aligned(8)));
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + sizeof(l2) > data_end)
		return -1;
	l2_copy(l2, data);
	if (bpf_xdp_adjust_head(ctx, -(int)olen))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + sizeof(l2) > data_end)
		return -1;
	/* copies 4 bytes too many for untagged frames: the outer header
	 * written next covers them */
	l2_copy(data, l2);
	return 0;
}

/* GUE's UDP header; the checksum is the caller's. */
static __always_inline void gue_udp_write(struct udphdr *uh, const struct xlb_vip_encap *enc,
					  __u32 hash, __u32 l4len)
{
	uh->source = bpf_htons(GUE_SPORT_BASE | (hash & 0x3FFF));
	uh->dest = enc->gue_port;
	uh->len = bpf_htons(l4len);
	uh->check = 0;
}

/* Outer IPv4 header (and GUE's UDP header, checksum zero: RFC 768, and
 * the hop if there is one) at `l2_len`. Returns 0 or -1. */
static __always_inline int encap_ipv4_write(void *data, void *data_end, __u32 l2_len,
					    const struct pkt *p, const struct xlb_vip_encap *enc,
					    const struct xlb_backend *be,
					    const struct xlb_config *cfg, __u32 hash,
					    const struct xlb_backend *hop)
{
	bool gue = enc->encap == XLB_ENCAP_GUE;
	__u32 olen = encap_len(XLB_FAMILY_V4, enc->encap, hop);
	struct iphdr *iph = data + l2_len;
	struct udphdr *uh = (void *)(iph + 1);

	if ((void *)(iph + 1) > data_end)
		return -1;
	*(__be16 *)(data + l2_len - 2) = bpf_htons(ETH_P_IP);
	*(__u8 *)iph = 0x45;
	iph->tos = p->tos;
	iph->tot_len = bpf_htons(olen + p->l3_len);
	iph->id = 0;
	iph->frag_off = bpf_htons(IP_DF);
	iph->ttl = cfg->outer_ttl ? cfg->outer_ttl : XLB_OUTER_TTL;
	iph->protocol = gue ? IPPROTO_UDP :
		p->flow.family == XLB_FAMILY_V4 ? IPPROTO_IPIP_ : IPPROTO_IPV6_;
	iph->check = 0;
	iph->saddr = cfg->src_v4;
	iph->daddr = be->addr.v4;
	iph->check = csum_fold(csum_ipv4_hdr(iph));
	if (gue) {
		if ((void *)(uh + 1) > data_end)
			return -1;
		gue_udp_write(uh, enc, hash, olen - sizeof(*iph) + p->l3_len);
		if (hop) {
			if ((void *)(uh + 1) + XLB_GUE_HDR_LEN + XLB_GUE_HOP_LEN(XLB_FAMILY_V4) >
			    data_end)
				return -1;
			gue_hop_write((void *)(uh + 1), p, hop, XLB_FAMILY_V4);
		}
	}
	return 0;
}

/* Outer IPv6 header (and GUE's UDP header with its checksum from
 * `inner`, the inner packet's sum, when `sum_ok`, and the hop if there is
 * one) at `l2_len`. Returns 0 or -1. */
static __always_inline int encap_ipv6_write(void *data, void *data_end, __u32 l2_len,
					    const struct pkt *p, const struct xlb_vip_encap *enc,
					    const struct xlb_backend *be,
					    const struct xlb_config *cfg, __u32 hash, __u64 inner,
					    bool sum_ok, const struct xlb_backend *hop)
{
	bool gue = enc->encap == XLB_ENCAP_GUE;
	struct ipv6hdr *ip6h = data + l2_len;
	struct udphdr *uh = (void *)(ip6h + 1);
	__u32 l4len = encap_len(XLB_FAMILY_V6, enc->encap, hop) - sizeof(*ip6h) + p->l3_len;

	if ((void *)(ip6h + 1) > data_end)
		return -1;
	*(__be16 *)(data + l2_len - 2) = bpf_htons(ETH_P_IPV6);
	*(__be32 *)ip6h = bpf_htonl((6U << 28) | ((__u32)p->tos << 20) | (hash & 0xFFFFF));
	ip6h->payload_len = bpf_htons(l4len);
	ip6h->nexthdr = gue ? IPPROTO_UDP :
		p->flow.family == XLB_FAMILY_V4 ? IPPROTO_IPIP_ : IPPROTO_IPV6_;
	ip6h->hop_limit = cfg->outer_ttl ? cfg->outer_ttl : XLB_OUTER_TTL;
	__builtin_memcpy(&ip6h->saddr, &cfg->src_v6, 16);
	__builtin_memcpy(&ip6h->daddr, &be->addr, 16);
	if (!gue)
		return 0;
	if ((void *)(uh + 1) > data_end)
		return -1;
	gue_udp_write(uh, enc, hash, l4len);
	if (hop) {
		if ((void *)(uh + 1) + XLB_GUE_HDR_LEN + XLB_GUE_HOP_LEN(XLB_FAMILY_V6) > data_end)
			return -1;
		inner += gue_hop_write((void *)(uh + 1), p, hop, XLB_FAMILY_V6);
	}
	if (sum_ok) {
		__u16 check;

		inner += csum_addr6(&cfg->src_v6) + csum_addr6(&be->addr) +
			 bpf_htons(IPPROTO_UDP) + 2 * (__u64)bpf_htons(l4len) + uh->source +
			 uh->dest;
		check = csum_fold(inner);
		uh->check = check ? check : 0xFFFF;
	}
	return 0;
}

/*
 * Put the outer headers in front of the client packet: trim padding,
 * grow, write them. The L2 header keeps its place at the front (MACs
 * are set by the caller); its ethertype becomes the outer family's.
 * Returns 0 or -1.
 */
static __always_inline int encap_push(struct xdp_md *ctx, const struct pkt *p,
				      const struct xlb_vip_encap *enc, const struct xlb_backend *be,
				      const struct xlb_config *cfg, __u32 hash,
				      const struct xlb_backend *hop)
{
	__u32 l2_len = p->l3_off == sizeof(struct ethhdr) ? sizeof(struct ethhdr) :
							      sizeof(struct ethhdr) + 4;
	void *data, *data_end;
	bool sum_ok = false;
	__u64 inner = 0;

	if (encap_trim(ctx, p, l2_len))
		return -1;
	/* GUE over IPv6 needs the inner packet's sum, read before growing */
	if (enc->encap == XLB_ENCAP_GUE && be->family == XLB_FAMILY_V6)
		inner = inner_sum((void *)(long)ctx->data, (void *)(long)ctx->data_end, p,
				  &sum_ok);
	if (encap_grow(ctx, encap_len(be->family, enc->encap, hop)))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (be->family == XLB_FAMILY_V4)
		return encap_ipv4_write(data, data_end, l2_len, p, enc, be, cfg, hash, hop);
	return encap_ipv6_write(data, data_end, l2_len, p, enc, be, cfg, hash, inner, sum_ok,
				hop);
}

#endif
