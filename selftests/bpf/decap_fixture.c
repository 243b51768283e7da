// SPDX-License-Identifier: GPL-2.0
/*
 * The decap program's test fixture (API in decap_fixture.h): loading,
 * running, counter checks and the frames the tests send.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/decap.skel.h"
#include "decap_fixture.h"
#include "../lib/test.h"

const char *const dcp_l2_names[] = { "plain", "vlan", "802.1ad", "two tags" };

int dcp_set_gue_port(struct dcp_env *env, __u16 port)
{
	struct xlb_decap_config cfg = { .gue_port = htons(port) };
	__u32 zero = 0;

	return bpf_map_update_elem(env->cfg_fd, &zero, &cfg, BPF_ANY) ? -errno : 0;
}

int dcp_add_addr(struct dcp_env *env, const char *str)
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

bool dcp_open(struct dcp_env *env)
{
	memset(env, 0, sizeof(*env));
	env->skel = decap__open_and_load();
	if (!ASSERT_OK_PTR(env->skel, "decap__open_and_load"))
		return false;
	env->prog_fd = bpf_program__fd(env->skel->progs.xlb_decap);
	env->stats_fd = bpf_map__fd(env->skel->maps.decap_stats);
	env->sc_stats_fd = bpf_map__fd(env->skel->maps.decap_sc_stats);
	env->cfg_fd = bpf_map__fd(env->skel->maps.decap_cfg);
	env->ncpus = libbpf_num_possible_cpus();
	if (!ASSERT_GT(env->ncpus, 0, "libbpf_num_possible_cpus"))
		return false;
	return ASSERT_OK(dcp_add_addr(env, DCP_LOCAL4), "add " DCP_LOCAL4) &&
	       ASSERT_OK(dcp_add_addr(env, DCP_LOCAL6), "add " DCP_LOCAL6) &&
	       ASSERT_OK(dcp_set_gue_port(env, DCP_GUE_PORT), "set GUE port");
}

void dcp_close(struct dcp_env *env)
{
	decap__destroy(env->skel);
}

bool dcp_stats_read(struct dcp_env *env, __u64 out[DCP_NSTATS])
{
	__u64 vals[env->ncpus];
	__u32 i, k;
	int c, fd;

	for (i = 0; i < DCP_NSTATS; i++) {
		fd = i < XLB_DECAP_STAT_MAX ? env->stats_fd : env->sc_stats_fd;
		k = i < XLB_DECAP_STAT_MAX ? i : i - XLB_DECAP_STAT_MAX;
		if (!ASSERT_OK(bpf_map_lookup_elem(fd, &k, vals) ? -errno : 0, "read decap counters"))
			return false;
		out[i] = 0;
		for (c = 0; c < env->ncpus; c++)
			out[i] += vals[c];
	}
	return true;
}

bool dcp_run(struct dcp_env *env, const void *in, size_t len, __u32 ingress_ifindex,
	     struct dcp_run *r)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ingress_ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in,
		.data_size_in = len,
		.data_out = r->out,
		.data_size_out = sizeof(r->out),
		.ctx_in = ingress_ifindex ? &ctx : NULL,
		.ctx_size_in = ingress_ifindex ? sizeof(ctx) : 0,
		.repeat = 1,
	);
	int err;

	err = bpf_prog_test_run_opts(env->prog_fd, &opts);
	if (!ASSERT_OK(err ? -errno : 0, "bpf_prog_test_run_opts"))
		return false;
	r->retval = opts.retval;
	r->out_len = opts.data_size_out;
	return ASSERT_NEQ(r->retval, XDP_ABORTED, "never XDP_ABORTED");
}

bool dcp_check_ifindex(struct dcp_env *env, const void *in, size_t in_len,
		       __u32 ingress_ifindex, __u32 want_act, const void *want, size_t want_len,
		       const int *moved)
{
	static const char *const names[] = XLB_DECAP_STAT_NAMES, *const sc_names[] =
		XLB_DECAP_SC_NAMES;
	__u64 before[DCP_NSTATS], after[DCP_NSTATS];
	__u64 want_d[DCP_NSTATS] = { [XLB_DECAP_STAT_RX] = 1 };
	static struct dcp_run r;
	bool ok = true;
	__u32 i;

	for (i = 0; moved[i] >= 0; i++)
		want_d[moved[i]]++;
	if (!dcp_stats_read(env, before) || !dcp_run(env, in, in_len, ingress_ifindex, &r) ||
	    !dcp_stats_read(env, after))
		return false;
	ok &= ASSERT_EQ(r.retval, want_act, "XDP action");
	if (want_act != XDP_DROP && r.retval == want_act) {
		if (!want) {
			want = in;
			want_len = in_len;
		}
		ok &= ASSERT_PKT_EQ(r.out, r.out_len, want, want_len, "output frame");
	}
	for (i = 0; i < DCP_NSTATS; i++)
		if (!ASSERT_EQ(after[i] - before[i], want_d[i],
			       i < XLB_DECAP_STAT_MAX ? names[i] : sc_names[i - XLB_DECAP_STAT_MAX]))
			ok = false;
	return ok;
}

bool dcp_check(struct dcp_env *env, const void *in, size_t in_len, __u32 want_act,
	       const void *want, size_t want_len, int stat)
{
	return dcp_check_ifindex(env, in, in_len, 0, want_act, want, want_len,
				 DCP_STATS((int)stat));
}

/* --- packets --- */

void dcp_build_l2(struct pkt *p, enum dcp_l2 l2)
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

size_t dcp_l2_len(enum dcp_l2 l2)
{
	return l2 == L2_PLAIN ? 14 : l2 == L2_TWO_TAGS ? 22 : 18;
}

int dcp_build_inner(struct pkt *p, enum dcp_l2 l2, bool v6, bool tcp, __u8 tos)
{
	dcp_build_l2(p, l2);
	pkt_ip(p, &(struct pkt_ip){ .src = v6 ? DCP_CLIENT6 : DCP_CLIENT4,
				    .dst = v6 ? DCP_VIP6 : DCP_VIP4, .tos = tos });
	if (tcp)
		pkt_tcp(p, &(struct pkt_tcp){ .sport = 40000, .dport = 80, .seq = 7,
					      .flags = TH_ACK | TH_PUSH, .len = 50 });
	else
		pkt_udp(p, &(struct pkt_udp){ .sport = 40000, .dport = 53, .len = 37 });
	return pkt_finish(p);
}

int dcp_build_outer(struct pkt *p, enum dcp_l2 l2, const struct dcp_outer *o,
		    const void *inner, size_t inner_len)
{
	static const __u8 nop_opts[4] = { 1, 1, 1, 0 }; /* NOP NOP NOP EOL */
	static __u8 body[PKT_BUF_SIZE];
	bool v6 = strchr(o->dst, ':') != NULL;

	dcp_build_l2(p, l2);
	pkt_ip(p, &(struct pkt_ip){ .src = v6 ? DCP_LB6 : DCP_LB4, .dst = o->dst,
				    .tos = o->tos, .ttl = o->ttl,
				    .proto = o->udp || o->ext ? 0 : o->proto,
				    .df = o->df, .mf = o->mf, .frag_off = o->frag_off,
				    .opts = o->opts ? nop_opts : NULL,
				    .opts_len = o->opts ? sizeof(nop_opts) : 0 });
	if (o->ext)
		pkt_ip6_ext(p, &(struct pkt_ip6_ext){ .type = IPPROTO_DSTOPTS,
						      .proto = o->udp ? 0 : o->proto });
	if (!o->udp)
		return pkt_payload(p, inner, inner_len) < 0 ? p->err : pkt_finish(p);

	memcpy(body, o->gue, o->gue_len);
	memcpy(body + o->gue_len, inner, inner_len);
	pkt_udp(p, &(struct pkt_udp){ .sport = DCP_GUE_SPORT,
				      .dport = o->dport ? o->dport : DCP_GUE_PORT,
				      .zero_csum = o->zero_csum,
				      .payload = body, .len = o->gue_len + inner_len });
	return pkt_finish(p);
}

size_t dcp_outer_len(const struct dcp_outer *o)
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

const __u8 *dcp_ip_of(const struct pkt *p, enum dcp_l2 l2, size_t *len)
{
	*len = p->len - dcp_l2_len(l2);
	return p->buf + dcp_l2_len(l2);
}
