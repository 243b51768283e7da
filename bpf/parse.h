/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Header parsing for the balancer: Ethernet with at most one 802.1Q tag,
 * IPv4 with options (RFC 791), IPv6 with hop-by-hop, routing,
 * destination-options and fragment headers (RFC 8200 sec 4), TCP and
 * UDP ports, ICMP/ICMPv6 types. Fills struct pkt with offsets from the
 * start of the frame; nothing is written to the packet.
 */
#ifndef XLB_BPF_PARSE_H
#define XLB_BPF_PARSE_H

#include "xlb_shared.h"

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88A8

#define IPPROTO_HOPOPTS	0
#define IPPROTO_ROUTING	43
#define IPPROTO_FRAGMENT 44
#define IPPROTO_DSTOPTS	60
#define IPPROTO_ICMPV6	58

#define IP_MF		0x2000
#define IP_DF		0x4000
#define IP_OFFSET	0x1FFF

#define TCP_FLAG_SYN	0x02
#define TCP_FLAG_ACK	0x10

/* IPv6 extension headers followed before giving up on a packet */
#define IPV6_EXT_MAX	4
/* Offsets are kept below this so the verifier can bound every access */
#define PKT_OFF_MAX	512

/* Why parsing stopped. Only PARSE_OK packets have ports. */
enum parse_result {
	PARSE_OK,		/* L3 and L4 header parsed */
	PARSE_NOT_IP,		/* not IPv4/IPv6 */
	PARSE_VLAN,		/* more than one VLAN tag */
	PARSE_L3_BAD,		/* IP header truncated or invalid */
	PARSE_NO_PORTS,		/* L3 fine; no ports (non-first fragment, other protocol) */
	PARSE_L4_SHORT,		/* L3 fine; L4 header truncated */
	PARSE_EXT_LONG,		/* L3 fine so far; IPv6 header chain too long */
};

struct pkt {
	struct xlb_flow_key flow;	/* addresses, ports, proto, family */
	__u16 l3_off;		/* IP header */
	__u16 l4_off;		/* transport header (after extension headers) */
	__u16 l3_len;		/* IP packet length from its header, bytes */
	__u16 eth_proto_off;	/* where the ethertype of the IP header sits */
	__u8 tos;		/* IPv4 TOS / IPv6 traffic class */
	__u8 tcp_flags;		/* TCP flags byte, 0 for others */
	__u8 frag;		/* part of a fragmented datagram */
	__u8 frag_later;	/* not the first fragment: no L4 header */
	__u8 icmp_type;		/* ICMP/ICMPv6 type when proto is ICMP */
	__u8 df;		/* IPv4 don't-fragment bit */
	__be32 frag_id;		/* IPv4 id or IPv6 fragment identification */
};

/*
 * Headers must lie within the IP packet, not merely within the frame:
 * bytes after the IP length are Ethernet padding (or garbage), and a
 * packet classified by them would be forwarded without the header it was
 * classified by. Both bounds are checked: data_end for the verifier,
 * the IP length for the meaning.
 */
static __always_inline bool in_l3(const struct pkt *p, __u32 off, __u32 len)
{
	return off + len <= (__u32)p->l3_off + p->l3_len;
}

static __always_inline int parse_l4(void *data, void *data_end, struct pkt *p)
{
	__u16 off = p->l4_off;

	/* only an IPv6 extension header chain puts L4 this far: the chain
	 * is longer than we follow, the L4 header may well be complete */
	if (off > PKT_OFF_MAX)
		return PARSE_EXT_LONG;

	switch (p->flow.proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = data + off;

		if ((void *)(th + 1) > data_end || !in_l3(p, off, sizeof(*th)))
			return PARSE_L4_SHORT;
		p->flow.sport = th->source;
		p->flow.dport = th->dest;
		p->tcp_flags = ((__u8 *)th)[13];
		return PARSE_OK;
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = data + off;

		if ((void *)(uh + 1) > data_end || !in_l3(p, off, sizeof(*uh)))
			return PARSE_L4_SHORT;
		p->flow.sport = uh->source;
		p->flow.dport = uh->dest;
		return PARSE_OK;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		__u8 *icmp = data + off;

		if ((void *)(icmp + 8) > data_end || !in_l3(p, off, 8))
			return PARSE_L4_SHORT;
		p->icmp_type = icmp[0];
		return PARSE_NO_PORTS;
	}
	}
	return PARSE_NO_PORTS;
}

static __always_inline int parse_ipv4(void *data, void *data_end, struct pkt *p)
{
	struct iphdr *iph = data + p->l3_off;
	__u16 frag_off, tot_len;
	__u32 ihl;

	if ((void *)(iph + 1) > data_end)
		return PARSE_L3_BAD;
	ihl = iph->ihl;
	if (iph->version != 4 || ihl < 5)
		return PARSE_L3_BAD;
	tot_len = bpf_ntohs(iph->tot_len);
	if (tot_len < ihl * 4 || data + p->l3_off + tot_len > data_end)
		return PARSE_L3_BAD;

	p->flow.family = XLB_FAMILY_V4;
	p->flow.src.v4 = iph->saddr;
	p->flow.dst.v4 = iph->daddr;
	p->flow.proto = iph->protocol;
	p->tos = iph->tos;
	p->l3_len = tot_len;
	p->l4_off = p->l3_off + ihl * 4;

	frag_off = bpf_ntohs(iph->frag_off);
	p->df = !!(frag_off & IP_DF);
	if (frag_off & (IP_MF | IP_OFFSET)) {
		p->frag = 1;
		p->frag_id = (__be32)iph->id;
		if (frag_off & IP_OFFSET) {
			p->frag_later = 1;
			return PARSE_NO_PORTS;
		}
	}
	return parse_l4(data, data_end, p);
}

static __always_inline int parse_ipv6(void *data, void *data_end, struct pkt *p)
{
	struct ipv6hdr *ip6h = data + p->l3_off;
	__u16 off;
	__u8 nexthdr;
	int i;

	if ((void *)(ip6h + 1) > data_end)
		return PARSE_L3_BAD;
	if (ip6h->version != 6)
		return PARSE_L3_BAD;
	p->l3_len = bpf_ntohs(ip6h->payload_len) + sizeof(*ip6h);
	if (data + p->l3_off + p->l3_len > data_end)
		return PARSE_L3_BAD;

	p->flow.family = XLB_FAMILY_V6;
	__builtin_memcpy(&p->flow.src, &ip6h->saddr, 16);
	__builtin_memcpy(&p->flow.dst, &ip6h->daddr, 16);
	p->tos = (ip6h->priority << 4) | (ip6h->flow_lbl[0] >> 4);

	nexthdr = ip6h->nexthdr;
	off = p->l3_off + sizeof(*ip6h);
#pragma unroll
	for (i = 0; i < IPV6_EXT_MAX; i++) {
		__u8 *ext = data + off;

		if (nexthdr != IPPROTO_HOPOPTS && nexthdr != IPPROTO_ROUTING &&
		    nexthdr != IPPROTO_DSTOPTS && nexthdr != IPPROTO_FRAGMENT)
			goto done;
		if (off > PKT_OFF_MAX) {
			/* too long to follow, not truncated */
			p->flow.proto = nexthdr;
			return PARSE_EXT_LONG;
		}
		if ((void *)(ext + 8) > data_end || !in_l3(p, off, 8)) {
			p->flow.proto = nexthdr;
			return PARSE_L4_SHORT;
		}
		if (nexthdr == IPPROTO_FRAGMENT) {
			__u16 fo = bpf_ntohs(*(__be16 *)(ext + 2));

			p->frag = 1;
			p->frag_id = *(__be32 *)(ext + 4);
			nexthdr = ext[0];
			off += 8;
			if (fo & 0xFFF8) {
				p->frag_later = 1;
				p->flow.proto = nexthdr;
				p->l4_off = off;
				return PARSE_NO_PORTS;
			}
			continue;
		}
		nexthdr = ext[0];
		off += (ext[1] + 1) * 8;
	}
	if (nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	    nexthdr == IPPROTO_DSTOPTS || nexthdr == IPPROTO_FRAGMENT) {
		p->flow.proto = nexthdr;
		return PARSE_EXT_LONG;
	}
done:
	p->flow.proto = nexthdr;
	p->l4_off = off;
	return parse_l4(data, data_end, p);
}

static __always_inline int parse_packet(struct xdp_md *ctx, struct pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u16 proto;

	if ((void *)(eth + 1) > data_end)
		return PARSE_NOT_IP;
	proto = eth->h_proto;
	p->eth_proto_off = offsetof(struct ethhdr, h_proto);
	p->l3_off = sizeof(*eth);
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		struct vlan_hdr *vh = (void *)(eth + 1);

		if ((void *)(vh + 1) > data_end)
			return PARSE_NOT_IP;
		proto = vh->h_vlan_encapsulated_proto;
		p->eth_proto_off = sizeof(*eth) + 2;
		p->l3_off += sizeof(*vh);
		if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD))
			return PARSE_VLAN;
	}
	if (proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(data, data_end, p);
	if (proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(data, data_end, p);
	return PARSE_NOT_IP;
}

#endif
