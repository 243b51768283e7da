// SPDX-License-Identifier: GPL-2.0
/*
 * Two BFD instances talking over 127.0.0.1 through the real sockets and
 * timers of agent/bfd/bfd.c (each receives on a port of its own and sends
 * to the other's):
 *  - both reach Up with each other's discriminators and the fast rate;
 *  - a timer change on one side travels by Poll/Final and both settle on
 *    the new intervals without leaving Up;
 *  - destroying one side sends AdminDown: the other goes Down with diag 3
 *    and does not call its client (RFC 5882 sec 3.2);
 *  - one side frozen (a child process, SIGSTOP): the other detects it
 *    within the Detection Time and calls its client with diag 1, then
 *    both come back Up after SIGCONT;
 *  - packets with TTL 254, from a stranger, or for an unknown
 *    discriminator are discarded and counted;
 *  - the same over ::1 (IPv6 socket, hop limit).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "bfd/bfd.h"
#include "bfd/session.h"
#include "bfd/tx.h"
#include "core/show.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "../lib/test.h"

struct side {
	struct bfd *b;
	struct bfd_session *s;
	uint16_t port;
	int downs;
	enum bfd_diag diag;
	uint64_t down_ms;
	struct evloop *el;
};

static void on_down(void *arg, struct bfd_session *s, enum bfd_diag diag)
{
	struct side *sd = arg;

	(void)s;
	sd->downs++;
	sd->diag = diag;
	sd->down_ms = evloop_now_ms(sd->el);
}

static const struct conf_addr LO = { .family = XLB_FAMILY_V4, .addr.v4 = 0x0100007f };
static const struct conf_addr LO6 = { .family = XLB_FAMILY_V6, .addr.bytes[15] = 1 };

/* ---- running the loop until something holds ---- */

typedef bool (*cond_fn)(void *arg);

struct waiter {
	struct ev_timer tick, deadline;
	cond_fn cond;
	void *arg;
	bool met;
};

static void w_tick(struct evloop *el, void *arg)
{
	struct waiter *w = arg;

	if (w->cond(w->arg)) {
		w->met = true;
		evloop_stop(el);
		return;
	}
	evloop_timer_set(el, &w->tick, 1, w_tick, w);
}

static void w_deadline(struct evloop *el, void *arg)
{
	(void)arg;
	evloop_stop(el);
}

/* true if cond held within ms */
static bool run_until(struct evloop *el, cond_fn cond, void *arg, uint64_t ms)
{
	struct waiter w = { .cond = cond, .arg = arg };

	if (cond(arg))
		return true;
	evloop_timer_set(el, &w.tick, 1, w_tick, &w);
	evloop_timer_set(el, &w.deadline, ms, w_deadline, &w);
	evloop_run(el);
	evloop_timer_cancel(el, &w.tick);
	evloop_timer_cancel(el, &w.deadline);
	return w.met;
}

static bool never(void *arg)
{
	(void)arg;
	return false;
}

static void run_for(struct evloop *el, uint64_t ms)
{
	run_until(el, never, NULL, ms);
}

struct pair {
	struct side *a, *b;
};

static bool both_up(void *arg)
{
	struct pair *p = arg;

	return p->a->s && p->b->s && bfd_session_state(p->a->s) == BFD_STATE_UP &&
	       bfd_session_state(p->b->s) == BFD_STATE_UP;
}

static bool polls_done(void *arg)
{
	struct pair *p = arg;

	return both_up(arg) && !bfd_session_sm(p->a->s)->poll && !bfd_session_sm(p->b->s)->poll;
}

static bool is_down(void *arg)
{
	struct side *sd = arg;

	return bfd_session_state(sd->s) == BFD_STATE_DOWN;
}

static bool got_down(void *arg)
{
	return ((struct side *)arg)->downs > 0;
}

static bool is_up(void *arg)
{
	return bfd_session_state(((struct side *)arg)->s) == BFD_STATE_UP;
}

/* ---- setting up ---- */

static uint16_t port_base(void)
{
	/* a pseudo-random base so parallel runs rarely meet; retried anyway */
	return 20000 + (getpid() * 37 + time(NULL)) % 20000;
}

/* An instance receiving on `port`, sending to `peer_port`, with one
 * session to `addr`. */
static int side_open_at(struct evloop *el, struct side *sd, uint16_t port, uint16_t peer_port,
			const struct conf_bfd *cfg, const struct conf_addr *addr)
{
	struct bfd_opts o = { .port = port, .peer_port = peer_port };
	int err;

	sd->el = el;
	sd->port = port;
	err = bfd_new(el, &o, &sd->b);
	if (err)
		return err;
	/* the peer's address is ours too: bind the source to it */
	err = bfd_session_new(sd->b, addr, addr, cfg, on_down, sd, &sd->s);
	if (err) {
		bfd_free(sd->b);
		sd->b = NULL;
	}
	return err;
}

static int side_open(struct evloop *el, struct side *sd, uint16_t port, uint16_t peer_port,
		     const struct conf_bfd *cfg)
{
	return side_open_at(el, sd, port, peer_port, cfg, &LO);
}

/* Two sides on free ports: b first, so a's first packet finds it. */
static int pair_open_at(struct evloop *el, struct side *a, struct side *b,
			const struct conf_bfd *cfg, const struct conf_addr *addr)
{
	int i, err = -EADDRINUSE;

	for (i = 0; i < 50 && err == -EADDRINUSE; i++) {
		uint16_t pa = port_base() + 2 * i, pb = pa + 1;

		err = side_open_at(el, b, pb, pa, cfg, addr);
		if (err)
			continue;
		err = side_open_at(el, a, pa, pb, cfg, addr);
		if (err) {
			bfd_free(b->b);
			b->b = NULL;
		}
	}
	return err;
}

static int pair_open(struct evloop *el, struct side *a, struct side *b, const struct conf_bfd *cfg)
{
	return pair_open_at(el, a, b, cfg, &LO);
}

static const struct conf_bfd FAST = {
	.enabled = true, .interval_ms = 20, .min_rx_ms = 20, .multiplier = 3
};

void test_bfd_loop_up_poll_admin(void)
{
	struct side a = {}, b = {};
	struct pair p = { &a, &b };
	struct conf_bfd cfg = FAST;
	const struct bfd_sm *sa, *sb;
	struct bfd_session_stats st;
	struct evloop *el;
	struct buf text;
	struct json_writer w;
	uint64_t t0;

	buf_init(&text, 0);
	if (!ASSERT_OK(evloop_new(&el), "evloop"))
		return;
	if (!ASSERT_OK(pair_open(el, &a, &b, &cfg), "two instances"))
		goto out;
	sa = bfd_session_sm(a.s);
	sb = bfd_session_sm(b.s);

	t0 = evloop_now_ms(el);
	if (!ASSERT_TRUE(run_until(el, both_up, &p, 3000), "both Up within 3 s"))
		goto out;
	printf("Up after %llu ms\n", (unsigned long long)(evloop_now_ms(el) - t0));
	ASSERT_LT(evloop_now_ms(el) - t0, 500, "Up at once (state changes are sent at once)");
	ASSERT_EQ(sa->remote_discr, sb->local_discr, "a knows b's discriminator");
	ASSERT_EQ(sb->remote_discr, sa->local_discr, "b knows a's discriminator");
	ASSERT_NEQ(sa->local_discr, sb->local_discr, "distinct discriminators");
	if (!ASSERT_TRUE(run_until(el, polls_done, &p, 2000), "Poll Sequences end"))
		goto out;
	ASSERT_EQ(bfd_sm_tx_negotiated_us(sa), 20000, "a sends every 20 ms");
	ASSERT_EQ(bfd_sm_detect_us(sa), 60000, "a detects in 60 ms");
	ASSERT_EQ(bfd_sm_detect_us(sb), 60000, "b detects in 60 ms");

	/* a stays Up for a while at 20 ms: about 25 packets each way in 500 ms */
	bfd_session_stats(a.s, &st);
	t0 = st.pkts_in;
	run_for(el, 500);
	bfd_session_stats(a.s, &st);
	ASSERT_GE(st.pkts_in - t0, 15, "packets received in 500 ms (20 ms, jittered: ~28)");
	ASSERT_LE(st.pkts_in - t0, 35, "not faster than 75 % of 20 ms (at most 34)");
	ASSERT_EQ(a.downs + b.downs, 0, "no Down");

	/* timer change on a: slower TX, longer RX, multiplier 4 */
	cfg.interval_ms = 50;
	cfg.min_rx_ms = 40;
	cfg.multiplier = 4;
	ASSERT_OK(bfd_session_set(a.s, &cfg), "set");
	ASSERT_TRUE(sa->poll, "a polls");
	ASSERT_EQ(sa->tx_used_us, 20000, "a keeps 20 ms until the Final");
	if (!ASSERT_TRUE(run_until(el, polls_done, &p, 2000), "Poll/Final done"))
		goto out;
	ASSERT_EQ(sa->tx_used_us, 50000, "a at 50 ms after the Final");
	ASSERT_EQ(sb->remote_tx_us, 50000, "b saw 50 ms");
	ASSERT_EQ(sb->remote_min_rx_us, 40000, "b saw 40 ms");
	ASSERT_EQ(bfd_sm_tx_negotiated_us(sb), 40000, "b sends every 40 ms");
	ASSERT_EQ(bfd_sm_detect_us(sb), 4 * 50000, "b detects in 4 x 50 ms");
	ASSERT_EQ(bfd_sm_detect_us(sa), 3 * 40000, "a detects in 3 x 40 ms");
	run_for(el, 300);
	ASSERT_EQ(a.downs + b.downs, 0, "no Down across the change");
	ASSERT_TRUE(both_up(&p), "still Up");

	/* show, both forms */
	show_bfd(a.b, NULL, &text, NULL);
	printf("%s", buf_str(&text));
	ASSERT_TRUE(strstr(buf_str(&text), "127.0.0.1  Up for"), "text");
	ASSERT_TRUE(strstr(buf_str(&text), "tx 50 ms, rx 40 ms, detect 120 ms, multiplier 4 (remote 3)"),
		    "text intervals");
	buf_reset(&text);
	json_init(&w, &text, false);
	show_bfd(a.b, &LO, NULL, &w);
	ASSERT_OK(json_finish(&w), "json");
	printf("%s", buf_str(&text));
	ASSERT_TRUE(strstr(buf_str(&text), "\"state\":\"Up\",\"remote_state\":\"Up\""), "json state");
	ASSERT_TRUE(strstr(buf_str(&text), "\"detect_time_us\":120000"), "json detect");
	ASSERT_TRUE(strstr(buf_str(&text), "\"ttl\":0"), "json counters");

	/* b stops: AdminDown, a goes Down without telling its client */
	bfd_session_destroy(b.s);
	b.s = NULL;
	if (!ASSERT_TRUE(run_until(el, is_down, &a, 1000), "a Down after b's AdminDown"))
		goto out;
	ASSERT_EQ(sa->local_diag, BFD_DIAG_NEIGHBOR_DOWN, "diag 3");
	ASSERT_EQ(sa->remote_state, BFD_STATE_ADMIN_DOWN, "remote AdminDown");
	ASSERT_EQ(a.downs, 0, "client not told (RFC 5882 sec 3.2)");
	/* b's lingering session goes after its Detection Time; a, alone,
	 * slows down to 1 s and its Detection Time clears the remote */
	run_for(el, 400);
	ASSERT_EQ(bfd_sm_tx_interval_us(sa), 1000000, "a slow while Down");

	/* b back with a new session: Up again */
	ASSERT_OK(bfd_session_new(b.b, &LO, NULL, &FAST, on_down, &b, &b.s), "b again");
	ASSERT_TRUE(run_until(el, both_up, &p, 3000), "Up again");
	bfd_session_stats(a.s, &st);
	ASSERT_EQ(st.ups, 2, "a: up twice");
	ASSERT_EQ(st.downs, 1, "a: down once");
	ASSERT_EQ(st.last_down_diag, BFD_DIAG_NEIGHBOR_DOWN, "last down diag");
	ASSERT_EQ(bfd_session_new(a.b, &LO, NULL, &FAST, on_down, &a, &a.s), -EEXIST,
		  "one session per peer");
out:
	bfd_free(a.b);
	bfd_free(b.b);
	evloop_free(el);
	buf_free(&text);
}

/* The frozen peer: b runs in a child process that the test stops. */
static void child_run(uint16_t port, uint16_t peer_port, int ready_fd, const struct conf_bfd *cfg)
{
	struct side b = {};
	struct evloop *el;

	if (evloop_new(&el) || side_open(el, &b, port, peer_port, cfg)) {
		if (write(ready_fd, "E", 1) < 0)
			_exit(1);
		_exit(1);
	}
	if (write(ready_fd, "R", 1) < 0)
		_exit(1);
	evloop_run(el);
	_exit(0);
}

/* a in this process with cfg_a, b in a child with FAST; 0 or -errno */
static int pair_open_child(struct evloop *el, struct side *a, const struct conf_bfd *cfg_a,
			   pid_t *childp)
{
	int pfd[2] = { -1, -1 }, i, err = -EADDRINUSE;
	pid_t child = -1;
	char c = 0;

	for (i = 0; i < 50 && err; i++) {
		uint16_t pa = port_base() + 2 * i, pb = pa + 1;

		if (pipe(pfd))
			break;
		child = fork();
		if (child == 0) {
			close(pfd[0]);
			child_run(pb, pa, pfd[1], &FAST);
		}
		close(pfd[1]);
		if (read(pfd[0], &c, 1) != 1 || c != 'R') {
			close(pfd[0]);
			waitpid(child, NULL, 0);
			child = -1;
			continue;
		}
		close(pfd[0]);
		err = side_open(el, a, pa, pb, cfg_a);
		if (err) {
			kill(child, SIGKILL);
			waitpid(child, NULL, 0);
			child = -1;
		}
	}
	*childp = child;
	return err;
}

void test_bfd_loop_detect_frozen(void)
{
	struct side a = {}, b = {};
	struct pair p = { &a, &b };
	struct evloop *el;
	pid_t child = -1;
	uint64_t t_stop, detect, elapsed;

	if (!ASSERT_OK(evloop_new(&el), "evloop"))
		return;
	if (!ASSERT_OK(pair_open_child(el, &a, &FAST, &child), "instances"))
		goto out;
	b.s = a.s;	/* both_up() looks at a only then */
	if (!ASSERT_TRUE(run_until(el, both_up, &p, 3000), "Up"))
		goto out;
	/* settle on 20 ms (the child's Poll Sequence too) */
	run_for(el, 200);
	detect = bfd_sm_detect_us(bfd_session_sm(a.s)) / 1000;
	ASSERT_EQ(detect, 60, "Detection Time 60 ms");

	kill(child, SIGSTOP);
	t_stop = evloop_now_ms(el);
	if (!ASSERT_TRUE(run_until(el, got_down, &a, 2000), "a detects the frozen peer"))
		goto out;
	elapsed = a.down_ms - t_stop;
	printf("frozen peer detected after %llu ms (Detection Time %llu ms)\n",
	       (unsigned long long)elapsed, (unsigned long long)detect);
	ASSERT_EQ(a.diag, BFD_DIAG_DETECT_EXPIRED, "diag 1");
	ASSERT_EQ(a.downs, 1, "client told once");
	/* the last packet came at most one interval (20 ms) before the stop */
	ASSERT_GE(elapsed, detect - 25, "not before the Detection Time");
	ASSERT_LE(elapsed, detect + 40, "within the Detection Time (+ scheduling)");

	kill(child, SIGCONT);
	ASSERT_TRUE(run_until(el, is_up, &a, 4000), "Up again after SIGCONT");
out:
	if (child > 0) {
		kill(child, SIGCONT);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	bfd_free(a.b);
	evloop_free(el);
}

/* A callback that keeps the loop for ms milliseconds. */
static void hog(struct evloop *el, void *arg)
{
	struct timespec t0, t;

	(void)el;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 <
	       *(const long *)arg);
}

/*
 * The loop busy for longer than the Detection Time, both sides at
 * 3 x 20 ms (b in a child, its own loop): the sender thread keeps a's
 * packets going, so b sees nothing wrong, and the packets that arrived
 * meanwhile count by their arrival time, so a sees nothing wrong either.
 * Before the sender thread and the arrival times, every busy spell took
 * the session down.
 */
void test_bfd_loop_busy_loop(void)
{
	struct side a = {}, b = {};
	struct pair p = { &a, &b };
	struct bfd_session_stats st0, st;
	struct ev_timer t = {};
	struct evloop *el;
	pid_t child = -1;
	long busy_ms = 200;
	int i;

	if (!ASSERT_OK(evloop_new(&el), "evloop"))
		return;
	if (!ASSERT_OK(pair_open_child(el, &a, &FAST, &child), "instances"))
		goto out;
	b.s = a.s;
	if (!ASSERT_TRUE(run_until(el, both_up, &p, 3000), "Up"))
		goto out;
	run_for(el, 200);
	ASSERT_EQ(bfd_sm_detect_us(bfd_session_sm(a.s)), 60000, "a detects in 60 ms");
	bfd_session_stats(a.s, &st0);
	for (i = 0; i < 3; i++) {
		evloop_timer_set(el, &t, 0, hog, &busy_ms);
		run_for(el, 100);
	}
	bfd_session_stats(a.s, &st);
	printf("3 busy callbacks of %ld ms: %llu packets in, %llu out, downs %u, longest gap "
	       "sent %llu us\n", busy_ms, (unsigned long long)(st.pkts_in - st0.pkts_in),
	       (unsigned long long)(st.pkts_out - st0.pkts_out), st.downs,
	       (unsigned long long)st.max_tx_gap_us);
	ASSERT_EQ(st.downs, 0, "no Down on either side");
	ASSERT_EQ(a.downs, 0, "client not told");
	ASSERT_GE(st.pkts_in - st0.pkts_in, 20, "packets read after each busy spell");
	ASSERT_GE(st.pkts_out - st0.pkts_out, 30, "packets sent during the busy spells");
	ASSERT_TRUE(is_up(&a), "Up");
out:
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	bfd_free(a.b);
	evloop_free(el);
}

/* The loop stuck for longer than BFD_TX_STALL_MS: the sender stops, so
 * the peer sees a hung xlbd as down (then says so, and a reads it). */
void test_bfd_loop_stalled_loop(void)
{
	struct side a = {}, b = {};
	struct pair p = { &a, &b };
	struct bfd_session_stats st;
	struct ev_timer t = {};
	struct evloop *el;
	pid_t child = -1;
	long busy_ms = BFD_TX_STALL_MS + 500;

	if (!ASSERT_OK(evloop_new(&el), "evloop"))
		return;
	if (!ASSERT_OK(pair_open_child(el, &a, &FAST, &child), "instances"))
		goto out;
	b.s = a.s;
	if (!ASSERT_TRUE(run_until(el, both_up, &p, 3000), "Up"))
		goto out;
	run_for(el, 200);
	evloop_timer_set(el, &t, 0, hog, &busy_ms);
	ASSERT_TRUE(run_until(el, got_down, &a, 2000), "a Down after the stall");
	bfd_session_stats(a.s, &st);
	printf("loop stuck %ld ms: %llu periodic packets held, a down with %s\n", busy_ms,
	       (unsigned long long)st.pkts_held, bfd_diag_name(a.diag));
	ASSERT_GT(st.pkts_held, 0, "the sender held packets");
	ASSERT_EQ(a.diag, BFD_DIAG_NEIGHBOR_DOWN, "the peer detected it and said so");
	ASSERT_TRUE(run_until(el, is_up, &a, 4000), "Up again when the loop runs");
out:
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	bfd_free(a.b);
	evloop_free(el);
}

static void *rt_probe(void *arg)
{
	struct sched_param sp = { .sched_priority = 1 };

	*(int *)arg = !pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	return NULL;
}

/* Does this host give a thread of ours SCHED_FIFO? (asked by a thread of
 * its own, which ends with the answer) */
static int rt_allowed(void)
{
	pthread_t t;
	int ok = 0;

	if (pthread_create(&t, NULL, rt_probe, &ok))
		return 0;
	pthread_join(t, NULL);
	return ok;
}

/* The sender thread: real-time priority where the host allows it, else
 * normal priority and a warning; no capability either way (as root). */
void test_bfd_tx_thread(void)
{
	struct evloop *el;
	struct bfd *b = NULL;
	char path[64], line[256];
	int n_threads = 0, rt = -1, host_rt;
	uint64_t until;
	DIR *d;
	struct dirent *de;

	if (geteuid()) {
		test_skip("needs root (real-time priority, capabilities to drop)");
		return;
	}
	/* A root whose cgroup has no real-time time (cpu.rt_runtime_us 0
	 * under CONFIG_RT_GROUP_SCHED) is refused too: then the sender must
	 * say so and run at normal priority, which is what is checked. */
	host_rt = rt_allowed();
	if (!host_rt)
		printf("    note: this host refuses SCHED_FIFO to root here: the fallback is checked\n");
	if (!ASSERT_OK(evloop_new(&el), "evloop") || !ASSERT_OK(bfd_new(el, NULL, &b), "bfd_new"))
		goto out;
	/* the thread says once it has tried; a deadline, as the thread may
	 * wait for a CPU on a loaded machine */
	until = clock_mono_ms() + 5000;
	while ((rt = bfd_sender_realtime(b)) < 0 && clock_mono_ms() < until)
		usleep(1000);
	ASSERT_EQ(rt, host_rt, "real-time priority as the host allows");
	d = opendir("/proc/self/task");
	if (!ASSERT_TRUE(d, "/proc/self/task"))
		goto out;
	while ((de = readdir(d))) {
		pid_t tid = atoi(de->d_name);
		FILE *f;

		if (tid <= 0 || tid == getpid())
			continue;
		n_threads++;
		ASSERT_EQ(sched_getscheduler(tid), host_rt ? SCHED_FIFO : SCHED_OTHER,
			  "sender: SCHED_FIFO where allowed");
		snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "CapEff:", 7) || !strncmp(line, "CapPrm:", 7))
				ASSERT_STREQ(line + 7, "\t0000000000000000\n", "sender: no capability");
		if (f)
			fclose(f);
	}
	closedir(d);
	ASSERT_EQ(n_threads, 1, "one thread besides the loop's");
out:
	bfd_free(b);
	evloop_free(el);
}

/* RFC 5881 sec 5 and the stateful part of RFC 5880 sec 6.8.6 */
void test_bfd_loop_discards(void)
{
	struct side a = {}, b = {};
	struct pair p = { &a, &b };
	struct evloop *el;
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	struct sockaddr_in src2 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000002) };
	struct bfd_pkt pk = {
		.state = BFD_STATE_DOWN, .detect_mult = 3, .my_discr = 99,
		.desired_min_tx_us = 1000000, .required_min_rx_us = 1000000,
	};
	__u8 buf[BFD_PKT_LEN];
	int fd = -1, fd2 = -1, ttl;
	const struct bfd_sm *sa;

	if (!ASSERT_OK(evloop_new(&el), "evloop"))
		return;
	if (!ASSERT_OK(pair_open(el, &a, &b, &FAST), "two instances"))
		goto out;
	if (!ASSERT_TRUE(run_until(el, polls_done, &p, 3000), "Up"))
		goto out;
	sa = bfd_session_sm(a.s);
	dst.sin_port = htons(a.port);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	fd2 = socket(AF_INET, SOCK_DGRAM, 0);
	if (!ASSERT_TRUE(fd >= 0 && fd2 >= 0, "sockets"))
		goto out;

	/* a Down from 127.0.0.1 with TTL 254 would knock a down: discarded */
	ttl = 254;
	setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	bfd_pkt_encode(&pk, buf, sizeof(buf));
	ASSERT_EQ(sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&dst, sizeof(dst)),
		  sizeof(buf), "send TTL 254");
	run_for(el, 50);
	ASSERT_EQ(bfd_discarded(a.b, BFD_PKT_TTL), 1, "TTL 254 discarded");
	ASSERT_EQ(sa->state, BFD_STATE_UP, "still Up");

	/* TTL 255 from a stranger (127.0.0.2), Your Discriminator 0 */
	ttl = 255;
	setsockopt(fd2, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	if (!ASSERT_OK(bind(fd2, (struct sockaddr *)&src2, sizeof(src2)), "bind 127.0.0.2"))
		goto out;
	ASSERT_EQ(sendto(fd2, buf, sizeof(buf), 0, (struct sockaddr *)&dst, sizeof(dst)),
		  sizeof(buf), "send from a stranger");
	/* from a stranger with a's discriminator: the source must match */
	pk.your_discr = sa->local_discr;
	bfd_pkt_encode(&pk, buf, sizeof(buf));
	sendto(fd2, buf, sizeof(buf), 0, (struct sockaddr *)&dst, sizeof(dst));
	/* from the peer's address with a discriminator nobody has */
	setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	pk.your_discr = sa->local_discr ^ 0x5a5a;
	bfd_pkt_encode(&pk, buf, sizeof(buf));
	sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&dst, sizeof(dst));
	/* garbage */
	sendto(fd, "\x20\x40\x03", 3, 0, (struct sockaddr *)&dst, sizeof(dst));
	run_for(el, 50);
	ASSERT_EQ(bfd_discarded(a.b, BFD_PKT_NO_SESSION), 3, "no session for three");
	ASSERT_EQ(bfd_discarded(a.b, BFD_PKT_TRUNCATED), 1, "truncated");
	ASSERT_EQ(sa->state, BFD_STATE_UP, "still Up");
	ASSERT_EQ(a.downs, 0, "no Down");
out:
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
	bfd_free(a.b);
	bfd_free(b.b);
	evloop_free(el);
}

/* IPv6: the other receive socket (hop limit from IPV6_RECVHOPLIMIT) */
void test_bfd_loop_ipv6(void)
{
	struct side a = {}, b = {};
	struct pair p = { &a, &b };
	struct evloop *el;
	int err;

	if (!ASSERT_OK(evloop_new(&el), "evloop"))
		return;
	err = pair_open_at(el, &a, &b, &FAST, &LO6);
	if (err == -EADDRNOTAVAIL || err == -EAFNOSUPPORT) {
		test_skip("no IPv6 loopback: %s", strerror(-err));
		goto out;
	}
	if (!ASSERT_OK(err, "two instances on ::1"))
		goto out;
	if (!ASSERT_TRUE(run_until(el, polls_done, &p, 3000), "Up over ::1"))
		goto out;
	ASSERT_EQ(bfd_sm_detect_us(bfd_session_sm(a.s)), 60000, "detect 60 ms");
	ASSERT_EQ(bfd_discarded(a.b, BFD_PKT_TTL), 0, "hop limit 255 received");
	bfd_session_destroy(a.s);
	a.s = NULL;
	ASSERT_TRUE(run_until(el, is_down, &b, 1000), "b Down after a's AdminDown");
	ASSERT_EQ(b.downs, 0, "client not told");
out:
	bfd_free(a.b);
	bfd_free(b.b);
	evloop_free(el);
}
