// SPDX-License-Identifier: GPL-2.0
/*
 * Event loop: timer order and cancellation, re-arming from a callback,
 * fd readiness with real pipes, removing an fd from another fd's callback.
 */
#include <errno.h>
#include <unistd.h>

#include "../lib/test.h"
#include "lib/evloop.h"

struct tick {
	struct ev_timer t;
	int id;
	int *log;
	int *n;
};

static void tick_cb(struct evloop *el, void *arg)
{
	struct tick *k = arg;

	k->log[(*k->n)++] = k->id;
	if (*k->n == 5)
		evloop_stop(el);
}

void test_evloop_timers(void)
{
	struct tick k[6] = {};
	static const int delay[6] = { 30, 10, 50, 20, 40, 15 };
	int log[8] = {}, n = 0, i;
	struct evloop *el;

	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		return;
	for (i = 0; i < 6; i++) {
		k[i] = (struct tick){ .id = i, .log = log, .n = &n };
		ASSERT_OK(evloop_timer_set(el, &k[i].t, delay[i], tick_cb, &k[i]), "timer_set");
	}
	/* cancel the 20 ms one, move the 50 ms one to 5 ms */
	evloop_timer_cancel(el, &k[3].t);
	ASSERT_FALSE(evloop_timer_armed(&k[3].t), "cancelled timer is not armed");
	ASSERT_OK(evloop_timer_set(el, &k[2].t, 5, tick_cb, &k[2]), "re-arm");
	ASSERT_OK(evloop_run(el), "run");
	ASSERT_EQ(n, 5, "timers fired");
	ASSERT_EQ(log[0], 2, "first: re-armed 5 ms");
	ASSERT_EQ(log[1], 1, "second: 10 ms");
	ASSERT_EQ(log[2], 5, "third: 15 ms");
	ASSERT_EQ(log[3], 0, "fourth: 30 ms");
	ASSERT_EQ(log[4], 4, "fifth: 40 ms");
	evloop_free(el);
}

struct pipes {
	int a[2], b[2];
	int reads_a, reads_b;
};

static void read_a(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct pipes *p = arg;
	char c;

	(void)events;
	if (read(fd, &c, 1) == 1)
		p->reads_a++;
	/* drop the other pipe although its event may be in this batch */
	evloop_del_fd(el, p->b[0]);
	evloop_stop(el);
}

static void read_b(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct pipes *p = arg;
	char c;

	(void)events;
	if (read(fd, &c, 1) == 1)
		p->reads_b++;
	evloop_del_fd(el, p->a[0]);
	evloop_stop(el);
}

void test_evloop_fds(void)
{
	struct pipes p = {};
	struct evloop *el;

	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		return;
	if (!ASSERT_OK(pipe(p.a), "pipe") || !ASSERT_OK(pipe(p.b), "pipe"))
		goto out;
	ASSERT_OK(evloop_add_fd(el, p.a[0], EPOLLIN, read_a, &p), "add a");
	ASSERT_OK(evloop_add_fd(el, p.b[0], EPOLLIN, read_b, &p), "add b");
	ASSERT_EQ(evloop_add_fd(el, p.a[0], EPOLLIN, read_a, &p), -EEXIST, "added twice");
	ASSERT_EQ(write(p.a[1], "x", 1), 1, "write a");
	ASSERT_EQ(write(p.b[1], "y", 1), 1, "write b");
	ASSERT_OK(evloop_run(el), "run");
	/* exactly one ran; it removed the other before its callback */
	ASSERT_EQ(p.reads_a + p.reads_b, 1, "one callback, the other fd removed");
	ASSERT_EQ(evloop_del_fd(el, 12345), -ENOENT, "delete unknown fd");
out:
	close(p.a[0]);
	close(p.a[1]);
	close(p.b[0]);
	close(p.b[1]);
	evloop_free(el);
}
