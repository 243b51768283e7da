// SPDX-License-Identifier: GPL-2.0
/*
 * Event loop: timer order and cancellation, re-arming from a callback,
 * fd readiness with real pipes, removing an fd from another fd's callback,
 * end-of-turn work (once per turn, again without sleeping), due timers
 * bounded per turn with a ready fd served in between, turn statistics.
 */
#include <errno.h>
#include <time.h>
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

/* --- end-of-turn work --- */

struct turn {
	int p[2][2];		/* two pipes, both readable in the same turn */
	struct ev_defer d;
	int fd_calls;		/* fd callbacks so far */
	int seen_at[4];		/* fd_calls when the deferred work ran, each time */
	int runs;
	struct ev_timer guard;
};

static void turn_defer(struct evloop *el, void *arg)
{
	struct turn *t = arg;

	t->seen_at[t->runs++] = t->fd_calls;
	if (t->runs == 1)
		evloop_defer(el, &t->d, turn_defer, t); /* again: the next turn */
	else
		evloop_stop(el);
}

static void turn_fd(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct turn *t = arg;
	char c;

	(void)events;
	if (read(fd, &c, 1) == 1)
		t->fd_calls++;
	evloop_defer(el, &t->d, turn_defer, t);
	evloop_defer(el, &t->d, turn_defer, t); /* asking twice: once */
}

static void turn_guard(struct evloop *el, void *arg)
{
	(void)arg;
	evloop_stop(el);
}

void test_evloop_defer(void)
{
	struct turn t = {};
	struct evloop *el;
	int i;

	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		return;
	for (i = 0; i < 2; i++) {
		if (!ASSERT_OK(pipe(t.p[i]), "pipe"))
			goto out;
		ASSERT_OK(evloop_add_fd(el, t.p[i][0], EPOLLIN, turn_fd, &t), "add");
		ASSERT_EQ(write(t.p[i][1], "x", 1), 1, "write");
	}
	/* the re-asked work must not wait for the next event: a loop that
	 * slept in between would be stopped by this timer first */
	evloop_timer_set(el, &t.guard, 5000, turn_guard, NULL);
	ASSERT_OK(evloop_run(el), "run");
	ASSERT_EQ(t.runs, 2, "the deferred work ran once per turn it was asked in");
	ASSERT_EQ(t.seen_at[0], 2, "after both fd callbacks of the turn");
	ASSERT_EQ(t.seen_at[1], 2, "asked again from itself: the next turn, no event needed");
	evloop_defer(el, &t.d, turn_defer, &t);
	evloop_defer_cancel(el, &t.d);
	ASSERT_FALSE(t.d.pending, "cancelled");
out:
	for (i = 0; i < 2; i++) {
		close(t.p[i][0]);
		close(t.p[i][1]);
	}
	evloop_free(el);
}

/* --- a turn's timers are bounded --- */

#define BUSY_TIMERS 200

struct busy {
	struct ev_timer t[BUSY_TIMERS];
	int fired;
	int fired_at_fd;	/* timers fired when the fd's callback ran; -1 = not yet */
	int p[2];
};

static void busy_spin_us(long us)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000 < us);
}

static void busy_timer(struct evloop *el, void *arg)
{
	struct busy *b = arg;

	busy_spin_us(100);
	if (++b->fired == BUSY_TIMERS)
		evloop_stop(el);
	(void)el;
}

static void busy_fd(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct busy *b = arg;
	char c;

	(void)events;
	(void)el;
	if (read(fd, &c, 1) == 1 && b->fired_at_fd < 0)
		b->fired_at_fd = b->fired;
}

void test_evloop_timer_budget(void)
{
	struct busy b = { .fired_at_fd = -1 };
	struct evloop_stats st;
	uint64_t sum = 0;
	struct evloop *el;
	int i;

	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		return;
	if (!ASSERT_OK(pipe(b.p), "pipe"))
		goto out;
	ASSERT_OK(evloop_add_fd(el, b.p[0], EPOLLIN, busy_fd, &b), "add");
	ASSERT_EQ(write(b.p[1], "x", 1), 1, "write");
	/* 200 timers due together, 0.1 ms of work each: 20 ms in all */
	for (i = 0; i < BUSY_TIMERS; i++)
		evloop_timer_set(el, &b.t[i], 0, busy_timer, &b);
	ASSERT_OK(evloop_run(el), "run");
	ASSERT_EQ(b.fired, BUSY_TIMERS, "every timer fired");
	/* at most EVLOOP_TIMER_BUDGET_MS of them before the wait that saw
	 * the pipe: the fd got its turn long before the last timer */
	ASSERT_TRUE(b.fired_at_fd >= 0 && b.fired_at_fd < BUSY_TIMERS / 2,
		    "the ready fd ran between the due timers");
	evloop_stats_get(el, &st);
	ASSERT_TRUE(st.turns >= 2, "turns counted");
	for (i = 0; i < EVLOOP_STATS_BUCKETS; i++)
		sum += st.hist[i];
	ASSERT_EQ(sum, st.turns, "every turn in the histogram");
	ASSERT_TRUE(st.longest_us >= 100, "the longest turn holds a timer's work");
	ASSERT_TRUE(st.second_us[0] >= 100 || st.second_us[1] >= 100,
		    "and so does the current (or the last) second");
out:
	close(b.p[0]);
	close(b.p[1]);
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

/* A priority fd made ready by a timer's callback runs right after it,
 * before the turn's other due timers, and one made ready by end-of-turn
 * work right after that work: the budgets of a busy turn never hold it. */
struct prio_busy {
	struct ev_timer t[BUSY_TIMERS];
	struct ev_defer d;
	int fired;
	int prio_at[2];		/* timers fired when the prio fd ran; -1 = not yet */
	int n_prio;
	bool deferred;		/* the end-of-turn work ran */
	bool prio_after_defer;
	int p[2];
};

static void pb_timer(struct evloop *el, void *arg)
{
	struct prio_busy *b = arg;

	busy_spin_us(100);
	if (++b->fired == 1)
		(void)!write(b->p[1], "p", 1);
	(void)el;
}

static void pb_defer(struct evloop *el, void *arg)
{
	struct prio_busy *b = arg;

	b->deferred = true;
	(void)!write(b->p[1], "p", 1);
	(void)el;
}

static void pb_prio(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct prio_busy *b = arg;

	(void)events;
	p_read(fd);
	if (b->n_prio < 2)
		b->prio_at[b->n_prio] = b->fired;
	b->n_prio++;
	if (b->n_prio == 1) {
		evloop_defer(el, &b->d, pb_defer, b);
	} else {
		b->prio_after_defer = b->deferred;
		evloop_stop(el);
	}
}

void test_evloop_prio_busy_turn(void)
{
	struct prio_busy b = { .prio_at = { -1, -1 } };
	struct evloop *el;
	int i;

	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		return;
	if (!ASSERT_OK(pipe(b.p), "pipe"))
		goto out;
	ASSERT_OK(evloop_add_fd_prio(el, b.p[0], EPOLLIN, pb_prio, &b), "add prio");
	/* 200 timers due together, 0.1 ms each: several turns' budgets */
	for (i = 0; i < BUSY_TIMERS; i++)
		evloop_timer_set(el, &b.t[i], 0, pb_timer, &b);
	ASSERT_OK(evloop_run(el), "run");
	ASSERT_EQ(b.n_prio, 2, "the prio fd ran twice");
	ASSERT_EQ(b.prio_at[0], 1, "right after the timer that made it ready");
	ASSERT_TRUE(b.prio_after_defer, "and right after the end-of-turn work that did");
	ASSERT_TRUE(b.prio_at[1] < BUSY_TIMERS, "before the due timers were all done");
out:
	close(b.p[0]);
	close(b.p[1]);
	evloop_free(el);
}
