// SPDX-License-Identifier: GPL-2.0
/*
 * Forwarding benchmark (`make bench`, system part): packets per second
 * the balancer forwards through a real XDP hook, next to a trivial XDP_TX
 * program on the same hook in the same run, and the CPU each costs.
 *
 * Topology, in a network namespace of the process's own: a veth pair
 * fwd0 <-> fwd1. The program under test is attached to fwd1 in native
 * (driver) mode. Two traffic generators (selftests/bench/trafficgen.bpf.c),
 * the first that the kernel allows, said in the output:
 * - live: trafficgen run by BPF_PROG_TEST_RUN in live-frames mode
 *   (BPF_F_TEST_XDP_LIVE_FRAMES) with ingress fwd0: every frame it returns
 *   XDP_TX for is transmitted out of fwd0, so fwd1's XDP hook receives it
 *   as a NIC driver would hand it over, runs the program under test, and
 *   that program's XDP_TX sends it back out of fwd1 to fwd0, where
 *   xdp_count.bpf.c counts and drops it.
 * - bounce: where live frames are refused (EPERM on some hosts), or with
 *   BENCH_FORWARD_GEN=bounce. trafficgen's bouncer is attached to fwd0 in
 *   native mode; a packet socket puts BATCH frames into fwd0, and from
 *   there each goes to fwd1's program under test, back to the bouncer,
 *   which counts it, cuts what the program put in front (xlb's outer
 *   header), writes the next template frame and sends it to fwd1 again
 *   (XDP_TX) — until it has sent PACKETS back; then it drops them. Only
 *   the first pass of each frame is an skb; after it, XDP frames go back
 *   and forth between the two NAPI polls. The bouncer does the work the
 *   live generator and xdp_count do together, so per frame the two
 *   methods cost about the same around the program under test.
 * BENCH_FORWARD_GEN=live|bounce|auto (default auto: live, else bounce)
 * chooses; a forced generator the kernel refuses is a skip (exit 77).
 * Frames carry a TCP ACK (timestamps option, 72 bytes) from one client to
 * the VIP, the source port cycling over NFLOWS flows; for xlb the flows
 * are established first (flow table warm) and every measured packet must
 * be a flow-table hit, encapsulated (IPIP) and sent with XDP_TX. The
 * baseline is selftests/bench/baseline.bpf.c (parse Ethernet + IPv4 +
 * TCP, XDP_TX unchanged).
 *
 * Everything runs on one CPU, the one the process is pinned to: the
 * generator in the syscall, the veths' NAPI polls in the softirqs it
 * raises there (veth schedules its peer's NAPI on the sending CPU), and,
 * bouncing, in that CPU's ksoftirqd once the polls run long.
 * Rounds alternate baseline and xlb (which goes first alternates too);
 * the values are medians over the rounds, the pps ratio the median of
 * the rounds' own ratios (on a shared machine a round's two runs see
 * the same neighbours; rounds differ more than that).
 *   forward_pps  frames counted back at fwd0 / CPU time of the run
 *   forward_cpu  CPU time per million frames: this thread (user + system,
 *                which with this kernel's accounting includes the
 *                softirqs run on its way out of the syscall) plus the
 *                pinned CPU's ksoftirqd (softirqs it deferred)
 * Both include the generator and the two veth hops, which cost the same
 * for both programs; the ratio is therefore the system's, not the
 * programs' (bench_datapath compares the programs alone).
 *
 * Output: `#` comment lines, then
 *	bench system.forward_pps VALUE pps baseline VALUE ratio R
 *	bench system.forward_cpu VALUE ms/Mpkt baseline VALUE ratio R
 * Exit 77 when not root or no generator can run here, 1 when a run took
 * the wrong path or lost frames.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "maps/dataplane.h"
#include "maps/maglev.h"
#include "selftests/bench/baseline.skel.h"
#include "selftests/bench/trafficgen.skel.h"
#include "selftests/bench/xdp_count.skel.h"
#include "../lib/pkt.h"
#include "../lib/bench_util.h"

#define PACKETS_DEFAULT	1000000		/* frames per measured run */
#define ROUNDS_DEFAULT	9
#define NFLOWS_DEFAULT	10000
#define BACKENDS	10
#define BATCH		64		/* frames per live-frames batch; frames
					 * in flight when bouncing */
#define FRAME_LEN	72		/* = 8 * trafficgen's TMPL_WORDS */
#define SPORT_BASE	10000
#define MIN_DELIVERED	0.99		/* frames that must come back */
#define TARGET_RATIO	0.65		/* issue 16 (issue 6: 0.6); reported, not enforced */

#define LB4		"192.0.2.1"
#define CLIENT4		"198.51.100.7"
#define VIP4		"203.0.113.10"

static const __u8 mac0[6] = { 0x02, 0x00, 0x00, 0x00, 0xf0, 0x00 };
static const __u8 mac1[6] = { 0x02, 0x00, 0x00, 0x00, 0xf0, 0x01 };
static const __u8 tcp_ts_opt[12] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0 };

enum { PROG_BASE, PROG_XLB, NPROGS };
static const char *const prog_names[NPROGS] = { "baseline", "xlb" };

enum gen_kind { GEN_LIVE, GEN_BOUNCE };
static const char *const gen_names[] = { "live", "bounce" };

/* indexes of trafficgen's counts (bouncer) */
enum { CNT_RX, CNT_IPIP, CNT_BOUNCED, CNT_SHORT, CNT_MAX };

struct fwd {
	struct xlb_dp *dp;
	struct baseline *base;
	struct trafficgen *gen;
	struct xdp_count *cnt;
	int prog_fd[NPROGS];
	enum gen_kind gen_kind;
	int pkt_fd;			/* bounce: packet socket on fwd0 */
	__u8 frame[FRAME_LEN];		/* the template frame */
	int if0, if1;
	int cpu;
	int ksoftirqd;			/* pid of the pinned CPU's ksoftirqd; 0: none */
	unsigned int packets, rounds, nflows;
};

struct result {
	double pps;			/* frames back / CPU time spent */
	double pps_kernel;		/* frames back / the kernel's timing of the run
					 * (live; bounce: wall time) */
	double pps_wall;		/* frames back / wall time of the syscall */
	double cpu_ms_per_m;		/* ms of CPU per million frames */
	double softirqd_ms_per_m;	/* the part ksoftirqd spent */
	double delivered;		/* frames back / frames sent */
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc)
		fprintf(stderr, "bench_forward: `%s` failed (status %d)\n", cmd, rc);
	return rc ? -EIO : 0;
}

static int netns_setup(struct fwd *f)
{
	int err;

	if (unshare(CLONE_NEWNET))
		return -errno;
	/* no IPv6 on the veths: their router solicitations and MLD reports
	 * would be traffic the counters do not expect */
	err = sh("echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6");
	if (!err)
		err = sh("ip link add fwd0 address 02:00:00:00:f0:00 type veth "
		 "peer name fwd1 address 02:00:00:00:f0:01");
	if (!err)
		err = sh("ip link set fwd0 up && ip link set fwd1 up");
	if (err)
		return err;
	f->if0 = if_nametoindex("fwd0");
	f->if1 = if_nametoindex("fwd1");
	return f->if0 && f->if1 ? 0 : -ENODEV;
}

/* The pinned CPU's ksoftirqd, whose CPU time counts too. */
static int ksoftirqd_find(int cpu)
{
	char want[32], path[300], comm[64];
	struct dirent *de;
	int pid = 0;
	DIR *d;
	FILE *fp;

	snprintf(want, sizeof(want), "ksoftirqd/%d\n", cpu);
	d = opendir("/proc");
	if (!d)
		return 0;
	while (!pid && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		fp = fopen(path, "r");
		if (!fp)
			continue;
		if (fgets(comm, sizeof(comm), fp) && !strcmp(comm, want))
			pid = atoi(de->d_name);
		fclose(fp);
	}
	closedir(d);
	return pid;
}

/* CPU time a thread has run, ns (/proc/PID/task/TID/schedstat: the
 * scheduler's own clock, not tick samples). tid 0: the calling thread. */
static double thread_cpu_ns(int tid)
{
	unsigned long long ns = 0;
	char path[64];
	FILE *fp;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/schedstat", tid);
	else
		snprintf(path, sizeof(path), "/proc/thread-self/schedstat");
	fp = fopen(path, "r");
	if (!fp)
		return 0;
	if (fscanf(fp, "%llu", &ns) != 1)
		ns = 0;
	fclose(fp);
	return (double)ns;
}

static int xlb_setup(struct fwd *f)
{
	struct xlb_config cfg = { .has_v4 = 1 };
	struct xlb_vip_key key = { .port = htons(80), .proto = IPPROTO_TCP };
	struct xlb_vip vip = { .id = 0, .encap = XLB_ENCAP_IPIP };
	struct maglev_backend mb[BACKENDS] = {};
	struct xlb_dp_opts opts = {};
	union xlb_addr a;
	char addr[32];
	__u32 *ring;
	int i, err;

	err = xlb_dp_open(&opts, &f->dp);
	if (err)
		return err;
	pkt_addr_parse(LB4, &a, NULL);
	cfg.src_v4 = a.v4;
	err = xlb_dp_config_set(f->dp, &cfg);
	for (i = 0; !err && i < BACKENDS; i++) {
		struct xlb_backend be = {
			.flags = XLB_BE_F_PRESENT | XLB_BE_F_NEXTHOP,
			.mtu = 1500,
			.ifindex = 0,	/* out of the ingress interface: XDP_TX */
		};

		snprintf(addr, sizeof(addr), "198.51.100.%d", 11 + i);
		pkt_addr_parse(addr, &be.addr, &be.family);
		memcpy(be.dmac, mac0, 6);	/* towards fwd0, where it is counted */
		memcpy(be.smac, mac1, 6);
		err = xlb_dp_backend_set(f->dp, i + 1, &be);
		mb[i] = (struct maglev_backend){ .id = i + 1, .weight = 1, .addr = be.addr,
						 .family = be.family };
	}
	if (err)
		return err;
	pkt_addr_parse(VIP4, &key.addr, &key.family);
	ring = calloc(XLB_RING_DEFAULT, sizeof(*ring));
	if (!ring)
		return -ENOMEM;
	err = maglev_build(mb, BACKENDS, ring, XLB_RING_DEFAULT);
	if (!err)
		err = xlb_dp_vip_set(f->dp, &key, &vip, ring, XLB_RING_DEFAULT);
	free(ring);
	if (!err)
		f->prog_fd[PROG_XLB] = xlb_dp_prog_fd(f->dp);
	return err;
}

/* The generator, with the frame of flow 0 as its template. */
static int gen_setup(struct fwd *f)
{
	static struct pkt p;
	struct pkt_eth eth = {};
	int err;

	memcpy(eth.dst, mac1, 6);
	memcpy(eth.src, mac0, 6);
	pkt_init(&p);
	pkt_eth(&p, &eth);
	pkt_ip(&p, &(struct pkt_ip){ .src = CLIENT4, .dst = VIP4, .df = true });
	pkt_tcp(&p, &(struct pkt_tcp){ .sport = SPORT_BASE, .dport = 80, .seq = 1, .ack = 1,
				       .flags = TH_ACK, .opts = tcp_ts_opt,
				       .opts_len = sizeof(tcp_ts_opt),
				       .len = FRAME_LEN - 14 - 20 - 32 });
	err = pkt_finish(&p);
	if (err)
		return err;
	if (p.len != FRAME_LEN)
		return -EINVAL;
	memcpy(f->frame, p.buf, FRAME_LEN);
	f->gen = trafficgen__open();
	if (!f->gen)
		return -errno;
	memcpy((void *)f->gen->rodata->tmpl, p.buf, FRAME_LEN);
	f->gen->rodata->sport_off = 14 + 20;
	f->gen->rodata->csum_off = 14 + 20 + 16;
	f->gen->rodata->sport_base = SPORT_BASE;
	if (trafficgen__load(f->gen))
		return -errno;
	return 0;
}

/* Frames back at fwd0: out[0] all, out[1] IPv4 in IPv4, summed over
 * CPUs, from whichever program receives them there. */
static int counts_read(struct fwd *f, __u64 out[2])
{
	int ncpus = libbpf_num_possible_cpus(), c;
	int fd = f->gen_kind == GEN_BOUNCE ? bpf_map__fd(f->gen->maps.counts) :
					     bpf_map__fd(f->cnt->maps.counts);
	__u64 vals[ncpus];
	__u32 k;

	for (k = 0; k < 2; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals))
			return -errno;
		out[k] = 0;
		for (c = 0; c < ncpus; c++)
			out[k] += vals[c];
	}
	return 0;
}

/* The bouncer's counter `k`, summed over CPUs. */
static int bouncer_count(struct fwd *f, __u32 k, __u64 *out)
{
	int ncpus = libbpf_num_possible_cpus(), c;
	__u64 vals[ncpus];

	if (bpf_map_lookup_elem(bpf_map__fd(f->gen->maps.counts), &k, vals))
		return -errno;
	for (*out = 0, c = 0; c < ncpus; c++)
		*out += vals[c];
	return 0;
}

/* n frames out of the generator, on fwd0; *ns: the kernel's timing of
 * the run (it stops while the thread is rescheduled). */
static int generate(struct fwd *f, unsigned int n, double *ns)
{
	static __u8 frame[FRAME_LEN];
	struct xdp_md ctx = { .data_end = FRAME_LEN, .ingress_ifindex = f->if0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = frame,
		.data_size_in = FRAME_LEN,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = n,
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		.batch_size = BATCH,
	);

	/* the generator writes every frame itself */
	if (bpf_prog_test_run_opts(bpf_program__fd(f->gen->progs.trafficgen), &opts))
		return -errno;
	if (ns)
		*ns = (double)opts.duration * n;	/* duration is per repetition */
	return 0;
}

/* The bouncer's packet socket: frames written straight to fwd0's driver. */
static int bounce_setup(struct fwd *f)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = f->if0 };
	int one = 1;

	f->pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (f->pkt_fd < 0)
		return -errno;
	if (bind(f->pkt_fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(f->pkt_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		return -errno;
	return bpf_xdp_attach(f->if0, bpf_program__fd(f->gen->progs.bouncer), XDP_FLAGS_DRV_MODE,
			      NULL);
}

/* n frames through the program under test by bouncing BATCH frames
 * between the veths; returns when the last has been dropped. *ns: the
 * wall time. */
static int bounce(struct fwd *f, unsigned int n, double *ns)
{
	int ncpus = libbpf_num_possible_cpus();
	struct mmsghdr msgs[BATCH] = {};
	struct iovec iov = { .iov_base = f->frame, .iov_len = FRAME_LEN };
	__u64 zeros[ncpus], rx, prev = ~0ULL, bounced;
	__u32 k = CNT_BOUNCED;
	double t0 = now_s();
	int i, still = 0, err;

	memset(zeros, 0, sizeof(zeros));
	if (bpf_map_update_elem(bpf_map__fd(f->gen->maps.counts), &k, zeros, BPF_ANY))
		return -errno;
	f->gen->bss->bounce_limit = n;
	for (i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	if (sendmmsg(f->pkt_fd, msgs, BATCH, 0) != BATCH)
		return errno ? -errno : -EIO;
	/* done when the bouncer has sent n back and nothing moves any more
	 * (every frame in flight dropped at its next arrival) */
	for (i = 0; i < 30000; i++) {
		usleep(1000);
		err = bouncer_count(f, CNT_RX, &rx);
		if (!err)
			err = bouncer_count(f, CNT_BOUNCED, &bounced);
		if (err)
			return err;
		still = rx == prev ? still + 1 : 0;
		prev = rx;
		if (bounced >= n && still >= 3)
			break;
		if (bounced < n && still >= 1000) {
			fprintf(stderr, "bench_forward: bouncing stopped after %llu of %u frames "
				"(all in flight lost)\n", (unsigned long long)bounced, n);
			return -EPROTO;
		}
	}
	if (i == 30000)
		return -ETIMEDOUT;
	if (ns)
		*ns = (now_s() - t0 - still * 1e-3) * 1e9;
	return 0;
}

/* n frames from the generator; *ns: the kernel's (live) or the wall
 * (bounce) time of the run. */
static int gen_run(struct fwd *f, unsigned int n, double *ns)
{
	return f->gen_kind == GEN_BOUNCE ? bounce(f, n, ns) : generate(f, n, ns);
}

/* Waits until nothing more arrives at fwd0 (the last NAPI polls). */
static int drain(struct fwd *f, __u64 out[2])
{
	__u64 prev = ~0ULL;
	int i, err;

	for (i = 0; i < 100; i++) {
		err = counts_read(f, out);
		if (err || out[0] == prev)
			return err;
		prev = out[0];
		usleep(2000);
	}
	return 0;
}

static int run(struct fwd *f, int prog, struct result *res)
{
	__u64 c0[2], c1[2], s0[XLB_STAT_MAX], s1[XLB_STAT_MAX];
	double t0, t1, cpu0, cpu1, sirq0, sirq1, ns;
	__u64 got;
	int err;

	err = bpf_xdp_attach(f->if1, f->prog_fd[prog], XDP_FLAGS_DRV_MODE, NULL);
	if (err)
		return err;
	/* warm-up: every flow once (xlb: its flow entry), and the caches */
	err = gen_run(f, f->nflows * 2, NULL);
	if (!err)
		err = drain(f, c0);
	if (!err)
		err = xlb_dp_stats_read(f->dp, s0);
	if (err)
		return err;

	sirq0 = f->ksoftirqd ? thread_cpu_ns(f->ksoftirqd) : 0;
	cpu0 = thread_cpu_ns(0);
	t0 = now_s();
	err = gen_run(f, f->packets, &ns);
	t1 = now_s();
	if (!err)
		err = drain(f, c1);
	cpu1 = thread_cpu_ns(0);
	sirq1 = f->ksoftirqd ? thread_cpu_ns(f->ksoftirqd) : 0;
	if (!err)
		err = xlb_dp_stats_read(f->dp, s1);
	if (err)
		return err;

	got = c1[0] - c0[0];
	/* live: frames back of those sent; bounce: frames still in flight
	 * at the end (each dropped once) of those put in flight */
	res->delivered = f->gen_kind == GEN_LIVE ? (double)got / f->packets :
			 got >= f->packets ? (double)(got - f->packets) / BATCH : 0;
	res->pps = got / ((cpu1 - cpu0 + sirq1 - sirq0) / 1e9);
	res->pps_kernel = got / (ns / 1e9);
	res->pps_wall = got / (t1 - t0);
	res->softirqd_ms_per_m = (sirq1 - sirq0) / 1e6 / (got / 1e6);
	res->cpu_ms_per_m = (cpu1 - cpu0 + sirq1 - sirq0) / 1e6 / (got / 1e6);
	if (res->delivered < MIN_DELIVERED) {
		fprintf(stderr, "bench_forward: %s: %llu frames back for %u (%s generator)\n",
			prog_names[prog], (unsigned long long)got, f->packets,
			gen_names[f->gen_kind]);
		return -EPROTO;
	}
	/* the right path: xlb encapsulated every frame it got, each a flow
	 * hit sent with XDP_TX; the baseline sent them back as they were */
	if (prog == PROG_XLB) {
		__u64 hits = s1[XLB_STAT_FLOW_HIT] - s0[XLB_STAT_FLOW_HIT];
		__u64 tx = s1[XLB_STAT_TX] - s0[XLB_STAT_TX];

		if (c1[1] - c0[1] != got || tx != hits || s1[XLB_STAT_RX] - s0[XLB_STAT_RX] != tx ||
		    tx < got) {
			fprintf(stderr, "bench_forward: xlb: %llu back, %llu encapsulated, "
				"%llu tx, %llu flow hits, %llu packets\n",
				(unsigned long long)got, (unsigned long long)(c1[1] - c0[1]),
				(unsigned long long)tx, (unsigned long long)hits,
				(unsigned long long)(s1[XLB_STAT_RX] - s0[XLB_STAT_RX]));
			return -EPROTO;
		}
	} else if (c1[1] != c0[1] || s1[XLB_STAT_RX] != s0[XLB_STAT_RX]) {
		fprintf(stderr, "bench_forward: baseline: frames changed or xlb ran\n");
		return -EPROTO;
	}
	return 0;
}

/*
 * The generator: BENCH_FORWARD_GEN=live or bounce forces one, auto (the
 * default) takes live frames when the kernel allows them (one frame
 * tried) and bounces otherwise. Attaches what receives the frames at fwd0.
 * `why` says why this one; -EPERM/-EOPNOTSUPP: the forced one cannot run.
 */
static int gen_choose(struct fwd *f, char *why, size_t len)
{
	const char *want = getenv("BENCH_FORWARD_GEN");
	int err;

	if (want && *want && strcmp(want, "auto") && strcmp(want, "live") &&
	    strcmp(want, "bounce")) {
		snprintf(why, len, "BENCH_FORWARD_GEN=%s: not live, bounce or auto", want);
		return -EINVAL;
	}
	if (!want || !*want || strcmp(want, "bounce")) {
		err = generate(f, 1, NULL);
		if (!err) {
			f->gen_kind = GEN_LIVE;
			snprintf(why, len, "%s", want && !strcmp(want, "live") ?
				 "BENCH_FORWARD_GEN=live" : "the kernel runs live frames");
			return bpf_xdp_attach(f->if0, bpf_program__fd(f->cnt->progs.xdp_count),
					      XDP_FLAGS_DRV_MODE, NULL);
		}
		if (want && !strcmp(want, "live")) {
			snprintf(why, len, "BENCH_FORWARD_GEN=live, but BPF_PROG_TEST_RUN with "
				 "BPF_F_TEST_XDP_LIVE_FRAMES: %s", strerror(-err));
			return -EOPNOTSUPP;
		}
		snprintf(why, len, "BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: %s",
			 strerror(-err));
	} else {
		snprintf(why, len, "BENCH_FORWARD_GEN=bounce");
	}
	f->gen_kind = GEN_BOUNCE;
	err = bounce_setup(f);
	if (err) {
		snprintf(why + strlen(why), len - strlen(why), "; and the bouncer: %s",
			 strerror(-err));
		return -EOPNOTSUPP;
	}
	return 0;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-n PACKETS] [-r ROUNDS] [-f FLOWS] [-c CPU] [-s]\n"
		"  -n PACKETS  frames per measured run (default %d)\n"
		"  -r ROUNDS   runs per program, alternating (default %d)\n"
		"  -f FLOWS    established flows the generator cycles over (default %d)\n"
		"  -c CPU      pin to this CPU (default: the last one allowed)\n"
		"  -s          no sweep over other flow counts first\n"
		"BENCH_FORWARD_GEN=live|bounce|auto chooses the traffic generator "
		"(default auto: live frames if the kernel allows them, else bounce)\n",
		prog, PACKETS_DEFAULT, ROUNDS_DEFAULT, NFLOWS_DEFAULT);
}

/* Rounds of both programs over nflows flows; medians into m_pps, m_cpu,
 * and the median of the rounds' pps ratios (each round runs xlb and the
 * baseline back to back, so its ratio sees one state of a shared
 * machine) into *m_ratio, their range into lo_hi. */
static int measure(struct fwd *f, unsigned int nflows, bool verbose, double m_pps[NPROGS],
		   double m_cpu[NPROGS], double *m_ratio, double lo_hi[2], double *worst)
{
	double pps[NPROGS][64], cpu[NPROGS][64], ratio[64];
	struct result r;
	unsigned int i;
	int k, p, err;

	f->nflows = nflows;
	f->gen->bss->nflows = nflows;
	for (i = 0; i < f->rounds; i++) {
		for (k = 0; k < NPROGS; k++) {
			p = (i + k) % 2 ? PROG_XLB : PROG_BASE;
			err = run(f, p, &r);
			if (err) {
				fprintf(stderr, "bench_forward: %s, %u flows: %s\n", prog_names[p],
					nflows, strerror(-err));
				return err;
			}
			pps[p][i] = r.pps;
			cpu[p][i] = r.cpu_ms_per_m;
			if (r.delivered < *worst)
				*worst = r.delivered;
			if (verbose)
				printf("# round %u %-8s %.2f Mpps per CPU (%s %.2f, wall "
				       "clock %.2f), %.1f ms CPU/Mpkt (ksoftirqd %.1f)\n", i + 1,
				       prog_names[p], r.pps / 1e6, f->gen_kind == GEN_LIVE ?
				       "kernel-timed" : "bouncing", r.pps_kernel / 1e6,
				       r.pps_wall / 1e6, r.cpu_ms_per_m, r.softirqd_ms_per_m);
		}
	}
	for (i = 0; i < f->rounds; i++)
		ratio[i] = pps[PROG_XLB][i] / pps[PROG_BASE][i];
	for (p = 0; p < NPROGS; p++) {
		m_pps[p] = bench_median(pps[p], f->rounds);
		m_cpu[p] = bench_median(cpu[p], f->rounds);
	}
	*m_ratio = bench_median(ratio, f->rounds);	/* sorts ratio */
	lo_hi[0] = ratio[0];
	lo_hi[1] = ratio[f->rounds - 1];
	return 0;
}

int main(int argc, char **argv)
{
	static struct fwd f = { .packets = PACKETS_DEFAULT, .rounds = ROUNDS_DEFAULT,
				.nflows = NFLOWS_DEFAULT, .cpu = -1 };
	static const unsigned int sweep[] = { 100, 1000, 50000 };
	double m_pps[NPROGS], m_cpu[NPROGS], s_pps[NPROGS], s_cpu[NPROGS], worst = 1;
	double m_ratio, s_ratio, lo_hi[2];
	bool do_sweep = true;
	unsigned int i, nflows;
	char gen_why[160] = "";
	int opt, err, rc = 0;

	while ((opt = getopt(argc, argv, "n:r:f:c:sh")) != -1) {
		switch (opt) {
		case 'n':
			f.packets = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			f.rounds = strtoul(optarg, NULL, 10);
			break;
		case 'f':
			f.nflows = strtoul(optarg, NULL, 10);
			break;
		case 'c':
			f.cpu = atoi(optarg);
			break;
		case 's':
			do_sweep = false;
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (f.packets < 1000 || f.packets > 1000000000 || !f.rounds || f.rounds > 64 ||
	    !f.nflows || f.nflows > 50000 || optind < argc) {
		usage(argv[0]);
		return 2;
	}
	if (geteuid()) {
		printf("# bench_forward: needs root (BPF, XDP, a network namespace)\n");
		return 77;
	}
	libbpf_set_print(libbpf_print);
	f.cpu = bench_pin_cpu(f.cpu);
	if (f.cpu < 0) {
		fprintf(stderr, "bench_forward: pinning to a CPU: %s\n", strerror(-f.cpu));
		return 1;
	}
	f.ksoftirqd = ksoftirqd_find(f.cpu);

	err = netns_setup(&f);
	if (!err) {
		f.base = baseline__open_and_load();
		f.cnt = xdp_count__open_and_load();
		err = f.base && f.cnt ? 0 : -errno;
	}
	if (!err) {
		f.prog_fd[PROG_BASE] = bpf_program__fd(f.base->progs.bench_baseline);
		err = xlb_setup(&f);
	}
	if (!err)
		err = gen_setup(&f);
	if (!err)
		err = gen_choose(&f, gen_why, sizeof(gen_why));
	if (err == -EPERM || err == -EOPNOTSUPP) {
		printf("# SKIP bench_forward: %s\n", gen_why);
		err = 0;
		rc = 77;
		goto out;
	}
	if (err == -EINVAL && gen_why[0]) {
		fprintf(stderr, "bench_forward: %s\n", gen_why);
		err = 0;
		rc = 2;
		goto out;
	}
	if (err) {
		fprintf(stderr, "bench_forward: setup: %s\n", strerror(-err));
		goto out;
	}

	printf("# generator: %s (%s)\n", gen_names[f.gen_kind], gen_why);
	if (f.gen_kind == GEN_LIVE)
		printf("# system.forward: trafficgen.bpf.c in BPF_PROG_TEST_RUN live-frames mode "
		       "(batch %d) -> veth fwd0 -> native XDP on fwd1 (the program under test, "
		       "XDP_TX) -> fwd0, counted by xdp_count.bpf.c; all on CPU %d\n", BATCH,
		       f.cpu);
	else
		printf("# system.forward: %d frames put in flight on fwd0 by a packet socket, "
		       "then bounced: native XDP on fwd1 (the program under test, XDP_TX) -> "
		       "fwd0, trafficgen.bpf.c's bouncer (counts, cuts the outer header, writes "
		       "the next frame, XDP_TX) -> fwd1 ...; all on CPU %d\n", BATCH, f.cpu);
	printf("# frames: %d-byte TCP ACKs to VIP %s:80, source port round robin over "
	       "established flows (warmed up first); xlb: %d backends, IPIP, cached next hop, "
	       "flow table %u entries, every measured frame a flow-table hit, encapsulated, "
	       "XDP_TX; baseline: parse eth+ipv4+tcp, XDP_TX\n", FRAME_LEN, VIP4, BACKENDS,
	       XLB_FLOWS_DEFAULT);
	printf("# %u rounds of %u frames per program, alternating, medians; per CPU: frames "
	       "back / CPU time of this thread + ksoftirqd/%d%s (scheduler clock), which the "
	       "whole chain runs on\n", f.rounds, f.packets, f.cpu,
	       f.ksoftirqd ? "" : " (not found: thread only)");
	fflush(stdout);

	nflows = f.nflows;
	for (i = 0; do_sweep && i < sizeof(sweep) / sizeof(sweep[0]); i++) {
		err = measure(&f, sweep[i], false, s_pps, s_cpu, &s_ratio, lo_hi, &worst);
		if (err)
			goto out;
		printf("# %u flows: xlb %.2f Mpps, baseline %.2f Mpps, ratio %.2f (rounds "
		       "%.2f-%.2f); %.1f vs %.1f ms CPU/Mpkt\n", sweep[i], s_pps[PROG_XLB] / 1e6,
		       s_pps[PROG_BASE] / 1e6, s_ratio, lo_hi[0], lo_hi[1], s_cpu[PROG_XLB],
		       s_cpu[PROG_BASE]);
		fflush(stdout);
	}
	err = measure(&f, nflows, true, m_pps, m_cpu, &m_ratio, lo_hi, &worst);
	if (err)
		goto out;
	printf("# every run: at least %.4f of the frames came back; the lines below: %u flows; "
	       "forward_pps ratio: the median of the rounds' (%.2f-%.2f)\n", worst, f.nflows,
	       lo_hi[0], lo_hi[1]);
	printf("bench system.forward_pps %.0f pps baseline %.0f ratio %.2f\n", m_pps[PROG_XLB],
	       m_pps[PROG_BASE], m_ratio);
	printf("bench system.forward_cpu %.1f ms/Mpkt baseline %.1f ratio %.2f\n",
	       m_cpu[PROG_XLB], m_cpu[PROG_BASE], m_cpu[PROG_XLB] / m_cpu[PROG_BASE]);
	printf("# target: system.forward_pps ratio >= %.2f: %s (%.2f)\n", TARGET_RATIO,
	       m_ratio >= TARGET_RATIO ? "met" : "not met", m_ratio);
out:
	if (f.if1)
		bpf_xdp_detach(f.if1, XDP_FLAGS_DRV_MODE, NULL);
	if (f.if0)
		bpf_xdp_detach(f.if0, XDP_FLAGS_DRV_MODE, NULL);
	if (f.pkt_fd > 0)
		close(f.pkt_fd);
	xlb_dp_close(f.dp);
	trafficgen__destroy(f.gen);
	xdp_count__destroy(f.cnt);
	baseline__destroy(f.base);
	return err ? 1 : rc;
}
