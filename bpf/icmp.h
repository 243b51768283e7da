/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICMP for VIP traffic.
 * - Inbound errors about a VIP flow (RFC 792 / RFC 4443 sec 2.4: they
 *   embed the start of the packet a backend sent from the VIP) are
 *   turned back into the client's flow so they reach the same backend.
 * - Packets too big to encapsulate are answered in place with ICMP
 *   fragmentation-needed (RFC 792, RFC 1191 sec 4) or ICMPv6
 *   packet-too-big (RFC 4443 sec 3.2) carrying the MTU left after the
 *   encapsulation overhead, sent from the VIP back to the client.
 */
#ifndef XLB_BPF_ICMP_H
#define XLB_BPF_ICMP_H

#include "csum.h"
#include "parse.h"

#define ICMP_DEST_UNREACH	3
#define ICMP_FRAG_NEEDED	4
#define ICMP_TIME_EXCEEDED	11
#define ICMP_PARAMETERPROB	12
#define ICMPV6_DEST_UNREACH	1
#define ICMPV6_PKT_TOOBIG	2
#define ICMPV6_TIME_EXCEED	3
#define ICMPV6_PARAMPROB	4

#define ICMP_HDR_LEN		8
#define IPV6_MIN_MTU		1280
/* ICMPv6 errors carry as much of the packet as fits in the minimum MTU */
#define ICMPV6_QUOTE_LEN	(IPV6_MIN_MTU - sizeof(struct ipv6hdr) - ICMP_HDR_LEN)

static __always_inline bool icmp_is_error(const struct pkt *p)
{
	if (p->flow.proto == IPPROTO_ICMP)
		return p->icmp_type == ICMP_DEST_UNREACH || p->icmp_type == ICMP_TIME_EXCEEDED ||
		       p->icmp_type == ICMP_PARAMETERPROB;
	if (p->flow.proto == IPPROTO_ICMPV6)
		return p->icmp_type >= ICMPV6_DEST_UNREACH && p->icmp_type <= ICMPV6_PARAMPROB;
	return false;
}

/*
 * The flow an ICMP error is about, in client orientation: the embedded
 * header went from the VIP (source) to the client (destination), and the
 * error comes back to that VIP: an error sent to one VIP address about a
 * packet from another is forged or misrouted, and is no flow of ours.
 * Returns 0, or -1 when the embedded header is not a usable TCP/UDP one
 * (within the ICMP message) or not from the error's destination.
 */
static __always_inline int icmp_embedded_flow(struct xdp_md *ctx, const struct pkt *p,
					      struct xlb_flow_key *fk)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 off = (p->l4_off & 0x3ff) + ICMP_HDR_LEN;
	__be16 *ports;

	fk->family = p->flow.family;
	if (p->flow.family == XLB_FAMILY_V4) {
		struct iphdr *iph = data + off;

		if ((void *)(iph + 1) > data_end || !in_l3(p, off, sizeof(*iph)) ||
		    iph->version != 4 || iph->ihl < 5)
			return -1;
		if (bpf_ntohs(iph->frag_off) & IP_OFFSET)
			return -1;
		fk->proto = iph->protocol;
		fk->src.v4 = iph->daddr;
		fk->dst.v4 = iph->saddr;
		off += iph->ihl * 4;
	} else {
		struct ipv6hdr *ip6h = data + off;

		if ((void *)(ip6h + 1) > data_end || !in_l3(p, off, sizeof(*ip6h)) ||
		    ip6h->version != 6)
			return -1;
		fk->proto = ip6h->nexthdr;
		__builtin_memcpy(&fk->src, &ip6h->daddr, 16);
		__builtin_memcpy(&fk->dst, &ip6h->saddr, 16);
		off += sizeof(*ip6h);
	}
	if (fk->proto != IPPROTO_TCP && fk->proto != IPPROTO_UDP)
		return -1;
	if (fk->dst.v6[0] != p->flow.dst.v6[0] || fk->dst.v6[1] != p->flow.dst.v6[1] ||
	    fk->dst.v6[2] != p->flow.dst.v6[2] || fk->dst.v6[3] != p->flow.dst.v6[3])
		return -1;
	ports = data + (off & 0x3ff);
	if ((void *)(ports + 2) > data_end || !in_l3(p, off, 4))
		return -1;
	fk->sport = ports[1];
	fk->dport = ports[0];
	return 0;
}

/* Move the L2 header `grow` bytes towards the front after the frame was
 * grown at the head, and swap its MACs to answer the sender. */
static __always_inline int icmp_l2_reply(void *data, void *data_end, __u32 grow, __u32 l2_len,
					 __be16 proto)
{
	struct ethhdr *eth = data, *old = data + grow;
	__u8 mac[6];

	/* the frame holds an IP header after L2: 18 bytes are always there */
	if ((void *)(old + 1) + 4 > data_end)
		return -1;
	__builtin_memcpy(mac, old->h_source, 6);
	__builtin_memcpy(eth->h_source, old->h_dest, 6);
	__builtin_memcpy(eth->h_dest, mac, 6);
	if (l2_len > sizeof(*eth)) {
		/* keep the VLAN tag: TCI and inner ethertype */
		__builtin_memcpy((void *)(eth + 1) - 2, (void *)(old + 1) - 2, 4);
		*(__be16 *)((void *)(eth + 1) + 2) = proto;
	} else {
		eth->h_proto = proto;
	}
	return 0;
}

/* Fragmentation needed, sent from the VIP to the client. */
static __always_inline int icmp_too_big_v4(struct xdp_md *ctx, const struct pkt *p, __u16 mtu)
{
	const __u32 grow = sizeof(struct iphdr) + ICMP_HDR_LEN;
	__u32 l2_len = p->l3_off & 0x1f;
	__u32 quote = (p->l4_off - p->l3_off) + 8; /* original header + 64 bits */
	void *data, *data_end;
	struct iphdr *iph;
	__u8 *icmp;
	__u64 sum = 0;
	int i;

	if (quote > 68)
		return -1;
	if (bpf_xdp_adjust_head(ctx, -(int)grow))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (icmp_l2_reply(data, data_end, grow, l2_len, bpf_htons(ETH_P_IP)))
		return -1;
	if (bpf_xdp_adjust_tail(ctx, (int)(l2_len + grow + quote) - (int)(data_end - data)))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;

	iph = data + l2_len;
	icmp = (void *)(iph + 1);
	if ((void *)(icmp + ICMP_HDR_LEN) > data_end)
		return -1;
	*(__u8 *)iph = 0x45;
	iph->tos = 0xC0; /* internetwork control, as routers send errors */
	iph->tot_len = bpf_htons(grow + quote);
	iph->id = 0;
	iph->frag_off = 0;
	iph->ttl = XLB_OUTER_TTL;
	iph->protocol = IPPROTO_ICMP;
	iph->check = 0;
	iph->saddr = p->flow.dst.v4;
	iph->daddr = p->flow.src.v4;
	iph->check = csum_fold(csum_ipv4_hdr(iph));

	icmp[0] = ICMP_DEST_UNREACH;
	icmp[1] = ICMP_FRAG_NEEDED;
	*(__u16 *)(icmp + 2) = 0;
	*(__u16 *)(icmp + 4) = 0;
	*(__be16 *)(icmp + 6) = bpf_htons(mtu);
	/* ICMP header plus quote: at most 76 bytes, summed by 16-bit words */
	for (i = 0; i < (ICMP_HDR_LEN + 68) / 2; i++) {
		__u16 *w = (__u16 *)icmp + i;

		if (i * 2 >= (int)(ICMP_HDR_LEN + quote) || (void *)(w + 1) > data_end)
			break;
		sum += *w;
	}
	*(__u16 *)(icmp + 2) = csum_fold(sum);
	return 0;
}

/* Packet too big, sent from the VIP to the client. */
static __always_inline int icmp_too_big_v6(struct xdp_md *ctx, const struct pkt *p, __u32 mtu)
{
	const __u32 grow = sizeof(struct ipv6hdr) + ICMP_HDR_LEN;
	const __u32 len = ICMP_HDR_LEN + ICMPV6_QUOTE_LEN;
	__u32 l2_len = p->l3_off & 0x1f;
	void *data, *data_end;
	struct ipv6hdr *ip6h;
	__u8 *icmp;
	__s64 sum;

	if (p->l3_len < ICMPV6_QUOTE_LEN)
		return -1;
	if (bpf_xdp_adjust_head(ctx, -(int)grow))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (icmp_l2_reply(data, data_end, grow, l2_len, bpf_htons(ETH_P_IPV6)))
		return -1;
	if (bpf_xdp_adjust_tail(ctx, (int)(l2_len + grow + ICMPV6_QUOTE_LEN) -
					 (int)(data_end - data)))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;

	ip6h = data + l2_len;
	icmp = (void *)(ip6h + 1);
	if ((void *)(icmp + len) > data_end)
		return -1;
	*(__be32 *)ip6h = bpf_htonl(6U << 28);
	ip6h->payload_len = bpf_htons(len);
	ip6h->nexthdr = IPPROTO_ICMPV6;
	ip6h->hop_limit = 255;
	__builtin_memcpy(&ip6h->saddr, &p->flow.dst, 16);
	__builtin_memcpy(&ip6h->daddr, &p->flow.src, 16);

	icmp[0] = ICMPV6_PKT_TOOBIG;
	icmp[1] = 0;
	*(__u16 *)(icmp + 2) = 0;
	*(__be32 *)(icmp + 4) = bpf_htonl(mtu);
	/* pseudo-header (RFC 8200 sec 8.1) + message, 1240 bytes in three
	 * bounded pieces */
	sum = csum_reduce(csum_addr6(&p->flow.src) + csum_addr6(&p->flow.dst) +
			  bpf_htonl(len) + bpf_htonl(IPPROTO_ICMPV6));
	sum = bpf_csum_diff(NULL, 0, (__be32 *)icmp, 512, sum);
	if (sum < 0 || (void *)(icmp + len) > data_end)
		return -1;
	sum = bpf_csum_diff(NULL, 0, (__be32 *)(icmp + 512), 512, sum);
	if (sum < 0 || (void *)(icmp + len) > data_end)
		return -1;
	sum = bpf_csum_diff(NULL, 0, (__be32 *)(icmp + 1024), len - 1024, sum);
	if (sum < 0)
		return -1;
	*(__u16 *)(icmp + 2) = csum_fold(sum);
	return 0;
}

#endif
