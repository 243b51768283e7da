// SPDX-License-Identifier: GPL-2.0
/*
 * Seed corpora of the datapath fuzz targets: well-formed frames of every
 * kind the balancer and the decap program handle, built with the tests'
 * packet builder (selftests/lib/pkt.c) in the targets' input format
 * (xdp_input.h).
 *
 *	build/fuzz/xdp_seeds selftests/fuzz/corpus
 *
 * writes corpus/xlb/seed-* and corpus/decap/seed-* (same names, same
 * bytes on every run).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../lib/pkt.h"
#include "xdp_input.h"

#define CLIENT4		"198.18.0.7"
#define CLIENT6		"2001:db8:c::7"
#define ROUTER4		"192.0.2.254"
#define ROUTER6		"2001:db8:ff::1"
#define OTHER4		"203.0.113.99"
#define OTHER6		"2001:db8:f::99"
#define LB4		"192.0.2.1"
#define LB6		"2001:db8::1"

static const char *dir;
static __u8 input[XDP_IN_MAX_RECORDS * (3 + XDP_IN_MAX_FRAME)];
static size_t input_len;
static int failed;

static void add(__u8 flags, const struct pkt *p)
{
	if (p->err) {
		fprintf(stderr, "xdp_seeds: packet builder: %s\n", strerror(-p->err));
		failed = 1;
		return;
	}
	input[input_len] = flags;
	input[input_len + 1] = p->len >> 8;
	input[input_len + 2] = p->len & 0xff;
	memcpy(input + input_len + 3, p->buf, p->len);
	input_len += 3 + p->len;
}

static void save(const char *target, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, target);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/seed-%s", dir, target, name);
	f = fopen(path, "w");
	if (!f || fwrite(input, 1, input_len, f) != input_len || fclose(f)) {
		fprintf(stderr, "xdp_seeds: %s: %s\n", path, strerror(errno));
		failed = 1;
	}
	input_len = 0;
}

static bool v6(const char *addr)
{
	return strchr(addr, ':') != NULL;
}

/* Client to dst:dport, TCP with `flags` or UDP, `len` payload bytes. */
static struct pkt *flow(const char *dst, __u8 proto, __u16 sport, __u16 dport, __u8 flags,
			size_t len)
{
	static struct pkt p;

	pkt_init(&p);
	pkt_eth(&p, NULL);
	pkt_ip(&p, &(struct pkt_ip){ .src = v6(dst) ? CLIENT6 : CLIENT4, .dst = dst,
				     .df = !v6(dst), .tos = 0x02 });
	if (proto == IPPROTO_TCP)
		pkt_tcp(&p, &(struct pkt_tcp){ .sport = sport, .dport = dport, .seq = 1000,
					       .ack = flags & TH_ACK ? 2000 : 0,
					       .flags = flags, .len = len });
	else
		pkt_udp(&p, &(struct pkt_udp){ .sport = sport, .dport = dport, .len = len });
	pkt_finish(&p);
	return &p;
}

/* Eight flows from different ports, so that every backend gets some. */
static void flows(const char *name, const char *dst, __u8 proto, __u16 dport, __u8 flags,
		  size_t len, __u8 rec_flags)
{
	int i;

	for (i = 0; i < XDP_IN_MAX_RECORDS; i++)
		add(rec_flags | (i & XDP_IN_INGRESS_MASK),
		    flow(dst, proto, 40000 + i * 7, dport ? dport : 1000 + i, flags, len));
	save("xlb", name);
}

/* An ICMP error from a router about a packet vip:vport sent to the client. */
static struct pkt *icmp_error(const char *vip, __u8 proto, __u16 vport, __u16 cport, __u8 type,
			      __u8 code, __u32 rest, size_t quote)
{
	static struct pkt q, p;

	pkt_init(&q);
	pkt_ip(&q, &(struct pkt_ip){ .src = vip, .dst = v6(vip) ? CLIENT6 : CLIENT4 });
	if (proto == IPPROTO_TCP)
		pkt_tcp(&q, &(struct pkt_tcp){ .sport = vport, .dport = cport, .seq = 2000,
					       .ack = 1000, .flags = TH_ACK, .len = 100 });
	else
		pkt_udp(&q, &(struct pkt_udp){ .sport = vport, .dport = cport, .len = 100 });
	pkt_finish(&q);
	pkt_init(&p);
	pkt_eth(&p, NULL);
	pkt_ip(&p, &(struct pkt_ip){ .src = v6(vip) ? ROUTER6 : ROUTER4, .dst = vip });
	pkt_icmp(&p, &(struct pkt_icmp){ .type = type, .code = code, .rest = rest,
					 .payload = q.buf,
					 .len = quote && quote < q.len ? quote : q.len });
	pkt_finish(&p);
	return &p;
}

/* First and later fragment of a UDP datagram to dst:dport. */
static void fragments(const char *name, const char *dst, __u16 dport, bool later_only)
{
	static struct pkt p;
	int later;

	for (later = later_only; later < 2; later++) {
		pkt_init(&p);
		pkt_eth(&p, NULL);
		if (!v6(dst)) {
			pkt_ip(&p, &(struct pkt_ip){ .src = CLIENT4, .dst = dst, .id = 77,
						     .mf = !later, .frag_off = later ? 208 : 0,
						     .proto = later ? IPPROTO_UDP : 0 });
		} else {
			pkt_ip(&p, &(struct pkt_ip){ .src = CLIENT6, .dst = dst });
			pkt_ip6_ext(&p, &(struct pkt_ip6_ext){ .type = IPPROTO_FRAGMENT, .id = 77,
							      .more = !later,
							      .frag_off = later ? 208 : 0,
							      .proto = later ? IPPROTO_UDP : 0 });
		}
		if (later)
			pkt_payload(&p, NULL, 100);
		else
			pkt_udp(&p, &(struct pkt_udp){ .sport = 5353, .dport = dport, .len = 200 });
		pkt_finish(&p);
		add(0, &p);
	}
	save("xlb", name);
}

static void xlb_seeds(void)
{
	static const __u8 ip_opts[8] = { 0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00 };
	static const __u8 tcp_ts[12] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0 };
	static struct pkt p;
	int i;

	/* every VIP, established flows and new ones */
	flows("v4-tcp80-ack", FZ_VIP4_A, IPPROTO_TCP, 80, TH_ACK, 100, 0);
	flows("v4-tcp80-syn", FZ_VIP4_A, IPPROTO_TCP, 80, TH_SYN, 0, 0);
	flows("v4-udp53-gue", FZ_VIP4_A, IPPROTO_UDP, 53, 0, 40, 0);
	flows("v4-tcp-allports-4in6", FZ_VIP4_B, IPPROTO_TCP, 0, TH_ACK, 60, 0);
	flows("v4-udp-allports-gue6", FZ_VIP4_B, IPPROTO_UDP, 0, 0, 33, XDP_IN_REPAIR);
	flows("v6-tcp443-6in6", FZ_VIP6_A, IPPROTO_TCP, 443, TH_ACK, 100, 0);
	flows("v6-udp-allports-gue6", FZ_VIP6_A, IPPROTO_UDP, 0, 0, 20, 0);
	flows("v6-tcp80-6in4", FZ_VIP6_B, IPPROTO_TCP, 80, TH_ACK | TH_PUSH, 10, 0);
	flows("v6-udp4789-gue4", FZ_VIP6_B, IPPROTO_UDP, 4789, 0, 50, 0);
	flows("v4-tcp22-absent", FZ_VIP4_C, IPPROTO_TCP, 22, TH_ACK, 0, 0);
	flows("v4-udp-allports-5tuple", FZ_VIP4_D, IPPROTO_UDP, 0, 0, 70, 0);
	flows("v4-tcp80-vlan", FZ_VIP4_A, IPPROTO_TCP, 80, TH_ACK, 1, XDP_IN_VLAN);
	flows("v6-tcp443-qinq", FZ_VIP6_A, IPPROTO_TCP, 443, TH_ACK, 1,
	      XDP_IN_VLAN | XDP_IN_VLAN_AD);
	/* too big after encapsulation for some backends (MTU 576, 1280, 1300,
	 * route MTUs 1000 and 1400, fz0's 1500) */
	flows("v4-tcp80-big", FZ_VIP4_A, IPPROTO_TCP, 80, TH_ACK, 1400, 0);
	flows("v4-tcp-allports-big", FZ_VIP4_B, IPPROTO_TCP, 0, TH_ACK, 1400, 0);
	flows("v6-tcp443-big", FZ_VIP6_A, IPPROTO_TCP, 443, TH_ACK, 1400, 0);
	flows("v6-udp4789-big", FZ_VIP6_B, IPPROTO_UDP, 4789, 0, 1200, 0);
	flows("v6-udp-allports-big", FZ_VIP6_A, IPPROTO_UDP, 0, 0, 1460, 0);

	/* second chance: moved and unmoved slots, a SYN and its ACK, a SYN
	 * on a known tuple, an ICMP error about a flow with a hop, big */
	flows("v4-tcp8080-gue-sc", FZ_VIP4_E, IPPROTO_TCP, 8080, TH_ACK, 100, 0);
	flows("v4-tcp8080-gue-sc-syn", FZ_VIP4_E, IPPROTO_TCP, 8080, TH_SYN, 0, 0);
	flows("v6-tcp8443-gue-sc", FZ_VIP6_C, IPPROTO_TCP, 8443, TH_ACK | TH_PUSH, 60, 0);
	flows("v6-tcp8443-gue-sc-big", FZ_VIP6_C, IPPROTO_TCP, 8443, TH_ACK, 1240, 0);
	for (i = 0; i < 2; i++) {
		add(0, flow(FZ_VIP4_E, IPPROTO_TCP, 41100 + i, 8080, TH_ACK, 10));
		add(0, flow(FZ_VIP4_E, IPPROTO_TCP, 41100 + i, 8080, TH_SYN, 0));
		add(0, flow(FZ_VIP4_E, IPPROTO_TCP, 41100 + i, 8080, TH_ACK, 10));
	}
	add(0, icmp_error(FZ_VIP4_E, IPPROTO_TCP, 8080, 41100, 3, 4, 1400, 28));
	add(XDP_IN_NEW_GEN, flow(FZ_VIP4_E, IPPROTO_TCP, 41101, 8080, TH_ACK, 10));
	save("xlb", "v4-gue-sc-syn-icmp");

	/* a SYN, then the flow's ACK, then a reused tuple's SYN */
	add(0, flow(FZ_VIP4_A, IPPROTO_TCP, 41000, 80, TH_SYN, 0));
	add(0, flow(FZ_VIP4_A, IPPROTO_TCP, 41000, 80, TH_ACK, 10));
	add(1, flow(FZ_VIP4_A, IPPROTO_TCP, 41000, 80, TH_SYN, 0));
	save("xlb", "v4-syn-ack-syn");

	/* ICMP errors about VIP flows, after the flow */
	add(0, flow(FZ_VIP4_A, IPPROTO_TCP, 42000, 80, TH_ACK, 10));
	add(0, icmp_error(FZ_VIP4_A, IPPROTO_TCP, 80, 42000, 3, 4, 1400, 28));
	add(0, icmp_error(FZ_VIP4_A, IPPROTO_TCP, 80, 42001, 11, 0, 0, 0));
	save("xlb", "v4-icmp-frag-needed");
	add(0, flow(FZ_VIP4_B, IPPROTO_UDP, 42000, 9, 0, 10));
	add(0, icmp_error(FZ_VIP4_B, IPPROTO_UDP, 9, 42000, 3, 3, 0, 0));
	save("xlb", "v4-icmp-unreach-gue6");
	add(0, flow(FZ_VIP6_A, IPPROTO_TCP, 42000, 443, TH_ACK, 10));
	add(0, icmp_error(FZ_VIP6_A, IPPROTO_TCP, 443, 42000, 2, 0, 1280, 0));
	add(0, icmp_error(FZ_VIP6_A, IPPROTO_UDP, 53, 42000, 1, 4, 0, 0));
	save("xlb", "v6-icmp-too-big");
	/* not errors: pings to a VIP */
	pkt_init(&p);
	pkt_eth(&p, NULL);
	pkt_ip(&p, &(struct pkt_ip){ .src = CLIENT4, .dst = FZ_VIP4_A });
	pkt_icmp(&p, &(struct pkt_icmp){ .type = 8, .rest = 0x10001, .len = 56 });
	pkt_finish(&p);
	add(0, &p);
	pkt_init(&p);
	pkt_eth(&p, NULL);
	pkt_ip(&p, &(struct pkt_ip){ .src = CLIENT6, .dst = FZ_VIP6_A });
	pkt_icmp(&p, &(struct pkt_icmp){ .type = 128, .rest = 0x10001, .len = 56 });
	pkt_finish(&p);
	add(0, &p);
	save("xlb", "ping");

	/* fragments: following the first one, source-hashed alone, 5-tuple alone */
	fragments("v4-frag-udp53", FZ_VIP4_A, 53, false);
	fragments("v4-frag-later-srchash", FZ_VIP4_B, 0, true);
	fragments("v4-frag-later-5tuple", FZ_VIP4_D, 0, true);
	fragments("v6-frag-udp", FZ_VIP6_A, 1234, false);
	fragments("v6-frag-udp4789", FZ_VIP6_B, 4789, false);

	/* header variants */
	pkt_init(&p);
	pkt_eth(&p, NULL);
	pkt_ip(&p, &(struct pkt_ip){ .src = CLIENT4, .dst = FZ_VIP4_A, .opts = ip_opts,
				     .opts_len = sizeof(ip_opts) });
	pkt_tcp(&p, &(struct pkt_tcp){ .sport = 43000, .dport = 80, .flags = TH_ACK,
				       .opts = tcp_ts, .opts_len = sizeof(tcp_ts), .len = 20 });
	pkt_finish(&p);
	add(0, &p);
	pkt_init(&p);
	pkt_eth(&p, NULL);
	pkt_ip(&p, &(struct pkt_ip){ .src = CLIENT6, .dst = FZ_VIP6_A });
	pkt_ip6_ext(&p, &(struct pkt_ip6_ext){ .type = IPPROTO_HOPOPTS, .len = 4 });
	pkt_ip6_ext(&p, &(struct pkt_ip6_ext){ .type = IPPROTO_DSTOPTS, .len = 12 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 43000, .dport = 5000, .len = 30 });
	pkt_finish(&p);
	add(0, &p);
	pkt_init(&p);
	pkt_eth(&p, NULL);
	pkt_ip(&p, &(struct pkt_ip){ .src = CLIENT4, .dst = FZ_VIP4_B });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 43000, .dport = 5000, .zero_csum = true,
				       .len = 30 });
	pkt_finish(&p);
	add(0, &p);
	save("xlb", "header-variants");
	/* Ethernet padding after a short packet; a TCP header cut short
	 * (lengths repaired to the frame) */
	p = *flow(FZ_VIP4_A, IPPROTO_TCP, 43002, 80, TH_ACK, 0);
	memset(p.buf + p.len, 0, 10);
	p.len += 10;
	add(0, &p);
	p = *flow(FZ_VIP4_A, IPPROTO_TCP, 43003, 80, TH_ACK, 0);
	p.len -= 10;
	add(XDP_IN_REPAIR, &p);
	p = *flow(FZ_VIP6_B, IPPROTO_UDP, 43003, 4789, 0, 0);
	p.len -= 4;
	add(XDP_IN_REPAIR, &p);
	save("xlb", "padded-truncated");

	/* established flows whose backends got new generations (stale) */
	add(0, flow(FZ_VIP4_A, IPPROTO_TCP, 43010, 80, TH_ACK, 10));
	add(XDP_IN_NEW_GEN, flow(FZ_VIP4_A, IPPROTO_TCP, 43010, 80, TH_ACK, 10));
	add(0, flow(FZ_VIP6_A, IPPROTO_UDP, 43010, 53, 0, 10));
	add(XDP_IN_NEW_GEN, flow(FZ_VIP6_A, IPPROTO_UDP, 43010, 53, 0, 10));
	save("xlb", "stale");

	/* five extension headers; a bad IHL; too big without DF */
	pkt_init(&p);
	pkt_eth(&p, NULL);
	pkt_ip(&p, &(struct pkt_ip){ .src = CLIENT6, .dst = FZ_VIP6_A });
	for (i = 0; i < 5; i++)
		pkt_ip6_ext(&p, &(struct pkt_ip6_ext){ .type = IPPROTO_DSTOPTS, .len = 6 });
	pkt_tcp(&p, &(struct pkt_tcp){ .sport = 43020, .dport = 443, .flags = TH_ACK });
	pkt_finish(&p);
	add(0, &p);
	p = *flow(FZ_VIP4_A, IPPROTO_TCP, 43021, 80, TH_ACK, 10);
	p.buf[14] = 0x44;
	add(0, &p);
	for (i = 0; i < 6; i++) {
		p = *flow(FZ_VIP4_A, IPPROTO_TCP, 43022 + i, 80, TH_ACK, 1000);
		p.buf[14 + 6] = 0;	/* DF off */
		add(XDP_IN_REPAIR, &p);
	}
	save("xlb", "ext-ihl-nodf");

	/* not for a VIP */
	add(0, flow(OTHER4, IPPROTO_TCP, 44000, 80, TH_ACK, 10));
	add(0, flow(OTHER6, IPPROTO_UDP, 44000, 53, 0, 10));
	pkt_init(&p);
	pkt_eth(&p, &(struct pkt_eth){ .type = 0x0806 });
	pkt_payload(&p, NULL, 28);
	pkt_finish(&p);
	add(0, &p);
	pkt_init(&p);
	pkt_eth(&p, NULL);
	pkt_vlan(&p, 10);
	pkt_vlan(&p, 20);
	pkt_ip(&p, &(struct pkt_ip){ .src = CLIENT4, .dst = FZ_VIP4_A });
	pkt_tcp(&p, &(struct pkt_tcp){ .sport = 44001, .dport = 80, .flags = TH_ACK });
	pkt_finish(&p);
	add(0, &p);
	save("xlb", "not-vip");

	for (i = 0; i < 4; i++)
		add((__u8)i, flow(FZ_VIP6_B, IPPROTO_TCP, 45000 + i, 80, TH_ACK, 1));
	save("xlb", "v6-tcp80-ingress");
}

/* A tunnelled frame to the decap program: outer IP (+ UDP + GUE) around
 * an inner TCP or UDP packet. gue: 0 none, 1 variant 1, 2 variant 0. */
static void tunnel(const char *name, const char *outer_dst, bool inner_v6, int gue,
		   __u8 outer_tos, __u8 inner_tos, __u8 flags)
{
	static const __u8 gue0_v4[4] = { 0x00, IPPROTO_IPIP, 0, 0 };
	static const __u8 gue0_v6[8] = { 0x01, IPPROTO_IPV6, 0, 0, 0xde, 0xad, 0xbe, 0xef };
	static struct pkt p;

	pkt_init(&p);
	pkt_eth(&p, NULL);
	pkt_ip(&p, &(struct pkt_ip){ .src = v6(outer_dst) ? LB6 : LB4, .dst = outer_dst,
				     .tos = outer_tos, .df = !v6(outer_dst),
				     .proto = gue == 2 ? IPPROTO_UDP : 0 });
	if (gue == 1) {
		pkt_udp(&p, &(struct pkt_udp){ .sport = 0xc123, .dport = FZ_DECAP_GUE });
	} else if (gue == 2) {
		/* variant 0 header in the UDP payload; the builder's
		 * checksums stop at the UDP layer, which is what counts */
		pkt_udp(&p, &(struct pkt_udp){ .sport = 0xc124, .dport = FZ_DECAP_GUE,
					       .payload = inner_v6 ? gue0_v6 : gue0_v4,
					       .len = inner_v6 ? 8 : 4 });
	}
	pkt_ip(&p, &(struct pkt_ip){ .src = inner_v6 ? CLIENT6 : CLIENT4,
				     .dst = inner_v6 ? FZ_VIP6_A : FZ_VIP4_A, .tos = inner_tos });
	if (inner_v6)
		pkt_udp(&p, &(struct pkt_udp){ .sport = 5353, .dport = 53, .len = 30 });
	else
		pkt_tcp(&p, &(struct pkt_tcp){ .sport = 40000, .dport = 80, .flags = TH_ACK,
					       .len = 30 });
	pkt_finish(&p);
	add(flags, &p);
	save("decap", name);
}

/* A GUE frame with a second-chance hop (include/xlb_shared.h) around a
 * client's TCP segment to the VIP fuzz_decap holds a connection on, as
 * the balancer sends it: IPv4 outer without UDP checksum, DF set. */
static struct pkt *hop_frame(const char *hop, bool inner_v6, __u16 cport, __u8 tcp_flags,
			     size_t len)
{
	static struct pkt p;
	__u8 gue[24] = { 0 };
	union xlb_addr a;
	__u8 fam;
	size_t alen;

	pkt_addr_parse(hop, &a, &fam);
	alen = fam == XLB_FAMILY_V4 ? 4 : 16;
	gue[0] = XLB_GUE_HOP_HLEN(fam);
	gue[1] = inner_v6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
	gue[4] = XLB_GUE_HOP_TYPE >> 8;
	gue[5] = XLB_GUE_HOP_TYPE & 0xff;
	gue[6] = fam;
	memcpy(gue + 8, &a, alen);
	pkt_init(&p);
	pkt_eth(&p, NULL);
	pkt_ip(&p, &(struct pkt_ip){ .src = v6(hop) ? LB6 : LB4,
				     .dst = v6(hop) ? FZ_DECAP6 : FZ_DECAP4, .df = !v6(hop),
				     .proto = IPPROTO_UDP });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 0xc125, .dport = FZ_DECAP_GUE,
				       .zero_csum = !v6(hop), .payload = gue, .len = 8 + alen });
	pkt_ip(&p, &(struct pkt_ip){ .src = inner_v6 ? FZ_SC_CLIENT6 : FZ_SC_CLIENT4,
				     .dst = inner_v6 ? FZ_SC_VIP6 : FZ_SC_VIP4 });
	pkt_tcp(&p, &(struct pkt_tcp){ .sport = cport, .dport = FZ_SC_VPORT, .seq = 5,
				       .ack = 9, .flags = tcp_flags, .len = len });
	pkt_finish(&p);
	return &p;
}

static void decap_hop_seeds(void)
{
	/* the held connection, none, a SYN; to every kind of hop */
	add(0, hop_frame(FZ_SC_HOP4, false, FZ_SC_CPORT, TH_ACK, 20));
	add(0, hop_frame(FZ_SC_HOP4, false, FZ_SC_CPORT + 1, TH_ACK, 20));
	add(0, hop_frame(FZ_SC_HOP4, true, FZ_SC_CPORT, TH_ACK | TH_PUSH, 20));
	add(0, hop_frame(FZ_SC_HOP4_NN, true, FZ_SC_CPORT + 1, TH_ACK, 0));
	add(XDP_IN_VLAN, hop_frame(FZ_SC_HOP4_BH, false, FZ_SC_CPORT + 1, TH_RST, 0));
	add(0, hop_frame(FZ_SC_HOP4, false, FZ_SC_CPORT + 1, TH_SYN, 0));
	add(0, hop_frame(FZ_DECAP4, false, FZ_SC_CPORT + 2, TH_ACK, 5));
	add(0, hop_frame("198.51.100.77", false, FZ_SC_CPORT + 2, TH_ACK, 5));
	save("decap", "hop4");
	add(0, hop_frame(FZ_SC_HOP6, true, FZ_SC_CPORT, TH_ACK, 20));
	add(0, hop_frame(FZ_SC_HOP6, true, FZ_SC_CPORT + 1, TH_ACK, 20));
	add(0, hop_frame(FZ_SC_HOP6, false, FZ_SC_CPORT + 3, TH_FIN | TH_ACK, 1300));
	add(XDP_IN_VLAN | XDP_IN_VLAN_AD, hop_frame(FZ_SC_HOP6_NN, false, 9, TH_ACK, 1));
	add(0, hop_frame(FZ_SC_HOP6_BH, true, FZ_SC_CPORT + 1, TH_ACK, 0));
	add(0, hop_frame(FZ_SC_HOP6, true, FZ_SC_CPORT + 1, TH_ACK, 1480));
	add(0, hop_frame("2001:db8:77::1", true, FZ_SC_CPORT + 2, TH_ACK, 5));
	add(0, hop_frame("fe80::1", true, FZ_SC_CPORT + 2, TH_ACK, 5));
	save("decap", "hop6");
}

static void decap_seeds(void)
{
	tunnel("4in4", FZ_DECAP4, false, 0, 0, 0, 0);
	tunnel("6in4", FZ_DECAP4, true, 0, 0, 0, 0);
	tunnel("4in6", FZ_DECAP6, false, 0, 0, 0, 0);
	tunnel("6in6", FZ_DECAP6, true, 0, 0, 0, 0);
	tunnel("gue-4over4", FZ_DECAP4, false, 1, 0, 0, 0);
	tunnel("gue-6over4", FZ_DECAP4, true, 1, 0, 0, XDP_IN_VLAN);
	tunnel("gue-4over6", FZ_DECAP6, false, 1, 0, 0, 0);
	tunnel("gue-6over6", FZ_DECAP6, true, 1, 0, 0, 0);
	tunnel("gue0-4over4", FZ_DECAP4, false, 2, 0, 0, 0);
	tunnel("gue0-6over6-opts", FZ_DECAP6, true, 2, 0, 0, 0);
	/* ECN (RFC 6040): CE onto ECT(0), ECT(1) onto ECT(0), CE onto not-ECT */
	tunnel("ecn-ce-ect0-v4", FZ_DECAP4, false, 0, 0x03, 0x02, 0);
	tunnel("ecn-ect1-ect0-v6", FZ_DECAP6, true, 1, 0x01, 0x02, 0);
	tunnel("ecn-ce-notect", FZ_DECAP4, false, 1, 0x03, 0x00, 0);
	tunnel("ecn-ce-ect0-inner6", FZ_DECAP4, true, 0, 0x03, 0x02, XDP_IN_VLAN);
	/* not ours */
	tunnel("other-addr", "192.0.2.11", false, 0, 0, 0, 0);
	tunnel("other-addr6", "2001:db8::11", true, 1, 0, 0, 0);
	add(0, flow(FZ_DECAP4, IPPROTO_UDP, 1000, 53, 0, 20));
	add(0, flow(FZ_DECAP6, IPPROTO_TCP, 1000, 22, TH_SYN, 0));
	save("decap", "plain");
	decap_hop_seeds();
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR (writes CORPUS_DIR/{xlb,decap}/seed-*)\n",
			argv[0]);
		return 2;
	}
	dir = argv[1];
	xlb_seeds();
	decap_seeds();
	return failed;
}
