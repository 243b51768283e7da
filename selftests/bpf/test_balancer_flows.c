// SPDX-License-Identifier: GPL-2.0
/*
 * Backend choice: the same 5-tuple always reaches the same backend (on
 * this node through the flow table, on another node through the same
 * Maglev table); shares follow weights; source-hashed VIPs keep a client
 * on one backend; established flows stay when the table changes while a
 * TCP SYN follows the current table; flows of a removed (or reused)
 * backend move and count flow_stale; a VIP without usable backends drops.
 *
 * Expected backends are never written down: they come from the output's
 * outer destination, from sending the same flow again, from a second
 * balancer instance programmed with the table in question ("another LB
 * node" that has no flow state), or from reading the VIP's active Maglev
 * table at the flow hash the flow entry records (which also gives the
 * outer flow label and GUE source port).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "balancer_fixture.h"
#include "../lib/test.h"

#define NBE	8	/* backends 1 .. NBE */

struct flow {
	union xlb_addr src;
	__u16 sport;
};

static __u16 get16(const __u8 *b)
{
	return b[0] << 8 | b[1];
}

static __u32 get32(const __u8 *b)
{
	return (__u32)get16(b) << 16 | get16(b + 2);
}

static bool add_backends(struct bal *b, __u8 family)
{
	char addr[64];
	__u32 id;

	for (id = 1; id <= NBE; id++) {
		if (family == XLB_FAMILY_V4)
			snprintf(addr, sizeof(addr), "198.51.100.%u", 10 + id);
		else
			snprintf(addr, sizeof(addr), "2001:db8:be::%x", id);
		if (!bal_backend(b, id, addr))
			return false;
	}
	return true;
}

static void flow_rand(struct flow *f, __u8 family, __u64 *seed)
{
	bal_client(&f->src, family, bal_rand(seed));
	f->sport = 1024 + bal_rand(seed) % 64000;
}

/* Sends one packet of flow f to vip:dport and returns the backend it was
 * encapsulated to, 0 if it was not. */
static __u32 send_flow(struct bal *b, const struct flow *f, const char *vip, __u8 proto,
		       __u16 dport, __u8 flags)
{
	static struct bal_run r;
	static struct pkt p;

	if (!ASSERT_OK(bal_pkt(&p, &f->src, vip, proto, f->sport, dport, flags, 20), "build") ||
	    !bal_run(b, p.buf, p.len, &r) || !ASSERT_EQ(r.act, XDP_TX, "XDP action"))
		return 0;
	return bal_forwarded_to(b, p.buf, p.len, &r);
}

/* Opens a balancer with NBE backends and one VIP. */
static bool open_with_vip(struct bal *b, const struct bal_vip *v, __u8 family)
{
	return bal_open(b) && add_backends(b, family) && bal_vip(b, v);
}

void test_balancer_flow_same_backend(void)
{
	enum { NFLOWS = 200 };
	static const __u8 families[] = { XLB_FAMILY_V4, XLB_FAMILY_V6 };
	struct bal b = {}, node2 = {};
	unsigned int used[NBE + 1];
	__u32 be[NFLOWS];
	struct flow f[NFLOWS];
	__u64 seed = 1;
	size_t fam;
	int i, n;

	for (fam = 0; fam < ARRAY_SIZE(families); fam++) {
		const char *vip = families[fam] == XLB_FAMILY_V4 ? BAL_VIP4 : BAL_VIP6;
		struct bal_vip v = { .addr = vip, .proto = IPPROTO_TCP, .port = 80,
				     .be = { 1, 2, 3, 4, 5, 6, 7, 8 } };

		if (!open_with_vip(&b, &v, families[fam]) ||
		    !open_with_vip(&node2, &v, families[fam]))
			goto out;
		memset(used, 0, sizeof(used));
		for (i = 0; i < NFLOWS; i++) {
			test_ctx("IPv%u flow %d", families[fam], i);
			flow_rand(&f[i], families[fam], &seed);
			be[i] = send_flow(&b, &f[i], vip, IPPROTO_TCP, 80, TH_SYN);
			if (!be[i])
				goto out;
			used[be[i]]++;
			ASSERT_EQ(send_flow(&b, &f[i], vip, IPPROTO_TCP, 80, TH_ACK), be[i],
				  "second packet");
			ASSERT_EQ(send_flow(&b, &f[i], vip, IPPROTO_TCP, 80, TH_ACK | TH_PUSH),
				  be[i], "third packet");
			/* the other node has no flow state: Maglev alone */
			ASSERT_EQ(send_flow(&node2, &f[i], vip, IPPROTO_TCP, 80, TH_ACK), be[i],
				  "same backend on another node");
		}
		test_ctx("IPv%u", families[fam]);
		/* the SYN creates no flow state (bpf/xlb.bpf.c forward()); the
		 * first ACK does */
		bal_stats_check(&b, 3 * NFLOWS,
				BAL_STATS_N(XLB_STAT_TX, 3 * NFLOWS, XLB_STAT_FLOW_MISS, 2 * NFLOWS,
					    XLB_STAT_FLOW_HIT, NFLOWS));
		bal_stats_check(&node2, NFLOWS,
				BAL_STATS_N(XLB_STAT_TX, NFLOWS, XLB_STAT_FLOW_MISS, NFLOWS));
		for (i = 1, n = 0; i <= NBE; i++)
			n += used[i] > 0;
		ASSERT_EQ(n, NBE, "backends used by the flows");
		bal_close(&b);
		bal_close(&node2);
	}
out:
	test_ctx(NULL);
	bal_close(&b);
	bal_close(&node2);
}

/* Shares of many random flows against the weights, within `tol` of the
 * whole (the Maglev table and the sampling each add a little noise). */
static void check_shares(const char *vip, __u8 family, const __u32 *weights, int nbe,
			 int nflows, double tol)
{
	struct bal_vip v = { .addr = vip, .proto = IPPROTO_UDP, .port = 53 };
	unsigned int count[NBE + 1] = {};
	__u32 wsum = 0, id;
	__u64 seed = 7;
	struct flow f;
	struct bal b = {};
	int i;

	for (i = 0; i < nbe; i++) {
		v.be[i] = i + 1;
		v.weight[i] = weights[i];
		wsum += weights[i];
	}
	if (!open_with_vip(&b, &v, family))
		goto out;
	for (i = 0; i < nflows; i++) {
		flow_rand(&f, family, &seed);
		id = send_flow(&b, &f, vip, IPPROTO_UDP, 53, 0);
		if (!id)
			goto out;
		count[id]++;
	}
	for (i = 1; i <= NBE; i++) {
		double share = (double)count[i] / nflows;
		double want = i <= nbe ? (double)weights[i - 1] / wsum : 0;

		test_ctx("%s, backend %d: %u of %d flows, weight share %.3f", vip, i, count[i],
			 nflows, want);
		printf("%s backend %d: share %.3f, weight share %.3f\n", vip, i, share, want);
		ASSERT_TRUE(share > want - tol && share < want + tol, "share follows the weight");
	}
out:
	test_ctx(NULL);
	bal_close(&b);
}

void test_balancer_flow_weights(void)
{
	static const __u32 one_three[] = { 1, 3 };
	static const __u32 equal[] = { 1, 1, 1, 1 };
	static const __u32 mixed[] = { 100, 200, 100, 400, 200 };

	/* 4000 flows: sampling deviation of a 25% share is 0.7% */
	check_shares(BAL_VIP4, XLB_FAMILY_V4, one_three, 2, 4000, 0.04);
	check_shares(BAL_VIP6, XLB_FAMILY_V6, one_three, 2, 4000, 0.04);
	check_shares(BAL_VIP4, XLB_FAMILY_V4, equal, 4, 4000, 0.04);
	check_shares(BAL_VIP6, XLB_FAMILY_V6, mixed, 5, 4000, 0.04);
}

/* A source-hashed VIP puts every port of a client on one backend; a
 * 5-tuple VIP spreads them. */
void test_balancer_flow_hash_src(void)
{
	enum { NCLIENTS = 32, NPORTS = 50 };
	static const __u8 families[] = { XLB_FAMILY_V4, XLB_FAMILY_V6 };
	unsigned int used[NBE + 1];
	__u32 first, id;
	__u64 seed = 3;
	struct flow f;
	struct bal b = {};
	size_t fam;
	int c, i, n;

	for (fam = 0; fam < ARRAY_SIZE(families); fam++) {
		const char *vip = families[fam] == XLB_FAMILY_V4 ? BAL_VIP4 : BAL_VIP6;
		struct bal_vip src = { .addr = vip, .proto = IPPROTO_TCP, .port = 443, .id = 1,
				       .flags = XLB_VIP_F_HASH_SRC,
				       .be = { 1, 2, 3, 4, 5, 6, 7, 8 } };
		struct bal_vip tuple = { .addr = vip, .proto = IPPROTO_TCP, .port = 80, .id = 2,
					 .be = { 1, 2, 3, 4, 5, 6, 7, 8 } };

		if (!open_with_vip(&b, &src, families[fam]) || !bal_vip(&b, &tuple))
			goto out;
		memset(used, 0, sizeof(used));
		for (c = 0; c < NCLIENTS; c++) {
			test_ctx("IPv%u hash-src client %d", families[fam], c);
			flow_rand(&f, families[fam], &seed);
			first = send_flow(&b, &f, vip, IPPROTO_TCP, 443, TH_SYN);
			if (!first)
				goto out;
			used[first]++;
			for (i = 0; i < NPORTS; i++) {
				f.sport = 1024 + bal_rand(&seed) % 64000;
				id = send_flow(&b, &f, vip, IPPROTO_TCP, 443,
					       i & 1 ? TH_SYN : TH_ACK);
				if (!ASSERT_EQ(id, first, "every port on one backend"))
					break;
			}
		}
		test_ctx("IPv%u hash-src", families[fam]);
		for (i = 1, n = 0; i <= NBE; i++)
			n += used[i] > 0;
		ASSERT_GE(n, NBE / 2, "clients spread over backends");

		test_ctx("IPv%u 5-tuple, one client", families[fam]);
		memset(used, 0, sizeof(used));
		for (i = 0; i < NPORTS; i++) {
			f.sport = 1024 + i;
			id = send_flow(&b, &f, vip, IPPROTO_TCP, 80, TH_SYN);
			if (!id)
				goto out;
			used[id]++;
		}
		for (i = 1, n = 0; i <= NBE; i++)
			n += used[i] > 0;
		ASSERT_GE(n, NBE / 2, "ports of one client spread over backends");
		bal_close(&b);
	}
out:
	test_ctx(NULL);
	bal_close(&b);
}

/*
 * Table change: backend X (the one flow 0 uses) leaves the VIP's table
 * and a new backend joins, but X stays present (draining). Established
 * flows keep their backend; a SYN of the same tuple takes the current
 * table's choice (the one a node without flow state makes), and the
 * connection's next packets follow it.
 */
void test_balancer_flow_sticky(void)
{
	enum { NFLOWS = 64 };
	struct bal_vip v = { .addr = BAL_VIP4, .proto = IPPROTO_TCP, .port = 80,
			     .be = { 1, 2, 3, 4 } };
	struct bal_vip v2 = { .addr = BAL_VIP4, .proto = IPPROTO_TCP, .port = 80 };
	struct bal b = {}, ref = {};
	struct flow f[NFLOWS];
	__u32 be[NFLOWS], x, want, id;
	int i, j, moved = 0;
	__u64 seed = 11;

	if (!open_with_vip(&b, &v, XLB_FAMILY_V4))
		goto out;
	for (i = 0; i < NFLOWS; i++) {
		flow_rand(&f[i], XLB_FAMILY_V4, &seed);
		be[i] = send_flow(&b, &f[i], BAL_VIP4, IPPROTO_TCP, 80, TH_ACK);
		if (!be[i])
			goto out;
	}
	x = be[0];
	for (i = 1, j = 0; i <= 5; i++)
		if ((__u32)i != x)
			v2.be[j++] = i;
	if (!bal_vip(&b, &v2) || !bal_stats_snap(&b) || !open_with_vip(&ref, &v2, XLB_FAMILY_V4))
		goto out;

	for (i = 0; i < NFLOWS; i++) {
		test_ctx("flow %d, on backend %u, drained %u", i, be[i], x);
		ASSERT_EQ(send_flow(&b, &f[i], BAL_VIP4, IPPROTO_TCP, 80, TH_ACK), be[i],
			  "established flow stays");
	}
	test_ctx(NULL);
	bal_stats_check(&b, NFLOWS,
			BAL_STATS_N(XLB_STAT_TX, NFLOWS, XLB_STAT_FLOW_HIT, NFLOWS));

	for (i = 0; i < NFLOWS; i++) {
		test_ctx("flow %d, on backend %u, drained %u", i, be[i], x);
		want = send_flow(&ref, &f[i], BAL_VIP4, IPPROTO_TCP, 80, TH_ACK);
		id = send_flow(&b, &f[i], BAL_VIP4, IPPROTO_TCP, 80, TH_SYN);
		ASSERT_EQ(id, want, "SYN follows the current table");
		ASSERT_NEQ(id, x, "SYN avoids the drained backend");
		ASSERT_EQ(send_flow(&b, &f[i], BAL_VIP4, IPPROTO_TCP, 80, TH_ACK), id,
			  "the new connection stays");
		moved += id != be[i];
	}
	test_ctx(NULL);
	bal_stats_check(&b, 2 * NFLOWS,
			BAL_STATS_N(XLB_STAT_TX, 2 * NFLOWS, XLB_STAT_FLOW_MISS, NFLOWS,
				    XLB_STAT_FLOW_HIT, NFLOWS));
	ASSERT_GE(moved, 1, "flows that moved on SYN");
out:
	test_ctx(NULL);
	bal_close(&b);
	bal_close(&ref);
}

/*
 * Backend removal: flows of a deleted backend, or of an id given to
 * another backend (gen bumped), are stale: they count flow_stale, take
 * the current table's choice and stick to it. Other flows stay.
 */
void test_balancer_flow_backend_removed(void)
{
	enum { NFLOWS = 64 };
	static const char *const modes[] = { "deleted", "id reused" };
	struct bal_vip v = { .addr = BAL_VIP6, .proto = IPPROTO_UDP, .port = 53,
			     .be = { 1, 2, 3, 4 } };
	struct bal_vip v2;
	struct bal b = {}, ref = {};
	struct flow f[NFLOWS];
	__u32 be[NFLOWS], x, id, want;
	int i, j, mode, stale;
	__u64 seed = 5;

	for (mode = 0; mode < 2; mode++) {
		test_ctx("%s", modes[mode]);
		if (!open_with_vip(&b, &v, XLB_FAMILY_V6))
			goto out;
		for (i = 0; i < NFLOWS; i++) {
			flow_rand(&f[i], XLB_FAMILY_V6, &seed);
			be[i] = send_flow(&b, &f[i], BAL_VIP6, IPPROTO_UDP, 53, 0);
			if (!be[i])
				goto out;
		}
		x = be[0];
		v2 = v;
		if (mode == 0) {
			/* the agent's order: out of the table, then gone */
			for (i = 0, j = 0; v.be[i]; i++)
				if (v.be[i] != x)
					v2.be[j++] = v.be[i];
			v2.be[j] = 0;
			if (!bal_vip(&b, &v2) ||
			    !ASSERT_OK(xlb_dp_backend_del(b.dp, x), "xlb_dp_backend_del"))
				goto out;
			memset(&b.be[x], 0, sizeof(b.be[x]));
		} else {
			/* id x now names another server */
			b.be[x].gen++;
			pkt_addr_parse("2001:db8:be::99", &b.be[x].addr, NULL);
			if (!bal_backend_write(&b, x) || !bal_vip(&b, &v2))
				goto out;
		}
		if (!bal_stats_snap(&b) || !bal_open(&ref) || !add_backends(&ref, XLB_FAMILY_V6))
			goto out;
		ref.be[x] = b.be[x];
		if ((b.be[x].flags && !bal_backend_write(&ref, x)) || !bal_vip(&ref, &v2))
			goto out;

		for (i = 0, stale = 0; i < NFLOWS; i++) {
			test_ctx("%s, flow %d on backend %u, removed %u", modes[mode], i, be[i], x);
			want = send_flow(&ref, &f[i], BAL_VIP6, IPPROTO_UDP, 53, 0);
			id = send_flow(&b, &f[i], BAL_VIP6, IPPROTO_UDP, 53, 0);
			if (be[i] == x) {
				stale++;
				ASSERT_EQ(id, want, "stale flow takes the current table's choice");
			} else {
				ASSERT_EQ(id, be[i], "other flows stay");
			}
			ASSERT_EQ(send_flow(&b, &f[i], BAL_VIP6, IPPROTO_UDP, 53, 0), id,
				  "and stay there");
		}
		test_ctx("%s", modes[mode]);
		bal_stats_check(&b, 2 * NFLOWS,
				BAL_STATS_N(XLB_STAT_TX, 2 * NFLOWS, XLB_STAT_FLOW_STALE, stale,
					    XLB_STAT_FLOW_MISS, stale, XLB_STAT_FLOW_HIT,
					    2 * NFLOWS - stale));
		bal_close(&b);
		bal_close(&ref);
	}
out:
	test_ctx(NULL);
	bal_close(&b);
	bal_close(&ref);
}

/* Reads the backend the VIP's active Maglev table holds for `hash`. */
static __u32 ring_pick(struct bal *b, const char *vip, __u8 proto, __u16 port, __u32 hash)
{
	struct xlb_vip_key key = bal_vip_key(vip, proto, port);
	__u32 inner_id, slot, id = 0;
	struct xlb_vip v;
	int fd;

	if (!ASSERT_OK(bpf_map_lookup_elem(xlb_dp_map_fd(b->dp, "vips"), &key, &v) ? -errno : 0,
		       "vips lookup") ||
	    !ASSERT_OK(bpf_map_lookup_elem(xlb_dp_map_fd(b->dp, "rings"), &v.ring_id,
					   &inner_id) ? -errno : 0, "rings lookup"))
		return 0;
	fd = bpf_map_get_fd_by_id(inner_id);
	if (!ASSERT_GE(fd, 0, "ring fd"))
		return 0;
	/* the map holds two tables; the entry's flag says which is active */
	slot = hash % v.ring_size + (v.flags & XLB_VIP_F_RING_HI ? v.ring_size : 0);
	ASSERT_OK(bpf_map_lookup_elem(fd, &slot, &id) ? -errno : 0, "ring slot");
	close(fd);
	return id;
}

/*
 * Table changes: a VIP's map holds two tables of its size, the entry's
 * XLB_VIP_F_RING_HI says which one the datapath reads. A new table of the
 * same size goes into the other region of the same map and the entry's
 * flag flips (no update of `rings`); a new size gets a new map in the
 * VIP's other slot of `rings`. After each change every new flow goes to
 * a backend of the new table, the one its slot names.
 */
void test_balancer_flow_table_regions(void)
{
	static const struct {
		__u32 be[4];
		__u32 ring_size;
	} steps[] = {
		{ { 1, 2, 3, 4 }, 0 },		/* a new VIP: a map, the first region */
		{ { 5, 6, 7, 8 }, 0 },		/* same size: the second region */
		{ { 1, 3, 5, 7 }, 0 },		/* and back to the first */
		{ { 2, 4, 6, 8 }, 1009 },	/* another size: a new map, other slot */
		{ { 1, 2, 7, 8 }, 1009 },	/* its second region */
	};
	static struct bal_run r;
	static struct pkt p;
	struct xlb_vip_key key = bal_vip_key(BAL_VIP4, IPPROTO_UDP, 53);
	struct xlb_vip prev = {}, cur;
	__u64 seed = 33;
	struct flow f;
	struct bal b;
	size_t s, k;
	int i;

	if (!bal_open(&b) || !add_backends(&b, XLB_FAMILY_V4))
		goto out;
	for (s = 0; s < ARRAY_SIZE(steps); s++) {
		struct bal_vip vip = { BAL_VIP4, IPPROTO_UDP, 53, 0, 0, XLB_ENCAP_IPIP,
				       .ring_size = steps[s].ring_size };

		test_ctx("step %zu", s);
		memcpy(vip.be, steps[s].be, sizeof(steps[s].be));
		if (!bal_vip(&b, &vip) || !bal_flows_clear(&b) ||
		    !ASSERT_OK(bpf_map_lookup_elem(xlb_dp_map_fd(b.dp, "vips"), &key, &cur) ?
				       -errno : 0, "vips lookup"))
			goto out;
		if (s == 1 || s == 2 || s == 4) {
			ASSERT_EQ(cur.ring_id, prev.ring_id, "same size: the same map");
			ASSERT_NEQ(cur.flags & XLB_VIP_F_RING_HI, prev.flags & XLB_VIP_F_RING_HI,
				   "same size: the other region");
		} else if (s == 3) {
			ASSERT_NEQ(cur.ring_id, prev.ring_id, "new size: the other map slot");
			ASSERT_EQ(cur.ring_size, 1009U, "new size in the entry");
		}
		prev = cur;
		for (i = 0; i < 40; i++) {
			__u32 id;
			bool in = false;

			flow_rand(&f, XLB_FAMILY_V4, &seed);
			if (!ASSERT_OK(bal_pkt(&p, &f.src, BAL_VIP4, IPPROTO_UDP, f.sport, 53, 0, 10),
				       "build") ||
			    !bal_run(&b, p.buf, p.len, &r) || !ASSERT_EQ(r.act, XDP_TX, "action"))
				goto out;
			id = bal_forwarded_to(&b, p.buf, p.len, &r);
			for (k = 0; k < 4; k++)
				in |= id == steps[s].be[k];
			if (!ASSERT_TRUE(in, "a backend of the table just written"))
				goto out;
		}
	}
out:
	test_ctx(NULL);
	bal_close(&b);
}

/*
 * The flow hash, as the flow entry records it, is what everything else
 * derives from: the backend is ring[hash % size] of the VIP's active
 * table, the outer IPv6 flow label is its low 20 bits and the GUE source
 * port 0xC000 plus its low 14 bits. A source-hashed VIP gives every flow
 * of a client the same hash.
 */
void test_balancer_flow_hash_table(void)
{
	enum { NFLOWS = 100 };
	static const struct {
		__u16 port;
		__u16 flags;
	} vips[] = { { 53, 0 }, { 54, XLB_VIP_F_HASH_SRC } };
	static struct bal_run r;
	static struct pkt p;
	struct xlb_flow_key key;
	struct xlb_flow fl;
	struct bal_outer o;
	__u32 id, hash, prev = 0;
	__u64 seed = 21;
	struct flow f;
	struct bal b;
	size_t v;
	int i;

	if (!bal_open(&b) || !add_backends(&b, XLB_FAMILY_V6))
		goto out;
	for (v = 0; v < ARRAY_SIZE(vips); v++) {
		struct bal_vip vip = { BAL_VIP6, IPPROTO_UDP, vips[v].port, v, vips[v].flags,
				       XLB_ENCAP_GUE, .be = { 1, 2, 3, 4, 5, 6, 7, 8 } };

		if (!bal_vip(&b, &vip))
			goto out;
		flow_rand(&f, XLB_FAMILY_V6, &seed);
		for (i = 0; i < NFLOWS; i++) {
			test_ctx("%s VIP, flow %d", vips[v].flags ? "source-hashed" : "5-tuple", i);
			if (!vips[v].flags || i % 10 == 0)
				flow_rand(&f, XLB_FAMILY_V6, &seed);
			else
				f.sport++;
			if (!ASSERT_OK(bal_pkt(&p, &f.src, BAL_VIP6, IPPROTO_UDP, f.sport,
					       vips[v].port, 0, 10), "build") ||
			    !bal_run(&b, p.buf, p.len, &r) || !ASSERT_EQ(r.act, XDP_TX, "action"))
				goto out;
			id = bal_forwarded_to(&b, p.buf, p.len, &r);
			memset(&key, 0, sizeof(key));
			key.src = f.src;
			pkt_addr_parse(BAL_VIP6, &key.dst, &key.family);
			key.sport = htons(f.sport);
			key.dport = htons(vips[v].port);
			key.proto = IPPROTO_UDP;
			if (!id || !bal_outer_parse(r.out, r.len, &o) ||
			    !ASSERT_OK(bpf_map_lookup_elem(xlb_dp_map_fd(b.dp, "flows"), &key,
							   &fl) ? -errno : 0, "flow entry"))
				goto out;
			hash = fl.hash;
			ASSERT_EQ(fl.backend_id, id, "flow entry names the backend");
			ASSERT_EQ(ring_pick(&b, BAL_VIP6, IPPROTO_UDP, vips[v].port, hash), id,
				  "backend = ring[hash % size]");
			ASSERT_EQ(get32(r.out + o.l3) & 0xfffff, hash & 0xfffff,
				  "flow label = low 20 bits of the hash");
			ASSERT_EQ(get16(r.out + o.udp), 0xc000 | (hash & 0x3fff),
				  "GUE source port from the hash");
			if (vips[v].flags && i % 10)
				ASSERT_EQ(hash, prev, "one hash for all of a client's flows");
			prev = hash;
		}
	}
out:
	test_ctx(NULL);
	bal_close(&b);
}

static bool run_on_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return ASSERT_OK(sched_setaffinity(0, sizeof(set), &set) ? -errno : 0,
			 "sched_setaffinity") &&
	       ASSERT_EQ(sched_getcpu(), cpu, "running there");
}

/*
 * Per-CPU LRU lists, one table: a flow written on one core is found from
 * another (RSS may move a flow, e.g. when the NIC's indirection table
 * changes), even after its backend left the Maglev table. Counters are
 * per CPU and read as their sum.
 */
void test_balancer_flow_cross_cpu(void)
{
	enum { NFLOWS = 32 };
	struct bal_vip v = { .addr = BAL_VIP4, .proto = IPPROTO_TCP, .port = 80,
			     .be = { 1, 2, 3, 4 } };
	struct bal_vip v2 = { .addr = BAL_VIP4, .proto = IPPROTO_TCP, .port = 80,
			      .be = { 5, 6, 7, 8 } };
	struct flow f[NFLOWS];
	__u32 be[NFLOWS];
	__u64 seed = 13;
	struct bal b = {};
	int i;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		test_skip("needs two CPUs");
		return;
	}
	if (!open_with_vip(&b, &v, XLB_FAMILY_V4) || !run_on_cpu(0))
		goto out;
	for (i = 0; i < NFLOWS; i++) {
		flow_rand(&f[i], XLB_FAMILY_V4, &seed);
		be[i] = send_flow(&b, &f[i], BAL_VIP4, IPPROTO_TCP, 80, TH_ACK);
		if (!be[i])
			goto out;
	}
	/* the table now has none of the flows' backends */
	if (!bal_vip(&b, &v2) || !bal_stats_snap(&b) || !run_on_cpu(1))
		goto out;
	for (i = 0; i < NFLOWS; i++) {
		test_ctx("flow %d", i);
		ASSERT_EQ(send_flow(&b, &f[i], BAL_VIP4, IPPROTO_TCP, 80, TH_ACK), be[i],
			  "same backend from another CPU");
	}
	test_ctx(NULL);
	bal_stats_check(&b, NFLOWS, BAL_STATS_N(XLB_STAT_TX, NFLOWS, XLB_STAT_FLOW_HIT, NFLOWS));
out:
	test_ctx(NULL);
	bal_close(&b);
}

/* No backend to send to: an empty table, or a table naming a backend that
 * is not present (written before the backend, or left after it). */
void test_balancer_flow_no_backend(void)
{
	struct bal_vip empty = { .addr = BAL_VIP4, .proto = IPPROTO_TCP, .port = 80 };
	struct bal_vip one = { .addr = BAL_VIP4, .proto = IPPROTO_TCP, .port = 80,
			       .be = { 1 } };
	static struct bal_run r;
	static struct pkt p;
	struct bal b;

	if (!bal_open(&b) || !add_backends(&b, XLB_FAMILY_V4) || !bal_vip(&b, &empty) ||
	    !ASSERT_OK(bal_pkt_str(&p, BAL_CLIENT4, BAL_VIP4, IPPROTO_TCP, 1234, 80, TH_SYN, 0),
		       "build"))
		goto out;
	test_ctx("empty table");
	bal_check(&b, p.buf, p.len, XDP_DROP,
		  BAL_STATS(XLB_STAT_DROP, XLB_STAT_DROP_NO_BACKEND, XLB_STAT_FLOW_MISS), &r);

	test_ctx("table names a deleted backend");
	if (bal_vip(&b, &one) && ASSERT_OK(xlb_dp_backend_del(b.dp, 1), "xlb_dp_backend_del"))
		bal_check(&b, p.buf, p.len, XDP_DROP,
			  BAL_STATS(XLB_STAT_DROP, XLB_STAT_DROP_NO_BACKEND, XLB_STAT_FLOW_MISS),
			  &r);
	ASSERT_EQ(bal_flows_count(&b), 0, "no flow remembered");
out:
	test_ctx(NULL);
	bal_close(&b);
}
