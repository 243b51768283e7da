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

/* Priority fds: a log of which callback ran, in order. */
struct prio_t {
	int normal1[2], normal2[2], prio[2];
	char log[8];
	int n;
};

static void p_read(int fd)
{
	char c;

	(void)!read(fd, &c, 1);
}

static void cb_normal1(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct prio_t *p = arg;

	(void)el;
	(void)events;
	p_read(fd);
	p->log[p->n++] = '1';
	/* becomes ready while this callback runs: must run before normal2,
	 * which is in the same batch */
	(void)!write(p->prio[1], "p", 1);
}

static void cb_normal2(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct prio_t *p = arg;

	(void)events;
	p_read(fd);
	p->log[p->n++] = '2';
	if (p->n >= 4)
		evloop_stop(el);
}

static void cb_prio(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct prio_t *p = arg;

	(void)events;
	p_read(fd);
	p->log[p->n++] = 'P';
	if (p->n >= 4)
		evloop_stop(el);
}

void test_evloop_prio(void)
{
	struct prio_t p = {};
	struct evloop *el;

	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		return;
	if (!ASSERT_OK(pipe(p.normal1), "pipe") || !ASSERT_OK(pipe(p.normal2), "pipe") ||
	    !ASSERT_OK(pipe(p.prio), "pipe"))
		goto out;
	ASSERT_OK(evloop_add_fd(el, p.normal1[0], EPOLLIN, cb_normal1, &p), "add 1");
	ASSERT_OK(evloop_add_fd(el, p.normal2[0], EPOLLIN, cb_normal2, &p), "add 2");
	ASSERT_OK(evloop_add_fd_prio(el, p.prio[0], EPOLLIN, cb_prio, &p), "add prio");
	ASSERT_EQ(evloop_add_fd(el, p.prio[0], EPOLLIN, cb_prio, &p), -EEXIST, "added twice");

	/* ready together: the priority fd first */
	(void)!write(p.prio[1], "p", 1);
	(void)!write(p.normal2[1], "2", 1);
	(void)!write(p.normal1[1], "1", 1);
	ASSERT_OK(evloop_run(el), "run");
	/* P (ready before the round), then 1 and 2 in epoll's order, with
	 * the P that 1 made ready right after 1 */
	ASSERT_EQ(p.n, 4, "four callbacks");
	ASSERT_EQ(p.log[0], 'P', "ready prio fd first");
	if (p.log[1] == '1') {
		ASSERT_EQ(p.log[2], 'P', "prio fd made ready by a callback: right after it");
		ASSERT_EQ(p.log[3], '2', "then the rest of the batch");
	} else {
		ASSERT_EQ(p.log[1], '2', "2");
		ASSERT_EQ(p.log[2], '1', "1");
		ASSERT_EQ(p.log[3], 'P', "prio fd made ready by a callback: right after it");
	}
	ASSERT_OK(evloop_mod_fd(el, p.prio[0], EPOLLIN), "mod prio fd");
	ASSERT_OK(evloop_del_fd(el, p.prio[0]), "del prio fd");
	ASSERT_EQ(evloop_del_fd(el, p.prio[0]), -ENOENT, "deleted");
out:
	close(p.normal1[0]);
	close(p.normal1[1]);
	close(p.normal2[0]);
	close(p.normal2[1]);
	close(p.prio[0]);
	close(p.prio[1]);
	evloop_free(el);
}
