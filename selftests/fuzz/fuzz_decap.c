// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the backend's decap program (bpf/decap.bpf.c):
 * random and mutated frames through BPF_PROG_TEST_RUN of the real object,
 * loaded once with local addresses FZ_DECAP4/FZ_DECAP6 and GUE port
 * FZ_DECAP_GUE (xdp_input.h).
 *
 * Every frame of an input (xdp_input.h; the ingress bits do not matter
 * here) is also run through a model of what the program must do, written
 * from the encapsulation RFCs and the rules at the top of decap.bpf.c and
 * decap_hop.h, and the two must agree exactly:
 *   - not provably ours (not IPv4/IPv6 after at most one tag, not to a
 *     local address, not IPIP/IPv6/UDP to the GUE port, an outer IPv4
 *     fragment, outer headers cut short) -> XDP_PASS, byte-for-byte
 *     untouched;
 *   - ours but unusable (inner header cut short or of the wrong version,
 *     GUE control message, GUE variant 2/3, unknown GUE protocol, outer CE
 *     on a not-ECN-capable inner packet) -> XDP_DROP;
 *   - a second-chance hop (GUE variant 0 private data of our type) that
 *     is malformed (family, length, reserved byte, a hop or an outer
 *     source address no host has, cut short, outer IPv4 options) ->
 *     XDP_DROP, sc_malformed;
 *   - a well-formed hop on a TCP segment (not a SYN, not a fragment, TCP
 *     right after the inner IP header) that is neither the connection the
 *     target holds (FZ_SC_*, either direction) nor for a hop of this host
 *     -> sent on by the FIB of the target's own network namespace: to
 *     FZ_SC_HOP* by XDP_REDIRECT with the neighbour's MACs, to
 *     FZ_SC_HOP*_NN passed rewritten, into FZ_SC_HOP*_BH, past fz0's MTU
 *     or with TTL 1 dropped; any other hop has no route and the segment is
 *     decapsulated. Sent on: the same frame less the GUE header and hop,
 *     outer destination the hop, TTL one less, IP and UDP lengths, an
 *     IPv4 header checksum that verifies, no UDP checksum over IPv4, and
 *     over IPv6 one that verifies whenever the input's did;
 *   - otherwise XDP_PASS of the inner packet: the L2 header (VLAN tag
 *     kept) with the inner family's ethertype, then exactly the bytes
 *     after the outer headers, the inner ECN field merged with the outer
 *     one as RFC 6040 sec 4.2 says, and an inner IPv4 header checksum that
 *     verifies (summed from scratch) whenever it did before.
 * Never XDP_ABORTED; decap_stats counts the run once under its action (a
 * packet sent on: none) and decap_sc_stats a packet with a hop once under
 * its reason. Needs root (BPF, a
 * network namespace of its own, where the sockets and routes are made).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
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

enum verdict {
	V_PASS,			/* untouched */
	V_DROP,			/* ours, unusable */
	V_STRIP,		/* decapsulated */
	V_HOP_BAD,		/* malformed hop: dropped */
	V_SENT,			/* sent on to the hop: XDP_REDIRECT to fz0 */
	V_SENT_KERNEL,		/* sent on through the kernel: XDP_PASS rewritten */
	V_FWD_FAILED,		/* not sendable to the hop: dropped */
};

/* What the model expects of a frame. */
struct expect {
	size_t l2;		/* L2 header length */
	size_t outer;		/* bytes removed after it */
	int inner;		/* 4 or 6 */
	__u8 ecn;		/* inner ECN field after decapsulation */
	int outer_family;	/* 4 or 6 */
	bool outer_opts;	/* outer IPv4 options */
	size_t udp;		/* GUE: outer UDP header's offset after L2 */
	bool hop;		/* a well-formed second-chance hop */
	size_t hop_rm;		/* its GUE header and private data, bytes */
	__u8 hop_addr[16];
	const __u8 *outer_src;	/* the outer source address */
	int sc;			/* the XLB_DECAP_SC_* reason; -1: none */
};

static struct decap *skel;
static int stats_fd, sc_stats_fd, ncpus;
static __u8 local4[4], local6[16];
/* decap_stats, then decap_sc_stats from SC(0) */
#define SC(i)		(XLB_DECAP_STAT_MAX + (i))
#define NSTATS		(XLB_DECAP_STAT_MAX + XLB_DECAP_SC_MAX)
static __u64 stats_prev[NSTATS];

/* The second chance's world (xdp_input.h): the connection held, hops */
static __u8 sc_client4[4], sc_client6[16], sc_vip4[4], sc_vip6[16];
static __u8 hop4[3][4], hop6[3][16];	/* HOP, HOP_NN, HOP_BH */
static const __u8 gw_mac[6] = { 0x02, 0xaa, 0x00, 0x00, 0x00, 0x02 };
static const __u8 fz0_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x99, 0x01 };
static const char *const topology[] = {
	"ip link set lo up",
	"ip addr add " FZ_SC_CLIENT4 "/32 dev lo",
	"ip addr add " FZ_SC_VIP4 "/32 dev lo",
	"ip -6 addr add " FZ_SC_CLIENT6 "/128 dev lo nodad",
	"ip -6 addr add " FZ_SC_VIP6 "/128 dev lo nodad",
	("ip link add fz0 address 02:00:00:00:99:01 type veth peer name fz1 "
	 "address 02:00:00:00:99:02"),
	"ip link set fz0 up",
	"ip link set fz1 up",
	"ip route add " FZ_SC_HOP4 "/32 dev fz0",
	"ip route add " FZ_SC_HOP4_NN "/32 dev fz0",
	"ip route add blackhole " FZ_SC_HOP4_BH "/32",
	"ip neigh add " FZ_SC_HOP4 " lladdr 02:aa:00:00:00:02 dev fz0 nud permanent",
	"ip -6 route add " FZ_SC_HOP6 "/128 dev fz0",
	"ip -6 route add " FZ_SC_HOP6_NN "/128 dev fz0",
	"ip -6 route add blackhole " FZ_SC_HOP6_BH "/128",
	"ip -6 neigh add " FZ_SC_HOP6 " lladdr 02:aa:00:00:00:02 dev fz0 nud permanent",
	"sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1",
};

static void die(const char *what)
{
	fprintf(stderr, "fuzz_decap: set-up failed: %s\n", what);
	exit(1);
}

static void percpu_read(int fd, __u32 n, __u64 *out)
{
	static __u64 vals[NSTATS * 256];
	__u32 keys[NSTATS], batch, count = n, i;
	int c, err;

	err = bpf_map_lookup_batch(fd, NULL, &batch, keys, vals, &count, NULL);
	CHECK((!err || errno == ENOENT) && count == n);
	for (i = 0; i < n; i++) {
		out[keys[i]] = 0;
		for (c = 0; c < ncpus; c++)
			out[keys[i]] += vals[i * ncpus + c];
	}
}

static void stats_read(__u64 out[NSTATS])
{
	percpu_read(stats_fd, XLB_DECAP_STAT_MAX, out);
	percpu_read(sc_stats_fd, XLB_DECAP_SC_MAX, out + XLB_DECAP_STAT_MAX);
}

static void addr_add(int family, const void *addr)
{
	struct xlb_decap_key key = { .family = family };
	__u8 one = 1;

	memcpy(key.addr.bytes, addr, family == XLB_FAMILY_V4 ? 4 : 16);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.decap_addrs), &key, &one, BPF_ANY))
		die("decap_addrs");
}

static void pton(const char *s, __u8 *a)
{
	if (inet_pton(strchr(s, ':') ? AF_INET6 : AF_INET, s, a) != 1)
		die(s);
}

/* A connection client:FZ_SC_CPORT to vip:FZ_SC_VPORT over lo, kept open
 * (its sockets are never closed: the process ends with the fuzzer). */
static void sc_connection(int family, const __u8 *client, const __u8 *vip)
{
	struct sockaddr_storage c = {}, v = {};
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) :
					    sizeof(struct sockaddr_in6);
	int lfd, cfd, one = 1;

	c.ss_family = v.ss_family = family;
	if (family == AF_INET) {
		memcpy(&((struct sockaddr_in *)&c)->sin_addr, client, 4);
		memcpy(&((struct sockaddr_in *)&v)->sin_addr, vip, 4);
		((struct sockaddr_in *)&c)->sin_port = htons(FZ_SC_CPORT);
		((struct sockaddr_in *)&v)->sin_port = htons(FZ_SC_VPORT);
	} else {
		memcpy(&((struct sockaddr_in6 *)&c)->sin6_addr, client, 16);
		memcpy(&((struct sockaddr_in6 *)&v)->sin6_addr, vip, 16);
		((struct sockaddr_in6 *)&c)->sin6_port = htons(FZ_SC_CPORT);
		((struct sockaddr_in6 *)&v)->sin6_port = htons(FZ_SC_VPORT);
	}
	lfd = socket(family, SOCK_STREAM, 0);
	cfd = socket(family, SOCK_STREAM, 0);
	if (lfd < 0 || cfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (void *)&v, len) || listen(lfd, 4) || bind(cfd, (void *)&c, len) ||
	    connect(cfd, (void *)&v, len) || accept(lfd, NULL, NULL) < 0)
		die("the second chance's connection");
}

static void setup_netns(void)
{
	size_t i;

	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET) (needs root)");
	for (i = 0; i < sizeof(topology) / sizeof(topology[0]); i++)
		if (system(topology[i]))
			die(topology[i]);
	pton(FZ_SC_CLIENT4, sc_client4);
	pton(FZ_SC_CLIENT6, sc_client6);
	pton(FZ_SC_VIP4, sc_vip4);
	pton(FZ_SC_VIP6, sc_vip6);
	pton(FZ_SC_HOP4, hop4[0]);
	pton(FZ_SC_HOP4_NN, hop4[1]);
	pton(FZ_SC_HOP4_BH, hop4[2]);
	pton(FZ_SC_HOP6, hop6[0]);
	pton(FZ_SC_HOP6_NN, hop6[1]);
	pton(FZ_SC_HOP6_BH, hop6[2]);
	sc_connection(AF_INET, sc_client4, sc_vip4);
	sc_connection(AF_INET6, sc_client6, sc_vip6);
}

/* FUZZ_DECAP_STATS=1: print the counters at exit, to see which paths an
 * input set reaches. */
static void stats_print(void)
{
	static const char *const names[] = XLB_DECAP_STAT_NAMES, *const sc_names[] =
		XLB_DECAP_SC_NAMES;
	__u64 now[NSTATS];
	int i;

	stats_read(now);
	for (i = 0; i < NSTATS; i++)
		fprintf(stderr, "%s%-*s %llu\n", i < XLB_DECAP_STAT_MAX ? "" : "sc_",
			i < XLB_DECAP_STAT_MAX ? 20 : 17,
			i < XLB_DECAP_STAT_MAX ? names[i] : sc_names[i - XLB_DECAP_STAT_MAX],
			(unsigned long long)now[i]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct xlb_decap_config cfg = { .gue_port = htons(FZ_DECAP_GUE) };
	__u32 zero = 0;

	(void)argc;
	(void)argv;
	setup_netns();
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
	sc_stats_fd = bpf_map__fd(skel->maps.decap_sc_stats);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0 || ncpus > 256)
		die("libbpf_num_possible_cpus");
	stats_read(stats_prev);
	if (getenv("FUZZ_DECAP_STATS"))
		atexit(stats_print);
	return 0;
}

/* An address no hop may have (decap_hop.h): unspecified, loopback,
 * multicast, link-local, IPv4 limited broadcast. */
static bool hop_addr_bad(const __u8 *a, int family)
{
	static const __u8 zero[16], one6[16] = { [15] = 1 };

	if (family == 4)
		return !memcmp(a, zero, 4) || xc_get32(a) == 0xffffffff || a[0] == 127 ||
		       (a[0] & 0xf0) == 0xe0 || (a[0] == 169 && a[1] == 254);
	return a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
	       !memcmp(a, zero, 16) || !memcmp(a, one6, 16);
}

/* GUE (draft-ietf-intarea-gue-09) at g, avail bytes: variant 1 is the IP
 * header itself (sec 4), variant 0 a 4-byte header, C bit clear for
 * data (sec 3.2.1), Proto/ctype 4 or 41, then Hlen words of options;
 * without flags they are private data, which may be a second-chance hop
 * (include/xlb_shared.h). */
static enum verdict model_gue(const __u8 *g, size_t avail, struct expect *e)
{
	const __u8 *pd = g + 4;
	size_t hlen, alen;

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
	hlen = g[0] & 0x1f;
	if (hlen && !g[2] && !g[3]) {
		if (avail < 8)
			return V_DROP;
		if (xc_get16(pd) == XLB_GUE_HOP_TYPE) {
			if (pd[2] != e->outer_family || pd[3] ||
			    hlen != (pd[2] == 4 ? 2u : 5u) || e->outer_opts)
				return V_HOP_BAD;
			alen = pd[2] == 4 ? 4 : 16;
			if (avail < 8 + alen)
				return V_HOP_BAD;
			memcpy(e->hop_addr, pd + 4, alen);
			if (hop_addr_bad(e->hop_addr, pd[2]) || hop_addr_bad(e->outer_src, pd[2]))
				return V_HOP_BAD;
			e->hop = true;
			e->hop_rm = 4 + hlen * 4;
		}
	}
	e->outer += 4 + hlen * 4;
	return V_STRIP;
}

/* The connection the target holds, seen from either end. */
static bool sc_held(int family, const __u8 *src, const __u8 *dst, __u16 sport, __u16 dport)
{
	size_t n = family == 4 ? 4 : 16;
	const __u8 *c = family == 4 ? sc_client4 : sc_client6;
	const __u8 *v = family == 4 ? sc_vip4 : sc_vip6;

	return (!memcmp(src, c, n) && !memcmp(dst, v, n) && sport == FZ_SC_CPORT &&
		dport == FZ_SC_VPORT) ||
	       (!memcmp(src, v, n) && !memcmp(dst, c, n) && sport == FZ_SC_VPORT &&
		dport == FZ_SC_CPORT);
}

/*
 * A packet with a well-formed hop whose inner header passed: decapsulated
 * here (with its reason in e->sc) or sent on (decap_hop.h). `f` is the
 * frame, `h` its outer IP header, `avail` the bytes from there.
 */
static enum verdict model_sc(const __u8 *f, size_t len, const __u8 *h, struct expect *e)
{
	const __u8 *in = f + e->l2 + e->outer;
	size_t ia = len - e->l2 - e->outer, thoff, alen = e->outer_family == 4 ? 4 : 16;
	const __u8 *local = e->outer_family == 4 ? local4 : local6;
	__u32 fib_len;
	__u8 flags, ttl;
	int i;

	if (e->inner == 4) {
		if (in[9] != IPPROTO_TCP || (xc_get16(in + 6) & 0x3fff))
			goto ignored;
		thoff = (size_t)(in[0] & 0xf) * 4;
	} else {
		if (in[6] != IPPROTO_TCP)
			goto ignored;
		thoff = 40;
	}
	if (ia < thoff + 20)
		goto ignored;
	flags = in[thoff + 13];
	if ((flags & 0x12) == 0x02)
		goto ignored;
	if (sc_held(e->inner, in + (e->inner == 4 ? 12 : 8), in + (e->inner == 4 ? 16 : 24),
		    xc_get16(in + thoff), xc_get16(in + thoff + 2))) {
		e->sc = XLB_DECAP_SC_LOCAL;
		return V_STRIP;
	}
	if (!memcmp(e->hop_addr, local, alen))
		goto no_socket;
	ttl = e->outer_family == 4 ? h[8] : h[7];
	if (ttl <= 1)
		return V_FWD_FAILED;
	if (e->outer_family == 4)
		fib_len = (xc_get16(h + 2) - e->hop_rm) & 0xffff;
	else
		fib_len = (((xc_get16(h + 4) - e->hop_rm) & 0xffff) + 40) & 0xffff;
	for (i = 0; i < 3; i++)
		if (!memcmp(e->hop_addr, e->outer_family == 4 ? hop4[i] : hop6[i], alen))
			break;
	switch (i) {
	case 0:
		return fib_len > FZ_SC_FZ0_MTU ? V_FWD_FAILED : V_SENT;
	case 1:
		return fib_len > FZ_SC_FZ0_MTU ? V_FWD_FAILED : V_SENT_KERNEL;
	case 2:
		return V_FWD_FAILED;
	}
no_socket:
	/* this host, or no route at all */
	e->sc = XLB_DECAP_SC_NO_SOCKET;
	return V_STRIP;
ignored:
	e->sc = XLB_DECAP_SC_IGNORED;
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
	enum verdict v;
	__u16 type;
	__u8 proto, outer_ecn, ecn;
	int merged;

	memset(e, 0, sizeof(*e));
	e->sc = -1;
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
		e->outer_family = 4;
		e->outer_opts = ihl > 20;
		e->outer_src = h + 12;
		outer_ecn = h[1] & 3;
	} else if (type == 0x86dd) {
		if (avail < 40 || h[0] >> 4 != 6)
			return V_PASS;
		proto = h[6];
		if (memcmp(h + 24, local6, 16))
			return V_PASS;
		e->outer = 40;
		e->outer_family = 6;
		e->outer_src = h + 8;
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
		e->udp = e->outer;
		e->outer += 8;
		v = model_gue(h + e->outer, avail - e->outer, e);
		if (v != V_STRIP)
			return v;
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
	if (e->hop)
		return model_sc(f, len, h, e);
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

/* A frame sent on to its hop: the input less the GUE header and hop,
 * with the outer header rewritten (see the top of the file). */
static void check_sent(const __u8 *in, size_t len, const __u8 *out, size_t out_len,
		       const struct expect *e, bool macs)
{
	const __u8 *ih = in + e->l2, *oh = out + e->l2;
	size_t rm = e->hop_rm, iphl = e->outer_family == 4 ? 20 : 40, udp = iphl;
	const __u8 *iu = ih + udp, *ou = oh + udp;

	CHECK(out_len == len - rm);
	if (macs) {
		CHECK(!memcmp(out, gw_mac, 6));
		CHECK(!memcmp(out + 6, fz0_mac, 6));
	} else {
		CHECK(!memcmp(out, in, 12));
	}
	CHECK(!memcmp(out + 12, in + 12, e->l2 - 12));
	if (e->outer_family == 4) {
		CHECK(oh[0] == ih[0] && oh[1] == ih[1]);
		CHECK(xc_get16(oh + 2) == ((xc_get16(ih + 2) - rm) & 0xffff));
		CHECK(!memcmp(oh + 4, ih + 4, 4));
		CHECK(oh[8] == ih[8] - 1 && oh[9] == ih[9]);
		CHECK(!memcmp(oh + 12, ih + 12, 4));
		CHECK(!memcmp(oh + 16, e->hop_addr, 4));
		CHECK(xc_fold(xc_sum(0, oh, 20)) == 0xffff);
		CHECK(xc_get16(ou + 6) == 0);
	} else {
		struct xc_ip iip, oip;

		CHECK(!memcmp(oh, ih, 4));
		CHECK(xc_get16(oh + 4) == ((xc_get16(ih + 4) - rm) & 0xffff));
		CHECK(oh[6] == ih[6] && oh[7] == ih[7] - 1);
		CHECK(!memcmp(oh + 8, ih + 8, 16));
		CHECK(!memcmp(oh + 24, e->hop_addr, 16));
		if (!xc_get16(iu + 6)) {
			CHECK(xc_get16(ou + 6) == 0);
		} else {
			CHECK(xc_get16(ou + 6) != 0);
			/* RFC 1624's update keeps a checksum that verified */
			if (!xc_ip_parse(ih, len - e->l2, &iip) &&
			    xc_ip_csum(ih, &iip) == XC_CSUM_VALID && xc_get16(iu + 4) >= 8 + rm) {
				CHECK(!xc_ip_parse(oh, out_len - e->l2, &oip));
				CHECK(xc_ip_csum(oh, &oip) == XC_CSUM_VALID);
			}
		}
	}
	CHECK(!memcmp(ou, iu, 4));
	CHECK(xc_get16(ou + 4) == ((xc_get16(iu + 4) - rm) & 0xffff));
	CHECK(!memcmp(ou + 8, iu + 8 + rm, len - e->l2 - udp - 8 - rm));
}

static void check_counters(enum verdict v, const struct expect *e)
{
	__u64 now[NSTATS], want[NSTATS] = { [XLB_DECAP_STAT_RX] = 1 };
	int i;

	switch (v) {
	case V_PASS:
		want[XLB_DECAP_STAT_PASS] = 1;
		break;
	case V_DROP:
		want[XLB_DECAP_STAT_DROP] = 1;
		break;
	case V_STRIP:
		want[XLB_DECAP_STAT_DECAP] = 1;
		if (e->sc >= 0)
			want[SC(e->sc)] = 1;
		break;
	case V_HOP_BAD:
		want[XLB_DECAP_STAT_DROP] = 1;
		want[SC(XLB_DECAP_SC_MALFORMED)] = 1;
		break;
	case V_SENT:
		want[SC(XLB_DECAP_SC_FORWARD)] = 1;
		break;
	case V_SENT_KERNEL:
		want[SC(XLB_DECAP_SC_FORWARD_KERNEL)] = 1;
		break;
	case V_FWD_FAILED:
		want[XLB_DECAP_STAT_DROP] = 1;
		want[SC(XLB_DECAP_SC_FWD_FAILED)] = 1;
		break;
	}
	stats_read(now);
	for (i = 0; i < NSTATS; i++) {
		now[i] -= stats_prev[i];
		CHECK(now[i] == want[i]);
		stats_prev[i] += now[i];
	}
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
		case V_HOP_BAD:
		case V_FWD_FAILED:
			CHECK(opts.retval == XDP_DROP);
			break;
		case V_STRIP:
			CHECK(opts.retval == XDP_PASS);
			check_stripped(frame, len, out, opts.data_size_out, &e);
			break;
		case V_SENT:
			CHECK(opts.retval == XDP_REDIRECT);
			check_sent(frame, len, out, opts.data_size_out, &e, true);
			break;
		case V_SENT_KERNEL:
			CHECK(opts.retval == XDP_PASS);
			check_sent(frame, len, out, opts.data_size_out, &e, false);
			break;
		}
		check_counters(v, &e);
	}
	return 0;
}
