// SPDX-License-Identifier: GPL-2.0
/*
 * Health-check benchmark (`make bench`): the CPU that 1000 tcp checks at
 * a 1 s interval cost the event loop, as a percentage of one core — the
 * issue's target is under 5 %.
 *
 * health.1000checks: N (default 1000) checks from agent/health with the
 * parser's defaults for `health tcp interval 1s` (fast-interval 250 ms,
 * timeout 500 ms, rise 2, fall 2) against one listener on 127.0.0.1
 * that a child process accepts and closes (its work is not counted).
 * After a warm-up long enough for every check to be up and probing at
 * the interval, the process's CPU time (user + system, getrusage) over S
 * seconds (default 5) of running the loop, divided by the wall time.
 * Baseline: the same loop making the same connections with none of the
 * health-check machinery — N slots, each a timer every second that
 * starts a non-blocking connect, waits for it on the loop, and closes
 * with an RST (as the tcp checker does), their first connections spread
 * over 250 ms as the checks spread their first probes over a
 * fast-interval — so the ratio is what the checks cost above the
 * connections themselves. Measured and baseline
 * runs alternate, R rounds (default 3), median of each.
 *
 * A benchmark of the wrong work is worthless: after each measured run
 * every check must be up, no probe may have failed and the probes must
 * number N per second of the run to within 5 %; the baseline's
 * connections must all succeed, as many. Anything else exits 1.
 *
 * The process is pinned to one CPU and the acceptor to another when there
 * is one. Output: `#` comment lines, then
 *	bench health.1000checks VALUE % baseline VALUE ratio R
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "health/health.h"
#include "lib/evloop.h"
#include "../lib/bench_util.h"

#define CHECKS_DEFAULT	1000
#define SECS_DEFAULT	5
#define ROUNDS_DEFAULT	3
#define WARMUP_MS	2500	/* first probes within 250 ms, up by 500 ms, then steady */
#define TARGET_PCT	5.0

struct opts {
	int checks;
	int secs;
	int rounds;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3 +
	       ru.ru_stime.tv_usec / 1e3;
}

/* ---- running the loop for a while ---- */

struct stopper {
	struct ev_timer t;
};

static void stop_cb(struct evloop *el, void *arg)
{
	(void)arg;
	evloop_stop(el);
}

/* Run for ms; returns the CPU % of one core over that time. */
static double run_for(struct evloop *el, int ms)
{
	struct stopper s = {};
	double c0, w0, c1, w1;

	/* the loop's clock may be old: a zero timer first refreshes it */
	evloop_timer_set(el, &s.t, 0, stop_cb, NULL);
	evloop_run(el);
	evloop_timer_set(el, &s.t, ms, stop_cb, NULL);
	w0 = now_ms();
	c0 = cpu_ms();
	evloop_run(el);
	c1 = cpu_ms();
	w1 = now_ms();
	return (c1 - c0) * 100 / (w1 - w0);
}

/* ---- the measured work: agent/health ---- */

static int run_checks(struct evloop *el, const struct opts *o, uint16_t port, double *pct)
{
	struct conf_health cfg = {
		.kind = CONF_HC_TCP, .interval_ms = 1000, .fast_interval_ms = 250,
		.timeout_ms = 500, .rise = 2, .fall = 2,
	};
	struct hc_target t = { .port = port, .label = "bench" };
	struct hc **hcs = calloc(o->checks, sizeof(*hcs));
	uint64_t before = 0, after = 0, fails = 0, want;
	int err = 0, up = 0, i;

	if (!hcs)
		return -ENOMEM;
	t.addr.family = XLB_FAMILY_V4;
	t.addr.addr.v4 = htonl(INADDR_LOOPBACK);
	for (i = 0; i < o->checks; i++) {
		err = hc_new(el, &cfg, &t, NULL, NULL, &hcs[i]);
		if (err)
			goto out;
	}
	run_for(el, WARMUP_MS);
	for (i = 0; i < o->checks; i++) {
		struct hc_counts c;

		hc_get_counts(hcs[i], &c);
		before += c.probes;
	}
	*pct = run_for(el, o->secs * 1000);
	for (i = 0; i < o->checks; i++) {
		struct hc_counts c;

		hc_get_counts(hcs[i], &c);
		after += c.probes;
		fails += c.failures;
		up += hc_state(hcs[i]) == HC_UP;
	}
	want = (uint64_t)o->checks * o->secs;
	if (up != o->checks || fails || (after - before) * 100 < want * 95 ||
	    (after - before) * 100 > want * 105) {
		fprintf(stderr, "bench_health: wrong work: %d of %d checks up, %llu failed, "
			"%llu probes in %d s (want %llu +-5%%)\n", up, o->checks,
			(unsigned long long)fails, (unsigned long long)(after - before), o->secs,
			(unsigned long long)want);
		err = -EPROTO;
	}
out:
	for (i = 0; i < o->checks; i++)
		hc_free(hcs[i]);
	free(hcs);
	return err;
}

/* ---- the baseline: the same connections, bare ---- */

struct slot {
	struct ev_timer t;
	struct evloop *el;
	struct sockaddr_in sin;
	int fd;
	uint64_t ok, failed;
};

static void slot_start(struct evloop *el, void *arg);

static void slot_event(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct slot *s = arg;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	socklen_t len = sizeof(int);
	int soerr = 0;

	(void)events;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) || soerr)
		s->failed++;
	else
		s->ok++;
	evloop_del_fd(el, fd);
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	s->fd = -1;
}

static void slot_start(struct evloop *el, void *arg)
{
	struct slot *s = arg;

	evloop_timer_set(el, &s->t, 1000, slot_start, s);
	if (s->fd >= 0) {
		s->failed++;	/* the last one never finished */
		evloop_del_fd(el, s->fd);
		close(s->fd);
	}
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		s->failed++;
		return;
	}
	if ((connect(s->fd, (struct sockaddr *)&s->sin, sizeof(s->sin)) && errno != EINPROGRESS) ||
	    evloop_add_fd(el, s->fd, EPOLLOUT, slot_event, s)) {
		s->failed++;
		close(s->fd);
		s->fd = -1;
	}
}

static int run_bare(struct evloop *el, const struct opts *o, uint16_t port, double *pct)
{
	struct slot *slots = calloc(o->checks, sizeof(*slots));
	uint64_t before = 0, after = 0, fails = 0, want;
	int err = 0, i;

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < o->checks; i++) {
		slots[i].fd = -1;
		slots[i].sin.sin_family = AF_INET;
		slots[i].sin.sin_port = htons(port);
		slots[i].sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		/* spread as the checks spread their first probes: over a
		 * fast-interval, and an interval apart from there on */
		evloop_timer_set(el, &slots[i].t, (uint64_t)i * 250 / o->checks, slot_start,
				 &slots[i]);
	}
	run_for(el, WARMUP_MS);
	for (i = 0; i < o->checks; i++)
		before += slots[i].ok;
	*pct = run_for(el, o->secs * 1000);
	for (i = 0; i < o->checks; i++) {
		after += slots[i].ok;
		fails += slots[i].failed;
		evloop_timer_cancel(el, &slots[i].t);
		if (slots[i].fd >= 0) {
			evloop_del_fd(el, slots[i].fd);
			close(slots[i].fd);
		}
	}
	want = (uint64_t)o->checks * o->secs;
	if (fails || (after - before) * 100 < want * 95 || (after - before) * 100 > want * 105) {
		fprintf(stderr, "bench_health: baseline: %llu failed, %llu connections in %d s\n",
			(unsigned long long)fails, (unsigned long long)(after - before), o->secs);
		err = -EPROTO;
	}
	free(slots);
	return err;
}

/* ---- set-up ---- */

static int listener(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -errno;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 4096) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len)) {
		int err = -errno;

		close(fd);
		return err;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Pin ourselves to the first allowed CPU, the acceptor to the next. */
static void pick_cpus(int *self, int *other)
{
	cpu_set_t set;

	*self = *other = -1;
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		if (*self < 0)
			*self = c;
		else if (*other < 0)
			*other = c;
	}
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static pid_t acceptor(int lfd, int cpu)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	pin(cpu);
	for (;;) {
		int c = accept(lfd, NULL, NULL);

		if (c >= 0)
			close(c);
	}
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-n CHECKS] [-s SECONDS] [-r ROUNDS]\n", prog);
}

int main(int argc, char **argv)
{
	struct opts o = { .checks = CHECKS_DEFAULT, .secs = SECS_DEFAULT, .rounds = ROUNDS_DEFAULT };
	double *meas = NULL, *base = NULL, m, b;
	int opt, lfd = -1, err = 0, self_cpu, other_cpu;
	struct evloop *el = NULL;
	struct rlimit rl;
	pid_t child = -1;
	uint16_t port = 0;
	char name[48];

	while ((opt = getopt(argc, argv, "n:s:r:h")) != -1) {
		switch (opt) {
		case 'n':
			o.checks = atoi(optarg);
			break;
		case 's':
			o.secs = atoi(optarg);
			break;
		case 'r':
			o.rounds = atoi(optarg);
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (o.checks < 1 || o.checks > 100000 || o.secs < 1 || o.secs > 3600 || o.rounds < 1 ||
	    o.rounds > 100 || optind < argc) {
		usage(argv[0]);
		return 2;
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	meas = calloc(o.rounds, sizeof(*meas));
	base = calloc(o.rounds, sizeof(*base));
	lfd = listener(&port);
	if (!meas || !base || lfd < 0) {
		fprintf(stderr, "bench_health: set-up: %s\n", strerror(lfd < 0 ? -lfd : ENOMEM));
		err = 1;
		goto out;
	}
	pick_cpus(&self_cpu, &other_cpu);
	child = acceptor(lfd, other_cpu);
	close(lfd);
	pin(self_cpu);
	if (evloop_new(&el)) {
		err = 1;
		goto out;
	}

	printf("# health.%dchecks: CPU of the loop running %d tcp checks (interval 1s, the\n"
	       "#   parser's defaults) for %d s after a %d ms warm-up, %% of one core; baseline:\n"
	       "#   the same connections made by a bare loop; median of %d rounds; CPU %d%s\n",
	       o.checks, o.checks, o.secs, WARMUP_MS, o.rounds, self_cpu,
	       other_cpu >= 0 ? ", acceptor on another" : ", acceptor on the same");
	for (int r = 0; r < o.rounds && !err; r++) {
		bool bare_first = r % 2;

		if (bare_first)
			err = run_bare(el, &o, port, &base[r]);
		if (!err)
			err = run_checks(el, &o, port, &meas[r]);
		if (!err && !bare_first)
			err = run_bare(el, &o, port, &base[r]);
		if (!err)
			printf("# round %d: checks %.2f %%, bare %.2f %%\n", r + 1, meas[r], base[r]);
		fflush(stdout);
	}
	if (err) {
		err = 1;
		goto out;
	}
	qsort(meas, o.rounds, sizeof(*meas), bench_cmp_double);
	qsort(base, o.rounds, sizeof(*base), bench_cmp_double);
	m = meas[o.rounds / 2];
	b = base[o.rounds / 2];
	printf("# target: under %.0f %% of one core for 1000 checks: %s\n", TARGET_PCT,
	       o.checks != 1000 ? "not this run (other N)" : m < TARGET_PCT ? "met" : "NOT met");
	snprintf(name, sizeof(name), "health.%dchecks", o.checks);
	printf("bench %s %.2f %% baseline %.2f ratio %.2f\n", name, m, b, b > 0 ? m / b : 0.0);
out:
	evloop_free(el);
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	free(meas);
	free(base);
	return err;
}
