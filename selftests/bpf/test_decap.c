// SPDX-License-Identifier: GPL-2.0
/*
 * The backend-side decapsulator (bpf/decap.bpf.c) through
 * BPF_PROG_TEST_RUN on the real object. Each case builds the inner frame
 * and the tunnelled frame with the packet builder, runs the tunnelled one
 * and compares: decapsulated output must be exactly the inner frame (same
 * MACs, VLAN tag kept, ethertype of the inner family); packets that are
 * not ours must come back untouched; ours-but-malformed ones are dropped;
 * and `decap_stats` counts rx plus exactly one of decap/pass/drop. The
 * fixture is decap_fixture.c; the second-chance hop is test_decap_hop.c.
 */
#include <string.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "decap_fixture.h"
#include "../lib/test.h"

/* --- encapsulations that must come out as the inner frame --- */

struct encap_case {
	const char *name;
	bool inner_v6;
	bool inner_tcp;
	struct dcp_outer o;
};

#define GUE0(proto, hlen)	.udp = true, .gue = { (hlen), (proto), 0, 0 }, \
				.gue_len = 4 + (hlen) * 4

static const struct encap_case encap_cases[] = {
	{ "4in4", false, true, { .dst = DCP_LOCAL4, .proto = IPPROTO_IPIP } },
	{ "6in4", true, true, { .dst = DCP_LOCAL4, .proto = IPPROTO_IPV6 } },
	{ "6in6", true, false, { .dst = DCP_LOCAL6, .proto = IPPROTO_IPV6 } },
	{ "4in6", false, false, { .dst = DCP_LOCAL6, .proto = IPPROTO_IPIP } },
	{ "4in4 outer options", false, false,
	  { .dst = DCP_LOCAL4, .proto = IPPROTO_IPIP, .opts = true } },
	{ "4in4 outer DF and DSCP", false, true,
	  { .dst = DCP_LOCAL4, .proto = IPPROTO_IPIP, .tos = 0xb8 } },
	{ "gue1 4 over 4", false, true, { .dst = DCP_LOCAL4, .udp = true } },
	{ "gue1 6 over 4", true, false, { .dst = DCP_LOCAL4, .udp = true } },
	{ "gue1 4 over 6", false, false, { .dst = DCP_LOCAL6, .udp = true } },
	{ "gue1 6 over 6", true, true, { .dst = DCP_LOCAL6, .udp = true } },
	{ "gue0 4 over 4", false, true, { .dst = DCP_LOCAL4, GUE0(IPPROTO_IPIP, 0) } },
	{ "gue0 6 over 6", true, false, { .dst = DCP_LOCAL6, GUE0(IPPROTO_IPV6, 0) } },
	{ "gue0 6 over 4, 1 option word", true, true,
	  { .dst = DCP_LOCAL4, GUE0(IPPROTO_IPV6, 1) } },
	{ "gue0 4 over 6, flags set", false, false,
	  { .dst = DCP_LOCAL6, .udp = true, .gue = { 0, IPPROTO_IPIP, 0x80, 0x00 },
	    .gue_len = 4 } },
};

void test_decap_encaps(void)
{
	static struct pkt inner, outer;
	const struct encap_case *c;
	struct dcp_env env;
	size_t ip_len;
	const __u8 *ip;
	enum dcp_l2 l2;

	if (!dcp_open(&env))
		goto out;
	for (c = encap_cases; c < encap_cases + ARRAY_SIZE(encap_cases); c++) {
		for (l2 = L2_PLAIN; l2 <= L2_QINQ_1AD; l2++) {
			test_ctx("%s, %s", c->name, dcp_l2_names[l2]);
			if (!ASSERT_OK(dcp_build_inner(&inner, l2, c->inner_v6, c->inner_tcp, 0),
				       "build inner"))
				continue;
			ip = dcp_ip_of(&inner, l2, &ip_len);
			if (!ASSERT_OK(dcp_build_outer(&outer, l2, &c->o, ip, ip_len),
				       "build outer"))
				continue;
			dcp_check(&env, outer.buf, outer.len, XDP_PASS, inner.buf,
				  inner.len, XLB_DECAP_STAT_DECAP);
		}
	}
	test_ctx(NULL);
out:
	dcp_close(&env);
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
	struct dcp_env env;
	const __u8 *ip;
	enum dcp_l2 l2;

	if (!dcp_open(&env))
		goto out;
	for (c = encap_cases; c < encap_cases + ARRAY_SIZE(encap_cases); c++) {
		for (l2 = L2_PLAIN; l2 <= L2_VLAN; l2++) {
			if (!ASSERT_OK(dcp_build_inner(&inner, l2, c->inner_v6, c->inner_tcp, 0),
				       "build inner"))
				continue;
			ip = dcp_ip_of(&inner, l2, &ip_len);
			if (!ASSERT_OK(dcp_build_outer(&outer, l2, &c->o, ip, ip_len),
				       "build outer"))
				continue;
			/* end of the outer IP (and UDP) header, before GUE */
			ol = dcp_outer_len(&c->o);
			udp_end = dcp_l2_len(l2) + ol - c->o.gue_len;
			for (len = ETH_HLEN; len < outer.len; len++) {
				size_t inner_hdr = c->inner_v6 ? 40 : 20;

				test_ctx("%s, %s, %zu of %zu bytes", c->name,
					 dcp_l2_names[l2], len, outer.len);
				if (len < udp_end) {
					if (!dcp_check(&env, outer.buf, len, XDP_PASS, NULL, 0,
						       XLB_DECAP_STAT_PASS))
						break;
				} else if (len < dcp_l2_len(l2) + ol + inner_hdr) {
					if (!dcp_check(&env, outer.buf, len, XDP_DROP, NULL, 0,
						       XLB_DECAP_STAT_DROP))
						break;
				} else if (!dcp_check(&env, outer.buf, len, XDP_PASS,
						      inner.buf, len - ol,
						      XLB_DECAP_STAT_DECAP)) {
					break;
				}
			}
		}
	}
	test_ctx(NULL);
out:
	dcp_close(&env);
}

/* --- not ours: passed untouched --- */

struct pass_case {
	const char *name;
	enum dcp_l2 l2;
	struct dcp_outer o;
};

static const struct pass_case pass_cases[] = {
	{ "4in4 to another address", L2_PLAIN, { .dst = DCP_OTHER4, .proto = IPPROTO_IPIP } },
	{ "6in6 to another address", L2_VLAN, { .dst = DCP_OTHER6, .proto = IPPROTO_IPV6 } },
	{ "gue1 to another address", L2_PLAIN, { .dst = DCP_OTHER4, .udp = true } },
	{ "gue to another port", L2_PLAIN, { .dst = DCP_LOCAL4, .udp = true, .dport = 6081 } },
	{ "gue6 to another port", L2_VLAN, { .dst = DCP_LOCAL6, .udp = true, .dport = 53 } },
	{ "GRE to our address", L2_PLAIN, { .dst = DCP_LOCAL4, .proto = IPPROTO_GRE } },
	{ "outer first fragment", L2_PLAIN,
	  { .dst = DCP_LOCAL4, .proto = IPPROTO_IPIP, .mf = true } },
	{ "outer later fragment", L2_PLAIN,
	  { .dst = DCP_LOCAL4, .proto = IPPROTO_IPIP, .frag_off = 64 } },
	{ "outer IPv6 extension header", L2_PLAIN,
	  { .dst = DCP_LOCAL6, .proto = IPPROTO_IPV6, .ext = true } },
	{ "two VLAN tags", L2_TWO_TAGS, { .dst = DCP_LOCAL4, .proto = IPPROTO_IPIP } },
};

void test_decap_not_ours(void)
{
	static const struct dcp_outer ipip4 = { .dst = DCP_LOCAL4, .proto = IPPROTO_IPIP };
	static const struct dcp_outer gue4 = { .dst = DCP_LOCAL4, .udp = true };
	static struct pkt inner, p;
	const struct pass_case *c;
	struct dcp_env env;
	size_t ip_len;
	const __u8 *ip;

	if (!dcp_open(&env))
		goto out;
	if (!ASSERT_OK(dcp_build_inner(&inner, L2_PLAIN, false, true, 0), "build inner"))
		goto out;
	ip = dcp_ip_of(&inner, L2_PLAIN, &ip_len);

	for (c = pass_cases; c < pass_cases + ARRAY_SIZE(pass_cases); c++) {
		test_ctx("%s", c->name);
		if (!ASSERT_OK(dcp_build_outer(&p, c->l2, &c->o, ip, ip_len), "build"))
			continue;
		dcp_check(&env, p.buf, p.len, XDP_PASS, NULL, 0, XLB_DECAP_STAT_PASS);
	}

	test_ctx("plain TCP to our IPv4 address");
	if (ASSERT_OK(pkt_tcp_flow(&p, DCP_CLIENT4, 1000, DCP_LOCAL4, 22, TH_SYN), "build"))
		dcp_check(&env, p.buf, p.len, XDP_PASS, NULL, 0, XLB_DECAP_STAT_PASS);
	test_ctx("plain UDP to our IPv6 address");
	if (ASSERT_OK(pkt_udp_flow(&p, DCP_CLIENT6, 1000, DCP_LOCAL6, 53, NULL, 20), "build"))
		dcp_check(&env, p.buf, p.len, XDP_PASS, NULL, 0, XLB_DECAP_STAT_PASS);

	test_ctx("ARP");
	pkt_init(&p);
	pkt_eth(&p, &(struct pkt_eth){ .type = ETH_P_ARP });
	pkt_payload(&p, NULL, 28);
	if (ASSERT_OK(pkt_finish(&p), "build"))
		dcp_check(&env, p.buf, p.len, XDP_PASS, NULL, 0, XLB_DECAP_STAT_PASS);

	/* the kernel, not the decapsulator, reports a broken outer header */
	test_ctx("outer IPv4 ihl 4");
	if (ASSERT_OK(dcp_build_outer(&p, L2_PLAIN, &ipip4, ip, ip_len), "build")) {
		p.buf[ETH_HLEN] = 0x44;
		dcp_check(&env, p.buf, p.len, XDP_PASS, NULL, 0, XLB_DECAP_STAT_PASS);
	}

	test_ctx("GUE while GUE is off");
	if (ASSERT_OK(dcp_set_gue_port(&env, 0), "GUE off") &&
	    ASSERT_OK(dcp_build_outer(&p, L2_PLAIN, &gue4, ip, ip_len), "build"))
		dcp_check(&env, p.buf, p.len, XDP_PASS, NULL, 0, XLB_DECAP_STAT_PASS);
	test_ctx(NULL);
out:
	dcp_close(&env);
}

/* --- ours but unusable: dropped --- */

struct drop_case {
	const char *name;
	bool inner_v6;		/* inner packet built */
	int keep;		/* inner bytes kept; -1: all */
	int poke_at;		/* inner byte to overwrite; -1: none */
	__u8 poke;
	struct dcp_outer o;
};

static const struct drop_case drop_cases[] = {
	{ "4in4 inner header cut", false, 19, -1, 0, { .dst = DCP_LOCAL4, .proto = IPPROTO_IPIP } },
	{ "6in6 inner header cut", true, 39, -1, 0, { .dst = DCP_LOCAL6, .proto = IPPROTO_IPV6 } },
	{ "4in4 no inner packet", false, 0, -1, 0, { .dst = DCP_LOCAL4, .proto = IPPROTO_IPIP } },
	{ "proto 4 carrying IPv6", true, -1, -1, 0, { .dst = DCP_LOCAL4, .proto = IPPROTO_IPIP } },
	{ "proto 41 carrying IPv4", false, -1, -1, 0, { .dst = DCP_LOCAL6, .proto = IPPROTO_IPV6 } },
	{ "inner IPv4 ihl 4", false, -1, 0, 0x44, { .dst = DCP_LOCAL4, .proto = IPPROTO_IPIP } },
	{ "inner IPv4 options past the end", false, 28, 0, 0x4f,
	  { .dst = DCP_LOCAL4, .proto = IPPROTO_IPIP } },
	{ "gue1 inner header cut", true, 30, -1, 0, { .dst = DCP_LOCAL4, .udp = true } },
	{ "gue1 first nibble 5", false, -1, 0, 0x55, { .dst = DCP_LOCAL4, .udp = true } },
	{ "gue0 control message", false, -1, -1, 0,
	  { .dst = DCP_LOCAL4, .udp = true, .gue = { 0x20, IPPROTO_IPIP, 0, 0 }, .gue_len = 4 } },
	{ "gue0 proto UDP", false, -1, -1, 0, { .dst = DCP_LOCAL6, GUE0(IPPROTO_UDP, 0) } },
	{ "gue0 says IPv6, carries IPv4", false, -1, -1, 0,
	  { .dst = DCP_LOCAL4, GUE0(IPPROTO_IPV6, 0) } },
	{ "gue version 2", false, -1, -1, 0,
	  { .dst = DCP_LOCAL4, .udp = true, .gue = { 0x80, IPPROTO_IPIP, 0, 0 }, .gue_len = 4 } },
	{ "gue0 options past the end", false, 20, -1, 0,
	  { .dst = DCP_LOCAL4, .udp = true, .gue = { 0x1f, IPPROTO_IPIP, 0, 0 }, .gue_len = 4 } },
	{ "gue0 header cut", false, 0, -1, 0,
	  { .dst = DCP_LOCAL4, .udp = true, .gue = { 0x00, IPPROTO_IPIP }, .gue_len = 2 } },
	{ "gue empty UDP payload", false, 0, -1, 0,
	  { .dst = DCP_LOCAL6, .udp = true, .gue_len = 0 } },
};

void test_decap_malformed(void)
{
	static struct pkt inner, p;
	const struct drop_case *c;
	static __u8 ip[PKT_BUF_SIZE];
	const __u8 *src;
	struct dcp_env env;
	size_t ip_len;

	if (!dcp_open(&env))
		goto out;
	for (c = drop_cases; c < drop_cases + ARRAY_SIZE(drop_cases); c++) {
		test_ctx("%s", c->name);
		if (!ASSERT_OK(dcp_build_inner(&inner, L2_PLAIN, c->inner_v6, false, 0),
			       "build inner"))
			continue;
		src = dcp_ip_of(&inner, L2_PLAIN, &ip_len);
		memcpy(ip, src, ip_len);
		if (c->keep >= 0)
			ip_len = c->keep;
		if (c->poke_at >= 0)
			ip[c->poke_at] = c->poke;
		if (!ASSERT_OK(dcp_build_outer(&p, L2_VLAN, &c->o, ip, ip_len), "build"))
			continue;
		dcp_check(&env, p.buf, p.len, XDP_DROP, NULL, 0, XLB_DECAP_STAT_DROP);
	}
	test_ctx(NULL);
out:
	dcp_close(&env);
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
		struct dcp_outer o;
	} outers[] = {
		{ false, { .dst = DCP_LOCAL4, .proto = IPPROTO_IPIP } },
		{ true, { .dst = DCP_LOCAL6, .proto = IPPROTO_IPV6 } },
		{ false, { .dst = DCP_LOCAL6, .udp = true } },
		{ true, { .dst = DCP_LOCAL4, GUE0(IPPROTO_IPV6, 0) } },
	};
	static struct pkt inner, want, outer;
	const __u8 dscp = 0x2e << 2;	/* EF: must survive untouched */
	struct dcp_env env;
	int in, out, o;
	size_t ip_len;
	const __u8 *ip;

	if (!dcp_open(&env))
		goto out;
	for (o = 0; o < (int)ARRAY_SIZE(outers); o++) {
		bool v6 = outers[o].inner_v6;

		for (in = 0; in < 4; in++) {
			for (out = 0; out < 4; out++) {
				struct dcp_outer ov = outers[o].o;
				int res = ecn_table[in][out];

				test_ctx("case %d, inner ECN %d, outer ECN %d", o, in, out);
				ov.tos = out;
				if (!ASSERT_OK(dcp_build_inner(&inner, L2_PLAIN, v6, true, dscp | in),
					       "build inner"))
					continue;
				ip = dcp_ip_of(&inner, L2_PLAIN, &ip_len);
				if (!ASSERT_OK(dcp_build_outer(&outer, L2_PLAIN, &ov, ip, ip_len),
					       "build outer"))
					continue;
				if (res < 0) {
					dcp_check(&env, outer.buf, outer.len, XDP_DROP, NULL, 0,
						  XLB_DECAP_STAT_DROP);
					continue;
				}
				/* built afresh, so the IPv4 checksum is computed
				 * independently of the program's incremental one */
				if (!ASSERT_OK(dcp_build_inner(&want, L2_PLAIN, v6, true, dscp | res),
					       "build expected"))
					continue;
				dcp_check(&env, outer.buf, outer.len, XDP_PASS, want.buf,
					  want.len, XLB_DECAP_STAT_DECAP);
			}
		}
	}
	test_ctx(NULL);
out:
	dcp_close(&env);
}

/* Below the Ethernet header the kernel refuses the run or the program
 * passes it; it never aborts. */
void test_decap_runt(void)
{
	static const __u8 frame[ETH_HLEN] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	static __u8 out_buf[64];
	struct dcp_env env;
	size_t len;

	if (!dcp_open(&env))
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
	dcp_close(&env);
}
