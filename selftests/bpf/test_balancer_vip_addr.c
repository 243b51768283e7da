// SPDX-License-Identifier: GPL-2.0
/*
 * The address check that comes before everything else: a packet to an
 * address without a VIP is passed after one bit of vip_filter; a packet
 * to a VIP address on a port or protocol no VIP serves is passed too
 * (through the address's marker), untouched and without flow state; a
 * filter bit shared with a VIP address only sends the packet on to the
 * marker; the filter follows VIPs as they come and go, and a filter the
 * agent has not filled (a map an upgrade created empty) leaves the
 * decision to the markers. Over pinned maps: an xlbd that finds no
 * vip_filter pin (an older version's) rebuilds it from the adopted
 * markers and keeps the flows; pins of another layout are refused, not
 * reused and not removed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "balancer_fixture.h"
#include "../lib/test.h"

#define OTHER_PREFIX	"2001:db8:f::"	/* non-VIP neighbours of BAL_VIP6 */

static const struct bal_vip vip4_tcp80 = { .addr = BAL_VIP4, .proto = IPPROTO_TCP, .port = 80,
					   .id = 1, .be = { 1, 2 } };
static const struct bal_vip vip6_udp53 = { .addr = BAL_VIP6, .proto = IPPROTO_UDP, .port = 53,
					   .id = 2, .be = { 3, 4 } };

static bool setup(struct bal *b)
{
	return bal_open(b) && bal_backend(b, 1, "198.51.100.11") &&
	       bal_backend(b, 2, "198.51.100.12") && bal_backend(b, 3, "2001:db8:be::3") &&
	       bal_backend(b, 4, "2001:db8:be::4") && bal_vip(b, &vip4_tcp80) &&
	       bal_vip(b, &vip6_udp53);
}

static int icmp_echo(struct pkt *p, const char *src, const char *dst)
{
	pkt_init(p);
	pkt_eth(p, NULL);
	pkt_ip(p, &(struct pkt_ip){ .src = src, .dst = dst });
	pkt_icmp(p, &(struct pkt_icmp){ .type = strchr(dst, ':') ? 128 : 8, .rest = 0x10001,
					.len = 32 });
	return pkt_finish(p);
}

static bool filter_read(struct bal *b, struct xlb_vip_filter *f)
{
	__u32 zero = 0;

	return ASSERT_OK(bpf_map_lookup_elem(xlb_dp_map_fd(b->dp, "vip_filter"), &zero, f) ?
			 -errno : 0, "vip_filter lookup");
}

static bool filter_has(const struct xlb_vip_filter *f, const char *addr)
{
	union xlb_addr a = {};
	__u8 family;
	__u32 bit;

	if (pkt_addr_parse(addr, &a, &family))
		return false;
	bit = xlb_vip_filter_bit(&a, family);
	return f->bits[bit / 64] & (1ULL << (bit % 64));
}

/* Runs a TCP/UDP frame that must be forwarded; true if it was. */
static bool forwarded(struct bal *b, const char *src, const char *dst, __u8 proto, __u16 dport,
		      __u8 flags)
{
	static struct bal_run r;
	static struct pkt p;

	return ASSERT_OK(bal_pkt_str(&p, src, dst, proto, 40000, dport, flags, 20), "build") &&
	       bal_run(b, p.buf, p.len, &r) && ASSERT_EQ(r.act, XDP_TX, "forwarded") &&
	       bal_forwarded_to(b, p.buf, p.len, &r) != 0;
}

void test_balancer_vip_addr_other_traffic(void)
{
	static const struct {
		const char *what, *dst;
		__u8 proto;
		__u16 dport;
		__u8 flags;
	} cases[] = {
		{ "TCP ACK to another port of a TCP VIP's address", BAL_VIP4, IPPROTO_TCP, 22,
		  TH_ACK },
		{ "TCP SYN to another port of a TCP VIP's address", BAL_VIP4, IPPROTO_TCP, 443,
		  TH_SYN },
		{ "UDP to a TCP VIP's port number", BAL_VIP4, IPPROTO_UDP, 80, 0 },
		{ "TCP to a UDP VIP's port number", BAL_VIP6, IPPROTO_TCP, 53, TH_ACK },
		{ "UDP to another port of a UDP VIP's address", BAL_VIP6, IPPROTO_UDP, 54, 0 },
	};
	static struct pkt p;
	struct bal b;
	size_t i;

	if (!setup(&b))
		goto out;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		test_ctx("%s", cases[i].what);
		if (ASSERT_OK(bal_pkt_str(&p, strchr(cases[i].dst, ':') ? BAL_CLIENT6 :
					  BAL_CLIENT4, cases[i].dst, cases[i].proto, 40000 + i,
					  cases[i].dport, cases[i].flags, 20), "build"))
			bal_check_untouched(&b, p.buf, p.len, XLB_STAT_PASS_VIP_OTHER);
	}
	test_ctx("ping to a VIP address");
	if (ASSERT_OK(icmp_echo(&p, BAL_CLIENT4, BAL_VIP4), "build"))
		bal_check_untouched(&b, p.buf, p.len, XLB_STAT_PASS_VIP_OTHER);
	test_ctx("ping6 to a VIP address");
	if (ASSERT_OK(icmp_echo(&p, BAL_CLIENT6, BAL_VIP6), "build"))
		bal_check_untouched(&b, p.buf, p.len, XLB_STAT_PASS_VIP_OTHER);
	test_ctx("TCP to an address without a VIP");
	if (ASSERT_OK(bal_pkt_str(&p, BAL_CLIENT4, BAL_OTHER4, IPPROTO_TCP, 40000, 80, TH_ACK,
				  20), "build"))
		bal_check_untouched(&b, p.buf, p.len, XLB_STAT_PASS_NOT_VIP);
	test_ctx(NULL);
	ASSERT_EQ(bal_flows_count(&b), 0, "no flow remembered");
	/* and the VIPs themselves are served */
	ASSERT_TRUE(forwarded(&b, BAL_CLIENT4, BAL_VIP4, IPPROTO_TCP, 80, TH_ACK), "VIP4 TCP 80");
	ASSERT_TRUE(forwarded(&b, BAL_CLIENT6, BAL_VIP6, IPPROTO_UDP, 53, 0), "VIP6 UDP 53");
out:
	test_ctx(NULL);
	bal_close(&b);
}

/* An address that is no VIP's but has a VIP address's filter bit. */
static bool filter_twin(const char *vip, char *out, size_t len)
{
	union xlb_addr v = {}, a = {};
	__u8 family;
	__u32 n;

	if (pkt_addr_parse(vip, &v, &family))
		return false;
	for (n = 1; n < (1U << 24); n++) {
		snprintf(out, len, OTHER_PREFIX "%x:%x", n >> 16, n & 0xffff);
		if (pkt_addr_parse(out, &a, NULL))
			return false;
		if (memcmp(&a, &v, sizeof(a)) &&
		    xlb_vip_filter_bit(&a, family) == xlb_vip_filter_bit(&v, family))
			return true;
	}
	return false;
}

void test_balancer_vip_filter_shared_bit(void)
{
	static struct pkt p;
	char twin[64];
	struct bal b;

	if (!setup(&b) || !ASSERT_TRUE(filter_twin(BAL_VIP6, twin, sizeof(twin)),
				       "an address sharing the VIP's filter bit"))
		goto out;
	test_ctx("UDP to %s, the VIP's port", twin);
	if (ASSERT_OK(bal_pkt_str(&p, BAL_CLIENT6, twin, IPPROTO_UDP, 40000, 53, 0, 20), "build"))
		bal_check_untouched(&b, p.buf, p.len, XLB_STAT_PASS_NOT_VIP);
	test_ctx("TCP ACK to %s", twin);
	if (ASSERT_OK(bal_pkt_str(&p, BAL_CLIENT6, twin, IPPROTO_TCP, 40000, 80, TH_ACK, 20),
		      "build"))
		bal_check_untouched(&b, p.buf, p.len, XLB_STAT_PASS_NOT_VIP);
	test_ctx(NULL);
	ASSERT_EQ(bal_flows_count(&b), 0, "no flow remembered");
out:
	test_ctx(NULL);
	bal_close(&b);
}

void test_balancer_vip_filter_follows_vips(void)
{
	const struct bal_vip udp = { .addr = BAL_VIP4, .proto = IPPROTO_UDP, .port = 53, .id = 3,
				     .be = { 1 } };
	struct xlb_vip_key tcp_key = bal_vip_key(BAL_VIP4, IPPROTO_TCP, 80);
	struct xlb_vip_key udp_key = bal_vip_key(BAL_VIP4, IPPROTO_UDP, 53);
	static struct xlb_vip_filter f;
	static struct pkt p;
	struct bal b;

	if (!bal_open(&b) || !filter_read(&b, &f))
		goto out;
	ASSERT_EQ(f.ready, 1, "ready once opened");
	ASSERT_FALSE(filter_has(&f, BAL_VIP4), "no VIP yet");
	if (!bal_backend(&b, 1, "198.51.100.11") || !bal_backend(&b, 2, "198.51.100.12") ||
	    !bal_vip(&b, &vip4_tcp80) || !filter_read(&b, &f))
		goto out;
	ASSERT_TRUE(filter_has(&f, BAL_VIP4), "bit set with the first VIP");
	if (!bal_vip(&b, &udp) || !filter_read(&b, &f))
		goto out;
	ASSERT_TRUE(filter_has(&f, BAL_VIP4), "a second VIP of the address");

	if (!ASSERT_OK(xlb_dp_vip_del(b.dp, &tcp_key), "delete the TCP VIP") ||
	    !filter_read(&b, &f))
		goto out;
	ASSERT_TRUE(filter_has(&f, BAL_VIP4), "kept while the UDP VIP is there");
	ASSERT_TRUE(forwarded(&b, BAL_CLIENT4, BAL_VIP4, IPPROTO_UDP, 53, 0), "UDP still served");
	bal_stats_snap(&b);
	test_ctx("TCP to the deleted VIP");
	if (ASSERT_OK(bal_pkt_str(&p, BAL_CLIENT4, BAL_VIP4, IPPROTO_TCP, 40001, 80, TH_ACK, 20),
		      "build"))
		bal_check_untouched(&b, p.buf, p.len, XLB_STAT_PASS_VIP_OTHER);
	test_ctx(NULL);

	if (!ASSERT_OK(xlb_dp_vip_del(b.dp, &udp_key), "delete the UDP VIP") ||
	    !filter_read(&b, &f))
		goto out;
	ASSERT_FALSE(filter_has(&f, BAL_VIP4), "cleared with the last VIP");
	test_ctx("UDP to the address without VIPs");
	if (ASSERT_OK(bal_pkt_str(&p, BAL_CLIENT4, BAL_VIP4, IPPROTO_UDP, 40002, 53, 0, 20),
		      "build"))
		bal_check_untouched(&b, p.buf, p.len, XLB_STAT_PASS_NOT_VIP);
out:
	test_ctx(NULL);
	bal_close(&b);
}

void test_balancer_vip_filter_not_ready(void)
{
	static struct xlb_vip_filter empty;
	static struct pkt p;
	__u32 zero = 0;
	struct bal b;

	if (!setup(&b))
		goto out;
	ASSERT_TRUE(forwarded(&b, BAL_CLIENT4, BAL_VIP4, IPPROTO_TCP, 80, TH_ACK),
		    "a flow before");
	/* what a map created by an upgrade holds until the agent fills it */
	if (!ASSERT_OK(bpf_map_update_elem(xlb_dp_map_fd(b.dp, "vip_filter"), &zero, &empty,
					   BPF_ANY) ? -errno : 0, "empty the filter") ||
	    !bal_stats_snap(&b))
		goto out;
	ASSERT_TRUE(forwarded(&b, BAL_CLIENT4, BAL_VIP4, IPPROTO_TCP, 80, TH_ACK),
		    "the established flow");
	ASSERT_TRUE(forwarded(&b, BAL_CLIENT6, BAL_VIP6, IPPROTO_UDP, 53, 0), "a new flow");
	bal_stats_check(&b, 2, BAL_STATS(XLB_STAT_TX, XLB_STAT_TX, XLB_STAT_FLOW_HIT,
					 XLB_STAT_FLOW_MISS));
	test_ctx("TCP to an address without a VIP");
	if (ASSERT_OK(bal_pkt_str(&p, BAL_CLIENT4, BAL_OTHER4, IPPROTO_TCP, 40000, 80, TH_ACK,
				  20), "build"))
		bal_check_untouched(&b, p.buf, p.len, XLB_STAT_PASS_NOT_VIP);
	test_ctx("TCP to another port of the VIP address");
	if (ASSERT_OK(bal_pkt_str(&p, BAL_CLIENT4, BAL_VIP4, IPPROTO_TCP, 40000, 22, TH_ACK,
				  20), "build"))
		bal_check_untouched(&b, p.buf, p.len, XLB_STAT_PASS_VIP_OTHER);
out:
	test_ctx(NULL);
	bal_close(&b);
}

/* --- over pinned maps --- */

static bool pins_open(struct bal *b, const char *root, __u32 flows, int *err)
{
	struct xlb_dp_opts opts = { .pin_root = root, .flow_entries = flows,
				    .frag_entries = BAL_FRAGS, .mode = XLB_DP_MODE_NONE };

	memset(b, 0, sizeof(*b));
	*err = xlb_dp_open(&opts, &b->dp);
	if (*err) {
		b->dp = NULL;
		return false;
	}
	b->prog_fd = xlb_dp_prog_fd(b->dp);
	if (pkt_addr_parse(BAL_LB4, (union xlb_addr *)&b->cfg.src_v4, NULL) ||
	    pkt_addr_parse(BAL_LB6, &b->cfg.src_v6, NULL))
		return ASSERT_TRUE(false, "parse outer sources");
	b->cfg.has_v4 = 1;
	b->cfg.has_v6 = 1;
	return bal_config_write(b) && bal_stats_snap(b);
}

void test_balancer_vip_filter_pins(void)
{
	char dir[] = "/tmp/xlb-pins-XXXXXX", root[64], path[96];
	static struct xlb_vip_filter f;
	static struct bal_run r;
	static struct pkt p;
	bool mounted = false;
	struct bal b = {};
	__u32 be;
	int err;

	if (!ASSERT_TRUE(mkdtemp(dir), "mkdtemp"))
		return;
	if (!ASSERT_OK(mount("bpf", dir, "bpf", 0, NULL) ? -errno : 0, "mount bpffs"))
		goto out;
	mounted = true;
	snprintf(root, sizeof(root), "%s/xlb", dir);
	if (!ASSERT_OK(mkdir(root, 0700) ? -errno : 0, "pin root"))
		goto out;

	/* a running balancer with a flow */
	if (!ASSERT_TRUE(pins_open(&b, root, BAL_FLOWS, &err), "open with pins") ||
	    !bal_backend(&b, 1, "198.51.100.11") || !bal_backend(&b, 2, "198.51.100.12") ||
	    !bal_vip(&b, &vip4_tcp80) ||
	    !ASSERT_OK(bal_pkt_str(&p, BAL_CLIENT4, BAL_VIP4, IPPROTO_TCP, 40000, 80, TH_ACK, 20),
		       "build") || !bal_run(&b, p.buf, p.len, &r))
		goto out;
	be = bal_forwarded_to(&b, p.buf, p.len, &r);
	if (!ASSERT_NEQ(be, 0, "forwarded"))
		goto out;
	bal_close(&b);

	/* pins of a version without vip_filter: reopened, the filter is
	 * rebuilt from the adopted markers and the flow keeps its entry */
	snprintf(path, sizeof(path), "%s/vip_filter", root);
	if (!ASSERT_OK(unlink(path) ? -errno : 0, "remove the vip_filter pin") ||
	    !ASSERT_TRUE(pins_open(&b, root, BAL_FLOWS, &err), "adopt") || !filter_read(&b, &f))
		goto out;
	ASSERT_EQ(f.ready, 1, "filter ready");
	ASSERT_TRUE(filter_has(&f, BAL_VIP4), "the VIP address's bit, from its marker");
	ASSERT_EQ(bal_flows_count(&b), 1, "the flow table adopted");
	/* the fixture's record of the backends (the entries themselves were
	 * adopted as they were) */
	if (!bal_backend(&b, 1, "198.51.100.11") || !bal_backend(&b, 2, "198.51.100.12") ||
	    !bal_stats_snap(&b) || !bal_run(&b, p.buf, p.len, &r))
		goto out;
	ASSERT_EQ(bal_forwarded_to(&b, p.buf, p.len, &r), be, "the flow's backend");
	bal_stats_check(&b, 1, BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_HIT));
	bal_close(&b);

	/* pins of another layout (here another flow table size) are not
	 * reused: opening fails with an error, and the pins stay */
	ASSERT_FALSE(pins_open(&b, root, BAL_FLOWS * 2, &err), "another flow table size");
	ASSERT_EQ(err, -EINVAL, "refused");
	snprintf(path, sizeof(path), "%s/flows", root);
	ASSERT_OK(access(path, F_OK) ? -errno : 0, "the flows pin stays");
	if (ASSERT_TRUE(pins_open(&b, root, BAL_FLOWS, &err), "the same layout again"))
		ASSERT_EQ(bal_flows_count(&b), 1, "its flow entry kept");
out:
	if (b.dp) {
		xlb_dp_unpin(b.dp);
		bal_close(&b);
	}
	if (mounted)
		umount2(dir, MNT_DETACH);
	rmdir(dir);
}
