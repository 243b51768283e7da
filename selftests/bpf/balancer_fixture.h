/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared fixture of the balancer's packet tests (test_balancer_*.c).
 *
 * It opens the real bpf/xlb.bpf.o through xlb_dp_open() (load only, small
 * flow and fragment tables), programs it the way the agent does
 * (xlb_dp_config_set, xlb_dp_backend_set, maglev_build + xlb_dp_vip_set),
 * runs frames through BPF_PROG_TEST_RUN and checks counters as deltas
 * since the previous check. Backends keep a copy of what was written so a
 * test can tell which backend an output frame went to from its outer
 * destination address, and the test never hard-codes a Maglev outcome.
 *
 * Functions returning bool have already reported a failed check.
 */
#ifndef XLB_SELFTESTS_BALANCER_FIXTURE_H
#define XLB_SELFTESTS_BALANCER_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "maps/dataplane.h"
#include "../lib/pkt.h"

/* Node's own outer sources, VIPs, clients (documentation ranges). */
#define BAL_LB4		"192.0.2.1"
#define BAL_LB6		"2001:db8::1"
#define BAL_VIP4	"203.0.113.10"
#define BAL_VIP6	"2001:db8:f::10"
#define BAL_CLIENT4	"198.18.0.7"
#define BAL_CLIENT6	"2001:db8:c::7"
#define BAL_OTHER4	"203.0.113.99"	/* no VIP there */
#define BAL_OTHER6	"2001:db8:f::99"

#define BAL_MAX_BE	32		/* backend ids 1 .. BAL_MAX_BE-1 */
/* Counters the checks see: `stats` (enum xlb_stat), then `sc_stats`
 * (enum xlb_sc_stat) at BAL_SC(i). */
#define BAL_SC(i)	(XLB_STAT_MAX + (i))
#define BAL_NSTATS	(XLB_STAT_MAX + XLB_SC_STAT_MAX)
#define BAL_FLOWS	8192
#define BAL_FRAGS	1024

/* MACs of a backend's cached next hop: dmac ends in the backend id. */
#define BAL_NH_SMAC	{ 0x02, 0x1b, 0x00, 0x00, 0x00, 0x01 }
#define BAL_NH_DMAC(id)	{ 0x02, 0xbe, 0x00, 0x00, 0x00, (id) }

struct bal {
	struct xlb_dp *dp;
	int prog_fd;
	struct xlb_config cfg;			/* as written */
	struct xlb_backend be[BAL_MAX_BE];	/* as written, by id */
	__u64 snap[BAL_NSTATS];			/* counters at the last check */
};

/* A VIP and the backends of its Maglev table. */
struct bal_vip {
	const char *addr;
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u16 port;		/* host order; 0: all ports */
	__u32 id;		/* vip id (vip_stats index, ring slots) */
	__u16 flags;		/* XLB_VIP_F_HASH_SRC */
	__u8 encap;		/* enum xlb_encap */
	__u16 gue_port;		/* host order; 0: XLB_GUE_PORT_DEFAULT */
	__u32 be[BAL_MAX_BE];	/* backend ids in the table, 0-terminated */
	__u32 weight[BAL_MAX_BE]; /* weight of be[i]; 0: 1 */
	__u32 ring_size;	/* 0: XLB_RING_DEFAULT */
};

/* One BPF_PROG_TEST_RUN. */
struct bal_run {
	__u32 act;		/* XDP action */
	__u32 len;		/* bytes in out */
	__u8 out[PKT_BUF_SIZE];
};

/* Where the headers of an encapsulated output frame are. */
struct bal_outer {
	size_t l2;		/* L2 header length (VLAN tag included) */
	size_t l3;		/* outer IP header */
	size_t udp;		/* GUE: outer UDP header; 0 otherwise */
	size_t inner;		/* inner IP packet */
	__u8 family;		/* outer family */
	__u8 inner_family;
	union xlb_addr dst;	/* outer destination */
	size_t gue;		/* GUE variant 0 header (with a hop); 0: none */
	bool has_hop;		/* a second-chance hop (include/xlb_shared.h) */
	union xlb_addr hop;	/* its address, of the outer family */
};

/* Opens the balancer with outer sources BAL_LB4 and BAL_LB6 configured
 * and counters snapshotted. */
bool bal_open(struct bal *b);
void bal_close(struct bal *b);

/* Backend `id` at `addr`: present, gen 0, cached next hop with
 * BAL_NH_DMAC(id)/BAL_NH_SMAC, ifindex 0, no MTU. */
bool bal_backend(struct bal *b, __u32 id, const char *addr);
/* Writes b->be[id] as edited by the test. */
bool bal_backend_write(struct bal *b, __u32 id);
bool bal_config_write(struct bal *b);

/* Builds the VIP's Maglev table from b->be[] and writes it. */
bool bal_vip(struct bal *b, const struct bal_vip *v);
/* The same with `prev`'s table (built at v's size) as its previous one
 * (second chance: maglev_prev_merge); prev NULL: none. Returns
 * xlb_dp_vip_set's result, with no check on it. */
int bal_vip_prev(struct bal *b, const struct bal_vip *v, const struct bal_vip *prev);
/* v's Maglev table, built as bal_vip builds it, into ring (its size). */
bool bal_ring(struct bal *b, const struct bal_vip *v, __u32 *ring);
struct xlb_vip_key bal_vip_key(const char *addr, __u8 proto, __u16 port);

/* Empties the flow table, as on a node that never saw these flows. */
bool bal_flows_clear(struct bal *b);
/* Entries in the flow table; -1 (and a failed check) on error. */
int bal_flows_count(struct bal *b);

/* Runs a frame (ingress_ifindex 0: the test run's own). */
bool bal_run(struct bal *b, const void *in, size_t len, struct bal_run *r);
bool bal_run_ifindex(struct bal *b, const void *in, size_t len, __u32 ingress_ifindex,
		     struct bal_run *r);

/* Counter checks. `moved` lists the counters that moved since the last
 * check, once per increment, ended by -1 (BAL_STATS), or as pairs of
 * counter and increment (BAL_STATS_N); rx is not listed (it is taken
 * from `rx`). Every other counter must be unchanged. Resnapshots. */
#define BAL_PAIRS	(-2)
#define BAL_STATS(...)	((const int[]){ __VA_ARGS__, -1 })
#define BAL_STATS_N(...) ((const int[]){ BAL_PAIRS, __VA_ARGS__, -1 })
#define BAL_NONE	((const int[]){ -1 })
bool bal_stats_check(struct bal *b, __u64 rx, const int *moved);
/* Resnapshot without checking. */
bool bal_stats_snap(struct bal *b);
bool bal_stats_read(struct bal *b, __u64 out[BAL_NSTATS]);

/* Runs one frame and checks the action and the counters (rx 1). */
bool bal_check(struct bal *b, const void *in, size_t len, __u32 want_act, const int *moved,
	       struct bal_run *r);
/* Runs one frame that must be passed byte-for-byte untouched, counting
 * pass and `reason`. */
bool bal_check_untouched(struct bal *b, const void *in, size_t len, enum xlb_stat reason);

/* Locates the outer headers of an encapsulated frame (a GUE variant 0
 * header with a second-chance hop read as include/xlb_shared.h says);
 * false (and a failed check) if it is not one. */
bool bal_outer_parse(const void *frame, size_t len, struct bal_outer *o);
/* The backend id whose address is the frame's outer destination, after
 * checking that the frame is `in` encapsulated: same L2 length, inner
 * packet byte-for-byte the input's IP packet (Ethernet padding trimmed).
 * 0 (and a failed check) otherwise. */
__u32 bal_forwarded_to(struct bal *b, const void *in, size_t in_len, const struct bal_run *r);

/* The IP packet of a frame: offset and length from its own header. */
bool bal_inner_of(const void *frame, size_t len, size_t *off, size_t *ip_len);

/* Frames: Ethernet (default MACs), IPv4/IPv6 by the addresses, TCP with
 * `flags` (proto IPPROTO_TCP) or UDP, then `len` pattern bytes. */
int bal_pkt(struct pkt *p, const union xlb_addr *src, const char *dst, __u8 proto, __u16 sport,
	    __u16 dport, __u8 flags, size_t len);
int bal_pkt_str(struct pkt *p, const char *src, const char *dst, __u8 proto, __u16 sport,
		__u16 dport, __u8 flags, size_t len);

/* An ICMP/ICMPv6 error sent to the VIP about a packet the backend sent
 * from vip:vport to client:cport (family from the addresses). */
struct bal_icmp_err {
	const char *from;	/* the router reporting the error */
	const char *vip;
	__u16 vport;
	const char *client;
	__u16 cport;
	__u8 proto;		/* of the quoted packet: TCP or UDP */
	__u8 type, code;
	__u32 rest;		/* ICMP header bytes 4-7: MTU, pointer... */
	size_t quote;		/* bytes of the quoted packet kept; 0: all */
	size_t len;		/* L4 payload of the quoted packet */
};
int bal_pkt_icmp_err(struct pkt *p, const struct bal_icmp_err *e);

/* A run that may fail: -errno, no check (BPF_PROG_TEST_RUN refuses
 * frames shorter than an Ethernet header). */
int bal_try_run(struct bal *b, const void *in, size_t len, struct bal_run *r);

/* Deterministic pseudo-random numbers (xorshift64*), and client address
 * number n in 198.18.0.0/15 or 2001:db8:c::/64. */
__u32 bal_rand(__u64 *state);
void bal_client(union xlb_addr *a, __u8 family, __u32 n);

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#endif /* XLB_SELFTESTS_BALANCER_FIXTURE_H */
