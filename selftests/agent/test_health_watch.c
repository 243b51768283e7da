// SPDX-License-Identifier: GPL-2.0
/*
 * Event watches of a health check (agent/health/watch.c, hc_event_down)
 * on a real loop, in a network namespace of the test's own (root needed,
 * else skipped). The checks probe every second with fall 3, so only the
 * event can take them down within the first probe interval, and the
 * reason says which path was taken:
 * - watch-socket: the checked listener closed -> DOWN at once with the
 *   socket named; a listener back -> UP after rise passing probes, as
 *   without the watch;
 * - watch-pidfile: the process named in the file killed -> DOWN at once;
 *   a new process written to the file is watched again after a passing
 *   probe, and its death is seen too; a file naming a dead process is
 *   not taken for a death;
 * - hc_show's JSON counts the events.
 */
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "lib/json.h"
#include "health_test.h"

static void accept_all(struct evloop *el, int fd, uint32_t events, void *arg)
{
	int c;

	(void)el;
	(void)events;
	(void)arg;
	while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		close(c);
}

static bool netns(void)
{
	if (geteuid()) {
		test_skip("needs root (a network namespace, CAP_NET_ADMIN for the groups)");
		return false;
	}
	if (unshare(CLONE_NEWNET)) {
		test_skip("unshare(CLONE_NEWNET): %s", strerror(errno));
		return false;
	}
	return !system("ip link set lo up");
}

/* a check that only an event brings down quickly */
static struct conf_health slow_cfg(void)
{
	struct conf_health c = ht_cfg(CONF_HC_TCP);

	c.interval_ms = 1000;
	c.fast_interval_ms = 100;
	c.timeout_ms = 200;
	c.fall = 3;
	return c;
}

static int listener(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 64)) {
		close(fd);
		return -errno;
	}
	return fd;
}

void test_health_watch_socket(void)
{
	struct conf_health cfg = slow_cfg();
	struct ht_watch w = {};
	struct evloop *el = NULL;
	struct hc *hc = NULL;
	struct hc_counts c;
	struct hc_target t;
	char want[128];
	uint16_t port = 8053;
	int lfd = -1;

	if (!netns())
		return;
	cfg.watch_socket[0] = (struct conf_watch_socket){ .port = port, .proto = IPPROTO_TCP };
	cfg.watch_socket[0].addr.family = XLB_FAMILY_V4;
	cfg.watch_socket[0].addr.addr.v4 = htonl(INADDR_LOOPBACK);
	cfg.n_watch_socket = 1;
	lfd = listener(port);
	if (!ASSERT_GE(lfd, 0, "listen") || !ASSERT_OK(evloop_new(&el), "evloop_new"))
		goto out;
	ASSERT_OK(evloop_add_fd(el, lfd, EPOLLIN, accept_all, NULL), "add listener");
	t = ht_target("127.0.0.1", port);
	if (!ASSERT_OK(hc_new(el, &cfg, &t, ht_change, &w, &hc), "hc_new"))
		goto out;
	ASSERT_TRUE(ht_run_until(el, 3000, ht_changed_to_up, &w), "up");

	/* the service dies: down by the event, not after 3 failed probes */
	evloop_del_fd(el, lfd);
	close(lfd);
	lfd = -1;
	ASSERT_TRUE(ht_run_until(el, 3000, ht_changed_to_down, &w), "down");
	snprintf(want, sizeof(want), "watch-socket 127.0.0.1:%u/tcp: the last socket closed", port);
	ASSERT_STREQ(w.reason, want, "reason: the event");
	hc_get_counts(hc, &c);
	ASSERT_EQ(c.events, 1, "one event");
	ASSERT_LE(c.failures, 1, "at most the confirming probe failed");

	/* back: up after rise passing probes */
	lfd = listener(port);
	if (!ASSERT_GE(lfd, 0, "listen again"))
		goto out;
	ASSERT_OK(evloop_add_fd(el, lfd, EPOLLIN, accept_all, NULL), "add listener");
	ASSERT_TRUE(ht_run_until(el, 5000, ht_changed_to_up, &w), "up again");
	ASSERT_STREQ(w.reason, "2 successes: connected", "reason: the probes");
	ASSERT_EQ(w.changes, 3, "up, down, up");
	{
		struct json_writer jw;
		struct buf b;

		buf_init(&b, 0);
		json_init(&jw, &b, false);
		hc_show(hc, NULL, &jw);
		ASSERT_OK(json_finish(&jw), "json document");
		ASSERT_TRUE(strstr(buf_str(&b), "\"events\":1"), "show: events");
		printf("%s\n", buf_str(&b));
		ASSERT_TRUE(strstr(buf_str(&b), "\"sockets\":[\"127.0.0.1:8053/tcp\"]"),
			    "show: the socket");
		ASSERT_TRUE(strstr(buf_str(&b), "\"socket_watch_running\":true"), "show: watching");
		ASSERT_TRUE(strstr(buf_str(&b), "\"sockets_gone\":1"), "show: one gone");
		buf_free(&b);
	}
out:
	hc_free(hc);
	if (lfd >= 0)
		close(lfd);
	evloop_free(el);
}

/* The change callback frees the check as the socket event reports: the
 * watch is inside its own callback then (nothing may touch the freed
 * check or a freed watch after it). */
void test_health_watch_free_in_callback(void)
{
	struct conf_health cfg = slow_cfg();
	struct ht_watch w = {};
	struct evloop *el = NULL;
	struct hc *hc = NULL;
	struct hc_target t;
	uint16_t port = 8055;
	int lfd = -1;

	if (!netns())
		return;
	cfg.watch_socket[0] = (struct conf_watch_socket){ .port = port, .proto = IPPROTO_TCP };
	cfg.n_watch_socket = 1;	/* any address */
	lfd = listener(port);
	if (!ASSERT_GE(lfd, 0, "listen") || !ASSERT_OK(evloop_new(&el), "evloop_new"))
		goto out;
	ASSERT_OK(evloop_add_fd(el, lfd, EPOLLIN, accept_all, NULL), "add listener");
	t = ht_target("127.0.0.1", port);
	if (!ASSERT_OK(hc_new(el, &cfg, &t, ht_change, &w, &hc), "hc_new"))
		goto out;
	ASSERT_TRUE(ht_run_until(el, 3000, ht_changed_to_up, &w), "up");
	w.free_on_change = true;
	w.hcp = &hc;
	evloop_del_fd(el, lfd);
	close(lfd);
	lfd = -1;
	ASSERT_TRUE(ht_run_until(el, 3000, ht_changed_to_down, &w), "down");
	ASSERT_TRUE(hc == NULL, "freed in the callback");
	ASSERT_TRUE(strstr(w.reason, "watch-socket *:8055/tcp") != NULL, "by the event");
	/* a new check with a watch after that works as the first did */
	w.free_on_change = false;
	lfd = listener(port);
	if (!ASSERT_GE(lfd, 0, "listen again"))
		goto out;
	ASSERT_OK(evloop_add_fd(el, lfd, EPOLLIN, accept_all, NULL), "add listener");
	if (!ASSERT_OK(hc_new(el, &cfg, &t, ht_change, &w, &hc), "hc_new again"))
		goto out;
	ASSERT_TRUE(ht_run_until(el, 3000, ht_changed_to_up, &w), "up again");
	evloop_del_fd(el, lfd);
	close(lfd);
	lfd = -1;
	ASSERT_TRUE(ht_run_until(el, 3000, ht_changed_to_down, &w), "down again");
	ASSERT_TRUE(strstr(w.reason, "watch-socket") != NULL, "by the event again");
out:
	hc_free(hc);
	if (lfd >= 0)
		close(lfd);
	evloop_free(el);
}

static pid_t sleeper(const char *pidfile)
{
	char *const argv[] = { "/bin/sleep", "60", NULL };
	pid_t pid = ht_spawn(argv, NULL);
	FILE *f;

	if (pid <= 0)
		return pid;
	f = fopen(pidfile, "w");
	if (!f) {
		ht_kill(pid);
		return -1;
	}
	fprintf(f, "%d\n", (int)pid);
	fclose(f);
	return pid;
}

void test_health_watch_pidfile(void)
{
	struct conf_health cfg = slow_cfg();
	char pidfile[] = "/tmp/xlb-test-pidfile-XXXXXX", want[128];
	struct ht_watch w = {};
	struct evloop *el = NULL;
	struct hc *hc = NULL;
	struct hc_target t;
	uint16_t port = 8054;
	pid_t pid = -1;
	int lfd = -1, fd;

	if (!netns())
		return;
	fd = mkstemp(pidfile);
	if (!ASSERT_GE(fd, 0, "mkstemp"))
		return;
	close(fd);
	cfg.watch_pidfile = pidfile;
	pid = sleeper(pidfile);
	lfd = listener(port);
	if (!ASSERT_GT(pid, 0, "process") || !ASSERT_GE(lfd, 0, "listen") ||
	    !ASSERT_OK(evloop_new(&el), "evloop_new"))
		goto out;
	ASSERT_OK(evloop_add_fd(el, lfd, EPOLLIN, accept_all, NULL), "add listener");
	t = ht_target("127.0.0.1", port);
	if (!ASSERT_OK(hc_new(el, &cfg, &t, ht_change, &w, &hc), "hc_new"))
		goto out;
	ASSERT_TRUE(ht_run_until(el, 3000, ht_changed_to_up, &w), "up");

	ht_kill(pid);
	ASSERT_TRUE(ht_run_until(el, 3000, ht_changed_to_down, &w), "down");
	snprintf(want, sizeof(want), "watch-pidfile: process %d exited", (int)pid);
	ASSERT_STREQ(w.reason, want, "reason: the event");
	pid = -1;

	/* the listener still answers: up again by the probes, with the old
	 * (dead) PID in the file, which is not a new death */
	ASSERT_TRUE(ht_run_until(el, 5000, ht_changed_to_up, &w), "up again");
	ASSERT_EQ(w.changes, 3, "up, down, up");

	/* a new process: watched after the next passing probe */
	pid = sleeper(pidfile);
	if (!ASSERT_GT(pid, 0, "second process"))
		goto out;
	{
		struct hc_counts c0, c;

		hc_get_counts(hc, &c0);
		do {
			ht_run_until(el, 50, NULL, NULL);
			hc_get_counts(hc, &c);
		} while (c.successes == c0.successes && !test_failed() &&
			 c.probes < c0.probes + 10);
		ASSERT_GT(c.successes, c0.successes, "a probe passed");
	}
	ht_kill(pid);
	ASSERT_TRUE(ht_run_until(el, 3000, ht_changed_to_down, &w), "down again");
	snprintf(want, sizeof(want), "watch-pidfile: process %d exited", (int)pid);
	ASSERT_STREQ(w.reason, want, "reason: the second process");
	pid = -1;
out:
	hc_free(hc);
	if (pid > 0)
		ht_kill(pid);
	if (lfd >= 0)
		close(lfd);
	unlink(pidfile);
	evloop_free(el);
}
