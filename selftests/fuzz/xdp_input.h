/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Input format of the datapath fuzz targets (fuzz_xlb, fuzz_decap) and of
 * their seed generator (xdp_seeds.c): a sequence of records, each
 *
 *	flags (1 byte) | length (2 bytes, big-endian) | frame (length bytes)
 *
 * from the Ethernet header on. A length beyond the input takes what is
 * left; at most XDP_IN_MAX_RECORDS records are run, in order, so the
 * first packets of an input can set up flow state that later ones use.
 * The flags pick variations the mutator would rarely reach by itself.
 */
#ifndef XLB_FUZZ_XDP_INPUT_H
#define XLB_FUZZ_XDP_INPUT_H

#define XDP_IN_MAX_RECORDS	8
/* The largest frame BPF_PROG_TEST_RUN takes for a program without
 * multi-buffer support: a page less XDP headroom and skb_shared_info. */
#define XDP_IN_MAX_FRAME	3520

#define XDP_IN_INGRESS_MASK	0x03	/* 0, 3: lo (the test run's own); 1: fz0; 2: fz1 */
#define XDP_IN_REPAIR		0x04	/* fix IP lengths and checksums first */
#define XDP_IN_VLAN		0x08	/* insert an 802.1Q tag (VID 100) after the MACs */
#define XDP_IN_VLAN_AD		0x10	/* ... with TPID 802.1ad instead */
#define XDP_IN_NEW_GEN		0x20	/* fuzz_xlb: every backend's id given anew
					 * (generation bumped): its flows go stale */

/* What the targets are set up with; the seed generator (xdp_seeds.c)
 * builds its packets to these. fuzz_xlb's VIPs: */
#define FZ_VIP4_A	"203.0.113.10"	/* TCP 80 IPIP; UDP 53 GUE, source hash */
#define FZ_VIP4_B	"203.0.113.11"	/* all ports: TCP IPIP (4in6); UDP GUE over IPv6,
					 * source hash */
#define FZ_VIP4_C	"203.0.113.12"	/* TCP 22 IPIP, one backend absent */
#define FZ_VIP4_D	"203.0.113.13"	/* UDP all ports GUE port 6081, 5-tuple; one
					 * backend without a route */
#define FZ_VIP6_A	"2001:db8:f::10" /* TCP 443 IPIP; UDP all ports GUE port 7777,
					  * source hash */
#define FZ_VIP6_B	"2001:db8:f::11" /* TCP 80 IPIP (6in4); UDP 4789 GUE over IPv4 */
/* second chance: a previous table whose owners differ in some slots */
#define FZ_VIP4_E	"203.0.113.14"	/* TCP 8080 GUE; previous owners present, absent,
					 * of the other family */
#define FZ_VIP6_C	"2001:db8:f::12" /* TCP 8443 GUE over IPv6 */
/* fuzz_decap's own addresses and GUE port */
#define FZ_DECAP4	"192.0.2.10"
#define FZ_DECAP6	"2001:db8::10"
#define FZ_DECAP_GUE	6080
/* fuzz_decap's second chance: one connection CLIENT:40000 - VIP:80 of
 * each family, with a listener on VIP:80 (both on lo); hops routed on
 * fz0 with a known neighbour (HOP), without (HOP_NN), into a blackhole
 * (HOP_BH); every other hop has no route */
#define FZ_SC_CLIENT4	"198.18.0.7"
#define FZ_SC_CLIENT6	"2001:db8:c::7"
#define FZ_SC_VIP4	FZ_VIP4_A
#define FZ_SC_VIP6	FZ_VIP6_A
#define FZ_SC_CPORT	40000
#define FZ_SC_VPORT	80
#define FZ_SC_HOP4	"192.0.2.50"
#define FZ_SC_HOP4_NN	"192.0.2.51"
#define FZ_SC_HOP4_BH	"192.0.2.52"
#define FZ_SC_HOP6	"2001:db8:5c::50"
#define FZ_SC_HOP6_NN	"2001:db8:5c::51"
#define FZ_SC_HOP6_BH	"2001:db8:5c::52"
#define FZ_SC_FZ0_MTU	1500

#ifndef XDP_IN_CONSTANTS_ONLY
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xdp_in_record {
	uint8_t flags;		/* XDP_IN_* */
	const uint8_t *frame;	/* in the input */
	size_t len;
};

/* The record at *off of the input, advancing *off; false at the end. */
bool xdp_in_next(const uint8_t *data, size_t size, size_t *off, struct xdp_in_record *r);
/* The frame to run, made from a record into buf (at least
 * XDP_IN_MAX_FRAME bytes): VLAN tag inserted, IP lengths and checksums
 * repaired as the flags say, cut to XDP_IN_MAX_FRAME. Returns its length. */
size_t xdp_in_frame(const struct xdp_in_record *r, uint8_t *buf);
#endif

#endif /* XLB_FUZZ_XDP_INPUT_H */
