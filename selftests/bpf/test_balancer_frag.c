// SPDX-License-Identifier: GPL-2.0
/*
 * Fragments (RFC 791, RFC 8200 sec 4.5). Later fragments carry no ports:
 * - on a 5-tuple VIP they follow the first fragment of their datagram
 *   (the frags table), whether the datagram opens a flow or belongs to
 *   one already established; without a first fragment seen they drop
 *   (drop_frag), since no port says which VIP or backend they are for;
 * - on an all-ports source-hashed VIP the source address alone places
 *   them, so they reach the same backend in any order;
 * - a port-specific source-hashed VIP needs the first fragment too (the
 *   port names the VIP).
 * Each fragment is encapsulated as it came, IPv4 and IPv6 alike.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>

#include "balancer_fixture.h"
#include "../lib/test.h"

#define ANY4	"203.0.113.20"		/* all UDP ports, source-hashed */
#define ANY6	"2001:db8:f::20"
#define NBE	8			/* IPv4 backends 1..8, IPv6 9..16 */
#define NFRAGS	3

static __u16 get16(const __u8 *b)
{
	return b[0] << 8 | b[1];
}

/* One datagram of a client to vip:dport, in NFRAGS fragments. */
struct dgram {
	__u8 family;
	union xlb_addr src;
	const char *vip;
	__u8 proto;
	__u16 sport, dport;
	__u32 id;
};

/* Fragment data sizes: multiples of 8, the last one shorter */
#define FRAG_DATA	1200
#define DGRAM_L4	(2 * FRAG_DATA + 100)

static int build_frag(struct pkt *p, const struct dgram *d, int idx)
{
	static struct pkt whole;
	size_t off = idx * FRAG_DATA, len, l4;
	bool v6 = d->family == XLB_FAMILY_V6;
	union xlb_addr dst;
	__u8 fam;

	if (pkt_addr_parse(d->vip, &dst, &fam))
		return -1;
	/* the datagram's L4 bytes, checksummed as a whole */
	pkt_init(&whole);
	l4 = pkt_ip(&whole, &(struct pkt_ip){ .saddr = d->src, .daddr = dst, .family = fam });
	if (d->proto == IPPROTO_TCP)
		pkt_tcp(&whole, &(struct pkt_tcp){ .sport = d->sport, .dport = d->dport,
						   .flags = TH_ACK, .len = DGRAM_L4 - 20 });
	else
		pkt_udp(&whole, &(struct pkt_udp){ .sport = d->sport, .dport = d->dport,
						   .len = DGRAM_L4 - 8 });
	if (pkt_finish(&whole))
		return whole.err;
	l4 += v6 ? 40 : 20;
	len = idx == NFRAGS - 1 ? DGRAM_L4 - off : FRAG_DATA;

	pkt_init(p);
	pkt_eth(p, NULL);
	pkt_ip(p, &(struct pkt_ip){ .saddr = d->src, .daddr = dst, .family = fam,
				    .proto = v6 ? 0 : d->proto, .id = v6 ? 0 : d->id,
				    .mf = !v6 && idx < NFRAGS - 1, .frag_off = v6 ? 0 : off });
	if (v6)
		pkt_ip6_ext(p, &(struct pkt_ip6_ext){ .type = IPPROTO_FRAGMENT, .proto = d->proto,
						      .frag_off = off, .more = idx < NFRAGS - 1,
						      .id = d->id });
	pkt_payload(p, whole.buf + l4 + off, len);
	return pkt_finish(p);
}

static bool add_backends(struct bal *b)
{
	char addr[64];
	__u32 i;

	for (i = 1; i <= NBE; i++) {
		snprintf(addr, sizeof(addr), "198.51.100.%u", 10 + i);
		if (!bal_backend(b, i, addr))
			return false;
		snprintf(addr, sizeof(addr), "2001:db8:be::%x", i);
		if (!bal_backend(b, NBE + i, addr))
			return false;
	}
	return true;
}

#define BE4_ALL		.be = { 1, 2, 3, 4, 5, 6, 7, 8 }
#define BE6_ALL		.be = { 9, 10, 11, 12, 13, 14, 15, 16 }

static bool setup(struct bal *b)
{
	static const struct bal_vip vips[] = {
		{ BAL_VIP4, IPPROTO_UDP, 53, 0, .encap = XLB_ENCAP_IPIP, BE4_ALL },
		{ BAL_VIP6, IPPROTO_UDP, 53, 1, .encap = XLB_ENCAP_GUE, BE6_ALL },
		{ ANY4, IPPROTO_UDP, 0, 2, XLB_VIP_F_HASH_SRC, XLB_ENCAP_GUE, BE4_ALL },
		{ ANY6, IPPROTO_UDP, 0, 3, XLB_VIP_F_HASH_SRC, XLB_ENCAP_IPIP, BE6_ALL },
		{ BAL_VIP4, IPPROTO_TCP, 443, 4, XLB_VIP_F_HASH_SRC, XLB_ENCAP_IPIP, BE4_ALL },
		{ BAL_VIP6, IPPROTO_TCP, 443, 5, XLB_VIP_F_HASH_SRC, XLB_ENCAP_GUE, BE6_ALL },
	};
	size_t i;

	if (!bal_open(b) || !add_backends(b))
		return false;
	for (i = 0; i < ARRAY_SIZE(vips); i++)
		if (!bal_vip(b, &vips[i]))
			return false;
	return bal_stats_snap(b);
}

/* Sends fragment idx; returns the backend (0: not forwarded) after
 * checking the action and the counters given. */
static __u32 send_frag(struct bal *b, const struct dgram *d, int idx, __u32 act,
		       const int *moved)
{
	static struct bal_run r;
	static struct pkt p;
	struct bal_outer o;
	__u32 id;

	test_ctx("IPv%u %s:%u id %u, fragment %d", d->family, d->vip, d->dport, d->id, idx);
	if (!ASSERT_OK(build_frag(&p, d, idx), "build") ||
	    !bal_check(b, p.buf, p.len, act, moved, &r) || act != XDP_TX)
		return 0;
	id = bal_forwarded_to(b, p.buf, p.len, &r);
	/* a fragment gives no L4 checksum to derive the GUE one from */
	if (id && bal_outer_parse(r.out, r.len, &o) && o.udp && o.family == XLB_FAMILY_V6)
		ASSERT_EQ(get16(r.out + o.udp + 6), 0, "GUE checksum of a fragment");
	return id;
}

/* A whole packet of the datagram's flow; returns its backend. */
static __u32 send_whole(struct bal *b, const struct dgram *d, const int *moved)
{
	static struct bal_run r;
	static struct pkt p;

	test_ctx("IPv%u %s:%u, unfragmented", d->family, d->vip, d->dport);
	if (!ASSERT_OK(bal_pkt(&p, &d->src, d->vip, d->proto, d->sport, d->dport, TH_ACK, 20),
		       "build") ||
	    !bal_check(b, p.buf, p.len, XDP_TX, moved, &r))
		return 0;
	return bal_forwarded_to(b, p.buf, p.len, &r);
}

#define FIRST_NEW	BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS)
#define FIRST_HIT	BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_HIT)
#define LATER		BAL_STATS(XLB_STAT_TX, XLB_STAT_FRAG_FORWARDED)
#define LATER_HASHED	BAL_STATS(XLB_STAT_TX, XLB_STAT_FRAG_FORWARDED, XLB_STAT_FLOW_MISS)
#define NO_FIRST	BAL_STATS(XLB_STAT_DROP, XLB_STAT_DROP_FRAG)

static void five_tuple(__u8 family)
{
	enum { NDGRAMS = 16 };
	const char *vip = family == XLB_FAMILY_V4 ? BAL_VIP4 : BAL_VIP6;
	__u32 first, used = 0;
	struct dgram d;
	struct bal b;
	int i, k;

	if (!setup(&b))
		goto out;
	for (i = 0; i < NDGRAMS; i++) {
		d = (struct dgram){ family, .vip = vip, .proto = IPPROTO_UDP, .sport = 5000 + i,
				    .dport = 53, .id = 100 + i };
		bal_client(&d.src, family, i + 1);

		/* a new flow: first fragment, then the later ones */
		first = send_frag(&b, &d, 0, XDP_TX, FIRST_NEW);
		if (!first)
			goto out;
		used |= 1U << first;
		for (k = 1; k < NFRAGS; k++)
			ASSERT_EQ(send_frag(&b, &d, k, XDP_TX, LATER), first,
				  "later fragment follows the first");
		ASSERT_EQ(send_whole(&b, &d, FIRST_HIT), first, "the flow's backend");

		/* the next datagram of that established flow */
		d.id += 1000;
		ASSERT_EQ(send_frag(&b, &d, 0, XDP_TX, FIRST_HIT), first, "first fragment");
		for (k = 1; k < NFRAGS; k++)
			ASSERT_EQ(send_frag(&b, &d, k, XDP_TX, LATER), first,
				  "later fragment of an established flow");

		/* out of order: nothing can place the later fragment */
		d.id += 1000;
		send_frag(&b, &d, 2, XDP_DROP, NO_FIRST);
		ASSERT_EQ(send_frag(&b, &d, 0, XDP_TX, FIRST_HIT), first, "first fragment");
		ASSERT_EQ(send_frag(&b, &d, 1, XDP_TX, LATER), first, "later fragment");
		ASSERT_EQ(send_frag(&b, &d, 2, XDP_TX, LATER), first, "repeated fragment");

		/* a later fragment of a datagram never seen */
		d.id += 1000;
		send_frag(&b, &d, 1, XDP_DROP, NO_FIRST);
		if (test_failed())
			goto out;
	}
	test_ctx(NULL);
	ASSERT_GE(__builtin_popcount(used), 3, "backends the datagrams used");
out:
	test_ctx(NULL);
	bal_close(&b);
}

void test_balancer_frag_5tuple_v4(void)
{
	five_tuple(XLB_FAMILY_V4);
}

void test_balancer_frag_5tuple_v6(void)
{
	five_tuple(XLB_FAMILY_V6);
}

/* After the VIP's table changed completely (old backends still present,
 * draining), the fragmented datagrams of established flows still go to
 * the flows' backends, every fragment of them. */
void test_balancer_frag_sticky(void)
{
	enum { NFLOWS = 16 };
	static const __u8 families[] = { XLB_FAMILY_V4, XLB_FAMILY_V6 };
	struct bal_vip v4 = { BAL_VIP4, IPPROTO_UDP, 53, 0, .be = { 5, 6, 7, 8 } };
	struct bal_vip v6 = { BAL_VIP6, IPPROTO_UDP, 53, 1, .encap = XLB_ENCAP_GUE,
			      .be = { 13, 14, 15, 16 } };
	struct bal_vip old4 = { BAL_VIP4, IPPROTO_UDP, 53, 0, .be = { 1, 2, 3, 4 } };
	struct bal_vip old6 = { BAL_VIP6, IPPROTO_UDP, 53, 1, .encap = XLB_ENCAP_GUE,
				.be = { 9, 10, 11, 12 } };
	__u32 be[NFLOWS];
	struct dgram d;
	struct bal b;
	size_t f;
	int i, k;

	if (!setup(&b) || !bal_vip(&b, &old4) || !bal_vip(&b, &old6))
		goto out;
	for (f = 0; f < ARRAY_SIZE(families); f++) {
		__u8 fam = families[f];

		for (i = 0; i < NFLOWS; i++) {
			d = (struct dgram){ fam, .vip = fam == XLB_FAMILY_V4 ? BAL_VIP4 : BAL_VIP6,
					    .proto = IPPROTO_UDP, .sport = 8000 + i, .dport = 53,
					    .id = 500 + i };
			bal_client(&d.src, fam, 2000 + i);
			be[i] = send_whole(&b, &d, FIRST_NEW);
			if (!be[i])
				goto out;
		}
		if (!bal_vip(&b, fam == XLB_FAMILY_V4 ? &v4 : &v6) || !bal_stats_snap(&b))
			goto out;
		for (i = 0; i < NFLOWS; i++) {
			d = (struct dgram){ fam, .vip = fam == XLB_FAMILY_V4 ? BAL_VIP4 : BAL_VIP6,
					    .proto = IPPROTO_UDP, .sport = 8000 + i, .dport = 53,
					    .id = 500 + i };
			bal_client(&d.src, fam, 2000 + i);
			ASSERT_EQ(send_frag(&b, &d, 0, XDP_TX, FIRST_HIT), be[i],
				  "first fragment stays with the flow");
			for (k = 1; k < NFRAGS; k++)
				ASSERT_EQ(send_frag(&b, &d, k, XDP_TX, LATER), be[i],
					  "later fragment stays with the flow");
			ASSERT_EQ(send_whole(&b, &d, FIRST_HIT), be[i], "whole packet");
			/* a new flow from the same client takes the new table */
			d.sport += 100;
			ASSERT_GE(send_whole(&b, &d, FIRST_NEW), fam == XLB_FAMILY_V4 ? 5 : 13,
				  "new flow on the new table");
			if (test_failed())
				goto out;
		}
	}
out:
	test_ctx(NULL);
	bal_close(&b);
}

/* All-ports source-hashed VIP: every fragment of a client's datagrams on
 * the client's backend, in any order. */
static void hash_src(__u8 family)
{
	enum { NCLIENTS = 16 };
	static const int orders[][NFRAGS] = { { 0, 1, 2 }, { 2, 1, 0 }, { 1, 0, 2 }, { 2, 0, 1 } };
	const char *vip = family == XLB_FAMILY_V4 ? ANY4 : ANY6;
	__u32 home, used = 0;
	struct dgram d;
	struct bal b;
	size_t o;
	int i, k, seen_first;

	if (!setup(&b))
		goto out;
	for (i = 0; i < NCLIENTS; i++) {
		d = (struct dgram){ family, .vip = vip, .proto = IPPROTO_UDP, .sport = 7000 + i,
				    .dport = 9, .id = 300 + i };
		bal_client(&d.src, family, 1000 + i);
		home = send_whole(&b, &d, FIRST_NEW);
		if (!home)
			goto out;
		used |= 1U << home;
		for (o = 0; o < ARRAY_SIZE(orders); o++) {
			/* another port and datagram each time: the port does not
			 * matter on this VIP */
			d.dport = 1000 + o;
			d.id += 1000;
			/* later fragments before the first are placed by the
			 * hash; the first fragment records the datagram for
			 * the ones after it */
			seen_first = 0;
			for (k = 0; k < NFRAGS; k++) {
				int idx = orders[o][k];
				const int *moved = idx == 0 ? FIRST_NEW :
						   seen_first ? LATER : LATER_HASHED;

				ASSERT_EQ(send_frag(&b, &d, idx, XDP_TX, moved), home,
					  "the client's backend");
				seen_first |= idx == 0;
			}
		}
		if (test_failed())
			goto out;
	}
	test_ctx(NULL);
	ASSERT_GE(__builtin_popcount(used), 3, "backends the clients used");
	ASSERT_EQ(bal_flows_count(&b), NCLIENTS, "fragments added no flow entries");
out:
	test_ctx(NULL);
	bal_close(&b);
}

void test_balancer_frag_hash_src_v4(void)
{
	hash_src(XLB_FAMILY_V4);
}

void test_balancer_frag_hash_src_v6(void)
{
	hash_src(XLB_FAMILY_V6);
}

/* A port-specific source-hashed VIP: in order like any VIP; a later
 * fragment first has no port to find the VIP by. */
void test_balancer_frag_hash_src_port(void)
{
	static const __u8 families[] = { XLB_FAMILY_V4, XLB_FAMILY_V6 };
	__u32 home;
	struct dgram d;
	struct bal b;
	size_t f;
	int k;

	if (!setup(&b))
		goto out;
	for (f = 0; f < ARRAY_SIZE(families); f++) {
		d = (struct dgram){ families[f],
				    .vip = families[f] == XLB_FAMILY_V4 ? BAL_VIP4 : BAL_VIP6,
				    .proto = IPPROTO_TCP, .sport = 6000, .dport = 443, .id = 9 };
		bal_client(&d.src, families[f], 77);
		home = send_whole(&b, &d, FIRST_NEW);
		if (!home)
			goto out;
		d.sport++;
		ASSERT_EQ(send_frag(&b, &d, 0, XDP_TX, FIRST_NEW), home, "first fragment");
		for (k = 1; k < NFRAGS; k++)
			ASSERT_EQ(send_frag(&b, &d, k, XDP_TX, LATER), home, "later fragment");
		d.id++;
		send_frag(&b, &d, 2, XDP_DROP, NO_FIRST);
		ASSERT_EQ(send_frag(&b, &d, 0, XDP_TX, FIRST_NEW), home, "first fragment");
		ASSERT_EQ(send_frag(&b, &d, 1, XDP_TX, LATER), home, "later fragment");
	}
out:
	test_ctx(NULL);
	bal_close(&b);
}
