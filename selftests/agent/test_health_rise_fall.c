// SPDX-License-Identifier: GPL-2.0
/*
 * The rise/fall state machine (agent/health/rise_fall.c), pure: tables of probe
 * results with the state, the change flag and the next interval expected
 * after each; then a fake clock that paces probes with hc_sm_next_ms() to
 * check how long a verdict takes (detection time in fast-intervals).
 */
#include <stdio.h>
#include <string.h>

#include "health/health.h"
#include "../lib/test.h"

#define IV	1000	/* interval */
#define FAST	250	/* fast-interval */

/*
 * results: '+' success, '-' failure
 * states:  after each result: 'U' up, 'D' down, '?' unknown
 * changes: after each result: '*' changed, '.' not
 * next:    after each result: 'f' fast-interval, 'i' interval
 */
static const struct {
	const char *name;
	uint32_t rise, fall;
	enum hc_state start;
	const char *results, *states, *changes, *next;
} cases[] = {
	{ "unknown rises after rise successes", 2, 2, HC_UNKNOWN,
	  "++", "?U", ".*", "fi" },
	{ "unknown falls after fall failures", 2, 3, HC_UNKNOWN,
	  "---", "??D", "..*", "ffi" },
	{ "unknown stays unknown while mixed", 2, 2, HC_UNKNOWN,
	  "+-+-+-", "??????", "......", "ffffff" },
	{ "rise 1 fall 1: every result decides", 1, 1, HC_UNKNOWN,
	  "+-+--+", "UDUDDU", "****.*", "iiiiii" },
	{ "up: one failure is not enough with fall 2", 2, 2, HC_UP,
	  "-+", "UU", "..", "fi" },
	{ "up: fall failures in a row make it down", 3, 2, HC_UP,
	  "--", "UD", ".*", "fi" },
	{ "down: rise successes in a row make it up", 3, 2, HC_DOWN,
	  "+++", "DDU", "..*", "ffi" },
	{ "down: a failure restarts the count", 3, 2, HC_DOWN,
	  "++-+++", "DDDDDU", ".....*", "ffiffi" },
	{ "flapping never changes with fall 2", 2, 2, HC_UP,
	  "-+-+-+-+", "UUUUUUUU", "........", "fifififi" },
	{ "flapping around down never rises with rise 2", 2, 2, HC_DOWN,
	  "+-+-+-", "DDDDDD", "......", "fififi" },
	{ "down then up then down", 2, 2, HC_UP,
	  "--++--", "UDDUUD", ".*.*.*", "fififi" },
	{ "fall 100", 1, 100, HC_UP,
	  "-", "U", ".", "f" },
};

static const char *state_str(enum hc_state s)
{
	return s == HC_UP ? "U" : s == HC_DOWN ? "D" : "?";
}

void test_health_rise_fall_table(void)
{
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct conf_health cfg = {
			.interval_ms = IV, .fast_interval_ms = FAST,
			.rise = cases[c].rise, .fall = cases[c].fall,
		};
		struct hc_sm sm = { .state = cases[c].start };
		const char *r = cases[c].results;

		test_ctx("%s", cases[c].name);
		for (size_t i = 0; r[i]; i++) {
			bool changed = hc_sm_result(&sm, &cfg, r[i] == '+');
			uint32_t next = hc_sm_next_ms(&sm, &cfg);
			char st[2] = { cases[c].states[i], 0 };

			ASSERT_STREQ(state_str(sm.state), st, "state");
			ASSERT_EQ(changed, cases[c].changes[i] == '*', "changed");
			ASSERT_EQ(next, cases[c].next[i] == 'f' ? FAST : IV, "next interval");
		}
	}
	test_ctx(NULL);
}

void test_health_rise_fall_unknown_is_fast(void)
{
	struct conf_health cfg = { .interval_ms = IV, .fast_interval_ms = FAST, .rise = 2, .fall = 2 };
	struct hc_sm sm = { .state = HC_UNKNOWN };

	ASSERT_EQ(hc_sm_next_ms(&sm, &cfg), FAST, "no verdict yet: fast");
	sm.state = HC_UP;
	ASSERT_EQ(hc_sm_next_ms(&sm, &cfg), IV, "up and steady: interval");
	/* fast-interval equal to the interval (interval 100ms) */
	cfg.fast_interval_ms = IV;
	sm.state = HC_UNKNOWN;
	ASSERT_EQ(hc_sm_next_ms(&sm, &cfg), IV, "fast = interval");
}

void test_health_rise_fall_runs_saturate(void)
{
	struct conf_health cfg = { .interval_ms = IV, .fast_interval_ms = FAST, .rise = 2, .fall = 2 };
	struct hc_sm sm = { .state = HC_UNKNOWN };
	int changes = 0;

	for (int i = 0; i < 200000; i++)
		changes += hc_sm_result(&sm, &cfg, true);
	ASSERT_EQ(changes, 1, "one change in 200000 successes");
	ASSERT_EQ(sm.state, HC_UP, "up");
	ASSERT_LE(sm.ok_run, 0xffff, "the run stops counting");
	ASSERT_GE(sm.ok_run, 2, "but stays past rise");
	ASSERT_TRUE(!hc_sm_result(&sm, &cfg, false), "one failure");
	ASSERT_EQ(sm.ok_run, 0, "success run reset");
	ASSERT_TRUE(hc_sm_result(&sm, &cfg, false), "second failure: down");
}

/*
 * Fake clock: a target that is up dies at `die_ms` and comes back at
 * `back_ms`; probes run when hc_sm_next_ms() says, each seeing the
 * target's state at its start. Returns when it went down and up.
 */
static void fake_run(const struct conf_health *cfg, uint64_t die_ms, uint64_t back_ms,
		     uint64_t *down_at, uint64_t *up_at, unsigned int *probes)
{
	struct hc_sm sm = { .state = HC_UP };
	uint64_t t = 0;

	*down_at = *up_at = 0;
	*probes = 0;
	while (t < back_ms + 20 * IV && !*up_at) {
		bool alive = t < die_ms || t >= back_ms;

		(*probes)++;
		if (hc_sm_result(&sm, cfg, alive)) {
			if (sm.state == HC_DOWN)
				*down_at = t;
			else
				*up_at = t;
		}
		t += hc_sm_next_ms(&sm, cfg);
	}
}

void test_health_rise_fall_fake_clock(void)
{
	static const struct {
		uint32_t rise, fall;
		uint64_t die, back;
		uint64_t want_down, want_up;
	} runs[] = {
		/* probes at 0, 1000, 2000: death at 1500 is first seen at
		 * 2000, the verdict fall-1 fast-intervals later (2250); from
		 * there an interval apart again (3250 ... 9250, 10250), and
		 * the return is seen at 10250, the verdict at 10500 */
		{ 2, 2, 1500, 10000, 2000 + FAST, 10250 + FAST },
		{ 3, 3, 1500, 10000, 2000 + 2 * FAST, 10500 + 2 * FAST },
		{ 1, 1, 1500, 10000, 2000, 10000 },
		/* back at 10300: the probe at 10250 still fails, 11250 sees it */
		{ 2, 2, 1500, 10300, 2000 + FAST, 11250 + FAST },
	};

	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		struct conf_health cfg = {
			.interval_ms = IV, .fast_interval_ms = FAST,
			.rise = runs[i].rise, .fall = runs[i].fall,
		};
		uint64_t down_at, up_at;
		unsigned int probes;

		test_ctx("rise %u fall %u die %lu back %lu", runs[i].rise, runs[i].fall,
			 (unsigned long)runs[i].die, (unsigned long)runs[i].back);
		fake_run(&cfg, runs[i].die, runs[i].back, &down_at, &up_at, &probes);
		ASSERT_EQ(down_at, runs[i].want_down, "down at");
		ASSERT_EQ(up_at, runs[i].want_up, "up at");
	}
	test_ctx(NULL);
}
