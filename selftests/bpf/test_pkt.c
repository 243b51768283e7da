// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the test packet builder itself (selftests/lib/pkt.c): checksums
 * against hand-computed values, every kind of packet the balancer tests
 * build verifying with the checkers, and the parser's offsets.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "../lib/pkt.h"
#include "../lib/test.h"

#define CLIENT4	"198.51.100.7"
#define VIP4	"203.0.113.10"
#define CLIENT6	"2001:db8:c::7"
#define VIP6	"2001:db8:f::10"

static __u16 get16(const __u8 *b)
{
	return b[0] << 8 | b[1];
}

/* Words of the header below: 4500 0028 1234 4000 4006 (csum) c000 0201
 * cb00 710a. Sum 0x2d56d, folded 0xd56f, complemented 0x2a90. */
void test_pkt_ipv4_csum_known(void)
{
	struct pkt p;

	pkt_init(&p);
	pkt_ip(&p, &(struct pkt_ip){ .src = "192.0.2.1", .dst = VIP4, .id = 0x1234, .df = true });
	pkt_tcp(&p, &(struct pkt_tcp){ .sport = 1, .dport = 2 });
	if (!ASSERT_OK(pkt_finish(&p), "build"))
		return;
	ASSERT_EQ(p.len, 40, "length");
	ASSERT_EQ(get16(p.buf + 10), 0x2a90, "ipv4 header checksum");
	ASSERT_OK(pkt_check_ipv4_csum(p.buf, p.len), "check ipv4 header");
	p.buf[8]--;
	ASSERT_EQ(pkt_check_ipv4_csum(p.buf, p.len), -EBADMSG, "check after ttl change");
}

/* UDP 192.0.2.1:1 -> 192.0.2.2:2, no payload. Pseudo-header c000 0201
 * c000 0202 0011 0008, header 0001 0002 0008: sum 0x18427, folded 0x8428,
 * complemented 0x7bd7. */
void test_pkt_udp_csum_known(void)
{
	struct pkt p;

	if (!ASSERT_OK(pkt_udp_flow(&p, "192.0.2.1", 1, "192.0.2.2", 2, NULL, 0), "build"))
		return;
	ASSERT_EQ(p.len, 14 + 20 + 8, "length");
	ASSERT_EQ(get16(p.buf + 14 + 20 + 6), 0x7bd7, "udp checksum");
	ASSERT_OK(pkt_check_l4_csum(p.buf + 14, p.len - 14), "check udp");
}

static int build_udp4_nocsum(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, NULL);
	pkt_ip(p, &(struct pkt_ip){ .src = CLIENT4, .dst = VIP4 });
	pkt_udp(p, &(struct pkt_udp){ .sport = 53000, .dport = 53, .zero_csum = true, .len = 9 });
	return pkt_finish(p);
}

static int build_tcp4_opts(struct pkt *p)
{
	static const __u8 mss[] = { 2, 4, 0x05, 0xb4 };
	static const __u8 ra[] = { 148, 4, 0, 0 };	/* router alert */

	pkt_init(p);
	pkt_eth(p, NULL);
	pkt_vlan(p, 100);
	pkt_ip(p, &(struct pkt_ip){ .src = CLIENT4, .dst = VIP4, .opts = ra, .opts_len = 4 });
	pkt_tcp(p, &(struct pkt_tcp){ .sport = 40000, .dport = 80, .flags = TH_SYN,
				       .opts = mss, .opts_len = sizeof(mss) });
	return pkt_finish(p);
}

static int build_icmp4_echo(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, NULL);
	pkt_ip(p, &(struct pkt_ip){ .src = CLIENT4, .dst = VIP4 });
	pkt_icmp(p, &(struct pkt_icmp){ .type = 8, .rest = 0x1234 << 16 | 1, .len = 31 });
	return pkt_finish(p);
}

/* Fragmentation needed (RFC 792) quoting the first 28 bytes of a segment
 * the VIP sent to the client. */
static int build_icmp4_frag_needed(struct pkt *p)
{
	struct pkt quoted;
	int err;

	pkt_init(&quoted);
	pkt_ip(&quoted, &(struct pkt_ip){ .src = VIP4, .dst = CLIENT4, .df = true });
	pkt_tcp(&quoted, &(struct pkt_tcp){ .sport = 80, .dport = 40000, .len = 1460 });
	err = pkt_finish(&quoted);
	if (err)
		return err;
	pkt_init(p);
	pkt_eth(p, NULL);
	pkt_ip(p, &(struct pkt_ip){ .src = "192.0.2.254", .dst = VIP4 });
	pkt_icmp(p, &(struct pkt_icmp){ .type = 3, .code = 4, .rest = 1400,
					 .payload = quoted.buf, .len = 28 });
	return pkt_finish(p);
}

static int build_tcp6(struct pkt *p)
{
	return pkt_tcp_flow(p, CLIENT6, 40000, VIP6, 443, TH_ACK | TH_PUSH);
}

static int build_udp6_ext(struct pkt *p)
{
	static const __u8 opt[] = { 0x1e, 1, 0xaa };	/* experimental option */

	pkt_init(p);
	pkt_eth(p, NULL);
	pkt_ip(p, &(struct pkt_ip){ .src = CLIENT6, .dst = VIP6, .tos = 0xb8,
				     .flow_label = 0x12345 });
	pkt_ip6_ext(p, &(struct pkt_ip6_ext){ .type = IPPROTO_HOPOPTS, .data = opt, .len = 3 });
	pkt_ip6_ext(p, &(struct pkt_ip6_ext){ .type = IPPROTO_DSTOPTS, .len = 10 });
	pkt_udp(p, &(struct pkt_udp){ .sport = 5353, .dport = 53, .len = 77 });
	return pkt_finish(p);
}

static int build_icmp6_ptb(struct pkt *p)
{
	struct pkt quoted;
	int err = pkt_udp_flow(&quoted, VIP6, 53, CLIENT6, 5353, NULL, 1452);

	if (err)
		return err;
	pkt_init(p);
	pkt_eth(p, NULL);
	pkt_ip(p, &(struct pkt_ip){ .src = "2001:db8::1", .dst = VIP6 });
	pkt_icmp(p, &(struct pkt_icmp){ .type = 2, .rest = 1280,
					 .payload = quoted.buf + 14, .len = 1184 });
	return pkt_finish(p);
}

/* GUE variant 1: the inner IPv6 packet directly in UDP over IPv4. */
static int build_gue(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, NULL);
	pkt_ip(p, &(struct pkt_ip){ .src = "192.0.2.10", .dst = "192.0.2.21", .df = true });
	pkt_udp(p, &(struct pkt_udp){ .sport = 51234, .dport = XLB_GUE_PORT_DEFAULT });
	pkt_ip(p, &(struct pkt_ip){ .src = CLIENT6, .dst = VIP6 });
	pkt_tcp(p, &(struct pkt_tcp){ .sport = 40000, .dport = 80, .flags = TH_SYN, .len = 5 });
	return pkt_finish(p);
}

/* IPv4 in IPv6 behind an 802.1ad and an 802.1Q tag. */
static int build_ipip_qinq(struct pkt *p)
{
	pkt_init(p);
	pkt_eth(p, &(struct pkt_eth){ .type = 0x88a8 });
	pkt_vlan(p, 10);
	pkt_vlan(p, 20);
	pkt_ip(p, &(struct pkt_ip){ .src = "2001:db8::10", .dst = "2001:db8::21" });
	pkt_ip(p, &(struct pkt_ip){ .src = CLIENT4, .dst = VIP4 });
	pkt_udp(p, &(struct pkt_udp){ .sport = 1234, .dport = 53, .len = 20 });
	return pkt_finish(p);
}

static const struct {
	const char *name;
	int (*build)(struct pkt *p);
	int levels;		/* IP headers, outer to inner */
	__u8 proto;		/* innermost L4 protocol */
	int flipped;		/* check result after a payload byte flips */
} csum_cases[] = {
	{ "udp4 zero checksum", build_udp4_nocsum, 1, IPPROTO_UDP, 0 },
	{ "tcp4 options vlan", build_tcp4_opts, 1, IPPROTO_TCP, -EBADMSG },
	{ "icmp4 echo", build_icmp4_echo, 1, IPPROTO_ICMP, -EBADMSG },
	{ "icmp4 frag needed", build_icmp4_frag_needed, 1, IPPROTO_ICMP, -EBADMSG },
	{ "tcp6", build_tcp6, 1, IPPROTO_TCP, -EBADMSG },
	{ "udp6 ext headers", build_udp6_ext, 1, IPPROTO_UDP, -EBADMSG },
	{ "icmp6 packet too big", build_icmp6_ptb, 1, IPPROTO_ICMPV6, -EBADMSG },
	{ "gue 6 in 4", build_gue, 2, IPPROTO_TCP, -EBADMSG },
	{ "ipip 4 in 6 qinq", build_ipip_qinq, 2, IPPROTO_UDP, -EBADMSG },
};

/* Every IP level of each case checks, and a flipped payload byte is seen. */
void test_pkt_checksums(void)
{
	for (size_t i = 0; i < sizeof(csum_cases) / sizeof(csum_cases[0]); i++) {
		struct pkt_info info;
		int l3, levels = 0;
		struct pkt p;

		test_ctx("%s", csum_cases[i].name);
		if (!ASSERT_OK(csum_cases[i].build(&p), "build"))
			continue;
		if (!ASSERT_OK(pkt_parse(p.buf, p.len, &info), "parse"))
			continue;
		for (;;) {
			l3 = info.l3;
			levels++;
			ASSERT_EQ(info.l3_len, p.len - l3, "ip length");
			if (info.family == XLB_FAMILY_V4)
				ASSERT_OK(pkt_check_ipv4_csum(p.buf + l3, p.len - l3), "ipv4 csum");
			if (info.proto == IPPROTO_IPIP || info.proto == IPPROTO_IPV6) {
				l3 = info.l4;
			} else {
				ASSERT_OK(pkt_check_l4_csum(p.buf + l3, p.len - l3), "l4 csum");
				if (info.proto != IPPROTO_UDP ||
				    get16(p.buf + info.l4 + 2) != XLB_GUE_PORT_DEFAULT)
					break;
				l3 = info.payload;
			}
			if (!ASSERT_OK(pkt_parse_ip(p.buf + l3, p.len - l3, &info), "parse inner"))
				break;
			info.l3 += l3;
			info.l4 += l3;
			info.payload += l3;
		}
		ASSERT_EQ(levels, csum_cases[i].levels, "ip levels");
		ASSERT_EQ(info.proto, csum_cases[i].proto, "protocol");
		p.buf[p.len - 1] ^= 0x40;
		ASSERT_EQ(pkt_check_l4_csum(p.buf + l3, p.len - l3), csum_cases[i].flipped,
			  "l4 csum, flipped");
	}
	test_ctx(NULL);
}

/* Over IPv6 the pseudo-header names the routing header's final destination
 * (RFC 8200 sec 8.1): same checksum as a packet sent straight there. */
void test_pkt_routing_final_dst(void)
{
	__u8 rt[20] = { 0 };	/* type 0: 4 reserved bytes, then one address */
	struct pkt direct, routed;
	struct pkt_info info;

	inet_pton(AF_INET6, "2001:db8::99", rt + 4);
	pkt_init(&routed);
	pkt_eth(&routed, NULL);
	pkt_ip(&routed, &(struct pkt_ip){ .src = CLIENT6, .dst = VIP6 });
	pkt_ip6_ext(&routed, &(struct pkt_ip6_ext){ .type = IPPROTO_ROUTING, .segs_left = 1,
						      .data = rt, .len = sizeof(rt) });
	pkt_udp(&routed, &(struct pkt_udp){ .sport = 7, .dport = 9, .len = 11 });
	if (!ASSERT_OK(pkt_finish(&routed), "build routed"))
		return;
	if (!ASSERT_OK(pkt_udp_flow(&direct, CLIENT6, 7, "2001:db8::99", 9, NULL, 11), "build"))
		return;
	if (!ASSERT_OK(pkt_parse(routed.buf, routed.len, &info), "parse"))
		return;
	ASSERT_EQ(info.l4, 14 + 40 + 24, "l4 offset");
	ASSERT_MEMEQ(routed.buf + info.l4, direct.buf + 14 + 40, 8, "udp header");
	ASSERT_OK(pkt_check_l4_csum(routed.buf + 14, routed.len - 14), "l4 csum");
}

void test_pkt_parse(void)
{
	struct pkt p;
	struct pkt_info info;

	/* first fragment of a UDP datagram, two tags, two extension headers */
	pkt_init(&p);
	pkt_eth(&p, &(struct pkt_eth){ .type = 0x88a8 });
	pkt_vlan(&p, 10);
	pkt_vlan(&p, 20);
	pkt_ip(&p, &(struct pkt_ip){ .src = CLIENT6, .dst = VIP6 });
	pkt_ip6_ext(&p, &(struct pkt_ip6_ext){ .type = IPPROTO_HOPOPTS });
	pkt_ip6_ext(&p, &(struct pkt_ip6_ext){ .type = IPPROTO_FRAGMENT, .more = true, .id = 7 });
	pkt_udp(&p, &(struct pkt_udp){ .sport = 1, .dport = 53, .len = 100 });
	if (!ASSERT_OK(pkt_finish(&p), "build v6"))
		return;
	if (!ASSERT_OK(pkt_parse(p.buf, p.len, &info), "parse v6"))
		return;
	ASSERT_EQ(info.nvlan, 2, "v6 vlans");
	ASSERT_EQ(info.l3, 22, "v6 l3");
	ASSERT_EQ(info.l4, 22 + 40 + 8 + 8, "v6 l4");
	ASSERT_EQ(info.payload, info.l4 + 8, "v6 payload");
	ASSERT_EQ(info.proto, IPPROTO_UDP, "v6 proto");
	ASSERT_TRUE(info.frag && !info.frag_off, "v6 first fragment");
	ASSERT_EQ(pkt_check_l4_csum(p.buf + 22, p.len - 22), -EOPNOTSUPP, "v6 fragment csum");

	/* non-first IPv4 fragment: no L4 header */
	pkt_init(&p);
	pkt_eth(&p, NULL);
	pkt_ip(&p, &(struct pkt_ip){ .src = CLIENT4, .dst = VIP4, .proto = IPPROTO_UDP,
				      .id = 99, .frag_off = 1480 });
	pkt_payload(&p, NULL, 100);
	if (!ASSERT_OK(pkt_finish(&p), "build v4"))
		return;
	if (!ASSERT_OK(pkt_parse(p.buf, p.len, &info), "parse v4"))
		return;
	ASSERT_EQ(info.l3, 14, "v4 l3");
	ASSERT_EQ(info.l4, -1, "v4 l4");
	ASSERT_EQ(info.proto, IPPROTO_UDP, "v4 proto");
	ASSERT_TRUE(info.frag, "v4 fragment");
	ASSERT_EQ(info.frag_off, 1480, "v4 fragment offset");
	ASSERT_EQ(get16(p.buf + 14 + 6), 1480 / 8, "v4 fragment field");

	/* not IP, and truncated */
	pkt_init(&p);
	pkt_eth(&p, &(struct pkt_eth){ .type = 0x0806 });
	pkt_payload(&p, NULL, 28);
	ASSERT_OK(pkt_finish(&p), "build arp");
	ASSERT_EQ(pkt_parse(p.buf, p.len, &info), -EPROTONOSUPPORT, "parse arp");
	pkt_tcp_flow(&p, CLIENT4, 1, VIP4, 80, TH_SYN);
	ASSERT_EQ(pkt_parse(p.buf, p.len - 1, &info), -EINVAL, "parse truncated tcp");
}

void test_pkt_errors(void)
{
	union xlb_addr addr;
	struct pkt p;
	__u8 family;

	ASSERT_OK(pkt_addr_parse("192.0.2.1", &addr, &family), "parse v4");
	ASSERT_EQ(family, XLB_FAMILY_V4, "v4 family");
	ASSERT_EQ(ntohl(addr.v4), 0xc0000201, "v4 address");
	ASSERT_EQ(addr.v6[1] | addr.v6[2] | addr.v6[3], 0, "v4 rest zero");
	ASSERT_OK(pkt_addr_parse("2001:db8::1", &addr, &family), "parse v6");
	ASSERT_EQ(family, XLB_FAMILY_V6, "v6 family");
	ASSERT_EQ(addr.bytes[0] << 8 | addr.bytes[1], 0x2001, "v6 first word");
	ASSERT_EQ(addr.bytes[15], 1, "v6 last byte");
	ASSERT_EQ(pkt_addr_parse("192.0.2", &addr, &family), -EINVAL, "bad address");

	/* errors stick until pkt_finish() reports them */
	pkt_init(&p);
	pkt_eth(&p, NULL);
	ASSERT_EQ(pkt_ip(&p, &(struct pkt_ip){ .src = CLIENT4, .dst = VIP6 }), -EINVAL, "mixed");
	ASSERT_EQ(pkt_udp(&p, &(struct pkt_udp){ .dport = 53 }), -EINVAL, "after error");
	ASSERT_EQ(pkt_finish(&p), -EINVAL, "finish");
	pkt_init(&p);
	ASSERT_EQ(pkt_payload(&p, NULL, PKT_BUF_SIZE + 1), -ENOSPC, "too long");
	pkt_init(&p);
	ASSERT_EQ(pkt_tcp(&p, &(struct pkt_tcp){ .dport = 80 }), -EINVAL, "tcp without ip");
}
