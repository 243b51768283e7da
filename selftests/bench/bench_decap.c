// SPDX-License-Identifier: GPL-2.0
/*
 * bench_datapath's decap lines: ns/packet of the backend's decap program
 * (bpf/decap.bpf.c) through BPF_PROG_TEST_RUN, measured as the balancer's
 * lines are (one packet per call, kernel-reported duration, the mean of
 * the calls within CENTRAL_NS of the median, on the CPU bench_datapath
 * pinned), each next to plain decapsulation of the same segment (GUE
 * without a hop), calls interleaved packet by packet:
 *   decap.second_chance          GUE with a second-chance hop, a local
 *                                socket has the segment: bpf_skc_lookup_tcp,
 *                                then decapsulated as plain GUE is
 *   decap.second_chance_forward  the same, no socket has it: the lookup,
 *                                bpf_fib_lookup, sent on to the hop
 * In a network namespace of its own: the VIP and the client on lo with
 * one TCP connection between them (and a listener), the hop routed via a
 * veth whose neighbour is known. Every call's action and output length
 * are checked, and decap_stats must show exactly the path named, once
 * per call.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xlb_shared.h"
#include "bpf/decap.skel.h"
#include "bench_decap.h"
#include "../lib/pkt.h"
#include "../lib/bench_util.h"

#define CENTRAL_NS	20
#define OUT_MAX		512
#define LOCAL4		"192.0.2.10"	/* the backend's address: decap_addrs */
#define LB4		"192.0.2.1"	/* balancer: outer source */
#define VIP4		"203.0.113.10"
#define CLIENT4		"198.51.100.7"
#define HOP4		"192.0.2.50"	/* the previous owner, via bd0 */
#define PORT_HELD	40000		/* the connection on lo */
#define PORT_NONE	40001

struct dcase {
	const char *name;	/* decap.NAME */
	const char *what;
	__u16 cport;		/* client port: held or not */
	__u32 action;		/* of the hop packet */
	enum xlb_decap_sc_stat per_call; /* its second-chance reason */
};

static const struct dcase dcases[] = {
	{ "second_chance", "GUE with a hop, a local socket has the segment: socket lookup, "
	  "decapsulated", PORT_HELD, XDP_PASS, XLB_DECAP_SC_LOCAL },
	{ "second_chance_forward", "GUE with a hop, no socket has the segment: socket lookup, "
	  "FIB lookup, sent on to the hop (XDP_REDIRECT)", PORT_NONE, XDP_REDIRECT,
	  XLB_DECAP_SC_FORWARD },
};

static const char *const topology[] = {
	"ip link set lo up",
	"ip addr add " VIP4 "/32 dev lo",
	"ip addr add " CLIENT4 "/32 dev lo",
	"ip link add bd0 type veth peer name bd1",
	"ip link set bd0 up",
	"ip link set bd1 up",
	"ip route add " HOP4 "/32 dev bd0",
	"ip neigh add " HOP4 " lladdr 02:aa:00:00:00:02 dev bd0 nud permanent",
	"sysctl -qw net.ipv4.ip_forward=1",
};

static const __u8 tcp_ts_opt[12] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0 };

bool bench_decap_has(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++)
		if (!strcmp(name, dcases[i].name))
			return true;
	return false;
}

/* A network namespace with the topology and the connection (kept open:
 * the process ends with the benchmark). */
static int netns_setup(void)
{
	struct sockaddr_in v = { .sin_family = AF_INET, .sin_port = htons(80) };
	struct sockaddr_in c = { .sin_family = AF_INET, .sin_port = htons(PORT_HELD) };
	int lfd, cfd, one = 1;
	size_t i;

	if (unshare(CLONE_NEWNET))
		return -errno;
	for (i = 0; i < sizeof(topology) / sizeof(topology[0]); i++) {
		if (system(topology[i])) {
			fprintf(stderr, "decap: `%s` failed\n", topology[i]);
			return -EIO;
		}
	}
	inet_pton(AF_INET, VIP4, &v.sin_addr);
	inet_pton(AF_INET, CLIENT4, &c.sin_addr);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || cfd < 0)
		return -errno;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (void *)&v, sizeof(v)) || listen(lfd, 4) ||
	    bind(cfd, (void *)&c, sizeof(c)) || connect(cfd, (void *)&v, sizeof(v)) ||
	    accept(lfd, NULL, NULL) < 0)
		return -errno;
	return 0;
}

/* The balancer's GUE frame of the client's ACK from cport; with a hop
 * (variant 0, include/xlb_shared.h) or without (variant 1). */
static int build(struct pkt *p, __u16 cport, bool hop)
{
	__u8 gue[12] = { XLB_GUE_HOP_HLEN(XLB_FAMILY_V4), IPPROTO_IPIP, 0, 0,
			 XLB_GUE_HOP_TYPE >> 8, XLB_GUE_HOP_TYPE & 0xff, XLB_FAMILY_V4, 0 };

	inet_pton(AF_INET, HOP4, gue + 8);
	pkt_init(p);
	pkt_eth(p, NULL);
	pkt_ip(p, &(struct pkt_ip){ .src = LB4, .dst = LOCAL4, .df = true,
				    .proto = IPPROTO_UDP });
	pkt_udp(p, &(struct pkt_udp){ .sport = 0xc123, .dport = XLB_GUE_PORT_DEFAULT,
				      .zero_csum = true, .payload = hop ? gue : NULL,
				      .len = hop ? sizeof(gue) : 0 });
	pkt_ip(p, &(struct pkt_ip){ .src = CLIENT4, .dst = VIP4, .df = true });
	pkt_tcp(p, &(struct pkt_tcp){ .sport = cport, .dport = 80, .seq = 1, .ack = 1,
				      .flags = TH_ACK, .opts = tcp_ts_opt,
				      .opts_len = sizeof(tcp_ts_opt) });
	return pkt_finish(p);
}

static int run_once(int fd, const struct pkt *p, __u32 *act, __u32 *len, __u32 *ns)
{
	static __u8 out[OUT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->buf, .data_size_in = p->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	*act = o.retval;
	*len = o.data_size_out;
	*ns = o.duration;
	return 0;
}

/* decap_stats, then decap_sc_stats from SC(0). */
#define SC(i)		(XLB_DECAP_STAT_MAX + (i))
#define NSTATS		(XLB_DECAP_STAT_MAX + XLB_DECAP_SC_MAX)

static int stats_read(struct decap *skel, int ncpus, __u64 out[NSTATS])
{
	__u64 vals[ncpus];
	__u32 i, k;
	int c, fd;

	for (i = 0; i < NSTATS; i++) {
		fd = bpf_map__fd(i < XLB_DECAP_STAT_MAX ? skel->maps.decap_stats :
							 skel->maps.decap_sc_stats);
		k = i < XLB_DECAP_STAT_MAX ? i : i - XLB_DECAP_STAT_MAX;
		if (bpf_map_lookup_elem(fd, &k, vals))
			return -errno;
		out[i] = 0;
		for (c = 0; c < ncpus; c++)
			out[i] += vals[c];
	}
	return 0;
}

/* One line: plain and hop packets alternating (which goes first
 * alternates too), checked call by call and by the counters. */
static int run_case(struct decap *skel, const struct dcase *c, unsigned int calls,
		    unsigned int warmup, __u32 *t_hop, __u32 *t_plain)
{
	static const char *const names[] = XLB_DECAP_STAT_NAMES, *const sc_names[] =
		XLB_DECAP_SC_NAMES;
	static struct pkt plain, hop;
	int fd = bpf_program__fd(skel->progs.xlb_decap), ncpus = libbpf_num_possible_cpus();
	__u64 before[NSTATS], after[NSTATS], want[NSTATS] = { 0 };
	__u32 want_len, act = 0, len = 0, ns = 0, tp = 0, th = 0;
	double vh, vp, mh, mp;
	unsigned int i;
	int err;

	if (ncpus <= 0)
		return -EINVAL;
	err = build(&plain, c->cport, false);
	if (!err)
		err = build(&hop, c->cport, true);
	if (err)
		return err;
	/* plain: the outer IP, UDP headers gone; the hop's frame sent on
	 * loses only its GUE header and hop */
	want_len = c->action == XDP_PASS ? plain.len - 28 : hop.len - 12;
	if (stats_read(skel, ncpus, before))
		return -errno;
	for (i = 0; i < warmup + calls; i++) {
		if (i == warmup && stats_read(skel, ncpus, before))
			return -errno;
		for (int k = 0; k < 2; k++) {
			bool hop_turn = (i + k) & 1;

			err = run_once(fd, hop_turn ? &hop : &plain, &act, &len, &ns);
			if (err)
				return err;
			if (hop_turn && (act != c->action || len != want_len)) {
				fprintf(stderr, "decap.%s: action %u, %u bytes; want %u, %u\n",
					c->name, act, len, c->action, want_len);
				return -EPROTO;
			}
			if (!hop_turn && (act != XDP_PASS || len != plain.len - 28)) {
				fprintf(stderr, "decap.%s: plain decap: action %u, %u bytes\n",
					c->name, act, len);
				return -EPROTO;
			}
			if (hop_turn)
				th = ns;
			else
				tp = ns;
		}
		if (i >= warmup) {
			t_hop[i - warmup] = th;
			t_plain[i - warmup] = tp;
		}
	}
	if (stats_read(skel, ncpus, after))
		return -errno;
	want[XLB_DECAP_STAT_RX] = 2 * calls;
	want[XLB_DECAP_STAT_DECAP] = c->action == XDP_PASS ? 2 * calls : calls;
	want[SC(c->per_call)] = calls;
	for (i = 0; i < NSTATS; i++) {
		if (after[i] - before[i] != want[i]) {
			fprintf(stderr, "decap.%s: counter %s advanced by %llu in %u calls, "
					"want %llu\n", c->name,
				i < XLB_DECAP_STAT_MAX ? names[i] : sc_names[i - XLB_DECAP_STAT_MAX],
				(unsigned long long)(after[i] - before[i]), calls,
				(unsigned long long)want[i]);
			return -EPROTO;
		}
	}
	vh = bench_central_mean(t_hop, calls, CENTRAL_NS, &mh);
	vp = bench_central_mean(t_plain, calls, CENTRAL_NS, &mp);
	printf("# decap.%s medians: %.1f ns/pkt, plain decap %.1f\n", c->name, mh, mp);
	printf("bench decap.%s %.1f ns/pkt baseline %.1f ratio %.2f\n", c->name, vh, vp,
	       vp > 0 ? vh / vp : 0.0);
	fflush(stdout);
	return 0;
}

int bench_decap(unsigned int calls, unsigned int warmup, const char *only)
{
	struct xlb_decap_config cfg = { .gue_port = htons(XLB_GUE_PORT_DEFAULT) };
	struct xlb_decap_key key = { .family = XLB_FAMILY_V4 };
	struct decap *skel = NULL;
	__u32 *t_hop, *t_plain, zero = 0;
	__u8 one = 1;
	size_t i;
	int err;

	printf("# decap: the backend's program, in a network namespace of its own (a TCP "
	       "connection on lo, the hop routed on a veth); baseline = plain GUE decap of the "
	       "same segment, calls alternating\n");
	for (i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++)
		printf("# decap.%s: %s\n", dcases[i].name, dcases[i].what);
	err = netns_setup();
	if (err == -EPERM) {
		printf("# SKIP decap: unshare(CLONE_NEWNET) refused\n");
		return 77;
	}
	if (err)
		return err;
	t_hop = calloc(calls, sizeof(*t_hop));
	t_plain = calloc(calls, sizeof(*t_plain));
	skel = decap__open_and_load();
	if (!t_hop || !t_plain || !skel) {
		err = -ENOMEM;
		goto out;
	}
	inet_pton(AF_INET, LOCAL4, &key.addr.v4);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.decap_addrs), &key, &one, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.decap_cfg), &zero, &cfg, BPF_ANY)) {
		err = -errno;
		goto out;
	}
	for (i = 0; !err && i < sizeof(dcases) / sizeof(dcases[0]); i++)
		if (!only || !strcmp(only, dcases[i].name))
			err = run_case(skel, &dcases[i], calls, warmup, t_hop, t_plain);
out:
	decap__destroy(skel);
	free(t_hop);
	free(t_plain);
	return err;
}
