/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Map keys and values shared by the XDP programs (bpf/) and userspace
 * (agent/, tools/, selftests/). Plain fixed-width types only, explicit
 * padding (hash maps hash every byte of a key) and a size assert on each
 * struct, so both sides agree on the layout without a second copy.
 *
 * Byte order: fields typed __be* are network order, everything else is
 * host order.
 */
#ifndef XLB_SHARED_H
#define XLB_SHARED_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define XLB_MAX_VIPS		512	/* vip ids are 0 .. XLB_MAX_VIPS-1 */
#define XLB_MAX_BACKENDS	4096	/* backend ids are 1 .. XLB_MAX_BACKENDS-1 */
#define XLB_RING_SLOTS		(XLB_MAX_VIPS * 2) /* two Maglev tables per VIP */
#define XLB_RING_DEFAULT	65537	/* default Maglev table size (prime) */
#define XLB_FLOWS_DEFAULT	262144	/* default flow table size */
#define XLB_FRAGS_DEFAULT	16384	/* default fragment table size */
#define XLB_GUE_PORT_DEFAULT	6080	/* default GUE destination port */
#define XLB_OUTER_TTL		64	/* TTL / hop limit of the outer header */

/* backend id 0 is never used: it marks an empty Maglev slot */
#define XLB_BACKEND_NONE	0

/* A Maglev table slot (a `rings` value): the backend id in the low 16
 * bits. Second chance (README "Second chance") puts the slot's backend in
 * the VIP's previous table in the high 16 bits when it is another one (0:
 * the same, or no previous table), so one read gives both. */
#define XLB_SLOT(be, prev)	((__u32)(be) | (__u32)(prev) << 16)
#define XLB_SLOT_BE(w)		((w) & 0xffff)
#define XLB_SLOT_PREV(w)	((w) >> 16)

#define XLB_FAMILY_V4		4
#define XLB_FAMILY_V6		6

/* An address of either family: IPv4 in the first word, the rest zero. */
union xlb_addr {
	__be32 v4;		/* IPv4 address, network order */
	__be32 v6[4];		/* IPv6 address, network order */
	__u8 bytes[16];
};

/* Key of `vips`. A key with port 0 matches every port of that address and
 * protocol. A key with proto 0 and port 0 is an address marker: the agent
 * adds one per VIP address so the datapath can tell packets that are for a
 * VIP but cannot be forwarded (truncated, other protocol) from others. */
struct xlb_vip_key {
	union xlb_addr addr;	/* VIP address */
	__be16 port;		/* destination port, network order; 0 = all */
	__u8 proto;		/* IPPROTO_TCP, IPPROTO_UDP; 0 = address marker */
	__u8 family;		/* XLB_FAMILY_V4 or XLB_FAMILY_V6 */
};
_Static_assert(sizeof(struct xlb_vip_key) == 20, "xlb_vip_key size");

enum xlb_encap {
	XLB_ENCAP_IPIP = 0,	/* IP in IP: 4in4, 6in6, 4in6, 6in4 by families */
	XLB_ENCAP_GUE = 1,	/* GUE variant 1 (RFC draft): IP directly in UDP */
};

/* xlb_vip.flags */
#define XLB_VIP_F_HASH_SRC	(1U << 0) /* hash the source address only */
#define XLB_VIP_F_MARKER	(1U << 1) /* address marker, not a service */
#define XLB_VIP_F_ANY_TCP	(1U << 2) /* marker: a TCP all-ports VIP exists */
#define XLB_VIP_F_ANY_UDP	(1U << 3) /* marker: a UDP all-ports VIP exists */
#define XLB_VIP_F_RING_HI	(1U << 4) /* the table is slots ring_size.. 2*ring_size-1
					   * of its inner map (see bpf/maps.h `rings`) */

/* Value of `vips`. Written whole by the agent (the map is not
 * preallocated, so an update swaps in a new element under RCU and the
 * datapath never sees a half-written entry). */
struct xlb_vip {
	__u32 id;		/* index into vip_stats */
	__u32 ring_id;		/* index into rings of the map holding the active table */
	__u32 ring_size;	/* entries in that table (prime); XLB_VIP_F_RING_HI
				 * says which of the map's two regions it is */
	__u16 flags;		/* XLB_VIP_F_* */
	__u8 encap;		/* enum xlb_encap */
	__u8 pad;
	__be16 gue_port;	/* GUE outer UDP destination port, network order */
	__u16 pad2;
};
_Static_assert(sizeof(struct xlb_vip) == 20, "xlb_vip size");

/* Value of `vip_encap`, indexed by VIP id: what established flows need
 * of their VIP. 4 bytes, so a reader never sees half an update. */
struct xlb_vip_encap {
	__u8 encap;		/* enum xlb_encap */
	__u8 pad;
	__be16 gue_port;	/* GUE outer UDP destination port, network order */
};
_Static_assert(sizeof(struct xlb_vip_encap) == 4, "xlb_vip_encap size");

/* xlb_backend.flags */
#define XLB_BE_F_PRESENT	(1U << 0) /* exists: its flows keep going to it */
#define XLB_BE_F_NEXTHOP	(1U << 1) /* ifindex/mtu/macs hold a resolved next hop */

/* Value of `backends`, indexed by backend id. A backend is one real
 * server in one VIP. */
struct xlb_backend {
	union xlb_addr addr;	/* outer destination address */
	__u8 family;		/* XLB_FAMILY_V4 or XLB_FAMILY_V6 */
	__u8 flags;		/* XLB_BE_F_* */
	__u16 mtu;		/* next hop: egress MTU, bytes */
	__u32 ifindex;		/* next hop: egress interface */
	__u8 dmac[6];		/* next hop: destination MAC (8-byte aligned: the
				 * datapath reads both MACs as two words) */
	__u8 smac[6];		/* next hop: source MAC, right after dmac */
	__u32 gen;		/* bumped when the id is given to another backend */
	__u16 vip_id;		/* the VIP it serves (lets a restarted agent adopt it) */
	__u16 pad;
	__u32 pad2;
};
_Static_assert(sizeof(struct xlb_backend) == 48, "xlb_backend size");
_Static_assert(__builtin_offsetof(struct xlb_backend, dmac) % 8 == 0 &&
	       __builtin_offsetof(struct xlb_backend, smac) ==
	       __builtin_offsetof(struct xlb_backend, dmac) + 6, "xlb_backend MACs");

/* Value of `vip_filter` (one entry, index 0): one bit per hashed VIP
 * address, so that a packet to any other address (the node's own
 * traffic) is passed after one array read instead of a hash lookup. A
 * set bit means "maybe a VIP address": the `vips` marker decides. The
 * agent sets an address's bit before the address has a VIP entry and
 * clears it after its last one is gone. */
#define XLB_FILTER_BITS_LOG2	16
#define XLB_FILTER_WORDS	((1U << XLB_FILTER_BITS_LOG2) / 64)
struct xlb_vip_filter {
	__u64 ready;		/* 0 until the agent filled `bits` (a map created
				 * empty by an upgrade): every address is "maybe" */
	__u64 bits[XLB_FILTER_WORDS];	/* bit xlb_vip_filter_bit() of each VIP address */
};
_Static_assert(sizeof(struct xlb_vip_filter) == 8 + 8192, "xlb_vip_filter size");

/* The bit of `vip_filter` for an address: its four words folded, mixed
 * by a multiplicative (Fibonacci) hash. The same on both sides (the words
 * are read in host order on the host the datapath runs on). */
static inline __attribute__((always_inline)) __u32
xlb_vip_filter_bit(const union xlb_addr *a, __u8 family)
{
	__u32 h = a->v6[0] ^ a->v6[1] ^ a->v6[2] ^ a->v6[3] ^ family;

	return (h * 0x9E3779B1U) >> (32 - XLB_FILTER_BITS_LOG2);
}

/* Key of `flows`: the connection as the client sent it. ICMP errors are
 * looked up with the embedded header's addresses and ports swapped. */
struct xlb_flow_key {
	union xlb_addr src;	/* client address */
	union xlb_addr dst;	/* VIP address */
	__be16 sport;		/* client port, network order */
	__be16 dport;		/* VIP port, network order */
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;		/* XLB_FAMILY_V4 or XLB_FAMILY_V6 */
	__u16 pad;
};
_Static_assert(sizeof(struct xlb_flow_key) == 40, "xlb_flow_key size");

/* Value of `flows` and `frags`. An established flow is forwarded from
 * this entry alone (plus its backend and vip_encap[vip_id]): no VIP lookup. */
struct xlb_flow {
	__u32 backend_id;	/* index into backends */
	__u32 backend_gen;	/* backends[id].gen when chosen */
	__u32 hash;		/* flow hash: GUE source port, IPv6 flow label */
	__u16 vip_id;		/* index into vip_encap and vip_stats */
	union {
		__be16 vip_port; /* frags: port of the VIP key matched, network order */
		__u16 hop;	/* flows: second-chance hop, XLB_FLOW_HOP(); 0: none */
	};
};
_Static_assert(sizeof(struct xlb_flow) == 16, "xlb_flow size");

/* A flow's second-chance hop: the previous owner's backend id (12 bits)
 * and the low 4 bits of its generation, so that an id given to another
 * backend since is not taken for it. */
#define XLB_FLOW_HOP(id, gen)	((__u16)(((id) & 0xfff) | (((gen) & 0xf) << 12)))
#define XLB_FLOW_HOP_ID(hop)	((hop) & 0xfff)
#define XLB_FLOW_HOP_GEN(hop)	((hop) >> 12)
_Static_assert(XLB_MAX_BACKENDS <= 0x1000, "backend ids fit a flow's hop");

/* Key of `frags`: one fragmented datagram (RFC 791 / RFC 8200 sec 4.5). */
struct xlb_frag_key {
	union xlb_addr src;	/* client address */
	union xlb_addr dst;	/* VIP address */
	__be32 id;		/* IPv4 id (low 16 bits) or IPv6 identification */
	__u8 proto;		/* upper-layer protocol */
	__u8 family;		/* XLB_FAMILY_V4 or XLB_FAMILY_V6 */
	__u16 pad;
};
_Static_assert(sizeof(struct xlb_frag_key) == 40, "xlb_frag_key size");

/* Value of `config` (one entry, index 0): the node's own settings. */
struct xlb_config {
	union xlb_addr src_v6;	/* outer source for IPv6 outer headers */
	__be32 src_v4;		/* outer source for IPv4 outer headers */
	__u8 has_v4;		/* src_v4 is set */
	__u8 has_v6;		/* src_v6 is set */
	__u8 outer_ttl;		/* TTL / hop limit of outer headers; 0 = XLB_OUTER_TTL */
	__u8 pad;
};
_Static_assert(sizeof(struct xlb_config) == 24, "xlb_config size");

/* Per-VIP and per-backend counters (values of vip_stats, be_stats). */
struct xlb_traffic {
	__u64 packets;
	__u64 bytes;		/* bytes as received, before encapsulation */
};
_Static_assert(sizeof(struct xlb_traffic) == 16, "xlb_traffic size");

/* Indexes of `stats`, one __u64 per CPU each. XLB_STAT_NAMES below must
 * follow the same order. Rule: a packet that is not (provably) for a VIP
 * is passed to the kernel untouched; a packet for a VIP that cannot be
 * forwarded correctly is dropped. Each pass or drop counts one reason. */
enum xlb_stat {
	XLB_STAT_RX,			/* packets seen: not counted by the datapath,
					 * userspace sums the four actions */
	XLB_STAT_TX,			/* XDP_TX */
	XLB_STAT_REDIRECT,		/* XDP_REDIRECT */
	XLB_STAT_PASS,			/* XDP_PASS, for any reason below */
	XLB_STAT_DROP,			/* XDP_DROP, for any reason below */
	XLB_STAT_FLOW_HIT,		/* flow table hit, backend kept */
	XLB_STAT_FLOW_MISS,		/* flow table miss or SYN: Maglev */
	XLB_STAT_FLOW_STALE,		/* hit, but its backend was removed */
	XLB_STAT_ICMP_STEERED,		/* ICMP error sent to a flow's backend */
	XLB_STAT_TOO_BIG_SENT,		/* frag-needed / packet-too-big answered */
	XLB_STAT_FRAG_FORWARDED,	/* non-first fragment forwarded */
	XLB_STAT_NH_FIB,		/* next hop from bpf_fib_lookup */
	/* pass reasons */
	XLB_STAT_PASS_NOT_IP,		/* not IPv4/IPv6 */
	XLB_STAT_PASS_VLAN,		/* more than one VLAN tag */
	XLB_STAT_PASS_L3_MALFORMED,	/* IP header truncated or invalid */
	XLB_STAT_PASS_NOT_VIP,		/* not addressed to a VIP */
	XLB_STAT_PASS_VIP_OTHER,	/* VIP address, protocol/port not served */
	XLB_STAT_PASS_NO_NEIGH,		/* next hop not resolved: kernel resolves */
	/* drop reasons */
	XLB_STAT_DROP_L4_TRUNCATED,	/* VIP address, L4 header truncated */
	XLB_STAT_DROP_EXT_HDR,		/* VIP address, IPv6 header chain too long */
	XLB_STAT_DROP_NO_BACKEND,	/* VIP has no usable backend */
	XLB_STAT_DROP_NO_ROUTE,		/* no route to the backend */
	XLB_STAT_DROP_NO_SOURCE,	/* no encap source of the outer family */
	XLB_STAT_DROP_FRAG,		/* later fragment whose first fragment was not seen
					 * (any VIP but an all-ports source-hashed one) */
	XLB_STAT_DROP_TOO_BIG,		/* too big after encap and may not be answered */
	XLB_STAT_DROP_ENCAP,		/* could not grow the packet */
	XLB_STAT_MAX
};

#define XLB_STAT_NAMES {						\
	"rx", "tx", "redirect", "pass", "drop",				\
	"flow_hit", "flow_miss", "flow_stale",				\
	"icmp_steered", "too_big_sent", "frag_forwarded", "nh_fib",	\
	"pass_not_ip", "pass_vlan", "pass_l3_malformed",		\
	"pass_not_vip", "pass_vip_other", "pass_no_neigh",		\
	"drop_l4_truncated", "drop_ext_hdr", "drop_no_backend",		\
	"drop_no_route", "drop_no_source", "drop_frag", "drop_too_big",	\
	"drop_encap",							\
}

/*
 * Second chance (README "Second chance"): a TCP packet the balancer
 * forwards by its VIP's Maglev table to a backend that did not own its
 * slot in the previous table carries the previous owner, the hop, as
 * GUE variant 0 private data (draft-ietf-intarea-gue-09 sec 3.1, 3.3:
 * no flags, so the private data follows the 4-byte header; its length
 * is Hlen words):
 *
 *   | 0 0 | C=0 | Hlen (5) | Proto/ctype: 4 or 41 | Flags: 0 (16)  |
 *   | type: XLB_GUE_HOP_TYPE (16)   | family: 4 or 6 | reserved: 0  |
 *   | hop address: 4 bytes (IPv4, Hlen 2) or 16 bytes (IPv6, Hlen 5) |
 *
 * The hop is of the outer header's family. A backend with a socket for
 * the inner packet delivers it; one without rewrites the outer
 * destination to the hop and sends it on as plain GUE (variant 1, no
 * hop), so a packet makes at most one extra hop. A receiver that does not
 * know the type (Linux `fou` in gue mode) skips the private data and
 * delivers the packet: it just gets no second chance.
 */
#define XLB_GUE_HOP_TYPE	0x7863	/* "xc"; network order on the wire */
#define XLB_GUE_HDR_LEN		4	/* GUE variant 0 header without options */
#define XLB_GUE_HOP_HLEN(family) ((family) == XLB_FAMILY_V4 ? 2 : 5) /* words */
#define XLB_GUE_HOP_LEN(family)	(XLB_GUE_HOP_HLEN(family) * 4)	/* bytes */

/* The first word of the hop's private data. */
struct xlb_gue_hop {
	__be16 type;		/* XLB_GUE_HOP_TYPE, network order */
	__u8 family;		/* XLB_FAMILY_V4 or XLB_FAMILY_V6: the address after it */
	__u8 reserved;		/* 0 */
};
_Static_assert(sizeof(struct xlb_gue_hop) == 4, "xlb_gue_hop size");

/* Indexes of `sc_stats`, the balancer's second-chance counters, one
 * __u64 per CPU each. A map of its own, so that the `stats` of a running
 * balancer are adopted as they are by an xlbd that has these. */
enum xlb_sc_stat {
	XLB_SC_STAT_HOP,		/* a flow without entry got a hop (its entry
					 * keeps it for its later packets) */
	XLB_SC_STAT_HOP_SKIPPED,	/* its slot's previous owner differed but cannot
					 * take a hop (gone, of the other family) */
	XLB_SC_STAT_MAX
};

#define XLB_SC_STAT_NAMES { "hop", "hop_skipped" }

/* Decap program (bpf/decap.bpf.c): key of `decap_addrs`, the outer
 * destinations this backend accepts tunnelled packets for. */
struct xlb_decap_key {
	union xlb_addr addr;	/* local address */
	__u8 family;		/* XLB_FAMILY_V4 or XLB_FAMILY_V6 */
	__u8 pad[3];
};
_Static_assert(sizeof(struct xlb_decap_key) == 20, "xlb_decap_key size");

/* Value of `decap_cfg` (one entry, index 0). */
struct xlb_decap_config {
	__be16 gue_port;	/* GUE port accepted, network order; 0 = no GUE */
	__u16 pad;
};
_Static_assert(sizeof(struct xlb_decap_config) == 4, "xlb_decap_config size");

/* Indexes of `decap_stats`, one __u64 per CPU each. Every packet counts
 * rx and exactly one of decap, pass, drop — or, sent on to its
 * second-chance hop, sc forward or forward_kernel in `decap_sc_stats`. */
enum xlb_decap_stat {
	XLB_DECAP_STAT_RX,		/* packets seen */
	XLB_DECAP_STAT_DECAP,		/* outer header removed, passed on */
	XLB_DECAP_STAT_PASS,		/* not ours, passed untouched */
	XLB_DECAP_STAT_DROP,		/* ours but malformed inside, or not sendable */
	XLB_DECAP_STAT_MAX
};

#define XLB_DECAP_STAT_NAMES { "rx", "decap", "pass", "drop" }

/* Indexes of `decap_sc_stats`: each packet carrying a second-chance hop
 * counts exactly one (bpf/decap_hop.h). A map of its own, so that the
 * `decap_stats` an older xlb-setup pinned are reused as they are. */
enum xlb_decap_sc_stat {
	XLB_DECAP_SC_LOCAL,		/* a local socket has the flow: decapsulated */
	XLB_DECAP_SC_FORWARD,		/* no socket: sent to the hop (XDP_TX/redirect) */
	XLB_DECAP_SC_FORWARD_KERNEL,	/* no socket, the hop's neighbour unresolved:
					 * rewritten and passed to the kernel to forward */
	XLB_DECAP_SC_NO_SOCKET,		/* no socket, the hop is this host or has no
					 * route: decapsulated (the stack answers) */
	XLB_DECAP_SC_IGNORED,		/* not a TCP segment it applies to (not TCP, a SYN,
					 * a fragment, IPv6 extension headers): decapsulated */
	XLB_DECAP_SC_MALFORMED,		/* hop malformed: dropped (also counts drop) */
	XLB_DECAP_SC_FWD_FAILED,	/* FIB refused (blackhole, unreachable, forwarding
					 * off, egress MTU), TTL spent: dropped (and drop) */
	XLB_DECAP_SC_MAX
};

#define XLB_DECAP_SC_NAMES {						\
	"local", "forward", "forward_kernel", "no_socket", "ignored",	\
	"malformed", "fwd_failed",					\
}

#endif /* XLB_SHARED_H */
