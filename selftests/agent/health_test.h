/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the health-check tests (test_health_*.c): a check's settings
 * with the parser's defaults, loopback targets, a watcher for state
 * changes, running the loop until a condition holds, and starting a real
 * server process (python3, unbound) that the test kills by its PID.
 */
#ifndef XLB_SELFTESTS_HEALTH_TEST_H
#define XLB_SELFTESTS_HEALTH_TEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "health/health.h"
#include "lib/evloop.h"
#include "../lib/test.h"

/* The parser's defaults for interval 1s, made quicker for tests. */
static inline struct conf_health ht_cfg(enum conf_hc_kind kind)
{
	return (struct conf_health){
		.kind = kind,
		.interval_ms = 200,
		.fast_interval_ms = 100,
		.timeout_ms = 100,
		.rise = 2,
		.fall = 2,
	};
}

static inline struct hc_target ht_target(const char *addr, uint16_t port)
{
	struct hc_target t = { .port = port, .label = addr };

	if (inet_pton(AF_INET, addr, &t.addr.addr.v4) == 1)
		t.addr.family = XLB_FAMILY_V4;
	else if (inet_pton(AF_INET6, addr, t.addr.addr.bytes) == 1)
		t.addr.family = XLB_FAMILY_V6;
	return t;
}

/* Records a check's changes. */
struct ht_watch {
	int changes;
	enum hc_state state;
	char reason[256];
	bool free_on_change;	/* hc_free() the check from the callback */
	struct hc **hcp;	/* ... this one */
};

static inline void ht_change(void *arg, struct hc *hc, enum hc_state state, const char *reason)
{
	struct ht_watch *w = arg;

	w->changes++;
	w->state = state;
	snprintf(w->reason, sizeof(w->reason), "%s", reason);
	if (w->free_on_change && w->hcp && *w->hcp == hc) {
		hc_free(hc);
		*w->hcp = NULL;
	}
}

struct ht_run {
	struct ev_timer t;
	bool (*cond)(void *arg);
	void *arg;
	uint64_t max_ms;
	uint64_t deadline;	/* 0 until the first tick */
};

static inline void ht_tick(struct evloop *el, void *arg)
{
	struct ht_run *r = arg;

	if (!r->deadline)
		r->deadline = evloop_now_ms(el) + r->max_ms;
	if ((r->cond && r->cond(r->arg)) || evloop_now_ms(el) >= r->deadline) {
		evloop_stop(el);
		return;
	}
	evloop_timer_set(el, &r->t, 5, ht_tick, r);
}

/* Run the loop until cond(arg) holds (checked every 5 ms) or max_ms has
 * passed; cond NULL runs for max_ms. Returns whether cond held. */
static inline bool ht_run_until(struct evloop *el, uint64_t max_ms, bool (*cond)(void *), void *arg)
{
	struct ht_run r = { .cond = cond, .arg = arg, .max_ms = max_ms };

	/* the deadline is set by the first tick, from the loop's fresh clock */
	evloop_timer_set(el, &r.t, 0, ht_tick, &r);
	evloop_run(el);
	evloop_timer_cancel(el, &r.t);
	return cond ? cond(arg) : true;
}

static inline bool ht_changed_to_up(void *arg)
{
	return ((struct ht_watch *)arg)->state == HC_UP;
}

static inline bool ht_changed_to_down(void *arg)
{
	return ((struct ht_watch *)arg)->state == HC_DOWN;
}

/* A TCP or UDP socket bound to addr on a free port; listening (TCP). */
static inline int ht_bind(const char *addr, int type, uint16_t *port)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int fd, one = 1;

	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &s4->sin_addr);
		len = sizeof(*s4);
	}
	fd = socket(ss.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) ||
	    (type == SOCK_STREAM && listen(fd, 4096)) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len)) {
		int err = -errno;

		close(fd);
		return err;
	}
	*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					       : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* A non-blocking connect to 127.0.0.1:port, left to complete (or not). */
static inline int ht_connect4(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) && errno != EINPROGRESS) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* A free port on 127.0.0.1 for both TCP and UDP (for a server we start). */
static inline int ht_free_port(uint16_t *port)
{
	int tfd, ufd;

	for (int i = 0; i < 20; i++) {
		struct sockaddr_in sin = { .sin_family = AF_INET };

		tfd = ht_bind("127.0.0.1", SOCK_STREAM, port);
		if (tfd < 0)
			return tfd;
		ufd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		sin.sin_port = htons(*port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (ufd >= 0 && !bind(ufd, (struct sockaddr *)&sin, sizeof(sin))) {
			close(ufd);
			close(tfd);
			return 0;
		}
		if (ufd >= 0)
			close(ufd);
		close(tfd);
	}
	return -EADDRINUSE;
}

/* Start argv[0] (a full path) with stdout into a pipe (*out_fd, or
 * /dev/null when out_fd is NULL), stderr to ours; its own process group. */
static inline pid_t ht_spawn(char *const argv[], int *out_fd)
{
	int p[2] = { -1, -1 };
	pid_t pid;

	if (out_fd && pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		dup2(null, 0);
		dup2(out_fd ? p[1] : null, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	if (out_fd) {
		close(p[1]);
		*out_fd = p[0];
	}
	return pid;
}

/* Kill a process we started (and its group) and reap it. */
static inline void ht_kill(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Read one line from fd within ms; returns its length or -1. */
static inline int ht_read_line(int fd, char *buf, size_t len, int ms)
{
	size_t n = 0;

	while (n + 1 < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&pfd, 1, ms) <= 0)
			return -1;
		r = read(fd, buf + n, 1);
		if (r <= 0)
			return -1;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return n;
}

#endif
