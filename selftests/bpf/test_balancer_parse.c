// SPDX-License-Identifier: GPL-2.0
/*
 * What the balancer's parser accepts, passes and drops, as tables of
 * frames:
 * - not for a VIP (other addresses, not IP, two VLAN tags, broken IP
 *   headers, VIP addresses with a protocol or port no VIP serves):
 *   XDP_PASS with the frame byte-for-byte untouched and one reason;
 * - for a VIP, also behind one 802.1Q/802.1ad tag, IPv4 options, IPv6
 *   extension headers, on all-ports VIPs: encapsulated, inner intact;
 * - for a VIP but not parseable to the end (header chain too long):
 *   XDP_DROP with its reason.
 */
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>

#include "balancer_fixture.h"
#include "../lib/test.h"

#define BE4		"198.51.100.11"
#define BE6		"2001:db8:be::12"
#define ANY4		"203.0.113.20"		/* all TCP ports */
#define ANY6		"2001:db8:f::20"	/* all UDP ports */

#define TCP		IPPROTO_TCP
#define UDP		IPPROTO_UDP
#define ICMP		IPPROTO_ICMP
#define ICMP6		IPPROTO_ICMPV6
#define GRE		IPPROTO_GRE
#define SCTP		IPPROTO_SCTP

enum l2 { L2_PLAIN, L2_VLAN, L2_AD, L2_QINQ };

/* IPv6 extension headers in struct frame (hop-by-hop is protocol 0, so the
 * 0-terminated list holds these instead) */
enum ext { HOP = 1, RT, DST, FRAG };
static const __u8 ext_proto[] = {
	[HOP] = IPPROTO_HOPOPTS, [RT] = IPPROTO_ROUTING, [DST] = IPPROTO_DSTOPTS,
	[FRAG] = IPPROTO_FRAGMENT,
};

/* One frame: L2, then either a non-IP payload or IP with the options,
 * extension headers and L4 given, then `poke` bytes written over it. */
struct frame {
	const char *name;
	enum l2 l2;
	__u16 ethertype;	/* not 0: a non-IP frame of that type */
	const char *dst;	/* client -> dst; the client's family follows */
	__u8 proto;		/* TCP/UDP (ports), ICMP/ICMP6 (echo), other: raw */
	__u16 dport;
	size_t opts;		/* IPv4 option bytes (NOPs, then EOL) */
	__u8 ext[6];		/* enum ext, 0-terminated */
	size_t ext_len;		/* data bytes of each extension header */
	__u16 frag_off;		/* IPv4 fragment offset in bytes */
	size_t tcp_opts;	/* TCP option bytes */
	size_t len;		/* L4 payload */
	int poke_at;		/* offset from the IP header; 0: none */
	__u8 poke[2];
	size_t poke_len;
};

#define POKE16(off, v)	.poke_at = (off), .poke = { (v) >> 8, (v) & 0xff }, .poke_len = 2
/* offset -1 means the first IP header byte (0 means no poke) */
#define POKE_VER(v)	.poke_at = -1, .poke = { (v) }, .poke_len = 1

/* sport: a flow per case, so that no case hits another's flow entry */
static int build(struct pkt *p, const struct frame *f, __u16 sport)
{
	static __u8 opts[40];
	size_t l2 = f->l2 == L2_PLAIN ? 14 : f->l2 == L2_QINQ ? 22 : 18;
	struct pkt_eth eth = {};
	bool v6;
	int i, l3;

	pkt_init(p);
	if (f->l2 == L2_AD || f->l2 == L2_QINQ)
		eth.type = 0x88a8;
	pkt_eth(p, &eth);
	if (f->l2 != L2_PLAIN)
		pkt_vlan(p, 100);
	if (f->l2 == L2_QINQ)
		pkt_vlan(p, 200);
	if (f->ethertype) {
		pkt_payload(p, NULL, 46);
		if (pkt_finish(p))
			return p->err;
		p->buf[l2 - 2] = f->ethertype >> 8;
		p->buf[l2 - 1] = f->ethertype & 0xff;
		return 0;
	}
	v6 = strchr(f->dst, ':');
	memset(opts, 1, sizeof(opts));
	if (f->opts)
		opts[f->opts - 1] = 0;
	l3 = pkt_ip(p, &(struct pkt_ip){ .src = v6 ? BAL_CLIENT6 : BAL_CLIENT4, .dst = f->dst,
					 .opts = f->opts ? opts : NULL, .opts_len = f->opts,
					 .frag_off = f->frag_off, .mf = f->frag_off != 0,
					 .id = v6 ? 0 : 77,
					 .proto = (f->proto == TCP || f->proto == UDP ||
						   f->proto == ICMP || f->proto == ICMP6 ||
						   f->ext[0]) ? 0 : f->proto });
	for (i = 0; f->ext[i]; i++)
		pkt_ip6_ext(p, &(struct pkt_ip6_ext){
				       .type = ext_proto[f->ext[i]],
				       .len = ext_proto[f->ext[i]] == IPPROTO_FRAGMENT ? 0 :
											 f->ext_len,
				       .proto = f->ext[i + 1] || f->proto == TCP ||
							f->proto == UDP || f->proto == ICMP6 ?
						0 : f->proto,
				       .rt_type = 2 });
	if (f->proto == TCP)
		pkt_tcp(p, &(struct pkt_tcp){ .sport = sport, .dport = f->dport, .seq = 1,
					      .flags = TH_ACK, .opts = f->tcp_opts ? opts : NULL,
					      .opts_len = f->tcp_opts, .len = f->len });
	else if (f->proto == UDP)
		pkt_udp(p, &(struct pkt_udp){ .sport = sport, .dport = f->dport,
					      .len = f->len });
	else if (f->proto == ICMP || f->proto == ICMP6)
		pkt_icmp(p, &(struct pkt_icmp){ .type = f->proto == ICMP ? 8 : 128,
						.rest = 0x12340001, .len = f->len });
	else
		pkt_payload(p, NULL, f->len ? f->len : 24);
	if (pkt_finish(p) || l3 < 0)
		return p->err ? p->err : l3;
	if (f->poke_at)
		memcpy(p->buf + l3 + (f->poke_at < 0 ? 0 : f->poke_at), f->poke, f->poke_len);
	return 0;
}

static bool setup(struct bal *b)
{
	const struct bal_vip vips[] = {
		{ BAL_VIP4, TCP, 80, 0, .be = { 1 } },
		{ BAL_VIP4, UDP, 53, 1, .be = { 1 } },
		{ BAL_VIP6, TCP, 80, 2, .be = { 2 } },
		{ BAL_VIP6, UDP, 53, 3, .be = { 2 } },
		{ ANY4, TCP, 0, 4, .be = { 1 } },
		{ ANY6, UDP, 0, 5, .be = { 2 } },
	};
	size_t i;

	if (!bal_open(b) || !bal_backend(b, 1, BE4) || !bal_backend(b, 2, BE6))
		return false;
	for (i = 0; i < ARRAY_SIZE(vips); i++)
		if (!bal_vip(b, &vips[i]))
			return false;
	return bal_stats_snap(b);
}


static const struct {
	struct frame f;
	enum xlb_stat reason;
} untouched[] = {
	{ { "ARP", .ethertype = 0x0806 }, XLB_STAT_PASS_NOT_IP },
	{ { "LLDP", .ethertype = 0x88cc }, XLB_STAT_PASS_NOT_IP },
	{ { "ARP behind a VLAN tag", L2_VLAN, .ethertype = 0x0806 }, XLB_STAT_PASS_NOT_IP },
	{ { "TCP to another address", .dst = BAL_OTHER4, .proto = TCP, .dport = 80 },
	  XLB_STAT_PASS_NOT_VIP },
	{ { "UDP to another IPv6 address", .dst = BAL_OTHER6, .proto = UDP, .dport = 53 },
	  XLB_STAT_PASS_NOT_VIP },
	{ { "GRE to another address", .dst = BAL_OTHER4, .proto = GRE },
	  XLB_STAT_PASS_NOT_VIP },
	{ { "IPv4 options, to another address", .dst = BAL_OTHER4, .proto = TCP, .dport = 80,
	    .opts = 8 }, XLB_STAT_PASS_NOT_VIP },
	{ { "later fragment to another address", .dst = BAL_OTHER4, .proto = UDP,
	    .frag_off = 1480 }, XLB_STAT_PASS_NOT_VIP },
	{ { "5 extension headers to another address", .dst = BAL_OTHER6, .proto = TCP,
	    .dport = 80, .ext = { HOP, DST, RT, DST, DST } }, XLB_STAT_PASS_NOT_VIP },
	{ { "GRE to a VIP address", .dst = BAL_VIP4, .proto = GRE }, XLB_STAT_PASS_VIP_OTHER },
	{ { "SCTP to an IPv6 VIP address", .dst = BAL_VIP6, .proto = SCTP, .dport = 80 },
	  XLB_STAT_PASS_VIP_OTHER },
	{ { "ICMP echo to a VIP", .dst = BAL_VIP4, .proto = ICMP, .len = 56 },
	  XLB_STAT_PASS_VIP_OTHER },
	{ { "ICMPv6 echo to a VIP", .dst = BAL_VIP6, .proto = ICMP6, .len = 56 },
	  XLB_STAT_PASS_VIP_OTHER },
	{ { "ICMP echo to an all-ports VIP", .dst = ANY4, .proto = ICMP },
	  XLB_STAT_PASS_VIP_OTHER },
	{ { "TCP to a port no VIP serves", .dst = BAL_VIP4, .proto = TCP, .dport = 81 },
	  XLB_STAT_PASS_VIP_OTHER },
	{ { "UDP to a TCP-only port", .dst = BAL_VIP6, .proto = UDP, .dport = 80 },
	  XLB_STAT_PASS_VIP_OTHER },
	{ { "UDP to an all-ports TCP VIP", .dst = ANY4, .proto = UDP, .dport = 53 },
	  XLB_STAT_PASS_VIP_OTHER },
	{ { "TCP to an all-ports UDP VIP", .dst = ANY6, .proto = TCP, .dport = 80 },
	  XLB_STAT_PASS_VIP_OTHER },
	{ { "two VLAN tags", L2_QINQ, .dst = BAL_VIP4, .proto = TCP, .dport = 80 },
	  XLB_STAT_PASS_VLAN },
	{ { "two VLAN tags, IPv6", L2_QINQ, .dst = BAL_VIP6, .proto = UDP, .dport = 53 },
	  XLB_STAT_PASS_VLAN },
	{ { "IPv4 header length 4", .dst = BAL_VIP4, .proto = TCP, .dport = 80,
	    POKE_VER(0x44) }, XLB_STAT_PASS_L3_MALFORMED },
	{ { "IPv4 ethertype, version 6", .dst = BAL_VIP4, .proto = TCP, .dport = 80,
	    POKE_VER(0x65) }, XLB_STAT_PASS_L3_MALFORMED },
	{ { "IPv6 ethertype, version 4", .dst = BAL_VIP6, .proto = TCP, .dport = 80,
	    POKE_VER(0x45) }, XLB_STAT_PASS_L3_MALFORMED },
	{ { "IPv4 total length past the frame", .dst = BAL_VIP4, .proto = TCP, .dport = 80,
	    POKE16(2, 1000) }, XLB_STAT_PASS_L3_MALFORMED },
	{ { "IPv4 total length below the header", .dst = BAL_VIP4, .proto = TCP, .dport = 80,
	    POKE16(2, 19) }, XLB_STAT_PASS_L3_MALFORMED },
	{ { "IPv4 options past the total length", .dst = BAL_VIP4, .proto = UDP, .dport = 53,
	    .opts = 4, POKE16(2, 22) }, XLB_STAT_PASS_L3_MALFORMED },
	{ { "IPv6 payload length past the frame", .dst = BAL_VIP6, .proto = UDP, .dport = 53,
	    POKE16(4, 1000) }, XLB_STAT_PASS_L3_MALFORMED },
	{ { "IPv4 total length past the frame, VLAN", L2_VLAN, .dst = BAL_VIP4, .proto = TCP,
	    .dport = 80, POKE16(2, 0xffff) }, XLB_STAT_PASS_L3_MALFORMED },
};

void test_balancer_parse_untouched(void)
{
	static struct pkt p;
	struct bal b;
	size_t i;

	if (!setup(&b))
		goto out;
	for (i = 0; i < ARRAY_SIZE(untouched); i++) {
		test_ctx("%s", untouched[i].f.name);
		if (ASSERT_OK(build(&p, &untouched[i].f, 40000 + i), "build"))
			bal_check_untouched(&b, p.buf, p.len, untouched[i].reason);
	}
	test_ctx(NULL);
	ASSERT_EQ(bal_flows_count(&b), 0, "no flow remembered");
out:
	bal_close(&b);
}

static const struct frame forwarded[] = {
	{ "802.1Q tag", L2_VLAN, .dst = BAL_VIP4, .proto = TCP, .dport = 80, .len = 10 },
	{ "802.1ad tag, IPv6", L2_AD, .dst = BAL_VIP6, .proto = UDP, .dport = 53, .len = 10 },
	{ "IPv4 options, 4 bytes", .dst = BAL_VIP4, .proto = TCP, .dport = 80, .opts = 4 },
	{ "IPv4 options, 40 bytes", .dst = BAL_VIP4, .proto = UDP, .dport = 53, .opts = 40 },
	{ "IPv4 options behind a VLAN tag", L2_VLAN, .dst = BAL_VIP4, .proto = UDP,
	  .dport = 53, .opts = 12 },
	{ "TCP options", .dst = BAL_VIP6, .proto = TCP, .dport = 80, .tcp_opts = 40 },
	{ "hop-by-hop", .dst = BAL_VIP6, .proto = TCP, .dport = 80, .ext = { HOP } },
	{ "routing", .dst = BAL_VIP6, .proto = UDP, .dport = 53, .ext = { RT }, .ext_len = 20 },
	{ "destination options", .dst = BAL_VIP6, .proto = TCP, .dport = 80, .ext = { DST } },
	{ "atomic fragment", .dst = BAL_VIP6, .proto = UDP, .dport = 53, .ext = { FRAG } },
	{ "4 extension headers", .dst = BAL_VIP6, .proto = TCP, .dport = 80,
	  .ext = { HOP, DST, RT, DST } },
	{ "4 extension headers, 64 bytes each", L2_VLAN, .dst = BAL_VIP6, .proto = UDP,
	  .dport = 53, .ext = { HOP, DST, RT, DST }, .ext_len = 62 },
	{ "all-ports TCP VIP, port 1", .dst = ANY4, .proto = TCP, .dport = 1 },
	{ "all-ports TCP VIP, port 80", .dst = ANY4, .proto = TCP, .dport = 80 },
	{ "all-ports TCP VIP, port 65535", .dst = ANY4, .proto = TCP, .dport = 65535 },
	{ "all-ports UDP VIP, port 0", .dst = ANY6, .proto = UDP, .dport = 0 },
	{ "all-ports UDP VIP, port 53", .dst = ANY6, .proto = UDP, .dport = 53 },
	{ "all-ports UDP VIP, port 65535", .dst = ANY6, .proto = UDP, .dport = 65535 },
	{ "all-ports UDP VIP, extension header", .dst = ANY6, .proto = UDP, .dport = 9,
	  .ext = { DST } },
	{ "1400 bytes of payload", .dst = BAL_VIP4, .proto = TCP, .dport = 80, .len = 1400 },
};

void test_balancer_parse_forwarded(void)
{
	static const __u8 smac[6] = BAL_NH_SMAC;
	static struct bal_run r;
	static struct pkt p;
	struct bal b;
	size_t i, l2;
	__u32 id;

	if (!setup(&b))
		goto out;
	for (i = 0; i < ARRAY_SIZE(forwarded); i++) {
		const struct frame *f = &forwarded[i];

		test_ctx("%s", f->name);
		if (!ASSERT_OK(build(&p, f, 40000 + i), "build") ||
		    !bal_check(&b, p.buf, p.len, XDP_TX,
			       BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS), &r))
			continue;
		id = bal_forwarded_to(&b, p.buf, p.len, &r);
		ASSERT_EQ(id, strchr(f->dst, ':') ? 2 : 1, "the VIP's only backend");
		/* one tag stays, with its TPID and TCI; MACs are the next hop's */
		l2 = f->l2 == L2_PLAIN ? 14 : 18;
		if (id) {
			const __u8 dmac[6] = BAL_NH_DMAC(id);

			ASSERT_MEMEQ(r.out, dmac, 6, "destination MAC");
			ASSERT_MEMEQ(r.out + 6, smac, 6, "source MAC");
		}
		ASSERT_MEMEQ(r.out + 12, p.buf + 12, l2 - 14, "VLAN tag kept");
	}
	test_ctx(NULL);
out:
	bal_close(&b);
}

static const struct {
	struct frame f;
	enum xlb_stat reason;
} dropped[] = {
	{ { "5 extension headers", .dst = BAL_VIP6, .proto = TCP, .dport = 80,
	    .ext = { HOP, DST, RT, DST, DST } }, XLB_STAT_DROP_EXT_HDR },
	{ { "5 extension headers, all-ports VIP", L2_VLAN, .dst = ANY6, .proto = UDP,
	    .dport = 53, .ext = { HOP, HOP, HOP, HOP, DST } }, XLB_STAT_DROP_EXT_HDR },
	{ { "5 extension headers, port not served", .dst = BAL_VIP6, .proto = TCP,
	    .dport = 8080, .ext = { DST, DST, DST, DST, DST } }, XLB_STAT_DROP_EXT_HDR },
	/* whole and within the frame, but past what the parser follows */
	{ { "one 600-byte hop-by-hop header", .dst = BAL_VIP6, .proto = TCP, .dport = 80,
	    .ext = { HOP }, .ext_len = 598 }, XLB_STAT_DROP_EXT_HDR },
	{ { "4 extension headers, 136 bytes each", .dst = BAL_VIP6, .proto = UDP, .dport = 53,
	    .ext = { HOP, DST, RT, DST }, .ext_len = 134 }, XLB_STAT_DROP_EXT_HDR },
};

void test_balancer_parse_dropped(void)
{
	static struct bal_run r;
	static struct pkt p;
	struct bal b;
	size_t i;

	if (!setup(&b))
		goto out;
	for (i = 0; i < ARRAY_SIZE(dropped); i++) {
		test_ctx("%s", dropped[i].f.name);
		if (ASSERT_OK(build(&p, &dropped[i].f, 40000 + i), "build"))
			bal_check(&b, p.buf, p.len, XDP_DROP,
				  BAL_STATS(XLB_STAT_DROP, dropped[i].reason), &r);
	}
	test_ctx(NULL);
	ASSERT_EQ(bal_flows_count(&b), 0, "no flow remembered");
out:
	bal_close(&b);
}
