/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Second chance on the backend (README "Second chance"). The balancer
 * sends a TCP segment that found no flow entry to its slot's current
 * owner and names the previous owner, the hop, in the GUE header
 * (format in include/xlb_shared.h). Here:
 *   - the hop is checked (hop_parse): our type with a wrong family, a
 *     length that does not match it, a reserved byte set, an address no
 *     host can have, or an outer IPv4 header with options (the balancer
 *     sends none, and the rewrite below handles none) make it malformed:
 *     dropped and counted, never XDP_ABORTED;
 *   - the inner segment's socket (sc_socket): an established, time-wait or
 *     request socket for its 4-tuple, or a listener for which it is a
 *     valid SYN-cookie ACK, makes it ours: decapsulated as usual;
 *   - not ours: the packet goes on to the hop (sc_forward) as the
 *     balancer would have sent it there — outer destination the hop, the
 *     GUE header and hop removed (plain GUE), TTL one less, lengths and
 *     checksums right, outer source kept (the balancer's) — by the FIB's
 *     next hop, XDP_TX or redirect. It carries no hop any more, so it
 *     makes at most one extra hop; a hop that is this host (an address
 *     of `decap_addrs`, or one the FIB calls local) is never sent to:
 *     the packet is decapsulated here, as one whose hop has no route at
 *     all (bpf_fib_lookup cannot tell the two apart), where the stack
 *     answers it. Other FIB refusals (blackhole, unreachable, forwarding
 *     off on the interface, the egress MTU) and a spent TTL drop it.
 * A hop on a packet it does not apply to (not TCP, a SYN, a fragment,
 * IPv6 extension headers before TCP) is ignored: decapsulated here.
 */
#ifndef XLB_BPF_DECAP_HOP_H
#define XLB_BPF_DECAP_HOP_H

#include "decap.h"
#include "csum.h"

enum sc_socket_result {
	SC_IGNORE,		/* not a segment a hop applies to */
	SC_OURS,		/* a local socket has it */
	SC_NOT_OURS,
};

/* An address a hop may not have: unspecified, loopback, multicast,
 * link-local (a backend is reached by routing), IPv4 limited broadcast. */
static __always_inline bool hop_addr_bad(const union xlb_addr *a, __u8 family)
{
	if (family == XLB_FAMILY_V4) {
		__u8 first = a->bytes[0];

		return a->v4 == 0 || a->v4 == 0xffffffff || first == 127 ||
		       (first & 0xf0) == 0xe0 || (first == 169 && a->bytes[1] == 254);
	}
	if (a->bytes[0] == 0xff || (a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80))
		return true;
	if (a->v6[0] | a->v6[1] | a->v6[2])
		return false;
	return a->v6[3] == 0 || a->v6[3] == bpf_htonl(1);
}

/*
 * Private data of a GUE variant 0 header without flags, `hlen` words at
 * `priv`: a second-chance hop if its first word has our type; someone
 * else's private data is skipped as before.
 */
static __always_inline int hop_parse(__u8 *priv, void *end, __u8 hlen, struct decap_info *info)
{
	struct xlb_gue_hop *h = (void *)priv;
	__u8 *a = (void *)(h + 1);

	if ((void *)(h + 1) > end)
		return DECAP_DROP;
	if (h->type != bpf_htons(XLB_GUE_HOP_TYPE))
		return DECAP_STRIP;
	if (h->family != info->outer_family || h->reserved ||
	    hlen != XLB_GUE_HOP_HLEN(h->family) || info->outer_opts)
		return DECAP_HOP_BAD;
	if (h->family == XLB_FAMILY_V4) {
		if ((void *)(a + 4) > end)
			return DECAP_HOP_BAD;
		info->hop.v4 = *(__be32 *)a;
	} else {
		if ((void *)(a + 16) > end)
			return DECAP_HOP_BAD;
		__builtin_memcpy(info->hop.bytes, a, 16);
	}
	/* the outer source goes on with it: one no host can have makes
	 * the packet as malformed as such a hop */
	if (hop_addr_bad(&info->hop, h->family) || hop_addr_bad(&info->outer_src, h->family))
		return DECAP_HOP_BAD;
	info->hop_rm = XLB_GUE_HDR_LEN + hlen * 4;
	return DECAP_STRIP;
}

/*
 * Is the inner TCP segment ours? bpf_skc_lookup_tcp finds established,
 * time-wait and request sockets (and listeners, which alone say nothing
 * about a connection: a listener counts only for the ACK that completes
 * a SYN-cookie handshake, checked by bpf_tcp_check_syncookie).
 */
static __always_inline int sc_socket(struct xdp_md *ctx, const struct decap_info *info)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u64 off = (__u64)info->l2_len + info->outer_len;
	__u32 size;
	struct bpf_sock_tuple t = {};
	int ours = SC_NOT_OURS;
	struct bpf_sock *sk;
	struct tcphdr *th;
	void *ip;
	__u8 flags;

	if (off > ETH_HLEN + VLAN_HLEN + OUTER_MAX)
		return SC_IGNORE;
	ip = data + off;
	if (info->inner_proto == ETH_P_IP) {
		struct iphdr *iph = ip;

		if ((void *)(iph + 1) > end)
			return SC_IGNORE;
		if (iph->protocol != IPPROTO_TCP || (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET)))
			return SC_IGNORE;
		th = ip + (((__u8 *)iph)[0] & 0xf) * 4;
		if ((void *)(th + 1) > end)
			return SC_IGNORE;
		t.ipv4.saddr = iph->saddr;
		t.ipv4.daddr = iph->daddr;
		t.ipv4.sport = th->source;
		t.ipv4.dport = th->dest;
		size = sizeof(t.ipv4);
	} else {
		struct ipv6hdr *ip6 = ip;

		if ((void *)(ip6 + 1) > end)
			return SC_IGNORE;
		if (ip6->nexthdr != IPPROTO_TCP)
			return SC_IGNORE;
		th = (void *)(ip6 + 1);
		if ((void *)(th + 1) > end)
			return SC_IGNORE;
		__builtin_memcpy(t.ipv6.saddr, &ip6->saddr, 16);
		__builtin_memcpy(t.ipv6.daddr, &ip6->daddr, 16);
		t.ipv6.sport = th->source;
		t.ipv6.dport = th->dest;
		size = sizeof(t.ipv6);
	}
	flags = ((__u8 *)th)[13];
	if ((flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN)
		return SC_IGNORE;

	sk = bpf_skc_lookup_tcp(ctx, &t, size, BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return SC_NOT_OURS;
	if (sk->state != BPF_TCP_LISTEN)
		ours = SC_OURS;
	else if ((flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) == TCP_FLAG_ACK &&
		 !bpf_tcp_check_syncookie(sk, ip, size == sizeof(t.ipv4) ? sizeof(struct iphdr) :
							  sizeof(struct ipv6hdr),
					  th, sizeof(*th)))
		ours = SC_OURS;
	bpf_sk_release(sk);
	return ours;
}

/* Outer headers of a hop packet as they will be sent on. */
struct sc_outer {
	union {
		struct iphdr v4;
		struct ipv6hdr v6;
	} ip;
	struct udphdr udp;
};

/* One's complement sum of n 32-bit words at p (n ≤ 6). */
static __always_inline __u64 sum_words(const __u32 *p, __u32 n)
{
	__u64 sum = 0;
	int i;

#pragma unroll
	for (i = 0; i < 6; i++)
		if (i < (int)n)
			sum += p[i];
	return sum;
}

/* a - b in one's complement arithmetic, both folded sums. */
static __always_inline __u64 csum_sub(__u64 a, __u64 b)
{
	return a + (__u16)~csum_reduce(b);
}

/*
 * Send a packet that is not ours on to its hop (see the top of the
 * file). Counts its second-chance reason (and drop when dropped);
 * returns the XDP action, or -1 when the packet is to be decapsulated
 * here after all (the hop is this host).
 */
static __noinline int sc_forward(struct xdp_md *ctx, const struct decap_info *info)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 rm = info->hop_rm, ip_len, l2 = info->l2_len == ETH_HLEN ? ETH_HLEN :
								      ETH_HLEN + VLAN_HLEN;
	struct bpf_fib_lookup fib = {};
	__u8 l2_hdr[ETH_HLEN + VLAN_HLEN];
	struct sc_outer o;
	struct ethhdr *eth;
	__u64 gue_sum;
	__u16 new_len;
	void *l3;
	long rc;

	if (rm != XLB_GUE_HDR_LEN + XLB_GUE_HOP_LEN(XLB_FAMILY_V4) &&
	    rm != XLB_GUE_HDR_LEN + XLB_GUE_HOP_LEN(XLB_FAMILY_V6))
		return -1;	/* cannot happen: hop_parse set it */
	if (data + sizeof(l2_hdr) > end)
		return -1;
	__builtin_memcpy(l2_hdr, data, sizeof(l2_hdr));
	l3 = data + l2;

	/* the outer headers, changed on the stack: destination, TTL,
	 * lengths; the GUE header and hop summed for the UDP checksum */
	if (info->outer_family == XLB_FAMILY_V4) {
		struct udphdr *uh = l3 + sizeof(struct iphdr);
		__u32 *gue = (void *)(uh + 1);

		if ((void *)(gue + 6) > end)
			return -1;
		__builtin_memcpy(&o.ip.v4, l3, sizeof(o.ip.v4));
		__builtin_memcpy(&o.udp, uh, sizeof(o.udp));
		if (o.ip.v4.ttl <= 1)
			goto fail;
		o.ip.v4.ttl--;
		o.ip.v4.daddr = info->hop.v4;
		ip_len = bpf_ntohs(o.ip.v4.tot_len) - rm;
		o.ip.v4.tot_len = bpf_htons(ip_len);
		o.ip.v4.check = 0;
		o.ip.v4.check = csum_fold(csum_ipv4_hdr(&o.ip.v4));
		/* optional over IPv4 (RFC 768): sent as the balancer sends it */
		o.udp.check = 0;
		fib.family = AF_INET;
		fib.tos = o.ip.v4.tos;
		fib.ipv4_src = o.ip.v4.saddr;
		fib.ipv4_dst = o.ip.v4.daddr;
	} else {
		struct udphdr *uh = l3 + sizeof(struct ipv6hdr);
		__u32 *gue = (void *)(uh + 1);
		__u64 sum;

		if ((void *)(gue + 6) > end)
			return -1;
		__builtin_memcpy(&o.ip.v6, l3, sizeof(o.ip.v6));
		__builtin_memcpy(&o.udp, uh, sizeof(o.udp));
		if (o.ip.v6.hop_limit <= 1)
			goto fail;
		o.ip.v6.hop_limit--;
		gue_sum = sum_words(gue, rm / 4);
		new_len = bpf_ntohs(o.udp.len) - rm;
		if (o.udp.check) {
			/* RFC 1624: the pseudo-header's destination and
			 * length, the UDP length, and the bytes removed */
			sum = (__u16)~o.udp.check;
			sum = csum_sub(sum, csum_addr6((union xlb_addr *)&o.ip.v6.daddr));
			sum += csum_addr6(&info->hop);
			sum = csum_sub(sum, gue_sum);
			sum = csum_sub(sum, 2 * (__u64)o.udp.len);
			sum += 2 * (__u64)bpf_htons(new_len);
			o.udp.check = csum_fold(sum);
			if (!o.udp.check)
				o.udp.check = 0xffff;
		}
		__builtin_memcpy(&o.ip.v6.daddr, &info->hop, 16);
		o.ip.v6.payload_len = bpf_htons(bpf_ntohs(o.ip.v6.payload_len) - rm);
		ip_len = bpf_ntohs(o.ip.v6.payload_len) + sizeof(struct ipv6hdr);
		fib.family = AF_INET6;
		fib.flowinfo = *(__be32 *)&o.ip.v6 & bpf_htonl(0x0FFFFFFF);
		__builtin_memcpy(fib.ipv6_src, &o.ip.v6.saddr, 16);
		__builtin_memcpy(fib.ipv6_dst, &o.ip.v6.daddr, 16);
	}
	o.udp.len = bpf_htons(bpf_ntohs(o.udp.len) - rm);

	/* the next hop first: a packet that cannot go on is left as it is */
	fib.ifindex = ctx->ingress_ifindex;
	fib.l4_protocol = IPPROTO_UDP;
	fib.sport = o.udp.source;
	fib.dport = o.udp.dest;
	fib.tot_len = ip_len;
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	/* a local address (never sent back to ourselves), or no route at
	 * all: the FIB says the same for both */
	if (rc == BPF_FIB_LKUP_RET_NOT_FWDED)
		return -1;
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH)
		goto fail;

	if (bpf_xdp_adjust_head(ctx, rm))
		goto fail;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	l3 = data + l2;
	if (info->outer_family == XLB_FAMILY_V4) {
		if (l3 + sizeof(o.ip.v4) + sizeof(o.udp) > end)
			goto fail;
		__builtin_memcpy(l3, &o.ip.v4, sizeof(o.ip.v4));
		__builtin_memcpy(l3 + sizeof(o.ip.v4), &o.udp, sizeof(o.udp));
	} else {
		if (l3 + sizeof(o.ip.v6) + sizeof(o.udp) > end)
			goto fail;
		__builtin_memcpy(l3, &o.ip.v6, sizeof(o.ip.v6));
		__builtin_memcpy(l3 + sizeof(o.ip.v6), &o.udp, sizeof(o.udp));
	}
	if (l2 == ETH_HLEN)
		__builtin_memcpy(data, l2_hdr, ETH_HLEN);
	else
		__builtin_memcpy(data, l2_hdr, ETH_HLEN + VLAN_HLEN);

	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH) {
		/* the kernel resolves the neighbour and forwards it */
		count_sc(XLB_DECAP_SC_FORWARD_KERNEL);
		return XDP_PASS;
	}
	__builtin_memcpy(eth->h_dest, fib.dmac, 6);
	__builtin_memcpy(eth->h_source, fib.smac, 6);
	count_sc(XLB_DECAP_SC_FORWARD);
	if (fib.ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	return bpf_redirect(fib.ifindex, 0);

fail:
	count_sc(XLB_DECAP_SC_FWD_FAILED);
	count(XLB_DECAP_STAT_DROP);
	return XDP_DROP;
}

/*
 * A packet with a hop: decide. Returns an XDP action (sent on, or
 * dropped), or -1 to decapsulate it here; counts the sc_* reason.
 */
static __always_inline int second_chance(struct xdp_md *ctx, const struct decap_info *info)
{
	struct xlb_decap_key self = { .family = info->outer_family };
	int rc;

	switch (sc_socket(ctx, info)) {
	case SC_IGNORE:
		count_sc(XLB_DECAP_SC_IGNORED);
		return -1;
	case SC_OURS:
		count_sc(XLB_DECAP_SC_LOCAL);
		return -1;
	}
	self.addr = info->hop;
	if (is_local(&self)) {
		count_sc(XLB_DECAP_SC_NO_SOCKET);
		return -1;
	}
	rc = sc_forward(ctx, info);
	if (rc < 0)
		count_sc(XLB_DECAP_SC_NO_SOCKET);
	return rc;
}

#endif
