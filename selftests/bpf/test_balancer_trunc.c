// SPDX-License-Identifier: GPL-2.0
/*
 * Truncation: valid VIP frames cut at every length from 0 to whole, three
 * ways. A plain cut leaves the IP length fields claiming more than the
 * frame holds; a consistent cut also shrinks them, so the IP packet is
 * whole and only its headers are short; a padded cut shrinks only the
 * length fields and keeps the frame, so the cut-off headers are still
 * there as Ethernet padding after the IP packet, where they must not be
 * read (the datapath fuzzer found IPv6 packets classified and forwarded
 * by an extension header and ports lying in the padding). Never
 * XDP_ABORTED, and the rule
 * of xlb_shared.h decides the verdict: what is not provably for a VIP
 * passes (pass_not_ip, pass_l3_malformed, ...), a VIP packet whose L4
 * header is cut drops (drop_l4_truncated), an ICMP error to a VIP whose
 * quoted packet is too short to name a flow passes (pass_vip_other), and
 * anything complete is forwarded with the inner packet as it came.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>

#include "balancer_fixture.h"
#include "../lib/test.h"

#define BE4	"198.51.100.11"
#define BE6	"2001:db8:be::12"
#define ROUTER4	"192.0.2.254"
#define ROUTER6	"2001:db8::fe"

struct trunc_case {
	const char *name;
	bool v6;
	__u8 proto;		/* TCP, UDP; ICMP/ICMPv6: an error about a TCP flow */
	bool vlan;
	size_t opts;		/* IPv4 option bytes */
	int ext;		/* IPv6 destination-options headers */
	size_t len;		/* L4 payload */
};

static const struct trunc_case cases[] = {
	{ "IPv4 TCP", false, IPPROTO_TCP, .len = 10 },
	{ "IPv4 UDP", false, IPPROTO_UDP, .len = 10 },
	{ "IPv6 TCP", true, IPPROTO_TCP, .len = 10 },
	{ "IPv6 UDP", true, IPPROTO_UDP, .len = 10 },
	{ "IPv4 TCP, VLAN", false, IPPROTO_TCP, true, .len = 4 },
	{ "IPv6 UDP, VLAN", true, IPPROTO_UDP, true, .len = 4 },
	{ "IPv4 UDP, 8 option bytes", false, IPPROTO_UDP, .opts = 8, .len = 3 },
	{ "IPv6 TCP, 2 extension headers", true, IPPROTO_TCP, .ext = 2, .len = 3 },
	{ "IPv6 UDP, VLAN, 1 extension header", true, IPPROTO_UDP, true, .ext = 1 },
	{ "ICMP error", false, IPPROTO_ICMP },
	{ "ICMPv6 error", true, IPPROTO_ICMPV6 },
};

static int build(struct pkt *p, const struct trunc_case *c)
{
	static const __u8 nops[8] = { 1, 1, 1, 1, 1, 1, 1, 0 };
	int i;

	if (c->proto == IPPROTO_ICMP || c->proto == IPPROTO_ICMPV6) {
		struct bal_icmp_err e = {
			.from = c->v6 ? ROUTER6 : ROUTER4,
			.vip = c->v6 ? BAL_VIP6 : BAL_VIP4, .vport = 80,
			.client = c->v6 ? BAL_CLIENT6 : BAL_CLIENT4, .cport = 40000,
			.proto = IPPROTO_TCP,
			.type = c->v6 ? 1 : 3, .code = c->v6 ? 4 : 3, /* port unreachable */
			.quote = c->v6 ? 0 : 28,
		};

		return bal_pkt_icmp_err(p, &e);
	}
	pkt_init(p);
	pkt_eth(p, NULL);
	if (c->vlan)
		pkt_vlan(p, 7);
	pkt_ip(p, &(struct pkt_ip){ .src = c->v6 ? BAL_CLIENT6 : BAL_CLIENT4,
				    .dst = c->v6 ? BAL_VIP6 : BAL_VIP4,
				    .opts = c->opts ? nops : NULL, .opts_len = c->opts });
	for (i = 0; i < c->ext; i++)
		pkt_ip6_ext(p, &(struct pkt_ip6_ext){ .type = IPPROTO_DSTOPTS, .len = 6 + 8 * i });
	if (c->proto == IPPROTO_TCP)
		pkt_tcp(p, &(struct pkt_tcp){ .sport = 40000, .dport = 80, .flags = TH_ACK,
					      .len = c->len });
	else
		pkt_udp(p, &(struct pkt_udp){ .sport = 40000, .dport = 53, .len = c->len });
	return pkt_finish(p);
}

static void put16(__u8 *b, __u16 v)
{
	b[0] = v >> 8;
	b[1] = v;
}

/* The first `len` bytes of `full` with the IP length fields (and the IPv4
 * header checksum) saying the packet ends there. */
static void cut_consistent(__u8 *out, const struct pkt *full, const struct pkt_info *info,
			   size_t len)
{
	__u8 *h = out + info->l3;

	memcpy(out, full->buf, len);
	if (info->family == XLB_FAMILY_V4 && len >= (size_t)info->l3 + 20) {
		put16(h + 2, len - info->l3);
		put16(h + 10, 0);
		put16(h + 10, ~0); /* any value: the balancer does not check it */
	} else if (info->family == XLB_FAMILY_V6 && len >= (size_t)info->l3 + 40) {
		put16(h + 4, len - info->l3 - 40);
	}
}

/* Shortest consistent cut that can be forwarded. */
static size_t first_whole(const struct trunc_case *c, const struct pkt_info *info)
{
	if (c->proto == IPPROTO_ICMP || c->proto == IPPROTO_ICMPV6)
		return info->l4 + 8 + (c->v6 ? 40 : 20) + 4;
	return info->payload;
}

/* Verdict for a cut of `len` bytes of `full` (parsed as `info`). */
enum cut { CUT_PLAIN, CUT_CONSISTENT, CUT_PADDED };
static const char *const cut_names[] = { "plain", "consistent", "padded" };

static void expect(const struct trunc_case *c, const struct pkt *full, const struct pkt_info *info,
		   size_t len, bool consistent, __u32 *act, int *reason, bool *fwd)
{
	size_t ihl = c->v6 ? 40 : 20 + c->opts;
	size_t l4_hdr = c->proto == IPPROTO_TCP ? 20 : 8;
	/* an error names a flow with the quoted IP header and its ports */
	size_t quote_need = 8 + (c->v6 ? 40 : 20) + 4;
	bool icmp = c->proto == IPPROTO_ICMP || c->proto == IPPROTO_ICMPV6;

	*fwd = false;
	*act = XDP_PASS;
	if (len < (size_t)info->l3) {
		*reason = XLB_STAT_PASS_NOT_IP;
	} else if (len < full->len && !consistent) {
		*reason = XLB_STAT_PASS_L3_MALFORMED;
	} else if (len < (size_t)info->l3 + ihl) {
		*reason = XLB_STAT_PASS_L3_MALFORMED;
	} else if (len < (size_t)info->l4 + l4_hdr) {
		*act = XDP_DROP;
		*reason = XLB_STAT_DROP_L4_TRUNCATED;
	} else if (icmp && len < (size_t)info->l4 + quote_need) {
		*reason = XLB_STAT_PASS_VIP_OTHER;
	} else {
		*act = XDP_TX;
		*fwd = true;
	}
}

void test_balancer_truncated(void)
{
	static struct pkt full;
	static __u8 cut[PKT_BUF_SIZE];
	static struct bal_run r;
	const struct trunc_case *c;
	struct pkt_info info;
	enum cut mode;
	size_t len, run_len;
	bool fwd;
	__u32 act;
	int reason, err;
	struct bal b;
	const struct bal_vip vips[] = {
		{ BAL_VIP4, IPPROTO_TCP, 80, 0, .be = { 1 } },
		{ BAL_VIP4, IPPROTO_UDP, 53, 1, .be = { 1 } },
		{ BAL_VIP6, IPPROTO_TCP, 80, 2, .be = { 2 } },
		{ BAL_VIP6, IPPROTO_UDP, 53, 3, .be = { 2 } },
	};
	size_t i;

	if (!bal_open(&b) || !bal_backend(&b, 1, BE4) || !bal_backend(&b, 2, BE6))
		goto out;
	for (i = 0; i < ARRAY_SIZE(vips); i++)
		if (!bal_vip(&b, &vips[i]))
			goto out;
	if (!bal_stats_snap(&b))
		goto out;

	for (c = cases; c < cases + ARRAY_SIZE(cases); c++) {
		test_ctx("%s", c->name);
		if (!ASSERT_OK(build(&full, c), "build") ||
		    !ASSERT_OK(pkt_parse(full.buf, full.len, &info), "parse"))
			continue;
		for (mode = CUT_PLAIN; mode <= CUT_PADDED; mode++) {
			unsigned int seen[XLB_STAT_MAX] = {};

			/* padded cuts: from the fixed IP header on, the IP
			 * length fields cannot say less before it */
			len = mode == CUT_PADDED ? (size_t)info.l3 + (c->v6 ? 40 : 20) : 0;
			for (; len <= full.len; len++) {
				test_ctx("%s, %s cut, %zu of %zu bytes", c->name, cut_names[mode],
					 len, full.len);
				run_len = len;
				if (mode == CUT_PLAIN) {
					memcpy(cut, full.buf, len);
				} else {
					cut_consistent(cut, &full, &info, len);
					if (mode == CUT_PADDED) {
						memcpy(cut + len, full.buf + len, full.len - len);
						run_len = full.len;
					}
				}
				expect(c, &full, &info, len, mode != CUT_PLAIN, &act, &reason, &fwd);
				seen[fwd ? XLB_STAT_TX : reason]++;
				/* each forwarded cut is a new flow to this node */
				if (fwd && !bal_flows_clear(&b))
					goto out;
				err = bal_try_run(&b, cut, run_len, &r);
				if (run_len < 14 && err == -EINVAL) {
					/* refused by BPF_PROG_TEST_RUN itself */
					if (!bal_stats_check(&b, 0, BAL_NONE))
						goto out;
					continue;
				}
				if (!ASSERT_OK(err, "bpf_prog_test_run_opts"))
					goto out;
				ASSERT_NEQ(r.act, XDP_ABORTED, "never XDP_ABORTED");
				ASSERT_EQ(r.act, act, "XDP action");
				if (!fwd) {
					bal_stats_check(&b, 1,
							act == XDP_PASS ?
								BAL_STATS(XLB_STAT_PASS, reason) :
								BAL_STATS(XLB_STAT_DROP, reason));
					if (act == XDP_PASS)
						ASSERT_PKT_EQ(r.out, r.len, cut, run_len,
							      "untouched");
				} else if (c->proto == IPPROTO_ICMP || c->proto == IPPROTO_ICMPV6) {
					bal_stats_check(&b, 1,
							BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS,
								  XLB_STAT_ICMP_STEERED));
					bal_forwarded_to(&b, cut, run_len, &r);
				} else {
					bal_stats_check(&b, 1,
							BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS));
					bal_forwarded_to(&b, cut, run_len, &r);
				}
				if (test_failed())
					goto out;
			}
			/* every region of the frame was cut into */
			test_ctx("%s, %s cuts", c->name, cut_names[mode]);
			printf("%s, %s cuts: %u not IP, %u L3, %u L4 short, %u quote short, "
			       "%u forwarded\n", c->name, cut_names[mode],
			       seen[XLB_STAT_PASS_NOT_IP], seen[XLB_STAT_PASS_L3_MALFORMED],
			       seen[XLB_STAT_DROP_L4_TRUNCATED], seen[XLB_STAT_PASS_VIP_OTHER],
			       seen[XLB_STAT_TX]);
			if (mode != CUT_PADDED)
				ASSERT_GE(seen[XLB_STAT_PASS_L3_MALFORMED], 20,
					  "cuts in the IP header");
			ASSERT_EQ(seen[XLB_STAT_TX],
				  mode != CUT_PLAIN ? full.len - first_whole(c, &info) + 1 : 1,
				  "forwarded cuts");
			if (mode != CUT_PLAIN)
				ASSERT_GE(seen[XLB_STAT_DROP_L4_TRUNCATED], 8, "cuts in L4");
		}
	}
out:
	test_ctx(NULL);
	bal_close(&b);
}
