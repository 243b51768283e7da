// SPDX-License-Identifier: GPL-2.0
/*
 * epoll event loop with a binary min-heap of timers (see evloop.h).
 * Callbacks are looked up by fd in a table at dispatch time, so a
 * callback may remove any fd (even one with an event pending in the
 * current batch) without leaving a dangling pointer behind.
 *
 * One turn: the timers that are due (for EVLOOP_TIMER_BUDGET_MS at most),
 * the end-of-turn work (evloop_defer), then the wait, then the callbacks
 * of the fds that are ready. The clock is read again after every
 * callback; the turn's busy time goes into the stats.
 *
 * Priority fds live in an epoll set of their own, which is itself one fd
 * of the main set: the main wait wakes for them like for any fd, and the
 * loop looks into that set alone (a wait with timeout 0) before the
 * timers and after every other callback — timer, end-of-turn work or fd —
 * so what is ready there waits for at most the one callback that was
 * running when it became ready, whatever the turn's budgets let through.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/evloop.h"

#define EV_BATCH 64

struct ev_fd {
	ev_fd_cb cb;
	void *arg;
	bool used;
	bool prio;
};

struct evloop {
	int epfd;
	int prio_epfd;		/* the priority set; -1 until the first prio fd */
	size_t n_prio;
	bool stop;
	uint64_t now_ms;
	struct ev_defer *defer_head, *defer_tail;
	size_t n_defer;
	uint64_t turn_start_us;	/* when the current turn's work began */
	uint64_t turn_start_cpu_us;	/* the thread's CPU time then */
	struct evloop_stats st;
	uint64_t sec_stamp[EVLOOP_STATS_SECONDS]; /* the second each st.second_us slot holds */
	struct ev_fd *fds;	/* indexed by fd */
	size_t nfds;
	struct ev_timer **heap;	/* 1-based; heap[0] unused */
	size_t heap_len;	/* number of armed timers */
	size_t heap_cap;
};

int evloop_new(struct evloop **out)
{
	struct evloop *el = calloc(1, sizeof(*el));

	if (!el)
		return -ENOMEM;
	el->prio_epfd = -1;
	el->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (el->epfd < 0) {
		int err = -errno;

		free(el);
		return err;
	}
	el->now_ms = clock_mono_ms();
	*out = el;
	return 0;
}

void evloop_free(struct evloop *el)
{
	size_t i;

	if (!el)
		return;
	for (i = 1; i <= el->heap_len; i++)
		el->heap[i]->heap_idx = 0;
	while (el->defer_head) {
		el->defer_head->pending = false;
		el->defer_head = el->defer_head->next;
	}
	close(el->epfd);
	if (el->prio_epfd >= 0)
		close(el->prio_epfd);
	free(el->fds);
	free(el->heap);
	free(el);
}

uint64_t evloop_now_ms(struct evloop *el)
{
	return el->now_ms;
}

/* The priority set, made (and put in the main set) on first use. */
static int prio_set(struct evloop *el)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = -1 };
	int fd;

	if (el->prio_epfd >= 0)
		return 0;
	fd = epoll_create1(EPOLL_CLOEXEC);
	if (fd < 0)
		return -errno;
	ev.data.fd = fd;
	if (epoll_ctl(el->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int err = -errno;

		close(fd);
		return err;
	}
	el->prio_epfd = fd;
	return 0;
}

static int add_fd(struct evloop *el, int fd, uint32_t events, ev_fd_cb cb, void *arg, bool prio)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	int err;

	if (fd < 0)
		return -EBADF;
	if ((size_t)fd >= el->nfds) {
		size_t n = el->nfds ? el->nfds : 16;
		struct ev_fd *fds;

		while (n <= (size_t)fd)
			n *= 2;
		fds = realloc(el->fds, n * sizeof(*fds));
		if (!fds)
			return -ENOMEM;
		memset(fds + el->nfds, 0, (n - el->nfds) * sizeof(*fds));
		el->fds = fds;
		el->nfds = n;
	}
	if (el->fds[fd].used)
		return -EEXIST;
	if (prio) {
		err = prio_set(el);
		if (err)
			return err;
	}
	if (epoll_ctl(prio ? el->prio_epfd : el->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	el->fds[fd] = (struct ev_fd){ .cb = cb, .arg = arg, .used = true, .prio = prio };
	el->n_prio += prio;
	return 0;
}

int evloop_add_fd(struct evloop *el, int fd, uint32_t events, ev_fd_cb cb, void *arg)
{
	return add_fd(el, fd, events, cb, arg, false);
}

int evloop_add_fd_prio(struct evloop *el, int fd, uint32_t events, ev_fd_cb cb, void *arg)
{
	return add_fd(el, fd, events, cb, arg, true);
}

static int set_of(struct evloop *el, int fd)
{
	return el->fds[fd].prio ? el->prio_epfd : el->epfd;
}

int evloop_mod_fd(struct evloop *el, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	if (fd < 0 || (size_t)fd >= el->nfds || !el->fds[fd].used)
		return -ENOENT;
	return epoll_ctl(set_of(el, fd), EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
}

int evloop_del_fd(struct evloop *el, int fd)
{
	if (fd < 0 || (size_t)fd >= el->nfds || !el->fds[fd].used)
		return -ENOENT;
	el->fds[fd].used = false;
	el->n_prio -= el->fds[fd].prio;
	return epoll_ctl(set_of(el, fd), EPOLL_CTL_DEL, fd, NULL) ? -errno : 0;
}

static void heap_place(struct evloop *el, size_t i, struct ev_timer *t)
{
	el->heap[i] = t;
	t->heap_idx = i;
}

static void heap_up(struct evloop *el, size_t i)
{
	struct ev_timer *t = el->heap[i];

	while (i > 1 && el->heap[i / 2]->when_ms > t->when_ms) {
		heap_place(el, i, el->heap[i / 2]);
		i /= 2;
	}
	heap_place(el, i, t);
}

static void heap_down(struct evloop *el, size_t i)
{
	struct ev_timer *t = el->heap[i];

	for (;;) {
		size_t c = 2 * i;

		if (c > el->heap_len)
			break;
		if (c + 1 <= el->heap_len && el->heap[c + 1]->when_ms < el->heap[c]->when_ms)
			c++;
		if (el->heap[c]->when_ms >= t->when_ms)
			break;
		heap_place(el, i, el->heap[c]);
		i = c;
	}
	heap_place(el, i, t);
}

void evloop_timer_cancel(struct evloop *el, struct ev_timer *t)
{
	size_t i = t->heap_idx;
	struct ev_timer *last;

	if (!i)
		return;
	t->heap_idx = 0;
	last = el->heap[el->heap_len--];
	if (last == t)
		return;
	heap_place(el, i, last);
	heap_up(el, i);
	heap_down(el, last->heap_idx);
}

int evloop_timer_set(struct evloop *el, struct ev_timer *t, uint64_t delay_ms, ev_timer_cb cb,
		     void *arg)
{
	evloop_timer_cancel(el, t);
	if (el->heap_len + 1 >= el->heap_cap) {
		size_t cap = el->heap_cap ? el->heap_cap * 2 : 64;
		struct ev_timer **heap = realloc(el->heap, cap * sizeof(*heap));

		if (!heap)
			return -ENOMEM;
		el->heap = heap;
		el->heap_cap = cap;
	}
	t->when_ms = el->now_ms + delay_ms;
	t->cb = cb;
	t->arg = arg;
	el->heap_len++;
	heap_place(el, el->heap_len, t);
	heap_up(el, el->heap_len);
	return 0;
}

static void dispatch(struct evloop *el, const struct epoll_event *ev)
{
	int fd = ev->data.fd;

	/* removed by an earlier callback of this batch */
	if (fd < 0 || (size_t)fd >= el->nfds || !el->fds[fd].used)
		return;
	el->fds[fd].cb(el, fd, ev->events, el->fds[fd].arg);
}

/* Whatever is ready in the priority set, now. */
static void prio_run(struct evloop *el)
{
	struct epoll_event evs[EV_BATCH];
	int n, i;

	if (!el->n_prio || el->stop)
		return;
	n = epoll_wait(el->prio_epfd, evs, EV_BATCH, 0);
	for (i = 0; i < n && !el->stop; i++)
		dispatch(el, &evs[i]);
	if (n > 0)
		el->now_ms = clock_mono_ms();
}

/* Due timers, earliest first, until none is due or the budget is spent;
 * what is left is still due, so the next wait does not sleep. */
static void timers_run(struct evloop *el)
{
	uint64_t end = el->now_ms + EVLOOP_TIMER_BUDGET_MS;

	while (el->heap_len && el->heap[1]->when_ms <= el->now_ms && !el->stop) {
		struct ev_timer *t = el->heap[1];

		evloop_timer_cancel(el, t);
		t->cb(el, t->arg);
		prio_run(el);
		el->now_ms = clock_mono_ms();
		if (el->now_ms >= end)
			break;
	}
}

void evloop_defer(struct evloop *el, struct ev_defer *d, ev_defer_cb cb, void *arg)
{
	if (d->pending)
		return;
	d->cb = cb;
	d->arg = arg;
	d->next = NULL;
	d->pending = true;
	if (el->defer_tail)
		el->defer_tail->next = d;
	else
		el->defer_head = d;
	el->defer_tail = d;
	el->n_defer++;
}

void evloop_defer_cancel(struct evloop *el, struct ev_defer *d)
{
	struct ev_defer **pp, *prev = NULL;

	if (!d->pending)
		return;
	for (pp = &el->defer_head; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp != d)
			continue;
		*pp = d->next;
		if (el->defer_tail == d)
			el->defer_tail = prev;
		el->n_defer--;
		break;
	}
	d->pending = false;
}

/* The end-of-turn work asked for so far; what it asks for anew waits
 * for the next turn. */
static void defer_run(struct evloop *el)
{
	size_t n = el->n_defer;

	while (n-- && el->defer_head && !el->stop) {
		struct ev_defer *d = el->defer_head;

		el->defer_head = d->next;
		if (!el->defer_head)
			el->defer_tail = NULL;
		el->n_defer--;
		d->pending = false;
		d->cb(el, d->arg);
		prio_run(el);
		el->now_ms = clock_mono_ms();
	}
}

static uint64_t thread_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A turn begins now (the loop woke up). */
static void turn_start(struct evloop *el)
{
	el->turn_start_us = clock_mono_us();
	el->turn_start_cpu_us = thread_cpu_us();
}

/* The turn that began at turn_start_us ends now: into the stats. */
static void turn_end(struct evloop *el)
{
	static const uint64_t bounds[] = EVLOOP_STATS_BOUNDS_US;
	uint64_t now = clock_mono_us(), us = now - el->turn_start_us, sec = now / 1000000;
	uint64_t cpu = thread_cpu_us() - el->turn_start_cpu_us;
	size_t b, slot = sec % EVLOOP_STATS_SECONDS;

	el->st.turns++;
	el->st.sum_us += us;
	if (us > el->st.longest_us)
		el->st.longest_us = us;
	for (b = 0; b < EVLOOP_STATS_BUCKETS - 1 && us > bounds[b]; b++)
		;
	el->st.hist[b]++;
	if (cpu > el->st.longest_cpu_us)
		el->st.longest_cpu_us = cpu;
	if (el->sec_stamp[slot] != sec) {
		el->sec_stamp[slot] = sec;
		el->st.second_us[slot] = 0;
		el->st.second_cpu_us[slot] = 0;
	}
	if (us > el->st.second_us[slot])
		el->st.second_us[slot] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	if (cpu > el->st.second_cpu_us[slot])
		el->st.second_cpu_us[slot] = cpu > UINT32_MAX ? UINT32_MAX : (uint32_t)cpu;
}

void evloop_stats_get(struct evloop *el, struct evloop_stats *out)
{
	uint64_t sec = clock_mono_us() / 1000000;
	size_t k;

	*out = el->st;
	for (k = 0; k < EVLOOP_STATS_SECONDS; k++) {
		size_t slot = (sec - k) % EVLOOP_STATS_SECONDS;
		bool cur = el->sec_stamp[slot] == sec - k;

		out->second_us[k] = cur ? el->st.second_us[slot] : 0;
		out->second_cpu_us[k] = cur ? el->st.second_cpu_us[slot] : 0;
	}
}

static int next_timeout(struct evloop *el)
{
	uint64_t when;

	if (el->n_defer)
		return 0;
	if (!el->heap_len)
		return -1;
	when = el->heap[1]->when_ms;
	if (when <= el->now_ms)
		return 0;
	return when - el->now_ms > 60000 ? 60000 : (int)(when - el->now_ms);
}

int evloop_run(struct evloop *el)
{
	struct epoll_event evs[EV_BATCH];
	int n, i;

	el->stop = false;
	turn_start(el);
	while (!el->stop) {
		el->now_ms = clock_mono_ms();
		prio_run(el);
		timers_run(el);
		defer_run(el);
		if (el->stop)
			break;
		turn_end(el);
		n = epoll_wait(el->epfd, evs, EV_BATCH, next_timeout(el));
		turn_start(el);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		el->now_ms = clock_mono_ms();
		/* the priority set first, and again after every callback */
		prio_run(el);
		for (i = 0; i < n && !el->stop; i++) {
			if (evs[i].data.fd == el->prio_epfd)
				continue;
			dispatch(el, &evs[i]);
			prio_run(el);
			el->now_ms = clock_mono_ms();
		}
	}
	return 0;
}

void evloop_stop(struct evloop *el)
{
	el->stop = true;
}
