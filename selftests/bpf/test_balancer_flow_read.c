// SPDX-License-Identifier: GPL-2.0
/*
 * The flow table as xlbctl reads it (agent/maps/flows.c: flow show,
 * flow lookup, the flow counts of backend show) against what the real
 * datapath did with real packets: the hash xlb_dp_flow_hash() computes
 * (bpf/hash.h compiled in userspace) is the one the datapath stored, the
 * slot xlb_dp_ring_slot() reads holds the backend the packet went to, a
 * table built again from the same backends (xlbd's fallback when it may
 * not read the datapath's) gives the same one, xlb_dp_flow_get() finds
 * each flow's entry and xlb_dp_flow_foreach() sees every entry once —
 * IPv4 and IPv6, TCP and UDP, 5-tuple and source-hashed VIPs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>

#include "balancer_fixture.h"
#include "maps/flows.h"
#include "maps/maglev.h"
#include "../lib/test.h"

#define NBE	6		/* backends 1 .. NBE */
#define NFLOWS	64		/* per VIP */
#define RING	1009

struct seen {
	size_t n_entries, n_ours;
	const struct xlb_dp_flow *flows;	/* the flows sent, NFLOWS * 8 */
	size_t n_flows;
	bool *found;
};

static bool same_tuple(const struct xlb_dp_flow *a, const struct xlb_dp_flow *b)
{
	return a->family == b->family && a->proto == b->proto &&
	       !memcmp(&a->client, &b->client, sizeof(a->client)) &&
	       !memcmp(&a->vip, &b->vip, sizeof(a->vip)) && a->client_port == b->client_port &&
	       a->vip_port == b->vip_port;
}

static int seen_one(const struct xlb_dp_flow *f, void *arg)
{
	struct seen *s = arg;
	size_t i;

	s->n_entries++;
	for (i = 0; i < s->n_flows; i++) {
		if (!same_tuple(f, &s->flows[i]))
			continue;
		if (s->found[i])
			return -EEXIST;	/* seen twice */
		s->found[i] = true;
		s->n_ours++;
		if (f->backend_id != s->flows[i].backend_id || f->hash != s->flows[i].hash)
			return -EBADMSG;
	}
	return 0;
}

/* The VIP's table built again from the same backends, as xlbd does when
 * it may not read the datapath's. */
static __u32 computed_pick(struct bal *b, const struct bal_vip *v, __u32 hash)
{
	struct maglev_backend mb[NBE] = {};
	static __u32 ring[RING];
	size_t n;

	for (n = 0; n < NBE && v->be[n]; n++) {
		mb[n].id = v->be[n];
		mb[n].weight = 1;
		mb[n].addr = b->be[v->be[n]].addr;
		mb[n].family = b->be[v->be[n]].family;
	}
	if (!ASSERT_OK(maglev_build(mb, n, ring, RING), "maglev_build"))
		return 0;
	return ring[hash % RING];
}

void test_balancer_flow_read(void)
{
	static const struct {
		const char *vip;
		__u8 proto;
		__u16 port;
		__u16 flags;
	} vips[] = {
		{ BAL_VIP4, IPPROTO_TCP, 80, 0 },
		{ BAL_VIP4, IPPROTO_UDP, 53, XLB_VIP_F_HASH_SRC },
		{ BAL_VIP6, IPPROTO_TCP, 443, XLB_VIP_F_HASH_SRC },
		{ BAL_VIP6, IPPROTO_UDP, 53, 0 },
	};
	static struct xlb_dp_flow sent[ARRAY_SIZE(vips) * NFLOWS];
	static bool found[ARRAY_SIZE(vips) * NFLOWS];
	struct seen s = { .flows = sent, .found = found };
	static struct bal_run r;
	static struct pkt p;
	__u64 seed = 12;
	struct bal b;
	size_t v, n = 0;
	char addr[64];
	__u32 id;
	int i;

	if (!bal_open(&b))
		goto out;
	for (id = 1; id <= NBE; id++) {
		snprintf(addr, sizeof(addr), id % 2 ? "198.51.100.%u" : "2001:db8:be::%u", 10 + id);
		if (!bal_backend(&b, id, addr))
			goto out;
	}
	for (v = 0; v < ARRAY_SIZE(vips); v++) {
		struct bal_vip vip = { vips[v].vip, vips[v].proto, vips[v].port, v, vips[v].flags,
				       XLB_ENCAP_IPIP, .be = { 1, 2, 3, 4, 5, 6 },
				       .ring_size = RING };
		struct xlb_vip_key key = bal_vip_key(vips[v].vip, vips[v].proto, vips[v].port);
		bool by_src = vips[v].flags & XLB_VIP_F_HASH_SRC;

		if (!bal_vip(&b, &vip))
			goto out;
		for (i = 0; i < NFLOWS; i++) {
			struct xlb_dp_flow *f = &sent[n++], got;
			__u32 slot, ring_be, to;

			test_ctx("%s:%u/%s flow %d", vips[v].vip, vips[v].port,
				 vips[v].proto == IPPROTO_TCP ? "tcp" : "udp", i);
			memset(f, 0, sizeof(*f));
			pkt_addr_parse(vips[v].vip, &f->vip, &f->family);
			bal_client(&f->client, f->family, bal_rand(&seed));
			f->client_port = 1024 + bal_rand(&seed) % 64000;
			f->vip_port = vips[v].port;
			f->proto = vips[v].proto;
			/* an ACK (not a SYN): the datapath writes the entry */
			if (!ASSERT_OK(bal_pkt(&p, &f->client, vips[v].vip, f->proto, f->client_port,
					       f->vip_port, 0x10, 20), "build") ||
			    !bal_run(&b, p.buf, p.len, &r) || !ASSERT_EQ(r.act, XDP_TX, "action"))
				goto out;
			to = bal_forwarded_to(&b, p.buf, p.len, &r);
			got = *f;
			if (!to || !ASSERT_OK(xlb_dp_flow_get(b.dp, &got), "xlb_dp_flow_get"))
				goto out;
			ASSERT_EQ(got.backend_id, to, "the entry names the backend the packet went to");
			ASSERT_EQ(got.hash, xlb_dp_flow_hash(f, by_src),
				  "xlb_dp_flow_hash = the hash the datapath stored");
			ASSERT_EQ(got.vip_id, v, "vip id");
			if (!ASSERT_OK(xlb_dp_ring_slot(b.dp, &key, got.hash, &slot, &ring_be),
				       "xlb_dp_ring_slot"))
				goto out;
			ASSERT_EQ(slot, got.hash % RING, "slot = hash % size");
			ASSERT_EQ(ring_be, to, "the slot holds the backend");
			ASSERT_EQ(computed_pick(&b, &vip, got.hash), to,
				  "the table built again gives it too");
			f->backend_id = got.backend_id;
			f->hash = got.hash;
		}
	}
	test_ctx(NULL);
	/* a tuple the table does not have */
	{
		struct xlb_dp_flow none = sent[0];

		none.client_port ^= 1;
		ASSERT_EQ(xlb_dp_flow_get(b.dp, &none), -ENOENT, "no entry");
	}
	s.n_flows = n;
	ASSERT_OK(xlb_dp_flow_foreach(b.dp, seen_one, &s), "foreach: each once, as sent");
	ASSERT_EQ(s.n_ours, n, "every flow seen");
	ASSERT_EQ(s.n_entries, (size_t)bal_flows_count(&b), "as many entries as the table has");
out:
	test_ctx(NULL);
	bal_close(&b);
}
