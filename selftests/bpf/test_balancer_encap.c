// SPDX-License-Identifier: GPL-2.0
/*
 * Balancer encapsulation, checked on the wire: every kind (IPv4/IPv6 in
 * IPv4/IPv6, GUE over IPv4 and IPv6) with each field of the outer header
 * asserted on its own, then the whole frame compared with one the packet
 * builder makes independently (so the GUE-over-IPv6 UDP checksum the
 * datapath derives from the inner checksum is compared with one summed
 * over the whole datagram). Also: flow entropy (IPv6 flow label, GUE
 * source port), Ethernet padding, the cached next hop's MACs and egress
 * (XDP_TX or XDP_REDIRECT), and the encap source per outer family.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>

#include "balancer_fixture.h"
#include "../lib/test.h"

#define BE4		"198.51.100.11"
#define BE6		"2001:db8:be::12"
#define BE4_ID		1
#define BE6_ID		2

struct encap_case {
	const char *name;
	bool inner_v6;
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	bool outer_v6;
	__u8 encap;
	bool vlan;
	__u8 tos;		/* inner TOS / traffic class */
	__u8 outer_ttl;		/* config; 0: default */
	__u16 gue_port;		/* 0: default */
	size_t len;		/* L4 payload bytes */
	bool udp_nocsum;	/* inner IPv4 UDP without checksum */
	bool ext;		/* inner IPv6 with a destination-options header */
	bool gue_csum_zero;	/* expected GUE checksum 0 over IPv6 */
};

#define TCP	IPPROTO_TCP
#define UDP	IPPROTO_UDP
#define IPIP	XLB_ENCAP_IPIP
#define GUE	XLB_ENCAP_GUE

static const struct encap_case cases[] = {
	{ "4in4", false, TCP, false, IPIP, .len = 100 },
	{ "6in6", true, TCP, true, IPIP, .len = 100 },
	{ "4in6", false, UDP, true, IPIP, .len = 37 },
	{ "6in4", true, UDP, false, IPIP, .len = 37 },
	{ "4in4 vlan, EF, ttl 7", false, UDP, false, IPIP, true, 0xb8, 7, .len = 1 },
	{ "6in6 vlan, CE", true, UDP, true, IPIP, true, 0x03, .len = 200 },
	{ "gue 4 over 4", false, TCP, false, GUE, .len = 100 },
	{ "gue 6 over 4", true, UDP, false, GUE, .tos = 0x2e, .len = 37 },
	{ "gue 4 over 4, UDP without checksum", false, UDP, false, GUE, .len = 10,
	  .udp_nocsum = true },
	{ "gue 4 over 6, tcp", false, TCP, true, GUE, .len = 100 },
	{ "gue 4 over 6, udp odd length", false, UDP, true, GUE, .tos = 0x01, .len = 37 },
	{ "gue 4 over 6, tcp empty", false, TCP, true, GUE, .len = 0 },
	{ "gue 6 over 6, tcp", true, TCP, true, GUE, .len = 999 },
	{ "gue 6 over 6, udp, vlan, port 5555", true, UDP, true, GUE, true, 0x88, 255, 5555,
	  .len = 64 },
	{ "gue 4 over 6, UDP without checksum", false, UDP, true, GUE, .len = 20,
	  .udp_nocsum = true, .gue_csum_zero = true },
	{ "gue 6 over 6, extension header", true, TCP, true, GUE, .len = 20, .ext = true,
	  .gue_csum_zero = true },
};

static __u16 get16(const __u8 *b)
{
	return b[0] << 8 | b[1];
}

static __u32 get32(const __u8 *b)
{
	return (__u32)get16(b) << 16 | get16(b + 2);
}

static int build_inner(struct pkt *p, const struct encap_case *c, __u16 sport)
{
	struct pkt_eth eth = {};

	pkt_init(p);
	pkt_eth(p, &eth);
	if (c->vlan)
		pkt_vlan(p, 0x2064); /* PCP 1, VID 100 */
	pkt_ip(p, &(struct pkt_ip){ .src = c->inner_v6 ? BAL_CLIENT6 : BAL_CLIENT4,
				    .dst = c->inner_v6 ? BAL_VIP6 : BAL_VIP4, .tos = c->tos,
				    .flow_label = c->inner_v6 ? 0x12345 : 0, .df = !c->inner_v6,
				    .id = c->inner_v6 ? 0 : 0x4242 });
	if (c->ext)
		pkt_ip6_ext(p, &(struct pkt_ip6_ext){ .type = IPPROTO_DSTOPTS, .len = 6 });
	if (c->proto == TCP)
		pkt_tcp(p, &(struct pkt_tcp){ .sport = sport, .dport = 80, .seq = 1000,
					      .ack = 2000, .flags = TH_ACK | TH_PUSH,
					      .len = c->len });
	else
		pkt_udp(p, &(struct pkt_udp){ .sport = sport, .dport = 53,
					      .zero_csum = c->udp_nocsum, .len = c->len });
	return pkt_finish(p);
}

static bool setup_case(struct bal *b, const struct encap_case *c)
{
	struct bal_vip v = {
		.addr = c->inner_v6 ? BAL_VIP6 : BAL_VIP4,
		.id = c->inner_v6 * 2 + (c->proto == UDP),
		.proto = c->proto,
		.port = c->proto == TCP ? 80 : 53,
		.encap = c->encap,
		.gue_port = c->gue_port,
		.be = { c->outer_v6 ? BE6_ID : BE4_ID },
	};

	b->cfg.outer_ttl = c->outer_ttl;
	return bal_config_write(b) && bal_vip(b, &v);
}

/* Each field of the output on its own, against the input frame. */
static void check_fields(struct bal *b, const struct encap_case *c, const struct pkt *in,
			 const struct bal_run *r)
{
	static const __u8 smac[6] = BAL_NH_SMAC;
	__u8 ttl = c->outer_ttl ? c->outer_ttl : XLB_OUTER_TTL;
	__u16 gue_port = c->gue_port ? c->gue_port : XLB_GUE_PORT_DEFAULT;
	__u32 be_id = c->outer_v6 ? BE6_ID : BE4_ID;
	const __u8 dmac[6] = BAL_NH_DMAC(be_id);
	size_t olen = (c->outer_v6 ? 40 : 20) + (c->encap == GUE ? 8 : 0);
	size_t l2 = c->vlan ? 18 : 14, ip_len = in->len - l2;
	const __u8 *f = r->out, *h = f + l2, *uh = h + (c->outer_v6 ? 40 : 20);
	__u8 next = c->encap == GUE ? IPPROTO_UDP : c->inner_v6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
	union xlb_addr src, dst;
	struct bal_outer o;

	if (!ASSERT_EQ(r->len, in->len + olen, "output length") ||
	    !bal_outer_parse(f, r->len, &o))
		return;
	ASSERT_MEMEQ(f, dmac, 6, "destination MAC from the next hop");
	ASSERT_MEMEQ(f + 6, smac, 6, "source MAC from the next hop");
	if (c->vlan) {
		ASSERT_EQ(get16(f + 12), 0x8100, "VLAN TPID kept");
		ASSERT_EQ(get16(f + 14), 0x2064, "VLAN TCI kept");
	}
	ASSERT_EQ(get16(f + l2 - 2), c->outer_v6 ? 0x86dd : 0x0800, "ethertype of the outer");
	pkt_addr_parse(c->outer_v6 ? BAL_LB6 : BAL_LB4, &src, NULL);
	dst = b->be[be_id].addr;

	if (!c->outer_v6) {
		ASSERT_EQ(h[0], 0x45, "IPv4 version and header length");
		ASSERT_EQ(h[1], c->tos, "TOS copied from the inner header");
		ASSERT_EQ(get16(h + 2), olen + ip_len, "total length");
		ASSERT_EQ(get16(h + 6), 0x4000, "DF set, not a fragment");
		ASSERT_EQ(h[8], ttl, "TTL");
		ASSERT_EQ(h[9], next, "protocol");
		ASSERT_OK(pkt_check_ipv4_csum(h, 20), "IPv4 header checksum");
		ASSERT_MEMEQ(h + 12, &src.v4, 4, "source: the node's IPv4 address");
		ASSERT_MEMEQ(h + 16, &dst.v4, 4, "destination: the backend");
	} else {
		ASSERT_EQ(h[0] >> 4, 6, "IPv6 version");
		ASSERT_EQ((get32(h) >> 20) & 0xff, c->tos, "traffic class copied from the inner");
		ASSERT_EQ(get16(h + 4), olen - 40 + ip_len, "payload length");
		ASSERT_EQ(h[6], next, "next header");
		ASSERT_EQ(h[7], ttl, "hop limit");
		ASSERT_MEMEQ(h + 8, &src, 16, "source: the node's IPv6 address");
		ASSERT_MEMEQ(h + 24, &dst, 16, "destination: the backend");
	}
	if (c->encap == GUE) {
		ASSERT_GE(get16(uh), 0xc000, "GUE source port in the dynamic range");
		ASSERT_EQ(get16(uh + 2), gue_port, "GUE destination port of the VIP");
		ASSERT_EQ(get16(uh + 4), 8 + ip_len, "UDP length");
		if (!c->outer_v6)
			ASSERT_EQ(get16(uh + 6), 0, "no UDP checksum over IPv4");
		else if (c->gue_csum_zero)
			ASSERT_EQ(get16(uh + 6), 0, "UDP checksum 0: the inner gives none");
		else
			ASSERT_OK(pkt_check_l4_csum(h, r->len - l2), "UDP checksum over IPv6");
	}
	ASSERT_PKT_EQ(f + l2 + olen, r->len - l2 - olen, in->buf + l2, ip_len,
		      "inner packet byte-for-byte");
}

/* The same frame made by the packet builder; flow label and GUE source
 * port are taken from the output (their properties are tested below). */
static int build_expected(struct bal *b, struct pkt *w, const struct encap_case *c,
			  const struct pkt *in, const struct bal_run *r)
{
	__u32 be_id = c->outer_v6 ? BE6_ID : BE4_ID;
	size_t l2 = c->vlan ? 18 : 14, ip_len = in->len - l2;
	const __u8 *h = r->out + l2;
	size_t udp = l2 + (c->outer_v6 ? 40 : 20);
	struct pkt_eth eth = { .src = BAL_NH_SMAC, .dst = BAL_NH_DMAC(be_id) };
	__u8 next = c->inner_v6 ? IPPROTO_IPV6 : IPPROTO_IPIP;

	pkt_init(w);
	pkt_eth(w, &eth);
	if (c->vlan)
		pkt_vlan(w, 0x2064);
	pkt_ip(w, &(struct pkt_ip){ .src = c->outer_v6 ? BAL_LB6 : BAL_LB4,
				    .daddr = b->be[be_id].addr, .family = b->be[be_id].family,
				    .tos = c->tos,
				    .ttl = c->outer_ttl ? c->outer_ttl : XLB_OUTER_TTL,
				    .df = !c->outer_v6,
				    .flow_label = c->outer_v6 ? get32(h) & 0xfffff : 0,
				    .proto = c->encap == GUE ? 0 : next });
	if (c->encap == GUE)
		pkt_udp(w, &(struct pkt_udp){ .sport = get16(r->out + udp),
					      .dport = c->gue_port ? c->gue_port :
								     XLB_GUE_PORT_DEFAULT,
					      .zero_csum = true, .payload = in->buf + l2,
					      .len = ip_len });
	else
		pkt_payload(w, in->buf + l2, ip_len);
	if (pkt_finish(w))
		return w->err;
	if (c->encap == GUE && c->gue_csum_zero)
		memset(w->buf + udp + 6, 0, 2);
	return 0;
}

void test_balancer_encap_kinds(void)
{
	static struct pkt in, want;
	static struct bal_run r;
	const struct encap_case *c;
	struct bal b;

	if (!bal_open(&b) || !bal_backend(&b, BE4_ID, BE4) || !bal_backend(&b, BE6_ID, BE6))
		goto out;
	for (c = cases; c < cases + ARRAY_SIZE(cases); c++) {
		test_ctx("%s", c->name);
		/* a port per case: the flow table must not carry one case's
		 * backend into the next */
		if (!setup_case(&b, c) ||
		    !ASSERT_OK(build_inner(&in, c, 40000 + (c - cases)), "build"))
			continue;
		if (!bal_check(&b, in.buf, in.len, XDP_TX,
			       BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS), &r))
			continue;
		check_fields(&b, c, &in, &r);
		if (ASSERT_OK(build_expected(&b, &want, c, &in, &r), "build expected"))
			ASSERT_PKT_EQ(r.out, r.len, want.buf, want.len, "whole frame");
	}
	test_ctx(NULL);
out:
	bal_close(&b);
}

/*
 * Flow entropy: the IPv6 flow label and the GUE source port come from the
 * flow hash. Both are the same for every packet of a flow (and on every
 * VIP configuration, as they hash the same flow key), differ across flows,
 * and the source port's low 14 bits are the label's.
 */
void test_balancer_encap_entropy(void)
{
	enum { NFLOWS = 64 };
	static const struct encap_case ipip6 = { "6in6", true, UDP, true, IPIP };
	static const struct encap_case gue4 = { "gue 6 over 4", true, UDP, false, GUE };
	static const struct encap_case gue6 = { "gue 6 over 6", true, UDP, true, GUE };
	__u32 label[NFLOWS], sport[NFLOWS];
	static struct pkt in;
	static struct bal_run r;
	int i, j, same_label = 0, same_sport = 0;
	struct bal b;

	if (!bal_open(&b) || !bal_backend(&b, BE4_ID, BE4) || !bal_backend(&b, BE6_ID, BE6))
		goto out;

	/* the label of each flow over IPIP, twice */
	if (!setup_case(&b, &ipip6))
		goto out;
	for (i = 0; i < NFLOWS; i++) {
		test_ctx("6in6, flow %d", i);
		if (!ASSERT_OK(build_inner(&in, &ipip6, 1000 + i), "build") ||
		    !bal_run(&b, in.buf, in.len, &r) || !ASSERT_EQ(r.act, XDP_TX, "action"))
			goto out;
		label[i] = get32(r.out + 14) & 0xfffff;
		if (!bal_run(&b, in.buf, in.len, &r))
			goto out;
		ASSERT_EQ(get32(r.out + 14) & 0xfffff, label[i], "same label for the same flow");
	}

	/* the GUE source port over IPv4 (the flows must not stick to the
	 * IPv6 backend of the first pass) */
	if (!bal_flows_clear(&b) || !setup_case(&b, &gue4))
		goto out;
	for (i = 0; i < NFLOWS; i++) {
		test_ctx("gue over IPv4, flow %d", i);
		if (!ASSERT_OK(build_inner(&in, &gue4, 1000 + i), "build") ||
		    !bal_run(&b, in.buf, in.len, &r) || !ASSERT_EQ(r.act, XDP_TX, "action"))
			goto out;
		sport[i] = get16(r.out + 14 + 20);
		ASSERT_GE(sport[i], 0xc000, "GUE source port range");
		ASSERT_EQ(sport[i] & 0x3fff, label[i] & 0x3fff, "port and label from one hash");
	}

	/* both over IPv6 */
	if (!bal_flows_clear(&b) || !setup_case(&b, &gue6))
		goto out;
	for (i = 0; i < NFLOWS; i++) {
		test_ctx("gue over IPv6, flow %d", i);
		if (!ASSERT_OK(build_inner(&in, &gue6, 1000 + i), "build") ||
		    !bal_run(&b, in.buf, in.len, &r) || !ASSERT_EQ(r.act, XDP_TX, "action"))
			goto out;
		ASSERT_EQ(get16(r.out + 14 + 40), sport[i], "same GUE port over IPv6");
		ASSERT_EQ(get32(r.out + 14) & 0xfffff, label[i], "same label with GUE");
	}
	test_ctx(NULL);

	for (i = 0; i < NFLOWS; i++) {
		for (j = i + 1; j < NFLOWS; j++) {
			same_label += label[i] == label[j];
			same_sport += sport[i] == sport[j];
		}
	}
	/* 2016 pairs: about 0.002 expected 20-bit collisions, 0.12 14-bit */
	ASSERT_LE(same_label, 1, "flows with the same label");
	ASSERT_LE(same_sport, 3, "flows with the same GUE source port");
out:
	test_ctx(NULL);
	bal_close(&b);
}

/*
 * Ethernet pads frames to 60 bytes; the padding is not part of the IP
 * packet and must not travel in the tunnel (nor enter the GUE checksum).
 */
void test_balancer_encap_padding(void)
{
	static const struct encap_case kinds[] = {
		{ "4in4", false, TCP, false, IPIP },
		{ "4in6", false, UDP, true, IPIP, .len = 1 },
		{ "gue 4 over 6", false, TCP, true, GUE },
		{ "gue 4 over 4 vlan", false, UDP, false, GUE, true },
	};
	static struct pkt in;
	static struct bal_run r;
	const struct encap_case *c;
	struct bal b;

	if (!bal_open(&b) || !bal_backend(&b, BE4_ID, BE4) || !bal_backend(&b, BE6_ID, BE6))
		goto out;
	for (c = kinds; c < kinds + ARRAY_SIZE(kinds); c++) {
		test_ctx("%s", c->name);
		if (!setup_case(&b, c) ||
		    !ASSERT_OK(build_inner(&in, c, 40000 + (c - kinds)), "build"))
			continue;
		if (!ASSERT_LT(in.len, 60, "short frame"))
			continue;
		/* padding that is not zero, as some NICs leave it */
		memset(in.buf + in.len, 0xee, 60 - in.len);
		if (!bal_check(&b, in.buf, 60, XDP_TX, BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS),
			       &r))
			continue;
		ASSERT_EQ(bal_forwarded_to(&b, in.buf, 60, &r), c->outer_v6 ? BE6_ID : BE4_ID,
			  "backend");
		check_fields(&b, c, &in, &r);
		ASSERT_EQ(r.len, in.len + (c->outer_v6 ? 40 : 20) + (c->encap == GUE ? 8 : 0),
			  "padding trimmed");
	}
	test_ctx(NULL);
out:
	bal_close(&b);
}

/*
 * The cached next hop: MACs from the backend entry; egress ifindex 0 or
 * the ingress interface is XDP_TX, another interface XDP_REDIRECT. The
 * ingress is lo (ifindex 1), which exists in every network namespace.
 */
void test_balancer_encap_nexthop(void)
{
	static const struct {
		const char *name;
		__u32 be_ifindex;
		__u32 ingress;
		__u32 act;
		enum xlb_stat stat;
	} cases_nh[] = {
		{ "egress 0", 0, 0, XDP_TX, XLB_STAT_TX },
		{ "egress 0, ingress lo", 0, 1, XDP_TX, XLB_STAT_TX },
		{ "egress lo, ingress lo", 1, 1, XDP_TX, XLB_STAT_TX },
		{ "egress 7, ingress lo", 7, 1, XDP_REDIRECT, XLB_STAT_REDIRECT },
		{ "egress 7, test run's own ingress", 7, 0, XDP_REDIRECT, XLB_STAT_REDIRECT },
	};
	static const __u8 smac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const __u8 dmac[6] = { 0x02, 0x66, 0x77, 0x88, 0x99, 0xaa };
	static struct pkt in;
	static struct bal_run r;
	struct bal b;
	size_t i;

	if (!bal_open(&b) || !bal_backend(&b, BE4_ID, BE4) ||
	    !setup_case(&b, &cases[0]) || !ASSERT_OK(build_inner(&in, &cases[0], 1), "build"))
		goto out;
	memcpy(b.be[BE4_ID].smac, smac, 6);
	memcpy(b.be[BE4_ID].dmac, dmac, 6);
	for (i = 0; i < ARRAY_SIZE(cases_nh); i++) {
		test_ctx("%s", cases_nh[i].name);
		b.be[BE4_ID].ifindex = cases_nh[i].be_ifindex;
		if (!bal_backend_write(&b, BE4_ID) ||
		    !bal_run_ifindex(&b, in.buf, in.len, cases_nh[i].ingress, &r))
			continue;
		ASSERT_EQ(r.act, cases_nh[i].act, "XDP action");
		ASSERT_MEMEQ(r.out, dmac, 6, "destination MAC");
		ASSERT_MEMEQ(r.out + 6, smac, 6, "source MAC");
		ASSERT_EQ(bal_forwarded_to(&b, in.buf, in.len, &r), BE4_ID, "backend");
		bal_stats_check(&b, 1, BAL_STATS(cases_nh[i].stat,
						 i ? XLB_STAT_FLOW_HIT : XLB_STAT_FLOW_MISS));
	}
	test_ctx(NULL);
out:
	bal_close(&b);
}

/* Without an encap source of the backend's family nothing can be sent. */
void test_balancer_encap_no_source(void)
{
	static struct pkt in;
	static struct bal_run r;
	struct bal b;

	if (!bal_open(&b) || !bal_backend(&b, BE4_ID, BE4) || !bal_backend(&b, BE6_ID, BE6))
		goto out;
	b.cfg.has_v4 = 0;
	if (!setup_case(&b, &cases[0]) || !ASSERT_OK(build_inner(&in, &cases[0], 1), "build"))
		goto out;
	test_ctx("IPv4 backend, IPv6 source only");
	bal_check(&b, in.buf, in.len, XDP_DROP,
		  BAL_STATS(XLB_STAT_DROP, XLB_STAT_DROP_NO_SOURCE, XLB_STAT_FLOW_MISS), &r);

	test_ctx("IPv6 backend, IPv6 source");
	if (setup_case(&b, &cases[2]) && ASSERT_OK(build_inner(&in, &cases[2], 1), "build"))
		bal_check(&b, in.buf, in.len, XDP_TX,
			  BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS), &r);

	test_ctx("IPv6 backend, IPv4 source only");
	b.cfg.has_v4 = 1;
	b.cfg.has_v6 = 0;
	if (bal_config_write(&b))
		bal_check(&b, in.buf, in.len, XDP_DROP,
			  BAL_STATS(XLB_STAT_DROP, XLB_STAT_DROP_NO_SOURCE, XLB_STAT_FLOW_HIT), &r);
	test_ctx(NULL);
out:
	bal_close(&b);
}
