// SPDX-License-Identifier: GPL-2.0
/*
 * Balancer and backend together: every frame the balancer encapsulates,
 * fed to the backend's decap program (bpf/decap.bpf.o with the backend's
 * address in decap_addrs and the VIP's GUE port in decap_cfg), must come
 * out as the client's frame again, byte-for-byte from the IP header on.
 * L2 is what the backend received: the balancer's next-hop MACs, the
 * VLAN tag kept, the inner family's ethertype. For every encapsulation,
 * with DSCP/ECN values (the decap merges the outer ECN field back, RFC
 * 6040), ICMP errors, IPv6 extension headers and Ethernet padding.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/decap.skel.h"
#include "balancer_fixture.h"
#include "../lib/test.h"

#define BE4		"198.51.100.11"
#define BE6		"2001:db8:be::12"
#define GUE_PORT	7777
#define ROUTER4		"192.0.2.254"
#define ROUTER6		"2001:db8::fe"

enum kind { K_TCP, K_UDP, K_UDP_NOCSUM, K_EXT, K_ICMP_ERR };

struct rt_case {
	const char *name;
	bool inner_v6;
	bool outer_v6;
	__u8 encap;
	enum kind kind;
	bool vlan;
	__u8 tos;
	size_t pad_to;		/* Ethernet padding up to this frame length; 0: none */
};

#define IPIP	XLB_ENCAP_IPIP
#define GUE	XLB_ENCAP_GUE

static const struct rt_case cases[] = {
	{ "4in4", false, false, IPIP, K_TCP },
	{ "6in6", true, true, IPIP, K_UDP },
	{ "4in6", false, true, IPIP, K_TCP, .tos = 0xb8 },
	{ "6in4", true, false, IPIP, K_TCP, .tos = 0x03 },
	{ "gue 4 over 4", false, false, GUE, K_UDP, .tos = 0x02 },
	{ "gue 6 over 4", true, false, GUE, K_TCP, true, 0x01 },
	{ "gue 4 over 6", false, true, GUE, K_TCP, .tos = 0x2e },
	{ "gue 6 over 6", true, true, GUE, K_UDP, true, 0xfb },
	{ "gue 4 over 6, UDP without checksum", false, true, GUE, K_UDP_NOCSUM },
	{ "gue 6 over 6, extension header", true, true, GUE, K_EXT },
	{ "6in6, extension header, VLAN", true, true, IPIP, K_EXT, true },
	{ "4in4, VLAN, CE", false, false, IPIP, K_UDP, true, 0x03 },
	{ "4in4, padded", false, false, IPIP, K_TCP, .pad_to = 60 },
	{ "gue 4 over 6, padded, VLAN", false, true, GUE, K_UDP, true, .pad_to = 64 },
	{ "4in6, ICMP error", false, true, IPIP, K_ICMP_ERR },
	{ "gue 6 over 4, ICMPv6 error", true, false, GUE, K_ICMP_ERR },
	{ "gue 6 over 6, ICMPv6 error", true, true, GUE, K_ICMP_ERR },
};

static int build(struct pkt *p, const struct rt_case *c, __u16 sport)
{
	const char *client = c->inner_v6 ? BAL_CLIENT6 : BAL_CLIENT4;
	const char *vip = c->inner_v6 ? BAL_VIP6 : BAL_VIP4;

	if (c->kind == K_ICMP_ERR) {
		struct bal_icmp_err e = {
			.from = c->inner_v6 ? ROUTER6 : ROUTER4, .vip = vip, .vport = 80,
			.client = client, .cport = sport, .proto = IPPROTO_TCP,
			.type = c->inner_v6 ? 2 : 3, .code = c->inner_v6 ? 0 : 4, .rest = 1400,
			.len = 40,
		};

		return bal_pkt_icmp_err(p, &e);
	}
	pkt_init(p);
	pkt_eth(p, NULL);
	if (c->vlan)
		pkt_vlan(p, 0x6123);
	pkt_ip(p, &(struct pkt_ip){ .src = client, .dst = vip, .tos = c->tos,
				    .flow_label = c->inner_v6 ? 0xabcde : 0, .df = !c->inner_v6 });
	if (c->kind == K_EXT)
		pkt_ip6_ext(p, &(struct pkt_ip6_ext){ .type = IPPROTO_HOPOPTS, .len = 14 });
	if (c->kind == K_TCP || c->kind == K_EXT)
		pkt_tcp(p, &(struct pkt_tcp){ .sport = sport, .dport = 80, .seq = 7,
					      .flags = TH_ACK, .len = c->pad_to ? 0 : 333 });
	else
		pkt_udp(p, &(struct pkt_udp){ .sport = sport, .dport = 80,
					      .zero_csum = c->kind == K_UDP_NOCSUM,
					      .len = c->pad_to ? 1 : 77 });
	return pkt_finish(p);
}

struct decap_env {
	struct decap *skel;
	int prog_fd;
};

static bool decap_open(struct decap_env *d)
{
	struct xlb_decap_config cfg = { .gue_port = htons(GUE_PORT) };
	const char *addrs[] = { BE4, BE6 };
	__u32 zero = 0;
	__u8 one = 1;
	size_t i;

	d->skel = decap__open_and_load();
	if (!ASSERT_OK_PTR(d->skel, "decap__open_and_load"))
		return false;
	d->prog_fd = bpf_program__fd(d->skel->progs.xlb_decap);
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		struct xlb_decap_key key = {};

		pkt_addr_parse(addrs[i], &key.addr, &key.family);
		if (!ASSERT_OK(bpf_map_update_elem(bpf_map__fd(d->skel->maps.decap_addrs), &key,
						   &one, BPF_ANY) ? -errno : 0, "decap_addrs"))
			return false;
	}
	return ASSERT_OK(bpf_map_update_elem(bpf_map__fd(d->skel->maps.decap_cfg), &zero, &cfg,
					     BPF_ANY) ? -errno : 0, "decap_cfg");
}

static bool decap_run(struct decap_env *d, const void *in, size_t len, struct bal_run *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in,
		.data_size_in = len,
		.data_out = r->out,
		.data_size_out = sizeof(r->out),
		.repeat = 1,
	);

	if (!ASSERT_OK(bpf_prog_test_run_opts(d->prog_fd, &opts) ? -errno : 0, "decap run"))
		return false;
	r->act = opts.retval;
	r->len = opts.data_size_out;
	return true;
}

void test_balancer_decap_roundtrip(void)
{
	static struct bal_run enc, dec;
	static struct pkt in;
	static __u8 want[PKT_BUF_SIZE];
	struct decap_env d = {};
	const struct rt_case *c;
	size_t len, want_len, off, ip_len;
	struct bal b = {};

	if (!decap_open(&d) || !bal_open(&b) || !bal_backend(&b, 1, BE4) ||
	    !bal_backend(&b, 2, BE6))
		goto out;
	for (c = cases; c < cases + ARRAY_SIZE(cases); c++) {
		bool udp = c->kind == K_UDP || c->kind == K_UDP_NOCSUM;
		struct bal_vip v = { c->inner_v6 ? BAL_VIP6 : BAL_VIP4,
				     udp ? IPPROTO_UDP : IPPROTO_TCP, 80, c->inner_v6 * 2 + udp,
				     .encap = c->encap, .gue_port = GUE_PORT,
				     .be = { c->outer_v6 ? 2 : 1 } };
		const __u8 dmac[6] = BAL_NH_DMAC(c->outer_v6 ? 2 : 1), smac[6] = BAL_NH_SMAC;

		test_ctx("%s", c->name);
		if (!bal_vip(&b, &v) ||
		    !ASSERT_OK(build(&in, c, 30000 + (c - cases)), "build"))
			continue;
		len = in.len;
		if (c->pad_to) {
			if (!ASSERT_LT(in.len, c->pad_to, "short frame"))
				continue;
			memset(in.buf + in.len, 0x5a, c->pad_to - in.len);
			len = c->pad_to;
		}
		if (!bal_run(&b, in.buf, len, &enc) ||
		    !ASSERT_EQ(enc.act, XDP_TX, "balancer action") ||
		    !ASSERT_EQ(bal_forwarded_to(&b, in.buf, len, &enc), c->outer_v6 ? 2 : 1,
			       "backend") ||
		    !decap_run(&d, enc.out, enc.len, &dec) ||
		    !ASSERT_EQ(dec.act, XDP_PASS, "decap action"))
			continue;

		/* the client's frame, padding dropped, with the MACs the
		 * backend received */
		if (!bal_inner_of(in.buf, len, &off, &ip_len))
			continue;
		want_len = off + ip_len;
		memcpy(want, in.buf, want_len);
		memcpy(want, dmac, 6);
		memcpy(want + 6, smac, 6);
		ASSERT_PKT_EQ(dec.out + off, dec.len - off, want + off, want_len - off,
			      "from the IP header on");
		ASSERT_PKT_EQ(dec.out, dec.len, want, want_len, "whole frame");
	}
	test_ctx(NULL);
out:
	bal_close(&b);
	decap__destroy(d.skel);
}
