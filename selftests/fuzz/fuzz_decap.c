// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the backend's decap program (bpf/decap.bpf.c):
 * random and mutated frames through BPF_PROG_TEST_RUN of the real object,
 * loaded once with local addresses FZ_DECAP4/FZ_DECAP6 and GUE port
 * FZ_DECAP_GUE (xdp_input.h).
 *
 * Every frame of an input (xdp_input.h; the ingress bits do not matter
 * here) is also run through a model of what the program must do, written
 * from the encapsulation RFCs and the rules at the top of decap.bpf.c, and
 * the two must agree exactly:
 *   - not provably ours (not IPv4/IPv6 after at most one tag, not to a
 *     local address, not IPIP/IPv6/UDP to the GUE port, an outer IPv4
 *     fragment, outer headers cut short) -> XDP_PASS, byte-for-byte
 *     untouched;
 *   - ours but unusable (inner header cut short or of the wrong version,
 *     GUE control message, GUE variant 2/3, unknown GUE protocol, outer CE
 *     on a not-ECN-capable inner packet) -> XDP_DROP;
 *   - otherwise XDP_PASS of the inner packet: the L2 header (VLAN tag
 *     kept) with the inner family's ethertype, then exactly the bytes
 *     after the outer headers, the inner ECN field merged with the outer
 *     one as RFC 6040 sec 4.2 says, and an inner IPv4 header checksum that
 *     verifies (summed from scratch) whenever it did before.
 * Never XDP_ABORTED; decap_stats counts the run once under its verdict.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xlb_shared.h"
#include "bpf/decap.skel.h"
#include "xdp_check.h"
#include "xdp_input.h"

#define OUT_MAX		8192

#define ECN_NOT_ECT	0
#define ECN_ECT0	2
#define ECN_ECT1	1
#define ECN_CE		3

enum verdict { V_PASS, V_DROP, V_STRIP };

/* What the model expects of a frame. */
struct expect {
	size_t l2;		/* L2 header length */
	size_t outer;		/* bytes removed after it */
	int inner;		/* 4 or 6 */
	__u8 ecn;		/* inner ECN field after decapsulation */
};

static struct decap *skel;
static int stats_fd, ncpus;
static __u8 local4[4], local6[16];
static __u64 stats_prev[XLB_DECAP_STAT_MAX];

static void die(const char *what)
{
	fprintf(stderr, "fuzz_decap: set-up failed: %s\n", what);
	exit(1);
}

static void stats_read(__u64 out[XLB_DECAP_STAT_MAX])
{
	static __u64 vals[XLB_DECAP_STAT_MAX * 256];
	__u32 keys[XLB_DECAP_STAT_MAX], batch, count = XLB_DECAP_STAT_MAX, i;
	int c, err;

	err = bpf_map_lookup_batch(stats_fd, NULL, &batch, keys, vals, &count, NULL);
	CHECK((!err || errno == ENOENT) && count == XLB_DECAP_STAT_MAX);
	for (i = 0; i < XLB_DECAP_STAT_MAX; i++) {
		out[keys[i]] = 0;
		for (c = 0; c < ncpus; c++)
			out[keys[i]] += vals[i * ncpus + c];
	}
}

static void addr_add(int family, const void *addr)
{
	struct xlb_decap_key key = { .family = family };
	__u8 one = 1;

	memcpy(key.addr.bytes, addr, family == XLB_FAMILY_V4 ? 4 : 16);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.decap_addrs), &key, &one, BPF_ANY))
		die("decap_addrs");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct xlb_decap_config cfg = { .gue_port = htons(FZ_DECAP_GUE) };
	__u32 zero = 0;

	(void)argc;
	(void)argv;
	libbpf_set_print(NULL);
	skel = decap__open_and_load();
	if (!skel)
		die("decap__open_and_load (needs root)");
	if (inet_pton(AF_INET, FZ_DECAP4, local4) != 1 ||
	    inet_pton(AF_INET6, FZ_DECAP6, local6) != 1)
		die("addresses");
	addr_add(XLB_FAMILY_V4, local4);
	addr_add(XLB_FAMILY_V6, local6);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.decap_cfg), &zero, &cfg, BPF_ANY))
		die("decap_cfg");
	stats_fd = bpf_map__fd(skel->maps.decap_stats);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0 || ncpus > 256)
		die("libbpf_num_possible_cpus");
	stats_read(stats_prev);
	return 0;
}

/* GUE (draft-ietf-intarea-gue-09) at g, avail bytes: variant 1 is the IP
 * header itself (sec 4), variant 0 a 4-byte header, C bit clear for
 * data (sec 3.2.1), Proto/ctype 4 or 41, then Hlen words of options. */
static enum verdict model_gue(const __u8 *g, size_t avail, struct expect *e)
{
	if (avail < 1)
		return V_DROP;
	if (g[0] >> 4 == 4 || g[0] >> 4 == 6) {
		e->inner = g[0] >> 4;
		return V_STRIP;
	}
	if (g[0] >> 6 != 0 || (g[0] & 0x20) || avail < 4)
		return V_DROP;
	if (g[1] != IPPROTO_IPIP && g[1] != IPPROTO_IPV6)
		return V_DROP;
	e->inner = g[1] == IPPROTO_IPIP ? 4 : 6;
	e->outer += 4 + (size_t)(g[0] & 0x1f) * 4;
	return V_STRIP;
}

/* RFC 6040 sec 4.2, figure 4; -1 is "drop". */
static int ecn_merge(int inner, int outer)
{
	if (outer == ECN_CE)
		return inner == ECN_NOT_ECT ? -1 : ECN_CE;
	if (outer == ECN_ECT1 && inner == ECN_ECT0)
		return ECN_ECT1;
	return inner;
}

static enum verdict model(const __u8 *f, size_t len, struct expect *e)
{
	const __u8 *h, *in;
	size_t avail, ia;
	__u16 type;
	__u8 proto, outer_ecn, ecn;
	int merged;

	memset(e, 0, sizeof(*e));
	e->l2 = xc_l2_len(f, len, &type);
	if (!e->l2)
		return V_PASS;
	h = f + e->l2;
	avail = len - e->l2;
	if (type == 0x0800) {
		size_t ihl;

		if (avail < 20 || h[0] >> 4 != 4 || (h[0] & 0xf) < 5)
			return V_PASS;
		ihl = (size_t)(h[0] & 0xf) * 4;
		if (ihl > avail)
			return V_PASS;
		proto = h[9];
		/* outer fragments are the kernel's to reassemble */
		if (xc_get16(h + 6) & 0x3fff)
			return V_PASS;
		if (memcmp(h + 16, local4, 4))
			return V_PASS;
		e->outer = ihl;
		outer_ecn = h[1] & 3;
	} else if (type == 0x86dd) {
		if (avail < 40 || h[0] >> 4 != 6)
			return V_PASS;
		proto = h[6];
		if (memcmp(h + 24, local6, 16))
			return V_PASS;
		e->outer = 40;
		outer_ecn = (xc_get16(h) >> 4) & 3;
	} else {
		return V_PASS;
	}
	switch (proto) {
	case IPPROTO_IPIP:
		e->inner = 4;
		break;
	case IPPROTO_IPV6:
		e->inner = 6;
		break;
	case IPPROTO_UDP:
		if (avail < e->outer + 8 || xc_get16(h + e->outer + 2) != FZ_DECAP_GUE)
			return V_PASS;
		e->outer += 8;
		if (model_gue(h + e->outer, avail - e->outer, e) == V_DROP)
			return V_DROP;
		break;
	default:
		return V_PASS;
	}

	/* the inner header: complete, of the version announced */
	if (e->outer > avail)
		return V_DROP;
	in = h + e->outer;
	ia = avail - e->outer;
	if (e->inner == 4) {
		if (ia < 20 || in[0] >> 4 != 4 || (in[0] & 0xf) < 5 || (size_t)(in[0] & 0xf) * 4 > ia)
			return V_DROP;
		ecn = in[1] & 3;
	} else {
		if (ia < 40 || in[0] >> 4 != 6)
			return V_DROP;
		ecn = (in[1] >> 4) & 3;
	}
	merged = ecn_merge(ecn, outer_ecn);
	if (merged < 0)
		return V_DROP;
	e->ecn = (__u8)merged;
	return V_STRIP;
}

static void check_stripped(const __u8 *in, size_t len, const __u8 *out, size_t out_len,
			   const struct expect *e)
{
	const __u8 *ip = in + e->l2 + e->outer, *oip = out + e->l2;
	size_t ip_len = len - e->l2 - e->outer;

	CHECK(out_len == e->l2 + ip_len);
	CHECK(!memcmp(out, in, e->l2 - 2));
	CHECK(xc_get16(out + e->l2 - 2) == (e->inner == 4 ? 0x0800 : 0x86dd));
	if (e->inner == 4) {
		size_t ihl = (size_t)(ip[0] & 0xf) * 4;
		bool was_valid = xc_fold(xc_sum(0, ip, ihl)) == 0xffff;

		CHECK(oip[0] == ip[0]);
		CHECK(oip[1] == ((ip[1] & ~3) | e->ecn));
		CHECK(!memcmp(oip + 2, ip + 2, 8));
		CHECK(!memcmp(oip + 12, ip + 12, ip_len - 12));
		CHECK((xc_fold(xc_sum(0, oip, ihl)) == 0xffff) == was_valid);
		if (oip[1] == ip[1])
			CHECK(!memcmp(oip + 10, ip + 10, 2));
	} else {
		CHECK(oip[0] == ip[0]);
		CHECK(oip[1] == ((ip[1] & ~0x30) | e->ecn << 4));
		CHECK(!memcmp(oip + 2, ip + 2, ip_len - 2));
	}
}

static void check_counters(enum verdict v)
{
	__u64 now[XLB_DECAP_STAT_MAX];
	int i;

	stats_read(now);
	for (i = 0; i < XLB_DECAP_STAT_MAX; i++)
		now[i] -= stats_prev[i];
	CHECK(now[XLB_DECAP_STAT_RX] == 1);
	CHECK(now[XLB_DECAP_STAT_DECAP] == (v == V_STRIP));
	CHECK(now[XLB_DECAP_STAT_PASS] == (v == V_PASS));
	CHECK(now[XLB_DECAP_STAT_DROP] == (v == V_DROP));
	for (i = 0; i < XLB_DECAP_STAT_MAX; i++)
		stats_prev[i] += now[i];
}

int LLVMFuzzerTestOneInput(const __u8 *data, size_t size)
{
	static __u8 frame[XDP_IN_MAX_FRAME], out[OUT_MAX];
	struct xdp_in_record rec;
	size_t off = 0, len;
	enum verdict v;
	struct expect e;
	int n = 0;

	xc_context(NULL, 0, NULL, 0);
	while (n++ < XDP_IN_MAX_RECORDS && xdp_in_next(data, size, &off, &rec)) {
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			.data_in = frame,
			.data_out = out,
			.data_size_out = sizeof(out),
			.repeat = 1,
		);

		len = xdp_in_frame(&rec, frame);
		if (len < 14)
			continue;	/* BPF_PROG_TEST_RUN wants an Ethernet header */
		opts.data_size_in = len;
		xc_context(frame, len, NULL, 0);
		CHECK(!bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xlb_decap), &opts));
		xc_context(frame, len, out, opts.data_size_out);
		CHECK(opts.retval != XDP_ABORTED);
		v = model(frame, len, &e);
		switch (v) {
		case V_PASS:
			CHECK(opts.retval == XDP_PASS);
			CHECK(opts.data_size_out == len && !memcmp(out, frame, len));
			break;
		case V_DROP:
			CHECK(opts.retval == XDP_DROP);
			break;
		case V_STRIP:
			CHECK(opts.retval == XDP_PASS);
			check_stripped(frame, len, out, opts.data_size_out, &e);
			break;
		}
		check_counters(v);
	}
	return 0;
}
