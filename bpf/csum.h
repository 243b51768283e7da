/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internet checksum helpers (RFC 1071) for headers the balancer writes:
 * the outer IPv4 header, the GUE UDP header over IPv6, and ICMP replies.
 */
#ifndef XLB_BPF_CSUM_H
#define XLB_BPF_CSUM_H

static __always_inline __u16 csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Fold a wide sum to 16 bits without complementing (a bpf_csum_diff seed). */
static __always_inline __u32 csum_reduce(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u32)((sum & 0xffff) + (sum >> 16));
}

/* One's complement sum of a 20-byte IPv4 header without options. */
static __always_inline __u64 csum_ipv4_hdr(const struct iphdr *iph)
{
	const __u16 *w = (const __u16 *)iph;
	__u64 sum = 0;
	int i;

#pragma unroll
	for (i = 0; i < (int)sizeof(*iph) / 2; i++)
		sum += w[i];
	return sum;
}

/* Sum of an address pair as used in pseudo-headers. */
static __always_inline __u64 csum_addr6(const union xlb_addr *a)
{
	return (__u64)a->v6[0] + a->v6[1] + a->v6[2] + a->v6[3];
}

#endif
