// SPDX-License-Identifier: GPL-2.0
/*
 * 1000 tcp checks at the default timing of a 1 s interval, on one loop,
 * against one listener served by a child process (so the accepts are not
 * the loop's work). After 3.5 s every check must be up with every probe a
 * success and at least three probes each. The loop's CPU time is printed
 * (-v), not judged: this runs under ASan; the number that matters is the
 * benchmark's (health.1000checks in selftests/bench).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "health_test.h"

#define N_CHECKS	1000
#define RUN_MS		3500

/* A child that accepts and closes connections until killed. */
static pid_t acceptor(int lfd)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	fcntl(lfd, F_SETFL, 0);		/* blocking */
	for (;;) {
		int c = accept(lfd, NULL, NULL);

		if (c >= 0)
			close(c);
	}
}

static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3 +
	       ru.ru_stime.tv_usec / 1e3;
}

void test_health_scale(void)
{
	struct conf_health cfg = {
		.kind = CONF_HC_TCP, .interval_ms = 1000, .fast_interval_ms = 250,
		.timeout_ms = 500, .rise = 2, .fall = 2,
	};
	struct hc **hcs = calloc(N_CHECKS, sizeof(*hcs));
	struct rlimit rl;
	struct evloop *el = NULL;
	uint64_t probes = 0, min_probes = UINT64_MAX;
	unsigned int up = 0, failures = 0;
	struct timespec t0, t1;
	struct hc_target t;
	double c0, c1, wall;
	pid_t child = 0;
	uint16_t port;
	int lfd;

	if (!ASSERT_OK_PTR(hcs, "calloc"))
		return;
	/* a thousand sockets may be open at once, with the tests' own */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	lfd = ht_bind("127.0.0.1", SOCK_STREAM, &port);
	if (!ASSERT_GE(lfd, 0, "listen"))
		goto out;
	child = acceptor(lfd);
	close(lfd);
	if (!ASSERT_GT(child, 0, "fork the acceptor"))
		goto out;
	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		goto out;
	t = ht_target("127.0.0.1", port);
	for (int i = 0; i < N_CHECKS; i++)
		if (!ASSERT_OK(hc_new(el, &cfg, &t, NULL, NULL, &hcs[i]), "hc_new"))
			goto out;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	c0 = cpu_ms();
	ht_run_until(el, RUN_MS, NULL, NULL);
	c1 = cpu_ms();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	wall = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;

	for (int i = 0; i < N_CHECKS; i++) {
		struct hc_counts c;

		hc_get_counts(hcs[i], &c);
		probes += c.probes;
		failures += c.failures;
		if (c.probes < min_probes)
			min_probes = c.probes;
		up += hc_state(hcs[i]) == HC_UP;
	}
	printf("%d checks, %.0f ms: %llu probes (%.0f/s), fewest %llu per check, %u failed; "
	       "loop CPU %.0f ms (%.1f %% of one core, under ASan)\n",
	       N_CHECKS, wall, (unsigned long long)probes, probes * 1000.0 / wall,
	       (unsigned long long)min_probes, failures, c1 - c0, (c1 - c0) * 100 / wall);
	ASSERT_EQ(up, N_CHECKS, "every check up");
	ASSERT_EQ(failures, 0, "no probe failed");
	ASSERT_GE(min_probes, 3, "every check probed at least 3 times");
out:
	for (int i = 0; i < N_CHECKS; i++)
		hc_free(hcs[i]);
	evloop_free(el);
	free(hcs);
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
}
