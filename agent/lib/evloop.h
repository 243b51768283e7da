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
 * the timers and the other fds of a round, and looked at again after
 * every other callback, so it waits for one callback at most. */
int evloop_add_fd_prio(struct evloop *el, int fd, uint32_t events, ev_fd_cb cb, void *arg);
int evloop_mod_fd(struct evloop *el, int fd, uint32_t events);
int evloop_del_fd(struct evloop *el, int fd);

/* Arm (or re-arm) t to fire once, delay_ms from now. */
int evloop_timer_set(struct evloop *el, struct ev_timer *t, uint64_t delay_ms, ev_timer_cb cb,
		     void *arg);
void evloop_timer_cancel(struct evloop *el, struct ev_timer *t);
static inline bool evloop_timer_armed(const struct ev_timer *t)
{
	return t->heap_idx != 0;
}

/* Monotonic milliseconds, read once per loop iteration. */
uint64_t evloop_now_ms(struct evloop *el);

/* Run until evloop_stop(); returns 0, or -errno if epoll fails. */
int evloop_run(struct evloop *el);
void evloop_stop(struct evloop *el);

#endif
