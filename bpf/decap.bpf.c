// SPDX-License-Identifier: GPL-2.0
/*
 * Backend-side XDP program: strips the outer header of packets the
 * balancer tunnelled to this host and passes the inner packet to the local
 * stack, where the VIP lives on `lo`. It stands in for the ipip, ip6tnl
 * and fou devices a backend would otherwise need.
 *
 * Accepted encapsulations, each only when the outer destination is in
 * `decap_addrs`:
 *   - IPv4 in IPv4 (RFC 2003) and IPv6 in IPv4 (RFC 4213 sec 3.5):
 *     outer IPv4 protocol 4 / 41;
 *   - IPv6 in IPv6 and IPv4 in IPv6 (RFC 2473 sec 3): outer IPv6 next
 *     header 41 / 4, directly after the fixed header;
 *   - GUE (draft-ietf-intarea-gue-09) in UDP over IPv4 or IPv6 to the port
 *     in `decap_cfg`: variant 1 (sec 4, the UDP payload is the inner IP
 *     packet) and variant 0 (sec 3.1, 4-byte header plus Hlen words of
 *     optional fields, Proto/ctype 4 or 41).
 *
 * Rule: a packet that is not provably ours (not tunnelled, another
 * address or port, outer IPv4 fragment, outer header truncated) is passed
 * to the kernel byte-for-byte untouched. A packet that is ours but whose
 * inside is unusable (inner header truncated or of the wrong version,
 * GUE control message or unknown protocol, a malformed second-chance hop)
 * is dropped. Each packet counts `rx` and exactly one of `decap`, `pass`,
 * `drop` in `decap_stats`.
 *
 * A GUE packet may name a second-chance hop (bpf/decap_hop.h): a TCP
 * segment that no local socket has is sent on to it instead of being
 * decapsulated; each such packet counts one reason in `decap_sc_stats`
 * (one sent on: instead of an action in `decap_stats`).
 *
 * The outer ECN field is merged into the inner header as RFC 6040 sec
 * 4.2 asks, so congestion marks set between balancer and backend reach
 * the transport (when the packet is decapsulated here; one sent on keeps
 * both fields for the backend that decapsulates it).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "decap.h"
#include "decap_hop.h"

/* ECN codepoints (RFC 3168 sec 5) */
#define ECN_NOT_ECT	0
#define ECN_ECT1	1
#define ECN_ECT0	2
#define ECN_CE		3

static __always_inline __be16 gue_port(void)
{
	struct xlb_decap_config *cfg;
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&decap_cfg, &zero);
	return cfg ? cfg->gue_port : 0;
}

/*
 * The inner header must be complete and of the version the outer header
 * announced (RFC 2003 sec 3.1 / RFC 2473 sec 3.1: the protocol field names
 * the payload). Its ECN field after decapsulation is the merge with the
 * outer one per RFC 6040 sec 4.2, figure 4: outer CE marks an ECN-capable
 * inner packet CE and drops a not-ECN-capable one; outer ECT(1) turns
 * inner ECT(0) into ECT(1); every other combination keeps the inner
 * field. The field is written by inner_ecn_set when the packet is
 * decapsulated here.
 */
static __always_inline int inner_check(void *inner, void *end,
				       struct decap_info *info)
{
	__u8 ecn, *p = inner;

	if (info->inner_proto == ETH_P_IP) {
		struct iphdr *ip = inner;

		if ((void *)(ip + 1) > end)
			return DECAP_DROP;
		if ((p[0] >> 4) != 4 || (p[0] & 0xf) < 5)
			return DECAP_DROP;
		if (inner + (p[0] & 0xf) * 4 > end)
			return DECAP_DROP;
		ecn = ip->tos & 3;
	} else {
		if (inner + sizeof(struct ipv6hdr) > end)
			return DECAP_DROP;
		if ((p[0] >> 4) != 6)
			return DECAP_DROP;
		ecn = (p[1] >> 4) & 3;
	}

	info->inner_ecn = ecn;
	if (info->outer_ecn == ECN_CE) {
		if (ecn == ECN_NOT_ECT)
			return DECAP_DROP;
		info->inner_ecn = ECN_CE;
	} else if (info->outer_ecn == ECN_ECT1 && ecn == ECN_ECT0) {
		info->inner_ecn = ECN_ECT1;
	}
	return DECAP_STRIP;
}

/* Write the merged ECN field into the inner header (IPv4: the header
 * checksum updated, RFC 1624 eqn 3). Returns 0 or -EINVAL. */
static __always_inline int inner_ecn_set(void *data, void *end, const struct decap_info *info)
{
	__u64 off = (__u64)info->l2_len + info->outer_len;
	__u8 new_ecn = info->inner_ecn, *p;

	if (off > ETH_HLEN + VLAN_HLEN + OUTER_MAX)
		return -EINVAL;
	p = data + off;
	if (info->inner_proto == ETH_P_IP) {
		struct iphdr *ip = (void *)p;
		__u16 old_word, new_word;
		__u32 sum;

		if ((void *)(ip + 1) > end)
			return -EINVAL;
		if ((ip->tos & 3) == new_ecn)
			return 0;
		old_word = ((__u16)p[0] << 8) | ip->tos;
		new_word = (old_word & ~3) | new_ecn;
		/* HC' = ~(~HC + ~m + m') */
		sum = (__u16)~bpf_ntohs(ip->check) + (__u16)~old_word + new_word;
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		ip->tos = (ip->tos & ~3) | new_ecn;
		ip->check = bpf_htons(~sum & 0xffff);
	} else {
		if ((void *)(p + 2) > end)
			return -EINVAL;
		p[1] = (p[1] & ~0x30) | (new_ecn << 4);
	}
	return 0;
}

/*
 * GUE after a UDP header to our port (draft-ietf-intarea-gue-09). The
 * first two bits are the variant: 01 is variant 1, the IP header itself
 * (sec 4: 0100 is IPv4, 0110 is IPv6); 00 is variant 0 (sec 3.1):
 *
 *	|0x0|C| Hlen(5) | Proto/ctype(8) | Flags(16) | Hlen words ... |
 *
 * C set is a control message (sec 3.2.1), not for the stack. Anything
 * else (variants 2 and 3, other protocols) is ours but unusable. Without
 * flags the Hlen words are private data: a second-chance hop when they
 * carry its type (include/xlb_shared.h), otherwise skipped.
 */
static __always_inline int gue_parse(void *gue, void *end,
				     struct decap_info *info)
{
	__u8 *p = gue, hlen;

	if ((void *)(p + 1) > end)
		return DECAP_DROP;
	switch (p[0] >> 4) {
	case 4:
		info->inner_proto = ETH_P_IP;
		return DECAP_STRIP;
	case 6:
		info->inner_proto = ETH_P_IPV6;
		return DECAP_STRIP;
	}
	if ((p[0] >> 6) != 0 || (p[0] & 0x20))
		return DECAP_DROP;
	if ((void *)(p + XLB_GUE_HDR_LEN) > end)
		return DECAP_DROP;
	if (p[1] == IPPROTO_IPIP)
		info->inner_proto = ETH_P_IP;
	else if (p[1] == IPPROTO_IPV6)
		info->inner_proto = ETH_P_IPV6;
	else
		return DECAP_DROP;
	hlen = p[0] & 0x1f;
	/* no flags: the optional part is private data (sec 3.3), which
	 * may be a second-chance hop */
	if (hlen && !p[2] && !p[3]) {
		int verdict = hop_parse(p + XLB_GUE_HDR_LEN, end, hlen, info);

		if (verdict != DECAP_STRIP)
			return verdict;
	}
	info->outer_len += XLB_GUE_HDR_LEN + hlen * 4;
	return DECAP_STRIP;
}

/* Outer transport: IP-in-IP directly, or UDP to the GUE port. */
static __always_inline int l4_parse(void *l4, void *end, __u8 proto,
				    struct decap_info *info)
{
	struct udphdr *udp = l4;
	__be16 port;

	switch (proto) {
	case IPPROTO_IPIP:
		info->inner_proto = ETH_P_IP;
		return DECAP_STRIP;
	case IPPROTO_IPV6:
		info->inner_proto = ETH_P_IPV6;
		return DECAP_STRIP;
	case IPPROTO_UDP:
		if ((void *)(udp + 1) > end)
			return DECAP_PASS;
		port = gue_port();
		if (!port || udp->dest != port)
			return DECAP_PASS;
		info->outer_len += sizeof(*udp);
		return gue_parse(udp + 1, end, info);
	}
	return DECAP_PASS;
}

static __always_inline bool l4_is_tunnel(__u8 proto)
{
	return proto == IPPROTO_IPIP || proto == IPPROTO_IPV6 ||
	       proto == IPPROTO_UDP;
}

static __always_inline int outer4_parse(void *l3, void *end,
					struct decap_info *info)
{
	struct xlb_decap_key key = { .family = XLB_FAMILY_V4 };
	struct iphdr *ip = l3;
	__u8 *p = l3;
	__u32 ihl;

	if ((void *)(ip + 1) > end)
		return DECAP_PASS;
	ihl = p[0] & 0xf;
	if ((p[0] >> 4) != 4 || ihl < 5 || l3 + ihl * 4 > end)
		return DECAP_PASS;
	if (!l4_is_tunnel(ip->protocol))
		return DECAP_PASS;
	/* Outer fragments are reassembled by the kernel (RFC 791). */
	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET))
		return DECAP_PASS;
	key.addr.v4 = ip->daddr;
	if (!is_local(&key))
		return DECAP_PASS;

	info->outer_len = ihl * 4;
	info->outer_ecn = ip->tos & 3;
	info->outer_family = XLB_FAMILY_V4;
	info->outer_opts = ihl > 5;
	info->outer_src.v4 = ip->saddr;
	return l4_parse(l3 + ihl * 4, end, ip->protocol, info);
}

static __always_inline int outer6_parse(void *l3, void *end,
					struct decap_info *info)
{
	struct xlb_decap_key key = { .family = XLB_FAMILY_V6 };
	struct ipv6hdr *ip6 = l3;
	__u8 *p = l3;

	if ((void *)(ip6 + 1) > end)
		return DECAP_PASS;
	if ((p[0] >> 4) != 6 || !l4_is_tunnel(ip6->nexthdr))
		return DECAP_PASS;
	__builtin_memcpy(key.addr.bytes, &ip6->daddr, 16);
	if (!is_local(&key))
		return DECAP_PASS;

	info->outer_len = sizeof(*ip6);
	info->outer_ecn = (p[1] >> 4) & 3;
	info->outer_family = XLB_FAMILY_V6;
	__builtin_memcpy(info->outer_src.bytes, &ip6->saddr, 16);
	return l4_parse(ip6 + 1, end, ip6->nexthdr, info);
}

static __always_inline int decap_parse(void *data, void *end,
				       struct decap_info *info)
{
	struct ethhdr *eth = data;
	struct vlan_hdr *vlan;
	__be16 proto;
	int verdict;
	__u64 off;

	if ((void *)(eth + 1) > end)
		return DECAP_PASS;
	proto = eth->h_proto;
	info->l2_len = ETH_HLEN;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		vlan = (void *)(eth + 1);
		if ((void *)(vlan + 1) > end)
			return DECAP_PASS;
		proto = vlan->h_vlan_encapsulated_proto;
		info->l2_len += VLAN_HLEN;
	}

	if (proto == bpf_htons(ETH_P_IP))
		verdict = outer4_parse(data + info->l2_len, end, info);
	else if (proto == bpf_htons(ETH_P_IPV6))
		verdict = outer6_parse(data + info->l2_len, end, info);
	else
		return DECAP_PASS;
	if (verdict != DECAP_STRIP)
		return verdict;

	/* Always true; tells the verifier the offset below is bounded. */
	off = (__u64)info->l2_len + info->outer_len;
	if (off > ETH_HLEN + VLAN_HLEN + OUTER_MAX)
		return DECAP_DROP;
	return inner_check(data + off, end, info);
}

/*
 * Remove the outer header: save the L2 header, advance the packet start
 * by the outer length and write the L2 header back in front of the inner
 * packet, VLAN tag kept, ethertype set to the inner family.
 */
static __always_inline int decap_strip(struct xdp_md *ctx,
				       const struct decap_info *info)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 l2[ETH_HLEN + VLAN_HLEN];
	__be16 *ethertype;

	if (data + sizeof(l2) > end)
		return -EINVAL;	/* cannot happen: outer headers follow */
	__builtin_memcpy(l2, data, sizeof(l2));

	if (bpf_xdp_adjust_head(ctx, info->outer_len))
		return -ENOMEM;

	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (info->l2_len == ETH_HLEN) {
		if (data + ETH_HLEN > end)
			return -EINVAL;
		__builtin_memcpy(data, l2, ETH_HLEN);
		ethertype = data + ETH_HLEN - 2;
	} else {
		if (data + ETH_HLEN + VLAN_HLEN > end)
			return -EINVAL;
		__builtin_memcpy(data, l2, ETH_HLEN + VLAN_HLEN);
		ethertype = data + ETH_HLEN + VLAN_HLEN - 2;
	}
	*ethertype = bpf_htons(info->inner_proto);
	return 0;
}

SEC("xdp")
int xlb_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct decap_info info = {};
	int rc;

	count(XLB_DECAP_STAT_RX);
	switch (decap_parse(data, end, &info)) {
	case DECAP_STRIP:
		break;
	case DECAP_HOP_BAD:
		count_sc(XLB_DECAP_SC_MALFORMED);
		count(XLB_DECAP_STAT_DROP);
		return XDP_DROP;
	case DECAP_DROP:
		count(XLB_DECAP_STAT_DROP);
		return XDP_DROP;
	default:
		count(XLB_DECAP_STAT_PASS);
		return XDP_PASS;
	}

	if (info.hop_rm) {
		rc = second_chance(ctx, &info);
		if (rc >= 0)
			return rc;
		data = (void *)(long)ctx->data;
		end = (void *)(long)ctx->data_end;
	}
	if (inner_ecn_set(data, end, &info) || decap_strip(ctx, &info)) {
		count(XLB_DECAP_STAT_DROP);
		return XDP_DROP;
	}
	count(XLB_DECAP_STAT_DECAP);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
