// SPDX-License-Identifier: GPL-2.0
/*
 * Second chance on the balancer (README "Second chance"): a TCP segment
 * that is not a SYN and finds no flow entry, of a VIP whose previous table
 * is in use (its owner in each slot's high half, maglev_prev_merge), goes
 * to its slot's owner in the current table with the slot's owner in the
 * previous table as a GUE hop when the two differ, and its flow entry
 * keeps the hop for its later packets.
 *
 * Which flows must get a hop is computed here independently: the flow's
 * hash by agent/maps/flows.c (bpf/hash.h compiled in userspace) and both
 * tables by maglev_build, never a hard-coded outcome. Checked: hops
 * exactly where the owners differ (a good share of the flows, never all),
 * none for a SYN, for UDP, without a previous table or with an unchanged
 * one; the hop's bytes as include/xlb_shared.h says; none to a previous
 * owner that is gone or of the other family (sc_hop_skipped); the flow
 * table keeping the hop, and dropping it when its backend goes; the
 * dataplane's modes (the running table becoming the previous one, kept
 * while the current one is replaced, given explicitly, dropped) and what
 * it refuses; the IPv6 hop's UDP checksum; and the backend's decap program
 * reading the balancer's hop.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/decap.skel.h"
#include "maps/flows.h"
#include "balancer_fixture.h"
#include "../lib/test.h"

#define NFLOWS		400	/* clients per check: ~1/4 of them move with 3 -> 4 */
#define GUE		XLB_ENCAP_GUE

static const char *const be_addrs[] = {
	[1] = "198.51.100.11", [2] = "198.51.100.12", [3] = "198.51.100.13",
	[4] = "198.51.100.14", [5] = "198.51.100.15",
	[6] = "2001:db8:be::6", [7] = "2001:db8:be::7", [8] = "2001:db8:be::8",
	[9] = "2001:db8:be::9",
};

/* VIP 0: IPv4 TCP 80 over GUE; VIP 1: IPv6 TCP 443 over GUE; VIP 2: UDP */
static const struct bal_vip v4_a = { BAL_VIP4, IPPROTO_TCP, 80, 0, 0, GUE, .be = { 1, 2, 3 } };
static const struct bal_vip v4_b = { BAL_VIP4, IPPROTO_TCP, 80, 0, 0, GUE, .be = { 1, 2, 3, 4 } };
static const struct bal_vip v4_c = { BAL_VIP4, IPPROTO_TCP, 80, 0, 0, GUE,
				     .be = { 1, 2, 3, 4, 5 } };
static const struct bal_vip v4_mixed = { BAL_VIP4, IPPROTO_TCP, 80, 0, 0, GUE,
					 .be = { 1, 2, 6 } };
static const struct bal_vip v6_a = { BAL_VIP6, IPPROTO_TCP, 443, 1, 0, GUE, .be = { 6, 7, 8 } };
static const struct bal_vip v6_b = { BAL_VIP6, IPPROTO_TCP, 443, 1, 0, GUE,
				     .be = { 6, 7, 8, 9 } };
static const struct bal_vip udp_a = { BAL_VIP4, IPPROTO_UDP, 53, 2, 0, GUE, .be = { 1, 2, 3 } };
static const struct bal_vip udp_b = { BAL_VIP4, IPPROTO_UDP, 53, 2, 0, GUE,
				      .be = { 1, 2, 3, 4 } };

static bool setup(struct bal *b)
{
	size_t i;

	if (!bal_open(b))
		return false;
	for (i = 1; i < ARRAY_SIZE(be_addrs); i++)
		if (!bal_backend(b, i, be_addrs[i]))
			return false;
	return true;
}

/* The slot owners of client n's flow to v in the tables of cur and prev. */
struct owners {
	__u32 cur, prev;
};

static struct owners owners_of(const struct bal_vip *cur, const __u32 *ring_cur,
			       const __u32 *ring_prev, const union xlb_addr *client, __u16 sport)
{
	struct xlb_dp_flow f = { .proto = cur->proto, .client = *client, .client_port = sport,
				 .vip_port = cur->port };
	__u32 slot;

	pkt_addr_parse(cur->addr, &f.vip, &f.family);
	slot = xlb_dp_flow_hash(&f, false) % XLB_RING_DEFAULT;
	return (struct owners){ ring_cur[slot], ring_prev ? ring_prev[slot] : 0 };
}

/* Sends client n's segment (flags) to v and checks where it went and its
 * hop; returns the backend, 0 on a failed check. */
static __u32 send_check(struct bal *b, const struct bal_vip *v, __u32 n, __u8 flags,
			__u32 want_be, __u32 want_hop, const int *moved)
{
	static struct bal_run r;
	static struct pkt p;
	union xlb_addr c;
	struct bal_outer o;
	__u8 fam;
	__u32 got;

	pkt_addr_parse(v->addr, &c, &fam);
	bal_client(&c, fam, n);
	if (!ASSERT_OK(bal_pkt(&p, &c, v->addr, v->proto, 1024 + n, v->port, flags, 20), "build") ||
	    !bal_check(b, p.buf, p.len, XDP_TX, moved, &r))
		return 0;
	got = bal_forwarded_to(b, p.buf, p.len, &r);
	if (!ASSERT_EQ(got, want_be, "backend: the current table's owner") ||
	    !bal_outer_parse(r.out, r.len, &o))
		return 0;
	if (!ASSERT_EQ(o.has_hop, want_hop != 0, "a hop exactly when the owners differ"))
		return 0;
	if (want_hop) {
		const __u8 *g = r.out + o.gue;

		ASSERT_MEMEQ(&o.hop, &b->be[want_hop].addr, fam == XLB_FAMILY_V4 ? 4 : 16,
			     "hop: the previous table's owner");
		ASSERT_EQ(g[0], XLB_GUE_HOP_HLEN(fam), "GUE variant 0, Hlen of the hop");
		ASSERT_EQ(g[1], fam == XLB_FAMILY_V4 ? IPPROTO_IPIP : IPPROTO_IPV6, "GUE proto");
		ASSERT_EQ(g[2] | g[3], 0, "no GUE flags");
		ASSERT_EQ(g[6], fam, "hop family");
		ASSERT_EQ(g[7], 0, "hop reserved byte");
		if (fam == XLB_FAMILY_V6)
			ASSERT_OK(pkt_check_l4_csum(r.out + o.l3, r.len - o.l3),
				  "outer UDP checksum over the hop");
		else
			ASSERT_EQ(r.out[o.udp + 6] | r.out[o.udp + 7], 0, "no UDP checksum over IPv4");
	}
	return got;
}

static __u32 client_port(__u32 n)
{
	return 1024 + n;
}

/*
 * n clients, first packets after a 3 -> 4 change: hop exactly for the
 * moved slots; then again (flow-table hits keep the hop); a SYN of a
 * moved flow gets none. cur/prev: the tables.
 */
static void check_clients(struct bal *b, const struct bal_vip *v, const __u32 *rc,
			  const __u32 *rp, bool expect_hops)
{
	__u32 n, moved = 0;
	__u8 fam;

	pkt_addr_parse(v->addr, &(union xlb_addr){}, &fam);
	for (n = 0; n < NFLOWS; n++) {
		union xlb_addr c;
		struct owners ow;
		bool hop;

		pkt_addr_parse(v->addr, &c, &fam);
		bal_client(&c, fam, n);
		ow = owners_of(v, rc, rp, &c, client_port(n));
		hop = expect_hops && ow.prev != ow.cur;
		moved += hop;
		test_ctx("%s client %u: first ACK", v->addr, n);
		if (!send_check(b, v, n, TH_ACK, ow.cur, hop ? ow.prev : 0,
				hop ? BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS, BAL_SC(XLB_SC_STAT_HOP)) :
				      BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS)))
			break;
		test_ctx("%s client %u: its entry", v->addr, n);
		if (!send_check(b, v, n, TH_ACK | TH_PUSH, ow.cur, hop ? ow.prev : 0,
				BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_HIT)))
			break;
	}
	test_ctx(NULL);
	if (expect_hops) {
		/* 3 -> 4 moves about a quarter of the slots */
		ASSERT_GT(moved, NFLOWS / 8, "some flows moved");
		ASSERT_LT(moved, NFLOWS / 2, "most flows did not move");
	}
}

static __u32 *ring_of(struct bal *b, const struct bal_vip *v)
{
	__u32 *r = calloc(XLB_RING_DEFAULT, sizeof(*r));

	if (!ASSERT_TRUE(r, "calloc") || !bal_ring(b, v, r)) {
		free(r);
		return NULL;
	}
	return r;
}

/* A moved client of v (its slot's owners differ between rc and rp). */
static __u32 moved_client(const struct bal_vip *v, const __u32 *rc,
			  const __u32 *rp, __u32 from, struct owners *ow)
{
	__u32 n;
	__u8 fam;

	for (n = from; n < from + 10000; n++) {
		union xlb_addr c;

		pkt_addr_parse(v->addr, &c, &fam);
		bal_client(&c, fam, n);
		*ow = owners_of(v, rc, rp, &c, client_port(n));
		if (ow->cur != ow->prev)
			return n;
	}
	test_fail("no moved client in 10000");
	return 0;
}

void test_balancer_sc_hop(void)
{
	__u32 *ra = NULL, *rb = NULL, *r6a = NULL, *r6b = NULL;
	struct bal b = {};
	struct owners ow;
	__u32 n;

	if (!setup(&b) || !bal_vip(&b, &v4_a) || !bal_vip(&b, &v6_a))
		goto out;
	ra = ring_of(&b, &v4_a);
	rb = ring_of(&b, &v4_b);
	r6a = ring_of(&b, &v6_a);
	r6b = ring_of(&b, &v6_b);
	if (!ra || !rb || !r6a || !r6b)
		goto out;
	if (!ASSERT_OK(bal_vip_prev(&b, &v4_b, &v4_a), "3 -> 4, previous kept") ||
	    !ASSERT_OK(bal_vip_prev(&b, &v6_b, &v6_a), "IPv6 3 -> 4") ||
	    !bal_stats_snap(&b))
		goto out;
	check_clients(&b, &v4_b, rb, ra, true);
	check_clients(&b, &v6_b, r6b, r6a, true);

	/* a SYN never gets one, nor writes an entry */
	n = moved_client(&v4_b, rb, ra, 100000, &ow);
	test_ctx("SYN of a moved flow");
	send_check(&b, &v4_b, n, TH_SYN, ow.cur, 0, BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS));
	test_ctx("its handshake's ACK");
	send_check(&b, &v4_b, n, TH_ACK, ow.cur, ow.prev,
		   BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS, BAL_SC(XLB_SC_STAT_HOP)));
	test_ctx(NULL);
out:
	free(ra);
	free(rb);
	free(r6a);
	free(r6b);
	bal_close(&b);
}

/* No previous table, an unchanged one, UDP: no hop at all. */
void test_balancer_sc_no_hop(void)
{
	__u32 *rb = NULL, *ru = NULL, n;
	struct bal b = {};

	if (!setup(&b) || !bal_vip(&b, &v4_a) || !bal_vip(&b, &udp_a))
		goto out;
	rb = ring_of(&b, &v4_b);
	ru = ring_of(&b, &udp_b);
	if (!rb || !ru)
		goto out;
	test_ctx("a change without a previous table");
	if (!bal_vip(&b, &v4_b) || !bal_stats_snap(&b))
		goto out;
	check_clients(&b, &v4_b, rb, NULL, false);
	test_ctx("an unchanged table as the previous one");
	if (!bal_flows_clear(&b) ||
	    !ASSERT_OK(bal_vip_prev(&b, &v4_b, &v4_b), "4 -> 4") ||
	    !bal_stats_snap(&b))
		goto out;
	check_clients(&b, &v4_b, rb, rb, false);
	test_ctx("UDP");
	if (!ASSERT_OK(bal_vip_prev(&b, &udp_b, &udp_a), "UDP 3 -> 4") ||
	    !bal_stats_snap(&b))
		goto out;
	for (n = 0; n < NFLOWS; n++) {
		union xlb_addr c;
		struct owners ow;
		__u8 fam;

		pkt_addr_parse(udp_b.addr, &c, &fam);
		bal_client(&c, fam, n);
		ow = owners_of(&udp_b, ru, NULL, &c, client_port(n));
		if (!send_check(&b, &udp_b, n, 0, ow.cur, 0,
				BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS)))
			break;
	}
	test_ctx(NULL);
out:
	free(rb);
	free(ru);
	bal_close(&b);
}

/*
 * A previous owner that cannot take a hop: gone (not present), or of the
 * other family than the current owner (the hop is the outer header's);
 * and a hop flow whose hop goes away or is given to another backend
 * (its generation) loses it.
 */
void test_balancer_sc_hop_skipped(void)
{
	__u32 *ra = NULL, *rb = NULL, *rm = NULL, n;
	struct bal b = {};
	struct owners ow;

	if (!setup(&b) || !bal_vip(&b, &v4_mixed))
		goto out;
	ra = ring_of(&b, &v4_a);
	rb = ring_of(&b, &v4_b);
	rm = ring_of(&b, &v4_mixed);
	if (!ra || !rb || !rm)
		goto out;
	test_ctx("previous owner IPv6, current IPv4");
	if (!ASSERT_OK(bal_vip_prev(&b, &v4_a, &v4_mixed), "{1,2,6} -> {1,2,3}") ||
	    !bal_stats_snap(&b))
		goto out;
	for (n = 0; n < 10000; n++) {
		union xlb_addr c;
		__u8 fam;

		pkt_addr_parse(v4_a.addr, &c, &fam);
		bal_client(&c, fam, n);
		ow = owners_of(&v4_a, ra, rm, &c, client_port(n));
		if (ow.prev == 6)
			break;
	}
	if (!ASSERT_EQ(ow.prev, 6, "a flow of the IPv6 backend"))
		goto out;
	send_check(&b, &v4_a, n, TH_ACK, ow.cur, 0,
		   BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS, BAL_SC(XLB_SC_STAT_HOP_SKIPPED)));

	test_ctx("previous owner gone");
	if (!bal_flows_clear(&b) ||
	    !ASSERT_OK(bal_vip_prev(&b, &v4_b, &v4_a), "{1,2,3} -> {1,2,3,4}"))
		goto out;
	n = moved_client(&v4_b, rb, ra, 0, &ow);
	b.be[ow.prev].flags = 0;
	if (!bal_backend_write(&b, ow.prev) || !bal_stats_snap(&b))
		goto out;
	send_check(&b, &v4_b, n, TH_ACK, ow.cur, 0,
		   BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS, BAL_SC(XLB_SC_STAT_HOP_SKIPPED)));
	b.be[ow.prev].flags = XLB_BE_F_PRESENT | XLB_BE_F_NEXTHOP;
	if (!bal_backend_write(&b, ow.prev))
		goto out;

	test_ctx("a hop flow whose hop goes, comes back, is given anew");
	n = moved_client(&v4_b, rb, ra, n + 1, &ow);
	send_check(&b, &v4_b, n, TH_ACK, ow.cur, ow.prev,
		   BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS, BAL_SC(XLB_SC_STAT_HOP)));
	b.be[ow.prev].flags = 0;
	if (!bal_backend_write(&b, ow.prev))
		goto out;
	send_check(&b, &v4_b, n, TH_ACK, ow.cur, 0, BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_HIT));
	b.be[ow.prev].flags = XLB_BE_F_PRESENT | XLB_BE_F_NEXTHOP;
	if (!bal_backend_write(&b, ow.prev))
		goto out;
	send_check(&b, &v4_b, n, TH_ACK, ow.cur, ow.prev, BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_HIT));
	b.be[ow.prev].gen++;
	if (!bal_backend_write(&b, ow.prev))
		goto out;
	send_check(&b, &v4_b, n, TH_ACK, ow.cur, 0, BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_HIT));
out:
	test_ctx(NULL);
	free(ra);
	free(rb);
	free(rm);
	bal_close(&b);
}

/*
 * Tables as the agent writes them: a previous table other than the one
 * just before (a burst of changes keeps the older one), a new VIP that
 * starts with one (a restarted node), a previous table at another size
 * (none: the slots would not match), and none any more (expired).
 */
void test_balancer_sc_tables(void)
{
	__u32 *ra = NULL, *rb = NULL, *rc = NULL, n;
	struct bal_vip other_size = v4_c;
	struct bal b = {};
	struct owners ow;

	if (!setup(&b) || !bal_vip(&b, &v4_a))
		goto out;
	ra = ring_of(&b, &v4_a);
	rb = ring_of(&b, &v4_b);
	rc = ring_of(&b, &v4_c);
	if (!ra || !rb || !rc)
		goto out;

	test_ctx("current C, previous A (B came and went in a burst)");
	if (!ASSERT_OK(bal_vip_prev(&b, &v4_c, &v4_a), "C over A") || !bal_stats_snap(&b))
		goto out;
	check_clients(&b, &v4_c, rc, ra, true);

	test_ctx("a new VIP with a previous table");
	{
		struct bal_vip v = v4_b;

		v.addr = "203.0.113.11";
		v.id = 5;
		if (ASSERT_OK(bal_vip_prev(&b, &v, &v4_a), "new VIP") && bal_stats_snap(&b)) {
			n = moved_client(&v, rb, ra, 0, &ow);
			send_check(&b, &v, n, TH_ACK, ow.cur, ow.prev,
				   BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS,
					     BAL_SC(XLB_SC_STAT_HOP)));
		}
	}

	test_ctx("no previous table any more");
	if (!bal_flows_clear(&b) || !bal_vip(&b, &v4_c) || !bal_stats_snap(&b))
		goto out;
	n = moved_client(&v4_c, rc, ra, 0, &ow);
	send_check(&b, &v4_c, n, TH_ACK, ow.cur, 0, BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS));

	test_ctx("the table of another size");
	other_size.ring_size = 1009;
	free(rc);
	rc = calloc(1009, sizeof(*rc));
	if (!ASSERT_TRUE(rc, "calloc") || !bal_ring(&b, &other_size, rc) ||
	    !bal_flows_clear(&b) || !bal_vip(&b, &other_size) || !bal_stats_snap(&b))
		goto out;
	for (n = 0; n < 50; n++) {
		union xlb_addr c;
		struct xlb_dp_flow f = { .proto = IPPROTO_TCP, .client_port = client_port(n),
					 .vip_port = 80 };
		__u8 fam;

		pkt_addr_parse(BAL_VIP4, &f.vip, &fam);
		f.family = fam;
		pkt_addr_parse(BAL_VIP4, &c, &fam);
		bal_client(&c, fam, n);
		f.client = c;
		if (!send_check(&b, &other_size, n, TH_ACK, rc[xlb_dp_flow_hash(&f, false) % 1009],
				0, BAL_STATS(XLB_STAT_TX, XLB_STAT_FLOW_MISS)))
			break;
	}
out:
	test_ctx(NULL);
	free(ra);
	free(rb);
	free(rc);
	bal_close(&b);
}

static bool decap_stats(struct decap *d, int ncpus, __u64 out[XLB_DECAP_SC_MAX])
{
	__u64 v[ncpus];
	__u32 k;
	int c;

	for (k = 0; k < XLB_DECAP_SC_MAX; k++) {
		if (!ASSERT_OK(bpf_map_lookup_elem(bpf_map__fd(d->maps.decap_sc_stats), &k, v) ?
				       -errno : 0, "decap_sc_stats"))
			return false;
		for (out[k] = 0, c = 0; c < ncpus; c++)
			out[k] += v[c];
	}
	return true;
}

/* The backend's decap program reads the balancer's hop: run in a private
 * netns that forwards but has no socket and no route, so a hop frame is
 * decapsulated as one whose hop has no route (sc_no_socket), giving the
 * client's packet back. */
void test_balancer_sc_decap_reads_hop(void)
{
	struct xlb_decap_config cfg = { .gue_port = htons(XLB_GUE_PORT_DEFAULT) };
	const struct bal_vip *vs[] = { &v4_b, &v6_b }, *vp[] = { &v4_a, &v6_a };
	__u32 *rc = NULL, *rp = NULL, zero = 0, n;
	static struct bal_run r;
	static struct pkt p;
	struct decap *d = NULL;
	struct bal b = {};
	struct owners ow;
	size_t i;

	if (unshare(CLONE_NEWNET)) {
		test_skip("unshare(CLONE_NEWNET): %s", strerror(errno));
		return;
	}
	/* bpf_fib_lookup routes only from an interface that forwards */
	if (system("sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1")) {
		test_fail("sysctl forwarding");
		return;
	}
	d = decap__open_and_load();
	if (!ASSERT_OK_PTR(d, "decap__open_and_load") || !setup(&b) ||
	    !ASSERT_OK(bpf_map_update_elem(bpf_map__fd(d->maps.decap_cfg), &zero, &cfg, BPF_ANY) ?
			       -errno : 0, "decap_cfg"))
		goto out;
	for (i = 0; i < 2; i++) {
		struct xlb_decap_key key = {};
		__u64 st[XLB_DECAP_SC_MAX], st2[XLB_DECAP_SC_MAX];
		size_t off, ip_len;
		union xlb_addr c;
		__u8 fam, one = 1;
		int ncpus = libbpf_num_possible_cpus();

		free(rc);
		free(rp);
		rc = ring_of(&b, vs[i]);
		rp = ring_of(&b, vp[i]);
		if (!rc || !rp || !bal_vip(&b, vp[i]) ||
		    !ASSERT_OK(bal_vip_prev(&b, vs[i], vp[i]), "change"))
			goto out;
		n = moved_client(vs[i], rc, rp, 0, &ow);
		pkt_addr_parse(vs[i]->addr, &c, &fam);
		bal_client(&c, fam, n);
		test_ctx("%s", vs[i]->addr);
		if (!ASSERT_OK(bal_pkt(&p, &c, vs[i]->addr, IPPROTO_TCP, client_port(n),
				       vs[i]->port, TH_ACK, 100), "build") ||
		    !bal_run(&b, p.buf, p.len, &r) || !ASSERT_EQ(r.act, XDP_TX, "sent"))
			goto out;
		key.addr = b.be[ow.cur].addr;
		key.family = b.be[ow.cur].family;
		if (!ASSERT_OK(bpf_map_update_elem(bpf_map__fd(d->maps.decap_addrs), &key, &one,
						   BPF_ANY) ? -errno : 0, "decap_addrs"))
			goto out;
		{
			static __u8 out[PKT_BUF_SIZE];
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = r.out, .data_size_in = r.len,
				    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

			if (!decap_stats(d, ncpus, st) ||
			    !ASSERT_OK(bpf_prog_test_run_opts(bpf_program__fd(d->progs.xlb_decap),
							      &o) ? -errno : 0, "decap run") ||
			    !decap_stats(d, ncpus, st2))
				goto out;
			ASSERT_EQ(o.retval, XDP_PASS, "decapsulated");
			if (bal_inner_of(p.buf, p.len, &off, &ip_len))
				ASSERT_PKT_EQ(out + 14, o.data_size_out - 14, p.buf + off, ip_len,
					      "the client's packet");
			ASSERT_EQ(st2[XLB_DECAP_SC_NO_SOCKET] - st[XLB_DECAP_SC_NO_SOCKET],
				  1, "the decap read the hop (no socket, no route)");
			ASSERT_EQ(st2[XLB_DECAP_SC_MALFORMED] - st[XLB_DECAP_SC_MALFORMED],
				  0, "not malformed");

		}
	}
out:
	test_ctx(NULL);
	free(rc);
	free(rp);
	bal_close(&b);
	decap__destroy(d);
}
