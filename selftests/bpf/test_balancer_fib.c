// SPDX-License-Identifier: GPL-2.0
/*
 * The FIB path: a backend without a cached next hop is routed per packet
 * with bpf_fib_lookup (counted nh_fib). Each test runs in a private
 * network namespace (unshare(CLONE_NEWNET) in the test's own forked
 * child), so the results do not depend on the host's routes:
 * - no route (or forwarding off) drops (drop_no_route);
 * - a route with a permanent neighbour sends with the FIB's MACs, XDP_TX
 *   when the egress is the ingress interface, XDP_REDIRECT otherwise;
 * - a route whose neighbour is unknown passes the encapsulated packet to
 *   the kernel (pass_no_neigh) to resolve it;
 * - an egress MTU too small for the encapsulated packet is answered with
 *   fragmentation-needed / packet-too-big.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/bpf.h>

#include "balancer_fixture.h"
#include "../lib/test.h"

#define BE4		"198.51.100.11"		/* routed, neighbour known */
#define BE6		"2001:db8:be::12"
#define BE4_NN		"198.51.101.11"		/* routed, no neighbour */
#define BE6_NN		"2001:db8:bf::12"
#define GW_MAC		{ 0x02, 0xaa, 0x00, 0x00, 0x00, 0x02 }
#define GW6_MAC		{ 0x02, 0xaa, 0x00, 0x00, 0x00, 0x06 }
#define VETH0_MAC	{ 0x02, 0x00, 0x00, 0x00, 0x99, 0x01 }

/* A private network namespace for this test's process; false (and the
 * test skipped) where that is not allowed. */
static bool netns_private(void)
{
	if (unshare(CLONE_NEWNET)) {
		test_skip("unshare(CLONE_NEWNET): %s", strerror(errno));
		return false;
	}
	return true;
}

static bool sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc)
		test_fail("`%s` failed (status %d)", cmd, rc);
	return !rc;
}

static bool sysctl_write(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f) {
		test_fail("open %s: %s", path, strerror(errno));
		return false;
	}
	ok = fputs(val, f) >= 0;
	ok &= !fclose(f);
	return ASSERT_TRUE(ok, path);
}

static bool forwarding(bool on)
{
	return sysctl_write("/proc/sys/net/ipv4/ip_forward", on ? "1" : "0") &&
	       sysctl_write("/proc/sys/net/ipv6/conf/all/forwarding", on ? "1" : "0");
}

/*
 * xlbt0 (MAC VETH0_MAC, 10.99.0.1/24, 2001:db8:99::1/64) paired with
 * xlbt1; backends' prefixes routed via gateways on xlbt0, of which .2 and
 * ::2 have permanent neighbour entries and .3 and ::3 none.
 */
static bool topology(void)
{
	if (access("/usr/sbin/ip", X_OK) && access("/sbin/ip", X_OK) && access("/bin/ip", X_OK)) {
		test_skip("no ip(8)");
		return false;
	}
	return sh("ip link set lo up") &&
	       sh("ip link add xlbt0 address 02:00:00:00:99:01 type veth peer name xlbt1 "
		  "address 02:00:00:00:99:02") &&
	       sh("ip link set xlbt0 up && ip link set xlbt1 up") &&
	       sh("ip addr add 10.99.0.1/24 dev xlbt0") &&
	       sh("ip -6 addr add 2001:db8:99::1/64 dev xlbt0 nodad") &&
	       sh("ip route add 198.51.100.0/24 via 10.99.0.2 dev xlbt0") &&
	       sh("ip route add 198.51.101.0/24 via 10.99.0.3 dev xlbt0") &&
	       sh("ip neigh add 10.99.0.2 lladdr 02:aa:00:00:00:02 dev xlbt0 nud permanent") &&
	       sh("ip -6 route add 2001:db8:be::/64 via 2001:db8:99::2 dev xlbt0") &&
	       sh("ip -6 route add 2001:db8:bf::/64 via 2001:db8:99::3 dev xlbt0") &&
	       sh("ip -6 neigh add 2001:db8:99::2 lladdr 02:aa:00:00:00:06 dev xlbt0 "
		  "nud permanent") &&
	       forwarding(true);
}

/* Backend `id` at addr, present, no cached next hop. */
static bool backend_fib(struct bal *b, __u32 id, const char *addr)
{
	if (!bal_backend(b, id, addr))
		return false;
	b->be[id].flags = XLB_BE_F_PRESENT;
	memset(b->be[id].dmac, 0, 6);
	memset(b->be[id].smac, 0, 6);
	return bal_backend_write(b, id);
}

/* VIPs 0..3: VIP4/VIP6 TCP 80 to backend 1 (BE4) / 2 (BE6), and UDP 53
 * over GUE to backends 3 (BE4_NN) / 4 (BE6_NN). */
static bool setup(struct bal *b)
{
	const struct bal_vip vips[] = {
		{ BAL_VIP4, IPPROTO_TCP, 80, 0, .be = { 1 } },
		{ BAL_VIP6, IPPROTO_TCP, 80, 1, .be = { 2 } },
		{ BAL_VIP4, IPPROTO_UDP, 53, 2, .encap = XLB_ENCAP_GUE, .be = { 3 } },
		{ BAL_VIP6, IPPROTO_UDP, 53, 3, .encap = XLB_ENCAP_GUE, .be = { 4 } },
	};
	size_t i;

	if (!bal_open(b) || !backend_fib(b, 1, BE4) || !backend_fib(b, 2, BE6) ||
	    !backend_fib(b, 3, BE4_NN) || !backend_fib(b, 4, BE6_NN))
		return false;
	for (i = 0; i < ARRAY_SIZE(vips); i++)
		if (!bal_vip(b, &vips[i]))
			return false;
	return bal_stats_snap(b);
}

void test_balancer_fib_no_route(void)
{
	static struct bal_run r;
	static struct pkt p;
	struct bal b = {};
	int v6, i;

	if (!netns_private() || !setup(&b))
		goto out;
	for (v6 = 0; v6 < 2; v6++) {
		for (i = 0; i < 2; i++) {
			test_ctx("IPv%d %s, no route", v6 ? 6 : 4, i ? "UDP over GUE" : "TCP");
			if (ASSERT_OK(bal_pkt_str(&p, v6 ? BAL_CLIENT6 : BAL_CLIENT4,
						  v6 ? BAL_VIP6 : BAL_VIP4,
						  i ? IPPROTO_UDP : IPPROTO_TCP, 1000 + i,
						  i ? 53 : 80, TH_ACK, 10), "build"))
				bal_check(&b, p.buf, p.len, XDP_DROP,
					  BAL_STATS(XLB_STAT_DROP, XLB_STAT_DROP_NO_ROUTE,
						    XLB_STAT_NH_FIB, XLB_STAT_FLOW_MISS), &r);
		}
	}
out:
	test_ctx(NULL);
	bal_close(&b);
}

/* Runs in with ingress `ifindex` and checks a FIB-routed send. */
static void check_sent(struct bal *b, const struct pkt *p, __u32 ifindex, __u32 act,
		       const __u8 *dmac, __u32 be_id, bool first)
{
	static const __u8 smac[6] = VETH0_MAC;
	static struct bal_run r;

	if (!bal_run_ifindex(b, p->buf, p->len, ifindex, &r))
		return;
	ASSERT_EQ(r.act, act, "XDP action");
	ASSERT_MEMEQ(r.out, dmac, 6, "destination MAC: the gateway's");
	ASSERT_MEMEQ(r.out + 6, smac, 6, "source MAC: the egress interface's");
	ASSERT_EQ(bal_forwarded_to(b, p->buf, p->len, &r), be_id, "backend");
	bal_stats_check(b, 1, BAL_STATS(act == XDP_TX ? XLB_STAT_TX : XLB_STAT_REDIRECT,
					XLB_STAT_NH_FIB,
					first ? XLB_STAT_FLOW_MISS : XLB_STAT_FLOW_HIT));
}

void test_balancer_fib_netns(void)
{
	static const __u8 gw4[6] = GW_MAC, gw6[6] = GW6_MAC;
	static struct bal_run r;
	static struct pkt p;
	struct xlb_traffic t;
	__u32 if0, if1;
	struct bal b = {};
	int v6;

	if (!netns_private() || !topology() || !setup(&b))
		goto out;
	if0 = if_nametoindex("xlbt0");
	if1 = if_nametoindex("xlbt1");
	if (!ASSERT_GT(if0, 0, "xlbt0") || !ASSERT_GT(if1, 0, "xlbt1"))
		goto out;

	for (v6 = 0; v6 < 2; v6++) {
		const char *client = v6 ? BAL_CLIENT6 : BAL_CLIENT4;
		const char *vip = v6 ? BAL_VIP6 : BAL_VIP4;

		test_ctx("IPv%d, ingress = egress", v6 ? 6 : 4);
		if (!ASSERT_OK(bal_pkt_str(&p, client, vip, IPPROTO_TCP, 1000, 80, TH_ACK, 100),
			       "build"))
			continue;
		check_sent(&b, &p, if0, XDP_TX, v6 ? gw6 : gw4, v6 ? 2 : 1, true);
		test_ctx("IPv%d, ingress the veth peer", v6 ? 6 : 4);
		check_sent(&b, &p, if1, XDP_REDIRECT, v6 ? gw6 : gw4, v6 ? 2 : 1, false);
		test_ctx("IPv%d, ingress lo", v6 ? 6 : 4);
		check_sent(&b, &p, 1, XDP_REDIRECT, v6 ? gw6 : gw4, v6 ? 2 : 1, false);

		/* no neighbour entry: the kernel gets the encapsulated packet,
		 * MACs as they came, and the traffic counts */
		test_ctx("IPv%d, no neighbour", v6 ? 6 : 4);
		if (!ASSERT_OK(bal_pkt_str(&p, client, vip, IPPROTO_UDP, 1000, 53, 0, 100),
			       "build") ||
		    !bal_run_ifindex(&b, p.buf, p.len, if0, &r))
			continue;
		ASSERT_EQ(r.act, XDP_PASS, "XDP action");
		ASSERT_MEMEQ(r.out, p.buf, 12, "MACs untouched");
		ASSERT_EQ(bal_forwarded_to(&b, p.buf, p.len, &r), v6 ? 4 : 3, "encapsulated");
		bal_stats_check(&b, 1, BAL_STATS(XLB_STAT_PASS, XLB_STAT_PASS_NO_NEIGH,
						 XLB_STAT_NH_FIB, XLB_STAT_FLOW_MISS));
		if (ASSERT_OK(xlb_dp_be_stats_read(b.dp, v6 ? 4 : 3, &t), "be_stats")) {
			ASSERT_EQ(t.packets, 1, "backend packets");
			ASSERT_EQ(t.bytes, p.len, "backend bytes");
		}
	}

	/* forwarding off: the FIB will not route for us */
	test_ctx("forwarding off");
	if (forwarding(false) &&
	    ASSERT_OK(bal_pkt_str(&p, BAL_CLIENT4, BAL_VIP4, IPPROTO_TCP, 2000, 80, TH_ACK, 10),
		      "build") &&
	    bal_run_ifindex(&b, p.buf, p.len, if0, &r)) {
		ASSERT_EQ(r.act, XDP_DROP, "XDP action");
		bal_stats_check(&b, 1, BAL_STATS(XLB_STAT_DROP, XLB_STAT_DROP_NO_ROUTE,
						 XLB_STAT_NH_FIB, XLB_STAT_FLOW_MISS));
	}
out:
	test_ctx(NULL);
	bal_close(&b);
}

/* The egress MTU from the FIB: too big after encapsulation is answered. */
void test_balancer_fib_mtu(void)
{
	static struct bal_run r;
	static struct pkt p;
	struct bal b = {};
	__u32 if0;
	int v6;

	if (!netns_private() || !topology() || !sh("ip link set xlbt0 mtu 1400") || !setup(&b))
		goto out;
	if0 = if_nametoindex("xlbt0");
	for (v6 = 0; v6 < 2; v6++) {
		const char *client = v6 ? BAL_CLIENT6 : BAL_CLIENT4;
		const char *vip = v6 ? BAL_VIP6 : BAL_VIP4;
		size_t hdr = (v6 ? 40 : 20) + 20;
		__u32 olen = v6 ? 40 : 20;
		const __u8 *icmp;

		test_ctx("IPv%d, fits", v6 ? 6 : 4);
		if (ASSERT_OK(bal_pkt_str(&p, client, vip, IPPROTO_TCP, 3000, 80, TH_ACK,
					  1400 - olen - hdr), "build") &&
		    bal_run_ifindex(&b, p.buf, p.len, if0, &r)) {
			ASSERT_EQ(r.act, XDP_TX, "XDP action");
			bal_stats_check(&b, 1, BAL_STATS(XLB_STAT_TX, XLB_STAT_NH_FIB,
							 XLB_STAT_FLOW_MISS));
		}

		test_ctx("IPv%d, one byte too big", v6 ? 6 : 4);
		pkt_init(&p);
		pkt_eth(&p, NULL);
		pkt_ip(&p, &(struct pkt_ip){ .src = client, .dst = vip, .df = !v6 });
		pkt_tcp(&p, &(struct pkt_tcp){ .sport = 3001, .dport = 80, .flags = TH_ACK,
					       .len = 1400 - olen - hdr + 1 });
		if (!ASSERT_OK(pkt_finish(&p), "build") ||
		    !bal_run_ifindex(&b, p.buf, p.len, if0, &r))
			continue;
		ASSERT_EQ(r.act, XDP_TX, "XDP action");
		bal_stats_check(&b, 1, BAL_STATS(XLB_STAT_TX, XLB_STAT_TOO_BIG_SENT,
						 XLB_STAT_NH_FIB, XLB_STAT_FLOW_MISS));
		icmp = r.out + 14 + (v6 ? 40 : 20);
		if (!ASSERT_GE(r.len, 14 + (v6 ? 40 : 20) + 8, "reply length"))
			continue;
		ASSERT_EQ(icmp[0], v6 ? 2 : 3, "ICMP type");
		if (v6)
			ASSERT_EQ(ntohl(*(__be32 *)(icmp + 4)), 1400 - olen, "MTU");
		else
			ASSERT_EQ(ntohs(*(__be16 *)(icmp + 6)), 1400 - olen, "MTU");
		ASSERT_OK(pkt_check_l4_csum(r.out + 14, r.len - 14), "ICMP checksum");
	}
out:
	test_ctx(NULL);
	bal_close(&b);
}
