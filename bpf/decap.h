/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backend-side program's maps, what its parser learns about a
 * packet, and its counters (bpf/decap.bpf.c, bpf/decap_hop.h). Keys and
 * values are in include/xlb_shared.h; xlb-setup pins the maps next to the
 * balancer's (agent/maps/decap.c).
 */
#ifndef XLB_BPF_DECAP_H
#define XLB_BPF_DECAP_H

#include "xlb_shared.h"

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88A8
#define ETH_HLEN	14
#define VLAN_HLEN	4
#define IP_MF		0x2000
#define IP_OFFSET	0x1fff
#define EINVAL		22
#define ENOMEM		12
#define AF_INET		2
#define AF_INET6	10
#define TCP_FLAG_RST	0x04
#define TCP_FLAG_SYN	0x02
#define TCP_FLAG_ACK	0x10
/* Longest outer part: IPv4 with options, UDP, GUE with 31 option words. */
#define OUTER_MAX	(60 + 8 + XLB_GUE_HDR_LEN + 31 * 4)

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct xlb_decap_key);
	__type(value, __u8);
} decap_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_decap_config);
} decap_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_DECAP_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} decap_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_DECAP_SC_MAX);
	__type(key, __u32);
	__type(value, __u64);
} decap_sc_stats SEC(".maps");

enum decap_verdict {
	DECAP_PASS,		/* not ours: untouched */
	DECAP_DROP,		/* ours, unusable */
	DECAP_STRIP,		/* ours: strip outer_len bytes after L2 */
	DECAP_HOP_BAD,		/* ours, with a malformed second-chance hop */
};

/* What the parser found in a packet that is ours. */
struct decap_info {
	__u32 l2_len;		/* Ethernet header plus optional VLAN tag */
	__u32 outer_len;	/* outer IP (+ UDP + GUE) bytes to remove */
	__u16 inner_proto;	/* ETH_P_IP or ETH_P_IPV6, host order */
	__u8 outer_ecn;		/* ECN field of the outer header */
	__u8 outer_family;	/* XLB_FAMILY_V4 or XLB_FAMILY_V6 */
	__u8 outer_opts;	/* outer IPv4 header has options */
	__u8 inner_ecn;		/* inner ECN field after RFC 6040 decapsulation */
	__u8 hop_rm;		/* second chance: GUE header + hop bytes; 0: no hop */
	__u8 pad;
	union xlb_addr hop;	/* second chance: the hop (outer family) */
	union xlb_addr outer_src; /* the outer source address */
};

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&decap_stats, &idx);

	if (v)
		*v += 1;
}

/* A second-chance reason (enum xlb_decap_sc_stat). */
static __always_inline void count_sc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&decap_sc_stats, &idx);

	if (v)
		*v += 1;
}

static __always_inline bool is_local(const struct xlb_decap_key *key)
{
	return bpf_map_lookup_elem(&decap_addrs, key) != NULL;
}

#endif
