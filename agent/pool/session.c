// SPDX-License-Identifier: GPL-2.0
/*
 * The etcd connection's state machine (see session.h).
 */
#include "pool/session.h"

static const char *const state_names[POOL_SM_STATE_MAX] = {
	[POOL_SM_IDLE] = "idle",
	[POOL_SM_BACKOFF] = "backoff",
	[POOL_SM_AUTH] = "auth",
	[POOL_SM_READ] = "read",
	[POOL_SM_WATCH_START] = "watch-start",
	[POOL_SM_WATCHING] = "watching",
};

static const char *const event_names[POOL_EV_MAX] = {
	[POOL_EV_START] = "start",
	[POOL_EV_STOP] = "stop",
	[POOL_EV_BACKOFF_DONE] = "backoff-done",
	[POOL_EV_AUTH_OK] = "auth-ok",
	[POOL_EV_READ_OK] = "read-ok",
	[POOL_EV_WATCH_CREATED] = "watch-created",
	[POOL_EV_COMPACTED] = "compacted",
	[POOL_EV_FAILED] = "failed",
	[POOL_EV_TOKEN_INVALID] = "token-invalid",
	[POOL_EV_REFUSED] = "refused",
};

const char *pool_sm_state_name(enum pool_sm_state s)
{
	return s < POOL_SM_STATE_MAX ? state_names[s] : "?";
}

const char *pool_sm_event_name(enum pool_sm_event ev)
{
	return ev < POOL_EV_MAX ? event_names[ev] : "?";
}

void pool_sm_init(struct pool_sm *sm, bool auth)
{
	*sm = (struct pool_sm){ .state = POOL_SM_IDLE, .auth = auth };
}

uint32_t pool_sm_backoff_ms(unsigned n, bool refused, uint32_t rnd)
{
	uint32_t d = POOL_BACKOFF_BASE_MS;

	if (refused)
		d = POOL_BACKOFF_REFUSED_MS;
	else
		while (n > 1 && d < POOL_BACKOFF_MAX_MS) {
			d *= 2;
			n--;
		}
	if (d > POOL_BACKOFF_MAX_MS && !refused)
		d = POOL_BACKOFF_MAX_MS;
	/* the upper half: d/2 + [0, d/2] */
	return d / 2 + rnd % (d / 2 + 1);
}

/* The first step of a connection. */
static unsigned connect_first(struct pool_sm *sm)
{
	sm->state = sm->auth ? POOL_SM_AUTH : POOL_SM_READ;
	return sm->auth ? POOL_ACT_AUTH : POOL_ACT_READ;
}

static bool active(enum pool_sm_state s)
{
	return s == POOL_SM_AUTH || s == POOL_SM_READ || s == POOL_SM_WATCH_START ||
	       s == POOL_SM_WATCHING;
}

static unsigned fail(struct pool_sm *sm, bool next_endpoint, bool refused, uint32_t rnd)
{
	unsigned act = POOL_ACT_CLOSE | POOL_ACT_BACKOFF;

	if (next_endpoint)
		act |= POOL_ACT_NEXT_ENDPOINT;
	if (sm->up) {
		sm->up = false;
		act |= POOL_ACT_DOWN;
	}
	sm->failures++;
	sm->delay_ms = pool_sm_backoff_ms(sm->failures, refused, rnd);
	sm->state = POOL_SM_BACKOFF;
	return act;
}

unsigned pool_sm_event(struct pool_sm *sm, enum pool_sm_event ev, int64_t revision, uint32_t rnd)
{
	unsigned act = 0;

	switch (ev) {
	case POOL_EV_START:
		if (sm->state != POOL_SM_IDLE)
			return 0;
		sm->failures = 0;
		return connect_first(sm);
	case POOL_EV_STOP:
		if (sm->state == POOL_SM_IDLE)
			return 0;
		act = POOL_ACT_CLOSE;
		if (sm->up)
			act |= POOL_ACT_DOWN;
		sm->up = false;
		sm->state = POOL_SM_IDLE;
		return act;
	case POOL_EV_BACKOFF_DONE:
		if (sm->state != POOL_SM_BACKOFF)
			return 0;
		return connect_first(sm);
	case POOL_EV_AUTH_OK:
		if (sm->state != POOL_SM_AUTH)
			return 0;
		sm->state = POOL_SM_READ;
		return POOL_ACT_READ;
	case POOL_EV_READ_OK:
		if (sm->state != POOL_SM_READ)
			return 0;
		sm->watch_from = revision + 1;
		sm->state = POOL_SM_WATCH_START;
		return POOL_ACT_WATCH;
	case POOL_EV_WATCH_CREATED:
		if (sm->state != POOL_SM_WATCH_START)
			return 0;
		sm->state = POOL_SM_WATCHING;
		sm->failures = 0;
		act = POOL_ACT_HEARTBEAT;
		if (!sm->up) {
			sm->up = true;
			act |= POOL_ACT_UP;
		}
		return act;
	case POOL_EV_COMPACTED:
		if (sm->state != POOL_SM_WATCH_START && sm->state != POOL_SM_WATCHING)
			return 0;
		/* still following the store: only the watch starts over */
		sm->state = POOL_SM_READ;
		return POOL_ACT_CLOSE_WATCH | POOL_ACT_READ;
	case POOL_EV_FAILED:
		if (!active(sm->state))
			return 0;
		return fail(sm, true, false, rnd);
	case POOL_EV_TOKEN_INVALID:
		if (!active(sm->state))
			return 0;
		/* the token expired or its member restarted: same member */
		return fail(sm, false, false, rnd);
	case POOL_EV_REFUSED:
		if (!active(sm->state))
			return 0;
		return fail(sm, true, true, rnd);
	case POOL_EV_MAX:
		break;
	}
	return 0;
}
