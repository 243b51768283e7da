/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The life of a node's connection to etcd, as a pure state machine:
 * (state, event) -> (next state, actions), with the back-off it waits
 * before trying again. store.c performs the actions (calls, the watch
 * stream, timers); kept pure so every transition is tested without an
 * etcd (selftests/agent/test_pool_session.c).
 *
 *   IDLE --start--> [AUTH] --> READ --read ok--> WATCH_START --created--> WATCHING
 *                     ^                  ^                                  |
 *                     |                  +-------- compacted ---------------+
 *                     +--- BACKOFF <--- any failure (next endpoint) --------+
 *
 * Every (re)connection authenticates (when a user is configured: etcd's
 * simple tokens belong to the member that issued them), reads the whole
 * prefix and watches from that read's revision + 1; a watch whose start
 * revision was compacted meanwhile reads again. A failure of anything —
 * a call, the stream, the heartbeat — closes everything and tries the
 * next endpoint after a back-off: the first at once (within
 * POOL_BACKOFF_BASE_MS, jittered), then doubling to POOL_BACKOFF_MAX_MS,
 * each a random point in the upper half of its interval so nodes that
 * lost the same member do not come back in step. A refused login
 * (wrong password, no permission) waits POOL_BACKOFF_REFUSED_MS: etcd
 * checks passwords with bcrypt, and a fleet retrying at the fast rate
 * would keep it busy.
 *
 * `up` is what the node tells its operator: from the watch being set up
 * until the next failure. Losing the store changes nothing in the
 * datapath; the actions only say so.
 */
#ifndef XLB_POOL_SESSION_H
#define XLB_POOL_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#define POOL_BACKOFF_BASE_MS	50
#define POOL_BACKOFF_MAX_MS	500
#define POOL_BACKOFF_REFUSED_MS	5000

enum pool_sm_state {
	POOL_SM_IDLE = 0,
	POOL_SM_BACKOFF,
	POOL_SM_AUTH,		/* /v3/auth/authenticate in flight */
	POOL_SM_READ,		/* the range of the whole prefix in flight */
	POOL_SM_WATCH_START,	/* the watch requested, not created yet */
	POOL_SM_WATCHING,
	POOL_SM_STATE_MAX
};

enum pool_sm_event {
	POOL_EV_START = 0,
	POOL_EV_STOP,
	POOL_EV_BACKOFF_DONE,
	POOL_EV_AUTH_OK,
	POOL_EV_READ_OK,	/* revision: the read's header revision */
	POOL_EV_WATCH_CREATED,
	POOL_EV_COMPACTED,	/* the watch's start revision is gone */
	POOL_EV_FAILED,		/* transport error, timeout, error answer, stream end */
	POOL_EV_TOKEN_INVALID,	/* "invalid auth token": log in again, same member */
	POOL_EV_REFUSED,	/* login refused (wrong password, no permission) */
	POOL_EV_MAX
};

enum pool_sm_action {
	POOL_ACT_CLOSE = 1 << 0,	 /* cancel every call and the stream */
	POOL_ACT_NEXT_ENDPOINT = 1 << 1, /* another member next time */
	POOL_ACT_BACKOFF = 1 << 2,	 /* arm the retry timer for sm->delay_ms */
	POOL_ACT_AUTH = 1 << 3,		 /* log in */
	POOL_ACT_READ = 1 << 4,		 /* read the whole prefix */
	POOL_ACT_WATCH = 1 << 5,	 /* watch from sm->watch_from */
	POOL_ACT_HEARTBEAT = 1 << 6,	 /* start the periodic liveness check */
	POOL_ACT_UP = 1 << 7,		 /* connected again: say so */
	POOL_ACT_DOWN = 1 << 8,		 /* the store is lost: say so, change nothing */
	POOL_ACT_CLOSE_WATCH = 1 << 9,	 /* end the watch stream only */
};

struct pool_sm {
	enum pool_sm_state state;
	bool auth;		/* a user is configured: log in on every connection */
	bool up;
	unsigned failures;	/* in a row, since the last watch set up */
	uint32_t delay_ms;	/* with POOL_ACT_BACKOFF: how long */
	int64_t watch_from;	/* with POOL_ACT_WATCH: the start revision */
};

void pool_sm_init(struct pool_sm *sm, bool auth);

/*
 * Feed one event; returns the POOL_ACT_* bits to perform, in bit order.
 * revision: the read's revision for POOL_EV_READ_OK, else unused. rnd: a
 * random number for the back-off's jitter. An event that does not belong
 * to the current state (a late callback) is ignored: 0.
 */
unsigned pool_sm_event(struct pool_sm *sm, enum pool_sm_event ev, int64_t revision, uint32_t rnd);

/* The back-off after the nth failure in a row (n >= 1), jittered by rnd
 * into the upper half of the interval. */
uint32_t pool_sm_backoff_ms(unsigned n, bool refused, uint32_t rnd);

const char *pool_sm_state_name(enum pool_sm_state s);
const char *pool_sm_event_name(enum pool_sm_event ev);

#endif
