// SPDX-License-Identifier: GPL-2.0
/*
 * The backend-side decapsulator (bpf/decap.bpf.c) through
 * BPF_PROG_TEST_RUN on the real object. Each case builds the inner frame
 * and the tunnelled frame with the packet builder, runs the tunnelled one
 * and compares: decapsulated output must be exactly the inner frame (same
 * MACs, VLAN tag kept, ethertype of the inner family); packets that are
 * not ours must come back untouched; ours-but-malformed ones are dropped;
 * and `decap_stats` counts rx plus exactly one of decap/pass/drop.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/decap.skel.h"
#include "../lib/pkt.h"
#include "../lib/test.h"

#define LOCAL4		"192.0.2.10"	/* in decap_addrs */
#define LOCAL6		"2001:db8::10"	/* in decap_addrs */
#define OTHER4		"192.0.2.11"
#define OTHER6		"2001:db8::11"
#define LB4		"198.51.100.1"	/* balancer: outer source */
#define LB6		"2001:db8:1b::1"
#define CLIENT4		"203.0.113.7"
#define CLIENT6		"2001:db8:c::7"
#define VIP4		"192.0.2.100"
#define VIP6		"2001:db8:f::100"
#define GUE_PORT	6080

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

enum l2 { L2_PLAIN, L2_VLAN, L2_QINQ_1AD, L2_TWO_TAGS, L2_MAX };
static const char *const l2_names[] = { "plain", "vlan", "802.1ad", "two tags" };

struct env {
	struct decap *skel;
	int prog_fd;
	int stats_fd;
	int cfg_fd;
	int ncpus;
};

static int env_set_gue_port(struct env *env, __u16 port)
{
	struct xlb_decap_config cfg = { .gue_port = htons(port) };
	__u32 zero = 0;

	return bpf_map_update_elem(env->cfg_fd, &zero, &cfg, BPF_ANY) ? -errno : 0;
}

static int env_add_addr(struct env *env, const char *str)
{
	struct xlb_decap_key key = {};
	__u8 val = 1;
	int err;

	err = pkt_addr_parse(str, &key.addr, &key.family);
	if (err)
		return err;
	return bpf_map_update_elem(bpf_map__fd(env->skel->maps.decap_addrs), &key,
				   &val, BPF_ANY) ? -errno : 0;
}

static bool env_open(struct env *env)
{
	memset(env, 0, sizeof(*env));
	env->skel = decap__open_and_load();
	if (!ASSERT_OK_PTR(env->skel, "decap__open_and_load"))
		return false;
	env->prog_fd = bpf_program__fd(env->skel->progs.xlb_decap);
	env->stats_fd = bpf_map__fd(env->skel->maps.decap_stats);
	env->cfg_fd = bpf_map__fd(env->skel->maps.decap_cfg);
	env->ncpus = libbpf_num_possible_cpus();
	if (!ASSERT_GT(env->ncpus, 0, "libbpf_num_possible_cpus"))
		return false;
	return ASSERT_OK(env_add_addr(env, LOCAL4), "add " LOCAL4) &&
	       ASSERT_OK(env_add_addr(env, LOCAL6), "add " LOCAL6) &&
	       ASSERT_OK(env_set_gue_port(env, GUE_PORT), "set GUE port");
}

static void env_close(struct env *env)
{
	decap__destroy(env->skel);
}

/* decap_stats summed over CPUs. */
static bool stats_read(struct env *env, __u64 out[XLB_DECAP_STAT_MAX])
{
	__u64 vals[env->ncpus];
	__u32 i;
	int c;

	for (i = 0; i < XLB_DECAP_STAT_MAX; i++) {
		if (!ASSERT_OK(bpf_map_lookup_elem(env->stats_fd, &i, vals) ? -errno : 0,
			       "read decap_stats"))
			return false;
		out[i] = 0;
		for (c = 0; c < env->ncpus; c++)
			out[i] += vals[c];
	}
	return true;
}

struct run {
	__u32 retval;
	__u8 out[PKT_BUF_SIZE];
	__u32 out_len;
};

static bool prog_run(struct env *env, const void *in, size_t len, struct run *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in,
		.data_size_in = len,
		.data_out = r->out,
		.data_size_out = sizeof(r->out),
		.repeat = 1,
	);
	int err;

	err = bpf_prog_test_run_opts(env->prog_fd, &opts);
	if (!ASSERT_OK(err ? -errno : 0, "bpf_prog_test_run_opts"))
		return false;
	r->retval = opts.retval;
	r->out_len = opts.data_size_out;
	return true;
}

/*
 * Runs one packet and checks the verdict, the output (want NULL: the input
 * itself) unless dropped, and that exactly rx and `stat` moved by one.
 */
static bool check_run(struct env *env, const void *in, size_t in_len,
		      __u32 want_act, const void *want, size_t want_len,
		      enum xlb_decap_stat stat)
{
	static const char *const names[] = XLB_DECAP_STAT_NAMES;
	__u64 before[XLB_DECAP_STAT_MAX], after[XLB_DECAP_STAT_MAX];
	static struct run r;
	bool ok = true;
	__u32 i;

	if (!stats_read(env, before) || !prog_run(env, in, in_len, &r) ||
	    !stats_read(env, after))
		return false;
	ok &= ASSERT_EQ(r.retval, want_act, "XDP action");
	if (want_act != XDP_DROP && r.retval == want_act) {
		if (!want) {
			want = in;
			want_len = in_len;
		}
		ok &= ASSERT_PKT_EQ(r.out, r.out_len, want, want_len, "output frame");
	}
	for (i = 0; i < XLB_DECAP_STAT_MAX; i++) {
		__u64 d = (i == XLB_DECAP_STAT_RX || i == stat) ? 1 : 0;

		if (!ASSERT_EQ(after[i] - before[i], d, names[i]))
			ok = false;
	}
	return ok;
}

/* --- packets --- */

/* Ethernet plus the L2 variant; the type of the last field comes from the
 * next layer. */
static void build_l2(struct pkt *p, enum l2 l2)
{
	struct pkt_eth eth = {};

	pkt_init(p);
	if (l2 == L2_QINQ_1AD || l2 == L2_TWO_TAGS)
		eth.type = 0x88a8;
	pkt_eth(p, &eth);
	if (l2 != L2_PLAIN)
		pkt_vlan(p, 100);
	if (l2 == L2_TWO_TAGS)
		pkt_vlan(p, 200);
}

static size_t l2_len(enum l2 l2)
{
	return l2 == L2_PLAIN ? 14 : l2 == L2_TWO_TAGS ? 22 : 18;
}

/* The packet the client sent: UDP with a payload, or a TCP segment. */
static int build_inner(struct pkt *p, enum l2 l2, bool v6, bool tcp, __u8 tos)
{
	build_l2(p, l2);
	pkt_ip(p, &(struct pkt_ip){ .src = v6 ? CLIENT6 : CLIENT4,
				    .dst = v6 ? VIP6 : VIP4, .tos = tos });
	if (tcp)
		pkt_tcp(p, &(struct pkt_tcp){ .sport = 40000, .dport = 80, .seq = 7,
					      .flags = TH_ACK | TH_PUSH, .len = 50 });
	else
		pkt_udp(p, &(struct pkt_udp){ .sport = 40000, .dport = 53, .len = 37 });
	return pkt_finish(p);
}

/* How the tunnelled frame is made. */
struct outer {
	const char *dst;	/* outer destination; family picks IPv4/IPv6 */
	__u8 proto;		/* IP-in-IP: 4 or 41 (or another); 0 with GUE */
	bool udp;		/* UDP to dport with gue[] then the inner packet */
	__u16 dport;		/* 0: GUE_PORT */
	__u8 gue[8];		/* GUE header bytes before the inner packet */
	size_t gue_len;
	__u8 tos;		/* outer TOS / traffic class */
	bool mf;		/* IPv4: more fragments */
	__u16 frag_off;		/* IPv4: fragment offset */
	bool opts;		/* IPv4: 4 bytes of options */
	bool ext;		/* IPv6: a destination-options header first */
};

/* Tunnelled frame: `l2`, the outer headers `o`, then `inner` bytes (an IP
 * packet, or anything a malformed case wants). */
static int build_outer(struct pkt *p, enum l2 l2, const struct outer *o,
		       const void *inner, size_t inner_len)
{
	static const __u8 nop_opts[4] = { 1, 1, 1, 0 }; /* NOP NOP NOP EOL */
	static __u8 body[PKT_BUF_SIZE];
	bool v6 = strchr(o->dst, ':') != NULL;

	build_l2(p, l2);
	pkt_ip(p, &(struct pkt_ip){ .src = v6 ? LB6 : LB4, .dst = o->dst,
				    .tos = o->tos, .proto = o->udp || o->ext ? 0 : o->proto,
				    .mf = o->mf, .frag_off = o->frag_off,
				    .opts = o->opts ? nop_opts : NULL,
				    .opts_len = o->opts ? sizeof(nop_opts) : 0 });
	if (o->ext)
		pkt_ip6_ext(p, &(struct pkt_ip6_ext){ .type = IPPROTO_DSTOPTS,
						      .proto = o->udp ? 0 : o->proto });
	if (!o->udp)
		return pkt_payload(p, inner, inner_len) < 0 ? p->err : pkt_finish(p);

	memcpy(body, o->gue, o->gue_len);
	memcpy(body + o->gue_len, inner, inner_len);
	pkt_udp(p, &(struct pkt_udp){ .sport = 51234,
				      .dport = o->dport ? o->dport : GUE_PORT,
				      .payload = body, .len = o->gue_len + inner_len });
	return pkt_finish(p);
}

/* The inner IP packet of a built inner frame. */
static const __u8 *ip_of(const struct pkt *p, enum l2 l2, size_t *len)
{
	*len = p->len - l2_len(l2);
	return p->buf + l2_len(l2);
}

/* --- encapsulations that must come out as the inner frame --- */

struct encap_case {
	const char *name;
	bool inner_v6;
	bool inner_tcp;
	struct outer o;
};

#define GUE0(proto, hlen)	.udp = true, .gue = { (hlen), (proto), 0, 0 }, \
				.gue_len = 4 + (hlen) * 4

static const struct encap_case encap_cases[] = {
	{ "4in4", false, true, { .dst = LOCAL4, .proto = IPPROTO_IPIP } },
	{ "6in4", true, true, { .dst = LOCAL4, .proto = IPPROTO_IPV6 } },
	{ "6in6", true, false, { .dst = LOCAL6, .proto = IPPROTO_IPV6 } },
	{ "4in6", false, false, { .dst = LOCAL6, .proto = IPPROTO_IPIP } },
	{ "4in4 outer options", false, false,
	  { .dst = LOCAL4, .proto = IPPROTO_IPIP, .opts = true } },
	{ "4in4 outer DF and DSCP", false, true,
	  { .dst = LOCAL4, .proto = IPPROTO_IPIP, .tos = 0xb8 } },
	{ "gue1 4 over 4", false, true, { .dst = LOCAL4, .udp = true } },
	{ "gue1 6 over 4", true, false, { .dst = LOCAL4, .udp = true } },
	{ "gue1 4 over 6", false, false, { .dst = LOCAL6, .udp = true } },
	{ "gue1 6 over 6", true, true, { .dst = LOCAL6, .udp = true } },
	{ "gue0 4 over 4", false, true, { .dst = LOCAL4, GUE0(IPPROTO_IPIP, 0) } },
	{ "gue0 6 over 6", true, false, { .dst = LOCAL6, GUE0(IPPROTO_IPV6, 0) } },
	{ "gue0 6 over 4, 1 option word", true, true,
	  { .dst = LOCAL4, GUE0(IPPROTO_IPV6, 1) } },
	{ "gue0 4 over 6, flags set", false, false,
	  { .dst = LOCAL6, .udp = true, .gue = { 0, IPPROTO_IPIP, 0x80, 0x00 },
	    .gue_len = 4 } },
};

/* Outer header bytes a case adds after L2 (IP, UDP, GUE). */
static size_t outer_len(const struct outer *o)
{
	size_t n = strchr(o->dst, ':') ? 40 : 20;

	if (o->opts)
		n += 4;
	if (o->ext)
		n += 8;
	if (o->udp)
		n += 8 + o->gue_len;
	return n;
}

void test_decap_encaps(void)
{
	static struct pkt inner, outer;
	const struct encap_case *c;
	struct env env;
	size_t ip_len;
	const __u8 *ip;
	enum l2 l2;

	if (!env_open(&env))
		goto out;
	for (c = encap_cases; c < encap_cases + ARRAY_SIZE(encap_cases); c++) {
		for (l2 = L2_PLAIN; l2 <= L2_QINQ_1AD; l2++) {
			test_ctx("%s, %s", c->name, l2_names[l2]);
			if (!ASSERT_OK(build_inner(&inner, l2, c->inner_v6, c->inner_tcp, 0),
				       "build inner"))
				continue;
			ip = ip_of(&inner, l2, &ip_len);
			if (!ASSERT_OK(build_outer(&outer, l2, &c->o, ip, ip_len),
				       "build outer"))
				continue;
			check_run(&env, outer.buf, outer.len, XDP_PASS, inner.buf,
				  inner.len, XLB_DECAP_STAT_DECAP);
		}
	}
	test_ctx(NULL);
out:
	env_close(&env);
}

/*
 * Every length from the bare Ethernet header to one byte short of the
 * whole frame: a cut inside the outer IP/UDP headers is not provably ours
 * (pass, untouched), a cut in the GUE header or the inner IP header is
 * ours and unusable (drop), a cut in the inner payload still decapsulates
 * (the kernel checks the inner lengths). Never XDP_ABORTED.
 */
void test_decap_truncated(void)
{
	static struct pkt inner, outer;
	const struct encap_case *c;
	size_t len, ip_len, ol, udp_end;
	struct env env;
	const __u8 *ip;
	enum l2 l2;

	if (!env_open(&env))
		goto out;
	for (c = encap_cases; c < encap_cases + ARRAY_SIZE(encap_cases); c++) {
		for (l2 = L2_PLAIN; l2 <= L2_VLAN; l2++) {
			if (!ASSERT_OK(build_inner(&inner, l2, c->inner_v6, c->inner_tcp, 0),
				       "build inner"))
				continue;
			ip = ip_of(&inner, l2, &ip_len);
			if (!ASSERT_OK(build_outer(&outer, l2, &c->o, ip, ip_len),
				       "build outer"))
				continue;
			/* end of the outer IP (and UDP) header, before GUE */
			ol = outer_len(&c->o);
			udp_end = l2_len(l2) + ol - c->o.gue_len;
			for (len = ETH_HLEN; len < outer.len; len++) {
				size_t inner_hdr = c->inner_v6 ? 40 : 20;

				test_ctx("%s, %s, %zu of %zu bytes", c->name,
					 l2_names[l2], len, outer.len);
				if (len < udp_end) {
					if (!check_run(&env, outer.buf, len, XDP_PASS, NULL, 0,
						       XLB_DECAP_STAT_PASS))
						break;
				} else if (len < l2_len(l2) + ol + inner_hdr) {
					if (!check_run(&env, outer.buf, len, XDP_DROP, NULL, 0,
						       XLB_DECAP_STAT_DROP))
						break;
				} else if (!check_run(&env, outer.buf, len, XDP_PASS,
						      inner.buf, len - ol,
						      XLB_DECAP_STAT_DECAP)) {
					break;
				}
			}
		}
	}
	test_ctx(NULL);
out:
	env_close(&env);
}

/* --- not ours: passed untouched --- */

struct pass_case {
	const char *name;
	enum l2 l2;
	struct outer o;
};

static const struct pass_case pass_cases[] = {
	{ "4in4 to another address", L2_PLAIN, { .dst = OTHER4, .proto = IPPROTO_IPIP } },
	{ "6in6 to another address", L2_VLAN, { .dst = OTHER6, .proto = IPPROTO_IPV6 } },
	{ "gue1 to another address", L2_PLAIN, { .dst = OTHER4, .udp = true } },
	{ "gue to another port", L2_PLAIN, { .dst = LOCAL4, .udp = true, .dport = 6081 } },
	{ "gue6 to another port", L2_VLAN, { .dst = LOCAL6, .udp = true, .dport = 53 } },
	{ "GRE to our address", L2_PLAIN, { .dst = LOCAL4, .proto = IPPROTO_GRE } },
	{ "outer first fragment", L2_PLAIN,
	  { .dst = LOCAL4, .proto = IPPROTO_IPIP, .mf = true } },
	{ "outer later fragment", L2_PLAIN,
	  { .dst = LOCAL4, .proto = IPPROTO_IPIP, .frag_off = 64 } },
	{ "outer IPv6 extension header", L2_PLAIN,
	  { .dst = LOCAL6, .proto = IPPROTO_IPV6, .ext = true } },
	{ "two VLAN tags", L2_TWO_TAGS, { .dst = LOCAL4, .proto = IPPROTO_IPIP } },
};

void test_decap_not_ours(void)
{
	static const struct outer ipip4 = { .dst = LOCAL4, .proto = IPPROTO_IPIP };
	static const struct outer gue4 = { .dst = LOCAL4, .udp = true };
	static struct pkt inner, p;
	const struct pass_case *c;
	struct env env;
	size_t ip_len;
	const __u8 *ip;

	if (!env_open(&env))
		goto out;
	if (!ASSERT_OK(build_inner(&inner, L2_PLAIN, false, true, 0), "build inner"))
		goto out;
	ip = ip_of(&inner, L2_PLAIN, &ip_len);

	for (c = pass_cases; c < pass_cases + ARRAY_SIZE(pass_cases); c++) {
		test_ctx("%s", c->name);
		if (!ASSERT_OK(build_outer(&p, c->l2, &c->o, ip, ip_len), "build"))
			continue;
		check_run(&env, p.buf, p.len, XDP_PASS, NULL, 0, XLB_DECAP_STAT_PASS);
	}

	test_ctx("plain TCP to our IPv4 address");
	if (ASSERT_OK(pkt_tcp_flow(&p, CLIENT4, 1000, LOCAL4, 22, TH_SYN), "build"))
		check_run(&env, p.buf, p.len, XDP_PASS, NULL, 0, XLB_DECAP_STAT_PASS);
	test_ctx("plain UDP to our IPv6 address");
	if (ASSERT_OK(pkt_udp_flow(&p, CLIENT6, 1000, LOCAL6, 53, NULL, 20), "build"))
		check_run(&env, p.buf, p.len, XDP_PASS, NULL, 0, XLB_DECAP_STAT_PASS);

	test_ctx("ARP");
	pkt_init(&p);
	pkt_eth(&p, &(struct pkt_eth){ .type = ETH_P_ARP });
	pkt_payload(&p, NULL, 28);
	if (ASSERT_OK(pkt_finish(&p), "build"))
		check_run(&env, p.buf, p.len, XDP_PASS, NULL, 0, XLB_DECAP_STAT_PASS);

	/* the kernel, not the decapsulator, reports a broken outer header */
	test_ctx("outer IPv4 ihl 4");
	if (ASSERT_OK(build_outer(&p, L2_PLAIN, &ipip4, ip, ip_len), "build")) {
		p.buf[ETH_HLEN] = 0x44;
		check_run(&env, p.buf, p.len, XDP_PASS, NULL, 0, XLB_DECAP_STAT_PASS);
	}

	test_ctx("GUE while GUE is off");
	if (ASSERT_OK(env_set_gue_port(&env, 0), "GUE off") &&
	    ASSERT_OK(build_outer(&p, L2_PLAIN, &gue4, ip, ip_len), "build"))
		check_run(&env, p.buf, p.len, XDP_PASS, NULL, 0, XLB_DECAP_STAT_PASS);
	test_ctx(NULL);
out:
	env_close(&env);
}

/* --- ours but unusable: dropped --- */

struct drop_case {
	const char *name;
	bool inner_v6;		/* inner packet built */
	int keep;		/* inner bytes kept; -1: all */
	int poke_at;		/* inner byte to overwrite; -1: none */
	__u8 poke;
	struct outer o;
};

static const struct drop_case drop_cases[] = {
	{ "4in4 inner header cut", false, 19, -1, 0, { .dst = LOCAL4, .proto = IPPROTO_IPIP } },
	{ "6in6 inner header cut", true, 39, -1, 0, { .dst = LOCAL6, .proto = IPPROTO_IPV6 } },
	{ "4in4 no inner packet", false, 0, -1, 0, { .dst = LOCAL4, .proto = IPPROTO_IPIP } },
	{ "proto 4 carrying IPv6", true, -1, -1, 0, { .dst = LOCAL4, .proto = IPPROTO_IPIP } },
	{ "proto 41 carrying IPv4", false, -1, -1, 0, { .dst = LOCAL6, .proto = IPPROTO_IPV6 } },
	{ "inner IPv4 ihl 4", false, -1, 0, 0x44, { .dst = LOCAL4, .proto = IPPROTO_IPIP } },
	{ "inner IPv4 options past the end", false, 28, 0, 0x4f,
	  { .dst = LOCAL4, .proto = IPPROTO_IPIP } },
	{ "gue1 inner header cut", true, 30, -1, 0, { .dst = LOCAL4, .udp = true } },
	{ "gue1 first nibble 5", false, -1, 0, 0x55, { .dst = LOCAL4, .udp = true } },
	{ "gue0 control message", false, -1, -1, 0,
	  { .dst = LOCAL4, .udp = true, .gue = { 0x20, IPPROTO_IPIP, 0, 0 }, .gue_len = 4 } },
	{ "gue0 proto UDP", false, -1, -1, 0, { .dst = LOCAL6, GUE0(IPPROTO_UDP, 0) } },
	{ "gue0 says IPv6, carries IPv4", false, -1, -1, 0,
	  { .dst = LOCAL4, GUE0(IPPROTO_IPV6, 0) } },
	{ "gue version 2", false, -1, -1, 0,
	  { .dst = LOCAL4, .udp = true, .gue = { 0x80, IPPROTO_IPIP, 0, 0 }, .gue_len = 4 } },
	{ "gue0 options past the end", false, 20, -1, 0,
	  { .dst = LOCAL4, .udp = true, .gue = { 0x1f, IPPROTO_IPIP, 0, 0 }, .gue_len = 4 } },
	{ "gue0 header cut", false, 0, -1, 0,
	  { .dst = LOCAL4, .udp = true, .gue = { 0x00, IPPROTO_IPIP }, .gue_len = 2 } },
	{ "gue empty UDP payload", false, 0, -1, 0,
	  { .dst = LOCAL6, .udp = true, .gue_len = 0 } },
};

void test_decap_malformed(void)
{
	static struct pkt inner, p;
	const struct drop_case *c;
	static __u8 ip[PKT_BUF_SIZE];
	const __u8 *src;
	struct env env;
	size_t ip_len;

	if (!env_open(&env))
		goto out;
	for (c = drop_cases; c < drop_cases + ARRAY_SIZE(drop_cases); c++) {
		test_ctx("%s", c->name);
		if (!ASSERT_OK(build_inner(&inner, L2_PLAIN, c->inner_v6, false, 0),
			       "build inner"))
			continue;
		src = ip_of(&inner, L2_PLAIN, &ip_len);
		memcpy(ip, src, ip_len);
		if (c->keep >= 0)
			ip_len = c->keep;
		if (c->poke_at >= 0)
			ip[c->poke_at] = c->poke;
		if (!ASSERT_OK(build_outer(&p, L2_VLAN, &c->o, ip, ip_len), "build"))
			continue;
		check_run(&env, p.buf, p.len, XDP_DROP, NULL, 0, XLB_DECAP_STAT_DROP);
	}
	test_ctx(NULL);
out:
	env_close(&env);
}

/*
 * RFC 6040 sec 4.2, figure 4: the inner ECN field after decapsulation, by
 * arriving inner (rows) and outer (columns) field; -1 is a drop.
 * Codepoints: 0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE.
 */
static const int ecn_table[4][4] = {
	/* outer: Not-ECT ECT(1) ECT(0) CE */
	[0] = { 0, 0, 0, -1 },		/* inner Not-ECT */
	[1] = { 1, 1, 1, 3 },		/* inner ECT(1) */
	[2] = { 2, 1, 2, 3 },		/* inner ECT(0) */
	[3] = { 3, 3, 3, 3 },		/* inner CE */
};

void test_decap_ecn(void)
{
	static const struct {
		bool inner_v6;
		struct outer o;
	} outers[] = {
		{ false, { .dst = LOCAL4, .proto = IPPROTO_IPIP } },
		{ true, { .dst = LOCAL6, .proto = IPPROTO_IPV6 } },
		{ false, { .dst = LOCAL6, .udp = true } },
		{ true, { .dst = LOCAL4, GUE0(IPPROTO_IPV6, 0) } },
	};
	static struct pkt inner, want, outer;
	const __u8 dscp = 0x2e << 2;	/* EF: must survive untouched */
	struct env env;
	int in, out, o;
	size_t ip_len;
	const __u8 *ip;

	if (!env_open(&env))
		goto out;
	for (o = 0; o < (int)ARRAY_SIZE(outers); o++) {
		bool v6 = outers[o].inner_v6;

		for (in = 0; in < 4; in++) {
			for (out = 0; out < 4; out++) {
				struct outer ov = outers[o].o;
				int res = ecn_table[in][out];

				test_ctx("case %d, inner ECN %d, outer ECN %d", o, in, out);
				ov.tos = out;
				if (!ASSERT_OK(build_inner(&inner, L2_PLAIN, v6, true, dscp | in),
					       "build inner"))
					continue;
				ip = ip_of(&inner, L2_PLAIN, &ip_len);
				if (!ASSERT_OK(build_outer(&outer, L2_PLAIN, &ov, ip, ip_len),
					       "build outer"))
					continue;
				if (res < 0) {
					check_run(&env, outer.buf, outer.len, XDP_DROP, NULL, 0,
						  XLB_DECAP_STAT_DROP);
					continue;
				}
				/* built afresh, so the IPv4 checksum is computed
				 * independently of the program's incremental one */
				if (!ASSERT_OK(build_inner(&want, L2_PLAIN, v6, true, dscp | res),
					       "build expected"))
					continue;
				check_run(&env, outer.buf, outer.len, XDP_PASS, want.buf,
					  want.len, XLB_DECAP_STAT_DECAP);
			}
		}
	}
	test_ctx(NULL);
out:
	env_close(&env);
}

/* Below the Ethernet header the kernel refuses the run or the program
 * passes it; it never aborts. */
void test_decap_runt(void)
{
	static const __u8 frame[ETH_HLEN] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	static __u8 out_buf[64];
	struct env env;
	size_t len;

	if (!env_open(&env))
		goto out;
	for (len = 0; len <= ETH_HLEN; len++) {
		int err;

		test_ctx("%zu bytes", len);
		opts.data_in = frame;
		opts.data_size_in = len;
		opts.data_out = out_buf;
		opts.data_size_out = sizeof(out_buf);
		opts.repeat = 1;
		opts.retval = XDP_ABORTED;
		err = bpf_prog_test_run_opts(env.prog_fd, &opts);
		if (err)
			continue;
		ASSERT_EQ(opts.retval, XDP_PASS, "runt passed");
	}
	test_ctx(NULL);
out:
	env_close(&env);
}
