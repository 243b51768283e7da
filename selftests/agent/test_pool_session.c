// SPDX-License-Identifier: GPL-2.0
/*
 * The etcd session's state machine (agent/pool/session.c): the
 * transitions with their actions as a table, whole sequences (start,
 * compaction, a member lost, a refused login, a late callback), the
 * back-off's bounds and jitter, and every (state, event) pair leading
 * somewhere sane: nothing is left open on a failure, and the node never
 * says it is up without a watch.
 */
#include "../lib/test.h"
#include "pool/session.h"

struct sm_case {
	enum pool_sm_state from;
	bool auth, up;
	enum pool_sm_event ev;
	enum pool_sm_state to;
	unsigned must, mustnt;
};

#define CLOSE POOL_ACT_CLOSE
#define NEXT POOL_ACT_NEXT_ENDPOINT
#define BACKOFF POOL_ACT_BACKOFF

static const struct sm_case cases[] = {
	{ POOL_SM_IDLE, false, false, POOL_EV_START, POOL_SM_READ, POOL_ACT_READ, POOL_ACT_AUTH },
	{ POOL_SM_IDLE, true, false, POOL_EV_START, POOL_SM_AUTH, POOL_ACT_AUTH, POOL_ACT_READ },
	{ POOL_SM_AUTH, true, false, POOL_EV_AUTH_OK, POOL_SM_READ, POOL_ACT_READ, 0 },
	{ POOL_SM_READ, false, false, POOL_EV_READ_OK, POOL_SM_WATCH_START, POOL_ACT_WATCH,
	  POOL_ACT_UP },
	{ POOL_SM_WATCH_START, false, false, POOL_EV_WATCH_CREATED, POOL_SM_WATCHING,
	  POOL_ACT_UP | POOL_ACT_HEARTBEAT, 0 },
	/* re-read after a compaction: still up, nothing closed but the watch */
	{ POOL_SM_WATCH_START, false, true, POOL_EV_WATCH_CREATED, POOL_SM_WATCHING,
	  POOL_ACT_HEARTBEAT, POOL_ACT_UP },
	{ POOL_SM_WATCHING, false, true, POOL_EV_COMPACTED, POOL_SM_READ,
	  POOL_ACT_CLOSE_WATCH | POOL_ACT_READ, CLOSE | POOL_ACT_DOWN | BACKOFF },
	{ POOL_SM_WATCH_START, false, true, POOL_EV_COMPACTED, POOL_SM_READ, POOL_ACT_READ,
	  POOL_ACT_DOWN },
	/* failures: close, another member, back-off; down only if it was up */
	{ POOL_SM_WATCHING, false, true, POOL_EV_FAILED, POOL_SM_BACKOFF,
	  CLOSE | NEXT | BACKOFF | POOL_ACT_DOWN, POOL_ACT_READ },
	{ POOL_SM_READ, false, false, POOL_EV_FAILED, POOL_SM_BACKOFF, CLOSE | NEXT | BACKOFF,
	  POOL_ACT_DOWN },
	{ POOL_SM_AUTH, true, false, POOL_EV_REFUSED, POOL_SM_BACKOFF, CLOSE | BACKOFF, 0 },
	{ POOL_SM_WATCHING, true, true, POOL_EV_TOKEN_INVALID, POOL_SM_BACKOFF,
	  CLOSE | BACKOFF | POOL_ACT_DOWN, NEXT },
	{ POOL_SM_BACKOFF, false, false, POOL_EV_BACKOFF_DONE, POOL_SM_READ, POOL_ACT_READ, 0 },
	{ POOL_SM_BACKOFF, true, false, POOL_EV_BACKOFF_DONE, POOL_SM_AUTH, POOL_ACT_AUTH, 0 },
	{ POOL_SM_WATCHING, false, true, POOL_EV_STOP, POOL_SM_IDLE, CLOSE | POOL_ACT_DOWN, 0 },
	{ POOL_SM_BACKOFF, false, false, POOL_EV_STOP, POOL_SM_IDLE, CLOSE, POOL_ACT_DOWN },
	/* late callbacks are ignored */
	{ POOL_SM_BACKOFF, false, false, POOL_EV_FAILED, POOL_SM_BACKOFF, 0, ~0u },
	{ POOL_SM_BACKOFF, false, false, POOL_EV_READ_OK, POOL_SM_BACKOFF, 0, ~0u },
	{ POOL_SM_WATCHING, false, true, POOL_EV_READ_OK, POOL_SM_WATCHING, 0, ~0u },
	{ POOL_SM_WATCHING, false, true, POOL_EV_WATCH_CREATED, POOL_SM_WATCHING, 0, ~0u },
	{ POOL_SM_READ, false, false, POOL_EV_COMPACTED, POOL_SM_READ, 0, ~0u },
	{ POOL_SM_IDLE, false, false, POOL_EV_FAILED, POOL_SM_IDLE, 0, ~0u },
	{ POOL_SM_WATCHING, false, true, POOL_EV_START, POOL_SM_WATCHING, 0, ~0u },
};

void test_pool_sm_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sm_case *c = &cases[i];
		struct pool_sm sm;
		unsigned act;

		test_ctx("%s --%s-->", pool_sm_state_name(c->from), pool_sm_event_name(c->ev));
		pool_sm_init(&sm, c->auth);
		sm.state = c->from;
		sm.up = c->up;
		act = pool_sm_event(&sm, c->ev, 10, 12345);
		ASSERT_EQ(sm.state, c->to, "next state");
		ASSERT_EQ(act & c->must, c->must, "actions that must be there");
		ASSERT_EQ(act & c->mustnt, 0, "actions that must not");
		if (act & POOL_ACT_BACKOFF)
			ASSERT_GT(sm.delay_ms, 0, "a back-off has a delay");
	}
}

/* Every pair: a failure closes everything; up only while watching or
 * re-reading after a compaction; down said exactly when up is lost. */
void test_pool_sm_all_pairs(void)
{
	enum pool_sm_state s;
	enum pool_sm_event ev;
	int up;

	for (s = 0; s < POOL_SM_STATE_MAX; s++)
		for (ev = 0; ev < POOL_EV_MAX; ev++)
			for (up = 0; up <= 1; up++) {
				struct pool_sm sm;
				unsigned act;

				/* up only where it can be: watching, or re-reading
				 * after a compaction */
				if (up && s != POOL_SM_READ && s != POOL_SM_WATCH_START &&
				    s != POOL_SM_WATCHING)
					continue;
				test_ctx("%s%s --%s-->", up ? "up " : "", pool_sm_state_name(s),
					 pool_sm_event_name(ev));
				pool_sm_init(&sm, true);
				sm.state = s;
				sm.up = up;
				act = pool_sm_event(&sm, ev, 7, 99);
				if (up && !sm.up)
					ASSERT_TRUE(act & POOL_ACT_DOWN, "down said");
				if (act & POOL_ACT_DOWN)
					ASSERT_TRUE(up && !sm.up, "down only when it was up");
				if (!up && sm.up)
					ASSERT_TRUE(act & POOL_ACT_UP, "up said");
				if (sm.state == POOL_SM_BACKOFF && s != POOL_SM_BACKOFF)
					ASSERT_TRUE((act & CLOSE) && (act & BACKOFF),
						    "into backoff: closed, timer armed");
				if (sm.state == POOL_SM_IDLE || sm.state == POOL_SM_BACKOFF ||
				    sm.state == POOL_SM_AUTH)
					ASSERT_FALSE(sm.up, "not up without a watch");
				if (act & (POOL_ACT_AUTH | POOL_ACT_READ | POOL_ACT_WATCH))
					ASSERT_TRUE(sm.state == POOL_SM_AUTH ||
							    sm.state == POOL_SM_READ ||
							    sm.state == POOL_SM_WATCH_START,
						    "a call only in a state waiting for it");
			}
}

void test_pool_sm_sequence(void)
{
	struct pool_sm sm;
	unsigned act;

	pool_sm_init(&sm, false);
	ASSERT_EQ(pool_sm_event(&sm, POOL_EV_START, 0, 1), POOL_ACT_READ, "start: read");
	act = pool_sm_event(&sm, POOL_EV_READ_OK, 41, 1);
	ASSERT_EQ(act, POOL_ACT_WATCH, "read: watch");
	ASSERT_EQ(sm.watch_from, 42, "from the read's revision + 1");
	act = pool_sm_event(&sm, POOL_EV_WATCH_CREATED, 0, 1);
	ASSERT_TRUE(act & POOL_ACT_UP, "up");
	ASSERT_TRUE(sm.up, "up flag");
	/* compaction: read again at a later revision, watch from there */
	act = pool_sm_event(&sm, POOL_EV_COMPACTED, 0, 1);
	ASSERT_EQ(act, POOL_ACT_CLOSE_WATCH | POOL_ACT_READ, "re-read");
	pool_sm_event(&sm, POOL_EV_READ_OK, 90, 1);
	ASSERT_EQ(sm.watch_from, 91, "new start");
	act = pool_sm_event(&sm, POOL_EV_WATCH_CREATED, 0, 1);
	ASSERT_FALSE(act & POOL_ACT_UP, "was up all along");
	/* a member lost three times in a row: the delays grow */
	act = pool_sm_event(&sm, POOL_EV_FAILED, 0, 0);
	ASSERT_TRUE(act & POOL_ACT_DOWN, "down");
	ASSERT_EQ(sm.failures, 1, "one failure");
	ASSERT_LE(sm.delay_ms, POOL_BACKOFF_BASE_MS, "first retry within the base");
	pool_sm_event(&sm, POOL_EV_BACKOFF_DONE, 0, 0);
	pool_sm_event(&sm, POOL_EV_FAILED, 0, 0);
	ASSERT_EQ(sm.delay_ms, POOL_BACKOFF_BASE_MS, "second: the base doubled, lower half bound");
	pool_sm_event(&sm, POOL_EV_BACKOFF_DONE, 0, 0);
	act = pool_sm_event(&sm, POOL_EV_FAILED, 0, 0);
	ASSERT_FALSE(act & POOL_ACT_DOWN, "down said only once");
	/* back: failures forgotten */
	pool_sm_event(&sm, POOL_EV_BACKOFF_DONE, 0, 0);
	pool_sm_event(&sm, POOL_EV_READ_OK, 100, 0);
	act = pool_sm_event(&sm, POOL_EV_WATCH_CREATED, 0, 0);
	ASSERT_TRUE(act & POOL_ACT_UP, "up again");
	ASSERT_EQ(sm.failures, 0, "failures reset");
}

void test_pool_sm_backoff(void)
{
	uint32_t r, d, prev_max = 0;
	unsigned n;

	for (n = 1; n <= 12; n++) {
		uint32_t lo = ~0u, hi = 0;

		test_ctx("failure %u", n);
		for (r = 0; r < 5000; r += 7) {
			d = pool_sm_backoff_ms(n, false, r * 2654435761u);
			if (d < lo)
				lo = d;
			if (d > hi)
				hi = d;
		}
		ASSERT_LE(hi, POOL_BACKOFF_MAX_MS, "never past the cap");
		ASSERT_GE(lo * 2, hi - 1, "within the upper half of the interval");
		ASSERT_GT(hi, lo, "jittered");
		ASSERT_GE(hi, prev_max, "does not shrink");
		prev_max = hi;
	}
	ASSERT_EQ(prev_max, POOL_BACKOFF_MAX_MS, "reaches the cap");
	ASSERT_GE(pool_sm_backoff_ms(1, true, 0), POOL_BACKOFF_REFUSED_MS / 2, "refused: slow");
	ASSERT_LE(pool_sm_backoff_ms(1, true, ~0u), POOL_BACKOFF_REFUSED_MS, "refused: bounded");
}
