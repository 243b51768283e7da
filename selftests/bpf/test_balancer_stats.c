// SPDX-License-Identifier: GPL-2.0
/*
 * Counters over a mixed run: every action and reason in `stats` moves by
 * exactly the packets that took it; vip_stats and be_stats count packets
 * and bytes as received (the whole frame, Ethernet padding included,
 * before encapsulation) of forwarded packets only, under the VIP's id and
 * the backend that got them, and nothing anywhere else.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>

#include "balancer_fixture.h"
#include "../lib/test.h"

#define VIP_A		3	/* VIP4 TCP 80, backends 1 and 2 */
#define VIP_B		7	/* VIP6 UDP 53 GUE, backends 3 and 4 */
#define NBE		5	/* backend 5 is in no table */

static bool setup(struct bal *b)
{
	const struct bal_vip a = { BAL_VIP4, IPPROTO_TCP, 80, VIP_A, .be = { 1, 2 } };
	const struct bal_vip v = { BAL_VIP6, IPPROTO_UDP, 53, VIP_B, .encap = XLB_ENCAP_GUE,
				   .be = { 3, 4 } };

	return bal_open(b) && bal_backend(b, 1, "198.51.100.11") &&
	       bal_backend(b, 2, "198.51.100.12") && bal_backend(b, 3, "2001:db8:be::3") &&
	       bal_backend(b, 4, "2001:db8:be::4") && bal_backend(b, 5, "198.51.100.15") &&
	       bal_vip(b, &a) && bal_vip(b, &v) && bal_stats_snap(b);
}

struct tally {
	struct xlb_traffic vip[XLB_MAX_VIPS];
	struct xlb_traffic be[BAL_MAX_BE];
};

static void tally_add(struct tally *t, __u32 vip, __u32 be, size_t bytes)
{
	t->vip[vip].packets++;
	t->vip[vip].bytes += bytes;
	t->be[be].packets++;
	t->be[be].bytes += bytes;
}

void test_balancer_stats_counts(void)
{
	enum { NA = 40, NB = 25 };
	static struct tally want;
	static struct bal_run r;
	static struct pkt p;
	struct xlb_traffic got;
	__u64 seed = 99, tx = 0;
	union xlb_addr client;
	struct bal b = {};
	size_t len;
	__u32 id, i;

	memset(&want, 0, sizeof(want));
	if (!setup(&b))
		goto out;

	/* VIP A: TCP flows of 1..3 packets, sizes vary, some padded */
	for (i = 0; i < NA; i++) {
		bal_client(&client, XLB_FAMILY_V4, bal_rand(&seed));
		len = bal_rand(&seed) % 1000;
		if (!ASSERT_OK(bal_pkt(&p, &client, BAL_VIP4, IPPROTO_TCP, 1024 + i, 80, TH_ACK,
				       len), "build"))
			goto out;
		if (p.len < 60) {
			memset(p.buf + p.len, 0, 60 - p.len);
			p.len = 60;
		}
		test_ctx("VIP A packet %u, %zu bytes", i, p.len);
		if (!bal_check(&b, p.buf, p.len, XDP_TX,
			       BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS), &r))
			goto out;
		id = bal_forwarded_to(&b, p.buf, p.len, &r);
		if (!ASSERT_TRUE(id == 1 || id == 2, "a backend of VIP A"))
			goto out;
		tally_add(&want, VIP_A, id, p.len);
		tx++;
		/* the same flow again: a flow table hit, counted the same */
		if (i % 3 == 0) {
			if (!bal_check(&b, p.buf, p.len, XDP_TX,
				       BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_HIT), &r))
				goto out;
			tally_add(&want, VIP_A, id, p.len);
			tx++;
		}
	}
	/* VIP B: UDP over GUE */
	for (i = 0; i < NB; i++) {
		bal_client(&client, XLB_FAMILY_V6, bal_rand(&seed));
		len = 1 + bal_rand(&seed) % 1200;
		test_ctx("VIP B packet %u", i);
		if (!ASSERT_OK(bal_pkt(&p, &client, BAL_VIP6, IPPROTO_UDP, 2000 + i, 53, 0, len),
			       "build") ||
		    !bal_check(&b, p.buf, p.len, XDP_TX,
			       BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS), &r))
			goto out;
		id = bal_forwarded_to(&b, p.buf, p.len, &r);
		if (!ASSERT_TRUE(id == 3 || id == 4, "a backend of VIP B"))
			goto out;
		tally_add(&want, VIP_B, id, p.len);
		tx++;
	}

	/* not forwarded: counted under their reason only */
	test_ctx("not forwarded");
	if (ASSERT_OK(bal_pkt_str(&p, BAL_CLIENT4, BAL_OTHER4, IPPROTO_TCP, 1, 80, TH_SYN, 0),
		      "build"))
		bal_check_untouched(&b, p.buf, p.len, XLB_STAT_PASS_NOT_VIP);
	if (ASSERT_OK(bal_pkt_str(&p, BAL_CLIENT6, BAL_VIP6, IPPROTO_TCP, 1, 53, TH_SYN, 0),
		      "build"))
		bal_check_untouched(&b, p.buf, p.len, XLB_STAT_PASS_VIP_OTHER);
	if (ASSERT_OK(bal_pkt_str(&p, BAL_CLIENT4, BAL_VIP4, IPPROTO_TCP, 1, 80, TH_SYN, 0),
		      "build")) {
		/* L4 cut to 10 bytes, IP length to match */
		p.buf[14 + 3] = 30;
		bal_check(&b, p.buf, 14 + 30, XDP_DROP,
			  BAL_STATS(XLB_STAT_DROP, XLB_STAT_DROP_L4_TRUNCATED), &r);
	}
	/* too big for backend 1's MTU: answered, not counted as traffic */
	b.be[1].mtu = 100;
	b.be[2].mtu = 100;
	if (bal_backend_write(&b, 1) && bal_backend_write(&b, 2) &&
	    ASSERT_OK(bal_pkt_str(&p, BAL_CLIENT4, BAL_VIP4, IPPROTO_UDP, 1, 80, 0, 200),
		      "build")) {
		const struct bal_vip udp = { BAL_VIP4, IPPROTO_UDP, 80, 9, .be = { 1, 2 } };

		if (bal_vip(&b, &udp) && bal_stats_snap(&b)) {
			/* no DF: dropped */
			bal_check(&b, p.buf, p.len, XDP_DROP,
				  BAL_STATS(XLB_STAT_DROP, XLB_STAT_DROP_TOO_BIG,
					    XLB_STAT_FLOW_MISS), &r);
		}
	}
	test_ctx(NULL);

	for (i = 0; i < XLB_MAX_VIPS; i++) {
		test_ctx("vip %u", i);
		if (!ASSERT_OK(xlb_dp_vip_stats_read(b.dp, i, &got), "xlb_dp_vip_stats_read"))
			break;
		ASSERT_EQ(got.packets, want.vip[i].packets, "packets");
		ASSERT_EQ(got.bytes, want.vip[i].bytes, "bytes");
	}
	for (i = 0; i < BAL_MAX_BE; i++) {
		test_ctx("backend %u", i);
		if (!ASSERT_OK(xlb_dp_be_stats_read(b.dp, i, &got), "xlb_dp_be_stats_read"))
			break;
		ASSERT_EQ(got.packets, want.be[i].packets, "packets");
		ASSERT_EQ(got.bytes, want.be[i].bytes, "bytes");
	}
	test_ctx(NULL);
	ASSERT_EQ(want.vip[VIP_A].packets + want.vip[VIP_B].packets, tx, "forwarded packets");
	ASSERT_GT(want.be[1].packets, 0, "backend 1 got traffic");
	ASSERT_GT(want.be[2].packets, 0, "backend 2 got traffic");
	ASSERT_GT(want.be[3].packets, 0, "backend 3 got traffic");
	ASSERT_GT(want.be[4].packets, 0, "backend 4 got traffic");
out:
	test_ctx(NULL);
	bal_close(&b);
}

/* The global counters add up: one action per packet, rx their sum, and
 * each pass or drop under exactly one reason. */
void test_balancer_stats_sums(void)
{
	static const int passes[] = {
		XLB_STAT_PASS_NOT_IP, XLB_STAT_PASS_VLAN, XLB_STAT_PASS_L3_MALFORMED,
		XLB_STAT_PASS_NOT_VIP, XLB_STAT_PASS_VIP_OTHER, XLB_STAT_PASS_NO_NEIGH,
	};
	static const int drops[] = {
		XLB_STAT_DROP_L4_TRUNCATED, XLB_STAT_DROP_EXT_HDR, XLB_STAT_DROP_NO_BACKEND,
		XLB_STAT_DROP_NO_ROUTE, XLB_STAT_DROP_NO_SOURCE, XLB_STAT_DROP_FRAG,
		XLB_STAT_DROP_TOO_BIG, XLB_STAT_DROP_ENCAP,
	};
	static struct bal_run r;
	static struct pkt p;
	__u64 s[BAL_NSTATS], sum;
	__u64 seed = 5;
	struct bal b = {};
	size_t i;

	if (!setup(&b))
		goto out;
	/* random frames: random ports to both VIPs and the other address,
	 * random truncation */
	for (i = 0; i < 2000; i++) {
		static const char *const dsts[] = { BAL_VIP4, BAL_VIP6, BAL_OTHER4, BAL_OTHER6 };
		const char *dst = dsts[bal_rand(&seed) % 4];
		union xlb_addr src;
		size_t len;

		bal_client(&src, strchr(dst, ':') ? XLB_FAMILY_V6 : XLB_FAMILY_V4,
			   bal_rand(&seed));
		if (!ASSERT_OK(bal_pkt(&p, &src, dst, bal_rand(&seed) & 1 ? IPPROTO_TCP :
									 IPPROTO_UDP,
				       bal_rand(&seed), bal_rand(&seed) % 4 ? 80 : 53,
				       bal_rand(&seed) & 0x3f, bal_rand(&seed) % 100), "build"))
			goto out;
		len = bal_rand(&seed) % 4 ? p.len : bal_rand(&seed) % p.len;
		if (len < 14)
			len = 14;
		/* half the cuts with the IP length made to match */
		if (len < p.len && bal_rand(&seed) & 1) {
			bool v6 = p.buf[14] >> 4 == 6;
			size_t ip = v6 ? len - 14 - 40 : len - 14;

			if (len >= 14 + (v6 ? 40 : 20)) {
				p.buf[14 + (v6 ? 4 : 2)] = ip >> 8;
				p.buf[14 + (v6 ? 5 : 3)] = ip & 0xff;
			}
		}
		if (!bal_run(&b, p.buf, len, &r))
			goto out;
	}
	if (!bal_stats_read(&b, s))
		goto out;
	for (i = 0; i < XLB_STAT_MAX; i++)
		if (s[i])
			printf("%s %llu\n", xlb_stat_names[i], (unsigned long long)s[i]);
	ASSERT_EQ(s[XLB_STAT_RX], 2000, "rx");
	ASSERT_EQ(s[XLB_STAT_TX] + s[XLB_STAT_REDIRECT] + s[XLB_STAT_PASS] + s[XLB_STAT_DROP],
		  s[XLB_STAT_RX], "one action per packet");
	for (i = 0, sum = 0; i < ARRAY_SIZE(passes); i++)
		sum += s[passes[i]];
	ASSERT_EQ(sum, s[XLB_STAT_PASS], "one reason per pass");
	for (i = 0, sum = 0; i < ARRAY_SIZE(drops); i++)
		sum += s[drops[i]];
	ASSERT_EQ(sum, s[XLB_STAT_DROP], "one reason per drop");
	ASSERT_GT(s[XLB_STAT_TX], 0, "some forwarded");
	ASSERT_GT(s[XLB_STAT_PASS], 0, "some passed");
	ASSERT_GT(s[XLB_STAT_DROP], 0, "some dropped");
	ASSERT_EQ(s[XLB_STAT_FLOW_HIT] + s[XLB_STAT_FLOW_MISS], s[XLB_STAT_TX],
		  "every forwarded packet hit or missed the flow table");
out:
	bal_close(&b);
}
