/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's one event loop (epoll): file descriptors with callbacks and
 * one-shot timers on the monotonic clock. Everything in xlbd — control
 * socket clients, BGP sessions, BFD, health probes — runs on it; nothing
 * blocks and there is no thread per peer or per check.
 *
 * Timers are embedded in their owner (struct ev_timer) and cost no
 * allocation; re-arming an armed timer moves it. Callbacks may add and
 * remove fds and timers, including their own.
 */
#ifndef XLB_LIB_EVLOOP_H
#define XLB_LIB_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct evloop;

typedef void (*ev_fd_cb)(struct evloop *el, int fd, uint32_t events, void *arg);
typedef void (*ev_timer_cb)(struct evloop *el, void *arg);

struct ev_timer {
	uint64_t when_ms;	/* monotonic deadline */
	ev_timer_cb cb;
	void *arg;
	size_t heap_idx;	/* position in the loop's heap; 0 = not armed */
};

int evloop_new(struct evloop **out);
void evloop_free(struct evloop *el);

/* events: EPOLLIN / EPOLLOUT (level-triggered). One registration per fd. */
int evloop_add_fd(struct evloop *el, int fd, uint32_t events, ev_fd_cb cb, void *arg);
/* The same for a priority fd (BFD's sockets and timer): dispatched before
 * the timers and the other fds of a turn, and looked at again after
 * every other callback (each timer, each end-of-turn work, each fd), so
 * it waits for one callback at most whatever the turn's budgets. */
int evloop_add_fd_prio(struct evloop *el, int fd, uint32_t events, ev_fd_cb cb, void *arg);
int evloop_mod_fd(struct evloop *el, int fd, uint32_t events);
int evloop_del_fd(struct evloop *el, int fd);

/* Work for the end of the loop's turn (struct ev_defer, embedded in its
 * owner): runs once, after the turn's fd callbacks and due timers, before
 * the loop waits again. Asking while it is pending changes nothing; a
 * callback that asks again runs in the next turn, and the loop does not
 * sleep in between. This is where work that many events ask for in one
 * turn is done once (xlbd applies its changed VIPs here). */
typedef void (*ev_defer_cb)(struct evloop *el, void *arg);
struct ev_defer {
	ev_defer_cb cb;
	void *arg;
	struct ev_defer *next;	/* in the loop's pending list */
	bool pending;
};
void evloop_defer(struct evloop *el, struct ev_defer *d, ev_defer_cb cb, void *arg);
void evloop_defer_cancel(struct evloop *el, struct ev_defer *d);

/* Arm (or re-arm) t to fire once, delay_ms from now. */
int evloop_timer_set(struct evloop *el, struct ev_timer *t, uint64_t delay_ms, ev_timer_cb cb,
		     void *arg);
void evloop_timer_cancel(struct evloop *el, struct ev_timer *t);
static inline bool evloop_timer_armed(const struct ev_timer *t)
{
	return t->heap_idx != 0;
}

/* Monotonic milliseconds, read when the loop wakes up and again after
 * every callback, so a timer armed after slow work is not armed late. */
uint64_t evloop_now_ms(struct evloop *el);

/*
 * How responsive the loop is: a turn is the loop's busy time between two
 * waits for events (the callbacks of one wake-up, the due timers, the
 * end-of-turn work), the time within which it cannot notice anything
 * new. Due timers run for at most EVLOOP_TIMER_BUDGET_MS per turn (the
 * rest, still due, run in the next turn, after the fds that are ready):
 * a thousand probes timing out together do not hold the loop.
 */
#define EVLOOP_TIMER_BUDGET_MS	5
#define EVLOOP_STATS_SECONDS	60	/* per-second maxima kept */
#define EVLOOP_STATS_BUCKETS	9
/* upper bounds of the turn-duration histogram, microseconds (the last
 * bucket takes everything longer) */
#define EVLOOP_STATS_BOUNDS_US { 1000, 5000, 10000, 25000, 50000, 100000, 250000, 1000000 }
struct evloop_stats {
	uint64_t turns;
	uint64_t longest_us;		/* since evloop_new */
	uint64_t sum_us;		/* of every turn */
	uint64_t hist[EVLOOP_STATS_BUCKETS];	/* turns by duration, see BOUNDS */
	/* the longest turn of each of the last EVLOOP_STATS_SECONDS seconds,
	 * the current one first (0: none, or shorter than a microsecond) */
	uint32_t second_us[EVLOOP_STATS_SECONDS];
	/* the same in CPU time of the loop's thread (what the kernel did in
	 * its system calls included): a turn much longer than its CPU time
	 * waited for a CPU */
	uint64_t longest_cpu_us;
	uint32_t second_cpu_us[EVLOOP_STATS_SECONDS];
};
void evloop_stats_get(struct evloop *el, struct evloop_stats *out);

/* Run until evloop_stop(); returns 0, or -errno if epoll fails. */
int evloop_run(struct evloop *el);
void evloop_stop(struct evloop *el);

#endif
