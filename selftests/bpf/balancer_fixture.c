// SPDX-License-Identifier: GPL-2.0
/*
 * Shared fixture of the balancer's packet tests (API and rationale in
 * balancer_fixture.h): open and program the real balancer through the
 * agent's map code, run frames, check counters and encapsulated output.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "maps/maglev.h"
#include "balancer_fixture.h"
#include "../lib/test.h"

static const char *const stat_names[XLB_STAT_MAX] = XLB_STAT_NAMES;
static const char *const sc_names[XLB_SC_STAT_MAX] = XLB_SC_STAT_NAMES;

bool bal_open(struct bal *b)
{
	struct xlb_dp_opts opts = {
		.flow_entries = BAL_FLOWS,
		.frag_entries = BAL_FRAGS,
		.mode = XLB_DP_MODE_NONE,
	};

	memset(b, 0, sizeof(*b));
	if (!ASSERT_OK(xlb_dp_open(&opts, &b->dp), "xlb_dp_open")) {
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

void bal_close(struct bal *b)
{
	xlb_dp_close(b->dp);
	b->dp = NULL;
}

bool bal_config_write(struct bal *b)
{
	return ASSERT_OK(xlb_dp_config_set(b->dp, &b->cfg), "xlb_dp_config_set");
}

bool bal_backend(struct bal *b, __u32 id, const char *addr)
{
	struct xlb_backend be = {
		.flags = XLB_BE_F_PRESENT | XLB_BE_F_NEXTHOP,
		.smac = BAL_NH_SMAC,
		.dmac = BAL_NH_DMAC(id),
	};

	if (!ASSERT_LT(id, BAL_MAX_BE, "backend id") ||
	    !ASSERT_OK(pkt_addr_parse(addr, &be.addr, &be.family), addr))
		return false;
	b->be[id] = be;
	return bal_backend_write(b, id);
}

bool bal_backend_write(struct bal *b, __u32 id)
{
	return ASSERT_OK(xlb_dp_backend_set(b->dp, id, &b->be[id]), "xlb_dp_backend_set");
}

struct xlb_vip_key bal_vip_key(const char *addr, __u8 proto, __u16 port)
{
	struct xlb_vip_key key = { .port = htons(port), .proto = proto };

	pkt_addr_parse(addr, &key.addr, &key.family);
	return key;
}

bool bal_ring(struct bal *b, const struct bal_vip *v, __u32 *ring)
{
	struct maglev_backend mb[BAL_MAX_BE] = {};
	__u32 size = v->ring_size ? v->ring_size : XLB_RING_DEFAULT;
	size_t n;

	for (n = 0; n < BAL_MAX_BE && v->be[n]; n++) {
		__u32 id = v->be[n];

		if (!ASSERT_LT(id, BAL_MAX_BE, "vip backend id"))
			return false;
		mb[n].id = id;
		mb[n].weight = v->weight[n] ? v->weight[n] : 1;
		mb[n].addr = b->be[id].addr;
		mb[n].family = b->be[id].family;
	}
	return ASSERT_OK(maglev_build(mb, n, ring, size), "maglev_build");
}

int bal_vip_prev(struct bal *b, const struct bal_vip *v, const struct bal_vip *prev)
{
	struct xlb_vip_key key = bal_vip_key(v->addr, v->proto, v->port);
	__u32 size = v->ring_size ? v->ring_size : XLB_RING_DEFAULT;
	struct xlb_vip vip = {
		.id = v->id,
		.flags = v->flags,
		.encap = v->encap,
		.gue_port = htons(v->gue_port ? v->gue_port : XLB_GUE_PORT_DEFAULT),
	};
	__u32 *ring, *pring = NULL;
	int err = -ENOMEM;

	ring = calloc(size, sizeof(*ring));
	if (prev)
		pring = calloc(size, sizeof(*pring));
	if (!ASSERT_TRUE(ring && (!prev || pring), "ring allocation"))
		goto out;
	err = -EINVAL;
	if (prev) {
		/* the previous table of the current one's size */
		struct bal_vip pv = *prev;

		pv.ring_size = size;
		if (!bal_ring(b, &pv, pring))
			goto out;
	}
	if (!bal_ring(b, v, ring))
		goto out;
	if (prev)
		maglev_prev_merge(ring, pring, size);
	err = xlb_dp_vip_set(b->dp, &key, &vip, ring, size);
out:
	free(ring);
	free(pring);
	return err;
}

bool bal_vip(struct bal *b, const struct bal_vip *v)
{
	return ASSERT_OK(bal_vip_prev(b, v, NULL), "xlb_dp_vip_set");
}

bool bal_flows_clear(struct bal *b)
{
	int fd = xlb_dp_map_fd(b->dp, "flows");
	struct xlb_flow_key key;

	if (!ASSERT_GE(fd, 0, "flows map"))
		return false;
	while (!bpf_map_get_next_key(fd, NULL, &key))
		if (!ASSERT_OK(bpf_map_delete_elem(fd, &key) ? -errno : 0, "delete flow"))
			return false;
	return true;
}

int bal_flows_count(struct bal *b)
{
	int fd = xlb_dp_map_fd(b->dp, "flows"), n = 0;
	struct xlb_flow_key key, next;
	void *prev = NULL;

	if (!ASSERT_GE(fd, 0, "flows map"))
		return -1;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

bool bal_run_ifindex(struct bal *b, const void *in, size_t len, __u32 ingress_ifindex,
		     struct bal_run *r)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ingress_ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in,
		.data_size_in = len,
		.data_out = r->out,
		.data_size_out = sizeof(r->out),
		.ctx_in = ingress_ifindex ? &ctx : NULL,
		.ctx_size_in = ingress_ifindex ? sizeof(ctx) : 0,
		/* repeat > 1 would feed the program its own output */
		.repeat = 1,
	);
	int err;

	err = bpf_prog_test_run_opts(b->prog_fd, &opts);
	if (!ASSERT_OK(err ? -errno : 0, "bpf_prog_test_run_opts"))
		return false;
	r->act = opts.retval;
	r->len = opts.data_size_out;
	return ASSERT_NEQ(r->act, XDP_ABORTED, "never XDP_ABORTED");
}

bool bal_run(struct bal *b, const void *in, size_t len, struct bal_run *r)
{
	return bal_run_ifindex(b, in, len, 0, r);
}

bool bal_stats_read(struct bal *b, __u64 out[BAL_NSTATS])
{
	if (!ASSERT_OK(xlb_dp_sc_stats_read(b->dp, out + XLB_STAT_MAX), "xlb_dp_sc_stats_read"))
		return false;
	return ASSERT_OK(xlb_dp_stats_read(b->dp, out), "xlb_dp_stats_read");
}

bool bal_stats_snap(struct bal *b)
{
	return bal_stats_read(b, b->snap);
}

bool bal_stats_check(struct bal *b, __u64 rx, const int *moved)
{
	__u64 now[BAL_NSTATS], want[BAL_NSTATS] = { [XLB_STAT_RX] = rx };
	bool ok = true;
	int i;

	if (moved[0] == BAL_PAIRS) {
		for (i = 1; moved[i] >= 0 && moved[i + 1] >= 0; i += 2)
			want[moved[i]] += moved[i + 1];
	} else {
		for (i = 0; moved[i] >= 0; i++)
			want[moved[i]]++;
	}
	if (!bal_stats_read(b, now))
		return false;
	for (i = 0; i < BAL_NSTATS; i++)
		ok &= ASSERT_EQ(now[i] - b->snap[i], want[i],
				i < XLB_STAT_MAX ? stat_names[i] : sc_names[i - XLB_STAT_MAX]);
	memcpy(b->snap, now, sizeof(now));
	return ok;
}

bool bal_check(struct bal *b, const void *in, size_t len, __u32 want_act, const int *moved,
	       struct bal_run *r)
{
	bool ok;

	if (!bal_run(b, in, len, r))
		return false;
	ok = ASSERT_EQ(r->act, want_act, "XDP action");
	return bal_stats_check(b, 1, moved) && ok;
}

bool bal_check_untouched(struct bal *b, const void *in, size_t len, enum xlb_stat reason)
{
	static struct bal_run r;

	if (!bal_check(b, in, len, XDP_PASS, BAL_STATS(XLB_STAT_PASS, reason), &r))
		return false;
	return ASSERT_PKT_EQ(r.out, r.len, in, len, "passed untouched");
}

bool bal_inner_of(const void *frame, size_t len, size_t *off, size_t *ip_len)
{
	struct pkt_info info;

	if (!ASSERT_OK(pkt_parse(frame, len, &info), "parse frame"))
		return false;
	*off = info.l3;
	*ip_len = info.l3_len;
	return ASSERT_LE(info.l3 + info.l3_len, len, "IP length within the frame");
}

static __u16 get16(const __u8 *b)
{
	return b[0] << 8 | b[1];
}

bool bal_outer_parse(const void *frame, size_t len, struct bal_outer *o)
{
	const __u8 *f = frame;
	__u8 proto;

	memset(o, 0, sizeof(*o));
	o->l2 = 14;
	if (len >= 14 && (get16(f + 12) == 0x8100 || get16(f + 12) == 0x88a8))
		o->l2 = 18;
	o->l3 = o->l2;
	if (!ASSERT_GE(len, o->l3 + 20, "outer header present"))
		return false;
	if (f[o->l3] >> 4 == 4) {
		o->family = XLB_FAMILY_V4;
		proto = f[o->l3 + 9];
		memcpy(&o->dst.v4, f + o->l3 + 16, 4);
		o->inner = o->l3 + 20;
	} else {
		if (!ASSERT_GE(len, o->l3 + 40, "outer IPv6 header present"))
			return false;
		o->family = XLB_FAMILY_V6;
		proto = f[o->l3 + 6];
		memcpy(&o->dst, f + o->l3 + 24, 16);
		o->inner = o->l3 + 40;
	}
	if (proto == IPPROTO_UDP) {
		o->udp = o->inner;
		o->inner += 8;
		/* GUE variant 0: a header (and a hop) before the inner packet */
		if (len > o->inner && f[o->inner] >> 6 == 0) {
			size_t hlen = (f[o->inner] & 0x1f) * 4;

			o->gue = o->inner;
			if (!ASSERT_GE(len, o->gue + 4 + hlen, "GUE header present"))
				return false;
			if ((hlen == 8 || hlen == 20) && get16(f + o->gue + 4) == XLB_GUE_HOP_TYPE) {
				o->has_hop = true;
				memcpy(&o->hop, f + o->gue + 8, hlen - 4);
			}
			o->inner = o->gue + 4 + hlen;
		}
	} else if (!ASSERT_TRUE(proto == IPPROTO_IPIP || proto == IPPROTO_IPV6,
				"outer protocol is IPIP, IPv6 or UDP")) {
		return false;
	}
	if (!ASSERT_LT(o->inner, len, "inner packet present"))
		return false;
	o->inner_family = f[o->inner] >> 4;
	return true;
}

__u32 bal_forwarded_to(struct bal *b, const void *in, size_t in_len, const struct bal_run *r)
{
	struct bal_outer o;
	size_t off, ip_len;
	__u32 id;

	if (!bal_inner_of(in, in_len, &off, &ip_len) || !bal_outer_parse(r->out, r->len, &o))
		return 0;
	if (!ASSERT_EQ(o.l2, off, "L2 length kept") ||
	    !ASSERT_PKT_EQ(r->out + o.inner, r->len - o.inner, (const __u8 *)in + off, ip_len,
			   "inner packet"))
		return 0;
	for (id = 1; id < BAL_MAX_BE; id++)
		if (b->be[id].family == o.family && !memcmp(&b->be[id].addr, &o.dst, 16))
			return id;
	test_fail("outer destination is no backend");
	return 0;
}

int bal_pkt(struct pkt *p, const union xlb_addr *src, const char *dst, __u8 proto, __u16 sport,
	    __u16 dport, __u8 flags, size_t len)
{
	union xlb_addr d;
	__u8 family;

	if (pkt_addr_parse(dst, &d, &family))
		return -EINVAL;
	pkt_init(p);
	pkt_eth(p, NULL);
	pkt_ip(p, &(struct pkt_ip){ .saddr = *src, .daddr = d, .family = family });
	if (proto == IPPROTO_TCP)
		pkt_tcp(p, &(struct pkt_tcp){ .sport = sport, .dport = dport, .seq = 1,
					      .flags = flags, .len = len });
	else
		pkt_udp(p, &(struct pkt_udp){ .sport = sport, .dport = dport, .len = len });
	return pkt_finish(p);
}

int bal_pkt_str(struct pkt *p, const char *src, const char *dst, __u8 proto, __u16 sport,
		__u16 dport, __u8 flags, size_t len)
{
	union xlb_addr s;

	if (pkt_addr_parse(src, &s, NULL))
		return -EINVAL;
	return bal_pkt(p, &s, dst, proto, sport, dport, flags, len);
}

int bal_pkt_icmp_err(struct pkt *p, const struct bal_icmp_err *e)
{
	static struct pkt quoted;
	size_t len;

	pkt_init(&quoted);
	pkt_ip(&quoted, &(struct pkt_ip){ .src = e->vip, .dst = e->client });
	if (e->proto == IPPROTO_TCP)
		pkt_tcp(&quoted, &(struct pkt_tcp){ .sport = e->vport, .dport = e->cport,
						    .seq = 99, .ack = 1, .flags = TH_ACK,
						    .len = e->len });
	else
		pkt_udp(&quoted, &(struct pkt_udp){ .sport = e->vport, .dport = e->cport,
						    .len = e->len });
	if (pkt_finish(&quoted))
		return quoted.err;
	len = e->quote && e->quote < quoted.len ? e->quote : quoted.len;

	pkt_init(p);
	pkt_eth(p, NULL);
	pkt_ip(p, &(struct pkt_ip){ .src = e->from, .dst = e->vip });
	pkt_icmp(p, &(struct pkt_icmp){ .type = e->type, .code = e->code, .rest = e->rest,
					.payload = quoted.buf, .len = len });
	return pkt_finish(p);
}

int bal_try_run(struct bal *b, const void *in, size_t len, struct bal_run *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in,
		.data_size_in = len,
		.data_out = r->out,
		.data_size_out = sizeof(r->out),
		.repeat = 1,
	);

	if (bpf_prog_test_run_opts(b->prog_fd, &opts))
		return -errno;
	r->act = opts.retval;
	r->len = opts.data_size_out;
	return 0;
}

__u32 bal_rand(__u64 *state)
{
	__u64 x = *state ? *state : 0x9e3779b97f4a7c15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (x * 0x2545f4914f6cdd1dULL) >> 32;
}

void bal_client(union xlb_addr *a, __u8 family, __u32 n)
{
	memset(a, 0, sizeof(*a));
	if (family == XLB_FAMILY_V4) {
		a->v4 = htonl(0xc6120000 | (n & 0x1ffff)); /* 198.18.0.0/15 */
		return;
	}
	a->v6[0] = htonl(0x20010db8);
	a->v6[1] = htonl(0x000c0000);
	a->v6[3] = htonl(n);
}
